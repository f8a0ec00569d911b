package ui

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"flick/engine"
	"flick/engine/exr"
	"flick/engine/exr/shared"
	"flick/render"
	"flick/settings"
)

// writeShot writes frames first..last of a small sequence name.####.exr
// into dir and returns its pattern's path.
func writeShot(t *testing.T, dir, name string, first, last int) string {
	t.Helper()
	pix := make([]uint16, 16*8*4)
	for n := first; n <= last; n++ {
		for i := range pix {
			pix[i] = uint16(0x3000 + (i*7+n)%0x400)
		}
		if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("%s.%04d.exr", name, n)), 16, 8, pix, exr.ZIP, 24); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, name+".####.exr")
}

// Every layer of every part of a multi-part stereo file is chosen again by
// its names (part, view, layer): what a session and a new version keep.
func TestSelectNames(t *testing.T) {
	o := inspect(shared.File(t, "exr-samples", "Beachball/multipart.0001.exr"), nil)
	if o.err != nil {
		t.Fatal(o.err)
	}
	s := newSource(o)
	chosen := 0
	for _, p := range s.parts {
		for _, l := range p.Layers {
			if err := s.selectNames(p.Name, l.View, l.BaseName()); err != nil {
				t.Errorf("part %q layer %q: %v", p.Name, l.Name, err)
				continue
			}
			want, err := exr.LayerSelection(p, l.Name)
			if err != nil {
				t.Fatal(err)
			}
			part, view, layer := s.names()
			if s.sel != want || s.decoded != want || s.selName != layerKey(p.Index, l.Name) ||
				part != p.Name || view != l.View || layer != l.BaseName() {
				t.Errorf("part %q layer %q: selection %+v %q, names %q %q %q; want %+v", p.Name, l.Name, s.sel, s.selName, part, view, layer, want)
			}
			chosen++
		}
	}
	if chosen < 2 {
		t.Fatalf("the sample has %d layers; the test needs several", chosen)
	}
	before := s.sel
	if err := s.selectNames("no such part", "", ""); err == nil || s.sel != before {
		t.Errorf("a part the file lacks: error %v, selection %+v (was %+v)", err, s.sel, before)
	}
	if err := s.selectNames("", defaultView(s.views), ""); err != nil || s.sel != (exr.Selection{}) || s.selName != "default" {
		t.Errorf("the file's default: error %v, selection %+v %q", err, s.sel, s.selName)
	}
}

// A session file restored into the viewer's state gives back, field for
// field, the session it was read from: each value reaches its one owner
// (the shots, the session's comparison and clock, the display settings,
// the OpenColorIO choices, the input colour space picks) and is read back
// from it. A source whose files are gone is a missing shot, kept as it was
// read; A missing shows another shot.
func TestSessionStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	plate := writeShot(t, dir, "plate", 1001, 1004)
	beach := shared.File(t, "exr-samples", "Beachball/multipart.0001.exr")
	o := inspect(beach, nil)
	if o.err != nil {
		t.Fatal(o.err)
	}
	last := o.parts[len(o.parts)-1]
	layer := last.Layers[len(last.Layers)-1]
	want := settings.Session{A: 1, B: 0, Compare: "side", WipeX: 0.25, WipeY: 0.75, WipeAngle: 30, Blend: 0.3, Gain: 2,
		Sync: "start", Frame: 3, In: 2, Out: 4, Loop: "pingpong", Realtime: true, FPS: 30,
		Channels: "luminance", Transform: render.ScreenTransformNames()[1], Exposure: 1.5, Gamma: 2.2,
		ShowNaN: true, Checker: true, Display: "sRGB", View: "Film", Look: "warm",
		Sources: []settings.SessionSource{
			{Path: plate, Range: "1001-1003", Offset: 2, InputCS: "ACEScg"},
			{Path: filepath.Join(filepath.Dir(beach), "multipart.####.exr"), Offset: -1,
				Part: last.Name, View: layer.View, Layer: layer.BaseName()},
			{Path: filepath.Join(dir, "gone", "shot.####.exr"), Range: "1-10", Offset: 5, Layer: "diffuse", InputCS: "sRGB"},
		}}
	path := filepath.Join(dir, "show.flick")
	if err := settings.WriteSession(path, want); err != nil {
		t.Fatal(err)
	}
	f, err := ReadSessionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{settings: settings.Defaults(), ses: session{b: -1, cmp: defaultCompare(),
		pool: engine.NewPool(1), cache: engine.NewCache(64<<20, 0.75)}}
	defer a.ses.pool.Close()
	a.ses.shots, a.ses.cur = f.shots(), f.shown
	defer func() {
		for _, sh := range a.ses.shots {
			if l := sh.unload(); l != nil {
				l.Close()
			}
		}
	}()
	a.activate(f.First().Range.Start, nil)
	a.restore(f)
	got := a.sessionState()
	want.Sources[2].Missing = true // the viewer knows; the file never says
	if !reflect.DeepEqual(got, want) {
		t.Errorf("restored and read back:\n%+v\nwant\n%+v", got, want)
	}
	if !a.ses.comparing() || a.ses.bSrc() != a.ses.shots[0] || a.src().seq.Range.Start != 1 {
		t.Errorf("comparing %v, B %v, A's range %v: want shot 1 compared with shot 2", a.ses.comparing(), a.ses.b, a.src().seq.Range)
	}
	if st := a.ses.shots[2].status(); st == "" || a.ses.shots[2].loader != nil {
		t.Errorf("the missing shot: status %q, loader %v", st, a.ses.shots[2].loader)
	}
	if a.sessionPath != path {
		t.Errorf("the session's file is %q, want %q", a.sessionPath, path)
	}

	// A gone: the first shot found is shown, and B is none.
	want.A, want.B = 2, 1
	if err := settings.WriteSession(path, want); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadSessionFile(path); err != nil || f.shown != 0 {
		t.Errorf("A missing: shown %v, error %v; want the first shot", f, err)
	}
	// Every source gone: nothing to show, an error.
	want.Sources = want.Sources[2:]
	want.A, want.B = 0, -1
	if err := settings.WriteSession(path, want); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadSessionFile(path); err == nil {
		t.Error("a session with no source found opens")
	}
}
