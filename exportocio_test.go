package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flick/engine/exr/shared"
	"flick/export/exporttest"
)

// TestExportOCIO: flick export --ocio draws through the config's display
// and view (not the built-in curve), tags the movie for the display, and
// every bad choice or broken config is one line and exit 1 (2 for usage).
func TestExportOCIO(t *testing.T) {
	beach := filepath.Join(shared.File(t, "exr-samples", "Beachball"), "singlepart.#.exr")
	lutShow := shared.File(t, "ocio", "lut-show/config.ocio")
	dir := t.TempDir()
	export := func(name string, args ...string) (string, int, string) {
		t.Helper()
		out := filepath.Join(dir, name)
		code, _, stderr := runFlick(t, append([]string{"export", beach, "1-2", "--width", "256", "-o", out}, args...)...)
		return out, code, stderr
	}

	plain, code, stderr := export("plain.mov")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	sdr, code, stderr := export("sdr.mov", "--ocio", "ocio://default", "--display", "sRGB - Display", "--view", "ACES 1.0 - SDR Video")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "warning") {
		t.Errorf("sRGB display warned: %s", stderr)
	}
	// The config's defaults are that display and view.
	defaults, code, stderr := export("defaults.mov", "--ocio", "ocio://default")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	info, err := exporttest.Probe(sdr)
	if err != nil {
		t.Fatal(err)
	}
	if info.ColorTransfer != "iec61966-2-1" || info.ColorPrimaries != "bt709" || info.ColorSpace != "bt709" {
		t.Errorf("tags %s/%s/%s, want bt709/iec61966-2-1/bt709", info.ColorPrimaries, info.ColorTransfer, info.ColorSpace)
	}
	first := func(path, trc string) []uint16 {
		var out []uint16
		if _, err := exporttest.DecodeTagged(path, trc, func(i int, rgba []uint16) error {
			if i == 0 {
				out = append([]uint16(nil), rgba...)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b, c := first(plain, "bt709"), first(sdr, "iec61966-2-1"), first(defaults, "iec61966-2-1")
	if p := exporttest.PSNR(a, b, 0, 1, 2); p > 30 {
		t.Errorf("the ACES SDR view exports like the plain sRGB curve (PSNR %.1f dB)", p)
	}
	if p := exporttest.PSNR(b, c, 0, 1, 2); p < 60 {
		t.Errorf("the config's default display and view export unlike sRGB / ACES 1.0 SDR (PSNR %.1f dB)", p)
	}

	// A PQ display: tagged BT.2100 PQ; in 8-bit H.264 (the default codec)
	// with a warning that names the display and says what to choose, in
	// ProRes without one.
	for _, tc := range []struct {
		codec string
		warn  bool
	}{{"h264", true}, {"prores", false}} {
		pq, code, stderr := export("pq-"+tc.codec+".mov", "--ocio", "ocio://default", "--display", "Rec.2100-PQ - Display", "--codec", tc.codec)
		if warned := strings.Contains(stderr, "warning") && strings.Contains(stderr, "Rec.2100-PQ") && strings.Contains(stderr, "prores"); code != 0 || warned != tc.warn {
			t.Errorf("PQ display, %s: exit %d, stderr %q; want 0 and a warning %v", tc.codec, code, stderr, tc.warn)
		}
		if info, err := exporttest.Probe(pq); err != nil {
			t.Error(err)
		} else if got := [3]string{info.ColorPrimaries, info.ColorTransfer, info.ColorSpace}; got != [3]string{"bt2020", "smpte2084", "bt2020nc"} {
			t.Errorf("PQ display, %s: tags %q, want bt2020/smpte2084/bt2020nc", tc.codec, got)
		}
	}

	// A config whose view needs a LUT that is missing, and one whose .cube
	// is corrupt.
	text, err := os.ReadFile(lutShow)
	if err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken")
	if err := os.MkdirAll(filepath.Join(broken, "luts"), 0o755); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(broken, "config.ocio")
	if err := os.WriteFile(config, text, 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(dir, "corrupt")
	if err := os.CopyFS(corrupt, os.DirFS(filepath.Dir(lutShow))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corrupt, "luts", "show.cube"), []byte("LUT_3D_SIZE 33\n0.1 0.2\nnot numbers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		says []string
	}{
		{"missing config", []string{"--ocio", filepath.Join(dir, "nope.ocio")}, 1, []string{"nope.ocio"}},
		{"newer profile", []string{"--ocio", shared.File(t, "ocio", "newer-profile/cg-config-v2.1.0_aces-v1.3_ocio-v2.3.ocio")}, 1, []string{"2.3"}},
		{"missing LUT", []string{"--ocio", config}, 1, []string{"show.cube", "Show LUT"}},
		{"corrupt cube", []string{"--ocio", filepath.Join(corrupt, "config.ocio")}, 1, []string{"show.cube"}},
		{"no such display", []string{"--ocio", "ocio://default", "--display", "srgb"}, 1, []string{"srgb", "sRGB - Display"}},
		{"no such input", []string{"--ocio", "ocio://default", "--input-cs", "lin_nope"}, 1, []string{"lin_nope"}},
		{"no such look", []string{"--ocio", lutShow, "--look", "nope"}, 1, []string{"nope", "shot_grade"}},
		{"input without config", []string{"--input-cs", "ACEScg"}, 2, []string{"--ocio"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, code, stderr := export("bad.mov", tc.args...)
			t.Log(strings.TrimSpace(stderr))
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != tc.code || (tc.code == 1 && len(lines) != 1) {
				t.Errorf("exit %d, stderr %q; want exit %d and one line", code, stderr, tc.code)
			}
			for _, s := range tc.says {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr %q does not say %q", stderr, s)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.mov")); err == nil {
		t.Error("a failed export left a movie")
	}
}
