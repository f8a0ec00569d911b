package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/AllenDang/cimgui-go/imgui"
	"github.com/dustin/go-humanize"

	"flick/engine"
	"flick/engine/timecode"
)

// Cache meter colours (ImGui ABGR) and their legend.
const (
	colCached   = 0xff50b050 // green
	colDecoding = 0xff30c0e0 // amber
	colMissing  = 0xff707070 // grey
	colFailed   = 0xff3030e0 // red
	colEmpty    = 0xff302828
	colPlayhead = 0xffffffff
	colInOut    = 0xffe0a040
)

// frameState is what the cache meter shows for a frame.
type frameState int

const (
	stateEmpty frameState = iota
	stateCached
	stateDecoding
	stateMissing
	stateFailed
)

var stateColours = [...]uint32{colEmpty, colCached, colDecoding, colMissing, colFailed}
var stateNames = [...]string{"not loaded", "cached", "decoding", "missing", "failed"}

func (a *app) frameState(n int) frameState { return meterState(a.src(), n) }

// meterState is what the cache meter shows for frame n of shot s.
func meterState(s *source, n int) frameState {
	st := s.stateOf(n)
	switch {
	case s.missing[n]:
		return stateMissing
	case st.Err != nil:
		return stateFailed
	case s.loader.Ready(n):
		return stateCached
	case st.Decoding:
		return stateDecoding
	}
	return stateEmpty
}

// Colours of A's and B's ranges on the timeline while comparing (ImGui
// ABGR): blue and pink, apart from the meter's states.
var sideColours = [...]uint32{0xffd08040, 0xffb060e0}

// timelineSide is one side of a comparison on the timeline.
type timelineSide struct {
	name string // "A" or "B"
	s    *source
	// first and last are the timeline frames its range's ends show at.
	first, last int
}

// timelineSides are A and B on the timeline, comparing.
func (a *app) timelineSides() []timelineSide {
	var sides []timelineSide
	for i, sh := range a.ses.onScreen() {
		r := sh.seq.Range
		ref := a.src().seq.Range
		sides = append(sides, timelineSide{name: string(rune('A' + i)), s: sh,
			first: engine.TimelineFrame(a.ses.cmp.sync, r.Start, ref, r, sh.offset),
			last:  engine.TimelineFrame(a.ses.cmp.sync, r.End, ref, r, sh.offset)})
	}
	return sides
}

// sideState is what side sh's row of the meter shows at timeline frame g:
// missing where the side lacks the frame (outside its range, or no file).
func (a *app) sideState(sh *source, g int) frameState {
	n, ok := a.ses.sideFrame(sh, g)
	if !ok {
		return stateMissing
	}
	return meterState(sh, n)
}

// transport is the row of playback controls.
func (a *app) transport() {
	playing, dir := a.ses.clock.Playing(), a.ses.clock.Dir()
	if imgui.Button("|<") {
		a.seek(a.ses.in())
	}
	imgui.SameLine()
	if imgui.Button("<") {
		a.step(-1)
	}
	imgui.SameLine()
	label := "<<"
	if playing && dir < 0 {
		label = "||##rev"
	}
	if imgui.Button(label) {
		a.play(-1)
	}
	imgui.SameLine()
	label = ">>"
	if playing && dir > 0 {
		label = "||##fwd"
	}
	if imgui.Button(label) {
		a.play(1)
	}
	imgui.SameLine()
	if imgui.Button(">") {
		a.step(1)
	}
	imgui.SameLine()
	if imgui.Button(">|") {
		a.seek(a.ses.out())
	}
	imgui.SameLine()
	imgui.SetNextItemWidth(100)
	repeat := int32(a.ses.clock.Order().Repeat)
	if imgui.ComboStrV("##repeat", &repeat, comboItems(engine.RepeatNames()), -1) {
		a.ses.clock.SetRepeat(engine.Repeat(repeat))
		a.src().loader.SetOrder(a.ses.clock.Order())
	}
	imgui.SameLine()
	imgui.SetNextItemWidth(70)
	fps := float32(a.ses.clock.FPS())
	if imgui.InputFloatV("fps", &fps, 0, 0, "%.3g", 0) && fps >= 1 && fps <= 1000 {
		a.ses.clock.SetFPS(float64(fps))
	}
	imgui.SameLine()
	realtime := a.ses.clock.Mode() == engine.Realtime
	if imgui.Checkbox("realtime", &realtime) {
		mode := engine.EveryFrame
		if realtime {
			mode = engine.Realtime
		}
		// Playback restarts in the new mode: pause ends the old one's way
		// of fetching frames (a stream, or the clock's requests).
		if playing {
			a.pause()
		}
		a.ses.clock.SetMode(mode)
		if playing {
			a.play(dir)
		}
	}
	imgui.SameLine()
	imgui.Checkbox("timecode", &a.showTimecode)
	imgui.SameLine()
	imgui.TextUnformatted(fmt.Sprintf("   frame %s   in %s  out %s   %.1f fps achieved   %d dropped",
		a.frameLabel(a.ses.clock.Frame()), a.frameLabel(a.ses.in()), a.frameLabel(a.ses.out()), a.diag.achievedFPS(), a.src().loader.Stats().Snapshot().Drops))
}

// timeline draws frame numbers, the in and out points and the playhead over
// a cache meter with each frame's state; dragging scrubs. Comparing, its
// frames are the timeline's (the clock's), A's and B's ranges are thin
// bars of their own colours at the foot of the ruler (named in the
// legend), and the meter has a half-height row for each side (a frame a
// side lacks is missing on its row): the timeline keeps its height.
func (a *app) timeline() {
	s := a.src().seq
	first, last, step := s.Range.Start, s.Range.End, s.Range.Step
	var sides []timelineSide
	if a.ses.comparing() {
		first, last = a.ses.span()
		step = 1
		sides = a.timelineSides()
	}
	width := imgui.ContentRegionAvail().X
	// An 18 px ruler over an 8 px meter at the default font size.
	u := unit()
	barH, meterH := 18*u, 8*u
	origin := imgui.CursorScreenPos()
	imgui.InvisibleButton("timeline", imgui.NewVec2(width, barH+meterH+4*u))
	span := float32(max(1, last-first+1))
	xOf := func(n int) float32 { return origin.X + float32(n-first)/span*width }
	frameAt := func(x float32) int {
		n := first + int(math.Floor(float64((x-origin.X)/width*span)))
		return min(max(n, first), last)
	}
	if imgui.IsItemActive() {
		if n := frameAt(imgui.MousePos().X); n != a.ses.clock.Frame() || imgui.IsMouseClickedBool(imgui.MouseButtonLeft) {
			a.seek(n)
		}
	}
	dl := imgui.WindowDrawList()
	dl.AddRectFilled(origin, imgui.NewVec2(origin.X+width, origin.Y+barH), 0xff201818)
	// In-out range, tick marks with frame numbers.
	dl.AddRectFilled(imgui.NewVec2(xOf(a.ses.in()), origin.Y), imgui.NewVec2(xOf(a.ses.out()+1), origin.Y+barH), 0xff403028)
	labelW := float32(60) // unscaled pixels a tick's label needs
	if a.showTimecode {
		labelW = 100
	}
	stepN := tickStep(int(span), width/u, labelW)
	for n := first - first%stepN; n <= last; n += stepN {
		if n < first {
			continue
		}
		x := xOf(n)
		dl.AddLineV(imgui.NewVec2(x, origin.Y+barH-5*u), imgui.NewVec2(x, origin.Y+barH), 0xff909090, u)
		addText(dl, imgui.NewVec2(x+2*u, origin.Y+u), 0xffa0a0a0, a.frameLabel(n))
	}
	// Each side's range: a bar from its first frame to its last, A's
	// over B's, over the ticks' feet.
	for i, sd := range sides {
		y := origin.Y + barH - float32(len(sides)-i)*3*u
		dl.AddRectFilled(imgui.NewVec2(xOf(sd.first), y), imgui.NewVec2(xOf(sd.last+1), y+3*u), sideColours[i])
	}
	for _, n := range []int{a.ses.in(), a.ses.out() + 1} {
		x := xOf(n)
		dl.AddLineV(imgui.NewVec2(x, origin.Y), imgui.NewVec2(x, origin.Y+barH+meterH+4*u), colInOut, 2*u)
	}
	// Cache meter.
	my := origin.Y + barH + 2*u
	hovered := imgui.IsItemHovered()
	for n := first; n <= last; n += step {
		x0, x1 := xOf(n), max(xOf(n+step), xOf(n)+1)
		if len(sides) == 0 {
			dl.AddRectFilled(imgui.NewVec2(x0, my), imgui.NewVec2(x1, my+meterH), stateColours[a.frameState(n)])
			continue
		}
		rowM := meterH / float32(len(sides))
		for i, sd := range sides {
			y := my + float32(i)*rowM
			dl.AddRectFilled(imgui.NewVec2(x0, y), imgui.NewVec2(x1, y+rowM-u), stateColours[a.sideState(sd.s, n)])
		}
	}
	if hovered {
		imgui.SetTooltip(esc(a.meterTip(frameAt(imgui.MousePos().X), sides)))
	}
	x := xOf(a.ses.clock.Frame()) + width/span/2
	dl.AddLineV(imgui.NewVec2(x, origin.Y), imgui.NewVec2(x, my+meterH), colPlayhead, 2*u)

	// Legend (comparing, the sides' names first) and budget projection.
	for i, sd := range sides {
		imgui.ColorButtonV("##side"+sd.name, imgui.ColorConvertU32ToFloat4(sideColours[i]),
			imgui.ColorEditFlagsNoTooltip, imgui.NewVec2(10*u, 10*u))
		imgui.SameLine()
		imgui.TextUnformatted(esc(fmt.Sprintf("%s %s %d-%d  ", sd.name, sd.s.name(), sd.s.seq.Range.Start, sd.s.seq.Range.End)))
		imgui.SameLine()
	}
	for st := stateCached; st <= stateFailed; st++ {
		imgui.ColorButtonV("##"+stateNames[st], imgui.ColorConvertU32ToFloat4(stateColours[st]),
			imgui.ColorEditFlagsNoTooltip, imgui.NewVec2(10*u, 10*u))
		imgui.SameLine()
		imgui.TextUnformatted(stateNames[st])
		imgui.SameLine()
	}
	imgui.TextUnformatted("   " + a.budgetLine())
}

// meterTip is the meter's tooltip at frame n: its state and why it failed;
// comparing, each side's frame at timeline frame n and its state.
func (a *app) meterTip(n int, sides []timelineSide) string {
	if len(sides) == 0 {
		tip := fmt.Sprintf("frame %s: %s", a.frameLabel(n), stateNames[a.frameState(n)])
		if err := a.src().stateOf(n).Err; err != nil {
			tip += "\n" + err.Error()
		}
		return tip
	}
	tip := "timeline frame " + a.frameLabel(n)
	for _, sd := range sides {
		f, ok := a.ses.sideFrame(sd.s, n)
		switch {
		case !ok:
			tip += fmt.Sprintf("\n%s: no frame %d", sd.name, f)
		default:
			tip += fmt.Sprintf("\n%s: frame %d %s", sd.name, f, stateNames[meterState(sd.s, f)])
			if err := sd.s.stateOf(f).Err; err != nil {
				tip += ": " + err.Error()
			}
		}
	}
	return tip
}

// tickStep picks a frame-number spacing that leaves room for labels of
// labelW (width and labelW in unscaled pixels).
func tickStep(frames int, width, labelW float32) int {
	for _, s := range []int{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 100000} {
		if float32(frames)/float32(s)*labelW <= width {
			return s
		}
	}
	return 1000000
}

// budgetLine says whether the in-out range fits the cache budget at the
// current channel set: "in-out needs 37 GB, budget 24 GB"; comparing, A's
// and B's frames in in-out together (budgetProjection).
func (a *app) budgetLine() string {
	if a.ses.comparing() {
		return budgetProjection(a.opt.Budget, a.sideNeeds()...)
	}
	f := a.src().frame
	if f == nil || f.Err != nil {
		return budgetProjection(a.opt.Budget)
	}
	return budgetProjection(a.opt.Budget, sideNeed{frames: (a.ses.out()-a.ses.in())/a.src().seq.Range.Step + 1, per: frameBytes(f)})
}

// sideNeeds is what each side on screen needs of the cache for in-out,
// comparing: its frames at the timeline frames in-out and the size of its
// frame on screen (of its first frame's data window while it shows none).
func (a *app) sideNeeds() []sideNeed {
	var needs []sideNeed
	for _, sh := range a.ses.onScreen() {
		var need sideNeed
		for g := a.ses.in(); g <= a.ses.out(); g++ {
			if _, ok := a.ses.sideFrame(sh, g); ok {
				need.frames++
			}
		}
		switch f := sh.frame; {
		case f != nil && f.Err == nil:
			need.per = frameBytes(f)
		case len(sh.parts) > 0:
			dw := sh.parts[0].Header.DataWindow
			need.per = uint64(8 * dw.Width() * dw.Height())
		}
		needs = append(needs, need)
	}
	return needs
}

// frameBytes is what a frame like f takes in the cache: four half
// channels over its data window (at its level).
func frameBytes(f *engine.Frame) uint64 { return uint64(8 * f.DataWindow.Dx() * f.DataWindow.Dy()) }

// sideNeed is what one side of the picture (A, or B while comparing)
// needs of the cache to hold the in-out range: its frames there and the
// bytes of one.
type sideNeed struct {
	frames int
	per    uint64
}

// budgetProjection says whether the sides' frames of the in-out range fit
// budget together. One side: "in-out needs 830 MiB (100 frames × 8.3 MiB),
// budget 4.0 GiB: fits"; two that need the same: "in-out needs 2 × 830
// MiB (100 frames × 8.3 MiB each), ..."; two that differ: "in-out needs
// 830 MiB + 415 MiB (A 100 frames × 8.3 MiB, B 50 frames × 8.3 MiB),
// ...". With no side (no frame on screen to size one) it gives the budget
// alone.
func budgetProjection(budget int64, sides ...sideNeed) string {
	b := humanize.IBytes(uint64(budget))
	if len(sides) == 0 {
		return "budget " + b
	}
	var total uint64
	needs := make([]string, len(sides))
	for i, s := range sides {
		total += uint64(s.frames) * s.per
		needs[i] = humanize.IBytes(uint64(s.frames) * s.per)
	}
	verdict := "fits"
	if total > uint64(budget) {
		verdict = "does not fit"
	}
	var need string
	switch {
	case len(sides) == 1:
		need = fmt.Sprintf("%s (%d frames × %s)", needs[0], sides[0].frames, humanize.IBytes(sides[0].per))
	case len(sides) == 2 && sides[0] == sides[1]:
		need = fmt.Sprintf("2 × %s (%d frames × %s each)", needs[0], sides[0].frames, humanize.IBytes(sides[0].per))
	default:
		each := make([]string, len(sides))
		for i, s := range sides {
			each[i] = fmt.Sprintf("%c %d frames × %s", 'A'+i, s.frames, humanize.IBytes(s.per))
		}
		need = fmt.Sprintf("%s (%s)", strings.Join(needs, " + "), strings.Join(each, ", "))
	}
	return fmt.Sprintf("in-out needs %s, budget %s: %s", need, b, verdict)
}

// timecodeRate is the rate the viewer counts timecode at: the files'
// framesPerSecond, else the playback rate (to a thousandth: 29.97 counts
// drop frame, as timecode.Rate.Dropped says).
func (a *app) timecodeRate() timecode.Rate {
	return a.src().first.Rate(timecode.Rate{Num: int(math.Round(a.ses.clock.FPS() * 1000)), Den: 1000})
}

// frameLabel is frame n as the timeline and the transport line name it:
// its number, or with showTimecode its timecode (timecodeOf).
func (a *app) frameLabel(n int) string {
	if !a.showTimecode {
		return strconv.Itoa(n)
	}
	tc, err := a.timecodeOf(n, a.timecodeRate())
	if err != nil {
		return strconv.Itoa(n)
	}
	return tc.String()
}

// timecodeOf is frame n's timecode counting at r (engine.TimecodeOf),
// without reading a file: the frame on screen has its own timeCode
// attribute; any other's counts on from the first frame's, or, where the
// files carry none, from n itself.
func (a *app) timecodeOf(n int, r timecode.Rate) (timecode.Timecode, error) {
	own, ok := timecode.Timecode{}, false
	switch {
	case a.src().frame != nil && a.src().frame.Number == n && a.src().frame.Err == nil:
		own, ok = a.src().frame.TimeCode, a.src().frame.HasTimeCode
	case len(a.src().first.Parts) > 0 && a.src().first.Parts[0].TimeCode != nil:
		if first, err := a.src().first.Parts[0].TimeCode.Timecode(); err == nil {
			if own, err = first.Add(n-a.src().first.Frame, r); err == nil {
				ok = true
			}
		}
	}
	return engine.TimecodeOf(n, own, ok, r)
}
