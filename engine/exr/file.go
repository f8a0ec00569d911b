package exr

/*
#cgo pkg-config: OpenEXR libdeflate
#cgo CFLAGS: -O2 -std=gnu11 -Wall
#cgo noescape flick_decode
#cgo nocallback flick_decode
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// File is an open EXR file: its descriptor, the library's read context and
// the header of part 0. Decode and DecodeChunks may be called any number of
// times, and from several goroutines at once (each call has its own decode
// state); Close must not run concurrently with them.
type File struct {
	r       *C.flick_reader // C memory, owned; nil after Close
	path    string
	header  Header
	cleanup runtime.Cleanup

	partsMu sync.Mutex
	parts   []Part // every part's header, read by the first Parts call; guarded by partsMu
}

// Open opens path and reads and checks the header of part 0. Headers whose
// windows, tile sizes or chunk counts could not be read safely fail with
// ErrBadHeader; a missing or unreadable file fails with ErrFileAccess (and
// the OS error, so errors.Is(err, fs.ErrNotExist) works).
func Open(path string) (*File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &Error{Op: "open", Path: path, Detail: errorText(err), Code: ErrFileAccess, Err: err}
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{Op: "open", Path: path, Detail: "not a regular file", Code: ErrFileAccess}
	}

	r := (*C.flick_reader)(C.calloc(1, C.sizeof_flick_reader))
	if r == nil {
		return nil, &Error{Op: "open", Path: path, Code: ErrOutOfMemory}
	}
	r.fd = -1
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	if rv := C.flick_reader_open(r, cpath); rv != C.EXR_ERR_SUCCESS {
		e := newError("open", path, "", rv, &r.msg)
		if e.Code != ErrFileAccess {
			// Whatever the library found wrong in the header (a missing or
			// invalid attribute, a short file, a size beyond the allocation
			// cap), for callers it is a bad header.
			e.Code = ErrBadHeader
		}
		freeReader(r)
		return nil, e
	}

	f := &File{r: r, path: path}
	if err := f.loadHeader(); err != nil {
		freeReader(r)
		return nil, err
	}
	f.cleanup = runtime.AddCleanup(f, freeReader, r)
	return f, nil
}

// errorText is an OS error without the path, which Error prints itself.
func errorText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

func freeReader(r *C.flick_reader) {
	C.flick_reader_close(r)
	C.free(unsafe.Pointer(r))
}

func (f *File) loadHeader() error {
	h := &f.r.h
	f.header = Header{
		Parts:         int(h.parts),
		DataWindow:    Box{int(h.dw[0]), int(h.dw[1]), int(h.dw[2]), int(h.dw[3])},
		DisplayWindow: Box{int(h.disp[0]), int(h.disp[1]), int(h.disp[2]), int(h.disp[3])},
		PixelAspect:   float32(h.aspect),
		Compression:   Compression(h.compression),
		Storage:       Storage(h.storage),
		TileWidth:     int(h.tile_w),
		TileHeight:    int(h.tile_h),
		Channels:      make([]Channel, int(h.channels)),
	}
	for i := range f.header.Channels {
		var name *C.char
		var typ, xs, ys C.int32_t
		if rv := C.flick_reader_channel(f.r, C.int(i), &name, &typ, &xs, &ys); rv != C.EXR_ERR_SUCCESS {
			return newError("open", f.path, fmt.Sprintf("channel %d", i), rv, nil)
		}
		f.header.Channels[i] = Channel{Name: C.GoString(name), Type: PixelType(typ), XSampling: int(xs), YSampling: int(ys)}
	}
	return nil
}

// Path returns the path the file was opened with.
func (f *File) Path() string { return f.path }

// Header returns the header of part 0. Its Channels slice is shared: do not
// modify it.
func (f *File) Header() Header { return f.header }

// Decode decodes part 0's data window (level 0) into dst as interleaved RGBA
// half floats (uint16 bit patterns), row-major, width
// Header().DataWindow.Width(); len(dst) must be at least 4*W*H. Channels of
// type FLOAT or UINT are converted to half. Only the channels named in sel
// are decoded. On error dst may be partly written. Decode does not allocate
// in Go unless it fails.
func (f *File) Decode(dst []uint16, sel Selection) error {
	if f == nil || f.r == nil {
		return f.closedError()
	}
	return f.decode(dst, sel, 0, f.Chunks(), decodeOptions{})
}

// Chunks returns the number of level-0 chunks of part 0: scanline blocks
// top to bottom, or tiles row by row (0 after Close).
func (f *File) Chunks() int {
	if f == nil || f.r == nil {
		return 0
	}
	return int(f.r.chunks)
}

// DecodeChunks decodes chunks [begin, end) of part 0's level 0 (numbered as
// in Chunks) into dst, with the same layout and rules as Decode; the rest of
// dst is left as it was. Decoding every chunk once, in any split, gives what
// Decode gives. It is safe for concurrent use by several goroutines on
// disjoint ranges of one File and one dst. It does not allocate in Go unless
// it fails.
func (f *File) DecodeChunks(dst []uint16, sel Selection, begin, end int) error {
	if f == nil || f.r == nil {
		return f.closedError()
	}
	if begin < 0 || end > f.Chunks() || begin > end {
		return &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("chunks [%d, %d) outside [0, %d)", begin, end, f.Chunks())}
	}
	return f.decode(dst, sel, begin, end, decodeOptions{})
}

// decodeOptions are switches tests use to reach the slower reference paths.
type decodeOptions struct {
	libraryZip bool // ZIP/ZIPS through the library's zlib path, not libdeflate
}

func (f *File) closedError() error {
	return &Error{Op: "decode", Path: f.pathOrEmpty(), Detail: "file is closed", Code: ErrInvalidArgument}
}

// decode is Decode and DecodeChunks: f is open and [begin, end) is valid.
func (f *File) decode(dst []uint16, sel Selection, begin, end int, opt decodeOptions) error {
	h := &f.header
	w, ht := h.DataWindow.Width(), h.DataWindow.Height()
	if len(dst)/4 < w*ht {
		return &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("buffer holds %d values, %dx%d RGBA needs %d", len(dst), w, ht, 4*w*ht)}
	}
	if err := f.decodable(); err != nil {
		return err
	}
	if h.Compression == DWAA || h.Compression == DWAB {
		// OpenEXR 3.1.5's C API cannot decode DWA; its C++ API can, but
		// only by scanline range of the whole file, not by our chunks.
		if begin != 0 || end != f.Chunks() {
			return &Error{Op: "decode", Path: f.path, Code: ErrNotImplemented,
				Detail: strings.ToUpper(h.Compression.String()) + " parts are decoded whole (through the C++ API), not by chunk"}
		}
		return decodeIMF(f.path, *h, dst, sel)
	}
	q, err := f.request(sel)
	if err != nil {
		return err
	}
	q.chunk_begin, q.chunk_end = C.int32_t(begin), C.int32_t(end)
	if opt.libraryZip {
		q.library_zip = 1
	}

	var msg C.flick_msg
	var failed C.int32_t
	var p *C.uint16_t
	if len(dst) > 0 {
		p = (*C.uint16_t)(unsafe.Pointer(&dst[0]))
	}
	rv := C.flick_decode(f.r, p, C.uint64_t(len(dst)), &q, &failed, &msg)
	runtime.KeepAlive(f)
	if rv != C.EXR_ERR_SUCCESS {
		context := ""
		if failed >= 0 {
			context = fmt.Sprintf("chunk %d", int(failed))
		}
		return newError("decode", f.path, context, rv, &msg)
	}
	return nil
}

// request resolves sel to the channel indices flick_decode takes; the chunk
// range is left for the caller.
func (f *File) request(sel Selection) (C.flick_decode_req, error) {
	var q C.flick_decode_req
	p, err := resolve(f.path, &f.header, sel)
	for s := range 4 {
		q.channel[s], q.copy_from[s] = C.int32_t(p.channel[s]), C.int32_t(p.copyFrom[s])
	}
	return q, err
}

// decodable refuses parts this package does not decode, with a message that
// says why.
func (f *File) decodable() error {
	h := &f.header
	switch {
	case h.Storage == DeepScanline || h.Storage == DeepTiled:
		return &Error{Op: "decode", Path: f.path, Code: ErrUnsupported, Detail: "deep data is not supported"}
	case f.r.bad_sampling != 0:
		return &Error{Op: "decode", Path: f.path, Code: ErrUnsupported,
			Detail: "channel sampling other than 1, or 2 on an aligned scanline window, is not supported"}
	}
	return nil
}

func (f *File) pathOrEmpty() string {
	if f == nil {
		return ""
	}
	return f.path
}

// Close releases the file's descriptor and C memory. It is safe on a nil
// File and safe to call more than once.
func (f *File) Close() error {
	if f == nil || f.r == nil {
		return nil
	}
	f.cleanup.Stop()
	freeReader(f.r)
	f.r = nil
	return nil
}
