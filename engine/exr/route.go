package exr

/*
#include <stdlib.h>
#include "bridge.h"
#include "imf.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// via is the library path that decodes a part.
type via int

const (
	viaAuto via = iota // the routing table's choice (decodeOptions only)
	viaCore            // OpenEXR's C API (read.c), ZIP/ZIPS through libdeflate
	viaIMF             // OpenEXR's C++ API (imf.cpp)
)

// fastest is the path that decodes each compression fastest, both paths
// decoding chunk ranges of one frame on two threads; BenchmarkCompression
// measures it (run it again after a library upgrade and update this
// table). Core's pipeline decodes PIZ with flick's piz.c and scanline DWAA
// and DWAB with flick's dwa.c (or the C++ API's decompressors, codec.cpp,
// for requests dwa.c does not take); OpenEXR 3.1.5's
// Core has no DWA decoder of its own (tiled DWA goes to the C++ API, see
// route), and its PIZ is half as fast as the C++ API's.
var fastest = [...]via{
	None:  viaCore,
	RLE:   viaCore,
	ZIPS:  viaCore,
	ZIP:   viaCore,
	PIZ:   viaCore,
	PXR24: viaCore,
	B44:   viaCore,
	B44A:  viaCore,
	DWAA:  viaCore,
	DWAB:  viaCore,
}

// target is one level of one part, ready to decode: its checked layout and
// its part's header.
type target struct {
	layout C.flick_layout
	header *Header
}

type targetKey struct{ part, lx, ly int }

// targets caches a File's targets: made under the lock on first use (the
// prepare step), then shared read-only by concurrent decodes. Entries are
// never removed: a file has at most 1024 parts and 64x64 levels a part
// worth asking for.
type targets struct {
	mu sync.Mutex
	m  map[targetKey]*target
}

// target returns sel's part and level, reading and checking its layout on
// first use.
func (f *File) target(sel Selection) (*target, error) {
	if f == nil || f.r == nil {
		return nil, f.closedError()
	}
	key := targetKey{sel.Part, sel.LevelX, sel.LevelY}
	f.targets.mu.Lock()
	defer f.targets.mu.Unlock()
	if t, ok := f.targets.m[key]; ok {
		return t, nil
	}
	t := &target{header: &f.header}
	if key == (targetKey{}) {
		t.layout = f.r.l0
	} else {
		if sel.Part != 0 {
			parts, err := f.Parts()
			if err != nil {
				return nil, err
			}
			if sel.Part < 0 || sel.Part >= len(parts) {
				return nil, &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
					Detail: fmt.Sprintf("no part %d (the file has %d)", sel.Part, f.header.Parts)}
			}
			t.header = &parts[sel.Part].Header
		}
		var msg C.flick_msg
		if rv := C.flick_layout_get(f.r, C.int(sel.Part), C.int(sel.LevelX), C.int(sel.LevelY), &t.layout, &msg); rv != C.EXR_ERR_SUCCESS {
			return nil, newError("decode", f.path, "", rv, &msg)
		}
	}
	if f.targets.m == nil {
		f.targets.m = map[targetKey]*target{}
	}
	f.targets.m[key] = t
	return t, nil
}

// route picks the path that decodes sel from t, or says why neither can.
func (f *File) route(t *target, sel Selection, force via) (via, error) {
	l := &t.layout
	unsupported := func(format string, args ...any) error {
		return &Error{Op: "decode", Path: f.path, Code: ErrUnsupported,
			Detail: fmt.Sprintf("part %d: ", sel.Part) + fmt.Sprintf(format, args...)}
	}
	comp := Compression(l.compression)
	tiled := l.tiles_x > 0
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
		if force == viaCore && tiled && (comp == DWAA || comp == DWAB) && !dwaTakes(t.header, sel) {
			return 0, &Error{Op: "decode", Path: f.path, Code: ErrNotImplemented,
				Detail: fmt.Sprintf("part %d: OpenEXR 3.1.5's C API cannot decode tiled %s, and flick's decoder only HALF channels on a CPU with AVX2", sel.Part, strings.ToUpper(comp.String()))}
		}
		return force, nil
	case l.ripmap != 0 && l.ly > 0: // Core 3.1.5 mis-indexes these levels
		return viaIMF, nil
	case tiled && (comp == DWAA || comp == DWAB):
		// Core has no DWA decoder; dwa.c decodes tiles too, and the C++
		// reader what dwa.c does not take.
		if dwaTakes(t.header, sel) {
			return viaCore, nil
		}
		return viaIMF, nil
	case !allHalf(t.header, sel):
		// Imath 3.1's float-to-half conversion rounds values just below
		// 65520 up to infinity; Core rounds every value to nearest even.
		return viaCore, nil
	case int(comp) < len(fastest):
		return fastest[comp], nil
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

// imfFile returns the file's C++ API handle, opening it on first use.
func (f *File) imfFile() (*C.flick_imf_file, error) {
	f.targets.mu.Lock()
	defer f.targets.mu.Unlock()
	if f.r.imf == nil {
		cpath := C.CString(f.path)
		defer C.free(unsafe.Pointer(cpath))
		f.r.imf = unsafe.Pointer(C.flick_imf_open(cpath))
		if f.r.imf == nil {
			return nil, &Error{Op: "decode", Path: f.path, Code: ErrOutOfMemory}
		}
	}
	return (*C.flick_imf_file)(f.r.imf), nil
}

// dwaTakes says whether dwa.c decodes sel from a DWA part of h (in Core's
// pipeline; see flick_dwa_pick): HALF channels, a CPU with AVX2 and F16C.
// Subsampled channels are routed before this is asked.
func dwaTakes(h *Header, sel Selection) bool { return allHalf(h, sel) && dwaCPU() }

// dwaCPU says whether this CPU has what dwa.c needs (AVX2, F16C).
func dwaCPU() bool { return C.flick_dwa_cpu() != 0 }
