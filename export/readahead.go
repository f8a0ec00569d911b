package export

import (
	"context"
	"fmt"
	"sync"

	"flick/engine"
)

// Source says where a Readahead gets an export's frames.
type Source struct {
	// Cached, when set, returns frame n if it is already decoded (the
	// viewer's cache, which pins it), else nil; Unpin hands such a frame
	// back once the export is done with it.
	Cached func(n int) *engine.Frame
	Unpin  func(*engine.Frame)
	// Decode decodes frame n into a buffer that buffer gives (of the size
	// asked for). On an error it may return the frame with the buffer, for
	// reuse.
	Decode func(ctx context.Context, n int, buffer func(size int) []uint16) (*engine.Frame, error)
}

// ReadaheadLanes is how many frames a Readahead decodes at once: with two,
// one frame's serial work (opening the file, reading its header and chunk
// table) and the last of its chunk ranges overlap the other's decoding, so
// the decode pool's workers do not wait between frames.
const ReadaheadLanes = 2

// Readahead loads an export's frames in order, ahead of Run, on
// ReadaheadLanes goroutines of its own that take turns (frame i on lane
// i mod ReadaheadLanes). Its Load and Release are a Job's: the frames it
// decodes go into buffers it recycles once released, so a long export
// allocates (and the kernel clears) only as many frame buffers as are in
// flight, not one per frame.
type Readahead struct {
	src     Source
	lanes   [ReadaheadLanes]chan loaded
	taken   int           // frames handed over; Load's goroutine only
	buffers chan []uint16 // released buffers, for later frames
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu    sync.Mutex
	owned map[*engine.Frame]bool // frames decoded here and not yet released; guarded by mu
}

// loaded is a frame a lane has loaded (or failed to).
type loaded struct {
	n   int
	f   *engine.Frame
	err error
}

// StartReadahead starts loading frames from src, holding up to ahead
// frames ready (at least one per lane) besides the ones being decoded.
// Stop or Cancel ends it.
func StartReadahead(ctx context.Context, frames []int, ahead int, src Source) *Readahead {
	ctx, cancel := context.WithCancel(ctx)
	perLane := max(1, (ahead+ReadaheadLanes-1)/ReadaheadLanes)
	r := &Readahead{
		src: src,
		// Room for every buffer in flight: ready and decoding in the
		// lanes, and between the stages of Run.
		buffers: make(chan []uint16, ReadaheadLanes*(perLane+2)+pipelineDepth+2),
		cancel:  cancel,
		owned:   map[*engine.Frame]bool{},
	}
	for k := range r.lanes {
		lane := make(chan loaded, perLane)
		r.lanes[k] = lane
		r.wg.Go(func() {
			defer close(lane)
			for i := k; i < len(frames); i += len(r.lanes) {
				l := r.load(ctx, frames[i])
				select {
				case lane <- l:
				case <-ctx.Done():
					r.Release(l.f)
					return
				}
			}
		})
	}
	return r
}

// load gets frame n from the cache or decodes it into a recycled buffer.
func (r *Readahead) load(ctx context.Context, n int) loaded {
	if r.src.Cached != nil {
		if f := r.src.Cached(n); f != nil {
			return loaded{n: n, f: f}
		}
	}
	f, err := r.src.Decode(ctx, n, r.buffer)
	if err != nil {
		if f != nil {
			r.recycle(f.Pix)
		}
		return loaded{n: n, err: err}
	}
	r.mu.Lock()
	r.owned[f] = true
	r.mu.Unlock()
	return loaded{n: n, f: f}
}

// buffer returns a released buffer of size values, or a new one.
func (r *Readahead) buffer(size int) []uint16 {
	select {
	case b := <-r.buffers:
		if cap(b) >= size {
			return b[:size]
		}
	default:
	}
	return engine.Pixels(size)
}

func (r *Readahead) recycle(b []uint16) {
	select {
	case r.buffers <- b:
	default: // more than are ever in flight: let it go
	}
}

// Load is Job.Load: frame n, which must be the next in order.
func (r *Readahead) Load(ctx context.Context, n int) (*engine.Frame, error) {
	lane := r.lanes[r.taken%len(r.lanes)]
	r.taken++
	select {
	case l, ok := <-lane:
		switch {
		case !ok:
			return nil, fmt.Errorf("frame %d: the readahead has stopped", n)
		case l.n != n:
			r.Release(l.f)
			return nil, fmt.Errorf("frame %d asked for, frame %d read ahead: frames out of order", n, l.n)
		}
		return l.f, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Release is Job.Release: a decoded frame's buffer goes to a later frame,
// a cached one back to the cache. Nil is ignored.
func (r *Readahead) Release(f *engine.Frame) {
	if f == nil {
		return
	}
	r.mu.Lock()
	owned := r.owned[f]
	delete(r.owned, f)
	r.mu.Unlock()
	switch {
	case owned:
		r.recycle(f.Pix)
	case r.src.Unpin != nil:
		r.src.Unpin(f)
	}
}

// Stop cancels the loading and waits for it to end. Frames loaded and not
// taken are released.
func (r *Readahead) Stop() { <-r.Cancel() }

// Cancel cancels the loading and returns at once: a lane may be waiting
// on a file that does not answer (a stalled drive), which nothing should
// wait for. Frames loaded and not taken are released, a lane's own as it
// ends; the channel returned is closed once every lane has ended. Until
// then lanes may still call the Source's functions: a caller that ends
// what they use (closes the decode pool) waits for the channel first.
func (r *Readahead) Cancel() <-chan struct{} {
	r.cancel()
	stopped := make(chan struct{})
	go func() {
		r.wg.Wait()
		for _, lane := range r.lanes {
			for l := range lane {
				r.Release(l.f)
			}
		}
		close(stopped)
	}()
	return stopped
}
