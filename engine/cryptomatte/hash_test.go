package cryptomatte

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"flick/engine/exr/shared"
)

// TestHashVectors: every vector of hash_vectors.json (published values
// from the Psyop specification and tests and Gaffer's test, and the empty
// name, whose hash 0 needs the exponent fix) gives its ID, as hex bits
// and as the float.
func TestHashVectors(t *testing.T) {
	var vectors []struct {
		Name  string `json:"name"`
		UTF8  string `json:"utf8_hex"`
		ID    string `json:"id_hex"`
		Float string `json:"id_float"`
	}
	readJSON(t, shared.File(t, "cryptomatte", "hash_vectors.json"), &vectors)
	if len(vectors) < 10 {
		t.Fatalf("%d vectors", len(vectors))
	}
	for _, v := range vectors {
		if got := hex.EncodeToString([]byte(v.Name)); got != v.UTF8 {
			t.Errorf("%q: UTF-8 %s, want %s", v.Name, got, v.UTF8)
		}
		want, err := strconv.ParseUint(v.ID, 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		if got := ID(v.Name); got != uint32(want) {
			t.Errorf("ID(%q) = %08x, want %s", v.Name, got, v.ID)
		}
		f, err := strconv.ParseFloat(v.Float, 32)
		if err != nil {
			t.Fatal(err)
		}
		if got := Float(ID(v.Name)); got != float32(f) {
			t.Errorf("Float(ID(%q)) = %g, want %s", v.Name, got, v.Float)
		}
	}
}

// TestHashManifest: each of the 32,166 names of Psyop's bunny object
// manifest hashes to the ID it lists.
func TestHashManifest(t *testing.T) {
	data, err := os.ReadFile(shared.File(t, "cryptomatte", "psyop/sidecar_manifest/bunny_CryptoObject_manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 32166 {
		t.Fatalf("%d names, want 32166", m.Len())
	}
	bad := 0
	for name, id := range m.All() {
		if got := ID(name); got != id {
			if bad++; bad <= 5 {
				t.Errorf("ID(%q) = %08x, the manifest says %08x", name, got, id)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d names hash to another ID", bad)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
