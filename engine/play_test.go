package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// beachball is the Beachball single-part sequence, copied into a temporary
// folder when the test changes it.
func beachball(t *testing.T, copyTo string) *Sequence {
	t.Helper()
	dir := shared.File(t, "exr-samples", "Beachball")
	if copyTo != "" {
		names, _ := filepath.Glob(filepath.Join(dir, "singlepart.*.exr"))
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(copyTo, filepath.Base(name)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		dir = copyTo
	}
	s, err := Find(filepath.Join(dir, "singlepart.0001.exr"))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestStreamBeachballEveryFrameOnce streams the whole sequence with the
// real decoder: every frame comes once, in order, with the pixels a direct
// decode gives, and each is decoded once (the budget holds them all).
func TestStreamBeachballEveryFrameOnce(t *testing.T) {
	s := beachball(t, "")
	inBubble(t, func(t *testing.T, pool *Pool) {
		c := NewCache(1<<30, 0.75)
		l := NewLoader(s, pool, c)
		defer l.Close()
		l.SetOrder(Order{Frames: s.Frames, Repeat: Once})
		l.Stream(s.First(), 1)
		for _, n := range s.Frames {
			f := receive(t, l)
			if f.Number != n || f.Err != nil {
				t.Fatalf("got frame %d (%v), want %d", f.Number, f.Err, n)
			}
			file, _, want := decodeWhole(t, s.Path(n))
			file.Close()
			if !slices.Equal(f.Pix, want) {
				t.Errorf("frame %d differs from a direct decode", n)
			}
			l.Release(f)
		}
		synctest.Wait() // the loader has done all it will
		select {
		case f := <-l.Frames():
			t.Errorf("frame %d after the end of a Once stream", f.Number)
		default:
		}
		if st := l.Stats().Snapshot(); st.Decoded != len(s.Frames) {
			t.Errorf("%d decodes for %d frames", st.Decoded, len(s.Frames))
		}
	})
}

// TestPlayReportsMissingAndDamagedFrames: a deleted frame is missing, a
// truncated one fails with its file named, and playback goes on.
func TestPlayReportsMissingAndDamagedFrames(t *testing.T) {
	dir := t.TempDir()
	s := beachball(t, dir)
	if err := os.Remove(s.Path(3)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.Path(6))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(6), data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = FindRange(s.Path(1), &Range{Start: 1, End: 8, Step: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Missing(), []int{3}) {
		t.Fatalf("missing %v, want [3]", s.Missing())
	}
	var shown []int
	errs := map[int]error{}
	r, err := Play(s, PlayOptions{Workers: 2, Budget: 1 << 30, Frames: 8, Present: func(f *Frame) {
		shown = append(shown, f.Number)
		if f.Err != nil {
			errs[f.Number] = f.Err
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Sequence.Frames holds the frames present; the missing one is
	// reported when asked for directly.
	if want := []int{1, 2, 4, 5, 6, 7, 8}; !slices.Equal(shown[:7], want) {
		t.Errorf("shown %v, want %v first", shown, want)
	}
	if e := errs[6]; e == nil || !strings.Contains(e.Error(), "singlepart.0006.exr") {
		t.Errorf("truncated frame 6: %v, want an error naming the file", e)
	}
	if r.Failed < 1 || len(errs) != 1 {
		t.Errorf("result %+v, errors %v", r, errs)
	}
	l := NewLoader(s, testPool, NewCache(1<<30, 0.75))
	defer l.Close()
	l.Request(3, 1)
	if f := receive(t, l); f.Err == nil || !strings.Contains(f.Err.Error(), "missing") {
		t.Errorf("frame 3: %v, want missing", f.Err)
	}
}

// TestSwitchingChannelsNeverServesStalePixels: after SetChannels the frame
// on screen comes again with the new channels, never the cached old ones,
// and switching back serves the old ones from the cache.
func TestSwitchingChannelsNeverServesStalePixels(t *testing.T) {
	s := demo(t)
	c := NewCache(1<<30, 0.75)
	l := NewLoader(s, testPool, c)
	defer l.Close()
	n := s.Frames[3]
	l.Request(n, 1)
	rgb := receive(t, l)
	l.Release(rgb)
	green := exr.Selection{Names: [4]string{"G"}, Grey: true}
	l.SetChannels(green)
	f := receive(t, l)
	if f.Number != n || f.Channels != green {
		t.Fatalf("after the switch: frame %d with %+v", f.Number, f.Channels)
	}
	file, err := exr.Open(s.Path(n))
	if err != nil {
		t.Fatal(err)
	}
	want := make([]uint16, len(f.Pix))
	if err := file.Decode(want, green); err != nil {
		t.Fatal(err)
	}
	file.Close()
	if !slices.Equal(f.Pix, want) || slices.Equal(f.Pix, rgb.Pix) {
		t.Error("the frame after the switch does not hold the green channel as grey")
	}
	l.Release(f)
	hits := c.Stats().Hits
	l.SetChannels(exr.Selection{})
	back := receive(t, l)
	if back.Channels != (exr.Selection{}) || !slices.Equal(back.Pix, rgb.Pix) || c.Stats().Hits != hits+1 {
		t.Errorf("switching back: channels %+v, same pixels %v, hits %d -> %d", back.Channels,
			slices.Equal(back.Pix, rgb.Pix), hits, c.Stats().Hits)
	}
	l.Release(back)
}

// TestPrefetchFollowsDirection: with room for three frames ahead (the one
// on screen and two more), prefetch takes the nearest in the play
// direction, backwards too.
func TestPrefetchFollowsDirection(t *testing.T) {
	s := demo(t)
	frame := int64(2 * 4 * demoWidth * demoHeight)
	for _, dir := range []int{1, -1} {
		inBubble(t, func(t *testing.T, pool *Pool) {
			c := NewCache(4*frame, 0.75)
			l := NewLoader(s, pool, c)
			defer l.Close()
			head := s.Frames[10]
			l.Request(head, dir)
			l.Release(receive(t, l))
			synctest.Wait() // prefetch has done all it will
			want := []int{head, head + dir, head + 2*dir}
			slices.Sort(want)
			if got := cachedFrames(c); !slices.Equal(got, want) {
				t.Errorf("dir %d from %d: cached %v, want %v", dir, head, got, want)
			}
		})
	}
}

// TestPoolDropsStalePrefetch: a prefetch frame whose generation goes stale
// stops at the next slice, and urgent chunks run before queued prefetch.
func TestPoolDropsStalePrefetch(t *testing.T) {
	f, sel, want := decodeWhole(t, shared.File(t, "exr-samples", "ScanLines/Desk.exr"))
	defer f.Close()
	p := NewPool(1)
	defer p.Close()
	got := make([]uint16, len(want))
	var checks int
	err := p.DecodeOne(f, got, sel, func() bool { checks++; return checks > 1 })
	if !errors.Is(err, ErrStale) || checks != 2 {
		t.Errorf("stale after one slice: %v after %d checks", err, checks)
	}
	if err := p.DecodeOne(f, got, sel, nil); err != nil || !slices.Equal(got, want) {
		t.Errorf("a whole prefetch decode: %v, equal %v", err, slices.Equal(got, want))
	}
}

// memChild is the environment variable that makes the test binary play a
// sequence and print the result (TestPlayMemoryStaysInBudget).
const memChild = "FLICK_ENGINE_MEMORY_CHILD"

// memOverhead is the fixed overhead allowed over the budget + 10%: the Go
// runtime, the C libraries, the test binary, the decoders' scratch and the
// garbage not yet collected under the memory limit. Comparing two sources
// adds nothing to it: their frames share the one budget, and the decoders'
// scratch belongs to the pool's workers, not to a loader.
const memOverhead = 48 << 20

// TestPlayMemoryStaysInBudget plays, in a child process of its own, a
// sequence twice the size of a 64 MiB budget, alone and compared with a
// second one (two loaders over one cache and pool), and checks its peak
// RSS (VmHWM: the child's own, not its parent's) against budget + 10% +
// memOverhead.
func TestPlayMemoryStaysInBudget(t *testing.T) {
	if dir := os.Getenv(memChild); dir != "" {
		s, err := Find(filepath.Join(dir, "a.0001.exr"))
		if err != nil {
			t.Fatal(err)
		}
		const budget = 64 << 20
		debug.SetMemoryLimit(MemoryLimit(budget)) // as main does
		opt := PlayOptions{Workers: 2, Budget: budget, Frames: 2 * len(s.Frames)}
		if b := filepath.Join(dir, "b.0001.exr"); fileExists(b) {
			if opt.Compare, err = Find(b); err != nil {
				t.Fatal(err)
			}
		}
		r, err := Play(s, opt)
		if err != nil {
			t.Fatal(err)
		}
		json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory makes RSS meaningless")
	}
	const w, h, frames = 1024, 1024, 16 // 8 MiB a frame: 128 MiB a sequence
	write := func(dir, name string) {
		pix := make([]uint16, 4*w*h)
		for i := 1; i <= frames; i++ {
			for j := range pix {
				pix[j] = uint16(0x3000 + (j*7+i*131+len(name))%0x0c00)
			}
			if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("%s.%04d.exr", name, i)), w, h, pix, exr.ZIP, 24); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, sources := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d sources", sources), func(t *testing.T) {
			dir := t.TempDir()
			write(dir, "a")
			if sources == 2 {
				write(dir, "b")
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestPlayMemoryStaysInBudget$")
			cmd.Env = append(os.Environ(), memChild+"="+dir)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var r PlayResult
			if err := json.Unmarshal([]byte(strings.SplitN(string(out), "\n", 2)[0]), &r); err != nil {
				t.Fatalf("%v in %s", err, out)
			}
			limit := int64(64<<20) + int64(64<<20)/10 + memOverhead
			t.Logf("peak RSS %d MiB playing %d frames of 8 MiB of %d sources under a 64 MiB budget (limit %d MiB)",
				r.PeakRSSBytes>>20, r.Shown*sources, sources, limit>>20)
			wantPairs := 0
			if sources == 2 {
				wantPairs = 2 * frames
			}
			if r.Shown != 2*frames || r.Pairs != wantPairs || r.Evictions == 0 || r.PeakRSSBytes > limit {
				t.Errorf("result %+v, peak RSS limit %d", r, limit)
			}
		})
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestPlayRealtimeFromCache plays the demo headless in realtime at 60 fps
// on a fake clock after a warm-up pass that caches it: 600 frames, the
// player waking once per frame when it is due, none dropped, and the
// clock time from the first frame to the last is 599 frame periods.
func TestPlayRealtimeFromCache(t *testing.T) {
	s := demo(t)
	ft := &sleepCounter{fakeTime: fakeTime{now: time.Unix(1000, 0)}}
	start := ft.Now()
	var shown []int
	r, err := Play(s, PlayOptions{Workers: 2, Budget: 1 << 30, Realtime: true, FPS: 60, Frames: 600,
		Warm: true, Time: ft, Present: func(f *Frame) { shown = append(shown, f.Number) }})
	if err != nil {
		t.Fatal(err)
	}
	if r.Drops != 0 || r.Frames != 600 || r.Misses != 0 {
		t.Errorf("played %d frames, %d dropped, %d cache misses; want 600, 0, 0", r.Frames, r.Drops, r.Misses)
	}
	// The warm-up showed each frame once, then playback loops over them.
	for i, n := range shown[len(s.Frames):] {
		if want := s.Frames[i%len(s.Frames)]; n != want {
			t.Fatalf("frame %d of the run is %d, want %d", i, n, want)
		}
	}
	if ft.sleeps != 599 {
		t.Errorf("the player slept %d times for 599 frame periods: it should wake once per frame", ft.sleeps)
	}
	if d, want := ft.Now().Sub(start), 599*time.Second/60; d < want || d > want+time.Millisecond {
		t.Errorf("600 frames at 60 fps took %v of clock time, want %v", d, want)
	}
}

// sleepCounter is a fakeTime that counts its sleeps.
type sleepCounter struct {
	fakeTime
	sleeps int
}

func (s *sleepCounter) Sleep(d time.Duration) { s.sleeps++; s.fakeTime.Sleep(d) }

// TestPlayRealtimeUncachedEnds plays the demo once in realtime, uncached,
// on a fake clock that runs far ahead of the decoder: the player must wait
// for the decode of the frame due rather than ask for it again at every
// look (a request abandons the decode under way: flick bench --play
// --realtime of a 24-frame 4K shot never finished, waiting at its last
// frame).
func TestPlayRealtimeUncachedEnds(t *testing.T) {
	s := demo(t)
	ft := &fakeTime{now: time.Unix(1000, 0)}
	var shown []int
	done := make(chan PlayResult, 1)
	go func() {
		r, err := Play(s, PlayOptions{Workers: 2, Budget: 1 << 30, Realtime: true, FPS: 1000, Time: ft,
			Present: func(f *Frame) { shown = append(shown, f.Number) }})
		if err != nil {
			t.Error(err)
		}
		done <- r
	}()
	select {
	case r := <-done:
		if r.Frames != len(s.Frames) || shown[len(shown)-1] != s.Frames[len(s.Frames)-1] {
			t.Errorf("played %d frames (shown %v), want %d ending on %d", r.Frames, shown, len(s.Frames), s.Frames[len(s.Frames)-1])
		}
		// A frame is asked for once per frame the clock makes due: each
		// request of a frame not cached is a miss (3178 for 24 frames when
		// the player asked again at every look).
		if r.Misses > len(s.Frames) {
			t.Errorf("%d cache misses for %d frames: the player asked for frames again while they decoded", r.Misses, len(s.Frames))
		}
	case <-time.After(2 * time.Minute): // a hang guard, not a speed check
		t.Fatal("realtime playback never finished: the last frame's decode was abandoned at every look")
	}
}

// TestPlayComparePairs plays A against B start-aligned, looping twice: A
// lacks a file, B's range is shorter and lacks a file; each A frame comes
// with B's frame lined up with it where B has one, alone where not.
func TestPlayComparePairs(t *testing.T) {
	dir := t.TempDir()
	writeFrames(t, dir, "a", 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010) // 1004 missing
	writeFrames(t, dir, "b", 2001, 2002, 2003, 2004, 2005, 2006, 2008)             // 2007 missing
	a, err := Find(filepath.Join(dir, "a.####.exr"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Find(filepath.Join(dir, "b.####.exr"))
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	r, err := Play(a, PlayOptions{Workers: 2, Budget: 1 << 20, Frames: 2 * len(a.Frames), Compare: b, Sync: SyncStart,
		Present: func(f *Frame) { shown = append(shown, fmt.Sprintf("%c%d", 'A'+f.Source, f.Number)) }})
	if err != nil {
		t.Fatal(err)
	}
	once := []string{"A1001", "B2001", "A1002", "B2002", "A1003", "B2003", "A1005", "B2005", "A1006", "B2006",
		"A1007", "A1008", "B2008", "A1009", "A1010"}
	if want := append(slices.Clone(once), once...); !slices.Equal(shown, want) {
		t.Errorf("shown %v\nwant  %v", shown, want)
	}
	if r.Shown != 18 || r.Pairs != 12 || r.Failed != 0 {
		t.Errorf("result %+v: want 18 shown, 12 pairs", r)
	}
	if _, err := Play(a, PlayOptions{Compare: b, Realtime: true}); err == nil {
		t.Error("realtime comparison played")
	}
}
