package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"flick/engine/exr"
	"flick/engine/timecode"
	"flick/export"
)

// writeTimecodeShot writes frames 1001-1008 of name.####.exr in dir, 64x48,
// at fps; with start, frame 1001 carries the timeCode start and each next
// one the label after it.
func writeTimecodeShot(t *testing.T, dir, name string, fps exr.Rational, start string) string {
	t.Helper()
	r := timecode.Rate{Num: int(fps.Num), Den: int(fps.Den)}
	pix := make([]uint16, 64*48*4)
	for i := range 8 {
		for k := range pix {
			pix[k] = uint16(0x2000 + (k*31+i*577)%0x1800)
		}
		stamp := exr.Stamp{FPS: fps}
		if start != "" {
			tc, err := timecode.Parse(start)
			if err == nil {
				tc, err = tc.Add(i, r)
			}
			if err != nil {
				t.Fatal(err)
			}
			stamp.TimeCode = &tc
		}
		if err := exr.WriteRGBAStamped(filepath.Join(dir, fmt.Sprintf("%s.%04d.exr", name, 1001+i)), 64, 48, pix, exr.ZIP, stamp); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, name+".####.exr")
}

// TestExportTimecode exports (headless) sequences with and without
// timeCode attributes and reads the movies' timecode tracks back: the
// first exported frame's timeCode (29.97 drop frame across a minute, a
// range from mid-shot, a chunk, and a joined pair of chunks), else the
// frame number counted at the rate, else --timecode (moved to a chunk's
// first frame). A bad --timecode is a usage error.
func TestExportTimecode(t *testing.T) {
	dir := t.TempDir()
	tc := writeTimecodeShot(t, dir, "tc", exr.Rational{Num: 30000, Den: 1001}, "00:00:59;27")
	plain := writeTimecodeShot(t, dir, "plain", exr.Rational{Num: 24, Den: 1}, "")
	n := 0
	export1 := func(args ...string) string {
		t.Helper()
		n++
		out := filepath.Join(dir, fmt.Sprintf("m%d.mov", n))
		args = append([]string{"export", "-o", out, "--codec", "h264", "--preset", "ultrafast"}, args...)
		if code, _, stderr := runFlick(t, args...); code != 0 {
			t.Fatalf("flick %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		return out
	}
	check := func(movie, want string) {
		t.Helper()
		got, ok, err := export.ReadTimecode(movie)
		if err != nil || !ok || got.String() != want {
			t.Errorf("%s: timecode %s (track %v, %v), want %s", filepath.Base(movie), got, ok, err, want)
		}
	}
	check(export1(tc), "00:00:59;27")
	check(export1(tc, "--range", "1003-1008"), "00:00:59;29")
	a := export1(tc, "--range", "1001-1008", "--frames", "1001-1003")
	b := export1(tc, "--range", "1001-1008", "--frames", "1004-1008")
	check(b, "00:01:00;02")
	joined := filepath.Join(dir, "joined.mov")
	if code, _, stderr := runFlick(t, "join", joined, a, b); code != 0 {
		t.Fatalf("join: exit %d: %s", code, stderr)
	}
	check(joined, "00:00:59;27")

	// 1001 frames at 24 fps: 41 s and 17 frames.
	check(export1(plain), "00:00:41:17")
	check(export1(plain, "--timecode", "01:00:00:00"), "01:00:00:00")
	check(export1(plain, "--timecode", "01:00:00:00", "--range", "1001-1008", "--frames", "1004-1006"), "01:00:00:03")
	// The files' drop-frame timeCode does not count at 24 fps: derived, with a warning.
	out := filepath.Join(dir, "at24.mov")
	if code, _, stderr := runFlick(t, "export", tc, "-o", out, "--fps", "24", "--preset", "ultrafast"); code != 0 || !strings.Contains(stderr, "counts frame numbers instead") {
		t.Errorf("--fps 24 over drop-frame timeCode: exit %d, stderr %q; want a warning", code, stderr)
	}
	check(out, "00:00:41:17")

	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--timecode", "1:00:00:00"}, "HH:MM:SS:FF"},
		{[]string{"--timecode", "01:00:00;00"}, "drop frame exists only"},
		{[]string{"--timecode", "01:00:00:24"}, "frame 24 is out of range"},
	} {
		args := append([]string{"export", plain, "-o", filepath.Join(dir, "bad.mov")}, c.args...)
		if code, _, stderr := runFlick(t, args...); code != 2 || !strings.Contains(stderr, c.says) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", c.args, code, stderr, c.says)
		}
	}
}

// TestViewerTimecodeToggle: t switches the timeline's frame labels between
// numbers and timecode (the window title's hook says the label of the frame
// on screen); the frame on screen shows its own timeCode attribute, here
// one that does not follow its neighbour's, and so does the export
// dialog's movie that starts there.
func TestViewerTimecodeToggle(t *testing.T) {
	dir := t.TempDir()
	pix := make([]uint16, 64*48*4)
	for i, tc := range []string{"01:00:00:00", "02:00:00:00", "01:00:00:02"} {
		own, err := timecode.Parse(tc)
		if err != nil {
			t.Fatal(err)
		}
		stamp := exr.Stamp{FPS: exr.Rational{Num: 25, Den: 1}, TimeCode: &own}
		if err := exr.WriteRGBAStamped(filepath.Join(dir, fmt.Sprintf("tog.%04d.exr", 1001+i)), 64, 48, pix, exr.ZIP, stamp); err != nil {
			t.Fatal(err)
		}
	}
	v := startViewer(t, t.TempDir(), filepath.Join(dir, "tog.####.exr"))
	label := func(want string) {
		t.Helper()
		v.waitFor(func() bool { return strings.Contains(v.title(), "— label "+want+" —") }, "the label "+want)
	}
	label("1001")
	v.overViewer()
	v.key("t")
	label("01:00:00:00")
	v.key("Right")
	label("02:00:00:00")
	v.key("t")
	label("1002")
	// The dialog exports from the frame on screen to the out point: the
	// movie starts at that frame's own timeCode.
	v.key("bracketleft")
	v.exportFromDialog(filepath.Join(dir, "tog_review.mov"))
	if tc, ok, err := export.ReadTimecode(filepath.Join(dir, "tog_review.mov")); err != nil || !ok || tc.String() != "02:00:00:00" {
		t.Errorf("the dialog's movie starts at timecode %s (track %v, %v), want frame 1002's 02:00:00:00", tc, ok, err)
	}
	v.quit()
}
