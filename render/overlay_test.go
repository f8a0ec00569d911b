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

// randomBand is a band at r of random premultiplied pixels (colour at most
// alpha), with fully transparent and fully opaque ones among them.
func randomBand(rng *rand.Rand, r image.Rectangle) *image.RGBA {
	b := image.NewRGBA(r)
	for i := 0; i < len(b.Pix); i += 4 {
		a := uint8(rng.IntN(256))
		switch rng.IntN(8) {
		case 0:
			a = 0
		case 1:
			a = 255
		}
		for c := range 3 {
			b.Pix[i+c] = uint8(rng.IntN(int(a) + 1))
		}
		b.Pix[i+3] = a
	}
	return b
}

// TestOverlayMatchesCPUBlend draws bands over a 16-bit (export) and an
// 8-bit (screen) target holding a picture, moved by an offset and one of
// them partly outside, twice (the second time from the textures kept), and
// holds every pixel read back to the premultiplied "over" computed on the
// CPU; pixels outside the bands are untouched. It checks the GL state the
// viewer's Dear ImGui relies on comes back as it was, and that Close
// deletes every texture, and is safe twice and on nil.
func TestOverlayMatchesCPUBlend(t *testing.T) {
	const w, h = 64, 40
	rng := rand.New(rand.NewPCG(1, 2))
	at := image.Pt(3, 2)
	bands := []*image.RGBA{
		randomBand(rng, image.Rect(0, 0, 20, 9)),
		randomBand(rng, image.Rect(30, 25, 70, 45)), // past the right and bottom edges once moved
		randomBand(rng, image.Rect(5, 15, 25, 22)),
	}
	// The picture under the bands: a ramp with alpha (as ProRes 4444 keeps).
	pix := make([]uint16, 4*w*h)
	for i := range w * h {
		for c := range 4 {
			pix[4*i+c] = float16.Fromfloat32(float32((i*7+c*13)%97) / 96).Bits()
		}
	}
	var before render.Objects
	rendertest.Call(func() { before = render.LiveObjects() })
	for _, bits := range []int{16, 8} {
		t.Run(fmt.Sprint(bits), func(t *testing.T) {
			full := float64(int(1)<<bits - 1)
			var under, over []uint16
			withDisplay(t, pix, w, h, func(d *render.Display, im *render.Image, tg *render.Target) error {
				resize, read := tg.Resize16, func(dst []uint16) error { return tg.ReadRGBA16(dst) }
				if bits == 8 {
					resize, read = tg.Resize, func(dst []uint16) error {
						b := make([]byte, len(dst))
						err := tg.ReadRGBA(b)
						for i, v := range b {
							dst[i] = uint16(v)
						}
						return err
					}
				}
				if err := resize(w, h); err != nil {
					return err
				}
				r := image.Rect(0, 0, w, h)
				var o render.Overlay
				defer o.Close()
				under, over = make([]uint16, 4*w*h), make([]uint16, 4*w*h)
				for range 2 {
					d.Draw(tg, im, render.FitView(w, h, r, r), render.Settings{KeepAlpha: true})
					if err := read(under); err != nil {
						return err
					}
					gl.Enable(gl.SCISSOR_TEST)
					gl.BlendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA)
					gl.Viewport(1, 2, 3, 4)
					if err := o.Draw(tg, at, bands); err != nil {
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
					if err := read(over); err != nil {
						return err
					}
				}
				return nil
			})
			for y := range h {
				for x := range w {
					i := 4 * (y*w + x)
					for c := range 4 {
						want := float64(under[i+c])
						for _, b := range bands { // in the order drawn
							if image.Pt(x, y).In(b.Bounds().Add(at)) {
								p := b.PixOffset(x-at.X, y-at.Y)
								s, a := float64(b.Pix[p+c])/255, float64(b.Pix[p+3])/255
								want = math.Round((s + want/full*(1-a)) * full)
							}
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
		var o *render.Overlay
		o.Close()
		if got := render.LiveObjects(); got != before {
			t.Errorf("objects after Close: %+v, before: %+v", got, before)
		}
	})
}
