package exr

import (
	"errors"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/asticode/go-astiav"
	"github.com/x448/float16"
)

// refImage is an image decoded by FFmpeg's EXR decoder, an implementation
// independent of OpenEXR: planes R, G, B, A as float32 (A nil when the file
// has none; G and B nil for grey images).
type refImage struct {
	w, h       int
	r, g, b, a []float32
}

// ffmpegDecode decodes a whole EXR file with FFmpeg (one packet to the
// "exr" decoder). It skips the test when FFmpeg has no EXR decoder, and
// fails it when FFmpeg cannot decode the file.
func ffmpegDecode(t testing.TB, path string) refImage {
	t.Helper()
	img, err := ffmpegRead(path)
	if errors.Is(err, errNoFFmpegEXR) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return img
}

var errNoFFmpegEXR = errors.New("FFmpeg has no exr decoder")

// ffmpegRead is ffmpegDecode returning FFmpeg's failures (many files it
// cannot read: multi-part, luminance/chroma, deep) as errors.
func ffmpegRead(path string) (refImage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return refImage{}, err
	}
	astiav.SetLogLevel(astiav.LogLevelFatal)
	codec := astiav.FindDecoderByName("exr")
	if codec == nil {
		return refImage{}, errNoFFmpegEXR
	}
	cc := astiav.AllocCodecContext(codec)
	defer cc.Free()
	if err := cc.Open(codec, nil); err != nil {
		return refImage{}, fmt.Errorf("ffmpeg: open decoder: %w", err)
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	if err := pkt.FromData(data); err != nil {
		return refImage{}, err
	}
	if err := cc.SendPacket(pkt); err != nil {
		return refImage{}, fmt.Errorf("ffmpeg: send %s: %w", path, err)
	}
	fr := astiav.AllocFrame()
	defer fr.Free()
	if err := cc.ReceiveFrame(fr); err != nil {
		return refImage{}, fmt.Errorf("ffmpeg: decode %s: %w", path, err)
	}
	// Planes packed one after the other, rows of exactly w float32.
	buf, err := fr.Data().Bytes(1)
	if err != nil {
		return refImage{}, err
	}
	w, h := fr.Width(), fr.Height()
	plane := func(i int) []float32 {
		n := w * h
		out := make([]float32, n)
		b := buf[i*n*4 : (i+1)*n*4]
		for k := range out {
			bits := uint32(b[4*k]) | uint32(b[4*k+1])<<8 | uint32(b[4*k+2])<<16 | uint32(b[4*k+3])<<24
			out[k] = math.Float32frombits(bits)
		}
		return out
	}
	img := refImage{w: w, h: h}
	switch pf := fr.PixelFormat(); pf {
	case astiav.PixelFormatGbrpf32Le: // planes G, B, R
		img.g, img.b, img.r = plane(0), plane(1), plane(2)
	case astiav.PixelFormatGbrapf32Le:
		img.g, img.b, img.r, img.a = plane(0), plane(1), plane(2), plane(3)
	case astiav.PixelFormatGrayf32Le:
		img.r = plane(0)
	default:
		return refImage{}, fmt.Errorf("ffmpeg gave pixel format %v for %s", pf, path)
	}
	return img, nil
}

// halfOf is FFmpeg's value as a half: FFmpeg widens half samples to float
// exactly, so this recovers the file's half bits.
func halfOf(f float32) uint16 { return float16.Fromfloat32(f).Bits() }

func sameHalf(a, b uint16) bool {
	nan := func(v uint16) bool { return v&0x7c00 == 0x7c00 && v&0x03ff != 0 }
	return a == b || (nan(a) && nan(b))
}

// compareWithFFmpeg checks our RGBA half decode of path against FFmpeg's on
// a grid of pixels (every 7th row and column, and the corners) and returns
// the mismatches, at most max of them.
func compareWithFFmpeg(t testing.TB, path string, ours []uint16, h Header, max int) []string {
	t.Helper()
	ref := ffmpegDecode(t, path)
	w, ht := h.DataWindow.Width(), h.DataWindow.Height()
	if ref.w != w || ref.h != ht {
		t.Fatalf("ffmpeg decoded %dx%d, data window is %dx%d", ref.w, ref.h, w, ht)
	}
	var bad []string
	check := func(x, y int) {
		i := y*w + x
		want := [4]uint16{0, 0, 0, 0x3C00}
		want[0] = halfOf(ref.r[i])
		if ref.g != nil {
			want[1], want[2] = halfOf(ref.g[i]), halfOf(ref.b[i])
		} else {
			want[1], want[2] = want[0], want[0]
		}
		if ref.a != nil {
			want[3] = halfOf(ref.a[i])
		}
		for s := range 4 {
			if got := ours[4*i+s]; !sameHalf(got, want[s]) && len(bad) < max {
				bad = append(bad, fmt.Sprintf("(%d,%d) slot %d: ours %#04x, ffmpeg %#04x", x, y, s, got, want[s]))
			}
		}
	}
	for y := 0; y < ht; y += 7 {
		for x := 0; x < w; x += 7 {
			check(x, y)
		}
	}
	check(w-1, 0)
	check(0, ht-1)
	check(w-1, ht-1)
	return bad
}

// TestMatchesFFmpeg decodes sample files with both decoders; half values
// must be bit-identical (NaN matching any NaN).
func TestMatchesFFmpeg(t *testing.T) {
	for _, rel := range []string{
		"ScanLines/Desk.exr",                 // PIZ, RGBA
		"TestImages/GrayRampsHorizontal.exr", // PXR24, Y
		"Tiles/GoldenGate.exr",               // tiled PIZ, RGB
		"ScanLines/Carrots.exr",              // ZIP, RGBA
		"ScanLines/Cannon.exr",               // B44, RGB
		"TestImages/AllHalfValues.exr",       // PIZ, every half bit pattern
		"TestImages/BrightRingsNanInf.exr",   // ZIP, NaN and Inf
		"TestImages/GammaChart.exr",          // PXR24, RGB
		"MultiResolution/Bonita.exr",         // tiled mipmap ZIP, level 0
	} {
		t.Run(rel, func(t *testing.T) {
			path := sample(t, rel)
			h, ours := decodeFile(t, path)
			if bad := compareWithFFmpeg(t, path, ours, h, 10); len(bad) > 0 {
				t.Errorf("%d+ mismatches, first: %v", len(bad), bad)
			}
		})
	}
}

// TestFFmpegComparisonCatchesErrors makes sure the comparison above can
// fail: a decode with R and B swapped must not match.
func TestFFmpegComparisonCatchesErrors(t *testing.T) {
	f, dst := openSample(t, "ScanLines/Desk.exr")
	path, h := f.Path(), f.Header()
	if err := f.Decode(dst, Selection{Names: [4]string{"B", "G", "R", "A"}}); err != nil {
		t.Fatal(err)
	}
	if bad := compareWithFFmpeg(t, path, dst, h, 1); len(bad) == 0 {
		t.Fatal("a decode with R and B swapped matched FFmpeg: the comparison checks nothing")
	}
}
