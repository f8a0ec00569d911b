package main

import (
	"bytes"
	"image"
	"strings"
	"testing"

	"flick/engine/exr/shared"
)

// flick export's --burnin and --field: templates are checked against the
// standard fields and --field's, whatever the order of the flags; a
// malformed one is a usage error (exit 2) naming it.
func TestExportBurninFlags(t *testing.T) {
	base := []string{"export", "shot.####.exr", "-o", "a.mov"}
	for _, c := range []struct {
		args []string
		ok   bool
		says string
	}{
		{args: []string{"--burnin", "TL={shot} v{version}", "--burnin", "BR={frame}  {tc}"}, ok: true},
		{args: []string{"--burnin", "B={vendor}", "--field", "vendor=ACME"}, ok: true},
		{args: []string{"--burnin", "B={vendor}"}, says: "unknown field {vendor}"},
		{args: []string{"--burnin", "TL={shot"}, says: "unclosed {"},
		{args: []string{"--burnin", "MM=x"}, says: `unknown position "MM"`},
		{args: []string{"--burnin", "TL="}, says: "empty text"},
		{args: []string{"--field", "no value"}, says: "KEY=VALUE"},
	} {
		var stdout, stderr bytes.Buffer
		f, code, ok := parseExportFlags(append(base[1:], c.args...), &stdout, &stderr)
		if c.ok {
			if !ok {
				t.Errorf("%q: exit %d: %s", c.args, code, stderr.String())
			} else if len(f.burnins) == 0 {
				t.Errorf("%q: no burn-ins parsed", c.args)
			}
			continue
		}
		if ok || code != 2 || !strings.Contains(stderr.String(), c.says) {
			t.Errorf("%q: exit %d, %q; want exit 2 naming %q", c.args, code, stderr.String(), c.says)
		}
	}
}

// Shift+B overlays the burn-ins on the viewer's picture and takes them off
// again: what changes is in the picture's four corners (the default
// templates' places) and nowhere else, and it all goes back.
func TestViewerBurnins(t *testing.T) {
	v := startViewer(t, t.TempDir(), shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr"))
	v.waitTitle(func(n int) bool { return n == 1 }, "frame 1")
	v.overViewer()
	r := v.viewRect()
	var off, on image.Image
	v.waitFor(func() bool { off = v.shot(); return distinctColours(off, r) > 100 }, "a picture")
	v.key("shift+b")
	v.waitFor(func() bool { on = v.shot(); return changedShare(on, off, r) > 0.002 }, "the burn-ins")
	// The picture (2048x1556) fits the viewer, centred.
	pw, ph := r.Dx(), r.Dx()*1556/2048
	if ph > r.Dy() {
		pw, ph = r.Dy()*2048/1556, r.Dy()
	}
	pic := image.Rect(0, 0, pw, ph).Add(image.Pt(r.Min.X+(r.Dx()-pw)/2, r.Min.Y+(r.Dy()-ph)/2))
	corners := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c, d := colourAt(on, x, y), colourAt(off, x, y)
			if c == d {
				continue
			}
			top, bottom := y < pic.Min.Y+ph/4, y >= pic.Max.Y-ph/4
			left, right := x < pic.Min.X+pw/3, x >= pic.Max.X-pw/3
			if !image.Pt(x, y).In(pic) || !(top || bottom) || !(left || right) {
				t.Fatalf("pixel (%d, %d) of the picture at %v changed outside its corners (see %s, %s)",
					x, y, pic, keep(t, off, "burnins-off"), keep(t, on, "burnins-on"))
			}
			corners++
		}
	}
	if corners < 400 {
		t.Errorf("only %d pixels changed with the burn-ins on", corners)
	}
	v.key("shift+b")
	v.waitFor(func() bool { return changedShare(v.shot(), off, r) == 0 }, "the picture without burn-ins again")
	v.quit()
}
