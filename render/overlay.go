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
	prog, vao uint32
	uOrigin   int32
	slots     []overlaySlot
	state     savedState
	blend     [5]int32                // the blend functions and equation Draw changes
	unpack    [len(unpackState)]int32 // scratch for uploads
}

// overlaySlot is a band's texture and the image last uploaded into it.
type overlaySlot struct {
	tex  uint32
	w, h int
	img  *image.RGBA
}

// Draw blends bands over t, premultiplied (out = band + (1 - band alpha) ×
// target, alpha included), each at its bounds moved by at, clipped to t.
// It saves and restores the GL state it changes, as Display.Draw does. It
// fails only if the program does not compile.
func (o *Overlay) Draw(t *Target, at image.Point, bands []*image.RGBA) error {
	for len(o.slots) > len(bands) {
		deleteTexture(&o.slots[len(o.slots)-1].tex)
		o.slots = o.slots[:len(o.slots)-1]
	}
	if len(bands) == 0 {
		return nil // nothing compiled for an export without burn-ins
	}
	if o.prog == 0 {
		p, err := newProgramObject(displayVertex, overlayFragment)
		if err != nil {
			return err
		}
		o.prog, o.uOrigin = p, gl.GetUniformLocation(p, gl.Str("uOrigin\x00"))
		gl.CreateVertexArrays(1, &o.vao)
	}
	for len(o.slots) < len(bands) {
		o.slots = append(o.slots, overlaySlot{})
	}
	o.state.save()
	defer o.state.restore()
	for i, pname := range [...]uint32{gl.BLEND_SRC_RGB, gl.BLEND_DST_RGB, gl.BLEND_SRC_ALPHA, gl.BLEND_DST_ALPHA, gl.BLEND_EQUATION_RGB} {
		gl.GetIntegerv(pname, &o.blend[i])
	}
	defer func() {
		gl.BlendFuncSeparate(uint32(o.blend[0]), uint32(o.blend[1]), uint32(o.blend[2]), uint32(o.blend[3]))
		gl.BlendEquation(uint32(o.blend[4]))
	}()
	bind(t)
	gl.Enable(gl.BLEND)
	gl.BlendEquation(gl.FUNC_ADD)
	gl.BlendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA)
	gl.UseProgram(o.prog)
	gl.BindVertexArray(o.vao)
	for i, b := range bands {
		r := b.Bounds().Add(at)
		if b.Bounds().Empty() || !r.Overlaps(image.Rect(0, 0, t.width, t.height)) {
			continue
		}
		o.upload(&o.slots[i], b)
		gl.BindTextureUnit(0, o.slots[i].tex)
		gl.ProgramUniform2i(o.prog, o.uOrigin, int32(r.Min.X), int32(r.Min.Y))
		// Target row 0 is the top row, as the band's is: nothing flips y.
		gl.Viewport(int32(r.Min.X), int32(r.Min.Y), int32(r.Dx()), int32(r.Dy()))
		gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	}
	return nil
}

// upload puts b into s's texture unless it is there already.
func (o *Overlay) upload(s *overlaySlot, b *image.RGBA) {
	if s.img == b {
		return
	}
	w, h := b.Bounds().Dx(), b.Bounds().Dy()
	if s.tex == 0 || s.w != w || s.h != h {
		deleteTexture(&s.tex)
		s.tex = newTexture(gl.TEXTURE_2D)
		gl.TextureStorage2D(s.tex, 1, gl.RGBA8, int32(w), int32(h))
		s.w, s.h = w, h
	}
	packedUnpack(&o.unpack, 4)
	defer restoreUnpack(&o.unpack)
	gl.PixelStorei(gl.UNPACK_ROW_LENGTH, int32(b.Stride/4))
	gl.TextureSubImage2D(s.tex, 0, 0, 0, int32(w), int32(h), gl.RGBA, gl.UNSIGNED_BYTE, unsafe.Pointer(&b.Pix[0]))
	s.img = b
}

// Close deletes the textures and the program. Safe on nil and safe twice.
func (o *Overlay) Close() {
	if o == nil {
		return
	}
	for i := range o.slots {
		deleteTexture(&o.slots[i].tex)
	}
	o.slots = nil
	deleteProgram(&o.prog)
	if o.vao != 0 {
		gl.DeleteVertexArrays(1, &o.vao)
		o.vao = 0
	}
}
