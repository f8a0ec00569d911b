package render_test

import (
	"fmt"
	"image"
	"testing"

	"github.com/go-gl/gl/v4.5-core/gl"
	"github.com/x448/float16"

	"flick/render"
	"flick/render/rendertest"
)

// numberedFrame fills pix (w x h RGBA half) with frame n: R and G hold n
// (exact in half up to 2048), B the row, A 1.
func numberedFrame(pix []uint16, w, h, n int) {
	fn := float16.Fromfloat32(float32(n)).Bits()
	one := float16.Fromfloat32(1).Bits()
	for y := range h {
		fy := float16.Fromfloat32(float32(y)).Bits()
		row := pix[4*y*w : 4*(y+1)*w]
		for x := 0; x < len(row); x += 4 {
			row[x], row[x+1], row[x+2], row[x+3] = fn, fn, fy, one
		}
	}
}

// A producer faster than the display: frames 0..N uploaded one to four at a
// time between draws. Every drawn frame must be exactly the last one
// uploaded, never rows of two.
func TestUploadRingFasterProducer(t *testing.T) {
	d := newDisplay(t)
	for _, mode := range []render.UploadMode{render.UploadPBO, render.UploadSync} {
		t.Run(fmt.Sprint(mode), func(t *testing.T) {
			const w, h, frames = 301, 37, 600
			srcs := make([][]uint16, 4)
			for i := range srcs {
				srcs[i] = make([]uint16, 4*w*h)
			}
			out := make([]float32, 4*w*h)
			var im render.Image
			im.Mode = mode
			var tg render.Target
			defer rendertest.Call(func() { im.Close(); tg.Close() })
			r := image.Rect(0, 0, w, h)
			v := render.FitView(w, h, r, r)
			maxBuffers, draws := 0, 0
			for n := 0; n < frames; {
				var err error
				rendertest.Call(func() {
					if err = tg.ResizeFloat(w, h); err != nil {
						return
					}
					for k := 0; k <= draws%4 && n < frames; k++ {
						// Rewrite a source buffer as soon as Upload
						// returns, as a decoder recycling buffers does.
						src := srcs[n%len(srcs)]
						numberedFrame(src, w, h, n)
						if err = im.Upload(src, w, h); err != nil {
							return
						}
						n++
					}
					maxBuffers = max(maxBuffers, im.Buffers())
					d.Draw(&tg, &im, v, render.Settings{Transform: render.TransformRaw})
					err = tg.ReadFloat(out)
				})
				if err != nil {
					t.Fatal(err)
				}
				draws++
				want := float32(n - 1)
				for i := range w * h {
					if out[4*i] != want || out[4*i+1] != want || out[4*i+2] != float32(i/w) {
						t.Fatalf("draw %d: pixel (%d,%d) = %v, want frame %v row %d", draws, i%w, i/w, out[4*i:4*i+4], want, i/w)
					}
				}
			}
			t.Logf("%d frames, %d draws, ring of up to %d buffers", frames, draws, maxBuffers)
			if mode == render.UploadPBO && (maxBuffers < 1 || maxBuffers > 4) {
				t.Errorf("ring of %d buffers, want 1 to 4", maxBuffers)
			}
		})
	}
}

// 1,000 frames of upload + chain + draw, with the settings changing every
// frame, leave the number of live GL textures, buffers, framebuffers and
// fences as it was after the first frames; closing everything returns to
// where it started. Every name the package counts as live is one GL knows.
func TestResourcesStable(t *testing.T) {
	const w, h = 37, 23
	pix := specialImage(w, h)
	settings := []render.Settings{
		{},
		{Exposure: 1, Gamma: 2.2, ShowNaN: true, Checker: true, Channels: render.ChannelLuminance},
		{Transform: render.TransformRaw},
		{Exposure: -1, Transform: render.TransformRec709},
	}
	var before, warm render.Objects
	rendertest.Call(func() { before = render.LiveObjects() })
	var d *render.Display
	var im render.Image
	var tg render.Target
	frame := func(i int) {
		if err := im.Upload(pix, w, h); err != nil {
			t.Error(err)
		}
		if err := tg.Resize(2*w+i%2, 2*h); err != nil {
			t.Error(err)
		}
		r := image.Rect(0, 0, w, h)
		d.Draw(&tg, &im, render.FitView(w, h, r, r), settings[i%len(settings)])
	}
	rendertest.Call(func() {
		var err error
		if d, err = render.NewDisplay(); err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			frame(i)
		}
		warm = render.LiveObjects()
	})
	for i := 20; i < 1000; i += 20 {
		rendertest.Call(func() {
			for j := range 20 {
				frame(i + j)
			}
			gl.Finish()
		})
	}
	rendertest.Call(func() {
		// The upload ring grows (up to its bound of 4 buffers, each with
		// at most one fence) whenever the GPU is still reading the next
		// buffer: a matter of timing, not a leak.
		got := render.LiveObjects()
		ring := got.Buffers <= 4 && got.Syncs <= got.Buffers && got.Buffers >= warm.Buffers
		got.Buffers, got.Syncs = warm.Buffers, warm.Syncs
		if got != warm || !ring {
			t.Errorf("after 1,000 frames: %+v live, want %+v as after 20 (up to 4 upload buffers)", render.LiveObjects(), warm)
		}
		checkNames(t)
		d.Close()
		im.Close()
		tg.Close()
		if got := render.LiveObjects(); got != before {
			t.Errorf("after Close: %+v live, want %+v", got, before)
		}
		checkNames(t)
	})
	t.Logf("before %+v, while drawing %+v", before, warm)
}

// checkNames checks that GL agrees every name the package counts is live.
func checkNames(t *testing.T) {
	render.LiveNames(func(kind string, n uint32) {
		var ok bool
		switch kind {
		case "texture":
			ok = gl.IsTexture(n)
		case "buffer":
			ok = gl.IsBuffer(n)
		case "framebuffer":
			ok = gl.IsFramebuffer(n)
		}
		if !ok {
			t.Errorf("%s %d counted live but glIs* says no", kind, n)
		}
	})
}

// The viewer and the export upload in UploadSync on a software renderer
// and through the PBO ring elsewhere: both must draw the same picture, bit
// for bit, at the samplings a viewer sees (a 4K frame fitted into a 1080p
// window is minified about 2.1x: a box of bilinear taps; 1:1; beyond 32x,
// mipmaps), on an odd width whose rows are not 4-pixel aligned, after a
// first frame of another size.
func TestUploadModesDrawAlike(t *testing.T) {
	d := newDisplay(t)
	const w, h = 301, 163
	pix := smoothFrame(w, h)
	first := smoothFrame(64, 32)
	for _, c := range []struct {
		name   string
		tw, th int
	}{{"1:1", w, h}, {"2.1x", 143, 78}, {"40x", 7, 4}} {
		t.Run(c.name, func(t *testing.T) {
			r := image.Rect(0, 0, w, h)
			v := render.FitView(c.tw, c.th, r, r)
			var got [2][]float32
			for i, mode := range []render.UploadMode{render.UploadPBO, render.UploadSync} {
				got[i] = make([]float32, 4*c.tw*c.th)
				var err error
				rendertest.Call(func() {
					im := render.Image{Mode: mode}
					defer im.Close()
					var tg render.Target
					defer tg.Close()
					if err = tg.ResizeFloat(c.tw, c.th); err != nil {
						return
					}
					if err = im.Upload(first, 64, 32); err != nil {
						return
					}
					if err = im.Upload(pix, w, h); err != nil {
						return
					}
					d.Draw(&tg, &im, v, render.Settings{Transform: render.TransformRaw, KeepAlpha: true})
					err = tg.ReadFloat(got[i])
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			for i := range got[0] {
				if got[1][i] != got[0][i] {
					p := i / 4
					t.Fatalf("pixel (%d,%d) channel %d: sync %v, pbo %v", p%c.tw, p/c.tw, i%4, got[1][i], got[0][i])
				}
			}
		})
	}
}

// smoothFrame is a w x h RGBA half frame of ramps with a one-texel
// checkerboard in blue, so that every filter weight shows in what is drawn.
func smoothFrame(w, h int) []uint16 {
	pix := make([]uint16, 4*w*h)
	for y := range h {
		for x := range w {
			v := [4]float32{float32(x) / float32(w), 2 * float32(y) / float32(h), float32((x + y) % 2), 1 - float32(x)/float32(2*w)}
			for c := range 4 {
				pix[4*(y*w+x)+c] = float16.Fromfloat32(v[c]).Bits()
			}
		}
	}
	return pix
}

// A pinned image (the GL reads the caller's pixels in place) draws what a
// texture of the same pixels draws, at every sampling the display uses:
// nearest at 1:1 and magnified, one bilinear tap at 0.5x, a box of taps at
// 1/3 and at fractional scales and offsets. At 40x minification, where a
// texture uses its mipmaps, a pinned image is box-filtered with more taps:
// the exact area average of each pixel's footprint. After Unpin the pixels
// are the caller's again: rewritten and uploaded, the new frame is what is
// drawn; and nothing is left behind once closed.
func TestPinnedMatchesTexture(t *testing.T) {
	var ok bool
	rendertest.Call(func() { ok = render.PinnedUploads() })
	if !ok {
		t.Skip("the GL has no GL_AMD_pinned_memory")
	}
	d := newDisplay(t)
	const w, h = 120, 84
	pix := smoothFrame(w, h)
	for _, c := range []struct {
		name   string
		tw, th int
		data   render.Rect
		tol    float32
	}{
		{"1:1", w, h, render.Rect{X0: 0, Y0: 0, X1: w, Y1: h}, 0},
		{"magnified", 100, 80, render.Rect{X0: -10.5, Y0: -7.25, X1: -10.5 + 3*w, Y1: -7.25 + 3*h}, 0},
		{"half", w / 2, h / 2, render.Rect{X0: 0, Y0: 0, X1: w / 2, Y1: h / 2}, 1e-3},
		{"third", w / 3, h / 3, render.Rect{X0: 0, Y0: 0, X1: w / 3, Y1: h / 3}, 1e-3},
		{"fractional", 90, 60, render.Rect{X0: 0.3, Y0: 0.6, X1: 0.3 + 0.7*w, Y1: 0.6 + 0.7*h}, 1e-3},
		{"40x", 3, 2, render.Rect{X0: 0, Y0: 0, X1: w / 40, Y1: h / 42}, 1e-3},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := render.View{Display: c.data, Data: c.data}
			var got [2][]float32
			for i, mode := range []render.UploadMode{render.UploadSync, render.UploadPinned} {
				got[i] = make([]float32, 4*c.tw*c.th)
				var err error
				rendertest.Call(func() {
					im := render.Image{Mode: mode}
					defer im.Close()
					var tg render.Target
					defer tg.Close()
					if err = tg.ResizeFloat(c.tw, c.th); err != nil {
						return
					}
					if err = im.Upload(pix, w, h); err != nil {
						return
					}
					d.Draw(&tg, &im, v, render.Settings{Transform: render.TransformRaw, KeepAlpha: true})
					err = tg.ReadFloat(got[i])
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if c.name == "40x" {
				got[0] = areaAverage(pix, w, h, c.tw, c.th)
			}
			for i := range got[0] {
				if diff := got[1][i] - got[0][i]; diff > c.tol || diff < -c.tol {
					p := i / 4
					t.Fatalf("pixel (%d,%d) channel %d: pinned %v, want %v", p%c.tw, p/c.tw, i%4, got[1][i], got[0][i])
				}
			}
		})
	}

	t.Run("reuse after Unpin", func(t *testing.T) {
		src := make([]uint16, 4*w*h)
		out := make([]float32, 4*w*h)
		r := image.Rect(0, 0, w, h)
		var before render.Objects
		rendertest.Call(func() {
			before = render.LiveObjects()
			im := render.Image{Mode: render.UploadPinned}
			defer im.Close()
			var tg render.Target
			defer tg.Close()
			if err := tg.ResizeFloat(w, h); err != nil {
				t.Fatal(err)
			}
			for n := range 3 {
				numberedFrame(src, w, h, n)
				if err := im.Upload(src, w, h); err != nil {
					t.Fatal(err)
				}
				d.Draw(&tg, &im, render.FitView(w, h, r, r), render.Settings{Transform: render.TransformRaw})
				im.Unpin()
				if err := tg.ReadFloat(out); err != nil {
					t.Fatal(err)
				}
				if out[0] != float32(n) || out[len(out)-4] != float32(n) {
					t.Fatalf("frame %d drawn as %v ... %v", n, out[:4], out[len(out)-4:])
				}
			}
		})
		rendertest.Call(func() {
			if got := render.LiveObjects(); got != before {
				t.Errorf("after Close: %+v live, want %+v", got, before)
			}
		})
	})
}

// areaAverage is the CPU reference of a w x h RGBA half frame minified by
// whole factors to tw x th: each pixel the mean of its footprint.
func areaAverage(pix []uint16, w, h, tw, th int) []float32 {
	kx, ky := w/tw, h/th
	out := make([]float32, 4*tw*th)
	for y := range th * ky {
		for x := range tw * kx {
			for c := range 4 {
				v := float16.Frombits(pix[4*(y*w+x)+c]).Float32()
				out[4*((y/ky)*tw+x/kx)+c] += v / float32(kx*ky)
			}
		}
	}
	return out
}
