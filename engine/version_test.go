package engine

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestVersions: shot_v001, v002, v003 and v005 sequences in one folder
// (v004 only a text file), and version folders v001, v002, v003 and v010
// (an empty v004 folder) holding shot_v###.####.exr: the versions on disk
// are listed in order, stepping skips numbers with no sequence, every
// occurrence changes together with its padding, and a folder that only
// looks like a version (v1, above them) is left alone.
func TestVersions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "v1")
	flat, nested := filepath.Join(root, "flat"), filepath.Join(root, "nested")
	for _, v := range []string{"001", "002", "003", "005"} {
		writeMkdir(t, flat)
		writeFrames(t, flat, "shot_v"+v, 1001, 1002)
	}
	if err := os.WriteFile(filepath.Join(flat, "shot_v004_notes.txt"), []byte("no frames"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"001", "002", "003", "010"} {
		dir := filepath.Join(nested, "v"+v)
		writeMkdir(t, dir)
		writeFrames(t, dir, "shot_v"+v, 1001, 1002)
	}
	writeMkdir(t, filepath.Join(nested, "v004"))

	flatAt := func(v string) string { return filepath.Join(flat, "shot_v"+v+".####.exr") }
	nestedAt := func(v string) string { return filepath.Join(nested, "v"+v, "shot_v"+v+".####.exr") }
	for _, tc := range []struct {
		path string
		want []int
	}{
		{flatAt("002"), []int{1, 2, 3, 5}},
		{nestedAt("002"), []int{1, 2, 3, 10}},
		{filepath.Join(nested, "v003", "shot_v003.1001.exr"), []int{1, 2, 3, 10}},
	} {
		vs, err := Versions(tc.path)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		var got []int
		for _, v := range vs {
			got = append(got, v.Number)
			if _, err := Find(v.Path); err != nil || strings.Count(v.Path, "v1/") != 1 {
				t.Errorf("version %d at %s: %v", v.Number, v.Path, err)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: versions %v, want %v", tc.path, got, tc.want)
		}
	}

	for _, tc := range []struct {
		path string
		step int
		want string // "" for no version that way
	}{
		{flatAt("002"), 1, flatAt("003")},
		{flatAt("003"), 1, flatAt("005")}, // v004 has no sequence
		{flatAt("002"), 2, flatAt("005")},
		{flatAt("002"), -1, flatAt("001")},
		{flatAt("001"), -1, ""},
		{flatAt("005"), 1, ""},
		{flatAt("004"), 1, flatAt("005")}, // from a version not on disk
		{flatAt("004"), -1, flatAt("003")},
		{nestedAt("001"), 1, nestedAt("002")},
		{nestedAt("003"), 1, nestedAt("010")}, // the empty v004 folder is skipped
		{nestedAt("010"), -3, nestedAt("001")},
		{filepath.Join(nested, "v003", "shot_v003.1002.exr"), -1, filepath.Join(nested, "v002", "shot_v002.1002.exr")},
	} {
		got, err := StepVersion(tc.path, tc.step)
		switch {
		case tc.want == "" && !errors.Is(err, ErrNoVersion):
			t.Errorf("%s step %d: %q, %v; want ErrNoVersion", tc.path, tc.step, got, err)
		case tc.want != "" && (err != nil || got != tc.want):
			t.Errorf("%s step %d: %q, %v; want %q", tc.path, tc.step, got, err, tc.want)
		}
	}

	plain := t.TempDir()
	writeFrames(t, plain, "plate", 1001)
	if _, err := StepVersion(filepath.Join(plain, "plate.####.exr"), 1); err == nil || !strings.Contains(err.Error(), "no version number") {
		t.Errorf("a path with no version: %v", err)
	}
}

func writeMkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
}
