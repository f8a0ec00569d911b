package exr

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/x448/float16"
)

// b44Pattern is render-like RGBA half content for B44: a gradient band,
// a noisy band and a band of flat 8x8 squares (B44A's 3-byte blocks), with
// zeros of both signs, subnormals, infinities, NaNs and the largest
// finite values sprinkled over all of it.
func b44Pattern(w, h int, seed uint64) []uint16 {
	special := []uint16{0x0000, 0x8000, 0x0001, 0x83FF, 0x7C00, 0xFC00, 0x7E00, 0xFE01, 0x7BFF, 0xFBFF}
	rng := rand.New(rand.NewPCG(seed, uint64(w*h)))
	pix := make([]uint16, 4*w*h)
	for y := range h {
		for x := range w {
			for s := range 4 {
				var v float32
				switch u := float32(x) / float32(w); {
				case u < 0.4:
					v = 4*u + float32(y)/float32(h) - float32(s)
				case u < 0.7:
					v = (rng.Float32() - 0.3) * float32(1+s*100)
				default:
					v = float32((x/8+y/8+s)%5) - 1.5
				}
				i := 4*(y*w+x) + s
				pix[i] = float16.Fromfloat32(v).Bits()
				if rng.IntN(40) == 0 {
					pix[i] = special[rng.IntN(len(special))]
				}
			}
		}
	}
	return pix
}

// b44Selections are the requests the B44 decoder serves in different ways:
// all four slots, some of them (the first one absent too, and slots in
// another order than the file's channels), single channels.
func b44Selections(names ...string) []Selection {
	sels := []Selection{
		{Names: [4]string{"R", "G", "B", "A"}},
		{Names: [4]string{"R", "G", "B", ""}},
		{Names: [4]string{"", "G", "B", "A"}},
		{Names: [4]string{"A", "B", "G", "R"}},
		{Names: [4]string{"", "", "", "A"}},
		{Names: [4]string{"R", "", "B", ""}},
	}
	for _, n := range names {
		sels = append(sels, Selection{Names: [4]string{n}, Grey: true})
	}
	return sels
}

// checkStepsMatchLibrary decodes sel of the file at path through the
// library's decompress step (B44, or DWA's C++ one) and through flick's,
// whole and in chunk ranges on concurrent goroutines: every value must match
// the library's, and none may be written past the destination.
func checkStepsMatchLibrary(t *testing.T, path string, sel Selection) {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := f.Header()
	n := 4 * h.DataWindow.Width() * h.DataWindow.Height()
	// got lies at the start of a larger buffer: nothing may be written
	// past it.
	want, buf := make([]uint16, n), make([]uint16, n+8)
	got := buf[:n]
	poison(want)
	poison(buf)
	name := fmt.Sprintf("%s %v", filepath.Base(path), sel.Names)
	chunks := f.Chunks()
	errLib := decodeWith(f, want, sel, 0, chunks, decodeOptions{libraryCodecs: true, via: viaCore})
	errOurs := decodeWith(f, got, sel, 0, chunks, decodeOptions{via: viaCore})
	if errLib != nil || errOurs != nil {
		t.Fatalf("%s: library's step: %v, flick's: %v", name, errLib, errOurs)
	}
	if i := firstDiffU16(got, want); i >= 0 {
		t.Fatalf("%s: value %d is %#04x, the library's step gives %#04x", name, i, got[i], want[i])
	}
	const workers = 3
	poison(got)
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[g] = decodeWith(f, got, sel, g*chunks/workers, (g+1)*chunks/workers, decodeOptions{via: viaCore})
		}()
	}
	wg.Wait()
	for g, err := range errs {
		if err != nil {
			t.Fatalf("%s: share %d of %d: %v", name, g, workers, err)
		}
	}
	if i := firstDiffU16(got, want); i >= 0 {
		t.Fatalf("%s: in %d shares, value %d is %#04x, the library's step gives %#04x", name, workers, i, got[i], want[i])
	}
	for i, v := range buf[n:] {
		if v != 0xA5A5 {
			t.Fatalf("%s: value %d past the buffer's end was written", name, i)
		}
	}
}

// TestB44MatchesLibrary writes B44 and B44A files with OpenEXR's C and C++
// writers, scanline and tiled (tiles of 2x3 are stored uncompressed), at
// sizes that leave partial blocks and chunks, and decodes every selection
// through flick's B44 step and the library's.
func TestB44MatchesLibrary(t *testing.T) {
	dir := t.TempDir()
	for _, comp := range []Compression{B44, B44A} {
		for _, size := range [][2]int{{1, 1}, {3, 5}, {4, 4}, {17, 9}, {8, 33}, {1920, 70}} {
			w, h := size[0], size[1]
			pix := b44Pattern(w, h, uint64(comp))
			base := filepath.Join(dir, fmt.Sprintf("%s_%dx%d", comp, w, h))
			paths := []string{base + "_core.exr", base + "_cpp.exr", base + "_tiled.exr", base + "_tiny_tiles.exr"}
			if err := WriteRGBA(paths[0], w, h, pix, comp, 0); err != nil {
				t.Fatal(err)
			}
			for i, tiles := range []imfTiles{{}, {w: 16, h: 8}, {w: 2, h: 3}} {
				if err := writeIMF(paths[i+1], w, h, pix, comp, tiles); err != nil {
					t.Fatal(err)
				}
			}
			for _, path := range paths {
				for _, sel := range b44Selections("R", "G", "B", "A") {
					checkStepsMatchLibrary(t, path, sel)
				}
			}
		}
	}
}

// b44Crafted describes a B44 file made of random bytes, which the library
// and flick must decode alike: channels of every type in one chunk, every
// bit pattern of a block (NaNs, infinities, wrapping sums), a data window
// off the origin.
type b44Crafted struct {
	comp   Compression
	w, h   int
	stored bool   // the last chunk is stored uncompressed
	cut    int    // bytes cut from the last chunk
	linear string // a HALF channel with pLinear set
}

var b44CraftedChannels = []Channel{
	{Name: "A", Type: Half, XSampling: 1, YSampling: 1},
	{Name: "B", Type: Half, XSampling: 1, YSampling: 1},
	{Name: "F", Type: Float, XSampling: 1, YSampling: 1},
	{Name: "G", Type: Half, XSampling: 1, YSampling: 1},
	{Name: "R", Type: Half, XSampling: 1, YSampling: 1},
	{Name: "U", Type: UInt, XSampling: 1, YSampling: 1},
}

// write puts the file in dir. A B44 chunk holds each channel in turn:
// HALF channels as 4x4 blocks (14 bytes; B44A also 3-byte flat blocks,
// third byte 13<<2 or more), the others as raw little-endian values.
func (c b44Crafted) write(t *testing.T, dir string, rng *rand.Rand) string {
	t.Helper()
	const lines = 32 // per B44 chunk
	cf := crafted{channels: b44CraftedChannels, comp: c.comp, dw: Box{-3, 5, c.w - 4, c.h + 4}}
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for y := 0; y < c.h; y += lines {
		ch := min(lines, c.h-y)
		var p []byte
		unpacked := 0
		for _, chl := range cf.channels {
			size := 4
			if chl.Type == Half {
				size = 2
			}
			unpacked += size * c.w * ch
			if chl.Type != Half {
				p = append(p, random(size*c.w*ch)...)
				continue
			}
			for range ((c.w + 3) / 4) * ((ch + 3) / 4) {
				if c.comp == B44A && rng.IntN(3) == 0 {
					p = append(p, random(2)...)
					p = append(p, byte(13<<2+rng.IntN(256-13<<2)))
				} else {
					b := random(14)
					b[2] = byte(rng.IntN(13 << 2))
					p = append(p, b...)
				}
			}
		}
		last := y+lines >= c.h
		if last && c.stored {
			p = random(unpacked)
		} else if len(p) == unpacked {
			t.Fatalf("%+v: a random chunk came out the size of a stored one", c)
		}
		if last {
			p = p[:len(p)-c.cut]
		}
		cf.chunks = append(cf.chunks, p)
		cf.leaderY = append(cf.leaderY, cf.dw.MinY+y)
	}
	data := cf.bytes()
	if c.linear != "" {
		// The channel list entry: name, NUL, int32 type (1: HALF), pLinear.
		entry := []byte(c.linear + "\x00\x01\x00\x00\x00\x00")
		i := bytes.Index(data, entry)
		if i < 0 {
			t.Fatalf("no channel %s in the crafted header", c.linear)
		}
		data[i+len(entry)-1] = 1
	}
	path := filepath.Join(dir, fmt.Sprintf("%s_%dx%d_stored%v_cut%d_linear%s.exr", c.comp, c.w, c.h, c.stored, c.cut,
		c.linear))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestB44CraftedMatchesLibrary decodes random B44 and B44A chunks with
// FLOAT and UINT channels among the HALF ones (skipped, or requested, which
// leaves the chunk to the library), stored chunks, and a channel with
// pLinear (left to the library too).
func TestB44CraftedMatchesLibrary(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(44, 1))
	sels := append(b44Selections("R", "G", "F", "U"), Selection{Names: [4]string{"R", "F", "B", "U"}})
	for _, comp := range []Compression{B44, B44A} {
		for _, c := range []b44Crafted{
			{comp: comp, w: 1, h: 1},
			{comp: comp, w: 17, h: 9},
			{comp: comp, w: 37, h: 45},
			{comp: comp, w: 64, h: 70, stored: true},
			{comp: comp, w: 37, h: 45, linear: "G"},
		} {
			path := c.write(t, dir, rng)
			for _, sel := range sels {
				checkStepsMatchLibrary(t, path, sel)
			}
		}
	}
}

// TestB44Truncated cuts bytes off the last chunk's last channel (UINT) or
// into the last HALF channel's blocks: flick's step must fail, as the
// library's does, naming where the chunk ends, also for a request that
// skips the channel cut short.
func TestB44Truncated(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(44, 2))
	for _, comp := range []Compression{B44, B44A} {
		for _, cut := range []int{1, 4*37*13 + 1, 4*37*13 + 13} {
			path := b44Crafted{comp: comp, w: 37, h: 45, cut: cut}.write(t, dir, rng)
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			dst := make([]uint16, 4*37*45)
			for _, sel := range []Selection{{Names: [4]string{"R", "G", "B", "A"}}, {Names: [4]string{"A"}, Grey: true}} {
				errLib := decodeWith(f, dst, sel, 0, f.Chunks(), decodeOptions{libraryCodecs: true, via: viaCore})
				errOurs := decodeWith(f, dst, sel, 0, f.Chunks(), decodeOptions{via: viaCore})
				if errLib == nil || errOurs == nil {
					t.Errorf("%s cut %d %v: library's step: %v, flick's: %v", comp, cut, sel.Names, errLib, errOurs)
				} else if !strings.Contains(errOurs.Error(), "ends inside channel") {
					t.Errorf("%s cut %d %v: %v does not say where the chunk ends", comp, cut, sel.Names, errOurs)
				}
			}
			f.Close()
		}
	}
}

// TestB44CraftedLinear guards the pLinear case of
// TestB44CraftedMatchesLibrary: the flag patched into the header must
// reach the library, which then decodes the same bytes to other values.
func TestB44CraftedLinear(t *testing.T) {
	dir := t.TempDir()
	sel := Selection{Names: [4]string{"G"}, Grey: true}
	var got [2][]uint16
	for i, linear := range []string{"", "G"} {
		path := b44Crafted{comp: B44, w: 17, h: 9, linear: linear}.write(t, dir, rand.New(rand.NewPCG(1, 1)))
		got[i] = make([]uint16, 4*17*9)
		if err := decodeVia(path, got[i], sel, viaCore); err != nil {
			t.Fatal(err)
		}
	}
	if firstDiffU16(got[0], got[1]) < 0 {
		t.Fatal("pLinear made no difference: the flag did not reach the library")
	}
}
