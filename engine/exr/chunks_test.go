package exr

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// decodeCase is one file and selection that the parallel and libdeflate
// paths must decode exactly as the reference path does.
type decodeCase struct {
	name string
	path string
	sel  Selection
}

// writtenFiles writes small files of every compression the writer has, at
// sizes that leave partial chunks and odd byte counts (the SIMD tails), in
// half and, for ZIP, ZIPS and PXR24, float channels.
func writtenFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, size := range [][2]int{{1, 1}, {3, 2}, {19, 11}, {70, 45}, {257, 37}} {
		w, h := size[0], size[1]
		pix := testPattern(w, h)
		for _, comp := range []Compression{None, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A} {
			path := filepath.Join(dir, fmt.Sprintf("%s_%dx%d.exr", comp, w, h))
			if err := WriteRGBA(path, w, h, pix, comp, 0); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, path)
		}
		fpix := make([]float32, 4*w*h)
		rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
		for i := range fpix {
			fpix[i] = float32(i%97)*0.25 + rng.Float32()
		}
		for _, comp := range []Compression{ZIPS, ZIP, PXR24} {
			path := filepath.Join(dir, fmt.Sprintf("%s_float_%dx%d.exr", comp, w, h))
			if err := write(path, w, h, unsafe.Pointer(&fpix[0]), Float, comp, Stamp{}); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, path)
		}
	}
	return paths
}

// decodeCases lists the written files and every sample outside Damaged/,
// each with its default selection and, for files of a few channels, each
// channel on its own (the generic unpack paths).
func decodeCases(t *testing.T, keep func(Header) bool) []decodeCase {
	t.Helper()
	paths := writtenFiles(t)
	if root, ok := findSamples(t); ok {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(path) == ".exr" && !strings.Contains(path, "Damaged") {
				paths = append(paths, path)
			}
			return err
		})
	}
	var cases []decodeCase
	for _, path := range paths {
		f, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		h := f.Header()
		f.Close()
		if !keep(h) {
			continue
		}
		name := filepath.Base(path)
		if sel, err := DefaultSelection(h); err == nil {
			cases = append(cases, decodeCase{name + "/default", path, sel})
		}
		if len(h.Channels) <= 8 {
			for _, c := range h.Channels {
				cases = append(cases, decodeCase{name + "/" + c.Name, path, Selection{Names: [4]string{c.Name}, Grey: true}})
			}
		}
	}
	return cases
}

// poison fills dst with a pattern no decode writes everywhere, so a chunk
// left out shows up.
func poison(dst []uint16) {
	for i := range dst {
		dst[i] = 0xA5A5
	}
}

// TestDecodeChunksParallel decodes every case with N goroutines, each
// taking a contiguous share of the chunks, and compares with Decode.
func TestDecodeChunksParallel(t *testing.T) {
	cases := decodeCases(t, func(Header) bool { return true })
	compared := 0
	for _, tc := range cases {
		f, err := Open(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		h := f.Header()
		n := 4 * h.DataWindow.Width() * h.DataWindow.Height()
		want := make([]uint16, n)
		if err := f.Decode(want, tc.sel); err != nil {
			// What Decode refuses, every split must refuse too.
			if err2 := f.DecodeChunks(make([]uint16, n), tc.sel, 0, f.Chunks()); err2 == nil {
				t.Errorf("%s: Decode failed (%v) but DecodeChunks did not", tc.name, err)
			}
			f.Close()
			continue
		}
		got := make([]uint16, n)
		for _, workers := range []int{2, 3, 7} {
			poison(got)
			chunks := f.Chunks()
			var wg sync.WaitGroup
			errs := make([]error, workers)
			for g := range workers {
				begin, end := g*chunks/workers, (g+1)*chunks/workers
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[g] = f.DecodeChunks(got, tc.sel, begin, end)
				}()
			}
			wg.Wait()
			for g, err := range errs {
				if err != nil {
					t.Errorf("%s: %d goroutines, share %d: %v", tc.name, workers, g, err)
				}
			}
			if i := firstDiffU16(got, want); i >= 0 {
				t.Errorf("%s: %d goroutines: value %d is %#04x, Decode gives %#04x", tc.name, workers, i, got[i], want[i])
			}
		}
		compared++
		f.Close()
	}
	t.Logf("%d cases compared", compared)
}

func firstDiffU16(a, b []uint16) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestDecodeChunksRange checks the range arguments.
func TestDecodeChunksRange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.exr")
	if err := WriteRGBA(path, 19, 40, testPattern(19, 40), ZIP, 0); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sel, _ := DefaultSelection(f.Header())
	dst := make([]uint16, 4*19*40)
	if f.Chunks() != 3 { // 16 lines a chunk
		t.Errorf("Chunks() = %d, want 3", f.Chunks())
	}
	for _, r := range [][2]int{{-1, 1}, {0, 4}, {2, 1}} {
		if err := f.DecodeChunks(dst, sel, r[0], r[1]); err == nil {
			t.Errorf("DecodeChunks(%d, %d) did not fail", r[0], r[1])
		}
	}
	if err := f.DecodeChunks(dst, sel, 1, 1); err != nil {
		t.Errorf("empty range: %v", err)
	}
	f.Close()
	if f.Chunks() != 0 || f.DecodeChunks(dst, sel, 0, 0) == nil {
		t.Error("a closed file still decodes")
	}
}

// TestFlickStepsMatchLibrary decodes every case Core can decode through
// flick's pipeline steps (decompressors in deflate.c, piz.c and b44.c,
// unpack in unpack.c) and through the library's: every byte must match. The cases cover
// partial chunks and widths that leave SIMD tails.
func TestFlickStepsMatchLibrary(t *testing.T) {
	cases := decodeCases(t, func(h Header) bool { return h.Compression != DWAA && h.Compression != DWAB })
	compared := map[Compression]int{}
	for _, tc := range cases {
		f, err := Open(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		h := f.Header()
		n := 4 * h.DataWindow.Width() * h.DataWindow.Height()
		want, got := make([]uint16, n), make([]uint16, n)
		poison(want)
		poison(got)
		errLib := decodeWith(f, want, tc.sel, 0, f.Chunks(), decodeOptions{libraryCodecs: true, via: viaCore})
		errOurs := decodeWith(f, got, tc.sel, 0, f.Chunks(), decodeOptions{via: viaCore})
		f.Close()
		if (errLib == nil) != (errOurs == nil) {
			t.Errorf("%s: library's steps: %v, flick's: %v", tc.name, errLib, errOurs)
			continue
		}
		if errLib != nil {
			continue
		}
		if i := firstDiffU16(got, want); i >= 0 {
			t.Errorf("%s: value %d is %#04x, the library's steps give %#04x", tc.name, i, got[i], want[i])
		}
		compared[h.Compression]++
	}
	for _, c := range []Compression{None, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A} {
		if compared[c] == 0 {
			t.Errorf("no %s file compared", c)
		}
	}
	t.Logf("cases compared: %v", compared)
}

// TestPipelineBuffersKept decodes files of different compressions and
// chunk sizes one chunk a call, taking turns, on one OS thread, so each
// call's pipeline starts with the buffers the call before kept (pipebuf.c),
// sized for another file: the pixels must equal whole decodes, and the
// thread must be keeping buffers between calls.
func TestPipelineBuffersKept(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	dir := t.TempDir()
	type item struct {
		f         *File
		sel       Selection
		want, got []uint16
	}
	var items []item
	for i, comp := range []Compression{B44, None, ZIP, PIZ, RLE, B44A, PXR24} {
		w, h := 300-40*i, 70+9*i
		path := filepath.Join(dir, fmt.Sprintf("%s.exr", comp))
		if err := WriteRGBA(path, w, h, testPattern(w, h), comp, 0); err != nil {
			t.Fatal(err)
		}
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sel, _ := DefaultSelection(f.Header())
		it := item{f, sel, make([]uint16, 4*w*h), make([]uint16, 4*w*h)}
		if err := decodeWith(f, it.want, sel, 0, f.Chunks(), decodeOptions{via: viaCore}); err != nil {
			t.Fatal(err)
		}
		poison(it.got)
		items = append(items, it)
	}
	for c, left := 0, true; left; c++ {
		left = false
		for _, it := range items {
			if c >= it.f.Chunks() {
				continue
			}
			left = true
			if err := decodeWith(it.f, it.got, it.sel, c, c+1, decodeOptions{via: viaCore}); err != nil {
				t.Fatalf("%s chunk %d: %v", it.f.Path(), c, err)
			}
			if pipelineKeptBytes() == 0 {
				t.Fatalf("%s chunk %d: the thread kept no buffers", it.f.Path(), c)
			}
		}
	}
	for _, it := range items {
		if i := firstDiffU16(it.got, it.want); i >= 0 {
			t.Errorf("%s: value %d is %#04x, a whole decode gives %#04x", it.f.Path(), i, it.got[i], it.want[i])
		}
	}
}

// TestZipFusedMatchesLibrary decodes ZIP, ZIPS and RLE files whose RGBA
// output deflate.c writes straight from the split byte halves
// (flick_rgba_unpack_split), at widths around the 8-pixel SIMD step, with
// compressible pixels and with random ones, whose chunks are stored
// uncompressed (flick_rgba_unpack_from): equal to the library's steps,
// nothing written past the buffer, and the same in parallel.
func TestZipFusedMatchesLibrary(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(19, 2))
	for _, comp := range []Compression{ZIP, ZIPS, RLE} {
		for _, w := range []int{7, 8, 9, 33} {
			h := 41
			for _, random := range []bool{false, true} {
				pix := testPattern(w, h)
				if random {
					for i := range pix {
						pix[i] = uint16(rng.Uint32())
					}
				}
				path := filepath.Join(dir, fmt.Sprintf("%s_%d_%v.exr", comp, w, random))
				if err := WriteRGBA(path, w, h, pix, comp, 0); err != nil {
					t.Fatal(err)
				}
				if st, err := os.Stat(path); err != nil || random && st.Size() < int64(8*w*h) {
					t.Fatalf("%s: random pixels came out compressed (%v)", path, err)
				}
				checkStepsMatchLibrary(t, path, Selection{Names: [4]string{"R", "G", "B", "A"}})
			}
		}
	}
}

// TestZipCorrupt damages ZIP, RLE and PXR24 chunks: both paths must fail on the
// same files, and flick's with a message.
func TestZipCorrupt(t *testing.T) {
	for _, comp := range []Compression{ZIP, RLE, PXR24} {
		t.Run(comp.String(), func(t *testing.T) { testCorrupt(t, comp) })
	}
}

func testCorrupt(t *testing.T, comp Compression) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src.exr")
	if err := WriteRGBA(src, 70, 45, testPattern(70, 45), comp, 0); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	end := headerEnd(base)
	rng := rand.New(rand.NewPCG(1, 2))
	failed := 0
	for i := range 200 {
		data := slices.Clone(base)
		// Past the offset table (3 chunks) and the first chunk's leader.
		at := end + 3*8 + 8 + rng.IntN(len(data)-end-32)
		data[at] ^= byte(1 + rng.IntN(255))
		path := filepath.Join(dir, fmt.Sprintf("bad%d.exr", i))
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := Open(path)
		if err != nil {
			continue
		}
		sel, _ := DefaultSelection(f.Header())
		dst := make([]uint16, 4*70*45)
		errLib := decodeWith(f, dst, sel, 0, f.Chunks(), decodeOptions{libraryCodecs: true})
		errOurs := decodeWith(f, dst, sel, 0, f.Chunks(), decodeOptions{})
		f.Close()
		if (errLib == nil) != (errOurs == nil) {
			t.Errorf("byte %d: zlib: %v, libdeflate: %v", at, errLib, errOurs)
		}
		if errOurs != nil {
			failed++
			if !strings.Contains(errOurs.Error(), "chunk") {
				t.Errorf("byte %d: error without context: %v", at, errOurs)
			}
		}
	}
	t.Logf("%d of 200 damaged files failed to decode", failed)
}
