package engine

import (
	"slices"
	"testing"
	"testing/synctest"
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
	c.SetPlayhead(10, 1)
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
	c.SetPlayhead(11, -1)
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
	c.SetPlayhead(0, 1)
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
	c.SetPlayhead(5, 1)
	for _, n := range []int{5, 9} {
		f := frameOfSize(n, 100)
		c.Put(f)
		c.Release(f)
	}
	far := c.frames[Key{Frame: 9}].f.Pix
	buf := c.Buffer(6, 100)
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
	c.SetPlayhead(5, 1)
	old := frameOfSize(1, 100)
	c.Put(old)
	c.Release(old)
	c.Put(frameOfSize(5, 100))
	c.Put(frameOfSize(1, 100)) // replaces old, whose buffer becomes a spare
	if s := c.Stats(); s.Bytes != 600 {
		t.Errorf("%d bytes counted, want 600 (two frames and a spare)", s.Bytes)
	}
	buf := c.Buffer(7, 100)
	if &buf[0] != &old.Pix[0] {
		t.Error("the replaced frame's buffer was not reused")
	}
	other := c.Buffer(7, 50)
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
	c.SetPlayhead(100, 1)
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
