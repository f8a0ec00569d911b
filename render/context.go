package render

// GLFW's context calls, declared here as the module's headers are not on
// the include path (see fullscreen.go); the wrappers keep GLFW's types out
// of Go.

/*
typedef struct GLFWwindow GLFWwindow;
GLFWwindow* glfwGetCurrentContext(void);
void glfwMakeContextCurrent(GLFWwindow* window);

static void* flick_current_context(void) { return glfwGetCurrentContext(); }
static void flick_make_current(void* w) { glfwMakeContextCurrent((GLFWwindow*)w); }
*/
import "C"

import "unsafe"

// currentContext returns the GLFW window whose context is current on this
// thread, nil if none.
func currentContext() unsafe.Pointer { return C.flick_current_context() }

// makeCurrent makes w's context current on this thread (nil: none).
func makeCurrent(w unsafe.Pointer) { C.flick_make_current(w) }
