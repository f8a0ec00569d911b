package cryptomatte

import (
	"fmt"
	"math"
	"sync"

	"flick/engine/exr"
)

// Frame is one frame's rank data of a cryptomatte: every rank's ID and
// coverage over the part's data window, decoded once, as the file's own
// float32 values. Matte and Pick read it; neither decodes again.
type Frame struct {
	Window exr.Box
	ranks  int
	// pairs holds two ranks per slice, interleaved per pixel as RGBA:
	// rank 2k's ID and coverage, then rank 2k+1's (absent for the last of
	// an odd count).
	pairs [][]float32
}

// Decode decodes the rank channels of c, a cryptomatte of f that Detect
// found in f's header, as float32 (exr.File.DecodeFloat: bit for bit, as
// IDs need), and only those channels, each once. A cryptomatte with an
// Error (IDs stored as HALF...) is refused with that error.
func Decode(f *exr.File, c *Cryptomatte) (*Frame, error) {
	if err := c.Err(); err != nil {
		return nil, err
	}
	fr := &Frame{ranks: len(c.Ranks), pairs: make([][]float32, (len(c.Ranks)+1)/2)}
	errs := make([]error, len(fr.pairs))
	var wg sync.WaitGroup
	for k := range fr.pairs {
		a, b := c.Ranks[2*k], Rank{}
		if 2*k+1 < len(c.Ranks) {
			b = c.Ranks[2*k+1]
		}
		sel := exr.Selection{Part: c.Part, Names: [4]string{a.ID, a.Coverage, b.ID, b.Coverage}}
		win, err := f.Window(sel)
		if err != nil {
			return nil, err
		}
		chunks, err := f.ChunksOf(sel)
		if err != nil {
			return nil, err
		}
		fr.Window = win
		fr.pairs[k] = make([]float32, 4*win.Width()*win.Height())
		wg.Go(func() { errs[k] = f.DecodeFloat(fr.pairs[k], win, sel, 0, chunks) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("cryptomatte %q: %w", c.Name, err)
		}
	}
	return fr, nil
}

// Ranks is the number of ranks.
func (fr *Frame) Ranks() int { return fr.ranks }

// rank returns rank r's ID bits and coverage at pixel i of the window.
func (fr *Frame) rank(r, i int) (id uint32, coverage float32) {
	p := fr.pairs[r/2][4*i+2*(r%2):]
	return math.Float32bits(p[0]), p[1]
}

// Matte writes into dst (grown if short) and returns, per pixel of the
// window, row by row, the sum of the coverage of every rank whose ID is
// in ids, added in rank order in float32 as the specification's decoder
// does.
func (fr *Frame) Matte(dst []float32, ids []uint32) []float32 {
	n := fr.Window.Width() * fr.Window.Height()
	if cap(dst) < n {
		dst = make([]float32, n)
	}
	dst = dst[:n]
	clear(dst)
	in := func(id uint32) bool { // a selection is a few names: a scan beats a map
		for _, x := range ids {
			if x == id {
				return true
			}
		}
		return false
	}
	if len(ids) > 16 {
		set := make(map[uint32]bool, len(ids))
		for _, id := range ids {
			set[id] = true
		}
		in = func(id uint32) bool { return set[id] }
	}
	// Pair by pair, so each pixel still adds its ranks in rank order.
	for k, p := range fr.pairs {
		second := 2*k+1 < fr.ranks
		for i := range dst {
			q := p[4*i : 4*i+4 : 4*i+4]
			if c := q[1]; c != 0 && in(math.Float32bits(q[0])) {
				dst[i] += c
			}
			if c := q[3]; second && c != 0 && in(math.Float32bits(q[2])) {
				dst[i] += c
			}
		}
	}
	return dst
}

// Pick returns the ID with the highest coverage at pixel (x, y) of the
// image (absolute: the data window's coordinates) and its coverage; the
// lower rank wins a tie. ID 0 (the float 0, which no name hashes to:
// renderers write it for the background) is never picked. ok is false
// outside the window and where no rank covers the pixel.
func (fr *Frame) Pick(x, y int) (id uint32, coverage float32, ok bool) {
	w := fr.Window
	if x < w.MinX || x > w.MaxX || y < w.MinY || y > w.MaxY {
		return 0, 0, false
	}
	i := (y-w.MinY)*w.Width() + x - w.MinX
	for r := range fr.ranks {
		if rid, cov := fr.rank(r, i); cov > coverage && rid != 0 {
			id, coverage, ok = rid, cov, true
		}
	}
	return id, coverage, ok
}
