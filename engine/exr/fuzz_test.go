package exr

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fuzzBases are small valid files: the writer's output in every compression
// it has, at two sizes (one chunk and several), and small samples.
func fuzzBases(f *testing.F) [][]byte {
	var out [][]byte
	dir := f.TempDir()
	for _, size := range [][2]int{{19, 11}, {70, 45}} {
		pix := testPattern(size[0], size[1])
		for _, comp := range []Compression{None, RLE, ZIPS, ZIP, PIZ, PXR24, B44, B44A} {
			path := filepath.Join(dir, comp.String()+".exr")
			if err := WriteRGBA(path, size[0], size[1], pix, comp, 24); err != nil {
				f.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, data)
		}
	}
	for _, comp := range []Compression{DWAA, DWAB} {
		for _, tile := range []int{0, 8} {
			path := filepath.Join(dir, fmt.Sprintf("%s_%d.exr", comp, tile))
			writeDWALayers(f, path, 19, 11, comp, 45, 1, tile)
			data, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, data)
		}
	}
	if samples, ok := findSamples(f); ok {
		for _, rel := range []string{
			"TestImages/stripes.exr",               // PIZ
			"TestImages/GrayRampsHorizontal.exr",   // PXR24, Y
			"MultiResolution/ColorCodedLevels.exr", // tiled mip map, PXR24
			"LuminanceChroma/Flowers.exr",          // B44, Y with RY, BY at 2x2
			"MultiResolution/WavyLinesSphere.exr",  // PIZ
			"Chromaticities/Rec709_YC.exr",         // PIZ, 2x2 chroma
			"Beachball/multipart.0001.exr",         // 10 parts, views
		} {
			if data, err := os.ReadFile(filepath.Join(samples, rel)); err == nil && len(data) < 1<<20 {
				out = append(out, data)
			}
		}
	}
	return out
}

// fuzzRead runs the read path on data the way the player does, and with
// each channel on its own as a channel picker asks.
func fuzzRead(t *testing.T, data []byte) {
	path := filepath.Join(t.TempDir(), "in.exr")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	file, err := Open(path)
	if err != nil {
		return
	}
	defer file.Close()
	parts, err := file.Parts()
	if err == nil {
		if _, err := json.Marshal(parts); err != nil { // as flick info --json does
			t.Fatalf("parts do not marshal: %v", err)
		}
	}
	// Each part's layers and its second level, as a layer or zoom picker asks.
	for _, p := range parts[:min(len(parts), 4)] {
		for _, l := range p.Layers[:min(len(p.Layers), 3)] {
			if sel, err := LayerSelection(p, l.Name); err == nil {
				fuzzDecode(file, sel)
				if p.Levels != nil && len(p.Levels.Widths) > 1 && len(p.Levels.Heights) > 1 {
					sel.LevelX, sel.LevelY = 1, 1
					fuzzDecode(file, sel)
				}
			}
		}
	}
	h := file.Header()
	n := h.DataWindow.Width() * h.DataWindow.Height()
	if n > 1<<28 {
		t.Fatalf("Open accepted a %dx%d data window", h.DataWindow.Width(), h.DataWindow.Height())
	}
	if n <= 0 || n > 1<<22 {
		return // valid but too large to fuzz quickly
	}
	sel, err := DefaultSelection(h)
	if err != nil {
		sel = Selection{}
	}
	dst := make([]uint16, 4*n)
	file.Decode(dst, sel)
	for _, c := range h.Channels {
		file.Decode(dst, Selection{Names: [4]string{c.Name}, Grey: true})
	}
}

// fuzzDecode decodes sel of f into a buffer of its window's size, if that
// is small enough to fuzz quickly.
func fuzzDecode(f *File, sel Selection) {
	win, err := f.Window(sel)
	if n := win.Width() * win.Height(); err == nil && n > 0 && n <= 1<<22 {
		f.Decode(make([]uint16, 4*n), sel)
	}
}

// FuzzOpenDecode writes the input to a file and runs the read path on it:
// whatever the bytes, Open, Parts, Header, DefaultSelection and Decode must
// return.
func FuzzOpenDecode(f *testing.F) {
	for _, b := range fuzzBases(f) {
		if len(b) < 64<<10 {
			f.Add(b)
		}
	}
	if samples, ok := findSamples(f); ok {
		for _, rel := range []string{
			"Damaged/asan_heap-oob_7f178ac80539_109_519f88e9ededfff61f535d6c9eb25a85_exr",
			"Damaged/poc-e2106eebb303e685cee66860c931fe1a4eb9af1a7f5bef5b3b95f90c3e8ae0e0_min",
		} {
			if data, err := os.ReadFile(filepath.Join(samples, rel)); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(fuzzRead)
}

// headerEnd returns the offset just past a single-part header, or 0.
func headerEnd(b []byte) int {
	i := 8
	cstr := func() bool { // skips a NUL-terminated string; false if empty or cut
		start := i
		for i < len(b) && b[i] != 0 {
			i++
		}
		i++
		return i <= len(b) && i-1 > start
	}
	for i < len(b) {
		if b[i] == 0 {
			return i + 1
		}
		if !cstr() || !cstr() || i+4 > len(b) {
			return 0
		}
		i += 4 + int(binary.LittleEndian.Uint32(b[i:]))
	}
	return 0
}

// FuzzDecodeChunks keeps a valid header and overwrites bytes of the offset
// table and chunks, so the fuzzer spends its time in the decompressors and
// the chunk checks rather than in header parsing.
func FuzzDecodeChunks(f *testing.F) {
	bases := fuzzBases(f)
	for i := range bases {
		f.Add(uint8(i), uint32(0), []byte{})
		f.Add(uint8(i), uint32(40), []byte{0xff, 0x00, 0x7f})
	}
	f.Fuzz(func(t *testing.T, which uint8, at uint32, patch []byte) {
		base := bases[int(which)%len(bases)]
		end := headerEnd(base)
		if end == 0 || end >= len(base) {
			t.Fatalf("base %d: header end not found", int(which)%len(bases))
		}
		data := append([]byte(nil), base...)
		copy(data[end+int(at%uint32(len(base)-end)):], patch)
		fuzzRead(t, data)
	})
}
