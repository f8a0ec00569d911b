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

// Settings are the display settings of a Display pass chain. The zero value
// is the plain view: RGB, no exposure or gamma, the sRGB transform.
type Settings struct {
	Channels Channels
	// Exposure is a gain in stops applied to scene-linear values.
	Exposure float32
	// Gamma applies x^(1/Gamma) after the display transform (mirrored for
	// negative values under TransformRaw); 0 and 1 mean none.
	Gamma     float32
	Transform Transform
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
}

// intermediateFormat is the format of the chain's intermediate textures:
// float, so that nothing is clipped or quantised before the transform, and
// 32-bit, so that exposure and gamma keep full precision.
const intermediateFormat = gl.RGBA32F

// maxPasses bounds a chain's length; see Draw for the order.
const maxPasses = 8

const passVertex = `#version 450 core
void main() {
	vec2 c = vec2(gl_VertexID & 1, gl_VertexID >> 1);
	gl_Position = vec4(c * 2.0 - 1.0, 0.0, 1.0);
}
`

// passPrelude is shared by the fragment shaders. A pass draws one output
// pixel per input texel (except place), so it fetches its inputs with
// texelFetch at its own pixel; uOrigin is where its output starts in window
// coordinates (not 0 when it draws into a Target at the data box).
const passPrelude = `#version 450 core
out vec4 oColor;
uniform ivec2 uOrigin;
layout(binding = 0) uniform sampler2D uIn0;
layout(binding = 1) uniform sampler2D uIn1;
ivec2 here() { return ivec2(gl_FragCoord.xy) - uOrigin; }
vec4 in0() { return texelFetch(uIn0, here(), 0); }
`

// placeFragment resamples the image (uIn0) into the data box: target pixel
// p shows image texel coordinate (p - uData) * uScale.
const placeFragment = passPrelude + `
uniform vec2 uBox;   // target pixel of the output's first pixel
uniform vec2 uData;  // target position of the data window's corner
uniform vec2 uScale; // image texels per target pixel
uniform int uNearest;
uniform ivec2 uTaps; // minifying: bilinear taps per axis spread over the pixel's footprint
void main() {
	vec2 t = (vec2(here()) + 0.5 + uBox - uData) * uScale;
	ivec2 size = textureSize(uIn0, 0);
	if (uNearest != 0) {
		oColor = texelFetch(uIn0, clamp(ivec2(floor(t)), ivec2(0), size - 1), 0);
		return;
	}
	// A box filter over the footprint: each bilinear tap averages 2x2
	// texels, so at even integer scales this is the exact area average.
	vec4 sum = vec4(0.0);
	for (int j = 0; j < uTaps.y; j++) {
		for (int i = 0; i < uTaps.x; i++) {
			vec2 o = (vec2(i, j) + 0.5) / vec2(uTaps) - 0.5;
			sum += texture(uIn0, (t + o * uScale) / vec2(size));
		}
	}
	oColor = sum / float(uTaps.x * uTaps.y);
}
`

const channelsFragment = passPrelude + `
uniform int uChannels; // Channels
uniform int uChecker;
uniform ivec2 uBox;
void main() {
	vec4 c = in0();
	vec3 v;
	switch (uChannels) {
	case 1: v = c.rrr; break;
	case 2: v = c.ggg; break;
	case 3: v = c.bbb; break;
	case 4: v = c.aaa; break;
	case 5: v = vec3(dot(c.rgb, vec3(0.2126, 0.7152, 0.0722))); break;
	default: v = c.rgb;
	}
	if (uChecker != 0 && uChannels != 4) {
		ivec2 q = (here() + uBox) / 8;
		v += (1.0 - c.a) * (((q.x + q.y) & 1) == 0 ? 0.05 : 0.2);
	}
	oColor = vec4(v, c.a);
}
`

const exposureFragment = passPrelude + `
uniform float uGain;
void main() {
	vec4 c = in0();
	oColor = vec4(c.rgb * uGain, c.a);
}
`

const transformFragment = passPrelude + `
uniform int uTransform; // Transform
float encode(float x) {
	x = clamp(x, 0.0, 1.0);
	switch (uTransform) {
	case 0: return x <= 0.0031308 ? 12.92 * x : 1.055 * pow(x, 1.0 / 2.4) - 0.055;
	case 1: return x < 0.018 ? 4.5 * x : 1.099 * pow(x, 0.45) - 0.099;
	case 2: return pow(x, 1.0 / 2.4);
	}
	return x;
}
void main() {
	vec4 c = in0();
	oColor = vec4(encode(c.r), encode(c.g), encode(c.b), c.a);
}
`

const gammaFragment = passPrelude + `
uniform float uInvGamma;
void main() {
	vec4 c = in0();
	oColor = vec4(sign(c.rgb) * pow(abs(c.rgb), vec3(uInvGamma)), c.a);
}
`

// invalidFragment flags the non-finite values of the placed source (uIn1)
// in the channels uMask selects, over the chain's result so far (uIn0).
const invalidFragment = passPrelude + `
uniform vec4 uMask;
void main() {
	vec4 s = texelFetch(uIn1, here(), 0);
	bool nan = false, pos = false, neg = false;
	for (int i = 0; i < 4; i++) {
		if (uMask[i] == 0.0) continue;
		nan = nan || isnan(s[i]);
		pos = pos || (isinf(s[i]) && s[i] > 0.0);
		neg = neg || (isinf(s[i]) && s[i] < 0.0);
	}
	vec4 c = in0();
	if (nan) c.rgb = vec3(1.0, 0.0, 1.0);
	else if (pos) c.rgb = vec3(1.0, 0.0, 0.0);
	else if (neg) c.rgb = vec3(0.0, 0.0, 1.0);
	oColor = c;
}
`

// pass is one step of the chain: a program drawing a full-viewport quad,
// reading up to two textures (units 0 and 1) and writing one.
type pass struct {
	prog    uint32
	uOrigin int32
	loc     map[string]int32
}

func newPass(fragment string, uniforms ...string) (pass, error) {
	prog, err := compileProgram(passVertex, fragment)
	if err != nil {
		return pass{}, err
	}
	p := pass{prog: prog, uOrigin: gl.GetUniformLocation(prog, gl.Str("uOrigin\x00")), loc: map[string]int32{}}
	for _, u := range uniforms {
		p.loc[u] = gl.GetUniformLocation(prog, gl.Str(u+"\x00"))
	}
	return p, nil
}

// Display is the display pass chain: it draws a scene-linear image into a
// target through channel selection, exposure, a display transform, gamma
// and NaN/Inf flags, each a shader pass drawing into a pooled float texture
// (GPUImage's source → filters → target), the last one into the target.
// Passes whose settings are identities are left out.
type Display struct {
	vao                                                  uint32
	place, channels, exposure, transform, gamma, invalid pass
	pool                                                 texturePool
	steps                                                [maxPasses]*pass
	state                                                savedState // scratch for Draw
}

// NewDisplay compiles the passes.
func NewDisplay() (*Display, error) {
	d := &Display{}
	for _, p := range []struct {
		dst      *pass
		src      string
		uniforms []string
	}{
		{&d.place, placeFragment, []string{"uBox", "uData", "uScale", "uNearest", "uTaps"}},
		{&d.channels, channelsFragment, []string{"uChannels", "uChecker", "uBox"}},
		{&d.exposure, exposureFragment, []string{"uGain"}},
		{&d.transform, transformFragment, []string{"uTransform"}},
		{&d.gamma, gammaFragment, []string{"uInvGamma"}},
		{&d.invalid, invalidFragment, []string{"uMask"}},
	} {
		var err error
		if *p.dst, err = newPass(p.src, p.uniforms...); err != nil {
			d.Close()
			return nil, err
		}
	}
	// A core context needs a vertex array bound to draw, even one without
	// attributes: the quad comes from gl_VertexID.
	gl.CreateVertexArrays(1, &d.vao)
	return d, nil
}

// Draw clears t to Background, fills the view's display window with
// black and draws im over the data window through the chain s describes:
//
//	place (resample into the data box, float)
//	→ channels (select, checkerboard)   if s.Channels or s.Checker ask
//	→ exposure                          if s.Exposure != 0
//	→ display transform                 unless TransformRaw
//	→ gamma                             if s.Gamma is not 0 or 1
//	→ NaN/Inf flags                     if s.ShowNaN
//
// The zero Settings is the plain sRGB view. An empty image draws nothing
// over the black.
func (d *Display) Draw(t *Target, im *Image, v View, s Settings) {
	d.state.save()
	defer d.state.restore()

	gl.BindFramebuffer(gl.FRAMEBUFFER, t.fbo)
	gl.Viewport(0, 0, int32(t.width), int32(t.height))
	gl.Disable(gl.BLEND)
	gl.Disable(gl.DEPTH_TEST)
	gl.Disable(gl.SCISSOR_TEST)
	gl.Disable(gl.CULL_FACE)
	gl.Disable(gl.FRAMEBUFFER_SRGB)
	gl.ColorMask(true, true, true, true)
	gl.ClearColor(Background[0], Background[1], Background[2], 1)
	gl.Clear(gl.COLOR_BUFFER_BIT)

	// Target row 0 is the image's top row, as texture row 0 is: nothing
	// in the chain flips y.
	if x0, y0, x1, y1, ok := pixelBox(v.Display, t.width, t.height); ok {
		gl.Enable(gl.SCISSOR_TEST)
		gl.Scissor(x0, y0, x1-x0, y1-y0)
		gl.ClearColor(0, 0, 0, 1)
		gl.Clear(gl.COLOR_BUFFER_BIT)
		gl.Disable(gl.SCISSOR_TEST)
	}
	if im == nil || im.tex == 0 {
		return
	}
	bx0, by0, bx1, by1, ok := pixelBox(v.Data, t.width, t.height)
	if !ok || v.Data.X1 <= v.Data.X0 || v.Data.Y1 <= v.Data.Y0 {
		return
	}
	bw, bh := int(bx1-bx0), int(by1-by0)
	sx := float32(im.width) / (v.Data.X1 - v.Data.X0)
	sy := float32(im.height) / (v.Data.Y1 - v.Data.Y0)
	// Minification up to maxBoxScale is a box filter in the place pass;
	// beyond, mipmaps (made only then) keep the tap count bounded.
	mip := sx > maxBoxScale || sy > maxBoxScale
	im.prepare(mip)
	taps := [2]int32{1, 1}
	if !mip {
		taps = [2]int32{boxTaps(sx), boxTaps(sy)}
	}
	exact := sx == 1 && sy == 1 && v.Data.X0 == float32(math.Floor(float64(v.Data.X0))) &&
		v.Data.Y0 == float32(math.Floor(float64(v.Data.Y0)))

	steps := d.steps[:0]
	steps = append(steps, &d.place)
	if s.Channels != ChannelsRGB || s.Checker {
		steps = append(steps, &d.channels)
	}
	if s.Exposure != 0 {
		steps = append(steps, &d.exposure)
	}
	// An OpenColorIO display/view pass goes here: it replaces the
	// transform (and gamma) passes with a program built from the OCIO
	// processor's GPU shader text, its LUTs as extra input textures.
	if s.Transform != TransformRaw {
		steps = append(steps, &d.transform)
	}
	if s.Gamma != 0 && s.Gamma != 1 {
		steps = append(steps, &d.gamma)
	}
	if s.ShowNaN {
		steps = append(steps, &d.invalid)
	}

	gl.BindVertexArray(d.vao)
	var cur, src *pooledTexture
	for i, p := range steps {
		var out *pooledTexture
		if i < len(steps)-1 {
			out = d.pool.get(bw, bh, intermediateFormat)
		}
		in0, in1 := uint32(0), uint32(0)
		if cur != nil {
			in0 = cur.tex
		}
		switch p {
		case &d.place:
			in0 = im.tex
			gl.ProgramUniform2f(p.prog, p.loc["uBox"], float32(bx0), float32(by0))
			gl.ProgramUniform2f(p.prog, p.loc["uData"], v.Data.X0, v.Data.Y0)
			gl.ProgramUniform2f(p.prog, p.loc["uScale"], sx, sy)
			gl.ProgramUniform1i(p.prog, p.loc["uNearest"], boolInt(s.Nearest || exact || (sx < 1 && sy < 1)))
			gl.ProgramUniform2i(p.prog, p.loc["uTaps"], taps[0], taps[1])
		case &d.channels:
			gl.ProgramUniform1i(p.prog, p.loc["uChannels"], int32(s.Channels))
			gl.ProgramUniform1i(p.prog, p.loc["uChecker"], boolInt(s.Checker))
			gl.ProgramUniform2i(p.prog, p.loc["uBox"], bx0, by0)
		case &d.exposure:
			gl.ProgramUniform1f(p.prog, p.loc["uGain"], float32(math.Exp2(float64(s.Exposure))))
		case &d.transform:
			gl.ProgramUniform1i(p.prog, p.loc["uTransform"], int32(s.Transform))
		case &d.gamma:
			gl.ProgramUniform1f(p.prog, p.loc["uInvGamma"], 1/s.Gamma)
		case &d.invalid:
			m := shownChannels(s)
			gl.ProgramUniform4f(p.prog, p.loc["uMask"], m[0], m[1], m[2], m[3])
			in1 = src.tex
		}
		gl.BindTextureUnit(0, in0)
		gl.BindTextureUnit(1, in1)
		gl.UseProgram(p.prog)
		if out != nil {
			gl.BindFramebuffer(gl.FRAMEBUFFER, out.fbo)
			gl.Viewport(0, 0, int32(bw), int32(bh))
			gl.ProgramUniform2i(p.prog, p.uOrigin, 0, 0)
		} else {
			// The target keeps the alpha of 1 it was cleared to.
			gl.BindFramebuffer(gl.FRAMEBUFFER, t.fbo)
			gl.Viewport(bx0, by0, int32(bw), int32(bh))
			gl.ProgramUniform2i(p.prog, p.uOrigin, bx0, by0)
			gl.ColorMask(true, true, true, false)
		}
		gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)

		if p == &d.place {
			if s.ShowNaN && out != nil {
				src = out
				src.retain()
			}
		} else {
			cur.release()
		}
		cur = out
	}
	if src != nil {
		src.release()
	}
	d.pool.endFrame()
}

// maxBoxScale is the largest minification (image texels per target pixel)
// the place pass filters itself: up to 16x16 taps.
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

// Close deletes the passes' programs and pooled textures. Safe on nil and
// safe twice.
func (d *Display) Close() {
	if d == nil {
		return
	}
	for _, p := range []*pass{&d.place, &d.channels, &d.exposure, &d.transform, &d.gamma, &d.invalid} {
		if p.prog != 0 {
			gl.DeleteProgram(p.prog)
			p.prog = 0
		}
	}
	d.pool.close()
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

// ParseTransform reads a display transform name: srgb, rec709, bt1886,
// linear or raw (any case; "Rec.709" and "BT.1886" too).
func ParseTransform(s string) (Transform, error) {
	key := strings.ReplaceAll(strings.ToLower(s), ".", "")
	for i, n := range transformNames {
		if key == strings.ReplaceAll(strings.ToLower(n), ".", "") {
			return Transform(i), nil
		}
	}
	return 0, fmt.Errorf("unknown display transform %q: want srgb, rec709, bt1886 or linear", s)
}
