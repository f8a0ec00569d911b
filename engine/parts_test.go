package engine

import (
	"path/filepath"
	"slices"
	"testing"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// A layer of another part of a multi-part file comes through the loader
// with that part's windows and the same pixels as a direct decode, and the
// same layer of the single-part form (Beachball's left view) matches it.
func TestLoaderDecodesOtherParts(t *testing.T) {
	dir := shared.File(t, "exr-samples", "Beachball")
	multi, err := Find(filepath.Join(dir, "multipart.0001.exr"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := exr.Open(multi.Path(1))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parts, err := f.Parts()
	if err != nil {
		t.Fatal(err)
	}
	sel, err := exr.FindLayer(parts, "left", "")
	if err != nil {
		t.Fatal(err)
	}
	if sel.Part == 0 {
		t.Fatalf("the left view's RGBA is in part 0; the test wants another part (%+v)", sel)
	}
	win, err := f.Window(sel)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]uint16, 4*win.Width()*win.Height())
	if err := f.Decode(want, sel); err != nil {
		t.Fatal(err)
	}

	l := NewLoader(multi, testPool, NewCache(1<<30, 0.75))
	defer l.Close()
	l.SetOrder(Order{Frames: multi.Frames})
	l.SetChannels(sel)
	l.Request(1, 1)
	got := <-l.Frames()
	defer l.Release(got)
	if got.Err != nil {
		t.Fatal(got.Err)
	}
	if got.Channels != sel || got.DataWindow != rect(win) || got.DisplayWindow != rect(parts[sel.Part].DisplayWindow) {
		t.Errorf("frame for %+v has windows %v / %v, want %v / %v", got.Channels, got.DataWindow, got.DisplayWindow,
			rect(win), rect(parts[sel.Part].DisplayWindow))
	}
	if !slices.Equal(got.Pix, want) {
		t.Error("the loader's pixels differ from a direct decode of the part")
	}

	// The single-part file's left view: same pixels.
	single, err := exr.Open(filepath.Join(dir, "singlepart.0001.exr"))
	if err != nil {
		t.Fatal(err)
	}
	defer single.Close()
	sparts, err := single.Parts()
	if err != nil {
		t.Fatal(err)
	}
	ssel, err := exr.FindLayer(sparts, "left", "")
	if err != nil {
		t.Fatal(err)
	}
	swin, err := single.Window(ssel)
	if err != nil {
		t.Fatal(err)
	}
	spix := make([]uint16, 4*swin.Width()*swin.Height())
	if err := single.Decode(spix, ssel); err != nil {
		t.Fatal(err)
	}
	// The single-part data window is the union of the views'; compare
	// where the multi-part one lies, in image coordinates.
	if swin.MinX > win.MinX || swin.MinY > win.MinY || swin.MaxX < win.MaxX || swin.MaxY < win.MaxY {
		t.Fatalf("single-part window %+v does not hold the multi-part one %+v", swin, win)
	}
	for y := win.MinY; y <= win.MaxY; y++ {
		a := want[4*(y-win.MinY)*win.Width():][:4*win.Width()]
		b := spix[4*((y-swin.MinY)*swin.Width()+win.MinX-swin.MinX):][:4*win.Width()]
		if !slices.Equal(a, b) {
			t.Fatalf("row %d of the left view differs between the single- and multi-part files", y)
		}
	}
}
