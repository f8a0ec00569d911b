package export_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"flick/engine"
	"flick/export"
)

// Cancel returns while a lane is stuck in its source (a file on a stalled
// drive that never opens), and the frame that lane gets once its source
// answers is released, not lost: here a cached frame, which goes back to
// the cache.
func TestReadaheadCancelLeavesAStuckLane(t *testing.T) {
	entered, answer := make(chan struct{}), make(chan struct{})
	stuck := &engine.Frame{Number: 1, Pix: make([]uint16, 16)}
	var unpinned atomic.Int32
	r := export.StartReadahead(context.Background(), []int{1, 2, 3}, 2, export.Source{
		Cached: func(n int) *engine.Frame {
			if n != 1 {
				return nil
			}
			close(entered)
			<-answer
			return stuck
		},
		Unpin: func(f *engine.Frame) {
			if f == stuck {
				unpinned.Add(1)
			}
		},
		Decode: func(_ context.Context, n int, buffer func(int) []uint16) (*engine.Frame, error) {
			return &engine.Frame{Number: n, Pix: buffer(16)}, nil
		},
	})
	<-entered
	cancelled := make(chan (<-chan struct{}))
	go func() { cancelled <- r.Cancel() }()
	var stopped <-chan struct{}
	select {
	case stopped = <-cancelled:
	case <-time.After(30 * time.Second):
		t.Fatal("Cancel waits for a lane stuck in its source")
	}
	select {
	case <-stopped:
		t.Fatal("Cancel's channel is closed while a lane is still stuck in its source")
	default:
	}
	close(answer)
	select {
	case <-stopped:
	case <-time.After(30 * time.Second):
		t.Fatal("the lanes did not end once the stuck source answered")
	}
	if n := unpinned.Load(); n != 1 {
		t.Errorf("the stuck lane's frame was unpinned %d times once it came, want once", n)
	}
}
