package engine

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"flick/engine/exr"
)

// writeFlat writes a 2x2 EXR file whose R channel is the half value v
// everywhere, so a decoded pixel tells which file it came from.
func writeFlat(t *testing.T, path string, v uint16) {
	t.Helper()
	pix := make([]uint16, 4*2*2)
	for i := 0; i < len(pix); i += 4 {
		pix[i], pix[i+3] = v, 0x3c00
	}
	if err := exr.WriteRGBA(path, 2, 2, pix, exr.None, 0); err != nil {
		t.Fatal(err)
	}
}

// TestViewsSource opens RV's %V and %v notations on real files and checks
// that the views are presented as the parts of one multi-view file: the
// parts name the views, a selection of the right view's part decodes the
// right file, and the zero selection the left one. A frame is present only
// where every view has its file.
func TestViewsSource(t *testing.T) {
	const left, right = 0x3c00, 0x4000 // 1.0 and 2.0
	for _, tc := range []struct {
		pattern, file string // file: fmt's format of a file name from view and frame
		views         []string
		name          string // String()
	}{
		{"shot.%V.####.exr", "shot.%s.%04d.exr", []string{"left", "right"}, "shot.%V.1001-1004#.exr"},
		{"shot_%v.#.exr", "shot_%s.%04d.exr", []string{"l", "r"}, "shot_%v.1001-1004#.exr"},
		{"shot.#.%V.exr", "shot.%04[2]d.%[1]s.exr", []string{"left", "right"}, "shot.1001-1004#.%V.exr"},
	} {
		t.Run(tc.pattern, func(t *testing.T) {
			dir := t.TempDir()
			views := tc.views
			for _, n := range []int{1001, 1002, 1004} {
				writeFlat(t, filepath.Join(dir, fmt.Sprintf(tc.file, views[0], n)), left)
			}
			for _, n := range []int{1001, 1002, 1003, 1004} {
				writeFlat(t, filepath.Join(dir, fmt.Sprintf(tc.file, views[1], n)), right)
			}
			s, err := Find(filepath.Join(dir, tc.pattern))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Views, views) || !slices.Equal(s.Frames, []int{1001, 1002, 1004}) ||
				!slices.Equal(s.Missing(), []int{1003}) || s.String() != tc.name {
				t.Fatalf("views %v frames %v missing %v name %q", s.Views, s.Frames, s.Missing(), s)
			}
			again, err := Find(filepath.Join(dir, s.String()))
			if err != nil || !slices.Equal(again.Frames, s.Frames) || !slices.Equal(again.Views, views) {
				t.Fatalf("%q reads back as %v, %v", s, again, err)
			}
			parts, err := s.Parts(1002)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != 2 || parts[0].View != views[0] || parts[1].View != views[1] || parts[1].Index != 1 ||
				parts[1].Layers[0].View != views[1] {
				t.Fatalf("parts %+v", parts)
			}
			sel, err := exr.FindLayer(parts, views[1], "")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				sel  exr.Selection
				want uint16
				file string
			}{{exr.Selection{}, left, views[0]}, {sel, right, views[1]}} {
				f, err := LoadKey(s, Key{Frame: 1002, Channels: c.sel}, func(n int) []uint16 { return make([]uint16, n) }, testPool, nil)
				if err != nil {
					t.Fatal(err)
				}
				if f.Pix[0] != c.want || f.Path != filepath.Join(dir, fmt.Sprintf(tc.file, c.file, 1002)) {
					t.Errorf("selection %+v: R %#x from %s, want %#x from view %s", c.sel, f.Pix[0], f.Path, c.want, c.file)
				}
			}
			if _, err := s.Parts(1003); err == nil {
				t.Error("Parts of a frame one view lacks: no error")
			}
		})
	}
}
