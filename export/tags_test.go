package export

import (
	"path/filepath"
	"strings"
	"testing"

	"flick/export/exporttest"
)

// TestColourTags: a movie is tagged with its colour description on its
// stream and every frame, limited range: sRGB's IEC 61966-2-1 transfer with
// BT.709 primaries and matrix, BT.709 by default, and BT.2100 PQ's and
// HLG's BT.2020 primaries and matrix where the codec and pixel format
// carry them.
func TestColourTags(t *testing.T) {
	pq := Colour{PrimariesBT2020, TransferPQ, MatrixBT2020NC}
	hlg := Colour{PrimariesBT2020, TransferHLG, MatrixBT2020NC}
	p3pq := Colour{PrimariesP3D65, TransferPQ, MatrixBT709}
	for _, tc := range []struct {
		codec  Codec
		colour Colour
		want   [3]string
	}{
		{H264, Colour{Transfer: TransferSRGB}, [3]string{"bt709", "iec61966-2-1", "bt709"}},
		{ProRes4444, Colour{Transfer: TransferSRGB}, [3]string{"bt709", "iec61966-2-1", "bt709"}},
		{H264, Colour{}, [3]string{"bt709", "bt709", "bt709"}},
		{ProRes4444, pq, [3]string{"bt2020", "smpte2084", "bt2020nc"}},
		{ProRes, hlg, [3]string{"bt2020", "arib-std-b67", "bt2020nc"}},
		{ProRes, p3pq, [3]string{"smpte432", "smpte2084", "bt709"}},
		{H264, pq, [3]string{"bt2020", "smpte2084", "bt2020nc"}},
	} {
		t.Run(string(tc.codec)+"/"+tc.colour.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.mov")
			encode(t, Options{Path: path, Codec: tc.codec, Width: 64, Height: 32, FPS: Rational{24, 1}, CRF: -1, Colour: tc.colour}, 2)
			info, err := exporttest.Probe(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := [4]string{info.ColorPrimaries, info.ColorTransfer, info.ColorSpace, info.ColorRange}, [4]string{tc.want[0], tc.want[1], tc.want[2], "tv"}; got != want {
				t.Errorf("stream tags %q, want %q", got, want)
			}
			if n, err := exporttest.DecodeColour(path, tc.want[0], tc.want[1], tc.want[2], func(int, []uint16) error { return nil }); err != nil || n != 2 {
				t.Errorf("decoded %d frames: %v", n, err)
			}
		})
	}
	for _, c := range []Colour{{Transfer: 7}, {Primaries: -1}, {Matrix: 2}} {
		if _, err := Create(Options{Path: filepath.Join(t.TempDir(), "x.mov"), Codec: H264, Width: 64, Height: 32, FPS: Rational{24, 1}, Colour: c}); err == nil {
			t.Errorf("colour %v was taken", c)
		}
	}
}

// TestColourFor names the description of each display of the ACES configs
// (the CG config's and the studio config's) and of common names, and the
// warnings: a display no tag describes, P3's 2.6 gamma, PQ or HLG in 8
// bits.
func TestColourFor(t *testing.T) {
	srgb := Colour{Transfer: TransferSRGB}
	bt709 := Colour{}
	for _, tc := range []struct {
		display string
		codec   Codec
		want    Colour
		warn    string // a word the warning has; "" for none
	}{
		{"sRGB - Display", H264, srgb, ""},
		{"sRGB", ProRes, srgb, ""},
		{"Rec.1886 Rec.709 - Display", H264, bt709, ""},
		{"Rec.709", H264, bt709, ""},
		{"Rec.1886 Rec.2020 - Display", HEVC, Colour{PrimariesBT2020, TransferBT709, MatrixBT2020NC}, ""},
		{"Rec.2100-PQ - Display", ProRes4444, Colour{PrimariesBT2020, TransferPQ, MatrixBT2020NC}, ""},
		{"Rec.2100-PQ - Display", ProRes, Colour{PrimariesBT2020, TransferPQ, MatrixBT2020NC}, ""},
		{"Rec.2100-PQ - Display", H264, Colour{PrimariesBT2020, TransferPQ, MatrixBT2020NC}, "prores"},
		{"Rec.2100-HLG - Display", ProRes, Colour{PrimariesBT2020, TransferHLG, MatrixBT2020NC}, ""},
		{"Rec.2100-HLG - Display", HEVCNVENC, Colour{PrimariesBT2020, TransferHLG, MatrixBT2020NC}, "8-bit"},
		{"ST2084-P3-D65 - Display", ProRes4444, Colour{PrimariesP3D65, TransferPQ, MatrixBT709}, ""},
		{"ST2084-P3-D65 - Display", HEVC, Colour{PrimariesP3D65, TransferPQ, MatrixBT709}, "10-bit"},
		{"Display P3 - Display", H264, Colour{PrimariesP3D65, TransferSRGB, MatrixBT709}, ""},
		{"DisplayP3", H264, Colour{PrimariesP3D65, TransferSRGB, MatrixBT709}, ""},
		{"P3-D65 - Display", ProRes, Colour{PrimariesP3D65, TransferUnspecified, MatrixBT709}, "2.6"},
		{"P3-DCI - Display", ProRes, Colour{PrimariesP3DCI, TransferUnspecified, MatrixBT709}, "2.6"},
		{"P3-D60 - Display", ProRes, bt709, "BT.709"},
		{"Gamma 2.2 monitor", H264, bt709, "BT.709"},
	} {
		got, warning := ColourFor(tc.display, tc.codec)
		if got != tc.want {
			t.Errorf("ColourFor(%q, %s) = %v, want %v", tc.display, tc.codec, got, tc.want)
		}
		if (warning != "") != (tc.warn != "") || !strings.Contains(warning, tc.warn) {
			t.Errorf("ColourFor(%q, %s) warns %q, want a warning with %q", tc.display, tc.codec, warning, tc.warn)
		}
	}
}
