package main

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flick/engine/exr/shared"
	"flick/export/exporttest"
)

// The comparison exports draw Beachball's stereo shot, 2048x1556, at
// --scale 0.5: 1024x778, an exact half, so that a single export (its
// display window stretched over the movie) and a comparison's side
// (fitted, render.Fit) place the pixels alike. A is the file's default
// view (the right eye), B the left (--compare-view). ProRes 4444 is
// intra-only, 12-bit, in slices of 16-pixel macroblocks, so a half that
// starts on a block edge encodes as the single export does.
var compareArgs = []string{"--scale", "0.5", "--codec", "prores4444", "--headless"}

// compareMatch is the PSNR (RGB, dB) above which two frames of these
// exports are the same picture. Measured: each half of side by side is
// bit-identical to the single export (+Inf), vside's lower half (from row
// 778, inside a macroblock row, so its blocks hold other pixels) 72 dB;
// a wrong frame (frames 1 and 2 of A, checked every run) 14 dB, the other
// eye 21 dB.
const compareMatch = 45

// movieFrames decodes every frame of a movie (RGBA 16-bit) and its size.
func movieFrames(t *testing.T, path string) (frames [][]uint16, w, h int) {
	t.Helper()
	info, err := exporttest.Probe(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exporttest.Decode(path, func(_ int, rgba []uint16) error {
		frames = append(frames, slices.Clone(rgba))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return frames, info.Width, info.Height
}

// peakRGB is the highest R, G or B value of an RGBA frame.
func peakRGB(rgba []uint16) int {
	peak := 0
	for k := 0; k < len(rgba); k += 4 {
		peak = max(peak, int(rgba[k]), int(rgba[k+1]), int(rgba[k+2]))
	}
	return peak
}

// crop copies rectangle r out of a w-wide RGBA frame.
func crop(rgba []uint16, w int, r image.Rectangle) []uint16 {
	out := make([]uint16, 0, 4*r.Dx()*r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		out = append(out, rgba[4*(y*w+r.Min.X):4*(y*w+r.Max.X)]...)
	}
	return out
}

// exportOK runs flick export with args (compareArgs added) and fails the test
// unless it succeeds; it returns stderr.
func exportOK(t *testing.T, args ...string) string {
	t.Helper()
	code, _, stderr := runFlick(t, append(append([]string{"export"}, args...), compareArgs...)...)
	if code != 0 {
		t.Fatalf("flick export %q: exit %d: %s", args, code, stderr)
	}
	return stderr
}

// flick export A --compare B --mode side writes a movie twice A's width
// whose left half is A's single export and right half B's, frame by frame;
// vside stacks them.
func TestExportCompareSide(t *testing.T) {
	beach := filepath.Join(shared.File(t, "exr-samples", "Beachball"), "singlepart.#.exr")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.mov"), filepath.Join(dir, "b.mov")
	side, vside := filepath.Join(dir, "side.mov"), filepath.Join(dir, "vside.mov")
	exportOK(t, beach, "1-3", "-o", a)
	exportOK(t, beach, "1-3", "--view", "left", "-o", b)
	exportOK(t, beach, "1-3", "--compare", beach, "--compare-view", "left", "-o", side) // side: the default
	exportOK(t, beach, "1-3", "--compare", beach, "--compare-view", "left", "--mode", "vside", "-o", vside)
	af, w, h := movieFrames(t, a)
	bf, _, _ := movieFrames(t, b)
	if len(af) != 3 || len(bf) != 3 || w != 1024 || h != 778 {
		t.Fatalf("single exports: %d and %d frames of %dx%d, want 3 of 1024x778", len(af), len(bf), w, h)
	}
	// A wrong frame is far below compareMatch.
	if p := exporttest.PSNR(af[0], af[1], 0, 1, 2); p > compareMatch-10 {
		t.Fatalf("frames 1 and 2 of A match at %.1f dB: compareMatch cannot tell a wrong frame", p)
	} else {
		t.Logf("a wrong frame: %.1f dB; the other eye: %.1f dB", p, exporttest.PSNR(af[0], bf[0], 0, 1, 2))
	}
	for _, c := range []struct {
		path   string
		w, h   int
		aR, bR image.Rectangle
	}{
		{side, 2 * w, h, image.Rect(0, 0, w, h), image.Rect(w, 0, 2*w, h)},
		{vside, w, 2 * h, image.Rect(0, 0, w, h), image.Rect(0, h, w, 2*h)},
	} {
		got, gw, gh := movieFrames(t, c.path)
		if len(got) != 3 || gw != c.w || gh != c.h {
			t.Fatalf("%s: %d frames of %dx%d, want 3 of %dx%d", filepath.Base(c.path), len(got), gw, gh, c.w, c.h)
		}
		for i := range got {
			pa := exporttest.PSNR(crop(got[i], gw, c.aR), af[i], 0, 1, 2)
			pb := exporttest.PSNR(crop(got[i], gw, c.bR), bf[i], 0, 1, 2)
			t.Logf("%s frame %d: A %.1f dB, B %.1f dB", filepath.Base(c.path), i+1, pa, pb)
			if pa < compareMatch || pb < compareMatch {
				t.Errorf("%s frame %d: A's part matches A's export at %.1f dB, B's part B's at %.1f dB; want %d or more",
					filepath.Base(c.path), i+1, pa, pb, compareMatch)
			}
		}
	}

	// A size whose aspect is not the shot's (252x192 for 2048x1556 at
	// 0.123, to even numbers): each half still covers its half as a single
	// export covers its movie, with no sliver of background at the edges.
	odd := func(args ...string) {
		t.Helper()
		args = append(append([]string{"export", beach, "1-1"}, args...), "--scale", "0.123", "--codec", "prores4444", "--headless")
		if code, _, stderr := runFlick(t, args...); code != 0 {
			t.Fatalf("flick %q: exit %d: %s", args, code, stderr)
		}
	}
	a, b, side = filepath.Join(dir, "a252.mov"), filepath.Join(dir, "b252.mov"), filepath.Join(dir, "side252.mov")
	odd("-o", a)
	odd("--view", "left", "-o", b)
	odd("--compare", beach, "--compare-view", "left", "-o", side)
	af, w, h = movieFrames(t, a)
	bf, _, _ = movieFrames(t, b)
	got, gw, gh := movieFrames(t, side)
	if w != 252 || h != 192 || gw != 2*w || gh != h || len(got) != 1 {
		t.Fatalf("at --scale 0.123: A %dx%d, side by side %d frames of %dx%d; want 252x192 and 1 of 504x192", w, h, len(got), gw, gh)
	}
	pa := exporttest.PSNR(crop(got[0], gw, image.Rect(0, 0, w, h)), af[0], 0, 1, 2)
	pb := exporttest.PSNR(crop(got[0], gw, image.Rect(w, 0, 2*w, h)), bf[0], 0, 1, 2)
	if pa < compareMatch || pb < compareMatch {
		t.Errorf("at --scale 0.123 the halves match A's and B's exports at %.1f and %.1f dB; want %d or more", pa, pb, compareMatch)
	}
}

// The difference of a shot with itself is black at every frame, at a gain
// too; blend 0 is A's own export.
func TestExportCompareDiffBlend(t *testing.T) {
	beach := filepath.Join(shared.File(t, "exr-samples", "Beachball"), "singlepart.#.exr")
	dir := t.TempDir()
	a, diff, blend := filepath.Join(dir, "a.mov"), filepath.Join(dir, "diff.mov"), filepath.Join(dir, "blend.mov")
	exportOK(t, beach, "1-3", "-o", a)
	exportOK(t, beach, "1-3", "--compare", beach, "--mode", "diff", "--gain", "4", "-o", diff)
	exportOK(t, beach, "1-3", "--compare", beach, "--compare-view", "left", "--mode", "blend", "--blend", "0", "-o", blend)
	af, w, h := movieFrames(t, a)
	df, dw, dh := movieFrames(t, diff)
	bf, bw, bh := movieFrames(t, blend)
	if len(df) != 3 || len(bf) != 3 || dw != w || dh != h || bw != w || bh != h {
		t.Fatalf("diff %d frames of %dx%d, blend %d of %dx%d; want 3 of A's %dx%d", len(df), dw, dh, len(bf), bw, bh, w, h)
	}
	for i := range df {
		// Black survives ProRes's limited-range YUV as 0 give or take a
		// code value's rounding; A's own picture is far brighter.
		if peak := peakRGB(df[i]); peak > 512 {
			t.Errorf("diff frame %d: a pixel at %d/65535, want black", i+1, peak)
		}
		if p := exporttest.PSNR(bf[i], af[i], 0, 1, 2); p < compareMatch {
			t.Errorf("blend 0 frame %d matches A's export at %.1f dB, want %d or more", i+1, p, compareMatch)
		}
	}
}

// --sync and --offset-b map B's frames to the movie's: with B a sequence
// whose range starts two frames later, frame sync leaves B's side black
// where B has no frame (and says so), start sync and an offset of -2 both
// show B's first frame against A's first, and B's frames match B's own
// export.
func TestExportCompareSync(t *testing.T) {
	beachDir := shared.File(t, "exr-samples", "Beachball")
	beach := filepath.Join(beachDir, "singlepart.#.exr")
	dir := t.TempDir()
	later := filepath.Join(dir, "later") // B: frames 3 to 8 of the shot
	if err := os.Mkdir(later, 0o755); err != nil {
		t.Fatal(err)
	}
	for n := 3; n <= 8; n++ {
		if err := os.Symlink(filepath.Join(beachDir, fmt.Sprintf("singlepart.%04d.exr", n)), filepath.Join(later, fmt.Sprintf("b.%04d.exr", n))); err != nil {
			t.Fatal(err)
		}
	}
	bSeq := filepath.Join(later, "b.#.exr")
	a, b := filepath.Join(dir, "a.mov"), filepath.Join(dir, "b.mov")
	exportOK(t, beach, "1-4", "-o", a)
	exportOK(t, bSeq, "3-6", "-o", b)
	af, w, h := movieFrames(t, a)
	bf, _, _ := movieFrames(t, b)
	for _, c := range []struct {
		name    string
		args    []string
		bFrames []int // B's frame at each movie frame; 0: none
	}{
		{"frame", nil, []int{0, 0, 3, 4}},
		{"start", []string{"--sync", "start"}, []int{3, 4, 5, 6}},
		{"offset", []string{"--sync", "frame", "--offset-b", "-2"}, []int{3, 4, 5, 6}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(dir, c.name+".mov")
			stderr := exportOK(t, append([]string{beach, "1-4", "--compare", bSeq, "-o", out}, c.args...)...)
			got, gw, gh := movieFrames(t, out)
			if len(got) != 4 || gw != 2*w || gh != h {
				t.Fatalf("%d frames of %dx%d, want 4 of %dx%d", len(got), gw, gh, 2*w, h)
			}
			left, right := image.Rect(0, 0, w, h), image.Rect(w, 0, 2*w, h)
			for i, n := range c.bFrames {
				if p := exporttest.PSNR(crop(got[i], gw, left), af[i], 0, 1, 2); p < compareMatch {
					t.Errorf("frame %d: A's side matches A's export at %.1f dB", i+1, p)
				}
				warned := strings.Contains(stderr, fmt.Sprintf("B's frame %d is black", i+1))
				if n == 0 {
					if peak := peakRGB(crop(got[i], gw, right)); peak > 512 || !warned {
						t.Errorf("frame %d: B's side peaks at %d/65535, warned %v; want black and a warning (stderr %q)", i+1, peak, warned, stderr)
					}
					continue
				}
				if p := exporttest.PSNR(crop(got[i], gw, right), bf[n-3], 0, 1, 2); p < compareMatch || warned {
					t.Errorf("frame %d: B's side matches B's frame %d at %.1f dB (warned %v)", i+1, n, p, warned)
				}
			}
		})
	}
}

// Bad comparison flags are usage errors (exit 2) naming the flag; a
// comparison that cannot start leaves no file.
func TestExportCompareFlags(t *testing.T) {
	base := []string{"shot.####.exr", "-o", "a.mov"}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--compare", "b.#.exr", "--mode", "over"}, "--mode"},
		{[]string{"--compare", "b.#.exr", "--wipe", "1.5"}, "--wipe"},
		{[]string{"--compare", "b.#.exr", "--wipe", "0.5,left"}, "--wipe"},
		{[]string{"--compare", "b.#.exr", "--blend", "2"}, "--blend"},
		{[]string{"--compare", "b.#.exr", "--blend", "NaN"}, "--blend"},
		{[]string{"--compare", "b.#.exr", "--gain", "x"}, "gain"},
		{[]string{"--compare", "b.#.exr", "--gain", "40"}, "--gain"},
		{[]string{"--compare", "b.#.exr", "--sync", "end"}, "--sync"},
		{[]string{"--compare", "b.#.exr", "--offset-b", "1.5"}, "offset-b"},
		{[]string{"--mode", "diff"}, "--mode goes with --compare"},
		{[]string{"--compare-view", "left"}, "--compare-view go with --compare"},
		{[]string{"--compare", "b.#.exr", "--matte-layer", "crypto_object", "--names", "a", "--matte", "grey"}, "--matte-layer"},
	} {
		var stdout, stderr bytes.Buffer
		if _, code, ok := parseExportFlags(append(base, c.args...), &stdout, &stderr); ok || code != 2 || !strings.Contains(stderr.String(), c.says) {
			t.Errorf("%q: exit %d, %q; want exit 2 naming %q", c.args, code, stderr.String(), c.says)
		}
	}
	f, _, ok := parseExportFlags(append(base, "--compare", "b.#.exr", "--wipe", "0.25,30", "--mode", "wipe", "--sync", "start", "--offset-b", "-3"), &bytes.Buffer{}, &bytes.Buffer{})
	if !ok || f.compare.path != "b.#.exr" || f.compare.wipeX != 0.25 || f.compare.c.WipeAngle != 30 || f.compare.c.Mode.String() != "wipe" || f.compare.sync.String() != "start" || f.compare.offset != -3 {
		t.Errorf("parsed %+v (ok %v)", f.compare, ok)
	}

	beach := filepath.Join(shared.File(t, "exr-samples", "Beachball"), "singlepart.#.exr")
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--compare", filepath.Join(dir, "nosuch.#.exr")}, "nosuch"},
		{[]string{"--compare", beach, "--compare-layer", "nosuch"}, "nosuch"},
	} {
		code, _, stderr := runFlick(t, append([]string{"export", beach, "1-2", "-o", filepath.Join(dir, "c.mov")}, append(c.args, compareArgs...)...)...)
		if code != 1 || !strings.Contains(stderr, c.says) {
			t.Errorf("%q: exit %d, %q; want exit 1 naming %q", c.args, code, stderr, c.says)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed comparison exports left %d files", len(entries))
	}
}
