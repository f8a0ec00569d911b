package exr

import (
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/x448/float16"

	"flick/engine/exr/internal/exrref"
)

// imfDecodeFile opens path (the Core reader checks the header) and decodes it
// through the C++ API with sel, or the default selection when sel is nil.
func imfDecodeFile(t testing.TB, path string, sel *Selection) (Header, []uint16) {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	h := f.Header()
	f.Close()
	if sel == nil {
		s, err := DefaultSelection(h)
		if err != nil {
			t.Fatal(err)
		}
		sel = &s
	}
	dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
	for i := range dst {
		dst[i] = 0xDEAD // every value must be written
	}
	if err := decodeVia(path, dst, *sel, viaIMF); err != nil {
		t.Fatalf("decode through C++: %v", err)
	}
	return h, dst
}

// firstDiff returns the first value index where a and b differ, or -1.
func firstDiff(a, b []uint16) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestDecodeIMFMatchesCore holds the C++ path bit-identical to File.Decode on
// lossless files: scanline PIZ and ZIP, tiled, mipmapped, luminance (grey),
// a data window off the origin, part 0 of a multi-part file.
func TestDecodeIMFMatchesCore(t *testing.T) {
	for _, rel := range []string{
		"ScanLines/Desk.exr",         // PIZ, RGBA
		"ScanLines/Carrots.exr",      // ZIP, RGBA
		"ScanLines/Cannon.exr",       // B44, RGB
		"Tiles/GoldenGate.exr",       // tiled PIZ, RGB
		"MultiResolution/Bonita.exr", // tiled mipmap, level 0
		"LuminanceChroma/Garden.exr", // tiled Y: grey
		"TestImages/GrayRampsHorizontal.exr",
		"TestImages/AllHalfValues.exr",  // every half bit pattern
		"Beachball/singlepart.0001.exr", // data window at (654, 245)
		"Beachball/multipart.0001.exr",  // part 0 of several
		"DisplayWindow/t08.exr",         // data window at (30, 40)
	} {
		t.Run(rel, func(t *testing.T) {
			path := sample(t, rel)
			h, _ := decodeFile(t, path)
			core := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
			sel, _ := DefaultSelection(h)
			if err := decodeVia(path, core, sel, viaCore); err != nil {
				t.Fatal(err)
			}
			_, ours := imfDecodeFile(t, path, nil)
			if i := firstDiff(core, ours); i >= 0 {
				w := h.DataWindow.Width()
				p := i / 4
				t.Fatalf("pixel (%d,%d) slot %d: C++ %#04x, Core %#04x", p%w, p/w, i%4, ours[i], core[i])
			}
		})
	}
}

// TestDecodeIMFSelection checks the selection rules (empty slots, grey,
// a channel in several slots) against File.Decode.
func TestDecodeIMFSelection(t *testing.T) {
	f, buf := openSample(t, "ScanLines/Desk.exr")
	path, n := f.Path(), len(buf)
	for _, sel := range []Selection{
		{Names: [4]string{"R", "G", "B", "A"}},
		{Names: [4]string{"R", "G", "B", ""}},
		{Names: [4]string{"B", "", "R", ""}},
		{Names: [4]string{"G", "B", "R", "A"}, Grey: true},
		{Names: [4]string{"A", "A", "A", "A"}},
		{Names: [4]string{"", "", "", ""}},
		{Names: [4]string{"", "", "", "R"}, Grey: true},
		{Names: [4]string{"R", "R", "B", "R"}},
	} {
		core := make([]uint16, n)
		if err := decodeWith(f, core, sel, 0, f.Chunks(), decodeOptions{via: viaCore}); err != nil {
			t.Fatalf("%+v: %v", sel, err)
		}
		_, ours := imfDecodeFile(t, path, &sel)
		if i := firstDiff(core, ours); i >= 0 {
			t.Errorf("%+v: value %d: C++ %#04x, Core %#04x", sel, i, ours[i], core[i])
		}
	}
}

// TestDecodeIMFAllSamples decodes every sample image that Core decodes with
// both readers: they must agree bit for bit.
func TestDecodeIMFAllSamples(t *testing.T) {
	root := samplesDir(t)
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".exr" || strings.Contains(path, "Damaged") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		f, err := Open(path)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		defer f.Close()
		h := f.Header()
		sel, err := DefaultSelection(h)
		if err != nil {
			return nil
		}
		core := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
		if err := decodeWith(f, core, sel, 0, f.Chunks(), decodeOptions{via: viaCore}); err != nil {
			return nil // deep, DWA: Core cannot
		}
		ours := make([]uint16, len(core))
		if err := decodeWith(f, ours, sel, 0, f.Chunks(), decodeOptions{via: viaIMF}); err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if i := firstDiff(core, ours); i >= 0 {
			t.Errorf("%s: value %d: C++ %#04x, Core %#04x", rel, i, ours[i], core[i])
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files identical", n)
}

// renderLike is a w x h RGBA half picture with what renders have: smooth
// gradients, soft-edged discs, highlights above 1, fine texture and grain,
// and a partly transparent alpha. It is deterministic.
func renderLike(w, h int) []uint16 {
	pix := make([]uint16, 4*w*h)
	seed := uint32(12345)
	grain := func() float32 {
		seed = seed*1664525 + 1013904223
		return float32(seed>>8)/float32(1<<24) - 0.5
	}
	for y := range h {
		for x := range w {
			u, v := float64(x)/float64(w), float64(y)/float64(h)
			r := 0.18 + 0.5*u*u
			g := 0.12 + 0.3*v + 0.05*math.Sin(40*u)*math.Sin(30*v)
			b := 0.05 + 0.4*(1-u)*v
			a := 1.0
			for i, c := range [][3]float64{{0.3, 0.4, 0.15}, {0.7, 0.6, 0.2}, {0.55, 0.25, 0.08}} {
				d := math.Hypot(u-c[0], (v-c[1])*float64(h)/float64(w)) / c[2]
				k := 1 / (1 + math.Exp(12*(d-1))) // soft edge
				lum := []float64{2.5, 0.6, 8}[i]  // highlights above 1
				r += k * lum * (0.9 - 0.3*float64(i))
				g += k * lum * (0.4 + 0.2*float64(i))
				b += k * lum * 0.3
				if i == 1 {
					a = 1 - 0.7*k
				}
			}
			n := float64(grain()) * 0.02
			o := 4 * (y*w + x)
			for s, val := range [4]float64{r * (1 + n), g * (1 + n), b * (1 - n), a} {
				pix[o+s] = float16.Fromfloat32(float32(val)).Bits()
			}
		}
	}
	return pix
}

// imfTiles asks writeIMF for a tiled file: tile size and level mode.
type imfTiles struct {
	w, h int
	mode LevelMode
}

// writeIMF writes a w x h RGBA half file through the C++ API (exrref),
// scanline, or tiled when tiles.w > 0, with levels that keep every 2^l-th
// pixel: the files OpenEXR 3.1.5's C API cannot encode (DWAA/DWAB, tiles,
// levels).
func writeIMF(path string, w, h int, pix []uint16, comp Compression, tiles imfTiles) error {
	return exrref.WriteRGBA(path, w, h, pix, int(comp), exrref.Tiles{W: tiles.w, H: tiles.h, LevelMode: int(tiles.mode)})
}

// writeDWA writes renderLike(w, h) with comp through the C++ API into dir.
func writeDWA(t testing.TB, dir string, w, h int, comp Compression) (string, []uint16) {
	t.Helper()
	pix := renderLike(w, h)
	path := filepath.Join(dir, comp.String()+".exr")
	if err := writeIMF(path, w, h, pix, comp, imfTiles{}); err != nil {
		t.Fatal(err)
	}
	return path, pix
}

// halfULPs is the distance between two finite halves in units in the last
// place (consecutive bit patterns of the same sign are one ULP apart).
func halfULPs(a, b uint16) int {
	ord := func(v uint16) int {
		if v&0x8000 != 0 {
			return -int(v & 0x7fff)
		}
		return int(v)
	}
	d := ord(a) - ord(b)
	if d < 0 {
		d = -d
	}
	return d
}

// TestDecodeIMFDWA writes odd-sized DWAA and DWAB files through the C++ API
// and decodes them through the C++ API and with FFmpeg's independent DWA decoder.
// DWA is lossy, but two correct decoders of the same bits agree to a few
// half ULPs (their DCT and float-to-half rounding differ); alpha is stored
// losslessly and must match exactly; both must be close to the picture that
// was written.
func TestDecodeIMFDWA(t *testing.T) {
	const w, h = 301, 203
	// Measured (FFmpeg 5.1, OpenEXR 3.1.5): about half of the R, G, B values
	// differ, by 1 or 2 ULPs, a handful by 3 (at most 0.0015 relative).
	const maxULPs, maxMeanULPs = 4, 1.0
	dir := t.TempDir()
	for _, comp := range []Compression{DWAA, DWAB} {
		t.Run(comp.String(), func(t *testing.T) {
			path, src := writeDWA(t, dir, w, h, comp)
			hd, ours := imfDecodeFile(t, path, nil)
			if hd.Compression != comp || hd.DataWindow.Width() != w || hd.DataWindow.Height() != h {
				t.Fatalf("header %+v", hd)
			}
			ref := ffmpegDecode(t, path)
			if ref.w != w || ref.h != h || ref.a == nil || ref.g == nil {
				t.Fatalf("ffmpeg decoded %dx%d (alpha %v)", ref.w, ref.h, ref.a != nil)
			}
			worstULP, sumULP, differ, worstRel, worstSrc := 0, 0, 0, 0.0, 0.0
			for i := range w * h {
				for s, plane := range [4][]float32{ref.r, ref.g, ref.b, ref.a} {
					got, want := ours[4*i+s], halfOf(plane[i])
					g := float64(float16.Frombits(got).Float32())
					if d := halfULPs(got, want); d > 0 {
						if s == 3 {
							t.Fatalf("pixel %d: alpha %#04x, FFmpeg %#04x: lossless alpha must match", i, got, want)
						}
						differ++
						sumULP += d
						worstULP = max(worstULP, d)
						f := float64(plane[i])
						worstRel = max(worstRel, math.Abs(g-f)/max(math.Abs(f), 1e-6))
					}
					// Against the source: DWA's default level keeps this
					// picture within a few percent (plus a little near black).
					o := float64(float16.Frombits(src[4*i+s]).Float32())
					worstSrc = max(worstSrc, math.Abs(g-o)/(math.Abs(o)+0.05))
				}
			}
			mean := float64(sumULP) / float64(3*w*h)
			t.Logf("%v: vs FFmpeg %d of %d R,G,B values differ, max %d ULPs (%.2g relative), mean %.2f ULPs; vs source max %.3g",
				comp, differ, 3*w*h, worstULP, worstRel, mean, worstSrc)
			if worstULP > maxULPs || mean > maxMeanULPs {
				t.Errorf("C++ and FFmpeg differ by up to %d half ULPs (mean %.2f), allowed %d (mean %.1f)",
					worstULP, mean, maxULPs, maxMeanULPs)
			}
			if worstSrc > 0.1 {
				t.Errorf("decoded picture differs from the one written by up to %.3g", worstSrc)
			}
		})
	}
}

// TestDecodeIMFErrors: bad arguments, a vanished or changed file and a
// truncated DWA file give typed errors, never a crash.
func TestDecodeIMFErrors(t *testing.T) {
	dir := t.TempDir()
	path, _ := writeDWA(t, dir, 64, 96, DWAA)
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	all := Selection{Names: [4]string{"R", "G", "B", "A"}}
	dst := make([]uint16, 4*64*96)

	if err := decodeVia(path, dst[:len(dst)-1], all, viaIMF); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("short buffer: got %v, want ErrInvalidArgument", err)
	}
	if err := decodeVia(path, dst, Selection{Names: [4]string{"nope"}}, viaIMF); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("unknown channel: got %v, want ErrInvalidArgument", err)
	}
	if err := decodeVia(filepath.Join(dir, "gone.exr"), dst, all, viaIMF); !errors.Is(err, ErrFileAccess) {
		t.Errorf("missing file: got %v, want ErrFileAccess", err)
	}
	// Truncations keep the header (Open succeeds) but lose pixel data.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, keep := range []int{len(data) - 1, len(data) - 100, len(data) / 2} {
		cut := filepath.Join(dir, "cut.exr")
		if err := os.WriteFile(cut, data[:keep], 0o644); err != nil {
			t.Fatal(err)
		}
		if f, err := Open(cut); err == nil {
			f.Close()
			err := decodeVia(cut, dst, all, viaIMF)
			t.Logf("truncated to %d bytes: %v", keep, err)
			if err == nil {
				t.Errorf("truncated to %d of %d bytes: no error", keep, len(data))
			}
		}
	}
	// Flipped bytes in the pixel data: an error or a picture, never a crash.
	bad := append([]byte(nil), data...)
	for i := len(bad) / 2; i < len(bad); i += 97 {
		bad[i] ^= 0x5a
	}
	corrupt := filepath.Join(dir, "corrupt.exr")
	if err := os.WriteFile(corrupt, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("corrupt: %v", decodeVia(corrupt, dst, all, viaIMF))
}

// TestDecodeIMFDamaged decodes through the C++ API every Damaged sample whose header
// the Core reader accepts (the way the player would reach it): each must
// return, with an error or not, quickly and without growing the process by
// gigabytes.
func TestDecodeIMFDamaged(t *testing.T) {
	dir := sample(t, "Damaged")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 10 * time.Second
	const rssLimit = 1 << 30
	before := maxRSS(t)
	tried, dwa := 0, 0
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) == ".rst" {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := Open(path)
		if err != nil {
			continue
		}
		h := f.Header()
		f.Close()
		sel, err := DefaultSelection(h)
		if err != nil {
			continue
		}
		tried++
		if h.Compression == DWAA || h.Compression == DWAB {
			dwa++
		}
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
			done <- decodeVia(path, dst, sel, viaIMF)
		}()
		select {
		case err := <-done:
			t.Logf("%-5v %-80s %6.1fms %v", h.Compression, e.Name(), float64(time.Since(start).Microseconds())/1000, err)
		case <-time.After(limit):
			t.Fatalf("%s: no result after %v", e.Name(), limit)
		}
		if grown := maxRSS(t) - before; grown > rssLimit {
			t.Fatalf("%s: peak memory grew by %d MB", e.Name(), grown>>20)
		}
	}
	t.Logf("%d files opened and decoded through C++, %d of them DWA", tried, dwa)
}

// TestDecodeIMFDoesNotAllocate holds the C++ path to no Go allocation per
// call.
func TestDecodeIMFDoesNotAllocate(t *testing.T) {
	f, dst := openSample(t, "ScanLines/Carrots.exr")
	sel, _ := DefaultSelection(f.Header())
	if n := testing.AllocsPerRun(3, func() {
		if err := decodeWith(f, dst, sel, 0, f.Chunks(), decodeOptions{via: viaIMF}); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per decode through C++", n)
	}
}

// BenchmarkDecodeIMF decodes whole frames through the C++ API into a reused
// buffer (compare Desk with BenchmarkDecode/Desk, the Core path); the DWA
// files are 1920x1080 renderLike pictures written by the C++ API.
func BenchmarkDecodeIMF(b *testing.B) {
	dir := b.TempDir()
	type file struct{ name, path string }
	var files []file
	for _, rel := range benchFiles {
		files = append(files, file{strings.TrimSuffix(filepath.Base(rel), ".exr"), sample(b, rel)})
	}
	for _, comp := range []Compression{DWAA, DWAB} {
		path, _ := writeDWA(b, dir, 1920, 1080, comp)
		files = append(files, file{strings.ToUpper(comp.String()), path})
	}
	for _, fl := range files {
		b.Run(fl.name, func(b *testing.B) {
			f, err := Open(fl.path)
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
				if err := decodeWith(f, dst, sel, 0, f.Chunks(), decodeOptions{via: viaIMF}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
