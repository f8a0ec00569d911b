package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

func TestFindRangesStepsNegatives(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "shot.1001.exr", "shot.1002.exr", "shot.1003.exr", "shot.1005.exr", "shot.1007.exr",
		"neg.-002.exr", "neg.-001.exr", "neg.000.exr", "neg.001.exr",
		"hy-010.exr", "hy-011.exr",
		"mixed.7.exr", "mixed.08.exr", "mixed.0009.exr")
	r := func(s string) *Range {
		rr, err := ParseRange(s)
		if err != nil {
			t.Fatal(err)
		}
		return &rr
	}
	for _, tc := range []struct {
		arg     string
		rng     *Range
		frames  []int
		missing []int
		str     string
	}{
		{"shot.1001-1004#.exr", nil, []int{1001, 1002, 1003}, []int{1004}, "shot.1001-1004#.exr"},
		{"shot.1001-1007x2#.exr", nil, []int{1001, 1003, 1005, 1007}, nil, "shot.1001-1007x2#.exr"},
		{"shot.#.exr", r("1002-1006"), []int{1002, 1003, 1005}, []int{1004, 1006}, "shot.1002-1006#.exr"},
		{"shot.1001-1003#.exr", r("1005-1007"), []int{1005, 1007}, []int{1006}, "shot.1005-1007#.exr"},
		{"neg.-001.exr", nil, []int{-2, -1, 0, 1}, nil, "neg.-2-1@@@.exr"},
		{"neg.-2--1@@@.exr", nil, []int{-2, -1}, nil, "neg.-2--1#.exr"}, // -002 is 4 wide
		{"hy-010.exr", nil, []int{10, 11}, nil, "hy-10-11@@@.exr"},
		{"mixed.%d.exr", nil, []int{7, 8, 9}, nil, "mixed.7-9@.exr"},
	} {
		t.Run(tc.arg, func(t *testing.T) {
			s, err := FindRange(filepath.Join(dir, tc.arg), tc.rng)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Frames, tc.frames) || !slices.Equal(s.Missing(), tc.missing) {
				t.Errorf("frames %v missing %v, want %v and %v", s.Frames, s.Missing(), tc.frames, tc.missing)
			}
			if s.String() != tc.str {
				t.Errorf("String() = %q, want %q", s.String(), tc.str)
			}
			// The canonical form reads back as the same sequence.
			again, err := Find(filepath.Join(dir, s.String()))
			if err != nil {
				t.Fatalf("reading back %q: %v", s, err)
			}
			if !slices.Equal(again.Frames, s.Frames) || again.Range.String() != s.Range.String() {
				t.Errorf("%q reads back as %v %v", s, again.Frames, again.Range)
			}
		})
	}
}

func TestFindAllListsEverySequence(t *testing.T) {
	dir := t.TempDir()
	touch(t, dir, "a.1.exr", "a.2.exr", "b.0001.exr", "b.0003.exr", "b.0004.exr", "c.exr", "d.txt")
	all, err := FindAll(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range all {
		got = append(got, s.String())
	}
	if want := []string{"a.1-2@.exr", "b.1-4#.exr", "c.exr"}; !slices.Equal(got, want) {
		t.Errorf("FindAll = %q, want %q", got, want)
	}
	s, err := Find(dir)
	if err != nil || s.String() != "b.1-4#.exr" {
		t.Errorf("Find(folder) = %v, %v; want the longest sequence", s, err)
	}
}

func TestParseRange(t *testing.T) {
	for _, tc := range []struct {
		in     string
		frames []int  // nil: an error
		err    string // the error's problem, after the text
	}{
		{in: "1001-1005", frames: []int{1001, 1002, 1003, 1004, 1005}},
		{in: "1001-1010x4", frames: []int{1001, 1005, 1009}},
		{in: "7", frames: []int{7}},
		{in: "-3--1", frames: []int{-3, -2, -1}},
		{in: "-2-2x2", frames: []int{-2, 0, 2}},
		{in: "1,3,5", frames: []int{1, 3, 5}},
		{in: "1001-1003,1020,1030-1034x2", frames: []int{1001, 1002, 1003, 1020, 1030, 1032, 1034}},
		{in: "-7--6,-5,0-4x4", frames: []int{-7, -6, -5, 0, 4}},
		{in: "1020,1001-1003", err: `in "1001-1003", frame 1001 does not come after 1020: a list goes up`},
		{in: "-500000-499999", frames: count(-500000, 499999, 1)}, // the most a range holds
		{in: "0-499999x2,500000-1499999x2", frames: count(0, 1499999, 2)},
		{in: "1006-1001", err: "the last frame is before the first"},
		{in: "1001-1010x0", err: "the step must be at least 1"},
		{in: "1001-1010x-2", err: "the step must be at least 1"},
		{in: "1001,1006-1001", err: `in "1006-1001", the last frame is before the first`},
		{in: "1001-1010x3,1010", err: `in "1010", frame 1010 does not come after 1010`},
		{in: "1-99999999999999999999", err: "99999999999999999999 is too large a frame number"},
		{in: "0-2000000", err: "more than 1000000 frames"},
		{in: "0-600000,700000-1300000", err: "more than 1000000 frames"},
		{in: "1001,,1003", err: "an empty item between commas"},
		{in: "1001,", err: "an empty item between commas"},
		{in: "", err: "no frames given"},
		{in: "1001-", err: "not a frame range: want FIRST[-LAST][xSTEP], e.g. 1001-1100x2"},
		{in: "1001:1010", err: "not a frame range: want FIRST[-LAST][xSTEP], e.g. 1001-1100x2"},
		{in: "1,a", err: `in "a", not a frame range`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			r, err := ParseRange(tc.in)
			if tc.frames == nil {
				var re *RangeError
				if !errors.As(err, &re) || re.Text != tc.in || !strings.HasPrefix(re.Problem, tc.err) {
					t.Fatalf("error %v, want a RangeError on %q saying %q", err, tc.in, tc.err)
				}
				if want := fmt.Sprintf("frame range %q: %s", tc.in, re.Problem); err.Error() != want {
					t.Errorf("message %q, want %q", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkRange(t, r, tc.frames)
		})
	}
}

// count lists first, first+step, ... up to last.
func count(first, last, step int) []int {
	var out []int
	for n := first; n <= last; n += step {
		out = append(out, n)
	}
	return out
}

// checkRange checks every view of a range against its frames: Frames, Len,
// Index, Contains, its bounds, and that its String reads back the same.
func checkRange(t *testing.T, r Range, frames []int) {
	t.Helper()
	if got := r.Frames(); !slices.Equal(got, frames) {
		t.Errorf("%v: frames %v, want %v", r, got, frames)
	}
	if r.Len() != len(frames) {
		t.Errorf("%v: Len %d, want %d", r, r.Len(), len(frames))
	}
	for i, n := range frames {
		if r.Index(n) != i || !r.Contains(n) {
			t.Errorf("%v: Index(%d) = %d, Contains %v; want %d", r, n, r.Index(n), r.Contains(n), i)
		}
	}
	if !slices.IsSorted(frames) || r.Start != frames[0] || r.End < frames[len(frames)-1] {
		t.Errorf("%v: bounds %d-%d, frames %v", r, r.Start, r.End, frames)
	}
	for _, n := range []int{r.Start - 1, r.End + 1} {
		if r.Contains(n) || r.Index(n) != -1 {
			t.Errorf("%v contains %d", r, n)
		}
	}
	back, err := ParseRange(r.String())
	if err != nil || !slices.Equal(back.Frames(), frames) {
		t.Errorf("%v reads back as %v, %v", r, back, err)
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
	touch(t, dir, "far.1.exr", "far.5000000.exr")
	if s, err := Find(filepath.Join(dir, "far.1.exr")); err != nil || !slices.Equal(s.Frames, []int{1}) {
		t.Errorf("a file far from its sibling: %v, %v; want it alone", s, err)
	}
	if _, err := Find(filepath.Join(dir, "far.#.exr")); err == nil || !strings.Contains(err.Error(), "give a range") {
		t.Errorf("a span of millions of frames: %v, want an error suggesting a range", err)
	}
	if s, err := Find(filepath.Join(dir, "far.1-10#.exr")); err != nil || !slices.Equal(s.Frames, []int{1}) {
		t.Errorf("the same with a range: %v, %v", s, err)
	}
	if _, err := Find(filepath.Join(dir, "shot.20-10#.exr")); err == nil {
		t.Error("a backwards range in the pattern: no error")
	}
}
