package engine

import (
	"flick/engine/exr"
	"flick/engine/timecode"
)

// fileTimecode is f's part 0 timeCode attribute as a time address; ok is
// false when there is none or its digits do not decode.
func fileTimecode(f *exr.File) (tc timecode.Timecode, ok bool) {
	t, ok := f.TimeCode()
	if !ok {
		return timecode.Timecode{}, false
	}
	tc, err := t.Timecode()
	return tc, err == nil
}

// FrameTimecode opens frame n of s and returns its timeCode attribute; ok
// is false when the file has none (or one that does not decode) or the
// frame is missing. The error is the file's, when it cannot be opened.
func FrameTimecode(s *Sequence, n int) (tc timecode.Timecode, ok bool, err error) {
	path, _ := s.file(Key{Frame: n})
	if path == "" {
		return timecode.Timecode{}, false, nil
	}
	f, err := exr.Open(path)
	if err != nil {
		return timecode.Timecode{}, false, err
	}
	defer f.Close()
	tc, ok = fileTimecode(f)
	return tc, ok, nil
}

// TimecodeOf is frame n's timecode counting at r: own (the frame's
// timeCode attribute) when ok and it is a label at r (timecode.Check), else
// n counted at r from 00:00:00:00, drop frame where r has it (29.97, 59.94),
// as NTSC editors count. The error is r's: a rate with no timecode.
func TimecodeOf(n int, own timecode.Timecode, ok bool, r timecode.Rate) (timecode.Timecode, error) {
	if ok && own.Check(r) == nil {
		return own, nil
	}
	return timecode.FromFrame(n, r, r.Dropped() > 0)
}

// Timecode is TimecodeOf the frame's number and own timeCode.
func (f *Frame) Timecode(r timecode.Rate) (timecode.Timecode, error) {
	return TimecodeOf(f.Number, f.TimeCode, f.HasTimeCode, r)
}

// Rate is the sequence's frame rate for timecode: part 0's framesPerSecond
// when it has one, else fallback (the playback or movie rate).
func (in Inspection) Rate(fallback timecode.Rate) timecode.Rate {
	if r, ok := in.FPS(); ok {
		return timecode.Rate{Num: int(r.Num), Den: int(r.Den)}
	}
	return fallback
}
