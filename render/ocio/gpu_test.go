package ocio

import (
	"strings"
	"testing"
)

// TestGPUShader extracts the lut-show view's shader: its 33³ tetrahedral
// 3D LUT and its 8192-entry 1D LUT folded into a 2D texture come out as Go
// copies of the right sizes, named with flick's prefix, with samplers the
// text declares; and an analytic ACES view needs no texture at all.
func TestGPUShader(t *testing.T) {
	c := load(t, lutShowFile)
	p, err := c.DisplayViewProcessor(DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT"})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := p.GPUShader("flickOCIO", "flick_ocio_")
	p.Close() // the shader is a copy: it outlives the processor
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sh.Text, "vec4 flickOCIO(") {
		t.Errorf("no function flickOCIO in:\n%s", sh.Text)
	}
	var dims []int
	for _, l := range sh.LUTs {
		dims = append(dims, l.Dims())
		if !strings.HasPrefix(l.Sampler, "flick_ocio_") || !strings.Contains(sh.Text, l.Sampler) {
			t.Errorf("sampler %q is not flick's or not in the text", l.Sampler)
		}
		n := l.Width * l.Height * max(1, l.Depth)
		if l.RGB {
			n *= 3
		}
		if len(l.Values) != n || n == 0 {
			t.Errorf("LUT %s %dx%dx%d rgb %v: %d values, want %d", l.Name, l.Width, l.Height, l.Depth, l.RGB, len(l.Values), n)
		}
		switch l.Dims() {
		case 3:
			if l.Width != 33 || l.Interpolation != InterpTetrahedral {
				t.Errorf("3D LUT %+v, want 33³ tetrahedral", l.Width)
			}
		case 2:
			if l.Width*l.Height < 8192 || l.Interpolation != InterpLinear {
				t.Errorf("1D LUT folded to %dx%d (%v), want 8192 entries, linear", l.Width, l.Height, l.Interpolation)
			}
		}
	}
	if len(dims) != 2 || !(dims[0] == 2 && dims[1] == 3) {
		t.Errorf("LUT dimensions %v, want a folded 1D LUT then a 3D LUT", dims)
	}

	aces := load(t, "ocio://default")
	p, err = aces.DisplayViewProcessor(DisplayView{Input: "ACEScg", Display: "sRGB - Display", View: "ACES 1.0 - SDR Video"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sh, err = p.GPUShader("flickOCIO", "flick_ocio_")
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.LUTs) != 0 || !strings.Contains(sh.Text, "flickOCIO") {
		t.Errorf("ACES SDR view: %d LUTs", len(sh.LUTs))
	}
	p.Close()
	if _, err := p.GPUShader("f", "p"); err == nil {
		t.Error("a closed processor gave a shader")
	}
}
