package exr

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"flick/engine/exr/internal/exrref"
)

// hufCases are value sets whose codes cover what huf.c decodes: one value
// and a few, runs longer than a run-length code holds (255), every 16-bit
// value (the run-length symbol is then 65536), wavelet-like values near
// zero either side (PIZ's: a chunk's and a tile's), and Fibonacci
// frequencies, which give codes of every length up to 25 bits: long ones
// that miss the one-look-up table.
func hufCases() map[string][]uint16 {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := map[string][]uint16{
		"one":   {7},
		"two":   {0xffff, 0},
		"three": {5, 5, 5},
	}
	runs := make([]uint16, 5000)
	for i := range runs {
		runs[i] = uint16(i / 700 * 3)
	}
	cases["runs"] = runs
	all := make([]uint16, 65536)
	for i := range all {
		all[i] = uint16(i)
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	cases["every value"] = all
	wav := make([]uint16, 300000)
	for i := range wav {
		wav[i] = uint16(int16(rng.NormFloat64() * 40))
	}
	cases["wavelet"] = wav
	cases["wavelet tile"] = wav[:4*64*64] // a 64x64 tile's: huf.c's narrower pair table
	short := make([]uint16, 120000)
	for i := range short {
		short[i] = uint16(int16(rng.NormFloat64() * 2))
	}
	cases["short codes"] = short // as many as a DWAA chunk's AC values, about as short: the narrower table too
	var fib []uint16
	for s, a, b := 0, 1, 1; s < 26; s, a, b = s+1, b, a+b {
		for range a {
			fib = append(fib, uint16(1000+97*s))
		}
	}
	rng.Shuffle(len(fib), func(i, j int) { fib[i], fib[j] = fib[j], fib[i] })
	cases["fibonacci"] = fib
	for _, n := range []int{1, 2, 9, 33, 1000} {
		v := make([]uint16, n)
		for i := range v {
			v[i] = uint16(rng.IntN(1 + rng.IntN(300)))
		}
		cases[fmt.Sprintf("random %d", n)] = v
	}
	return cases
}

// hufGuard is how many values after the output hufDecodeGuarded checks
// are left alone.
const hufGuard = 64

// hufDecodeGuarded runs flick's decoder into n values followed by a
// guard, and fails the test if it wrote into the guard. It decodes by
// each path (hufUncompressBy's): the one-cursor decode must give the same
// result and values as PIZ's, and the decode in halves, where it does not
// decline, too; split says whether it did not.
func hufDecodeGuarded(t *testing.T, name string, in []byte, n int) (got []uint16, rv int, split bool) {
	t.Helper()
	decode := func(how int) ([]uint16, int) {
		out := make([]uint16, n+hufGuard)
		poison(out)
		rv := hufUncompressBy(in, out[:n], how)
		for i := n; i < len(out); i++ {
			if out[i] != 0xA5A5 {
				t.Fatalf("%s: value %d written past the %d asked for (path %d)", name, i, n, how)
			}
		}
		return out[:n], rv
	}
	got, rv = decode(hufAuto)
	for _, how := range []int{hufSerial, hufSplit} {
		other, orv := decode(how)
		if how == hufSplit && orv == hufUnsplit {
			continue
		}
		if orv != rv {
			t.Fatalf("%s: result %d by path %d, %d by PIZ's", name, orv, how, rv)
		}
		if i := firstDiffU16(other, got); rv == 0 && i >= 0 {
			t.Fatalf("%s: value %d is %#04x by path %d, %#04x by PIZ's", name, i, other[i], how, got[i])
		}
		split = split || how == hufSplit && orv == 0
	}
	return got, rv, split
}

// TestHufMatchesLibrary codes each of hufCases with the library's Huffman
// coder and decodes it with flick's and the library's decoders: every
// value must match. flick's must refuse the stream for one value more or
// one fewer than it holds (the library's C++ decoder does not check: it
// stops when the output is full, or leaves the values it has no bits for).
func TestHufMatchesLibrary(t *testing.T) {
	for name, raw := range hufCases() {
		stream := exrref.HufCompress(raw)
		want := make([]uint16, len(raw))
		if err := exrref.HufUncompress(stream, want); err != nil {
			t.Fatalf("%s: the library's decoder: %v", name, err)
		}
		if i := firstDiffU16(want, raw); i >= 0 {
			t.Fatalf("%s: the library's decoder gives %#04x for value %d, coded %#04x", name, want[i], i, raw[i])
		}
		got, rv, split := hufDecodeGuarded(t, name, stream, len(raw))
		if rv != 0 {
			t.Fatalf("%s: flick's decoder: result %d", name, rv)
		}
		// PIZ's kind of stream must take the decode in halves (one of
		// codes of nearly one length, as "every value"'s, may never fall
		// into step with the code boundaries when started mid-stream).
		if !split && (name == "wavelet" || name == "wavelet tile" || name == "short codes") {
			t.Errorf("%s: %d values not decoded in halves", name, len(raw))
		}
		if i := firstDiffU16(got, want); i >= 0 {
			t.Errorf("%s: value %d is %#04x, the library's %#04x", name, i, got[i], want[i])
		}
		for _, n := range []int{len(raw) - 1, len(raw) + 1} {
			if _, rv, _ := hufDecodeGuarded(t, name, stream, n); rv == 0 {
				t.Errorf("%s: %d values decoded as %d", name, len(raw), n)
			}
		}
	}
}

// TestHufDamaged decodes truncated and corrupted copies of coded streams:
// flick's decoder must return, never write past its output (the guard),
// and, whenever it accepts a stream, give what the library's decoder gives
// (which must accept it too). Run under -race and, with the C side
// checked, under -asan (reads past the stream).
func TestHufDamaged(t *testing.T) {
	cases := hufCases()
	rng := rand.New(rand.NewPCG(5, 6))
	accepted, refused, halves := 0, 0, 0
	check := func(name string, in []byte, n int) {
		got, rv, split := hufDecodeGuarded(t, name, in, n)
		if split {
			halves++
		}
		if rv != 0 {
			refused++
			return
		}
		accepted++
		want := make([]uint16, n)
		if err := exrref.HufUncompress(in, want); err != nil {
			t.Errorf("%s: flick's decoder accepts the stream, the library's: %v", name, err)
		} else if i := firstDiffU16(got, want); i >= 0 {
			t.Errorf("%s: value %d is %#04x, the library's %#04x", name, i, got[i], want[i])
		}
	}
	for _, name := range []string{"three", "runs", "every value", "wavelet", "wavelet tile", "fibonacci", "random 1000"} {
		raw := cases[name]
		stream := exrref.HufCompress(raw)
		// Truncated: every length for short streams, a few hundred for
		// long ones (the table's end and the bits' end among them).
		step := max(1, len(stream)/300)
		for k := 0; k < len(stream); k += step {
			check(fmt.Sprintf("%s cut to %d bytes", name, k), stream[:k:k], len(raw))
		}
		for k := max(0, len(stream)-40); k < len(stream); k++ {
			check(fmt.Sprintf("%s cut to %d bytes", name, k), stream[:k:k], len(raw))
		}
		// Corrupted: bytes changed anywhere, and the header's fields.
		for range 400 {
			bad := append([]byte(nil), stream...)
			k := rng.IntN(len(bad))
			if rng.IntN(4) == 0 {
				k = rng.IntN(min(len(bad), 64))
			}
			bad[k] ^= byte(1 + rng.IntN(255))
			check(fmt.Sprintf("%s with byte %d changed", name, k), bad, len(raw))
		}
		for field := range 4 {
			for _, v := range []uint32{0, 1, 65535, 65536, 65537, 1 << 31, 0xffffffff, binary.LittleEndian.Uint32(stream[4*field:]) + 1} {
				bad := append([]byte(nil), stream...)
				binary.LittleEndian.PutUint32(bad[4*field:], v)
				check(fmt.Sprintf("%s with header word %d %#x", name, field, v), bad, len(raw))
			}
		}
	}
	t.Logf("%d damaged streams accepted (and equal to the library's decode), %d refused; %d decoded in halves", accepted, refused, halves)
	if refused == 0 {
		t.Error("no damaged stream refused")
	}
}

// FuzzHufUncompress decodes arbitrary bytes as a Huffman stream of n
// values: flick's decoder must return without writing past its output,
// and what it accepts the library's decoder must decode to the same
// values.
func FuzzHufUncompress(f *testing.F) {
	for _, raw := range hufCases() {
		if len(raw) <= 5000 {
			f.Add(exrref.HufCompress(raw), uint32(len(raw)))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, n uint32) {
		n %= 1 << 20
		got, rv, _ := hufDecodeGuarded(t, "fuzz", in, int(n))
		if rv != 0 {
			return
		}
		want := make([]uint16, n)
		if err := exrref.HufUncompress(in, want); err != nil {
			t.Fatalf("flick's decoder accepts the stream, the library's: %v", err)
		}
		if i := firstDiffU16(got, want); i >= 0 {
			t.Fatalf("value %d is %#04x, the library's %#04x", i, got[i], want[i])
		}
	})
}

// BenchmarkHufUncompress decodes wavelet-like values, PIZ's kind, with
// flick's decoder and the library's.
func BenchmarkHufUncompress(b *testing.B) {
	raw := hufCases()["wavelet"]
	stream := exrref.HufCompress(raw)
	out := make([]uint16, len(raw))
	b.Run("flick", func(b *testing.B) {
		b.SetBytes(int64(2 * len(raw)))
		for b.Loop() {
			if hufUncompress(stream, out) != 0 {
				b.Fatal("flick's decoder refuses the stream")
			}
		}
	})
	b.Run("library", func(b *testing.B) {
		b.SetBytes(int64(2 * len(raw)))
		for b.Loop() {
			if err := exrref.HufUncompress(stream, out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
