package export_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/x448/float16"

	"flick/engine"
	"flick/engine/exr"
	"flick/export"
	"flick/export/exporttest"
	"flick/render"
	"flick/render/rendertest"
)

func TestMain(m *testing.M) { rendertest.Main(m) }

// scene writes frames 1..n of a w x h ZIP sequence of scene-linear values
// (0 to 2.5, a soft-edged disc that moves with the frame) and returns the sequence.
func scene(t *testing.T, w, h, n int) *engine.Sequence {
	t.Helper()
	dir := t.TempDir()
	for i := 1; i <= n; i++ {
		pix := make([]uint16, 4*w*h)
		for y := range h {
			for x := range w {
				fx, fy := float32(x)/float32(w), float32(y)/float32(h)
				r, g, b := 2.5*fx*fx, fy, 0.5+0.4*float32(math.Sin(float64(9*fx+float32(i)/2)))
				// A disc with an anti-aliased edge, as a renderer makes it.
				d := math.Hypot(float64(x)-float64(w)*(0.2+0.05*float64(i)), float64(y)-float64(h)/2)
				if e := float32(min(1, max(0, (float64(h)/4-d)/3))); e > 0 {
					r, g, b = r+(1.5-r)*e, g+(0.05-g)*e, b+(0.02-b)*e
				}
				o := pix[4*(y*w+x):]
				o[0], o[1], o[2], o[3] = float16.Fromfloat32(r).Bits(), float16.Fromfloat32(g).Bits(),
					float16.Fromfloat32(b).Bits(), float16.Fromfloat32(1).Bits()
			}
		}
		if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("shot.%04d.exr", i)), w, h, pix, exr.ZIP, 24); err != nil {
			t.Fatal(err)
		}
	}
	seq, err := engine.Find(filepath.Join(dir, "shot.0001.exr"))
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// reference is the CPU version of what an export shows: the mean of each
// k x k block of linear values (the downscale), the exposure gain, the sRGB
// curve, as 16-bit codes.
func reference(f *engine.Frame, k int, exposure float64) []uint16 {
	w, h := f.DataWindow.Dx(), f.DataWindow.Dy()
	ow, oh := w/k, h/k
	out := make([]uint16, 4*ow*oh)
	for y := range oh {
		for x := range ow {
			for c := range 3 {
				var sum float64
				for j := range k {
					for i := range k {
						sum += float64(float16.Frombits(f.Pix[4*((y*k+j)*w+x*k+i)+c]).Float32())
					}
				}
				v := math.Min(1, math.Max(0, sum/float64(k*k)*math.Exp2(exposure)))
				if v <= 0.0031308 {
					v *= 12.92
				} else {
					v = 1.055*math.Pow(v, 1/2.4) - 0.055
				}
				out[4*(y*ow+x)+c] = uint16(math.Round(v * 65535))
			}
			out[4*(y*ow+x)+3] = 65535
		}
	}
	return out
}

func loader(t *testing.T, seq *engine.Sequence) (func(context.Context, int) (*engine.Frame, error), func(*engine.Frame)) {
	pool := engine.NewPool(0)
	t.Cleanup(pool.Close)
	load := func(ctx context.Context, n int) (*engine.Frame, error) {
		return engine.LoadFrame(seq, n, func(n int) []uint16 { return make([]uint16, n) }, pool,
			func() bool { return ctx.Err() != nil })
	}
	return load, func(*engine.Frame) {}
}

// The movie shows every frame, downscaled without aliasing and through the
// viewer's exposure and sRGB transform, close to a CPU reference of the same.
func TestExportMatchesCPUReference(t *testing.T) {
	const w, h, n = 640, 360, 12
	seq := scene(t, w, h, n)
	load, release := loader(t, seq)
	for _, tc := range []struct {
		codec    export.Codec
		k        int // downscale factor
		minPSNR  float64
		exposure float32
	}{
		{export.H264, 2, 35, 0.5},
		{export.ProRes, 1, 40, -1},
		{export.ProRes4444, 1, 40, 0},
		{export.ProRes4444, 4, 40, 0},
		{export.ProRes, 2, 40, 0},
	} {
		t.Run(fmt.Sprintf("%s-1:%d", tc.codec, tc.k), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "review.mov")
			var progress []export.Progress
			p, err := export.Run(context.Background(), export.Job{
				Frames:   seq.Frames,
				Display:  render.Settings{Exposure: tc.exposure},
				Movie:    export.Options{Path: out, Codec: tc.codec, Width: w / tc.k, Height: h / tc.k, FPS: export.Rational{Num: 24, Den: 1}, CRF: -1},
				Load:     load,
				Release:  release,
				Progress: func(p export.Progress) { progress = append(progress, p) },
			}, rendertest.Queue())
			if err != nil {
				t.Fatal(err)
			}
			if p.Done != n || len(progress) != n || progress[n-1].Done != n {
				t.Errorf("progress %+v, %d reports; want %d frames", p, len(progress), n)
			}
			info, err := exporttest.Probe(out)
			if err != nil {
				t.Fatal(err)
			}
			if info.Width != w/tc.k || info.Height != h/tc.k || info.Frames != n {
				t.Errorf("movie is %dx%d with %d frames, want %dx%d with %d", info.Width, info.Height, info.Frames, w/tc.k, h/tc.k, n)
			}
			worst := math.Inf(1)
			got, err := exporttest.Decode(out, func(i int, rgba []uint16) error {
				f, err := load(context.Background(), seq.Frames[i])
				if err != nil {
					return err
				}
				worst = math.Min(worst, exporttest.PSNR(rgba, reference(f, tc.k, float64(tc.exposure)), 0, 1, 2))
				return nil
			})
			if err != nil || got != n {
				t.Fatalf("decoded %d frames: %v", got, err)
			}
			if worst < tc.minPSNR {
				t.Errorf("worst frame PSNR %.1f dB against the CPU reference, want >= %.0f", worst, tc.minPSNR)
			}
			t.Logf("worst frame PSNR %.1f dB; stages: decode %v, draw %v, readback %v, encode %v",
				worst, p.Decode, p.Draw, p.Readback, p.Encode)
		})
	}
}

// A frame that cannot be read is a black frame in the movie, reported, and
// the export goes on; cancelling leaves no file.
func TestExportSkipsBrokenFramesAndCancelsCleanly(t *testing.T) {
	const w, h, n = 64, 36, 6
	seq := scene(t, w, h, n)
	if err := os.Truncate(seq.Path(3), 300); err != nil {
		t.Fatal(err)
	}
	load, release := loader(t, seq)
	dir := t.TempDir()
	job := export.Job{
		Frames:  seq.Frames,
		Movie:   export.Options{Path: filepath.Join(dir, "a.mov"), Codec: export.H264, Width: w, Height: h, FPS: export.Rational{Num: 25, Den: 1}, CRF: -1},
		Load:    load,
		Release: release,
	}
	p, err := export.Run(context.Background(), job, rendertest.Queue())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Skipped) != 1 || p.Skipped[0].Frame != 3 || !strings.Contains(p.Skipped[0].Err.Error(), "shot.0003.exr") {
		t.Errorf("skipped %+v, want frame 3 with its file named", p.Skipped)
	}
	if info, err := exporttest.Probe(job.Movie.Path); err != nil || info.Frames != n {
		t.Errorf("movie has %d frames (%v), want %d", info.Frames, err, n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	job.Movie.Path = filepath.Join(dir, "b.mov")
	job.Progress = func(p export.Progress) {
		if p.Done == 2 {
			cancel()
		}
	}
	_, err = export.Run(ctx, job, rendertest.Queue())
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("cancelled export says %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "a.mov" {
			t.Errorf("cancelled export left %s", e.Name())
		}
	}
}

// alphaRamp writes a one-frame w x h sequence whose alpha ramps from 0 at
// the left edge to 1 at the right, over a colour premultiplied by it, as a
// renderer writes it, and returns the sequence.
func alphaRamp(t *testing.T, w, h int) *engine.Sequence {
	t.Helper()
	pix := make([]uint16, 4*w*h)
	for y := range h {
		for x := range w {
			a := float32(x) / float32(w-1)
			c := [4]float32{0.8 * a, (0.1 + 0.5*float32(y)/float32(h)) * a, 0.3 * a, a}
			for i, v := range c {
				pix[4*(y*w+x)+i] = float16.Fromfloat32(v).Bits()
			}
		}
	}
	path := filepath.Join(t.TempDir(), "ramp.0001.exr")
	if err := exr.WriteRGBA(path, w, h, pix, exr.ZIP, 24); err != nil {
		t.Fatal(err)
	}
	seq, err := engine.Find(path)
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// ProRes 4444 carries the frames' alpha; the colour is the same as without
// alpha, and the other codecs stay opaque.
func TestExportProRes4444CarriesAlpha(t *testing.T) {
	const w, h = 96, 54
	seq := alphaRamp(t, w, h)
	load, release := loader(t, seq)
	f, err := load(context.Background(), seq.Frames[0])
	if err != nil {
		t.Fatal(err)
	}
	want := reference(f, 1, 0)
	for i := range w * h { // the source alpha as 16-bit codes
		a := float64(float16.Frombits(f.Pix[4*i+3]).Float32())
		want[4*i+3] = uint16(math.Round(65535 * a))
	}
	for _, tc := range []struct {
		codec export.Codec
		alpha bool
	}{{export.ProRes4444, true}, {export.ProRes, false}} {
		t.Run(string(tc.codec), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "alpha.mov")
			_, err := export.Run(context.Background(), export.Job{
				Frames:  seq.Frames,
				Movie:   export.Options{Path: out, Codec: tc.codec, Width: w, Height: h, FPS: export.Rational{Num: 24, Den: 1}, CRF: -1},
				Load:    load,
				Release: release,
			}, rendertest.Queue())
			if err != nil {
				t.Fatal(err)
			}
			n, err := exporttest.Decode(out, func(_ int, got []uint16) error {
				if p := exporttest.PSNR(got, want, 0, 1, 2); p < 40 {
					t.Errorf("colour PSNR %.1f dB against the CPU reference, want >= 40", p)
				}
				worst := 0
				for i := range w * h {
					a := int(got[4*i+3])
					if !tc.alpha {
						if a != 65535 {
							t.Fatalf("pixel %d: alpha %d in a movie without alpha", i, a)
						}
						continue
					}
					worst = max(worst, abs(a-int(want[4*i+3])))
				}
				// 10-bit alpha: half a step is 32 codes of 16 bits.
				if worst > 64 {
					t.Errorf("alpha off by up to %d/65535 from the source", worst)
				}
				return nil
			})
			if err != nil || n != 1 {
				t.Fatalf("decoded %d frames: %v", n, err)
			}
		})
	}
}

func abs(v int) int { return max(v, -v) }

// TestPSNRAgainstFFmpeg logs how close to the CPU reference (box downscale,
// sRGB) an H.264 export of ours and ffmpeg's are, the latter as artists run
// it, without and with -apply_trc iec61966_2_1 (all read as BT.709, as
// players read untagged HD). It checks only our own output: ffmpeg's
// quality is what it is.
func TestPSNRAgainstFFmpeg(t *testing.T) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Skip("ffmpeg is not on PATH: nothing to compare with")
	}
	const w, h, n, k = 1280, 720, 6, 2
	seq := scene(t, w, h, n)
	load, release := loader(t, seq)
	refs := make([][]uint16, n)
	for i, fr := range seq.Frames {
		f, err := load(context.Background(), fr)
		if err != nil {
			t.Fatal(err)
		}
		refs[i] = reference(f, k, 0)
	}
	dir := t.TempDir()
	ours := filepath.Join(dir, "flick.mov")
	if _, err := export.Run(context.Background(), export.Job{
		Frames: seq.Frames,
		Movie: export.Options{Path: ours, Codec: export.H264, Width: w / k, Height: h / k,
			FPS: export.Rational{Num: 24, Den: 1}, CRF: 23, Preset: "veryfast"},
		Load:    load,
		Release: release,
	}, rendertest.Queue()); err != nil {
		t.Fatal(err)
	}
	pattern := strings.Replace(seq.Path(seq.Frames[0]), "0001", "%04d", 1)
	movies := []struct{ name, path string }{{"flick", ours}}
	for _, trc := range []bool{false, true} {
		name, args := "ffmpeg", []string{"-v", "error", "-y"}
		if trc {
			name, args = "ffmpeg -apply_trc iec61966_2_1", append(args, "-apply_trc", "iec61966_2_1")
		}
		path := filepath.Join(dir, fmt.Sprintf("ffmpeg-%v.mov", trc))
		args = append(args, "-i", pattern, "-vf", fmt.Sprintf("scale=%d:-2,format=yuv420p", w/k),
			"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", path)
		if out, err := exec.Command(ffmpeg, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		movies = append(movies, struct{ name, path string }{name, path})
	}
	for _, m := range movies {
		worst, sum := math.Inf(1), 0.0
		got, err := exporttest.DecodeUntagged(m.path, func(i int, rgba []uint16) error {
			p := exporttest.PSNR(rgba, refs[i], 0, 1, 2)
			worst, sum = math.Min(worst, p), sum+p
			return nil
		})
		if err != nil || got != n {
			t.Fatalf("%s: decoded %d of %d frames: %v", m.name, got, n, err)
		}
		t.Logf("%-30s PSNR against the CPU reference: mean %.1f dB, worst %.1f dB", m.name, sum/n, worst)
		if m.path == ours && worst < 35 {
			t.Errorf("our export's worst frame is %.1f dB, want >= 35", worst)
		}
	}
}
