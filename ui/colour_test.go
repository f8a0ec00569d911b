package ui

import (
	"math"
	"testing"

	"flick/engine/exr/shared"
	"flick/render/ocio"
)

// The probe's scene-linear and displayed values come from the transform on
// screen, with the exposure applied first: lut-show with ACES2065-1 frames,
// whose scene_linear role is ACEScg (the AP0 to AP1 matrix of the ACES
// specification), through its Raw view (data: the values pass unchanged).
func TestProbeColour(t *testing.T) {
	cfg, err := ocio.Load(shared.File(t, "ocio", "lut-show/config.ocio"))
	if err != nil {
		t.Fatal(err)
	}
	defer cfg.Close()
	key := colourKey{1, ocio.DisplayView{Input: "ACES2065-1", Display: "sRGB", View: "Raw"}}
	e, err := buildTransform(cfg, key)
	if err != nil {
		t.Fatal(err)
	}
	defer e.linear.Close()
	defer e.view.Close()
	a := &app{}
	if _, _, ok := a.probeColour([3]float32{1, 1, 1}, 0); ok {
		t.Error("a probe without a config says ok")
	}
	a.col.config, a.col.cache, a.view.OCIO = cfg, []cachedTransform{e}, e.ct
	src := [3]float32{0.18, 0.5, 2}
	ap0ToAP1 := [3][3]float64{{1.4514393161, -0.2365107469, -0.2149285693},
		{-0.0765537734, 1.1762296998, -0.0996759264}, {0.0083161484, -0.0060324498, 0.9977163014}}
	for _, stops := range []float32{0, 1, -2} {
		linear, shown, ok := a.probeColour(src, stops)
		if !ok {
			t.Fatal("no values")
		}
		gain := math.Exp2(float64(stops))
		for i := range 3 {
			want := 0.0
			for j := range 3 {
				want += ap0ToAP1[i][j] * float64(src[j]) * gain
			}
			if math.Abs(float64(linear[i])-want) > 1e-4*math.Max(1, math.Abs(want)) {
				t.Errorf("exposure %+g: scene-linear %v, want channel %d %.5f", stops, linear, i, want)
			}
			if math.Abs(float64(shown[i])-float64(src[i])*gain) > 1e-5 {
				t.Errorf("exposure %+g: Raw view shows %v, want the exposed source %v x %g", stops, shown, src, gain)
			}
		}
	}
}
