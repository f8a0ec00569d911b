// Package exrref writes EXR files and decodes them through OpenEXR's C++
// API (libOpenEXR-3_1), for the tests of package exr only: it makes the
// files the C API of OpenEXR 3.1.5 cannot encode (DWAA/DWAB, tiles, levels,
// many layers and types, multi-part luminance/chroma copies), and runs the
// library's own decoders that flick's fast paths are held bit-identical
// to. It needs nothing of package exr, which keeps it out of flick's
// binaries. Compressions, level modes and pixel types are the library's
// enum values, which package exr's Compression, LevelMode and PixelType
// share.
package exrref

/*
#cgo CXXFLAGS: -std=c++17 -O2 -Wall
#cgo pkg-config: OpenEXR
#include <stdlib.h>
#include "exrref.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"
)

// msgLen is the size of the buffer the C++ side copies its message into:
// the library's messages quote the path, which may be long.
const msgLen = 1024

// fail is the error of a call that returned -1 with msg.
func fail(op, path string, msg *[msgLen]C.char) error {
	return fmt.Errorf("exrref: %s %s: %s", op, path, C.GoString(&msg[0]))
}

// Tiles asks WriteRGBA for a tiled file: tile size and level mode.
type Tiles struct {
	W, H      int
	LevelMode int
}

// WriteRGBA writes a w x h RGBA half file (pix interleaved, w pixels a
// row) straight to path with the given compression: scanline, or tiled
// when tiles.W > 0, with levels that keep every 2^l-th pixel.
func WriteRGBA(path string, w, h int, pix []uint16, compression int, tiles Tiles) error {
	if w <= 0 || h <= 0 || len(pix)/4 < w*h {
		return fmt.Errorf("exrref: write %s: %d values for %dx%d RGBA", path, len(pix), w, h)
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var msg [msgLen]C.char
	rv := C.exrref_write_rgba(cpath, C.int32_t(w), C.int32_t(h), (*C.uint16_t)(unsafe.Pointer(&pix[0])),
		C.int32_t(compression), C.int32_t(tiles.W), C.int32_t(tiles.H), C.int32_t(tiles.LevelMode), &msg[0], msgLen)
	runtime.KeepAlive(pix)
	if rv != 0 {
		return fail("write", path, &msg)
	}
	return nil
}

// Channel is one channel for WriteChannels: Data points at w*h planar
// values of its type (uint16 for HALF, float32 for FLOAT, uint32 for UINT).
type Channel struct {
	Name    string
	Type    int
	PLinear bool
	Data    unsafe.Pointer
}

// WriteChannels writes a w x h file of chans with the given compression
// and, for DWA, the dwaCompressionLevel level: scanline, or tiled (tile x
// tile, one level) when tile > 0.
func WriteChannels(path string, w, h int, chans []Channel, compression int, level float32, tile int) error {
	n := len(chans)
	if n == 0 {
		return errors.New("exrref: write " + path + ": no channels")
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
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
		names[i] = C.CString(c.Name)
		pin.Pin(c.Data)
		data[i] = c.Data
		types[i] = C.int32_t(c.Type)
		if c.PLinear {
			plinear[i] = 1
		}
	}
	var msg [msgLen]C.char
	if C.exrref_write_channels(cpath, C.int32_t(w), C.int32_t(h), C.int32_t(n), &names[0], &types[0], &plinear[0],
		&data[0], C.int32_t(compression), C.float(level), C.int32_t(tile), &msg[0], msgLen) != 0 {
		return fail("write", path, &msg)
	}
	return nil
}

// RGBAYCA decodes part 0's luminance/chroma layer ("" for none) of path
// through the library's RGBA interface (Imf::RgbaInputFile) into dst (RGBA
// half, the data window): the independent decode package exr's
// luminance/chroma path is held bit-identical to.
func RGBAYCA(path, layer string, dst []uint16) error {
	cpath, clayer := C.CString(path), C.CString(layer)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(clayer))
	var msg [msgLen]C.char
	rv := C.exrref_rgba_yca(cpath, clayer, (*C.uint16_t)(unsafe.Pointer(unsafe.SliceData(dst))),
		C.uint64_t(len(dst)), &msg[0], msgLen)
	runtime.KeepAlive(dst)
	if rv != 0 {
		return fail("decode", path, &msg)
	}
	return nil
}

// CopyToParts writes dst, a two-part copy of the single-part file src:
// part 0 its channels, part 1 the same channels renamed with prefix, in
// src's compression or in compression if it is >= 0.
func CopyToParts(src, dst, prefix string, compression int) error {
	csrc, cdst, cprefix := C.CString(src), C.CString(dst), C.CString(prefix)
	defer C.free(unsafe.Pointer(csrc))
	defer C.free(unsafe.Pointer(cdst))
	defer C.free(unsafe.Pointer(cprefix))
	var msg [msgLen]C.char
	if C.exrref_copy_to_parts(csrc, cdst, cprefix, C.int32_t(compression), &msg[0], msgLen) != 0 {
		return fail("write", dst, &msg)
	}
	return nil
}

// Wav2Decode runs the library's inverse PIZ wavelet (ImfWav.cpp) on v in
// place: nx x ny values, ox apart in a row, oy apart between rows; mx the
// largest value before the forward transform.
func Wav2Decode(v []uint16, nx, ox, ny, oy int, mx uint16) {
	if len(v) == 0 || (ny-1)*oy+(nx-1)*ox >= len(v) {
		panic("exrref.Wav2Decode: values out of range")
	}
	C.exrref_wav2_decode((*C.uint16_t)(unsafe.Pointer(&v[0])), C.int(nx), C.int(ox), C.int(ny), C.int(oy), C.uint16_t(mx))
	runtime.KeepAlive(v)
}

// ReadChannel decodes channel name of part of path over its data window
// through the library's C++ API (Imf::InputPart): the reference for exact
// values. It returns the channel's pixel type and w*h 32-bit values,
// row-major: the uint32 itself for UINT, the float's bits for HALF and
// FLOAT (the library's widening).
func ReadChannel(path string, part int, name string, w, h int) (int, []uint32, error) {
	cpath, cname := C.CString(path), C.CString(name)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cname))
	dst := make([]uint32, w*h)
	var typ C.int32_t
	var msg [msgLen]C.char
	if C.exrref_read_channel(cpath, C.int32_t(part), cname, &typ, unsafe.Pointer(unsafe.SliceData(dst)),
		C.uint64_t(len(dst)), &msg[0], msgLen) != 0 {
		return 0, nil, fail("decode", path, &msg)
	}
	return int(typ), dst, nil
}

// StringAttr returns the string attribute name of part of path, whole, as
// the library's C++ API reads it.
func StringAttr(path string, part int, name string) (string, error) {
	cpath, cname := C.CString(path), C.CString(name)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(cname))
	var msg [msgLen]C.char
	var n C.uint64_t
	if C.exrref_string_attr(cpath, C.int32_t(part), cname, nil, 0, &n, &msg[0], msgLen) != 0 {
		return "", fail("read", path, &msg)
	}
	buf := make([]byte, int(n)+1)
	if C.exrref_string_attr(cpath, C.int32_t(part), cname, (*C.char)(unsafe.Pointer(&buf[0])), C.uint64_t(len(buf)),
		&n, &msg[0], msgLen) != 0 {
		return "", fail("read", path, &msg)
	}
	return string(buf[:n]), nil
}

// HufCompress codes raw with the library's Huffman coder (ImfHuf.cpp,
// hufCompress), as PIZ and DWA store their values.
func HufCompress(raw []uint16) []byte {
	out := make([]byte, 8*len(raw)+65536) // codes of up to 58 bits, the table
	var p *C.uint16_t
	if len(raw) > 0 {
		p = (*C.uint16_t)(unsafe.Pointer(&raw[0]))
	}
	n := C.exrref_huf_compress(p, C.int32_t(len(raw)), (*C.uint8_t)(unsafe.Pointer(&out[0])))
	runtime.KeepAlive(raw)
	return out[:n]
}

// HufUncompress decodes in into exactly len(out) values with the library's
// Huffman decoder (hufUncompress); its error is the library's exception.
func HufUncompress(in []byte, out []uint16) error {
	var pin *C.uint8_t
	var pout *C.uint16_t
	if len(in) > 0 {
		pin = (*C.uint8_t)(unsafe.Pointer(&in[0]))
	}
	if len(out) > 0 {
		pout = (*C.uint16_t)(unsafe.Pointer(&out[0]))
	}
	var msg [msgLen]C.char
	rv := C.exrref_huf_uncompress(pin, C.int32_t(len(in)), pout, C.int32_t(len(out)), &msg[0], msgLen)
	runtime.KeepAlive(in)
	runtime.KeepAlive(out)
	if rv != 0 {
		return errors.New("exrref: hufUncompress: " + C.GoString(&msg[0]))
	}
	return nil
}
