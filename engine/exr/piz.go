package exr

/*
#include "bridge_internal.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// wav2Decode runs PIZ's inverse wavelet on v in place (nx x ny values, ox
// apart in a row, oy apart between rows; mx the largest value before the
// forward transform): flick's (piz.c) or, with library set, OpenEXR's.
// Only the tests use it, to hold the two to the same bits.
func wav2Decode(v []uint16, nx, ox, ny, oy int, mx uint16, library bool) {
	if len(v) == 0 || (ny-1)*oy+(nx-1)*ox >= len(v) {
		panic("wav2Decode: values out of range")
	}
	p := (*C.uint16_t)(unsafe.Pointer(&v[0]))
	if library {
		C.flick_wav2_decode_library(p, C.int(nx), C.int(ox), C.int(ny), C.int(oy), C.uint16_t(mx))
	} else {
		C.flick_wav2_decode(p, C.int(nx), C.int(ox), C.int(ny), C.int(oy), C.uint16_t(mx))
	}
	runtime.KeepAlive(v)
}
