package engine

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"flick/engine/exr"
)

// demoCache holds the demo, generated once per test binary run; testPool
// decodes for every test.
var (
	testPool  *Pool
	demoCache string
	demoOnce  sync.Once
	demoPath  string
	demoErr   error
)

func TestMain(m *testing.M) {
	var err error
	if demoCache, err = os.MkdirTemp("", "flick-engine-test"); err != nil {
		panic(err)
	}
	testPool = NewPool(2)
	code := m.Run()
	testPool.Close()
	os.RemoveAll(demoCache)
	os.Exit(code)
}

func demo(t testing.TB) *Sequence {
	t.Helper()
	demoOnce.Do(func() { demoPath, demoErr = Demo(demoCache) })
	if demoErr != nil {
		t.Fatal(demoErr)
	}
	s, err := Find(demoPath)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDemoIsARealSequence(t *testing.T) {
	s := demo(t)
	if len(s.Frames) != demoFrames || s.First() != demoFirst || len(s.Missing()) != 0 {
		t.Fatalf("demo frames %v", s.Frames)
	}
	if got := s.String(); got != "flick-demo.1001-1024#.exr" {
		t.Errorf("demo sequence %q", got)
	}
	want := make([]uint16, 4*demoWidth*demoHeight)
	var prev []uint16
	for _, n := range []int{1001, 1012} {
		f, err := LoadFrame(s, n, newBuffer, testPool, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.Header.Compression != exr.ZIP || f.DataWindow.Dx() != demoWidth || f.DataWindow.Dy() != demoHeight || f.DisplayWindow != f.DataWindow {
			t.Errorf("frame %d: %v, data %v display %v", n, f.Header.Compression, f.DataWindow, f.DisplayWindow)
		}
		demoFrame(want, demoWidth, demoHeight, n-demoFirst)
		if !slices.Equal(f.Pix, want) {
			t.Errorf("frame %d does not decode to the pattern that was written", n)
		}
		if prev != nil && slices.Equal(prev, f.Pix) {
			t.Error("the demo does not move")
		}
		prev = f.Pix
	}
}

func TestDemoReusesFrames(t *testing.T) {
	first := demo(t).Path(demoFirst)
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(first, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := Demo(demoCache); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(first); err != nil || !fi.ModTime().Equal(old) {
		t.Errorf("the second run rewrote an existing demo frame (%v)", err)
	}
}

func newBuffer(n int) []uint16 { return make([]uint16, n) }

func receive(t *testing.T, l *Loader) *Frame {
	t.Helper()
	select {
	case f := <-l.Frames():
		return f
	case <-time.After(time.Minute):
		t.Fatal("no frame from the loader within a minute")
		return nil
	}
}

func TestLoaderLatestRequestWins(t *testing.T) {
	s := demo(t)
	inBubble(t, func(t *testing.T, pool *Pool) {
		l := NewLoader(s, pool, NewCache(1<<30, 0.75))
		defer l.Close()
		for _, n := range s.Frames[:10] {
			l.Request(n, 1)
		}
		var got []int
		for {
			f := receive(t, l)
			if f.Err != nil {
				t.Fatal(f.Err)
			}
			got = append(got, f.Number)
			l.Release(f)
			if f.Number == s.Frames[9] {
				break
			}
		}
		// The first request may already be decoding when the others arrive;
		// everything between it and the last is replaced.
		if len(got) > 3 || !slices.IsSorted(got) {
			t.Errorf("frames delivered %v: stale requests were not dropped", got)
		}
		synctest.Wait() // the loader has done all it will
		select {
		case f := <-l.Frames():
			t.Errorf("frame %d delivered after the last request was served", f.Number)
		default:
		}
	})
}

// TestLoaderChannelsBeforeAnyRequest: a channel change before the first
// Request shows nothing (there is no frame on screen to show again); the
// first frame delivered is the one requested.
func TestLoaderChannelsBeforeAnyRequest(t *testing.T) {
	s := demo(t)
	inBubble(t, func(t *testing.T, pool *Pool) {
		l := NewLoader(s, pool, NewCache(1<<30, 0.75))
		defer l.Close()
		l.SetOrder(Order{Frames: s.Frames})
		l.SetChannels(exr.Selection{Names: [4]string{"R"}, Grey: true})
		synctest.Wait() // the loader has taken the commands
		select {
		case f := <-l.Frames():
			t.Fatalf("frame %d delivered before any request (err %v)", f.Number, f.Err)
		default:
		}
		l.Request(s.Frames[3], 1)
		f := receive(t, l)
		defer l.Release(f)
		if f.Err != nil || f.Number != s.Frames[3] {
			t.Fatalf("got frame %d (%v), want %d", f.Number, f.Err, s.Frames[3])
		}
	})
}

func TestLoaderReportsBrokenFramesAndGoesOn(t *testing.T) {
	src := demo(t)
	dir := t.TempDir()
	for _, n := range []int{1001, 1003} {
		data, err := os.ReadFile(src.Path(n))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, filepath.Base(src.Path(n)))
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "flick-demo.1002.exr"), []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Find(filepath.Join(dir, "flick-demo.1001.exr"))
	if err != nil {
		t.Fatal(err)
	}
	l := NewLoader(s, testPool, NewCache(1<<30, 0.75))
	defer l.Close()
	for _, tc := range []struct {
		frame  int
		errHas string
	}{{1002, "flick-demo.1002.exr"}, {1003, ""}, {1005, "missing"}} {
		l.Request(tc.frame, 1)
		f := receive(t, l)
		switch {
		case tc.errHas == "" && f.Err != nil:
			t.Errorf("frame %d: %v", tc.frame, f.Err)
		case tc.errHas != "" && (f.Err == nil || !strings.Contains(f.Err.Error(), tc.errHas)):
			t.Errorf("frame %d: error %v, want one mentioning %q", tc.frame, f.Err, tc.errHas)
		}
		l.Release(f)
	}
}

func TestLoaderCloseTwiceWithWorkPending(t *testing.T) {
	l := NewLoader(demo(t), testPool, NewCache(1<<30, 0.75))
	l.Request(1001, 1)
	l.Close()
	l.Close()
}
