package render_test

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/go-gl/gl/v4.5-core/gl"
	"github.com/x448/float16"

	"flick/render"
	"flick/render/rendertest"
)

// TestMatteOverlayMatchesCPUBlend draws a matte image stretched 3 times
// over part of an 8-bit target holding a picture, twice (the second time
// from the texture kept), then an image of another size, and holds each
// pixel read back to the premultiplied "over" of the image's nearest texel
// computed on the CPU; pixels outside the rectangle are untouched. The GL
// state comes back as it was, and Close deletes what Draw made (safe on
// nil and twice).
func TestMatteOverlayMatchesCPUBlend(t *testing.T) {
	const w, h = 64, 40
	rng := rand.New(rand.NewPCG(3, 4))
	pix := make([]uint16, 4*w*h)
	for i := range w * h {
		for c := range 4 {
			pix[4*i+c] = float16.Fromfloat32(float32((i*5+c*11)%89) / 88).Bits()
		}
	}
	var before render.Objects
	var programs int
	rendertest.Call(func() { before, programs = render.LiveObjects(), render.LivePrograms() })
	for _, size := range []image.Point{{16, 10}, {16, 10}, {8, 5}} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			img := randomBand(rng, image.Rect(0, 0, size.X, size.Y))
			at := render.Rect{X0: 8, Y0: 4, X1: 56, Y1: 34} // 48x30: 3 (or 6) pixels a texel
			under, over := make([]byte, 4*w*h), make([]byte, 4*w*h)
			var o render.MatteOverlay
			defer rendertest.Call(func() { o.Close(); o.Close() })
			withDisplay(t, pix, w, h, func(d *render.Display, im *render.Image, tg *render.Target) error {
				if err := tg.Resize(w, h); err != nil {
					return err
				}
				r := image.Rect(0, 0, w, h)
				for range 2 {
					d.Draw(tg, im, render.FitView(w, h, r, r), render.Settings{KeepAlpha: true})
					if err := tg.ReadRGBA(under); err != nil {
						return err
					}
					gl.Enable(gl.SCISSOR_TEST)
					gl.BlendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
					gl.Viewport(1, 2, 3, 4)
					if err := o.Draw(tg, at, img); err != nil {
						return err
					}
					var vp [4]int32
					var src int32
					gl.GetIntegerv(gl.VIEWPORT, &vp[0])
					gl.GetIntegerv(gl.BLEND_SRC_RGB, &src)
					if !gl.IsEnabled(gl.SCISSOR_TEST) || gl.IsEnabled(gl.BLEND) || vp != [4]int32{1, 2, 3, 4} || src != gl.SRC_ALPHA {
						return fmt.Errorf("GL state not restored: viewport %v, blend source 0x%x", vp, src)
					}
					gl.Disable(gl.SCISSOR_TEST)
					gl.BlendFunc(gl.ONE, gl.ZERO)
					if err := tg.ReadRGBA(over); err != nil {
						return err
					}
				}
				return nil
			})
			sx, sy := float64(at.X1-at.X0)/float64(size.X), float64(at.Y1-at.Y0)/float64(size.Y)
			for y := range h {
				for x := range w {
					i := 4 * (y*w + x)
					for c := range 4 {
						want := float64(under[i+c])
						if x >= int(at.X0) && x < int(at.X1) && y >= int(at.Y0) && y < int(at.Y1) {
							p := img.PixOffset(int((float64(x)+0.5-float64(at.X0))/sx), int((float64(y)+0.5-float64(at.Y0))/sy))
							s, a := float64(img.Pix[p+c])/255, float64(img.Pix[p+3])/255
							want = math.Round((s + want/255*(1-a)) * 255)
						}
						if math.Abs(float64(over[i+c])-want) > 1 {
							t.Fatalf("pixel (%d, %d) channel %d: %d over %d, want %v", x, y, c, over[i+c], under[i+c], want)
						}
					}
				}
			}
		})
	}
	rendertest.Call(func() {
		var o *render.MatteOverlay
		o.Close()
		if got, p := render.LiveObjects(), render.LivePrograms(); got != before || p != programs {
			t.Errorf("objects after Close: %+v and %d programs, before: %+v and %d", got, p, before, programs)
		}
	})
}
