package ui

import (
	"fmt"
	"image"
	"math"

	"github.com/x448/float16"

	"flick/engine"
	"flick/render"
)

// probe is what the pixel probe says about the pixel under the cursor.
type probe struct {
	Pixel  image.Point // in the file's pixel coordinates
	Data   image.Point // from the data window's top-left corner
	Values [4]float32  // the decoded channels (R, G, B, A slots), from the CPU frame
	InData bool        // the pixel is inside the data window (else no values)
	Shown  [4]byte     // the 8-bit value on screen
	// With an OpenColorIO config (OCIO true), what its CPU processor makes
	// of Values at the exposure: the scene-linear value (the scene_linear
	// role's space) and the displayed value, before the 8-bit step.
	OCIO            bool
	Linear, Display [3]float32
	// Exact says whether Values are the file's own (FLOAT and UINT channels
	// decoded as float: exactValues) or the frame's half ones.
	Exact exactState
}

// exactLabels say in the probe where its values come from.
var exactLabels = [...]string{
	exactNotNeeded: "",
	exactPending:   "   (half; reading the file's float values)",
	exactIn:        "   (the file's float values)",
	exactFailed:    "   (half; the file's float values could not be read)",
}

// probeFrame reads the decoded values of pixel p (file pixel coordinates)
// from f's pixels; false when p is outside the data window or f has no
// pixels.
func probeFrame(f *engine.Frame, p image.Point) ([4]float32, bool) {
	var v [4]float32
	dw := f.DataWindow
	if f.Err != nil || !p.In(dw) || len(f.Pix) < 4*dw.Dx()*dw.Dy() {
		return v, false
	}
	i := 4 * ((p.Y-dw.Min.Y)*dw.Dx() + p.X - dw.Min.X)
	for k := range v {
		v[k] = float16.Frombits(f.Pix[i+k]).Float32()
	}
	return v, true
}

func (p probe) String() string {
	s := p.pixelText()
	if p.InData && p.OCIO {
		s += fmt.Sprintf("   scene-linear %.5g %.5g %.5g   displayed %.4f %.4f %.4f", p.Linear[0], p.Linear[1], p.Linear[2],
			p.Display[0], p.Display[1], p.Display[2])
	}
	return s + p.shownText()
}

// pixelText is the pixel and its decoded values (and where they come
// from), or that it is outside the data window.
func (p probe) pixelText() string {
	s := fmt.Sprintf("x %d y %d", p.Pixel.X, p.Pixel.Y)
	if !p.InData {
		return s + "   outside the data window"
	}
	s += fmt.Sprintf(" (data %d,%d)   R %.5g  G %.5g  B %.5g  A %.5g", p.Data.X, p.Data.Y,
		p.Values[0], p.Values[1], p.Values[2], p.Values[3])
	return s + exactLabels[p.Exact]
}

// shownText is the 8-bit value on screen.
func (p probe) shownText() string {
	return fmt.Sprintf("   shown %d %d %d", p.Shown[0], p.Shown[1], p.Shown[2])
}

// pairProbeText is the probe while comparing: A's pixel and values, B's
// (each side's own pixel, pairPixels; "no frame" for a side without one),
// their difference A−B per channel where both sides have values, and the
// value on screen (a's Shown).
func pairProbeText(a, b probe, aFrame, bFrame bool) string {
	side := func(p probe, ok bool) string {
		if !ok {
			return "no frame"
		}
		return p.pixelText()
	}
	s := "A " + side(a, aFrame) + "   B " + side(b, bFrame)
	if aFrame && bFrame && a.InData && b.InData {
		d := [4]float32{}
		for k := range d {
			d[k] = a.Values[k] - b.Values[k]
		}
		s += fmt.Sprintf("   A−B R %.5g  G %.5g  B %.5g  A %.5g", d[0], d[1], d[2], d[3])
	}
	return s + a.shownText()
}

// pairPixels is the image pixel of each side under target position (x, y)
// while comparing in mode m with camera c (which looks at the pair's
// canvas, render.PairCanvas): in the overlay modes each side's own pixel
// under the cursor, through its view from render.PairViews (B's display
// window is fitted into A's); side by side and stacked, the pixel under the
// cursor on the side it is over, and the same image pixel on the other
// side.
func pairPixels(c render.Camera, m render.CompareMode, aDisplay, aData, bDisplay, bData image.Rectangle, x, y float32) (pa, pb image.Point) {
	va, vb := render.PairViews(c, m, aDisplay, aData, bDisplay, bData)
	pa, pb = viewPixel(va, aDisplay, x, y), viewPixel(vb, bDisplay, x, y)
	switch m {
	case render.CompareSide:
		if x >= vb.Display.X0 { // where DrawCompare's B side starts
			return pb, pb
		}
		return pa, pa
	case render.CompareStacked:
		if y >= vb.Display.Y0 {
			return pb, pb
		}
		return pa, pa
	}
	return pa, pb
}

// viewPixel is the image pixel (display window coordinates) of an image
// whose display window display lands at v, under target position (x, y):
// Camera.ImagePixel for a view of any scale.
func viewPixel(v render.View, display image.Rectangle, x, y float32) image.Point {
	sx := (v.Display.X1 - v.Display.X0) / float32(max(1, display.Dx()))
	sy := (v.Display.Y1 - v.Display.Y0) / float32(max(1, display.Dy()))
	return image.Point{
		X: display.Min.X + int(math.Floor(float64((x-v.Display.X0)/sx))),
		Y: display.Min.Y + int(math.Floor(float64((y-v.Display.Y0)/sy))),
	}
}

// comparedProbe is the probe's state while comparing: B's side (A's is
// app.probe) and the frames both were read from.
type comparedProbe struct {
	on             bool // the last probe read was a comparison's
	b              probe
	aFrame, bFrame *engine.Frame // nil: the side shows no frame there
}

// probeCompare reads the probe while comparing in mode m (a render mode:
// A or B alone are probed as the wipe places them) with the cursor at
// target position (mx, my), pixel at: each side's own pixel (pairPixels)
// from the frame it shows, with the file's own values over FLOAT and UINT
// channels as without comparing (exactValues), and the value on screen.
// As the single-source probe, it reads again only when the cursor's
// pixel, the picture or a side's frame changed, or exact values came in.
func (a *app) probeCompare(mx, my float32, at image.Point, drawn bool, m render.CompareMode, pa, pb pairSide) {
	shown := func(p pairSide) *engine.Frame {
		if p.img == nil {
			return nil
		}
		return p.sh.frame
	}
	fa, fb := shown(pa), shown(pb)
	c := &a.cmpProbe
	if c.on && at == a.probeAt && !drawn && c.aFrame == fa && c.bFrame == fb && !a.exact.changed(&a.probeExactGen) {
		return
	}
	if a.exact.wake == nil {
		a.exact.wake = a.win.Wake
	}
	pxA, pxB := pairPixels(a.camera, m, pa.disp, pa.data, pb.disp, pb.data, mx, my)
	read := func(p *probe, f *engine.Frame, px image.Point) {
		*p = probe{Pixel: px}
		if f == nil {
			return
		}
		p.Data = px.Sub(fullData(f).Min)
		lp := levelPixel(f, px)
		if p.Values, p.InData = probeFrame(f, lp); p.InData {
			p.Values, p.Exact = a.exact.lookup(f, lp, p.Values)
		}
	}
	read(&a.probe, fa, pxA)
	read(&c.b, fb, pxB)
	a.probe.Shown, a.probeOK = a.target.Pixel(at.X, at.Y)
	c.on, c.aFrame, c.bFrame = true, fa, fb
	a.probeAt, a.probeFrame = at, nil
}

// probeText is what the status line says of the pixel under the cursor:
// A's, B's and their difference while comparing, else the probe's.
func (a *app) probeText() string {
	if a.ses.comparing() && a.cmpProbe.on {
		c := &a.cmpProbe
		return pairProbeText(a.probe, c.b, c.aFrame != nil, c.bFrame != nil)
	}
	return a.probe.String()
}
