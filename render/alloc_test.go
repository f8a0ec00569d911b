package render_test

import (
	"image"
	"testing"

	"flick/render"
	"flick/render/rendertest"
)

// Upload (through the PBO ring) and a full chain allocate nothing per frame
// in steady state.
func TestNoAllocationsPerFrame(t *testing.T) {
	d := newDisplay(t)
	pix := specialImage(37, 23)
	rendertest.Call(func() {
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		tg.Resize(100, 100)
		r := image.Rect(0, 0, 37, 23)
		v := render.FitView(100, 100, r, r)
		s := render.Settings{ShowNaN: true, Exposure: 1, Gamma: 2}
		if n := testing.AllocsPerRun(200, func() { im.Upload(pix, 37, 23) }); n != 0 {
			t.Errorf("Upload: %v allocations per call", n)
		}
		if n := testing.AllocsPerRun(200, func() { d.Draw(&tg, &im, v, s) }); n != 0 {
			t.Errorf("Draw: %v allocations per call", n)
		}
	})
}
