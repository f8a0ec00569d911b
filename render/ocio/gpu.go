package ocio

/*
#include <stdlib.h>
#include "ocio.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"
)

// Interpolation is how a LUT texture is meant to be sampled (OpenColorIO's
// Interpolation values).
type Interpolation int

// The interpolations a shader's LUTs ask for.
const (
	InterpUnknown     Interpolation = 0
	InterpNearest     Interpolation = 1
	InterpLinear      Interpolation = 2
	InterpTetrahedral Interpolation = 3 // 3D LUTs: the shader's own code, at texel centres
	InterpCubic       Interpolation = 4
	InterpDefault     Interpolation = 254
	InterpBest        Interpolation = 255
)

// LUT is one texture a GPUShader samples, copied out of OpenColorIO.
type LUT struct {
	// Name is OpenColorIO's name for the texture; Sampler the name of the
	// GLSL sampler uniform that reads it (sampler1D when Height is 1 and
	// Depth 0, sampler2D when Depth is 0, else sampler3D).
	Name, Sampler string
	// Width, Height and Depth are its size in texels; Depth is 0 for a 1D
	// or 2D texture (a long 1D LUT comes folded into rows).
	Width, Height, Depth int
	// RGB is true for three floats per texel, false for red only.
	RGB           bool
	Interpolation Interpolation
	// Values are the texels, row by row (slice by slice), Width first.
	Values []float32
}

// Dims is the texture's dimensionality: 1, 2 or 3.
func (l LUT) Dims() int {
	switch {
	case l.Depth > 0:
		return 3
	case l.Height > 1:
		return 2
	}
	return 1
}

// GPUShader is a processor's transform as GLSL 4.0 (OpenColorIO's
// GPU_LANGUAGE_GLSL_4_0): Text declares the LUTs' samplers and defines
// vec4 Function(vec4 inPixel). Everything is a Go copy: it outlives the
// Processor and holds no C memory.
type GPUShader struct {
	Function string
	Text     string
	LUTs     []LUT // the 1D/2D textures, then the 3D ones
}

// GPUShader extracts the processor's GPU shader, with a function named
// function and its resources (samplers, helper functions) named with
// prefix, so that it can join another program. A transform that needs
// uniforms (dynamic properties) is refused: flick sets none.
func (p *Processor) GPUShader(function, prefix string) (*GPUShader, error) {
	if p == nil || p.h == nil {
		return nil, &Error{Op: "GPU shader", Name: p.nameOrNil(), Msg: errClosed.Error()}
	}
	s, free := cstrings(function, prefix)
	defer free()
	var msg [msgLen]C.char
	g := C.flick_ocio_gpu_new(p.h, s[0], s[1], &msg[0], msgLen)
	runtime.KeepAlive(p)
	if g == nil {
		return nil, &Error{Op: "GPU shader", Name: p.name, Msg: message(msg[:])}
	}
	defer C.flick_ocio_gpu_free(g)
	var n1, n3, nu C.unsigned
	sh := &GPUShader{Function: function, Text: C.GoString(C.flick_ocio_gpu_text(g, &n1, &n3, &nu))}
	if nu > 0 {
		return nil, &Error{Op: "GPU shader", Name: p.name, Msg: fmt.Sprintf("the shader needs %d uniforms (dynamic properties), which flick does not set", nu)}
	}
	for _, k := range []struct {
		threeD C.int
		n      C.unsigned
	}{{0, n1}, {1, n3}} {
		for i := range k.n {
			var l C.flick_ocio_lut
			if C.flick_ocio_gpu_lut(g, k.threeD, i, &l, &msg[0], msgLen) != 0 {
				return nil, &Error{Op: "GPU shader", Name: p.name, Msg: message(msg[:])}
			}
			lut := LUT{Name: C.GoString(l.name), Sampler: C.GoString(l.sampler), Width: int(l.width),
				Height: int(l.height), Depth: int(l.depth), RGB: l.rgb != 0, Interpolation: Interpolation(l.interpolation)}
			n := lut.Width * lut.Height * max(1, lut.Depth)
			if lut.RGB {
				n *= 3
			}
			if n > 0 && l.values == nil {
				return nil, &Error{Op: "GPU shader", Name: p.name, Msg: "texture " + lut.Name + " has no values"}
			}
			if n > 0 {
				lut.Values = append([]float32(nil), unsafe.Slice((*float32)(unsafe.Pointer(l.values)), n)...)
			}
			sh.LUTs = append(sh.LUTs, lut)
		}
	}
	if !strings.Contains(sh.Text, function) {
		return nil, &Error{Op: "GPU shader", Name: p.name, Msg: "the shader text has no function " + function}
	}
	return sh, nil
}
