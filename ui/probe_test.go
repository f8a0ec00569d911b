package ui

import (
	"image"
	"os"
	"strings"
	"testing"

	"github.com/x448/float16"

	"flick/engine"
	"flick/engine/exr"
	"flick/engine/exr/shared"
	"flick/render"
)

// The probe reads the decoded values of the pixel under the cursor, in the
// file's pixel coordinates: Beachball's data window starts at (654, 245)
// inside a 2048x1556 display window.
func TestProbeReadsSourceValuesAtDataWindowEdges(t *testing.T) {
	path := shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr")
	seq, err := engine.Find(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := engine.NewPool(2)
	defer pool.Close()
	f, err := engine.LoadFrame(seq, 1, func(n int) []uint16 { return make([]uint16, n) }, pool, nil)
	if err != nil {
		t.Fatal(err)
	}

	// An independent read of the same file: whole data window, part 0.
	file, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	h := file.Header()
	sel, err := exr.DefaultSelection(h)
	if err != nil {
		t.Fatal(err)
	}
	w, ht := h.DataWindow.Width(), h.DataWindow.Height()
	ref := make([]uint16, 4*w*ht)
	if err := file.Decode(ref, sel); err != nil {
		t.Fatal(err)
	}
	at := func(x, y int) (v [4]float32) { // x, y from the data window's corner
		for k := range v {
			v[k] = float16.Frombits(ref[4*(y*w+x)+k]).Float32()
		}
		return v
	}

	min, max := image.Pt(h.DataWindow.MinX, h.DataWindow.MinY), image.Pt(h.DataWindow.MaxX, h.DataWindow.MaxY)
	for _, p := range []image.Point{min, max, {min.X, max.Y}, {max.X, min.Y}, {(min.X + max.X) / 2, (min.Y + max.Y) / 2}} {
		got, ok := probeFrame(f, p)
		if want := at(p.X-min.X, p.Y-min.Y); !ok || got != want {
			t.Errorf("probe %v = %v %v, want %v", p, got, ok, want)
		}
	}
	for _, p := range []image.Point{min.Sub(image.Pt(1, 0)), min.Sub(image.Pt(0, 1)), max.Add(image.Pt(1, 0)), {0, 0}} {
		if v, ok := probeFrame(f, p); ok {
			t.Errorf("probe %v outside the data window says %v", p, v)
		}
	}
	if _, ok := probeFrame(&engine.Frame{Err: os.ErrNotExist, DataWindow: f.DataWindow}, min); ok {
		t.Error("probe of a failed frame says ok")
	}
}

// While comparing, the probe reads each side's own pixel under the
// cursor: in the overlay modes through each side's view (B fitted into A's
// display window when its size differs), side by side and stacked the
// pixel under the cursor on its side and the same pixel on the other.
func TestPairPixels(t *testing.T) {
	a := image.Rect(0, 0, 200, 100)
	half := image.Rect(0, 0, 100, 50)            // a proxy of A: half the size
	offset := image.Rect(1000, 2000, 1200, 2100) // A's size, another origin
	c := render.Camera{Scale: 2, X: 10, Y: 20}
	for _, k := range []struct {
		name     string
		m        render.CompareMode
		b        image.Rectangle
		x, y     float32
		wantA, B image.Point
	}{
		// Overlay: each side's own pixel; the same size reads the same pixel.
		{"wipe", render.CompareWipe, a, 10 + 2*37 + 1, 20 + 2*12 + 1.5, image.Pt(37, 12), image.Pt(37, 12)},
		{"diff", render.CompareDifference, a, 10 + 2*199 + 1.9, 20 + 2*99 + 1.9, image.Pt(199, 99), image.Pt(199, 99)},
		{"blend, B elsewhere", render.CompareBlend, offset, 10 + 2*37, 20 + 2*12, image.Pt(37, 12), image.Pt(1037, 2012)},
		// B half A's size is drawn twice as large: its pixel is half A's.
		{"wipe, B a proxy", render.CompareWipe, half, 10 + 2*37, 20 + 2*12, image.Pt(37, 12), image.Pt(18, 6)},
		{"signed, B a proxy", render.CompareSigned, half, 10 + 2*198, 20 + 2*98, image.Pt(198, 98), image.Pt(99, 49)},
		// Side by side: A's half, then B's (from x = 10 + 2·200).
		{"side over A", render.CompareSide, a, 10 + 2*37, 20 + 2*12, image.Pt(37, 12), image.Pt(37, 12)},
		{"side over B", render.CompareSide, a, 10 + 2*(200+37), 20 + 2*12, image.Pt(37, 12), image.Pt(37, 12)},
		{"side over B's first column", render.CompareSide, a, 10 + 2*200, 20, image.Pt(0, 0), image.Pt(0, 0)},
		{"side over A's last column", render.CompareSide, a, 10 + 2*200 - 0.5, 20, image.Pt(199, 0), image.Pt(199, 0)},
		// B half as tall, centred across: its row 0 is A's row 25.
		{"side over a shorter B", render.CompareSide, half, 10 + 2*(200+7), 20 + 2*(25+3), image.Pt(7, 3), image.Pt(7, 3)},
		{"side, B elsewhere", render.CompareSide, offset, 10 + 2*(200+7), 20 + 2*3, image.Pt(1007, 2003), image.Pt(1007, 2003)},
		// Stacked: A above, B below (from y = 20 + 2·100).
		{"vside over A", render.CompareStacked, a, 10 + 2*37, 20 + 2*12, image.Pt(37, 12), image.Pt(37, 12)},
		{"vside over B", render.CompareStacked, a, 10 + 2*37, 20 + 2*(100+12), image.Pt(37, 12), image.Pt(37, 12)},
		// B half as wide, centred along: its column 0 is A's column 50.
		{"vside over a narrower B", render.CompareStacked, half, 10 + 2*(50+4), 20 + 2*(100+9), image.Pt(4, 9), image.Pt(4, 9)},
	} {
		pa, pb := pairPixels(c, k.m, a, a, k.b, k.b, k.x, k.y)
		if pa != k.wantA || pb != k.B {
			t.Errorf("%s: at %g,%g A %v B %v, want A %v B %v", k.name, k.x, k.y, pa, pb, k.wantA, k.B)
		}
	}
	// A alone: A's pixel is the camera's own.
	for _, p := range [][2]float32{{10, 20}, {10 + 2*123.5, 20 + 2*45.9}, {9, 19}} {
		if got, want := viewPixel(c.View(a, a), a, p[0], p[1]), c.ImagePixel(p[0], p[1], a); got != want {
			t.Errorf("viewPixel at %v = %v, Camera.ImagePixel %v", p, got, want)
		}
	}
}

// The probe while comparing gives both sides' values and A−B.
func TestPairProbeText(t *testing.T) {
	a := probe{Pixel: image.Pt(3, 4), Data: image.Pt(3, 4), InData: true, Values: [4]float32{1, 0.5, 0.25, 1}, Shown: [4]byte{9, 8, 7, 255}}
	b := probe{Pixel: image.Pt(3, 4), Data: image.Pt(3, 4), InData: true, Values: [4]float32{0.5, 0.5, 1, 1}}
	want := "A x 3 y 4 (data 3,4)   R 1  G 0.5  B 0.25  A 1   B x 3 y 4 (data 3,4)   R 0.5  G 0.5  B 1  A 1" +
		"   A−B R 0.5  G 0  B -0.75  A 0   shown 9 8 7"
	if got := pairProbeText(a, b, true, true); got != want {
		t.Errorf("pairProbeText\n got %q\nwant %q", got, want)
	}
	if got, want := pairProbeText(a, b, true, false), "A x 3 y 4 (data 3,4)   R 1  G 0.5  B 0.25  A 1   B no frame   shown 9 8 7"; got != want {
		t.Errorf("pairProbeText without B's frame\n got %q\nwant %q", got, want)
	}
	b.InData = false
	if got := pairProbeText(a, b, true, true); strings.Contains(got, "A−B") || !strings.Contains(got, "B x 3 y 4   outside the data window") {
		t.Errorf("pairProbeText with B's pixel outside its data window: %q", got)
	}
}
