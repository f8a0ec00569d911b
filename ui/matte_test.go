package ui

import (
	"image"
	"math"
	"strings"
	"testing"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// The matte worker picks Gaffer's /cow at its pixel of oracles.json, fills
// an overlay that leaves /cow's pixels alone and dims the rest to
// matteDim, and decodes the frame's ranks once for both.
func TestMatteWorkerPicksAndDims(t *testing.T) {
	path := shared.File(t, "cryptomatte", "gaffer/cryptomatte.exr")
	w := &matteWorker{free: make(chan *image.RGBA, 1)}
	key := matteKey{path: path}
	r := w.do(matteJob{key: key, pick: true, at: image.Pt(95, 6)})
	if r.err != nil || r.entry != "/cow" || r.layer != "crypto_object" {
		t.Fatalf("pick at (95,6): %q in %q, %v; want /cow in crypto_object", r.entry, r.layer, r.err)
	}
	ranks := w.frames[0].ranks["crypto_object"]
	key.show = true
	r = w.do(matteJob{key: key, entries: []string{"/cow"}})
	if r.err != nil || r.img == nil {
		t.Fatalf("overlay: %v", r.err)
	}
	if len(w.frames) != 1 || w.frames[0].ranks["crypto_object"] != ranks {
		t.Errorf("the overlay decoded the ranks again")
	}
	if a := r.img.RGBAAt(95, 6).A; a != 0 {
		t.Errorf("alpha %d at /cow's pixel, want 0 (the picture shown whole)", a)
	}
	if a, want := r.img.RGBAAt(45, 49).A, uint8(math.Round(255*(1-matteDim))); a != want { // the torso
		t.Errorf("alpha %d at the torso, want %d (the picture at 30%%)", a, want)
	}
	// With nothing selected nothing is dimmed; the buffer given back is
	// the one filled.
	w.free <- r.img
	again := w.do(matteJob{key: key})
	if again.img != r.img || again.img.RGBAAt(45, 49).A != 0 {
		t.Errorf("an empty selection dims (alpha %d) or the buffer was not reused", again.img.RGBAAt(45, 49).A)
	}
	// A click where no object is picks nothing.
	if r := w.do(matteJob{key: matteKey{path: path}, pick: true, at: image.Pt(-5, 3)}); r.entry != "" || r.err != nil {
		t.Errorf("pick outside the window: %q, %v", r.entry, r.err)
	}
}

// A cryptomatte whose IDs are HALF is listed with its reason and never
// decoded: no overlay, no pick.
func TestMatteWorkerRefusesHalfIDs(t *testing.T) {
	path := shared.File(t, "cryptomatte", "cryptomatte-api/images/karma_cpu_solaris_one_crypto_16bit.exr")
	w := &matteWorker{}
	r := w.do(matteJob{key: matteKey{path: path, show: true}})
	if len(r.list) != 1 || !strings.Contains(r.list[0].Error, "FLOAT") {
		t.Fatalf("list %+v: want the one cryptomatte listed as refused for its HALF IDs", r.list)
	}
	if r.err == nil || r.img != nil || len(w.frames[0].ranks) != 0 {
		t.Errorf("overlay of HALF IDs: %v, image %v, %d decoded; want refused", r.err, r.img != nil, len(w.frames[0].ranks))
	}
	if p := w.do(matteJob{key: matteKey{path: path}, pick: true, at: image.Pt(70, 20)}); p.err == nil || p.entry != "" {
		t.Errorf("pick in HALF IDs: %q, %v; want refused", p.entry, p.err)
	}
}

// BenchmarkMatte measures matte mode's work per frame on its worker against
// decoding the frame's picture (what playback does for each frame), for
// the CornellBox pair's first frame (626x540) and cryptomatte-api's 1080p
// Clarisse render: cold (a frame not seen: its cryptomattes listed, ranks
// decoded, the overlay filled) and warm (its ranks kept: the overlay
// filled again, as for a new selection or a frame played again).
func BenchmarkMatte(b *testing.B) {
	for _, file := range []struct{ name, path string }{
		{"cornell", "psyop/cornellBox_CryptoWildcard.0001.exr"},
		{"clarisse", "cryptomatte-api/images/clarisse_two_crypto.exr"},
	} {
		path := shared.File(b, "cryptomatte", file.path)
		b.Run(file.name+"/picture", func(b *testing.B) {
			f, err := exr.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			sel, err := exr.DefaultSelection(f.Header())
			if err != nil {
				b.Fatal(err)
			}
			dw := f.Header().DataWindow
			pix := make([]uint16, 4*(dw.MaxX-dw.MinX+1)*(dw.MaxY-dw.MinY+1))
			for b.Loop() {
				if err := f.Decode(pix, sel); err != nil {
					b.Fatal(err)
				}
			}
		})
		// The selection: the object at the middle of the data window.
		w := &matteWorker{free: make(chan *image.RGBA, 1)}
		first := w.do(matteJob{key: matteKey{path: path}})
		ranks, err := w.ranks(w.frames[0], chooseCryptomatte(w.frames[0].list, first.layer))
		if err != nil {
			b.Fatal(err)
		}
		mid := image.Pt((ranks.Window.MinX+ranks.Window.MaxX)/2, (ranks.Window.MinY+ranks.Window.MaxY)/2)
		pick := w.do(matteJob{key: matteKey{path: path}, pick: true, at: mid})
		job := matteJob{key: matteKey{path: path, show: true}, entries: []string{pick.entry}}
		b.Run(file.name+"/cold", func(b *testing.B) {
			for b.Loop() {
				cold := &matteWorker{free: make(chan *image.RGBA, 1)}
				if r := cold.do(job); r.err != nil || r.img == nil {
					b.Fatal(r.err)
				}
			}
		})
		b.Run(file.name+"/warm", func(b *testing.B) {
			for b.Loop() {
				r := w.do(job)
				if r.err != nil || r.img == nil {
					b.Fatal(r.err)
				}
				w.free <- r.img
			}
		})
	}
}
