package exr

/*
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"strings"
)

// via is the library path that decodes a part.
type via int

const (
	viaAuto via = iota // route's choice (decodeOptions only)
	viaCore            // OpenEXR's C API (read.c), ZIP/ZIPS through libdeflate
	viaIMF             // OpenEXR's C++ API (imf.cpp)
)

// route picks the path that decodes sel from t, or says why neither can.
// It is Core's pipeline (read.c, with flick's decoders for ZIP, PIZ, DWA,
// B44 and the rest) unless only the C++ API reads the request right:
// luminance/chroma, subsampled channels, rip-map levels above the first
// row, and tiled DWA that dwa.c does not take. Core is the faster path for
// every compression (BenchmarkCompression; measure again after a library
// upgrade), and the one that converts FLOAT to half right: Imath 3.1 rounds
// values just below 65520 up to infinity, Core to nearest even. force
// (tests) asks for a path where it can serve the request.
func (f *File) route(t *target, sel Selection, force via) (via, error) {
	l := &t.layout
	unsupported := func(format string, args ...any) error {
		return &Error{Op: "decode", Path: f.path, Code: ErrUnsupported,
			Detail: fmt.Sprintf("part %d: ", sel.Part) + fmt.Sprintf(format, args...)}
	}
	comp := Compression(l.compression)
	tiledDWA := l.tiles_x > 0 && (comp == DWAA || comp == DWAB)
	switch {
	case l.storage == C.EXR_STORAGE_DEEP_SCANLINE || l.storage == C.EXR_STORAGE_DEEP_TILED:
		return 0, unsupported("deep images are not supported")
	case l.bad_sampling != 0:
		return 0, unsupported("channel sampling other than 1, or 2 on an aligned scanline window, is not supported")
	case sel.LumaChroma:
		return viaIMF, nil
	case subsampled(t.header, sel) != "":
		// The C++ API reads a subsampled channel's samples where they
		// belong; imf.cpp repeats them over the pixels between.
		if force == viaCore {
			return 0, unsupported("channel %q is subsampled: flick upsamples it through the C++ API only", subsampled(t.header, sel))
		}
		return viaIMF, nil
	case force != viaAuto:
		if force == viaCore && tiledDWA && !dwaTakes(t.header, sel) {
			return 0, &Error{Op: "decode", Path: f.path, Code: ErrNotImplemented,
				Detail: fmt.Sprintf("part %d: OpenEXR 3.1.5's C API cannot decode tiled %s, and flick's decoder only HALF channels on a CPU with AVX2", sel.Part, strings.ToUpper(comp.String()))}
		}
		return force, nil
	case l.ripmap != 0 && l.ly > 0: // Core 3.1.5 mis-indexes these levels
		return viaIMF, nil
	case tiledDWA && !dwaTakes(t.header, sel):
		// Core has no DWA decoder; dwa.c decodes tiles too, and the C++
		// reader what dwa.c does not take (codec.cpp's decompressor takes
		// scanline chunks only).
		return viaIMF, nil
	}
	return viaCore, nil
}

// subsampled names the first channel sel selects from h that is
// subsampled, or is "".
func subsampled(h *Header, sel Selection) string {
	for _, name := range sel.Names {
		for _, c := range h.Channels {
			if c.Name == name && (c.XSampling != 1 || c.YSampling != 1) {
				return name
			}
		}
	}
	return ""
}

// allHalf says whether every channel sel names in h is of type HALF.
func allHalf(h *Header, sel Selection) bool {
	for _, name := range sel.Names {
		for _, c := range h.Channels {
			if c.Name == name && c.Type != Half {
				return false
			}
		}
	}
	return true
}

// dwaTakes says whether dwa.c decodes sel from a DWA part of h (in Core's
// pipeline; see flick_dwa_pick): HALF channels, a CPU with AVX2 and F16C.
// Subsampled channels are routed before this is asked.
func dwaTakes(h *Header, sel Selection) bool { return allHalf(h, sel) && dwaCPU() }

// dwaCPU says whether this CPU has what dwa.c needs (AVX2, F16C).
func dwaCPU() bool { return C.flick_dwa_cpu() != 0 }
