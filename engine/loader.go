package engine

import (
	"errors"
	"sync"
	"sync/atomic"

	"flick/engine/exr"
)

// RingSize is the capacity of the hand-off ring between a Loader and its
// consumer: decoded frames waiting to be shown, in order, while streaming.
const RingSize = 8

// Loader serves the frames of a sequence from its Cache, decoding on the
// pool what is not there, and prefetches the frames that follow the
// playhead in the play order while the cache's share ahead of the
// playhead has room: one frame per worker, nearest first. It has two ways
// of handing frames over, both through a ring of RingSize frames (Frames):
//
//   - Request (scrubbing): the latest request wins. The ring is emptied
//     and the requested frame alone is delivered; a decode still running
//     for an older request is abandoned (its generation is stale).
//   - Stream (every-frame playback): every frame from a start in the play
//     order is delivered, in order, as the ring has room (see ringRoom).
//
// The frame the consumer waits for is decoded on all workers at once; a
// seek, a change of direction or of channels makes the prefetch work in
// flight stale. Frames come out pinned; the consumer hands each back with
// Release. The zero channel selection is each file's default.
type Loader struct {
	seq     *Sequence
	src     int // the source id the cache knows the sequence by
	pool    *Pool
	cache   *Cache
	stats   *Stats
	gen     atomic.Uint64 // bumped by every command: the urgent decode of an older one is stale
	pgen    atomic.Uint64 // bumped on a seek or a change of direction, order or channels: prefetch of an older one is stale
	running atomic.Int32  // decodes in flight, for Stats

	mu      sync.Mutex
	pending pending       // commands the loader goroutine has not taken; a newer one replaces an older
	wake    chan struct{} // capacity 1: a command is pending or a frame was released
	out     chan *Frame   // the hand-off ring, capacity RingSize
	results chan result   // capacity workers+1: one slot per decode in flight (one urgent, one prefetch per worker)
	done    chan struct{}

	// Loader goroutine only.
	failed    map[Key]*Frame // frames that could not be loaded, with why
	inflight  map[Key]bool   // decodes running: true for the urgent one
	urgent    bool           // an urgent decode is running
	order     Order
	sel       exr.Selection
	head, dir int   // the playhead: the last frame delivered or wanted
	asked     bool  // a frame was requested: head is one the consumer asked for
	want      Key   // the frame the consumer waits for, if waiting
	waiting   bool  // want is not delivered yet
	streaming bool  // delivering every frame from next
	next      int   // streaming: position in order.Frames of the next frame to deliver
	size      int64 // bytes of the last frame decoded, to judge what fits

	states frameStates // what the UI may ask of frames not in the cache

	closer sync.Once
	wg     sync.WaitGroup
}

// FrameState is what a Loader knows of a frame besides the cache: whether a
// decode of it (urgent or prefetch) is running, and why it failed, if it
// did.
type FrameState struct {
	Decoding bool
	Err      error
}

// frameStates mirrors the loader goroutine's inflight and failed maps under
// a mutex of its own, so the UI can draw the cache meter every frame
// without waiting on the loader or the command lock.
type frameStates struct {
	mu       sync.Mutex
	sel      exr.Selection    // the channels the loader decodes with now
	decoding map[Key]struct{} // decodes running, stale ones included
	failed   map[Key]error    // frames that could not be loaded, with why
}

// pending holds the latest command of each kind.
type pending struct {
	req   *request
	order *Order
	sel   *exr.Selection
}

type request struct {
	frame, dir int
	stream     bool
}

// result is a finished decode.
type result struct {
	key    Key
	f      *Frame
	err    error
	urgent bool
}

// NewLoader starts a loader for s that decodes on pool and keeps frames in
// cache under a new source id (Source); it prefetches looping over all of
// s's frames until SetOrder says otherwise. Several loaders, one per
// source, may share a pool and a cache.
func NewLoader(s *Sequence, pool *Pool, cache *Cache) *Loader {
	l := &Loader{
		seq:      s,
		src:      cache.NewSource(),
		pool:     pool,
		cache:    cache,
		stats:    &Stats{},
		wake:     make(chan struct{}, 1),
		out:      make(chan *Frame, RingSize),
		results:  make(chan result, pool.Workers()+1),
		done:     make(chan struct{}),
		failed:   map[Key]*Frame{},
		inflight: map[Key]bool{},
		order:    Order{Frames: s.Frames},
		dir:      1,
		states:   frameStates{decoding: map[Key]struct{}{}, failed: map[Key]error{}},
	}
	l.stats.gauges = l.gauges
	l.wg.Add(1)
	go l.run()
	return l
}

// Source returns the id of the loader's source in the cache: its frames'
// Source, and what Cache.SetActive and Cache.SourceBytes take.
func (l *Loader) Source() int { return l.src }

// key is the cache key of the loader's frame number with sel.
func (l *Loader) key(frame int, sel exr.Selection) Key {
	return Key{Source: l.src, Frame: frame, Channels: sel}
}

// Request asks for a frame, with the direction the user is going (+1 or
// -1) for prefetch, replacing any request not yet served and ending a
// Stream. It never blocks.
func (l *Loader) Request(number, dir int) { l.command(pending{req: &request{frame: number, dir: dir}}) }

// Stream delivers every frame of the play order from number on, going dir,
// in order, through the ring (every-frame playback), until a Request or the
// end of a Once order. It never blocks.
func (l *Loader) Stream(number, dir int) {
	l.command(pending{req: &request{frame: number, dir: dir, stream: true}})
}

// SetOrder sets the frames playback goes through (in and out points) and
// the repeat mode, for prefetch and Stream (Clock.Order gives it).
func (l *Loader) SetOrder(o Order) { l.command(pending{order: &o}) }

// SetChannels switches the channel selection frames are decoded with (the
// zero Selection: each file's default). Frames of another selection are
// never delivered for this one; those in the ring are taken back and, while
// scrubbing, the frame on screen is delivered again with the new channels.
func (l *Loader) SetChannels(sel exr.Selection) { l.command(pending{sel: &sel}) }

func (l *Loader) command(c pending) {
	l.gen.Add(1)
	l.mu.Lock()
	if c.req != nil {
		l.pending.req = c.req
	}
	if c.order != nil {
		l.pending.order = c.order
	}
	if c.sel != nil {
		l.pending.sel = c.sel
	}
	l.mu.Unlock()
	l.poke()
}

func (l *Loader) poke() {
	select {
	case l.wake <- struct{}{}:
	default: // already awake
	}
}

// Frames delivers frames, pinned; a frame that failed carries Err and no
// pixels. The channel is the hand-off ring (capacity RingSize).
func (l *Loader) Frames() <-chan *Frame { return l.out }

// Release unpins a frame received from Frames, making room in the ring.
func (l *Loader) Release(f *Frame) {
	l.cache.Release(f)
	l.poke()
}

// Ready reports whether the frame is cached with the current channels
// (Clock.Tick's ready, in realtime playback).
func (l *Loader) Ready(frame int) bool {
	l.mu.Lock()
	pending := l.pending.sel
	l.mu.Unlock()
	if pending != nil {
		return l.cache.Has(l.key(frame, *pending))
	}
	// l.sel is the loader goroutine's; states.sel is its copy for others.
	l.states.mu.Lock()
	sel := l.states.sel
	l.states.mu.Unlock()
	return l.cache.Has(l.key(frame, sel))
}

// State appends to dst[:0] the state of each of frames with the channels
// the loader decodes with now (frames being decoded, prefetch included, and
// frames that failed, with why) and returns it. It takes a lock only the
// loader holds briefly, never allocates when dst has room, and is cheap
// enough to call for every frame of a sequence at every UI frame.
func (l *Loader) State(frames []int, dst []FrameState) []FrameState {
	st := &l.states
	st.mu.Lock()
	defer st.mu.Unlock()
	dst = dst[:0]
	for _, n := range frames {
		var s FrameState
		if len(st.decoding) > 0 {
			_, s.Decoding = st.decoding[l.key(n, st.sel)]
		}
		if len(st.failed) > 0 {
			s.Err = st.failed[l.key(n, st.sel)]
		}
		dst = append(dst, s)
	}
	return dst
}

// Stats returns the loader's statistics; the display fills in upload and
// present times through it.
func (l *Loader) Stats() *Stats { return l.stats }

func (l *Loader) gauges() Gauges {
	l.mu.Lock()
	pendingReq := 0
	if l.pending.req != nil {
		pendingReq = 1
	}
	l.mu.Unlock()
	return Gauges{Ring: len(l.out), RingCap: cap(l.out), InFlight: int(l.running.Load()),
		Workers: l.pool.Workers(), Busy: l.pool.Busy(), Cache: l.cache.Stats(), PendingRequests: pendingReq}
}

// Close stops the loader, waits for its goroutine and its decodes, takes
// back the frames in the ring and drops its source's frames from the cache
// (frames still pinned once they are released). Safe to call twice.
func (l *Loader) Close() {
	l.closer.Do(func() {
		close(l.done)
		l.wg.Wait()
		l.flush()
		l.cache.closeSource(l.src)
	})
}

func (l *Loader) run() {
	defer l.wg.Done()
	for {
		l.pump()
		select {
		case <-l.wake:
			l.take()
		case r := <-l.results:
			l.finish(r)
		case <-l.done:
			l.gen.Add(1) // abandon what is running
			l.pgen.Add(1)
			for len(l.inflight) > 0 {
				l.finish(<-l.results)
			}
			return
		}
	}
}

// take applies the pending commands.
func (l *Loader) take() {
	l.mu.Lock()
	p := l.pending
	l.pending = pending{}
	l.mu.Unlock()
	if p.order != nil && len(p.order.Frames) > 0 {
		l.order = *p.order
		l.pgen.Add(1)
		if l.streaming {
			l.next = l.order.position(l.order.Frames[min(l.next, len(l.order.Frames)-1)])
		}
	}
	if p.sel != nil && *p.sel != l.sel {
		l.sel = *p.sel
		l.states.mu.Lock()
		l.states.sel = l.sel
		l.states.mu.Unlock()
		l.cache.SetChannels(l.src, l.sel)
		l.pgen.Add(1)
		first, flushed := l.flush()
		switch {
		case p.req != nil: // a new request says what to show
		case l.streaming && flushed:
			l.next = l.order.position(first)
			l.want, l.waiting = Key{}, false
		case l.streaming:
			if l.waiting {
				l.want.Channels = l.sel
			}
		case l.asked: // show the frame on screen in the new channels
			p.req = &request{frame: l.head, dir: l.dir}
		}
	}
	if r := p.req; r != nil {
		dir := 1
		if r.dir < 0 {
			dir = -1
		}
		if dir != l.dir || !l.continues(r.frame) {
			l.pgen.Add(1)
		}
		l.head, l.dir, l.asked = r.frame, dir, true
		l.cache.SetPlayhead(l.src, r.frame, dir)
		l.flush()
		l.streaming, l.waiting = r.stream, false
		if r.stream {
			l.next = l.order.position(r.frame)
		} else {
			l.wantFrame(r.frame)
		}
	}
}

// continues reports whether frame is at most a ring and a worker's frame
// each ahead of the playhead in the play order: playback going on, not a
// seek, so the prefetch in flight is still wanted.
func (l *Loader) continues(frame int) bool {
	i := l.order.position(l.head)
	dir := l.dir
	for range RingSize + l.pool.Workers() + 1 {
		if l.order.Frames[i] == frame {
			return true
		}
		var ok bool
		if i, dir, ok = l.order.Next(i, dir); !ok {
			return false
		}
	}
	return false
}

// flush takes back the frames in the ring, and returns the first one's
// number, if there was one.
func (l *Loader) flush() (first int, flushed bool) {
	for {
		select {
		case f := <-l.out:
			if !flushed {
				first, flushed = f.Number, true
			}
			l.cache.Release(f)
		default:
			return first, flushed
		}
	}
}

// wantFrame makes frame (with the current channels) the one the consumer
// waits for, and delivers it at once if it is cached or known to fail.
func (l *Loader) wantFrame(frame int) {
	l.want, l.waiting = l.key(frame, l.sel), true
	if f := l.cache.Get(l.want); f != nil {
		l.deliver(f)
	} else if f := l.failed[l.want]; f != nil {
		l.deliver(f)
	}
}

// deliver puts the wanted frame in the ring (which has room: the loader
// is its only writer, and it asks for the next frame only when there is).
func (l *Loader) deliver(f *Frame) {
	l.out <- f
	l.waiting = false
	l.head = f.Number
	l.cache.SetPlayhead(l.src, f.Number, l.dir)
	if !l.streaming {
		return
	}
	next, dir, ok := l.order.Next(l.next, l.dir)
	if !ok {
		l.streaming = false // a Once order ended
		return
	}
	l.next, l.dir = next, dir
}

// pump moves the stream on as far as the cache and the ring allow, starts
// the urgent decode of the frame the consumer waits for, and fills the
// workers with prefetch.
func (l *Loader) pump() {
	for l.streaming && !l.waiting && len(l.out) < l.ringRoom() {
		l.wantFrame(l.order.Frames[l.next])
	}
	if l.waiting && !l.urgent && !l.decoding(l.want) {
		l.start(l.want, true) // a missing frame fails at once, with why
	}
	// While a seek's frame decodes on every worker, new prefetch (opening
	// files, evicting for buffers) would only take CPU from it; it starts
	// once that frame is in. A stream keeps prefetching: its next frame is
	// wanted as soon as this one is delivered, and must be in flight.
	for (l.streaming || !l.urgent) && l.prefetching() < l.pool.Workers() {
		k, ok := l.nextPrefetch()
		if !ok {
			break
		}
		l.start(k, false)
	}
}

// ringRoom is how many frames the ring may hold while streaming: RingSize,
// or fewer when that many frames would take more than a quarter of the
// cache budget (frames in the ring are pinned; prefetch needs the rest);
// at least one.
func (l *Loader) ringRoom() int {
	if l.size == 0 {
		return 1
	}
	return int(max(1, min(RingSize, l.cache.Stats().Budget/4/l.size)))
}

// decoding reports whether the frame under k is being decoded.
func (l *Loader) decoding(k Key) bool {
	_, ok := l.inflight[k]
	return ok
}

func (l *Loader) prefetching() int {
	n := len(l.inflight)
	if l.urgent {
		n--
	}
	return n
}

// start decodes the frame under k: urgent on all workers, or as prefetch
// on one.
func (l *Loader) start(k Key, urgent bool) {
	l.inflight[k] = urgent
	l.running.Add(1)
	l.states.mu.Lock()
	l.states.decoding[k] = struct{}{}
	l.states.mu.Unlock()
	decode, gen, genOf := l.pool.DecodeOne, l.pgen.Load(), &l.pgen
	if urgent {
		l.urgent = true
		decode, gen, genOf = l.pool.Decode, l.gen.Load(), &l.gen
	}
	go func() {
		buffer := func(n int) []uint16 { return l.cache.Buffer(k, n) }
		f, err := loadFrame(l.seq, k, buffer, decode, func() bool { return genOf.Load() != gen })
		l.results <- result{key: k, f: f, err: err, urgent: urgent}
	}()
}

// finish takes a decode's result: caches the frame (or remembers why it
// failed) and delivers it if the consumer waits for it.
func (l *Loader) finish(r result) {
	delete(l.inflight, r.key)
	l.running.Add(-1)
	l.states.mu.Lock()
	delete(l.states.decoding, r.key)
	if r.err != nil && !errors.Is(r.err, ErrStale) {
		l.states.failed[r.key] = r.err
	}
	l.states.mu.Unlock()
	if r.urgent {
		l.urgent = false
	}
	wanted := l.waiting && r.key == l.want
	switch {
	case errors.Is(r.err, ErrStale):
		if r.f != nil {
			l.cache.Recycle(r.f.Pix)
		}
	case r.err != nil:
		if r.f != nil {
			l.cache.Recycle(r.f.Pix)
		}
		f := &Frame{Number: r.key.Frame, Source: l.src, Path: l.seq.Path(r.key.Frame), Channels: r.key.Channels, Err: r.err}
		l.failed[r.key] = f
		if wanted {
			l.deliver(f)
		}
	default:
		f := r.f
		l.size = frameBytes(f)
		l.stats.Record(FrameStat{Frame: f.Number, Bytes: l.size, Read: f.Read, Decode: f.Decode})
		kept := l.cache.Put(f) // pinned if kept; if not, the consumer owns it alone
		if wanted {
			l.deliver(f)
		} else if kept {
			l.cache.Release(f)
		}
	}
}

// nextPrefetch returns the first frame after the playhead in the play
// order (the next frame to stream, when streaming) that is neither
// cached, failed, missing nor being decoded, if the cache has room for it
// ahead of the playhead besides the prefetches in flight.
func (l *Loader) nextPrefetch() (Key, bool) {
	frames := l.order.Frames
	if l.size == 0 || len(frames) == 0 {
		return Key{}, false
	}
	i, dir := l.order.position(l.head), l.dir
	if l.streaming {
		i = l.next
	}
	reserved := int64(l.prefetching()) * l.size
	for range len(frames) {
		k := l.key(frames[i], l.sel)
		if !l.cache.Has(k) && l.failed[k] == nil && !l.decoding(k) && l.seq.Path(k.Frame) != "" {
			if !l.cache.Fits(k, l.size+reserved) {
				return Key{}, false
			}
			return k, true
		}
		var ok bool
		if i, dir, ok = l.order.Next(i, dir); !ok {
			break
		}
	}
	return Key{}, false
}
