package exr

import (
	"os"
	"path/filepath"
	"testing"
)

// findSamples returns where the OpenEXR sample images should be
// (../shared/exr-samples from the module root) and whether they are there.
func findSamples() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "../shared/exr-samples (no go.mod found)", false
		}
		dir = parent
	}
	s := filepath.Join(dir, "..", "shared", "exr-samples")
	st, err := os.Stat(s)
	return s, err == nil && st.IsDir()
}

// samplesDir returns the sample images' folder, or skips the test when it
// is not there.
func samplesDir(t testing.TB) string {
	t.Helper()
	s, ok := findSamples()
	if !ok {
		t.Skipf("exr samples not found at %s: skipping (they are the OpenEXR test images)", s)
	}
	return s
}

// sample returns the path of one sample image, skipping when it is absent.
func sample(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(samplesDir(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("sample %s not found", rel)
	}
	return p
}

// decodeFile opens path and decodes it with its default selection.
func decodeFile(t testing.TB, path string) (Header, []uint16) {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	h := f.Header()
	sel, err := DefaultSelection(h)
	if err != nil {
		t.Fatalf("DefaultSelection: %v", err)
	}
	dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
	if err := f.Decode(dst, sel); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	return h, dst
}

// openSample opens a sample image for the rest of the test (closed at its
// end) and returns it with a buffer of the RGBA size of its data window.
func openSample(t *testing.T, rel string) (*File, []uint16) {
	t.Helper()
	f, err := Open(sample(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	h := f.Header()
	return f, make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
}

// decodeWith is DecodeChunks with the test switches of decodeOptions.
func decodeWith(f *File, dst []uint16, sel Selection, begin, end int, opt decodeOptions) error {
	t, err := f.target(sel)
	if err != nil {
		return err
	}
	return f.decode(dst, sel, t, begin, end, opt)
}

// decodeVia opens path and decodes sel whole through path v.
func decodeVia(path string, dst []uint16, sel Selection, v via) error {
	f, err := Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := f.ChunksOf(sel)
	if err != nil {
		return err
	}
	return decodeWith(f, dst, sel, 0, n, decodeOptions{via: v})
}
