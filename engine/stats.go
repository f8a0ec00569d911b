package engine

import (
	"sync"
	"time"
)

// statsHistory is how many frames' timings Stats keeps (a ring).
const statsHistory = 256

// FrameStat is how one frame went through the pipeline. The engine fills
// Read and Decode; the display fills Upload and Present (SetPresent).
type FrameStat struct {
	Frame   int
	Bytes   int64         // decoded pixel bytes
	Read    time.Duration // opening the file and reading its header
	Decode  time.Duration // reading and decoding the chunks
	Upload  time.Duration // to the GPU (render)
	Present time.Duration // drawn on screen (ui)
}

// Gauges are the pipeline's levels at one moment.
type Gauges struct {
	Ring, RingCap   int // frames waiting in the hand-off ring, and its capacity
	InFlight        int // frame decodes running (urgent and prefetch)
	Workers, Busy   int // decode workers, and how many are decoding now
	Cache           CacheStats
	PendingRequests int // requests not yet taken by the loader (0 or 1)
}

// Stats gathers what the engine did: the last statsHistory frames'
// timings, throughput since the first frame, drops, and the pipeline's
// gauges. Safe for concurrent use.
type Stats struct {
	mu      sync.Mutex
	history [statsHistory]FrameStat
	next    int // where the next FrameStat goes in history
	kept    int // FrameStats in history
	frames  int // frames decoded
	bytes   int64
	first   time.Time // when the first frame was decoded
	last    time.Time
	drops   int
	gauges  func() Gauges
}

// Snapshot is a copy of Stats for the UI and flick bench.
type Snapshot struct {
	Frames       []FrameStat // the last frames decoded, oldest first
	Decoded      int         // frames decoded in all
	DecodedBytes int64
	FPS          float64 // decoded frames per second, first to last decode
	MBps         float64 // decoded megabytes (10^6) per second
	Drops        int
	Gauges
}

// Record adds a decoded frame.
func (s *Stats) Record(f FrameStat) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history[s.next] = f
	s.next = (s.next + 1) % statsHistory
	s.kept = min(s.kept+1, statsHistory)
	if s.frames == 0 {
		s.first = now.Add(-f.Read - f.Decode)
	}
	s.frames++
	s.bytes += f.Bytes
	s.last = now
}

// SetPresent fills in the upload and present times of a frame still in
// the history (the latest record of it).
func (s *Stats) SetPresent(frame int, upload, present time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i <= s.kept; i++ {
		h := &s.history[(s.next-i+statsHistory)%statsHistory]
		if h.Frame == frame {
			h.Upload, h.Present = upload, present
			return
		}
	}
}

// AddDrops counts frames the playback clock dropped.
func (s *Stats) AddDrops(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops += n
}

// Snapshot returns a copy of the counters, the history and the gauges.
func (s *Stats) Snapshot() Snapshot {
	s.mu.Lock()
	out := Snapshot{Decoded: s.frames, DecodedBytes: s.bytes, Drops: s.drops, Frames: make([]FrameStat, 0, s.kept)}
	for i := s.kept; i >= 1; i-- {
		out.Frames = append(out.Frames, s.history[(s.next-i+statsHistory)%statsHistory])
	}
	if secs := s.last.Sub(s.first).Seconds(); s.frames > 0 && secs > 0 {
		out.FPS = float64(s.frames) / secs
		out.MBps = float64(s.bytes) / 1e6 / secs
	}
	gauges := s.gauges
	s.mu.Unlock()
	if gauges != nil {
		out.Gauges = gauges()
	}
	return out
}
