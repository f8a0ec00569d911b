package ocio

/*
#include <stdlib.h>
#include "ocio.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// Processor is one transform OpenColorIO has built from a config. It owns
// its C++ object until Close; closing the config does not end it.
type Processor struct {
	h       *C.flick_ocio_processor
	cleanup runtime.Cleanup
	name    string // the transform's ends, for messages
}

// DisplayView names a transform from an input colour space to a display's
// view.
type DisplayView struct {
	Input, Display, View string
	// Look, when not "", runs in its process space before the view, in
	// place of the view's own looks; a list "a, b" or "+a, -b" is taken too.
	Look string
	// Inverse asks for the transform from the display back to Input;
	// without a Look (OpenColorIO 2.1's viewing pipeline, which adds the
	// look, runs forward only).
	Inverse bool
}

func (dv DisplayView) String() string {
	s := fmt.Sprintf("%s to %s / %s", dv.Input, dv.Display, dv.View)
	if dv.Look != "" {
		s += " with look " + dv.Look
	}
	if dv.Inverse {
		s += ", inverted"
	}
	return s
}

// DisplayViewProcessor builds the display/view transform dv, as
// OpenColorIO 2.1's DisplayViewTransform (and LegacyViewingPipeline for a
// look) builds it.
func (c *Config) DisplayViewProcessor(dv DisplayView) (*Processor, error) {
	if c == nil || c.h == nil {
		return nil, &Error{Op: "transform", Name: dv.String(), Msg: errClosed.Error()}
	}
	if dv.Inverse && dv.Look != "" {
		return nil, &Error{Op: "transform", Name: dv.String(), Msg: "a view with a look cannot be inverted"}
	}
	s, free := cstrings(dv.Input, dv.Display, dv.View, dv.Look)
	defer free()
	inverse := C.int(0)
	if dv.Inverse {
		inverse = 1
	}
	var msg [msgLen]C.char
	h := C.flick_ocio_processor_display(c.h, s[0], s[1], s[2], s[3], inverse, &msg[0], msgLen)
	runtime.KeepAlive(c)
	return ownProcessor(h, dv.String(), msg[:])
}

// ColorSpaceProcessor builds the transform from colour space src to dst
// (names, roles or aliases).
func (c *Config) ColorSpaceProcessor(src, dst string) (*Processor, error) {
	name := src + " to " + dst
	if c == nil || c.h == nil {
		return nil, &Error{Op: "transform", Name: name, Msg: errClosed.Error()}
	}
	s, free := cstrings(src, dst)
	defer free()
	var msg [msgLen]C.char
	h := C.flick_ocio_processor_spaces(c.h, s[0], s[1], &msg[0], msgLen)
	runtime.KeepAlive(c)
	return ownProcessor(h, name, msg[:])
}

func ownProcessor(h *C.flick_ocio_processor, name string, msg []C.char) (*Processor, error) {
	if h == nil {
		return nil, &Error{Op: "transform", Name: name, Msg: message(msg)}
	}
	p := &Processor{h: h, name: name}
	p.cleanup = runtime.AddCleanup(p, func(h *C.flick_ocio_processor) { C.flick_ocio_processor_free(h) }, h)
	return p, nil
}

// Close frees the processor. It is safe on nil and safe twice.
func (p *Processor) Close() {
	if p == nil || p.h == nil {
		return
	}
	p.cleanup.Stop()
	C.flick_ocio_processor_free(p.h)
	p.h = nil
}

// CPUProcessor runs a Processor's transform on float32 pixels on the CPU.
// It owns its C++ object until Close; closing the Processor does not end
// it.
type CPUProcessor struct {
	h       *C.flick_ocio_cpu
	cleanup runtime.Cleanup
	name    string
}

// CPU makes the processor's CPU processor for 32-bit float RGBA.
func (p *Processor) CPU() (*CPUProcessor, error) {
	if p == nil || p.h == nil {
		return nil, &Error{Op: "transform", Name: p.nameOrNil(), Msg: errClosed.Error()}
	}
	var msg [msgLen]C.char
	h := C.flick_ocio_cpu_new(p.h, &msg[0], msgLen)
	runtime.KeepAlive(p)
	if h == nil {
		return nil, &Error{Op: "transform", Name: p.name, Msg: message(msg[:])}
	}
	c := &CPUProcessor{h: h, name: p.name}
	c.cleanup = runtime.AddCleanup(c, func(h *C.flick_ocio_cpu) { C.flick_ocio_cpu_free(h) }, h)
	return c, nil
}

func (p *Processor) nameOrNil() string {
	if p == nil {
		return "(nil)"
	}
	return p.name
}

func (c *CPUProcessor) nameOrNil() string {
	if c == nil {
		return "(nil)"
	}
	return c.name
}

// Close frees the CPU processor. It is safe on nil and safe twice.
func (c *CPUProcessor) Close() {
	if c == nil || c.h == nil {
		return
	}
	c.cleanup.Stop()
	C.flick_ocio_cpu_free(c.h)
	c.h = nil
}

// Apply transforms rgba, pixels of four float32 (R, G, B, A), in place.
func (c *CPUProcessor) Apply(rgba []float32) error {
	if c == nil || c.h == nil {
		return &Error{Op: "transform", Name: c.nameOrNil(), Msg: errClosed.Error()}
	}
	if len(rgba)%4 != 0 {
		return &Error{Op: "transform", Name: c.name, Msg: fmt.Sprintf("%d floats are not whole RGBA pixels", len(rgba))}
	}
	if len(rgba) == 0 {
		return nil
	}
	var msg [msgLen]C.char
	rc := C.flick_ocio_cpu_apply_rgba(c.h, (*C.float)(unsafe.Pointer(&rgba[0])), C.long(len(rgba)/4), &msg[0], msgLen)
	runtime.KeepAlive(c)
	if rc != 0 {
		return &Error{Op: "transform", Name: c.name, Msg: message(msg[:])}
	}
	return nil
}

// ApplyPixel returns one RGBA pixel transformed.
func (c *CPUProcessor) ApplyPixel(px [4]float32) ([4]float32, error) {
	err := c.Apply(px[:])
	return px, err
}
