package exr

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/x448/float16"
)

var benchFiles = []string{
	"ScanLines/Desk.exr",    // PIZ, RGBA
	"ScanLines/Carrots.exr", // ZIP, RGBA
	"Tiles/GoldenGate.exr",  // tiled PIZ, RGB
}

// BenchmarkDecode decodes whole frames into a reused buffer; bytes/s count
// the RGBA half output.
func BenchmarkDecode(b *testing.B) {
	for _, rel := range benchFiles {
		name := strings.TrimSuffix(filepath.Base(rel), ".exr")
		b.Run(name, func(b *testing.B) {
			f, err := Open(sample(b, rel))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			h := f.Header()
			sel, _ := DefaultSelection(h)
			dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
			b.SetBytes(int64(2 * len(dst)))
			b.ReportAllocs()
			for b.Loop() {
				if err := f.Decode(dst, sel); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecodeDoesNotAllocate holds the decode path to no Go allocation per
// call.
func TestDecodeDoesNotAllocate(t *testing.T) {
	for _, rel := range benchFiles {
		f, err := Open(sample(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		h := f.Header()
		sel, _ := DefaultSelection(h)
		dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
		if n := testing.AllocsPerRun(3, func() {
			if err := f.Decode(dst, sel); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocations per Decode", rel, n)
		}
		f.Close()
	}
}

// benchDir holds the generated 1080p frames, kept between runs so that
// OpenEXR's own readers can be pointed at the same files:
// $TMPDIR/flick-exr-bench/<compression>[-tiled]/frame.<n>.exr.
var benchDir = filepath.Join(os.TempDir(), "flick-exr-bench")

const benchW, benchH, benchFrames = 1920, 1080, 4

var benchComps = []Compression{None, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A, DWAA, DWAB}

// benchKey is one generated sequence: a compression, scanline or tiled.
type benchKey struct {
	comp  Compression
	tiled bool
}

var benchGen struct {
	sync.Mutex
	done map[benchKey][]string
}

// benchFrame is render-like: gradients, a few soft shapes that move with
// frame, and mild grain, so compressors see neither noise nor flat colour.
func benchFrame(w, h, frame int) []uint16 {
	pix := make([]uint16, 4*w*h)
	seed := uint32(2166136261 ^ frame)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			grain := (float32(seed>>9)/float32(1<<23) - 0.5) * 0.01
			u, v := float32(x)/float32(w), float32(y)/float32(h)
			r, g, b := 0.18+0.5*u, 0.1+0.4*v, 0.3*(1-u)
			for k := range 3 {
				cx := float32(w) * (0.25 + 0.25*float32(k) + 0.01*float32(frame))
				cy := float32(h) * (0.3 + 0.2*float32(k))
				dx, dy := float32(x)-cx, float32(y)-cy
				d := float32(math.Sqrt(float64(dx*dx + dy*dy)))
				if d < 200 {
					f := 1 - d/200
					r, g, b = r+2*f*float32(k&1), g+1.5*f, b+3*f*float32((k+1)&1)
				}
			}
			a := float32(1)
			if x < w/8 {
				a = u * 8
			}
			i := 4 * (y*w + x)
			pix[i+0] = float16.Fromfloat32(r + grain).Bits()
			pix[i+1] = float16.Fromfloat32(g + grain).Bits()
			pix[i+2] = float16.Fromfloat32(b + grain).Bits()
			pix[i+3] = float16.Fromfloat32(a).Bits()
		}
	}
	return pix
}

// benchSequence returns the generated frames of k, writing them on first
// use: scanline files through WriteRGBA, DWA and tiled (64x64) ones through
// the C++ API.
func benchSequence(b *testing.B, k benchKey) []string {
	benchGen.Lock()
	defer benchGen.Unlock()
	if paths, ok := benchGen.done[k]; ok {
		return paths
	}
	name := k.comp.String()
	if k.tiled {
		name += "-tiled"
	}
	dir := filepath.Join(benchDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	var paths []string
	for n := range benchFrames {
		path := filepath.Join(dir, fmt.Sprintf("frame.%04d.exr", n+1))
		if _, err := os.Stat(path); err != nil {
			pix := benchFrame(benchW, benchH, n)
			if k.tiled || k.comp == DWAA || k.comp == DWAB {
				var tiles imfTiles
				if k.tiled {
					tiles = imfTiles{64, 64, OneLevel}
				}
				err = writeIMF(path, benchW, benchH, pix, k.comp, tiles)
			} else {
				err = WriteRGBA(path, benchW, benchH, pix, k.comp, 24)
			}
			if err != nil {
				b.Fatalf("cannot write %s: %v", name, err)
			}
		}
		paths = append(paths, path)
	}
	if benchGen.done == nil {
		benchGen.done = map[benchKey][]string{}
	}
	benchGen.done[k] = paths
	return paths
}

// BenchmarkCompression decodes generated 1920x1080 RGBA half frames of each
// compression, scanline and tiled, cycling over benchFrames files: on one
// goroutine (Decode) and on two (DecodeChunks, each half the chunks), as
// routed; then on two through each library path ("core", "cpp"), which is
// the measurement behind route's choice of Core (route.go); for ZIP,
// ZIPS, PXR24, RLE and scanline DWA through the library's own decompressors
// too ("lib": zlib, or DWA's C++ one, instead of flick's). Bytes/s count the RGBA half
// output; frames/s is 1e9 / (ns/op).
func BenchmarkCompression(b *testing.B) {
	for _, k := range benchKeys() {
		modes := []string{"1thread", "2threads", "cpp-2threads"}
		if !k.tiled || (k.comp != DWAA && k.comp != DWAB) {
			modes = append(modes, "core-2threads")
		}
		if k.comp == ZIP || k.comp == ZIPS || k.comp == RLE || k.comp == PXR24 || (!k.tiled && (k.comp == DWAA || k.comp == DWAB)) {
			modes = append(modes, "lib-2threads")
		}
		name := k.comp.String()
		if k.tiled {
			name += "-tiled"
		}
		for _, mode := range modes {
			b.Run(name+"/"+mode, func(b *testing.B) {
				paths := benchSequence(b, k)
				files := make([]*File, len(paths))
				for i, p := range paths {
					f, err := Open(p)
					if err != nil {
						b.Fatal(err)
					}
					defer f.Close()
					files[i] = f
				}
				sel, _ := DefaultSelection(files[0].Header())
				dst := make([]uint16, 4*benchW*benchH)
				opt := decodeOptions{libraryCodecs: strings.HasPrefix(mode, "lib")}
				switch {
				case strings.HasPrefix(mode, "core"), opt.libraryCodecs:
					opt.via = viaCore
				case strings.HasPrefix(mode, "cpp"):
					opt.via = viaIMF
				}
				two := strings.HasSuffix(mode, "2threads")
				b.SetBytes(int64(2 * len(dst)))
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					f := files[i%len(files)]
					i++
					if err := decodeSplit(f, dst, sel, two, opt); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchKeys lists every compression, scanline then tiled.
func benchKeys() []benchKey {
	var keys []benchKey
	for _, tiled := range []bool{false, true} {
		for _, comp := range benchComps {
			keys = append(keys, benchKey{comp, tiled})
		}
	}
	return keys
}

// decodeSplit decodes all of f's chunks, split over two goroutines if two.
func decodeSplit(f *File, dst []uint16, sel Selection, two bool, opt decodeOptions) error {
	n := f.Chunks()
	if !two {
		return decodeWith(f, dst, sel, 0, n, opt)
	}
	errc := make(chan error, 1)
	go func() { errc <- decodeWith(f, dst, sel, n/2, n, opt) }()
	err := decodeWith(f, dst, sel, 0, n/2, opt)
	if err2 := <-errc; err == nil {
		err = err2
	}
	return err
}
