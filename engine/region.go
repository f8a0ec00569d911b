package engine

import (
	"fmt"
	"image"
	"math"
	"sync"

	"github.com/x448/float16"

	"flick/engine/exr"
)

// Region statistics: what the viewer's Statistics, Histogram and Waveform
// panels show of a rectangle of a decoded frame. The frame's samples are
// half floats, so one pass counts each channel's 65,536 possible values
// (and the luminance rounded to half); min, max, mean, the histograms and
// the values as displayed through a per-channel curve all follow from
// those counts, without a second look at the pixels. On request
// (ComputeExact) the same statistics come from the file's own float32
// values of the region instead, which FLOAT and UINT channels need: half
// rounds depth and positions and destroys IDs.

// Axis is a histogram's (and a waveform's) value axis.
type Axis uint8

const (
	// AxisStops is the HDR axis: HistBins bins over [2^StopsLo, 2^StopsHi),
	// BinsPerStop to a stop (log2), with negative values, zero and values
	// under or over the axis counted apart.
	AxisStops Axis = iota
	// AxisSDR is [0, 1] in HistBins equal bins (1 in the last), with
	// negative values and values over 1 counted apart.
	AxisSDR
)

// The HDR axis: 2^-16 to 2^16 holds every normal half value but the
// largest stop; FLOAT values beyond it are counted in Under and Over.
const (
	StopsLo     = -16
	StopsHi     = 16
	BinsPerStop = 4
	HistBins    = (StopsHi - StopsLo) * BinsPerStop
	// WaveRows are a waveform's rows on the axis (HistBins/2 bins merged
	// in twos), between a row below the axis and a row above it.
	WaveRows = HistBins / 2
	// MaxWaveCols bounds a waveform's columns: a wider region's columns
	// are merged.
	MaxWaveCols = 512
)

// Edge returns the value at the lower edge of bin i of the axis (i =
// HistBins: the upper edge of the last bin).
func (a Axis) Edge(i int) float64 {
	if a == AxisSDR {
		return float64(i) / HistBins
	}
	return math.Exp2(StopsLo + float64(i)/BinsPerStop)
}

// Histogram counts values on an axis. Nothing is clamped into a bin: a
// value off the axis is counted in the field that names it.
type Histogram struct {
	Bins     [HistBins]uint32
	Negative uint32 // finite and below zero
	Zero     uint32 // 0 and -0 (AxisStops only: AxisSDR counts them in Bins[0])
	Under    uint32 // above 0, below 2^StopsLo (AxisStops only)
	Over     uint32 // finite, above the axis: at or above 2^StopsHi, or above 1
	NaN      uint32
	PosInf   uint32
	NegInf   uint32
}

// The codes of a value's place on an axis: 0 to HistBins-1 are bins.
const (
	codeNegative = HistBins + iota
	codeZero
	codeUnder
	codeOver
	codeNaN
	codePosInf
	codeNegInf
	codes
)

// add counts n values of code c.
func (h *Histogram) add(c uint8, n uint32) {
	switch c {
	case codeNegative:
		h.Negative += n
	case codeZero:
		h.Zero += n
	case codeUnder:
		h.Under += n
	case codeOver:
		h.Over += n
	case codeNaN:
		h.NaN += n
	case codePosInf:
		h.PosInf += n
	case codeNegInf:
		h.NegInf += n
	default:
		h.Bins[c] += n
	}
}

// The HDR axis's ends as values.
const (
	stopsLoValue = 1.0 / (1 << -StopsLo)
	stopsHiValue = 1 << StopsHi
)

// code returns v's place on axis a: the one place a value's bin is
// decided, for half values (through halfTables) and float32 ones alike.
func code(a Axis, v float64) uint8 {
	switch {
	case math.IsNaN(v):
		return codeNaN
	case math.IsInf(v, 1):
		return codePosInf
	case math.IsInf(v, -1):
		return codeNegInf
	case v < 0:
		return codeNegative
	}
	if a == AxisSDR {
		if v > 1 {
			return codeOver
		}
		return uint8(min(int(v*HistBins), HistBins-1))
	}
	switch {
	case v == 0:
		return codeZero
	case v < stopsLoValue:
		return codeUnder
	case v >= stopsHiValue:
		return codeOver
	}
	return uint8(min(int(math.Floor((math.Log2(v)-StopsLo)*BinsPerStop)), HistBins-1))
}

// waveRow returns the waveform row of code c: 0 below the axis (negative,
// zero, under, -Inf), 1 to WaveRows on it, WaveRows+1 above it (over,
// +Inf); NaN has no row (noRow).
func waveRow(c uint8) uint8 {
	switch c {
	case codeNegative, codeZero, codeUnder, codeNegInf:
		return 0
	case codeOver, codePosInf:
		return WaveRows + 1
	case codeNaN:
		return noRow
	}
	return 1 + c/(HistBins/WaveRows)
}

const noRow = 255

// halfTables are the value, axis code and waveform row of every half bit
// pattern, made once on first use and only read after.
type halfTables struct {
	value [1 << 16]float32
	code  [2][1 << 16]uint8 // by Axis
	row   [2][1 << 16]uint8
}

var tables = sync.OnceValue(func() *halfTables {
	t := new(halfTables)
	for h := range 1 << 16 {
		v := float16.Frombits(uint16(h)).Float32()
		t.value[h] = v
		for a := range 2 {
			c := code(Axis(a), float64(v))
			t.code[a][h], t.row[a][h] = c, waveRow(c)
		}
	}
	return t
})

// ChannelStats describes one channel over a region.
type ChannelStats struct {
	// Min, Max and Mean are over the finite values (NaN when there are
	// none); Finite counts them.
	Min, Max, Mean      float64
	Finite              int
	NaN, PosInf, NegInf int
}

// Waveform is, for each column of a region (merged into at most
// MaxWaveCols), a histogram of its values: Counts[ch][col*WaveStride+row],
// rows as waveRow says (NaN left out).
type Waveform struct {
	Cols   int
	Counts [4][]uint32 // R, G, B (RegionSettings.Parade), luminance (otherwise)
}

// WaveStride is the rows of one waveform column: the axis and a row below
// and above it.
const WaveStride = WaveRows + 2

// add counts a value of channel c in the column whose counts start at
// col, in row (noRow: none).
func (w *Waveform) add(c int, col int32, row uint8) {
	if row != noRow {
		w.Counts[c][col+int32(row)]++
	}
}

// RegionSettings say what to compute over a frame.
type RegionSettings struct {
	// Region is in the file's pixel coordinates; it is clipped to the data
	// window, and an empty one means the whole data window.
	Region image.Rectangle
	Axis   Axis
	// Parade makes the waveform R, G and B side by side; else luminance.
	Parade bool
}

// Shown says how the viewer shows linear values, for the statistics "as
// displayed" of R, G and B: one of Curve and Pixels, or neither (no
// displayed statistics).
type Shown struct {
	// Curve maps each of R, G and B on its own (flick's own transforms,
	// with exposure and gamma). Compute calls it once per distinct half
	// value, ComputeExact once per value.
	Curve func(float32) float32
	// Pixels transforms RGBA float32 pixels in place (OpenColorIO's CPU
	// processor, with exposure and gamma); it is called on the region a
	// row at a time, from the goroutine computing.
	Pixels func(rgba []float32) error
}

// RegionStats are a region's statistics, labelled with the frame they
// describe.
type RegionStats struct {
	Frame  int
	Key    Key
	Region image.Rectangle // clipped to the data window
	Pixels int
	Linear [4]ChannelStats // R, G, B, A
	// Shown are R, G and B as displayed (when HasShown).
	Shown    [3]ChannelStats
	HasShown bool
	Axis     Axis
	Hist     [5]Histogram // R, G, B, A, luminance
	Wave     Waveform
	Parade   bool
	// Exact says the statistics are of the file's own values
	// (ComputeExact), not the frame's half ones.
	Exact bool
}

// Luminance is Rec.709 luminance of linear RGB, as the display's
// luminance view computes it.
func Luminance(r, g, b float32) float32 { return 0.2126*r + 0.7152*g + 0.0722*b }

// RegionCounter computes RegionStats. Its buffers are kept between calls,
// so that computing again allocates nothing. Not safe for concurrent use.
type RegionCounter struct {
	counts [5][1 << 16]uint32 // R, G, B, A, luminance (rounded to half)
	cols   []int32            // waveform column of each region column
	row    []float32          // one row of the region for Shown.Pixels
	exact  []float32          // ComputeExact's decoded chunks, RGBA
	chunks [][2]int           // ComputeExact's chunk ranges
}

// Compute fills out (whose slices it reuses) with the statistics of f
// over s.Region, and the values as shown (when shown has a Curve or
// Pixels).
func (rc *RegionCounter) Compute(f *Frame, s RegionSettings, shown Shown, out *RegionStats) error {
	r, cols, err := rc.begin(f, s, out)
	if err != nil {
		return err
	}
	t := tables()
	dw := f.DataWindow
	wave := &out.Wave
	for c := range rc.counts {
		clear(rc.counts[c][:])
	}
	w := r.Dx()
	rows := &t.row[s.Axis]
	cr, cg, cb, ca, cl := &rc.counts[0], &rc.counts[1], &rc.counts[2], &rc.counts[3], &rc.counts[4]
	for y := r.Min.Y; y < r.Max.Y; y++ {
		i := 4 * ((y-dw.Min.Y)*dw.Dx() + r.Min.X - dw.Min.X)
		px := f.Pix[i : i+4*w]
		for x, col := range cols {
			p := px[4*x : 4*x+4 : 4*x+4]
			cr[p[0]]++
			cg[p[1]]++
			cb[p[2]]++
			ca[p[3]]++
			l := float16.Fromfloat32(Luminance(t.value[p[0]], t.value[p[1]], t.value[p[2]])).Bits()
			cl[l]++
			if s.Parade {
				for c := range 3 {
					wave.add(c, col, rows[p[c]])
				}
			} else {
				wave.add(3, col, rows[l])
			}
		}
	}
	codes := &t.code[s.Axis]
	for c := range rc.counts {
		h := &out.Hist[c]
		var acc accumulator
		for v, n := range rc.counts[c] {
			if n == 0 {
				continue
			}
			h.add(codes[v], n)
			if c < 4 {
				acc.add(t.value[v], n)
			}
		}
		if c < 4 {
			out.Linear[c] = acc.stats()
		}
	}
	switch {
	case shown.Curve != nil:
		for c := range out.Shown {
			var acc accumulator
			for v, n := range rc.counts[c] {
				if n != 0 {
					acc.add(shown.Curve(t.value[v]), n)
				}
			}
			out.Shown[c] = acc.stats()
		}
		out.HasShown = true
	case shown.Pixels != nil:
		fill := func(y int, row []float32) {
			i := 4 * ((y-dw.Min.Y)*dw.Dx() + r.Min.X - dw.Min.X)
			for k, h := range f.Pix[i : i+len(row)] {
				row[k] = t.value[h]
			}
		}
		if err := rc.shownPixels(r, fill, shown.Pixels, &out.Shown); err != nil {
			return err
		}
		out.HasShown = true
	}
	return nil
}

// ComputeExact is Compute over the file's own values of f's channels in
// place of the frame's half ones: FLOAT bit for bit, UINT as the nearest
// float32, HALF widened (exr.File.DecodeFloat). sel is the selection f
// was decoded with, resolved (f.Channels, or the header's default for
// the zero one). It reads f's file again and decodes only the chunks
// that hold the region, on the calling goroutine; min, max and mean are
// over float32 values, the histograms and waveform bin each value as
// Compute bins a half one, and the luminance is not rounded to half.
// The shown values go through the same curve or pixel transform.
func (rc *RegionCounter) ComputeExact(f *Frame, sel exr.Selection, s RegionSettings, shown Shown, out *RegionStats) error {
	r, cols, err := rc.begin(f, s, out)
	if err != nil {
		return err
	}
	out.Exact = true
	box, err := rc.decodeExact(f.Path, sel, r)
	if err != nil {
		return err
	}
	// at is the offset of the region's first pixel of row y in rc.exact.
	at := func(y int) int { return 4 * ((y-box.Min.Y)*box.Dx() + r.Min.X - box.Min.X) }
	wave := &out.Wave
	var acc [4]accumulator
	for y := r.Min.Y; y < r.Max.Y; y++ {
		px := rc.exact[at(y) : at(y)+4*r.Dx()]
		for x, col := range cols {
			p := px[4*x : 4*x+4 : 4*x+4]
			var codes [3]uint8
			for c, v := range p {
				acc[c].add(v, 1)
				k := code(s.Axis, float64(v))
				out.Hist[c].add(k, 1)
				if c < 3 {
					codes[c] = k
				}
			}
			l := code(s.Axis, float64(Luminance(p[0], p[1], p[2])))
			out.Hist[4].add(l, 1)
			if s.Parade {
				for c, k := range codes {
					wave.add(c, col, waveRow(k))
				}
			} else {
				wave.add(3, col, waveRow(l))
			}
		}
	}
	for c := range acc {
		out.Linear[c] = acc[c].stats()
	}
	fill := func(y int, row []float32) { copy(row, rc.exact[at(y):]) }
	switch {
	case shown.Curve != nil:
		row := rc.rowBuffer(r.Dx())
		var acc [3]accumulator
		for y := r.Min.Y; y < r.Max.Y; y++ {
			fill(y, row)
			for x := 0; x < len(row); x += 4 {
				for c := range acc {
					acc[c].add(shown.Curve(row[x+c]), 1)
				}
			}
		}
		for c := range acc {
			out.Shown[c] = acc[c].stats()
		}
		out.HasShown = true
	case shown.Pixels != nil:
		if err := rc.shownPixels(r, fill, shown.Pixels, &out.Shown); err != nil {
			return err
		}
		out.HasShown = true
	}
	return nil
}

// decodeExact decodes the chunks of path's selection sel that hold r
// (pixels of the level) into rc.exact as RGBA float32 over the box it
// returns, which holds r. A tiled level's chunks are decoded a row of
// tiles at a time, only the tiles r crosses; a scanline level's as one
// range.
func (rc *RegionCounter) decodeExact(path string, sel exr.Selection, r image.Rectangle) (image.Rectangle, error) {
	if r.Empty() {
		return r, nil
	}
	file, err := exr.Open(path)
	if err != nil {
		return r, err
	}
	defer file.Close()
	var box exr.Box
	rc.chunks = rc.chunks[:0]
	for y := r.Min.Y; y < r.Max.Y; {
		a, err := file.ChunkAt(sel, r.Min.X, y)
		if err != nil {
			return r, err
		}
		b, err := file.ChunkAt(sel, r.Max.X-1, y)
		if err != nil {
			return r, err
		}
		cb, err := file.ChunksBox(sel, a, b+1)
		if err != nil {
			return r, err
		}
		if y == r.Min.Y {
			box = cb
		}
		box.MinX, box.MaxX, box.MaxY = min(box.MinX, cb.MinX), max(box.MaxX, cb.MaxX), cb.MaxY
		if n := len(rc.chunks); n > 0 && rc.chunks[n-1][1] == a { // the next scanline chunk
			rc.chunks[n-1][1] = b + 1
		} else {
			rc.chunks = append(rc.chunks, [2]int{a, b + 1})
		}
		y = cb.MaxY + 1
	}
	n := 4 * box.Width() * box.Height()
	if cap(rc.exact) < n {
		rc.exact = make([]float32, n)
	}
	rc.exact = rc.exact[:n]
	for _, c := range rc.chunks {
		if err := file.DecodeFloat(rc.exact, box, sel, c[0], c[1]); err != nil {
			return r, err
		}
	}
	return image.Rect(box.MinX, box.MinY, box.MaxX+1, box.MaxY+1), nil
}

// begin checks f has pixels, clips s.Region to its data window (empty:
// the whole window), resets out for it (keeping its waveform's slices)
// and sizes the waveform. It returns the region and, for each of its
// columns, where the column's counts start in a waveform channel.
func (rc *RegionCounter) begin(f *Frame, s RegionSettings, out *RegionStats) (image.Rectangle, []int32, error) {
	dw := f.DataWindow
	if f.Err != nil || len(f.Pix) < 4*dw.Dx()*dw.Dy() {
		return image.Rectangle{}, nil, fmt.Errorf("frame %d has no pixels", f.Number)
	}
	r := s.Region.Intersect(dw)
	if s.Region.Empty() {
		r = dw
	}
	wave := &out.Wave
	*out = RegionStats{Frame: f.Number, Key: f.Key(), Region: r, Pixels: r.Dx() * r.Dy(), Axis: s.Axis,
		Parade: s.Parade, Wave: Waveform{Counts: wave.Counts}}
	w := r.Dx()
	wave = &out.Wave
	wave.Cols = min(w, MaxWaveCols)
	for c := range wave.Counts {
		if s.Parade == (c == 3) {
			wave.Counts[c] = wave.Counts[c][:0]
			continue
		}
		n := wave.Cols * WaveStride
		if cap(wave.Counts[c]) < n {
			wave.Counts[c] = make([]uint32, n)
		}
		wave.Counts[c] = wave.Counts[c][:n]
		clear(wave.Counts[c])
	}
	if cap(rc.cols) < w {
		rc.cols = make([]int32, w)
	}
	cols := rc.cols[:w]
	for x := range cols {
		cols[x] = int32(x * wave.Cols / max(w, 1) * WaveStride)
	}
	return r, cols, nil
}

// shownPixels fills st with R, G and B over r through pixels, a row at
// a time, each row's linear RGBA values given by fill.
func (rc *RegionCounter) shownPixels(r image.Rectangle, fill func(y int, row []float32), pixels func([]float32) error, st *[3]ChannelStats) error {
	row := rc.rowBuffer(r.Dx())
	var acc [3]accumulator
	for y := r.Min.Y; y < r.Max.Y; y++ {
		fill(y, row)
		if err := pixels(row); err != nil {
			return err
		}
		for x := 0; x < len(row); x += 4 {
			for c := range acc {
				acc[c].add(row[x+c], 1)
			}
		}
	}
	for c := range acc {
		st[c] = acc[c].stats()
	}
	return nil
}

// rowBuffer returns rc's row buffer for w RGBA pixels.
func (rc *RegionCounter) rowBuffer(w int) []float32 {
	if cap(rc.row) < 4*w {
		rc.row = make([]float32, 4*w)
	}
	return rc.row[:4*w]
}

// accumulator gathers one channel's ChannelStats.
type accumulator struct {
	min, max, sum       float64
	finite              int
	nan, posInf, negInf int
}

// add counts n values v.
func (a *accumulator) add(v float32, n uint32) {
	switch x := float64(v); {
	case x != x:
		a.nan += int(n)
	case math.IsInf(x, 1):
		a.posInf += int(n)
	case math.IsInf(x, -1):
		a.negInf += int(n)
	default:
		if a.finite == 0 || x < a.min {
			a.min = x
		}
		if a.finite == 0 || x > a.max {
			a.max = x
		}
		a.sum += x * float64(n)
		a.finite += int(n)
	}
}

func (a *accumulator) stats() ChannelStats {
	s := ChannelStats{Min: a.min, Max: a.max, Finite: a.finite, NaN: a.nan, PosInf: a.posInf, NegInf: a.negInf}
	if a.finite == 0 {
		s.Min, s.Max, s.Mean = math.NaN(), math.NaN(), math.NaN()
	} else {
		s.Mean = a.sum / float64(a.finite)
	}
	return s
}
