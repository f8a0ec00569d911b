package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// FuzzSequenceNotation feeds any text to the name, pattern and range
// parsers: none panics; a name's numbers and text rebuild it; a pattern's
// parts are pieces of it; a range holds at most maxRangeFrames frames, each
// once, and reads back from its String; a range error is a *RangeError
// whose message is bounded by the text's length.
func FuzzSequenceNotation(f *testing.F) {
	for _, s := range []string{
		"shot.1001.exr", "shot.-010.exr", "a-1.EXR", "x.99999999999999999999.exr", "1.exr", "._shot.1001.exr",
		"shot.1001.left.exr", "shot_v002.1001.exr", "plate.20240115.exr", "shot-0001_-02.exr",
		"shot.####.exr", "shot.#.left.exr", "shot.%V.####.exr", "shot_%v.%04d.exr", "shot.@@@@.exr",
		"shot.1001-1100#.exr", "shot.1001-1100x2#.exr", "shot.-5--1@@@@.exr", "shot.1,3,5#.exr",
		"shot.1001-1010,1020,1030-1040x2#.exr", "shot-1-2#.exr",
		"1001-1100", "1001-1100x2", "-10--1", "7", "1,3,5", "1001-1010,1020,1030-1040x2", "1006-1001",
		"1001-1010x0", "1001-1010,1005", "1020,1001", "0-2000000", "1,,2", "", "-", "x", "1-99999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		texts, nums := numbersIn(s)
		var b strings.Builder
		for i, n := range nums {
			if _, ok := frameNumber(n); !ok {
				t.Fatalf("%q: %q is not a frame number", s, n)
			}
			b.WriteString(texts[i] + n)
		}
		if len(texts) != len(nums)+1 || b.String()+texts[len(nums)] != s {
			t.Fatalf("%q splits into %q and %q", s, texts, nums)
		}
		for i, n := range nums { // each number reads back between the text around it
			prefix, suffix := around(texts, nums, i)
			if v, width, ok := frameIn(s, prefix, suffix); !ok || width != len(n) {
				t.Fatalf("%q: number %d (%q) does not read back from %q and %q: %d %d %v", s, i, n, prefix, suffix, v, width, ok)
			}
		}
		if prefix, rng, suffix, views, ok := parsePattern(s); ok {
			if !strings.HasPrefix(s, prefix+rng) || !strings.HasSuffix(s, suffix) || len(prefix)+len(rng)+len(suffix) >= len(s) ||
				(views != nil && len(views) != 2) {
				t.Fatalf("%q parses as %q %q %q %q", s, prefix, rng, suffix, views)
			}
		}
		r, err := ParseRange(s)
		if err != nil {
			var re *RangeError
			if !errors.As(err, &re) || re.Text != s || len(err.Error()) > 8*len(s)+200 {
				t.Fatalf("ParseRange(%q): %v", s, err)
			}
			return
		}
		if r.Len() < 1 || r.Len() > maxRangeFrames {
			t.Fatalf("ParseRange(%q): Len %d", s, r.Len())
		}
		if r.Len() > 10_000 {
			return // listing a million frames per input would starve the fuzzer; TestParseRange lists large ones
		}
		frames := r.Frames()
		if len(frames) != r.Len() {
			t.Fatalf("ParseRange(%q): %d frames, Len %d", s, len(frames), r.Len())
		}
		for i, n := range frames {
			if i > 0 && n <= frames[i-1] || n < r.Start || n > r.End || r.Index(n) != i {
				t.Fatalf("ParseRange(%q) = %v: frame %d at %d (Index %d) goes back or leaves %d-%d", s, r, n, i, r.Index(n), r.Start, r.End)
			}
		}
		if back, err := ParseRange(r.String()); err != nil || !slices.Equal(back.Frames(), frames) {
			t.Fatalf("ParseRange(%q) = %v, which reads back as %v, %v", s, r, back, err)
		}
	})
}
