package ui

import (
	"image"
	"slices"
	"sync"

	"flick/engine"
	"flick/engine/exr"
)

// exactChunks is how many decoded chunks exactValues keeps: the chunks
// around the cursor, so hovering back and forth decodes nothing again.
const exactChunks = 8

// exactValues gives the probe the file's own values of FLOAT and UINT
// channels, which the frame cache holds as half (depth, positions and IDs
// rounded, Cryptomatte IDs destroyed). It decodes the chunk under the
// probed pixel at full precision (exr.DecodeFloat) on a goroutine of its
// own, one chunk at a time, the latest request winning, and keeps the last
// exactChunks chunks, keyed by frame (its file), selection (part, level,
// channels) and chunk. Its methods are called on the UI goroutine; wake
// (Window.Wake) makes the UI loop go round when a chunk is in.
type exactValues struct {
	wake func()

	mu     sync.Mutex
	chunks []*exactChunk // least recently used first; guarded by mu
	busy   bool          // the decoding goroutine runs; guarded by mu
	next   *exactWant    // the request it takes next; guarded by mu
	gen    int           // chunks decoded so far; guarded by mu
}

// exactWant is the chunk under pixel at of path's selection sel.
type exactWant struct {
	path string
	sel  exr.Selection
	at   image.Point
}

// exactChunk is one chunk decoded at full precision: pix is interleaved
// RGBA over box (the level's pixels, engine.Frame.DataWindow's
// coordinates), or err says why it could not be decoded.
type exactChunk struct {
	path string
	sel  exr.Selection
	box  image.Rectangle
	pix  []float32
	err  error
}

// holds says whether c is the chunk of path's selection sel under p.
func (c *exactChunk) holds(path string, sel exr.Selection, p image.Point) bool {
	return c.path == path && c.sel == sel && p.In(c.box)
}

// exactState is where a probe's values come from.
type exactState int

const (
	exactNotNeeded exactState = iota // the channels are HALF (or none): the frame's values are the file's
	exactPending                     // the frame's half values; the file's are being decoded
	exactIn                          // the file's values, decoded as float
	exactFailed                      // the frame's half values; the file's could not be decoded
)

// exactSelection is the selection f was decoded with, resolved, and
// whether one of its channels is FLOAT or UINT (and so rounded to half in
// f's pixels) in a request DecodeFloat serves.
func exactSelection(f *engine.Frame) (exr.Selection, bool) {
	sel := f.Channels
	if sel == (exr.Selection{}) {
		var err error
		if sel, err = exr.DefaultSelection(f.Header); err != nil {
			return sel, false
		}
	}
	if sel.LumaChroma {
		return sel, false
	}
	for s, name := range sel.Names {
		if name == "" || (sel.Grey && s > 0 && s < 3) {
			continue
		}
		i := slices.IndexFunc(f.Header.Channels, func(c exr.Channel) bool { return c.Name == name })
		if i >= 0 && f.Header.Channels[i].Type != exr.Half {
			return sel, true
		}
	}
	return sel, false
}

// lookup returns the file's values at pixel p of f (the level's pixels),
// where f shows FLOAT or UINT channels: from a kept chunk (exactIn), or
// half (the frame's, v) while the chunk is decoded (exactPending) or when
// it cannot be (exactFailed). v is returned as it is for exactNotNeeded.
func (e *exactValues) lookup(f *engine.Frame, p image.Point, v [4]float32) ([4]float32, exactState) {
	sel, need := exactSelection(f)
	if !need || f.Err != nil {
		return v, exactNotNeeded
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, c := range e.chunks {
		if !c.holds(f.Path, sel, p) {
			continue
		}
		e.chunks = append(append(e.chunks[:i:i], e.chunks[i+1:]...), c) // most recent last
		if c.err != nil {
			return v, exactFailed
		}
		k := 4 * ((p.Y-c.box.Min.Y)*c.box.Dx() + p.X - c.box.Min.X)
		return [4]float32(c.pix[k : k+4]), exactIn
	}
	e.next = &exactWant{f.Path, sel, p}
	if !e.busy {
		e.busy = true
		go e.run()
	}
	return v, exactPending
}

// changed says whether chunks came in since *seen, and updates it.
func (e *exactValues) changed(seen *int) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.gen != *seen
	*seen = e.gen
	return c
}

// run decodes the requests until none is left.
func (e *exactValues) run() {
	for {
		e.mu.Lock()
		w := e.next
		e.next = nil
		if w == nil {
			e.busy = false
			e.mu.Unlock()
			return
		}
		kept := slices.ContainsFunc(e.chunks, func(c *exactChunk) bool { return c.holds(w.path, w.sel, w.at) })
		e.mu.Unlock()
		if kept { // asked again, for another pixel, while its chunk was decoded
			continue
		}
		c := decodeExact(w)
		e.mu.Lock()
		if len(e.chunks) == exactChunks {
			e.chunks = slices.Delete(e.chunks, 0, 1)
		}
		e.chunks = append(e.chunks, c)
		e.gen++
		e.mu.Unlock()
		if e.wake != nil {
			e.wake()
		}
	}
}

// decodeExact decodes the chunk under w.at as float. A failure is kept
// for the chunk (or, when even the file cannot be read, for the pixel) so
// that hovering does not retry it on every move.
func decodeExact(w *exactWant) *exactChunk {
	c := &exactChunk{path: w.path, sel: w.sel, box: image.Rectangle{Min: w.at, Max: w.at.Add(image.Pt(1, 1))}}
	f, err := exr.Open(w.path)
	if err != nil {
		c.err = err
		return c
	}
	defer f.Close()
	i, err := f.ChunkAt(w.sel, w.at.X, w.at.Y)
	if err != nil {
		c.err = err
		return c
	}
	b, err := f.ChunksBox(w.sel, i, i+1)
	if err != nil {
		c.err = err
		return c
	}
	c.box = image.Rect(b.MinX, b.MinY, b.MaxX+1, b.MaxY+1)
	c.pix = make([]float32, 4*b.Width()*b.Height())
	c.err = f.DecodeFloat(c.pix, b, w.sel, i, i+1)
	return c
}

// probeExact puts the file's own values of f at level pixel p into the
// probe in place of the frame's half ones, where they differ (FLOAT and
// UINT channels), and says in the probe which it shows.
func (a *app) probeExact(f *engine.Frame, p image.Point) {
	if a.exact.wake == nil {
		a.exact.wake = a.win.Wake
	}
	a.probe.Values, a.probe.Exact = a.exact.lookup(f, p, a.probe.Values)
}
