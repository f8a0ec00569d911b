package engine

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Cache holds decoded frames of one sequence and channel selection under a
// byte budget. The budget is split into a share ahead of the playhead (in
// the play direction) and a share behind it; when room is needed, the frame
// furthest from the playhead goes first, frames behind before frames ahead,
// so playing a range larger than the budget keeps the frames about to be
// shown. Frames handed out by Get or Put are pinned until Release: a pinned
// frame is never evicted and its buffer never reused. Evicted frames'
// buffers are reused for frames of the same size. All methods are safe for
// concurrent use.
type Cache struct {
	mu     sync.Mutex
	budget int64   // bytes of pixels the cache may hold, cached or spare
	ahead  float64 // share of the budget for frames ahead of the playhead
	used   int64   // bytes of cached frames plus spare buffers
	frames map[int]*cached
	spare  [][]uint16 // buffers of evicted frames, for reuse
	head   int        // playhead frame
	dir    int        // +1 playing forwards, -1 backwards
	stats  CacheStats
}

type cached struct {
	f    *Frame
	pins int
}

// CacheStats counts what the cache did.
type CacheStats struct {
	Hits, Misses, Evictions int
	Bytes, Budget           int64
	Frames                  int
}

// NewCache returns a cache of budget bytes, aheadShare of them (0 to 1) for
// frames ahead of the playhead.
func NewCache(budget int64, aheadShare float64) *Cache {
	return &Cache{budget: budget, ahead: min(1, max(0, aheadShare)), frames: map[int]*cached{}, dir: 1}
}

func frameBytes(f *Frame) int64 { return 2 * int64(cap(f.Pix)) }

// SetPlayhead moves the playhead and the play direction (+1 or -1), which
// decide what is evicted first.
func (c *Cache) SetPlayhead(frame, dir int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.head = frame
	if dir < 0 {
		c.dir = -1
	} else {
		c.dir = 1
	}
}

// Get returns frame n pinned, or nil if it is not cached.
func (c *Cache) Get(n int) *Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.frames[n]
	if !ok {
		c.stats.Misses++
		return nil
	}
	c.stats.Hits++
	e.pins++
	return e.f
}

// Has reports whether frame n is cached, without pinning it or counting a
// hit or miss.
func (c *Cache) Has(n int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.frames[n]
	return ok
}

// Put adds a decoded frame and returns it pinned. A frame already cached
// under the same number is replaced. Put never exceeds the budget: if no
// room can be made the frame is not kept and Put returns false (the caller
// then owns it alone).
func (c *Cache) Put(f *Frame) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.frames[f.Number]; ok && old.pins == 0 {
		c.dropLocked(f.Number, old)
	}
	if _, ok := c.frames[f.Number]; ok {
		return false // the cached one is in use: keep it
	}
	need := frameBytes(f)
	if !c.makeRoomLocked(need, f.Number) {
		return false
	}
	c.frames[f.Number] = &cached{f: f, pins: 1}
	c.used += need
	return true
}

// Release unpins a frame that Get or Put returned.
func (c *Cache) Release(f *Frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.frames[f.Number]; ok && e.f == f && e.pins > 0 {
		e.pins--
	}
}

// Buffer returns a pixel buffer of n values for frame: a spare one of that
// size, or one taken from a frame further from the playhead evicted to make
// room, or else a new one. The caller fills it and hands it back through
// Put inside a Frame (or drops it).
func (c *Cache) Buffer(frame, n int) []uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for i, b := range c.spare {
			if cap(b) == n {
				c.spare = slices.Delete(c.spare, i, i+1)
				c.used -= 2 * int64(cap(b))
				return b[:n]
			}
		}
		// Evict only while the new frame would not fit: its buffer is
		// then likely to be the evicted one.
		if c.used+2*int64(n) <= c.budget || !c.evictLocked(frame) {
			return make([]uint16, n)
		}
	}
}

// Fits reports whether frame n, of the given size, would be kept if it
// were decoded now: it is within the share of the budget on its side of
// the playhead, counting the frames between it and the playhead that are
// cached. Prefetch asks this before decoding.
func (c *Cache) Fits(n int, bytes int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ahead := c.dir*(n-c.head) >= 0
	share := int64(float64(c.budget) * c.ahead)
	if !ahead {
		share = c.budget - share
	}
	var closer int64
	for m, e := range c.frames {
		if (c.dir*(m-c.head) >= 0) == ahead && c.distance(m) < c.distance(n) {
			closer += frameBytes(e.f)
		}
	}
	return closer+bytes <= share
}

// Stats returns the counters and current sizes.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Bytes, s.Budget, s.Frames = c.used, c.budget, len(c.frames)
	return s
}

// distance orders frames for eviction: frames behind the playhead count
// as further than any frame ahead of it.
func (c *Cache) distance(n int) int64 {
	d := int64(c.dir * (n - c.head))
	if d < 0 {
		return 1<<40 - d
	}
	return d
}

// makeRoomLocked frees spare buffers, then evicts unpinned frames further
// from the playhead than frame n (whose buffers become spares, freed in
// turn), until need more bytes fit.
func (c *Cache) makeRoomLocked(need int64, n int) bool {
	for {
		for c.used+need > c.budget && len(c.spare) > 0 {
			last := len(c.spare) - 1
			c.used -= 2 * int64(cap(c.spare[last]))
			c.spare = c.spare[:last] // the garbage collector takes it
		}
		if c.used+need <= c.budget {
			return true
		}
		if !c.evictLocked(n) {
			return false
		}
	}
}

// evictLocked drops the unpinned frame furthest from the playhead, if it
// is further than frame n.
func (c *Cache) evictLocked(n int) bool {
	victim, far := 0, int64(-1)
	for m, e := range c.frames {
		if d := c.distance(m); e.pins == 0 && d > far {
			victim, far = m, d
		}
	}
	if far < 0 || far <= c.distance(n) {
		return false // only pinned frames, or frames closer than n, are left
	}
	c.dropLocked(victim, c.frames[victim])
	c.stats.Evictions++
	return true
}

// dropLocked removes a frame and keeps its buffer as a spare.
func (c *Cache) dropLocked(n int, e *cached) {
	delete(c.frames, n)
	if e.f.Pix != nil {
		c.spare = append(c.spare, e.f.Pix)
	} else {
		c.used -= frameBytes(e.f)
	}
}

// AutoBudget is the cache budget when the user sets none: half the memory
// available now (MemAvailable on Linux), between 256 MiB and 16 GiB; 1 GiB
// where that cannot be read.
func AutoBudget() int64 {
	const lo, hi = 256 << 20, 16 << 30
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 1 << 30
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "MemAvailable:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				break
			}
			return min(hi, max(lo, kb<<10/2))
		}
	}
	return 1 << 30
}
