package export

import (
	"path/filepath"
	"testing"

	"flick/export/exporttest"
)

// TestTransferTags: a movie for an sRGB display is tagged IEC 61966-2-1 on
// its stream and every frame, with BT.709 primaries and matrix; the
// default stays BT.709 throughout.
func TestTransferTags(t *testing.T) {
	for _, tc := range []struct {
		codec    Codec
		transfer Transfer
	}{{H264, TransferSRGB}, {ProRes4444, TransferSRGB}, {H264, TransferBT709}} {
		t.Run(string(tc.codec)+"/"+tc.transfer.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.mov")
			encode(t, Options{Path: path, Codec: tc.codec, Width: 64, Height: 32, FPS: Rational{24, 1}, CRF: -1, Transfer: tc.transfer}, 2)
			info, err := exporttest.Probe(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := [4]string{info.ColorPrimaries, info.ColorTransfer, info.ColorSpace, info.ColorRange}, [4]string{"bt709", tc.transfer.String(), "bt709", "tv"}; got != want {
				t.Errorf("stream tags %q, want %q", got, want)
			}
			if n, err := exporttest.DecodeTagged(path, tc.transfer.String(), func(int, []uint16) error { return nil }); err != nil || n != 2 {
				t.Errorf("decoded %d frames: %v", n, err)
			}
		})
	}
	if _, err := Create(Options{Path: filepath.Join(t.TempDir(), "x.mov"), Codec: H264, Width: 64, Height: 32, FPS: Rational{24, 1}, Transfer: 7}); err == nil {
		t.Error("an unknown transfer was taken")
	}
}

// TestTransferFor names the tag of each display of the ACES configs.
func TestTransferFor(t *testing.T) {
	for display, want := range map[string]struct {
		t  Transfer
		ok bool
	}{
		"sRGB - Display":              {TransferSRGB, true},
		"sRGB":                        {TransferSRGB, true},
		"Rec.1886 Rec.709 - Display":  {TransferBT709, true},
		"Rec.1886 Rec.2020 - Display": {TransferBT709, false},
		"Rec.2100-PQ - Display":       {TransferBT709, false},
		"Rec.2100-HLG - Display":      {TransferBT709, false},
		"ST2084-P3-D65 - Display":     {TransferBT709, false},
		"P3-D65 - Display":            {TransferBT709, false},
		"DisplayP3 - Display":         {TransferBT709, false},
		"Gamma 2.2 monitor":           {TransferBT709, false},
	} {
		if got, ok := TransferFor(display); got != want.t || ok != want.ok {
			t.Errorf("TransferFor(%q) = %v, %v; want %v, %v", display, got, ok, want.t, want.ok)
		}
	}
}
