package render_test

import (
	"fmt"
	"image"
	"testing"

	"github.com/go-gl/gl/v4.5-core/gl"

	"flick/render"
	"flick/render/rendertest"
)

// BenchmarkUpload uploads an RGBA half frame, runs the display chain into a
// 1280x720 target and waits for the GPU (glFinish), through the PBO ring,
// through plain glTexSubImage2D and, where the GL can, in place.
func BenchmarkUpload(b *testing.B) {
	d := newDisplay(b)
	for _, size := range [][2]int{{1920, 1080}, {4096, 2160}} {
		w, h := size[0], size[1]
		pix := specialImage(w, h)
		for _, mode := range uploadModes() {
			b.Run(fmt.Sprintf("%dx%d/%s", w, h, mode), func(b *testing.B) {
				b.SetBytes(int64(2 * len(pix)))
				b.ReportAllocs()
				rendertest.Call(func() {
					im := render.Image{Mode: mode}
					defer im.Close()
					var tg render.Target
					defer tg.Close()
					if err := tg.Resize(1280, 720); err != nil {
						b.Error(err)
						return
					}
					r := image.Rect(0, 0, w, h)
					v := render.FitView(1280, 720, r, r)
					b.ResetTimer()
					for range b.N {
						if err := im.Upload(pix, w, h); err != nil {
							b.Error(err)
							return
						}
						d.Draw(&tg, &im, v, render.Settings{})
						gl.Finish()
					}
					b.StopTimer()
				})
			})
		}
	}
}

// BenchmarkUploadOnly uploads a 1920x1080 RGBA half frame and waits for the
// GPU to have the texture (glFinish): the upload stage of export and
// playback, without the display passes.
func BenchmarkUploadOnly(b *testing.B) {
	const w, h = 1920, 1080
	pix := specialImage(w, h)
	for _, mode := range []render.UploadMode{render.UploadPBO, render.UploadSync} {
		b.Run(mode.String(), func(b *testing.B) {
			b.SetBytes(int64(2 * len(pix)))
			rendertest.Call(func() {
				im := render.Image{Mode: mode}
				defer im.Close()
				b.ResetTimer()
				for range b.N {
					if err := im.Upload(pix, w, h); err != nil {
						b.Error(err)
						return
					}
					gl.Finish()
				}
				b.StopTimer()
			})
		})
	}
}

// uploadModes lists the upload modes the context has.
func uploadModes() []render.UploadMode {
	modes := []render.UploadMode{render.UploadPBO, render.UploadSync}
	rendertest.Call(func() {
		if render.PinnedUploads() {
			modes = append(modes, render.UploadPinned)
		}
	})
	return modes
}

// BenchmarkDrawExport draws an uploaded 1920x1080 frame through the plain
// sRGB chain into a 16-bit target at export sizes (full and half) and waits
// for the GPU: the display passes of an export, without the upload, from a
// texture and (pinned) from a buffer texture over the frame.
func BenchmarkDrawExport(b *testing.B) {
	const w, h = 1920, 1080
	pix := specialImage(w, h)
	d := newDisplay(b)
	for _, c := range []struct {
		k    int
		name string
		s    render.Settings
	}{
		{1, "sRGB", render.Settings{}},
		{2, "sRGB", render.Settings{}},
		{2, "raw", render.Settings{Transform: render.TransformRaw}},
		{2, "exposure-gamma-sRGB", render.Settings{Exposure: 1, Gamma: 1.2}},
	} {
		for _, mode := range uploadModes()[1:] {
			k := c.k
			b.Run(fmt.Sprintf("%dx%d/%s/%s", w/k, h/k, c.name, mode), func(b *testing.B) {
				drawExport(b, d, pix, w, h, k, mode, c.s)
			})
		}
	}
}

func drawExport(b *testing.B, d *render.Display, pix []uint16, w, h, k int, mode render.UploadMode, s render.Settings) {
	rendertest.Call(func() {
		im := render.Image{Mode: mode}
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err := im.Upload(pix, w, h); err != nil {
			b.Error(err)
			return
		}
		if err := tg.Resize16(w/k, h/k); err != nil {
			b.Error(err)
			return
		}
		r := image.Rect(0, 0, w, h)
		v := render.FitView(w/k, h/k, r, r)
		b.ResetTimer()
		for range b.N {
			d.Draw(&tg, &im, v, s)
			gl.Finish()
		}
		b.StopTimer()
	})
}
