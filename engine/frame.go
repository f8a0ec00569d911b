package engine

import (
	"fmt"
	"image"
	"time"

	"flick/engine/exr"
	"flick/engine/timecode"
)

// Frame is one decoded frame: interleaved RGBA half floats over the data
// window, rows top first, with the windows it is shown in.
type Frame struct {
	Number int
	// Source is the id of the source (the Loader's, Cache.NewSource) the
	// frame was decoded for: with Number and Channels, its key in the Cache.
	Source int
	Path   string
	// Channels is the selection the frame was decoded with, as asked for:
	// the zero Selection means exr.DefaultSelection of the frame's header.
	Channels      exr.Selection
	Pix           []uint16
	DataWindow    image.Rectangle // Max exclusive, as image.Rectangle
	DisplayWindow image.Rectangle
	Header        exr.Header
	// TimeCode is the file's timeCode attribute (part 0's) when
	// HasTimeCode; Timecode falls back to one derived from Number.
	TimeCode    timecode.Timecode
	HasTimeCode bool
	Read        time.Duration // opening the file and reading its header
	Decode      time.Duration // reading and decoding the chunks
	Err         error         // why the frame could not be loaded
}

// Key is what the cache stores a frame under: its source, its number and
// the channel selection its pixels hold (the zero Selection: the file's
// default).
type Key struct {
	Source, Frame int
	Channels      exr.Selection
}

// Key returns the frame's cache key.
func (f *Frame) Key() Key { return Key{f.Source, f.Number, f.Channels} }

// maxFramePixels bounds the data window accepted before a buffer is
// allocated for it: 2^28 pixels is 2 GiB of RGBA half.
const maxFramePixels = 1 << 28

// LoadFrame opens one frame of a sequence and decodes it on the pool's
// workers into a buffer from buffer (given the number of values needed),
// and returns it with its windows. stale (may be nil) abandons the decode
// with ErrStale once it says true. The error names the file and what went
// wrong.
func LoadFrame(s *Sequence, number int, buffer func(n int) []uint16, pool *Pool, stale func() bool) (*Frame, error) {
	return LoadKey(s, Key{Frame: number}, buffer, pool, stale)
}

// LoadKey is LoadFrame for a frame and channel selection (a layer of any
// part; the zero selection is the file's default).
func LoadKey(s *Sequence, k Key, buffer func(n int) []uint16, pool *Pool, stale func() bool) (*Frame, error) {
	f, err := loadFrame(s, k, buffer, pool.Decode, stale)
	if err != nil {
		return nil, err
	}
	return f, nil
}

// decodeFunc is Pool.Decode (all workers on one frame), Pool.DecodeOne or
// Pool.DecodeWhole.
type decodeFunc func(f *exr.File, dst []uint16, sel exr.Selection, stale func() bool) error

// loadFrame is LoadFrame for any channel selection and either way of
// decoding. A buffer it got from buffer and could not fill is returned
// with the error, in the Frame, for reuse (the frame is nil otherwise).
func loadFrame(s *Sequence, k Key, buffer func(n int) []uint16, decode decodeFunc, stale func() bool) (*Frame, error) {
	path, sel := s.file(k)
	if path == "" {
		return nil, fmt.Errorf("frame %d is missing from %s", k.Frame, s)
	}
	start := time.Now()
	f, err := exr.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	read := time.Since(start)
	h := f.Header()
	tc, hasTC := fileTimecode(f)
	if sel == (exr.Selection{}) {
		if sel, err = exr.DefaultSelection(h); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	// The part (and level) chosen may have windows of its own.
	data, display := h.DataWindow, h.DisplayWindow
	if sel.Part != 0 || sel.LevelX != 0 || sel.LevelY != 0 {
		if data, err = f.Window(sel); err != nil {
			return nil, err
		}
		parts, err := f.Parts()
		if err != nil || sel.Part >= len(parts) {
			return nil, fmt.Errorf("%s: part %d: %v", path, sel.Part, err)
		}
		h, display = parts[sel.Part].Header, parts[sel.Part].DisplayWindow
	}
	w, ht := data.Width(), data.Height()
	if w <= 0 || ht <= 0 || w*ht > maxFramePixels {
		return nil, fmt.Errorf("%s: data window %dx%d is too large to show", path, w, ht)
	}
	buf := buffer(4 * w * ht)
	start = time.Now()
	if err := decode(f, buf, sel, stale); err != nil {
		return &Frame{Number: k.Frame, Source: k.Source, Path: path, Channels: k.Channels, Pix: buf}, err
	}
	return &Frame{
		Number:        k.Frame,
		Source:        k.Source,
		Path:          path,
		Channels:      k.Channels,
		Pix:           buf,
		DataWindow:    rect(data),
		DisplayWindow: rect(display),
		Header:        h,
		TimeCode:      tc,
		HasTimeCode:   hasTC,
		Read:          read,
		Decode:        time.Since(start),
	}, nil
}

// rect turns an EXR window (inclusive) into an image.Rectangle (exclusive).
func rect(b exr.Box) image.Rectangle {
	return image.Rect(b.MinX, b.MinY, b.MaxX+1, b.MaxY+1)
}
