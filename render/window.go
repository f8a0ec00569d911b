package render

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"github.com/AllenDang/cimgui-go/backend"
	"github.com/AllenDang/cimgui-go/backend/glfwbackend"
	"github.com/AllenDang/cimgui-go/imgui"
	"github.com/go-gl/gl/v4.5-core/gl"
)

// ErrNoDisplay means there is no display server to open a window on.
var ErrNoDisplay = errors.New("no display: DISPLAY is not set (run under X, or headless with xvfb-run)")

// HasDisplay reports whether the environment names a display server
// (DISPLAY or WAYLAND_DISPLAY) that a window could open on.
func HasDisplay() bool { return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" }

// WindowOptions says how to open the window that holds the GL context.
type WindowOptions struct {
	Title         string
	Width, Height int
	// Hidden opens the window unmapped: a GL context for tests and headless
	// work, the same kind of context the viewer gets.
	Hidden bool
	// FPS caps how often the frame function runs.
	FPS uint
}

// Window is the platform window and the one GL context of the process, with
// Dear ImGui set up on it (cimgui-go's GLFW backend creates both together).
// It must be created and run on the main OS thread, which then is the GL
// goroutine: the frame function passed to Run and everything handed over
// through Queue run there.
type Window struct {
	backend *glfwbackend.GLFWBackend
	queue   *Queue
	glErr   error
	saved   fullscreenState
	// glfw is the GLFW window, for Serve: the backend makes its context
	// current only inside Run.
	glfw unsafe.Pointer
}

// NewWindow opens the window and makes its GL context usable (OpenGL 4.5
// functions loaded). Main OS thread only.
func NewWindow(opt WindowOptions) (w *Window, err error) {
	if !HasDisplay() {
		return nil, ErrNoDisplay
	}
	// The backend panics when GLFW cannot start or the window cannot be
	// created; report that as an error instead of a stack trace.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("open window: %v", r)
		}
	}()
	w = &Window{queue: NewQueue()}
	w.backend = glfwbackend.NewGLFWBackend()
	if _, err := backend.CreateBackend(w.backend); err != nil {
		return nil, fmt.Errorf("open window: %w", err)
	}
	// The context is current while this hook runs, the one moment before
	// Run where GL functions can be loaded.
	w.backend.SetAfterCreateContextHook(func() {
		if err := gl.Init(); err != nil {
			w.glErr = fmt.Errorf("load OpenGL functions: %w", err)
		}
		w.glfw = currentContext()
	})
	if opt.Hidden {
		w.backend.SetWindowFlags(glfwbackend.GLFWWindowFlagsVisible, 0)
	}
	w.backend.CreateWindow(opt.Title, opt.Width, opt.Height)
	if w.glErr != nil {
		return nil, w.glErr
	}
	if opt.FPS > 0 {
		w.backend.SetTargetFPS(opt.FPS)
	}
	w.backend.SetBgColor(imgui.NewVec4(0.11, 0.11, 0.12, 1))
	return w, nil
}

// Queue returns the queue through which other goroutines hand GL work to
// this window's goroutine.
func (w *Window) Queue() *Queue { return w.queue }

// SetDropCallback calls f with the paths dropped onto the window.
func (w *Window) SetDropCallback(f func(paths []string)) { w.backend.SetDropCallback(f) }

// SetTitle sets the window title.
func (w *Window) SetTitle(title string) { w.backend.SetWindowTitle(title) }

// Wake makes a waiting Run loop go round once; safe from any goroutine.
func (w *Window) Wake() { w.backend.Refresh() }

// Close asks Run to return after the current frame; safe from any
// goroutine, as GLFW allows.
func (w *Window) Close() { w.backend.SetShouldClose(true) }

// Run calls frame once per displayed frame, inside a Dear ImGui frame with the
// GL context current, after running queued work, until the window is closed.
// Then it destroys the window and the context: GL objects must be released
// before Run returns (from the last frame or queued work).
func (w *Window) Run(frame func()) {
	w.backend.Run(func() {
		w.queue.drain()
		if frame != nil {
			frame()
		}
	})
}

// Serve runs the work other goroutines queue until done is closed, with
// the GL context current, and nothing else: no events, no Dear ImGui
// frames, no buffer swaps. For headless work (flick export), where the
// loop's frames would take CPU from the work itself (under llvmpipe the GL
// runs on the same cores) and each Call would wait for the next frame.
// Main OS thread only, outside Run; Run may follow (to close the window).
func (w *Window) Serve(done <-chan struct{}) {
	makeCurrent(w.glfw)
	defer makeCurrent(nil)
	w.queue.ServeUntil(done)
}

// ContentScale returns the monitor's content scale (2 on a typical 4K
// desktop, 1 on Xvfb), for sizing the UI.
func (w *Window) ContentScale() float32 {
	x, _ := w.backend.ContentScale()
	return x
}

// Size returns the window's size in screen coordinates.
func (w *Window) Size() (width, height int) {
	x, y := w.backend.DisplaySize()
	return int(x), int(y)
}

// OnClose sets f to run once Run's loop has ended, while the window and its
// GL context still exist: where the owner releases its GL objects.
func (w *Window) OnClose(f func()) { w.backend.SetBeforeDestroyContextHook(f) }
