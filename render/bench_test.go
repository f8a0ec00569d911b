package render_test

import (
	"fmt"
	"image"
	"testing"

	"github.com/go-gl/gl/v4.5-core/gl"

	"flick/render"
	"flick/render/ocio"
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
				drawTimed(b, d, pix, w, h, w/k, h/k, true, mode, c.s)
			})
		}
	}
}

// BenchmarkSoftDraw is BenchmarkDrawExport's sRGB draws on the CPU, as
// exports on llvmpipe draw them (render.SoftDraw, bit for bit the same),
// and a UHD frame's at a quarter of its size.
func BenchmarkSoftDraw(b *testing.B) {
	for _, c := range []struct{ w, h, k int }{{1920, 1080, 1}, {1920, 1080, 2}, {3840, 2160, 4}} {
		pix := specialImage(c.w, c.h)
		tw, th := c.w/c.k, c.h/c.k
		r := image.Rect(0, 0, tw, th)
		v := render.FitView(tw, th, r, r)
		dst := make([]uint16, 4*tw*th)
		b.Run(fmt.Sprintf("%dx%d-to-%dx%d/sRGB", c.w, c.h, tw, th), func(b *testing.B) {
			b.SetBytes(int64(2 * len(pix)))
			for range b.N {
				if !render.SoftDraw(dst, pix, c.w, c.h, v, render.Settings{}, tw, th) {
					b.Skip("SoftDraw does not take it on this CPU")
				}
			}
		})
	}
}

// drawTimed uploads pix (w x h) and times its draws, fitted, through s
// into a tw x th target (RGBA16 if bits16, else RGBA8, the viewer's),
// each waited for (glFinish). The first draw, which compiles the
// variant's program, is not timed.
func drawTimed(b *testing.B, d *render.Display, pix []uint16, w, h, tw, th int, bits16 bool, mode render.UploadMode, s render.Settings) {
	rendertest.Call(func() {
		im := render.Image{Mode: mode}
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err := im.Upload(pix, w, h); err != nil {
			b.Error(err)
			return
		}
		resize := tg.Resize
		if bits16 {
			resize = tg.Resize16
		}
		if err := resize(tw, th); err != nil {
			b.Error(err)
			return
		}
		r := image.Rect(0, 0, w, h)
		v := render.FitView(tw, th, r, r)
		d.Draw(&tg, &im, v, s)
		gl.Finish()
		if err := d.Err(); err != nil {
			b.Error(err)
			return
		}
		b.ResetTimer()
		for range b.N {
			d.Draw(&tg, &im, v, s)
			gl.Finish()
		}
		b.StopTimer()
	})
}

// acesSDR is the ACES CG config's ACES 1.0 SDR view on the sRGB display
// for ACEScg input, the view the benchmarks measure.
var acesSDR = ocio.DisplayView{Input: "ACEScg", Display: "sRGB - Display", View: "ACES 1.0 - SDR Video"}

// BenchmarkDrawOCIO draws an uploaded 1920x1080 frame, fitted, through
// the built-in ACES CG config's ACES 1.0 SDR view and through flick's sRGB
// curve, into a viewer-sized 1920x1080 RGBA8 target and into a 960x540
// RGBA16 export target, and waits for the GPU: the display pass's cost of
// the OpenColorIO view per frame, as flick draws it (its curves unrolled:
// ocio.UnrollCurves) and with OpenColorIO's shader text as it is.
func BenchmarkDrawOCIO(b *testing.B) {
	const w, h = 1920, 1080
	pix := specialImage(w, h)
	d := newDisplay(b)
	cfg := loadOCIO(b, ocio.BuiltinName)
	ct, _ := newTransform(b, cfg, acesSDR)
	p, err := cfg.DisplayViewProcessor(acesSDR)
	if err != nil {
		b.Fatal(err)
	}
	asIs, err := render.NewColorTransformAsIs(acesSDR.String(), p)
	p.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rendertest.Call(ct.Close); rendertest.Call(asIs.Close) })
	mode := uploadModes()[1] // a plain texture, as the viewer on llvmpipe
	for _, tg := range []struct {
		name   string
		w, h   int
		bits16 bool
	}{{"viewer-1920x1080-RGBA8", w, h, false}, {"export-960x540-RGBA16", w / 2, h / 2, true}} {
		for _, c := range []struct {
			name string
			s    render.Settings
		}{{"sRGB", render.Settings{}}, {"ACES-SDR", render.Settings{OCIO: ct}}, {"ACES-SDR-OpenColorIO-text", render.Settings{OCIO: asIs}}} {
			b.Run(tg.name+"/"+c.name, func(b *testing.B) {
				drawTimed(b, d, pix, w, h, tg.w, tg.h, tg.bits16, mode, c.s)
			})
		}
	}
}

// BenchmarkOCIOPrepare times what switching to a new ColorTransform (the
// ACES SDR view) costs the GL goroutine, a 1920x1080 frame fitted into a
// small RGBA8 target (480x270, so that the compile, not the fill, is
// what is measured): Prepare (its LUTs, the program compiled, linked and
// run over one pixel), the first Draw after Prepare, the first Draw
// without it (which compiles), and a Draw once compiled. Each draw is
// waited for (glFinish). Every iteration compiles the same text, which
// Mesa's shader cache keeps (on disk too): MESA_SHADER_CACHE_DISABLE=true
// measures a compile never seen before.
func BenchmarkOCIOPrepare(b *testing.B) {
	const w, h, tw, th = 1920, 1080, 480, 270
	pix := specialImage(w, h)
	d := newDisplay(b)
	cfg := loadOCIO(b, ocio.BuiltinName)
	p, err := cfg.DisplayViewProcessor(acesSDR)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	for _, stage := range []string{"prepare", "first-draw-prepared", "first-draw-unprepared", "draw-compiled"} {
		b.Run(stage, func(b *testing.B) {
			rendertest.Call(func() {
				var im render.Image
				defer im.Close()
				var tg render.Target
				defer tg.Close()
				if err := im.Upload(pix, w, h); err != nil {
					b.Error(err)
					return
				}
				if err := tg.Resize(tw, th); err != nil {
					b.Error(err)
					return
				}
				r := image.Rect(0, 0, w, h)
				v := render.FitView(tw, th, r, r)
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					ct, err := render.NewColorTransform(acesSDR.String(), p)
					if err != nil {
						b.Error(err)
						return
					}
					s := render.Settings{OCIO: ct}
					if stage != "prepare" {
						switch stage {
						case "first-draw-prepared":
							err = d.Prepare(&tg, &im, v, s)
						case "draw-compiled":
							d.Draw(&tg, &im, v, s)
						}
						gl.Finish()
						b.StartTimer()
						d.Draw(&tg, &im, v, s)
					} else {
						b.StartTimer()
						err = d.Prepare(&tg, &im, v, s)
					}
					gl.Finish()
					b.StopTimer()
					ct.Close()
					if err == nil {
						err = d.Err()
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkMatteOverlay measures a frame's picture shown in a 1280x720
// target (upload and display pass, as playback does), alone and with the
// viewer's matte overlay of the same size uploaded and drawn over it, for
// the CornellBox pair's data window and a 1080p frame.
func BenchmarkMatteOverlay(b *testing.B) {
	d := newDisplay(b)
	for _, size := range [][2]int{{626, 540}, {1920, 1080}} {
		w, h := size[0], size[1]
		pix := specialImage(w, h)
		mattes := [2]*image.RGBA{image.NewRGBA(image.Rect(0, 0, w, h)), image.NewRGBA(image.Rect(0, 0, w, h))}
		for i := range mattes[0].Pix {
			mattes[0].Pix[i], mattes[1].Pix[i] = uint8(i), uint8(i>>3)
		}
		for _, matte := range []bool{false, true} {
			b.Run(fmt.Sprintf("%dx%d/matte=%v", w, h, matte), func(b *testing.B) {
				rendertest.Call(func() {
					var im render.Image
					defer im.Close()
					var tg render.Target
					defer tg.Close()
					var o render.MatteOverlay
					defer o.Close()
					if err := tg.Resize(1280, 720); err != nil {
						b.Error(err)
						return
					}
					r := image.Rect(0, 0, w, h)
					v := render.FitView(1280, 720, r, r)
					b.ResetTimer()
					for i := range b.N {
						if err := im.Upload(pix, w, h); err != nil {
							b.Error(err)
							return
						}
						d.Draw(&tg, &im, v, render.Settings{})
						if matte { // a new image each frame, as in playback
							if err := o.Draw(&tg, v.Data, mattes[i%2]); err != nil {
								b.Error(err)
								return
							}
						}
						gl.Finish()
					}
					b.StopTimer()
				})
			})
		}
	}
}
