package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flick/engine/cryptomatte"
	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// readChannel reads one channel of an EXR written by flick matte (or a
// reference) as float32, bit for bit, with the file's windows.
func readChannel(t *testing.T, path, channel string) (pix []float32, data, display exr.Box) {
	t.Helper()
	f, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sel := exr.Selection{Names: [4]string{channel}}
	data, err = f.Window(sel)
	if err != nil {
		t.Fatal(err)
	}
	rgba := make([]float32, 4*data.Width()*data.Height())
	if err := f.DecodeFloat(rgba, data, sel, 0, f.Chunks()); err != nil {
		t.Fatal(err)
	}
	if h := f.Header(); len(h.Channels) != 1 || h.Channels[0].Name != channel || h.Channels[0].Type != exr.Float {
		t.Fatalf("%s: channels %v, want one FLOAT %s", path, h.Channels, channel)
	}
	pix = make([]float32, data.Width()*data.Height())
	for i := range pix {
		pix[i] = rgba[4*i]
	}
	return pix, data, f.Header().DisplayWindow
}

// sameFloats compares two mattes float for float (tolerance 0, as
// cryptomatte-api's own test does).
func sameFloats(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d pixels, want %d", what, len(got), len(want))
		return
	}
	diff, first := 0, -1
	for i := range got {
		if got[i] != want[i] {
			if diff++; first < 0 {
				first = i
			}
		}
	}
	if diff > 0 {
		t.Errorf("%s: %d pixels differ, the first at %d: %g, want %g", what, diff, first, got[first], want[first])
	}
}

// TestMatteReferences: `flick matte` reproduces every reference matte of
// cryptomatte-api for the Arnold and Karma files (their manifests in the
// header or in sidecars), float for float: for each manifest name, the
// written Y channel equals reference/<renderer>/crypto_<layer>_<name>.exr
// (/ \ : and newline as _), with the source's windows.
func TestMatteReferences(t *testing.T) {
	dir := shared.Dir(t, "cryptomatte")
	images, refs := filepath.Join(dir, "cryptomatte-api", "images"), filepath.Join(dir, "cryptomatte-api", "reference")
	out := t.TempDir()
	used := map[string]bool{}
	for _, tc := range []struct{ file, ref string }{
		{"arnold_three_crypto.exr", "arnold"},
		{"arnold_one_crypto_sidecar_manif.exr", "arnold"},
		{"karma_cpu_solaris_one_crypto.exr", "hou_karma_cpu"},
		{"karma_cpu_solaris_one_crypto_sidecar_manif.exr", "hou_karma_cpu"},
		{"karma_xpu_solaris_one_crypto.exr", "hou_karma_xpu"},
		{"karma_xpu_solaris_one_crypto_sidecar_manif.exr", "hou_karma_xpu"},
	} {
		src := filepath.Join(images, tc.file)
		code, stdout, stderr := runFlick(t, "info", "--json", src)
		if code != 0 {
			t.Fatalf("info %s: exit %d: %s", tc.file, code, stderr)
		}
		var info struct {
			Cryptomattes []struct {
				Name     string `json:"name"`
				Manifest string `json:"manifest_source"`
			} `json:"cryptomattes"`
		}
		if err := json.Unmarshal([]byte(stdout), &info); err != nil {
			t.Fatal(err)
		}
		checked := 0
		for _, c := range info.Cryptomattes {
			f, err := exr.Open(src)
			if err != nil {
				t.Fatal(err)
			}
			all, err := cryptomatte.List(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			var manifest *cryptomatte.Manifest
			for _, d := range all {
				if d.Name == c.Name {
					manifest = d.Manifest
				}
			}
			// cryptomatte-api names its references crypto_object for
			// Karma's CryptoObject too.
			kind := strings.ToLower(strings.ReplaceAll(c.Name, "_", ""))
			for name := range manifest.All() {
				file := strings.NewReplacer("/", "_", `\`, "_", ":", "_", "\n", "_").Replace(name)
				ref := filepath.Join(refs, tc.ref, "crypto_"+strings.TrimPrefix(kind, "crypto")+"_"+file+".exr")
				if _, err := os.Stat(ref); err != nil {
					if kind != "cryptoasset" { // Arnold's asset manifest is {}: no reference
						t.Errorf("%s %s %q: no reference %s", tc.file, c.Name, name, ref)
					}
					continue
				}
				used[ref] = true
				dst := filepath.Join(out, fmt.Sprintf("%s.%s.%d.exr", tc.file, c.Name, checked))
				code, _, stderr := runFlick(t, "matte", src, "--layer", c.Name, "--names", cryptomatte.FormatList([]string{name}), "-o", dst)
				if code != 0 {
					t.Errorf("matte %s %s %q: exit %d: %s", tc.file, c.Name, name, code, stderr)
					continue
				}
				got, data, display := readChannel(t, dst, "Y")
				want, wantData, wantDisplay := readChannel(t, ref, "Y")
				if data != wantData || display != wantDisplay {
					t.Errorf("%s: windows %v %v, want %v %v", dst, data, display, wantData, wantDisplay)
				}
				sameFloats(t, fmt.Sprintf("%s %s %q", tc.file, c.Name, name), got, want)
				checked++
			}
		}
		if checked == 0 {
			t.Errorf("%s: no reference checked (%s)", tc.file, stdout)
		}
	}
	// The one reference no manifest names: crypto_object_cdcdcdcd.exr, the
	// matte of a name the file does not hold, is empty; flick matte
	// refuses such a list (exit 2) rather than write an empty matte.
	ref := filepath.Join(refs, "arnold", "crypto_object_cdcdcdcd.exr")
	want, _, _ := readChannel(t, ref, "Y")
	for i, v := range want {
		if v != 0 {
			t.Fatalf("%s: pixel %d is %g", ref, i, v)
		}
	}
	code, _, stderr := runFlick(t, "matte", filepath.Join(images, "arnold_three_crypto.exr"), "--layer", "crypto_object", "--names", "cdcdcdcd", "-o", filepath.Join(out, "none.exr"))
	if code != 2 || !strings.Contains(stderr, `no name of --names is in the manifest of "crypto_object": cdcdcdcd`) {
		t.Errorf("an unknown name: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "none.exr")); err == nil {
		t.Error("an unknown name wrote a matte")
	}
	used[ref] = true
	for _, r := range []string{"arnold", "hou_karma_cpu", "hou_karma_xpu"} {
		all, _ := filepath.Glob(filepath.Join(refs, r, "*.exr"))
		for _, ref := range all {
			if !used[ref] {
				t.Errorf("reference %s not checked", ref)
			}
		}
	}
}

// TestMatteGafferKeyed: the matte of Gaffer's five names (a /GAFFERBOT
// path per part and /cow1; the manifest from the sidecar) equals channel A
// of gaffer/cryptomatteKeyed.exr, Nuke's keyed result, float for float.
func TestMatteGafferKeyed(t *testing.T) {
	src := shared.File(t, "cryptomatte", "gaffer/cryptomatte.exr")
	keyed := shared.File(t, "cryptomatte", "gaffer/cryptomatteKeyed.exr")
	names := []string{
		"/GAFFERBOT/C_torso_GRP/C_head_GRP/C_head_CPT/L_ear001_REN",
		"/GAFFERBOT/C_torso_GRP/C_torso_CPT/C_torso002_REN",
		"/GAFFERBOT/C_torso_GRP/R_armUpper_GRP/R_armLower_GRP/R_clawBottom_GRP/R_clawBottom_CPT/R_clawBottom001_REN",
		"/GAFFERBOT/C_torso_GRP/R_legUpper_GRP/R_legLower_GRP/R_foot_GRP/R_foot_CPT/R_foot002_REN",
		"/cow1",
	}
	dst := filepath.Join(t.TempDir(), "keyed.exr")
	code, stdout, stderr := runFlick(t, "matte", src, "--layer", "crypto_object", "--names", strings.Join(names, ", "), "-o", dst)
	if code != 0 || stderr != "" || stdout != dst+"\n" {
		t.Fatalf("exit %d: %q %q", code, stdout, stderr)
	}
	got, _, _ := readChannel(t, dst, "Y")
	want, _, _ := readChannel(t, keyed, "A")
	sameFloats(t, "keyed", got, want)
}

// TestMatteSequence: over the CornellBox pair (data window 626x540 at
// 167,0 in 960x540) each frame's matte comes from its own manifest: frame
// 1 lists sphere_?_2, frame 2 sphere_*_1 (wildcards literal), so each
// frame's matte is of its own sphere, and a warning names the frame that
// lacks each name.
func TestMatteSequence(t *testing.T) {
	src := shared.File(t, "cryptomatte", "psyop/cornellBox_CryptoWildcard.0001.exr")
	out := t.TempDir()
	pattern := filepath.Join(out, "matte.####.exr")
	code, stdout, stderr := runFlick(t, "matte", src, "1-2", "--layer", "uCryptoWildcard", "--names", "sphere_?_2, sphere_*_1", "-o", pattern)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	one, two := filepath.Join(out, "matte.0001.exr"), filepath.Join(out, "matte.0002.exr")
	if stdout != one+"\n"+two+"\n" {
		t.Errorf("stdout %q", stdout)
	}
	// A range past the files: the missing frame is named, the others written.
	other := filepath.Join(t.TempDir(), "m.#.exr")
	code3, stdout3, stderr3 := runFlick(t, "matte", src, "1-3", "--layer", "uCryptoWildcard", "--names", "sphere_?_2", "-o", other)
	if want := strings.ReplaceAll(other, "#", "1") + "\n" + strings.ReplaceAll(other, "#", "2") + "\n"; code3 != 0 || stdout3 != want || !strings.Contains(stderr3, "missing frames 3: no matte for them") {
		t.Errorf("1-3: exit %d, %q, %q; want %q", code3, stdout3, stderr3, want)
	}
	for _, w := range []string{`"sphere_?_2" is not in the manifest of "uCryptoWildcard" in 1 of 2 frames (2)`, `"sphere_*_1" is not in the manifest of "uCryptoWildcard" in 1 of 2 frames (1)`} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q: %s", w, stderr)
		}
	}
	for _, tc := range []struct {
		path, name string
		x, y       int // a pixel the frame's sphere covers fully (oracles.json)
	}{{one, "sphere_?_2", 366, 308}, {two, "sphere_*_1", 575, 82}} {
		both, data, display := readChannel(t, tc.path, "Y")
		if data != (exr.Box{MinX: 167, MaxX: 792, MaxY: 539}) || display != (exr.Box{MaxX: 959, MaxY: 539}) {
			t.Errorf("%s: windows %v %v", tc.path, data, display)
		}
		alone := filepath.Join(out, "alone.exr")
		frame := strings.TrimSuffix(filepath.Base(tc.path), ".exr")[len("matte."):]
		if code, _, stderr := runFlick(t, "matte", src, frame, "--layer", "uCryptoWildcard", "--names", tc.name, "-o", alone); code != 0 {
			t.Fatalf("%s alone: exit %d: %s", tc.name, code, stderr)
		}
		own, _, _ := readChannel(t, alone, "Y")
		sameFloats(t, tc.path, both, own)
		if v := both[tc.y*data.Width()+tc.x-data.MinX]; math.Abs(float64(v)-1) > 1e-6 { // six ranks' coverage summed in float32
			t.Errorf("%s: matte at (%d, %d) = %g, want 1", tc.path, tc.x, tc.y, v)
		}
	}
}

// TestMatteRefusals: a HALF cryptomatte is refused with why (exit 1); an
// unknown layer names the file's cryptomattes (exit 2); one -o file for
// two frames, a missing --layer and a malformed list are usage errors;
// nothing is written. --help shows the usage.
func TestMatteRefusals(t *testing.T) {
	out := t.TempDir()
	dst := filepath.Join(out, "m.exr")
	half := shared.File(t, "cryptomatte", "cryptomatte-api/images/karma_cpu_solaris_one_crypto_16bit.exr")
	arnold := shared.File(t, "cryptomatte", "cryptomatte-api/images/arnold_three_crypto.exr")
	cornell := shared.File(t, "cryptomatte", "psyop/cornellBox_CryptoWildcard.0001.exr")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{half, "--layer", "CryptoObject", "--names", "/cube1"}, 1, `cryptomatte "CryptoObject" (part 0): its IDs are not stored as 32-bit FLOAT (CryptoObject00.R is half`},
		{[]string{arnold, "--layer", "crypto_objects", "--names", "Box001"}, 2, `has no cryptomatte "crypto_objects" (it has: crypto_asset, crypto_material, crypto_object)`},
		{[]string{cornell, "1-2", "--layer", "uCryptoWildcard", "--names", "has_n_asterisk"}, 2, "names one file for 2 frames"},
		{[]string{arnold, "--names", "Box001"}, 2, "matte needs --layer NAME"},
		{[]string{arnold, "--layer", "crypto_object", "--names", `"Box001`}, 2, "unclosed quote"},
	} {
		code, _, stderr := runFlick(t, append([]string{"matte", "-o", dst}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
	if entries, _ := os.ReadDir(out); len(entries) > 0 {
		t.Errorf("refusals wrote %v", entries)
	}
	if code, stdout, _ := runFlick(t, "matte", "--help"); code != 0 || !strings.Contains(stdout, "--layer NAME") || !strings.Contains(stdout, "OUT.####.exr") {
		t.Errorf("matte --help: exit %d: %s", code, stdout)
	}
	if code, stdout, _ := runFlick(t, "--help"); code != 0 || !strings.Contains(stdout, "flick matte PATH [RANGE] --layer NAME --names LIST") {
		t.Errorf("--help lacks flick matte: %s", stdout)
	}
}

// TestInfoCryptomattes: flick info lists each cryptomatte (name, ranks,
// manifest source and size, names), text and JSON, the sidecar's path
// and the HALF file's refusal included.
func TestInfoCryptomattes(t *testing.T) {
	gaffer := shared.File(t, "cryptomatte", "gaffer/cryptomatte.exr")
	code, stdout, stderr := runFlick(t, "info", gaffer)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	side := filepath.Join(filepath.Dir(gaffer), "crypto_object.json")
	st, err := os.Stat(side)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("crypto     crypto_object (part 0, key f834d0a): 6 ranks, manifest %s (%d bytes, 183 names)\n", side, st.Size())
	if !strings.Contains(stdout, want) || !strings.Contains(stdout, "crypto     crypto_material (part 0, key bda530a): 6 ranks, manifest ") {
		t.Errorf("info lacks %q:\n%s", want, stdout)
	}
	code, stdout, _ = runFlick(t, "info", "--json", shared.File(t, "cryptomatte", "psyop/debug_images/multichannel.exr"))
	var info struct {
		Cryptomattes []struct {
			Part           int    `json:"part"`
			Key            string `json:"key"`
			Name           string `json:"name"`
			Ranks          []struct{ ID, Coverage string }
			ManifestSource string `json:"manifest_source"`
			ManifestBytes  int    `json:"manifest_bytes"`
			Names          int    `json:"names"`
			Error          string `json:"error"`
		} `json:"cryptomattes"`
	}
	if err := json.Unmarshal([]byte(stdout), &info); code != 0 || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	var got []string
	for _, c := range info.Cryptomattes {
		got = append(got, fmt.Sprintf("%s %s %d %s %s %d %d %q", c.Name, c.Key, len(c.Ranks), c.Ranks[5].ID, c.ManifestSource, c.ManifestBytes, c.Names, c.Error))
	}
	if want := []string{
		`crypto_asset 28322e9 6 crypto_asset02.B header 53 2 ""`,
		`crypto_material bda530a 6 crypto_material02.B header 183 4 ""`,
		`crypto_object f834d0a 6 crypto_object02.B header 17783 407 ""`,
	}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cryptomattes:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	code, stdout, _ = runFlick(t, "info", shared.File(t, "cryptomatte", "cryptomatte-api/images/karma_cpu_solaris_one_crypto_16bit.exr"))
	if code != 0 || !strings.Contains(stdout, "  unusable its IDs are not stored as 32-bit FLOAT (CryptoObject00.R is half, ") {
		t.Errorf("the HALF file: exit %d:\n%s", code, stdout)
	}
}
