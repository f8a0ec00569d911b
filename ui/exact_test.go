package ui

import (
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/x448/float16"

	"flick/engine"
	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// exactFrame is a frame of path as the cache holds it, without pixels:
// the selection sel decoded from part 0, its header and windows.
func exactFrame(t *testing.T, path string, sel exr.Selection) *engine.Frame {
	t.Helper()
	f, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := f.Header()
	dw := h.DataWindow
	return &engine.Frame{Path: path, Channels: sel, Header: h,
		DataWindow: image.Rect(dw.MinX, dw.MinY, dw.MaxX+1, dw.MaxY+1)}
}

// waitWake waits for exactValues to say a chunk is in.
func waitWake(t *testing.T, woke <-chan struct{}) {
	t.Helper()
	select {
	case <-woke:
	case <-time.After(time.Minute):
		t.Fatal("no chunk decoded after a minute")
	}
}

// TestProbeExactValues: over FLOAT channels (V-Ray's Cryptomatte IDs) the
// probe gives the frame's half values until the chunk under the cursor is
// decoded, then the file's own float values, bit for bit as the whole
// part decodes, which half cannot hold; over HALF channels it decodes
// nothing; an unreadable file leaves the half values, said so.
func TestProbeExactValues(t *testing.T) {
	path := shared.File(t, "cryptomatte", "psyop/cornellBox_CryptoWildcard.0001.exr")
	sel := exr.Selection{Names: [4]string{"uCryptoWildcard00.R", "uCryptoWildcard00.G", "uCryptoWildcard00.B", "uCryptoWildcard00.A"}}
	fr := exactFrame(t, path, sel)

	// The reference: the whole data window decoded at once.
	f, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := f.ChunksOf(sel)
	dw := fr.Header.DataWindow
	whole := make([]float32, 4*dw.Width()*dw.Height())
	if err := f.DecodeFloat(whole, dw, sel, 0, n); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// A pixel whose ID half rounds away.
	at := image.Point{-1, -1}
	for i := 0; i < len(whole); i += 4 {
		if v := whole[i]; v != 0 && float16.Fromfloat32(v).Float32() != v {
			at = image.Pt(dw.MinX+i/4%dw.Width(), dw.MinY+i/4/dw.Width())
			break
		}
	}
	if at.X < 0 {
		t.Fatal("no ID that half rounds")
	}
	k := 4 * ((at.Y-dw.MinY)*dw.Width() + at.X - dw.MinX)
	want := [4]float32(whole[k : k+4])
	var halfVals [4]float32
	for s := range halfVals {
		halfVals[s] = float16.Fromfloat32(want[s]).Float32()
	}

	woke := make(chan struct{}, 16)
	e := exactValues{wake: func() { woke <- struct{}{} }}
	if v, st := e.lookup(fr, at, halfVals); st != exactPending || v != halfVals {
		t.Fatalf("first look: %v %v, want the half values, pending", v, st)
	}
	waitWake(t, woke)
	v, st := e.lookup(fr, at, halfVals)
	if st != exactIn {
		t.Fatalf("after the decode: state %v", st)
	}
	for s := range v {
		if math.Float32bits(v[s]) != math.Float32bits(want[s]) {
			t.Fatalf("slot %d: %v, the file holds %v", s, v[s], want[s])
		}
	}
	// The pixel beside it is in the same chunk (a scanline): no decode.
	if _, st := e.lookup(fr, image.Pt(dw.MinX, at.Y), halfVals); st != exactIn {
		t.Errorf("a pixel of the same chunk: state %v", st)
	}
	p := probe{InData: true, Values: v, Exact: st}
	if !strings.Contains(p.String(), "the file's float values") {
		t.Errorf("probe text %q does not say its values are the file's", p.String())
	}

	beach := exactFrame(t, shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr"), exr.Selection{})
	if _, st := e.lookup(beach, image.Pt(1000, 600), halfVals); st != exactNotNeeded {
		t.Errorf("HALF channels: state %v", st)
	}

	gone := exactFrame(t, path, sel)
	gone.Path = filepath.Join(t.TempDir(), "gone.exr")
	if _, st := e.lookup(gone, at, halfVals); st != exactPending {
		t.Fatalf("a missing file: state %v", st)
	}
	waitWake(t, woke)
	if v, st := e.lookup(gone, at, halfVals); st != exactFailed || v != halfVals {
		t.Errorf("a missing file: %v %v, want the half values, failed", v, st)
	}
}
