package render

// EGL, for a GL context with no window and no display server (flick export
// on a farm node). libEGL is opened at run time, not linked: the viewer and
// an export under X still start on a machine without it, and a machine
// without it gets ErrNoEGL's one line instead of the dynamic loader's.

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <EGL/egl.h>
#include <EGL/eglext.h>

static struct {
	PFNEGLGETPROCADDRESSPROC getProcAddress;
	PFNEGLGETERRORPROC getError;
	PFNEGLQUERYSTRINGPROC queryString;
	PFNEGLGETPLATFORMDISPLAYPROC getPlatformDisplay;
	PFNEGLINITIALIZEPROC initialize;
	PFNEGLTERMINATEPROC terminate;
	PFNEGLBINDAPIPROC bindAPI;
	PFNEGLCHOOSECONFIGPROC chooseConfig;
	PFNEGLCREATECONTEXTPROC createContext;
	PFNEGLDESTROYCONTEXTPROC destroyContext;
	PFNEGLMAKECURRENTPROC makeCurrent;
	PFNEGLRELEASETHREADPROC releaseThread;
	PFNEGLQUERYDEVICESEXTPROC queryDevices;
	PFNEGLQUERYDEVICESTRINGEXTPROC queryDeviceString;
} egl;

// flick_egl_load opens libEGL and looks up the functions above; it returns
// NULL, or what went wrong. Safe to call again after a success.
static const char* flick_egl_load(void) {
	if (egl.getProcAddress) return NULL;
	void* lib = dlopen("libEGL.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!lib) return dlerror();
#define LOAD(field, name) if (!(egl.field = (void*)dlsym(lib, name))) return "libEGL.so.1 lacks " name " (EGL 1.5)";
	LOAD(getError, "eglGetError")
	LOAD(queryString, "eglQueryString")
	LOAD(getPlatformDisplay, "eglGetPlatformDisplay")
	LOAD(initialize, "eglInitialize")
	LOAD(terminate, "eglTerminate")
	LOAD(bindAPI, "eglBindAPI")
	LOAD(chooseConfig, "eglChooseConfig")
	LOAD(createContext, "eglCreateContext")
	LOAD(destroyContext, "eglDestroyContext")
	LOAD(makeCurrent, "eglMakeCurrent")
	LOAD(releaseThread, "eglReleaseThread")
	LOAD(getProcAddress, "eglGetProcAddress")
#undef LOAD
	// Extensions: absent where no vendor offers them.
	egl.queryDevices = (PFNEGLQUERYDEVICESEXTPROC)egl.getProcAddress("eglQueryDevicesEXT");
	egl.queryDeviceString = (PFNEGLQUERYDEVICESTRINGEXTPROC)egl.getProcAddress("eglQueryDeviceStringEXT");
	return NULL;
}

static int flick_egl_error(void) { return egl.getError(); }

static const char* flick_egl_client_extensions(void) {
	const char* s = egl.queryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
	return s ? s : "";
}

// devices are the EGL devices flick_egl_devices found, software devices
// (EGL_MESA_device_software, llvmpipe) last so that a workstation's GPU
// comes first.
static EGLDeviceEXT devices[16];

// flick_egl_devices fills devices and returns how many there are.
static int flick_egl_devices(void) {
	if (!egl.queryDevices || !egl.queryDeviceString) return 0;
	EGLDeviceEXT all[16];
	EGLint n = 0;
	if (!egl.queryDevices(16, all, &n)) return 0;
	int k = 0;
	for (int sw = 0; sw < 2; sw++) {
		for (int i = 0; i < n; i++) {
			const char* ext = egl.queryDeviceString(all[i], EGL_EXTENSIONS);
			int isSW = ext && strstr(ext, "EGL_MESA_device_software") != NULL;
			if (isSW == sw) devices[k++] = all[i];
		}
	}
	return k;
}

static void* flick_egl_device(int i) { return devices[i]; }

// flick_egl_open makes an OpenGL 4.5 core context on the platform's
// display (native: the device, or EGL_DEFAULT_DISPLAY) and makes it current
// on this thread with no surface. It returns 0, or the EGL error of the
// step that failed, and the display it initialised (to terminate) in *dpy.
static int flick_egl_open(EGLenum platform, void* native, void** dpy, void** ctx) {
	*dpy = egl.getPlatformDisplay(platform, native, NULL);
	if (*dpy == EGL_NO_DISPLAY) return egl.getError();
	EGLint major, minor;
	if (!egl.initialize(*dpy, &major, &minor)) {
		int e = egl.getError();
		*dpy = EGL_NO_DISPLAY;
		return e;
	}
	if (!egl.bindAPI(EGL_OPENGL_API)) return egl.getError();
	// No surface is ever made: any surface type will do.
	const EGLint want[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_SURFACE_TYPE, 0, EGL_NONE};
	EGLConfig config;
	EGLint n = 0;
	if (!egl.chooseConfig(*dpy, want, &config, 1, &n)) return egl.getError();
	if (n == 0) return EGL_BAD_CONFIG;
	const EGLint attrs[] = {
		EGL_CONTEXT_MAJOR_VERSION, 4,
		EGL_CONTEXT_MINOR_VERSION, 5,
		EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
		EGL_NONE,
	};
	*ctx = egl.createContext(*dpy, config, EGL_NO_CONTEXT, attrs);
	if (*ctx == EGL_NO_CONTEXT) return egl.getError();
	if (!egl.makeCurrent(*dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, *ctx)) {
		int e = egl.getError();
		egl.destroyContext(*dpy, *ctx);
		*ctx = EGL_NO_CONTEXT;
		return e;
	}
	return 0;
}

static void flick_egl_close(void* dpy, void* ctx) {
	if (ctx != EGL_NO_CONTEXT) {
		egl.makeCurrent(dpy, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
		egl.destroyContext(dpy, ctx);
	}
	if (dpy != EGL_NO_DISPLAY) egl.terminate(dpy);
	egl.releaseThread();
}

static void* flick_egl_proc(const char* name) { return (void*)egl.getProcAddress(name); }
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// ErrNoEGL means no GL context could be made without a display: libEGL,
// or a vendor library for it, is missing. Its text names the packages.
var ErrNoEGL = errors.New("no EGL to make a GL context without a display " +
	"(Debian packages libegl1 and libegl-mesa0; or run under an X server, e.g. xvfb-run -a)")

// Headless is a GL context with no window and no display server: an
// OpenGL 4.5 core context made through EGL on a device (a GPU's first, then
// a software one such as llvmpipe), else on Mesa's surfaceless platform.
// It has no default framebuffer: everything draws into Targets. It serves a
// Queue as a hidden Window does (Serve), and makes no GLFW or Dear ImGui
// state.
//
// The goroutine that calls NewHeadless must be locked to its OS thread (the
// main one in flick): the context is current there from NewHeadless until
// Close, and that goroutine is the GL goroutine.
type Headless struct {
	queue   *Queue
	display unsafe.Pointer // EGLDisplay
	context unsafe.Pointer // EGLContext
	// Platform is the EGL platform the context was made on: "device"
	// or "surfaceless".
	Platform string
	// Renderer is the GL_RENDERER string, e.g. "llvmpipe (LLVM 15.0.6,
	// 256 bits)".
	Renderer string
}

// NewHeadless makes the context, current on this thread, with the OpenGL
// functions loaded through EGL. A machine without EGL gets an error that
// wraps ErrNoEGL.
func NewHeadless() (*Headless, error) {
	if msg := C.flick_egl_load(); msg != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoEGL, C.GoString(msg))
	}
	h := &Headless{queue: NewQueue()}
	var tried []string
	try := func(what string, platform C.EGLenum, native unsafe.Pointer) bool {
		h.Platform = strings.Fields(what)[0]
		if code := C.flick_egl_open(platform, native, &h.display, &h.context); code != 0 {
			tried = append(tried, fmt.Sprintf("%s: EGL error %#x", what, int(code)))
			C.flick_egl_close(h.display, h.context)
			h.display, h.context = nil, nil
			return false
		}
		return true
	}
	ok := false
	ext := C.GoString(C.flick_egl_client_extensions())
	if strings.Contains(ext, "EGL_EXT_platform_device") {
		n := int(C.flick_egl_devices())
		for i := 0; i < n && !ok; i++ {
			ok = try(fmt.Sprintf("device %d", i), C.EGL_PLATFORM_DEVICE_EXT, C.flick_egl_device(C.int(i)))
		}
	}
	if !ok && strings.Contains(ext, "EGL_MESA_platform_surfaceless") {
		ok = try("surfaceless", C.EGL_PLATFORM_SURFACELESS_MESA, nil)
	}
	if !ok {
		if len(tried) == 0 {
			tried = append(tried, "no vendor offers EGL_EXT_platform_device or EGL_MESA_platform_surfaceless")
		}
		return nil, fmt.Errorf("%w: %s", ErrNoEGL, strings.Join(tried, "; "))
	}
	if err := gl.InitWithProcAddrFunc(func(name string) unsafe.Pointer {
		c := C.CString(name)
		defer C.free(unsafe.Pointer(c))
		return C.flick_egl_proc(c)
	}); err != nil {
		h.Close()
		return nil, fmt.Errorf("load OpenGL functions through EGL: %w", err)
	}
	h.Renderer = gl.GoStr(gl.GetString(gl.RENDERER))
	return h, nil
}

// Queue returns the queue through which other goroutines hand GL work to
// this context's goroutine.
func (h *Headless) Queue() *Queue { return h.queue }

// Serve runs the work other goroutines queue until done is closed, as
// Window.Serve does. GL goroutine only.
func (h *Headless) Serve(done <-chan struct{}) { h.queue.ServeUntil(done) }

// Close destroys the context; its GL objects must have been released
// before. GL goroutine only; nil-safe and idempotent.
func (h *Headless) Close() {
	if h == nil || h.display == nil {
		return
	}
	C.flick_egl_close(h.display, h.context)
	h.display, h.context = nil, nil
}
