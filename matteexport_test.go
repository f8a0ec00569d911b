package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flick/engine/exr"
	"flick/engine/exr/shared"
	"flick/export/exporttest"
	"flick/export/farm"
	"flick/render/rendertest"
)

// matteTolerance is how far a ProRes 4444 movie's decoded level may be
// from the matte it was made of, on a 0-1 scale: six of the codec's
// 10-bit luma steps (its quantisation of hard edges). A display transform
// in the way (sRGB lifts 0.5 to 0.74), another object's matte or the
// matte in the wrong place all differ by far more.
const matteTolerance = 6.0 / 876

// flickMatte writes the matte of names with flick matte and reads it back
// (the oracle of the export tests): of frames of src ("": src's one
// frame), frame n's.
func flickMatte(t *testing.T, src, frames, layer, names string) func(n int) ([]float32, exr.Box) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "matte.exr")
	args := []string{"matte", src, "--layer", layer, "--names", names}
	if frames != "" {
		out = filepath.Join(filepath.Dir(out), "matte.#.exr")
		args = append(args, frames)
	}
	if code, _, stderr := runFlick(t, append(args, "-o", out)...); code != 0 {
		t.Fatalf("flick matte: exit %d: %s", code, stderr)
	}
	return func(n int) ([]float32, exr.Box) {
		pix, data, _ := readChannel(t, strings.ReplaceAll(out, "#", fmt.Sprint(n)), "Y")
		return pix, data
	}
}

// compareMatte compares channel c of a decoded movie frame (w pixels wide,
// the display window at 1:1) with matte over its data window, 0 outside
// it, within matteTolerance; it returns the largest difference.
func compareMatte(t *testing.T, what string, rgba []uint16, c, w int, matte []float32, data exr.Box) float64 {
	t.Helper()
	worst, at, bad := 0.0, 0, 0
	for i := 0; i < len(rgba)/4; i++ {
		x, y := i%w, i/w
		var want float64
		if x >= data.MinX && x <= data.MaxX && y >= data.MinY && y <= data.MaxY {
			want = min(1, float64(matte[(y-data.MinY)*data.Width()+x-data.MinX]))
		}
		d := math.Abs(float64(rgba[4*i+c])/65535 - want)
		if d > matteTolerance {
			bad++
		}
		if d > worst {
			worst, at = d, i
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d pixels differ from the matte by more than %.4f, the worst %.4f at (%d, %d)", what, bad, matteTolerance, worst, at%w, at/w)
	}
	return worst
}

// decodeMovie decodes every frame of a movie (RGBA 16-bit, copied).
func decodeMovie(t *testing.T, path string) [][]uint16 {
	t.Helper()
	var frames [][]uint16
	if _, err := exporttest.Decode(path, func(_ int, rgba []uint16) error {
		frames = append(frames, append([]uint16(nil), rgba...))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return frames
}

// TestExportMatteGaffer: flick export --matte of Gaffer's /cow and /cow1
// is the matte flick matte writes for them, within ProRes 4444's
// tolerance: grey (headless, EGL) in R, G and B, so drawn through no
// display transform; alpha (in a hidden window under Xvfb, --window) in the alpha
// plane, the picture unchanged beside it (the same RGB as an export
// without the matte).
func TestExportMatteGaffer(t *testing.T) {
	src := shared.File(t, "cryptomatte", "gaffer/cryptomatte.exr")
	const names = "/cow, /cow1"
	matte, data := flickMatte(t, src, "", "crypto_object", names)(1)
	dir := t.TempDir()
	grey, alpha, plain := filepath.Join(dir, "grey.mov"), filepath.Join(dir, "alpha.mov"), filepath.Join(dir, "plain.mov")
	export := []string{"export", src, "--codec", "prores4444", "--matte-layer", "crypto_object", "--names", names}
	code, stdout, stderr := runFlick(t, append(export, "-o", grey, "--matte", "grey")...)
	if code != 0 || !strings.Contains(stderr, "EGL") {
		t.Fatalf("grey: exit %d: %s %s", code, stdout, stderr)
	}
	frames := decodeMovie(t, grey)
	if len(frames) != 1 {
		t.Fatalf("grey: %d frames, want 1", len(frames))
	}
	covered := 0
	for _, m := range matte {
		if m > 0.5 {
			covered++
		}
	}
	if covered < 100 || covered > len(matte)/2 {
		t.Fatalf("the matte of %s covers %d of %d pixels: not a test of anything", names, covered, len(matte))
	}
	for c, name := range []string{"R", "G", "B"} {
		t.Logf("grey %s: largest difference %.4f", name, compareMatte(t, "grey "+name, frames[0], c, 128, matte, data))
	}

	display, stop, err := rendertest.StartXvfb(320, 240)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if code, _, stderr := runFlickOn(t, display, append(export, "-o", alpha, "--matte", "alpha", "--window")...); code != 0 || !strings.Contains(stderr, "hidden window") {
		t.Fatalf("alpha: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runFlickOn(t, display, "export", src, "--codec", "prores4444", "-o", plain); code != 0 {
		t.Fatalf("plain: exit %d: %s", code, stderr)
	}
	a, p := decodeMovie(t, alpha), decodeMovie(t, plain)
	if len(a) != 1 || len(p) != 1 {
		t.Fatalf("%d and %d frames, want 1", len(a), len(p))
	}
	t.Logf("alpha: largest difference %.4f", compareMatte(t, "alpha", a[0], 3, 128, matte, data))
	if psnr := exporttest.PSNR(a[0], p[0], 0, 1, 2); psnr < 50 {
		t.Errorf("the alpha export's colour is not the picture's (PSNR %.1f dB against an export without the matte)", psnr)
	}
}

// TestExportMatteSequence: over the CornellBox pair, whose manifests
// differ per frame, a grey export (its settings from a saved preset, as a chunk
// of the range 1-3 whose frame 3 is missing) shows in each frame the
// matte flick matte writes for it: frame 1 its sphere_?_2, frame 2 its
// sphere_*_1, each covering its oracle pixel fully and not the other's.
func TestExportMatteSequence(t *testing.T) {
	src := shared.File(t, "cryptomatte", "psyop/cornellBox_CryptoWildcard.0001.exr")
	const names = "sphere_?_2, sphere_*_1"
	mattes := flickMatte(t, src, "1-2", "uCryptoWildcard", names)
	dir := t.TempDir()
	preset := filepath.Join(dir, "matte.preset")
	// A preset of the matte without its names, which are the shot's.
	if code, _, stderr := runFlick(t, "export", "--codec", "prores4444", "--matte-layer", "uCryptoWildcard", "--matte", "grey", "--save-preset", preset); code != 0 {
		t.Fatalf("--save-preset: exit %d: %s", code, stderr)
	}
	out := filepath.Join(dir, "chunk.mov")
	code, _, stderr := runFlick(t, "export", src, "--range", "1-3", "--frames", "1-3", "--preset", preset, "--names", names, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"frame 3 is black", `"sphere_?_2" is not in the manifest of "uCryptoWildcard" in 1 of 2 frames (2)`} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q: %s", w, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "chunk.json")); err != nil {
		t.Errorf("the chunk has no report: %v", err)
	}
	frames := decodeMovie(t, out)
	if len(frames) != 3 {
		t.Fatalf("%d frames, want 3", len(frames))
	}
	oracle := [][2]int{{366, 308}, {575, 82}} // frame 1's sphere, frame 2's
	for i := range 2 {
		matte, data := mattes(i + 1)
		compareMatte(t, fmt.Sprintf("frame %d", i+1), frames[i], 0, 960, matte, data)
		for k, o := range oracle {
			v := float64(frames[i][4*(o[1]*960+o[0])]) / 65535
			if want := float64(boolInt(k == i)); math.Abs(v-want) > matteTolerance {
				t.Errorf("frame %d at %v: %.3f, want %v", i+1, o, v, want)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestExportMatteRefusals: a cryptomatte the file lacks, alpha with a
// codec without alpha, --names without --matte-layer and an unknown mode
// are usage errors (exit 2); a cryptomatte with HALF IDs is refused (exit
// 1); none leaves a file.
func TestExportMatteRefusals(t *testing.T) {
	gaffer := shared.File(t, "cryptomatte", "gaffer/cryptomatte.exr")
	half := shared.File(t, "cryptomatte", "cryptomatte-api/images/karma_cpu_solaris_one_crypto_16bit.exr")
	dir := t.TempDir()
	out := filepath.Join(dir, "m.mov")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{gaffer, "--matte-layer", "crypto_objects", "--names", "/cow", "--matte", "grey"}, 2, `has no cryptomatte "crypto_objects" (it has: crypto_material, crypto_object)`},
		{[]string{gaffer, "--matte-layer", "crypto_object", "--names", "/cow", "--matte", "alpha"}, 2, "--matte alpha needs --codec prores4444"},
		{[]string{gaffer, "--names", "/cow", "--matte", "grey"}, 2, "go with --matte-layer NAME"},
		{[]string{gaffer, "--matte-layer", "crypto_object", "--names", "/cow", "--matte", "red"}, 2, `--matte "red": want alpha`},
		{[]string{gaffer, "--matte-layer", "crypto_object", "--names", "nobody", "--matte", "grey"}, 2, `no name of --names is in the manifest of "crypto_object"`},
		{[]string{half, "--matte-layer", "CryptoObject", "--names", "/cube1", "--matte", "grey"}, 1, "its IDs are not stored as 32-bit FLOAT"},
	} {
		code, _, stderr := runFlick(t, append([]string{"export", "-o", out}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("refusals wrote %v", entries)
	}
}

// TestFarmSubmitMatte: flick farm submit checks the matte at submission (a
// layer the shot lacks is refused there, and nothing is written) and gives
// every chunk the matte options.
func TestFarmSubmitMatte(t *testing.T) {
	src := shared.File(t, "cryptomatte", "psyop/cornellBox_CryptoWildcard.0001.exr")
	dir := t.TempDir()
	out := filepath.Join(dir, "matte.mov")
	args := []string{"farm", "submit", src, "--range", "1-3", "-o", out, "--chunk", "3", "--engine", "manifest", "--codec", "prores",
		"--matte", "grey", "--names", "sphere_*_1"}
	var stdout, stderr bytes.Buffer
	if code := run(append(args, "--matte-layer", "nope"), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "nope") {
		t.Errorf("an unknown matte layer: exit %d, %s; want 2 naming it", code, stderr.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused submission left %v", entries)
	}
	stderr.Reset()
	if code := run(append(args, "--matte-layer", "uCryptoWildcard"), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	m, err := farm.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"--matte-layer=uCryptoWildcard", "--names=sphere_*_1", "--matte=grey"} {
		if !slices.Contains(m.Chunks[0].Command, f) {
			t.Errorf("the chunk's command %q lacks %s", m.Chunks[0].Command, f)
		}
	}
}
