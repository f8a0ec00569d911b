package render

import (
	"image"
	"math"

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
	// Exposure is a gain in stops, applied to the scene-linear values
	// before the display transform.
	Exposure float32
}

// FitView returns the view that shows an image's whole display window as
// large as fits in a w x h target, centred, with the data window placed
// relative to it as the file says. Windows are in image pixels (Max
// exclusive, as image.Rectangle).
func FitView(w, h int, display, data image.Rectangle) View {
	dw, dh := float32(display.Dx()), float32(display.Dy())
	if dw <= 0 || dh <= 0 {
		return View{}
	}
	scale := min(float32(w)/dw, float32(h)/dh)
	// Whole target pixels for the display window, so that a 1:1 fit maps
	// texels to pixels exactly.
	ox := float32(math.Floor(float64((float32(w) - dw*scale) / 2)))
	oy := float32(math.Floor(float64((float32(h) - dh*scale) / 2)))
	place := func(r image.Rectangle) Rect {
		return Rect{
			X0: ox + float32(r.Min.X-display.Min.X)*scale,
			Y0: oy + float32(r.Min.Y-display.Min.Y)*scale,
			X1: ox + float32(r.Max.X-display.Min.X)*scale,
			Y1: oy + float32(r.Max.Y-display.Min.Y)*scale,
		}
	}
	return View{Display: place(display), Data: place(data)}
}

// Background is the colour of the target outside the display window.
var Background = [3]float32{0.11, 0.11, 0.12}

const displayVertex = `#version 410 core
uniform vec4 uRect; // x0, y0, x1, y1 in normalised device coordinates
out vec2 vUV;
void main() {
	vec2 c = vec2(gl_VertexID & 1, gl_VertexID >> 1);
	vUV = c;
	gl_Position = vec4(mix(uRect.xy, uRect.zw, c), 0.0, 1.0);
}
`

// The sRGB encoding is IEC 61966-2-1's piecewise curve, the default view of
// scene-linear EXR in RV and Nuke. Values outside [0, 1] are clipped after
// the gain, as an 8-bit display would.
const displayFragment = `#version 410 core
in vec2 vUV;
out vec4 oColor;
uniform sampler2D uImage;
uniform float uGain;
float srgb(float x) {
	x = clamp(x, 0.0, 1.0);
	return x <= 0.0031308 ? 12.92 * x : 1.055 * pow(x, 1.0 / 2.4) - 0.055;
}
void main() {
	vec3 c = texture(uImage, vUV).rgb * uGain;
	oColor = vec4(srgb(c.r), srgb(c.g), srgb(c.b), 1.0);
}
`

// Display draws a scene-linear image into a target through the sRGB display
// transform.
type Display struct {
	prog, vao    uint32
	uRect, uGain int32
	uImage       int32
}

// NewDisplay compiles the display pass.
func NewDisplay() (*Display, error) {
	prog, err := compileProgram(displayVertex, displayFragment)
	if err != nil {
		return nil, err
	}
	d := &Display{
		prog:   prog,
		uRect:  gl.GetUniformLocation(prog, gl.Str("uRect\x00")),
		uGain:  gl.GetUniformLocation(prog, gl.Str("uGain\x00")),
		uImage: gl.GetUniformLocation(prog, gl.Str("uImage\x00")),
	}
	// A core context needs a vertex array bound to draw, even one without
	// attributes: the quad comes from gl_VertexID.
	gl.GenVertexArrays(1, &d.vao)
	return d, nil
}

// Draw clears t to Background, fills the view's display window with black
// and draws im over the data window. An empty image draws nothing over the
// black.
func (d *Display) Draw(t *Target, im *Image, v View) {
	st := saveState()
	defer st.restore()

	gl.BindFramebuffer(gl.FRAMEBUFFER, t.fbo)
	gl.Viewport(0, 0, int32(t.width), int32(t.height))
	gl.Disable(gl.BLEND)
	gl.Disable(gl.DEPTH_TEST)
	gl.Disable(gl.SCISSOR_TEST)
	gl.ClearColor(Background[0], Background[1], Background[2], 1)
	gl.Clear(gl.COLOR_BUFFER_BIT)

	// Target row 0 is the image's top row, so y needs no flip.
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
	w, h := float32(t.width), float32(t.height)
	gl.UseProgram(d.prog)
	gl.Uniform4f(d.uRect, 2*v.Data.X0/w-1, 2*v.Data.Y0/h-1, 2*v.Data.X1/w-1, 2*v.Data.Y1/h-1)
	gl.Uniform1f(d.uGain, float32(math.Exp2(float64(v.Exposure))))
	gl.Uniform1i(d.uImage, 0)
	gl.ActiveTexture(gl.TEXTURE0)
	gl.BindTexture(gl.TEXTURE_2D, im.tex)
	gl.BindVertexArray(d.vao)
	gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
}

// pixelBox rounds r to whole pixels clipped to a w x h target.
func pixelBox(r Rect, w, h int) (x0, y0, x1, y1 int32, ok bool) {
	clip := func(v float32, hi int) int32 {
		return int32(max(0, min(float32(hi), float32(math.Round(float64(v))))))
	}
	x0, y0, x1, y1 = clip(r.X0, w), clip(r.Y0, h), clip(r.X1, w), clip(r.Y1, h)
	return x0, y0, x1, y1, x1 > x0 && y1 > y0
}

// Close deletes the pass's GL objects. Safe on nil and safe twice.
func (d *Display) Close() {
	if d == nil {
		return
	}
	if d.prog != 0 {
		gl.DeleteProgram(d.prog)
		d.prog = 0
	}
	if d.vao != 0 {
		gl.DeleteVertexArrays(1, &d.vao)
		d.vao = 0
	}
}
