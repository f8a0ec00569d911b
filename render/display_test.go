package render_test

import (
	"image"
	"math"
	"testing"

	"github.com/x448/float16"

	"flick/render"
	"flick/render/rendertest"
)

func TestMain(m *testing.M) { rendertest.Main(m) }

// srgb8 is the CPU reference of the display pass: gain, clip, IEC 61966-2-1
// encoding, 8-bit quantisation.
func srgb8(linear, gain float32) uint8 {
	x := float64(linear) * float64(gain)
	x = math.Max(0, math.Min(1, x))
	if x <= 0.0031308 {
		x *= 12.92
	} else {
		x = 1.055*math.Pow(x, 1/2.4) - 0.055
	}
	return uint8(math.Round(x * 255))
}

// testImage returns an interleaved RGBA half image whose values sweep below
// 0, through the linear toe of the sRGB curve and above 1.
func testImage(w, h int) []uint16 {
	pix := make([]uint16, 4*w*h)
	for y := range h {
		for x := range w {
			i := 4 * (y*w + x)
			t := float32(x*h+y) / float32(w*h)
			pix[i+0] = float16.Fromfloat32(-0.25 + 1.5*t).Bits()
			pix[i+1] = float16.Fromfloat32(0.004 * float32(x) / float32(w)).Bits()
			pix[i+2] = float16.Fromfloat32(4 * t * t).Bits()
			pix[i+3] = float16.Fromfloat32(1).Bits()
		}
	}
	return pix
}

// withDisplay runs f on the GL goroutine with a new Display, an Image
// holding pix (w x h; none if pix is nil) and an empty Target, and closes
// them after.
func withDisplay(t testing.TB, pix []uint16, w, h int, f func(d *render.Display, im *render.Image, tg *render.Target) error) {
	t.Helper()
	var err error
	rendertest.Call(func() {
		d, e := render.NewDisplay()
		if e != nil {
			err = e
			return
		}
		defer d.Close()
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if pix != nil {
			if err = im.Upload(pix, w, h); err != nil {
				return
			}
		}
		err = f(d, &im, &tg)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func render1to1(t *testing.T, pix []uint16, w, h int, exposure float32) []byte {
	t.Helper()
	out := make([]byte, 4*w*h)
	withDisplay(t, pix, w, h, func(d *render.Display, im *render.Image, tg *render.Target) error {
		if err := tg.Resize(w, h); err != nil {
			return err
		}
		r := image.Rect(0, 0, w, h)
		d.Draw(tg, im, render.FitView(w, h, r, r), render.Settings{Exposure: exposure})
		return tg.ReadRGBA(out)
	})
	return out
}

func TestDisplaySRGBMatchesCPU(t *testing.T) {
	for _, tc := range []struct {
		name     string
		w, h     int
		exposure float32
	}{
		{"odd width", 37, 23, 0},
		{"wide", 301, 7, 0},
		{"plus one stop", 37, 23, 1},
		{"minus two stops", 37, 23, -2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pix := testImage(tc.w, tc.h)
			got := render1to1(t, pix, tc.w, tc.h, tc.exposure)
			gain := float32(math.Exp2(float64(tc.exposure)))
			bad := 0
			for i := 0; i < tc.w*tc.h; i++ {
				for c := range 3 {
					want := srgb8(float16.Frombits(pix[4*i+c]).Float32(), gain)
					if d := int(got[4*i+c]) - int(want); d < -1 || d > 1 {
						if bad < 5 {
							t.Errorf("pixel (%d,%d) channel %d: got %d, want %d (linear %v)",
								i%tc.w, i/tc.w, c, got[4*i+c], want, float16.Frombits(pix[4*i+c]))
						}
						bad++
					}
				}
				if got[4*i+3] != 255 {
					t.Fatalf("pixel %d: alpha %d, want 255", i, got[4*i+3])
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d values differ by more than one code value", bad, 3*tc.w*tc.h)
			}
		})
	}
}

// A data window smaller than the display window sits at its offset inside a
// black display window; outside the display window is the background.
func TestDisplayPlacesDataWindow(t *testing.T) {
	const tw, th = 64, 48
	display := image.Rect(0, 0, 32, 24)
	data := image.Rect(8, 4, 16, 12)
	pix := make([]uint16, 4*data.Dx()*data.Dy())
	one := float16.Fromfloat32(1).Bits()
	for i := range pix {
		pix[i] = one
	}
	out := make([]byte, 4*tw*th)
	var err error
	rendertest.Call(func() {
		d, e := render.NewDisplay()
		if e != nil {
			err = e
			return
		}
		defer d.Close()
		var im render.Image
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err = im.Upload(pix, data.Dx(), data.Dy()); err != nil {
			return
		}
		if err = tg.Resize(tw, th); err != nil {
			return
		}
		d.Draw(&tg, &im, render.FitView(tw, th, display, data), render.Settings{})
		err = tg.ReadRGBA(out)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Fit scales the 32x24 display window by 2 to fill the 64x48 target:
	// the data window lands at (16,8)-(32,24).
	at := func(x, y int) [3]byte {
		i := 4 * (y*tw + x)
		return [3]byte{out[i], out[i+1], out[i+2]}
	}
	white, black := [3]byte{255, 255, 255}, [3]byte{0, 0, 0}
	for _, p := range []struct {
		x, y int
		want [3]byte
	}{
		{16, 8, white}, {31, 23, white}, {24, 16, white},
		{15, 8, black}, {32, 23, black}, {16, 7, black}, {0, 0, black}, {63, 47, black},
	} {
		if got := at(p.x, p.y); got != p.want {
			t.Errorf("pixel (%d,%d) = %v, want %v", p.x, p.y, got, p.want)
		}
	}
}

func TestFitViewLetterboxes(t *testing.T) {
	display := image.Rect(0, 0, 200, 100)
	data := image.Rect(-10, 0, 210, 100)
	v := render.FitView(100, 100, display, data)
	want := render.View{
		Display: render.Rect{X0: 0, Y0: 25, X1: 100, Y1: 75},
		Data:    render.Rect{X0: -5, Y0: 25, X1: 105, Y1: 75},
	}
	if v != want {
		t.Errorf("FitView = %+v, want %+v", v, want)
	}
}

func TestCloseIsSafeTwiceAndOnNil(t *testing.T) {
	rendertest.Call(func() {
		var nilImage *render.Image
		nilImage.Close()
		var nilTarget *render.Target
		nilTarget.Close()
		var nilDisplay *render.Display
		nilDisplay.Close()

		d, err := render.NewDisplay()
		if err != nil {
			t.Error(err)
			return
		}
		d.Close()
		d.Close()
		var im render.Image
		if err := im.Upload(make([]uint16, 4*3*3), 3, 3); err != nil {
			t.Error(err)
		}
		im.Close()
		im.Close()
	})
}

// KeepAlpha writes the image's alpha where the data window lands and makes
// the rest of the display window transparent; colour is the same as
// without it, and without it the target is opaque.
func TestDisplayKeepAlpha(t *testing.T) {
	const tw, th = 40, 30
	display := image.Rect(0, 0, 40, 20)
	data := image.Rect(10, 5, 30, 15)
	w, h := data.Dx(), data.Dy()
	pix := make([]uint16, 4*w*h)
	for i := range w * h {
		a := float32(i%w) / float32(w-1) * 1.5 // above 1 too: a float target keeps it
		for c, v := range [4]float32{0.25 * a, 0.5 * a, a, a} {
			pix[4*i+c] = float16.Fromfloat32(v).Bits()
		}
	}
	v := render.FitView(tw, th, display, data) // display window at rows 5-25, data at (10,10)-(30,20)
	var with, without, covered []float32
	withDisplay(t, pix, w, h, func(d *render.Display, im *render.Image, tg *render.Target) error {
		if err := tg.ResizeFloat(tw, th); err != nil {
			return err
		}
		for _, out := range []*[]float32{&with, &without} {
			*out = make([]float32, 4*tw*th)
			d.Draw(tg, im, v, render.Settings{Transform: render.TransformRaw, KeepAlpha: out == &with})
			if err := tg.ReadFloat(*out); err != nil {
				return err
			}
		}
		// An image over the whole target is drawn without clearing it
		// first: the alpha a KeepAlpha draw left must not show through.
		full := render.View{Display: render.Rect{X1: tw, Y1: th}, Data: render.Rect{X1: tw, Y1: th}}
		d.Draw(tg, im, full, render.Settings{KeepAlpha: true})
		d.Draw(tg, im, full, render.Settings{})
		covered = make([]float32, 4*tw*th)
		return tg.ReadFloat(covered)
	})
	for i := 3; i < len(covered); i += 4 {
		if covered[i] != 1 {
			t.Fatalf("pixel %d of an image over the whole target has alpha %v, want 1", i/4, covered[i])
		}
	}
	for y := range th {
		for x := range tw {
			i := 4 * (y*tw + x)
			wantA := float32(1) // the background
			switch {
			case x >= 10 && x < 30 && y >= 10 && y < 20:
				wantA = float16.Frombits(pix[4*((y-10)*w+x-10)+3]).Float32()
			case y >= 5 && y < 25:
				wantA = 0 // display window outside the data window
			}
			if with[i+3] != wantA || without[i+3] != 1 || [3]float32(with[i:i+3]) != [3]float32(without[i:i+3]) {
				t.Fatalf("pixel (%d,%d): %v with KeepAlpha, %v without; want alpha %v and the same colour",
					x, y, with[i:i+4], without[i:i+4], wantA)
			}
		}
	}
}
