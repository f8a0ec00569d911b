package main

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"testing"

	"flick/engine/exr"
	"flick/export/exporttest"
)

// writeCompareShot writes frames first to first+3 of a 128x96 sequence
// whose pixels are seed's own, and returns its pattern.
func writeCompareShot(t *testing.T, dir, name string, first, seed int) string {
	t.Helper()
	const w, h = 128, 96
	pix := make([]uint16, 4*w*h)
	for i := range 4 {
		for k := range pix {
			pix[k] = uint16(0x2000 + (k*(31+seed)+i*577+seed*4099)%0x1800) // halves 2^-7 to 0.5
		}
		if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("%s.%04d.exr", name, first+i)), w, h, pix, exr.ZIP, 24); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, name+".####.exr")
}

// Comparing two sequences side by side (B starting two frames later,
// synced by frame number), the timeline shows both ranges, and the export
// dialog writes what the viewer shows: a movie twice A's width over the
// timeline's six frames, whose left half is `flick export A`'s frame where
// A has one (black where it has none) and whose right half is `flick
// export B`'s likewise.
func TestCompareExportDialog(t *testing.T) {
	dir, home := t.TempDir(), t.TempDir()
	a := writeCompareShot(t, dir, "alpha", 1001, 0) // 1001-1004
	b := writeCompareShot(t, dir, "bravo", 1003, 7) // 1003-1006
	config := filepath.Join(home, "config", "flick", "settings.json")
	if err := os.MkdirAll(filepath.Dir(config), 0o755); err != nil {
		t.Fatal(err)
	}
	// compareArgs' codec and scale, which exportOK gives the single exports.
	if err := os.WriteFile(config, []byte(`{"export": {"codec": "prores4444", "scale": 0.5}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	v := startViewer(t, home, a, b, "--compare", "side")
	v.overViewer()
	viewer := v.viewRect()
	v.waitFor(func() bool {
		return distinctColours(v.shot(), image.Rect(viewer.Min.X, viewer.Min.Y, viewer.Max.X, viewer.Max.Y)) > 100
	},
		"a picture")

	// The timeline under the viewer: A's range in blue from the timeline's
	// first frame (1001), B's in pink from its third (1003), each a bar
	// across four of the six frames (the legend's swatches are on another
	// row: each bar is the row with most of its colour).
	img := v.shot()
	kept := keep(t, img, "compare-timeline")
	extent := func(c [3]int) (x0, x1, n int) {
		y := -1
		for row := viewer.Max.Y; row < img.Bounds().Max.Y; row++ {
			if k := countColour(img, image.Rect(0, row, img.Bounds().Dx(), row+1), c); k > n {
				y, n = row, k
			}
		}
		x0 = img.Bounds().Dx()
		for x := range img.Bounds().Dx() {
			if y >= 0 && near(colourAt(img, x, y), c) {
				x0, x1 = min(x0, x), max(x1, x+1)
			}
		}
		return x0, x1, n
	}
	ax0, ax1, an := extent([3]int{0x40, 0x80, 0xd0})
	bx0, bx1, bn := extent([3]int{0xe0, 0x60, 0xb0})
	t.Logf("timeline (%s): A's bar %d-%d (%d px a row), B's %d-%d (%d px)", kept, ax0, ax1, an, bx0, bx1, bn)
	if an < 100 || bn < 100 {
		t.Fatalf("the timeline shows A's range in %d pixels a row and B's in %d; want both (see %s)", an, bn, kept)
	}
	frameW := float64(ax1-ax0) / 4
	if d := float64(bx0-ax0) / frameW; d < 1.8 || d > 2.2 {
		t.Errorf("B's range starts %.2f frames after A's, want 2 (see %s)", d, kept)
	}
	if d := float64(bx1-bx0) / frameW; d < 3.8 || d > 4.2 {
		t.Errorf("B's range is %.2f frames long, want 4 (see %s)", d, kept)
	}

	movie := filepath.Join(dir, "alpha_review.mov")
	info := v.exportFromDialog(movie)
	v.quit()
	aMovie, bMovie := filepath.Join(dir, "a.mov"), filepath.Join(dir, "b.mov")
	exportOK(t, a, "-o", aMovie)
	exportOK(t, b, "-o", bMovie)
	af, w, h := movieFrames(t, aMovie)
	bf, _, _ := movieFrames(t, bMovie)
	got, gw, gh := movieFrames(t, movie)
	if len(af) != 4 || len(bf) != 4 || w != 64 || h != 48 {
		t.Fatalf("single exports: %d and %d frames of %dx%d, want 4 of 64x48", len(af), len(bf), w, h)
	}
	if len(got) != 6 || gw != 2*w || gh != h || info.Frames != 6 {
		t.Fatalf("the dialog's movie: %d frames of %dx%d, want 6 of %dx%d (side by side over 1001-1006)", len(got), gw, gh, 2*w, h)
	}
	if p := exporttest.PSNR(af[0], bf[0], 0, 1, 2); p > compareMatch-10 {
		t.Fatalf("A's and B's frames match at %.1f dB: compareMatch cannot tell them apart", p)
	}
	aR, bR := image.Rect(0, 0, w, h), image.Rect(w, 0, 2*w, h)
	for i, g := range []int{1001, 1002, 1003, 1004, 1005, 1006} {
		half := func(name string, r image.Rectangle, single [][]uint16, k int) {
			part := crop(got[i], gw, r)
			if k < 0 || k >= len(single) {
				if peak := peakRGB(part); peak > 0x100 {
					t.Errorf("frame %d: %s has no frame there but its half peaks at %d, want black", g, name, peak)
				}
				return
			}
			p := exporttest.PSNR(part, single[k], 0, 1, 2)
			t.Logf("frame %d: %s's half against its frame %d of flick export: %.1f dB", g, name, k, p)
			if p < compareMatch {
				t.Errorf("frame %d: %s's half matches its frame %d of flick export at %.1f dB, want %d or more", g, name, k, p, compareMatch)
			}
		}
		half("A", aR, af, g-1001)
		half("B", bR, bf, g-1003)
	}
}
