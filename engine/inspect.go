package engine

import "flick/engine/exr"

// Inspection is what a frame's headers say: the one read of a sequence's
// header that the viewer, `flick export` and `flick info` share.
type Inspection struct {
	Frame  int        // the frame read
	Header exr.Header // part 0's
	// Parts describes every part: views, layers, levels and every
	// attribute (framesPerSecond, timeCode ...). It is nil when they could
	// not be read; PartsErr says why.
	Parts    []exr.Part
	PartsErr error
}

// Inspect reads the headers of s's first frame present. The error is
// the file's if it cannot be opened; parts that cannot be read are
// reported in PartsErr.
func Inspect(s *Sequence) (Inspection, error) {
	return inspectFrame(s, s.First(), true)
}

// inspectFrame reads frame n's part 0 header, and every part's when
// parts is set (`flick info` reads them for the first readable frame
// only).
func inspectFrame(s *Sequence, n int, parts bool) (Inspection, error) {
	f, err := exr.Open(s.Path(n))
	if err != nil {
		return Inspection{}, err
	}
	defer f.Close()
	in := Inspection{Frame: n, Header: f.Header()}
	switch {
	case parts && s.Views != nil: // a %V source: its views' files are the parts of one
		in.Parts, in.PartsErr = s.Parts(n)
	case parts:
		in.Parts, in.PartsErr = f.Parts()
	}
	return in, nil
}

// FPS is the frame rate in part 0's framesPerSecond attribute, if it has
// one with both terms positive.
func (in Inspection) FPS() (exr.Rational, bool) {
	if len(in.Parts) == 0 || in.Parts[0].FramesPerSecond == nil {
		return exr.Rational{}, false
	}
	r := *in.Parts[0].FramesPerSecond
	return r, r.Num > 0 && r.Den > 0
}
