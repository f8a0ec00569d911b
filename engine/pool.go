package engine

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"

	"flick/engine/exr"
)

// ErrStale means a decode was abandoned because a newer request replaced
// it (the user seeked on); its buffer holds part of a frame.
var ErrStale = errors.New("decode abandoned for a newer request")

// Pool is the program's decode pool: a fixed set of workers, each locked
// to an OS thread of its own for its whole life, so that the C decoders
// they run keep their thread-local state (in engine/exr: the error sink,
// bridge.c; libdeflate's decompressor, deflate.c; the kept decode buffers,
// pipebuf.c; dwa.c's chunk plan; codec.cpp's C++ decompressor) and the Go
// scheduler does not migrate them mid chunk. Two kinds of work: Decode splits the frame a user waits for
// across all workers by chunk ranges (latency); DecodeOne gives a prefetch
// frame to one worker (throughput: N frames in flight on N workers). A
// worker decoding a prefetch frame works through it in slices of chunks
// (slicesPerFrame) and, between slices, serves any chunk ranges of an
// urgent frame first, so a seek waits for one slice, not for a whole frame.
// DecodeWhole gives a frame to one worker in one piece, for batch decoding
// where nothing is urgent.
type Pool struct {
	urgent     chan job // bounded: 2*rangesPerWorker per worker (Decode queues rangesPerWorker per worker)
	background chan job // bounded: 1 per worker (the loader keeps at most one prefetch per worker in flight)
	workers    int
	busy       atomic.Int32 // workers running a job now
	wg         sync.WaitGroup
	closer     sync.Once
}

// job is a contiguous chunk range of one frame; a background job covers
// the whole frame, decoded in as many pieces as its slices field says.
type job struct {
	f          *exr.File
	dst        []uint16
	sel        exr.Selection
	begin, end int
	slices     int // background jobs: slicesPerFrame (DecodeOne) or 1 (DecodeWhole)
	stale      func() bool
	done       func(error)
}

// slicesPerFrame is how many slices a worker cuts a prefetch frame into,
// looking for urgent work between them: a seek waits for half a slice on
// average, 1/64 of a frame on one worker, so the frame the user waits for
// starts on every worker within a few percent of its own decode time.
const slicesPerFrame = 16

// rangesPerWorker is how many chunk ranges Decode cuts an urgent frame
// into per worker: workers that start late (finishing a prefetch slice)
// or run slower share the tail instead of one worker finishing it alone.
const rangesPerWorker = 8

// NewPool starts n workers (at least 1; n <= 0 means one per CPU).
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	p := &Pool{urgent: make(chan job, 2*rangesPerWorker*n), background: make(chan job, n), workers: n}
	p.wg.Add(n)
	for range n {
		go p.work()
	}
	return p
}

// Workers returns the number of workers.
func (p *Pool) Workers() int { return p.workers }

// Busy returns how many workers are decoding now.
func (p *Pool) Busy() int { return int(p.busy.Load()) }

func (p *Pool) work() {
	defer p.wg.Done()
	runtime.LockOSThread() // for the worker's life; the thread ends with it
	urgent, background := p.urgent, p.background
	for urgent != nil || background != nil {
		select { // urgent work first
		case j, ok := <-urgent:
			if !ok {
				urgent = nil
				continue
			}
			p.run(j)
			continue
		default:
		}
		select {
		case j, ok := <-urgent:
			if !ok {
				urgent = nil
				continue
			}
			p.run(j)
		case j, ok := <-background:
			if !ok {
				background = nil
				continue
			}
			p.runSliced(j)
		}
	}
}

// run decodes one chunk range unless it is stale.
func (p *Pool) run(j job) {
	if j.stale != nil && j.stale() {
		j.done(ErrStale)
		return
	}
	p.busy.Add(1)
	err := j.f.DecodeChunks(j.dst, j.sel, j.begin, j.end)
	p.busy.Add(-1)
	j.done(err)
}

// runSliced decodes a whole frame in j.slices slices, serving urgent chunk
// ranges that arrive in between.
func (p *Pool) runSliced(j job) {
	step := max(1, (j.end-j.begin+j.slices-1)/j.slices)
	for begin := j.begin; begin < j.end; begin += step {
		if j.stale != nil && j.stale() {
			j.done(ErrStale)
			return
		}
		p.busy.Add(1)
		err := j.f.DecodeChunks(j.dst, j.sel, begin, min(j.end, begin+step))
		p.busy.Add(-1)
		if err != nil {
			j.done(err)
			return
		}
		p.serveUrgent()
	}
	j.done(nil)
}

// serveUrgent runs the urgent jobs waiting now, without blocking.
func (p *Pool) serveUrgent() {
	for {
		select {
		case j, ok := <-p.urgent:
			if !ok {
				return
			}
			p.run(j)
		default:
			return
		}
	}
}

// Decode decodes f's data window into dst (as exr.File.Decode) with its
// chunks spread over the workers, ahead of any prefetch work, and waits.
// Before each chunk range a worker asks stale (if not nil); once it says
// true the remaining ranges are skipped and Decode returns ErrStale.
// Every compression splits by chunk, DWA (the C++ path) included. Decode
// must not be called after Close.
func (p *Pool) Decode(f *exr.File, dst []uint16, sel exr.Selection, stale func() bool) error {
	chunks, err := f.ChunksOf(sel)
	if err != nil {
		return err
	}
	parts := min(chunks, rangesPerWorker*p.workers)
	if parts < 1 {
		parts = 1
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	done := func(err error) {
		if err != nil {
			mu.Lock()
			if first == nil || errors.Is(first, ErrStale) && !errors.Is(err, ErrStale) {
				first = err // a real error says more than staleness
			}
			mu.Unlock()
		}
		wg.Done()
	}
	wg.Add(parts)
	for i := range parts {
		j := job{f: f, dst: dst, sel: sel, begin: i * chunks / parts, end: (i + 1) * chunks / parts, stale: stale, done: done}
		if parts == 1 {
			j.begin, j.end = 0, chunks
		}
		p.urgent <- j
	}
	wg.Wait()
	return first
}

// DecodeOne decodes f's data window into dst on one worker, behind any
// urgent work, and waits. Between slices of chunks the worker asks stale
// (if not nil) and returns ErrStale once it says true. It blocks while
// every worker already has a frame queued: callers keep at most one per
// worker in flight. DecodeOne must not be called after Close.
func (p *Pool) DecodeOne(f *exr.File, dst []uint16, sel exr.Selection, stale func() bool) error {
	return p.decodeBackground(f, dst, sel, stale, slicesPerFrame)
}

// DecodeWhole is DecodeOne in one piece: the worker decodes the frame in
// one call and asks stale once, before it starts. It is for callers that
// never have an urgent frame waiting (DecodeAll decodes a sequence one
// frame per worker): there a slice buys nothing and costs a decoder call,
// and on the C++ path a frame buffer and line buffers set up, per slice.
// An urgent Decode waits for the whole frame.
func (p *Pool) DecodeWhole(f *exr.File, dst []uint16, sel exr.Selection, stale func() bool) error {
	return p.decodeBackground(f, dst, sel, stale, 1)
}

// decodeBackground queues f's whole frame as one background job decoded
// in slices pieces, and waits.
func (p *Pool) decodeBackground(f *exr.File, dst []uint16, sel exr.Selection, stale func() bool, slices int) error {
	chunks, err := f.ChunksOf(sel)
	if err != nil {
		return err
	}
	errc := make(chan error, 1)
	p.background <- job{f: f, dst: dst, sel: sel, begin: 0, end: chunks, slices: slices, stale: stale,
		done: func(err error) { errc <- err }}
	return <-errc
}

// Close stops the workers after the jobs already queued. Safe to call
// twice.
func (p *Pool) Close() {
	p.closer.Do(func() {
		close(p.urgent)
		close(p.background)
	})
	p.wg.Wait()
}
