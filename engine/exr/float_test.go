package exr

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"unsafe"

	"flick/engine/exr/internal/exrref"
	"flick/engine/exr/shared"
)

// checkFloatAgainstLibrary decodes sel's part whole with DecodeFloat and
// holds every slot to the library's own decode of its channel
// (exrref.ReadChannel): FLOAT and HALF bit for bit, UINT as the nearest
// float32 of the integer. It returns the decoded window.
func checkFloatAgainstLibrary(t *testing.T, f *File, sel Selection) (Box, []float32) {
	t.Helper()
	win, err := f.Window(sel)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.ChunksOf(sel)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, 4*win.Width()*win.Height())
	if err := f.DecodeFloat(got, win, sel, 0, n); err != nil {
		t.Fatalf("DecodeFloat: %v", err)
	}
	for s, name := range sel.Names {
		typ, want, err := exrref.ReadChannel(f.Path(), sel.Part, name, win.Width(), win.Height())
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			wf := math.Float32frombits(w)
			if PixelType(typ) == UInt {
				wf = float32(w)
			}
			if g := got[4*i+s]; math.Float32bits(g) != math.Float32bits(wf) {
				t.Fatalf("%s pixel %d: got %v (%08x), the library reads %v (%08x)", name, i, g, math.Float32bits(g), wf,
					math.Float32bits(wf))
			}
		}
	}
	return win, got
}

// checkChunkByChunk decodes every chunk of sel into its own ChunksBox, the
// way a probe decodes the chunk under a pixel (ChunkAt), then into one
// buffer of the window, each on several goroutines at once, and holds them
// to whole, the part decoded whole.
func checkChunkByChunk(t *testing.T, f *File, sel Selection, win Box, whole []float32) {
	t.Helper()
	n, err := f.ChunksOf(sel)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			b, err := f.ChunksBox(sel, i, i+1)
			if err != nil {
				errs[i] = err
				return
			}
			if c, err := f.ChunkAt(sel, b.MaxX, b.MaxY); err != nil || c != i {
				errs[i] = errors.Join(err, errors.New("ChunkAt of the box's last pixel is another chunk"))
				return
			}
			dst := make([]float32, 4*b.Width()*b.Height())
			if err := f.DecodeFloat(dst, b, sel, i, i+1); err != nil {
				errs[i] = err
				return
			}
			for y := b.MinY; y <= b.MaxY; y++ {
				for x := b.MinX; x <= b.MaxX; x++ {
					for s := range 4 {
						g := dst[4*((y-b.MinY)*b.Width()+x-b.MinX)+s]
						w := whole[4*((y-win.MinY)*win.Width()+x-win.MinX)+s]
						if math.Float32bits(g) != math.Float32bits(w) {
							errs[i] = errors.New("a value differs from the whole decode")
							return
						}
					}
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// And every chunk into one buffer of the whole window, concurrently.
	one := make([]float32, len(whole))
	for i := range n {
		wg.Go(func() { errs[i] = f.DecodeFloat(one, win, sel, i, i+1) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i := range one {
		if math.Float32bits(one[i]) != math.Float32bits(whole[i]) {
			t.Fatalf("value %d decoded chunk by chunk into one buffer differs", i)
		}
	}
}

// TestDecodeFloatSamples holds DecodeFloat to the library on real FLOAT
// renders: V-Ray's cornellBox (scanline ZIPS, data window 626x540 at
// (167,0)) and Arnold's multichannel.exr (tiled ZIP), whole and chunk by
// chunk.
func TestDecodeFloatSamples(t *testing.T) {
	for _, tc := range []struct {
		file  string
		names [4]string
	}{
		{"psyop/cornellBox_CryptoWildcard.0001.exr", [4]string{"uCryptoWildcard00.R", "uCryptoWildcard00.G", "uCryptoWildcard00.B", "uCryptoWildcard00.A"}},
		{"psyop/cornellBox_CryptoWildcard.0001.exr", [4]string{"uCryptoWildcard02.G", "", "R", "A"}},
		{"psyop/debug_images/multichannel.exr", [4]string{"crypto_object00.R", "crypto_object00.G", "crypto_object01.R", "crypto_object01.G"}},
	} {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			f, err := Open(shared.File(t, "cryptomatte", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sel := Selection{Names: tc.names}
			for s, name := range sel.Names {
				if name == "" {
					continue
				}
				i := channelIndex(f.Header(), name)
				if i < 0 {
					t.Fatalf("no channel %s", name)
				}
				if s == 0 && f.Header().Channels[i].Type != Float {
					t.Fatalf("%s is %v, the test wants a FLOAT channel", name, f.Header().Channels[i].Type)
				}
			}
			full := Selection{Names: sel.Names}
			for s := range full.Names {
				if full.Names[s] == "" {
					full.Names[s] = sel.Names[0] // the library reference needs a channel per slot
				}
			}
			win, whole := checkFloatAgainstLibrary(t, f, full)
			checkChunkByChunk(t, f, full, win, whole)
			// An empty slot reads 0 beside decoded ones.
			got := make([]float32, len(whole))
			n, _ := f.ChunksOf(sel)
			if err := f.DecodeFloat(got, win, sel, 0, n); err != nil {
				t.Fatal(err)
			}
			for s, name := range sel.Names {
				for i := s; i < len(got); i += 4 {
					if (name == "" && got[i] != 0) || (name != "" && math.Float32bits(got[i]) != math.Float32bits(whole[i-s+slotOf(full, name)])) {
						t.Fatalf("slot %d (%q) pixel %d: %v", s, name, i/4, got[i])
					}
				}
			}
		})
	}
}

// channelIndex is the index of name in h's channels, or -1.
func channelIndex(h Header, name string) int {
	for i, c := range h.Channels {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// slotOf is the first slot of sel that names name.
func slotOf(sel Selection, name string) int {
	for s, n := range sel.Names {
		if n == name {
			return s
		}
	}
	return -1
}

// TestDecodeFloatTypes holds DecodeFloat to the library on FLOAT, UINT and
// HALF channels side by side, scanline and tiled, through the compressions
// that store 32-bit channels differently (PXR24 rounds FLOAT to 24 bits;
// PIZ and ZIP through flick's own steps), with UINT values above 2^24 and
// FLOAT values no half can hold.
func TestDecodeFloatTypes(t *testing.T) {
	const w, h = 37, 23
	fl := make([]float32, w*h)
	ui := make([]uint32, w*h)
	hf := make([]uint16, w*h)
	for i := range fl {
		fl[i] = math.Float32frombits(uint32(i)*2654435761 ^ 0x3f000000) // ids: any bit pattern but NaN is kept
		if math.IsNaN(float64(fl[i])) {
			fl[i] = float32(i) + 0.1
		}
		ui[i] = uint32(i) * 2654435761 // most above 2^24
		hf[i] = uint16(i*977) & 0x7bff
	}
	ui[0], ui[1], ui[2] = 1<<24, 1<<24+1, math.MaxUint32
	chans := []exrref.Channel{
		{Name: "depth.Z", Type: int(Float), Data: unsafe.Pointer(&fl[0])},
		{Name: "id", Type: int(UInt), Data: unsafe.Pointer(&ui[0])},
		{Name: "Y", Type: int(Half), Data: unsafe.Pointer(&hf[0])},
	}
	for _, tc := range []struct {
		name string
		comp Compression
		tile int
	}{
		{"none", None, 0}, {"zip", ZIP, 0}, {"piz", PIZ, 0}, {"pxr24", PXR24, 0}, {"rle", RLE, 0},
		{"tiled zip", ZIP, 8}, {"tiled piz", PIZ, 16}, {"dwaa", DWAA, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "types.exr")
			if err := exrref.WriteChannels(path, w, h, chans, int(tc.comp), 45, tc.tile); err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sel := Selection{Names: [4]string{"depth.Z", "id", "Y", "id"}}
			win, whole := checkFloatAgainstLibrary(t, f, sel)
			checkChunkByChunk(t, f, sel, win, whole)
			if tc.comp == None && (whole[4*1+1] != 1<<24 || whole[4*2+1] != 1<<32) {
				t.Errorf("UINT 2^24+1 and 2^32-1 read %v and %v: want the nearest float32s, 2^24 and 2^32", whole[4*1+1], whole[4*2+1])
			}
		})
	}
}

// TestDecodeFloatRefuses: requests DecodeFloat cannot serve fail with a
// clear error, never a partial write past dst.
func TestDecodeFloatRefuses(t *testing.T) {
	f, err := Open(shared.File(t, "cryptomatte", "psyop/cornellBox_CryptoWildcard.0001.exr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sel := Selection{Names: [4]string{"uCryptoWildcard00.R"}}
	win, _ := f.Window(sel)
	n, _ := f.ChunksOf(sel)
	band, err := f.ChunksBox(sel, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Box{win.MinX, win.MinY + 3, win.MaxX, win.MinY + 4}); band != want {
		t.Errorf("ChunksBox(3, 5) = %v, want %v (ZIPS: a line a chunk)", band, want)
	}
	for _, tc := range []struct {
		name         string
		into         Box
		begin, end   int
		short, other bool
	}{
		{"chunk outside the rectangle", band, 2, 5, false, false},
		{"rectangle outside the window", Box{win.MinX - 1, win.MinY, win.MaxX, win.MinY}, 0, 1, false, false},
		{"buffer too short", win, 0, n, true, false},
		{"range past the end", win, 0, n + 1, false, false},
		{"no such channel", win, 0, 1, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := make([]float32, 4*tc.into.Width()*tc.into.Height())
			if tc.short {
				dst = dst[:len(dst)-1]
			}
			s := sel
			if tc.other {
				s.Names[0] = "nope"
			}
			if err := f.DecodeFloat(dst, tc.into, s, tc.begin, tc.end); !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("got %v, want ErrInvalidArgument", err)
			}
		})
	}
	if _, err := f.ChunkAt(sel, win.MinX-1, 0); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("ChunkAt left of the window: %v", err)
	}
	if err := f.DecodeFloat(make([]float32, 4), win, Selection{Names: [4]string{"Y"}, LumaChroma: true}, 0, 1); !errors.Is(err, ErrUnsupported) {
		t.Errorf("luminance/chroma: %v", err)
	}
}

// TestWriteFloat writes a matte-like image (FLOAT channel Y, a data window
// inside a larger display window, string attributes) and reads it back
// through the library's C++ API: values bit for bit, windows and
// attributes as given; a write the library refuses leaves no file.
func TestWriteFloat(t *testing.T) {
	dw := Box{167, 3, 167 + 40, 3 + 18}
	img := FloatImage{
		Channels:      []string{"Y"},
		Pix:           make([]float32, dw.Width()*dw.Height()),
		DataWindow:    dw,
		DisplayWindow: Box{0, 0, 959, 539},
		Attrs:         map[string]string{"flick/matte": "a, \"b\"", "note": "снег"},
	}
	for i := range img.Pix {
		img.Pix[i] = math.Float32frombits(uint32(i) * 2654435761 >> 2) // positive, many not halves
	}
	img.Pix[0], img.Pix[1] = 65519.99, float32(math.Inf(1))
	for _, comp := range []Compression{None, ZIP, PIZ} {
		t.Run(comp.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "matte.exr")
			if err := WriteFloat(path, img, comp); err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			h := f.Header()
			if h.DataWindow != dw || h.DisplayWindow != img.DisplayWindow || h.Compression != comp ||
				len(h.Channels) != 1 || h.Channels[0] != (Channel{"Y", Float, 1, 1}) {
				t.Fatalf("header %+v", h)
			}
			typ, got, err := exrref.ReadChannel(path, 0, "Y", dw.Width(), dw.Height())
			if err != nil || PixelType(typ) != Float {
				t.Fatal(typ, err)
			}
			for i, v := range got {
				if v != math.Float32bits(img.Pix[i]) {
					t.Fatalf("pixel %d: read %08x, wrote %08x", i, v, math.Float32bits(img.Pix[i]))
				}
			}
			for k, v := range img.Attrs {
				if s, err := exrref.StringAttr(path, 0, k); err != nil || s != v {
					t.Errorf("attribute %s: %q, %v", k, s, err)
				}
			}
		})
	}
	dir := t.TempDir()
	bad := img
	bad.Attrs = map[string]string{"channels": "no"}
	if err := WriteFloat(filepath.Join(dir, "bad.exr"), bad, ZIP); err == nil {
		t.Fatal("a string attribute named channels was written")
	}
	bad = img
	bad.Pix = bad.Pix[:len(bad.Pix)-1]
	if err := WriteFloat(filepath.Join(dir, "short.exr"), bad, ZIP); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("short pixels: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed writes left %v", entries)
	}
}
