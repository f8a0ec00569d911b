package exr

/*
#cgo noescape flick_write
#cgo nocallback flick_write
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"unsafe"

	"flick/engine/timecode"
)

// WriteRGBA writes a single-part scanline file with half channels R, G, B, A
// from interleaved RGBA half input (w*h*4 values, row-major) with the given
// compression, through the C API's encode pipeline. fps > 0 adds a
// framesPerSecond attribute of fps/1. It writes a temporary file beside path
// and renames it over path when complete, so a failed write leaves nothing.
// DWAA and DWAB fail with ErrNotImplemented (OpenEXR 3.1.5's C API has no
// DWA encoder).
func WriteRGBA(path string, w, h int, pix []uint16, comp Compression, fps int) error {
	var s Stamp
	if fps > 0 {
		s.FPS = Rational{Num: int32(fps), Den: 1}
	}
	return WriteRGBAStamped(path, w, h, pix, comp, s)
}

// Stamp is where a frame sits in time, as WriteRGBAStamped writes it in the
// header: framesPerSecond when FPS.Den > 0, timeCode when TimeCode is not
// nil (its time address and drop-frame flag, timecode.Timecode.Pack).
type Stamp struct {
	FPS      Rational
	TimeCode *timecode.Timecode
}

// WriteRGBAStamped is WriteRGBA with the framesPerSecond and timeCode
// attributes s gives.
func WriteRGBAStamped(path string, w, h int, pix []uint16, comp Compression, s Stamp) error {
	if w > 0 && h > 0 && len(pix)/4 < w*h {
		return &Error{Op: "write", Path: path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("%d values for %dx%d RGBA", len(pix), w, h)}
	}
	var p unsafe.Pointer
	if len(pix) > 0 {
		p = unsafe.Pointer(&pix[0])
	}
	err := write(path, w, h, p, Half, comp, s)
	runtime.KeepAlive(pix)
	return err
}

// FloatImage is an image of FLOAT channels for WriteFloat.
type FloatImage struct {
	// Channels names the channels; Pix holds their values interleaved in
	// this order, len(Channels) values a pixel, DataWindow's rows top first.
	Channels   []string
	Pix        []float32
	DataWindow Box
	// DisplayWindow is the display window; the zero Box means DataWindow.
	DisplayWindow Box
	// Attrs are string attributes written into the header (a name of a
	// required attribute, such as "channels", fails the write).
	Attrs map[string]string
}

// WriteFloat writes img as a single-part scanline file of FLOAT channels
// (a matte as one channel Y, say) with the given compression, through the
// C API's encode pipeline: values bit for bit (PXR24 rounds them to 24
// bits). Like WriteRGBA it writes a temporary file beside path and renames
// it over path when complete, so a failed write leaves nothing; DWAA and
// DWAB fail with ErrNotImplemented.
func WriteFloat(path string, img FloatImage, comp Compression) error {
	dw := img.DataWindow
	w, h := dw.Width(), dw.Height()
	n := len(img.Channels)
	if n < 1 || n > C.FLICK_MAX_CHANNELS || w < 1 || h < 1 || len(img.Pix)/n < w*h {
		return &Error{Op: "write", Path: path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("%d values for %d channels of %dx%d", len(img.Pix), n, w, h)}
	}
	disp := img.DisplayWindow
	if disp == (Box{}) {
		disp = dw
	}
	spec := spec{channels: img.Channels, ptype: Float, comp: comp, dw: dw, disp: disp, attrs: img.Attrs}
	return spec.write(path, unsafe.Pointer(&img.Pix[0]))
}

// write is WriteRGBA for any pixel type: pix holds w*h*4 values of type t
// (tests write FLOAT and UINT files with it).
func write(path string, w, h int, pix unsafe.Pointer, t PixelType, comp Compression, s Stamp) error {
	wnd := Box{0, 0, w - 1, h - 1}
	sp := spec{channels: []string{"R", "G", "B", "A"}, ptype: t, comp: comp, dw: wnd, disp: wnd, stamp: s}
	return sp.write(path, pix)
}

// spec is a file for flick_write to write: see flick_write_spec.
type spec struct {
	channels []string
	ptype    PixelType
	comp     Compression
	dw, disp Box
	stamp    Stamp
	attrs    map[string]string
}

// write writes s's image from pix (interleaved values of s.ptype) to a
// temporary file beside path and renames it over path when complete.
func (s spec) write(path string, pix unsafe.Pointer) error {
	fail := func(code Code, detail string, err error) error {
		return &Error{Op: "write", Path: path, Detail: detail, Code: code, Err: err}
	}
	w, h := s.dw.Width(), s.dw.Height()
	switch {
	case w <= 0 || h <= 0 || w > C.FLICK_MAX_SIDE || h > C.FLICK_MAX_SIDE || w*h > C.FLICK_MAX_PIXELS:
		return fail(ErrInvalidArgument, fmt.Sprintf("bad size %dx%d", w, h), nil)
	case !boxOK(s.dw) || !boxOK(s.disp):
		return fail(ErrInvalidArgument, fmt.Sprintf("bad window %v or %v", s.dw, s.disp), nil)
	case pix == nil:
		return fail(ErrInvalidArgument, "no pixels", nil)
	case s.ptype != Half && s.ptype != Float && s.ptype != UInt:
		return fail(ErrInvalidArgument, fmt.Sprintf("bad pixel type %v", s.ptype), nil)
	case s.comp == DWAA || s.comp == DWAB:
		return fail(ErrNotImplemented, s.comp.String()+" compression is not supported by OpenEXR 3.1.5's C API", nil)
	case s.comp < None || s.comp > B44A:
		return fail(ErrInvalidArgument, fmt.Sprintf("bad compression %v", s.comp), nil)
	}

	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fail(ErrFileAccess, errorText(err), err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	// The strings and the arrays of their pointers live in C memory: cgo
	// does not let C keep Go pointers held in Go memory.
	var cstrs []unsafe.Pointer
	defer func() {
		for _, p := range cstrs {
			C.free(p)
		}
	}()
	cstrings := func(list []string) **C.char {
		if len(list) == 0 {
			return nil
		}
		arr := (*[1 << 20]*C.char)(C.calloc(C.size_t(len(list)), C.size_t(unsafe.Sizeof((*C.char)(nil)))))[:len(list):len(list)]
		cstrs = append(cstrs, unsafe.Pointer(&arr[0]))
		for i, v := range list {
			arr[i] = C.CString(v)
			cstrs = append(cstrs, unsafe.Pointer(arr[i]))
		}
		return &arr[0]
	}
	names := slices.Sorted(maps.Keys(s.attrs))
	values := make([]string, len(names))
	for i, k := range names {
		values[i] = s.attrs[k]
	}
	cs := C.flick_write_spec{
		channels: C.int32_t(len(s.channels)), names: cstrings(s.channels), ptype: C.int32_t(s.ptype),
		comp:    C.int32_t(s.comp),
		dw:      [4]C.int32_t{C.int32_t(s.dw.MinX), C.int32_t(s.dw.MinY), C.int32_t(s.dw.MaxX), C.int32_t(s.dw.MaxY)},
		disp:    [4]C.int32_t{C.int32_t(s.disp.MinX), C.int32_t(s.disp.MinY), C.int32_t(s.disp.MaxX), C.int32_t(s.disp.MaxY)},
		fps_num: C.int32_t(s.stamp.FPS.Num), fps_den: C.int32_t(s.stamp.FPS.Den),
		attrs: C.int32_t(len(names)), attr_names: cstrings(names), attr_values: cstrings(values),
	}
	if s.stamp.TimeCode != nil {
		cs.has_tc, cs.tc = 1, C.uint32_t(s.stamp.TimeCode.Pack())
	}
	cname := C.CString(path)
	defer C.free(unsafe.Pointer(cname))
	var msg C.flick_msg
	if rv := C.flick_write(C.int(tmp.Fd()), cname, pix, &cs, &msg); rv != C.EXR_ERR_SUCCESS {
		return newError("write", path, "", rv, &msg)
	}
	if err := tmp.Close(); err != nil {
		return fail(ErrWriteIO, errorText(err), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fail(ErrFileAccess, errorText(err), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(ErrFileAccess, errorText(err), err)
	}
	ok = true
	return nil
}

// boxOK says whether b is a window flick writes: not empty, inside the
// coordinates flick reads.
func boxOK(b Box) bool {
	for _, v := range []int{b.MinX, b.MinY, b.MaxX, b.MaxY} {
		if v < -C.FLICK_MAX_COORD || v > C.FLICK_MAX_COORD {
			return false
		}
	}
	return b.MinX <= b.MaxX && b.MinY <= b.MaxY
}
