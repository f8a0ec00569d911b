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
