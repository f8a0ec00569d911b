package exr

import (
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"flick/engine/exr/internal/exrref"
	"flick/engine/exr/shared"
)

// TestWav2DecodeMatchesLibrary runs flick's inverse wavelet (SSE2 at the
// finest level, scalar elsewhere) and OpenEXR's on the same random values:
// sizes odd and even, under and over the eight blocks one SIMD step takes,
// one- and two-value samples (HALF, FLOAT), and both the 14-bit and the
// modulo-16-bit variants. Every value must match.
func TestWav2DecodeMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 97}
	cases := 0
	for _, nx := range sizes {
		for _, ny := range sizes {
			for _, ox := range []int{1, 2} {
				for _, mx := range []uint16{1<<14 - 1, 0xffff} {
					oy := nx * ox
					v := make([]uint16, ny*oy)
					for i := range v {
						v[i] = uint16(rng.Uint32())
						if mx < 1<<14 {
							v[i] &= 1<<14 - 1
						}
					}
					want := slices.Clone(v)
					for j := range ox {
						wav2Decode(v[j:], nx, ox, ny, oy, mx)
						exrref.Wav2Decode(want[j:], nx, ox, ny, oy, mx)
					}
					if i := firstDiffU16(v, want); i >= 0 {
						t.Fatalf("%dx%d, x offset %d, max %#x: value %d is %#04x, the library's %#04x", nx, ny, ox, mx, i, v[i], want[i])
					}
					cases++
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}

// pizFiles writes PIZ files of every channel type, scanline and tiled, in
// sizes down to one pixel and with odd widths: four channels of one type
// (R, G, B, A, the fused RGBA path for HALF), and one of each type
// together.
func pizFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 8))
	var paths []string
	sizes := [][2]int{{1, 1}, {1, 9}, {7, 1}, {67, 33}, {301, 70}}
	for _, sz := range sizes {
		w, h := sz[0], sz[1]
		half := make([]uint16, w*h)
		float := make([]float32, w*h)
		ui := make([]uint32, w*h)
		for i := range half {
			// Smooth with noise, so the wavelet and the Huffman code see
			// picture-like values; every hundredth any bits at all.
			x, y := float64(i%w), float64(i/w)
			v := math.Sin(x/9)*math.Cos(y/7) + rng.NormFloat64()*0.05
			half[i] = halfOf(float32(v))
			float[i] = float32(v * 3)
			ui[i] = uint32(1000*v+2000) + uint32(rng.IntN(4))
			if rng.IntN(100) == 0 {
				half[i], ui[i] = uint16(rng.Uint32()), rng.Uint32()
				float[i] = math.Float32frombits(rng.Uint32() &^ (0xff << 23)) // any finite value, small
			}
		}
		data := map[PixelType]unsafe.Pointer{Half: unsafe.Pointer(&half[0]), Float: unsafe.Pointer(&float[0]), UInt: unsafe.Pointer(&ui[0])}
		sets := map[string][]exrref.Channel{"mixed": {
			{Name: "A", Type: int(UInt), Data: data[UInt]},
			{Name: "G", Type: int(Float), Data: data[Float]},
			{Name: "R", Type: int(Half), Data: data[Half]},
		}}
		for _, typ := range []PixelType{Half, Float, UInt} {
			for _, name := range []string{"A", "B", "G", "R"} {
				sets[typ.String()] = append(sets[typ.String()], exrref.Channel{Name: name, Type: int(typ), Data: data[typ]})
			}
		}
		for set, chans := range sets {
			for _, tile := range []int{0, 16} {
				path := filepath.Join(dir, fmt.Sprintf("%s-%dx%d-tile%d.exr", set, w, h, tile))
				if err := exrref.WriteChannels(path, w, h, chans, int(PIZ), 0, tile); err != nil {
					t.Fatal(err)
				}
				paths = append(paths, path)
			}
		}
	}
	return paths
}

// TestPIZMatchesLibrary decodes every PIZ file, the samples' (exr-samples
// and exr-more) and pizFiles', through flick's PIZ (huf.c's Huffman
// decoder, piz.c's wavelet and lines) and through the library's (Core's
// PIZ decompressor and unpack step), in each case decodeCases would list:
// every value must match, and the two must fail alike.
func TestPIZMatchesLibrary(t *testing.T) {
	paths := pizFiles(t)
	for _, folder := range []string{"exr-samples", "exr-more"} {
		root, ok := shared.Lookup(t, folder)
		if !ok {
			continue
		}
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(path) == ".exr" && !strings.Contains(path, "Damaged") {
				paths = append(paths, path)
			}
			return err
		})
	}
	compared, files := 0, 0
	for _, path := range paths {
		f, err := Open(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		h := f.Header()
		if h.Compression != PIZ {
			f.Close()
			continue
		}
		files++
		var sels []Selection
		if sel, err := DefaultSelection(h); err == nil {
			sels = append(sels, sel)
		}
		if len(h.Channels) <= 8 {
			for _, c := range h.Channels {
				sels = append(sels, Selection{Names: [4]string{c.Name}, Grey: true})
			}
		}
		n := 4 * h.DataWindow.Width() * h.DataWindow.Height()
		want, got := make([]uint16, n), make([]uint16, n)
		for _, sel := range sels {
			poison(want)
			poison(got)
			errLib := decodeWith(f, want, sel, 0, f.Chunks(), decodeOptions{libraryCodecs: true, via: viaCore})
			errOurs := decodeWith(f, got, sel, 0, f.Chunks(), decodeOptions{via: viaCore})
			if (errLib == nil) != (errOurs == nil) {
				t.Errorf("%s %v: the library's PIZ: %v, flick's: %v", filepath.Base(path), sel.Names, errLib, errOurs)
				continue
			}
			if errLib != nil {
				continue
			}
			if i := firstDiffU16(got, want); i >= 0 {
				t.Errorf("%s %v: value %d is %#04x, the library's %#04x", filepath.Base(path), sel.Names, i, got[i], want[i])
			}
			compared++
		}
		f.Close()
	}
	t.Logf("%d PIZ files, %d selections compared", files, compared)
	if compared == 0 {
		t.Error("no PIZ file compared")
	}
}
