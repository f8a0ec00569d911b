package ui

import (
	"path/filepath"
	"slices"
	"testing"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// Beachball keeps its views in channel names (single-part, multiView
// attribute) and in parts (multi-part); both list right, the default, then
// left, and the RGBA of either view is found from either file's layout.
func TestFileViewsOfStereoFiles(t *testing.T) {
	dir := shared.File(t, "exr-samples", "Beachball")
	for _, name := range []string{"singlepart.0001.exr", "multipart.0001.exr"} {
		f, err := exr.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		parts, err := f.Parts()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := fileViews(parts); !slices.Equal(got, []string{"right", "left"}) {
			t.Errorf("%s: views %v, want [right left]", name, got)
		}
		left, errL := exr.FindLayer(parts, "left", "")
		right, errR := exr.FindLayer(parts, "right", "")
		if errL != nil || errR != nil || left == right {
			t.Errorf("%s: left %+v (%v), right %+v (%v): want two RGBA selections", name, left, errL, right, errR)
		}
	}
	if got := fileViews([]exr.Part{{}}); got != nil {
		t.Errorf("a file without views: %v", got)
	}
}
