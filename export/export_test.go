package export

import (
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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

// TestFastStart checks that the index (moov) comes before the media data.
func TestFastStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fast.mov")
	encode(t, Options{Path: path, Codec: H264, Width: 64, Height: 64, FPS: Rational{24, 1}, CRF: -1, Preset: "ultrafast"}, 3)
	atoms, err := exporttest.Atoms(path)
	if err != nil {
		t.Fatal(err)
	}
	moov, mdat := slices.Index(atoms, "moov"), slices.Index(atoms, "mdat")
	if moov < 0 || mdat < 0 || moov > mdat {
		t.Errorf("top-level atoms %q: want moov before mdat", atoms)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("movie mode %v, want 0644", fi.Mode().Perm())
	}
}

// TestOddSizes: 4:2:0 needs even sizes and says so; ProRes 422 needs an
// even width only; ProRes 4444 takes any size.
func TestOddSizes(t *testing.T) {
	for _, tc := range []struct {
		codec Codec
		w, h  int
		want  string // error text, "" for success
	}{
		{H264, 321, 180, "size 321x180: h264 (yuv420p) needs an even width and height"},
		{HEVC, 320, 181, "size 320x181: hevc (yuv420p) needs an even width and height"},
		{ProRes, 321, 180, "size 321x180: prores (yuv422p10le) needs an even width"},
		{ProRes, 320, 181, ""},
		{ProRes4444, 321, 181, ""},
		{H264, 0, 180, "size 0x180 is out of range"},
		{H264, 20000, 180, "size 20000x180 is out of range"},
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "odd.mov")
		o := Options{Path: path, Codec: tc.codec, Width: tc.w, Height: tc.h, FPS: Rational{24, 1}, CRF: -1}
		if tc.want != "" {
			_, err := Create(o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("%s %dx%d: error %v, want one naming %s and saying %q", tc.codec, tc.w, tc.h, err, path, tc.want)
			}
			onlyFile(t, dir)
			continue
		}
		encode(t, o, 2)
		info, err := exporttest.Probe(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Width != tc.w || info.Height != tc.h {
			t.Errorf("%s: wrote %dx%d, read back %dx%d", tc.codec, tc.w, tc.h, info.Width, info.Height)
		}
		n, err := exporttest.Decode(path, func(k int, got []uint16) error {
			if p := exporttest.PSNR(exporttest.Pattern(tc.w, tc.h, k), got, 0, 1, 2); !(p >= 40) {
				t.Errorf("%s %dx%d frame %d: PSNR %.2f dB", tc.codec, tc.w, tc.h, k, p)
			}
			return nil
		})
		if err != nil || n != 2 {
			t.Errorf("%s %dx%d: decoded %d frames: %v", tc.codec, tc.w, tc.h, n, err)
		}
	}
}

func TestBadOptions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.mov")
	ok := Options{Path: path, Codec: H264, Width: 64, Height: 64, FPS: Rational{24, 1}, CRF: -1}
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"unknown codec", func(o *Options) { o.Codec = "vp9" }, `unknown codec "vp9"; valid codecs: h264, hevc, prores, prores4444, h264_nvenc, hevc_nvenc`},
		{"zero fps", func(o *Options) { o.FPS = Rational{} }, "frame rate 0/0 is out of range"},
		{"fast fps", func(o *Options) { o.FPS = Rational{5000, 1} }, "frame rate 5000 is out of range"},
		{"crf", func(o *Options) { o.CRF = 60 }, "crf 60 is out of range"},
		{"preset", func(o *Options) { o.Preset = "sluggish" }, `unknown h264 preset "sluggish"; valid presets: ultrafast, superfast, veryfast`},
	} {
		o := ok
		tc.edit(&o)
		_, err := Create(o)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", tc.name, err, path, tc.want)
		}
	}
	onlyFile(t, dir)
	if _, err := ParseCodec("vp9"); err == nil || !strings.Contains(err.Error(), "valid codecs: h264, hevc, prores, prores4444, h264_nvenc, hevc_nvenc") {
		t.Errorf("ParseCodec(vp9): %v", err)
	}
	for _, c := range codecs {
		if got, err := ParseCodec(string(c.codec)); got != c.codec || err != nil {
			t.Errorf("ParseCodec(%s) = %q, %v", c.codec, got, err)
		}
	}
}

func TestParseFPS(t *testing.T) {
	for s, want := range map[string]Rational{
		"24": {24, 1}, "25": {25, 1}, "23.976": {24000, 1001}, "29.97": {30000, 1001}, "59.94": {60000, 1001},
		"30000/1001": {30000, 1001}, "48/2": {24, 1}, "12.5": {25, 2}, "24.0": {24, 1},
	} {
		if got, err := ParseFPS(s); got != want || err != nil {
			t.Errorf("ParseFPS(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "0", "-24", "abc", "24/0", "5000", "1/5000", "24fps", "2.4e1", "1e999999999"} {
		if got, err := ParseFPS(s); err == nil {
			t.Errorf("ParseFPS(%q) = %v, want an error", s, got)
		}
	}
}

func TestExistingTarget(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "shot.mov")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{Path: path, Codec: ProRes, Width: 64, Height: 32, FPS: Rational{24, 1}, CRF: -1}
	_, err := Create(o)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), path+" already exists") {
		t.Errorf("Create over an existing file: %v, want %q", err, path+" already exists")
	}
	keeps := func() {
		t.Helper()
		if b, err := os.ReadFile(path); string(b) != "keep me" {
			t.Errorf("%s was replaced (%q, %v)", path, b, err)
		}
		onlyFile(t, dir, "shot.mov")
	}
	keeps()

	// A file that appears while the movie is written is not replaced either.
	other := filepath.Join(dir, "other.mov")
	o.Path = other
	e, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Write(exporttest.Pattern(64, 32, 0)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte("keep me too"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Close with the target taken meanwhile: %v, want an exists error", err)
	}
	if b, _ := os.ReadFile(other); string(b) != "keep me too" {
		t.Errorf("%s was replaced", other)
	}
	os.Remove(other)
	keeps()

	o.Path, o.Overwrite = path, true
	encode(t, o, 2)
	if info, err := exporttest.Probe(path); err != nil || info.Frames != 2 {
		t.Errorf("overwrite: %+v, %v", info, err)
	}
	onlyFile(t, dir, "shot.mov")

	o.Path = dir
	if _, err := Create(o); err == nil || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("Create over a folder: %v", err)
	}
}

func TestUnwritableFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, folder string }{
		{"missing", filepath.Join(dir, "missing")},
		{"not a folder", file},
		{"read-only", ro},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.folder == ro {
				if f, err := os.CreateTemp(ro, "probe"); err == nil {
					f.Close()
					os.Remove(f.Name())
					t.Skip("permission bits do not stop this user (root); the missing and not-a-folder cases cover the error path")
				}
			}
			path := filepath.Join(tc.folder, "out.mov")
			_, err := Create(Options{Path: path, Codec: H264, Width: 64, Height: 64, FPS: Rational{24, 1}, CRF: -1})
			if want := "cannot write a file in folder " + tc.folder; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want %q", err, want)
			}
			onlyFile(t, dir, "file", "ro")
		})
	}
}

// TestWriteError fills the "disk" (a file size limit, which Go turns into
// EFBIG on write) in the middle of a movie: the error comes out of Write or
// Close and no file is left.
func TestWriteError(t *testing.T) {
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old); err != nil {
		t.Fatal(err)
	}
	lim := old
	lim.Cur = 1 << 20
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Skipf("cannot limit file sizes: %v", err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old)

	dir := t.TempDir()
	const w, h = 640, 360
	e, err := Create(Options{Path: filepath.Join(dir, "full.mov"), Codec: ProRes4444, Width: w, Height: h, FPS: Rational{24, 1}, CRF: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Abort()
	frame := exporttest.Pattern(w, h, 0)
	for i := 0; err == nil && i < 100; i++ {
		err = e.Write(frame)
	}
	if err == nil {
		err = e.Close()
	} else if cerr := e.Close(); cerr != err {
		t.Errorf("Close after a failed Write: %v, want the same error", cerr)
	}
	if err == nil || !strings.Contains(err.Error(), "too large") || !strings.Contains(err.Error(), "full.mov") {
		t.Errorf("writing past the limit: %v, want a write error naming full.mov", err)
	}
	onlyFile(t, dir)
}

func TestFrameErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.mov")
	o := Options{Path: path, Codec: H264, Width: 64, Height: 32, FPS: Rational{24, 1}, CRF: -1}
	e, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err == nil || !strings.Contains(err.Error(), "no frames") {
		t.Errorf("Close with no frames: %v", err)
	}
	onlyFile(t, dir)

	e, err = Create(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Write(make([]uint16, 10)); err == nil || !strings.Contains(err.Error(), "has 10 values, want 8192 (64x32 RGBA)") {
		t.Errorf("short frame: %v", err)
	}
	// A wrong-sized frame leaves the movie open.
	for i := range 2 {
		if err := e.Write(exporttest.Pattern(64, 32, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	e.Abort() // after Close: keeps the movie
	if info, err := exporttest.Probe(path); err != nil || info.Frames != 2 {
		t.Errorf("%+v, %v", info, err)
	}
	if err := e.Write(exporttest.Pattern(64, 32, 0)); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Write after Close: %v", err)
	}
}

// TestAbortFromAnotherGoroutine: the writer runs on its own goroutine (not
// the main thread) and another one aborts it.
func TestAbortFromAnotherGoroutine(t *testing.T) {
	dir := t.TempDir()
	e, err := Create(Options{Path: filepath.Join(dir, "a.mov"), Codec: H264, Width: 128, Height: 64, FPS: Rational{24, 1}, CRF: -1, Preset: "ultrafast"})
	if err != nil {
		t.Fatal(err)
	}
	frame := exporttest.Pattern(128, 64, 0)
	written := make(chan int)
	done := make(chan error)
	go func() {
		for i := 0; ; i++ {
			if err := e.Write(frame); err != nil {
				done <- err
				return
			}
			if i == 2 {
				close(written)
			}
		}
	}()
	<-written
	e.Abort()
	if err := <-done; !errors.Is(err, ErrAborted) {
		t.Errorf("Write after Abort: %v", err)
	}
	onlyFile(t, dir)
}

// TestNVENC passes both where there is an NVIDIA encoder (the movie is
// written) and where there is none (a clear error that says what to use).
func TestNVENC(t *testing.T) {
	for _, codec := range []Codec{H264NVENC, HEVCNVENC} {
		dir := t.TempDir()
		path := filepath.Join(dir, "gpu.mov")
		e, err := Create(Options{Path: path, Codec: codec, Width: 256, Height: 128, FPS: Rational{24, 1}, CRF: -1})
		if err != nil {
			fallback := strings.TrimSuffix(string(codec), "_nvenc")
			if !errors.Is(err, ErrNoNVENC) || !strings.Contains(err.Error(), string(codec)+": no NVIDIA encoder on this machine (") ||
				!strings.HasSuffix(err.Error(), "; use --codec "+fallback) {
				t.Errorf("%s: %v", codec, err)
			}
			t.Logf("%s: %v", codec, err)
			onlyFile(t, dir)
			continue
		}
		for i := range 3 {
			if err := e.Write(exporttest.Pattern(256, 128, i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if info, err := exporttest.Probe(path); err != nil || info.Frames != 3 || info.ColorSpace != "bt709" {
			t.Errorf("%s: %+v, %v", codec, info, err)
		}
	}
}

// TestFFmpegReason checks that FFmpeg's own log line reaches the error: the
// muxer refuses a timestamp that goes back, and says why.
func TestFFmpegReason(t *testing.T) {
	dir := t.TempDir()
	e, err := Create(Options{Path: filepath.Join(dir, "back.mov"), Codec: ProRes, Width: 64, Height: 32, FPS: Rational{24, 1}, CRF: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Abort()
	frame := exporttest.Pattern(64, 32, 0)
	for range 2 {
		if err := e.Write(frame); err != nil {
			t.Fatal(err)
		}
	}
	// The next frames go back in time; frame threads delay the packets.
	e.n = 0
	for i := 0; err == nil && i < 10; i++ {
		err = e.Write(frame)
	}
	if want := "non monotonically increasing dts"; err == nil || !strings.Contains(err.Error(), "(ffmpeg: ") || !strings.Contains(err.Error(), want) {
		t.Errorf("error %v, want FFmpeg's %q in it", err, want)
	}
	onlyFile(t, dir)
}
