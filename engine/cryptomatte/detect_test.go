package cryptomatte

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// oracle is one file of oracles.json: per cryptomatte what its header and
// pixels hold, computed by an EXR reader that is not flick's.
type oracle struct {
	Origin [2]int `json:"data_window_origin"`
	Size   [2]int `json:"size"`
	Layers []struct {
		Name          string   `json:"name"`
		Key           string   `json:"key"`
		Ranks         int      `json:"ranks"`
		IDChannels    []string `json:"id_channels"`
		ManifestFrom  string   `json:"manifest_from"`
		ManifestNames int      `json:"manifest_names"`
		Objects       []struct {
			ID     string  `json:"id_hex"`
			Name   *string `json:"name"`
			Sum    float64 `json:"matte_sum"`
			Pixels int     `json:"pixels_nonzero"`
			Peak   [2]int  `json:"peak_pixel_xy"`
			AtPeak float32 `json:"matte_at_peak"`
			Pick   string  `json:"pick_at_peak"`
		} `json:"objects"`
	} `json:"layers"`
}

func oracles(t *testing.T) (dir string, files map[string]oracle) {
	dir = shared.Dir(t, "cryptomatte")
	readJSON(t, filepath.Join(dir, "oracles.json"), &files)
	if len(files) < 10 {
		t.Fatalf("oracles.json lists %d files", len(files))
	}
	return dir, files
}

// detect opens path and returns its cryptomattes (all parts) by name.
func detect(t *testing.T, path string) (*exr.File, map[string]*Cryptomatte) {
	t.Helper()
	f, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	all, err := List(f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*Cryptomatte{}
	for _, c := range all {
		out[c.Name] = &c
	}
	return f, out
}

// TestDetect: every cryptomatte of every file in oracles.json is found with
// its key, its ranks' ID channels (R/B, red/blue names), its manifest's
// source and number of names; none has an error.
func TestDetect(t *testing.T) {
	dir, files := oracles(t)
	for file, o := range files {
		path := filepath.Join(dir, file)
		_, found := detect(t, path)
		if len(found) != len(o.Layers) {
			t.Errorf("%s: %d cryptomattes, want %d", file, len(found), len(o.Layers))
		}
		for _, l := range o.Layers {
			c := found[l.Name]
			if c == nil {
				t.Errorf("%s: no cryptomatte %q", file, l.Name)
				continue
			}
			if c.Error != "" {
				t.Errorf("%s %s: %s", file, l.Name, c.Error)
			}
			var ids []string
			for _, r := range c.Ranks {
				ids = append(ids, r.ID)
			}
			if c.Key != l.Key || len(c.Ranks) != l.Ranks || strings.Join(ids, " ") != strings.Join(l.IDChannels, " ") {
				t.Errorf("%s %s: key %s, ranks %q; want %s, %q", file, l.Name, c.Key, ids, l.Key, l.IDChannels)
			}
			want := "header"
			if side, ok := strings.CutPrefix(l.ManifestFrom, "manif_file:"); ok {
				want = filepath.Join(filepath.Dir(path), side)
			}
			if c.ManifestSource != want || c.Names != l.ManifestNames || c.Manifest.Len() != l.ManifestNames {
				t.Errorf("%s %s: manifest %s with %d names, want %s with %d", file, l.Name, c.ManifestSource, c.Names, want, l.ManifestNames)
			}
			// Every name of the manifest hashes to its ID.
			for name, id := range c.Manifest.All() {
				if ID(name) != id {
					t.Errorf("%s %s: %q is %08x in the manifest, hashes to %08x", file, l.Name, name, id, ID(name))
				}
			}
			// The key is the first 7 hex digits of the name's ID where the
			// renderer followed the convention (Clarisse numbers them).
			if _, err := strconv.ParseUint(c.Key, 16, 32); err == nil && len(c.Key) == 7 && c.Key != strconv.FormatUint(uint64(ID(c.Name)), 16)[:7] {
				t.Errorf("%s %s: key %s is not the name's hash", file, l.Name, c.Key)
			}
		}
	}
}

// TestHalfRefused: Karma's 16-bit file stores the rank channels as HALF:
// Detect lists it with an error saying so, and Decode refuses it.
func TestHalfRefused(t *testing.T) {
	f, found := detect(t, shared.File(t, "cryptomatte", "cryptomatte-api/images/karma_cpu_solaris_one_crypto_16bit.exr"))
	c := found["CryptoObject"]
	if c == nil {
		t.Fatalf("no CryptoObject: %v", found)
	}
	if c.Names != 3 || len(c.Ranks) != 6 {
		t.Errorf("%d names, %d ranks; want 3 and 6", c.Names, len(c.Ranks))
	}
	if !strings.Contains(c.Error, "CryptoObject00.R is half") || !strings.Contains(c.Error, "32-bit FLOAT") {
		t.Errorf("Error = %q", c.Error)
	}
	fr, err := Decode(f, c)
	if fr != nil || err == nil || !strings.Contains(err.Error(), `cryptomatte "CryptoObject"`) || !strings.Contains(err.Error(), "destroyed") {
		t.Errorf("Decode = %v, %v; want a refusal", fr, err)
	}
}

// near says whether a sum of float32 mattes matches the oracle's, which
// it rounds to 4 decimals.
func near(got float64, want float64) bool { return math.Abs(got-want) <= 1e-4+1e-6*math.Abs(want) }

// TestManifestSources: Gaffer's file copied without its sidecars falls
// back to the 13,222-byte header manifest, with the same names; without
// either, or with a header manifest Parts cut, the cryptomatte says why.
func TestManifestSources(t *testing.T) {
	src := shared.File(t, "cryptomatte", "gaffer/cryptomatte.exr")
	_, withSidecar := detect(t, src)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(t.TempDir(), "cryptomatte.exr")
	if err := os.WriteFile(alone, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, header := detect(t, alone)
	c := header["crypto_object"]
	if c.ManifestSource != "header" || c.ManifestBytes != 13222 || c.Names != 183 || c.Error != "" {
		t.Errorf("without the sidecar: %s, %d bytes, %d names, %q", c.ManifestSource, c.ManifestBytes, c.Names, c.Error)
	}
	for name, id := range withSidecar["crypto_object"].Manifest.All() {
		if got, ok := c.Manifest.ID(name); !ok || got != id {
			t.Errorf("%q: %08x in the sidecar, %08x (%v) in the header", name, id, got, ok)
		}
	}
	parts, err := f.Parts()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		edit func(a *exr.Attribute) bool // false drops the attribute
		want string
	}{
		{func(a *exr.Attribute) bool { return a.Name != "cryptomatte/f834d0a/manifest" }, "its manifest file " + filepath.Join(filepath.Dir(alone), "crypto_object.json") + " is missing"},
		{func(a *exr.Attribute) bool {
			if a.Name == "cryptomatte/f834d0a/manifest" {
				a.Cut, a.Size = true, 20<<20
			}
			return true
		}, "its manifest attribute holds 20971520 bytes, more than flick reads"},
	} {
		p := parts[0]
		p.Attributes = nil
		for _, a := range parts[0].Attributes {
			if tc.edit(&a) {
				p.Attributes = append(p.Attributes, a)
			}
		}
		for _, c := range Detect(alone, p) {
			if c.Name == "crypto_object" && (c.Manifest != nil || !strings.Contains(c.Error, tc.want)) {
				t.Errorf("Error = %q, want %q", c.Error, tc.want)
			}
		}
	}
}
