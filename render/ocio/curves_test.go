package ocio

import (
	"strings"
	"testing"
)

// shaderText is the GLSL of dv in the config at path, with flick's names.
func shaderText(t *testing.T, path string, dv DisplayView) string {
	t.Helper()
	p, err := load(t, path).DisplayViewProcessor(dv)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	sh, err := p.GPUShader("flickOCIO", "flick_ocio_")
	if err != nil {
		t.Fatal(err)
	}
	return sh.Text
}

// TestUnrollCurves: the ACES SDR view's two B-spline functions become one
// function per curve it calls, every call goes to them and the looping
// functions are gone; a shader without curves, a function not in
// OpenColorIO 2.1's form, a call with a computed curve number and knots
// that do not ascend are left exactly as they are. That the unrolled
// curves give OpenColorIO's values is held on the GPU
// (render.TestUnrolledCurvesMatch).
func TestUnrollCurves(t *testing.T) {
	aces := shaderText(t, "ocio://default", DisplayView{Input: "ACEScg", Display: "sRGB - Display", View: "ACES 1.0 - SDR Video"})
	got := UnrollCurves(aces)
	for _, want := range []string{
		"float flick_ocio_grading_rgbcurve_evalBSplineCurve_0_0(in float x)\n{\n  return x;\n}",
		"float flick_ocio_grading_rgbcurve_evalBSplineCurve_0_3(in float x)",
		"float flick_ocio_grading_rgbcurve_evalBSplineCurve_1_3(in float x)",
		"  if (x >= 2.67087173) { A = -0.0665909499; B = 0.0841637775; C = 1.66065454; kn = 2.67087173; }\n",
		"outColor.rgb.b = flick_ocio_grading_rgbcurve_evalBSplineCurve_1_3(outColor.rgb.b);",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("unrolled text lacks %q", want)
		}
	}
	for _, gone := range []string{"evalBSplineCurve_0(", "evalBSplineCurve_1(", "for (", "curveIdx"} {
		if strings.Contains(got, gone) {
			t.Errorf("unrolled text still has %q", gone)
		}
	}

	lutShow := shaderText(t, lutShowFile, DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT"})
	if UnrollCurves(lutShow) != lutShow {
		t.Error("a shader without curves changed")
	}
	for _, c := range []struct {
		what       string
		text       string
		kept, done string // the op left as it was, the op unrolled
	}{
		{"another form", strings.Replace(aces, "if (x <= knStart)", "if (x < knStart)", 1), "0", "1"},
		{"computed number", strings.Replace(aces, "evalBSplineCurve_1(3, outColor.rgb.b)", "evalBSplineCurve_1(int(x), outColor.rgb.b)", 1), "1", "0"},
		{"knots descend", strings.Replace(aces, "float[15](-2.54062366, -2.08035731,", "float[15](-2.54062366, -2.98035731,", 1), "1", "0"},
	} {
		got := UnrollCurves(c.text)
		kept := "flick_ocio_grading_rgbcurve_evalBSplineCurve_" + c.kept
		if !strings.Contains(got, kept+"(in int curveIdx, in float x)") || !strings.Contains(got, kept+"(3, outColor.rgb.g)") ||
			strings.Contains(got, kept+"_3(") {
			t.Errorf("%s: op %s was rewritten", c.what, c.kept)
		}
		if !strings.Contains(got, "evalBSplineCurve_"+c.done+"_3(outColor.rgb.g)") {
			t.Errorf("%s: op %s was not rewritten", c.what, c.done)
		}
	}
}
