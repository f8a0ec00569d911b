package engine

import (
	"fmt"
	"image"
	"time"

	"flick/engine/exr"
)

// Frame is one decoded frame: interleaved RGBA half floats over the data
// window, rows top first, with the windows it is shown in.
type Frame struct {
	Number        int
	Path          string
	Pix           []uint16
	DataWindow    image.Rectangle // Max exclusive, as image.Rectangle
	DisplayWindow image.Rectangle
	Header        exr.Header
	Decode        time.Duration // open, read and decode
	Err           error         // why the frame could not be loaded
}

// maxFramePixels bounds the data window accepted before a buffer is
// allocated for it: 2^28 pixels is 2 GiB of RGBA half.
const maxFramePixels = 1 << 28

// LoadFrame opens one frame of a sequence and decodes it on the pool's
// workers into a buffer from buffer (given the number of values needed),
// and returns it with its windows. stale (may be nil) abandons the decode
// with ErrStale once it says true. The error names the file and what went
// wrong.
func LoadFrame(s *Sequence, number int, buffer func(n int) []uint16, pool *Pool, stale func() bool) (*Frame, error) {
	path := s.Path(number)
	if path == "" {
		return nil, fmt.Errorf("frame %d is missing from %s", number, s)
	}
	start := time.Now()
	f, err := exr.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := f.Header()
	sel, err := exr.DefaultSelection(h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	w, ht := h.DataWindow.Width(), h.DataWindow.Height()
	if w <= 0 || ht <= 0 || w*ht > maxFramePixels {
		return nil, fmt.Errorf("%s: data window %dx%d is too large to show", path, w, ht)
	}
	buf := buffer(4 * w * ht)
	if err := pool.Decode(f, buf, sel, stale); err != nil {
		return nil, err
	}
	return &Frame{
		Number:        number,
		Path:          path,
		Pix:           buf,
		DataWindow:    rect(h.DataWindow),
		DisplayWindow: rect(h.DisplayWindow),
		Header:        h,
		Decode:        time.Since(start),
	}, nil
}

// rect turns an EXR window (inclusive) into an image.Rectangle (exclusive).
func rect(b exr.Box) image.Rectangle {
	return image.Rect(b.MinX, b.MinY, b.MaxX+1, b.MaxY+1)
}
