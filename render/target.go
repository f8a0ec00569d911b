package render

import (
	"fmt"
	"unsafe"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// Target is an offscreen RGBA framebuffer that a Display draws into:
// 8-bit (Resize) for the screen, 16-bit (Resize16) for export, or 32-bit
// float (ResizeFloat) for tests that must see values outside [0, 1]. Its rows are stored top row
// first, as images are in memory: Dear ImGui shows its texture upright with
// the default texture coordinates and the Read methods return rows in image
// order.
type Target struct {
	fbo, tex      uint32
	width, height int
	format        uint32
}

// Resize makes the target an 8-bit w x h target, reallocating only on a
// change.
func (t *Target) Resize(w, h int) error { return t.resize(w, h, gl.RGBA8) }

// Resize16 makes the target a w x h 16-bit (RGBA16 unsigned normalised)
// target, for export: finer than 8 bits for 10-bit codecs, no clipping
// beyond the [0, 1] the display transform ends in.
func (t *Target) Resize16(w, h int) error { return t.resize(w, h, gl.RGBA16) }

// ResizeFloat makes the target a w x h RGBA32F target, reallocating only on
// a change.
func (t *Target) ResizeFloat(w, h int) error { return t.resize(w, h, gl.RGBA32F) }

func (t *Target) resize(w, h int, format uint32) error {
	if w <= 0 || h <= 0 {
		return fmt.Errorf("target size %dx%d", w, h)
	}
	if t.fbo != 0 && t.width == w && t.height == h && t.format == format {
		return nil
	}
	t.release()
	t.tex = newTexture(gl.TEXTURE_2D)
	gl.TextureStorage2D(t.tex, 1, format, int32(w), int32(h))
	// The target is shown at one texel per screen pixel.
	gl.TextureParameteri(t.tex, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
	gl.TextureParameteri(t.tex, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
	t.fbo = newFramebuffer()
	gl.NamedFramebufferTexture(t.fbo, gl.COLOR_ATTACHMENT0, t.tex, 0)
	if s := gl.CheckNamedFramebufferStatus(t.fbo, gl.FRAMEBUFFER); s != gl.FRAMEBUFFER_COMPLETE {
		t.release()
		return fmt.Errorf("framebuffer %dx%d incomplete: status 0x%x", w, h, s)
	}
	t.width, t.height, t.format = w, h, format
	return nil
}

// Texture returns the GL name of the colour texture, for Dear ImGui.
func (t *Target) Texture() uint32 { return t.tex }

// Size returns the target's size in pixels.
func (t *Target) Size() (w, h int) { return t.width, t.height }

// ReadRGBA copies the target's pixels into dst (4*w*h bytes, rows top first),
// clipped to [0, 1] and quantised if the target is a float one.
func (t *Target) ReadRGBA(dst []byte) error {
	if len(dst) < 4*t.width*t.height || t.fbo == 0 {
		return fmt.Errorf("read %dx%d target into %d bytes", t.width, t.height, len(dst))
	}
	t.read(0, 0, t.width, t.height, gl.UNSIGNED_BYTE, 0, gl.Ptr(dst))
	return nil
}

// ReadRGBA16 copies the target's pixels into dst (4*w*h values, rows top
// first) as 16-bit codes, waiting for the drawing to finish: on a software
// renderer, where that wait is no longer than a Readback's and its copy
// is the only one, cheaper than the ring.
//
// Finish waits for the drawing alone, so that a caller can time drawing and
// copying apart.
func (t *Target) ReadRGBA16(dst []uint16) error { return t.ReadRows16(dst, 0, t.height) }

// ReadRows16 is ReadRGBA16 for rows y0 to y1 (exclusive) alone: dst holds
// the whole target, and only those rows of it are written.
func (t *Target) ReadRows16(dst []uint16, y0, y1 int) error {
	if err := t.rows16(len(dst), y0, y1); err != nil {
		return fmt.Errorf("read %w", err)
	}
	if y1 > y0 {
		t.read(0, y0, t.width, y1-y0, gl.UNSIGNED_SHORT, 0, gl.Ptr(dst[4*t.width*y0:]))
	}
	return nil
}

// WriteRows16 writes rows y0 to y1 (exclusive) of src, 16-bit codes in
// ReadRGBA16's layout for the whole target, into those rows of the target
// (a 16-bit one: exactly). GL goroutine only.
func (t *Target) WriteRows16(src []uint16, y0, y1 int) error {
	if err := t.rows16(len(src), y0, y1); err != nil {
		return fmt.Errorf("write %w", err)
	}
	if y1 > y0 {
		var prev [len(unpackState)]int32
		packedUnpack(&prev, 8)
		defer restoreUnpack(&prev)
		gl.TextureSubImage2D(t.tex, 0, 0, int32(y0), int32(t.width), int32(y1-y0), gl.RGBA, gl.UNSIGNED_SHORT,
			unsafe.Pointer(&src[4*t.width*y0]))
	}
	return nil
}

// rows16 checks rows y0 to y1 of a 16-bit buffer of n values for the
// whole target.
func (t *Target) rows16(n, y0, y1 int) error {
	if n < 4*t.width*t.height || t.fbo == 0 || y0 < 0 || y1 > t.height || y0 > y1 {
		return fmt.Errorf("rows %d-%d of a %dx%d target with %d values", y0, y1, t.width, t.height, n)
	}
	return nil
}

// Finish waits until the GL has done every command issued so far (on a
// software renderer: until the target is drawn). GL goroutine only.
func Finish() { gl.Finish() }

// Pixel returns the 8-bit RGBA value of the target's pixel (x, y), y down
// (what the viewer shows there, for the pixel probe); false outside.
func (t *Target) Pixel(x, y int) ([4]byte, bool) {
	var p [4]byte
	if x < 0 || y < 0 || x >= t.width || y >= t.height || t.fbo == 0 {
		return p, false
	}
	t.read(x, y, 1, 1, gl.UNSIGNED_BYTE, 0, gl.Ptr(p[:]))
	return p, true
}

// ReadFloat copies the target's pixels into dst (4*w*h values, rows top
// first). On an 8-bit target the values are the stored codes over 255.
func (t *Target) ReadFloat(dst []float32) error {
	if len(dst) < 4*t.width*t.height || t.fbo == 0 {
		return fmt.Errorf("read %dx%d target into %d floats", t.width, t.height, len(dst))
	}
	t.read(0, 0, t.width, t.height, gl.FLOAT, 0, gl.Ptr(dst))
	return nil
}

// read reads a rectangle of the target into dst, or into the pixel pack
// buffer pack at offset dst when pack is not 0; rows are stored top first,
// so GL's row y is the target's row y.
func (t *Target) read(x, y, w, h int, xtype, pack uint32, dst unsafe.Pointer) {
	var prevFBO, prevAlign, prevRowLen, prevPackBuf int32
	gl.GetIntegerv(gl.READ_FRAMEBUFFER_BINDING, &prevFBO)
	gl.GetIntegerv(gl.PACK_ALIGNMENT, &prevAlign)
	gl.GetIntegerv(gl.PACK_ROW_LENGTH, &prevRowLen)
	gl.GetIntegerv(gl.PIXEL_PACK_BUFFER_BINDING, &prevPackBuf)
	defer func() {
		gl.BindFramebuffer(gl.READ_FRAMEBUFFER, uint32(prevFBO))
		gl.PixelStorei(gl.PACK_ALIGNMENT, prevAlign)
		gl.PixelStorei(gl.PACK_ROW_LENGTH, prevRowLen)
		gl.BindBuffer(gl.PIXEL_PACK_BUFFER, uint32(prevPackBuf))
	}()
	gl.BindFramebuffer(gl.READ_FRAMEBUFFER, t.fbo)
	gl.BindBuffer(gl.PIXEL_PACK_BUFFER, pack)
	gl.PixelStorei(gl.PACK_ALIGNMENT, 1)
	gl.PixelStorei(gl.PACK_ROW_LENGTH, 0)
	gl.ReadPixels(int32(x), int32(y), int32(w), int32(h), gl.RGBA, xtype, dst)
}

// Close deletes the framebuffer and its texture. Safe on nil and safe twice.
func (t *Target) Close() {
	if t != nil {
		t.release()
	}
}

func (t *Target) release() {
	deleteFramebuffer(&t.fbo)
	deleteTexture(&t.tex)
	t.width, t.height, t.format = 0, 0, 0
}
