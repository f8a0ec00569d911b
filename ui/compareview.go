package ui

import (
	"cmp"
	"fmt"
	"image"
	"math"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/engine"
	"flick/render"
)

// compareView is the viewer's side of a comparison: the wipe being
// dragged and the transform B was last drawn through. GL goroutine only.
type compareView struct {
	// drag is what a drag that started near the wipe line does: move it
	// (wipeMove) or turn it (wipeTurn, Shift); half is the side of the
	// wipe's point the drag started on (+1 or -1), so that turning keeps
	// A on its side.
	drag wipeDrag
	half float32
	// bct is the OpenColorIO transform B was last drawn through (nil:
	// A's or none), which evictColour keeps.
	bct *render.ColorTransform
}

type wipeDrag int

const (
	wipeNone wipeDrag = iota
	wipeMove
	wipeTurn
)

// wipeGrab is how near the wipe line, in screen pixels (times the font's
// scale), a drag takes the line rather than the picture.
const wipeGrab = 6

// pairSide is one side of the comparison on screen: its shot, the frame of
// the timeline frame shown and whether the shot has it, its image (nil:
// nothing to draw) and its windows in its own pixels.
type pairSide struct {
	sh         *source
	frame      int
	has        bool
	img        *render.Image
	disp, data image.Rectangle
	view       render.View
}

// side is shot sh at timeline frame g. A shot that lacks g, or whose frame
// failed, has no image; one still decoding shows its last frame. Its
// windows are its frame's, else its first header's.
func (a *app) side(sh *source, g int) pairSide {
	p := pairSide{sh: sh}
	p.frame, p.has = a.ses.sideFrame(sh, g)
	if f := sh.frame; f != nil && f.Err == nil {
		p.disp, p.data = f.DisplayWindow, fullData(f)
		if p.has {
			p.img = &sh.image
		}
	} else if len(sh.parts) > 0 {
		d, w := sh.parts[0].Header.DisplayWindow, sh.parts[0].Header.DataWindow
		p.disp = image.Rect(d.MinX, d.MinY, d.MaxX+1, d.MaxY+1)
		p.data = image.Rect(w.MinX, w.MinY, w.MaxX+1, w.MaxY+1)
	}
	return p
}

// failure is why side p shows no picture ("" when it shows one or is
// still to come): missing on that side, or its frame's error.
func (p pairSide) failure(name string) string {
	switch {
	case !p.has:
		return fmt.Sprintf("%s: frame %d missing", name, p.frame)
	case p.sh.frame != nil && p.sh.frame.Err != nil && p.sh.frame.Number == p.frame:
		return fmt.Sprintf("%s: frame %d FAILED\n%s", name, p.frame, wrap(p.sh.frame.Err.Error(), 60))
	}
	return ""
}

// compareViewport is the viewport while comparing: both shots drawn
// through display.DrawCompare (or one of them alone) with the camera
// fitted to both (render.PairCanvas), zoom and pan moving both, the wipe
// line dragged and turned, each side's label and failures drawn over it.
func (a *app) compareViewport(origin, end imgui.Vec2, w, h int, scale imgui.Vec2) {
	c := &a.ses.cmp
	g := a.ses.clock.Frame()
	pa, pb := a.side(a.src(), g), a.side(a.ses.bSrc(), g)
	rm, pair := c.mode.pair()
	if !pair {
		rm = render.CompareWipe // A or B alone, B fitted into A's window
	}
	canvas := render.PairCanvas(rm, pa.disp, pb.disp)
	if a.fitted {
		if cam := render.Fit(w, h, canvas); cam != a.camera {
			a.camera, a.dirty = cam, true
		}
	}
	mouse := imgui.MousePos()
	mx, my := (mouse.X-origin.X)*scale.X, (mouse.Y-origin.Y)*scale.Y
	if imgui.IsItemHovered() {
		if wheel := imgui.CurrentIO().MouseWheel(); wheel != 0 {
			a.setCamera(a.camera.ZoomAbout(mx, my, a.camera.Scale*float32(math.Pow(2, float64(wheel)/2))))
		}
	}
	pa.view, pb.view = render.PairViews(a.camera, rm, pa.disp, pa.data, pb.disp, pb.data)
	wx, wy := a.wipePoint(pa.view)
	if c.mode == cmpWipe {
		a.dragWipe(mx, my, wx, wy, pa.view, wipeGrab*unit()*scale.X)
		wx, wy = a.wipePoint(pa.view)
	}
	// Over A's window (not side by side), Shift+drag away from the wipe
	// chooses A's inspected region, as without B.
	fa := a.src().frame
	overA := pair && c.mode != cmpSide && c.mode != cmpStacked && fa != nil && fa.Err == nil
	selecting := overA && a.cv.drag == wipeNone && a.selectRegion(mx, my, fa)
	if a.cv.drag == wipeNone && !selecting && imgui.IsItemActive() {
		if d := imgui.CurrentIO().MouseDelta(); d.X != 0 || d.Y != 0 {
			a.setCamera(a.camera.Pan(d.X*scale.X, d.Y*scale.Y))
			pa.view, pb.view = render.PairViews(a.camera, rm, pa.disp, pa.data, pb.disp, pb.data)
			wx, wy = a.wipePoint(pa.view)
		}
	}
	// Playing, a timeline frame is drawn once both sides are in (one
	// draw, not one per side).
	drawn := a.dirty && (!a.ses.clock.Playing() || a.ses.inAt(g))
	if drawn {
		if err := a.target.Resize(w, h); err != nil {
			a.err = err
			return
		}
		sb := a.view
		sb.OCIO = a.sideTransform(pb.sh)
		a.cv.bct = sb.OCIO
		switch {
		case c.mode == cmpB:
			a.display.Draw(&a.target, pb.img, pb.view, sb)
		default:
			a.display.DrawCompare(&a.target,
				render.Side{Image: pa.img, View: pa.view, Settings: a.view},
				render.Side{Image: pb.img, View: pb.view, Settings: sb},
				render.Comparison{Mode: rm, WipeX: wx, WipeY: wy, WipeAngle: c.wipeAngle, Blend: c.blend, Gain: c.gain})
		}
		a.dirty = false
	}
	tex := imgui.NewTextureRefTextureID(imgui.TextureID(a.target.Texture()))
	dl := imgui.WindowDrawList()
	dl.AddImage(*tex, origin, end)
	a.probing = false
	if imgui.IsItemHovered() {
		a.probeCompare(mx, my, image.Pt(int(mx), int(my)), drawn, rm, pa, pb)
		a.probing = a.probeOK
	}
	dl.PushClipRect(origin, end)
	defer dl.PopClipRect()
	// Each side's windows (a side with no picture has none); a straight
	// wipe shows each side's on its side only.
	for i, p := range []pairSide{pa, pb} {
		if c.mode == cmpB && i == 0 || p.img == nil {
			continue
		}
		if c.mode == cmpWipe && c.wipeAngle == 0 {
			x := origin.X + wx/scale.X
			if i == 0 {
				dl.PushClipRect(origin, imgui.NewVec2(x, end.Y))
			} else {
				dl.PushClipRect(imgui.NewVec2(x, origin.Y), end)
			}
			outlines(dl, origin, scale, p.view)
			dl.PopClipRect()
			continue
		}
		outlines(dl, origin, scale, p.view)
	}
	if overA {
		a.drawRegion(dl, origin, scale, fa)
	}
	a.compareLabels(dl, origin, scale, pa, pb, wx, wy)
}

// wipePoint is the wipe's point in target pixels, on A's display window
// as placed by va.
func (a *app) wipePoint(va render.View) (x, y float32) {
	c := &a.ses.cmp
	return va.Display.X0 + c.wipeX*(va.Display.X1-va.Display.X0), va.Display.Y0 + c.wipeY*(va.Display.Y1-va.Display.Y0)
}

// wipeDirection is the wipe line's direction at angle degrees: (0, 1),
// down, for a straight wipe; A's side is to its right-hand normal
// (-cos, sin) (render's halves).
func wipeDirection(angle float32) (dx, dy float32) {
	s, c := math.Sincos(float64(angle) * math.Pi / 180)
	return float32(s), float32(c)
}

// dragWipe starts, follows and ends a drag of the wipe line: a press
// within grab target pixels of it takes the line (Shift: turns it about
// its point), any other press is the picture's (pan, or Shift+drag's
// region).
func (a *app) dragWipe(mx, my, wx, wy float32, va render.View, grab float32) {
	c := &a.ses.cmp
	dx, dy := wipeDirection(c.wipeAngle)
	if imgui.IsItemActivated() {
		// Distance along the normal, and where along the line.
		if d := float32(math.Abs(float64(-dy*(mx-wx) + dx*(my-wy)))); d <= grab {
			a.cv.drag, a.cv.half = wipeMove, 1
			if imgui.CurrentIO().KeyShift() {
				a.cv.drag = wipeTurn
				if dx*(mx-wx)+dy*(my-wy) < 0 {
					a.cv.half = -1
				}
			}
		}
	}
	if !imgui.IsItemActive() {
		a.cv.drag = wipeNone
		return
	}
	w, h := va.Display.X1-va.Display.X0, va.Display.Y1-va.Display.Y0
	switch a.cv.drag {
	case wipeMove:
		if w > 0 && h > 0 {
			c.wipeX, c.wipeY, a.dirty = (mx-va.Display.X0)/w, (my-va.Display.Y0)/h, true
		}
	case wipeTurn:
		if vx, vy := a.cv.half*(mx-wx), a.cv.half*(my-wy); vx*vx+vy*vy > 4 {
			c.wipeAngle = float32(math.Atan2(float64(vx), float64(vy)) * 180 / math.Pi)
			a.dirty = true
		}
	}
}

// Wipe line and label colours (ImGui ABGR).
const (
	wipeLine  = 0xe0ffffff
	wipeShade = 0x80000000
)

// compareLabels draws over the picture: the wipe line and its handle, the
// A and B labels on their sides, and each side's failure (missing on that
// side, or its error) over that side's part.
func (a *app) compareLabels(dl *imgui.DrawList, origin, scale imgui.Vec2, pa, pb pairSide, wx, wy float32) {
	c := &a.ses.cmp
	u := unit()
	at := func(x, y float32) imgui.Vec2 { return imgui.NewVec2(origin.X+x/scale.X, origin.Y+y/scale.Y) }
	centre := func(r render.Rect) (float32, float32) { return (r.X0 + r.X1) / 2, (r.Y0 + r.Y1) / 2 }
	label := func(x, y float32, text string) {
		size := imgui.CalcTextSize(text)
		p := at(x, y)
		p.X, p.Y = p.X-size.X/2, p.Y-size.Y/2
		dl.AddRectFilled(imgui.NewVec2(p.X-4*u, p.Y-2*u), imgui.NewVec2(p.X+size.X+4*u, p.Y+size.Y+2*u), wipeShade)
		addText(dl, p, 0xffffffff, text)
	}
	ax, ay := centre(pa.view.Display)
	bx, by := centre(pb.view.Display)
	fa, fb := pa.failure("A"), pb.failure("B")
	ta, tb := cmp.Or(fa, "A"), cmp.Or(fb, "B")
	top := pa.view.Display.Y0 + 14*u*scale.Y
	switch c.mode {
	case cmpWipe:
		dx, dy := wipeDirection(c.wipeAngle)
		n := float32(math.Hypot(float64(a.viewW), float64(a.viewH)))
		dl.AddLineV(at(wx-dx*n, wy-dy*n), at(wx+dx*n, wy+dy*n), wipeShade, 3*u)
		dl.AddLineV(at(wx-dx*n, wy-dy*n), at(wx+dx*n, wy+dy*n), wipeLine, u)
		dl.AddCircleFilled(at(wx, wy), 5*u, wipeLine)
		dl.AddCircleV(at(wx, wy), 5*u, wipeShade, 0, u)
		// A's side is along the normal (-dy, dx): left of a straight
		// wipe.
		off := 40 * u * scale.X
		label(wx-dy*off, wy+dx*off, ta)
		label(wx+dy*off, wy-dx*off, tb)
	case cmpSide, cmpStacked:
		// A name at the top of its picture, off what the eye is on; a
		// failure in the middle of its black.
		if fa == "" {
			ay = pa.view.Display.Y0 + 14*u*scale.Y
		}
		if fb == "" {
			by = pb.view.Display.Y0 + 14*u*scale.Y
		}
		label(ax, ay, ta)
		label(bx, by, tb)
	case cmpB:
		label(bx, top, tb)
	default: // blend, differences: one picture, whose middle is what the
		// eye is on: only a side's failure is said, at the top.
		y := top
		for _, f := range []string{fa, fb} {
			if f != "" {
				label(ax, y, f)
				y += 20 * u * scale.Y
			}
		}
	}
}

// sideTransform is the OpenColorIO transform that draws shot sh: the
// display's view from sh's own input colour space (the rules, as for the
// current shot). One not built yet is built on a goroutine (sh draws
// through the current shot's meanwhile, and again once it is in); nil
// without a config.
func (a *app) sideTransform(sh *source) *render.ColorTransform {
	c := &a.col
	if !c.on() || a.view.OCIO == nil || sh == a.src() {
		return a.view.OCIO
	}
	in, err := c.config.InputSpace(InputRequest(sh.seq, sh.first, a.settings, c.flagInput))
	if err != nil {
		return a.view.OCIO
	}
	key := c.shown
	key.dv.Input = in.ColorSpace
	if key == c.shown {
		return a.view.OCIO
	}
	for _, e := range c.cache {
		if e.key == key {
			return e.ct
		}
	}
	a.buildColour(key)
	return a.view.OCIO
}

// compareTitle is what the status line and the title say of the
// comparison: "wipe A|B", "B only", "" when not comparing.
func (a *app) compareTitle() string {
	c := &a.ses.cmp
	if !a.ses.comparing() {
		return ""
	}
	switch c.mode {
	case cmpWipe:
		return "wipe A|B"
	case cmpSide:
		return "side A|B"
	case cmpStacked:
		return "stacked A/B"
	case cmpBlend:
		return fmt.Sprintf("blend A+B %.0f%%", c.blend*100)
	case cmpDiff:
		return fmt.Sprintf("difference |A-B| %+.1f stops", c.gain)
	case cmpSigned:
		return fmt.Sprintf("signed A-B %+.1f stops", c.gain)
	}
	return "B only"
}

// compareHook is the title's hook for the end-to-end tests: the mode and
// each side's frame at the clock's frame ("-" where a side lacks it).
func (a *app) compareHook() string {
	if !a.ses.comparing() {
		return ""
	}
	g := a.ses.clock.Frame()
	side := func(sh *source) string {
		f, ok := a.ses.sideFrame(sh, g)
		if !ok {
			return "-"
		}
		if sh.frame == nil || sh.frame.Number != f {
			return fmt.Sprintf("%d?", f) // still to come
		}
		return fmt.Sprint(f)
	}
	return fmt.Sprintf(" — compare %s A %s B %s", a.ses.cmp.mode.name(), side(a.src()), side(a.ses.bSrc()))
}

// peek shows B while the peek key is held (tev): B alone from any mode,
// back to that mode when it is let go (endPeek).
func (a *app) peek() {
	was, g := a.ses.comparing(), a.ses.clock.Frame()
	if a.ses.peek() {
		a.modeChanged(was, g)
	}
}

// endPeek goes back from the peek once its key is up.
func (a *app) endPeek() {
	was, g := a.ses.comparing(), a.ses.clock.Frame()
	if a.ses.cmp.peeking && !imgui.IsKeyDown(peekKey) && a.ses.unpeek() {
		a.modeChanged(was, g)
	}
}

// peekKey is held to peek at B.
const peekKey = imgui.KeyZ

// nudge is > and <: the blend amount by a tenth in blend mode, the
// difference gain by half a stop in the differences.
func (a *app) nudge(k float32) {
	c := &a.ses.cmp
	switch c.mode {
	case cmpBlend:
		c.blend = min(max(float32(math.Round(float64(c.blend+k/10)*10)/10), 0), 1)
	case cmpDiff, cmpSigned:
		c.gain += k / 2
	default:
		return
	}
	a.dirty = true
	a.setTitle(a.titleFrame)
}

// comparePanel is the Compare panel: B, the mode, the sync, the blend
// amount, the difference gain, the wipe's angle, and a reset of them all.
func (a *app) comparePanel() {
	s := &a.ses
	c := &s.cmp
	if len(s.shots) < 2 {
		imgui.TextDisabled("open a second shot to compare (File → Open)")
		return
	}
	bName := "(the next shot)"
	if b := s.bSrc(); b != nil {
		bName = b.name()
	}
	if imgui.BeginComboV("B", bName, 0) {
		for i, sh := range s.shots {
			if i != s.cur && imgui.SelectableBoolV(fmt.Sprintf("%s##%d", sh.name(), i), i == s.b, 0, imgui.NewVec2(0, 0)) {
				a.setB(i)
			}
		}
		imgui.EndCombo()
	}
	if imgui.BeginComboV("mode", c.mode.name(), 0) {
		for m := cmpOff; m <= cmpB; m++ {
			if imgui.SelectableBoolV(m.name(), m == c.mode, 0, imgui.NewVec2(0, 0)) {
				a.setCompare(m)
			}
		}
		imgui.EndCombo()
	}
	if imgui.BeginComboV("sync", c.sync.String(), 0) {
		for i, n := range engine.SyncModeNames() {
			if imgui.SelectableBoolV(n, engine.SyncMode(i) == c.sync, 0, imgui.NewVec2(0, 0)) {
				a.setSync(engine.SyncMode(i))
			}
		}
		imgui.EndCombo()
	}
	changed := imgui.SliderFloatV("blend", &c.blend, 0, 1, "%.2f B", 0)
	changed = imgui.SliderFloatV("gain", &c.gain, -10, 10, "%+.1f stops", 0) || changed
	changed = imgui.SliderFloatV("wipe angle", &c.wipeAngle, -180, 180, "%.0f°", 0) || changed
	if imgui.Button("reset") {
		mode, sync := c.mode, c.sync
		*c = defaultCompare()
		c.mode, c.sync, changed = mode, sync, true
		a.setSync(engine.SyncFrame) // remaps if it changes
	}
	if changed {
		a.dirty = true
		a.setTitle(a.titleFrame)
	}
}
