package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"flick/engine/exr"
)

// Timer is a TimeSource that can also wait: the wall clock, or a fake one
// whose Sleep moves its time on.
type Timer interface {
	TimeSource
	Sleep(d time.Duration)
}

// Sleep waits d.
func (WallClock) Sleep(d time.Duration) { time.Sleep(d) }

// PlayOptions configure a headless playback.
type PlayOptions struct {
	Workers  int           // decode workers; 0: one per CPU
	Budget   int64         // cache bytes; 0: AutoBudget
	Channels exr.Selection // zero: each file's default
	// Realtime plays at FPS dropping frames not ready in time; otherwise
	// every frame is shown, as fast as they come.
	Realtime bool
	FPS      float64 // Realtime rate; 0: the file's framesPerSecond, else DefaultFPS
	Frames   int     // frames to play (looping); 0: the sequence once
	// Warm plays the sequence once, every frame, before the measured run,
	// so a sequence that fits the budget plays from the cache.
	Warm    bool
	Time    Timer        // nil: the wall clock
	Present func(*Frame) // called with each frame shown, B's too; nil: nothing
	// Compare is source B, played beside the sequence (A) as an A/B
	// comparison does: a second Loader over the same Pool and Cache,
	// its frames lined up with A's by Sync (offset 0), each timeline
	// frame's pair shown when both are in. Every-frame playback only.
	Compare *Sequence
	Sync    SyncMode
}

// PlayResult is what a headless playback measured.
type PlayResult struct {
	Frames       int      `json:"frames"`  // frames the clock passed: shown and dropped
	Shown        int      `json:"shown"`   // frames presented (A's, comparing)
	Failed       int      `json:"failed"`  // frames shown as failed (missing or unreadable)
	Seconds      float64  `json:"seconds"` // wall time of the run
	FPS          float64  `json:"fps"`     // frames shown per second
	Drops        int      `json:"drops"`
	Hits         int      `json:"hits"`
	Misses       int      `json:"misses"`
	Evictions    int      `json:"evictions"`
	DecodedBytes int64    `json:"decoded_bytes"`
	MBps         float64  `json:"decoded_mb_per_s"` // decoded megabytes (10^6) per second of the run
	BudgetBytes  int64    `json:"budget_bytes"`
	PeakRSSBytes int64    `json:"peak_rss_bytes"`   // the process's peak resident memory so far
	Errors       []string `json:"errors,omitempty"` // the failed frames' reasons (the first 10)
	// Pairs counts, comparing, the timeline frames shown with both A's
	// and B's frame (B lacks the others); PairsFPS is their rate.
	Pairs    int     `json:"pairs,omitempty"`
	PairsFPS float64 `json:"pairs_per_s,omitempty"`
}

// Play plays s through a Loader, Cache and Clock with no display and
// reports how it went. Every-frame playback streams the frames through the
// hand-off ring; realtime playback requests the frame the clock shows, as
// the viewer does. Frames that fail are counted and playback goes on.
func Play(s *Sequence, opt PlayOptions) (PlayResult, error) {
	if opt.Compare != nil && opt.Realtime {
		return PlayResult{}, errors.New("comparing plays every frame, not in realtime")
	}
	budget, ts := opt.Budget, opt.Time
	if budget <= 0 {
		budget = AutoBudget()
	}
	if ts == nil {
		ts = WallClock{}
	}
	count := opt.Frames
	if count <= 0 {
		count = len(s.Frames)
	}
	pool := NewPool(opt.Workers)
	defer pool.Close()
	cache := NewCache(budget, 0.75)
	l := NewLoader(s, pool, cache)
	defer l.Close()
	l.SetChannels(opt.Channels)
	p := player{l: l, ts: ts, present: opt.Present, sync: opt.Sync}
	if opt.Compare != nil {
		p.b = NewLoader(opt.Compare, pool, cache)
		defer p.b.Close()
		p.b.SetChannels(opt.Channels)
	}
	clock := NewClock(s.Frames, opt.FPS)
	if opt.FPS <= 0 {
		if in, err := Inspect(s); err == nil {
			if fps, ok := in.FPS(); ok {
				clock.SetFPS(fps.Float64())
			}
		}
	}
	p.clock = clock
	if opt.Warm {
		if err := p.everyFrame(len(s.Frames)); err != nil {
			return PlayResult{}, err
		}
		p.res = PlayResult{}
	}
	before, start := cache.Stats(), time.Now()
	var err error
	if opt.Realtime {
		err = p.realtime(count)
	} else {
		err = p.everyFrame(count)
	}
	if err != nil {
		return PlayResult{}, err
	}
	r := p.res
	r.Seconds = time.Since(start).Seconds()
	after := cache.Stats()
	snap := l.Stats().Snapshot()
	r.Hits, r.Misses, r.Evictions = after.Hits-before.Hits, after.Misses-before.Misses, after.Evictions-before.Evictions
	r.DecodedBytes, r.BudgetBytes, r.PeakRSSBytes = snap.DecodedBytes, budget, PeakRSS()
	if p.b != nil {
		r.DecodedBytes += p.b.Stats().Snapshot().DecodedBytes
	}
	if r.Seconds > 0 {
		r.FPS = float64(r.Shown) / r.Seconds
		r.PairsFPS = float64(r.Pairs) / r.Seconds
		r.MBps = float64(r.DecodedBytes) / 1e6 / r.Seconds
	}
	return r, nil
}

// player is one headless playback in progress.
type player struct {
	l       *Loader
	b       *Loader  // source B when comparing, else nil
	sync    SyncMode // how B's frames line up with A's
	bOrder  Order    // B's frames of A's order, in it
	clock   *Clock
	ts      Timer
	present func(*Frame)
	res     PlayResult
}

// order sets the clock's and loader's order for playing count frames
// from the first: once through, or looping.
func (p *player) order(count int) {
	repeat := Once
	if count > len(p.l.seq.Frames) {
		repeat = Loop
	}
	p.clock.SetRepeat(repeat)
	p.l.SetOrder(p.clock.Order())
	p.clock.Scrub(p.ts.Now(), p.l.seq.First())
	if p.b != nil {
		// B goes through the frames it has of A's, in A's order.
		p.bOrder = Order{Repeat: repeat}
		for _, n := range p.clock.Order().Frames {
			if fb, ok := p.bFrame(n); ok {
				p.bOrder.Frames = append(p.bOrder.Frames, fb)
			}
		}
		if len(p.bOrder.Frames) > 0 {
			p.b.SetOrder(p.bOrder)
		}
	}
}

// bFrame returns B's frame shown with A's frame n, and whether B has it.
func (p *player) bFrame(n int) (int, bool) {
	return p.b.seq.SyncedFrame(p.sync, n, p.l.seq.Range, 0)
}

// show presents a frame the clock moved to and hands it back.
func (p *player) show(f *Frame) {
	p.res.Shown++
	if f.Err != nil {
		p.res.Failed++
		if len(p.res.Errors) < 10 {
			p.res.Errors = append(p.res.Errors, f.Err.Error())
		}
	}
	if p.present != nil {
		p.present(f)
	}
	p.l.Release(f)
}

// showPair presents A's frame and B's, shown together, and hands them
// back.
func (p *player) showPair(a, b *Frame) {
	p.res.Pairs++
	p.show(a)
	if p.present != nil {
		p.present(b)
	}
	p.b.Release(b)
}

// everyFrame streams count frames through the ring; the clock, in
// EveryFrame mode on a virtual time that is always one frame on, checks
// that they come in its order.
func (p *player) everyFrame(count int) error {
	p.order(count)
	p.clock.SetMode(EveryFrame)
	virtual := time.Unix(0, 0)
	p.clock.Play(virtual, 1)
	p.l.Stream(p.l.seq.First(), 1)
	if len(p.bOrder.Frames) > 0 {
		p.b.Stream(p.bOrder.Frames[0], 1)
	}
	step := time.Duration(float64(time.Second) / p.clock.FPS())
	for i := range count {
		f := <-p.l.Frames()
		want := p.clock.Frame()
		if i > 0 {
			virtual = virtual.Add(step)
			want = p.clock.Tick(virtual, func(n int) bool { return n == f.Number }).Frame
		}
		if f.Number != want {
			p.l.Release(f)
			return fmt.Errorf("hand-off: frame %d came where the clock wanted %d", f.Number, want)
		}
		p.res.Frames++
		if p.b != nil {
			if fb, ok := p.bFrame(f.Number); ok {
				g := <-p.b.Frames()
				if g.Number != fb {
					p.l.Release(f)
					p.b.Release(g)
					return fmt.Errorf("hand-off: B's frame %d came with A's %d, where B's %d belongs", g.Number, f.Number, fb)
				}
				p.showPair(f, g)
				continue
			}
		}
		p.show(f)
	}
	return nil
}

// realtime runs the clock in Realtime mode until it has passed count
// frames (or a Once playback stops), showing each frame it moves to.
func (p *player) realtime(count int) error {
	p.order(count)
	p.clock.SetMode(Realtime)
	p.clock.Play(p.ts.Now(), 1)
	// While the frame due is not ready, look again this often.
	poll := time.Duration(float64(time.Second) / p.clock.FPS() / 8)
	p.res.Frames = 1
	p.l.Request(p.clock.Frame(), 1)
	p.show(p.receive(p.clock.Frame()))
	// asked is the frame last requested: asking for it again would abandon
	// its decode under way (a request starts afresh), so that a frame that
	// takes longer to decode than a look's interval would never come; at
	// the end of a Once order, where the frame due stays the same, the
	// player waited for ever.
	asked := p.clock.Frame()
	for p.res.Frames < count && p.clock.Playing() {
		// Sleep until the next frame is due, or a little while when it
		// is overdue (not decoded yet).
		p.ts.Sleep(max(p.clock.NextAt().Sub(p.ts.Now()), poll))
		now := p.ts.Now()
		t := p.clock.Tick(now, p.l.Ready)
		if t.Changed {
			p.res.Frames += 1 + t.Dropped
			p.res.Drops += t.Dropped
			p.l.Stats().AddDrops(t.Dropped)
			p.l.Request(t.Frame, p.clock.Dir())
			asked = t.Frame
			p.show(p.receive(t.Frame))
		} else if due := p.clock.Due(now); due != asked && !p.l.Ready(due) {
			p.l.Request(due, p.clock.Dir()) // decode it now, prefetch after it
			asked = due
		}
	}
	return nil
}

// receive waits for frame n from the ring, handing back frames of older
// requests.
func (p *player) receive(n int) *Frame {
	for {
		f := <-p.l.Frames()
		if f.Number == n {
			return f
		}
		p.l.Release(f)
	}
}

// PeakRSS returns the process's peak resident memory in bytes: VmHWM of
// /proc/self/status on Linux, else getrusage's maxrss; 0 if neither can be
// read. maxrss survives exec on Linux: a child started by a test binary of
// 200 MiB would report that much before doing anything, VmHWM belongs to
// the address space exec made.
func PeakRSS() int64 {
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(data)) {
			if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				if kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss << 10 // kilobytes on Linux
}

// readAll reads the file at path through buf and returns its size.
func readAll(path string, buf []byte) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var size int64
	for {
		n, err := f.Read(buf)
		size += int64(n)
		if err == io.EOF {
			return size, nil
		}
		if err != nil {
			return size, err
		}
	}
}

// DecodeResult is what DecodeAll measured.
type DecodeResult struct {
	Frames        int      `json:"frames"`  // frames decoded
	Failed        int      `json:"failed"`  // frames missing or unreadable
	Seconds       float64  `json:"seconds"` // wall time of the decode pass
	FPS           float64  `json:"fps"`
	Bytes         int64    `json:"bytes"`      // decoded pixel bytes (RGBA half)
	MBps          float64  `json:"mb_per_s"`   // decoded megabytes (10^6) per second
	FileBytes     int64    `json:"file_bytes"` // bytes of the files (the read pass; 0 without it)
	ReadSeconds   float64  `json:"read_seconds"`
	ReadMBps      float64  `json:"read_mb_per_s"`  // reading the files' bytes (page cache warm)
	DecodeSeconds float64  `json:"decode_seconds"` // summed over workers: opening and decoding
	Workers       int      `json:"workers"`
	Errors        []string `json:"errors,omitempty"`
}

// DecodeAll decodes every frame of s once with sel (zero: each file's
// default) on workers workers (0: one per CPU), one whole frame per worker
// (Pool.DecodeWhole: nothing here is urgent, so frames are not sliced),
// the fastest way to decode a sequence: the decoder alone, no cache, no
// clock, no hand-off. With readFirst it first reads every file once
// (warming the page cache) and times that as the read stage; the decode
// stage is the rest (opening, reading chunks from the page cache,
// decompressing). Without it, the decode stage is all there is, as in a
// reader that only decodes (the read pass is a serial copy of every file:
// a tenth of a second for 48 HD ZIP frames, half a second of a 4K shot).
func DecodeAll(s *Sequence, sel exr.Selection, workers int, readFirst bool) (DecodeResult, error) {
	pool := NewPool(workers)
	defer pool.Close()
	r := DecodeResult{Workers: pool.Workers()}
	if readFirst {
		start := time.Now()
		buf := make([]byte, 1<<20) // one buffer for every file: nothing is kept
		for _, n := range s.Frames {
			size, err := readAll(s.Path(n), buf)
			if err != nil {
				return r, err
			}
			r.FileBytes += size
		}
		r.ReadSeconds = time.Since(start).Seconds()
		if r.ReadSeconds > 0 {
			r.ReadMBps = float64(r.FileBytes) / 1e6 / r.ReadSeconds
		}
	}

	frames := make(chan int, len(s.Frames))
	for _, n := range s.Frames {
		frames <- n
	}
	close(frames)
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		decode time.Duration
	)
	start := time.Now()
	for range pool.Workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []uint16 // reused: one frame's pixels per worker
			buffer := func(n int) []uint16 {
				if cap(buf) < n {
					buf = Pixels(n)
				}
				return buf[:n]
			}
			for n := range frames {
				t := time.Now()
				f, err := loadFrame(s, Key{Frame: n, Channels: sel}, buffer, pool.DecodeWhole, nil)
				mu.Lock()
				decode += time.Since(t)
				if err != nil {
					r.Failed++
					if len(r.Errors) < 10 {
						r.Errors = append(r.Errors, err.Error())
					}
				} else {
					r.Frames++
					r.Bytes += 2 * int64(len(f.Pix))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.Seconds = time.Since(start).Seconds()
	r.DecodeSeconds = decode.Seconds()
	if r.Seconds > 0 {
		r.FPS = float64(r.Frames) / r.Seconds
		r.MBps = float64(r.Bytes) / 1e6 / r.Seconds
	}
	if r.Frames == 0 && r.Failed > 0 {
		return r, errors.New(r.Errors[0])
	}
	return r, nil
}
