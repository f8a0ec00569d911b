package render

import "github.com/go-gl/gl/v4.5-core/gl"

// poolIdleFrames is how many frames an unused pooled texture is kept before
// it is deleted: enough that a chain alternating between settings (or a
// window being resized back and forth) does not churn, few enough that a
// size that is gone frees its memory soon.
const poolIdleFrames = 8

// pooledTexture is an intermediate texture with a framebuffer drawing into
// it, lent out by a texturePool with a reference count.
type pooledTexture struct {
	tex, fbo      uint32
	width, height int
	format        uint32
	refs          int
	idle          int // frames since it was last lent
}

// texturePool recycles intermediate textures by (width, height, internal
// format), with reference counts, as GPUImage's framebuffer cache does: in
// steady state a chain allocates nothing. GL goroutine only.
type texturePool struct {
	items []*pooledTexture
}

// get lends a w x h texture of the format, with one reference.
func (p *texturePool) get(w, h int, format uint32) *pooledTexture {
	for _, t := range p.items {
		if t.refs == 0 && t.width == w && t.height == h && t.format == format {
			t.refs, t.idle = 1, 0
			return t
		}
	}
	t := &pooledTexture{width: w, height: h, format: format, refs: 1}
	t.tex = newTexture(gl.TEXTURE_2D)
	gl.TextureStorage2D(t.tex, 1, format, int32(w), int32(h))
	gl.TextureParameteri(t.tex, gl.TEXTURE_MIN_FILTER, gl.NEAREST)
	gl.TextureParameteri(t.tex, gl.TEXTURE_MAG_FILTER, gl.NEAREST)
	gl.TextureParameteri(t.tex, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
	gl.TextureParameteri(t.tex, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
	t.fbo = newFramebuffer()
	gl.NamedFramebufferTexture(t.fbo, gl.COLOR_ATTACHMENT0, t.tex, 0)
	p.items = append(p.items, t)
	return t
}

// retain adds a reference to t, for a pass that reads it later in the chain.
func (t *pooledTexture) retain() { t.refs++ }

// release drops a reference; at zero t goes back to the pool.
func (t *pooledTexture) release() {
	if t.refs <= 0 {
		panic("render: pooled texture released more often than lent")
	}
	t.refs--
}

// endFrame deletes the textures no one has borrowed for poolIdleFrames
// frames.
func (p *texturePool) endFrame() {
	for i := 0; i < len(p.items); {
		t := p.items[i]
		if t.refs == 0 {
			t.idle++
			if t.idle > poolIdleFrames {
				t.delete()
				last := len(p.items) - 1
				p.items[i] = p.items[last]
				p.items[last] = nil
				p.items = p.items[:last]
				continue
			}
		}
		i++
	}
}

// close deletes every texture, lent or not.
func (p *texturePool) close() {
	for _, t := range p.items {
		t.delete()
	}
	clear(p.items)
	p.items = p.items[:0]
}

func (t *pooledTexture) delete() {
	deleteFramebuffer(&t.fbo)
	deleteTexture(&t.tex)
}
