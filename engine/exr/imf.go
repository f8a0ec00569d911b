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

// decodeIMF decodes chunks [begin, end) of t through OpenEXR's C++ API
// (libOpenEXR) into dst, with the same layout and rules as File.Decode. The
// caller has checked dst's size and the chunks' table entries. The
// library's thread pool is turned off for the process on first use. On
// error dst may be partly written. It does not allocate in Go unless it
// fails.
func (f *File) decodeIMF(dst []uint16, sel Selection, t *target, begin, end int) error {
	l := &t.layout
	q := C.flick_imf_req{
		mode: C.FLICK_IMF_SCANLINE, part: l.part, lx: l.lx, ly: l.ly,
		win:   [4]C.int32_t{l.x0, l.y0, l.x0 + l.width - 1, l.y0 + l.height - 1},
		lines: l.lines, tile_w: l.tile_w, tile_h: l.tile_h, tiles_x: l.tiles_x,
		begin: C.int32_t(begin), end: C.int32_t(end),
		copy_from: [4]C.int32_t{-1, -1, -1, -1},
	}
	var names [4]string
	switch {
	case sel.LumaChroma:
		q.mode = C.FLICK_IMF_YC
		yca, err := lumaChannels(f.path, t.header, sel)
		if err != nil {
			return err
		}
		names = yca
	default:
		if l.tiles_x > 0 {
			q.mode = C.FLICK_IMF_TILES
		}
		p, err := resolve(f.path, t.header, sel)
		if err != nil {
			return err
		}
		for s, c := range p.channel {
			if c >= 0 {
				names[s] = t.header.Channels[c].Name
			}
			q.copy_from[s] = C.int32_t(p.copyFrom[s])
		}
	}
	h, err := f.imfFile()
	if err != nil {
		return err
	}

	// One C block for the four names, each NUL-terminated.
	size := 4
	for _, name := range names {
		size += len(name)
	}
	block := (*byte)(C.malloc(C.size_t(size)))
	if block == nil {
		return &Error{Op: "decode", Path: f.path, Code: ErrOutOfMemory}
	}
	defer C.free(unsafe.Pointer(block))
	buf := unsafe.Slice(block, size)
	at := 0
	for _, name := range names {
		at += copy(buf[at:], name)
		buf[at] = 0
		at++
	}
	q.names = (*C.char)(unsafe.Pointer(block))

	var msg [imfMsgLen]C.char
	st := C.flick_imf_decode(h, &q, (*C.uint16_t)(unsafe.Pointer(&dst[0])), C.uint64_t(len(dst)), &msg[0], imfMsgLen)
	runtime.KeepAlive(dst)
	runtime.KeepAlive(f)
	if st != C.FLICK_IMF_OK {
		e := imfError(f.path, st, &msg)
		e.Detail = fmt.Sprintf("part %d, chunks [%d, %d): %s", sel.Part, begin, end, e.Detail)
		return e
	}
	return nil
}

// imfError builds a decode Error from a C++ bridge status and its message.
func imfError(path string, st C.flick_imf_status, msg *[imfMsgLen]C.char) *Error {
	code := ErrCorruptChunk
	switch st {
	case C.FLICK_IMF_ACCESS:
		code = ErrFileAccess
	case C.FLICK_IMF_HEADER:
		code = ErrBadHeader
	case C.FLICK_IMF_IO:
		code = ErrReadIO
	case C.FLICK_IMF_NOMEM:
		code = ErrOutOfMemory
	case C.FLICK_IMF_ARG:
		code = ErrInvalidArgument
	}
	detail := cText(&msg[0], len(msg))
	// The library says `Error reading pixel data from image file "PATH". `
	// before the cause; Error prints the operation and path already.
	if q := "\"" + path + "\". "; strings.Contains(detail, q) {
		detail = detail[strings.Index(detail, q)+len(q):]
	}
	detail = printable(detail)
	if detail == "" {
		detail = code.Error()
	}
	return &Error{Op: "decode", Path: path, Detail: "OpenEXR C++: " + detail, Code: code}
}
