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
		e := imfError("decode", f.path, st, &msg)
		e.Detail = fmt.Sprintf("part %d, chunks [%d, %d): %s", sel.Part, begin, end, e.Detail)
		return e
	}
	return nil
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

// imfTiles asks writeIMF for a tiled file: tile size and level mode.
type imfTiles struct {
	w, h int
	mode LevelMode
}

// writeIMF writes a w x h RGBA half file through the C++ API, straight to
// path: scanline, or tiled when tiles.w > 0, with levels that keep every
// 2^l-th pixel. Only the tests use it, to make files OpenEXR 3.1.5's C API
// cannot encode (DWAA/DWAB, tiles, levels).
func writeIMF(path string, w, h int, pix []uint16, comp Compression, tiles imfTiles) error {
	if w <= 0 || h <= 0 || len(pix)/4 < w*h {
		return &Error{Op: "write", Path: path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("%d values for %dx%d RGBA", len(pix), w, h)}
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var msg [imfMsgLen]C.char
	st := C.flick_imf_write_rgba(cpath, C.int32_t(w), C.int32_t(h), (*C.uint16_t)(unsafe.Pointer(&pix[0])),
		C.int32_t(comp), C.int32_t(tiles.w), C.int32_t(tiles.h), C.int32_t(tiles.mode), &msg[0], imfMsgLen)
	runtime.KeepAlive(pix)
	if st != C.FLICK_IMF_OK {
		return imfError("write", path, st, &msg)
	}
	return nil
}

// imfChannel is one channel for writeIMFChannels: planar values of its
// type (uint16 for HALF, float32 for FLOAT, uint32 for UINT).
type imfChannel struct {
	name    string
	typ     PixelType
	pLinear bool
	data    unsafe.Pointer
}

// writeIMFChannels writes a w x h file of the given channels through the
// C++ API, with comp and, for DWA, the dwaCompressionLevel level: scanline,
// or tiled (tile x tile, one level) when tile > 0. Only the tests use it,
// to make DWA files of many layers and types.
func writeIMFChannels(path string, w, h int, chans []imfChannel, comp Compression, level float32, tile int) error {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	n := len(chans)
	names := (*[1 << 20]*C.char)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof((*C.char)(nil)))))[:n:n]
	data := (*[1 << 20]unsafe.Pointer)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof(unsafe.Pointer(nil)))))[:n:n]
	types, plinear := make([]C.int32_t, n), make([]C.int32_t, n)
	defer func() {
		for _, p := range names {
			C.free(unsafe.Pointer(p))
		}
		C.free(unsafe.Pointer(&names[0]))
		C.free(unsafe.Pointer(&data[0]))
	}()
	var pin runtime.Pinner
	defer pin.Unpin()
	for i, c := range chans {
		names[i] = C.CString(c.name)
		pin.Pin(c.data)
		data[i] = c.data
		types[i] = C.int32_t(c.typ)
		if c.pLinear {
			plinear[i] = 1
		}
	}
	var msg [imfMsgLen]C.char
	st := C.flick_imf_write_channels(cpath, C.int32_t(w), C.int32_t(h), C.int32_t(n), &names[0], &types[0], &plinear[0],
		&data[0], C.int32_t(comp), C.float(level), C.int32_t(tile), &msg[0], imfMsgLen)
	if st != C.FLICK_IMF_OK {
		return imfError("write", path, st, &msg)
	}
	return nil
}
