package export

// #cgo pkg-config: libavutil
// #cgo CFLAGS: -O3
// #include "convert.h"
import "C"

import (
	"runtime"
	"sync"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// layout is a planar YUV layout the encoder fills (values of enum
// flick_layout in convert.h).
type layout int

const (
	yuv420p    layout = C.FLICK_YUV420P
	yuv422p10  layout = C.FLICK_YUV422P10
	yuva444p10 layout = C.FLICK_YUVA444P10
)

// pixelFormat is the FFmpeg pixel format of the layout.
func (l layout) pixelFormat() astiav.PixelFormat {
	switch l {
	case yuv422p10:
		return astiav.PixelFormatYuv422P10Le
	case yuva444p10:
		return astiav.PixelFormatYuva444P10Le
	}
	return astiav.PixelFormatYuv420P
}

// hasAlpha says whether the layout has an alpha plane.
func (l layout) hasAlpha() bool { return l == yuva444p10 }

// evenWidth and evenHeight say whether chroma subsampling needs the size
// to be a multiple of two.
func (l layout) evenWidth() bool  { return l != yuva444p10 }
func (l layout) evenHeight() bool { return l == yuv420p }

// prepareFrame makes f writable and tags it limited range, described by c.
func prepareFrame(f *astiav.Frame, c Colour) error {
	if ret := C.flick_frame_prepare((*C.AVFrame)(f.UnsafePointer()), C.int(primariesAV[c.Primaries]), C.int(transferAV[c.Transfer]), C.int(matrixAV[c.Matrix])); ret < 0 {
		return astiav.Error(ret)
	}
	return nil
}

// convert writes pix (w*h RGBA 16-bit pixels, top row first) into f's planes
// as limited-range YUV of layout l with matrix m, with the rows split into bands over
// GOMAXPROCS goroutines. f must be allocated with the layout's pixel format
// and size w x h, and writable.
func convert(l layout, m Matrix, pix []uint16, w, h int, f *astiav.Frame) {
	// Bands are whole pairs of rows, so 4:2:0 chroma rows never straddle two.
	pairs := (h + 1) / 2
	bands := min(runtime.GOMAXPROCS(0), pairs)
	src := (*C.uint16_t)(unsafe.Pointer(unsafe.SliceData(pix)))
	cf := (*C.AVFrame)(f.UnsafePointer())
	kr, kb := C.float(lumaWeights[m][0]), C.float(lumaWeights[m][1])
	band := func(i int) {
		y0, y1 := 2*(pairs*i/bands), min(h, 2*(pairs*(i+1)/bands))
		C.flick_convert(C.int(l), kr, kb, src, C.int(w), cf, C.int(y0), C.int(y1))
	}
	var wg sync.WaitGroup
	for i := 1; i < bands; i++ {
		wg.Go(func() { band(i) })
	}
	band(0)
	wg.Wait()
}
