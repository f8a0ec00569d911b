package render

import "flick/render/ocio"

// NewColorTransformAsIs is NewColorTransform with OpenColorIO's shader text
// as it is, without ocio.UnrollCurves: the path the rewrite is held equal
// to.
func NewColorTransformAsIs(name string, p *ocio.Processor) (*ColorTransform, error) {
	return newColorTransform(name, p, func(text string) string { return text })
}

// ComparePaths returns how many blends and differences d has drawn in one
// pass and through intermediates (render-to-texture).
func ComparePaths(d *Display) (onePass, rtt int) { return d.cmp.onePass, d.cmp.rtt }

// ForceRTT makes d draw blend and the differences through intermediates
// even where one pass could (on) or not (off).
func ForceRTT(d *Display, on bool) { d.cmp.forceRTT = on }
