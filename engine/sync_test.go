package engine

import (
	"fmt"
	"path/filepath"
	"testing"

	"flick/engine/exr"
)

// writeFrames writes 2x2 EXR files dir/name.NNNN.exr for frames.
func writeFrames(t *testing.T, dir, name string, frames ...int) {
	t.Helper()
	pix := make([]uint16, 4*2*2)
	for _, n := range frames {
		if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("%s.%04d.exr", name, n)), 2, 2, pix, exr.None, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// span lists frames first to last.
func span(first, last int) []int {
	var out []int
	for n := first; n <= last; n++ {
		out = append(out, n)
	}
	return out
}

// TestSync: source-frame and start-aligned sync of A against B with
// offsets (positive and negative), different ranges, a comma range, and
// missing files: a frame one side lacks is missing on that side only, and
// the timeline spans the union of both.
func TestSync(t *testing.T) {
	dir := t.TempDir()
	writeFrames(t, dir, "a", append(span(1001, 1003), span(1005, 1010)...)...) // 1004 missing
	writeFrames(t, dir, "c", span(1005, 1015)...)
	writeFrames(t, dir, "b", append(span(2001, 2012), 2020)...)
	find := func(name, r string) *Sequence {
		var rng *Range
		if r != "" {
			parsed, err := ParseRange(r)
			if err != nil {
				t.Fatal(err)
			}
			rng = &parsed
		}
		s, err := FindRange(filepath.Join(dir, name+".####.exr"), rng)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, c := find("a", ""), find("c", "")
	b := find("b", "2001-2005,2010-2012") // a comma range: 2006-2009 and 2020 are outside it
	type side struct {
		frame int
		ok    bool
	}
	for _, tc := range []struct {
		name        string
		mode        SyncMode
		other       *Sequence
		offset      int // the other source's
		g           int // timeline frame
		wantA, want side
		first, last int // the timeline's span
	}{
		{"frame: both have it", SyncFrame, c, 0, 1005, side{1005, true}, side{1005, true}, 1001, 1015},
		{"frame: file missing on A only", SyncFrame, c, 0, 1004, side{1004, false}, side{1004, false}, 1001, 1015},
		{"frame: beyond A's range", SyncFrame, c, 0, 1012, side{1012, false}, side{1012, true}, 1001, 1015},
		{"frame: before C's range", SyncFrame, c, 0, 1002, side{1002, true}, side{1002, false}, 1001, 1015},
		{"frame: positive offset", SyncFrame, c, 3, 1010, side{1010, true}, side{1007, true}, 1001, 1018},
		{"frame: negative offset", SyncFrame, c, -5, 1001, side{1001, true}, side{1006, true}, 1000, 1010},
		{"frame: negative offset, A's gap", SyncFrame, c, -5, 1004, side{1004, false}, side{1009, true}, 1000, 1010},
		{"start: first frames line up", SyncStart, b, 0, 1001, side{1001, true}, side{2001, true}, 1001, 1012},
		{"start: comma range's gap on B only", SyncStart, b, 0, 1006, side{1006, true}, side{2006, false}, 1001, 1012},
		{"start: after the gap", SyncStart, b, 0, 1010, side{1010, true}, side{2010, true}, 1001, 1012},
		{"start: beyond A's range", SyncStart, b, 0, 1012, side{1012, false}, side{2012, true}, 1001, 1012},
		{"start: negative offset", SyncStart, b, -2, 999, side{999, false}, side{2001, true}, 999, 1010},
		{"start: positive offset, gap on both", SyncStart, b, 4, 1004, side{1004, false}, side{2000, false}, 1001, 1016},
		{"start: positive offset", SyncStart, b, 4, 1005, side{1005, true}, side{2001, true}, 1001, 1016},
		{"start: A against itself", SyncStart, a, 0, 1004, side{1004, false}, side{1004, false}, 1001, 1010},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := a.Range
			fa, oka := a.SyncedFrame(tc.mode, tc.g, ref, 0)
			fb, okb := tc.other.SyncedFrame(tc.mode, tc.g, ref, tc.offset)
			if (side{fa, oka}) != tc.wantA || (side{fb, okb}) != tc.want {
				t.Errorf("timeline %d: A %d %v, other %d %v; want %+v and %+v", tc.g, fa, oka, fb, okb, tc.wantA, tc.want)
			}
			if g := TimelineFrame(tc.mode, fb, ref, tc.other.Range, tc.offset); g != tc.g {
				t.Errorf("source frame %d maps back to timeline %d, not %d", fb, g, tc.g)
			}
			first, last := TimelineSpan(tc.mode, ref, Synced{Range: a.Range}, Synced{Range: tc.other.Range, Offset: tc.offset})
			if first != tc.first || last != tc.last {
				t.Errorf("timeline %d-%d, want %d-%d", first, last, tc.first, tc.last)
			}
		})
	}
}

func TestSyncModeNames(t *testing.T) {
	for i, name := range SyncModeNames() {
		if m, err := ParseSyncMode(name); err != nil || m != SyncMode(i) || m.String() != name {
			t.Errorf("%q: %v, %v", name, m, err)
		}
	}
	if _, err := ParseSyncMode("frames"); err == nil {
		t.Error(`"frames" parsed`)
	}
}
