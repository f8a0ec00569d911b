package render_test

import (
	"fmt"
	"image"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/go-gl/gl/v4.5-core/gl"
	"github.com/x448/float16"

	"flick/engine/exr/shared"
	"flick/render"
	"flick/render/ocio"
	"flick/render/rendertest"
)

// reversedImage is testImage(w, h) with its pixels in reverse order: a
// second source that differs from the first almost everywhere.
func reversedImage(w, h int) []uint16 {
	pix := testImage(w, h)
	out := make([]uint16, len(pix))
	for i := range w * h {
		copy(out[4*i:4*i+4], pix[4*(w*h-1-i):4*(w*h-i)])
	}
	return out
}

// flatImage is a w x h image of one RGBA value.
func flatImage(w, h int, v [4]float32) []uint16 {
	pix := make([]uint16, 4*w*h)
	for i := range pix {
		pix[i] = float16.Fromfloat32(v[i%4]).Bits()
	}
	return pix
}

// source is an image to upload: its pixels and size.
type source struct {
	pix  []uint16
	w, h int
}

// withPair runs f on the GL goroutine with a new Display and two Images
// holding a and b, and closes them after.
func withPair(t testing.TB, a, b source, f func(d *render.Display, ia, ib *render.Image) error) {
	t.Helper()
	var err error
	rendertest.Call(func() {
		d, e := render.NewDisplay()
		if e != nil {
			err = e
			return
		}
		defer d.Close()
		var ia, ib render.Image
		defer ia.Close()
		defer ib.Close()
		if err = ia.Upload(a.pix, a.w, a.h); err != nil {
			return
		}
		if err = ib.Upload(b.pix, b.w, b.h); err != nil {
			return
		}
		err = f(d, &ia, &ib)
		if err == nil {
			err = d.Err()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

// readFloat draws with draw into a w x h RGBA32F target and reads it back.
func readFloat(w, h int, draw func(tg *render.Target)) ([]float32, error) {
	var tg render.Target
	defer tg.Close()
	if err := tg.ResizeFloat(w, h); err != nil {
		return nil, err
	}
	draw(&tg)
	out := make([]float32, 4*w*h)
	return out, tg.ReadFloat(out)
}

// read16 draws with draw into a w x h RGBA16 target and reads it back.
func read16(w, h int, draw func(tg *render.Target)) ([]uint16, error) {
	var tg render.Target
	defer tg.Close()
	if err := tg.Resize16(w, h); err != nil {
		return nil, err
	}
	draw(&tg)
	render.Finish()
	out := make([]uint16, 4*w*h)
	return out, tg.ReadRGBA16(out)
}

// The difference of a source with itself (two images of the same pixels,
// each drawn through its own chain) is black wherever the display window
// lands at every gain, and the signed one mid-grey, 0.5 exactly; the
// background stays around it and alpha is 1, KeepAlpha or not; in one
// pass and through intermediates alike.
func TestCompareDifferenceOfItselfIsBlack(t *testing.T) {
	const tw, th, w, h = 64, 48, 37, 16
	display := image.Rect(0, 0, 40, 20)
	data := image.Rect(2, 3, 2+w, 3+h)
	src := source{testImage(w, h), w, h}
	v := render.FitView(tw, th, display, data)
	box := pixels(tw, th, v.Display)
	withPair(t, src, src, func(d *render.Display, ia, ib *render.Image) error {
		for i, rtt := range []bool{false, true} {
			render.ForceRTT(d, rtt)
			n, err := differenceOfItself(d, ia, ib, v, tw, th, box)
			if err != nil {
				return fmt.Errorf("intermediates forced %v: %w", rtt, err)
			}
			// The first round draws every difference in one pass, the
			// second through intermediates.
			if one, r := render.ComparePaths(d); one != n || r != i*n {
				return fmt.Errorf("intermediates forced %v: %d drawn in one pass, %d through intermediates; want %d, %d", rtt, one, r, n, i*n)
			}
		}
		return nil
	})
}

// differenceOfItself checks TestCompareDifferenceOfItselfIsBlack's
// differences of ia and ib and returns how many it drew.
func differenceOfItself(d *render.Display, ia, ib *render.Image, v render.View, tw, th int, box image.Rectangle) (draws int, err error) {
	for _, s := range []render.Settings{{}, {Exposure: 1.5, Gamma: 1.3, KeepAlpha: true}, {Transform: render.TransformRaw}} {
		for _, mode := range []render.CompareMode{render.CompareDifference, render.CompareSigned} {
			for _, gain := range []float32{-4, 0, 4, 10} {
				draws++
				got, err := readFloat(tw, th, func(tg *render.Target) {
					d.DrawCompare(tg, render.Side{Image: ia, View: v, Settings: s}, render.Side{Image: ib, View: v, Settings: s},
						render.Comparison{Mode: mode, Gain: gain})
				})
				if err != nil {
					return draws, err
				}
				want := [4]float32{0, 0, 0, 1}
				if mode == render.CompareSigned {
					want = [4]float32{0.5, 0.5, 0.5, 1}
				}
				bg := [4]float32{render.Background[0], render.Background[1], render.Background[2], 1}
				for y := range th {
					for x := range tw {
						w := bg
						if image.Pt(x, y).In(box) {
							w = want
						}
						if p := [4]float32(got[4*(y*tw+x):]); p != w {
							return draws, fmt.Errorf("%s, gain %v, %+v: pixel (%d,%d) = %v, want %v", mode, gain, s, x, y, p, w)
						}
					}
				}
			}
		}
	}
	return draws, nil
}

// pixels is the box of a tw x th target's pixels that rs together cover,
// rounded as the display pass rounds.
func pixels(tw, th int, rs ...render.Rect) image.Rectangle {
	var b image.Rectangle
	for _, r := range rs {
		b = b.Union(image.Rect(int(math.Round(float64(r.X0))), int(math.Round(float64(r.Y0))),
			int(math.Round(float64(r.X1))), int(math.Round(float64(r.Y1)))))
	}
	return b.Intersect(image.Rect(0, 0, tw, th))
}

// The differences and the blend of two different sources are what the CPU
// makes of each side's own Draw (read back as floats): |A−B|·2^gain and
// 0.5 + (A−B)·2^gain exactly (a power of two scales exactly), the blend at
// 0 and 1 A's and B's Draw bit for bit, at ½ their mean within 1e-6; on a
// 16-bit target, the blend at 0 and 1 is A's and B's own 16-bit Draw
// exactly, and at ½ within one code value of the mean of those. The data
// window overscans the display window, which is smaller than the target:
// the combination covers both windows, the background is around them.
// Sides of one variant (other exposures and gammas) are drawn in one pass
// unless intermediates are forced; sides of different variants always
// through intermediates.
func TestCompareCombinesEachSidesDraw(t *testing.T) {
	const tw, th, w, h = 64, 48, 37, 23
	v := render.FitView(tw, th, image.Rect(0, 0, 33, 16), image.Rect(-2, -1, w-2, h-1))
	withPair(t, source{testImage(w, h), w, h}, source{reversedImage(w, h), w, h}, func(d *render.Display, ia, ib *render.Image) error {
		for _, c := range []struct {
			name   string
			sa, sb render.Settings
			one    bool
		}{
			{"one variant", render.Settings{Exposure: 1, Gamma: 2, Transform: render.TransformRec709},
				render.Settings{Exposure: -0.5, Gamma: 1.5, Transform: render.TransformRec709}, true},
			{"two variants", render.Settings{Exposure: 1}, render.Settings{Gamma: 2, Transform: render.TransformRec709}, false},
		} {
			for _, rtt := range []bool{false, true} {
				render.ForceRTT(d, rtt)
				one0, rtt0 := render.ComparePaths(d)
				n, err := combinesEachSidesDraw(d, ia, ib, v, c.sa, c.sb, tw, th)
				if err != nil {
					return fmt.Errorf("%s, intermediates forced %v: %w", c.name, rtt, err)
				}
				one, r := render.ComparePaths(d)
				wantOne := n
				if rtt || !c.one {
					wantOne = 0
				}
				if one-one0 != wantOne || r-rtt0 != n-wantOne {
					return fmt.Errorf("%s, intermediates forced %v: %d drawn in one pass, %d through intermediates; want %d, %d",
						c.name, rtt, one-one0, r-rtt0, wantOne, n-wantOne)
				}
			}
		}
		return nil
	})
}

// combinesEachSidesDraw checks TestCompareCombinesEachSidesDraw's
// combinations of ia through sa and ib through sb, both in v, and returns
// how many it drew.
func combinesEachSidesDraw(d *render.Display, ia, ib *render.Image, v render.View, sa, sb render.Settings, tw, th int) (int, error) {
	draw := func(c render.Comparison) func(tg *render.Target) {
		return func(tg *render.Target) {
			d.DrawCompare(tg, render.Side{Image: ia, View: v, Settings: sa}, render.Side{Image: ib, View: v, Settings: sb}, c)
		}
	}
	// The single Draws come after the comparisons, through the same
	// programs: a comparison's clip must not stay behind.
	var cmp [][]float32
	cases := []struct {
		c   render.Comparison
		f   func(a, b float32) float32
		tol float64
	}{
		{render.Comparison{Mode: render.CompareDifference, Gain: 3}, func(a, b float32) float32 { return float32(math.Abs(float64(a-b))) * 8 }, 0},
		{render.Comparison{Mode: render.CompareDifference, Gain: -1}, func(a, b float32) float32 { return float32(math.Abs(float64(a-b))) / 2 }, 0},
		{render.Comparison{Mode: render.CompareSigned, Gain: 2}, func(a, b float32) float32 { return 0.5 + (a-b)*4 }, 0},
		{render.Comparison{Mode: render.CompareBlend, Blend: 0}, func(a, b float32) float32 { return a }, 0},
		{render.Comparison{Mode: render.CompareBlend, Blend: 1}, func(a, b float32) float32 { return b }, 0},
		{render.Comparison{Mode: render.CompareBlend, Blend: 0.5}, func(a, b float32) float32 { return (a + b) / 2 }, 1e-6},
	}
	for _, tc := range cases {
		got, err := readFloat(tw, th, draw(tc.c))
		if err != nil {
			return 0, err
		}
		cmp = append(cmp, got)
	}
	var blend16 [3][]uint16
	for i, k := range []float32{0, 1, 0.5} {
		var err error
		if blend16[i], err = read16(tw, th, draw(render.Comparison{Mode: render.CompareBlend, Blend: k})); err != nil {
			return 0, err
		}
	}
	a, err := readFloat(tw, th, func(tg *render.Target) { d.Draw(tg, ia, v, sa) })
	if err != nil {
		return 0, err
	}
	b, err := readFloat(tw, th, func(tg *render.Target) { d.Draw(tg, ib, v, sb) })
	if err != nil {
		return 0, err
	}
	a16, err := read16(tw, th, func(tg *render.Target) { d.Draw(tg, ia, v, sa) })
	if err != nil {
		return 0, err
	}
	b16, err := read16(tw, th, func(tg *render.Target) { d.Draw(tg, ib, v, sb) })
	if err != nil {
		return 0, err
	}
	box := pixels(tw, th, v.Display, v.Data)
	if box == image.Rect(0, 0, tw, th) {
		return 0, fmt.Errorf("the windows cover the target (%v): the background is not tested", box)
	}
	differs := 0
	for i := range tw * th {
		in := image.Pt(i%tw, i/tw).In(box)
		for c := range 4 {
			j := 4*i + c
			if a[j] != b[j] {
				differs++
			}
			for k, tc := range cases {
				want := tc.f(a[j], b[j])
				switch {
				case c == 3:
					want = 1
				case !in:
					want = render.Background[c]
				}
				if d := math.Abs(float64(cmp[k][j] - want)); d > tc.tol || math.IsNaN(d) {
					return 0, fmt.Errorf("%+v: pixel (%d,%d) channel %d = %v, want %v (A %v, B %v)", tc.c, i%tw, i/tw, c, cmp[k][j], want, a[j], b[j])
				}
			}
			if blend16[0][j] != a16[j] || blend16[1][j] != b16[j] {
				return 0, fmt.Errorf("16-bit blend at 0 and 1: pixel (%d,%d) channel %d = %d, %d; A's and B's Draws %d, %d",
					i%tw, i/tw, c, blend16[0][j], blend16[1][j], a16[j], b16[j])
			}
			if d := float64(blend16[2][j]) - (float64(a16[j])+float64(b16[j]))/2; math.Abs(d) > 1 {
				return 0, fmt.Errorf("16-bit blend at ½: pixel (%d,%d) channel %d = %d; A %d, B %d", i%tw, i/tw, c, blend16[2][j], a16[j], b16[j])
			}
		}
	}
	if differs < tw*th {
		return 0, fmt.Errorf("A and B differ in only %d values: the test shows little", differs)
	}
	return len(cases) + len(blend16), nil
}

// A wipe at x = ½ (angle 0) shows A's own Draw left of the line and B's
// right of it, pixel for pixel, each side through its own settings and
// data window; Draws after it are whole again.
func TestCompareWipeHalves(t *testing.T) {
	const tw, th, w, h = 64, 48, 37, 23
	display := image.Rect(0, 0, w, h)
	inset := image.Rect(4, 3, w-5, h-2)
	v := render.FitView(tw, th, display, display)
	vb := render.FitView(tw, th, display, inset)
	sa := render.Settings{Exposure: -1, KeepAlpha: true}
	sb := render.Settings{Gamma: 2}
	withPair(t, source{testImage(w, h), w, h}, source{reversedImage(inset.Dx(), inset.Dy()), inset.Dx(), inset.Dy()},
		func(d *render.Display, ia, ib *render.Image) error {
			got, err := read16(tw, th, func(tg *render.Target) {
				d.DrawCompare(tg, render.Side{Image: ia, View: v, Settings: sa}, render.Side{Image: ib, View: vb, Settings: sb},
					render.Comparison{Mode: render.CompareWipe, WipeX: tw / 2, WipeY: 7})
			})
			if err != nil {
				return err
			}
			a, err := read16(tw, th, func(tg *render.Target) { d.Draw(tg, ia, v, sa) })
			if err != nil {
				return err
			}
			b, err := read16(tw, th, func(tg *render.Target) { d.Draw(tg, ib, vb, sb) })
			if err != nil {
				return err
			}
			for y := range th {
				for x := range tw {
					want, side := a, "A"
					if x >= tw/2 {
						want, side = b, "B"
					}
					i := 4 * (y*tw + x)
					if [4]uint16(got[i:]) != [4]uint16(want[i:]) {
						return fmt.Errorf("pixel (%d,%d) = %v, want %s's %v", x, y, got[i:i+4], side, want[i:i+4])
					}
				}
			}
			return nil
		})
}

// A turned wipe puts each pixel centre on the side its half-plane says
// (A's: −cos θ·(x−X) + sin θ·(y−Y) > 0, y down); turned a quarter
// anticlockwise, A is below the line.
func TestCompareWipeTurned(t *testing.T) {
	const tw, th, w, h = 60, 40, 30, 20
	display := image.Rect(0, 0, w, h)
	v := render.FitView(tw, th, display, display) // scale 2: the whole target
	red, blue := [4]float32{1, 0, 0, 1}, [4]float32{0, 0, 1, 1}
	withPair(t, source{flatImage(w, h, red), w, h}, source{flatImage(w, h, blue), w, h}, func(d *render.Display, ia, ib *render.Image) error {
		for _, c := range []struct{ x, y, angle float32 }{{30, 20, 90}, {23.3, 17.6, 30}, {40, 10, -65}, {10, 30, 180}} {
			var got []byte
			var tg render.Target
			if err := tg.Resize(tw, th); err != nil {
				return err
			}
			d.DrawCompare(&tg, render.Side{Image: ia, View: v}, render.Side{Image: ib, View: v},
				render.Comparison{Mode: render.CompareWipe, WipeX: c.x, WipeY: c.y, WipeAngle: c.angle})
			got = make([]byte, 4*tw*th)
			err := tg.ReadRGBA(got)
			tg.Close()
			if err != nil {
				return err
			}
			sin, cos := math.Sincos(float64(c.angle) * math.Pi / 180)
			for y := range th {
				for x := range tw {
					dist := -cos*(float64(x)+0.5-float64(c.x)) + sin*(float64(y)+0.5-float64(c.y))
					if math.Abs(dist) < 1e-3 {
						continue
					}
					want := [4]byte{0, 0, 255, 255}
					if dist > 0 {
						want = [4]byte{255, 0, 0, 255}
					}
					if p := [4]byte(got[4*(y*tw+x):]); p != want {
						return fmt.Errorf("wipe %+v: pixel (%d,%d) = %v, want %v", c, x, y, p, want)
					}
				}
			}
			if c.angle == 90 { // independent of the formula: A below
				if got[4*((th-1)*tw+tw/2)] != 255 || got[4*(tw/2)+2] != 255 {
					return fmt.Errorf("wipe turned 90°: bottom %v, top %v; want A (red) below, B (blue) above",
						got[4*((th-1)*tw+tw/2):][:4], got[4*(tw/2):][:4])
				}
			}
		}
		return nil
	})
}

// Side by side and stacked place both sources at the same scale, each
// half the single Draw of its source through PairViews's view, for
// sources of different sizes and data windows.
func TestCompareSideBySide(t *testing.T) {
	const tw, th = 150, 110
	aDisplay, aData := image.Rect(0, 0, 37, 23), image.Rect(0, 0, 37, 23)
	bDisplay, bData := image.Rect(0, 0, 20, 30), image.Rect(2, 1, 18, 29)
	withPair(t, source{testImage(37, 23), 37, 23}, source{reversedImage(16, 28), 16, 28}, func(d *render.Display, ia, ib *render.Image) error {
		for _, mode := range []render.CompareMode{render.CompareSide, render.CompareStacked} {
			cam := render.Fit(tw, th, render.PairCanvas(mode, aDisplay, bDisplay))
			va, vb := render.PairViews(cam, mode, aDisplay, aData, bDisplay, bData)
			if ka, kb := (va.Data.X1-va.Data.X0)/37, (vb.Data.X1-vb.Data.X0)/16; ka != kb || ka != cam.Scale {
				return fmt.Errorf("%s: A shown at %v, B at %v, camera %v", mode, ka, kb, cam.Scale)
			}
			sa, sb := render.Settings{Exposure: 1}, render.Settings{Channels: render.ChannelG}
			got, err := read16(tw, th, func(tg *render.Target) {
				d.DrawCompare(tg, render.Side{Image: ia, View: va, Settings: sa}, render.Side{Image: ib, View: vb, Settings: sb},
					render.Comparison{Mode: mode})
			})
			if err != nil {
				return err
			}
			a, err := read16(tw, th, func(tg *render.Target) { d.Draw(tg, ia, va, sa) })
			if err != nil {
				return err
			}
			b, err := read16(tw, th, func(tg *render.Target) { d.Draw(tg, ib, vb, sb) })
			if err != nil {
				return err
			}
			for y := range th {
				for x := range tw {
					inB := float32(x)+0.5 >= vb.Display.X0
					if mode == render.CompareStacked {
						inB = float32(y)+0.5 >= vb.Display.Y0
					}
					want, side := a, "A"
					if inB {
						want, side = b, "B"
					}
					i := 4 * (y*tw + x)
					if [4]uint16(got[i:]) != [4]uint16(want[i:]) {
						return fmt.Errorf("%s: pixel (%d,%d) = %v, want %s's %v", mode, x, y, got[i:i+4], side, want[i:i+4])
					}
				}
			}
		}
		return nil
	})
}

func TestPairCanvasAndViews(t *testing.T) {
	a, b := image.Rect(10, 20, 110, 70), image.Rect(0, 0, 40, 80) // 100x50 and 40x80
	same := image.Rect(5, 5, 105, 55)
	cam := render.Camera{Scale: 2, X: 3, Y: 4}
	for _, tc := range []struct {
		name       string
		m          render.CompareMode
		a, b       image.Rectangle
		canvas     image.Rectangle
		wantA, wnB render.Rect // display windows in the target
	}{
		{"wipe equal", render.CompareWipe, a, same, a, render.Rect{X0: 3, Y0: 4, X1: 203, Y1: 104}, render.Rect{X0: 3, Y0: 4, X1: 203, Y1: 104}},
		// B (40x80) fitted into A (100x50): 0.625 of A's scale, centred
		// across.
		{"diff other size", render.CompareDifference, a, b, a, render.Rect{X0: 3, Y0: 4, X1: 203, Y1: 104}, render.Rect{X0: 78, Y0: 4, X1: 128, Y1: 104}},
		{"side equal", render.CompareSide, a, same, image.Rect(10, 20, 210, 70), render.Rect{X0: 3, Y0: 4, X1: 203, Y1: 104}, render.Rect{X0: 203, Y0: 4, X1: 403, Y1: 104}},
		// B taller: the canvas is B's height, A centred in it.
		{"side other size", render.CompareSide, a, b, image.Rect(10, 5, 150, 85), render.Rect{X0: 3, Y0: 34, X1: 203, Y1: 134}, render.Rect{X0: 203, Y0: 4, X1: 283, Y1: 164}},
		{"vside equal", render.CompareStacked, a, same, image.Rect(10, 20, 110, 120), render.Rect{X0: 3, Y0: 4, X1: 203, Y1: 104}, render.Rect{X0: 3, Y0: 104, X1: 203, Y1: 204}},
		// B narrower: centred under A.
		{"vside other size", render.CompareStacked, a, b, image.Rect(10, 20, 110, 150), render.Rect{X0: 3, Y0: 4, X1: 203, Y1: 104}, render.Rect{X0: 63, Y0: 104, X1: 143, Y1: 264}},
	} {
		if got := render.PairCanvas(tc.m, tc.a, tc.b); got != tc.canvas {
			t.Errorf("%s: PairCanvas = %v, want %v", tc.name, got, tc.canvas)
		}
		aData := tc.a.Inset(1)
		bData := tc.b.Inset(2)
		va, vb := render.PairViews(cam, tc.m, tc.a, aData, tc.b, bData)
		if va.Display != tc.wantA || vb.Display != tc.wnB {
			t.Errorf("%s: display windows land at %+v and %+v, want %+v and %+v", tc.name, va.Display, vb.Display, tc.wantA, tc.wnB)
		}
		// Each data window keeps its place in its display window, at its
		// side's scale.
		for _, s := range []struct {
			v             render.View
			display, data image.Rectangle
		}{{va, tc.a, aData}, {vb, tc.b, bData}} {
			k := (s.v.Display.X1 - s.v.Display.X0) / float32(s.display.Dx())
			want := s.v.Display.X0 + float32(s.data.Min.X-s.display.Min.X)*k
			if s.v.Data.X0 != want || (s.v.Data.Y1-s.v.Data.Y0) != float32(s.data.Dy())*k {
				t.Errorf("%s: data window %+v in display %+v, want it at x %v, %v high", tc.name, s.v.Data, s.v.Display, want, float32(s.data.Dy())*k)
			}
		}
	}
}

func TestParseCompareMode(t *testing.T) {
	names := render.CompareModeNames()
	if len(names) != 6 {
		t.Fatalf("CompareModeNames = %v", names)
	}
	for i, n := range names {
		m, err := render.ParseCompareMode(n)
		if err != nil || m != render.CompareMode(i) || m.String() != n {
			t.Errorf("ParseCompareMode(%q) = %v, %v", n, m, err)
		}
	}
	if m, err := render.ParseCompareMode("VSide"); err != nil || m != render.CompareStacked {
		t.Errorf("ParseCompareMode(VSide) = %v, %v", m, err)
	}
	if _, err := render.ParseCompareMode("over"); err == nil {
		t.Error("ParseCompareMode(over): no error")
	}
}

// Every mode's GL objects and programs go with the Display's Close, the
// intermediates included.
func TestCompareLeaksNothing(t *testing.T) {
	const w, h = 21, 13
	var before render.Objects
	var programs int
	rendertest.Call(func() { before, programs = render.LiveObjects(), render.LivePrograms() })
	withPair(t, source{testImage(w, h), w, h}, source{reversedImage(w, h), w, h}, func(d *render.Display, ia, ib *render.Image) error {
		r := image.Rect(0, 0, w, h)
		for m := range render.CompareMode(len(render.CompareModeNames())) {
			for _, size := range [][2]int{{40, 30}, {50, 20}} {
				_, err := readFloat(size[0], size[1], func(tg *render.Target) {
					cam := render.Fit(size[0], size[1], render.PairCanvas(m, r, r))
					va, vb := render.PairViews(cam, m, r, r, r, r)
					d.DrawCompare(tg, render.Side{Image: ia, View: va}, render.Side{Image: ib, View: vb},
						render.Comparison{Mode: m, Blend: 0.3, Gain: 1, WipeX: 20, WipeAngle: 10})
				})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	rendertest.Call(func() {
		if got, p := render.LiveObjects(), render.LivePrograms(); got != before || p != programs {
			t.Errorf("after Close: %+v and %d programs live, want %+v and %d", got, p, before, programs)
		}
	})
}

// BenchmarkCompare times a frame of each compare mode drawn from two
// 1920x1080 images into a 1920x1080 RGBA8 target (the viewer's, fitted:
// every image pixel one target pixel; side by side halves it), each waited
// for (glFinish), against a single Draw of one image: blend and diff in
// one pass, diff-rtt through intermediates (forced), side2x side by side
// into a 3840x1080 target (an export's: every pixel drawn, nothing
// cleared). cpu-ms/op is the process's user+sys CPU time (llvmpipe's
// threads included) per frame.
func BenchmarkCompare(b *testing.B) {
	const w, h = 1920, 1080
	r := image.Rect(0, 0, w, h)
	a, bb := source{testImage(w, h), w, h}, source{reversedImage(w, h), w, h}
	for _, c := range []struct {
		name string
		mode render.CompareMode
		tw   int  // the target's width
		rtt  bool // intermediates forced
	}{{"single", -1, w, false}, {"wipe", render.CompareWipe, w, false}, {"side", render.CompareSide, w, false},
		{"side2x", render.CompareSide, 2 * w, false}, {"diff", render.CompareDifference, w, false},
		{"blend", render.CompareBlend, w, false}, {"diff-rtt", render.CompareDifference, w, true}} {
		b.Run(c.name, func(b *testing.B) {
			withPair(b, a, bb, func(d *render.Display, ia, ib *render.Image) error {
				var tg render.Target
				defer tg.Close()
				if err := tg.Resize(c.tw, h); err != nil {
					return err
				}
				render.ForceRTT(d, c.rtt)
				v := render.FitView(w, h, r, r)
				cam := render.Fit(c.tw, h, render.PairCanvas(c.mode, r, r))
				va, vb := render.PairViews(cam, c.mode, r, r, r, r)
				draw := func() {
					switch c.name {
					case "single":
						d.Draw(&tg, ia, v, render.Settings{})
					default:
						d.DrawCompare(&tg, render.Side{Image: ia, View: va}, render.Side{Image: ib, View: vb},
							render.Comparison{Mode: c.mode, WipeX: w / 2, Blend: 0.5, Gain: 2})
					}
				}
				draw() // compiles
				gl.Finish()
				cpu0 := cpuTime()
				b.ResetTimer()
				for range b.N {
					draw()
					gl.Finish()
				}
				b.StopTimer()
				b.ReportMetric(float64(cpuTime()-cpu0)/1e6/float64(b.N), "cpu-ms/op")
				if one, rtt := render.ComparePaths(d); c.mode >= render.CompareBlend && (one > 0 || rtt > 0) && (one > 0) == c.rtt {
					return fmt.Errorf("%d drawn in one pass, %d through intermediates", one, rtt)
				}
				return nil
			})
		})
	}
}

// cpuTime is the process's user+sys CPU time so far.
func cpuTime() time.Duration {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// DrawCompare, drawn each UI frame while comparing, allocates nothing in
// steady state, in any mode.
func TestCompareAllocatesNothing(t *testing.T) {
	const w, h = 21, 13
	withPair(t, source{testImage(w, h), w, h}, source{reversedImage(w, h), w, h}, func(d *render.Display, ia, ib *render.Image) error {
		var tg render.Target
		defer tg.Close()
		if err := tg.Resize(50, 40); err != nil {
			return err
		}
		r := image.Rect(0, 0, w, h)
		for m := range render.CompareMode(len(render.CompareModeNames())) {
			va, vb := render.PairViews(render.Fit(50, 40, render.PairCanvas(m, r, r)), m, r, r, r, r)
			a, b := render.Side{Image: ia, View: va}, render.Side{Image: ib, View: vb}
			c := render.Comparison{Mode: m, WipeX: 25, WipeAngle: 20, Blend: 0.25, Gain: 3}
			if n := testing.AllocsPerRun(50, func() { d.DrawCompare(&tg, a, b, c) }); n != 0 {
				return fmt.Errorf("%s: %v allocations per DrawCompare", m, n)
			}
		}
		return nil
	})
}

// pairSide is one side of a comparison a test sets up: its pixels, display
// and data windows (the pixels' size), settings and upload mode.
type pairSide struct {
	pix           []uint16
	display, data image.Rectangle
	s             render.Settings
	pinned        bool
}

// One pass and intermediates give the same floats, bit for bit, for every
// way a side can be drawn in one program: nearest, one tap, a box of taps,
// mipmaps, pinned buffer images, channels with checker and NaN flags, an
// OpenColorIO transform with a 3D LUT, other exposures and gammas, sources
// of other sizes fitted into A's display window, data windows inset and
// overscanning; sides whose variants differ (sampling, transform, image
// kind) are drawn through intermediates even when not forced to.
func TestCompareOnePassEqualsRTT(t *testing.T) {
	var pinned bool
	rendertest.Call(func() { pinned = render.PinnedUploads() })
	c := loadOCIO(t, shared.File(t, "ocio", "lut-show/config.ocio"))
	lut, _ := newTransform(t, c, ocio.DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT"})
	grade, _ := newTransform(t, c, ocio.DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT + grade"})
	defer rendertest.Call(func() { lut.Close(); grade.Close() })
	d := newDisplay(t)
	at := func(pix []uint16, w, h int) pairSide {
		r := image.Rect(0, 0, w, h)
		return pairSide{pix: pix, display: r, data: r}
	}
	with := func(p pairSide, f func(*pairSide)) pairSide { f(&p); return p }
	a3723, b3723 := at(testImage(37, 23), 37, 23), at(reversedImage(37, 23), 37, 23)
	a60, b60 := at(testImage(60, 40), 60, 40), at(reversedImage(60, 40), 60, 40)
	sa := render.Settings{Exposure: 0.5, Gamma: 1.4}
	sb := render.Settings{Exposure: -1, Gamma: 2.2}
	cases := []struct {
		name   string
		tw, th int
		a, b   pairSide
		one    bool
	}{
		{"magnified, overscan and inset", 64, 48,
			with(a3723, func(p *pairSide) { p.display, p.s = image.Rect(2, 1, 33, 20), sa }),
			with(at(reversedImage(29, 17), 29, 17), func(p *pairSide) { p.display, p.data, p.s = image.Rect(0, 0, 37, 23), image.Rect(4, 3, 33, 20), sb }),
			true},
		{"one tap", 48, 32, with(a60, func(p *pairSide) { p.s = sa }), with(b60, func(p *pairSide) { p.s = sb }), true},
		{"box of taps", 20, 14, with(a60, func(p *pairSide) { p.s = sa }), with(b60, func(p *pairSide) { p.s = sb }), true},
		{"mipmapped", 5, 3, at(testImage(200, 100), 200, 100), at(reversedImage(200, 100), 200, 100), true},
		{"other size fitted", 64, 48, a3723,
			with(at(reversedImage(16, 28), 16, 28), func(p *pairSide) { p.display, p.data = image.Rect(0, 0, 20, 30), image.Rect(2, 1, 18, 29) }), true},
		{"channels, checker, NaN", 40, 30,
			with(at(specialImage(37, 23), 37, 23), func(p *pairSide) {
				p.s = render.Settings{Channels: render.ChannelLuminance, Checker: true, ShowNaN: true, Exposure: 1}
			}),
			with(b3723, func(p *pairSide) {
				p.s = render.Settings{Channels: render.ChannelLuminance, Checker: true, ShowNaN: true}
			}), true},
		{"OpenColorIO", 64, 48, with(a3723, func(p *pairSide) { p.s = render.Settings{OCIO: lut, Exposure: 1} }),
			with(b3723, func(p *pairSide) { p.s = render.Settings{OCIO: lut, KeepAlpha: true} }), true},
		{"pinned", 20, 14, with(a60, func(p *pairSide) { p.pinned = pinned }), with(b60, func(p *pairSide) { p.pinned = pinned }), true},
		{"nearest and box", 20, 14, at(testImage(15, 10), 15, 10), b60, false},
		{"two OpenColorIO transforms", 64, 48, with(a3723, func(p *pairSide) { p.s.OCIO = lut }),
			with(b3723, func(p *pairSide) { p.s.OCIO = grade }), false},
		{"two transforms", 64, 48, a3723, with(b3723, func(p *pairSide) { p.s.Transform = render.TransformBT1886 }), false},
		{"pinned and texture", 20, 14, with(a60, func(p *pairSide) { p.pinned = pinned }), b60, !pinned},
	}
	comparisons := []render.Comparison{{Mode: render.CompareBlend, Blend: 0.3}, {Mode: render.CompareBlend, Blend: 1},
		{Mode: render.CompareDifference, Gain: 3}, {Mode: render.CompareSigned, Gain: -1}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			rendertest.Call(func() {
				var ia, ib render.Image
				defer ia.Close()
				defer ib.Close()
				for _, s := range []struct {
					im *render.Image
					p  pairSide
				}{{&ia, tc.a}, {&ib, tc.b}} {
					if s.p.pinned {
						s.im.Mode = render.UploadPinned
					}
					if err = s.im.Upload(s.p.pix, s.p.data.Dx(), s.p.data.Dy()); err != nil {
						return
					}
				}
				cam := render.Fit(tc.tw, tc.th, render.PairCanvas(render.CompareDifference, tc.a.display, tc.b.display))
				va, vb := render.PairViews(cam, render.CompareDifference, tc.a.display, tc.a.data, tc.b.display, tc.b.data)
				a, b := render.Side{Image: &ia, View: va, Settings: tc.a.s}, render.Side{Image: &ib, View: vb, Settings: tc.b.s}
				for _, c := range comparisons {
					var got [2][]float32
					for i, rtt := range []bool{false, true} {
						render.ForceRTT(d, rtt)
						one0, rtt0 := render.ComparePaths(d)
						if got[i], err = readFloat(tc.tw, tc.th, func(tg *render.Target) { d.DrawCompare(tg, a, b, c) }); err != nil {
							return
						}
						if one, _ := render.ComparePaths(d); (one > one0) != (tc.one && !rtt) {
							err = fmt.Errorf("%+v, intermediates forced %v: drawn in one pass %v (paths %d, %d before, %d after)",
								c, rtt, one > one0, one0, rtt0, one)
							return
						}
					}
					for j := range got[0] {
						if x, y := got[0][j], got[1][j]; math.Float32bits(x) != math.Float32bits(y) && !(x != x && y != y) {
							err = fmt.Errorf("%+v: pixel (%d,%d) channel %d: one pass %v, intermediates %v", c, j/4%tc.tw, j/4/tc.tw, j%4, x, y)
							return
						}
					}
				}
				render.ForceRTT(d, false)
				err = d.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Side by side and stacked skip the clears their passes make needless
// (all of them where both data windows fill the target, as in an export),
// and yet nothing the target held before shows through: each pixel is A's
// or B's own Draw, for data windows that fill their display windows, inset
// and overscanning (cut at the line), whole and fractional placements; a
// wipe over data windows that differ too.
func TestCompareClearsWhatPassesLeave(t *testing.T) {
	full := image.Rect(0, 0, 30, 20)
	inset, over := image.Rect(3, 2, 26, 17), image.Rect(-4, -3, 34, 24)
	old := flatImage(4, 4, [4]float32{1, 0, 1, 1}) // magenta: what the target held
	for _, tc := range []struct {
		name         string
		mode         render.CompareMode
		tw, th       int
		cam          *render.Camera // nil: fitted to the canvas
		aData, bData image.Rectangle
	}{
		{"side, export", render.CompareSide, 60, 20, nil, full, full},
		{"side, letterboxed", render.CompareSide, 70, 50, nil, full, full},
		{"side, overscan and inset", render.CompareSide, 70, 50, nil, over, inset},
		{"side, fractional", render.CompareSide, 90, 40, &render.Camera{Scale: 1.37, X: 3.3, Y: 2.6}, over, full},
		{"side, inset A", render.CompareSide, 60, 20, nil, inset, over},
		{"vside, export", render.CompareStacked, 30, 40, nil, full, full},
		{"vside, overscan", render.CompareStacked, 50, 70, &render.Camera{Scale: 1.21, X: 4.5, Y: 1.7}, over, inset},
		{"wipe, inset B", render.CompareWipe, 60, 40, nil, full, inset},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := source{testImage(tc.aData.Dx(), tc.aData.Dy()), tc.aData.Dx(), tc.aData.Dy()}
			b := source{reversedImage(tc.bData.Dx(), tc.bData.Dy()), tc.bData.Dx(), tc.bData.Dy()}
			withPair(t, a, b, func(d *render.Display, ia, ib *render.Image) error {
				var junk render.Image
				defer junk.Close()
				if err := junk.Upload(old, 4, 4); err != nil {
					return err
				}
				cam := render.Fit(tc.tw, tc.th, render.PairCanvas(tc.mode, full, full))
				if tc.cam != nil {
					cam = *tc.cam
				}
				va, vb := render.PairViews(cam, tc.mode, full, tc.aData, full, tc.bData)
				sa, sb := render.Settings{Exposure: 1}, render.Settings{KeepAlpha: true}
				got, err := read16(tc.tw, tc.th, func(tg *render.Target) {
					d.Draw(tg, &junk, render.View{Display: render.Rect{X1: float32(tc.tw), Y1: float32(tc.th)},
						Data: render.Rect{X1: float32(tc.tw), Y1: float32(tc.th)}}, render.Settings{})
					d.DrawCompare(tg, render.Side{Image: ia, View: va, Settings: sa}, render.Side{Image: ib, View: vb, Settings: sb},
						render.Comparison{Mode: tc.mode, WipeX: float32(tc.tw / 2)})
				})
				if err != nil {
					return err
				}
				wa, err := read16(tc.tw, tc.th, func(tg *render.Target) { d.Draw(tg, ia, va, sa) })
				if err != nil {
					return err
				}
				wb, err := read16(tc.tw, tc.th, func(tg *render.Target) { d.Draw(tg, ib, vb, sb) })
				if err != nil {
					return err
				}
				for y := range tc.th {
					for x := range tc.tw {
						var inB bool
						switch tc.mode {
						case render.CompareSide:
							inB = float32(x)+0.5 >= vb.Display.X0
						case render.CompareStacked:
							inB = float32(y)+0.5 >= vb.Display.Y0
						default:
							inB = x >= tc.tw/2
						}
						want, side := wa, "A"
						if inB {
							want, side = wb, "B"
						}
						i := 4 * (y*tc.tw + x)
						if [4]uint16(got[i:]) != [4]uint16(want[i:]) {
							return fmt.Errorf("pixel (%d,%d) = %v, want %s's %v", x, y, got[i:i+4], side, want[i:i+4])
						}
					}
				}
				return nil
			})
		})
	}
}
