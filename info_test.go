package main

import (
	"bytes"
	le "encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
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

// TestInfoUncut: flick info --json gives Cryptomatte manifests of 13 and 17
// KB whole, byte for byte as the file stores them, in valid JSON; text and
// JSON list a layer's channels red, green, blue, alpha.
func TestInfoUncut(t *testing.T) {
	for _, tc := range []struct {
		file, attr string
		size       int
	}{
		{"gaffer/cryptomatte.exr", "cryptomatte/f834d0a/manifest", 13222},
		{"psyop/debug_images/multichannel.exr", "cryptomatte/f834d0a/manifest", 17783},
	} {
		path := shared.File(t, "cryptomatte", tc.file)
		code, out, stderr := runFlick(t, "info", "--json", path)
		if code != 0 || !json.Valid([]byte(out)) {
			t.Fatalf("%s: exit %d, valid JSON %v: %s", tc.file, code, json.Valid([]byte(out)), stderr)
		}
		info := infoJSON(t, out)
		want := headerString(t, path, tc.attr)
		i := slices.IndexFunc(info.Parts[0].Attributes, func(a infoAttr) bool { return a.Name == tc.attr })
		if i < 0 {
			t.Fatalf("%s: no attribute %s", tc.file, tc.attr)
		}
		a := info.Parts[0].Attributes[i]
		if got, _ := a.Value.(string); got != want || len(got) != tc.size || a.Cut {
			t.Errorf("%s: %s is %d bytes (cut %v), the file holds %d", tc.file, tc.attr, len(got), a.Cut, len(want))
		}
		if strings.Contains(out, `"cut"`) {
			t.Errorf("%s: an attribute is marked cut", tc.file)
		}
	}

	path := shared.File(t, "cryptomatte", "psyop/debug_images/special_chars.exr")
	code, out, stderr := runFlick(t, "info", path)
	if code != 0 || !strings.Contains(out, "  layer    special_chars00: red green blue alpha, float\n") ||
		!strings.Contains(out, "  layer    special_chars: red green blue, float\n") {
		t.Errorf("exit %d, %s; text lists the layers' channels otherwise:\n%s", code, stderr, out)
	}
	_, out, _ = runFlick(t, "info", "--json", path)
	for _, l := range infoJSON(t, out).Parts[0].Layers {
		if l.Name == "special_chars00" && !slices.Equal(l.Channels, []string{"red", "green", "blue", "alpha"}) {
			t.Errorf("JSON lists special_chars00's channels as %v", l.Channels)
		}
	}
}

// infoAttr is what TestInfoUncut reads of an attribute in flick info's
// JSON.
type infoAttr struct {
	Name  string
	Value any
	Cut   bool
}

// infoJSON parses the layers and attributes of flick info --json's output,
// failing the test unless it has a part.
func infoJSON(t *testing.T, out string) (info struct {
	Parts []struct {
		Layers []struct {
			Name     string
			Channels []string
		}
		Attributes []infoAttr
	}
}) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), &info); err != nil || len(info.Parts) == 0 {
		t.Fatalf("flick info --json: %v:\n%s", err, out)
	}
	return info
}

// headerString reads string attribute name of part 0 straight from the
// bytes of the file at path (magic, version, then name NUL type NUL size
// value, up to an empty name): what the file holds, read without OpenEXR.
func headerString(t *testing.T, path, name string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := 8
	for at < len(data) && data[at] != 0 {
		n := bytes.IndexByte(data[at:], 0)
		attr := string(data[at : at+n])
		at += n + 1
		n = bytes.IndexByte(data[at:], 0)
		typ := string(data[at : at+n])
		at += n + 1
		size := int(le.LittleEndian.Uint32(data[at:]))
		at += 4
		if attr == name && typ == "string" {
			return string(data[at : at+size])
		}
		at += size
	}
	t.Fatalf("%s: no string attribute %s in part 0's header", path, name)
	return ""
}
