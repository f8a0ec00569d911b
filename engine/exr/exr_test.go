package exr

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"flick/engine/exr/internal/exrref"
)

func halfChannels(names ...string) []Channel {
	cs := make([]Channel, len(names))
	for i, n := range names {
		cs[i] = Channel{Name: n, Type: Half, XSampling: 1, YSampling: 1}
	}
	return cs
}

// TestHeader checks headers against exrheader's output for the same files.
func TestHeader(t *testing.T) {
	for _, tc := range []struct {
		rel  string
		want Header
	}{
		{"ScanLines/Desk.exr", Header{
			Parts: 1, Channels: halfChannels("A", "B", "G", "R"),
			DataWindow: Box{0, 0, 643, 873}, DisplayWindow: Box{0, 0, 643, 873},
			PixelAspect: 1, Compression: PIZ, Storage: Scanline,
		}},
		{"Tiles/GoldenGate.exr", Header{
			Parts: 1, Channels: halfChannels("B", "G", "R"),
			DataWindow: Box{0, 0, 1261, 859}, DisplayWindow: Box{0, 0, 1261, 859},
			PixelAspect: 1, Compression: PIZ, Storage: Tiled, TileWidth: 128, TileHeight: 128,
		}},
		{"TestImages/GrayRampsHorizontal.exr", Header{
			Parts: 1, Channels: halfChannels("Y"),
			DataWindow: Box{0, 0, 799, 799}, DisplayWindow: Box{0, 0, 799, 799},
			PixelAspect: 1, Compression: PXR24, Storage: Scanline,
		}},
		{"ScanLines/Cannon.exr", Header{
			Parts: 1, Channels: halfChannels("B", "G", "R"),
			DataWindow: Box{0, 0, 779, 565}, DisplayWindow: Box{0, 0, 779, 565},
			PixelAspect: 1, Compression: B44, Storage: Scanline,
		}},
		{"LuminanceChroma/MtTamNorth.exr", Header{
			Parts: 1, Channels: []Channel{{"BY", Half, 2, 2}, {"RY", Half, 2, 2}, {"Y", Half, 1, 1}},
			DataWindow: Box{0, 0, 1197, 795}, DisplayWindow: Box{0, 0, 1197, 795},
			PixelAspect: 1, Compression: PIZ, Storage: Scanline,
		}},
		{"Beachball/multipart.0001.exr", Header{ // part 0 of 10
			Parts: 10, Channels: halfChannels("A", "B", "G", "R"),
			DataWindow: Box{654, 245, 1530, 1120}, DisplayWindow: Box{0, 0, 2047, 1555},
			PixelAspect: 1, Compression: ZIPS, Storage: Scanline,
		}},
		{"MultiResolution/Bonita.exr", Header{
			Parts: 1, Channels: halfChannels("B", "G", "R"),
			DataWindow: Box{0, 0, 549, 831}, DisplayWindow: Box{0, 0, 549, 831},
			PixelAspect: 1, Compression: ZIP, Storage: Tiled, TileWidth: 128, TileHeight: 128,
		}},
		{"DisplayWindow/t16.exr", Header{
			Parts: 1, Channels: halfChannels("B", "G", "R"),
			DataWindow: Box{0, 0, 399, 299}, DisplayWindow: Box{-40, -40, 440, 330},
			PixelAspect: 0.666667, Compression: PIZ, Storage: Scanline,
		}},
		{"v2/LowResLeftView/Trunks.exr", Header{
			Parts: 1, Channels: append(halfChannels("A", "B", "G", "R"), Channel{"Z", Float, 1, 1}),
			DataWindow: Box{0, 141, 1023, 575}, DisplayWindow: Box{0, 0, 1023, 575},
			PixelAspect: 1, Compression: ZIPS, Storage: DeepScanline,
		}},
	} {
		t.Run(tc.rel, func(t *testing.T) {
			f, err := Open(sample(t, tc.rel))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			got := f.Header()
			if math.Abs(float64(got.PixelAspect-tc.want.PixelAspect)) > 1e-6 {
				t.Errorf("PixelAspect %v, want %v", got.PixelAspect, tc.want.PixelAspect)
			}
			got.PixelAspect = tc.want.PixelAspect
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("header\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Half.String(), "half"}, {Float.String(), "float"}, {UInt.String(), "uint"},
		{None.String(), "none"}, {ZIPS.String(), "zips"}, {B44A.String(), "b44a"}, {DWAB.String(), "dwab"},
		{Scanline.String(), "scanline"}, {Tiled.String(), "tiled"},
		{DeepScanline.String(), "deep scanline"}, {DeepTiled.String(), "deep tiled"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if b := (Box{-2, 3, 5, 3}); b.Width() != 8 || b.Height() != 1 {
		t.Errorf("Box size %dx%d", b.Width(), b.Height())
	}
}

func TestDefaultSelection(t *testing.T) {
	for _, tc := range []struct {
		name     string
		channels []string
		want     Selection
	}{
		{"rgb", []string{"B", "G", "R"}, Selection{Names: [4]string{"R", "G", "B", ""}}},
		{"rgba", []string{"A", "B", "G", "R"}, Selection{Names: [4]string{"R", "G", "B", "A"}}},
		{"rgba and layers", []string{"A", "B", "G", "R", "diffuse.B", "diffuse.G", "diffuse.R"},
			Selection{Names: [4]string{"R", "G", "B", "A"}}},
		{"y", []string{"Y"}, Selection{Names: [4]string{"Y", "", "", ""}, Grey: true}},
		{"y with chroma", []string{"BY", "RY", "Y"}, Selection{Names: [4]string{"Y", "", "", ""}, LumaChroma: true}},
		{"ya", []string{"A", "Y"}, Selection{Names: [4]string{"Y", "", "", "A"}, Grey: true}},
		{"layers only", []string{"Z", "diffuse.B", "diffuse.G", "diffuse.R", "specular.A", "specular.B", "specular.G", "specular.R"},
			Selection{Names: [4]string{"diffuse.R", "diffuse.G", "diffuse.B", ""}}},
		{"layer with alpha", []string{"beauty.A", "beauty.B", "beauty.G", "beauty.R", "z.Z"},
			Selection{Names: [4]string{"beauty.R", "beauty.G", "beauty.B", "beauty.A"}}},
		{"nested layer", []string{"left.diffuse.B", "left.diffuse.G", "left.diffuse.R"},
			Selection{Names: [4]string{"left.diffuse.R", "left.diffuse.G", "left.diffuse.B", ""}}},
		{"incomplete layer", []string{"a.G", "a.R", "depth.Z"}, Selection{Names: [4]string{"a.G", "", "", ""}, Grey: true}},
		{"single channel", []string{"Z"}, Selection{Names: [4]string{"Z", "", "", ""}, Grey: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DefaultSelection(Header{Channels: halfChannels(tc.channels...)})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, err := DefaultSelection(Header{}); err == nil {
		t.Error("no channels: want an error")
	}
}

// TestSelection decodes Desk with several selections and checks each slot
// against a plain RGBA decode.
func TestSelection(t *testing.T) {
	f, full := openSample(t, "ScanLines/Desk.exr")
	n := len(full) / 4
	if err := f.Decode(full, Selection{Names: [4]string{"R", "G", "B", "A"}}); err != nil {
		t.Fatal(err)
	}
	const one = 0x3C00
	for _, tc := range []struct {
		sel  Selection
		want [4]int // slot of full to expect, or -1 for 0, -2 for 1.0
	}{
		{Selection{Names: [4]string{"R", "G", "B", ""}}, [4]int{0, 1, 2, -2}},
		{Selection{Names: [4]string{"B", "", "R", ""}}, [4]int{2, -1, 0, -2}},
		{Selection{Names: [4]string{"G", "B", "R", "A"}, Grey: true}, [4]int{1, 1, 1, 3}},
		{Selection{Names: [4]string{"A", "A", "A", "A"}}, [4]int{3, 3, 3, 3}},
		{Selection{Names: [4]string{"", "", "", ""}}, [4]int{-1, -1, -1, -2}},
		{Selection{Names: [4]string{"", "", "", "R"}, Grey: true}, [4]int{-1, -1, -1, 0}},
	} {
		got := make([]uint16, 4*n)
		for i := range got {
			got[i] = 0xDEAD // every value must be written
		}
		if err := f.Decode(got, tc.sel); err != nil {
			t.Fatalf("%+v: %v", tc.sel, err)
		}
		for i := 0; i < n; i++ {
			for s, from := range tc.want {
				want := uint16(0)
				switch {
				case from >= 0:
					want = full[4*i+from]
				case from == -2:
					want = one
				}
				if got[4*i+s] != want {
					t.Fatalf("%+v: pixel %d slot %d = %#04x, want %#04x", tc.sel, i, s, got[4*i+s], want)
				}
			}
		}
	}
	if err := f.Decode(full, Selection{Names: [4]string{"nope"}}); err == nil {
		t.Error("unknown channel: want an error")
	}
	if err := f.Decode(full[:len(full)-1], Selection{Names: [4]string{"R"}}); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("short buffer: got %v, want ErrInvalidArgument", err)
	}
}

// TestLuminance decodes Y of luminance/chroma files as grey (RY, BY
// subsampled 2x2 are not read) and of a tiled Y file, and compares what
// FFmpeg can decode.
func TestLuminance(t *testing.T) {
	for _, rel := range []string{"LuminanceChroma/MtTamNorth.exr", "LuminanceChroma/Flowers.exr", "Chromaticities/Rec709_YC.exr"} {
		f, px := openSample(t, rel)
		h := f.Header()
		if err := f.Decode(px, Selection{Names: [4]string{"Y"}, Grey: true}); err != nil {
			t.Fatal(err)
		}
		n, lit := h.DataWindow.Width()*h.DataWindow.Height(), 0
		for i := 0; i < n; i++ {
			if px[4*i] != px[4*i+1] || px[4*i] != px[4*i+2] || px[4*i+3] != 0x3C00 {
				t.Fatalf("%s: pixel %d not grey: %x", rel, i, px[4*i:4*i+4])
			}
			if px[4*i] != 0 {
				lit++
			}
		}
		if lit < n/2 {
			t.Errorf("%s: only %d of %d pixels non-zero", rel, lit, n)
		}
	}
	path := sample(t, "LuminanceChroma/Garden.exr") // tiled Y
	h, px := decodeFile(t, path)
	if bad := compareWithFFmpeg(t, path, px, h, 10); len(bad) > 0 {
		t.Errorf("Garden.exr: %v", bad)
	}
}

// TestSubsampledChannel decodes 2x2-subsampled chroma channels on their own,
// as a channel picker asks: every sample covers its 2x2 block; the values
// equal those of a copy stored in one-line chunks in a second part, decoded
// in ranges that start between sample lines; a selection mixing sampled
// and full-resolution channels gets each right; Core, forced, refuses.
func TestSubsampledChannel(t *testing.T) {
	for _, rel := range []string{"LuminanceChroma/Flowers.exr", "Chromaticities/Rec709_YC.exr"} {
		f, _ := openSample(t, rel)
		sel := Selection{Names: [4]string{"RY"}, Grey: true}
		win, ry := decodeSel(t, f, sel, viaAuto)
		w, n := win.Width(), win.Width()*win.Height()
		varied := 0
		for i := range n {
			x, y := i%w, i/w
			p, s := ry[4*i:4*i+4], ry[4*((y&^1)*w+x&^1)]
			if p[0] != s || p[1] != s || p[2] != s || p[3] != 0x3C00 {
				t.Fatalf("%s: pixel (%d, %d) = %x, want the sample %x of its block", rel, x, y, p, s)
			}
			if s != ry[0] {
				varied++
			}
		}
		if varied < n/10 {
			t.Errorf("%s: only %d of %d pixels differ from the first: chroma lost", rel, varied, n)
		}

		copied := filepath.Join(t.TempDir(), "none.exr")
		if err := exrref.CopyToParts(f.Path(), copied, "yc.", int(None)); err != nil {
			t.Fatal(err)
		}
		g, err := Open(copied)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		sel = Selection{Names: [4]string{"yc.RY"}, Grey: true, Part: 1}
		chunks, err := g.ChunksOf(sel)
		if err != nil || chunks != win.Height() {
			t.Fatalf("%s copy: %d chunks, %v; want one a line", rel, chunks, err)
		}
		split := make([]uint16, len(ry))
		poison(split)
		odd := chunks/4*2 + 1 // the second range starts on a line without samples
		for _, r := range [][2]int{{odd, chunks}, {0, odd}} {
			if err := g.DecodeChunks(split, sel, r[0], r[1]); err != nil {
				t.Fatal(err)
			}
		}
		if i := firstDiff(split, ry); i >= 0 {
			t.Errorf("%s: one-line chunks from line %d differ at value %d", rel, odd, i)
		}

		_, y := decodeSel(t, f, Selection{Names: [4]string{"Y"}, Grey: true}, viaAuto)
		_, by := decodeSel(t, f, Selection{Names: [4]string{"BY"}, Grey: true}, viaAuto)
		_, mixed := decodeSel(t, g, Selection{Names: [4]string{"yc.RY", "yc.Y", "yc.BY"}, Part: 1}, viaAuto)
		for i := range n {
			if mixed[4*i] != ry[4*i] || mixed[4*i+1] != y[4*i] || mixed[4*i+2] != by[4*i] {
				t.Fatalf("%s: RY, Y, BY pixel %d = %x, want %x %x %x", rel, i, mixed[4*i:4*i+3], ry[4*i], y[4*i], by[4*i])
			}
		}
		if err := decodeVia(f.Path(), ry, Selection{Names: [4]string{"RY"}, Grey: true}, viaCore); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: RY through Core: got %v, want ErrUnsupported", rel, err)
		}
	}
}

// TestDataWindowOffset decodes a file whose data window does not start at
// (0, 0) and checks it against the same picture with the window at (0, 0).
func TestDataWindowOffset(t *testing.T) {
	h1, a := decodeFile(t, sample(t, "DisplayWindow/t01.exr"))
	h8, b := decodeFile(t, sample(t, "DisplayWindow/t08.exr"))
	if h8.DataWindow.MinX != 30 || h8.DataWindow.MinY != 40 || h1.DataWindow.Width() != h8.DataWindow.Width() {
		t.Fatalf("unexpected windows %+v %+v", h1.DataWindow, h8.DataWindow)
	}
	if !reflect.DeepEqual(a, b) {
		t.Error("t08 (data window at 30,40) differs from t01 (at 0,0)")
	}
}

func TestDeep(t *testing.T) {
	f, err := Open(sample(t, "v2/LowResLeftView/Trunks.exr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := f.Header()
	dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
	err = f.Decode(dst, Selection{Names: [4]string{"R", "G", "B", "A"}})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "deep images are not supported") {
		t.Fatalf("got %v, want ErrUnsupported saying deep images are not supported", err)
	}
	t.Log(err)
}

// TestDWA: File.Decode serves scanline DWAA and DWAB parts through Core's
// pipeline with the C++ API's decompressor (codec.cpp), to the same pixels
// as the C++ API's own reader; decoding them chunk by chunk, from several
// goroutines, gives the same pixels; forcing Core on a tiled DWA part says
// why it cannot.
func TestDWA(t *testing.T) {
	dir := t.TempDir()
	for _, comp := range []Compression{DWAA, DWAB} {
		path, _ := writeDWA(t, dir, 97, 61, comp)
		h, want := imfDecodeFile(t, path, nil)
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]uint16, len(want))
		sel, _ := DefaultSelection(h)
		if err := f.Decode(got, sel); err != nil {
			t.Errorf("%v: %v", comp, err)
		} else if i := firstDiff(got, want); i >= 0 {
			t.Errorf("%v: File.Decode differs from decodeIMF at value %d", comp, i)
		}
		split := make([]uint16, len(want))
		var wg sync.WaitGroup
		for i := range f.Chunks() {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := f.DecodeChunks(split, sel, i, i+1); err != nil {
					t.Errorf("%v: chunk %d: %v", comp, i, err)
				}
			}()
		}
		wg.Wait()
		if i := firstDiff(split, want); i >= 0 {
			t.Errorf("%v: chunk by chunk differs from whole at value %d", comp, i)
		}
		t0, err := f.target(sel)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := f.route(t0, sel, viaAuto); v != viaCore || err != nil {
			t.Errorf("%v: routed to %v (%v), want Core with the C++ decompressor", comp, v, err)
		}
		f.Close()

		tiled := filepath.Join(dir, comp.String()+"-tiled.exr")
		if err := writeIMF(tiled, 97, 61, renderLike(97, 61), comp, imfTiles{32, 32, OneLevel}); err != nil {
			t.Fatal(err)
		}
		if f, err = Open(tiled); err != nil {
			t.Fatal(err)
		}
		_, wantTiled := imfDecodeFile(t, tiled, nil)
		err = decodeWith(f, got, sel, 0, f.Chunks(), decodeOptions{via: viaCore})
		switch {
		case !dwaCPU():
			if !errors.Is(err, ErrNotImplemented) {
				t.Errorf("%v: tiled through Core without dwa.c: %v, want ErrNotImplemented", comp, err)
			}
		case err != nil:
			t.Errorf("%v: tiled through Core (dwa.c): %v", comp, err)
		default:
			if i := firstDiff(got, wantTiled); i >= 0 {
				t.Errorf("%v: tiled through Core (dwa.c) differs from decodeIMF at value %d", comp, i)
			}
		}
		if err := f.Decode(got, sel); err != nil {
			t.Errorf("%v: tiled: %v", comp, err)
		} else if i := firstDiff(got, wantTiled); i >= 0 {
			t.Errorf("%v: tiled: File.Decode differs from decodeIMF at value %d", comp, i)
		}
		f.Close()
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "x.exr")
	os.WriteFile(text, []byte("this is not an image\n"), 0o644)
	empty := filepath.Join(dir, "empty.exr")
	os.WriteFile(empty, nil, 0o644)

	_, err := Open(filepath.Join(dir, "missing.exr"))
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, ErrFileAccess) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrFileAccess) {
		t.Errorf("directory: %v", err)
	}
	if _, err := Open(text); !errors.Is(err, ErrBadHeader) {
		t.Errorf("text file: %v", err)
	}
	if _, err := Open(empty); !errors.Is(err, ErrBadHeader) {
		t.Errorf("empty file: %v", err)
	}
	if err := os.Chmod(text, 0); err == nil {
		if f, err := os.Open(text); err == nil { // root reads anyway
			f.Close()
		} else if _, err := Open(text); !errors.Is(err, ErrFileAccess) {
			t.Errorf("unreadable file: %v", err)
		}
	}

	// Close is nil-safe and idempotent; a closed file does not decode.
	var nilFile *File
	if err := nilFile.Close(); err != nil {
		t.Error(err)
	}
	f, err := Open(sample(t, "TestImages/stripes.exr"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := f.Close(); err != nil {
		t.Error(err)
	}
	if err := f.Decode(make([]uint16, 4*100*50), Selection{}); err == nil {
		t.Error("decode after close: want an error")
	}
}

// TestTruncated cuts real files short: the header still reads, decoding
// fails cleanly.
func TestTruncated(t *testing.T) {
	for _, rel := range []string{"ScanLines/Desk.exr", "Tiles/GoldenGate.exr", "ScanLines/Carrots.exr", "TestImages/GrayRampsHorizontal.exr"} {
		data, err := os.ReadFile(sample(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, frac := range []float64{0.5, 0.9, 0.999} {
			path := filepath.Join(t.TempDir(), "cut.exr")
			os.WriteFile(path, data[:int(float64(len(data))*frac)], 0o644)
			f, err := Open(path)
			if err != nil {
				t.Fatalf("%s cut to %v: Open: %v", rel, frac, err)
			}
			h := f.Header()
			sel, _ := DefaultSelection(h)
			err = f.Decode(make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height()), sel)
			f.Close()
			var e *Error
			if !errors.As(err, &e) || e.Op != "decode" {
				t.Fatalf("%s cut to %v: Decode: got %v, want a decode error", rel, frac, err)
			}
			t.Logf("%s cut to %v: %v", rel, frac, err)
		}
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Op: "decode", Path: "/shots/a/shot.1042.exr", Detail: "chunk 17: corrupt chunk", Code: ErrCorruptChunk}
	if got, want := e.Error(), "decode /shots/a/shot.1042.exr: chunk 17: corrupt chunk (EXR_ERR_CORRUPT_CHUNK)"; got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	if !errors.Is(e, ErrCorruptChunk) || errors.Is(e, ErrBadHeader) {
		t.Error("errors.Is does not follow Code")
	}
	if got := ErrCorruptChunk.Error(); got != "Corrupt data block data, unable to decode" {
		t.Errorf("Code.Error() = %q, want the library's message", got)
	}
}

// TestAllSamples decodes every valid sample image with its default
// selection: the checks must not reject real files.
func TestAllSamples(t *testing.T) {
	root := samplesDir(t)
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".exr" || strings.Contains(path, "Damaged") {
			return err
		}
		n++
		err = tryDecode(path)
		rel, _ := filepath.Rel(root, path)
		if errors.Is(err, ErrUnsupported) && strings.Contains(err.Error(), "deep images") {
			return nil
		}
		if err != nil {
			t.Errorf("%s: %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files", n)
}
