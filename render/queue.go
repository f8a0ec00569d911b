package render

import "time"

// queueDepth bounds the work other goroutines may have waiting for the GL
// goroutine; CallAsync blocks once it is full.
const queueDepth = 64

// Queue hands work to the goroutine that owns the GL context. Other goroutines
// submit functions with Call (waits) or CallAsync (does not); the owner runs
// them between frames with drain. A function must never submit to the queue of
// the goroutine it runs on: Call from the GL goroutine would wait forever.
type Queue struct {
	work chan func()
}

// NewQueue returns an empty queue.
func NewQueue() *Queue {
	return &Queue{work: make(chan func(), queueDepth)}
}

// Call runs f on the GL goroutine and returns when it has run.
func (q *Queue) Call(f func()) {
	done := make(chan struct{})
	q.work <- func() {
		defer close(done)
		f()
	}
	<-done
}

// CallAsync queues f for the GL goroutine and returns at once (unless the
// queue is full, in which case it waits for room).
func (q *Queue) CallAsync(f func()) {
	q.work <- f
}

// drain runs everything queued so far. GL goroutine only.
func (q *Queue) drain() {
	for {
		select {
		case f := <-q.work:
			f()
		default:
			return
		}
	}
}

// ServeUntil runs queued work until done is closed: for the GL goroutine
// waiting on something that itself waits on the queue. GL goroutine only.
func (q *Queue) ServeUntil(done <-chan struct{}) {
	for {
		select {
		case f := <-q.work:
			f()
		case <-done:
			q.drain()
			return
		}
	}
}

// ServeFor runs queued work as it arrives until d has passed (work that
// starts before then runs to its end): for the GL goroutine giving a stream
// of calls, such as an export's frames, more than one turn per UI frame,
// which would otherwise cap it at the UI's frame rate. GL goroutine only.
func (q *Queue) ServeFor(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	for {
		select {
		case f := <-q.work:
			f()
		case <-t.C:
			return
		}
	}
}
