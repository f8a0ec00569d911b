package ui

import (
	"slices"

	"flick/engine"
)

// session is the viewer's shots and their playback. The clock is the one
// owner of the in and out points, the loop mode and realtime or every-frame
// playback (the settings keep only the user's defaults, written back from
// the clock when they are saved). GL goroutine only.
type session struct {
	shots []*source // in the user's order
	cur   int       // the shot shown (A)
	// b is the shot compared with A, -1 for none; cmp is how they are
	// compared (ui/compare.go).
	b     int
	cmp   compareState
	clock *engine.Clock // over the current shot's frames
	// pool decodes every shot's frames into cache.
	pool  *engine.Pool
	cache *engine.Cache
}

// src is the current shot.
func (s *session) src() *source { return s.shots[s.cur] }

// in is the in point (a frame number).
func (s *session) in() int { return s.clock.Order().Frames[0] }

// out is the out point (a frame number).
func (s *session) out() int {
	f := s.clock.Order().Frames
	return f[len(f)-1]
}

// streaming reports whether every-frame playback is running: the loader
// streams the frames in order and the clock does not pick them. Comparing,
// the clock picks every frame (EveryFrame waits for both sides) and the
// loaders prefetch around it.
func (s *session) streaming() bool {
	return !s.comparing() && s.clock.Playing() && s.clock.Mode() == engine.EveryFrame
}

// around is the shot k places from the current one, wrapping at the ends.
func (s *session) around(k int) int {
	n := len(s.shots)
	return ((s.cur+k)%n + n) % n
}

// move puts the shot at from at index to (the others keep their order);
// the current shot and B stay the same shots.
func (s *session) move(from, to int) {
	if from == to || from < 0 || to < 0 || from >= len(s.shots) || to >= len(s.shots) {
		return
	}
	cur, b := s.shots[s.cur], s.shotAt(s.b)
	sh := s.shots[from]
	s.shots = slices.Insert(slices.Delete(s.shots, from, from+1), to, sh)
	s.cur, s.b = slices.Index(s.shots, cur), slices.Index(s.shots, b)
}

// shotAt is shot i, nil for an index out of range (b = -1).
func (s *session) shotAt(i int) *source {
	if i < 0 || i >= len(s.shots) {
		return nil
	}
	return s.shots[i]
}

// remove takes shot i out of the session and returns it; the last shot
// cannot be removed (nil). The current shot stays current; when it is the
// one removed, the shot after it (or, at the end, before it) becomes
// current and the caller shows it. B removed is no B.
func (s *session) remove(i int) *source {
	if len(s.shots) < 2 || i < 0 || i >= len(s.shots) {
		return nil
	}
	gone := s.shots[i]
	cur, b := s.shots[s.cur], s.shotAt(s.b)
	s.shots = slices.Delete(s.shots, i, i+1)
	if cur == gone {
		s.cur = min(i, len(s.shots)-1)
	} else {
		s.cur = slices.Index(s.shots, cur)
	}
	s.b = slices.Index(s.shots, b) // -1 when b was gone (or none)
	if s.b == s.cur {
		s.b = -1 // B became current: A cannot be B
	}
	if s.b < 0 {
		s.cmp.mode = cmpOff
	}
	return gone
}

// relativeFrame is the frame of to at the same distance from its range's
// start as frame n is from from's, where to's range has it, else to's
// first frame: where PageUp and PageDown land.
func relativeFrame(from *engine.Sequence, n int, to *engine.Sequence) int {
	if m := to.Range.Start + n - from.Range.Start; to.Range.Index(m) >= 0 {
		return m
	}
	return to.Range.Start
}
