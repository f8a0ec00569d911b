package render

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/go-gl/gl/v4.5-core/gl"

	"flick/render/ocio"
)

// The names OpenColorIO's shader text gets in the display program.
const (
	ocioFunction = "flickOCIO"
	ocioPrefix   = "flick_ocio_"
)

// lutUnit0 is the texture unit of a ColorTransform's first LUT: unit 0 is
// the image's, and units 0 and 1 are the ones Draw saves for Dear ImGui.
const lutUnit0 = 2

// ColorTransform is an OpenColorIO display transform prepared for the
// display program (Settings.OCIO): OpenColorIO's GLSL function and LUTs,
// copied out of a processor by NewColorTransform (any goroutine; the
// processor may be closed after). Its GL objects, the LUT textures and the
// display programs compiled with it, are made on the GL goroutine by the
// first Draw that uses it and kept until Close: a caller keeps one per
// processor, so that going back to a transform used before builds nothing.
type ColorTransform struct {
	name   string
	shader *ocio.GPUShader
	// GL goroutine only:
	luts     []lutTexture
	programs map[variant]*program
	closed   bool
}

// lutTexture is one LUT's texture and the unit Draw binds it to.
type lutTexture struct {
	tex, unit uint32
	sampler   string // the GLSL sampler uniform reading it
}

// NewColorTransform extracts p's GPU shader, its B-spline curves unrolled
// for llvmpipe (ocio.UnrollCurves: the same values); name says what it is
// in messages (e.g. "ACEScg to sRGB - Display / ACES 1.0 - SDR Video"). It
// costs milliseconds: build one when the choice changes, never per frame.
func NewColorTransform(name string, p *ocio.Processor) (*ColorTransform, error) {
	return newColorTransform(name, p, ocio.UnrollCurves)
}

// newColorTransform is NewColorTransform with rewrite applied to the
// shader's text.
func newColorTransform(name string, p *ocio.Processor, rewrite func(string) string) (*ColorTransform, error) {
	sh, err := p.GPUShader(ocioFunction, ocioPrefix)
	if err != nil {
		return nil, err
	}
	sh.Text = rewrite(sh.Text)
	return &ColorTransform{name: name, shader: sh, programs: map[variant]*program{}}, nil
}

func (c *ColorTransform) String() string { return c.name }

// errClosedTransform is the display's error when drawn through a closed
// ColorTransform.
var errClosedTransform = errors.New("OpenColorIO transform used after Close")

// prepare makes the LUT textures on first use. GL goroutine only.
func (c *ColorTransform) prepare() error {
	if c.closed {
		return fmt.Errorf("%s: %w", c.name, errClosedTransform)
	}
	if c.luts != nil || len(c.shader.LUTs) == 0 {
		return nil
	}
	var prev [len(unpackState)]int32
	packedUnpack(&prev, 4) // rows of float32 texels
	defer restoreUnpack(&prev)
	for i, l := range c.shader.LUTs {
		internal, format := uint32(gl.R32F), uint32(gl.RED)
		if l.RGB {
			internal, format = gl.RGB32F, gl.RGB
		}
		w, h, depth := int32(l.Width), int32(l.Height), int32(l.Depth)
		px := unsafe.Pointer(&l.Values[0])
		var tex uint32
		switch l.Dims() {
		case 1:
			tex = newTexture(gl.TEXTURE_1D)
			gl.TextureStorage1D(tex, 1, internal, w)
			gl.TextureSubImage1D(tex, 0, 0, w, format, gl.FLOAT, px)
		case 2:
			tex = newTexture(gl.TEXTURE_2D)
			gl.TextureStorage2D(tex, 1, internal, w, h)
			gl.TextureSubImage2D(tex, 0, 0, 0, w, h, format, gl.FLOAT, px)
		default:
			tex = newTexture(gl.TEXTURE_3D)
			gl.TextureStorage3D(tex, 1, internal, w, h, depth)
			gl.TextureSubImage3D(tex, 0, 0, 0, 0, w, h, depth, format, gl.FLOAT, px)
			gl.TextureParameteri(tex, gl.TEXTURE_WRAP_R, gl.CLAMP_TO_EDGE)
		}
		filter := int32(gl.LINEAR)
		// OpenColorIO's tetrahedral code fetches texel centres itself:
		// nearest gives the same values, and on llvmpipe several times
		// faster than trilinear filtering.
		if l.Interpolation == ocio.InterpNearest || l.Interpolation == ocio.InterpTetrahedral {
			filter = gl.NEAREST
		}
		gl.TextureParameteri(tex, gl.TEXTURE_MIN_FILTER, filter)
		gl.TextureParameteri(tex, gl.TEXTURE_MAG_FILTER, filter)
		gl.TextureParameteri(tex, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
		gl.TextureParameteri(tex, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
		c.luts = append(c.luts, lutTexture{tex: tex, unit: uint32(lutUnit0 + i), sampler: l.Sampler})
	}
	return nil
}

// bind binds the LUT textures to their units; unbind clears those units.
func (c *ColorTransform) bind() {
	for _, l := range c.luts {
		gl.BindTextureUnit(l.unit, l.tex)
	}
}

func (c *ColorTransform) unbind() {
	for _, l := range c.luts {
		gl.BindTextureUnit(l.unit, 0)
	}
}

// setSamplers points each LUT sampler of prog at its unit.
func (c *ColorTransform) setSamplers(prog uint32) {
	for _, l := range c.luts {
		gl.ProgramUniform1i(prog, gl.GetUniformLocation(prog, gl.Str(l.sampler+"\x00")), int32(l.unit))
	}
}

// Close deletes the LUT textures and the programs compiled with c. GL
// goroutine only; safe on nil and safe twice. A Draw through c afterwards
// draws nothing over the black and reports an error through Display.Err.
func (c *ColorTransform) Close() {
	if c == nil || c.closed {
		return
	}
	c.closed = true
	for i := range c.luts {
		deleteTexture(&c.luts[i].tex)
	}
	c.luts = nil
	for v, p := range c.programs {
		deleteProgram(&p.prog)
		delete(c.programs, v)
	}
}
