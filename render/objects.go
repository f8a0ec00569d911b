package render

import "github.com/go-gl/gl/v4.5-core/gl"

// Objects counts the GL objects this package has created and not yet
// deleted, for diagnostics and leak tests.
type Objects struct {
	Textures, Buffers, Framebuffers, Syncs int
}

// live is the package's ledger of GL object names. GL goroutine only: every
// object is created and deleted there, so it needs no lock. It is the one
// piece of package state, kept because a GL context is itself global.
var live = struct {
	textures, buffers, framebuffers, programs map[uint32]struct{}
	syncs                                     int
}{
	textures:     map[uint32]struct{}{},
	programs:     map[uint32]struct{}{},
	buffers:      map[uint32]struct{}{},
	framebuffers: map[uint32]struct{}{},
}

// LiveObjects returns how many GL objects this package holds now.
func LiveObjects() Objects {
	return Objects{
		Textures:     len(live.textures),
		Buffers:      len(live.buffers),
		Framebuffers: len(live.framebuffers),
		Syncs:        live.syncs,
	}
}

// LivePrograms returns how many GL programs this package holds now: apart
// from LiveObjects, as a Display compiles and keeps one per settings
// variant it draws.
func LivePrograms() int { return len(live.programs) }

// LiveNames calls f with each live object's kind ("texture", "buffer" or
// "framebuffer") and GL name, so that a test can check them with glIs*.
func LiveNames(f func(kind string, name uint32)) {
	for n := range live.textures {
		f("texture", n)
	}
	for n := range live.buffers {
		f("buffer", n)
	}
	for n := range live.framebuffers {
		f("framebuffer", n)
	}
}

func newTexture(target uint32) uint32 {
	var n uint32
	gl.CreateTextures(target, 1, &n)
	live.textures[n] = struct{}{}
	return n
}

func deleteTexture(n *uint32) {
	if *n != 0 {
		gl.DeleteTextures(1, n)
		delete(live.textures, *n)
		*n = 0
	}
}

func newBuffer() uint32 {
	var n uint32
	gl.CreateBuffers(1, &n)
	live.buffers[n] = struct{}{}
	return n
}

func deleteBuffer(n *uint32) {
	if *n != 0 {
		gl.DeleteBuffers(1, n)
		delete(live.buffers, *n)
		*n = 0
	}
}

func newFramebuffer() uint32 {
	var n uint32
	gl.CreateFramebuffers(1, &n)
	live.framebuffers[n] = struct{}{}
	return n
}

func deleteFramebuffer(n *uint32) {
	if *n != 0 {
		gl.DeleteFramebuffers(1, n)
		delete(live.framebuffers, *n)
		*n = 0
	}
}

// newProgramObject compiles and links a program (compileProgram) and
// counts it.
func newProgramObject(vertex, fragment string) (uint32, error) {
	n, err := compileProgram(vertex, fragment)
	if err == nil {
		live.programs[n] = struct{}{}
	}
	return n, err
}

func deleteProgram(n *uint32) {
	if *n != 0 {
		gl.DeleteProgram(*n)
		delete(live.programs, *n)
		*n = 0
	}
}

// newFence inserts a fence after the commands issued so far.
func newFence() uintptr {
	live.syncs++
	return gl.FenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)
}

func deleteFence(s *uintptr) {
	if *s != 0 {
		gl.DeleteSync(*s)
		live.syncs--
		*s = 0
	}
}
