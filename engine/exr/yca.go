package exr

/*
#include <stdlib.h>
#include "imf.h"
*/
import "C"

import (
	"runtime"
	"unsafe"
)

// referenceYCA decodes part 0's luminance/chroma layer ("" for none) of
// path through OpenEXR's RGBA interface (Imf::RgbaInputFile) into dst.
// Only the tests use it: the independent decode the LumaChroma path is
// held bit-identical to.
func referenceYCA(path, layer string, dst []uint16) error {
	cpath, clayer := C.CString(path), C.CString(layer)
	defer C.free(unsafe.Pointer(cpath))
	defer C.free(unsafe.Pointer(clayer))
	var msg [imfMsgLen]C.char
	st := C.flick_imf_reference_yca(cpath, clayer, (*C.uint16_t)(unsafe.Pointer(unsafe.SliceData(dst))),
		C.uint64_t(len(dst)), &msg[0], imfMsgLen)
	runtime.KeepAlive(dst)
	if st != C.FLICK_IMF_OK {
		return imfError("decode", path, st, &msg)
	}
	return nil
}

// copyToParts writes dst, a two-part copy of the single-part file src:
// part 0 its channels, part 1 the same channels renamed with prefix, in
// src's compression or comp if it is >= 0. Only the tests use it, to make
// multi-part luminance/chroma files.
func copyToParts(src, dst, prefix string, comp Compression) error {
	csrc, cdst, cprefix := C.CString(src), C.CString(dst), C.CString(prefix)
	defer C.free(unsafe.Pointer(csrc))
	defer C.free(unsafe.Pointer(cdst))
	defer C.free(unsafe.Pointer(cprefix))
	var msg [imfMsgLen]C.char
	if st := C.flick_imf_copy_to_parts(csrc, cdst, cprefix, C.int32_t(comp), &msg[0], imfMsgLen); st != C.FLICK_IMF_OK {
		return imfError("write", dst, st, &msg)
	}
	return nil
}
