package export_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"flick/engine"
	"flick/export"
)

// The readahead hands frames over in order, loads no more than it may hold
// (ready, plus one waiting per lane) before they are taken, recycles the
// buffers of released frames, and stops while blocked. It runs in a
// synctest bubble: synctest.Wait returns once the lanes are blocked, that
// is once they have loaded all they would.
func TestReadahead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		frames := []int{5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
		const ahead = 4
		var loaded, fresh atomic.Int32
		r := export.StartReadahead(context.Background(), frames, ahead, export.Source{
			Decode: func(_ context.Context, n int, buffer func(int) []uint16) (*engine.Frame, error) {
				loaded.Add(1)
				b := buffer(16)
				if b[0] == 0 {
					fresh.Add(1)
				}
				b[0] = 1
				return &engine.Frame{Number: n, Pix: b}, nil
			},
		})
		const most = ahead + export.ReadaheadLanes
		synctest.Wait()
		if got := loaded.Load(); got != most {
			t.Errorf("%d frames loaded before any was taken, want %d", got, most)
		}
		for _, n := range frames[:6] {
			f, err := r.Load(context.Background(), n)
			if err != nil || f.Number != n {
				t.Fatalf("Load(%d) = %+v, %v", n, f, err)
			}
			r.Release(f)
		}
		if _, err := r.Load(context.Background(), 42); err == nil || !strings.Contains(err.Error(), "out of order") {
			t.Errorf("frame 42 out of order: %v", err)
		}
		synctest.Wait()
		if got := loaded.Load(); got != int32(len(frames)) {
			t.Errorf("%d frames loaded, want all %d", got, len(frames))
		}
		if got := fresh.Load(); got > most+2 {
			t.Errorf("%d fresh buffers for %d frames, at most %d in flight: released buffers are not reused", got, len(frames), most+2)
		}
		r.Stop() // frames are still waiting to be taken
	})
}

// Frames the cache holds are not decoded again, and go back to the cache
// (not to the readahead's buffers) when released; a frame that fails to
// decode comes with its error and no pixels.
func TestReadaheadCachedAndFailedFrames(t *testing.T) {
	cached := &engine.Frame{Number: 2, Pix: make([]uint16, 16)}
	var unpinned atomic.Int32
	bad := errors.New("damaged")
	var decodedCached atomic.Int32
	r := export.StartReadahead(context.Background(), []int{1, 2, 3, 4}, 2, export.Source{
		Cached: func(n int) *engine.Frame {
			if n == 2 {
				return cached
			}
			return nil
		},
		Unpin: func(f *engine.Frame) {
			if f != cached {
				t.Errorf("unpinned frame %d, not the cached one", f.Number)
			}
			unpinned.Add(1)
		},
		Decode: func(_ context.Context, n int, buffer func(int) []uint16) (*engine.Frame, error) {
			if n == 2 {
				decodedCached.Add(1)
			}
			f := &engine.Frame{Number: n, Pix: buffer(16)}
			if n == 3 {
				return f, bad
			}
			return f, nil
		},
	})
	defer r.Stop()
	for _, n := range []int{1, 2, 3, 4} {
		f, err := r.Load(context.Background(), n)
		switch {
		case n == 2 && f != cached:
			t.Errorf("frame 2: got %+v, want the cached frame", f)
		case n == 3 && (!errors.Is(err, bad) || f != nil):
			t.Errorf("frame 3: got %+v, %v; want no frame and the decode error", f, err)
		case n != 3 && err != nil:
			t.Errorf("frame %d: %v", n, err)
		}
		r.Release(f)
	}
	if decodedCached.Load() != 0 {
		t.Error("frame 2 was decoded although the cache holds it")
	}
	if unpinned.Load() != 1 {
		t.Errorf("the cached frame was unpinned %d times, want once", unpinned.Load())
	}
}
