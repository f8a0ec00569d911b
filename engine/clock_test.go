package engine

import (
	"slices"
	"testing"
	"time"
)

// fakeTime is a Timer whose Sleep moves its time on.
type fakeTime struct{ now time.Time }

func (f *fakeTime) Now() time.Time        { return f.now }
func (f *fakeTime) Sleep(d time.Duration) { f.now = f.now.Add(d) }

func always(int) bool { return true }

// play ticks c every tick for n ticks from start and returns the frames
// shown, in order.
func play(c *Clock, start time.Time, tick time.Duration, n int, ready func(int) bool) []int {
	var shown []int
	for i := 1; i <= n; i++ {
		if t := c.Tick(start.Add(time.Duration(i)*tick), ready); t.Changed {
			shown = append(shown, t.Frame)
		}
	}
	return shown
}

func TestOrderLoopPingPongOnce(t *testing.T) {
	frames := []int{1, 2, 3}
	walk := func(r Repeat, i, dir, n int) []int {
		var out []int
		for range n {
			var ok bool
			if i, dir, ok = (Order{frames, r}).Next(i, dir); !ok {
				break
			}
			out = append(out, frames[i])
		}
		return out
	}
	for _, tc := range []struct {
		r        Repeat
		from, to int
		want     []int
	}{
		{Loop, 0, 1, []int{2, 3, 1, 2}},
		{Loop, 0, -1, []int{3, 2, 1, 3}},
		{PingPong, 0, 1, []int{2, 3, 2, 1, 2}},
		{PingPong, 2, -1, []int{2, 1, 2, 3}},
		{Once, 0, 1, []int{2, 3}},
		{Once, 2, -1, []int{2, 1}},
	} {
		if got := walk(tc.r, tc.from, tc.to, len(tc.want)+1); !slices.Equal(got[:min(len(got), len(tc.want))], tc.want) || tc.r == Once && len(got) != len(tc.want) {
			t.Errorf("repeat %d from %d dir %d: %v, want %v", tc.r, tc.from, tc.to, got, tc.want)
		}
	}
}

func TestClockRealtimeDropsWhatIsNotReady(t *testing.T) {
	frames := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	c := NewClock(frames, 10) // 100 ms a frame
	start := time.Unix(100, 0)
	c.Play(start, 1)
	// Frames 3 and 4 are late: by the time 4 is due... never ready; 5 is.
	ready := func(n int) bool { return n != 3 && n != 4 }
	got := play(c, start, 50*time.Millisecond, 11, ready) // to 550 ms
	if want := []int{2, 5, 6}; !slices.Equal(got, want) {
		t.Errorf("shown %v, want %v", got, want)
	}
	if c.Drops() != 2 {
		t.Errorf("%d drops, want 2 (frames 3 and 4)", c.Drops())
	}
}

func TestClockEveryFrameNeverDrops(t *testing.T) {
	frames := []int{1, 2, 3, 4, 5}
	c := NewClock(frames, 10)
	c.SetMode(EveryFrame)
	start := time.Unix(100, 0)
	c.Play(start, 1)
	late := 3 // ready only after 1 s
	now := start
	var shown []int
	for now.Before(start.Add(2 * time.Second)) {
		now = now.Add(25 * time.Millisecond)
		t := c.Tick(now, func(n int) bool { return n != late || now.Sub(start) >= time.Second })
		if t.Changed {
			shown = append(shown, t.Frame)
		}
	}
	if want := []int{2, 3, 4, 5, 1, 2}; !slices.Equal(shown[:min(len(shown), 6)], want) || c.Drops() != 0 {
		t.Errorf("shown %v with %d drops, want %v... and none", shown, c.Drops(), want)
	}
	// It slowed down for frame 3 and then went on at the rate: 4 came a
	// frame after 3, not at once.
	c2 := NewClock(frames, 10)
	c2.SetMode(EveryFrame)
	c2.Play(start, 1)
	c2.Tick(start.Add(100*time.Millisecond), always) // 2
	c2.Tick(start.Add(time.Second), always)          // 3, late
	if tk := c2.Tick(start.Add(time.Second+10*time.Millisecond), always); tk.Changed {
		t.Error("the frame after a late one came at once")
	}
	if tk := c2.Tick(start.Add(time.Second+100*time.Millisecond), always); !tk.Changed || tk.Frame != 4 {
		t.Errorf("a frame after a late one: %+v", tk)
	}
}

func TestClockPingPongOnceReverseInOut(t *testing.T) {
	frames := []int{10, 11, 12, 13, 14, 15}
	start := time.Unix(0, 0)
	tick := 100 * time.Millisecond

	c := NewClock(frames, 10)
	if err := c.SetInOut(11, 13); err != nil {
		t.Fatal(err)
	}
	if c.Frame() != 11 {
		t.Errorf("the frame on screen moved to %d, want the in point 11", c.Frame())
	}
	c.SetRepeat(PingPong)
	c.Play(start, 1)
	if got, want := play(c, start, tick, 6, always), []int{12, 13, 12, 11, 12, 13}; !slices.Equal(got, want) {
		t.Errorf("ping-pong between 11 and 13: %v, want %v", got, want)
	}

	c = NewClock(frames, 10)
	c.SetRepeat(Once)
	c.Scrub(start, 12)
	c.Play(start, -1)
	var stopped bool
	var got []int
	for i := 1; i <= 6; i++ {
		tk := c.Tick(start.Add(time.Duration(i)*tick), always)
		if tk.Changed {
			got = append(got, tk.Frame)
		}
		stopped = stopped || tk.Stopped
	}
	if want := []int{11, 10}; !slices.Equal(got, want) || !stopped || c.Playing() {
		t.Errorf("once backwards from 12: %v (stopped %v, playing %v), want %v and stopped", got, stopped, c.Playing(), want)
	}

	if err := c.SetInOut(16, 20); err == nil {
		t.Error("in and out points around no frame were accepted")
	}
	c.SetRepeat(Loop)
	c.Scrub(start, 15)
	if f := c.Step(1); f != 10 {
		t.Errorf("step from the last frame looping: %d, want 10", f)
	}
	if f := c.Step(-2); f != 14 {
		t.Errorf("two steps back from 10: %d, want 14", f)
	}
}

// TestClockCachedRealtime60: ten thousand frames at 60 fps, every frame
// ready, the player sleeping until NextAt as the headless player does:
// every tick shows the next frame, none is dropped, and the time taken is
// 10000/60 s.
func TestClockCachedRealtime60(t *testing.T) {
	frames := make([]int, 48)
	for i := range frames {
		frames[i] = 1001 + i
	}
	ft := &fakeTime{now: time.Unix(1000, 0)}
	start := ft.Now()
	c := NewClock(frames, 60)
	c.Play(ft.Now(), 1)
	for i := range 10000 {
		ft.Sleep(c.NextAt().Sub(ft.Now()))
		tick := c.Tick(ft.Now(), always)
		if want := frames[(i+1)%len(frames)]; !tick.Changed || tick.Frame != want {
			t.Fatalf("tick %d at NextAt: %+v, want frame %d shown", i, tick, want)
		}
	}
	if c.Drops() != 0 {
		t.Errorf("%d drops in 10000 cached frames at 60 fps", c.Drops())
	}
	if d, want := ft.Now().Sub(start), 10000*time.Second/60; d < want || d > want+time.Microsecond {
		t.Errorf("10000 frames at 60 fps took %v, want %v", d, want)
	}
}

func TestClockFPSFromSettingWhenAbsent(t *testing.T) {
	if c := NewClock([]int{1}, 0); c.FPS() != DefaultFPS {
		t.Errorf("fps %v, want the default %d", c.FPS(), DefaultFPS)
	}
}
