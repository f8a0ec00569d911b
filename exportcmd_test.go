package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flick/engine/exr/shared"
	"flick/export/exporttest"
	"flick/render/rendertest"
)

func TestExportCommand(t *testing.T) {
	display, stop, err := rendertest.StartXvfb(640, 480)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	beach := filepath.Join(shared.File(t, "exr-samples", "Beachball"), "singlepart.#.exr")
	dir := t.TempDir()
	out := filepath.Join(dir, "review.mov")

	// A range, a width that gives an odd height (rounded to even), an
	// exposure and a frame rate.
	code, stdout, stderr := runFlickOn(t, display, "export", beach, "--range", "2-6", "-o", out,
		"--width", "301", "--exposure", "1", "--fps", "25", "--codec", "h264", "--preset", "veryfast")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	info, err := exporttest.Probe(out)
	if err != nil {
		t.Fatal(err)
	}
	// 2048x1556 at width 301: height 228.7, both rounded to even.
	if info.Width != 302 || info.Height != 228 || info.Frames != 5 || info.AvgFrameRate.Num() != 25 || info.AvgFrameRate.Den() != 1 {
		t.Errorf("movie %+v, want 302x228, 5 frames at 25 fps", info)
	}
	if !strings.Contains(stdout, "5 frames") || !strings.Contains(stdout, "convert") {
		t.Errorf("stdout %q does not report the frames and the stages", stdout)
	}

	// The exposure shows: the same frames one stop brighter are brighter.
	dark := filepath.Join(dir, "dark.mov")
	if code, _, stderr := runFlickOn(t, display, "export", beach, "2-6", "-o", dark, "--width", "301", "--fps", "25"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, d := meanLevel(t, out), meanLevel(t, dark); !(b > d*1.1) {
		t.Errorf("mean level %.0f with --exposure 1, %.0f without: the exposure did not reach the movie", b, d)
	}

	// A layer (here a view's) shows up in the movie: the left eye is not
	// the right one.
	left, right := filepath.Join(dir, "left.mov"), filepath.Join(dir, "right.mov")
	for _, c := range [][]string{{"-o", left, "--view", "left"}, {"-o", right, "--view", "right"}} {
		if code, _, stderr := runFlickOn(t, display, append([]string{"export", beach, "1-2", "--width", "512"}, c...)...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	if p := exporttest.PSNR(firstFrame(t, left), firstFrame(t, right), 0, 1, 2); p > 30 {
		t.Errorf("left and right views export alike (PSNR %.1f dB): --view did not reach the movie", p)
	}
	os.Remove(left)
	os.Remove(right)

	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"no layer", []string{"export", beach, "-o", filepath.Join(dir, "c.mov"), "--layer", "nosuch"}, 1, "nosuch"},
		{"exists", []string{"export", beach, "-o", out}, 1, "--overwrite"},
		{"no folder", []string{"export", beach, "-o", filepath.Join(dir, "nope", "a.mov")}, 1, "nope"},
		{"codec", []string{"export", beach, "-o", filepath.Join(dir, "c.mov"), "--codec", "mpeg2"}, 2, "prores"},
		{"display", []string{"export", beach, "-o", filepath.Join(dir, "c.mov"), "--display", "acescg"}, 2, "srgb"},
		{"no output", []string{"export", beach}, 2, "-o"},
		{"two sizes", []string{"export", beach, "-o", filepath.Join(dir, "c.mov"), "--scale", "0.5", "--width", "100"}, 2, "one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runFlickOn(t, display, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.says) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, stderr, tc.code, tc.says)
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("the folder holds %q: failed exports left files", names)
	}
}

// meanLevel is the mean 16-bit RGB level of a movie's frames.
func meanLevel(t *testing.T, path string) float64 {
	t.Helper()
	var sum float64
	var n int
	if _, err := exporttest.Decode(path, func(_ int, rgba []uint16) error {
		for i := 0; i < len(rgba); i += 4 {
			sum += float64(rgba[i]) + float64(rgba[i+1]) + float64(rgba[i+2])
			n += 3
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return sum / float64(n)
}

// firstFrame decodes a movie's first frame (RGBA 16-bit).
func firstFrame(t *testing.T, path string) []uint16 {
	t.Helper()
	var out []uint16
	if _, err := exporttest.Decode(path, func(i int, rgba []uint16) error {
		if i == 0 {
			out = append([]uint16(nil), rgba...)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
