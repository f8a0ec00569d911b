package ui

import (
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/AllenDang/cimgui-go/imgui"
	"github.com/AllenDang/cimgui-go/implot"

	"flick/engine"
	"flick/engine/exr"
	"flick/render"
	"flick/render/ocio"
)

// regionOutline is the colour of the inspected region's outline (ImGui
// ABGR): cyan, apart from the windows' grey and amber.
const regionOutline = 0xffffe040

// inspectPanels are the panels that show region statistics: while one is
// shown, the frame on screen is inspected.
var inspectPanels = []string{"statistics", "histogram", "waveform"}

// inspectKey is what a computation depends on: the frame's pixels, the
// region and the settings. Equal keys give equal statistics.
type inspectKey struct {
	frame    *engine.Frame
	settings engine.RegionSettings
	view     render.Settings // exposure, gamma, transform or OCIO: the values as displayed
	// exact asks for the file's own values (engine.RegionCounter.ComputeExact):
	// asked for, and the frame shows FLOAT or UINT channels.
	exact bool
}

// inspectJob is one computation for the statistics goroutine; out is the
// buffer it fills.
type inspectJob struct {
	key   inspectKey
	sel   exr.Selection // the frame's, resolved (for key.exact)
	shown engine.Shown
	proc  *ocio.CPUProcessor // the OpenColorIO processor shown uses, if any
	unpin func()             // releases the frame's pin (nil: not cached)
	out   *engine.RegionStats
	err   error
}

// inspector is the viewer's region statistics. Its state is the GL
// goroutine's; the computation runs on a goroutine of its own, off the UI
// and the decode workers, taking one job at a time: a newer job replaces
// one still waiting (latest wins), so playback never queues work behind
// it. Three RegionStats buffers go round (shown, computing, waiting), so
// computing again allocates nothing.
type inspector struct {
	region   image.Rectangle // file pixels; empty: the whole frame
	dragging bool
	from     image.Point // where a Shift+drag started
	axis     engine.Axis
	parade   bool
	exact    bool // the file's floats asked for (where the frame has FLOAT or UINT channels)

	jobs  chan *inspectJob // capacity 1: the job waiting
	done  chan *inspectJob // capacity 3: every buffer
	free  []*engine.RegionStats
	stats *engine.RegionStats // shown (nil: none yet)
	gen   int                 // counts the stats shown (their buffers are reused)
	err   error
	have  inspectKey                 // what stats describe
	want  inspectKey                 // the last job sent
	procs map[*ocio.CPUProcessor]int // jobs out per processor
	out   int                        // jobs sent and not back
	drawn []string                   // the inspect panels drawn this UI frame (the hooks)
	box   image.Point                // the exact checkbox's centre, when drawn this UI frame (the hooks)
	hist  [5][]float32               // the histogram plot's values, reused
	xs    []float32
	wave  waveView // GL goroutine only
}

// startInspector starts the statistics goroutine.
func (in *inspector) start() {
	in.jobs, in.done = make(chan *inspectJob, 1), make(chan *inspectJob, 3)
	in.procs = map[*ocio.CPUProcessor]int{}
	for range 3 {
		in.free = append(in.free, new(engine.RegionStats))
	}
	go func() {
		var rc engine.RegionCounter
		for j := range in.jobs {
			if j.key.exact {
				// Decodes the region's chunks here, off the UI and the decode workers.
				j.err = rc.ComputeExact(j.key.frame, j.sel, j.key.settings, j.shown, j.out)
			} else {
				j.err = rc.Compute(j.key.frame, j.key.settings, j.shown, j.out)
			}
			if j.unpin != nil {
				j.unpin()
			}
			in.done <- j
		}
	}()
}

// stop ends the statistics goroutine once its job is done and drops what
// is waiting, so that no processor is in use (before the transforms are
// closed).
func (in *inspector) stop() {
	if in.jobs == nil {
		return
	}
	close(in.jobs)
	for in.out > 0 {
		in.back(<-in.done)
	}
	in.jobs = nil
}

// uses reports whether a job out uses processor p: it must not be closed.
func (in *inspector) uses(p *ocio.CPUProcessor) bool { return in.procs[p] > 0 }

// back takes a job's buffer back.
func (in *inspector) back(j *inspectJob) {
	in.out--
	if j.proc != nil {
		in.procs[j.proc]--
	}
	in.free = append(in.free, j.out)
}

// inspecting reports whether an inspect panel is shown.
func (a *app) inspecting() bool {
	for _, p := range inspectPanels {
		if a.panels[p] {
			return true
		}
	}
	return false
}

// inspect takes finished statistics and, while an inspect panel is shown,
// asks for the frame on screen's when they would differ. Once per UI
// frame, before the panels.
func (a *app) inspect() {
	in := &a.insp
	in.drawn, in.box = in.drawn[:0], image.Point{}
	if in.jobs == nil {
		return
	}
	for {
		select {
		case j := <-in.done:
			in.back(j) // j.out is now free's last
			if j.key == in.want {
				in.free = in.free[:len(in.free)-1]
				if in.stats != nil {
					in.free = append(in.free, in.stats)
				}
				in.stats, in.err, in.have = j.out, j.err, j.key
				in.gen++
			}
			continue
		default:
		}
		break
	}
	f := a.src().frame
	if !a.inspecting() || f == nil || f.Err != nil {
		return
	}
	key := inspectKey{frame: f, settings: engine.RegionSettings{Region: levelRegion(f, in.region), Axis: in.axis,
		Parade: in.parade}, view: a.view}
	key.view.Channels, key.view.Checker, key.view.ShowNaN, key.view.Nearest = 0, false, false, false
	sel, need := exactSelection(f)
	key.exact = in.exact && need
	if key == in.want {
		return
	}
	// The waiting job is replaced by this one.
	select {
	case old := <-in.jobs:
		if old.unpin != nil {
			old.unpin()
		}
		in.back(old)
	default:
	}
	j := &inspectJob{key: key, sel: sel, out: in.free[len(in.free)-1]}
	in.free = in.free[:len(in.free)-1]
	j.shown, j.proc = a.shownFunc()
	if j.proc != nil {
		in.procs[j.proc]++
	}
	if cache := a.ses.cache; cache.Pin(f) {
		j.unpin = func() { cache.Release(f) }
	}
	in.out++
	in.want = key
	in.jobs <- j
}

// shownFunc is how the display shows linear values, for the statistics as
// displayed: OpenColorIO's CPU processor for the view on screen (the
// probe's), else render's curve; proc is the processor used.
func (a *app) shownFunc() (s engine.Shown, proc *ocio.CPUProcessor) {
	v := a.view
	if v.OCIO == nil {
		return engine.Shown{Curve: v.Curve()}, nil
	}
	for _, e := range a.col.cache {
		if e.ct != v.OCIO {
			continue
		}
		gain := float32(math.Exp2(float64(v.Exposure)))
		inv := 1.0
		if v.Gamma != 0 && v.Gamma != 1 {
			inv = 1 / float64(v.Gamma)
		}
		p := e.view
		return engine.Shown{Pixels: func(rgba []float32) error {
			for i := range rgba {
				if i%4 != 3 {
					rgba[i] *= gain
				}
			}
			if err := p.Apply(rgba); err != nil {
				return err
			}
			if inv != 1 {
				for i, x := range rgba {
					if i%4 != 3 {
						rgba[i] = float32(math.Copysign(math.Pow(math.Abs(float64(x)), inv), float64(x)))
					}
				}
			}
			return nil
		}}, p
	}
	return engine.Shown{}, nil
}

// levelRegion maps a region in full-resolution pixels to f's level.
func levelRegion(f *engine.Frame, r image.Rectangle) image.Rectangle {
	if r.Empty() {
		return r
	}
	return image.Rectangle{Min: levelPixel(f, r.Min), Max: levelPixel(f, r.Max.Sub(image.Pt(1, 1))).Add(image.Pt(1, 1))}
}

// selectRegion handles a Shift+drag on the picture (the viewport's button
// is the last item): it sets the region from the pixel where the drag
// began to the one under the cursor (mx, my in target pixels). It reports
// whether a drag for a region is going on, which then does not pan.
func (a *app) selectRegion(mx, my float32, f *engine.Frame) bool {
	in := &a.insp
	p := a.camera.ImagePixel(mx, my, f.DisplayWindow)
	if imgui.IsItemActivated() && imgui.IsMouseClickedBool(imgui.MouseButtonLeft) && imgui.CurrentIO().KeyShift() {
		in.dragging, in.from = true, p
	}
	if !in.dragging {
		return false
	}
	if !imgui.IsItemActive() {
		in.dragging = false
		return false
	}
	// Both pixels are in the region.
	in.region = image.Rectangle{Min: in.from, Max: p}.Canon()
	in.region.Max = in.region.Max.Add(image.Pt(1, 1))
	return true
}

// drawRegion outlines the region on the picture.
func (a *app) drawRegion(dl *imgui.DrawList, origin, scale imgui.Vec2, f *engine.Frame) {
	r := a.insp.region
	if r.Empty() || !a.inspecting() {
		return
	}
	v := a.camera.View(f.DisplayWindow, r).Data
	dl.AddRectV(imgui.NewVec2(origin.X+v.X0/scale.X, origin.Y+v.Y0/scale.Y),
		imgui.NewVec2(origin.X+v.X1/scale.X, origin.Y+v.Y1/scale.Y), regionOutline, 0, 0, 1.5*unit())
}

// clearRegion inspects the whole frame again.
func (a *app) clearRegion() { a.insp.region, a.insp.dragging = image.Rectangle{}, false }

// showInspect shows the three inspect panels, or hides them when all are
// shown.
func (a *app) showInspect() {
	all := true
	for _, p := range inspectPanels {
		all = all && a.panels[p]
	}
	for _, p := range inspectPanels {
		a.panels[p] = !all
	}
}

// inspectHeader says which frame and region the statistics describe,
// and whether newer ones are being computed.
func (a *app) inspectHeader() bool {
	in := &a.insp
	if imgui.Button("whole frame") {
		a.clearRegion()
	}
	imgui.SameLine()
	imgui.TextDisabled("(Shift+drag on the picture: a region; Shift+C: whole frame)")
	st := in.stats
	if st == nil {
		imgui.TextUnformatted("computing…")
		return false
	}
	values := "half"
	if st.Exact {
		values = "file's floats"
	}
	text := fmt.Sprintf("frame %d   %s   %s", st.Frame, regionText(st), values)
	if in.have != in.want {
		text += fmt.Sprintf("   (computing frame %d)", in.want.frame.Number)
	}
	imgui.TextUnformatted(text)
	if in.err != nil {
		imgui.TextUnformatted("error: " + in.err.Error())
		return false
	}
	return true
}

func regionText(st *engine.RegionStats) string {
	r := st.Region
	s := fmt.Sprintf("region %d,%d-%d,%d (%dx%d, %d pixels)", r.Min.X, r.Min.Y, r.Max.X-1, r.Max.Y-1, r.Dx(), r.Dy(), st.Pixels)
	if l := st.Key.Channels; l.LevelX != 0 || l.LevelY != 0 {
		s += fmt.Sprintf(" of level %d,%d", l.LevelX, l.LevelY)
	}
	return s
}

var channelLabels = [5]string{"R", "G", "B", "A", "luminance"}

// statisticsPanel is the table of the region's statistics, linear and as
// displayed.
func (a *app) statisticsPanel() {
	a.insp.drawn = append(a.insp.drawn, "statistics")
	// Only where the frame's half values are not the file's.
	if f := a.src().frame; f != nil && f.Err == nil {
		if _, need := exactSelection(f); need {
			imgui.Checkbox("exact (file's floats)", &a.insp.exact)
			lo, hi := imgui.ItemRectMin(), imgui.ItemRectMax()
			a.insp.box = image.Pt(int(lo.X+(hi.Y-lo.Y)/2), int((lo.Y+hi.Y)/2)) // the box is square, on the left
			imgui.SameLine()
			imgui.TextDisabled("(FLOAT/UINT channels: statistics and histograms of the file's values, not half)")
		}
	}
	if !a.inspectHeader() {
		return
	}
	st := a.insp.stats
	table := func(id string, rows []engine.ChannelStats) {
		if !imgui.BeginTableV(id, 8, imgui.TableFlagsBorders|imgui.TableFlagsSizingFixedFit, imgui.NewVec2(0, 0), 0) {
			return
		}
		for _, h := range []string{id, "min", "max", "mean", "finite", "NaN", "+Inf", "-Inf"} {
			imgui.TableSetupColumn(h)
		}
		imgui.TableHeadersRow()
		for c, s := range rows {
			imgui.TableNextRow()
			for i, cell := range []string{channelLabels[c], fmt.Sprintf("%.6g", s.Min), fmt.Sprintf("%.6g", s.Max),
				fmt.Sprintf("%.6g", s.Mean), fmt.Sprint(s.Finite), fmt.Sprint(s.NaN), fmt.Sprint(s.PosInf), fmt.Sprint(s.NegInf)} {
				imgui.TableSetColumnIndex(int32(i))
				imgui.TextUnformatted(cell)
			}
		}
		imgui.EndTable()
	}
	table("linear", st.Linear[:])
	if st.HasShown {
		table("displayed", st.Shown[:])
	}
}

// histogramPanel plots each channel's and the luminance's histogram on
// the HDR axis (stops) or [0, 1], with the values off the axis listed.
func (a *app) histogramPanel() {
	in := &a.insp
	in.drawn = append(in.drawn, "histogram")
	in.axisButtons("")
	if !a.inspectHeader() || in.stats.Axis != in.axis {
		return
	}
	st := in.stats
	if in.xs == nil {
		in.xs = make([]float32, engine.HistBins)
		for c := range in.hist {
			in.hist[c] = make([]float32, engine.HistBins)
		}
	}
	for i := range in.xs {
		lo, hi := st.Axis.Edge(i), st.Axis.Edge(i+1)
		if st.Axis == engine.AxisStops {
			lo, hi = math.Log2(lo), math.Log2(hi)
		}
		in.xs[i] = float32(lo+hi) / 2
	}
	label := "linear value"
	if st.Axis == engine.AxisStops {
		label = "stops (log2 of the linear value)"
	}
	if implot.BeginPlotV("histogram", imgui.NewVec2(-1, 200*unit()), implot.FlagsNoMouseText) {
		implot.SetupAxisV(implot.AxisX1, label, implot.AxisFlagsAutoFit)
		implot.SetupAxisV(implot.AxisY1, "pixels", implot.AxisFlagsAutoFit)
		for c := range st.Hist {
			for i, n := range st.Hist[c].Bins {
				in.hist[c][i] = float32(n)
			}
			implot.PlotLineFloatPtrFloatPtr(channelLabels[c], &in.xs[0], &in.hist[c][0], engine.HistBins)
		}
		implot.EndPlot()
	}
	var b strings.Builder
	for c, h := range st.Hist {
		fmt.Fprintf(&b, "%-9s negative %d  zero %d  under %d  over %d  NaN %d  +Inf %d  -Inf %d\n", channelLabels[c],
			h.Negative, h.Zero, h.Under, h.Over, h.NaN, h.PosInf, h.NegInf)
	}
	imgui.TextUnformatted(strings.TrimSuffix(b.String(), "\n"))
}

// axisButtons chooses the histogram's and waveform's axis (id keeps two
// panels' buttons apart).
func (in *inspector) axisButtons(id string) {
	if imgui.RadioButtonBool("HDR (stops)"+id, in.axis == engine.AxisStops) {
		in.axis = engine.AxisStops
	}
	imgui.SameLine()
	if imgui.RadioButtonBool("SDR [0, 1]"+id, in.axis == engine.AxisSDR) {
		in.axis = engine.AxisSDR
	}
}

// waveformPanel draws, for each column of the region, how many pixels
// have each value (bright where many do): luminance, or R, G and B side
// by side; the rows below and above the axis are drawn apart.
func (a *app) waveformPanel() {
	in := &a.insp
	in.drawn = append(in.drawn, "waveform")
	if imgui.RadioButtonBool("luminance", !in.parade) {
		in.parade = false
	}
	imgui.SameLine()
	if imgui.RadioButtonBool("RGB parade", in.parade) {
		in.parade = true
	}
	imgui.SameLine()
	in.axisButtons("##w")
	if !a.inspectHeader() || in.stats.Parade != in.parade || in.stats.Axis != in.axis {
		return
	}
	st := in.stats
	avail := imgui.ContentRegionAvail()
	size := imgui.NewVec2(avail.X, max(avail.Y, 120*unit()))
	if st.Wave.Cols == 0 {
		return
	}
	tex, err := in.wave.texture(st, in.gen)
	if err != nil {
		imgui.TextColored(imgui.NewVec4(1, 0.4, 0.4, 1), esc("waveform: "+err.Error()))
		return
	}
	p0 := imgui.CursorScreenPos()
	imgui.Image(*imgui.NewTextureRefTextureID(imgui.TextureID(tex)), size)
	dl := imgui.WindowDrawList()
	panes := 1
	if st.Parade {
		panes = 3
	}
	for k := 1; k < panes; k++ {
		x := p0.X + float32(k)*size.X/float32(panes)
		dl.AddLine(imgui.NewVec2(x, p0.Y), imgui.NewVec2(x, p0.Y+size.Y), 0xff606060)
	}
	// The rows below and above the axis.
	rowH := size.Y / engine.WaveStride
	for _, y := range []float32{p0.Y + size.Y - rowH, p0.Y + rowH} {
		dl.AddLine(imgui.NewVec2(p0.X, y), imgui.NewVec2(p0.X+size.X, y), 0xff606060)
	}
}

// waveView is the waveform panel's picture: one texel per column and row
// of the waveform (panes side by side), rendered again only when the
// statistics shown change and stretched over the panel by Dear ImGui. Drawn
// as a rectangle per cell instead, a 512-column parade was up to 100,000
// rectangles every UI frame, which llvmpipe drew at a few frames a second.
// GL goroutine only.
type waveView struct {
	gen     int // the inspector's gen of what img shows (0: nothing)
	img     *image.RGBA
	target  render.Target
	overlay render.Overlay
	err     error
}

// waveColours are the panes' colours: luminance white; R, G and B in parade.
var waveColours = [][3]float64{{1, 1, 1}, {1, 0.25, 0.25}, {0.25, 1, 0.25}, {0.25, 0.25, 1}}

// texture returns the texture of st's waveform, rendering it if st is new:
// each cell's count shown as its pane's colour over dark grey with an
// opacity that grows with the log of the count (a cell with any count is
// visible; the peak is 1/8 of a column's pixels).
func (v *waveView) texture(st *engine.RegionStats, gen int) (uint32, error) {
	if gen == v.gen {
		return v.target.Texture(), v.err
	}
	v.gen = gen
	w := st.Wave
	panes, colours := []int{3}, waveColours[:1]
	if st.Parade {
		panes, colours = []int{0, 1, 2}, waveColours[1:]
	}
	r := image.Rect(0, 0, len(panes)*w.Cols, engine.WaveStride)
	if v.img == nil || v.img.Rect != r {
		v.img = image.NewRGBA(r)
	}
	const bg = 16.0 / 255 // the panel's ground
	peak := float64(max(st.Pixels/max(w.Cols, 1)/8, 1))
	for k, c := range panes {
		counts := w.Counts[c]
		for col := range w.Cols {
			for row := range engine.WaveStride {
				a := 0.0
				if n := counts[col*engine.WaveStride+row]; n > 0 {
					a = min(1, (40+215*math.Log1p(float64(n))/math.Log1p(peak))/255)
				}
				o := v.img.PixOffset(k*w.Cols+col, engine.WaveStride-1-row) // row 0 at the bottom
				for ch := range 3 {
					v.img.Pix[o+ch] = uint8(math.Round(255 * (bg*(1-a) + colours[k][ch]*a)))
				}
				v.img.Pix[o+3] = 255
			}
		}
	}
	if v.err = v.target.Resize(r.Dx(), r.Dy()); v.err == nil {
		v.err = v.overlay.Draw(&v.target, image.Point{}, []*image.RGBA{v.img})
	}
	return v.target.Texture(), v.err
}

// close deletes the waveform's GL objects.
func (v *waveView) close() {
	v.overlay.Close()
	v.target.Close()
	v.gen = 0
}

// inspectHook is the statistics in the title for the end-to-end tests:
// the inspect panels drawn, then the frame, the region, each channel's
// min, max, mean, finite, NaN, +Inf and -Inf counts (linear) and whether
// they are of half or the file's floats; where the exact checkbox is on
// the screen when it is drawn; and the frames playback dropped so far
// (the panels' cost on playback is measured with it).
func (a *app) inspectHook() string {
	in := &a.insp
	s := " — inspect " + strings.Join(in.drawn, ",")
	if st := in.stats; st != nil && in.err == nil {
		r := st.Region
		s += fmt.Sprintf(" frame %d region %d,%d-%d,%d", st.Frame, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
		for _, c := range st.Linear {
			s += fmt.Sprintf(" [%g %g %.9g %d %d %d %d]", c.Min, c.Max, c.Mean, c.Finite, c.NaN, c.PosInf, c.NegInf)
		}
		s += map[bool]string{false: " half", true: " floats"}[st.Exact]
	}
	if in.box != (image.Point{}) {
		s += fmt.Sprintf(" exact %d,%d", in.box.X, in.box.Y)
	}
	if a.src().loader != nil {
		s += fmt.Sprintf(" dropped %d", a.src().loader.Stats().Snapshot().Drops)
	}
	return s
}
