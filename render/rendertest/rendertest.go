// Package rendertest runs tests against a real OpenGL context: a hidden
// window on an X display (an Xvfb of its own when DISPLAY is not set), owned
// by the main OS thread as in the viewer; or, with FLICK_TEST_GL=egl, the
// headless EGL context flick export uses where there is no display.
package rendertest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"flick/render"
)

func init() {
	// GLFW and the GL context belong to the main OS thread; TestMain runs
	// on the main goroutine, so keep that goroutine there.
	runtime.LockOSThread()
}

// queue is the GL goroutine's queue: the window's or the EGL context's.
var queue *render.Queue

// EGL reports whether the tests run on the headless EGL context
// (FLICK_TEST_GL=egl) rather than in a window.
func EGL() bool { return os.Getenv("FLICK_TEST_GL") == "egl" }

// Main is a TestMain for packages with GL tests: it makes the GL context on
// the main OS thread, runs the tests on other goroutines while the main one
// serves Call, and exits with the tests' status. The context is a hidden
// window; without a display it starts Xvfb, and without Xvfb it fails with
// a message saying so. With FLICK_TEST_GL=egl it is a render.Headless.
func Main(m *testing.M) {
	if EGL() {
		os.Exit(mainHeadless(m))
	}
	stop := func() {}
	if os.Getenv("DISPLAY") == "" {
		display, stopX, err := StartXvfb(640, 480)
		if err != nil {
			fmt.Fprintf(os.Stderr, "rendertest: GL tests need an X display: %v\n", err)
			os.Exit(1)
		}
		stop = stopX
		os.Setenv("DISPLAY", display)
	}
	w, err := render.NewWindow(render.WindowOptions{Title: "flick test", Width: 320, Height: 240, Hidden: true, FPS: 240})
	if err != nil {
		fmt.Fprintf(os.Stderr, "rendertest: %v\n", err)
		stop()
		os.Exit(1)
	}
	queue = w.Queue()
	code := 0
	go func() {
		code = m.Run()
		w.Close()
	}()
	w.Run(nil)
	stop()
	os.Exit(code)
}

// mainHeadless runs the tests with a render.Headless serving their calls.
func mainHeadless(m *testing.M) int {
	h, err := render.NewHeadless()
	if err != nil {
		fmt.Fprintf(os.Stderr, "rendertest: %v\n", err)
		return 1
	}
	defer h.Close()
	queue = h.Queue()
	code := 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		code = m.Run()
	}()
	h.Serve(done)
	return code
}

// Call runs f on the GL goroutine, with the context current, and waits.
func Call(f func()) { queue.Call(f) }

// Queue returns the GL goroutine's queue, for code under test that takes one.
func Queue() *render.Queue { return queue }

// StartXvfb starts a private X server with one w x h x 24 screen and returns
// its DISPLAY value and a function that stops it.
func StartXvfb(w, h int) (display string, stop func(), err error) {
	if _, err := exec.LookPath("Xvfb"); err != nil {
		return "", nil, fmt.Errorf("DISPLAY is not set and Xvfb is not installed (apt-get install xvfb)")
	}
	r, wr, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	cmd := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", w, h), "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{wr}
	// If the test process dies, so does its X server.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		wr.Close()
		return "", nil, fmt.Errorf("start Xvfb: %w", err)
	}
	wr.Close()
	stop = func() {
		cmd.Process.Kill()
		cmd.Wait()
	}
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if n == "" {
			stop()
			return "", nil, fmt.Errorf("Xvfb exited without a display number")
		}
		return ":" + n, stop, nil
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, fmt.Errorf("Xvfb did not start within 30s")
	}
}
