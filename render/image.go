package render

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// UploadMode says how Image.Upload moves pixels to the GPU.
type UploadMode int

const (
	// UploadPBO copies the frame into the next buffer of a ring of pixel
	// unpack buffers and lets the GL copy it into the texture from there,
	// so that the CPU copy of frame N+1 does not wait for the GPU to finish
	// reading frame N. The default.
	UploadPBO UploadMode = iota
	// UploadSync hands the GL client memory (glTexSubImage2D with no unpack
	// buffer): the call returns only once the driver has taken a copy. Kept
	// for comparison and as the plain fallback.
	UploadSync
	// UploadPinned copies nothing: the texture is a buffer texture over
	// the caller's own pixels, which GL_AMD_pinned_memory lets the GL read
	// in place (PinnedUploads says whether the context has it). On a
	// software renderer, where texture memory is ordinary memory, that
	// saves a copy of every frame (16.6 MB at 1080p). The pixels must stay
	// unchanged until Unpin. Such an image has no mipmaps: views minified
	// beyond 32x are box-filtered with more taps instead.
	UploadPinned
)

// externalVirtualMemoryBuffer is GL_AMD_pinned_memory's buffer target
// (EXTERNAL_VIRTUAL_MEMORY_BUFFER_AMD), which go-gl's core profile package
// does not define.
const externalVirtualMemoryBuffer = 0x9160

// maxUploadBuffers bounds the PBO ring: when every buffer is still being
// read by the GPU, Upload waits for the oldest rather than growing further
// (a 4K RGBA half frame is 70.8 MB per buffer).
const maxUploadBuffers = 4

// Image is a frame on the GPU: an RGBA16F texture holding a data window,
// with mipmaps made on demand for views smaller than the image. The zero
// value is an empty image that uploads through the PBO ring.
type Image struct {
	// Mode selects the upload path; change it only between uploads.
	Mode UploadMode

	tex           uint32
	width, height int
	// chain says the texture has room for mipmaps; mipsStale that level 0
	// changed since they were last made.
	chain, mipsStale bool
	ring             uploadRing
	// pinned, in UploadPinned: the buffer over the caller's pixels, which
	// tex (a buffer texture then) reads, and the pin that keeps them put.
	pinned uint32
	pinner runtime.Pinner
	unpack [len(unpackState)]int32 // scratch for Upload
}

// unpackState is the state an upload changes: pixel store parameters, then
// the unpack buffer binding.
var unpackState = [...]uint32{gl.UNPACK_ALIGNMENT, gl.UNPACK_ROW_LENGTH, gl.UNPACK_SKIP_ROWS,
	gl.UNPACK_SKIP_PIXELS, gl.UNPACK_IMAGE_HEIGHT, gl.UNPACK_SKIP_IMAGES, gl.PIXEL_UNPACK_BUFFER_BINDING}

// packedUnpack saves the unpack state in prev and sets it for tightly packed
// rows (and images) aligned to align bytes, read from client memory:
// whatever Dear ImGui or a caller left there must not leak in.
// restoreUnpack puts prev back.
func packedUnpack(prev *[len(unpackState)]int32, align int32) {
	for i, pname := range unpackState {
		gl.GetIntegerv(pname, &prev[i])
	}
	gl.PixelStorei(gl.UNPACK_ALIGNMENT, align)
	for _, pname := range unpackState[1 : len(unpackState)-1] {
		gl.PixelStorei(pname, 0) // ROW_LENGTH and IMAGE_HEIGHT 0 mean "the size given"
	}
	gl.BindBuffer(gl.PIXEL_UNPACK_BUFFER, 0)
}

func restoreUnpack(prev *[len(unpackState)]int32) {
	for i, pname := range unpackState[:len(unpackState)-1] {
		gl.PixelStorei(pname, prev[i])
	}
	gl.BindBuffer(gl.PIXEL_UNPACK_BUFFER, uint32(prev[len(unpackState)-1]))
}

// Upload copies an interleaved RGBA half-float frame (4*w*h values, rows top
// to bottom, no padding) into the texture, reallocating it only when the size
// changes. GL goroutine only; pix may be reused as soon as Upload returns,
// except in UploadPinned, where the image reads pix itself until Unpin.
func (im *Image) Upload(pix []uint16, w, h int) error {
	if w <= 0 || h <= 0 || len(pix) < 4*w*h {
		return fmt.Errorf("upload: %d values for a %dx%d RGBA frame", len(pix), w, h)
	}
	im.Unpin()
	if im.Mode == UploadPinned {
		return im.pin(pix[:4*w*h], w, h)
	}
	// The saved state lives in im: the getters take pointers, which
	// would move locals to the heap on every upload.
	// Rows are tightly packed: a row of RGBA half is 8*w bytes, so an
	// alignment of 8 holds for every width.
	packedUnpack(&im.unpack, 8)
	defer restoreUnpack(&im.unpack)

	if im.tex == 0 || im.width != w || im.height != h || im.pinned != 0 {
		im.release()
		// One level: the mip chain (a third more memory, which llvmpipe
		// also clears) only once a view needs it; see prepare.
		im.tex = newImageTexture(w, h, 1)
		im.width, im.height = w, h
	}
	n := 4 * w * h
	if im.Mode == UploadSync {
		im.ring.release()
		gl.TextureSubImage2D(im.tex, 0, 0, 0, int32(w), int32(h), gl.RGBA, gl.HALF_FLOAT, unsafe.Pointer(&pix[0]))
	} else {
		b := im.ring.next(2 * n)
		copy(b.mapped[:n], pix[:n])
		gl.BindBuffer(gl.PIXEL_UNPACK_BUFFER, b.name)
		gl.TextureSubImage2D(im.tex, 0, 0, 0, int32(w), int32(h), gl.RGBA, gl.HALF_FLOAT, gl.PtrOffset(0))
		// The fence marks when the GPU is done reading b; the next
		// writer into b checks it first.
		deleteFence(&b.fence)
		b.fence = newFence()
	}
	im.mipsStale = true
	return nil
}

// pin makes the image a buffer texture over pix itself. The driver keeps
// the address, so pix is pinned for the Go runtime too until Unpin.
func (im *Image) pin(pix []uint16, w, h int) error {
	im.release()
	im.ring.release()
	im.pinner.Pin(unsafe.SliceData(pix))
	im.pinned = newBuffer()
	gl.BindBuffer(externalVirtualMemoryBuffer, im.pinned)
	gl.BufferData(externalVirtualMemoryBuffer, 2*len(pix), unsafe.Pointer(unsafe.SliceData(pix)), gl.STREAM_DRAW)
	gl.BindBuffer(externalVirtualMemoryBuffer, 0)
	if e := gl.GetError(); e != gl.NO_ERROR {
		im.Unpin()
		return fmt.Errorf("upload: the GL cannot read a %dx%d frame in place (error 0x%x): use UploadSync", w, h, e)
	}
	im.tex = newTexture(gl.TEXTURE_BUFFER)
	gl.TextureBuffer(im.tex, gl.RGBA16F, im.pinned)
	im.width, im.height = w, h
	return nil
}

// Unpin waits until the GPU is done reading the pixels the last Upload
// pinned (UploadPinned) and hands them back: they may change or be freed
// once Unpin returns, and the image is empty until the next Upload. It does
// nothing in the other modes, or when nothing is pinned.
func (im *Image) Unpin() {
	if im.pinned == 0 {
		return
	}
	done := newFence()
	waitFence(&done)
	im.release() // the buffer texture first, then the buffer it reads
	deleteBuffer(&im.pinned)
	im.pinner.Unpin()
}

// PinnedUploads reports whether the context can read frames in place
// (GL_AMD_pinned_memory, which Mesa's llvmpipe has), as UploadPinned needs.
// GL goroutine only.
func PinnedUploads() bool {
	var n int32
	gl.GetIntegerv(gl.NUM_EXTENSIONS, &n)
	for i := range uint32(n) {
		if gl.GoStr(gl.GetStringi(gl.EXTENSIONS, i)) == "GL_AMD_pinned_memory" {
			return true
		}
	}
	return false
}

// Size returns the texture's size in pixels (0, 0 before the first upload).
func (im *Image) Size() (w, h int) { return im.width, im.height }

// Buffers returns how many pixel buffers the upload ring holds now: 2 or
// more when the GPU reads frames slower than they arrive, 0 in UploadSync
// and UploadPinned.
func (im *Image) Buffers() int { return len(im.ring.bufs) }

// Close deletes the texture and the upload buffers. Safe on nil and safe
// twice.
func (im *Image) Close() {
	if im != nil {
		im.Unpin()
		im.release()
		im.ring.release()
	}
}

func (im *Image) release() {
	deleteTexture(&im.tex)
	im.width, im.height = 0, 0
	im.chain, im.mipsStale = false, false
}

// prepare readies the texture to be sampled at a scale where one target
// pixel covers minify texels or more along either axis (minify > 1 means the
// view is smaller than the image): it makes the mipmaps if they are stale
// and picks a filter. Level 0 alone is used otherwise, so that stale
// mipmaps (and the NaN they may hold) never leak into a 1:1 or larger view.
func (im *Image) prepare(minify bool) {
	if !minify {
		gl.TextureParameteri(im.tex, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
		return
	}
	if !im.chain {
		// Move level 0 into a texture with room for the chain.
		tex := newImageTexture(im.width, im.height, mipLevels(im.width, im.height))
		gl.CopyImageSubData(im.tex, gl.TEXTURE_2D, 0, 0, 0, 0, tex, gl.TEXTURE_2D, 0, 0, 0, 0,
			int32(im.width), int32(im.height), 1)
		deleteTexture(&im.tex)
		im.tex, im.chain, im.mipsStale = tex, true, true
	}
	if im.mipsStale {
		gl.GenerateTextureMipmap(im.tex)
		im.mipsStale = false
	}
	gl.TextureParameteri(im.tex, gl.TEXTURE_MIN_FILTER, gl.LINEAR_MIPMAP_LINEAR)
}

// newImageTexture makes an RGBA16F texture of w x h with levels levels,
// filtered linearly and clamped.
func newImageTexture(w, h int, levels int32) uint32 {
	tex := newTexture(gl.TEXTURE_2D)
	gl.TextureStorage2D(tex, levels, gl.RGBA16F, int32(w), int32(h))
	gl.TextureParameteri(tex, gl.TEXTURE_MIN_FILTER, gl.LINEAR)
	gl.TextureParameteri(tex, gl.TEXTURE_MAG_FILTER, gl.LINEAR)
	gl.TextureParameteri(tex, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE)
	gl.TextureParameteri(tex, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE)
	return tex
}

func mipLevels(w, h int) int32 {
	n := int32(1)
	for w > 1 || h > 1 {
		w, h = w/2, h/2
		n++
	}
	return n
}

// uploadRing is a ring of pixel unpack buffers that grows only when the next
// buffer is still being read by the GPU, as mpv's ra_buf_pool
// (video/out/gpu/utils.c) does, up to maxUploadBuffers.
//
// Each buffer is immutable storage mapped once, persistently and coherently
// (glBufferStorage + glMapNamedBufferRange with MAP_PERSISTENT|MAP_COHERENT),
// and fenced after each use. The alternative, orphaning with glBufferData(NULL)
// and an INVALIDATE|UNSYNCHRONIZED map, makes the driver allocate a fresh
// store behind our back on every frame (70.8 MB at 4K) and maps and unmaps
// per frame; with persistent storage the memory is allocated once per frame
// size, the fence is the whole synchronisation, and a later decoder could
// write straight into the mapping.
type uploadRing struct {
	bufs  []*uploadBuffer
	index int
	size  int // bytes per buffer
}

type uploadBuffer struct {
	name   uint32
	fence  uintptr  // 0 when the GPU has nothing pending on the buffer
	mapped []uint16 // the persistent mapping; valid until the buffer is deleted
}

// next returns a buffer of size bytes that the GPU is done with.
func (r *uploadRing) next(size int) *uploadBuffer {
	if size != r.size {
		r.release()
		r.size = size
	}
	if len(r.bufs) == 0 || (busy(r.bufs[r.index]) && len(r.bufs) < maxUploadBuffers) {
		r.grow()
	}
	b := r.bufs[r.index]
	r.index = (r.index + 1) % len(r.bufs)
	// Still busy only when the ring is at its bound.
	waitFence(&b.fence)
	return b
}

// waitFence waits until the commands before the fence have completed and
// deletes it (nothing to do for 0), flushing so that it is sure to signal.
func waitFence(f *uintptr) {
	if *f == 0 {
		return
	}
	for gl.ClientWaitSync(*f, gl.SYNC_FLUSH_COMMANDS_BIT, 1e9) == gl.TIMEOUT_EXPIRED {
	}
	deleteFence(f)
}

// busy polls b's fence without waiting and forgets it once signalled.
func busy(b *uploadBuffer) bool {
	if b.fence == 0 {
		return false
	}
	// SYNC_FLUSH_COMMANDS_BIT: a fence that was never flushed never signals.
	switch gl.ClientWaitSync(b.fence, gl.SYNC_FLUSH_COMMANDS_BIT, 0) {
	case gl.ALREADY_SIGNALED, gl.CONDITION_SATISFIED:
		deleteFence(&b.fence)
		return false
	case gl.WAIT_FAILED:
		// Only on a lost context or a bad name; nothing to wait for.
		deleteFence(&b.fence)
		return false
	}
	return true
}

// grow inserts a new buffer at the ring's current position, so that it is
// the one used next and the busy ones keep their order behind it.
func (r *uploadRing) grow() {
	const flags = gl.MAP_WRITE_BIT | gl.MAP_PERSISTENT_BIT | gl.MAP_COHERENT_BIT
	b := &uploadBuffer{name: newBuffer()}
	gl.NamedBufferStorage(b.name, r.size, nil, flags)
	p := gl.MapNamedBufferRange(b.name, 0, r.size, flags)
	b.mapped = unsafe.Slice((*uint16)(p), r.size/2)
	r.bufs = append(r.bufs, nil)
	copy(r.bufs[r.index+1:], r.bufs[r.index:])
	r.bufs[r.index] = b
}

func (r *uploadRing) release() {
	for _, b := range r.bufs {
		deleteFence(&b.fence)
		// Deleting a mapped buffer unmaps it.
		b.mapped = nil
		deleteBuffer(&b.name)
	}
	clear(r.bufs)
	r.bufs = r.bufs[:0]
	r.index, r.size = 0, 0
}

// String returns "pbo", "sync" or "pinned".
func (m UploadMode) String() string {
	switch m {
	case UploadSync:
		return "sync"
	case UploadPinned:
		return "pinned"
	}
	return "pbo"
}
