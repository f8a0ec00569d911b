package render

import (
	"image"
	"unsafe"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// overlayFragment copies a band's texels 1:1 over the pixels it covers; the
// blend puts them over what is there.
const overlayFragment = `#version 450 core
layout(binding = 0) uniform sampler2D uBand;
uniform ivec2 uOrigin; // the band's top left in the target
out vec4 oColor;
void main() {
	oColor = texelFetch(uBand, ivec2(gl_FragCoord.xy) - uOrigin, 0);
}
`

// Overlay draws premultiplied RGBA images (burn-in bands) over a Target:
// the export's after its display pass, the viewer's over the picture, so
// that both show the same pixels. Each image slot keeps a texture, uploaded
// again only when the slot's image changes (a different *image.RGBA: the
// caller never changes an image it has drawn). The zero Overlay is ready;
// GL goroutine only.
type Overlay struct {
	pass    overPass
	uOrigin int32
	slots   []rgbaTexture
}

// Draw blends bands over t, premultiplied (out = band + (1 - band alpha) ×
// target, alpha included), each at its bounds moved by at, clipped to t.
// It saves and restores the GL state it changes, as Display.Draw does. It
// fails only if the program does not compile.
func (o *Overlay) Draw(t *Target, at image.Point, bands []*image.RGBA) error {
	for len(o.slots) > len(bands) {
		o.slots[len(o.slots)-1].close()
		o.slots = o.slots[:len(o.slots)-1]
	}
	if len(bands) == 0 {
		return nil // nothing compiled for an export without burn-ins
	}
	if o.pass.prog == 0 {
		if err := o.pass.compile(overlayFragment); err != nil {
			return err
		}
		o.uOrigin = gl.GetUniformLocation(o.pass.prog, gl.Str("uOrigin\x00"))
	}
	for len(o.slots) < len(bands) {
		o.slots = append(o.slots, rgbaTexture{})
	}
	defer o.pass.begin(t)()
	for i, b := range bands {
		r := b.Bounds().Add(at)
		if b.Bounds().Empty() || !r.Overlaps(image.Rect(0, 0, t.width, t.height)) {
			continue
		}
		o.slots[i].upload(b, &o.pass.unpack)
		gl.BindTextureUnit(0, o.slots[i].tex)
		gl.ProgramUniform2i(o.pass.prog, o.uOrigin, int32(r.Min.X), int32(r.Min.Y))
		// Target row 0 is the top row, as the band's is: nothing flips y.
		gl.Viewport(int32(r.Min.X), int32(r.Min.Y), int32(r.Dx()), int32(r.Dy()))
		gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	}
	return nil
}

// Close deletes the textures and the program. Safe on nil and safe twice.
func (o *Overlay) Close() {
	if o == nil {
		return
	}
	for i := range o.slots {
		o.slots[i].close()
	}
	o.slots = nil
	o.pass.close()
}

// overPass is what Overlay and MatteOverlay share: a program that draws a
// texture over a target, premultiplied "over", its vertex array, and the
// GL state a draw saves and restores.
type overPass struct {
	prog, vao uint32
	state     savedState
	blend     [5]int32                // the blend functions and equation a draw changes
	unpack    [len(unpackState)]int32 // scratch for uploads
}

// compile makes the program of displayVertex and fragment, and the vertex
// array.
func (p *overPass) compile(fragment string) error {
	prog, err := newProgramObject(displayVertex, fragment)
	if err != nil {
		return err
	}
	p.prog = prog
	gl.CreateVertexArrays(1, &p.vao)
	return nil
}

// begin saves the GL state, binds t and sets up the program and the blend
// (out = src + (1 - src alpha) × dst); the function it returns restores
// the state.
func (p *overPass) begin(t *Target) (end func()) {
	p.state.save()
	for i, pname := range [...]uint32{gl.BLEND_SRC_RGB, gl.BLEND_DST_RGB, gl.BLEND_SRC_ALPHA, gl.BLEND_DST_ALPHA, gl.BLEND_EQUATION_RGB} {
		gl.GetIntegerv(pname, &p.blend[i])
	}
	bind(t)
	gl.Enable(gl.BLEND)
	gl.BlendEquation(gl.FUNC_ADD)
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA)
	gl.UseProgram(p.prog)
	gl.BindVertexArray(p.vao)
	return func() {
		gl.BlendFuncSeparate(uint32(p.blend[0]), uint32(p.blend[1]), uint32(p.blend[2]), uint32(p.blend[3]))
		gl.BlendEquation(uint32(p.blend[4]))
		p.state.restore()
	}
}

// close deletes the program and the vertex array.
func (p *overPass) close() {
	deleteProgram(&p.prog)
	if p.vao != 0 {
		gl.DeleteVertexArrays(1, &p.vao)
		p.vao = 0
	}
}

// rgbaTexture is an RGBA8 texture (filtered linearly when minified, nearest
// when magnified, clamped at its edges) and the image last uploaded into it.
type rgbaTexture struct {
	tex  uint32
	w, h int
	img  *image.RGBA
}

// upload puts img into the texture unless it is there already, through
// unpack (scratch for the unpack state).
func (s *rgbaTexture) upload(img *image.RGBA, unpack *[len(unpackState)]int32) {
	if s.img == img {
		return
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if s.tex == 0 || s.w != w || s.h != h {
		deleteTexture(&s.tex)
		s.tex = newTexture(gl.TEXTURE_2D)
		gl.TextureStorage2D(s.tex, 1, gl.RGBA8, int32(w), int32(h))
		gl.TextureParameteri(s.tex, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
		gl.TextureParameteri(s.tex, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
		gl.TextureParameteri(s.tex, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
		gl.TextureParameteri(s.tex, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
		s.w, s.h = w, h
	}
	packedUnpack(unpack, 4)
	defer restoreUnpack(unpack)
	gl.PixelStorei(gl.UNPACK_ROW_LENGTH, int32(img.Stride/4))
	gl.TextureSubImage2D(s.tex, 0, 0, 0, int32(w), int32(h), gl.RGBA, gl.UNSIGNED_BYTE, unsafe.Pointer(&img.Pix[0]))
	s.img = img
}

// close deletes the texture.
func (s *rgbaTexture) close() {
	deleteTexture(&s.tex)
	s.img = nil
}
