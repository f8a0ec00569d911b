package main

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flick/engine/exr/shared"
)

// compareShots makes two different sequences of one size: A is
// Beachball's frames 1-4, B its frames 5-8 numbered 1-4 (the ball has
// moved and turned), each in a folder of its own.
func compareShots(t *testing.T) (a, b string) {
	t.Helper()
	src := shared.File(t, "exr-samples", "Beachball")
	dir := t.TempDir()
	for i, name := range []string{"a", "b"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		for n := 1; n <= 4; n++ {
			from := filepath.Join(src, fmt.Sprintf("singlepart.%04d.exr", n+4*i))
			if err := os.Symlink(from, filepath.Join(dir, name, fmt.Sprintf("%s.%04d.exr", name, n))); err != nil {
				t.Fatal(err)
			}
		}
	}
	return filepath.Join(dir, "a", "a.####.exr"), filepath.Join(dir, "b", "b.####.exr")
}

// picture starts flick on args, waits for frame 1 drawn, and returns a
// screenshot and the viewer's rectangle; the window is quit.
func picture(t *testing.T, args ...string) (image.Image, image.Rectangle) {
	t.Helper()
	v := startViewer(t, t.TempDir(), args...)
	r := v.viewRect()
	v.waitTitle(func(n int) bool { return n == 1 }, "frame 1")
	v.waitFrames(4)
	shot := v.shot()
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
	return shot, r
}

// compareDiffer is the most a screenshot's channel may differ from the
// single source's at the same pixel: none (measured: llvmpipe draws both
// bit for bit alike). Both draw through the same display program with
// the same camera (the canvas of a wipe is A's display window), each
// side's pixels its own render's, and the same window outlines.
const compareDiffer = 0

// mismatch counts the pixels of r (outside skip) where img differs from
// ref by more than compareDiffer in a channel, and the pixels compared.
func mismatch(img, ref image.Image, r image.Rectangle, skip func(x, y int) bool) (bad, n int) {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if skip(x, y) {
				continue
			}
			n++
			c, d := colourAt(img, x, y), colourAt(ref, x, y)
			if abs(c[0]-d[0]) > compareDiffer || abs(c[1]-d[1]) > compareDiffer || abs(c[2]-d[2]) > compareDiffer {
				bad++
			}
		}
	}
	return bad, n
}

// flick A B --compare wipe shows A's own picture left of the wipe line and
// B's right of it; F6 turns the wipe off (A alone), the flip key shows B
// alone, and holding the peek key shows B until it is let go. The wipe's
// line, handle and labels are drawn over the picture: the test leaves out
// the columns within wipeBand pixels of the line (the labels sit 40 pixels
// either side of it) and, with B alone, the band holding its label at the
// top.
func TestCompareWipeEndToEnd(t *testing.T) {
	const wipeBand = 64
	a, b := compareShots(t)
	refA, r := picture(t, a)
	refB, rb := picture(t, b)
	if rb != r {
		t.Fatalf("the viewer's rectangle differs: %v for A, %v for B", r, rb)
	}
	none := func(x, y int) bool { return false }
	// The two sources differ where the test looks: a wrong side fails.
	if bad, n := mismatch(refA, refB, r, none); bad < n/20 {
		t.Fatalf("A and B differ at %d of %d pixels: too few for the test to tell them apart", bad, n)
	}
	cx := (r.Min.X + r.Max.X) / 2 // the wipe at ½ of A's display window, fitted in the middle
	left := image.Rect(r.Min.X, r.Min.Y, cx-wipeBand, r.Max.Y)
	right := image.Rect(cx+wipeBand, r.Min.Y, r.Max.X, r.Max.Y)

	v := startViewer(t, t.TempDir(), a, b, "--compare", "wipe")
	// mode waits for the comparison's hook (A alone: none) at frame 1 and
	// for what it shows to be drawn.
	mode := func(want, why string) image.Image {
		t.Helper()
		v.waitFor(func() bool {
			title := v.title()
			hook := strings.Contains(title, " — compare "+want+" A 1 B 1 ")
			if want == "" {
				hook = !strings.Contains(title, " — compare ")
			}
			return hook && v.frame() == 1
		}, why)
		v.waitFrames(4)
		return v.shot()
	}
	match := func(img, ref image.Image, r image.Rectangle, skip func(x, y int) bool, what string) {
		t.Helper()
		if bad, n := mismatch(img, ref, r, skip); bad > 0 {
			t.Errorf("%s: %d of %d pixels differ (see %s and %s)", what, bad, n, keep(t, img, "compare"), keep(t, ref, "reference"))
		}
	}
	img := mode("wipe", "the wipe at frame 1")
	match(img, refA, left, none, "left of the wipe against flick A")
	match(img, refB, right, none, "right of the wipe against flick B")

	v.overViewer()
	v.key("F6")
	match(mode("", "F6: the wipe off"), refA, r, none, "F6 (off) against flick A")
	v.key("x")
	label := func(x, y int) bool { return y < r.Min.Y+40 && x > cx-wipeBand && x < cx+wipeBand }
	match(mode("B", "x: B alone"), refB, r, label, "x (B alone) against flick B")
	v.key("x")
	match(mode("", "x again: A alone"), refA, r, none, "x again (A alone) against flick A")

	v.xdo("keydown", "z")
	match(mode("B", "z held: B"), refB, r, label, "z held against flick B")
	v.xdo("keyup", "z")
	match(mode("", "z let go: A"), refA, r, none, "z let go against flick A")
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
}
