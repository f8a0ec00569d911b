package ui

import (
	"slices"
	"testing"

	"flick/engine"
)

// shotsOf is a session of shots over the given ranges, the first current,
// no B, the default comparison.
func shotsOf(t *testing.T, ranges ...string) *session {
	t.Helper()
	s := &session{b: -1, cmp: defaultCompare()}
	for _, r := range ranges {
		seq := seqOf(t, r)
		s.shots = append(s.shots, &source{seq: seq, frames: seq.Range.Frames()})
	}
	return s
}

// Turning compare on with no B takes the next shot (wrapping); with one
// shot nothing compares; A cannot be B.
func TestCompareDefaultB(t *testing.T) {
	s := shotsOf(t, "1-10")
	if s.setMode(cmpWipe) || s.comparing() {
		t.Fatal("one shot compares")
	}
	s = shotsOf(t, "1-10", "1-10", "1-10")
	s.cur = 2
	if !s.setMode(cmpWipe) || s.b != 0 || !s.comparing() {
		t.Fatalf("B %d comparing %v, want the next shot 0 (wrapped)", s.b, s.comparing())
	}
	if s.setB(2) {
		t.Error("A was made B")
	}
	s.setCur(0) // B becomes A: the old A is B
	if s.cur != 0 || s.b != 2 {
		t.Errorf("cur %d b %d, want 0 and 2", s.cur, s.b)
	}
	s.remove(2)
	if s.b != -1 || s.comparing() {
		t.Errorf("B removed: b %d comparing %v", s.b, s.comparing())
	}
}

// Comparing, the clock runs over the union of both mapped ranges; each
// side's frame follows the sync and its own offset, and a side lacking a
// frame is missing there only (and counts as ready).
func TestCompareMapping(t *testing.T) {
	s := shotsOf(t, "1001-1010", "1005-1020")
	if got := s.clockFrames(); !slices.Equal(got, s.shots[0].frames) {
		t.Fatalf("not comparing: clock over %v", got)
	}
	s.setMode(cmpDiff)
	if f := s.clockFrames(); f[0] != 1001 || f[len(f)-1] != 1020 || len(f) != 20 {
		t.Errorf("frame sync: timeline %d-%d (%d), want 1001-1020", f[0], f[len(f)-1], len(f))
	}
	for _, tc := range []struct {
		sync        engine.SyncMode
		offA, offB  int
		g           int
		a, b        int
		hasA, hasB  bool
		first, last int
	}{
		{engine.SyncFrame, 0, 0, 1003, 1003, 1003, true, false, 1001, 1020},
		{engine.SyncFrame, 0, 0, 1012, 1012, 1012, false, true, 1001, 1020},
		{engine.SyncFrame, 0, 4, 1012, 1012, 1008, false, true, 1001, 1024},
		{engine.SyncFrame, 2, 0, 1003, 1001, 1003, true, false, 1003, 1020},
		{engine.SyncStart, 0, 0, 1001, 1001, 1005, true, true, 1001, 1016},
		{engine.SyncStart, 0, -2, 1001, 1001, 1007, true, true, 999, 1014},
		{engine.SyncStart, 0, 0, 1016, 1016, 1020, false, true, 1001, 1016},
	} {
		s.cmp.sync, s.shots[0].offset, s.shots[1].offset = tc.sync, tc.offA, tc.offB
		a, hasA := s.sideFrame(s.shots[0], tc.g)
		b, hasB := s.sideFrame(s.shots[1], tc.g)
		if a != tc.a || b != tc.b || hasA != tc.hasA || hasB != tc.hasB {
			t.Errorf("%v offsets %d,%d at %d: A %d %v B %d %v, want A %d %v B %d %v",
				tc.sync, tc.offA, tc.offB, tc.g, a, hasA, b, hasB, tc.a, tc.hasA, tc.b, tc.hasB)
		}
		if f := s.clockFrames(); f[0] != tc.first || f[len(f)-1] != tc.last {
			t.Errorf("%v offsets %d,%d: timeline %d-%d, want %d-%d", tc.sync, tc.offA, tc.offB, f[0], f[len(f)-1], tc.first, tc.last)
		}
		if g := s.clockFrame(tc.a); tc.hasA && g != tc.g {
			t.Errorf("%v offsets %d,%d: A's %d at timeline %d, want %d", tc.sync, tc.offA, tc.offB, tc.a, g, tc.g)
		}
	}
}

// The mode keys: F6 turns the wipe on and off, F7 and F9 go between
// their two modes, flip goes between A alone and B alone.
func TestCompareModes(t *testing.T) {
	s := shotsOf(t, "1-10", "1-10")
	for _, tc := range []struct {
		from, m, other, want cmpMode
	}{
		{cmpOff, cmpWipe, cmpOff, cmpWipe},
		{cmpWipe, cmpWipe, cmpOff, cmpOff},
		{cmpDiff, cmpWipe, cmpOff, cmpWipe},
		{cmpWipe, cmpSide, cmpStacked, cmpSide},
		{cmpSide, cmpSide, cmpStacked, cmpStacked},
		{cmpStacked, cmpSide, cmpStacked, cmpSide},
		{cmpDiff, cmpDiff, cmpSigned, cmpSigned},
		{cmpSigned, cmpDiff, cmpSigned, cmpDiff},
		{cmpBlend, cmpBlend, cmpOff, cmpOff},
	} {
		s.cmp.mode = tc.from
		if got := s.toggle(tc.m, tc.other); got != tc.want {
			t.Errorf("from %d key %d/%d: %d, want %d", tc.from, tc.m, tc.other, got, tc.want)
		}
	}
	for from, want := range map[cmpMode]cmpMode{cmpOff: cmpB, cmpWipe: cmpB, cmpB: cmpOff} {
		s.cmp.mode = from
		if got := s.flipped(); got != want {
			t.Errorf("flip from %d: %d, want %d", from, got, want)
		}
	}
	for m := cmpWipe; m < cmpB; m++ {
		r, ok := m.pair()
		if !ok || cmpModeOf(r) != m {
			t.Errorf("mode %d: render mode %v %v", m, r, ok)
		}
	}
	for _, m := range []cmpMode{cmpOff, cmpB} {
		if _, ok := m.pair(); ok {
			t.Errorf("mode %d combines A and B", m)
		}
	}
}
