package ocio

import (
	"strings"
	"testing"
)

// TestInputSpace holds the precedence of InputSpace, first match wins, on
// lut-show (a Plates file rule, Default rule ACEScg) and the ACES CG
// config (Default rule ACES2065-1, scene_linear ACEScg), and that the
// name it returns is canonical whatever role or alias chose it.
func TestInputSpace(t *testing.T) {
	lut := load(t, lutShowFile)
	cg := load(t, acesCGFile)
	float := Header{Float: true}
	ap0Header := Header{Float: true, Chromaticities: &[4][2]float32{{0.7347, 0.2653}, {0, 1}, {0.0001, -0.077}, {0.32168, 0.33767}}}
	rec709 := Header{Float: true, Chromaticities: &[4][2]float32{{0.64, 0.33}, {0.3, 0.6}, {0.15, 0.06}, {0.3127, 0.329}}}
	interop := Header{Float: true, Strings: map[string]string{"colorInteropID": "lin_ap1"}}
	for _, tc := range []struct {
		name    string
		c       *Config
		r       InputRequest
		cs, why string
	}{
		{"float: scene_linear role", cg, InputRequest{Header: float, Path: "/s/shot.0001.exr"}, "ACEScg", "scene_linear role"},
		{"follow the Default rule", cg, InputRequest{Header: float, Path: "/s/shot.0001.exr", FollowDefaultRule: true}, "ACES2065-1", "the config's Default rule"},
		{"integer frames: Default rule", cg, InputRequest{Path: "/s/shot.0001.exr"}, "ACES2065-1", "the config's Default rule"},
		{"file rule over the role", lut, InputRequest{Header: float, Path: "/s/a_plate_v2.0001.exr"}, "ACES2065-1", "file rule Plates"},
		{"file rule needs its extension", lut, InputRequest{Header: float, Path: "/s/a_plate_v2.0001.dpx"}, "ACEScg", "scene_linear role"},
		{"header over the file rule", cg, InputRequest{Header: interop, Path: "/s/a_plate.0001.exr"}, "ACEScg", `header colorInteropID "lin_ap1"`},
		{"header interop ID canonical", lut, InputRequest{Header: Header{Strings: map[string]string{"colorInteropID": "aces_interchange"}}, Path: "/s/x.exr"}, "ACES2065-1", `header colorInteropID "aces_interchange"`},
		{"unknown header name passed over", cg, InputRequest{Header: Header{Float: true, Strings: map[string]string{"colorInteropID": "no such"}}, Path: "/s/x.exr"}, "ACEScg", "scene_linear role"},
		{"ACES container flag", cg, InputRequest{Header: Header{Float: true, ACESContainer: true}, Path: "/s/x.exr"}, "ACES2065-1", "header acesImageContainerFlag"},
		{"AP0 chromaticities over a file rule", lut, InputRequest{Header: ap0Header, Path: "/s/x.exr"}, "ACES2065-1", "header AP0 chromaticities"},
		{"Rec.709 chromaticities say nothing", lut, InputRequest{Header: rec709, Path: "/s/x.exr"}, "ACEScg", "scene_linear role"},
		{"--input-cs over the header", cg, InputRequest{Flag: "lin_ap0", Header: interop, Path: "/s/x.exr"}, "ACES2065-1", "--input-cs"},
		{"--input-cs a role", lut, InputRequest{Flag: "color_timing", Header: float, Path: "/s/a_plate.exr"}, "ACEScct", "--input-cs"},
		{"pick over --input-cs", cg, InputRequest{Pick: "ACES - ACEScct", Flag: "lin_ap0", Header: interop, Path: "/s/x.exr"}, "ACEScct", "your pick for this sequence"},
		{"pick unknown to the config passed over", lut, InputRequest{Pick: "ARRI LogC4", Header: float, Path: "/s/a_plate.exr"}, "ACES2065-1", "file rule Plates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := tc.c.InputSpace(tc.r)
			if err != nil {
				t.Fatal(err)
			}
			if in.ColorSpace != tc.cs || in.Reason != tc.why {
				t.Errorf("got %q (%s), want %q (%s)", in.ColorSpace, in.Reason, tc.cs, tc.why)
			}
		})
	}
	_, err := cg.InputSpace(InputRequest{Flag: "nonesuch", Path: "x.exr"})
	if err == nil || !strings.Contains(err.Error(), `--input-cs "nonesuch"`) {
		t.Errorf("an unknown --input-cs: %v, want an error naming it", err)
	}
}
