package render

import (
	"image"
	"math"
	"unsafe"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// matteFragment samples the matte image where the picture's data window
// lands (uData, uScale as the display program maps target pixels to
// texels), bilinear; the blend puts it over the picture.
const matteFragment = `#version 450 core
layout(binding = 0) uniform sampler2D uMatte;
uniform vec2 uData;  // target position of the image's corner
uniform vec2 uScale; // image pixels per target pixel
uniform vec2 uSize;  // the image's size
out vec4 oColor;
void main() {
	oColor = texture(uMatte, (gl_FragCoord.xy - uData) * uScale / uSize);
}
`

// MatteOverlay draws one premultiplied RGBA image (the viewer's Cryptomatte
// matte: black with alpha where the picture is dimmed, or false colours)
// over a Target, stretched over a rectangle: the part of the picture it
// covers. It is a pass of its own after the display pass, so the display
// program has no matte branch. The texture is uploaded again only for a
// different *image.RGBA (the caller never changes an image it has drawn).
// The zero MatteOverlay is ready; GL goroutine only.
type MatteOverlay struct {
	prog, vao            uint32
	uData, uScale, uSize int32
	tex                  uint32
	w, h                 int
	img                  *image.RGBA
	state                savedState
	blend                [5]int32
	unpack               [len(unpackState)]int32
}

// Draw blends img over t, premultiplied (out = img + (1 - img alpha) ×
// target), stretched over r (target pixels, row 0 at the top, as
// View.Data), clipped to t. It saves and restores the GL state it
// changes. It fails only if the program does not compile.
func (o *MatteOverlay) Draw(t *Target, r Rect, img *image.RGBA) error {
	b := img.Bounds()
	// The pixels whose centres are in r.
	edge := func(v float32) int { return int(math.Ceil(float64(v) - 0.5)) }
	clip := image.Rect(edge(r.X0), edge(r.Y0), edge(r.X1), edge(r.Y1)).Intersect(image.Rect(0, 0, t.width, t.height))
	if b.Empty() || clip.Empty() || r.X1 <= r.X0 || r.Y1 <= r.Y0 {
		return nil
	}
	if o.prog == 0 {
		p, err := newProgramObject(displayVertex, matteFragment)
		if err != nil {
			return err
		}
		loc := func(name string) int32 { return gl.GetUniformLocation(p, gl.Str(name+"\x00")) }
		o.prog, o.uData, o.uScale, o.uSize = p, loc("uData"), loc("uScale"), loc("uSize")
		gl.CreateVertexArrays(1, &o.vao)
	}
	o.upload(img)
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
	gl.BindTextureUnit(0, o.tex)
	gl.ProgramUniform2f(o.prog, o.uData, r.X0, r.Y0)
	gl.ProgramUniform2f(o.prog, o.uScale, float32(b.Dx())/(r.X1-r.X0), float32(b.Dy())/(r.Y1-r.Y0))
	gl.ProgramUniform2f(o.prog, o.uSize, float32(b.Dx()), float32(b.Dy()))
	gl.Viewport(int32(clip.Min.X), int32(clip.Min.Y), int32(clip.Dx()), int32(clip.Dy()))
	gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	return nil
}

// upload puts img into the texture unless it is there already.
func (o *MatteOverlay) upload(img *image.RGBA) {
	if o.img == img {
		return
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if o.tex == 0 || o.w != w || o.h != h {
		deleteTexture(&o.tex)
		o.tex = newTexture(gl.TEXTURE_2D)
		gl.TextureStorage2D(o.tex, 1, gl.RGBA8, int32(w), int32(h))
		gl.TextureParameteri(o.tex, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
		gl.TextureParameteri(o.tex, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
		gl.TextureParameteri(o.tex, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
		gl.TextureParameteri(o.tex, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
		o.w, o.h = w, h
	}
	packedUnpack(&o.unpack, 4)
	defer restoreUnpack(&o.unpack)
	gl.PixelStorei(gl.UNPACK_ROW_LENGTH, int32(img.Stride/4))
	gl.TextureSubImage2D(o.tex, 0, 0, 0, int32(w), int32(h), gl.RGBA, gl.UNSIGNED_BYTE, unsafe.Pointer(&img.Pix[0]))
	o.img = img
}

// Forget makes the next Draw upload its image even if it is the last one
// drawn: the caller is about to reuse that image's pixels.
func (o *MatteOverlay) Forget() { o.img = nil }

// Close deletes the texture and the program. Safe on nil and safe twice.
func (o *MatteOverlay) Close() {
	if o == nil {
		return
	}
	deleteTexture(&o.tex)
	o.img = nil
	deleteProgram(&o.prog)
	if o.vao != 0 {
		gl.DeleteVertexArrays(1, &o.vao)
		o.vao = 0
	}
}
