package render

import (
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// CompareMode is how two sources are shown together.
type CompareMode int

const (
	// CompareWipe shows A on one side of a line, B on the other.
	CompareWipe CompareMode = iota
	// CompareSide shows A left and B right, at the same scale.
	CompareSide
	// CompareStacked shows A above and B below, at the same scale
	// ("vside").
	CompareStacked
	// CompareBlend shows (1-t)·A + t·B.
	CompareBlend
	// CompareDifference shows |A−B| · 2^gain.
	CompareDifference
	// CompareSigned shows 0.5 + (A−B) · 2^gain: equal pixels are mid-grey.
	CompareSigned
)

var compareModeNames = [...]string{"wipe", "side", "vside", "blend", "diff", "signed"}

// CompareModeNames returns the modes' names in order, as flags and session
// files spell them.
func CompareModeNames() []string { return compareModeNames[:] }

// ParseCompareMode reads a mode's name, in any case.
func ParseCompareMode(s string) (CompareMode, error) {
	for i, n := range compareModeNames {
		if strings.EqualFold(s, n) {
			return CompareMode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown compare mode %q: want one of %s", s, strings.Join(compareModeNames[:], ", "))
}

// String returns m's name (CompareModeNames).
func (m CompareMode) String() string {
	if m >= 0 && int(m) < len(compareModeNames) {
		return compareModeNames[m]
	}
	return fmt.Sprintf("CompareMode(%d)", int(m))
}

// overlay reports whether m shows both sources over the same display
// window (wipe, blend and the differences) rather than beside each other.
func (m CompareMode) overlay() bool { return m != CompareSide && m != CompareStacked }

// Side is one source of a comparison: its image, where it lands, how it is
// shown (each side its own Settings: the caller gives both the same
// exposure/gamma/transform, but each its own OCIO transform, as each
// source has its own input colour space).
type Side struct {
	Image    *Image
	View     View
	Settings Settings
}

// Comparison says how the two sides are combined.
type Comparison struct {
	Mode CompareMode
	// Wipe: a point on the line in target pixels and its angle in degrees
	// (0: a vertical line, A to its left; positive turns it anticlockwise
	// on screen).
	WipeX, WipeY, WipeAngle float32
	Blend                   float32 // 0: A, 1: B
	Gain                    float32 // stops, for the differences
}

// DrawCompare draws a and b into t combined as c says, each side through
// Display's pass with its own settings, and saves and restores the GL
// state as Draw does.
//
// Wipe, side and stacked are one display pass per side into t, each
// clipped to its half-plane (wipe: c's line; side and stacked: the line
// where B's display window starts), over one clear of the background
// (none where the passes cover all of t: both images over it, or side by
// side filling it, as in an export) and of each display window the passes
// leave part of; a pixel whose centre lies exactly on a turned wipe's line
// may show either side. Each side's KeepAlpha holds on its side.
//
// Blend and the differences combine what each side's Draw shows (KeepAlpha
// off: display code values, after exposure, transform and gamma; black
// over the rest of its display window, the background around) over the
// rectangle holding both sides' display and data windows, the background
// around it. When both sides draw through the same display program variant
// (the same OCIO transform or Transform, channels, flags, sampling kind
// and image kind; exposure and gamma values may differ) one pass of that
// program's PAIR variant samples both images; else each side is drawn into
// an RGBA32F intermediate of t's size (kept for the next call, made again
// only for a new size, deleted by Close) and a compose pass combines them.
// Both give the same floats: blend at 0 is A's own Draw and at 1 B's, bit
// for bit; the signed difference is written as code values (0.5 where A
// and B are equal) with no transform after it. Their alpha is 1.
//
// A mode that is none of these draws as a wipe. A program that fails to
// compile or an intermediate that cannot be made draws nothing and is
// reported by Err.
func (d *Display) DrawCompare(t *Target, a, b Side, c Comparison) {
	if t.fbo == 0 {
		return
	}
	d.state.save()
	defer d.state.restore()
	switch c.Mode {
	case CompareBlend, CompareDifference, CompareSigned:
		d.compose(t, a, b, c)
		return
	}
	var pa, pb halfPlane
	switch c.Mode {
	case CompareSide:
		pa, pb = halves(b.View.Display.X0, 0, 0)
	case CompareStacked:
		pa, pb = halves(0, b.View.Display.Y0, -90)
	default:
		pa, pb = halves(c.WipeX, c.WipeY, c.WipeAngle)
	}
	bind(t)
	ax0, ay0, ax1, ay1, okA := dataBox(t, a.Image, a.View)
	bx0, by0, bx1, by1, okB := dataBox(t, b.Image, b.View)
	clearUncovered(t, a, b, c.Mode, box(ax0, ay0, ax1, ay1, okA), box(bx0, by0, bx1, by1, okB))
	gl.Enable(gl.CLIP_DISTANCE0)
	defer gl.Disable(gl.CLIP_DISTANCE0)
	defer func() { d.clip = halfPlane{} }()
	if okA {
		d.clip = pa
		d.pass(a.Image, a.View, a.Settings, plan(a.Image, a.View, a.Settings), ax0, ay0, ax1-ax0, ay1-ay0)
	}
	if okB {
		d.clip = pb
		d.pass(b.Image, b.View, b.Settings, plan(b.Image, b.View, b.Settings), bx0, by0, bx1-bx0, by1-by0)
	}
}

// clearUncovered clears (t bound) what the passes of a and b, whose data
// windows land on the boxes ra and rb of t, will leave uncovered: the
// background outside the display windows, black inside them. It may clear
// more (the passes draw over it) but never less. Side by side and stacked
// pass each side over its box cut at the line where B starts; a wipe's
// two half-planes together cover where both boxes meet. A side-by-side
// export (both data windows fill t) clears nothing; a display window is
// cleared only where a data box leaves part of it.
func clearUncovered(t *Target, a, b Side, m CompareMode, ra, rb image.Rectangle) {
	var hole image.Rectangle // pixels the passes certainly cover
	switch m {
	case CompareSide, CompareStacked:
		ra, rb = cutAt(m, b.View.Display, ra, rb)
		hole = ra
		if u := ra.Union(rb); area(u) == area(ra)+area(rb) {
			hole = u
		} else if area(rb) > area(ra) {
			hole = rb
		}
	default:
		hole = ra.Intersect(rb)
		ra, rb = hole, hole
	}
	if hole == image.Rect(0, 0, t.width, t.height) {
		return
	}
	// All of t, not the bands around hole: llvmpipe clears a whole target
	// cheaper than a scissored part (BenchmarkCompare's side: 1.1x the
	// CPU with the bands).
	clearBackground()
	for _, s := range [2]*Side{&a, &b} {
		if r := box(pixelBox(s.View.Display, t.width, t.height)); !r.In(hole) && !r.In(ra) && !r.In(rb) {
			clearDisplayWindow(t, s.View, s.Settings.KeepAlpha)
		}
	}
}

// cutAt cuts side by side's (or stacked's) data boxes ra and rb at the
// line where B's display window bd starts, to what each pass certainly
// draws: pixels whose centres are cutMargin or more on its side of the
// line (the clip distance is interpolated in float).
func cutAt(m CompareMode, bd Rect, ra, rb image.Rectangle) (image.Rectangle, image.Rectangle) {
	const cutMargin = 1.0 / 256
	at := bd.X0
	if m == CompareStacked {
		at = bd.Y0
	}
	aEnd := int(math.Floor(float64(at-0.5-cutMargin))) + 1 // A: x + 0.5 <= at - cutMargin
	bStart := int(math.Ceil(float64(at - 0.5 + cutMargin)))
	if m == CompareStacked {
		ra.Max.Y, rb.Min.Y = min(ra.Max.Y, aEnd), max(rb.Min.Y, bStart)
	} else {
		ra.Max.X, rb.Min.X = min(ra.Max.X, aEnd), max(rb.Min.X, bStart)
	}
	return ra.Intersect(ra), rb.Intersect(rb) // a box cut away is empty
}

// box is a pixel box as an image.Rectangle, empty when not ok.
func box(x0, y0, x1, y1 int32, ok bool) image.Rectangle {
	if !ok {
		return image.Rectangle{}
	}
	return image.Rect(int(x0), int(y0), int(x1), int(y1))
}

// area is r's number of pixels.
func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// halfPlane is the part of a target where a·x + b·y + c >= 0 (x, y in
// target pixels, y down). The zero value is the whole plane.
type halfPlane struct{ a, b, c float32 }

// halves returns A's and B's sides of the line through (x, y) at angle
// degrees (0: vertical, A left; positive turns it anticlockwise on a
// screen, whose y points down).
func halves(x, y, angle float32) (a, b halfPlane) {
	sin, cos := math.Sincos(float64(angle) * math.Pi / 180)
	// A's normal (-1, 0) turned anticlockwise on screen: (-cos, sin).
	nx, ny := float32(-cos), float32(sin)
	a = halfPlane{a: nx, b: ny, c: -(nx*x + ny*y)}
	return a, halfPlane{a: -a.a, b: -a.b, c: -a.c}
}

// combineFunction combines what two sides show (display code values) as
// PAIR says: 1 blend, 2 |A−B|, 3 signed. The compose pass and the display
// program's PAIR variants share it, so both paths do the same float maths.
const combineFunction = `
#if PAIR
// k: blend's amount of B; the differences' 2^gain.
vec3 combine(vec3 a, vec3 b, float k) {
#if PAIR == 1
	// The ends are A and B themselves, not mix's arithmetic on them.
	return k <= 0.0 ? a : k >= 1.0 ? b : mix(a, b, k);
#elif PAIR == 2
	return abs(a - b) * k;
#else
	return 0.5 + (a - b) * k;
#endif
}
#endif
`

// pairOf is PAIR for mode m (blend or a difference).
func pairOf(m CompareMode) int32 { return int32(m-CompareBlend) + 1 }

// composeFragment combines two display passes' results (units 0 and 1,
// the target's pixels 1:1).
const composeFragment = `
layout(binding = 0) uniform sampler2D uA;
layout(binding = 1) uniform sampler2D uB;
uniform float uK;
out vec4 oColor;
void main() {
	ivec2 p = ivec2(gl_FragCoord.xy);
	oColor = vec4(combine(texelFetch(uA, p, 0).rgb, texelFetch(uB, p, 0).rgb, uK), 1.0);
}
`

// composeProgram is a compose pass compiled for one mode.
type composeProgram struct {
	prog uint32
	uK   int32
}

// compareState is what DrawCompare keeps in a Display: the two sides'
// intermediates and the compose programs, by mode from CompareBlend.
type compareState struct {
	sides    [2]Target
	programs [3]composeProgram
	// onePass and rtt count the blends and differences drawn in one pass
	// and through the intermediates; forceRTT takes the intermediates
	// always: the tests hold the two paths equal with them.
	onePass, rtt int
	forceRTT     bool
}

// program returns the compose program of m, compiling it on first use.
func (s *compareState) program(m CompareMode) (*composeProgram, error) {
	p := &s.programs[m-CompareBlend]
	if p.prog != 0 {
		return p, nil
	}
	prog, err := newProgramObject(displayVertex, fmt.Sprintf("#version 450 core\n#define PAIR %d\n", pairOf(m))+combineFunction+composeFragment)
	if err != nil {
		return nil, fmt.Errorf("compare program %s: %w", m, err)
	}
	p.prog, p.uK = prog, gl.GetUniformLocation(prog, gl.Str("uK\x00"))
	return p, nil
}

// close deletes the intermediates and the programs.
func (s *compareState) close() {
	for i := range s.sides {
		s.sides[i].Close()
	}
	for i := range s.programs {
		deleteProgram(&s.programs[i].prog)
	}
}

// compose draws blend and the differences (DrawCompare), the GL state
// saved: in one pass when pairPlans allows, else through the
// intermediates.
func (d *Display) compose(t *Target, a, b Side, c Comparison) {
	a.Settings.KeepAlpha, b.Settings.KeepAlpha = false, false
	k := c.Blend
	if c.Mode != CompareBlend {
		k = float32(math.Exp2(float64(c.Gain)))
	}
	pa, pb, one := d.pairPlans(t, a, b)
	var cp *composeProgram
	var err error
	if one {
		d.cmp.onePass++
	} else {
		d.cmp.rtt++
		cp, err = d.drawSides(t, a, b, c.Mode)
	}
	if err != nil {
		if d.err == nil {
			d.err = err
		}
		return
	}
	bind(t)
	x0, y0, x1, y1, ok := pixelBox(union(union(a.View.Display, a.View.Data), union(b.View.Display, b.View.Data)), t.width, t.height)
	if !ok || !covers(t, x0, y0, x1, y1) {
		clearBackground()
	}
	if !ok {
		return
	}
	if one {
		d.pairPass(t, a, b, pa, pb, c.Mode, k, x0, y0, x1-x0, y1-y0)
		return
	}
	gl.ProgramUniform1f(cp.prog, cp.uK, k)
	gl.BindVertexArray(d.vao)
	gl.BindTextureUnit(0, d.cmp.sides[0].tex)
	gl.BindTextureUnit(1, d.cmp.sides[1].tex)
	gl.UseProgram(cp.prog)
	gl.Viewport(x0, y0, x1-x0, y1-y0)
	gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
}

// pairPlans returns how Draw would draw a and b and whether one pass of a
// PAIR variant can draw both: both images land in t and both plans
// compile to the same variant (one program holds one OCIO function and
// one sampling plan; per-side uniforms carry the rest).
func (d *Display) pairPlans(t *Target, a, b Side) (pa, pb drawPlan, one bool) {
	_, _, _, _, okA := dataBox(t, a.Image, a.View)
	_, _, _, _, okB := dataBox(t, b.Image, b.View)
	if d.cmp.forceRTT || !okA || !okB {
		return pa, pb, false
	}
	pa, pb = plan(a.Image, a.View, a.Settings), plan(b.Image, b.View, b.Settings)
	return pa, pb, pa.vr == pb.vr
}

// pairPass draws a and b combined as mode m with k in one pass of the
// PAIR variant of their plans' variant over the viewport x, y, w, h of t
// (bound); a program that fails to compile draws nothing and is reported
// by Err.
func (d *Display) pairPass(t *Target, a, b Side, pa, pb drawPlan, m CompareMode, k float32, x, y, w, h int32) {
	vr := pa.vr
	vr.pair = pairOf(m)
	pass := image.Rect(int(x), int(y), int(x+w), int(y+h))
	for _, s := range [2]*Side{&a, &b} {
		vr.masked = vr.masked || !pass.In(box(dataBox(t, s.Image, s.View)))
	}
	p, err := d.program(vr)
	if err != nil {
		if d.err == nil {
			d.err = err
		}
		return
	}
	p.setSide(0, a.Image, a.View, a.Settings, pa)
	p.setSide(1, b.Image, b.View, b.Settings, pb)
	for i, s := range [2]*Side{&a, &b} {
		u := &p.sides[i]
		x0, y0, x1, y1, _ := dataBox(t, s.Image, s.View)
		gl.ProgramUniform4i(p.prog, u.uDataBox, x0, y0, x1, y1)
		x0, y0, x1, y1, _ = pixelBox(s.View.Display, t.width, t.height)
		gl.ProgramUniform4i(p.prog, u.uDisplayBox, x0, y0, x1, y1)
	}
	mask := shownChannels(a.Settings) // b's too: the same variant
	gl.ProgramUniform4f(p.prog, p.uMask, mask[0], mask[1], mask[2], mask[3])
	gl.ProgramUniform3f(p.prog, p.uBackground, Background[0], Background[1], Background[2])
	gl.ProgramUniform1f(p.prog, p.uK, k)
	d.run(p, vr, x, y, w, h)
}

// drawSides draws a and b as Draw does into the intermediates, of t's
// size, and returns mode m's compose program.
func (d *Display) drawSides(t *Target, a, b Side, m CompareMode) (*composeProgram, error) {
	p, err := d.cmp.program(m)
	if err != nil {
		return nil, err
	}
	for i, side := range [2]*Side{&a, &b} {
		in := &d.cmp.sides[i]
		if err := in.ResizeFloat(t.width, t.height); err != nil {
			return nil, err
		}
		d.draw(in, side.Image, side.View, side.Settings)
	}
	return p, nil
}

// union is the smallest Rect holding r and s.
func union(r, s Rect) Rect {
	return Rect{X0: min(r.X0, s.X0), Y0: min(r.Y0, s.Y0), X1: max(r.X1, s.X1), Y1: max(r.Y1, s.Y1)}
}

// PairCanvas is the rectangle, in A's display-window pixel coordinates,
// that shows both sources under mode m: A's display window for the
// overlay modes (wipe, blend, differences: B's display window is fitted
// into A's, scaled if its size differs), A's and B's side by side (or
// stacked) at the same scale, the smaller one centred across. The viewer
// fits a Camera to it; an export's output size follows it.
func PairCanvas(m CompareMode, aDisplay, bDisplay image.Rectangle) image.Rectangle {
	aw, ah, bw, bh := aDisplay.Dx(), aDisplay.Dy(), bDisplay.Dx(), bDisplay.Dy()
	switch m {
	case CompareSide:
		h := max(ah, bh)
		y := aDisplay.Min.Y - (h-ah)/2
		return image.Rect(aDisplay.Min.X, y, aDisplay.Min.X+aw+bw, y+h)
	case CompareStacked:
		w := max(aw, bw)
		x := aDisplay.Min.X - (w-aw)/2
		return image.Rect(x, aDisplay.Min.Y, x+w, aDisplay.Min.Y+ah+bh)
	}
	return aDisplay
}

// PairViews places both sources for camera c (which looks at the canvas,
// PairCanvas, in A's coordinates). In the overlay modes A's view is
// c.View's and B's display window is fitted into A's (the same when both
// have one size; else scaled, its aspect kept, centred); side by side and
// stacked place each where PairCanvas puts it, at c's scale.
func PairViews(c Camera, m CompareMode, aDisplay, aData, bDisplay, bData image.Rectangle) (va, vb View) {
	if m.overlay() {
		va = c.View(aDisplay, aData)
		if aDisplay.Size() == bDisplay.Size() || aDisplay.Empty() || bDisplay.Empty() {
			return va, c.View(bDisplay, bData)
		}
		k := min(float32(aDisplay.Dx())/float32(bDisplay.Dx()), float32(aDisplay.Dy())/float32(bDisplay.Dy()))
		s := c.Scale * k
		cb := Camera{
			Scale: s,
			X:     c.X + whole((float32(aDisplay.Dx())*c.Scale-float32(bDisplay.Dx())*s)/2),
			Y:     c.Y + whole((float32(aDisplay.Dy())*c.Scale-float32(bDisplay.Dy())*s)/2),
		}
		return va, cb.View(bDisplay, bData)
	}
	canvas := PairCanvas(m, aDisplay, bDisplay)
	at := func(p image.Point) Camera {
		return Camera{Scale: c.Scale, X: c.X + float32(p.X-canvas.Min.X)*c.Scale, Y: c.Y + float32(p.Y-canvas.Min.Y)*c.Scale}
	}
	bAt := image.Point{X: aDisplay.Max.X, Y: canvas.Min.Y + (canvas.Dy()-bDisplay.Dy())/2}
	if m == CompareStacked {
		bAt = image.Point{X: canvas.Min.X + (canvas.Dx()-bDisplay.Dx())/2, Y: aDisplay.Max.Y}
	}
	return at(aDisplay.Min).View(aDisplay, aData), at(bAt).View(bDisplay, bData)
}
