package export

import (
	"image"
	"testing"

	"github.com/x448/float16"

	"flick/engine"
	"flick/export/burnin"
	"flick/render"
	"flick/render/rendertest"
)

// TestViewerOverlayMatchesExport: the viewer's burn-ins (the picture drawn
// into an 8-bit screen target at an offset, bands rendered for the
// picture's size drawn over it at that offset) read back as the export's
// frame (glStage: 16-bit, bands at the output's origin) does, to within
// one 8-bit code, bands included.
func TestViewerOverlayMatchesExport(t *testing.T) {
	const w, h = 160, 90
	at := image.Pt(13, 7) // the picture's top left in the viewer
	pix := make([]uint16, 4*w*h)
	for i := range w * h {
		v := float32(i%w) / w
		for c, k := range [4]float32{v, 1 - v, v * v, 1} {
			pix[4*i+c] = float16.Fromfloat32(k).Bits()
		}
	}
	r := image.Rect(0, 0, w, h)
	f := &engine.Frame{Number: 1042, Pix: pix, DataWindow: r, DisplayWindow: r}
	ts, err := burnin.ParseAll(burnin.Defaults, nil)
	if err != nil {
		t.Fatal(err)
	}
	bands := burnin.NewRenderer(w, h, ts).Bands(burnin.Fields{"shot": "sh010", "version": "012", "view": "sRGB",
		"tc": "00:00:43:10", "frame": "1042", "range": "1001-1100"})
	exported := make([]uint16, 4*w*h)
	viewer := make([]byte, 4*(w+2*at.X)*(h+2*at.Y))
	var glErr error
	rendertest.Call(func() {
		g := glStage{w: w, h: h}
		defer g.close()
		if glErr = g.init(); glErr != nil {
			return
		}
		g.direct = true
		if _, _, glErr = g.frame(f, nil, bands, exported); glErr != nil {
			return
		}
		// The viewer's way: its own display, image, target and overlay.
		d, err := render.NewDisplay()
		if glErr = err; err != nil {
			return
		}
		defer d.Close()
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		var o render.Overlay
		defer o.Close()
		if glErr = im.Upload(pix, w, h); glErr != nil {
			return
		}
		if glErr = tg.Resize(w+2*at.X, h+2*at.Y); glErr != nil {
			return
		}
		place := render.Rect{X0: float32(at.X), Y0: float32(at.Y), X1: float32(at.X + w), Y1: float32(at.Y + h)}
		d.Draw(&tg, &im, render.View{Display: place, Data: place}, render.Settings{})
		if glErr = o.Draw(&tg, at, bands); glErr != nil {
			return
		}
		glErr = tg.ReadRGBA(viewer)
	})
	if glErr != nil {
		t.Fatal(glErr)
	}
	vw := w + 2*at.X
	for y := range h {
		for x := range w {
			for c := range 3 {
				e := float64(exported[4*(y*w+x)+c]) / 257
				v := float64(viewer[4*((y+at.Y)*vw+x+at.X)+c])
				if e-v > 1 || v-e > 1 {
					t.Fatalf("pixel (%d, %d) channel %d: viewer %v, export %.1f (of 255)", x, y, c, v, e)
				}
			}
		}
	}
}
