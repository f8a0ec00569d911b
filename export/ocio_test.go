package export_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"flick/engine"
	"flick/export"
	"flick/export/exporttest"
	"flick/render"
	"flick/render/ocio"
	"flick/render/rendertest"
)

// viewerReadback draws f as the viewer does (a texture, not the export's
// pinned buffer) at w x h through s into an RGBA16 target and reads it back.
func viewerReadback(t *testing.T, f *engine.Frame, w, h int, s render.Settings) []uint16 {
	t.Helper()
	out := make([]uint16, 4*w*h)
	var err error
	rendertest.Call(func() {
		var d *render.Display
		if d, err = render.NewDisplay(); err != nil {
			return
		}
		defer d.Close()
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err = im.Upload(f.Pix, f.DataWindow.Dx(), f.DataWindow.Dy()); err != nil {
			return
		}
		if err = tg.Resize16(w, h); err != nil {
			return
		}
		d.Draw(&tg, &im, render.FitView(w, h, f.DisplayWindow, f.DataWindow), s)
		if err = d.Err(); err != nil {
			return
		}
		render.Finish()
		err = tg.ReadRGBA16(out)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// An export through the built-in ACES CG config decodes to what the viewer
// reads back for the same settings, within the codec's loss, and is tagged
// for its display on stream and frames: the sRGB display's SDR view, and
// the Rec.2100-PQ display's HDR view, converted with BT.2020's matrix (read
// with BT.709's, the PQ movie misses the tolerance).
func TestExportThroughOCIOMatchesViewer(t *testing.T) {
	const w, h, n = 640, 360, 4
	seq := scene(t, w, h, n)
	load, release := loader(t, seq)
	c, err := ocio.Load(ocio.BuiltinName)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	srgb := ocio.DisplayView{Input: "ACEScg", Display: "sRGB - Display", View: "ACES 1.0 - SDR Video"}
	pq := ocio.DisplayView{Input: "ACEScg", Display: "Rec.2100-PQ - Display", View: "ACES 1.1 - HDR Video (1000 nits & Rec.2020 lim)"}
	for _, tc := range []struct {
		dv       ocio.DisplayView
		codec    export.Codec
		k        int
		exposure float32
		minPSNR  float64
		tags     [3]string
	}{
		{srgb, export.ProRes4444, 1, 1, 45, [3]string{"bt709", "iec61966-2-1", "bt709"}},
		// 4:2:0 halves the chroma of the disc's saturated edge: the
		// floor TestExportMatchesCPUReference uses, less 2 dB.
		{srgb, export.H264, 2, 0, 33, [3]string{"bt709", "iec61966-2-1", "bt709"}},
		{pq, export.ProRes4444, 1, 1, 45, [3]string{"bt2020", "smpte2084", "bt2020nc"}},
	} {
		t.Run(tc.dv.Display+"/"+string(tc.codec), func(t *testing.T) {
			p, err := c.DisplayViewProcessor(tc.dv)
			if err != nil {
				t.Fatal(err)
			}
			ct, err := render.NewColorTransform(tc.dv.String(), p)
			p.Close()
			if err != nil {
				t.Fatal(err)
			}
			defer rendertest.Call(ct.Close)
			colour, warning := export.ColourFor(tc.dv.Display, tc.codec)
			if warning != "" {
				t.Fatalf("ColourFor(%q, %s) warns: %s", tc.dv.Display, tc.codec, warning)
			}
			s := render.Settings{Exposure: tc.exposure, OCIO: ct}
			out := filepath.Join(t.TempDir(), "review.mov")
			ow, oh := w/tc.k, h/tc.k
			if _, err := export.Run(context.Background(), export.Job{
				Frames:  seq.Frames,
				Display: s,
				Movie: export.Options{Path: out, Codec: tc.codec, Width: ow, Height: oh, FPS: export.Rational{Num: 24, Den: 1},
					CRF: -1, Colour: colour},
				Load:    load,
				Release: release,
			}, rendertest.Queue()); err != nil {
				t.Fatal(err)
			}
			info, err := exporttest.Probe(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := [3]string{info.ColorPrimaries, info.ColorTransfer, info.ColorSpace}; got != tc.tags {
				t.Errorf("stream tags %q, want %q", got, tc.tags)
			}
			readback := make([][]uint16, n)
			worst, srgbWorst := math.Inf(1), math.Inf(1)
			got, err := exporttest.DecodeColour(out, tc.tags[0], tc.tags[1], tc.tags[2], func(i int, rgba []uint16) error {
				f, err := load(context.Background(), seq.Frames[i])
				if err != nil {
					return err
				}
				readback[i] = viewerReadback(t, f, ow, oh, s)
				worst = math.Min(worst, exporttest.PSNR(rgba, readback[i], 0, 1, 2))
				plain := s
				plain.OCIO = nil
				srgbWorst = math.Min(srgbWorst, exporttest.PSNR(rgba, viewerReadback(t, f, ow, oh, plain), 0, 1, 2))
				return nil
			})
			if err != nil || got != n {
				t.Fatalf("decoded %d frames: %v", got, err)
			}
			t.Logf("worst frame PSNR %.1f dB against the viewer's readback, %.1f dB against its plain sRGB one", worst, srgbWorst)
			if worst < tc.minPSNR {
				t.Errorf("worst frame PSNR %.1f dB against the viewer's readback, want >= %.0f", worst, tc.minPSNR)
			}
			// The view is not the plain sRGB curve: the comparison can tell.
			if srgbWorst > tc.minPSNR-10 {
				t.Errorf("the movie is as close to the plain sRGB view (%.1f dB): the OCIO view did not reach it", srgbWorst)
			}
			if tc.tags[2] != "bt2020nc" {
				return
			}
			// The matrix matters: read with BT.709's, the movie is off.
			bt709Worst := math.Inf(1)
			if _, err := exporttest.DecodeUntagged(out, func(i int, rgba []uint16) error {
				bt709Worst = math.Min(bt709Worst, exporttest.PSNR(rgba, readback[i], 0, 1, 2))
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			t.Logf("worst frame PSNR %.1f dB read with the BT.709 matrix", bt709Worst)
			if bt709Worst >= tc.minPSNR {
				t.Errorf("read with the BT.709 matrix the movie is as close (%.1f dB): the comparison cannot tell the matrices apart", bt709Worst)
			}
		})
	}
}
