package engine

import (
	"errors"
	"runtime"
	"sync"

	"flick/engine/exr"
)

// ErrStale means a decode was abandoned because a newer request replaced
// it (the user seeked on); its buffer holds part of a frame.
var ErrStale = errors.New("decode abandoned for a newer request")

// Pool is the program's decode pool: a fixed set of workers, each locked
// to an OS thread of its own for its whole life, so that the C decoders
// they run keep their thread-local state (libdeflate's decompressor, the
// library's error sink) and the Go scheduler does not migrate them mid
// chunk. One frame is split across all workers by chunk ranges, so the
// frame a user waits for arrives as fast as the machine allows.
type Pool struct {
	jobs    chan chunkJob // bounded: 4 per worker
	workers int
	wg      sync.WaitGroup
	closer  sync.Once
}

// chunkJob is one contiguous chunk range of one frame.
type chunkJob struct {
	f          *exr.File
	dst        []uint16
	sel        exr.Selection
	begin, end int
	stale      func() bool
	done       func(error)
}

// NewPool starts n workers (at least 1; n <= 0 means one per CPU).
func NewPool(n int) *Pool {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	p := &Pool{jobs: make(chan chunkJob, 4*n), workers: n}
	p.wg.Add(n)
	for range n {
		go p.work()
	}
	return p
}

// Workers returns the number of workers.
func (p *Pool) Workers() int { return p.workers }

func (p *Pool) work() {
	defer p.wg.Done()
	runtime.LockOSThread() // for the worker's life; the thread ends with it
	for j := range p.jobs {
		if j.stale != nil && j.stale() {
			j.done(ErrStale)
			continue
		}
		j.done(j.f.DecodeChunks(j.dst, j.sel, j.begin, j.end))
	}
}

// Decode decodes f's data window into dst (as exr.File.Decode) with its
// chunks spread over the workers, and waits. Before each chunk range a
// worker asks stale (if not nil); once it says true the remaining ranges
// are skipped and Decode returns ErrStale. Parts whose chunks cannot be
// decoded separately (DWA, through the C++ API) go to one worker whole.
// Decode must not be called after Close.
func (p *Pool) Decode(f *exr.File, dst []uint16, sel exr.Selection, stale func() bool) error {
	chunks := f.Chunks()
	c := f.Header().Compression
	parts := min(chunks, 2*p.workers) // two ranges per worker evens out uneven chunks
	if c == exr.DWAA || c == exr.DWAB || parts < 1 {
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
		j := chunkJob{f: f, dst: dst, sel: sel, begin: i * chunks / parts, end: (i + 1) * chunks / parts, stale: stale, done: done}
		if parts == 1 {
			j.begin, j.end = 0, chunks
		}
		p.jobs <- j
	}
	wg.Wait()
	return first
}

// Close stops the workers after the jobs already queued. Safe to call
// twice.
func (p *Pool) Close() {
	p.closer.Do(func() { close(p.jobs) })
	p.wg.Wait()
}
