package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// poolSamples cover scanline (PIZ, ZIP, ZIPS with an offset data window,
// B44), tiled, and a luminance file.
var poolSamples = []string{
	"ScanLines/Desk.exr", "ScanLines/Carrots.exr", "ScanLines/Cannon.exr",
	"Beachball/singlepart.0001.exr", "Tiles/GoldenGate.exr", "LuminanceChroma/Garden.exr",
}

func decodeWhole(t *testing.T, path string) (*exr.File, exr.Selection, []uint16) {
	t.Helper()
	f, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := exr.DefaultSelection(f.Header())
	if err != nil {
		t.Fatal(err)
	}
	h := f.Header()
	want := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
	if err := f.Decode(want, sel); err != nil {
		t.Fatal(err)
	}
	return f, sel, want
}

func TestPoolDecodeMatchesWholeDecode(t *testing.T) {
	dir := shared.Dir(t, "exr-samples")
	for _, workers := range []int{1, 2, 3} {
		p := NewPool(workers)
		for _, name := range poolSamples {
			t.Run(fmt.Sprintf("%d workers/%s", workers, name), func(t *testing.T) {
				f, sel, want := decodeWhole(t, filepath.Join(dir, name))
				defer f.Close()
				got := make([]uint16, len(want))
				for i := range got {
					got[i] = 0xDEAD // every value must be written
				}
				if err := p.Decode(f, got, sel, nil); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Errorf("the pool's decode differs from File.Decode (%d chunks)", f.Chunks())
				}
			})
		}
		p.Close()
	}
}

func TestPoolDropsStaleWork(t *testing.T) {
	f, sel, want := decodeWhole(t, shared.File(t, "exr-samples", "ScanLines/Desk.exr"))
	defer f.Close()
	p := NewPool(2)
	defer p.Close()

	got := make([]uint16, len(want))
	if err := p.Decode(f, got, sel, func() bool { return true }); !errors.Is(err, ErrStale) {
		t.Fatalf("stale from the start: %v, want ErrStale", err)
	}
	if slices.ContainsFunc(got, func(v uint16) bool { return v != 0 }) {
		t.Error("a stale decode wrote pixels")
	}
	// Staleness noticed part way: some ranges are decoded, the rest dropped.
	var asked atomic.Int32
	err := p.Decode(f, got, sel, func() bool { return asked.Add(1) > 1 })
	if ranges := int32(rangesPerWorker * p.Workers()); !errors.Is(err, ErrStale) || asked.Load() != ranges {
		t.Errorf("stale after one range: %v after %d checks, want ErrStale after %d (one per range)", err, asked.Load(), ranges)
	}
}

// TestPoolDecodeWholeIsOneSlice: DecodeWhole asks stale once (one decode
// call for the frame, where DecodeOne asks before each of its slices) and
// gives File.Decode's pixels; stale from the start writes nothing.
func TestPoolDecodeWholeIsOneSlice(t *testing.T) {
	f, sel, want := decodeWhole(t, shared.File(t, "exr-samples", "ScanLines/Desk.exr"))
	defer f.Close()
	p := NewPool(1)
	defer p.Close()
	got := make([]uint16, len(want))
	if err := p.DecodeWhole(f, got, sel, func() bool { return true }); !errors.Is(err, ErrStale) {
		t.Fatalf("stale from the start: %v, want ErrStale", err)
	}
	if slices.ContainsFunc(got, func(v uint16) bool { return v != 0 }) {
		t.Error("a stale decode wrote pixels")
	}
	var checks int
	if err := p.DecodeWhole(f, got, sel, func() bool { checks++; return false }); err != nil || checks != 1 {
		t.Errorf("a whole frame: %v after %d stale checks, want 1", err, checks)
	}
	if !slices.Equal(got, want) {
		t.Error("DecodeWhole's pixels differ from File.Decode's")
	}
}

func TestPoolReportsCorruptChunks(t *testing.T) {
	data, err := os.ReadFile(shared.File(t, "exr-samples", "ScanLines/Carrots.exr"))
	if err != nil {
		t.Fatal(err)
	}
	for i := len(data) / 2; i < len(data)/2+4096; i++ {
		data[i] ^= 0x5a
	}
	path := filepath.Join(t.TempDir(), "corrupt.exr")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sel, _ := exr.DefaultSelection(f.Header())
	h := f.Header()
	p := NewPool(2)
	defer p.Close()
	err = p.Decode(f, make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height()), sel, nil)
	var e *exr.Error
	if !errors.As(err, &e) || e.Path != path {
		t.Errorf("corrupt chunks: %v, want an *exr.Error naming the file", err)
	}
}

func TestPoolCloseTwice(t *testing.T) {
	p := NewPool(0)
	if p.Workers() < 1 {
		t.Errorf("%d workers", p.Workers())
	}
	p.Close()
	p.Close()
}

// BenchmarkLoadFrame opens and decodes whole frames as the viewer does,
// on 1 and 2 workers: the ratio is what splitting a frame's chunks buys.
func BenchmarkLoadFrame(b *testing.B) {
	dir := shared.Dir(b, "exr-samples")
	for _, name := range []string{"ScanLines/Desk.exr", "ScanLines/Carrots.exr", "Beachball/singlepart.0001.exr", "Tiles/GoldenGate.exr"} {
		s, err := Find(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", filepath.Base(name), workers), func(b *testing.B) {
				p := NewPool(workers)
				defer p.Close()
				f, err := LoadFrame(s, s.First(), newBuffer, p, nil)
				if err != nil {
					b.Fatal(err)
				}
				reuse := func(int) []uint16 { return f.Pix }
				b.SetBytes(int64(2 * len(f.Pix)))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if _, err := LoadFrame(s, s.First(), reuse, p, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkSeek measures a seek to an uncached frame (request to frame
// received) while prefetch runs on the workers, as it does during
// playback, against one frame's decode on idle workers (LoadFrame on all
// of them). Each iteration does both, so load from elsewhere on the
// machine weighs on both alike; the seek/decode metric is the ratio of
// their summed times (the target: at most 1.15). The sequence is
// FLICK_BENCH_SEQ (a path flick accepts) or the demo.
func BenchmarkSeek(b *testing.B) {
	var s *Sequence
	if path := os.Getenv("FLICK_BENCH_SEQ"); path != "" {
		var err error
		if s, err = Find(path); err != nil {
			b.Fatal(err)
		}
	} else {
		s = demo(b)
	}
	if len(s.Frames) < 16 {
		b.Skipf("%s: want 16 frames or more", s)
	}
	f, err := LoadFrame(s, s.First(), newBuffer, testPool, nil)
	if err != nil {
		b.Fatal(err)
	}
	reuse := func(int) []uint16 { return f.Pix }
	l := NewLoader(s, testPool, NewCache(4*frameBytes(f), 0.75))
	defer l.Close()
	show := func(n int) {
		l.Request(n, 1)
		for {
			got := <-l.Frames()
			l.Release(got)
			if got.Number == n {
				return
			}
		}
	}
	var seek, decode time.Duration
	for i := 0; b.Loop(); i++ {
		// Show a frame, so prefetch starts after it, then jump half the
		// sequence away. A stride of 5 is more than the prefetch reach of
		// a 4-frame cache: the jump never lands on a cached frame.
		m, x := len(s.Frames), 5*i
		show(s.Frames[x%m])
		t := time.Now()
		show(s.Frames[(x+m/2)%m])
		seek += time.Since(t)
		for l.gauges().InFlight > 0 || testPool.Busy() > 0 {
			time.Sleep(100 * time.Microsecond)
		}
		t = time.Now()
		if _, err := LoadFrame(s, s.Frames[(x+m/4)%m], reuse, testPool, nil); err != nil {
			b.Fatal(err)
		}
		decode += time.Since(t)
	}
	b.ReportMetric(float64(seek)/float64(b.N)/1e6, "seek-ms")
	b.ReportMetric(float64(decode)/float64(b.N)/1e6, "decode-ms")
	b.ReportMetric(float64(seek)/float64(decode), "seek/decode")
}
