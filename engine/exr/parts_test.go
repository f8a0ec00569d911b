package exr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/x448/float16"

	"flick/engine/exr/internal/exrref"
	"flick/engine/exr/shared"
)

// decodeSel opens nothing: it decodes sel of f whole into a new buffer of
// Window(sel)'s size, every value poisoned first so none is left out.
func decodeSel(t testing.TB, f *File, sel Selection, v via) (Box, []uint16) {
	t.Helper()
	win, err := f.Window(sel)
	if err != nil {
		t.Fatalf("%s %+v: Window: %v", f.Path(), sel, err)
	}
	n, err := f.ChunksOf(sel)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]uint16, 4*win.Width()*win.Height())
	poison(dst)
	if err := decodeWith(f, dst, sel, 0, n, decodeOptions{via: v}); err != nil {
		t.Fatalf("%s %+v via %d: %v", f.Path(), sel, v, err)
	}
	return win, dst
}

// decodeThirds decodes sel of f with its chunks shared by three goroutines.
func decodeThirds(t testing.TB, f *File, sel Selection, dst []uint16) {
	t.Helper()
	n, err := f.ChunksOf(sel)
	if err != nil {
		t.Fatal(err)
	}
	poison(dst)
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.DecodeChunks(dst, sel, g*n/3, (g+1)*n/3); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

// TestBeachballLayersAndViews lists the layers and views of the single-part
// and multi-part forms of one stereo frame (see the samples' README), and
// decodes the same layer of the same view from both: the pixels must be
// identical where the two data windows overlap.
func TestBeachballLayersAndViews(t *testing.T) {
	single, _ := openSample(t, "Beachball/singlepart.0001.exr")
	multi, _ := openSample(t, "Beachball/multipart.0001.exr")
	sp, err := single.Parts()
	if err != nil {
		t.Fatal(err)
	}
	mp, err := multi.Parts()
	if err != nil {
		t.Fatal(err)
	}
	layerSet := func(parts []Part) []string {
		var out []string
		for _, p := range parts {
			for _, l := range p.Layers {
				out = append(out, fmt.Sprintf("%s/%s:%v", l.View, l.BaseName(), l.Channels))
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if len(sp) != 1 || !slices.Equal(sp[0].Views, []string{"right", "left"}) {
		t.Fatalf("single part: %d parts, views %v", len(sp), sp[0].Views)
	}
	if len(mp) != 10 || mp[0].View != "right" || mp[0].Name != "rgba_right" {
		t.Fatalf("multi-part: %d parts, part 0 %q view %q", len(mp), mp[0].Name, mp[0].View)
	}
	wantSingle := []string{
		"/disparityL:[x y]", "/disparityR:[x y]",
		"left/:[R G B A Z]", "left/forward:[u v]", "left/whitebarmask:[mask]",
		"right/:[R G B A Z]", "right/forward:[u v]", "right/whitebarmask:[mask]",
	}
	wantMulti := []string{
		"/disparityL:[x y]", "/disparityR:[x y]",
		"left/:[R G B A]", "left/:[Z]", "left/forward:[u v]", "left/whitebarmask:[mask]",
		"right/:[R G B A]", "right/:[Z]", "right/forward:[u v]", "right/whitebarmask:[mask]",
	}
	if got := layerSet(sp); !slices.Equal(got, wantSingle) {
		t.Errorf("single-part layers %v\nwant %v", got, wantSingle)
	}
	if got := layerSet(mp); !slices.Equal(got, wantMulti) {
		t.Errorf("multi-part layers %v\nwant %v", got, wantMulti)
	}

	for _, view := range []string{"left", "right", ""} {
		for _, layer := range []string{"", "forward", "whitebarmask", "disparityL"} {
			s1, err1 := FindLayer(sp, view, layer)
			s2, err2 := FindLayer(mp, view, layer)
			if (err1 == nil) != (err2 == nil) {
				t.Errorf("%s/%s: single-part %v, multi-part %v", view, layer, err1, err2)
				continue
			}
			if err1 != nil {
				continue
			}
			w1, a := decodeSel(t, single, s1, viaAuto)
			w2, b := decodeSel(t, multi, s2, viaAuto)
			in := Box{max(w1.MinX, w2.MinX), max(w1.MinY, w2.MinY), min(w1.MaxX, w2.MaxX), min(w1.MaxY, w2.MaxY)}
			if in.Width() < w2.Width()/2 || in.Height() < w2.Height()/2 {
				t.Fatalf("%s/%s: windows %+v and %+v hardly overlap", view, layer, w1, w2)
			}
			for y := in.MinY; y <= in.MaxY; y++ {
				for x := in.MinX; x <= in.MaxX; x++ {
					i := 4 * ((y-w1.MinY)*w1.Width() + x - w1.MinX)
					j := 4 * ((y-w2.MinY)*w2.Width() + x - w2.MinX)
					if !slices.Equal(a[i:i+4], b[j:j+4]) {
						t.Fatalf("%s/%s (%+v, part %d): pixel (%d,%d) single-part %x, multi-part %x",
							view, layer, s1, s2.Part, x, y, a[i:i+4], b[j:j+4])
					}
				}
			}
			t.Logf("%-5s %-12q single %+v = multi part %d over %dx%d", view, layer, s1.Names, s2.Part, in.Width(), in.Height())
		}
	}
}

// TestEveryPart decodes every part of the multi-part sample with the
// selection of each of its layers, through Core and through the C++ API
// (bit-identical), and split over goroutines (identical again).
func TestEveryPart(t *testing.T) {
	f, _ := openSample(t, "Beachball/multipart.0003.exr")
	parts, err := f.Parts()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		for _, l := range p.Layers {
			sel, err := LayerSelection(p, l.Name)
			if err != nil {
				t.Fatal(err)
			}
			win, core := decodeSel(t, f, sel, viaCore)
			if win != p.DataWindow {
				t.Errorf("part %d: window %+v, data window %+v", p.Index, win, p.DataWindow)
			}
			_, imf := decodeSel(t, f, sel, viaIMF)
			if i := firstDiff(core, imf); i >= 0 {
				t.Errorf("part %d layer %q: value %d: Core %#04x, C++ %#04x", p.Index, l.Name, i, core[i], imf[i])
			}
			split := make([]uint16, len(core))
			decodeThirds(t, f, sel, split)
			if i := firstDiff(core, split); i >= 0 {
				t.Errorf("part %d layer %q: split decode differs at %d", p.Index, l.Name, i)
			}
		}
	}
	if _, err := f.ChunksOf(Selection{Part: len(parts)}); err == nil {
		t.Error("a part past the last: no error")
	}
	if _, err := f.ChunksOf(Selection{Part: 1, LevelX: 1, LevelY: 1}); err == nil {
		t.Error("a level of a scanline part: no error")
	}
}

// TestLayerSelection checks the selection rules on a made-up part.
func TestLayerSelection(t *testing.T) {
	p := Part{Index: 2, Header: Header{Channels: halfChannels("A", "B", "G", "R", "Z", "mv.u", "mv.v", "depth.Z", "yc.BY", "yc.RY", "yc.Y", "l.Y", "l.A",
		"nk.alpha", "nk.blue", "nk.green", "nk.red", "bgr.blue", "bgr.green", "bgr.red", "lc.a", "lc.b", "lc.g", "lc.r",
		"P.X", "P.Y", "P.Z", "n.x", "n.y", "n.z", "rg.G", "rg.R", "vel.U", "vel.V", "vel.A")}}
	p.Layers = layers(p.Channels, "", nil)
	for _, tc := range []struct {
		layer string
		want  Selection
	}{
		{"", Selection{Names: [4]string{"R", "G", "B", "A"}, Part: 2}},
		{"mv", Selection{Names: [4]string{"mv.u", "mv.v", "", ""}, Part: 2}},
		{"depth", Selection{Names: [4]string{"depth.Z"}, Grey: true, Part: 2}},
		{"yc", Selection{Names: [4]string{"yc.Y"}, LumaChroma: true, Part: 2}},
		{"l", Selection{Names: [4]string{"l.Y", "", "", "l.A"}, Grey: true, Part: 2}},
		// By name before order: Nuke's long names sort blue, green, red.
		{"nk", Selection{Names: [4]string{"nk.red", "nk.green", "nk.blue", "nk.alpha"}, Part: 2}},
		{"bgr", Selection{Names: [4]string{"bgr.red", "bgr.green", "bgr.blue", ""}, Part: 2}},
		{"lc", Selection{Names: [4]string{"lc.r", "lc.g", "lc.b", "lc.a"}, Part: 2}},
		{"rg", Selection{Names: [4]string{"rg.R", "rg.G", "", ""}, Part: 2}},
		// Positions and normals, motion: X, Y, Z and U, V, any case.
		{"P", Selection{Names: [4]string{"P.X", "P.Y", "P.Z", ""}, Part: 2}},
		{"n", Selection{Names: [4]string{"n.x", "n.y", "n.z", ""}, Part: 2}},
		{"vel", Selection{Names: [4]string{"vel.U", "vel.V", "", "vel.A"}, Part: 2}},
	} {
		got, err := LayerSelection(p, tc.layer)
		if err != nil || got != tc.want {
			t.Errorf("layer %q: got %+v, %v, want %+v", tc.layer, got, err, tc.want)
		}
	}
	if _, err := LayerSelection(p, "nope"); err == nil {
		t.Error("missing layer: no error")
	}
	if got, err := ChannelSelection(p, "mv.v"); err != nil || got != (Selection{Names: [4]string{"mv.v"}, Grey: true, Part: 2}) {
		t.Errorf("ChannelSelection: %+v, %v", got, err)
	}
}

// yWeights are the luminance weights of Rec. 709 primaries and D65 white
// (OpenEXR's default chromaticities), as RgbaYca::computeYw makes them.
var yWeights = [3]float64{0.2126390, 0.7151687, 0.0721923}

// lumaChromaSamples are the samples whose default selection is
// luminance/chroma.
var lumaChromaSamples = []string{"LuminanceChroma/MtTamNorth.exr", "LuminanceChroma/Flowers.exr",
	"LuminanceChroma/CrissyField.exr", "Chromaticities/Rec709_YC.exr"}

// forEachLumaChroma runs test on each of lumaChromaSamples, opened, with
// its default selection, which must be luminance/chroma.
func forEachLumaChroma(t *testing.T, test func(t *testing.T, f *File, sel Selection)) {
	for _, rel := range lumaChromaSamples {
		t.Run(filepath.Base(rel), func(t *testing.T) {
			f, _ := openSample(t, rel)
			sel, err := DefaultSelection(f.Header())
			if err != nil || !sel.LumaChroma {
				t.Fatalf("default selection %+v, %v: want luminance/chroma", sel, err)
			}
			test(t, f, sel)
		})
	}
}

// TestLumaChroma converts luminance/chroma files to RGB (flick's conversion
// over the C++ API, yca.cpp) and checks the result two independent ways: the
// luminance of the RGB it gives equals the file's Y channel (decoded by
// Core as grey), and the YC version of a Rec. 709 picture is close to the
// RGB version stored beside it.
func TestLumaChroma(t *testing.T) {
	forEachLumaChroma(t, func(t *testing.T, f *File, sel Selection) {
		_, rgb := decodeSel(t, f, sel, viaAuto)
		_, y := decodeSel(t, f, Selection{Names: [4]string{"Y"}, Grey: true}, viaCore)
		split := make([]uint16, len(rgb))
		decodeThirds(t, f, sel, split)
		if i := firstDiff(rgb, split); i >= 0 {
			t.Errorf("split decode differs at %d", i)
		}
		bad, coloured := 0, 0
		for i := 0; i < len(rgb); i += 4 {
			c := [3]float64{}
			for s := range 3 {
				c[s] = float64(float16.Frombits(rgb[i+s]).Float32())
			}
			lum := yWeights[0]*c[0] + yWeights[1]*c[1] + yWeights[2]*c[2]
			want := float64(float16.Frombits(y[i]).Float32())
			if math.Abs(lum-want) > 0.01*math.Abs(want)+1e-3 {
				bad++
			}
			if math.Abs(c[0]-c[1]) > 0.05*math.Abs(c[1]) || math.Abs(c[2]-c[1]) > 0.05*math.Abs(c[1]) {
				coloured++
			}
		}
		n := len(rgb) / 4
		t.Logf("%d of %d pixels off the Y channel, %d coloured", bad, n, coloured)
		if bad > n/1000 {
			t.Errorf("%d of %d pixels: luminance of the RGB differs from Y", bad, n)
		}
		if coloured < n/10 {
			t.Errorf("only %d of %d pixels have colour: chroma lost", coloured, n)
		}
	})

	yc, _ := openSample(t, "Chromaticities/Rec709_YC.exr")
	rgbFile, _ := openSample(t, "Chromaticities/Rec709.exr")
	sel, _ := DefaultSelection(yc.Header())
	_, a := decodeSel(t, yc, sel, viaAuto)
	sel, _ = DefaultSelection(rgbFile.Header())
	_, b := decodeSel(t, rgbFile, sel, viaAuto)
	if len(a) != len(b) {
		t.Fatalf("sizes %d and %d", len(a), len(b))
	}
	sum := 0.0
	for i := range a {
		if i%4 == 3 {
			continue
		}
		x, y := float64(float16.Frombits(a[i]).Float32()), float64(float16.Frombits(b[i]).Float32())
		sum += math.Abs(x-y) / (math.Abs(y) + 0.05)
	}
	mean := sum / float64(3*len(a)/4)
	t.Logf("Rec709_YC vs Rec709: mean relative difference %.4f", mean)
	if mean > 0.02 {
		t.Errorf("YC picture differs from the RGB one by %.4f on average", mean)
	}
}

// TestLumaChromaAnyPart holds the luminance/chroma conversion bit-identical
// to OpenEXR's RGBA interface (Imf::RgbaInputFile, which reads part 0 only)
// on the samples, and shows the same pixels come out of a layer ("yc.Y",
// "yc.RY", "yc.BY") in the second part of a multi-part copy.
func TestLumaChromaAnyPart(t *testing.T) {
	forEachLumaChroma(t, func(t *testing.T, f *File, sel Selection) {
		_, ours := decodeSel(t, f, sel, viaAuto)
		ref := make([]uint16, len(ours))
		if err := exrref.RGBAYCA(f.Path(), "", ref); err != nil {
			t.Fatal(err)
		}
		if i := firstDiff(ours, ref); i >= 0 {
			t.Fatalf("differs from Imf::RgbaInputFile at value %d: %x, want %x", i, ours[i], ref[i])
		}

		copied := filepath.Join(t.TempDir(), "parts.exr")
		if err := exrref.CopyToParts(f.Path(), copied, "yc.", -1); err != nil {
			t.Fatal(err)
		}
		g, err := Open(copied)
		if err != nil {
			t.Fatal(err)
		}
		defer g.Close()
		parts, err := g.Parts()
		if err != nil || len(parts) != 2 {
			t.Fatalf("copy: %d parts, %v", len(parts), err)
		}
		sel, err = LayerSelection(parts[1], "yc")
		if err != nil || !sel.LumaChroma || sel.Part != 1 || sel.Names[0] != "yc.Y" {
			t.Fatalf("layer yc of part 1: %+v, %v", sel, err)
		}
		_, second := decodeSel(t, g, sel, viaAuto)
		split := make([]uint16, len(second))
		decodeThirds(t, g, sel, split)
		if i := firstDiff(second, ref); i >= 0 {
			t.Errorf("part 1 differs from the original at value %d", i)
		}
		if i := firstDiff(split, ref); i >= 0 {
			t.Errorf("part 1 decoded in thirds differs from the original at value %d", i)
		}
	})
}

// levelPixels is level (lx, ly) of pix (w wide) as writeIMF makes it: every
// (2^lx, 2^ly)-th pixel.
func levelPixels(pix []uint16, w, lw, lh, lx, ly int) []uint16 {
	out := make([]uint16, 0, 4*lw*lh)
	for y := range lh {
		for x := range lw {
			i := 4 * ((y<<ly)*w + x<<lx)
			out = append(out, pix[i:i+4]...)
		}
	}
	return out
}

// TestLevels writes mip-mapped and rip-mapped tiled files with known levels
// and decodes every level (Core, and the C++ API for rip-map rows Core
// mis-indexes), whole and split, plus the picking rule.
func TestLevels(t *testing.T) {
	const w, h = 83, 45
	pix := testPattern(w, h)
	dir := t.TempDir()
	for _, mode := range []LevelMode{MipmapLevels, RipmapLevels} {
		for _, comp := range []Compression{None, ZIP, PIZ} {
			path := filepath.Join(dir, fmt.Sprintf("%v_%v.exr", mode, comp))
			if err := writeIMF(path, w, h, pix, comp, imfTiles{16, 8, mode}); err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			parts, err := f.Parts()
			if err != nil {
				t.Fatal(err)
			}
			lv := parts[0].Levels
			if lv == nil || lv.Mode != mode || len(lv.Widths) != 7 || len(lv.Heights) != 6 && mode == RipmapLevels {
				t.Fatalf("%s: levels %+v", path, lv)
			}
			levels := 0
			for ly := range lv.Heights {
				for lx := range lv.Widths {
					if mode == MipmapLevels && lx != ly {
						continue
					}
					sel := Selection{Names: [4]string{"R", "G", "B", "A"}, LevelX: lx, LevelY: ly}
					win, got := decodeSel(t, f, sel, viaAuto)
					lw, lh := lv.Widths[lx], lv.Heights[ly]
					if win != (Box{0, 0, lw - 1, lh - 1}) {
						t.Fatalf("%v %v level (%d,%d): window %+v, want %dx%d", mode, comp, lx, ly, win, lw, lh)
					}
					if i := firstDiff(got, levelPixels(pix, w, lw, lh, lx, ly)); i >= 0 {
						t.Fatalf("%v %v level (%d,%d): value %d differs", mode, comp, lx, ly, i)
					}
					split := make([]uint16, len(got))
					decodeThirds(t, f, sel, split)
					if i := firstDiff(got, split); i >= 0 {
						t.Errorf("%v %v level (%d,%d): split decode differs at %d", mode, comp, lx, ly, i)
					}
					if ly == 0 || mode == MipmapLevels {
						if _, core := decodeSel(t, f, sel, viaCore); firstDiff(got, core) >= 0 {
							t.Errorf("%v %v level (%d,%d): Core differs", mode, comp, lx, ly)
						}
					}
					levels++
				}
			}
			if _, err := f.ChunksOf(Selection{LevelX: len(lv.Widths)}); err == nil {
				t.Error("level past the last: no error")
			}
			if mode == MipmapLevels {
				if _, err := f.ChunksOf(Selection{LevelX: 1}); err == nil {
					t.Error("mip-map level (1, 0): no error")
				}
			}
			t.Logf("%v %v: %d levels", mode, comp, levels)
			f.Close()
		}
	}

	mip := Part{Header: Header{DataWindow: Box{0, 0, 999, 499}},
		Levels: &Levels{Mode: MipmapLevels, Widths: []int{1000, 500, 250, 125, 62}, Heights: []int{500, 250, 125, 62, 31}}}
	rip := mip
	rip.Levels = &Levels{Mode: RipmapLevels, Widths: mip.Levels.Widths, Heights: mip.Levels.Heights}
	for _, tc := range []struct {
		p      Part
		scale  float64
		lx, ly int
	}{
		{mip, 1, 0, 0}, {mip, 2, 0, 0}, {mip, 0.5, 1, 1}, {mip, 0.49, 1, 1}, {mip, 0.26, 1, 1},
		{mip, 0.25, 2, 2}, {mip, 0.01, 4, 4}, {mip, 0, 0, 0}, {rip, 0.25, 2, 2}, {Part{}, 0.1, 0, 0},
	} {
		if lx, ly := PickLevel(tc.p, tc.scale); lx != tc.lx || ly != tc.ly {
			t.Errorf("PickLevel(%v, %v) = (%d, %d), want (%d, %d)", tc.p.Levels, tc.scale, lx, ly, tc.lx, tc.ly)
		}
	}
}

// TestMultiResolutionSamples decodes every level of every tiled sample:
// the C++ API and Core agree bit for bit wherever Core can decode.
func TestMultiResolutionSamples(t *testing.T) {
	for _, rel := range []string{"MultiResolution/Bonita.exr", "MultiResolution/ColorCodedLevels.exr",
		"MultiResolution/KernerEnvLatLong.exr", "MultiResolution/MirrorPattern.exr",
		"MultiResolution/PeriodicPattern.exr", "MultiResolution/WavyLinesCube.exr",
		"MultiResolution/WavyLinesSphere.exr", "Tiles/GoldenGate.exr"} {
		f, _ := openSample(t, rel)
		parts, err := f.Parts()
		if err != nil {
			t.Fatal(err)
		}
		p := parts[0]
		if p.Levels == nil {
			continue // scanline
		}
		sel, _ := DefaultSelection(f.Header())
		n := 0
		for ly := range p.Levels.Heights {
			for lx := range p.Levels.Widths {
				if p.Levels.Mode != RipmapLevels && lx != ly {
					continue
				}
				sel.LevelX, sel.LevelY = lx, ly
				_, imf := decodeSel(t, f, sel, viaIMF)
				if ly == 0 || p.Levels.Mode != RipmapLevels {
					if _, core := decodeSel(t, f, sel, viaCore); firstDiff(core, imf) >= 0 {
						t.Errorf("%s level (%d,%d): Core and C++ differ", rel, lx, ly)
					}
				}
				n++
			}
		}
		t.Logf("%s: %v, %d levels", rel, p.Levels.Mode, n)
	}
}

// TestEveryCompression writes every compression, scanline and tiled,
// through the C++ API and decodes each through Core (where it can) and
// the C++ API: lossless ones must give the picture written, bit for bit;
// B44 the same from both decoders; every one close to the picture.
func TestEveryCompression(t *testing.T) {
	const w, h = 83, 61
	src := renderLike(w, h)
	dir := t.TempDir()
	all := Selection{Names: [4]string{"R", "G", "B", "A"}}
	for _, tiles := range []imfTiles{{}, {32, 16, OneLevel}} {
		for comp := None; comp <= DWAB; comp++ {
			name := fmt.Sprintf("%v_tiles%d", comp, tiles.w)
			path := filepath.Join(dir, name+".exr")
			if err := writeIMF(path, w, h, src, comp, tiles); err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if hd := f.Header(); hd.Compression != comp || (hd.TileWidth > 0) != (tiles.w > 0) {
				t.Fatalf("%s: header %+v", name, hd)
			}
			_, imf := decodeSel(t, f, all, viaIMF)
			_, auto := decodeSel(t, f, all, viaAuto)
			if i := firstDiff(imf, auto); i >= 0 {
				t.Errorf("%s: routed decode differs from C++ at %d", name, i)
			}
			if comp != DWAA && comp != DWAB {
				if _, core := decodeSel(t, f, all, viaCore); firstDiff(core, imf) >= 0 {
					t.Errorf("%s: Core and C++ differ", name)
				}
			}
			lossless := comp <= PXR24 // PXR24 keeps halves exactly
			worst := 0.0
			for i := range src {
				a, b := float64(float16.Frombits(imf[i]).Float32()), float64(float16.Frombits(src[i]).Float32())
				worst = max(worst, math.Abs(a-b)/(math.Abs(b)+0.05))
			}
			if lossless && firstDiff(imf, src) >= 0 {
				t.Errorf("%s: lossless decode differs from the picture written", name)
			}
			if worst > 0.1 {
				t.Errorf("%s: decode differs from the picture by up to %.3g", name, worst)
			}
			f.Close()
		}
	}
}

// TestFloatUintConversion writes FLOAT and UINT channels holding the values
// where conversion to half is delicate and checks that they are rounded as
// IEEE does (to nearest, ties to even; overflow to infinity; NaN kept), by
// Core and by the routed decode (which keeps FLOAT and UINT channels on
// Core even for compressions the C++ API serves, since Imath 3.1 rounds
// 65519.99 to infinity).
func TestFloatUintConversion(t *testing.T) {
	floats := []float32{0, float32(math.Copysign(0, -1)), 1, 65504, 65519.99, 65520, -65520, 1e10,
		float32(math.Inf(-1)), float32(math.NaN()),
		0x1p-24, 0x1p-25, 0x3p-25, 0x1p-26, 0x1.8p-24, 0x1p-14, 0x1.ffcp-15,
		1 + 0x1p-11, 1 + 0x3p-11, 1 + 0x1p-11 + 0x1p-20, 2049, 2051, -2049, 1e-8}
	uints := []uint32{0, 1, 2047, 2049, 2051, 4097, 65504, 65519, 65520, 70000, math.MaxUint32}
	dir := t.TempDir()
	type tc struct {
		name string
		typ  PixelType
		want []uint16
		data unsafe.Pointer
		n    int
	}
	fl := make([]float32, 4*len(floats))
	var fwant []uint16
	for i := range fl {
		fl[i] = floats[i%len(floats)]
		fwant = append(fwant, float16.Fromfloat32(fl[i]).Bits())
	}
	ui := make([]uint32, 4*len(uints))
	var uwant []uint16
	for i := range ui {
		ui[i] = uints[i%len(uints)]
		v := float16.Fromfloat32(float32(ui[i])).Bits()
		if ui[i] > 65504 && v != 0x7C00 && float16.Frombits(v).Float32() < float32(ui[i]) {
			v = 0x7C00 // half(65519) is 65504, but 65520 and above overflow
		}
		uwant = append(uwant, v)
	}
	for _, c := range []tc{{"float", Float, fwant, unsafe.Pointer(&fl[0]), len(floats)}, {"uint", UInt, uwant, unsafe.Pointer(&ui[0]), len(uints)}} {
		for _, comp := range []Compression{None, ZIP, PIZ} {
			path := filepath.Join(dir, fmt.Sprintf("%s_%v.exr", c.name, comp))
			if err := write(path, c.n, 1, c.data, c.typ, comp, Stamp{}); err != nil {
				t.Fatal(err)
			}
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []via{viaCore, viaAuto} {
				_, got := decodeSel(t, f, Selection{Names: [4]string{"R", "G", "B", "A"}}, v)
				for i := range got {
					if !sameHalf(got[i], c.want[i]) {
						t.Errorf("%s %v via %d: value %d: got %#04x, want %#04x", c.name, comp, v, i, got[i], c.want[i])
					}
				}
			}
			f.Close()
		}
	}
}

// TestGeneratedDamage truncates and corrupts files of every compression,
// scanline and tiled with mip or rip levels, and decodes every level of
// each: every call must return (with the race detector on), a truncation
// must fail with an error naming the file, and a corrupt chunk offset
// table must give an error or, where a library rebuilds the table from the
// chunks (both do), the right picture.
func TestGeneratedDamage(t *testing.T) {
	const w, h = 67, 41
	src := renderLike(w, h)
	dir := t.TempDir()
	all := Selection{Names: [4]string{"R", "G", "B", "A"}}
	for _, tiles := range []imfTiles{{}, {16, 16, MipmapLevels}, {16, 16, RipmapLevels}} {
		for comp := None; comp <= DWAB; comp++ {
			name := fmt.Sprintf("%v_%v", comp, tiles.mode)
			if tiles.w == 0 {
				name = comp.String() + "_scanline"
			}
			path := filepath.Join(dir, name+".exr")
			if err := writeIMF(path, w, h, src, comp, tiles); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			end := headerEnd(data)
			var clean []uint16 // level 0, decoded from the undamaged file
			decodeAll := func(p string) (errs []error) {
				f, err := Open(p)
				if err != nil {
					return []error{err}
				}
				defer f.Close()
				parts, err := f.Parts()
				if err != nil {
					return []error{err}
				}
				lx, ly := 1, 1
				if lv := parts[0].Levels; lv != nil {
					lx, ly = len(lv.Widths), len(lv.Heights)
				}
				for y := range ly {
					for x := range lx {
						sel := all
						sel.LevelX, sel.LevelY = x, y
						win, err := f.Window(sel)
						if err != nil {
							continue // not a level of this mode
						}
						dst := make([]uint16, 4*win.Width()*win.Height())
						err = f.Decode(dst, sel)
						if x == 0 && y == 0 && err == nil {
							if clean == nil {
								clean = dst
							} else if firstDiff(dst, clean) >= 0 {
								err = errors.New("level 0 decodes to a different picture")
							}
						}
						errs = append(errs, err)
					}
				}
				return errs
			}
			for _, err := range decodeAll(path) {
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			for _, keep := range []int{end + 4, (end + len(data)) / 2, len(data) - 1} {
				cut := filepath.Join(dir, "cut.exr")
				if err := os.WriteFile(cut, data[:keep], 0o600); err != nil {
					t.Fatal(err)
				}
				failed := false
				for _, err := range decodeAll(cut) {
					var e *Error
					if err != nil && (!errors.As(err, &e) || !strings.Contains(err.Error(), cut)) {
						t.Errorf("%s cut to %d: error without the file: %v", name, keep, err)
					}
					failed = failed || err != nil
				}
				if !failed {
					t.Errorf("%s cut to %d of %d bytes: no error", name, keep, len(data))
				}
			}
			// Offsets in the table (just after the header) pointing past
			// the end, into the header, or at each other.
			for k, v := range []uint64{uint64(len(data)) + 100, 8, uint64(end), 1 << 62} {
				bad := append([]byte(nil), data...)
				binary.LittleEndian.PutUint64(bad[end+8*(k%2):], v)
				p := filepath.Join(dir, "table.exr")
				if err := os.WriteFile(p, bad, 0o600); err != nil {
					t.Fatal(err)
				}
				for _, err := range decodeAll(p) {
					if err != nil && !strings.Contains(err.Error(), p) {
						t.Errorf("%s: chunk offset %d: error without the file: %v", name, v, err)
					}
				}
			}
		}
	}
}

// TestLayerOrderSamples: layers written with Nuke's long names (Psyop's
// special_chars.exr, OpenImageIO's cryptoasset.exr) list red first and show
// red as R.
func TestLayerOrderSamples(t *testing.T) {
	for _, tc := range []struct{ file, layer, alpha string }{
		{"psyop/debug_images/special_chars.exr", "special_chars", ""},
		{"psyop/debug_images/special_chars.exr", "special_chars00", "alpha"},
		{"openimageio/cryptoasset.exr", "uCryptoAsset", ""},
		{"openimageio/cryptoasset.exr", "uCryptoAsset01", "alpha"},
	} {
		parts, _ := openParts(t, shared.File(t, "cryptomatte", tc.file))
		i := slices.IndexFunc(parts[0].Layers, func(l Layer) bool { return l.Name == tc.layer })
		if i < 0 {
			t.Fatalf("%s: no layer %s", tc.file, tc.layer)
		}
		want := []string{"red", "green", "blue"}
		wantSel := [4]string{tc.layer + ".red", tc.layer + ".green", tc.layer + ".blue", ""}
		if tc.alpha != "" {
			want, wantSel[3] = append(want, "alpha"), tc.layer+".alpha"
		}
		if got := parts[0].Layers[i].Channels; !slices.Equal(got, want) {
			t.Errorf("%s %s: channels %v, want %v", tc.file, tc.layer, got, want)
		}
		if sel, err := LayerSelection(parts[0], tc.layer); err != nil || sel.Names != wantSel {
			t.Errorf("%s %s: LayerSelection %v, %v, want %v", tc.file, tc.layer, sel.Names, err, wantSel)
		}
	}
}
