package ui

import (
	"image"
	"os"
	"testing"

	"github.com/x448/float16"

	"flick/engine"
	"flick/engine/exr"
	"flick/engine/exr/shared"
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
