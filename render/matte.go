package render

import (
	"image"
	"math"

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
	pass                 overPass
	uData, uScale, uSize int32
	tex                  rgbaTexture
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
	if o.pass.prog == 0 {
		if err := o.pass.compile(matteFragment); err != nil {
			return err
		}
		loc := func(name string) int32 { return gl.GetUniformLocation(o.pass.prog, gl.Str(name+"\x00")) }
		o.uData, o.uScale, o.uSize = loc("uData"), loc("uScale"), loc("uSize")
	}
	o.tex.upload(img, &o.pass.unpack)
	defer o.pass.begin(t)()
	gl.BindTextureUnit(0, o.tex.tex)
	gl.ProgramUniform2f(o.pass.prog, o.uData, r.X0, r.Y0)
	gl.ProgramUniform2f(o.pass.prog, o.uScale, float32(b.Dx())/(r.X1-r.X0), float32(b.Dy())/(r.Y1-r.Y0))
	gl.ProgramUniform2f(o.pass.prog, o.uSize, float32(b.Dx()), float32(b.Dy()))
	gl.Viewport(int32(clip.Min.X), int32(clip.Min.Y), int32(clip.Dx()), int32(clip.Dy()))
	gl.DrawArrays(gl.TRIANGLE_STRIP, 0, 4)
	return nil
}

// Forget makes the next Draw upload its image even if it is the last one
// drawn: the caller is about to reuse that image's pixels.
func (o *MatteOverlay) Forget() { o.tex.img = nil }

// Close deletes the texture and the program. Safe on nil and safe twice.
func (o *MatteOverlay) Close() {
	if o == nil {
		return
	}
	o.tex.close()
	o.pass.close()
}
