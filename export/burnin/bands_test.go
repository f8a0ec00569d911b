package burnin

import (
	"bytes"
	"image"
	"testing"
)

func mustParseAll(t *testing.T, specs ...string) []Template {
	t.Helper()
	ts, err := ParseAll(specs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// TestBandsPlacement: every band lies inside the output, in its corner or
// at its edge's middle, away from the edges, and bands stacked at one
// position do not overlap.
func TestBandsPlacement(t *testing.T) {
	ts := mustParseAll(t, "TL={shot}", "T=top", "TR={view}", "L=left", "R=right", "BL={tc}", "B=bottom", "BR={frame}", "BR=second")
	f := Fields{"shot": "sh010", "view": "ACES 1.0 - SDR Video", "tc": "01:00:00:00", "frame": "1001"}
	for _, size := range []image.Point{{960, 540}, {1920, 1080}, {3840, 2160}, {200, 100}} {
		out := image.Rectangle{Max: size}
		bs := NewRenderer(size.X, size.Y, ts).Bands(f)
		for i, b := range bs {
			r := b.Bounds()
			if r.Empty() || !r.In(out) || r.Min.X == 0 && r.Max.X < size.X || r.Min.Y == 0 {
				t.Errorf("%v: band %d (%s) at %v: not inside the output, off its edges", size, i, ts[i].Spec, r)
			}
			cx, cy := (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2
			left, right, top, bottom := cx < size.X/3, cx > 2*size.X/3, cy < size.Y/3, cy > 2*size.Y/3
			want := map[Position][4]bool{TL: {true, false, true, false}, T: {false, false, true, false}, TR: {false, true, true, false},
				L: {true, false, false, false}, R: {false, true, false, false}, BL: {true, false, false, true},
				B: {false, false, false, true}, BR: {false, true, false, true}}[ts[i].Pos]
			if size.X >= 960 && [4]bool{left, right, top, bottom} != want {
				t.Errorf("%v: band %d (%s) at %v is not at %v", size, i, ts[i].Spec, r, ts[i].Pos)
			}
		}
		if a, b := bs[7].Bounds(), bs[8].Bounds(); a.Overlaps(b) || a.Min.Y >= b.Min.Y {
			t.Errorf("%v: stacked BR bands at %v and %v: overlapping or out of order", size, a, b)
		}
	}
}

// TestBandsScaleWithHeight: the text's size follows the output's height, so
// the bands at 4K are twice as tall as at 1080 lines, and at 960x540 the
// text is still at least 12 pixels.
func TestBandsScaleWithHeight(t *testing.T) {
	ts := mustParseAll(t, "BR=1042")
	h := func(w, hgt int) int { return NewRenderer(w, hgt, ts).Bands(nil)[0].Bounds().Dy() }
	small, hd, uhd := h(960, 540), h(1920, 1080), h(3840, 2160)
	if uhd < 2*hd-2 || uhd > 2*hd+2 || hd < 2*small-3 || hd > 2*small+3 {
		t.Errorf("band heights %d, %d, %d at 540, 1080, 2160 lines: not proportional", small, hd, uhd)
	}
	if f := NewRenderer(960, 540, ts); f.face.Height() < 12 {
		t.Errorf("text %d pixels tall at 960x540", f.face.Height())
	}
}

// TestBandPixels: a band is the translucent dark colour with white,
// anti-aliased text over it, premultiplied.
func TestBandPixels(t *testing.T) {
	b := NewRenderer(1920, 1080, mustParseAll(t, "TL=Frame 1042")).Bands(nil)[0]
	var bg, white, edge int
	for i := 0; i < len(b.Pix); i += 4 {
		p := b.Pix[i : i+4]
		if p[0] > p[3] || p[0] != p[1] || p[1] != p[2] {
			t.Fatalf("pixel %v: not premultiplied grey", p)
		}
		switch {
		case p[0] == bandColour.R && p[3] == bandColour.A:
			bg++
		case p[0] == 255 && p[3] == 255:
			white++
		case p[3] >= bandColour.A && p[0] > 0:
			edge++
		default:
			t.Fatalf("pixel %v: neither band, text nor in between", p)
		}
	}
	if bg < len(b.Pix)/8 || white < 100 || edge < 100 {
		t.Errorf("band of %v: %d band pixels, %d text, %d anti-aliased edge: want all three", b.Bounds(), bg, white, edge)
	}
}

// TestBandsRenderOnlyChanges: a band whose text is the same is the same
// image; one whose text changes is a new image showing other pixels, and
// the old one is left as it was.
func TestBandsRenderOnlyChanges(t *testing.T) {
	r := NewRenderer(1920, 1080, mustParseAll(t, "TL={shot}", "BR={frame}"))
	a := r.Bands(Fields{"shot": "sh010", "frame": "1001"})
	before := bytes.Clone(a[1].Pix)
	b := r.Bands(Fields{"shot": "sh010", "frame": "1002"})
	if a[0] != b[0] {
		t.Error("the unchanged shot band was rendered again")
	}
	if a[1] == b[1] || bytes.Equal(a[1].Pix, b[1].Pix) {
		t.Error("frame 1002's band is frame 1001's")
	}
	if !bytes.Equal(a[1].Pix, before) {
		t.Error("frame 1001's band changed after it was returned")
	}
}

func BenchmarkBandsPerFrame(b *testing.B) {
	ts, err := ParseAll(Defaults, nil)
	if err != nil {
		b.Fatal(err)
	}
	r := NewRenderer(960, 540, ts)
	f := Fields{"shot": "sh010_comp", "version": "012", "view": "ACES 1.0 - SDR Video", "range": "1001-1048"}
	frames := []string{"1001", "1002", "1003", "1004"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		f["frame"], f["tc"] = frames[i%4], "01:00:00:0"+frames[i%4][3:]
		r.Bands(f)
	}
}
