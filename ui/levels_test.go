package ui

import (
	"image"
	"testing"

	"flick/engine"
	"flick/engine/exr"
	"flick/engine/exr/shared"
)

func partsOf(t *testing.T, sample string) []exr.Part {
	t.Helper()
	f, err := exr.Open(shared.File(t, "exr-samples", sample))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parts, err := f.Parts()
	if err != nil {
		t.Fatal(err)
	}
	return parts
}

// A 512-pixel mip map seen at 0.14 (72 pixels) needs level 2 (128 pixels,
// the smallest with at least as many), with the default channels named; closer
// views and scan-line files keep the selection as it is.
func TestWithLevelFollowsScale(t *testing.T) {
	a := &source{parts: partsOf(t, "MultiResolution/ColorCodedLevels.exr")}
	def, err := exr.DefaultSelection(a.parts[0].Header)
	if err != nil {
		t.Fatal(err)
	}
	want := def
	want.LevelX, want.LevelY = 2, 2
	if got := a.withLevel(exr.Selection{}, 0.14); got != want {
		t.Errorf("at 0.14: %+v, want %+v", got, want)
	}
	if got := a.withLevel(exr.Selection{}, 0.9); got != (exr.Selection{}) {
		t.Errorf("at 0.9: %+v, want the default selection unchanged", got)
	}
	a.parts = partsOf(t, "ScanLines/Desk.exr")
	if got := a.withLevel(exr.Selection{}, 0.01); got != (exr.Selection{}) {
		t.Errorf("a scan-line file at 1/100: %+v, want the default selection unchanged", got)
	}
}

// A level keeps the data window's corner: full-resolution pixel (18, 27)
// of a window starting at (10, 20) is level 2's pixel (12, 21).
func TestLevelPixel(t *testing.T) {
	f := &engine.Frame{DataWindow: image.Rect(10, 20, 30, 40), Channels: exr.Selection{LevelX: 2, LevelY: 2}}
	if got := levelPixel(f, image.Pt(18, 27)); got != image.Pt(12, 21) {
		t.Errorf("levelPixel = %v, want (12, 21)", got)
	}
	f.Channels = exr.Selection{}
	if got := levelPixel(f, image.Pt(18, 27)); got != image.Pt(18, 27) {
		t.Errorf("at level 0: %v, want the pixel itself", got)
	}
}
