package export

import (
	"context"
	"testing"
	"testing/synctest"
)

// The readback buffers are made only when none is free: a buffer put back
// is the next one handed out, so a pipeline that keeps two in flight makes
// two, not the bound; at the bound, get waits for a put, or gives nil
// once its context ends.
func TestOutputsMadeOnlyWhenNoneIsFree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o := newOutputs(3, 8)
		a, b := o.get(context.Background()), o.get(context.Background())
		for range 10 {
			o.put(a)
			if c := o.get(context.Background()); &c[0] != &a[0] {
				t.Fatal("a buffer put back was not handed out again")
			}
		}
		if o.made != 2 || len(a) != 8 || len(b) != 8 {
			t.Fatalf("made %d buffers of %d and %d values, want 2 of 8", o.made, len(a), len(b))
		}
		o.get(context.Background()) // the third and last
		got := make(chan []uint16)
		go func() { got <- o.get(context.Background()) }()
		synctest.Wait() // get has made a buffer, or waits for one
		o.put(b)
		if c := <-got; &c[0] != &b[0] || o.made != 3 {
			t.Fatalf("at the bound get made a buffer (%d made) instead of waiting for one", o.made)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if c := o.get(ctx); c != nil {
			t.Fatal("get at the bound with its context done returned a buffer")
		}
	})
}
