package exr

/*
#include "bridge_internal.h"
#include "huf.h"
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

// How hufUncompressBy decodes (huf.h's flick_huf_uncompress_by): as PIZ
// does, with one cursor only, or in halves only (hufUnsplit where it
// cannot).
const (
	hufAuto    = C.FLICK_HUF_AUTO
	hufSerial  = C.FLICK_HUF_SERIAL
	hufSplit   = C.FLICK_HUF_SPLIT
	hufUnsplit = C.FLICK_HUF_UNSPLIT
)

// hufScratchGuard is how many bytes after its scratch hufUncompressBy
// checks flick's decoder left alone.
const hufScratchGuard = 256

// hufUncompress decodes the OpenEXR Huffman stream in into exactly
// len(out) values with flick's decoder (huf.c), as exrref.HufUncompress
// does with the library's; it returns huf.h's result (0: success).
func hufUncompress(in []byte, out []uint16) int { return hufUncompressBy(in, out, hufAuto) }

// hufUncompressBy is hufUncompress by the path how. It panics if the
// decoder wrote past its scratch.
func hufUncompressBy(in []byte, out []uint16, how int) int {
	size := int(C.flick_huf_uncompress_scratch(C.uint64_t(len(in)), C.uint64_t(len(out))))
	scratch := make([]byte, size+hufScratchGuard)
	for i := size; i < len(scratch); i++ {
		scratch[i] = 0xA5
	}
	var pin *C.uint8_t
	var pout *C.uint16_t
	if len(in) > 0 {
		pin = (*C.uint8_t)(unsafe.Pointer(&in[0]))
	}
	if len(out) > 0 {
		pout = (*C.uint16_t)(unsafe.Pointer(&out[0]))
	}
	rv := C.flick_huf_uncompress_by(pin, C.uint64_t(len(in)), pout, C.uint64_t(len(out)), unsafe.Pointer(&scratch[0]), C.int(how))
	runtime.KeepAlive(in)
	runtime.KeepAlive(out)
	for i := size; i < len(scratch); i++ {
		if scratch[i] != 0xA5 {
			panic("hufUncompressBy: scratch byte written past its end")
		}
	}
	return int(rv)
}

// pipelineKeptBytes is the size of the Core decode buffers the calling OS
// thread keeps for its next decode (pipebuf.c); the tests ask it on a
// locked thread.
func pipelineKeptBytes() int { return int(C.flick_pipeline_kept_bytes()) }

// dwaACAVX512 sets whether dwa.c decodes a block's buffered AC values with
// AVX-512 (on: 1 or 0; -1 leaves it) and returns what it was (bridge.h's
// flick_dwa_ac_avx512): this CPU's choice until set.
func dwaACAVX512(on int) int { return int(C.flick_dwa_ac_avx512(C.int(on))) }
