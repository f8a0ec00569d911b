package ui

import (
	"fmt"
	"image"

	"github.com/x448/float16"

	"flick/engine"
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
	s := fmt.Sprintf("x %d y %d", p.Pixel.X, p.Pixel.Y)
	if p.InData {
		s += fmt.Sprintf(" (data %d,%d)   R %.5g  G %.5g  B %.5g  A %.5g", p.Data.X, p.Data.Y,
			p.Values[0], p.Values[1], p.Values[2], p.Values[3])
		s += exactLabels[p.Exact]
		if p.OCIO {
			s += fmt.Sprintf("   scene-linear %.5g %.5g %.5g   displayed %.4f %.4f %.4f", p.Linear[0], p.Linear[1], p.Linear[2],
				p.Display[0], p.Display[1], p.Display[2])
		}
	} else {
		s += "   outside the data window"
	}
	return s + fmt.Sprintf("   shown %d %d %d", p.Shown[0], p.Shown[1], p.Shown[2])
}
