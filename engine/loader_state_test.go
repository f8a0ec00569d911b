package engine

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestLoaderStateReportsPrefetchFailures: with only the first frame asked
// for, prefetch decodes the rest; State shows decodes while they run and,
// once prefetch is done, the truncated frame failed with its file named
// (it was never requested) and every other frame neither decoding nor
// failed.
func TestLoaderStateReportsPrefetchFailures(t *testing.T) {
	s := beachball(t, t.TempDir())
	const damaged = 6
	data, err := os.ReadFile(s.Path(damaged))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(damaged), data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	l := NewLoader(s, testPool, NewCache(1<<30, 0.75))
	defer l.Close()
	l.Request(s.First(), 1)
	f := receive(t, l)
	if f.Err != nil {
		t.Fatal(f.Err)
	}
	l.Release(f)

	states := make([]FrameState, 0, len(s.Frames))
	sawDecoding := false
	deadline := time.Now().Add(time.Minute)
	for {
		states = l.State(s.Frames, states)
		busy := false
		for _, st := range states {
			busy = busy || st.Decoding
		}
		sawDecoding = sawDecoding || busy
		if !busy && states[damaged-s.First()].Err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failure reported for frame %d within a minute: %+v", damaged, states)
		}
		time.Sleep(time.Millisecond)
	}
	if !sawDecoding {
		t.Error("State never reported a decode running while prefetch ran")
	}
	for i, st := range states {
		n := s.Frames[i]
		switch {
		case n == damaged && !strings.Contains(st.Err.Error(), "singlepart.0006.exr"):
			t.Errorf("frame %d: %v, want an error naming the file", n, st.Err)
		case n != damaged && st.Err != nil:
			t.Errorf("frame %d: %v", n, st.Err)
		case n != damaged && !l.Ready(n):
			t.Errorf("frame %d not prefetched", n)
		}
	}
	if allocs := testing.AllocsPerRun(10, func() { states = l.State(s.Frames, states) }); allocs != 0 {
		t.Errorf("State allocates %v times per call with room in dst", allocs)
	}
}
