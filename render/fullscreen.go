package render

// The GLFW backend of cimgui-go has no fullscreen call; GLFW itself (linked
// into the binary with it) has. Its prototypes are declared here rather than
// included, as the module's headers are not on the include path.

/*
typedef struct GLFWwindow GLFWwindow;
typedef struct GLFWmonitor GLFWmonitor;
typedef struct { int width, height, redBits, greenBits, blueBits, refreshRate; } GLFWvidmode;
GLFWwindow* glfwGetCurrentContext(void);
GLFWmonitor* glfwGetPrimaryMonitor(void);
GLFWmonitor* glfwGetWindowMonitor(GLFWwindow* window);
const GLFWvidmode* glfwGetVideoMode(GLFWmonitor* monitor);
void glfwGetWindowPos(GLFWwindow* window, int* x, int* y);
void glfwGetWindowSize(GLFWwindow* window, int* w, int* h);
void glfwSetWindowMonitor(GLFWwindow* window, GLFWmonitor* monitor, int x, int y, int w, int h, int refresh);

static int flick_fullscreen(int on, int* saved) {
	GLFWwindow* w = glfwGetCurrentContext();
	if (!w) return -1;
	int is = glfwGetWindowMonitor(w) != 0;
	if (on == is) return is;
	if (on) {
		GLFWmonitor* m = glfwGetPrimaryMonitor();
		const GLFWvidmode* mode = m ? glfwGetVideoMode(m) : 0;
		if (!mode) return -1;
		glfwGetWindowPos(w, &saved[0], &saved[1]);
		glfwGetWindowSize(w, &saved[2], &saved[3]);
		glfwSetWindowMonitor(w, m, 0, 0, mode->width, mode->height, mode->refreshRate);
	} else {
		glfwSetWindowMonitor(w, 0, saved[0], saved[1], saved[2], saved[3], 0);
	}
	return on;
}
*/
import "C"

import "errors"

// fullscreenState is the window's position and size before full screen.
type fullscreenState [4]C.int

// SetFullscreen puts the window whose context is current on the primary
// monitor, full screen, or back where it was. GL goroutine only, inside
// Run.
func (w *Window) SetFullscreen(on bool) error {
	flag := C.int(0)
	if on {
		flag = 1
	}
	if C.flick_fullscreen(flag, &w.saved[0]) < 0 {
		return errors.New("full screen: no monitor or no window")
	}
	return nil
}
