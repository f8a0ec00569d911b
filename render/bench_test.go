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
// 1280x720 target and waits for the GPU (glFinish), through the PBO ring and
// through plain glTexSubImage2D.
func BenchmarkUpload(b *testing.B) {
	d := newDisplay(b)
	for _, size := range [][2]int{{1920, 1080}, {4096, 2160}} {
		w, h := size[0], size[1]
		pix := specialImage(w, h)
		for _, mode := range []render.UploadMode{render.UploadPBO, render.UploadSync} {
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
