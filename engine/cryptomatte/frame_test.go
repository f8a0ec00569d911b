package cryptomatte

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"flick/engine/exr/shared"
)

// TestOracles: for every object of oracles.json (every file, every
// cryptomatte), Decode then Pick at the object's peak pixel gives the
// oracle's pick and the manifest's name for it, Matte of its ID is the
// oracle's value there, and over the whole window its sum and the number
// of pixels it covers are the oracle's. Among them: the Cyrillic name of
// special_chars.exr, names with * ? [ ] in the CornellBox pair, Gaffer's
// /GAFFERBOT paths.
func TestOracles(t *testing.T) {
	dir, files := oracles(t)
	objects := 0
	for file, o := range files {
		f, found := detect(t, filepath.Join(dir, file))
		for _, l := range o.Layers {
			c := found[l.Name]
			if c == nil {
				t.Errorf("%s: no cryptomatte %q", file, l.Name)
				continue
			}
			fr, err := Decode(f, c)
			if err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			if w := fr.Window; w.MinX != o.Origin[0] || w.MinY != o.Origin[1] || w.Width() != o.Size[0] || w.Height() != o.Size[1] {
				t.Errorf("%s: window %v, want %dx%d at %v", file, w, o.Size[0], o.Size[1], o.Origin)
			}
			var matte []float32
			for _, obj := range l.Objects {
				objects++
				id := hexID(t, obj.ID)
				what := fmt.Sprintf("%s %s %s", file, l.Name, obj.ID)
				x, y := obj.Peak[0], obj.Peak[1]
				pick, cov, ok := fr.Pick(x, y)
				if !ok || pick != hexID(t, obj.Pick) {
					t.Errorf("%s: Pick(%d, %d) = %08x (%v), want %s", what, x, y, pick, ok, obj.Pick)
				}
				name, named := c.Manifest.Name(pick)
				if obj.Name != nil && (!named || name != *obj.Name) && obj.Pick == obj.ID {
					t.Errorf("%s: picked %q (%v), want %q", what, name, named, *obj.Name)
				}
				matte = fr.Matte(matte, []uint32{id})
				w := fr.Window
				at := matte[(y-w.MinY)*w.Width()+x-w.MinX]
				if math.Abs(float64(at-obj.AtPeak)) > 1e-6 || (pick == id && cov > at) { // the oracle rounds to 6 decimals
					t.Errorf("%s: matte at (%d, %d) = %g, want %g (coverage picked %g)", what, x, y, at, obj.AtPeak, cov)
				}
				sum, nonzero := 0.0, 0
				for _, v := range matte {
					sum += float64(v)
					if v != 0 {
						nonzero++
					}
				}
				if !near(sum, obj.Sum) || nonzero != obj.Pixels {
					t.Errorf("%s: matte sum %.4f over %d pixels, want %.4f over %d", what, sum, nonzero, obj.Sum, obj.Pixels)
				}
			}
		}
	}
	if objects < 400 {
		t.Errorf("%d objects checked", objects)
	}
}

// TestGafferPicks: Gaffer's own pixel oracles (its test, in EXR's y-down
// coordinates): /cow at (94, 21) and /cow1 at (36, 19), each fully
// covered.
func TestGafferPicks(t *testing.T) {
	f, found := detect(t, shared.File(t, "cryptomatte", "gaffer/cryptomatte.exr"))
	c := found["crypto_object"]
	fr, err := Decode(f, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		x, y int
		name string
	}{{94, 21, "/cow"}, {36, 19, "/cow1"}} {
		id, cov, ok := fr.Pick(tc.x, tc.y)
		name, _ := c.Manifest.Name(id)
		if !ok || name != tc.name || cov != 1 {
			t.Errorf("Pick(%d, %d) = %q (%08x) at %g, want %s at 1", tc.x, tc.y, name, id, cov, tc.name)
		}
	}
	if _, _, ok := fr.Pick(128, 0); ok {
		t.Error("a pick outside the data window")
	}
}

// TestSequenceManifests: each frame of the CornellBox pair has its own
// manifest (frame 1 names sphere_?_2, frame 2 sphere_*_1, in place of each
// other); a pick on the sphere names the frame's own, and the other
// frame's name is not in its manifest.
func TestSequenceManifests(t *testing.T) {
	for _, tc := range []struct {
		frame        int
		x, y         int
		name, absent string
	}{{1, 366, 308, "sphere_?_2", "sphere_*_1"}, {2, 575, 82, "sphere_*_1", "sphere_?_2"}} {
		file := fmt.Sprintf("psyop/cornellBox_CryptoWildcard.%04d.exr", tc.frame)
		f, found := detect(t, shared.File(t, "cryptomatte", file))
		c := found["uCryptoWildcard"]
		if c == nil {
			t.Fatalf("%s: no uCryptoWildcard", file)
		}
		fr, err := Decode(f, c)
		if err != nil {
			t.Fatal(err)
		}
		id, _, _ := fr.Pick(tc.x, tc.y)
		if name, ok := c.Manifest.Name(id); !ok || name != tc.name {
			t.Errorf("frame %d: picked %q, want %q", tc.frame, name, tc.name)
		}
		if _, ok := c.Manifest.ID(tc.absent); ok {
			t.Errorf("frame %d: %q is in its manifest", tc.frame, tc.absent)
		}
		if _, unknown := c.IDs([]string{tc.name, tc.absent}); len(unknown) != 1 || unknown[0] != tc.absent {
			t.Errorf("frame %d: unknown names %q, want [%q]", tc.frame, unknown, tc.absent)
		}
	}
}

func hexID(t *testing.T, s string) uint32 {
	t.Helper()
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(v)
}
