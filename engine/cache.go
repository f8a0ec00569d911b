package engine

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"flick/engine/exr"
)

// Cache holds decoded frames of one sequence under a byte budget, keyed
// by frame number and channel selection (Key), so frames decoded for
// other channels are never served for the current ones; they are the
// first to go when room is needed, and are served again if the selection
// switches back while they are still here. The budget is split into a
// share ahead of the playhead (in the play direction) and a share behind
// it; when room is needed, the frame furthest from the playhead goes
// first, frames behind before frames ahead, so playing a range larger than
// the budget keeps the frames about to be shown. Frames handed out by Get
// or Put are pinned until Release: a pinned frame is never evicted and its
// buffer never reused. Evicted frames' buffers are reused for frames of
// the same size. Buffers handed out by Buffer count against the budget
// while they are being filled. All methods are safe for concurrent use.
type Cache struct {
	mu     sync.Mutex
	budget int64   // bytes of pixels the cache may hold, cached, spare or being filled
	ahead  float64 // share of the budget for frames ahead of the playhead
	used   int64   // bytes of cached frames, spare buffers and buffers out being filled
	frames map[Key]*cached
	spare  [][]uint16       // buffers of evicted frames, for reuse
	out    map[*uint16]bool // buffers handed out by Buffer, counted in used
	head   int              // playhead frame
	dir    int              // +1 playing forwards, -1 backwards
	sel    exr.Selection    // the channels shown now
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
	return &Cache{budget: budget, ahead: min(1, max(0, aheadShare)), frames: map[Key]*cached{},
		out: map[*uint16]bool{}, dir: 1}
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

// SetChannels sets the selection shown now: cached frames of other
// selections are evicted before any frame of this one.
func (c *Cache) SetChannels(sel exr.Selection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sel = sel
}

// Get returns the frame under k pinned, or nil if it is not cached.
func (c *Cache) Get(k Key) *Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.frames[k]
	if !ok {
		c.stats.Misses++
		return nil
	}
	c.stats.Hits++
	e.pins++
	return e.f
}

// Has reports whether a frame is cached under k, without pinning it or
// counting a hit or miss.
func (c *Cache) Has(k Key) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.frames[k]
	return ok
}

// Put adds a decoded frame and returns it pinned. A frame already cached
// under the same key is replaced. Put never exceeds the budget: if no room
// can be made the frame is not kept and Put returns false (the caller then
// owns it alone, and its buffer no longer counts).
func (c *Cache) Put(f *Frame) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, need := f.Key(), frameBytes(f)
	counted := len(f.Pix) > 0 && c.out[&f.Pix[:1][0]]
	if counted {
		delete(c.out, &f.Pix[:1][0])
		c.used -= need // counted again below if kept
	}
	if old, ok := c.frames[k]; ok && old.pins == 0 {
		c.dropLocked(k, old)
	}
	if _, ok := c.frames[k]; ok {
		return false // the cached one is in use: keep it
	}
	if !c.makeRoomLocked(need, k) {
		return false
	}
	c.frames[k] = &cached{f: f, pins: 1}
	c.used += need
	return true
}

// Pin pins f again if it is the frame cached under its key, for a reader
// beside its holder (the viewer's statistics), without counting a hit;
// false if it is not cached (its holder then owns it alone). Release
// unpins it.
func (c *Cache) Pin(f *Frame) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.frames[f.Key()]; ok && e.f == f {
		e.pins++
		return true
	}
	return false
}

// Release unpins a frame that Get, Put or Pin returned.
func (c *Cache) Release(f *Frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.frames[f.Key()]; ok && e.f == f && e.pins > 0 {
		e.pins--
	}
}

// Buffer returns a pixel buffer of n values (n > 0) for frame (of the
// current selection): a spare one of that size, or one taken from a frame
// further from the playhead evicted to make room, or else a new one. It
// counts against the budget until the caller hands it back through Put
// inside a Frame, or through Recycle.
func (c *Cache) Buffer(frame, n int) []uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.bufferLocked(frame, n)
	c.out[&b[0]] = true
	return b
}

func (c *Cache) bufferLocked(frame, n int) []uint16 {
	need := 2 * int64(n)
	for {
		for i, b := range c.spare {
			if cap(b) == n {
				c.spare = slices.Delete(c.spare, i, i+1)
				return b[:n] // still counted in used
			}
		}
		if c.used+need <= c.budget {
			break
		}
		// Over budget: free a spare of another size, or evict the
		// furthest frame (its buffer is likely the size wanted).
		if last := len(c.spare) - 1; last >= 0 {
			c.used -= 2 * int64(cap(c.spare[last]))
			c.spare = c.spare[:last]
		} else if !c.evictLocked(Key{frame, c.sel}) {
			break // over budget until Put finds room or lets the frame go
		}
	}
	c.used += need
	return make([]uint16, n)
}

// Recycle takes back a buffer from Buffer that was not filled (the decode
// failed or was abandoned) as a spare.
func (c *Cache) Recycle(b []uint16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(b) == 0 || !c.out[&b[:1][0]] {
		return
	}
	delete(c.out, &b[:1][0])
	c.spare = append(c.spare, b)
	c.makeRoomLocked(0, Key{c.head, c.sel}) // frees spares while over budget
}

// Fits reports whether the frame under k, of the given size, would be
// kept if it were decoded now: it is within the share of the budget on
// its side of the playhead, counting the frames of its selection between
// it and the playhead that are cached. Prefetch asks this before decoding.
func (c *Cache) Fits(k Key, bytes int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ahead := c.dir*(k.Frame-c.head) >= 0
	share := int64(float64(c.budget) * c.ahead)
	if !ahead {
		share = c.budget - share
	}
	var closer int64
	for m, e := range c.frames {
		if m.Channels == k.Channels && (c.dir*(m.Frame-c.head) >= 0) == ahead && c.distance(m) < c.distance(k) {
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

// distance orders frames for eviction: frames of another selection count
// as further than any other, frames behind the playhead as further than
// any frame ahead of it.
func (c *Cache) distance(k Key) int64 {
	if k.Channels != c.sel {
		return 1 << 50
	}
	d := int64(c.dir * (k.Frame - c.head))
	if d < 0 {
		return 1<<40 - d
	}
	return d
}

// makeRoomLocked frees spare buffers, then evicts unpinned frames further
// from the playhead than the frame under k (whose buffers become spares,
// freed in turn), until need more bytes fit.
func (c *Cache) makeRoomLocked(need int64, k Key) bool {
	for {
		for c.used+need > c.budget && len(c.spare) > 0 {
			last := len(c.spare) - 1
			c.used -= 2 * int64(cap(c.spare[last]))
			c.spare = c.spare[:last] // the garbage collector takes it
		}
		if c.used+need <= c.budget {
			return true
		}
		if !c.evictLocked(k) {
			return false
		}
	}
}

// evictLocked drops the unpinned frame furthest from the playhead, if it
// is further than the frame under k.
func (c *Cache) evictLocked(k Key) bool {
	var victim Key
	far := int64(-1)
	for m, e := range c.frames {
		if d := c.distance(m); e.pins == 0 && d > far {
			victim, far = m, d
		}
	}
	if far < 0 || far <= c.distance(k) {
		return false // only pinned frames, or frames closer than k, are left
	}
	c.dropLocked(victim, c.frames[victim])
	c.stats.Evictions++
	return true
}

// dropLocked removes a frame and keeps its buffer as a spare.
func (c *Cache) dropLocked(k Key, e *cached) {
	delete(c.frames, k)
	if e.f.Pix != nil {
		c.spare = append(c.spare, e.f.Pix)
	} else {
		c.used -= frameBytes(e.f)
	}
}

// MemoryLimit is the Go memory limit for a cache budget: frames live on
// the Go heap, and without a limit the collector lets the heap grow to
// twice what is live, twice the budget. It leaves an eighth of the budget
// and 256 MiB for everything else.
func MemoryLimit(budget int64) int64 { return budget + budget/8 + 256<<20 }

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
