package exr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/x448/float16"

	"flick/engine/exr/internal/exrref"
)

// dwaLayers are the channels of a multi-layer DWA file: two R'G'B' sets
// (colour transformed together), alpha (run-length), a lossy channel on its
// own with and without pLinear, and channels DWA stores losslessly (FLOAT
// depth, UINT ids, a HALF channel no rule names).
var dwaLayers = []struct {
	name    string
	typ     PixelType
	pLinear bool
}{
	{"A", Half, false},
	{"B", Half, false},
	{"G", Half, false},
	{"R", Half, false},
	{"Y", Half, false},
	{"Z", Float, false},
	{"id", UInt, false},
	{"mask.Y", Half, true},
	{"motion.u", Half, false},
	{"spec.B", Half, false},
	{"spec.G", Half, false},
	{"spec.R", Half, false},
}

// dwaPicture is a render-like value for channel c at (x, y): smooth
// gradients with edges and grain (so blocks have AC coefficients), flat
// regions (blocks with none), values above 1 (the log part of the
// nonlinear curve), negatives, and a NaN and an infinity.
func dwaPicture(c, x, y, w, h int, rng *rand.Rand) float32 {
	fx, fy := float64(x)/float64(w), float64(y)/float64(h)
	v := 0.2 + 0.6*fx*fy + 0.3*math.Sin(float64(c)+9*fx)*math.Cos(7*fy)
	if (x/13+y/7+c)%5 == 0 {
		v = 0.25 * float64(c%3) // flat
	}
	if x > w/2 && y < h/3 {
		v *= 6 // above 1
	}
	if (x+y+c)%29 == 0 {
		v = -v
	}
	v += 0.02 * rng.Float64()
	switch {
	case x == w/3 && y == h/2:
		return float32(math.NaN())
	case x == w/4 && y == h/3:
		return float32(math.Inf(1))
	}
	return float32(v)
}

// writeDWALayers writes dwaLayers at w x h with comp and level through the
// C++ API, scanline or in tiles of tile pixels.
func writeDWALayers(t testing.TB, path string, w, h int, comp Compression, level float32, seed uint64, tile int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, uint64(w*h)))
	var chans []exrref.Channel
	for c, l := range dwaLayers {
		var data unsafe.Pointer
		switch l.typ {
		case Half:
			v := make([]uint16, w*h)
			for i := range v {
				v[i] = float16.Fromfloat32(dwaPicture(c, i%w, i/w, w, h, rng)).Bits()
			}
			data = unsafe.Pointer(&v[0])
		case Float:
			v := make([]float32, w*h)
			for i := range v {
				v[i] = dwaPicture(c, i%w, i/w, w, h, rng)
			}
			data = unsafe.Pointer(&v[0])
		default:
			v := make([]uint32, w*h)
			for i := range v {
				v[i] = uint32(i/w/5*7 + i%w/9)
			}
			data = unsafe.Pointer(&v[0])
		}
		chans = append(chans, exrref.Channel{Name: l.name, Type: int(l.typ), PLinear: l.pLinear, Data: data})
	}
	if err := exrref.WriteChannels(path, w, h, chans, int(comp), level, tile); err != nil {
		t.Fatal(err)
	}
}

// dwaSelections are the requests to compare: layers (with and without
// alpha, the second set after the first's AC values), channels on their
// own (each in the first slot, and one in another slot: a window that does
// not start at a pixel), single lossy channels (with and without the
// table), lossless ones, and a mix of every kind in one window.
var dwaSelections = []Selection{
	{Names: [4]string{"R", "G", "B", "A"}},
	{Names: [4]string{"R", "G", "B"}},
	{Names: [4]string{"spec.R", "spec.G", "spec.B"}},
	{Names: [4]string{"spec.R", "spec.G", "spec.B", "A"}},
	{Names: [4]string{"G"}, Grey: true},
	{Names: [4]string{"", "", "spec.B"}},
	{Names: [4]string{"", "G", "B", "A"}},
	{Names: [4]string{"A"}, Grey: true},
	{Names: [4]string{"Y"}, Grey: true},
	{Names: [4]string{"mask.Y"}, Grey: true},
	{Names: [4]string{"motion.u"}, Grey: true},
	{Names: [4]string{"spec.G", "Y", "motion.u", "A"}},
}

// forEachACPath runs f for each way dwa.c may take a block's buffered AC
// values on this CPU, as a subtest: the per-value loop, and AVX-512's
// block at a time where the CPU has it.
func forEachACPath(t *testing.T, f func(t *testing.T)) {
	cpu := dwaACAVX512(-1)
	defer dwaACAVX512(cpu)
	paths := []string{"per value"}
	if cpu == 1 {
		paths = append(paths, "AVX-512")
	}
	for on, name := range paths {
		dwaACAVX512(on)
		t.Run(name, f)
	}
}

// TestDWAMatchesLibrary decodes DWAA and DWAB files of many layers, at
// sizes that leave partial blocks and chunks and at three compression
// levels, through dwa.c and through the library's DWA decompressor (the C++
// API's, which Core's pipeline otherwise calls): every value of every
// selection must match, whole and in chunk ranges on concurrent goroutines,
// nothing may be written past the destination, and dwa.c must be what
// decoded the chunks (checkDWADecodes; requests of FLOAT or UINT channels
// stay on the library's). It does so for each of forEachACPath's paths.
func TestDWAMatchesLibrary(t *testing.T) {
	if !dwaCPU() {
		t.Skip("this CPU has no AVX2 or F16C: DWA goes to the library's decoder")
	}
	forEachACPath(t, func(t *testing.T) {
		dir := t.TempDir()
		sizes := [][2]int{{1, 1}, {3, 2}, {19, 11}, {70, 45}, {257, 37}, {64, 300}}
		if testing.Short() {
			sizes = sizes[2:4]
		}
		for _, comp := range []Compression{DWAA, DWAB} {
			proved := 0
			for _, size := range sizes {
				for _, level := range []float32{0, 45, 400} {
					w, h := size[0], size[1]
					path := filepath.Join(dir, fmt.Sprintf("%s_%dx%d_%g.exr", comp, w, h, level))
					writeDWALayers(t, path, w, h, comp, level, uint64(comp), 0)
					for _, sel := range dwaSelections {
						checkStepsMatchLibrary(t, path, sel)
					}
					checkStepsMatchLibrary(t, path, Selection{Names: [4]string{"Z"}, Grey: true})
					if checkDWADecodes(t, path) {
						proved++
					}
				}
			}
			if proved == 0 {
				t.Fatalf("%s: no file had a compressed first chunk to tell the decoders apart", comp)
			}
		}
	})
}

// checkDWADecodes tells which decoder decodes the scanline DWA file at
// path, by breaking the version of its first chunk in a copy: dwa.c and
// the library's decompressor (codec.cpp) each refuse it in their own words.
// The library's steps must give the library's error, and flick's dwa.c's
// for every selection dwaTakes and the library's for the others (a FLOAT
// channel). So checkStepsMatchLibrary compares two decoders, and the
// routing in C agrees with dwaTakes. A first chunk stored uncompressed
// (tiny images) is decoded by neither and proves nothing: then it reports
// false.
func checkDWADecodes(t *testing.T, path string) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The first chunk's data follows its offset, y and size; the version
	// is its first 8 bytes.
	chunk := int(binary.LittleEndian.Uint64(data[headerEnd(data):])) + 8
	binary.LittleEndian.PutUint64(data[chunk:], 7)
	broken := filepath.Join(t.TempDir(), "version.exr")
	if err := os.WriteFile(broken, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Open(broken)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := f.Header()
	dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
	const ours = "chunk at line 0: unknown version" // dwa.c's corrupt()
	all := Selection{Names: [4]string{"R", "G", "B", "A"}}
	lib := decodeWith(f, dst, all, 0, 1, decodeOptions{via: viaCore, libraryCodecs: true})
	if lib == nil {
		return false // stored: the version bytes are pixels
	}
	if strings.Contains(lib.Error(), ours) || !strings.Contains(lib.Error(), "chunk of") {
		t.Fatalf("%s: the library's steps say %v: not the library's decompressor", filepath.Base(path), lib)
	}
	for _, sel := range append(dwaSelections, Selection{Names: [4]string{"Z"}, Grey: true}) {
		err := decodeWith(f, dst, sel, 0, 1, decodeOptions{via: viaCore})
		switch {
		case dwaTakes(&h, sel) && (err == nil || !strings.Contains(err.Error(), ours)):
			t.Fatalf("%s %v: %v, want dwa.c's %q", filepath.Base(path), sel.Names, err, ours)
		case !dwaTakes(&h, sel) && (err == nil || err.Error() != lib.Error()):
			t.Fatalf("%s %v: %v, want the library's %v", filepath.Base(path), sel.Names, err, lib)
		}
	}
	return true
}

// TestDWATiled decodes tiled DWAA and DWAB files of many layers (tiles of
// 16 and 64 pixels, partial ones at the edges) through dwa.c in Core's
// pipeline, whole and in tile ranges on concurrent goroutines, and through
// the C++ reader, by each of forEachACPath's paths: every value of every
// selection must match. FLOAT
// channels, which dwa.c does not take, go to the C++ reader, and Core
// cannot decode them.
func TestDWATiled(t *testing.T) {
	if !dwaCPU() {
		t.Skip("this CPU has no AVX2 or F16C: tiled DWA goes to the C++ reader")
	}
	forEachACPath(t, func(t *testing.T) {
		dir := t.TempDir()
		for _, comp := range []Compression{DWAA, DWAB} {
			for _, tile := range []int{16, 64} {
				const w, h = 257, 70
				path := filepath.Join(dir, fmt.Sprintf("%s_%d.exr", comp, tile))
				writeDWALayers(t, path, w, h, comp, 45, 5, tile)
				f, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				for _, sel := range dwaSelections {
					name := fmt.Sprintf("%s tiles %d %v", comp, tile, sel.Names)
					tg, err := f.target(sel)
					if err != nil {
						t.Fatal(err)
					}
					if v, err := f.route(tg, sel, viaAuto); v != viaCore || err != nil {
						t.Fatalf("%s: routed to %v (%v), want Core with dwa.c", name, v, err)
					}
					want := make([]uint16, 4*w*h)
					if err := decodeWith(f, want, sel, 0, f.Chunks(), decodeOptions{via: viaIMF}); err != nil {
						t.Fatalf("%s: C++ reader: %v", name, err)
					}
					got := make([]uint16, 4*w*h)
					poison(got)
					var wg sync.WaitGroup
					errs := make([]error, 3)
					for g := range 3 {
						wg.Add(1)
						go func() {
							defer wg.Done()
							errs[g] = decodeWith(f, got, sel, g*f.Chunks()/3, (g+1)*f.Chunks()/3, decodeOptions{})
						}()
					}
					wg.Wait()
					for _, err := range errs {
						if err != nil {
							t.Fatalf("%s: %v", name, err)
						}
					}
					if i := firstDiffU16(got, want); i >= 0 {
						t.Fatalf("%s: value %d is %#04x, the C++ reader gives %#04x", name, i, got[i], want[i])
					}
				}
				// Core has no DWA decoder of its own and codec.cpp's takes no
				// tiles: without dwa.c, Core cannot decode these tiles, so the
				// decodes above that matched the C++ reader were dwa.c's.
				if err := decodeWith(f, make([]uint16, 4*w*h), dwaSelections[0], 0, f.Chunks(), decodeOptions{via: viaCore, libraryCodecs: true}); err == nil {
					t.Fatalf("%s tiles %d: Core decodes tiled DWA without dwa.c", comp, tile)
				}
				z := Selection{Names: [4]string{"Z"}, Grey: true}
				if err := decodeWith(f, make([]uint16, 4*w*h), z, 0, f.Chunks(), decodeOptions{via: viaCore}); !errors.Is(err, ErrNotImplemented) {
					t.Errorf("%s tiles %d: FLOAT Z through Core: %v, want ErrNotImplemented", comp, tile, err)
				}
				if err := f.Decode(make([]uint16, 4*w*h), z); err != nil {
					t.Errorf("%s tiles %d: FLOAT Z: %v", comp, tile, err)
				}
				f.Close()
			}
		}
	})
}

// TestDWALevelsDiffer makes sure the levels TestDWAMatchesLibrary writes
// are applied: a higher level quantizes more, so the file is smaller.
func TestDWALevelsDiffer(t *testing.T) {
	dir := t.TempDir()
	var sizes []int64
	for _, level := range []float32{0, 45, 400} {
		path := filepath.Join(dir, fmt.Sprintf("%g.exr", level))
		writeDWALayers(t, path, 70, 45, DWAA, level, 1, 0)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, fi.Size())
	}
	if !(sizes[0] > sizes[1] && sizes[1] > sizes[2]) {
		t.Errorf("file sizes at levels 0, 45, 400: %v, want decreasing", sizes)
	}
}

// TestDWACorrupt decodes DWA files with bytes of their chunks changed, or
// cut short, through dwa.c: each must decode or fail with an error naming
// the chunk, never crash or write past the destination (the race detector
// watches in make test; FuzzDecodeChunks goes further), by each of
// forEachACPath's paths.
func TestDWACorrupt(t *testing.T) {
	forEachACPath(t, func(t *testing.T) {
		dir := t.TempDir()
		rng := rand.New(rand.NewPCG(3, 4))
		for _, comp := range []Compression{DWAA, DWAB} {
			src := filepath.Join(dir, comp.String()+".exr")
			const w, h = 70, 45
			writeDWALayers(t, src, w, h, comp, 45, 7, 0)
			base, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			end := headerEnd(base)
			failed, runs := 0, 300
			if testing.Short() {
				runs = 40
			}
			for i := range runs {
				data := slices.Clone(base)
				at := end + 16 + rng.IntN(len(data)-end-16)
				switch i % 3 {
				case 0:
					data[at] ^= byte(1 + rng.IntN(255))
				case 1:
					for j := range 8 {
						data[min(at+j, len(data)-1)] = byte(rng.Uint32())
					}
				default:
					data = data[:at]
				}
				path := filepath.Join(dir, fmt.Sprintf("bad%d.exr", i))
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
				f, err := Open(path)
				if err != nil {
					continue
				}
				for _, sel := range dwaSelections[:4] {
					buf := make([]uint16, 4*w*h+8)
					poison(buf)
					err := decodeWith(f, buf[:4*w*h], sel, 0, f.Chunks(), decodeOptions{via: viaCore})
					if err != nil {
						failed++
						if !strings.Contains(err.Error(), "chunk") && !strings.Contains(err.Error(), "line") {
							t.Errorf("byte %d: error without context: %v", at, err)
						}
					}
					for j, v := range buf[4*w*h:] {
						if v != 0xA5A5 {
							t.Fatalf("byte %d: value %d past the destination was written", at, j)
						}
					}
				}
				f.Close()
			}
			t.Logf("%s: %d of %d decodes of damaged files failed", comp, failed, 4*runs)
		}
	})
}

// TestDWAShortBits gives the first chunk's AC Huffman code fewer bits than
// it needs, and more than it has: the cursor then reads past the code,
// where zeros (or the next part) may decode as runs of nothing forever.
// Each decode must end, with an error or with pixels.
func TestDWAShortBits(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.exr")
	const w, h = 70, 45
	writeDWALayers(t, src, w, h, DWAA, 45, 9, 0)
	base, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	// The first chunk: its offset, then y and size, then 11 sizes, the
	// rules, the UNKNOWN data and the AC data, whose Huffman header holds
	// the bit count at byte 12.
	chunk := int(binary.LittleEndian.Uint64(base[headerEnd(base):])) + 8
	le := binary.LittleEndian
	rules := int(le.Uint16(base[chunk+88:]))
	ac := chunk + 88 + rules + int(le.Uint64(base[chunk+16:]))
	nbits := le.Uint32(base[ac+12:])
	for _, n := range []uint32{0, 1, 129, 1000, nbits / 2, nbits - 1, nbits + 64, nbits + 4096} {
		data := slices.Clone(base)
		le.PutUint32(data[ac+12:], n)
		path := filepath.Join(dir, fmt.Sprintf("bits%d.exr", n))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			done <- decodeWith(f, make([]uint16, 4*w*h), dwaSelections[0], 0, f.Chunks(), decodeOptions{via: viaCore})
		}()
		select {
		case err := <-done:
			t.Logf("%d of %d bits: %v", n, nbits, err)
		case <-time.After(20 * time.Second):
			t.Fatalf("%d of %d bits: the decode did not end", n, nbits)
		}
		f.Close()
	}
}
