package exr

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// crafted describes a hand-made EXR file: header values the writer would
// never produce, and chunks given as raw (already compressed) bytes.
type crafted struct {
	channels []Channel
	comp     Compression
	dw       Box
	tile     int      // tile width and height; 0 for scanline
	chunks   [][]byte // chunk payloads, in order
	leaderY  []int    // per chunk: the y (scanline) written in its leader
}

func (c crafted) bytes() []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	attr := func(name, typ string, size int) {
		b.WriteString(name + "\x00" + typ + "\x00")
		le(int32(size))
	}
	le(uint32(20000630))
	if c.tile > 0 {
		le(uint32(2 | 0x200))
	} else {
		le(uint32(2))
	}
	size := 1
	for _, ch := range c.channels {
		size += len(ch.Name) + 1 + 16
	}
	attr("channels", "chlist", size)
	for _, ch := range c.channels {
		b.WriteString(ch.Name + "\x00")
		le(int32(ch.Type))
		le([4]byte{})
		le([2]int32{int32(ch.XSampling), int32(ch.YSampling)})
	}
	b.WriteByte(0)
	attr("compression", "compression", 1)
	b.WriteByte(byte(c.comp))
	box := [4]int32{int32(c.dw.MinX), int32(c.dw.MinY), int32(c.dw.MaxX), int32(c.dw.MaxY)}
	attr("dataWindow", "box2i", 16)
	le(box)
	attr("displayWindow", "box2i", 16)
	le(box)
	attr("lineOrder", "lineOrder", 1)
	b.WriteByte(0)
	attr("pixelAspectRatio", "float", 4)
	le(float32(1))
	attr("screenWindowCenter", "v2f", 8)
	le([2]float32{})
	attr("screenWindowWidth", "float", 4)
	le(float32(1))
	if c.tile > 0 {
		attr("tiles", "tiledesc", 9)
		le([2]uint32{uint32(c.tile), uint32(c.tile)})
		b.WriteByte(0) // one level, round down
	}
	b.WriteByte(0) // end of header

	off := uint64(b.Len() + 8*len(c.chunks))
	for _, p := range c.chunks {
		le(off)
		off += uint64(8 + len(p))
	}
	for i, p := range c.chunks {
		le(int32(c.leaderY[i]))
		le(int32(len(p)))
		b.Write(p)
	}
	return b.Bytes()
}

// zipChunk compresses raw chunk bytes the way EXR's ZIP does (byte split,
// delta predictor, zlib).
func zipChunk(raw []byte) []byte {
	t := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i += 2 {
		t = append(t, raw[i])
	}
	for i := 1; i < len(raw); i += 2 {
		t = append(t, raw[i])
	}
	for i := len(t) - 1; i > 0; i-- {
		t[i] = t[i] - t[i-1] + 128
	}
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(t)
	w.Close()
	return b.Bytes()
}

func writeCrafted(t *testing.T, c crafted) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "crafted.exr")
	if err := os.WriteFile(path, c.bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCraftedValid makes sure the crafting itself is right: a plain
// uncompressed and a ZIP file decode to the values put in.
func TestCraftedValid(t *testing.T) {
	const w, h = 5, 3
	raw := make([]byte, 0, 2*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			raw = binary.LittleEndian.AppendUint16(raw, uint16(0x3C00+y*w+x))
		}
	}
	for _, comp := range []Compression{None, ZIP} {
		c := crafted{channels: halfChannels("Y"), comp: comp, dw: Box{0, 0, w - 1, h - 1}}
		if comp == None {
			for y := 0; y < h; y++ {
				c.chunks = append(c.chunks, raw[2*w*y:2*w*(y+1)])
				c.leaderY = append(c.leaderY, y)
			}
		} else {
			c.chunks, c.leaderY = [][]byte{zipChunk(raw)}, []int{0}
		}
		_, px := decodeFile(t, writeCrafted(t, c))
		for i := 0; i < w*h; i++ {
			if px[4*i] != uint16(0x3C00+i) || px[4*i+2] != px[4*i] || px[4*i+3] != 0x3C00 {
				t.Fatalf("%v: pixel %d = %x", comp, i, px[4*i:4*i+4])
			}
		}
	}
}

// TestCraftedHostile holds the checks the package adds on top of the
// library: each file must fail cleanly, with the expected code (and not
// hang).
func TestCraftedHostile(t *testing.T) {
	line := func(w int) []byte { return make([]byte, 2*w) }
	sub3 := func() crafted {
		// R full, Y sampled 3x3 (legal in the format, unsafe in Core 3.1.5).
		raw := make([]byte, 9*9*2+3*3*2)
		return crafted{
			channels: []Channel{{"R", Half, 1, 1}, {"Y", Half, 3, 3}}, comp: ZIP, dw: Box{0, 0, 8, 8},
			chunks: [][]byte{zipChunk(raw)}, leaderY: []int{0},
		}
	}
	for _, tc := range []struct {
		name   string
		file   crafted
		onOpen bool // the error comes from Open, not Decode
		want   Code
	}{
		{"hundreds of millions of tiles", crafted{channels: halfChannels("Y"), dw: Box{0, 0, 16383, 16383}, tile: 1},
			true, ErrBadHeader},
		{"2^32 pixels", crafted{channels: halfChannels("Y"), dw: Box{0, 0, 65535, 65535}}, true, ErrBadHeader},
		{"window at the int32 edge", crafted{channels: halfChannels("Y"), dw: Box{math.MaxInt32 - 4, 0, math.MaxInt32, 0}},
			true, ErrBadHeader},
		{"3x3 subsampled channel", sub3(), false, ErrUnsupported},
		{"2x2 sampling on an odd window", crafted{channels: []Channel{{"BY", Half, 2, 2}, {"Y", Half, 1, 1}},
			dw: Box{1, 0, 4, 1}, chunks: [][]byte{line(4), line(4)}, leaderY: []int{0, 1}}, true, ErrBadHeader},
		{"chunk leader names another line", crafted{channels: halfChannels("Y"), dw: Box{0, 0, 3, 1},
			chunks: [][]byte{line(4), line(4)}, leaderY: []int{1, 1}}, false, ErrBadChunkLeader},
		{"chunk shorter than its lines", crafted{channels: halfChannels("Y"), dw: Box{0, 0, 3, 1},
			chunks: [][]byte{line(4), line(2)}, leaderY: []int{0, 1}}, false, ErrCorruptChunk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeCrafted(t, tc.file)
			err := returns(t, func() error { return tryDecode(path) })
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, tc.want) || (e.Op == "open") != tc.onOpen {
				t.Fatalf("got %v, want %v from %s", err, tc.want, map[bool]string{true: "Open", false: "Decode"}[tc.onOpen])
			}
			t.Log(err)
		})
	}
}
