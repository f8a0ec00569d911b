// Package render owns the one OpenGL context: the window that holds it, the
// queue through which other goroutines hand it work, frame uploads and the
// display pass that turns scene-linear pixels into display pixels.
//
// Every function and method here that touches GL runs on the GL goroutine
// (the main OS thread, inside Window.Run or work passed through its Queue)
// unless its comment says otherwise.
package render

import (
	"fmt"
	"strings"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// compileProgram links a vertex and a fragment shader into a program.
func compileProgram(vertex, fragment string) (uint32, error) {
	vs, err := compileShader(vertex, gl.VERTEX_SHADER)
	if err != nil {
		return 0, err
	}
	defer gl.DeleteShader(vs)
	fs, err := compileShader(fragment, gl.FRAGMENT_SHADER)
	if err != nil {
		return 0, err
	}
	defer gl.DeleteShader(fs)

	prog := gl.CreateProgram()
	gl.AttachShader(prog, vs)
	gl.AttachShader(prog, fs)
	gl.LinkProgram(prog)
	var ok int32
	gl.GetProgramiv(prog, gl.LINK_STATUS, &ok)
	if ok == gl.FALSE {
		msg := infoLog(prog, gl.GetProgramiv, gl.GetProgramInfoLog)
		gl.DeleteProgram(prog)
		return 0, fmt.Errorf("link shader program: %s", msg)
	}
	return prog, nil
}

func compileShader(src string, kind uint32) (uint32, error) {
	sh := gl.CreateShader(kind)
	csrc, free := gl.Strs(src + "\x00")
	defer free()
	gl.ShaderSource(sh, 1, csrc, nil)
	gl.CompileShader(sh)
	var ok int32
	gl.GetShaderiv(sh, gl.COMPILE_STATUS, &ok)
	if ok == gl.FALSE {
		msg := infoLog(sh, gl.GetShaderiv, gl.GetShaderInfoLog)
		gl.DeleteShader(sh)
		return 0, fmt.Errorf("compile shader: %s", msg)
	}
	return sh, nil
}

func infoLog(obj uint32, getiv func(uint32, uint32, *int32), getLog func(uint32, int32, *int32, *uint8)) string {
	var n int32
	getiv(obj, gl.INFO_LOG_LENGTH, &n)
	if n <= 1 {
		return "no log"
	}
	buf := make([]uint8, n)
	getLog(obj, n, nil, &buf[0])
	return strings.TrimRight(string(buf), "\x00\n")
}

// savedState is the GL state a pass changes, so that it can hand the context
// back to Dear ImGui's renderer as it found it.
type savedState struct {
	drawFBO, readFBO, program, vao, activeTexture int32
	textures, samplers                            [2]int32 // units 0 and 1
	viewport, scissorBox                          [4]int32
	colorMask                                     [4]bool
	scissor, blend, depth, cull, srgb             bool
	clearColor                                    [4]float32
}

// save records the state. It fills s in place (rather than returning a
// value) because the GL getters take pointers, which would move a local to
// the heap on every frame.
func (s *savedState) save() {
	gl.GetIntegerv(gl.DRAW_FRAMEBUFFER_BINDING, &s.drawFBO)
	gl.GetIntegerv(gl.READ_FRAMEBUFFER_BINDING, &s.readFBO)
	gl.GetIntegerv(gl.CURRENT_PROGRAM, &s.program)
	gl.GetIntegerv(gl.VERTEX_ARRAY_BINDING, &s.vao)
	gl.GetIntegerv(gl.ACTIVE_TEXTURE, &s.activeTexture)
	for i := range s.textures {
		gl.GetIntegeri_v(gl.TEXTURE_BINDING_2D, uint32(i), &s.textures[i])
		gl.GetIntegeri_v(gl.SAMPLER_BINDING, uint32(i), &s.samplers[i])
		// A sampler object bound by someone else would override the
		// display's texture filters.
		gl.BindSampler(uint32(i), 0)
	}
	gl.GetIntegerv(gl.VIEWPORT, &s.viewport[0])
	gl.GetIntegerv(gl.SCISSOR_BOX, &s.scissorBox[0])
	gl.GetFloatv(gl.COLOR_CLEAR_VALUE, &s.clearColor[0])
	gl.GetBooleanv(gl.COLOR_WRITEMASK, &s.colorMask[0])
	s.scissor = gl.IsEnabled(gl.SCISSOR_TEST)
	s.blend = gl.IsEnabled(gl.BLEND)
	s.depth = gl.IsEnabled(gl.DEPTH_TEST)
	s.cull = gl.IsEnabled(gl.CULL_FACE)
	s.srgb = gl.IsEnabled(gl.FRAMEBUFFER_SRGB)
}

func (s *savedState) restore() {
	gl.BindFramebuffer(gl.DRAW_FRAMEBUFFER, uint32(s.drawFBO))
	gl.BindFramebuffer(gl.READ_FRAMEBUFFER, uint32(s.readFBO))
	gl.UseProgram(uint32(s.program))
	gl.BindVertexArray(uint32(s.vao))
	for i := range s.textures {
		gl.BindTextureUnit(uint32(i), uint32(s.textures[i]))
		gl.BindSampler(uint32(i), uint32(s.samplers[i]))
	}
	gl.ActiveTexture(uint32(s.activeTexture))
	gl.Viewport(s.viewport[0], s.viewport[1], s.viewport[2], s.viewport[3])
	gl.Scissor(s.scissorBox[0], s.scissorBox[1], s.scissorBox[2], s.scissorBox[3])
	gl.ClearColor(s.clearColor[0], s.clearColor[1], s.clearColor[2], s.clearColor[3])
	gl.ColorMask(s.colorMask[0], s.colorMask[1], s.colorMask[2], s.colorMask[3])
	setEnabled(gl.SCISSOR_TEST, s.scissor)
	setEnabled(gl.BLEND, s.blend)
	setEnabled(gl.DEPTH_TEST, s.depth)
	setEnabled(gl.CULL_FACE, s.cull)
	setEnabled(gl.FRAMEBUFFER_SRGB, s.srgb)
}

func setEnabled(cap uint32, on bool) {
	if on {
		gl.Enable(cap)
	} else {
		gl.Disable(cap)
	}
}

// Software reports whether the context renders on the CPU (Mesa's llvmpipe
// or softpipe, as under Xvfb): there the texture memory is ordinary memory
// and the GL's work takes the same cores as everything else, so a pixel
// buffer between a frame and its texture is one more copy and no overlap
// (UploadSync is cheaper). GL goroutine only.
func Software() bool {
	r := gl.GoStr(gl.GetString(gl.RENDERER))
	return strings.Contains(r, "llvmpipe") || strings.Contains(r, "softpipe")
}
