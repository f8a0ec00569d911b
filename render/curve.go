package render

import "math"

// Curve returns what the display pass makes of one linear channel value
// under s in the colour view, on the CPU: exposure, then the display
// transform's curve (clipped to [0, 1] but for TransformRaw), then gamma.
// The display program's curves are polynomial fits of these formulas
// (within 1e-5, TestTransformCurvesExact). s.OCIO is not looked at: an
// OpenColorIO view is applied by its CPU processor. A NaN stays NaN.
func (s Settings) Curve() func(float32) float32 {
	gain := math.Exp2(float64(s.Exposure))
	invGamma := 1.0
	if s.Gamma != 0 && s.Gamma != 1 {
		invGamma = 1 / float64(s.Gamma)
	}
	t := s.Transform
	return func(v float32) float32 {
		x := float64(v) * gain
		if t != TransformRaw && x == x {
			x = math.Max(0, math.Min(1, x))
			switch t {
			case TransformSRGB:
				if x <= 0.0031308 {
					x *= 12.92
				} else {
					x = 1.055*math.Pow(x, 1/2.4) - 0.055
				}
			case TransformRec709:
				if x < 0.018 {
					x *= 4.5
				} else {
					x = 1.099*math.Pow(x, 0.45) - 0.099
				}
			case TransformBT1886:
				x = math.Pow(x, 1/2.4)
			}
		}
		if invGamma != 1 {
			x = math.Copysign(math.Pow(math.Abs(x), invGamma), x)
		}
		return float32(x)
	}
}
