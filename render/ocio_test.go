package render_test

import (
	"bytes"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x448/float16"

	"flick/engine/exr/shared"
	"flick/render"
	"flick/render/ocio"
	"flick/render/rendertest"
)

// ocioLevels are the scene-linear values of the test grid: below 0,
// through the toe, mid grey and highlights, to 64.
var ocioLevels = []float32{-0.5, -0.01, 0, 0.0005, 0.004, 0.02, 0.08, 0.18, 0.5, 1, 2.5, 8, 24, 64}

// ocioGrid is an image holding every combination of ocioLevels in R, G and
// B (len³ pixels, 14 a row), with alpha sweeping 0 to 1.
func ocioGrid() (pix []uint16, w, h int) {
	n := len(ocioLevels)
	w, h = n, n*n
	pix = make([]uint16, 4*w*h)
	for i := range w * h {
		pix[4*i+0] = float16.Fromfloat32(ocioLevels[i%n]).Bits()
		pix[4*i+1] = float16.Fromfloat32(ocioLevels[i/n%n]).Bits()
		pix[4*i+2] = float16.Fromfloat32(ocioLevels[i/n/n]).Bits()
		pix[4*i+3] = float16.Fromfloat32(float32(i) / float32(w*h-1)).Bits()
	}
	return pix, w, h
}

// ocioCase is one transform the GPU is held to the CPU processor on.
type ocioCase struct {
	config string // a config file
	dv     ocio.DisplayView
}

// ocioCases lists every display/view pair of the ACES CG config for ACEScg
// and ACES2065-1 input, with and without its look, every view of lut-show
// (its tetrahedral 3D LUT, its 8192-entry 1D LUT, its CDL look), and those
// of lut-show made to use a short 1D LUT (a 1D texture) and a trilinear 3D
// LUT (sampled GL_LINEAR).
func ocioCases(t *testing.T) []ocioCase {
	var cases []ocioCase
	for _, name := range []string{shared.File(t, "ocio", "aces-cg/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio"),
		shared.File(t, "ocio", "lut-show/config.ocio"), shortLUTConfig(t)} {
		c := loadOCIO(t, name)
		displays, _, err := c.Displays()
		if err != nil {
			t.Fatal(err)
		}
		looks, err := c.Looks()
		if err != nil {
			t.Fatal(err)
		}
		inputs := []string{"ACEScg", "ACES2065-1"}
		for _, d := range displays {
			views, _, err := c.Views(d, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range views {
				for _, in := range inputs {
					for _, look := range append([]string{""}, looks...) {
						cases = append(cases, ocioCase{name, ocio.DisplayView{Input: in, Display: d, View: v, Look: look}})
					}
				}
			}
		}
	}
	return cases
}

// shortLUTConfig writes lut-show's config with a 256-entry 1D LUT in place
// of its 8192-entry one and trilinear interpolation for its 3D LUT.
func shortLUTConfig(t *testing.T) string {
	src := filepath.Dir(shared.File(t, "ocio", "lut-show/config.ocio"))
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join(src, "config.ocio"))
	if err != nil {
		t.Fatal(err)
	}
	config := strings.NewReplacer("trim.spi1d", "short.spi1d", "interpolation: tetrahedral", "interpolation: linear").Replace(string(text))
	var lut strings.Builder
	lut.WriteString("Version 1\nFrom 0.0 1.0\nLength 256\nComponents 1\n{\n")
	for i := range 256 {
		fmt.Fprintf(&lut, "%g\n", math.Pow(float64(i)/255, 0.8))
	}
	lut.WriteString("}\n")
	for name, data := range map[string]string{"config.ocio": config, "luts/short.spi1d": lut.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "config.ocio")
}

func loadOCIO(t testing.TB, path string) *ocio.Config {
	t.Helper()
	c, err := ocio.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// newTransform builds dv's processor, its CPU processor and its
// ColorTransform.
func newTransform(t testing.TB, c *ocio.Config, dv ocio.DisplayView) (*render.ColorTransform, *ocio.CPUProcessor) {
	t.Helper()
	p, err := c.DisplayViewProcessor(dv)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cpu, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cpu.Close)
	ct, err := render.NewColorTransform(dv.String(), p)
	if err != nil {
		t.Fatal(err)
	}
	return ct, cpu
}

// code is x clamped to [0, 1] as a code value of max.
func code(x float32, max float64) int {
	return int(math.Round(math.Max(0, math.Min(1, float64(x))) * max))
}

// compareCodes counts the colour values of got and want more than tol8
// 8-bit or tol16 16-bit codes apart, reporting the first few.
func compareCodes(t *testing.T, what string, got, want []float32, tol8, tol16 int) {
	compareCodesWhere(t, what, got, want, tol8, tol16, func(int) bool { return true })
}

// compareCodesWhere is compareCodes on the pixels where held says so.
func compareCodesWhere(t *testing.T, what string, got, want []float32, tol8, tol16 int, held func(i int) bool) {
	t.Helper()
	bad := 0
	for i := 0; i < len(want)/4; i++ {
		if !held(i) {
			continue
		}
		for c := range 3 {
			g, w := got[4*i+c], want[4*i+c]
			d8 := code(g, 255) - code(w, 255)
			d16 := code(g, 65535) - code(w, 65535)
			if g != g || w != w || d8 < -tol8 || d8 > tol8 || d16 < -tol16 || d16 > tol16 {
				if bad < 3 {
					t.Errorf("%s: pixel %d channel %d: GPU %v, CPU %v", what, i, c, g, w)
				}
				bad++
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values off by more than %d codes at 8 bits or %d at 16 bits", what, bad, 3*len(want)/4, tol8, tol16)
	}
}

// TestOCIOMatchesCPU draws the grid through the real display program with
// each transform of ocioCases at exposure -3, 0 and +2 and holds the
// readback to OpenColorIO's CPU processor applied to the exposed source
// values: within 1 code at 8 bits and 4 at 16. The grid's values below 0
// and above 1 are what tell exposure after the view, or a clamp before it,
// from the right order.
func TestOCIOMatchesCPU(t *testing.T) {
	pix, w, h := ocioGrid()
	var d *render.Display
	rendertest.Call(func() {
		var err error
		if d, err = render.NewDisplay(); err != nil {
			t.Error(err)
		}
	})
	if d == nil {
		return
	}
	defer rendertest.Call(d.Close)
	cases := ocioCases(t)
	t.Logf("%d transforms, 3 exposures each", len(cases))
	configs := map[string]*ocio.Config{}
	src := func(i int) float32 { return float16.Frombits(pix[i]).Float32() }
	for _, tc := range cases {
		c := configs[tc.config]
		if c == nil {
			c = loadOCIO(t, tc.config)
			configs[tc.config] = c
		}
		ct, cpu := newTransform(t, c, tc.dv)
		for _, stops := range []float32{-3, 0, 2} {
			got := drawn(t, d, pix, w, h, true, render.Settings{Exposure: stops, OCIO: ct})
			want := make([]float32, len(pix))
			gain := float32(math.Exp2(float64(stops)))
			for i := range want {
				want[i] = float16.Frombits(pix[i]).Float32() * gain
			}
			if err := cpu.Apply(want); err != nil {
				t.Fatal(err)
			}
			// Colours with a negative component are not physical; where
			// all are at most 0, OpenColorIO 2.1's CPU and GPU code differ
			// (its gamut compressor's achromatic 0), and near black with
			// two negative ones by up to 8 16-bit codes: those are held at
			// 8 bits only, or not at all.
			what := fmt.Sprintf("%s, %s, %+g stops", tc.config, tc.dv, stops)
			compareCodesWhere(t, what, got, want, 1, 65535, func(i int) bool {
				return max(src(4*i), src(4*i+1), src(4*i+2)) > 0
			})
			compareCodesWhere(t, what, got, want, 1, 4, func(i int) bool {
				return min(src(4*i), src(4*i+1), src(4*i+2)) >= 0
			})
		}
		rendertest.Call(ct.Close)
	}
}

// TestOCIOChannelsAndAlpha: a solo channel or luminance goes through the
// view as grey; solo alpha bypasses it (alpha shown as linear codes);
// KeepAlpha writes the source alpha, untouched by the view.
func TestOCIOChannelsAndAlpha(t *testing.T) {
	pix, w, h := ocioGrid()
	c := loadOCIO(t, shared.File(t, "ocio", "aces-cg/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio"))
	ct, cpu := newTransform(t, c, ocio.DisplayView{Input: "ACEScg", Display: "sRGB - Display", View: "ACES 1.0 - SDR Video"})
	var d *render.Display
	rendertest.Call(func() {
		var err error
		if d, err = render.NewDisplay(); err != nil {
			t.Error(err)
		}
	})
	if d == nil {
		return
	}
	defer rendertest.Call(func() { ct.Close(); d.Close() })
	src := func(i int) float32 { return float16.Frombits(pix[i]).Float32() }
	for _, ch := range []render.Channels{render.ChannelR, render.ChannelG, render.ChannelB, render.ChannelLuminance} {
		got := drawn(t, d, pix, w, h, true, render.Settings{Channels: ch, OCIO: ct})
		want := make([]float32, len(pix))
		for i := 0; i < len(pix)/4; i++ {
			var v float32
			switch ch {
			case render.ChannelLuminance:
				v = 0.2126*src(4*i) + 0.7152*src(4*i+1) + 0.0722*src(4*i+2)
			default:
				v = src(4*i + int(ch) - int(render.ChannelR))
			}
			want[4*i], want[4*i+1], want[4*i+2] = v, v, v
		}
		if err := cpu.Apply(want); err != nil {
			t.Fatal(err)
		}
		compareCodes(t, "solo "+ch.String(), got, want, 1, 4)
	}
	// Gamma comes after the view.
	got := drawn(t, d, pix, w, h, true, render.Settings{Gamma: 2, OCIO: ct})
	want := make([]float32, len(pix))
	for i := range want {
		want[i] = src(i)
	}
	if err := cpu.Apply(want); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		want[i] = float32(math.Copysign(math.Sqrt(math.Abs(float64(want[i]))), float64(want[i])))
	}
	compareCodesWhere(t, "gamma 2", got, want, 1, 4, func(i int) bool {
		return min(src(4*i), src(4*i+1), src(4*i+2)) >= 0
	})
	// NaN/Inf flags look at the source values, whatever the view makes of
	// them.
	flags := append([]uint16(nil), pix[:4*w]...)
	for i, v := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		flags[4*i+1] = float16.Fromfloat32(v).Bits()
	}
	got = drawn(t, d, flags, w, 1, true, render.Settings{ShowNaN: true, OCIO: ct})
	for i, want := range [][3]float32{{1, 0, 1}, {1, 0, 0}, {0, 0, 1}} {
		if px := [3]float32(got[4*i : 4*i+3]); px != want {
			t.Errorf("flag pixel %d shows %v, want %v", i, px, want)
		}
	}
	got = drawn(t, d, pix, w, h, true, render.Settings{Channels: render.ChannelA, OCIO: ct})
	for i := 0; i < len(pix)/4; i++ {
		if a := src(4*i + 3); math.Abs(float64(got[4*i]-a)) > 1e-6 {
			t.Fatalf("solo alpha pixel %d: %v, want the alpha %v as it is", i, got[4*i], a)
		}
	}
	got = drawn(t, d, pix, w, h, true, render.Settings{KeepAlpha: true, OCIO: ct})
	for i := 0; i < len(pix)/4; i++ {
		if a := src(4*i + 3); got[4*i+3] != a {
			t.Fatalf("KeepAlpha pixel %d: alpha %v, want %v", i, got[4*i+3], a)
		}
	}
}

// TestOCIONoLeaks switches between transforms 20 times: made, drawn and
// closed, a transform leaves no texture or program behind; kept, going back
// to it makes nothing new.
func TestOCIONoLeaks(t *testing.T) {
	pix, w, h := ocioGrid()
	c := loadOCIO(t, shared.File(t, "ocio", "lut-show/config.ocio"))
	views := []ocio.DisplayView{
		{Input: "ACEScg", Display: "sRGB", View: "Show LUT"},
		{Input: "ACEScg", Display: "sRGB", View: "Show LUT + grade"},
		{Input: "ACES2065-1", Display: "sRGB", View: "Show LUT"},
	}
	var d *render.Display
	var before render.Objects
	var beforePrograms int
	rendertest.Call(func() {
		before, beforePrograms = render.LiveObjects(), render.LivePrograms()
		var err error
		if d, err = render.NewDisplay(); err != nil {
			t.Error(err)
		}
	})
	if d == nil {
		return
	}
	var base render.Objects
	var basePrograms int
	drawn(t, d, pix, w, h, true, render.Settings{})
	rendertest.Call(func() { base, basePrograms = render.LiveObjects(), render.LivePrograms() })
	for i := range 20 {
		ct, _ := newTransform(t, c, views[i%len(views)])
		drawn(t, d, pix, w, h, true, render.Settings{OCIO: ct, Exposure: float32(i % 3)})
		rendertest.Call(ct.Close)
	}
	rendertest.Call(func() {
		if got, programs := render.LiveObjects(), render.LivePrograms(); got != base || programs != basePrograms {
			t.Errorf("after 20 transforms made and closed: %+v and %d programs live, want %+v and %d", got, programs, base, basePrograms)
		}
	})

	kept := make([]*render.ColorTransform, len(views))
	for i, dv := range views {
		kept[i], _ = newTransform(t, c, dv)
		drawn(t, d, pix, w, h, true, render.Settings{OCIO: kept[i]})
	}
	var warm render.Objects
	var warmPrograms int
	rendertest.Call(func() { warm, warmPrograms = render.LiveObjects(), render.LivePrograms() })
	if warm.Textures != base.Textures+2*len(views) || warmPrograms != basePrograms+len(views) {
		t.Errorf("3 transforms of 2 LUTs each drawn: %+v and %d programs live, from %+v and %d", warm, warmPrograms, base, basePrograms)
	}
	for i := range 20 {
		drawn(t, d, pix, w, h, true, render.Settings{OCIO: kept[i%len(views)]})
	}
	rendertest.Call(func() {
		if got, programs := render.LiveObjects(), render.LivePrograms(); got != warm || programs != warmPrograms {
			t.Errorf("after 20 switches between kept transforms: %+v and %d programs live, want %+v and %d", got, programs, warm, warmPrograms)
		}
		for _, ct := range kept {
			ct.Close()
			ct.Close() // idempotent
		}
		d.Close()
		if got, programs := render.LiveObjects(), render.LivePrograms(); got != before || programs != beforePrograms {
			t.Errorf("after Close: %+v and %d programs live, want %+v and %d", got, programs, before, beforePrograms)
		}
	})
	// A closed transform draws nothing and says why.
	var err error
	rendertest.Call(func() { d, err = render.NewDisplay() })
	if err != nil {
		t.Fatal(err)
	}
	defer rendertest.Call(d.Close)
	rendertest.Call(func() {
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err = im.Upload(pix, w, h); err == nil {
			if err = tg.ResizeFloat(w, h); err == nil {
				r := image.Rect(0, 0, w, h)
				d.Draw(&tg, &im, render.FitView(w, h, r, r), render.Settings{OCIO: kept[0]})
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Err() == nil {
		t.Error("drawing through a closed transform reported nothing")
	}
}

// Prepare makes a transform's LUTs and compiles the program a Draw with
// the same image, view and settings uses, without touching the target:
// that Draw then creates nothing, and Close frees what Prepare made.
func TestOCIOPrepare(t *testing.T) {
	pix, w, h := ocioGrid()
	c := loadOCIO(t, shared.File(t, "ocio", "lut-show/config.ocio"))
	ct, _ := newTransform(t, c, ocio.DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT"})
	rendertest.Call(func() {
		before, beforePrograms := render.LiveObjects(), render.LivePrograms()
		d, err := render.NewDisplay()
		if err != nil {
			t.Error(err)
			return
		}
		var im render.Image
		var tg render.Target
		if err = im.Upload(pix, w, h); err == nil {
			err = tg.Resize(w/2, h/2) // fitted: not the 1:1 variant
		}
		if err != nil {
			t.Error(err)
			return
		}
		r := image.Rect(0, 0, w, h)
		v := render.FitView(w/2, h/2, r, r)
		read := func() []byte {
			render.Finish()
			px := make([]byte, 4*(w/2)*(h/2))
			if err := tg.ReadRGBA(px); err != nil {
				t.Error(err)
			}
			return px
		}
		d.Draw(&tg, &im, v, render.Settings{})
		plain := read()
		s := render.Settings{OCIO: ct, Exposure: 1}
		if err := d.Prepare(&tg, &im, v, s); err != nil {
			t.Error(err)
		}
		if !bytes.Equal(read(), plain) {
			t.Error("Prepare drew into the target")
		}
		prepared, preparedPrograms := render.LiveObjects(), render.LivePrograms()
		d.Draw(&tg, &im, v, s)
		if err := d.Err(); err != nil {
			t.Error(err)
		}
		if got, programs := render.LiveObjects(), render.LivePrograms(); got != prepared || programs != preparedPrograms {
			t.Errorf("the Draw after Prepare made GL objects: %+v and %d programs live, after Prepare %+v and %d", got, programs, prepared, preparedPrograms)
		}
		if bytes.Equal(read(), plain) {
			t.Error("the Draw through the view drew what the sRGB curve does")
		}
		ct.Close()
		tg.Close()
		im.Close()
		d.Close()
		if got, programs := render.LiveObjects(), render.LivePrograms(); got != before || programs != beforePrograms {
			t.Errorf("after Close: %+v and %d programs live, want %+v and %d", got, programs, before, beforePrograms)
		}
	})
}

// TestUnrolledCurvesMatch draws a dense ramp of colours, from below 0
// through every knot of the ACES tone scale's curves to the top of half
// floats, at exposure -3, 0 and +2, through every display/view of the ACES
// CG config twice: as NewColorTransform builds it (ocio.UnrollCurves) and
// with OpenColorIO's text as it is. The readbacks (RGBA32F) must be the
// same bits.
func TestUnrolledCurvesMatch(t *testing.T) {
	const w, h = 256, 256
	pix := make([]uint16, 4*w*h)
	for i := range w * h {
		u := float64(i) / float64(w*h-1)
		for c, f := range []float64{1, 7.31, 3.17} {
			v := math.Pow(10, -7+12*math.Mod(u*f, 1))
			if i%97 == c {
				v = -v
			}
			pix[4*i+c] = float16.Fromfloat32(float32(min(v, 65504))).Bits()
		}
		pix[4*i+3] = float16.Fromfloat32(1).Bits()
	}
	var d *render.Display
	rendertest.Call(func() {
		var err error
		if d, err = render.NewDisplay(); err != nil {
			t.Error(err)
		}
	})
	if d == nil {
		return
	}
	defer rendertest.Call(d.Close)
	c := loadOCIO(t, shared.File(t, "ocio", "aces-cg/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio"))
	displays, _, err := c.Displays()
	if err != nil {
		t.Fatal(err)
	}
	for _, display := range displays {
		views, _, err := c.Views(display, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, view := range views {
			dv := ocio.DisplayView{Input: "ACEScg", Display: display, View: view}
			p, err := c.DisplayViewProcessor(dv)
			if err != nil {
				t.Fatal(err)
			}
			unrolled, err := render.NewColorTransform(dv.String(), p)
			if err != nil {
				t.Fatal(err)
			}
			asIs, err := render.NewColorTransformAsIs(dv.String(), p)
			p.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, stops := range []float32{-3, 0, 2} {
				got := drawn(t, d, pix, w, h, true, render.Settings{Exposure: stops, OCIO: unrolled})
				want := drawn(t, d, pix, w, h, true, render.Settings{Exposure: stops, OCIO: asIs})
				bad := 0
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						if bad < 3 {
							t.Errorf("%s, %+g stops: pixel %d channel %d: unrolled %v, OpenColorIO's text %v", dv, stops, i/4, i%4, got[i], want[i])
						}
						bad++
					}
				}
				if bad > 0 {
					t.Errorf("%s, %+g stops: %d of %d values differ", dv, stops, bad, len(want))
				}
			}
			rendertest.Call(unrolled.Close)
			rendertest.Call(asIs.Close)
		}
	}
}
