package engine

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"flick/engine/exr"
)

// Cache holds decoded frames of any number of sources (sequences, each
// read by a Loader that registers it) under one byte budget, keyed by
// source, frame number and channel selection (Key), so frames decoded for
// other channels are never served for the current ones. Each source has
// its own playhead, play direction and selection; SetActive names the
// sources on screen (every source until it is called). The budget is split
// into a share ahead of the playheads (in each source's play direction)
// and a share behind them. When room is needed, frames go furthest first:
// frames of inactive sources (each by its distance from its own playhead),
// then frames of another selection than their source's, then frames behind
// their playhead, then frames ahead of it. Distances from different
// sources' playheads compare directly, so two sources on screen share the
// budget equally around the playhead, and playing a range larger than the
// budget keeps the frames about to be shown. Frames handed out by Get or
// Put are pinned until Release: a pinned frame is never evicted and its
// buffer never reused. Evicted frames' buffers are reused for frames of the
// same size, whatever their source. Buffers handed out by Buffer count
// against the budget while they are being filled. All methods are safe for
// concurrent use.
type Cache struct {
	mu      sync.Mutex
	budget  int64   // bytes of pixels the cache may hold, cached, spare or being filled
	ahead   float64 // share of the budget for frames ahead of the playheads
	used    int64   // bytes of cached frames, spare buffers and buffers out being filled
	frames  map[Key]*cached
	spare   [][]uint16       // buffers of evicted frames, for reuse
	out     map[*uint16]bool // buffers handed out by Buffer, counted in used
	sources map[int]*source  // per source id; made on first use
	next    int              // the id NewSource hands out next
	active  map[int]bool     // the sources on screen; nil: every source
	stats   CacheStats
}

// source is what the cache knows of one source.
type source struct {
	head   int           // playhead frame
	dir    int           // +1 playing forwards, -1 backwards
	sel    exr.Selection // the channels shown now
	closed bool          // its loader closed: its frames go once unpinned
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
// frames ahead of the playheads.
func NewCache(budget int64, aheadShare float64) *Cache {
	return &Cache{budget: budget, ahead: min(1, max(0, aheadShare)), frames: map[Key]*cached{},
		out: map[*uint16]bool{}, sources: map[int]*source{}}
}

func frameBytes(f *Frame) int64 { return 2 * int64(cap(f.Pix)) }

// NewSource returns a source id not used before in this cache (0 first).
// NewLoader calls it; Loader.Close ends the source (closeSource).
func (c *Cache) NewSource() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := c.next
	c.next++
	c.sourceLocked(id)
	return id
}

// sourceLocked returns the state of source id, made (playing forwards
// from 0, default channels) on first use.
func (c *Cache) sourceLocked(id int) *source {
	s, ok := c.sources[id]
	if !ok {
		s = &source{dir: 1}
		c.sources[id] = s
	}
	return s
}

// SetPlayhead moves source src's playhead and play direction (+1 or -1),
// which decide what is evicted first.
func (c *Cache) SetPlayhead(src, frame, dir int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sourceLocked(src)
	s.head = frame
	if dir < 0 {
		s.dir = -1
	} else {
		s.dir = 1
	}
}

// SetChannels sets the selection shown now of source src: its cached
// frames of other selections are evicted before any frame of an active
// source's current selection.
func (c *Cache) SetChannels(src int, sel exr.Selection) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sourceLocked(src).sel = sel
}

// SetActive names the sources on screen (A, and B when comparing): frames
// of the others are evicted first, each source's by its distance from its
// own playhead, and are kept until room is needed. Before the first call
// every source is active.
func (c *Cache) SetActive(sources ...int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.active = map[int]bool{}
	for _, s := range sources {
		c.active[s] = true
	}
}

// SourceBytes returns the bytes of the frames of source src cached now,
// for a meter of what each source holds of the budget.
func (c *Cache) SourceBytes(src int) int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n int64
	for k, e := range c.frames {
		if k.Source == src {
			n += frameBytes(e.f)
		}
	}
	return n
}

// closeSource drops source src's frames, those pinned now once they are
// released, and forgets the source.
func (c *Cache) closeSource(src int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sourceLocked(src).closed = true
	for k, e := range c.frames {
		if k.Source == src && e.pins == 0 {
			c.dropLocked(k, e)
		}
	}
	c.forgetLocked(src)
}

// forgetLocked forgets a closed source once none of its frames is left.
func (c *Cache) forgetLocked(src int) {
	for k := range c.frames {
		if k.Source == src {
			return
		}
	}
	delete(c.sources, src)
	delete(c.active, src)
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
	if !c.makeRoomLocked(need, c.distance(k)) {
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

// Release unpins a frame that Get, Put or Pin returned. The last release
// of a frame of a closed source drops it.
func (c *Cache) Release(f *Frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := f.Key()
	e, ok := c.frames[k]
	if !ok || e.f != f || e.pins == 0 {
		return
	}
	e.pins--
	if s := c.sources[k.Source]; e.pins == 0 && s != nil && s.closed {
		c.dropLocked(k, e)
		c.forgetLocked(k.Source)
	}
}

// Buffer returns a pixel buffer of n values (n > 0) for the frame under k:
// a spare one of that size, or one taken from a frame further from its
// playhead evicted to make room, or else a new one. It counts against the
// budget until the caller hands it back through Put inside a Frame, or
// through Recycle.
func (c *Cache) Buffer(k Key, n int) []uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.bufferLocked(k, n)
	c.out[&b[0]] = true
	return b
}

func (c *Cache) bufferLocked(k Key, n int) []uint16 {
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
		} else if !c.evictLocked(c.distance(k)) {
			break // over budget until Put finds room or lets the frame go
		}
	}
	c.used += need
	return Pixels(n)
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
	c.makeRoomLocked(0, 0) // frees spares while over budget
}

// Fits reports whether the frame under k, of the given size, would be
// kept if it were decoded now: it is within the share of the budget on
// its side of its playhead, counting the cached frames of every active
// source's current selection, on their own playhead's same side, that are
// as close to their playheads as it or closer (another source's frame as
// far as it cannot be evicted for it), and Put could make room for it now
// (buffers being filled and pinned frames count): otherwise the decode
// would be thrown away and asked for again at once. Prefetch asks this
// before decoding.
func (c *Cache) Fits(k Key, bytes int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	ahead := c.isAhead(k)
	share := int64(float64(c.budget) * c.ahead)
	if !ahead {
		share = c.budget - share
	}
	d := c.distance(k)
	// free is what Put could make room with: the budget not used, spare
	// buffers, and the unpinned frames further than k.
	var closer int64
	free := c.budget - c.used
	for _, b := range c.spare {
		free += 2 * int64(cap(b))
	}
	for m, e := range c.frames {
		dm := c.distance(m)
		if m != k && c.isActive(m.Source) && m.Channels == c.sourceLocked(m.Source).sel && c.isAhead(m) == ahead && dm <= d {
			closer += frameBytes(e.f)
		}
		if e.pins == 0 && dm > d {
			free += frameBytes(e.f)
		}
	}
	return closer+bytes <= share && bytes <= free
}

// ahead1 reports whether the frame under k is at or ahead of its source's
// playhead in its play direction.
func (c *Cache) isAhead(k Key) bool {
	s := c.sourceLocked(k.Source)
	return s.dir*(k.Frame-s.head) >= 0
}

func (c *Cache) isActive(src int) bool { return c.active == nil || c.active[src] }

// activeSources returns how many sources are on screen (at least one),
// among which the loaders share the room for their rings.
func (c *Cache) activeSources() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.active)
	if c.active == nil {
		n = len(c.sources)
	}
	return max(1, n)
}

// Stats returns the counters and current sizes.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.stats
	s.Bytes, s.Budget, s.Frames = c.used, c.budget, len(c.frames)
	return s
}

// Eviction tiers added to a frame's distance from its playhead: frames of
// an inactive source count as further than any other, then frames of
// another selection than their source's, then frames behind the playhead,
// then frames ahead (tier 0). A range holds at most a million frames
// (maxRangeFrames), so distances within a tier stay far below the next.
const (
	tierBehind    = 1 << 44
	tierSelection = 1 << 48
	tierInactive  = 1 << 52
)

// distance orders frames for eviction, furthest first (see the tiers).
func (c *Cache) distance(k Key) int64 {
	s := c.sourceLocked(k.Source)
	d := int64(s.dir * (k.Frame - s.head))
	if d < 0 {
		d = tierBehind - d
	}
	if k.Channels != s.sel {
		d += tierSelection
	}
	if !c.isActive(k.Source) {
		d += tierInactive
	}
	return d
}

// makeRoomLocked frees spare buffers, then evicts unpinned frames further
// than limit (a distance) from their playheads (whose buffers become
// spares, freed in turn), until need more bytes fit.
func (c *Cache) makeRoomLocked(need, limit int64) bool {
	for {
		for c.used+need > c.budget && len(c.spare) > 0 {
			last := len(c.spare) - 1
			c.used -= 2 * int64(cap(c.spare[last]))
			c.spare = c.spare[:last] // the garbage collector takes it
		}
		if c.used+need <= c.budget {
			return true
		}
		if !c.evictLocked(limit) {
			return false
		}
	}
}

// evictLocked drops the unpinned frame furthest from its playhead, if it
// is further than limit.
func (c *Cache) evictLocked(limit int64) bool {
	var victim Key
	far := int64(-1)
	for m, e := range c.frames {
		if d := c.distance(m); e.pins == 0 && d > far {
			victim, far = m, d
		}
	}
	if far < 0 || far <= limit {
		return false // only pinned frames, or frames closer than limit, are left
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
