package exr

/*
#include "bridge_internal.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// The two functions here let the tests reach flick's own C, which no other
// package can call: what is checked against the library lives in
// internal/exrref, but these are flick's side. Nothing but tests calls
// them, so the linker leaves them out of flick's binaries.

// wav2Decode runs flick's inverse PIZ wavelet (piz.c) on v in place (nx x
// ny values, ox apart in a row, oy apart between rows; mx the largest value
// before the forward transform), as exrref.Wav2Decode runs the library's.
func wav2Decode(v []uint16, nx, ox, ny, oy int, mx uint16) {
	if len(v) == 0 || (ny-1)*oy+(nx-1)*ox >= len(v) {
		panic("wav2Decode: values out of range")
	}
	C.flick_wav2_decode((*C.uint16_t)(unsafe.Pointer(&v[0])), C.int(nx), C.int(ox), C.int(ny), C.int(oy), C.uint16_t(mx))
	runtime.KeepAlive(v)
}

// pipelineKeptBytes is the size of the Core decode buffers the calling OS
// thread keeps for its next decode (pipebuf.c); the tests ask it on a
// locked thread.
func pipelineKeptBytes() int { return int(C.flick_pipeline_kept_bytes()) }
