package engine

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Loader decodes frames of a sequence, each split across the decode pool's
// workers. Requests do not queue: the latest one wins, as a scrubbing user
// expects, and a decode still running when a newer request arrives is
// abandoned (its generation is stale). Decoded frames come out of Frames
// one at a time; the consumer hands each back with Release so its buffer is
// reused (at most two buffers are ever allocated).
type Loader struct {
	seq    *Sequence
	pool   *Pool
	gen    atomic.Uint64 // bumped by every Request
	req    chan int      // capacity 1: the pending request, replaced by newer ones
	out    chan *Frame   // capacity 1
	free   chan []uint16
	done   chan struct{}
	closer sync.Once
	wg     sync.WaitGroup
}

// NewLoader starts a loader for s that decodes on pool.
func NewLoader(s *Sequence, pool *Pool) *Loader {
	l := &Loader{
		seq:  s,
		pool: pool,
		req:  make(chan int, 1),
		out:  make(chan *Frame, 1),
		free: make(chan []uint16, 2),
		done: make(chan struct{}),
	}
	l.free <- nil
	l.free <- nil
	l.wg.Add(1)
	go l.run()
	return l
}

// Request asks for a frame, replacing any request not yet started. It never
// blocks.
func (l *Loader) Request(number int) {
	l.gen.Add(1)
	for {
		select {
		case l.req <- number:
			return
		default:
		}
		select {
		case <-l.req: // drop the stale request and try again
		default:
		}
	}
}

// Frames delivers decoded frames; a frame that failed carries Err.
func (l *Loader) Frames() <-chan *Frame { return l.out }

// Release returns a frame's pixel buffer to the loader; the frame's other
// fields stay valid.
func (l *Loader) Release(f *Frame) {
	l.free <- f.Pix
	f.Pix = nil
}

// Close stops the loader and waits for its goroutine. Safe to call twice.
func (l *Loader) Close() {
	l.closer.Do(func() { close(l.done) })
	l.wg.Wait()
}

func (l *Loader) run() {
	defer l.wg.Done()
	for {
		var n int
		select {
		case n = <-l.req:
		case <-l.done:
			return
		}
		var buf []uint16
		select {
		case buf = <-l.free:
		case <-l.done:
			return
		}
		gen := l.gen.Load()
		f, err := LoadFrame(l.seq, n, buf, l.pool, func() bool { return l.gen.Load() != gen })
		if errors.Is(err, ErrStale) {
			l.free <- buf // a newer request is waiting in req
			continue
		}
		if err != nil {
			f = &Frame{Number: n, Path: l.seq.Path(n), Pix: buf, Err: err}
		}
		select {
		case l.out <- f:
		case <-l.done:
			return
		}
	}
}
