package engine

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// Loader serves the frames of a sequence from its Cache, decoding on the
// pool what is not there, and prefetches the frames that follow the
// playhead in the play direction (wrapping at the end, as playback loops)
// while the cache's share ahead of the playhead has room. Requests do not
// queue: the latest one wins, as a scrubbing user expects; a decode or
// prefetch still running when a newer request arrives is abandoned (its
// generation is stale). Decoded frames come out of Frames pinned; the
// consumer hands each back with Release.
type Loader struct {
	seq   *Sequence
	pool  *Pool
	cache *Cache
	gen   atomic.Uint64 // bumped by every Request
	req   chan request  // capacity 1: the pending request, replaced by newer ones
	out   chan *Frame   // capacity 1: an undelivered frame is replaced by a newer one
	done  chan struct{}

	// Loader goroutine only.
	failed    map[int]*Frame // frames that could not be loaded, with why
	head, dir int
	size      int64 // bytes of the last frame decoded, to judge what fits

	closer sync.Once
	wg     sync.WaitGroup
}

type request struct{ frame, dir int }

// NewLoader starts a loader for s that decodes on pool and keeps frames in
// cache.
func NewLoader(s *Sequence, pool *Pool, cache *Cache) *Loader {
	l := &Loader{
		seq:    s,
		pool:   pool,
		cache:  cache,
		req:    make(chan request, 1),
		out:    make(chan *Frame, 1),
		done:   make(chan struct{}),
		failed: map[int]*Frame{},
		dir:    1,
	}
	l.wg.Add(1)
	go l.run()
	return l
}

// Request asks for a frame, with the direction playback is going (+1 or
// -1) for prefetch, replacing any request not yet served. It never blocks.
func (l *Loader) Request(number, dir int) {
	l.gen.Add(1)
	r := request{number, dir}
	for {
		select {
		case l.req <- r:
			return
		default:
		}
		select {
		case <-l.req: // drop the stale request and try again
		default:
		}
	}
}

// Frames delivers requested frames, pinned; a frame that failed carries
// Err and no pixels.
func (l *Loader) Frames() <-chan *Frame { return l.out }

// Release unpins a frame received from Frames.
func (l *Loader) Release(f *Frame) { l.cache.Release(f) }

// Close stops the loader and waits for its goroutine. Safe to call twice.
func (l *Loader) Close() {
	l.closer.Do(func() { close(l.done) })
	l.wg.Wait()
}

func (l *Loader) run() {
	defer l.wg.Done()
	for {
		var r request
		select {
		case r = <-l.req:
		case <-l.done:
			return
		default:
			if n, ok := l.nextPrefetch(); ok {
				l.prefetch(n)
				continue
			}
			select {
			case r = <-l.req:
			case <-l.done:
				return
			}
		}
		l.head, l.dir = r.frame, r.dir
		l.cache.SetPlayhead(r.frame, r.dir)
		f := l.cache.Get(r.frame)
		if f == nil {
			if f = l.failed[r.frame]; f == nil {
				var err error
				if f, err = l.load(r.frame); errors.Is(err, ErrStale) {
					continue // a newer request is waiting in req
				}
			}
		}
		l.deliver(f)
	}
}

// load decodes frame n and caches it (pinned); a failure is remembered and
// returned as a frame with Err.
func (l *Loader) load(n int) (*Frame, error) {
	gen := l.gen.Load()
	buffer := func(size int) []uint16 { return l.cache.Buffer(n, size) }
	f, err := LoadFrame(l.seq, n, buffer, l.pool, func() bool { return l.gen.Load() != gen })
	switch {
	case errors.Is(err, ErrStale):
		return nil, err
	case err != nil:
		f = &Frame{Number: n, Path: l.seq.Path(n), Err: err}
		l.failed[n] = f
		return f, nil
	}
	l.size = frameBytes(f)
	l.cache.Put(f) // if the cache cannot keep it, the consumer owns it alone
	return f, nil
}

// deliver hands f to the consumer, replacing a frame it has not taken yet.
func (l *Loader) deliver(f *Frame) {
	for {
		select {
		case l.out <- f:
			return
		case <-l.done:
			return
		default:
		}
		select {
		case old := <-l.out:
			l.cache.Release(old)
		default:
		}
	}
}

// nextPrefetch returns the first frame after the playhead, in the play
// direction and wrapping around, that is neither cached nor failed, if the
// cache has room for it on the ahead side.
func (l *Loader) nextPrefetch() (int, bool) {
	frames := l.seq.Frames
	if l.size == 0 || len(frames) < 2 {
		return 0, false
	}
	i, _ := slices.BinarySearch(frames, l.head)
	for step := 1; step < len(frames); step++ {
		n := frames[((i+l.dir*step)%len(frames)+len(frames))%len(frames)]
		if l.cache.Has(n) || l.failed[n] != nil {
			continue
		}
		if !l.cache.Fits(n, l.size) {
			return 0, false
		}
		return n, true
	}
	return 0, false
}

// prefetch loads frame n into the cache and lets go of it.
func (l *Loader) prefetch(n int) {
	if f, err := l.load(n); err == nil && f.Err == nil {
		l.cache.Release(f)
	}
}
