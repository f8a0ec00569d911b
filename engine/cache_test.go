package engine

import (
	"slices"
	"strconv"
	"testing"
	"testing/synctest"

	"flick/engine/exr"
)

// frameOfSize is a cached frame of n pixel values (2n bytes).
func frameOfSize(number, n int) *Frame {
	return &Frame{Number: number, Pix: make([]uint16, n)}
}

func cachedFrames(c *Cache) []int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int
	for n := range c.frames {
		out = append(out, n.Frame)
	}
	slices.Sort(out)
	return out
}

func TestCacheEvictsBehindFirstThenFurthest(t *testing.T) {
	c := NewCache(4*200, 0.75) // room for four 100-value frames
	c.SetPlayhead(0, 10, 1)
	for _, n := range []int{8, 9, 10, 11} {
		if !c.Put(frameOfSize(n, 100)) {
			t.Fatalf("frame %d not kept", n)
		}
		c.Release(c.frames[Key{Frame: n}].f)
	}
	// Frame 12 is ahead: the frame furthest behind (8) goes first.
	if !c.Put(frameOfSize(12, 100)) {
		t.Fatal("frame 12 not kept")
	}
	c.Release(c.frames[Key{Frame: 12}].f)
	if got := cachedFrames(c); !slices.Equal(got, []int{9, 10, 11, 12}) {
		t.Errorf("after 12: %v", got)
	}
	// Playing backwards from 11: now 12 is behind and goes before 9.
	c.SetPlayhead(0, 11, -1)
	c.Put(frameOfSize(8, 100))
	if got := cachedFrames(c); !slices.Equal(got, []int{8, 9, 10, 11}) {
		t.Errorf("backwards: %v", got)
	}
	if s := c.Stats(); s.Evictions != 2 || s.Bytes > s.Budget {
		t.Errorf("stats %+v", s)
	}
}

func TestCacheNeverEvictsPinnedOrCloserFrames(t *testing.T) {
	c := NewCache(2*200, 0.75)
	c.SetPlayhead(0, 0, 1)
	a, b := frameOfSize(0, 100), frameOfSize(1, 100)
	c.Put(a) // both stay pinned
	c.Put(b)
	if c.Put(frameOfSize(2, 100)) {
		t.Error("a frame was kept by evicting pinned frames")
	}
	c.Release(b)
	// Frame 5 is further ahead than frame 1: it must not push 1 out.
	if c.Put(frameOfSize(5, 100)) {
		t.Error("a far frame evicted a closer one")
	}
	if !c.Put(frameOfSize(1, 100)) {
		t.Error("replacing an unpinned frame failed")
	}
	if got := c.Get(Key{Frame: 0}); got != a {
		t.Error("the pinned frame is gone")
	}
	if s := c.Stats(); s.Hits != 1 || s.Bytes > s.Budget {
		t.Errorf("stats %+v", s)
	}
}

// TestCacheBufferEvictsForRoom: asking for a buffer when the cache is full
// evicts the furthest frame and hands over its buffer.
func TestCacheBufferEvictsForRoom(t *testing.T) {
	c := NewCache(2*200, 0.75)
	c.SetPlayhead(0, 5, 1)
	for _, n := range []int{5, 9} {
		f := frameOfSize(n, 100)
		c.Put(f)
		c.Release(f)
	}
	far := c.frames[Key{Frame: 9}].f.Pix
	buf := c.Buffer(Key{Frame: 6}, 100)
	if &buf[0] != &far[0] || c.Has(Key{Frame: 9}) || !c.Has(Key{Frame: 5}) {
		t.Errorf("want frame 9 evicted and its buffer reused; cached %v", cachedFrames(c))
	}
	if !c.Put(&Frame{Number: 6, Pix: buf}) {
		t.Error("frame 6 not kept")
	}
	if s := c.Stats(); s.Bytes != s.Budget {
		t.Errorf("stats %+v, want the budget exactly used", s)
	}
}

// TestCacheReusesReplacedBuffers: a frame replaced in the cache leaves its
// buffer as a spare (counted in the budget) for the next frame of that size.
func TestCacheReusesReplacedBuffers(t *testing.T) {
	c := NewCache(3*200, 0.75)
	c.SetPlayhead(0, 5, 1)
	old := frameOfSize(1, 100)
	c.Put(old)
	c.Release(old)
	c.Put(frameOfSize(5, 100))
	c.Put(frameOfSize(1, 100)) // replaces old, whose buffer becomes a spare
	if s := c.Stats(); s.Bytes != 600 {
		t.Errorf("%d bytes counted, want 600 (two frames and a spare)", s.Bytes)
	}
	buf := c.Buffer(Key{Frame: 7}, 100)
	if &buf[0] != &old.Pix[0] {
		t.Error("the replaced frame's buffer was not reused")
	}
	other := c.Buffer(Key{Frame: 7}, 50)
	if len(other) != 50 {
		t.Errorf("a buffer of another size has %d values", len(other))
	}
	// Buffers being filled count: two frames, 200 and 100 bytes out.
	if s := c.Stats(); s.Bytes != 700 {
		t.Errorf("%d bytes counted with two buffers out, want 700", s.Bytes)
	}
	// An unfilled buffer comes back as a spare, freed at once while the
	// cache is over budget.
	c.Recycle(other)
	if s := c.Stats(); s.Bytes != 600 {
		t.Errorf("%d bytes counted after a buffer came back, want 600", s.Bytes)
	}
	if !c.Put(&Frame{Number: 7, Pix: buf}) || c.Stats().Bytes != 600 {
		t.Errorf("frame 7 in its counted buffer: %+v", c.Stats())
	}
}

func TestCacheFitsKeepsShares(t *testing.T) {
	c := NewCache(8*200, 0.75) // 6 frames ahead, 2 behind
	c.SetPlayhead(0, 100, 1)
	for n := 100; n < 105; n++ {
		c.Put(frameOfSize(n, 100))
	}
	if !c.Fits(Key{Frame: 105}, 200) {
		t.Error("ahead share: no room for the sixth frame")
	}
	c.Put(frameOfSize(105, 100))
	if c.Fits(Key{Frame: 106}, 200) {
		t.Error("ahead share: room for a seventh frame")
	}
	if !c.Fits(Key{Frame: 99}, 200) || !c.Fits(Key{Frame: 98}, 200) {
		t.Error("behind share: want room for two frames")
	}
	c.Put(frameOfSize(99, 100))
	c.Put(frameOfSize(98, 100))
	if c.Fits(Key{Frame: 97}, 200) {
		t.Error("behind share exceeded")
	}
}

func TestAutoBudgetIsBounded(t *testing.T) {
	if b := AutoBudget(); b < 256<<20 || b > 16<<30 {
		t.Errorf("AutoBudget() = %d", b)
	}
}

// TestLoaderPrefetchesAndServesFromCache plays the demo with the real
// decoder: after the first request the loader fills the cache ahead of the
// playhead by itself, and stepping through the whole sequence then decodes
// nothing more.
func TestLoaderPrefetchesAndServesFromCache(t *testing.T) {
	s := demo(t)
	inBubble(t, func(t *testing.T, pool *Pool) {
		c := NewCache(1<<30, 0.75)
		l := NewLoader(s, pool, c)
		defer l.Close()
		l.Request(s.First(), 1)
		l.Release(receive(t, l))
		synctest.Wait() // prefetch has done all it will
		if got := c.Stats().Frames; got != len(s.Frames) {
			t.Fatalf("prefetch cached %d of %d frames", got, len(s.Frames))
		}
		misses := c.Stats().Misses
		for _, n := range s.Frames {
			l.Request(n, 1)
			f := receive(t, l)
			if f.Number != n || f.Err != nil || len(f.Pix) == 0 {
				t.Fatalf("frame %d: got %d, %v", n, f.Number, f.Err)
			}
			l.Release(f)
		}
		if got := c.Stats().Misses; got != misses {
			t.Errorf("%d frames were decoded again although cached", got-misses)
		}
	})
}

// inBubble runs test in a synctest bubble with a decode pool of its own
// (two workers), so that synctest.Wait returns once the loader, its decode
// goroutines and the workers are all blocked: once the loader has done all
// it would do by itself. A decode running in C is not blocked: Wait waits
// for it to end.
func inBubble(t *testing.T, test func(t *testing.T, pool *Pool)) {
	synctest.Test(t, func(t *testing.T) {
		pool := NewPool(2)
		defer pool.Close()
		test(t, pool)
	})
}

// TestLoaderStaysInBudget: with room for three frames ahead (the one on
// screen and two more), prefetch stops there, decoding nothing it cannot
// keep, and the cache never holds more than its budget.
func TestLoaderStaysInBudget(t *testing.T) {
	s := demo(t)
	frame := int64(2 * 4 * demoWidth * demoHeight)
	inBubble(t, func(t *testing.T, pool *Pool) {
		c := NewCache(4*frame, 0.75)
		l := NewLoader(s, pool, c)
		defer l.Close()
		for i, n := range s.Frames[:6] {
			l.Request(n, 1)
			l.Release(receive(t, l))
			synctest.Wait() // prefetch has run out of room
			if st := c.Stats(); st.Bytes > st.Budget || st.Frames > 4 {
				t.Fatalf("at frame %d: %+v", n, st)
			}
			if got := l.Stats().Snapshot().Decoded; got != i+3 {
				t.Fatalf("at frame %d: %d frames decoded, want %d (up to two ahead)", n, got, i+3)
			}
		}
	})
}

// grey is a selection other than the default, for frames of another
// selection than their source's.
var grey = exr.Selection{Names: [4]string{"R"}, Grey: true}

// sourceFrame is a cached frame of 100 values of source src.
func sourceFrame(src, number int, sel exr.Selection) *Frame {
	return &Frame{Source: src, Number: number, Channels: sel, Pix: make([]uint16, 100)}
}

// evictionOrder empties the cache as room would be made and lists the
// frames in the order they went, "A11" for frame 11 of source 0, "B9" for
// frame 9 of source 1, "'" after a frame of another selection.
func evictionOrder(c *Cache) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var order []string
	for len(c.frames) > 0 {
		var victim Key
		far := int64(-1)
		for m := range c.frames {
			if d := c.distance(m); d > far {
				victim, far = m, d
			}
		}
		name := string(rune('A'+victim.Source)) + strconv.Itoa(victim.Frame)
		if victim.Channels != c.sources[victim.Source].sel {
			name += "'"
		}
		order = append(order, name)
		if !c.evictLocked(-1) {
			panic("nothing evicted")
		}
	}
	return order
}

// TestCacheEvictionOrderAcrossSources: frames of inactive sources go
// first (by distance from their own playhead), then frames of another
// selection than their source's, then frames behind, then ahead, and
// distances from A's and B's playheads compare directly.
func TestCacheEvictionOrderAcrossSources(t *testing.T) {
	type put struct {
		src, frame int
		sel        exr.Selection
	}
	for _, tc := range []struct {
		name   string
		heads  [2]int // A's and B's playheads, both playing forwards
		active []int  // nil: SetActive not called
		frames []put
		want   []string
	}{
		{"ahead and behind, both active", [2]int{10, 10}, nil,
			[]put{{0, 11, exr.Selection{}}, {0, 12, exr.Selection{}}, {1, 9, exr.Selection{}}, {1, 13, exr.Selection{}}},
			[]string{"B9", "B13", "A12", "A11"}},
		{"distances from different playheads", [2]int{10, 100}, []int{0, 1},
			[]put{{0, 13, exr.Selection{}}, {1, 101, exr.Selection{}}, {1, 104, exr.Selection{}}, {0, 10, exr.Selection{}}},
			[]string{"B104", "A13", "B101", "A10"}},
		{"inactive first, even on its playhead", [2]int{10, 50}, []int{0},
			[]put{{1, 50, exr.Selection{}}, {0, 8, exr.Selection{}}, {0, 15, exr.Selection{}}, {1, 52, exr.Selection{}}},
			[]string{"B52", "B50", "A8", "A15"}},
		{"inactive sources by their own playheads", [2]int{10, 100}, []int{2},
			[]put{{0, 12, exr.Selection{}}, {1, 103, exr.Selection{}}, {1, 99, exr.Selection{}}, {0, 10, exr.Selection{}}},
			[]string{"B99", "B103", "A12", "A10"}},
		{"other selection before behind", [2]int{10, 10}, nil,
			[]put{{0, 11, grey}, {0, 8, exr.Selection{}}, {1, 12, exr.Selection{}}, {1, 10, grey}},
			[]string{"A11'", "B10'", "A8", "B12"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCache(1<<20, 0.75)
			a, b := c.NewSource(), c.NewSource()
			c.SetPlayhead(a, tc.heads[0], 1)
			c.SetPlayhead(b, tc.heads[1], 1)
			if tc.active != nil {
				c.SetActive(tc.active...)
			}
			for _, p := range tc.frames {
				f := sourceFrame(p.src, p.frame, p.sel)
				if !c.Put(f) {
					t.Fatalf("frame %+v not kept", p)
				}
				c.Release(f)
			}
			if got := evictionOrder(c); !slices.Equal(got, tc.want) {
				t.Errorf("eviction order %v, want %v", got, tc.want)
			}
		})
	}
}

// TestCacheFitsCountsActiveSources: the share ahead of the playheads holds
// the frames of every active source; an inactive source's frames leave it.
func TestCacheFitsCountsActiveSources(t *testing.T) {
	c := NewCache(8*200, 0.75) // 6 frames ahead, 2 behind
	a, b := c.NewSource(), c.NewSource()
	c.SetPlayhead(a, 100, 1)
	c.SetPlayhead(b, 500, 1)
	for _, f := range []*Frame{sourceFrame(a, 100, exr.Selection{}), sourceFrame(a, 101, exr.Selection{}),
		sourceFrame(a, 102, exr.Selection{}), sourceFrame(b, 500, exr.Selection{}), sourceFrame(b, 501, exr.Selection{})} {
		c.Put(f)
		c.Release(f)
	}
	if !c.Fits(Key{Source: b, Frame: 502}, 200) {
		t.Error("no room for B's third frame ahead")
	}
	c.Put(sourceFrame(b, 502, exr.Selection{}))
	if c.Fits(Key{Source: a, Frame: 103}, 200) {
		t.Error("room for a seventh frame ahead: B's frames were not counted")
	}
	c.SetActive(a)
	if !c.Fits(Key{Source: a, Frame: 103}, 200) {
		t.Error("B is off screen, yet its frames still take A's share")
	}
}

// TestCacheCloseSourceAndSwitch: switching shots keeps the other shot's
// frames until room is needed; closing a source drops its frames (a
// pinned one when released) and their buffers serve the other source.
func TestCacheCloseSourceAndSwitch(t *testing.T) {
	c := NewCache(4*200, 0.75)
	a, b := c.NewSource(), c.NewSource()
	for _, n := range []int{1, 2} {
		for _, src := range []int{a, b} {
			f := sourceFrame(src, n, exr.Selection{})
			c.Put(f)
			c.Release(f)
		}
	}
	c.SetActive(b) // switch to shot B: A's frames stay while there is room
	if !c.Has(Key{Source: a, Frame: 1}) || c.SourceBytes(a) != 400 || c.SourceBytes(b) != 400 {
		t.Fatalf("after the switch: %d bytes of A, %d of B", c.SourceBytes(a), c.SourceBytes(b))
	}
	b3 := sourceFrame(b, 3, exr.Selection{})
	c.Put(b3) // full: A's furthest frame goes, not B's
	c.Release(b3)
	if c.Has(Key{Source: a, Frame: 2}) || !c.Has(Key{Source: a, Frame: 1}) || c.SourceBytes(b) != 600 {
		t.Errorf("room for B's frame 3: %v cached, %d bytes of B", cachedFrames(c), c.SourceBytes(b))
	}
	pinned := c.Get(Key{Source: b, Frame: 1})
	c.closeSource(b)
	if c.SourceBytes(b) != 200 || !c.Has(Key{Source: b, Frame: 1}) {
		t.Fatalf("closed B holds %d bytes; want its pinned frame only", c.SourceBytes(b))
	}
	c.Release(pinned)
	if c.SourceBytes(b) != 0 || c.sources[b] != nil {
		t.Errorf("B's last frame released: %d bytes, source %+v", c.SourceBytes(b), c.sources[b])
	}
	before := c.Stats().Bytes
	if c.Buffer(Key{Source: a, Frame: 3}, 100); c.Stats().Bytes != before {
		t.Errorf("a buffer for A was allocated (%d bytes counted, %d before), not taken from B's", c.Stats().Bytes, before)
	}
}

// TestLoadersShareCacheAndPool: two loaders over one cache and one pool,
// both at the same frame playing forwards, prefetch both around the
// playhead: each holds at least the three nearest frames (the share ahead
// is six frames; which source's prefetch comes in first may take a frame
// or two more of the rest of the budget), within the budget.
func TestLoadersShareCacheAndPool(t *testing.T) {
	s := demo(t)
	frame := int64(2 * 4 * demoWidth * demoHeight)
	inBubble(t, func(t *testing.T, pool *Pool) {
		c := NewCache(8*frame, 0.75)
		la, lb := NewLoader(s, pool, c), NewLoader(s, pool, c)
		defer la.Close()
		defer lb.Close()
		if la.Source() == lb.Source() {
			t.Fatalf("both loaders are source %d", la.Source())
		}
		head := s.Frames[10]
		for _, l := range []*Loader{la, lb} {
			l.Request(head, 1)
		}
		for _, l := range []*Loader{la, lb} {
			f := receive(t, l)
			if f.Source != l.Source() || f.Number != head || f.Err != nil {
				t.Fatalf("loader %d delivered frame %d of source %d (%v)", l.Source(), f.Number, f.Source, f.Err)
			}
			l.Release(f)
		}
		synctest.Wait() // prefetch has done all it will
		want := []int{head, head + 1, head + 2}
		for _, l := range []*Loader{la, lb} {
			var got []int
			for _, n := range s.Frames {
				if c.Has(Key{Source: l.Source(), Frame: n}) {
					got = append(got, n)
				}
			}
			if len(got) < 3 || !slices.Equal(got[:3], want) {
				t.Errorf("source %d: cached %v (%d bytes), want %v", l.Source(), got, c.SourceBytes(l.Source()), want)
			}
		}
		if st := c.Stats(); st.Bytes > st.Budget {
			t.Errorf("%d bytes held, over the budget of %d", st.Bytes, st.Budget)
		}
		lb.Close()
		if c.SourceBytes(lb.Source()) != 0 || !c.Has(Key{Source: la.Source(), Frame: head}) {
			t.Errorf("after closing B: %d bytes of B; A's frame on screen kept: %v",
				c.SourceBytes(lb.Source()), c.Has(Key{Source: la.Source(), Frame: head}))
		}
	})
}
