package exr

/*
#cgo CXXFLAGS: -std=c++17 -O2 -Wall
#cgo pkg-config: OpenEXR
#cgo noescape flick_imf_decode
#cgo nocallback flick_imf_decode
#include <stdlib.h>
#include "imf.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"
)

// imfMsgLen is the size of the buffer the C++ side copies its message into:
// the library's messages quote the path, which may be long.
const imfMsgLen = 1024

// decodeIMF decodes part 0's data window (level 0) of the file at path
// through OpenEXR's C++ API (libOpenEXR) into dst, with the same layout and
// rules as File.Decode: interleaved RGBA half, width h.DataWindow.Width(),
// slot s gets channel sel.Names[s], "" gives 0 for R, G, B and 1.0 for A,
// sel.Grey copies R into G and B. h is the header Open read; the file's own
// header must have the same data window. It exists for what OpenEXR 3.1.5's
// C API cannot decode (DWAA/DWAB); it is safe on any part Open accepted,
// except that deep parts and subsampled channels are refused. The library's
// thread pool is turned off for the process on first use. On error dst may
// be partly written. It does not allocate in Go unless it fails.
func decodeIMF(path string, h Header, dst []uint16, sel Selection) error {
	w, ht := h.DataWindow.Width(), h.DataWindow.Height()
	if w <= 0 || ht <= 0 || len(dst)/4 < w*ht {
		return &Error{Op: "decode", Path: path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("buffer holds %d values, %dx%d RGBA needs %d", len(dst), w, ht, 4*w*ht)}
	}
	if h.Storage == DeepScanline || h.Storage == DeepTiled {
		return &Error{Op: "decode", Path: path, Code: ErrUnsupported, Detail: "deep data is not supported"}
	}
	names, copyFrom, err := imfPlan(path, h, sel)
	if err != nil {
		return err
	}

	// One C block for the path and the four names, each NUL-terminated.
	size := len(path) + 1
	for _, name := range names {
		size += len(name) + 1
	}
	block := (*byte)(C.malloc(C.size_t(size)))
	if block == nil {
		return &Error{Op: "decode", Path: path, Code: ErrOutOfMemory}
	}
	defer C.free(unsafe.Pointer(block))
	buf := unsafe.Slice(block, size)
	at := copy(buf, path)
	buf[at] = 0
	at++
	namesAt := at
	for _, name := range names {
		at += copy(buf[at:], name)
		buf[at] = 0
		at++
	}

	win := [4]C.int32_t{C.int32_t(h.DataWindow.MinX), C.int32_t(h.DataWindow.MinY),
		C.int32_t(h.DataWindow.MaxX), C.int32_t(h.DataWindow.MaxY)}
	var cf [4]C.int32_t
	for s := range cf {
		cf[s] = C.int32_t(copyFrom[s])
	}
	var msg [imfMsgLen]C.char
	st := C.flick_imf_decode((*C.char)(unsafe.Pointer(block)), &win[0],
		(*C.char)(unsafe.Pointer(&buf[namesAt])), &cf[0],
		(*C.uint16_t)(unsafe.Pointer(&dst[0])), C.uint64_t(len(dst)), &msg[0], imfMsgLen)
	runtime.KeepAlive(dst)
	if st != C.FLICK_IMF_OK {
		return imfError("decode", path, st, &msg)
	}
	return nil
}

// imfPlan resolves sel against h as File.Decode does: the name each slot
// decodes ("" for none) and the slot each copies (-1 for none).
func imfPlan(path string, h Header, sel Selection) (names [4]string, copyFrom [4]int, err error) {
	p, err := resolve(path, &h, sel)
	for s, c := range p.channel {
		if c >= 0 {
			names[s] = h.Channels[c].Name
		}
	}
	return names, p.copyFrom, err
}

// imfError builds an Error from a C++ bridge status and its message.
func imfError(op, path string, st C.flick_imf_status, msg *[imfMsgLen]C.char) *Error {
	code := ErrCorruptChunk
	switch st {
	case C.FLICK_IMF_ACCESS:
		code = ErrFileAccess
	case C.FLICK_IMF_HEADER:
		code = ErrBadHeader
	case C.FLICK_IMF_IO:
		code = ErrReadIO
		if op == "write" {
			code = ErrWriteIO
		}
	case C.FLICK_IMF_NOMEM:
		code = ErrOutOfMemory
	case C.FLICK_IMF_ARG:
		code = ErrInvalidArgument
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&msg[0])), len(msg))
	n := 0
	for n < len(b) && b[n] != 0 {
		n++
	}
	detail := string(b[:n])
	// The library says `Error reading pixel data from image file "PATH". `
	// before the cause; Error prints the operation and path already.
	if q := "\"" + path + "\". "; strings.Contains(detail, q) {
		detail = detail[strings.Index(detail, q)+len(q):]
	}
	detail = printable(detail)
	if detail == "" {
		detail = code.Error()
	}
	return &Error{Op: op, Path: path, Detail: "OpenEXR C++: " + detail, Code: code}
}

// writeIMF writes a w x h RGBA half scanline file through the C++ API
// (Imf::OutputFile), straight to path. Only the tests use it, to make
// DWAA/DWAB files, which OpenEXR 3.1.5's C API cannot encode.
func writeIMF(path string, w, h int, pix []uint16, comp Compression) error {
	if w <= 0 || h <= 0 || len(pix)/4 < w*h {
		return &Error{Op: "write", Path: path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("%d values for %dx%d RGBA", len(pix), w, h)}
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var msg [imfMsgLen]C.char
	st := C.flick_imf_write_rgba(cpath, C.int32_t(w), C.int32_t(h), (*C.uint16_t)(unsafe.Pointer(&pix[0])),
		C.int32_t(comp), &msg[0], imfMsgLen)
	runtime.KeepAlive(pix)
	if st != C.FLICK_IMF_OK {
		return imfError("write", path, st, &msg)
	}
	return nil
}
