package render_test

import (
	"fmt"
	"image"
	"math"
	"testing"

	"github.com/go-gl/gl/v4.5-core/gl"
	"github.com/x448/float16"

	"flick/render"
	"flick/render/rendertest"
)

// specialImage returns an interleaved RGBA half image whose values sweep
// below 0 and above 1, with NaN, +Inf and -Inf sprinkled over every channel
// (alpha included) at different pixels.
func specialImage(w, h int) []uint16 {
	pix := make([]uint16, 4*w*h)
	specials := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))}
	for i := range w * h {
		t := float32(i) / float32(w*h)
		v := [4]float32{-0.5 + 4.5*t, 0.01 * float32(i%17), 3 - 3.2*t, 1.25 - 1.5*t*t}
		for c := range 4 {
			if k := (i + 5*c) % 23; k < len(specials) {
				v[c] = specials[k]
			}
			pix[4*i+c] = float16.Fromfloat32(v[c]).Bits()
		}
	}
	return pix
}

// cpuChain is the CPU reference of the display chain for one pixel at
// target position (x, y), in float64.
func cpuChain(in [4]float32, x, y int, s render.Settings) [3]float64 {
	r, g, b, a := float64(in[0]), float64(in[1]), float64(in[2]), float64(in[3])
	v := [3]float64{r, g, b}
	switch s.Channels {
	case render.ChannelR:
		v = [3]float64{r, r, r}
	case render.ChannelG:
		v = [3]float64{g, g, g}
	case render.ChannelB:
		v = [3]float64{b, b, b}
	case render.ChannelA:
		v = [3]float64{a, a, a}
	case render.ChannelLuminance:
		l := 0.2126*r + 0.7152*g + 0.0722*b
		v = [3]float64{l, l, l}
	}
	if s.Checker && s.Channels != render.ChannelA {
		k := 0.2
		if (x/8+y/8)%2 == 0 {
			k = 0.05
		}
		for c := range v {
			v[c] += (1 - a) * k
		}
	}
	gain := math.Exp2(float64(s.Exposure))
	for c := range v {
		v[c] *= gain
		if s.Transform != render.TransformRaw {
			x := math.Max(0, math.Min(1, v[c]))
			switch s.Transform {
			case render.TransformSRGB:
				if x <= 0.0031308 {
					x *= 12.92
				} else {
					x = 1.055*math.Pow(x, 1/2.4) - 0.055
				}
			case render.TransformRec709:
				if x < 0.018 {
					x *= 4.5
				} else {
					x = 1.099*math.Pow(x, 0.45) - 0.099
				}
			case render.TransformBT1886:
				x = math.Pow(x, 1/2.4)
			}
			if math.IsNaN(v[c]) {
				x = math.NaN() // clamp(NaN) is undefined in GLSL: not compared
			}
			v[c] = x
		}
		if s.Gamma != 0 && s.Gamma != 1 {
			sign := 1.0
			if v[c] < 0 {
				sign = -1
			}
			v[c] = sign * math.Pow(math.Abs(v[c]), 1/float64(s.Gamma))
		}
	}
	if s.ShowNaN {
		mask := [4]bool{true, true, true, s.Checker}
		switch s.Channels {
		case render.ChannelR:
			mask = [4]bool{true, false, false, s.Checker}
		case render.ChannelG:
			mask = [4]bool{false, true, false, s.Checker}
		case render.ChannelB:
			mask = [4]bool{false, false, true, s.Checker}
		case render.ChannelA:
			mask = [4]bool{false, false, false, true}
		}
		var nan, pos, neg bool
		for c, f := range [4]float64{r, g, b, a} {
			if mask[c] {
				nan = nan || math.IsNaN(f)
				pos = pos || math.IsInf(f, 1)
				neg = neg || math.IsInf(f, -1)
			}
		}
		switch {
		case nan:
			v = [3]float64{1, 0, 1}
		case pos:
			v = [3]float64{1, 0, 0}
		case neg:
			v = [3]float64{0, 0, 1}
		}
	}
	return v
}

// drawn uploads pix (w x h) and draws it 1:1 into a w x h target (float or
// 8-bit) with settings s, returning the target read back as floats.
func drawn(t *testing.T, d *render.Display, pix []uint16, w, h int, float bool, s render.Settings) []float32 {
	t.Helper()
	out := make([]float32, 4*w*h)
	var err error
	rendertest.Call(func() {
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err = im.Upload(pix, w, h); err != nil {
			return
		}
		if float {
			err = tg.ResizeFloat(w, h)
		} else {
			err = tg.Resize(w, h)
		}
		if err != nil {
			return
		}
		r := image.Rect(0, 0, w, h)
		d.Draw(&tg, &im, render.FitView(w, h, r, r), s)
		if err = d.Err(); err != nil {
			return
		}
		err = tg.ReadFloat(out)
		if e := gl.GetError(); e != gl.NO_ERROR && err == nil {
			err = fmt.Errorf("GL error 0x%x", e)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func newDisplay(t testing.TB) *render.Display {
	t.Helper()
	var d *render.Display
	var err error
	rendertest.Call(func() { d, err = render.NewDisplay() })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rendertest.Call(d.Close) })
	return d
}

// Every pass and every transform, alone and combined, on a float target
// (within 1e-3, relative above 1) and an 8-bit one (within one code value),
// matches the CPU reference, on values below 0, above 1, NaN and ±Inf, at odd
// widths.
func TestChainMatchesCPU(t *testing.T) {
	d := newDisplay(t)
	raw := render.TransformRaw
	cases := []struct {
		name string
		s    render.Settings
	}{
		{"default sRGB", render.Settings{}},
		{"Rec.709", render.Settings{Transform: render.TransformRec709}},
		{"BT.1886", render.Settings{Transform: render.TransformBT1886}},
		{"linear", render.Settings{Transform: render.TransformLinear}},
		{"raw", render.Settings{Transform: raw}},
		{"R", render.Settings{Channels: render.ChannelR, Transform: raw}},
		{"G", render.Settings{Channels: render.ChannelG, Transform: raw}},
		{"B", render.Settings{Channels: render.ChannelB, Transform: raw}},
		{"A", render.Settings{Channels: render.ChannelA, Transform: raw}},
		{"luminance", render.Settings{Channels: render.ChannelLuminance, Transform: raw}},
		{"checker RGB", render.Settings{Checker: true, Transform: raw}},
		{"checker G", render.Settings{Checker: true, Channels: render.ChannelG}},
		{"checker A (none)", render.Settings{Checker: true, Channels: render.ChannelA, Transform: raw}},
		{"exposure +2 raw", render.Settings{Exposure: 2, Transform: raw}},
		{"exposure -3 sRGB", render.Settings{Exposure: -3}},
		{"gamma 2.2 sRGB", render.Settings{Gamma: 2.2}},
		{"gamma 0.5 raw", render.Settings{Gamma: 0.5, Transform: raw}},
		{"NaN RGB raw", render.Settings{ShowNaN: true, Transform: raw}},
		{"NaN A", render.Settings{ShowNaN: true, Channels: render.ChannelA}},
		{"NaN checker B", render.Settings{ShowNaN: true, Checker: true, Channels: render.ChannelB}},
		{"all", render.Settings{Channels: render.ChannelLuminance, Exposure: 1.5, Gamma: 1.8,
			Transform: render.TransformRec709, ShowNaN: true, Checker: true}},
	}
	for _, size := range [][2]int{{37, 23}, {301, 5}} {
		w, h := size[0], size[1]
		pix := specialImage(w, h)
		for _, tc := range cases {
			for _, float := range []bool{true, false} {
				name := fmt.Sprintf("%s/%dx%d/8bit", tc.name, w, h)
				if float {
					name = fmt.Sprintf("%s/%dx%d/float", tc.name, w, h)
				}
				t.Run(name, func(t *testing.T) {
					got := drawn(t, d, pix, w, h, float, tc.s)
					checkChain(t, got, pix, w, h, float, tc.s)
				})
			}
		}
	}
}

func checkChain(t *testing.T, got []float32, pix []uint16, w, h int, float bool, s render.Settings) {
	t.Helper()
	bad, compared := 0, 0
	for i := range w * h {
		var in [4]float32
		for c := range 4 {
			in[c] = float16.Frombits(pix[4*i+c]).Float32()
		}
		want := cpuChain(in, i%w, i/w, s)
		for c := range 3 {
			wv, gv := want[c], float64(got[4*i+c])
			if math.IsNaN(wv) {
				continue // undefined through clamp; NaN is only promised by ShowNaN
			}
			compared++
			var ok bool
			if float {
				ok = wv == gv || math.Abs(gv-wv) <= 1e-3*math.Max(1, math.Abs(wv))
			} else {
				// The target holds 8-bit codes: compare codes (gv*255 is a
				// whole number only up to float32's rounding).
				code := math.Round(math.Max(0, math.Min(1, wv)) * 255)
				ok = math.Abs(math.Round(gv*255)-code) <= 1
			}
			if !ok {
				if bad < 5 {
					t.Errorf("pixel (%d,%d) channel %d: got %v, want %v (input %v)", i%w, i/w, c, gv, wv, in)
				}
				bad++
			}
		}
		if got[4*i+3] != 1 {
			t.Fatalf("pixel %d: alpha %v, want 1", i, got[4*i+3])
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d values differ", bad, compared)
	}
	if compared < 2*w*h {
		t.Errorf("only %d of %d values compared", compared, 3*w*h)
	}
}

// A view smaller than the image (mipmapped) or larger (bilinear) of a flat
// image shows the flat value; the target keeps an alpha of 1.
func TestChainResamples(t *testing.T) {
	d := newDisplay(t)
	const w, h = 301, 37
	pix := make([]uint16, 4*w*h)
	for i := range w * h {
		pix[4*i] = float16.Fromfloat32(0.5).Bits()
		pix[4*i+1] = float16.Fromfloat32(2).Bits()
		pix[4*i+2] = float16.Fromfloat32(-1).Bits()
		pix[4*i+3] = float16.Fromfloat32(0.5).Bits()
	}
	for _, tw := range []int{64, 1000} {
		th := tw * h / w
		out := make([]float32, 4*tw*th)
		rendertest.Call(func() {
			var im render.Image
			defer im.Close()
			var tg render.Target
			defer tg.Close()
			if err := im.Upload(pix, w, h); err != nil {
				t.Error(err)
				return
			}
			if err := tg.ResizeFloat(tw, th); err != nil {
				t.Error(err)
				return
			}
			r := image.Rect(0, 0, w, h)
			v := render.FitView(tw, th, r, r)
			d.Draw(&tg, &im, v, render.Settings{Transform: render.TransformRaw})
			if err := tg.ReadFloat(out); err != nil {
				t.Error(err)
			}
			x0, y0 := int(math.Ceil(float64(v.Data.X0))), int(math.Ceil(float64(v.Data.Y0)))
			x1, y1 := int(v.Data.X1), int(v.Data.Y1)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					p := out[4*(y*tw+x):][:4]
					if math.Abs(float64(p[0]-0.5)) > 1e-3 || math.Abs(float64(p[1]-2)) > 1e-3 ||
						math.Abs(float64(p[2]+1)) > 1e-3 || p[3] != 1 {
						t.Fatalf("%d wide: pixel (%d,%d) = %v", tw, x, y, p)
					}
				}
			}
		})
	}
}

// The chain hands the context back as it found it.
func TestChainRestoresState(t *testing.T) {
	d := newDisplay(t)
	rendertest.Call(func() {
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err := im.Upload(specialImage(5, 3), 5, 3); err != nil {
			t.Error(err)
			return
		}
		if err := tg.Resize(8, 8); err != nil {
			t.Error(err)
			return
		}
		var tex [2]uint32
		gl.GenTextures(2, &tex[0])
		defer gl.DeleteTextures(2, &tex[0])
		gl.ActiveTexture(gl.TEXTURE1)
		gl.BindTexture(gl.TEXTURE_2D, tex[1])
		gl.ActiveTexture(gl.TEXTURE0)
		gl.BindTexture(gl.TEXTURE_2D, tex[0])
		gl.ActiveTexture(gl.TEXTURE1)
		gl.Viewport(1, 2, 3, 4)
		gl.Enable(gl.BLEND)
		gl.ColorMask(true, false, true, true)
		gl.PixelStorei(gl.UNPACK_ALIGNMENT, 1)
		gl.PixelStorei(gl.UNPACK_ROW_LENGTH, 7)

		// Prepare first: the state Draw saves and restores is then what
		// Prepare left.
		v := render.View{Display: render.Rect{X1: 8, Y1: 8}, Data: render.Rect{X1: 8, Y1: 8}}
		s := render.Settings{ShowNaN: true, Exposure: 1, Checker: true, Gamma: 2}
		if err := d.Prepare(&tg, &im, v, s); err != nil {
			t.Error(err)
		}
		d.Draw(&tg, &im, v, s)
		if err := im.Upload(specialImage(5, 3), 5, 3); err != nil {
			t.Error(err)
		}

		var active, t0, t1, align, rowLen int32
		var vp [4]int32
		var mask [4]bool
		gl.GetIntegerv(gl.ACTIVE_TEXTURE, &active)
		gl.GetIntegerv(gl.TEXTURE_BINDING_2D, &t1)
		gl.ActiveTexture(gl.TEXTURE0)
		gl.GetIntegerv(gl.TEXTURE_BINDING_2D, &t0)
		gl.GetIntegerv(gl.VIEWPORT, &vp[0])
		gl.GetBooleanv(gl.COLOR_WRITEMASK, &mask[0])
		gl.GetIntegerv(gl.UNPACK_ALIGNMENT, &align)
		gl.GetIntegerv(gl.UNPACK_ROW_LENGTH, &rowLen)
		blend := gl.IsEnabled(gl.BLEND)
		gl.Disable(gl.BLEND)
		gl.ColorMask(true, true, true, true)
		gl.PixelStorei(gl.UNPACK_ALIGNMENT, 4)
		gl.PixelStorei(gl.UNPACK_ROW_LENGTH, 0)
		if active != gl.TEXTURE1 || t0 != int32(tex[0]) || t1 != int32(tex[1]) || vp != [4]int32{1, 2, 3, 4} ||
			mask != [4]bool{true, false, true, true} || !blend || align != 1 || rowLen != 7 {
			t.Errorf("state not restored: active 0x%x, textures %d %d (want %v), viewport %v, mask %v, blend %v, unpack %d/%d",
				active, t0, t1, tex, vp, mask, blend, align, rowLen)
		}
		if e := gl.GetError(); e != gl.NO_ERROR {
			t.Errorf("GL error 0x%x", e)
		}
	})
}

// Every branch of the display program compiles: each channel view and
// transform, checkerboard, gamma, NaN flags and alpha, magnified (nearest), one
// bilinear tap and a box of taps.
func TestEveryDisplayVariantCompiles(t *testing.T) {
	d := newDisplay(t)
	const w, h = 64, 32
	withDisplay(t, specialImage(w, h), w, h, func(_ *render.Display, im *render.Image, tg *render.Target) error {
		r := image.Rect(0, 0, w, h)
		for i := range 6 {
			s := render.Settings{Channels: render.Channels(i), Transform: render.Transform(i % 5),
				Checker: i%2 == 1, Gamma: float32(1 + i%2), ShowNaN: i%2 == 0, KeepAlpha: i%3 == 0}
			for _, size := range []int{128, 32, 8} { // nearest, one tap, a box
				if err := tg.Resize(size, size); err != nil {
					return err
				}
				d.Draw(tg, im, render.FitView(size, size, r, r), s)
			}
		}
		return d.Err()
	})
}

// A view minified beyond the box filter's reach is mipmapped: the texture
// gains its mip chain on first need, keeps level 0, and later uploads
// refresh the mipmaps.
func TestChainMipmapsOnDemand(t *testing.T) {
	d := newDisplay(t)
	const w, h, tw = 2000, 40, 40 // 50x smaller
	flat := func(v float32) []uint16 {
		pix := make([]uint16, 4*w*h)
		for i := range pix {
			pix[i] = float16.Fromfloat32(v).Bits()
		}
		return pix
	}
	rendertest.Call(func() {
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err := tg.ResizeFloat(tw, 2); err != nil {
			t.Error(err)
			return
		}
		r := image.Rect(0, 0, w, h)
		out := make([]float32, 4*tw*2)
		for _, v := range []float32{0.25, 0.75} {
			if err := im.Upload(flat(v), w, h); err != nil {
				t.Error(err)
				return
			}
			for _, view := range []render.View{render.FitView(tw, 2, r, r), render.FitView(w, h, r, r)} {
				d.Draw(&tg, &im, view, render.Settings{Transform: render.TransformRaw})
				if err := tg.ReadFloat(out); err != nil {
					t.Error(err)
					return
				}
				if got := out[4*(tw/2)]; math.Abs(float64(got-v)) > 1e-3 {
					t.Errorf("upload of %v, view %+v: middle pixel %v", v, view, got)
				}
			}
		}
	})
}

// TestTransformCurvesExact draws every half value from 0 to 1 (and a few
// beyond) through the sRGB and Rec.709 transforms into a float target: the
// display program's curves (polynomials for the power parts) must stay
// within 1e-5 of IEC 61966-2-1's and BT.709's formulas, well under a 16-bit
// code value, at every input.
func TestTransformCurvesExact(t *testing.T) {
	d := newDisplay(t)
	var vals []uint16
	for b := uint16(0); b <= 0x3c00; b++ { // 0 to 1 in half
		vals = append(vals, b)
	}
	vals = append(vals, float16.Fromfloat32(1.5).Bits(), float16.Fromfloat32(-0.5).Bits())
	w, h := 256, (len(vals)+255)/256
	pix := make([]uint16, 4*w*h)
	for i := range w * h {
		v := vals[min(i, len(vals)-1)]
		pix[4*i], pix[4*i+1], pix[4*i+2], pix[4*i+3] = v, v, v, float16.Fromfloat32(1).Bits()
	}
	for _, tc := range []struct {
		tr    render.Transform
		curve func(float64) float64
	}{
		{render.TransformSRGB, func(x float64) float64 {
			if x <= 0.0031308 {
				return 12.92 * x
			}
			return 1.055*math.Pow(x, 1/2.4) - 0.055
		}},
		{render.TransformRec709, func(x float64) float64 {
			if x < 0.018 {
				return 4.5 * x
			}
			return 1.099*math.Pow(x, 0.45) - 0.099
		}},
	} {
		got := drawn(t, d, pix, w, h, true, render.Settings{Transform: tc.tr})
		worst, at := 0.0, 0.0
		for i := range w * h {
			x := math.Max(0, math.Min(1, float64(float16.Frombits(pix[4*i]).Float32())))
			if e := math.Abs(float64(got[4*i]) - tc.curve(x)); e > worst {
				worst, at = e, x
			}
		}
		if worst > 1e-5 {
			t.Errorf("%v: largest error %.3g at %g, want at most 1e-5", tc.tr, worst, at)
		}
		t.Logf("%v: largest error %.3g at %g", tc.tr, worst, at)
	}
}

// Settings.Curve, the CPU curve the viewer's statistics use for values as
// displayed, gives what the display program draws, per channel in the
// colour view, under each transform with exposure and gamma.
func TestCurveMatchesDisplay(t *testing.T) {
	d := newDisplay(t)
	w, h := 37, 23
	pix := specialImage(w, h)
	for _, s := range []render.Settings{
		{}, {Transform: render.TransformRec709, Exposure: -1.5}, {Transform: render.TransformBT1886, Gamma: 2.2},
		{Transform: render.TransformLinear, Exposure: 2}, {Transform: render.TransformRaw, Gamma: 0.5, Exposure: 1},
	} {
		got := drawn(t, d, pix, w, h, true, s)
		curve := s.Curve()
		compared := 0
		for i := range w * h {
			for c := range 3 {
				want := float64(curve(float16.Frombits(pix[4*i+c]).Float32()))
				if math.IsNaN(want) {
					continue // clamp(NaN) is undefined in GLSL
				}
				compared++
				if g := float64(got[4*i+c]); g != want && math.Abs(g-want) > 1e-4*math.Max(1, math.Abs(want)) {
					t.Fatalf("%+v: pixel %d channel %d: drawn %v, Curve %v", s, i, c, g, want)
				}
			}
		}
		if compared < 2*w*h {
			t.Errorf("%+v: only %d values compared", s, compared)
		}
	}
}
