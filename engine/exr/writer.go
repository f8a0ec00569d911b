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
	"os"
	"path/filepath"
	"runtime"
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

// write is WriteRGBA for any pixel type: pix holds w*h*4 values of type t
// (tests write FLOAT and UINT files with it).
func write(path string, w, h int, pix unsafe.Pointer, t PixelType, comp Compression, s Stamp) error {
	fail := func(code Code, detail string, err error) error {
		return &Error{Op: "write", Path: path, Detail: detail, Code: code, Err: err}
	}
	switch {
	case w <= 0 || h <= 0 || w > C.FLICK_MAX_SIDE || h > C.FLICK_MAX_SIDE || w*h > C.FLICK_MAX_PIXELS:
		return fail(ErrInvalidArgument, fmt.Sprintf("bad size %dx%d", w, h), nil)
	case pix == nil:
		return fail(ErrInvalidArgument, "no pixels", nil)
	case t != Half && t != Float && t != UInt:
		return fail(ErrInvalidArgument, fmt.Sprintf("bad pixel type %v", t), nil)
	case comp == DWAA || comp == DWAB:
		return fail(ErrNotImplemented, comp.String()+" compression is not supported by OpenEXR 3.1.5's C API", nil)
	case comp < None || comp > B44A:
		return fail(ErrInvalidArgument, fmt.Sprintf("bad compression %v", comp), nil)
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

	cname := C.CString(path)
	defer C.free(unsafe.Pointer(cname))
	var msg C.flick_msg
	var hasTC C.int32_t
	var tc uint32
	if s.TimeCode != nil {
		hasTC, tc = 1, s.TimeCode.Pack()
	}
	rv := C.flick_write(C.int(tmp.Fd()), cname, C.int32_t(w), C.int32_t(h), pix, C.int32_t(t),
		C.int32_t(comp), C.int32_t(s.FPS.Num), C.int32_t(s.FPS.Den), hasTC, C.uint32_t(tc), &msg)
	if rv != C.EXR_ERR_SUCCESS {
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
