package exr

/*
#cgo pkg-config: OpenEXR libdeflate
#cgo CFLAGS: -O2 -std=gnu11 -Wall
#cgo noescape flick_decode
#cgo nocallback flick_decode
#include <stdlib.h>
#include "bridge.h"
#include "imf.h"
*/
import "C"

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"unsafe"
)

// File is an open EXR file: its descriptor, the library's read context, the
// header of part 0, and what decoding other parts and levels needs, read on
// first use. Decode and DecodeChunks may be called any number of
// times, and from several goroutines at once (each call has its own decode
// state); Close must not run concurrently with them.
type File struct {
	r       *C.flick_reader // C memory, owned; nil after Close
	path    string
	header  Header
	cleanup runtime.Cleanup

	partsMu sync.Mutex
	parts   []Part // every part's header, read by the first Parts call; guarded by partsMu

	targets targets // the layouts of the parts and levels decoded so far

	imfMu sync.Mutex // guards r.imf, the C++ API handle imfFile opens
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

// imfFile returns the file's C++ API handle, opening it on first use.
func (f *File) imfFile() (*C.flick_imf_file, error) {
	f.imfMu.Lock()
	defer f.imfMu.Unlock()
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

func freeReader(r *C.flick_reader) {
	C.flick_imf_close((*C.flick_imf_file)(r.imf))
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

// Decode decodes the part and level sel names (part 0, level 0 by
// default) into dst as interleaved RGBA half floats (uint16 bit patterns),
// row-major, Window(sel).Width() pixels a row; len(dst) must be at least
// 4*W*H of that window. Channels of type FLOAT or UINT are converted to
// half. Only the channels named in sel are decoded. On error dst may be
// partly written. Decode does not allocate in Go unless it fails (or sel
// names a part or level not decoded before, whose layout it then reads).
func (f *File) Decode(dst []uint16, sel Selection) error {
	t, err := f.target(sel)
	if err != nil {
		return err
	}
	return f.decode(dst, sel, t, 0, int(t.layout.chunks), decodeOptions{})
}

// Chunks returns the number of chunks of part 0's level 0: scanline blocks
// top to bottom, or tiles row by row (0 after Close). ChunksOf counts them
// for any part and level.
func (f *File) Chunks() int {
	if f == nil || f.r == nil {
		return 0
	}
	return int(f.r.l0.chunks)
}

// ChunksOf returns the number of chunks (the units DecodeChunks takes) of
// the part and level sel names. The first call for a part and level reads
// and checks its layout; later calls, from any goroutine, only look it up.
func (f *File) ChunksOf(sel Selection) (int, error) {
	t, err := f.target(sel)
	if err != nil {
		return 0, err
	}
	return int(t.layout.chunks), nil
}

// Window returns the rectangle Decode fills for sel: the part's data window
// for level 0; for a reduced level, the level's size at the data window's
// origin.
func (f *File) Window(sel Selection) (Box, error) {
	t, err := f.target(sel)
	if err != nil {
		return Box{}, err
	}
	l := &t.layout
	x0, y0 := int(l.x0), int(l.y0)
	return Box{x0, y0, x0 + int(l.width) - 1, y0 + int(l.height) - 1}, nil
}

// DecodeChunks decodes chunks [begin, end) of the part and level sel names
// (numbered as ChunksOf counts them; for part 0, level 0, as Chunks) into
// dst, with the same layout and rules as Decode; the rest of dst is left as
// it was. Decoding every chunk once, in any split, gives what Decode gives.
// It is safe for concurrent use by several goroutines on disjoint ranges of
// one File and one dst, whichever library path serves the part. It does not
// allocate in Go unless it fails.
func (f *File) DecodeChunks(dst []uint16, sel Selection, begin, end int) error {
	t, err := f.target(sel)
	if err != nil {
		return err
	}
	if n := int(t.layout.chunks); begin < 0 || end > n || begin > end {
		return &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("part %d: chunks [%d, %d) outside [0, %d)", sel.Part, begin, end, n)}
	}
	return f.decode(dst, sel, t, begin, end, decodeOptions{})
}

// decodeOptions are switches tests use to reach the other paths.
type decodeOptions struct {
	libraryCodecs bool // the library's decompressors for ZIP, ZIPS, PXR24 and RLE and its unpack step (deflate.c and unpack.c are flick's)
	via           via  // force a path (viaAuto: route's choice)
}

func (f *File) closedError() error {
	return &Error{Op: "decode", Path: f.pathOrEmpty(), Detail: "file is closed", Code: ErrInvalidArgument}
}

// decode is Decode and DecodeChunks: t is sel's target and [begin, end) is
// valid.
func (f *File) decode(dst []uint16, sel Selection, t *target, begin, end int, opt decodeOptions) error {
	l := &t.layout
	via, err := f.route(t, sel, opt.via)
	if err != nil {
		return err
	}
	w, ht := int(l.width), int(l.height)
	if len(dst)/4 < w*ht {
		return &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("part %d: buffer holds %d values, %dx%d RGBA needs %d", sel.Part, len(dst), w, ht, 4*w*ht)}
	}
	if via == viaCore {
		q, err := f.request(t, sel)
		if err != nil {
			return err
		}
		if opt.libraryCodecs {
			q.library_codecs = 1
		}
		q.out_w, q.out_h = l.width, l.height
		return f.decodeCore(unsafe.Pointer(unsafe.SliceData(dst)), len(dst), t, &q, begin, end)
	}
	// The C++ API trusts the file's chunk table and leaders more than Core
	// does: Core checks them first (except on rip-map rows above the first,
	// which Core mis-indexes).
	if l.ripmap == 0 || l.ly == 0 {
		q := C.flick_decode_req{channel: [4]C.int32_t{-1, -1, -1, -1}, copy_from: [4]C.int32_t{-1, -1, -1, -1}, check_only: 1}
		if err := f.decodeCore(nil, 0, t, &q, begin, end); err != nil {
			return err
		}
	}
	return f.decodeIMF(dst, sel, t, begin, end)
}

// decodeCore runs flick_decode over chunks [begin, end) of t into dst, n
// values of q's type (nil and 0 for a check_only request).
func (f *File) decodeCore(dst unsafe.Pointer, n int, t *target, q *C.flick_decode_req, begin, end int) error {
	q.chunk_begin, q.chunk_end = C.int32_t(begin), C.int32_t(end)
	var msg C.flick_msg
	var failed C.int32_t
	rv := C.flick_decode(f.r, &t.layout, dst, C.uint64_t(n), q, &failed, &msg)
	runtime.KeepAlive(f)
	if rv != C.EXR_ERR_SUCCESS {
		context := fmt.Sprintf("part %d", int(t.layout.part))
		if failed >= 0 {
			context += fmt.Sprintf(", chunk %d", int(failed))
		}
		return newError("decode", f.path, context, rv, &msg)
	}
	return nil
}

// request resolves sel to the channel indices flick_decode takes; the chunk
// range is left for the caller.
func (f *File) request(t *target, sel Selection) (C.flick_decode_req, error) {
	var q C.flick_decode_req
	p, err := resolve(f.path, t.header, sel)
	for s := range 4 {
		q.channel[s], q.copy_from[s] = C.int32_t(p.channel[s]), C.int32_t(p.copyFrom[s])
	}
	return q, err
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
