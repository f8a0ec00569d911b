package exr

import (
	"testing"
	"time"

	"flick/engine/exr/shared"
)

// samplesDir returns ../shared/exr-samples, the OpenEXR sample images,
// skipping the test when they are absent (failing under
// FLICK_REQUIRE_SAMPLES=1: engine/exr/shared).
func samplesDir(t testing.TB) string {
	t.Helper()
	return shared.Dir(t, "exr-samples")
}

// sample returns the path of one sample image, as samplesDir.
func sample(t testing.TB, rel string) string {
	t.Helper()
	return shared.File(t, "exr-samples", rel)
}

// findSamples returns the sample images' folder for tests that have cases
// without them (fuzz seeds): false when absent, a failure under
// FLICK_REQUIRE_SAMPLES=1.
func findSamples(t testing.TB) (string, bool) {
	t.Helper()
	return shared.Lookup(t, "exr-samples")
}

// returns runs f on a goroutine of its own and gives its result, failing
// the test if f has not returned within a minute: a guard against a hang
// (a hostile file sending a loop round forever), not a timing.
func returns(t testing.TB, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("no result after a minute: it hangs")
		return nil
	}
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
