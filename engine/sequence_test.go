package engine

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func touch(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "shot.1001.exr", "shot.1002.exr", "shot.1004.exr", "shot.1003.txt",
		"plate.v2.0001.exr", "other.10.EXR", "single.exr")
	for _, tc := range []struct {
		arg     string
		frames  []int
		missing []int
		str     string
		path0   string
	}{
		{"shot.1002.exr", []int{1001, 1002, 1004}, []int{1003}, "shot.1001-1004#.exr", "shot.1001.exr"},
		{"shot.####.exr", []int{1001, 1002, 1004}, []int{1003}, "shot.1001-1004#.exr", "shot.1001.exr"},
		{"shot.#.exr", []int{1001, 1002, 1004}, []int{1003}, "shot.1001-1004#.exr", "shot.1001.exr"},
		{"shot.%04d.exr", []int{1001, 1002, 1004}, []int{1003}, "shot.1001-1004#.exr", "shot.1001.exr"},
		{"shot.@@@@.exr", []int{1001, 1002, 1004}, []int{1003}, "shot.1001-1004#.exr", "shot.1001.exr"},
		{"plate.v2.0001.exr", []int{1}, nil, "plate.v2.0001.exr", "plate.v2.0001.exr"},
		{"other.10.EXR", []int{10}, nil, "other.10.EXR", "other.10.EXR"},
		{"single.exr", []int{0}, nil, "single.exr", "single.exr"},
		{"", []int{1001, 1002, 1004}, []int{1003}, "shot.1001-1004#.exr", "shot.1001.exr"}, // the folder
	} {
		t.Run(tc.arg, func(t *testing.T) {
			s, err := Find(filepath.Join(dir, tc.arg))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Frames, tc.frames) || !slices.Equal(s.Missing(), tc.missing) {
				t.Errorf("frames %v missing %v, want %v and %v", s.Frames, s.Missing(), tc.frames, tc.missing)
			}
			if s.String() != tc.str {
				t.Errorf("String() = %q, want %q", s.String(), tc.str)
			}
			if got := s.Path(s.First()); got != filepath.Join(dir, tc.path0) {
				t.Errorf("Path(first) = %q, want %q", got, filepath.Join(dir, tc.path0))
			}
			if s.Path(-7) != "" {
				t.Error("Path of an absent frame is not empty")
			}
		})
	}
}

func TestFindPadding(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "a.98.exr", "a.99.exr", "a.100.exr", "b.001.exr", "b.002.exr")
	s, err := Find(filepath.Join(dir, "a.99.exr"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Frames, []int{98, 99, 100}) || s.String() != "a.98-100@@.exr" {
		t.Errorf("unpadded: frames %v, %q", s.Frames, s)
	}
	s, err = Find(filepath.Join(dir, "b.###.exr"))
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "b.1-2@@@.exr" || s.Path(2) != filepath.Join(dir, "b.002.exr") {
		t.Errorf("3-digit padding: %q, %q", s, s.Path(2))
	}
}

func TestFindErrors(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "notes.txt")
	if _, err := Find(filepath.Join(dir, "missing.exr")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want not-exist", err)
	}
	if _, err := Find(dir); !errors.Is(err, ErrNoEXR) {
		t.Errorf("folder without EXR: %v, want ErrNoEXR", err)
	}
	if _, err := Find(filepath.Join(dir, "shot.####.exr")); err == nil {
		t.Error("pattern with no files: no error")
	}
	if _, err := Find(filepath.Join(dir, "nodir", "shot.####.exr")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("pattern in a missing folder: %v, want not-exist", err)
	}
}
