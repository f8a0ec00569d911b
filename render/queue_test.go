package render

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestServeForRunsAStreamOfCalls: a goroutine making one Call after
// another (as an export's draw goroutine does) gets more than one turn in
// a single ServeFor, where one pass over the queue would give it one.
func TestServeForRunsAStreamOfCalls(t *testing.T) {
	q := NewQueue()
	var calls atomic.Int32
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			q.Call(func() { calls.Add(1) })
		}
	}()
	q.ServeFor(200 * time.Millisecond)
	n := calls.Load()
	close(stop)
	q.ServeUntil(done) // the producer may be waiting in a last Call
	if n < 2 {
		t.Errorf("%d calls ran in one ServeFor of a stream of calls, want several", n)
	}
}
