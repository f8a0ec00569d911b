package render

import (
	"fmt"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// Target is an offscreen 8-bit RGBA framebuffer that display passes draw
// into. Its rows are stored top row first, as images are in memory: Dear
// ImGui shows its texture upright with the default texture coordinates and
// ReadRGBA returns rows in image order.
type Target struct {
	fbo, tex      uint32
	width, height int
}

// Resize makes the target w x h pixels, reallocating only on a change.
func (t *Target) Resize(w, h int) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("target size %dx%d", w, h)
	}
	if t.fbo != 0 && t.width == w && t.height == h {
		return nil
	}
	t.release()

	var prevTex, prevFBO int32
	gl.GetIntegerv(gl.TEXTURE_BINDING_2D, &prevTex)
	gl.GetIntegerv(gl.FRAMEBUFFER_BINDING, &prevFBO)
	defer gl.BindTexture(gl.TEXTURE_2D, uint32(prevTex))
	defer gl.BindFramebuffer(gl.FRAMEBUFFER, uint32(prevFBO))

	gl.GenTextures(1, &t.tex)
	gl.BindTexture(gl.TEXTURE_2D, t.tex)
	gl.TexStorage2D(gl.TEXTURE_2D, 1, gl.RGBA8, int32(w), int32(h))
	// The target is shown at one texel per screen pixel.
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
	gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST)

	gl.GenFramebuffers(1, &t.fbo)
	gl.BindFramebuffer(gl.FRAMEBUFFER, t.fbo)
	gl.FramebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, t.tex, 0)
	if s := gl.CheckFramebufferStatus(gl.FRAMEBUFFER); s != gl.FRAMEBUFFER_COMPLETE {
		t.release()
		return fmt.Errorf("framebuffer %dx%d incomplete: status 0x%x", w, h, s)
	}
	t.width, t.height = w, h
	return nil
}

// Texture returns the GL name of the colour texture, for Dear ImGui.
func (t *Target) Texture() uint32 { return t.tex }

// Size returns the target's size in pixels.
func (t *Target) Size() (w, h int) { return t.width, t.height }

// ReadRGBA copies the target's pixels into dst (4*w*h bytes, rows top first).
func (t *Target) ReadRGBA(dst []byte) error {
	if len(dst) < 4*t.width*t.height || t.fbo == 0 {
		return fmt.Errorf("read %dx%d target into %d bytes", t.width, t.height, len(dst))
	}
	var prevFBO, prevAlign, prevPackBuf int32
	gl.GetIntegerv(gl.READ_FRAMEBUFFER_BINDING, &prevFBO)
	gl.GetIntegerv(gl.PACK_ALIGNMENT, &prevAlign)
	gl.GetIntegerv(gl.PIXEL_PACK_BUFFER_BINDING, &prevPackBuf)
	defer func() {
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, uint32(prevFBO))
		gl.PixelStorei(gl.PACK_ALIGNMENT, prevAlign)
		gl.BindBuffer(gl.PIXEL_PACK_BUFFER, uint32(prevPackBuf))
	}()
	gl.BindFramebuffer(gl.READ_FRAMEBUFFER, t.fbo)
	gl.BindBuffer(gl.PIXEL_PACK_BUFFER, 0)
	gl.PixelStorei(gl.PACK_ALIGNMENT, 1)
	gl.ReadPixels(0, 0, int32(t.width), int32(t.height), gl.RGBA, gl.UNSIGNED_BYTE, gl.Ptr(dst))
	return nil
}

// Close deletes the framebuffer and its texture. Safe on nil and safe twice.
func (t *Target) Close() {
	if t != nil {
		t.release()
	}
}

func (t *Target) release() {
	if t.fbo != 0 {
		gl.DeleteFramebuffers(1, &t.fbo)
		t.fbo = 0
	}
	if t.tex != 0 {
		gl.DeleteTextures(1, &t.tex)
		t.tex = 0
	}
	t.width, t.height = 0, 0
}
