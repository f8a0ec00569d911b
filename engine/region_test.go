package engine

import (
	"fmt"
	"image"
	"math"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/x448/float16"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// loadSample decodes frame 1 (or the only frame) of a sample.
func loadSample(t testing.TB, rel string) *Frame {
	t.Helper()
	s, err := Find(shared.File(t, "exr-samples", rel))
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadFrame(s, s.Range.Start, func(n int) []uint16 { return make([]uint16, n) }, testPool, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// refBin is the reference's place of v on axis a: the bin whose edges
// (Axis.Edge) hold it, found by search, or the named field.
func refBin(a Axis, v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "+inf"
	case math.IsInf(v, -1):
		return "-inf"
	case v < 0:
		return "negative"
	case a == AxisStops && v == 0:
		return "zero"
	case a == AxisStops && v < a.Edge(0):
		return "under"
	case a == AxisSDR && v == 1:
		return fmt.Sprint(HistBins - 1)
	case v >= a.Edge(HistBins):
		return "over"
	}
	i := sort.Search(HistBins+1, func(i int) bool { return a.Edge(i) > v }) - 1
	return fmt.Sprint(i)
}

// refRow is the reference's waveform row of a refBin place ("" for NaN).
func refRow(bin string) int {
	switch bin {
	case "nan":
		return -1
	case "negative", "zero", "under", "-inf":
		return 0
	case "over", "+inf":
		return WaveRows + 1
	}
	var i int
	fmt.Sscan(bin, &i)
	return 1 + i*WaveRows/HistBins
}

// refStats is a straightforward computation of a channel's statistics.
type refStats struct {
	min, max, sum       float64
	finite              int
	nan, posInf, negInf int
}

func (r *refStats) add(v float64) {
	switch {
	case math.IsNaN(v):
		r.nan++
	case math.IsInf(v, 1):
		r.posInf++
	case math.IsInf(v, -1):
		r.negInf++
	default:
		if r.finite == 0 {
			r.min, r.max = v, v
		}
		r.min, r.max = math.Min(r.min, v), math.Max(r.max, v)
		r.sum += v
		r.finite++
	}
}

func (r *refStats) check(t *testing.T, what string, got ChannelStats) {
	t.Helper()
	if got.Finite != r.finite || got.NaN != r.nan || got.PosInf != r.posInf || got.NegInf != r.negInf {
		t.Errorf("%s: finite/NaN/+Inf/-Inf %d %d %d %d, want %d %d %d %d", what,
			got.Finite, got.NaN, got.PosInf, got.NegInf, r.finite, r.nan, r.posInf, r.negInf)
	}
	if r.finite == 0 {
		if !math.IsNaN(got.Min) || !math.IsNaN(got.Max) || !math.IsNaN(got.Mean) {
			t.Errorf("%s: no finite values, min/max/mean %g %g %g, want NaN", what, got.Min, got.Max, got.Mean)
		}
		return
	}
	mean := r.sum / float64(r.finite)
	if got.Min != r.min || got.Max != r.max || math.Abs(got.Mean-mean) > 1e-9*math.Max(1, math.Abs(mean)) {
		t.Errorf("%s: min/max/mean %g %g %.12g, want %g %g %.12g", what, got.Min, got.Max, got.Mean, r.min, r.max, mean)
	}
}

// refCurve and refPixels stand for a display transform: a curve that
// clips and bends, and a pixel transform that mixes channels (as a 3D
// transform does).
func refCurve(v float32) float32 { return float32(math.Sqrt(math.Min(math.Max(float64(v), 0), 1))) }

func refPixels(rgba []float32) error {
	for i := 0; i < len(rgba); i += 4 {
		r, g, b := rgba[i], rgba[i+1], rgba[i+2]
		rgba[i], rgba[i+1], rgba[i+2] = g, 2*b, r-1
	}
	return nil
}

// Region statistics, histograms and waveforms equal a pixel-by-pixel
// computation over real frames: every half value (negatives, subnormals,
// NaNs, infinities), a render with NaN and Inf pixels, and regions at and
// over the data window's edge (Beachball's data window is inside its
// display window).
func TestRegionStatsMatchReference(t *testing.T) {
	all := loadSample(t, "TestImages/AllHalfValues.exr")
	rings := loadSample(t, "TestImages/BrightRingsNanInf.exr")
	ball := loadSample(t, "Beachball/singlepart.0001.exr")
	dw := ball.DataWindow
	c := rings.DataWindow.Min.Add(rings.DataWindow.Size().Div(2))
	cases := []struct {
		name   string
		f      *Frame
		region image.Rectangle
	}{
		{"all half values", all, image.Rectangle{}},
		{"NaN/Inf whole", rings, image.Rectangle{}},
		{"NaN/Inf centre", rings, image.Rect(c.X-40, c.Y-30, c.X+41, c.Y+29)},
		{"data window corner", ball, image.Rect(dw.Min.X-50, dw.Min.Y-20, dw.Min.X+70, dw.Min.Y+33)},
		{"data window far edge", ball, image.Rect(dw.Max.X-1, dw.Min.Y+100, dw.Max.X+500, dw.Max.Y+9)},
		{"wider than MaxWaveCols", ball, image.Rect(dw.Min.X, dw.Min.Y+200, dw.Min.X+MaxWaveCols*2+37, dw.Min.Y+260)},
		{"outside the data window", ball, image.Rect(0, 0, dw.Min.X, dw.Min.Y)},
	}
	var rc RegionCounter
	var got RegionStats
	for _, tc := range cases {
		// Each axis with each waveform, each kind of display transform
		// with each waveform (four of the eight: the reference is slow).
		for _, v := range []struct {
			axis   Axis
			parade bool
			shown  int
		}{{AxisStops, false, 0}, {AxisStops, true, 1}, {AxisSDR, false, 1}, {AxisSDR, true, 0}} {
			shown := []Shown{{Curve: refCurve}, {Pixels: refPixels}}[v.shown]
			t.Run(fmt.Sprintf("%s axis %d parade %v shown %d", tc.name, v.axis, v.parade, v.shown), func(t *testing.T) {
				s := RegionSettings{Region: tc.region, Axis: v.axis, Parade: v.parade}
				if err := rc.Compute(tc.f, s, shown, &got); err != nil {
					t.Fatal(err)
				}
				checkRegion(t, tc.f, s, v.shown, &got, halfPixel(tc.f), halfLuminance)
			})
		}
	}
}

// halfPixel is f's pixel (x, y) widened from half.
func halfPixel(f *Frame) func(x, y int) [4]float32 {
	dw := f.DataWindow
	return func(x, y int) (v [4]float32) {
		i := 4 * ((y-dw.Min.Y)*dw.Dx() + x - dw.Min.X)
		for c := range v {
			v[c] = float16.Frombits(f.Pix[i+c]).Float32()
		}
		return v
	}
}

// halfLuminance is the half path's luminance: rounded to half.
func halfLuminance(v [4]float32) float32 {
	return float16.Fromfloat32(0.2126*v[0] + 0.7152*v[1] + 0.0722*v[2]).Float32()
}

// floatLuminance is the exact path's: float32.
func floatLuminance(v [4]float32) float32 { return 0.2126*v[0] + 0.7152*v[1] + 0.0722*v[2] }

// checkRegion holds got to a pixel-by-pixel computation over f's region
// s.Region, pixel (x, y) being pixel(x, y) and its luminance luma.
func checkRegion(t *testing.T, f *Frame, s RegionSettings, shownKind int, got *RegionStats,
	pixel func(x, y int) [4]float32, luma func([4]float32) float32) {
	dw := f.DataWindow
	r := s.Region.Intersect(dw)
	if s.Region == (image.Rectangle{}) {
		r = dw
	}
	if got.Region != r || got.Pixels != r.Dx()*r.Dy() || got.Frame != f.Number || !got.HasShown {
		t.Fatalf("region %v pixels %d frame %d shown %v, want %v %d %d true", got.Region, got.Pixels, got.Frame,
			got.HasShown, r, r.Dx()*r.Dy(), f.Number)
	}
	var lin [4]refStats
	var shown [3]refStats
	hist := [5]map[string]uint32{{}, {}, {}, {}, {}}
	cols := min(r.Dx(), MaxWaveCols)
	wave := map[[3]int]uint32{} // channel, column, row
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			v := pixel(x, y)
			for c := range v {
				lin[c].add(float64(v[c]))
				hist[c][refBin(s.Axis, float64(v[c]))]++
			}
			l := luma(v)
			hist[4][refBin(s.Axis, float64(l))]++
			col := (x - r.Min.X) * cols / r.Dx()
			if s.Parade {
				for c := range 3 {
					if row := refRow(refBin(s.Axis, float64(v[c]))); row >= 0 {
						wave[[3]int{c, col, row}]++
					}
				}
			} else if row := refRow(refBin(s.Axis, float64(l))); row >= 0 {
				wave[[3]int{3, col, row}]++
			}
			px := []float32{v[0], v[1], v[2], v[3]}
			if shownKind == 0 {
				for c := range 3 {
					px[c] = refCurve(v[c])
				}
			} else {
				refPixels(px)
			}
			for c := range shown {
				shown[c].add(float64(px[c]))
			}
		}
	}
	for c := range lin {
		lin[c].check(t, fmt.Sprintf("linear channel %d", c), got.Linear[c])
	}
	for c := range shown {
		shown[c].check(t, fmt.Sprintf("shown channel %d", c), got.Shown[c])
	}
	for c, h := range got.Hist {
		g := map[string]uint32{"negative": h.Negative, "zero": h.Zero, "under": h.Under, "over": h.Over,
			"nan": h.NaN, "+inf": h.PosInf, "-inf": h.NegInf}
		for i, n := range h.Bins {
			g[fmt.Sprint(i)] = n
		}
		for k, n := range g {
			if n != hist[c][k] {
				t.Errorf("histogram %d %s: %d, want %d", c, k, n, hist[c][k])
			}
		}
		for k, n := range hist[c] {
			if _, ok := g[k]; !ok {
				t.Errorf("histogram %d has no place %q for %d values", c, k, n)
			}
		}
	}
	if got.Wave.Cols != cols {
		t.Fatalf("waveform of %d columns, want %d", got.Wave.Cols, cols)
	}
	var total uint32
	for c, counts := range got.Wave.Counts {
		if s.Parade == (c == 3) {
			if len(counts) != 0 {
				t.Errorf("waveform channel %d has %d counts, want none", c, len(counts))
			}
			continue
		}
		for i, n := range counts {
			if want := wave[[3]int{c, i / WaveStride, i % WaveStride}]; n != want {
				t.Errorf("waveform channel %d column %d row %d: %d, want %d", c, i/WaveStride, i%WaveStride, n, want)
			}
			total += n
		}
	}
	var want uint32
	for _, n := range wave {
		want += n
	}
	if total != want {
		t.Errorf("waveform counts %d values, want %d", total, want)
	}
}

// The reference is not vacuous: the samples hold what the test is for.
func TestRegionSamplesHoldNaNInfAndNegatives(t *testing.T) {
	var rc RegionCounter
	var st RegionStats
	for _, rel := range []string{"TestImages/AllHalfValues.exr", "TestImages/BrightRingsNanInf.exr"} {
		if err := rc.Compute(loadSample(t, rel), RegionSettings{}, Shown{}, &st); err != nil {
			t.Fatal(err)
		}
		var nan, inf int
		for _, c := range st.Linear[:3] {
			nan, inf = nan+c.NaN, inf+c.PosInf+c.NegInf
		}
		if nan == 0 || inf == 0 || st.HasShown {
			t.Errorf("%s: %d NaN, %d Inf, shown %v; want both, no shown", rel, nan, inf, st.HasShown)
		}
		if rel == "TestImages/AllHalfValues.exr" && (st.Linear[0].Min >= 0 || st.Hist[0].Negative == 0 ||
			st.Hist[0].Under == 0 || st.Hist[0].Zero == 0) {
			t.Errorf("%s: min %g, histogram %+v: want negatives, zeros and values under the axis", rel,
				st.Linear[0].Min, st.Hist[0])
		}
	}
}

// Computing again over a frame of the same size allocates nothing.
func TestRegionComputeReusesBuffers(t *testing.T) {
	f := loadSample(t, "Beachball/singlepart.0001.exr")
	var rc RegionCounter
	var st RegionStats
	s := RegionSettings{Axis: AxisStops}
	shown := Shown{Curve: refCurve}
	if err := rc.Compute(f, s, shown, &st); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(3, func() {
		s.Parade = !s.Parade
		if err := rc.Compute(f, s, shown, &st); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Compute again allocates %v times", allocs)
	}
}

// frame1080 is a 1920x1080 frame tiled from a real render.
func frame1080(b *testing.B) *Frame {
	src := loadSample(b, "ScanLines/Desk.exr")
	sw, sh := src.DataWindow.Dx(), src.DataWindow.Dy()
	f := &Frame{Number: 1, DataWindow: image.Rect(0, 0, 1920, 1080), Pix: make([]uint16, 4*1920*1080)}
	for y := range 1080 {
		for x := range 1920 {
			copy(f.Pix[4*(y*1920+x):4*(y*1920+x)+4], src.Pix[4*((y%sh)*sw+x%sw):])
		}
	}
	return f
}

// BenchmarkRegion is the whole 1080p frame's statistics, histograms and
// waveform, with the displayed values through a curve (flick's own
// transforms) or through a pixel transform (as OpenColorIO's is called).
func BenchmarkRegion(b *testing.B) {
	f := frame1080(b)
	for _, bc := range []struct {
		name  string
		s     RegionSettings
		shown Shown
	}{
		{"luma", RegionSettings{}, Shown{}},
		{"parade", RegionSettings{Parade: true}, Shown{}},
		{"luma+curve", RegionSettings{}, Shown{Curve: refCurve}},
		{"luma+pixels", RegionSettings{}, Shown{Pixels: refPixels}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var rc RegionCounter
			var st RegionStats
			b.ReportAllocs()
			for b.Loop() {
				if err := rc.Compute(f, bc.s, bc.shown, &st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// loadCrypto decodes frame 1 (or the only frame) of a Cryptomatte sample
// with the channels names in R, G, B, A.
func loadCrypto(t testing.TB, rel string, names [4]string) *Frame {
	t.Helper()
	s, err := Find(shared.File(t, "cryptomatte", rel))
	if err != nil {
		t.Fatal(err)
	}
	f, err := LoadKey(s, Key{Frame: s.Range.Start, Channels: exr.Selection{Names: names}},
		func(n int) []uint16 { return make([]uint16, n) }, testPool, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// floatPixels decodes the whole level of f's selection as float32 (the
// reference: one DecodeFloat of every chunk, not the region's) and
// returns pixel (x, y) of it.
func floatPixels(t *testing.T, f *Frame) func(x, y int) [4]float32 {
	t.Helper()
	file, err := exr.Open(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	w, err := file.Window(f.Channels)
	if err != nil {
		t.Fatal(err)
	}
	n, err := file.ChunksOf(f.Channels)
	if err != nil {
		t.Fatal(err)
	}
	pix := make([]float32, 4*w.Width()*w.Height())
	if err := file.DecodeFloat(pix, w, f.Channels, 0, n); err != nil {
		t.Fatal(err)
	}
	return func(x, y int) [4]float32 {
		i := 4 * ((y-w.MinY)*w.Width() + x - w.MinX)
		return [4]float32(pix[i : i+4])
	}
}

// ComputeExact's statistics, histograms and waveforms equal a
// pixel-by-pixel float64 computation over the file's float32 values, on
// real FLOAT renders (V-Ray's cornellBox: scanline ZIPS, data window
// inside the display window; Arnold's multichannel.exr: 64x64 tiles),
// decoding only the chunks that hold the region. Over Cryptomatte IDs
// (float bit patterns that half turns into infinities, NaNs and zeros)
// the half path's statistics disagree with the file's.
func TestRegionExactMatchesReference(t *testing.T) {
	ids := [4]string{"uCryptoWildcard00.R", "uCryptoWildcard00.G", "uCryptoWildcard00.B", "uCryptoWildcard00.A"}
	cornell := loadCrypto(t, "psyop/cornellBox_CryptoWildcard.0001.exr", ids)
	mixed := loadCrypto(t, "psyop/cornellBox_CryptoWildcard.0001.exr", [4]string{"uCryptoWildcard02.G", "", "R", "A"})
	tiled := loadCrypto(t, "psyop/debug_images/multichannel.exr",
		[4]string{"crypto_object00.R", "crypto_object00.G", "crypto_object01.R", "crypto_object01.G"})
	dw := cornell.DataWindow
	cases := []struct {
		name    string
		f       *Frame
		region  image.Rectangle
		decoded int  // pixels decoded: the chunks that hold the region
		differs bool // the half path's linear statistics differ
	}{
		{"IDs whole frame", cornell, image.Rectangle{}, dw.Dx() * dw.Dy(), true},
		{"IDs region", cornell, image.Rect(400, 200, 520, 280), dw.Dx() * 80, true},
		{"HALF beside FLOAT, over the data window's edge", mixed, image.Rect(dw.Min.X-30, 300, dw.Min.X+90, 340),
			dw.Dx() * 40, false},
		{"tiles, four", tiled, image.Rect(40, 30, 100, 90), 128 * 128, true},
		{"tiles, one column of two rows", tiled, image.Rect(10, 10, 50, 120), 64 * 128, true},
		{"outside the data window", cornell, image.Rect(0, 0, dw.Min.X, 50), 0, false},
	}
	var rc RegionCounter
	var got, half RegionStats
	for _, tc := range cases {
		pixel := floatPixels(t, tc.f)
		for _, v := range []struct {
			axis   Axis
			parade bool
			shown  int
		}{{AxisStops, false, 0}, {AxisStops, true, 1}, {AxisSDR, false, 1}, {AxisSDR, true, 0}} {
			shown := []Shown{{Curve: refCurve}, {Pixels: refPixels}}[v.shown]
			t.Run(fmt.Sprintf("%s axis %d parade %v shown %d", tc.name, v.axis, v.parade, v.shown), func(t *testing.T) {
				s := RegionSettings{Region: tc.region, Axis: v.axis, Parade: v.parade}
				if err := rc.ComputeExact(tc.f, tc.f.Channels, s, shown, &got); err != nil {
					t.Fatal(err)
				}
				if !got.Exact {
					t.Error("ComputeExact's statistics are not marked Exact")
				}
				if tc.decoded != 0 && len(rc.exact) != 4*tc.decoded {
					t.Errorf("decoded %d pixels, want %d (the chunks holding the region)", len(rc.exact)/4, tc.decoded)
				}
				checkRegion(t, tc.f, s, v.shown, &got, pixel, floatLuminance)
				if err := rc.Compute(tc.f, s, shown, &half); err != nil {
					t.Fatal(err)
				}
				if half.Exact {
					t.Error("Compute's statistics are marked Exact")
				}
				// As text, where NaN equals NaN (%v's shortest form keeps every bit).
				if d := fmt.Sprint(half.Linear) != fmt.Sprint(got.Linear); d != tc.differs {
					t.Errorf("half and exact linear statistics differ: %v, want %v\nhalf  %+v\nexact %+v", d, tc.differs,
						half.Linear, got.Linear)
				}
			})
		}
	}
}

// BenchmarkRegionExact is the inspection's cost at 1080p against one
// decode of the frame: a 1920x1080 file of FLOAT channels (cornellBox's
// Cryptomatte IDs and coverage repeated; ZIP) decoded as the cache holds it
// (half, on the test pool's two workers), its whole frame's statistics
// from those half values, and from the file's floats (ComputeExact:
// decoding them again on one goroutine). cpu-ns/op is the process's user
// and system time, every thread's.
func BenchmarkRegionExact(b *testing.B) {
	src := loadCrypto(b, "psyop/cornellBox_CryptoWildcard.0001.exr",
		[4]string{"uCryptoWildcard00.R", "uCryptoWildcard00.G", "uCryptoWildcard00.B", "uCryptoWildcard00.A"})
	file, err := exr.Open(src.Path)
	if err != nil {
		b.Fatal(err)
	}
	w, _ := file.Window(src.Channels)
	n, _ := file.ChunksOf(src.Channels)
	vals := make([]float32, 4*w.Width()*w.Height())
	if err := file.DecodeFloat(vals, w, src.Channels, 0, n); err != nil {
		b.Fatal(err)
	}
	file.Close()
	img := exr.FloatImage{Channels: []string{"R", "G", "B", "A"}, Pix: make([]float32, 4*1920*1080),
		DataWindow: exr.Box{MaxX: 1919, MaxY: 1079}}
	for y := range 1080 {
		for x := range 1920 {
			i := 4 * ((y%w.Height())*w.Width() + x%w.Width())
			copy(img.Pix[4*(y*1920+x):4*(y*1920+x)+4], vals[i:i+4])
		}
	}
	path := b.TempDir() + "/ids.0001.exr"
	if err := exr.WriteFloat(path, img, exr.ZIP); err != nil {
		b.Fatal(err)
	}
	s, err := Find(path)
	if err != nil {
		b.Fatal(err)
	}
	alloc := func(n int) []uint16 { return make([]uint16, n) }
	f, err := LoadFrame(s, 1, alloc, testPool, nil)
	if err != nil {
		b.Fatal(err)
	}
	sel, err := exr.DefaultSelection(f.Header)
	if err != nil {
		b.Fatal(err)
	}
	var rc RegionCounter
	var st RegionStats
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"decode", func() error {
			_, err := LoadFrame(s, 1, func(int) []uint16 { return f.Pix }, testPool, nil)
			return err
		}},
		{"half", func() error { return rc.Compute(f, RegionSettings{}, Shown{Curve: refCurve}, &st) }},
		{"exact", func() error { return rc.ComputeExact(f, sel, RegionSettings{}, Shown{Curve: refCurve}, &st) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var r0, r1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
			cpu := time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}
