package render

import (
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// Rect is a rectangle in target pixels: x to the right, y down, Max exclusive.
type Rect struct{ X0, Y0, X1, Y1 float32 }

// View says where an image lands in a target and how it is shown.
type View struct {
	// Display is where the image's display window lands (filled with black
	// where the data window does not cover it); Data is where its data
	// window lands.
	Display, Data Rect
}

// FitView returns the view that shows an image's whole display window as
// large as fits in a w x h target, centred, with the data window placed
// relative to it as the file says. Windows are in image pixels (Max
// exclusive, as image.Rectangle).
func FitView(w, h int, display, data image.Rectangle) View {
	return Fit(w, h, display).View(display, data)
}

// Background is the colour of the target outside the display window.
var Background = [3]float32{0.11, 0.11, 0.12}

// Channels says which of an image's channels are shown.
type Channels int

const (
	// ChannelsRGB shows colour. The default.
	ChannelsRGB Channels = iota
	// ChannelR, ChannelG, ChannelB and ChannelA show one channel as grey.
	ChannelR
	ChannelG
	ChannelB
	ChannelA
	// ChannelLuminance shows Rec.709 luminance (0.2126 R + 0.7152 G +
	// 0.0722 B of the linear values) as grey.
	ChannelLuminance
)

var channelNames = [...]string{"RGB", "R", "G", "B", "A", "luminance"}

func (c Channels) String() string {
	if c >= 0 && int(c) < len(channelNames) {
		return channelNames[c]
	}
	return fmt.Sprintf("Channels(%d)", int(c))
}

// Transform is the display transform: how scene-linear values become
// display code values. Every transform but TransformRaw clips to [0, 1]
// first.
type Transform int

const (
	// TransformSRGB is IEC 61966-2-1's piecewise sRGB encoding, the default
	// view of scene-linear EXR in RV and Nuke.
	TransformSRGB Transform = iota
	// TransformRec709 is the ITU-R BT.709 camera OETF: 4.5 x below 0.018,
	// 1.099 x^0.45 - 0.099 above.
	TransformRec709
	// TransformBT1886 is the inverse of the ITU-R BT.1886 display EOTF for
	// a black level of 0: x^(1/2.4).
	TransformBT1886
	// TransformLinear shows linear values as code values, clipped.
	TransformLinear
	// TransformRaw leaves values untouched (no clip): for float targets.
	TransformRaw
)

var transformNames = [...]string{"sRGB", "Rec.709", "BT.1886", "linear", "raw"}

func (t Transform) String() string {
	if t >= 0 && int(t) < len(transformNames) {
		return transformNames[t]
	}
	return fmt.Sprintf("Transform(%d)", int(t))
}

// Name is t's name in settings and on the command line: String in lower
// case without dots ("rec709"). ParseTransform takes either.
func (t Transform) Name() string { return strings.ReplaceAll(strings.ToLower(t.String()), ".", "") }

// ScreenTransforms lists the transforms a viewer or a movie offers, in
// order: every one but TransformRaw, which is for float targets.
func ScreenTransforms() []Transform {
	var ts []Transform
	for t := TransformSRGB; t < TransformRaw; t++ {
		ts = append(ts, t)
	}
	return ts
}

// ScreenTransformNames returns the Names of ScreenTransforms, in order: the
// display transforms settings and flags accept.
func ScreenTransformNames() []string {
	var names []string
	for _, t := range ScreenTransforms() {
		names = append(names, t.Name())
	}
	return names
}

// Settings are the display settings of a Display. The zero value
// is the plain view: RGB, no exposure or gamma, the sRGB transform.
type Settings struct {
	Channels Channels
	// Exposure is a gain in stops applied to scene-linear values.
	Exposure float32
	// Gamma applies x^(1/Gamma) after the display transform (mirrored for
	// negative values under TransformRaw and OCIO); 0 and 1 mean none.
	Gamma     float32
	Transform Transform
	// OCIO, when not nil, is the display transform in place of Transform:
	// OpenColorIO's input-to-display/view(/look) function, run on the
	// exposed scene-linear values with no clamp before it (a solo R, G, B
	// or luminance goes through it as grey). Alpha is not colour: ChannelA
	// bypasses it and shows alpha as linear code values, and KeepAlpha
	// writes the source alpha. The caller builds it once per choice.
	OCIO *ColorTransform
	// ShowNaN paints pixels whose shown channels hold a NaN magenta
	// (1, 0, 1), else +Inf red (1, 0, 0), else -Inf blue (0, 0, 1), as
	// display code values after the transform and gamma.
	ShowNaN bool
	// Checker composites the image (premultiplied, as EXR stores it) over a
	// checkerboard of 8-pixel squares, linear 0.05 and 0.2 (the square at
	// the target's top left is 0.05), before exposure; not in ChannelA.
	Checker bool
	// Nearest samples the image nearest-neighbour at every scale. A
	// magnified view, or a 1:1 view at whole-pixel offsets, always is
	// (pixels show as sharp squares, as artists expect when zooming in).
	Nearest bool
	// KeepAlpha writes the image's alpha into the target (clipped to
	// [0, 1] in 8- and 16-bit targets) where the data window lands, and
	// makes the rest of the display window transparent black, as EXR
	// defines pixels outside the data window; the colour stays
	// premultiplied by it, as EXR stores it, and goes through the chain
	// unchanged otherwise. For movies with alpha (ProRes 4444): a player
	// that composites them gets the image over its background. Off, the
	// target is opaque (alpha 1), as the viewer wants.
	KeepAlpha bool
}

// displayVertex draws a quad over the viewport from gl_VertexID alone.
// uClip is a half-plane in the viewport's unit square (c): where
// GL_CLIP_DISTANCE0 is on (DrawCompare), only the part where
// dot(uClip, (c, 1)) >= 0 is drawn; its zero value keeps everything.
const displayVertex = `#version 450 core
uniform vec3 uClip;
out float gl_ClipDistance[1];
void main() {
	vec2 c = vec2(gl_VertexID & 1, gl_VertexID >> 1);
	gl_Position = vec4(c * 2.0 - 1.0, 0.0, 1.0);
	gl_ClipDistance[0] = dot(uClip, vec3(c, 1.0));
}
`

// displayFragment is the whole display chain in one pass, in the order Draw
// documents. What a Settings turns on or off is chosen when the program is
// compiled (the #defines of a variant), not by uniforms: llvmpipe runs a
// branch on a uniform as masked SIMD code through every arm, so a switch
// over the transforms would cost every transform's pow() on each pixel.
// One pass instead of a chain of passes also saves writing and fetching a
// float intermediate per step, which on llvmpipe costs more than the maths.
//
// A PAIR variant (DrawCompare's blend and differences) runs the chain on
// two images, each through its own uniforms (B's end in B), and combines
// what each side's Draw would show (combineFunction).
const displayFragment = `
out vec4 oColor;
uniform vec2 uData;  // target position of the data window's corner
uniform vec2 uScale; // image texels per target pixel
uniform ivec2 uTaps; // SAMPLE_BOX: bilinear taps per axis spread over the pixel's footprint
uniform float uGain; // exposure
uniform float uInvGamma;
uniform vec4 uMask;  // SHOW_NAN: the source channels shown

// texel returns texel p of im (size texels), clamped to the image;
// bilinear filters at texel coordinate t as a LINEAR, CLAMP_TO_EDGE
// texture does (with mipmaps when the texture has them).
#if BUFFER
// The image is a buffer texture of size.x * size.y texels (uSize), rows
// top first (UploadPinned), filtered here.
#define IMAGE samplerBuffer
#define SIZE(im, uSize) (uSize)
layout(binding = 0) uniform samplerBuffer uImage;
uniform ivec2 uSize;

vec4 texel(IMAGE im, ivec2 size, ivec2 p) {
	p = clamp(p, ivec2(0), size - 1);
	return texelFetch(im, p.y * size.x + p.x);
}

vec4 bilinear(IMAGE im, ivec2 size, vec2 t) {
	vec2 p = t - 0.5;
	ivec2 i = ivec2(floor(p));
	vec2 f = p - vec2(i);
	return mix(mix(texel(im, size, i), texel(im, size, i + ivec2(1, 0)), f.x),
	           mix(texel(im, size, i + ivec2(0, 1)), texel(im, size, i + ivec2(1, 1)), f.x), f.y);
}
#else
#define IMAGE sampler2D
#define SIZE(im, uSize) textureSize(im, 0)
layout(binding = 0) uniform sampler2D uImage;

vec4 texel(IMAGE im, ivec2 size, ivec2 p) {
	return texelFetch(im, clamp(p, ivec2(0), size - 1), 0);
}

vec4 bilinear(IMAGE im, ivec2 size, vec2 t) {
	return texture(im, t / vec2(size));
}
#endif

// place resamples im at the target pixel whose centre is frag: target
// pixel p shows image texel coordinate (p - data) * scale.
vec4 place(IMAGE im, ivec2 size, vec2 frag, vec2 data, vec2 scale, ivec2 taps) {
	vec2 t = (frag - data) * scale;
#if SAMPLE == 0 // nearest
	return texel(im, size, ivec2(floor(t)));
#elif SAMPLE == 1 // one bilinear (or mipmapped) tap
	return bilinear(im, size, t);
#else
	// A box filter over the footprint: each bilinear tap averages 2x2
	// texels, so at even integer scales this is the exact area average.
	vec4 sum = vec4(0.0);
	for (int j = 0; j < taps.y; j++) {
		for (int i = 0; i < taps.x; i++) {
			vec2 o = (vec2(i, j) + 0.5) / vec2(taps) - 0.5;
			sum += bilinear(im, size, t + o * scale);
		}
	}
	return sum / float(taps.x * taps.y);
#endif
}

// encode applies the display transform's curve to x. The power parts of
// sRGB and Rec.709 are polynomials in t, the fourth root of x mapped to
// [-1, 1] over the power part's domain (least-squares fits; largest error
// 2e-6 and 1e-6, below a 16-bit step): two square roots and a few
// multiply-adds instead of pow, whose exp2(log2()) was half the cost of an
// export's draw under llvmpipe.
float encode(float x) {
#if TRANSFORM == 4 // raw
	return x;
#else
	x = clamp(x, 0.0, 1.0);
#if TRANSFORM == 0 // 1.055 x^(1/2.4) - 0.055 above 0.0031308
	float t = sqrt(sqrt(x)) * 2.61966991 - 1.61966991;
	float p = 0.418389658 + t * (0.487117266 + t * (0.100260977 + t * (-0.00681088549 +
		t * (0.00137327702 + t * (-0.000529927305 + t * 0.000200718179)))));
	return x <= 0.0031308 ? 12.92 * x : p;
#elif TRANSFORM == 1 // 1.099 x^0.45 - 0.099 from 0.018
	float t = sqrt(sqrt(x)) * 3.15598869 - 2.15598869;
	float p = 0.454500591 + t * (0.462107427 + t * (0.0857227518 + t * (-0.00264564416 +
		t * (0.000399915412 + t * -8.56497772e-05))));
	return x < 0.018 ? 4.5 * x : p;
#elif TRANSFORM == 2
	return pow(x, 1.0 / 2.4);
#else
	return x;
#endif
#endif
}

// shade is the chain at this fragment for im (size texels) placed by
// data, scale and taps, exposed by gain, with gamma 1/invGamma.
vec4 shade(IMAGE im, ivec2 size, vec2 data, vec2 scale, ivec2 taps, float gain, float invGamma) {
	vec4 s = place(im, size, gl_FragCoord.xy, data, scale, taps);
	vec3 v;
#if CHANNELS == 1
	v = s.rrr;
#elif CHANNELS == 2
	v = s.ggg;
#elif CHANNELS == 3
	v = s.bbb;
#elif CHANNELS == 4
	v = s.aaa;
#elif CHANNELS == 5
	v = vec3(dot(s.rgb, vec3(0.2126, 0.7152, 0.0722)));
#else
	v = s.rgb;
#endif
#if CHECKER && CHANNELS != 4
	ivec2 q = ivec2(gl_FragCoord.xy) / 8;
	v += (1.0 - s.a) * (((q.x + q.y) & 1) == 0 ? 0.05 : 0.2);
#endif
	v *= gain;
#if OCIO
	// OpenColorIO's transform from the input space to the display's view;
	// its alpha is not used (alpha is not colour).
	v = flickOCIO(vec4(v, 1.0)).rgb;
#else
	v = vec3(encode(v.r), encode(v.g), encode(v.b));
#endif
#if GAMMA
	v = sign(v) * pow(abs(v), vec3(invGamma));
#endif
#if SHOW_NAN
	bool nan = false, pos = false, neg = false;
	for (int i = 0; i < 4; i++) {
		if (uMask[i] == 0.0) continue;
		nan = nan || isnan(s[i]);
		pos = pos || (isinf(s[i]) && s[i] > 0.0);
		neg = neg || (isinf(s[i]) && s[i] < 0.0);
	}
	if (nan) v = vec3(1.0, 0.0, 1.0);
	else if (pos) v = vec3(1.0, 0.0, 0.0);
	else if (neg) v = vec3(0.0, 0.0, 1.0);
#endif
#if KEEP_ALPHA
	return vec4(v, s.a);
#else
	return vec4(v, 1.0);
#endif
}

#if PAIR
// B's image and uniforms, as A's above.
layout(binding = 1) uniform IMAGE uImageB;
uniform vec2 uDataB, uScaleB;
uniform ivec2 uTapsB;
uniform float uGainB, uInvGammaB;
#if BUFFER
uniform ivec2 uSizeB;
#endif
uniform float uK; // combine's k

#if MASKED
// Each side's boxes of target pixels (x0, y0, x1, y1), as Draw rounds
// them: where its data window and its display window land.
uniform ivec4 uDataBox, uDisplayBox, uDataBoxB, uDisplayBoxB;
uniform vec3 uBackground;

// shown is what a side's Draw leaves at target pixel p where its chain
// gives v: v over its data box, black over the rest of its display window,
// the background around. (A quarter of a 1080p difference's time on
// llvmpipe: only MASKED variants pay it.)
vec3 shown(vec3 v, ivec2 p, ivec4 data, ivec4 display) {
	bool inData = all(greaterThanEqual(p, data.xy)) && all(lessThan(p, data.zw));
	bool inDisplay = all(greaterThanEqual(p, display.xy)) && all(lessThan(p, display.zw));
	return inData ? v : inDisplay ? vec3(0.0) : uBackground;
}
#endif
#endif

void main() {
	vec4 a = shade(uImage, SIZE(uImage, uSize), uData, uScale, uTaps, uGain, uInvGamma);
#if PAIR
	vec4 b = shade(uImageB, SIZE(uImageB, uSizeB), uDataB, uScaleB, uTapsB, uGainB, uInvGammaB);
#if MASKED
	ivec2 p = ivec2(gl_FragCoord.xy);
	a.rgb = shown(a.rgb, p, uDataBox, uDisplayBox);
	b.rgb = shown(b.rgb, p, uDataBoxB, uDisplayBoxB);
#endif
	oColor = vec4(combine(a.rgb, b.rgb, uK), 1.0);
#else
	oColor = a;
#endif
}
`

// sampling is how the display program reads the image.
type sampling int

const (
	sampleNearest sampling = iota // texelFetch: magnified or 1:1 views
	sampleTap                     // one bilinear tap (or a mipmapped one)
	sampleBox                     // a box of bilinear taps over the footprint
)

// variant is what one display program is compiled for.
type variant struct {
	sample                             sampling
	buffer                             bool // the image is a buffer texture (UploadPinned)
	channels                           Channels
	transform                          Transform
	checker, gamma, showNaN, keepAlpha bool
	ocio                               *ColorTransform // nil: transform
	// pair is PAIR: 0 for Draw's one image, else the combination of
	// DrawCompare's one pass over two (pairOf); masked (MASKED) when a
	// side's data window leaves part of the pass to its display window
	// or the background.
	pair   int32
	masked bool
}

// source is the fragment shader text of v: with OpenColorIO's text (its
// samplers and function) ahead of the chain when v has a ColorTransform,
// and combine (compare.go) for a PAIR variant.
func (v variant) source() string {
	ocioText := ""
	if v.ocio != nil {
		ocioText = v.ocio.shader.Text
	}
	return fmt.Sprintf("#version 450 core\n#define SAMPLE %d\n#define BUFFER %d\n#define CHANNELS %d\n#define TRANSFORM %d\n"+
		"#define CHECKER %d\n#define GAMMA %d\n#define SHOW_NAN %d\n#define KEEP_ALPHA %d\n#define OCIO %d\n#define PAIR %d\n#define MASKED %d\n",
		v.sample, boolInt(v.buffer), v.channels, v.transform, boolInt(v.checker), boolInt(v.gamma), boolInt(v.showNaN),
		boolInt(v.keepAlpha), boolInt(v.ocio != nil), v.pair, boolInt(v.masked)) + ocioText + combineFunction + displayFragment
}

// program is a compiled variant and its uniforms' locations: its sides'
// (Draw's image; a PAIR variant's A and B) and those of the whole pass.
type program struct {
	prog                          uint32
	sides                         [2]sideUniforms
	uMask, uClip, uBackground, uK int32
}

// sideUniforms are the locations of one side's uniforms (B's names end in
// B); the boxes are a PAIR variant's.
type sideUniforms struct {
	uData, uScale, uTaps, uGain, uInvGamma, uSize, uDataBox, uDisplayBox int32
}

func newProgram(v variant) (*program, error) {
	prog, err := newProgramObject(displayVertex, v.source())
	if err != nil {
		if v.ocio != nil {
			return nil, fmt.Errorf("display program with OpenColorIO transform %s: %w", v.ocio, err)
		}
		return nil, fmt.Errorf("display program %+v: %w", v, err)
	}
	if v.ocio != nil {
		v.ocio.setSamplers(prog)
	}
	loc := func(name string) int32 { return gl.GetUniformLocation(prog, gl.Str(name+"\x00")) }
	p := &program{prog: prog, uMask: loc("uMask"), uClip: loc("uClip"), uBackground: loc("uBackground"), uK: loc("uK")}
	for i, suffix := range [2]string{"", "B"} {
		p.sides[i] = sideUniforms{uData: loc("uData" + suffix), uScale: loc("uScale" + suffix), uTaps: loc("uTaps" + suffix),
			uGain: loc("uGain" + suffix), uInvGamma: loc("uInvGamma" + suffix), uSize: loc("uSize" + suffix),
			uDataBox: loc("uDataBox" + suffix), uDisplayBox: loc("uDisplayBox" + suffix)}
	}
	return p, nil
}

// Display draws scene-linear images into targets through the display
// chain: placement and resampling, channel selection, exposure, a display
// transform, gamma and NaN/Inf flags, in one shader pass whose program is
// compiled for the settings in use (the first Draw with new settings
// compiles one; they are kept until Close).
type Display struct {
	vao      uint32
	programs map[variant]*program
	err      error      // the first program that failed to compile
	state    savedState // scratch for Draw
	scratch  Target     // Prepare's 1x1 target

	// clip is the half-plane the next pass keeps (DrawCompare's; the
	// zero value, everything), cmp DrawCompare's intermediates and
	// programs (compare.go).
	clip halfPlane
	cmp  compareState
}

// NewDisplay compiles the program of the plain view, so that a driver that
// cannot compile the shader fails here; the others are compiled when first
// drawn (each costs a few milliseconds here and its first draw under
// llvmpipe tens more, so compiling every combination up front would not
// pay).
func NewDisplay() (*Display, error) {
	d := &Display{programs: map[variant]*program{}}
	if _, err := d.program(variant{}); err != nil {
		return nil, err
	}
	// A core context needs a vertex array bound to draw, even one without
	// attributes: the quad comes from gl_VertexID.
	gl.CreateVertexArrays(1, &d.vao)
	return d, nil
}

// Err returns the error of the first display program that failed to
// compile (Draw leaves the data window black for those settings), or of
// DrawCompare's first failure, or nil.
func (d *Display) Err() error { return d.err }

// program returns v's program, compiling it on first use. Programs with a
// ColorTransform belong to it (and go with its Close), after its textures.
func (d *Display) program(v variant) (*program, error) {
	programs := d.programs
	if v.ocio != nil {
		if err := v.ocio.prepare(); err != nil {
			return nil, err
		}
		programs = v.ocio.programs
	}
	if p := programs[v]; p != nil {
		return p, nil
	}
	p, err := newProgram(v)
	if err != nil {
		return nil, err
	}
	programs[v] = p
	return p, nil
}

// Draw clears t to Background, fills the view's display window with
// black and draws im over the data window through the chain s describes:
//
//	place (resample into the data box)
//	→ channels (select, checkerboard)   if s.Channels or s.Checker ask
//	→ exposure                          if s.Exposure != 0
//	→ OpenColorIO's display/view        if s.OCIO, else
//	  display transform                 unless TransformRaw
//	→ gamma                             if s.Gamma is not 0 or 1
//	→ NaN/Inf flags                     if s.ShowNaN
//
// in float, in one pass. The zero Settings is the plain sRGB view. An
// empty image draws nothing over the black. The target's alpha is 1
// everywhere unless s.KeepAlpha.
func (d *Display) Draw(t *Target, im *Image, v View, s Settings) {
	d.state.save()
	defer d.state.restore()
	d.draw(t, im, v, s)
}

// draw is Draw with the GL state not saved.
func (d *Display) draw(t *Target, im *Image, v View, s Settings) {
	bind(t)
	bx0, by0, bx1, by1, ok := dataBox(t, im, v)
	// An image over the whole target (an export) hides what the clears
	// would paint, and on llvmpipe a clear is a pass over the target.
	if !ok || !covers(t, bx0, by0, bx1, by1) {
		clearBackground()
		clearDisplayWindow(t, v, s.KeepAlpha)
	}
	if !ok {
		return
	}
	d.pass(im, v, s, plan(im, v, s), bx0, by0, bx1-bx0, by1-by0)
}

// dataBox is the box of t's pixels that im's data window covers in v;
// false when nothing of im is drawn.
func dataBox(t *Target, im *Image, v View) (x0, y0, x1, y1 int32, ok bool) {
	x0, y0, x1, y1, ok = pixelBox(v.Data, t.width, t.height)
	return x0, y0, x1, y1, ok && im != nil && im.tex != 0 && v.Data.X1 > v.Data.X0 && v.Data.Y1 > v.Data.Y0
}

// covers reports whether the box is the whole of t.
func covers(t *Target, x0, y0, x1, y1 int32) bool {
	return x0 <= 0 && y0 <= 0 && int(x1) >= t.width && int(y1) >= t.height
}

// clearBackground clears the bound framebuffer to Background.
func clearBackground() {
	gl.ClearColor(Background[0], Background[1], Background[2], 1)
	gl.Clear(gl.COLOR_BUFFER_BIT)
}

// clearDisplayWindow clears v's display window in t (bound) to black,
// transparent if keepAlpha: EXR's pixels outside the data window.
func clearDisplayWindow(t *Target, v View, keepAlpha bool) {
	// Target row 0 is the image's top row, as texture row 0 is: nothing
	// flips y.
	if x0, y0, x1, y1, in := pixelBox(v.Display, t.width, t.height); in {
		gl.Enable(gl.SCISSOR_TEST)
		gl.Scissor(x0, y0, x1-x0, y1-y0)
		gl.ClearColor(0, 0, 0, float32(1-boolInt(keepAlpha)))
		gl.Clear(gl.COLOR_BUFFER_BIT)
		gl.Disable(gl.SCISSOR_TEST)
	}
}

// bind makes t the framebuffer drawn, whole, with the state the display
// pass needs.
func bind(t *Target) {
	gl.BindFramebuffer(gl.FRAMEBUFFER, t.fbo)
	gl.Viewport(0, 0, int32(t.width), int32(t.height))
	gl.Disable(gl.BLEND)
	gl.Disable(gl.DEPTH_TEST)
	gl.Disable(gl.SCISSOR_TEST)
	gl.Disable(gl.CULL_FACE)
	gl.Disable(gl.FRAMEBUFFER_SRGB)
	gl.ColorMask(true, true, true, true)
}

// pass draws im through pl's program over the viewport x, y, w, h of the
// bound framebuffer; a program that fails to compile draws nothing and
// is reported by Err.
func (d *Display) pass(im *Image, v View, s Settings, pl drawPlan, x, y, w, h int32) error {
	p, err := d.program(pl.vr)
	if err != nil {
		if d.err == nil {
			d.err = err
		}
		return err
	}
	p.setSide(0, im, v, s, pl)
	m := shownChannels(s)
	gl.ProgramUniform4f(p.prog, p.uMask, m[0], m[1], m[2], m[3])
	// d.clip in target pixels, moved into the viewport's unit square.
	k := d.clip
	gl.ProgramUniform3f(p.prog, p.uClip, k.a*float32(w), k.b*float32(h), k.a*float32(x)+k.b*float32(y)+k.c)
	d.run(p, pl.vr, x, y, w, h)
	return nil
}

// setSide binds im to texture unit i and sets side i's uniforms of p for
// drawing im in v through s as pl plans.
func (p *program) setSide(i int, im *Image, v View, s Settings, pl drawPlan) {
	if !pl.vr.buffer {
		im.prepare(pl.mip)
	}
	u := &p.sides[i]
	gl.ProgramUniform2f(p.prog, u.uData, v.Data.X0, v.Data.Y0)
	gl.ProgramUniform2f(p.prog, u.uScale, pl.sx, pl.sy)
	gl.ProgramUniform2i(p.prog, u.uTaps, pl.taps[0], pl.taps[1])
	gl.ProgramUniform1f(p.prog, u.uGain, float32(math.Exp2(float64(s.Exposure))))
	gl.ProgramUniform1f(p.prog, u.uInvGamma, 1/s.Gamma)
	if pl.vr.buffer {
		gl.ProgramUniform2i(p.prog, u.uSize, int32(im.width), int32(im.height))
	}
	gl.BindTextureUnit(uint32(i), im.tex)
}

// run draws p, compiled for vr, over the viewport x, y, w, h of the bound
// framebuffer, its uniforms and images set.
func (d *Display) run(p *program, vr variant, x, y, w, h int32) {
	gl.BindVertexArray(d.vao)
	if vr.ocio != nil {
		vr.ocio.bind()
		defer vr.ocio.unbind()
	}
	gl.UseProgram(p.prog)
	gl.Viewport(x, y, w, h)
	gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
}

// drawPlan is how Draw draws an image: its scale (image texels per
// target pixel), box filter taps, whether it needs mipmaps, and the
// program variant.
type drawPlan struct {
	sx, sy float32
	taps   [2]int32
	mip    bool
	vr     variant
}

// plan is how Draw draws im (not empty) in v through s.
func plan(im *Image, v View, s Settings) drawPlan {
	sx := float32(im.width) / (v.Data.X1 - v.Data.X0)
	sy := float32(im.height) / (v.Data.Y1 - v.Data.Y0)
	// Minification up to maxBoxScale is a box filter in the shader;
	// beyond, mipmaps (made only then) keep the tap count bounded. A
	// pinned image has none: its box filter takes as many taps as it needs.
	pinned := im.pinned != 0
	mip := !pinned && (sx > maxBoxScale || sy > maxBoxScale)
	taps := [2]int32{1, 1}
	if !mip {
		taps = [2]int32{boxTaps(sx), boxTaps(sy)}
	}
	exact := sx == 1 && sy == 1 && v.Data.X0 == float32(math.Floor(float64(v.Data.X0))) &&
		v.Data.Y0 == float32(math.Floor(float64(v.Data.Y0)))
	vr := variant{sample: sampleBox, buffer: pinned, channels: s.Channels, transform: s.Transform,
		checker: s.Checker, gamma: s.Gamma != 0 && s.Gamma != 1, showNaN: s.ShowNaN, keepAlpha: s.KeepAlpha}
	switch {
	case s.Nearest || exact || (sx < 1 && sy < 1):
		vr.sample = sampleNearest
	case taps == [2]int32{1, 1}:
		vr.sample = sampleTap
	}
	switch {
	case s.OCIO != nil && s.Channels == ChannelA:
		vr.transform = TransformLinear // alpha is not colour: no view
	case s.OCIO != nil:
		vr.ocio, vr.transform = s.OCIO, 0 // the OCIO variant has no encode()
	}
	return drawPlan{sx: sx, sy: sy, taps: taps, mip: mip, vr: vr}
}

// Prepare makes ahead what a Draw of im in v through s into t will need:
// s.OCIO's LUT textures and the program of the variant, compiled, linked
// and run once over one pixel of a scratch target of t's format (not t),
// as a driver may finish compiling at the first draw (llvmpipe builds its
// machine code then, for the target's format). A caller switching to new
// settings (a new ColorTransform) prepares them first and switches a UI
// frame later, so that the frame that shows them compiles nothing while
// the previous ones stay on screen. With no image it makes the LUTs only.
// GL goroutine only; the compile blocks it for its duration. It returns
// the compile error (which Err then reports too).
func (d *Display) Prepare(t *Target, im *Image, v View, s Settings) error {
	if im == nil || im.tex == 0 || t.fbo == 0 || v.Data.X1 <= v.Data.X0 || v.Data.Y1 <= v.Data.Y0 {
		if s.OCIO == nil {
			return nil
		}
		err := s.OCIO.prepare()
		if err != nil && d.err == nil {
			d.err = err
		}
		return err
	}
	d.state.save()
	defer d.state.restore()
	if err := d.scratch.resize(1, 1, t.format); err != nil {
		return err
	}
	bind(&d.scratch)
	return d.pass(im, v, s, plan(im, v, s), 0, 0, 1, 1)
}

// maxBoxScale is the largest minification (image texels per target pixel)
// the display program filters itself: up to 16x16 taps.
const maxBoxScale = 32

// boxTaps is the number of bilinear taps per axis that cover a footprint
// of s texels: one per two texels.
func boxTaps(s float32) int32 {
	return max(1, int32(math.Ceil(float64(s)/2)))
}

// shownChannels is the mask of the source channels s shows, for the NaN/Inf
// flags.
func shownChannels(s Settings) [4]float32 {
	var m [4]float32
	switch s.Channels {
	case ChannelR:
		m[0] = 1
	case ChannelG:
		m[1] = 1
	case ChannelB:
		m[2] = 1
	case ChannelA:
		m[3] = 1
	default:
		m[0], m[1], m[2] = 1, 1, 1
	}
	if s.Checker && s.Channels != ChannelA {
		m[3] = 1
	}
	return m
}

func boolInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// pixelBox rounds r to whole pixels clipped to a w x h target.
func pixelBox(r Rect, w, h int) (x0, y0, x1, y1 int32, ok bool) {
	clip := func(v float32, hi int) int32 {
		return int32(max(0, min(float32(hi), float32(math.Round(float64(v))))))
	}
	x0, y0, x1, y1 = clip(r.X0, w), clip(r.Y0, h), clip(r.X1, w), clip(r.Y1, h)
	return x0, y0, x1, y1, x1 > x0 && y1 > y0
}

// Close deletes the programs. Safe on nil and safe twice.
func (d *Display) Close() {
	if d == nil {
		return
	}
	for v, p := range d.programs {
		deleteProgram(&p.prog)
		delete(d.programs, v)
	}
	d.scratch.Close()
	d.cmp.close()
	if d.vao != 0 {
		gl.DeleteVertexArrays(1, &d.vao)
		d.vao = 0
	}
}

// ParseChannels reads a channel view as users type it: rgb, r, g, b, a,
// l or luminance (any case).
func ParseChannels(s string) (Channels, error) {
	switch strings.ToLower(s) {
	case "l", "lum":
		return ChannelLuminance, nil
	}
	for i, n := range channelNames {
		if strings.EqualFold(s, n) {
			return Channels(i), nil
		}
	}
	return 0, fmt.Errorf("unknown channels %q: want rgb, r, g, b, a or luminance", s)
}

// ParseTransform reads a display transform's Name or String, in any case
// ("rec709", "Rec.709"), raw included.
func ParseTransform(s string) (Transform, error) {
	key := strings.ReplaceAll(strings.ToLower(s), ".", "")
	for t := range Transform(len(transformNames)) {
		if key == t.Name() {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown display transform %q: want one of %s", s, strings.Join(ScreenTransformNames(), ", "))
}
