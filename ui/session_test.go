package ui

import (
	"testing"

	"flick/engine"
)

// seqOf is a sequence over a range, for the rules that read only ranges.
func seqOf(t *testing.T, rng string) *engine.Sequence {
	t.Helper()
	r, err := engine.ParseRange(rng)
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Sequence{Range: r}
}

// PageUp and PageDown keep the distance from the range's start where the
// other shot has that frame, else land on its first frame.
func TestRelativeFrame(t *testing.T) {
	for _, tc := range []struct {
		from string
		n    int
		to   string
		want int
	}{
		{"1001-1100", 1001, "1-50", 1},
		{"1001-1100", 1010, "1-50", 10},
		{"1001-1100", 1050, "1-50", 50},
		{"1001-1100", 1051, "1-50", 1},       // past its end: its first
		{"1-50", 20, "1001-1100", 1020},      //
		{"1-50", 4, "101-121x2", 101},        // 104 is not a frame of a range by twos
		{"1-50", 5, "101-121x2", 105},        //
		{"1-10", 3, "-5--1", -3},             // negative frames
		{"1-10,20-30", 21, "1-10,20-30", 21}, // the same shot: the same frame
		{"1-10,20-30", 5, "1-3,7-9", 1},      // 5 is in the gap: its first
	} {
		if got := relativeFrame(seqOf(t, tc.from), tc.n, seqOf(t, tc.to)); got != tc.want {
			t.Errorf("frame %d of %s in %s: %d, want %d", tc.n, tc.from, tc.to, got, tc.want)
		}
	}
}

// names lists the shots by their paths.
func names(s *session) []string {
	var n []string
	for _, sh := range s.shots {
		n = append(n, sh.path)
	}
	return n
}

func sessionOf(paths ...string) *session {
	s := &session{b: -1}
	for _, p := range paths {
		s.shots = append(s.shots, &source{path: p})
	}
	return s
}

// Moving and removing shots keeps the current shot (and B) the same shot;
// removing the current one shows the next (the previous at the end); the
// last shot stays.
func TestShotOrder(t *testing.T) {
	s := sessionOf("A", "B", "C", "D")
	s.cur, s.b = 1, 2 // B current, C compared
	s.move(0, 3)      // A to the end
	if got := names(s); got[0] != "B" || got[3] != "A" || s.src().path != "B" || s.shots[s.b].path != "C" {
		t.Fatalf("after moving A to the end: %v, current %s, b %d", got, s.src().path, s.b)
	}
	s.move(2, 0) // D first: D B C A
	if got := names(s); got[0] != "D" || s.src().path != "B" || s.cur != 1 || s.shots[s.b].path != "C" {
		t.Fatalf("after moving D first: %v, current %d", got, s.cur)
	}
	if gone := s.remove(0); gone.path != "D" || s.src().path != "B" || s.shots[s.b].path != "C" {
		t.Fatalf("after removing D: %v, current %s", names(s), s.src().path)
	}
	if gone := s.remove(2); gone.path != "A" || s.src().path != "B" || s.b != 1 {
		t.Fatalf("after removing A: %v, current %s", names(s), s.src().path)
	}
	// B C, B current: removing it shows C, which is no longer B (A
	// cannot be B).
	if gone := s.remove(0); gone.path != "B" || s.src().path != "C" || s.b != -1 {
		t.Fatalf("after removing the current B: %v, current %s, b %d", names(s), s.src().path, s.b)
	}
	if gone := s.remove(0); gone != nil || len(s.shots) != 1 {
		t.Fatalf("the last shot was removed: %v", names(s))
	}

	s = sessionOf("A", "B", "C")
	s.cur = 2
	if s.remove(2); s.src().path != "B" || s.b != -1 {
		t.Fatalf("removing the current last shot: current %s, b %d; want B and no B", s.src().path, s.b)
	}
	if got := []int{s.around(1), s.around(-1), s.around(2)}; got[0] != 0 || got[1] != 0 || got[2] != 1 {
		t.Fatalf("around in a session of 2 at its last: %v, want wrapping 0 0 1", got)
	}
}
