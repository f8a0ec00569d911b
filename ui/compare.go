package ui

import (
	"fmt"
	"time"

	"flick/engine"
	"flick/engine/exr"
	"flick/render"
)

// cmpMode is what the viewer shows of A (the current shot) and B: A alone
// (compare off), the two combined by one of render's CompareModes, or B
// alone.
type cmpMode int

// The compare modes; those between cmpOff and cmpB are render's
// CompareModes in their order.
const (
	cmpOff cmpMode = iota // A only
	cmpWipe
	cmpSide
	cmpStacked
	cmpBlend
	cmpDiff
	cmpSigned
	cmpB // B only
)

// pair returns the render.CompareMode m combines A and B with, and
// whether it combines them (not A or B alone).
func (m cmpMode) pair() (render.CompareMode, bool) {
	if m > cmpOff && m < cmpB {
		return render.CompareMode(m - cmpWipe), true
	}
	return 0, false
}

// cmpNames name the cmpModes, in their order, for the title's hook and
// the Compare panel.
var cmpNames = [...]string{"off", "wipe", "side", "vside", "blend", "diff", "signed", "B"}

// name is m's name ("wipe").
func (m cmpMode) name() string { return cmpNames[m] }

// cmpModeOf is the cmpMode that combines A and B as r does.
func cmpModeOf(r render.CompareMode) cmpMode { return cmpWipe + cmpMode(r) }

// compareState is the session's A/B comparison besides B itself
// (session.b): one owner for each of these.
type compareState struct {
	mode cmpMode
	// The wipe's line: a point on it as fractions of A's display window
	// (½, ½: its middle) and its angle in degrees (0: vertical, A left).
	wipeX, wipeY, wipeAngle float32
	blend                   float32 // 0: A, 1: B
	gain                    float32 // stops, for the differences
	sync                    engine.SyncMode
	// peekFrom is the mode to go back to when the peek key is let go;
	// peeking says it is held.
	peekFrom cmpMode
	peeking  bool
}

// defaultCompare is the comparison a session starts with: off, a straight
// wipe in the middle, an even blend, no gain, frames synced by number.
func defaultCompare() compareState {
	return compareState{wipeX: 0.5, wipeY: 0.5, blend: 0.5, sync: engine.SyncFrame}
}

// comparing reports whether B is on screen with or instead of A: the clock
// then runs over the timeline of both (timeline), and both shots load.
func (s *session) comparing() bool { return s.b >= 0 && s.cmp.mode != cmpOff }

// bSrc is shot B, nil for none.
func (s *session) bSrc() *source { return s.shotAt(s.b) }

// setB makes shot i B; A itself cannot be B, nor a missing shot (false).
func (s *session) setB(i int) bool {
	if i == s.cur || i < 0 || i >= len(s.shots) || s.shots[i].gone != nil {
		return false
	}
	s.b = i
	return true
}

// setMode shows m. Comparing with no B takes the next shot as B; with one
// shot only, nothing compares and m is refused (false).
func (s *session) setMode(m cmpMode) bool {
	if m != cmpOff && s.b < 0 && !s.setB(s.around(1)) {
		return false
	}
	s.cmp.mode = m
	return true
}

// toggle is the mode a key for m goes to: m, or from m its other mode:
// off for F6's wipe and F8's blend, stacked from side by side and back,
// signed from the difference and back.
func (s *session) toggle(m, other cmpMode) cmpMode {
	if s.cmp.mode == m {
		return other
	}
	return m
}

// peek shows B alone until unpeek, from any mode (tev's held key); false
// when it cannot (peeking already, or one shot only).
func (s *session) peek() bool {
	from := s.cmp.mode
	if s.cmp.peeking || !s.setMode(cmpB) {
		return false
	}
	s.cmp.peekFrom, s.cmp.peeking = from, true
	return true
}

// unpeek goes back to the mode peek left; false when not peeking.
func (s *session) unpeek() bool {
	if !s.cmp.peeking {
		return false
	}
	s.cmp.peeking = false
	return s.setMode(s.cmp.peekFrom)
}

// flipped is the mode the flip key goes to: B alone from anything but B
// alone, A alone (compare off) from B alone.
func (s *session) flipped() cmpMode {
	if s.cmp.mode == cmpB {
		return cmpOff
	}
	return cmpB
}

// sideFrame returns the frame of shot sh shown at timeline frame g, and
// whether sh has it (engine.Sequence.SyncedFrame under the session's sync,
// A's range the reference, sh's own offset).
func (s *session) sideFrame(sh *source, g int) (int, bool) {
	return sh.seq.SyncedFrame(s.cmp.sync, g, s.src().seq.Range, sh.offset)
}

// clockFrame is the clock's frame at which A's frame n shows: n itself,
// or comparing, its timeline frame.
func (s *session) clockFrame(n int) int {
	if !s.comparing() {
		return n
	}
	a := s.src()
	return engine.TimelineFrame(s.cmp.sync, n, a.seq.Range, a.seq.Range, a.offset)
}

// span is the first and last frame the clock runs over (clockFrames),
// without listing them: the current shot's, or, comparing, the first and
// last timeline frame either shot shows (engine.TimelineSpan).
func (s *session) span() (first, last int) {
	if !s.comparing() {
		f := s.src().frames
		return f[0], f[len(f)-1]
	}
	a, b := s.src(), s.bSrc()
	return engine.TimelineSpan(s.cmp.sync, a.seq.Range,
		engine.Synced{Range: a.seq.Range, Offset: a.offset}, engine.Synced{Range: b.seq.Range, Offset: b.offset})
}

// clockFrames are the frames the clock runs over: the current shot's, or,
// comparing, every timeline frame of span.
func (s *session) clockFrames() []int {
	if !s.comparing() {
		return s.src().frames
	}
	first, last := s.span()
	frames := make([]int, 0, last-first+1)
	for g := first; g <= last; g++ {
		frames = append(frames, g)
	}
	return frames
}

// onScreen are the shots on screen: A, and B when comparing.
func (s *session) onScreen() []*source {
	if s.comparing() {
		return []*source{s.src(), s.bSrc()}
	}
	return []*source{s.src()}
}

// setOrders gives each shot on screen its frames of the clock's order, in
// that order, for prefetch (a side's frames that it lacks are left out),
// and names those shots active in the cache.
func (s *session) setOrders() {
	o := s.clock.Order()
	var active []int
	for _, sh := range s.onScreen() {
		active = append(active, sh.loader.Source())
		if !s.comparing() {
			sh.loader.SetOrder(o)
			continue
		}
		so := engine.Order{Repeat: o.Repeat}
		for _, g := range o.Frames {
			if f, ok := s.sideFrame(sh, g); ok {
				so.Frames = append(so.Frames, f)
			}
		}
		if len(so.Frames) > 0 {
			sh.loader.SetOrder(so)
		}
	}
	s.cache.SetActive(active...)
}

// ready tells the clock whether timeline frame g can be shown now: each
// shot on screen has its frame ready or lacks it (shown as missing on that
// side). Not comparing, g is the current shot's frame.
func (s *session) ready(g int) bool {
	if !s.comparing() {
		return s.src().ready(g)
	}
	for _, sh := range s.onScreen() {
		if f, ok := s.sideFrame(sh, g); ok && !sh.ready(f) {
			return false
		}
	}
	return true
}

// request asks each shot on screen for its frame at clock frame g (dir:
// the way the user is going), and reports whether a side lacks it (asked
// for nothing, it shows the frame as missing).
func (s *session) request(g, dir int) (lacks bool) {
	if !s.comparing() {
		s.src().loader.Request(g, dir)
		return false
	}
	for _, sh := range s.onScreen() {
		if f, ok := s.sideFrame(sh, g); ok {
			sh.loader.Request(f, dir)
		} else {
			lacks = true
		}
	}
	return lacks
}

// load gives shot sh a loader if it has none, decoding the channels it
// had.
func (s *session) load(sh *source) {
	if sh.loader == nil {
		sh.loader = engine.NewLoader(sh.seq, s.pool, s.cache)
		if sh.decoded != (exr.Selection{}) {
			sh.loader.SetChannels(sh.decoded)
		}
	}
}

// setCur makes shot i current (A); when i was B, the shot that was A
// becomes B.
func (s *session) setCur(i int) {
	if i == s.b {
		s.b = s.cur
	}
	s.cur = i
}

// setCompare shows m (session.setMode), keeping the frame on screen:
// entering or leaving a comparison moves the clock between A's frames and
// the timeline, and loads B or hides it.
func (a *app) setCompare(m cmpMode) {
	was, g := a.ses.comparing(), a.ses.clock.Frame()
	if !a.ses.setMode(m) {
		a.log.add(levelWarning, "compare needs a second shot: open one")
		return
	}
	a.modeChanged(was, g)
}

// modeChanged follows a change of the compare mode from clock frame g,
// comparing or not (was).
func (a *app) modeChanged(was bool, g int) {
	a.dirty = true
	switch now := a.ses.comparing(); {
	case now && !was:
		a.remap(a.ses.clockFrame(g))
	case !now && was:
		sa := a.src()
		a.ses.shotAt(a.ses.b).hide()
		a.remap(engine.SourceFrame(a.ses.cmp.sync, g, sa.seq.Range, sa.seq.Range, sa.offset))
	default:
		a.setTitle(a.titleFrame)
	}
}

// remap makes the clock and the loaders' orders again after what they
// follow changed (comparing or not, B, an offset, the sync) and shows
// clock frame n.
func (a *app) remap(n int) {
	a.activate(n, nil)
	a.setTitle(n)
}

// setB makes shot i B, remapping the timeline when comparing.
func (a *app) setB(i int) {
	if i == a.ses.b || !a.ses.setB(i) {
		return
	}
	if a.ses.comparing() {
		a.remap(a.ses.clock.Frame())
	}
}

// setOffset shifts shot i by n frames against the others, remapping the
// timeline when that shot is on screen in a comparison.
func (a *app) setOffset(i, n int) {
	sh := a.ses.shotAt(i)
	if sh == nil || sh.offset == n {
		return
	}
	sh.offset = n
	if a.ses.comparing() && (i == a.ses.cur || i == a.ses.b) {
		a.remap(a.ses.clock.Frame())
	}
}

// setSync lines the shots up by m, remapping the timeline when comparing.
func (a *app) setSync(m engine.SyncMode) {
	if m == a.ses.cmp.sync {
		return
	}
	a.ses.cmp.sync = m
	if a.ses.comparing() {
		a.remap(a.ses.clock.Frame())
	}
}

// inAt reports whether both sides of timeline frame g are on screen: each
// shot on screen shows its frame of g or lacks it.
func (s *session) inAt(g int) bool {
	for _, sh := range s.onScreen() {
		if f, ok := s.sideFrame(sh, g); ok && (sh.frame == nil || sh.frame.Number != f) {
			return false
		}
	}
	return true
}

// receiveB takes B's decoded frames without waiting, comparing, and once
// both sides of the clock's frame are in (which the previous UI frame's
// frames may have made so) counts the pair as shown and puts its frame in
// the title.
func (a *app) receiveB() {
	if !a.ses.comparing() {
		return
	}
	if g := a.ses.clock.Frame(); g != a.titleFrame && a.ses.inAt(g) {
		a.diag.frameShown(time.Now())
		a.setTitle(g)
	}
	b := a.ses.bSrc()
	for {
		select {
		case f := <-b.loader.Frames():
			a.dirty = true
			if err := b.show(f, a.upload); err != nil && f.Err == nil {
				a.log.add(levelError, fmt.Sprintf("B: frame %d: %v", f.Number, err))
			}
		default:
			return
		}
	}
}
