package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flick/engine/exr/shared"
)

// TestInfoOCIO: flick info lists the config of --ocio, else of $OCIO, as
// the configs' text and ../shared/ocio's README describe them, and fails
// with one line naming a bad config.
func TestInfoOCIO(t *testing.T) {
	acesCG := shared.File(t, "ocio", "aces-cg/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
	lutShow := shared.File(t, "ocio", "lut-show/config.ocio")
	newer := shared.File(t, "ocio", "newer-profile/cg-config-v2.1.0_aces-v1.3_ocio-v2.3.ocio")
	t.Setenv("OCIO", "")
	check := func(out string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q:\n%s", w, out)
			}
		}
	}
	code, out, stderr := runFlick(t, "info", "--ocio", acesCG)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	check(out, "config     "+acesCG+" (from --ocio)\n", "profile    2.1 (OpenColorIO 2.1.",
		"display    sRGB - Display (default): ACES 1.0 - SDR Video (default), Un-tone-mapped, Raw\n",
		"display    P3-D65 - Display: ", "looks      ACES 1.3 Reference Gamut Compression\n",
		"role       scene_linear: ACEScg\n", "space      ACEScg (family ACES; scene-linear; aliases ACES - ACEScg, lin_ap1)\n")
	if stderr != "" {
		t.Errorf("stderr: %q (OpenColorIO's warnings go to its log function)", stderr)
	}

	t.Setenv("OCIO", lutShow)
	code, out, stderr = runFlick(t, "info")
	if code != 0 {
		t.Fatalf("$OCIO: exit %d: %s", code, stderr)
	}
	check(out, "config     "+lutShow+" (from $OCIO)\n", "display    sRGB (default): Show LUT (default), Show LUT + grade, Raw\n",
		"looks      shot_grade\n", "space      Raw (data)\n")
	code, out, _ = runFlick(t, "info", "--ocio", "ocio://default")
	if code != 0 {
		t.Fatalf("--ocio over $OCIO: exit %d", code)
	}
	check(out, "config     ACES 1.3 CG (built-in), ocio://default (from --ocio)\n", "display    Rec.2100-PQ - Display: ")

	beach := shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr")
	code, out, stderr = runFlick(t, "info", beach, "--ocio", acesCG)
	if code != 0 {
		t.Fatalf("a sequence and --ocio: exit %d: %s", code, stderr)
	}
	check(out, "singlepart.1-8#.exr", "\nconfig     "+acesCG, "\ninput      "+filepath.Dir(beach)+"/singlepart.####.exr: ACEScg — scene_linear role\n")

	// The input colour space of each sequence in a folder and why: a file
	// rule, the scene_linear role, the user's pick in settings.
	dir := t.TempDir()
	frame, err := os.ReadFile(beach)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"shot.0001.exr", "shot_plate.0001.exr", "cg.0001.exr"} {
		if err := os.WriteFile(filepath.Join(dir, name), frame, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "flick"), 0o755); err != nil {
		t.Fatal(err)
	}
	picks := `{"ocio_input_picks": {"` + filepath.Join(dir, "cg.####.exr") + `": "color_timing"}}`
	if err := os.WriteFile(filepath.Join(home, "flick", "settings.json"), []byte(picks), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runFlickEnv(t, []string{"XDG_CONFIG_HOME=" + home}, "info", dir, "--ocio", lutShow)
	if code != 0 {
		t.Fatalf("a folder and --ocio: exit %d: %s", code, stderr)
	}
	check(out, "input      "+filepath.Join(dir, "shot.####.exr")+": ACEScg — scene_linear role\n",
		"input      "+filepath.Join(dir, "shot_plate.####.exr")+": ACES2065-1 — file rule Plates\n",
		"input      "+filepath.Join(dir, "cg.####.exr")+": ACEScct — your pick for this sequence\n")

	code, _, stderr = runFlick(t, "info", "--ocio", newer)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, newer) ||
		!strings.Contains(stderr, "needs OpenColorIO 2.3") || !strings.Contains(stderr, "this build has OpenColorIO 2.1") {
		t.Errorf("a profile 2.3 config: exit %d, %q", code, stderr)
	}
	code, _, stderr = runFlick(t, "info", "--ocio", newer+".missing")
	if code != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("a missing config: exit %d, %q", code, stderr)
	}
	code, _, stderr = runFlick(t, "info", "--json", "--ocio", acesCG)
	if code != 2 {
		t.Errorf("--json with --ocio: exit %d, %q", code, stderr)
	}
}
