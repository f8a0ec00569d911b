package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/AllenDang/cimgui-go/imgui"
	"github.com/AllenDang/cimgui-go/implot"
	"github.com/dustin/go-humanize"

	"flick/engine"
)

// diagHistory is how many samples of cache fill the diagnostics keep (one
// every sampleEvery: a minute).
const (
	diagHistory = 240
	sampleEvery = 250 * time.Millisecond
)

// diagnostics keeps what the Diagnostics panel plots over time. GL
// goroutine only.
type diagnostics struct {
	shown      []time.Time // when the last frames were shown, for the achieved rate
	cacheMB    [diagHistory]float32
	budgetMB   float32
	samples    int
	lastSample time.Time
	bars       []float32 // the per-frame plot's values, reused
}

// frameShown notes a frame on screen.
func (d *diagnostics) frameShown(t time.Time) {
	if len(d.shown) == 64 {
		d.shown = append(d.shown[:0], d.shown[1:]...)
	}
	d.shown = append(d.shown, t)
}

// achievedFPS is the rate of frames shown over the last second.
func (d *diagnostics) achievedFPS() float64 {
	n := len(d.shown)
	if n < 2 || time.Since(d.shown[n-1]) > time.Second {
		return 0
	}
	i := n - 1
	for i > 0 && d.shown[n-1].Sub(d.shown[i-1]) <= time.Second {
		i--
	}
	if i == n-1 {
		return 0
	}
	return float64(n-1-i) / d.shown[n-1].Sub(d.shown[i]).Seconds()
}

// sample records the cache fill now and then.
func (d *diagnostics) sample(c engine.CacheStats) {
	if time.Since(d.lastSample) < sampleEvery {
		return
	}
	d.lastSample = time.Now()
	copy(d.cacheMB[:], d.cacheMB[1:])
	d.cacheMB[diagHistory-1] = float32(c.Bytes) / 1e6
	d.budgetMB = float32(c.Budget) / 1e6
	d.samples = min(d.samples+1, diagHistory)
}

// panel plots per-frame stage times (stacked), cache bytes against the
// budget over time, and lists throughput, hit rate, drops and workers.
func (d *diagnostics) panel(a *app) {
	snap := a.src().loader.Stats().Snapshot()
	d.sample(snap.Cache)
	if imgui.Button("copy as text") {
		imgui.SetClipboardText(diagText(a, snap))
	}
	imgui.TextUnformatted(diagSummary(snap, d.achievedFPS()))

	n := len(snap.Frames)
	if n > 0 && implot.BeginPlotV("per frame (ms)", imgui.NewVec2(-1, 180*unit()), implot.FlagsNoMouseText) {
		implot.SetupAxisV(implot.AxisX1, "frames decoded, oldest first", implot.AxisFlagsAutoFit)
		implot.SetupAxisV(implot.AxisY1, "ms", implot.AxisFlagsAutoFit)
		implot.SetupLegend(implot.LocationNorthWest)
		stages := []string{"read", "decode", "upload", "present"}
		d.bars = slices.Grow(d.bars[:0], len(stages)*n)[:len(stages)*n]
		values := d.bars
		for i, f := range snap.Frames {
			for s, v := range []time.Duration{f.Read, f.Decode, f.Upload, f.Present} {
				values[s*n+i] = float32(v.Microseconds()) / 1000
			}
		}
		implot.PlotBarGroupsFloatPtrV(stages, &values[0], int32(len(stages)), int32(n), 0.8, 0,
			implot.BarGroupsFlagsStacked)
		implot.EndPlot()
	}
	if d.samples > 1 && implot.BeginPlotV("cache (MB)", imgui.NewVec2(-1, 140*unit()), implot.FlagsNoMouseText) {
		implot.SetupAxisV(implot.AxisX1, "seconds", 0)
		implot.SetupAxisLimitsV(implot.AxisX1, -float64(diagHistory)*sampleEvery.Seconds(), 0, implot.CondAlways)
		implot.SetupAxisLimitsV(implot.AxisY1, 0, float64(max(d.budgetMB, 1))*1.05, implot.CondAlways)
		start := diagHistory - d.samples
		implot.PlotLineFloatPtrIntV("used", &d.cacheMB[start], int32(d.samples), sampleEvery.Seconds(),
			-float64(d.samples-1)*sampleEvery.Seconds(), 0, 0, 4)
		budget := []float32{d.budgetMB, d.budgetMB}
		implot.PlotLineFloatPtrIntV("budget", &budget[0], 2, float64(diagHistory)*sampleEvery.Seconds(),
			-float64(diagHistory)*sampleEvery.Seconds(), 0, 0, 4)
		implot.EndPlot()
	}
}

func diagSummary(s engine.Snapshot, achieved float64) string {
	c := s.Cache
	hit := 0.0
	if c.Hits+c.Misses > 0 {
		hit = 100 * float64(c.Hits) / float64(c.Hits+c.Misses)
	}
	return fmt.Sprintf("decode %.1f frames/s, %.0f MB/s (%d frames)   shown %.1f fps, %d dropped\n"+
		"cache %s of %s, %d frames; hit rate %.0f%% (%d hits, %d misses), %d evictions\n"+
		"workers busy %d of %d, decodes in flight %d, hand-off ring %d of %d",
		s.FPS, s.MBps, s.Decoded, achieved, s.Drops,
		humanize.IBytes(uint64(c.Bytes)), humanize.IBytes(uint64(c.Budget)), c.Frames, hit, c.Hits, c.Misses, c.Evictions,
		s.Busy, s.Workers, s.InFlight, s.Ring, s.RingCap)
}

// diagText is the diagnostics as text for a bug report.
func diagText(a *app, s engine.Snapshot) string {
	var b strings.Builder
	fmt.Fprintf(&b, "flick diagnostics, %s\nsequence %s\n", time.Now().Format(time.RFC3339), a.src().seq)
	b.WriteString(diagSummary(s, a.diag.achievedFPS()) + "\n")
	b.WriteString("frame  bytes  read_ms  decode_ms  upload_ms  present_ms\n")
	for _, f := range s.Frames {
		fmt.Fprintf(&b, "%d  %d  %.2f  %.2f  %.2f  %.2f\n", f.Frame, f.Bytes,
			ms(f.Read), ms(f.Decode), ms(f.Upload), ms(f.Present))
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
