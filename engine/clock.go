package engine

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// DefaultFPS is the playback rate when neither the file nor the user says.
const DefaultFPS = 24

// Repeat is what playback does at the out point (the in point going
// backwards).
type Repeat int

// The repeat modes.
const (
	Loop     Repeat = iota // start again at the other end
	PingPong               // turn round
	Once                   // stop
)

// repeatNames name the Repeat modes in settings, on the command line and in
// the UI, in Repeat order: the one list of them.
var repeatNames = [...]string{"loop", "pingpong", "once"}

// String returns r's name ("pingpong").
func (r Repeat) String() string {
	if r >= 0 && int(r) < len(repeatNames) {
		return repeatNames[r]
	}
	return fmt.Sprintf("Repeat(%d)", int(r))
}

// RepeatNames returns every Repeat mode's name, in Repeat order (Repeat(i)
// is named RepeatNames()[i]).
func RepeatNames() []string { return slices.Clone(repeatNames[:]) }

// ParseRepeat returns the Repeat mode named s.
func ParseRepeat(s string) (Repeat, error) {
	if i := slices.Index(repeatNames[:], s); i >= 0 {
		return Repeat(i), nil
	}
	return 0, fmt.Errorf("unknown loop mode %q: want one of %s", s, strings.Join(repeatNames[:], ", "))
}

// Order is the way playback goes through frames: Frames (sequence frame
// numbers, ascending: the in to out range) and what happens at the ends.
// Positions are indexes into Frames.
type Order struct {
	Frames []int
	Repeat Repeat
}

// Next returns the position after i going dir (+1 or -1), and the
// direction playback goes on in (ping-pong turns at the ends); ok is false
// where a Once order ends.
func (o Order) Next(i, dir int) (next, nextDir int, ok bool) {
	n := len(o.Frames)
	j := i + dir
	if j >= 0 && j < n {
		return j, dir, true
	}
	switch o.Repeat {
	case Loop:
		return (j%n + n) % n, dir, n > 0
	case PingPong:
		if n == 1 {
			return i, -dir, true
		}
		return i - dir, -dir, true
	}
	return i, dir, false
}

// period is the number of steps after which a Loop or PingPong order is
// back where it started, going the same way (0 for Once).
func (o Order) period() int {
	switch n := len(o.Frames); {
	case o.Repeat == Once:
		return 0
	case o.Repeat == PingPong && n > 1:
		return 2 * (n - 1)
	case o.Repeat == PingPong:
		return 2
	default:
		return n
	}
}

// position returns the index of the frame in Frames nearest to frame.
func (o Order) position(frame int) int {
	i, _ := slices.BinarySearch(o.Frames, frame)
	if i == len(o.Frames) || i > 0 && frame-o.Frames[i-1] < o.Frames[i]-frame {
		i--
	}
	return max(i, 0)
}

// TimeSource gives the headless player (Play) the time: WallClock, or a
// fake one in tests. The Clock itself is handed the time by its caller
// (the viewer passes time.Now()).
type TimeSource interface{ Now() time.Time }

// WallClock is the real time.
type WallClock struct{}

// Now returns time.Now().
func (WallClock) Now() time.Time { return time.Now() }

// Mode is how the clock copes with frames that are not ready in time.
type Mode int

// The clock modes.
const (
	// Realtime advances with the clock; a frame not ready when the next
	// one is due is skipped and counted as dropped.
	Realtime Mode = iota
	// EveryFrame shows every frame, slowing down while one is not ready.
	EveryFrame
)

// Clock is the playback clock: which frame is on screen and which comes
// next, at a rate in frames per second, forwards or backwards, looping,
// ping-ponging or playing once between in and out points. It is plain
// logic: the viewer calls Tick once per UI frame (the headless player
// likewise), asking whether a frame is ready, and shows what it returns.
// A Clock is not safe for concurrent use.
type Clock struct {
	frames  []int // the sequence's frames
	order   Order // frames between in and out
	fps     float64
	mode    Mode
	pos     int // position in order.Frames on screen
	dir     int // +1 forwards, -1 backwards
	playing bool
	anchor  time.Time // Realtime: when the frame shown steps ago was on screen at start
	steps   int       // Realtime: steps from anchor to the frame on screen
	due     time.Time // EveryFrame: when the next frame is due
	drops   int
}

// Tick is what the clock says at one moment.
type Tick struct {
	Frame   int  // the frame to show (to request, if not on screen)
	Changed bool // Frame differs from the last tick's: show it now
	Dropped int  // frames skipped since the last tick (Realtime)
	Stopped bool // a Once playback reached its end and stopped
}

// NewClock returns a paused clock over a sequence's frames (ascending), on
// the first, at fps frames per second (DefaultFPS if fps is not above 0),
// in Realtime mode, looping over all frames.
func NewClock(frames []int, fps float64) *Clock {
	c := &Clock{frames: frames, order: Order{Frames: frames}, dir: 1}
	c.SetFPS(fps)
	return c
}

// FPS returns the rate.
func (c *Clock) FPS() float64 { return c.fps }

// SetFPS sets the rate (DefaultFPS if fps is not above 0 or not finite).
func (c *Clock) SetFPS(fps float64) {
	if !(fps > 0) || math.IsInf(fps, 0) {
		fps = DefaultFPS
	}
	c.fps = fps
	c.reanchor(time.Time{})
}

// SetMode sets Realtime or EveryFrame.
func (c *Clock) SetMode(m Mode) { c.mode = m }

// Mode returns Realtime or EveryFrame.
func (c *Clock) Mode() Mode { return c.mode }

// SetRepeat sets what happens at the ends.
func (c *Clock) SetRepeat(r Repeat) { c.order.Repeat = r }

// Order returns the frames playback goes through and the repeat mode, for
// the loader's prefetch.
func (c *Clock) Order() Order { return c.order }

// SetInOut limits playback to the frames from in to out (frame numbers,
// inclusive); the frame on screen moves inside if it was not. It fails if
// no frame of the sequence lies between them.
func (c *Clock) SetInOut(in, out int) error {
	lo, _ := slices.BinarySearch(c.frames, in)
	hi, _ := slices.BinarySearch(c.frames, out+1)
	if in > out || lo >= hi {
		return fmt.Errorf("in point %d, out point %d: no frame between them", in, out)
	}
	frame := c.Frame()
	c.order.Frames = c.frames[lo:hi]
	c.pos = c.order.position(frame)
	c.reanchor(time.Time{})
	return nil
}

// Frame returns the frame on screen.
func (c *Clock) Frame() int {
	if len(c.order.Frames) == 0 {
		return 0
	}
	return c.order.Frames[c.pos]
}

// Dir returns the play direction, +1 or -1.
func (c *Clock) Dir() int { return c.dir }

// Playing reports whether the clock is running.
func (c *Clock) Playing() bool { return c.playing }

// Drops returns the frames dropped since the clock was made.
func (c *Clock) Drops() int { return c.drops }

// Play starts playback at now going dir (+1 forwards, -1 backwards).
func (c *Clock) Play(now time.Time, dir int) {
	c.dir = 1
	if dir < 0 {
		c.dir = -1
	}
	c.playing = true
	c.reanchor(now)
}

// Pause stops playback on the frame on screen.
func (c *Clock) Pause() { c.playing = false }

// Step pauses and moves n frames (backwards for n < 0) in the order,
// wrapping or turning at the ends as playback would, stopping at them
// for Once. It returns the frame to show.
func (c *Clock) Step(n int) int {
	c.playing = false
	dir := 1
	if n < 0 {
		dir, n = -1, -n
	}
	for range n {
		next, d, ok := c.order.Next(c.pos, dir)
		if !ok {
			break
		}
		c.pos, dir = next, d
	}
	return c.Frame()
}

// Scrub puts the frame nearest to frame (inside the in and out points) on
// screen; playback, if running, goes on from there. It returns the frame.
func (c *Clock) Scrub(now time.Time, frame int) int {
	c.pos = c.order.position(frame)
	c.reanchor(now)
	return c.Frame()
}

func (c *Clock) reanchor(now time.Time) {
	c.anchor, c.steps = now, 0
	c.due = now.Add(c.period())
}

// stepsDue is how many frames Realtime playback is behind at now.
func (c *Clock) stepsDue(now time.Time) int {
	return int(float64(now.Sub(c.anchor))*c.fps/float64(time.Second)) - c.steps
}

func (c *Clock) period() time.Duration { return time.Duration(float64(time.Second) / c.fps) }

// Tick advances playback to now. ready reports whether a frame's pixels
// are at hand (decoded and received); the clock moves only onto frames
// that are. In Realtime mode it moves to the frame due now, and the frames
// passed over that were never shown count as dropped; in EveryFrame mode
// it moves one frame once it is due and ready, and waits otherwise. A
// Once playback stops on its last frame.
func (c *Clock) Tick(now time.Time, ready func(frame int) bool) Tick {
	t := Tick{Frame: c.Frame()}
	if !c.playing || len(c.order.Frames) == 0 {
		return t
	}
	due := 1 // EveryFrame: one step when due
	if c.mode == Realtime {
		due = c.stepsDue(now)
	} else if now.Before(c.due) {
		return t
	}
	if due <= 0 {
		return t
	}
	pos, dir, passed, end := c.advance(due)
	if passed == 0 { // a Once playback already on its last frame
		c.playing, t.Stopped = false, true
		return t
	}
	if !ready(c.order.Frames[pos]) {
		return t
	}
	if c.mode == Realtime {
		t.Dropped = passed - 1
		c.drops += passed - 1
		c.steps += due
	} else if c.due = c.due.Add(c.period()); c.due.Before(now) {
		c.due = now.Add(c.period()) // late: slow down rather than rush
	}
	c.pos, c.dir = pos, dir
	t.Frame, t.Changed = c.Frame(), true
	if end {
		c.playing, t.Stopped = false, true
	}
	return t
}

// NextAt returns when the clock next moves on, if the frame due then is
// ready: when a player that has shown what is due should look again. The
// zero time while paused.
func (c *Clock) NextAt() time.Time {
	switch {
	case !c.playing:
		return time.Time{}
	case c.mode == EveryFrame:
		return c.due
	}
	// Rounded up, so that stepsDue counts the step at that instant.
	return c.anchor.Add(time.Duration(math.Ceil(float64(c.steps+1) * float64(time.Second) / c.fps)))
}

// Due returns the frame the clock would show at now if every frame were
// ready: the one to decode first when the frame due is not.
func (c *Clock) Due(now time.Time) int {
	if !c.playing || c.mode != Realtime || len(c.order.Frames) == 0 {
		return c.Frame()
	}
	due := c.stepsDue(now)
	if due <= 0 {
		return c.Frame()
	}
	pos, _, _, _ := c.advance(due)
	return c.order.Frames[pos]
}

// advance returns the position n steps on from the frame on screen, the
// direction then, how many steps that passed, and whether a Once order
// ends there (where it stops short of n steps).
func (c *Clock) advance(n int) (pos, dir, passed int, end bool) {
	passed = n
	if p := c.order.period(); p > 0 {
		n = (n-1)%p + 1 // the same place, without walking round and round
	}
	pos, dir = c.pos, c.dir
	for i := range n {
		next, d, ok := c.order.Next(pos, dir)
		if !ok {
			return pos, dir, i, true
		}
		pos, dir = next, d
	}
	_, _, ok := c.order.Next(pos, dir)
	return pos, dir, passed, !ok
}
