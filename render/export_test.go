package render

import "flick/render/ocio"

// NewColorTransformAsIs is NewColorTransform with OpenColorIO's shader text
// as it is, without ocio.UnrollCurves: the path the rewrite is held equal
// to.
func NewColorTransformAsIs(name string, p *ocio.Processor) (*ColorTransform, error) {
	return newColorTransform(name, p, func(text string) string { return text })
}
