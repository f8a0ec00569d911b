package engine

import (
	"fmt"
	"path/filepath"
	"testing"

	"flick/engine/exr"
	"flick/engine/timecode"
)

// TestFrameTimecode writes a sequence whose frames carry timeCode at
// 30000/1001 (drop frame, across a minute) and one without, and reads each
// frame's timecode through LoadFrame, FrameTimecode and Inspect.
func TestFrameTimecode(t *testing.T) {
	dir := t.TempDir()
	df := timecode.Rate{Num: 30000, Den: 1001}
	start, err := timecode.Parse("00:00:59;28")
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]uint16, 4*4*2)
	for i := range 4 {
		tc, err := start.Add(i, df)
		if err != nil {
			t.Fatal(err)
		}
		stamp := exr.Stamp{FPS: exr.Rational{Num: 30000, Den: 1001}, TimeCode: &tc}
		if err := exr.WriteRGBAStamped(filepath.Join(dir, fmt.Sprintf("tc.%04d.exr", 101+i)), 4, 2, pix, exr.ZIP, stamp); err != nil {
			t.Fatal(err)
		}
		if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("plain.%04d.exr", 101+i)), 4, 2, pix, exr.ZIP, 0); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Find(filepath.Join(dir, "tc.####.exr"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := Inspect(s)
	if err != nil {
		t.Fatal(err)
	}
	if r := in.Rate(timecode.Rate{Num: 24, Den: 1}); r != df {
		t.Errorf("Inspection.Rate %v, want the files' %v", r, df)
	}
	for i, want := range []string{"00:00:59;28", "00:00:59;29", "00:01:00;02", "00:01:00;03"} {
		f, err := LoadFrame(s, 101+i, newBuffer, testPool, nil)
		if err != nil {
			t.Fatal(err)
		}
		tc, err := f.Timecode(df)
		if !f.HasTimeCode || err != nil || tc.String() != want {
			t.Errorf("frame %d: own %v (%s), Timecode %s, %v; want %s", 101+i, f.HasTimeCode, f.TimeCode, tc, err, want)
		}
		if own, ok, err := FrameTimecode(s, 101+i); !ok || err != nil || own.String() != want {
			t.Errorf("FrameTimecode(%d) = %s, %v, %v; want %s", 101+i, own, ok, err, want)
		}
		// At 24 fps the drop-frame label is no timecode: the frame number counts.
		if tc, err := f.Timecode(timecode.Rate{Num: 24, Den: 1}); err != nil || tc.String() != fmt.Sprintf("00:00:04:%02d", 5+i) {
			t.Errorf("frame %d at 24 fps: %s, %v; want it derived from the number", 101+i, tc, err)
		}
	}

	plain, err := Find(filepath.Join(dir, "plain.####.exr"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadFrame(plain, 102, newBuffer, testPool, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Frame 102 at 29.97: 00:00:03;12, drop frame as the rate has it.
	if tc, err := f.Timecode(df); f.HasTimeCode || err != nil || tc.String() != "00:00:03;12" {
		t.Errorf("no timeCode: own %v, Timecode %s, %v; want 00:00:03;12", f.HasTimeCode, tc, err)
	}
	if _, ok, err := FrameTimecode(plain, 102); ok || err != nil {
		t.Errorf("FrameTimecode of a file without timeCode: %v, %v", ok, err)
	}
	if r := (Inspection{}).Rate(df); r != df {
		t.Errorf("Inspection.Rate without framesPerSecond: %v, want the fallback", r)
	}
}
