package exr

/*
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// DecodeFloat decodes chunks [begin, end) of the part and level sel names
// (numbered as ChunksOf counts them) into dst as interleaved RGBA float32 at
// the file's own precision: FLOAT values as stored, bit for bit; HALF ones
// widened (exact); UINT ones converted to the nearest float32, which is the
// integer itself up to 2^24 (16,777,216) and rounds to an even neighbour
// above. dst covers the rectangle into, in Window's coordinates, row-major,
// into.Width() pixels a row; len(dst) must be at least 4*W*H of it and every
// chunk of the range must lie inside it: ChunksBox gives the smallest such
// rectangle, Window the whole level's, ChunkAt the chunk under a pixel. The
// slots follow sel as in Decode (an empty name gives 0, or 1 for A; Grey
// copies R). The rest of dst is left as it was.
//
// DecodeFloat decodes through Core's pipeline only: what only the C++
// reader reads right (luminance/chroma, subsampled channels, rip-map
// levels above the first row, tiled DWA) fails with ErrUnsupported. Like
// DecodeChunks it is safe for concurrent use by several goroutines on
// disjoint ranges of one File and one dst, and a damaged file gives an
// error, never a crash.
func (f *File) DecodeFloat(dst []float32, into Box, sel Selection, begin, end int) error {
	t, err := f.target(sel)
	if err != nil {
		return err
	}
	l := &t.layout
	if n := int(l.chunks); begin < 0 || end > n || begin > end {
		return &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("part %d: chunks [%d, %d) outside [0, %d)", sel.Part, begin, end, n)}
	}
	comp := Compression(l.compression)
	via, err := f.route(t, sel, viaAuto)
	if err != nil {
		return err
	}
	if via != viaCore || (l.tiles_x > 0 && (comp == DWAA || comp == DWAB)) {
		return &Error{Op: "decode", Path: f.path, Code: ErrUnsupported,
			Detail: fmt.Sprintf("part %d: exact values are decoded through OpenEXR's C API only, which cannot read this request (%s)", sel.Part, floatRefusal(t, sel))}
	}
	q, err := f.request(t, sel)
	if err != nil {
		return err
	}
	x, y := into.MinX-int(l.x0), into.MinY-int(l.y0)
	w, h := into.Width(), into.Height()
	if x < 0 || y < 0 || w < 1 || h < 1 || x+w > int(l.width) || y+h > int(l.height) || len(dst)/4 < w*h {
		return &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("part %d: rectangle %v with %d values outside the level or its buffer", sel.Part, into, len(dst))}
	}
	// flick_decode refuses a chunk outside the rectangle.
	q.out_x, q.out_y, q.out_w, q.out_h = C.int32_t(x), C.int32_t(y), C.int32_t(w), C.int32_t(h)
	q.float_out = 1
	return f.decodeCore(unsafe.Pointer(unsafe.SliceData(dst)), len(dst), t, &q, begin, end)
}

// floatRefusal says why DecodeFloat cannot serve sel from t.
func floatRefusal(t *target, sel Selection) string {
	switch {
	case sel.LumaChroma:
		return "luminance/chroma"
	case subsampled(t.header, sel) != "":
		return fmt.Sprintf("channel %q is subsampled", subsampled(t.header, sel))
	case t.layout.tiles_x > 0 && (Compression(t.layout.compression) == DWAA || Compression(t.layout.compression) == DWAB):
		return "tiled " + strings.ToUpper(Compression(t.layout.compression).String())
	}
	return "a rip-map level above the first row"
}

// chunkBox is where chunk i of t lies, in Window's coordinates.
func (f *File) chunkBox(t *target, i int) Box {
	var x, y, w, h C.int32_t
	C.flick_chunk_rect(&t.layout, C.int32_t(i), &x, &y, &w, &h)
	x0, y0 := int(t.layout.x0)+int(x), int(t.layout.y0)+int(y)
	return Box{x0, y0, x0 + int(w) - 1, y0 + int(h) - 1}
}

// ChunksBox returns the smallest rectangle, in Window's coordinates, that
// holds chunks [begin, end) of the part and level sel names: a band of
// scanlines, a tile, or the bounding box of a run of tiles.
func (f *File) ChunksBox(sel Selection, begin, end int) (Box, error) {
	t, err := f.target(sel)
	if err != nil {
		return Box{}, err
	}
	if n := int(t.layout.chunks); begin < 0 || end > n || begin >= end {
		return Box{}, &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("part %d: chunks [%d, %d) outside [0, %d) or empty", sel.Part, begin, end, n)}
	}
	b := f.chunkBox(t, begin)
	for i := begin + 1; i < end; i++ {
		c := f.chunkBox(t, i)
		b.MinX, b.MinY = min(b.MinX, c.MinX), min(b.MinY, c.MinY)
		b.MaxX, b.MaxY = max(b.MaxX, c.MaxX), max(b.MaxY, c.MaxY)
	}
	return b, nil
}

// ChunkAt returns the chunk of the part and level sel names that holds
// pixel (x, y), in Window's coordinates, or an ErrInvalidArgument error
// when the pixel is outside the level.
func (f *File) ChunkAt(sel Selection, x, y int) (int, error) {
	t, err := f.target(sel)
	if err != nil {
		return 0, err
	}
	l := &t.layout
	px, py := x-int(l.x0), y-int(l.y0)
	if px < 0 || py < 0 || px >= int(l.width) || py >= int(l.height) {
		return 0, &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("part %d: pixel (%d, %d) is outside the level", sel.Part, x, y)}
	}
	if l.tiles_x > 0 {
		return py/int(l.tile_h)*int(l.tiles_x) + px/int(l.tile_w), nil
	}
	return py / int(l.lines), nil
}
