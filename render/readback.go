package render

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// ReadbackDepth is how many copies a Readback keeps in flight: the GL
// goroutine draws frame N while frames N-1 and N-2 are still being copied.
const ReadbackDepth = 3

// Readback reads targets back as 16-bit RGBA without stalling the GL
// goroutine: Start queues the copy of a drawn target into the next of a ring
// of pixel pack buffers (persistently mapped, each with a fence) and returns
// at once; Finish waits for the oldest copy and hands its pixels over. GL
// goroutine only.
type Readback struct {
	bufs    [ReadbackDepth]packBuffer
	oldest  int // ring index of the oldest pending copy
	pending int
}

type packBuffer struct {
	name          uint32
	size          int // bytes
	fence         uintptr
	mapped        []uint16
	width, height int
}

// ErrReadbackFull is returned by Start when ReadbackDepth copies are pending.
var ErrReadbackFull = errors.New("readback: every buffer holds a copy not yet finished")

// Start queues the copy of t's pixels (rows top first).
func (r *Readback) Start(t *Target) error {
	if r.pending == ReadbackDepth {
		return ErrReadbackFull
	}
	if t.fbo == 0 {
		return errors.New("readback: empty target")
	}
	b := &r.bufs[(r.oldest+r.pending)%ReadbackDepth]
	if size := 8 * t.width * t.height; size != b.size {
		b.release()
		const flags = gl.MAP_READ_BIT | gl.MAP_PERSISTENT_BIT | gl.MAP_COHERENT_BIT
		b.name = newBuffer()
		gl.NamedBufferStorage(b.name, size, nil, flags)
		b.mapped = unsafe.Slice((*uint16)(gl.MapNamedBufferRange(b.name, 0, size, flags)), size/2)
		b.size = size
	}
	t.read(0, 0, t.width, t.height, gl.UNSIGNED_SHORT, b.name, nil)
	b.fence = newFence()
	gl.Flush() // so that the fence signals without a later flush
	b.width, b.height = t.width, t.height
	r.pending++
	return nil
}

// Pending returns how many copies are started and not finished.
func (r *Readback) Pending() int { return r.pending }

// Finish waits for the oldest pending copy and copies its pixels into dst
// (at least 4*w*h values), returning its size.
func (r *Readback) Finish(dst []uint16) (w, h int, err error) {
	if r.pending == 0 {
		return 0, 0, errors.New("readback: nothing started")
	}
	b := &r.bufs[r.oldest]
	if n := 4 * b.width * b.height; len(dst) < n {
		return 0, 0, fmt.Errorf("readback: %dx%d pixels into %d values", b.width, b.height, len(dst))
	}
	waitFence(&b.fence)
	copy(dst, b.mapped[:4*b.width*b.height])
	r.oldest = (r.oldest + 1) % ReadbackDepth
	r.pending--
	return b.width, b.height, nil
}

// Close deletes the buffers, abandoning pending copies. Safe on nil and
// safe twice.
func (r *Readback) Close() {
	if r == nil {
		return
	}
	for i := range r.bufs {
		r.bufs[i].release()
	}
	r.oldest, r.pending = 0, 0
}

func (b *packBuffer) release() {
	deleteFence(&b.fence)
	b.mapped = nil // deleting a mapped buffer unmaps it
	deleteBuffer(&b.name)
	b.size = 0
}
