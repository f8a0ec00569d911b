package render

import (
	"fmt"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// Image is a frame on the GPU: an RGBA16F texture (with mipmaps, so that a
// view smaller than the image does not shimmer) holding a data window.
type Image struct {
	tex           uint32
	width, height int
}

// Upload copies an interleaved RGBA half-float frame (4*w*h values, rows top
// to bottom) into the texture, reallocating it only when the size changes.
func (im *Image) Upload(pix []uint16, w, h int) error {
	if w <= 0 || h <= 0 || len(pix) < 4*w*h {
		return fmt.Errorf("upload: %d values for a %dx%d RGBA frame", len(pix), w, h)
	}
	var prevTex, prevAlign, prevRowLen, prevUnpackBuf int32
	gl.GetIntegerv(gl.TEXTURE_BINDING_2D, &prevTex)
	gl.GetIntegerv(gl.UNPACK_ALIGNMENT, &prevAlign)
	gl.GetIntegerv(gl.UNPACK_ROW_LENGTH, &prevRowLen)
	gl.GetIntegerv(gl.PIXEL_UNPACK_BUFFER_BINDING, &prevUnpackBuf)
	defer func() {
		gl.BindTexture(gl.TEXTURE_2D, uint32(prevTex))
		gl.PixelStorei(gl.UNPACK_ALIGNMENT, prevAlign)
		gl.PixelStorei(gl.UNPACK_ROW_LENGTH, prevRowLen)
		gl.BindBuffer(gl.PIXEL_UNPACK_BUFFER, uint32(prevUnpackBuf))
	}()
	gl.BindBuffer(gl.PIXEL_UNPACK_BUFFER, 0)
	gl.PixelStorei(gl.UNPACK_ALIGNMENT, 8) // a row of RGBA half is 8*w bytes
	gl.PixelStorei(gl.UNPACK_ROW_LENGTH, 0)

	if im.tex == 0 || im.width != w || im.height != h {
		im.release()
		gl.GenTextures(1, &im.tex)
		gl.BindTexture(gl.TEXTURE_2D, im.tex)
		levels := mipLevels(w, h)
		gl.TexStorage2D(gl.TEXTURE_2D, levels, gl.RGBA16F, int32(w), int32(h))
		gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR_MIPMAP_LINEAR)
		gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR)
		gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
		gl.TexParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
		im.width, im.height = w, h
	}
	gl.BindTexture(gl.TEXTURE_2D, im.tex)
	gl.TexSubImage2D(gl.TEXTURE_2D, 0, 0, 0, int32(w), int32(h), gl.RGBA, gl.HALF_FLOAT, gl.Ptr(pix))
	gl.GenerateMipmap(gl.TEXTURE_2D)
	return nil
}

// Size returns the texture's size in pixels (0, 0 before the first upload).
func (im *Image) Size() (w, h int) { return im.width, im.height }

// Close deletes the texture. Safe on nil and safe twice.
func (im *Image) Close() {
	if im != nil {
		im.release()
	}
}

func (im *Image) release() {
	if im.tex != 0 {
		gl.DeleteTextures(1, &im.tex)
		im.tex = 0
	}
	im.width, im.height = 0, 0
}

func mipLevels(w, h int) int32 {
	n := int32(1)
	for w > 1 || h > 1 {
		w, h = w/2, h/2
		n++
	}
	return n
}
