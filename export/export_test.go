package export

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flick/export/exporttest"
)

// encode writes frames pattern frames of o's size to o.Path and closes.
func encode(t testing.TB, o Options, frames int) {
	t.Helper()
	e, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Abort()
	for i := range frames {
		if err := e.Write(exporttest.Pattern(o.Width, o.Height, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// onlyFile fails unless dir holds exactly name: no temporary files left.
func onlyFile(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("%s holds %q, want %q", dir, got, names)
	}
}

// TestRoundTrip encodes the test pattern with each software codec, reads the
// movie back with FFmpeg's demuxer and decoder, and checks the stream's
// description, every frame's timestamp and every frame's pixels.
func TestRoundTrip(t *testing.T) {
	const w, h, frames = 320, 180, 12
	ntsc := Rational{30000, 1001}
	for _, tc := range []struct {
		codec   Codec
		fps     Rational
		tag     string
		pixFmt  string
		profile int
		minPSNR float64 // RGB
		alpha   bool
	}{
		{H264, Rational{24, 1}, "avc1", "yuv420p", -1, 35, false},
		{H264, ntsc, "avc1", "yuv420p", -1, 35, false},
		{HEVC, Rational{25, 1}, "hvc1", "yuv420p", -1, 35, false},
		{ProRes, Rational{24, 1}, "apch", "yuv422p10le", 3, 40, false},
		{ProRes, ntsc, "apch", "yuv422p10le", 3, 40, false},
		// FFmpeg 5.1 decodes ProRes 4444 to 12 bits.
		{ProRes4444, Rational{24, 1}, "ap4h", "yuva444p12le", 4, 40, true},
	} {
		t.Run(string(tc.codec)+"@"+tc.fps.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.mov")
			encode(t, Options{Path: path, Codec: tc.codec, Width: w, Height: h, FPS: tc.fps, CRF: -1}, frames)
			onlyFile(t, filepath.Dir(path), "out.mov")

			info, err := exporttest.Probe(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", info)
			if info.Codec != strings.TrimSuffix(string(tc.codec), "4444") || info.CodecTag != tc.tag ||
				info.PixFmt != tc.pixFmt || info.Width != w || info.Height != h || info.Frames != frames {
				t.Errorf("got %s/%s %s %dx%d, %d frames; want %s/%s %s %dx%d, %d frames",
					info.Codec, info.CodecTag, info.PixFmt, info.Width, info.Height, info.Frames,
					tc.codec, tc.tag, tc.pixFmt, w, h, frames)
			}
			if tc.profile >= 0 && info.Profile != tc.profile {
				t.Errorf("profile %d, want %d", info.Profile, tc.profile)
			}
			if got := [4]string{info.ColorPrimaries, info.ColorTransfer, info.ColorSpace, info.ColorRange}; got != [4]string{"bt709", "bt709", "bt709", "tv"} {
				t.Errorf("colour tags %q, want bt709, bt709, bt709, tv", got)
			}
			fps := big.NewRat(int64(tc.fps.Num), int64(tc.fps.Den))
			for _, r := range []struct {
				name string
				num  int
				den  int
			}{{"avg_frame_rate", info.AvgFrameRate.Num(), info.AvgFrameRate.Den()}, {"r_frame_rate", info.RFrameRate.Num(), info.RFrameRate.Den()}} {
				if r.den == 0 || big.NewRat(int64(r.num), int64(r.den)).Cmp(fps) != 0 {
					t.Errorf("%s %d/%d, want %s", r.name, r.num, r.den, tc.fps)
				}
			}
			// Frame k is shown at k/fps seconds exactly.
			tb := big.NewRat(int64(info.TimeBase.Num()), int64(info.TimeBase.Den()))
			for k, pts := range info.PTS {
				at := new(big.Rat).Mul(big.NewRat(pts, 1), tb)
				want := new(big.Rat).Quo(big.NewRat(int64(k), 1), fps)
				if at.Cmp(want) != 0 {
					t.Errorf("frame %d at %s s (pts %d, time base %d/%d), want %s s", k, at.FloatString(6), pts, info.TimeBase.Num(), info.TimeBase.Den(), want.FloatString(6))
				}
			}

			n, err := exporttest.Decode(path, func(k int, got []uint16) error {
				want := exporttest.Pattern(w, h, k)
				if p := exporttest.PSNR(want, got, 0, 1, 2); !(p >= tc.minPSNR) {
					t.Errorf("frame %d: RGB PSNR %.2f dB, want at least %.0f", k, p, tc.minPSNR)
				}
				if p := exporttest.PSNR(want, got, 3); tc.alpha && !(p >= tc.minPSNR) {
					t.Errorf("frame %d: alpha PSNR %.2f dB, want at least %.0f", k, p, tc.minPSNR)
				}
				if k == 0 {
					t.Logf("frame 0: RGB %.2f dB, alpha %.2f dB", exporttest.PSNR(want, got, 0, 1, 2), exporttest.PSNR(want, got, 3))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != frames {
				t.Errorf("decoded %d frames, want %d", n, frames)
			}
		})
	}
}

// TestCRF checks that the quality setting reaches the encoder: a higher CRF
// makes a smaller file.
func TestCRF(t *testing.T) {
	for _, codec := range []Codec{H264, HEVC} {
		var sizes []int64
		for _, crf := range []int{18, 30} {
			path := filepath.Join(t.TempDir(), "crf.mov")
			encode(t, Options{Path: path, Codec: codec, Width: 320, Height: 180, FPS: Rational{24, 1}, CRF: crf, Preset: "veryfast"}, 6)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, fi.Size())
		}
		if sizes[1] >= sizes[0] {
			t.Errorf("%s: crf 30 gave %d bytes, crf 18 %d: want smaller", codec, sizes[1], sizes[0])
		}
	}
}

func TestAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.mov")
	e, err := Create(Options{Path: path, Codec: ProRes, Width: 64, Height: 32, FPS: Rational{24, 1}, CRF: -1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := e.Write(exporttest.Pattern(64, 32, i)); err != nil {
			t.Fatal(err)
		}
	}
	onlyFile(t, dir, "."+filepath.Base(e.tmp)[1:]) // the temporary file, while writing
	e.Abort()
	e.Abort()
	onlyFile(t, dir)
	if err := e.Close(); !errors.Is(err, ErrAborted) {
		t.Errorf("Close after Abort: %v, want ErrAborted", err)
	}
	if err := e.Write(exporttest.Pattern(64, 32, 0)); !errors.Is(err, ErrAborted) {
		t.Errorf("Write after Abort: %v, want ErrAborted", err)
	}
	var nilEnc *Encoder
	nilEnc.Abort()
	if err := nilEnc.Close(); err != nil {
		t.Error(err)
	}
}
