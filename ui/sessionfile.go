package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"flick/engine"
	"flick/engine/exr"
	"flick/render"
	"flick/render/ocio"
	"flick/settings"
)

// SessionExt is the extension of a session file: a path ending in it opens
// as a session (the command line, File → Open, a drop), and one saved
// without it gets it.
const SessionExt = ".flick"

// IsSession reports whether path names a session file (by its extension).
func IsSession(path string) bool { return strings.EqualFold(filepath.Ext(path), SessionExt) }

// SessionFile is a session file read and its sources looked for: what the
// viewer restores (Options.Session, File → Open). Sources whose files are
// gone are kept, as missing shots.
type SessionFile struct {
	path    string // absolute
	ses     settings.Session
	sources []opened // one per ses.Sources; err set for a source not found
	shown   int      // the shot shown first: A, or the first found when A is gone
}

// ReadSessionFile reads the session file at path and looks for its
// sources (Find, and the first frame's headers). A file that cannot be read
// is a *settings.SessionError naming the file and line; a session none of
// whose sources is found is an error too (there is nothing to show).
func ReadSessionFile(path string) (*SessionFile, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	ses, err := settings.ReadSession(path) // its errors name the file as given
	if err != nil {
		return nil, err
	}
	f := &SessionFile{path: abs, ses: ses, shown: -1}
	for _, src := range ses.Sources {
		o := opened{path: src.Path, rng: src.Range}
		var r *engine.Range
		if src.Range != "" {
			rng, err := engine.ParseRange(src.Range)
			if err != nil {
				o.err = err
				f.sources = append(f.sources, o)
				continue
			}
			r = &rng
		}
		seq, err := engine.FindRange(src.Path, r)
		if err != nil {
			o.err = err
		} else {
			o = inspect(src.Path, seq)
			o.rng = src.Range
		}
		f.sources = append(f.sources, o)
	}
	if f.sources[ses.A].err == nil {
		f.shown = ses.A
	} else {
		f.shown = slices.IndexFunc(f.sources, func(o opened) bool { return o.err == nil })
	}
	if f.shown < 0 {
		return nil, fmt.Errorf("session %s: none of its sources is found (the first: %v)", path, f.sources[0].err)
	}
	return f, nil
}

// First is the sequence shown first: A's, or the first source found when
// A's is gone.
func (f *SessionFile) First() *engine.Sequence { return f.sources[f.shown].seq }

// shots are f's sources as the session's shots, in order: a source not
// found is a missing shot (gone).
func (f *SessionFile) shots() []*source {
	out := make([]*source, len(f.sources))
	for i, o := range f.sources {
		if o.err != nil {
			out[i] = missingSource(o)
		} else {
			out[i] = newSource(o)
		}
	}
	return out
}

// missingSource is a shot whose files are gone: listed in the Shots panel
// as missing, never shown, kept when the session is saved again. Its
// sequence only names it: its file name with each run of #s as one, as RV
// writes a pattern (Dear ImGui would take what follows a "##" in a label
// for its ID), and the range saved, when it parses.
func missingSource(o opened) *source {
	seq := &engine.Sequence{Dir: filepath.Dir(o.path), Suffix: hashRuns.ReplaceAllString(filepath.Base(o.path), "#")}
	if r, err := engine.ParseRange(o.rng); err == nil {
		seq.Range = r
	}
	return &source{path: o.path, rng: o.rng, seq: seq, gone: o.err, missing: map[int]bool{}, selName: "default"}
}

// hashRuns are runs of #s in a pattern.
var hashRuns = regexp.MustCompile("#+")

// names is the shot's channel selection by name, as a session keeps it:
// its part's name (when a layer is chosen), its view and its layer
// (Layer.BaseName; "" the unnamed one).
func (s *source) names() (part, view, layer string) {
	if s.selName != "default" && s.sel.Part < len(s.parts) {
		part = s.parts[s.sel.Part].Name
	}
	return part, s.stereo, s.layer
}

// selectNames chooses the channels names name (source.names: part, view,
// layer) in this shot's file, for a shot not on screen or about to be
// loaded (the loader decodes them once activate makes it). No part, no
// layer and the file's first view are its default channels. An error says
// the file has no such layer; the selection is left as it was.
func (s *source) selectNames(part, view, layer string) error {
	if part == "" && layer == "" && view == defaultView(s.views) {
		s.sel, s.decoded, s.selName, s.stereo, s.layer = exr.Selection{}, exr.Selection{}, "default", view, ""
		return nil
	}
	parts := s.parts
	if part != "" {
		i := slices.IndexFunc(s.parts, func(p exr.Part) bool { return p.Name == part })
		if i < 0 {
			return fmt.Errorf("%s has no part %q", s.name(), part)
		}
		parts = s.parts[i : i+1]
	}
	sel, err := exr.FindLayer(parts, view, layer)
	if err != nil {
		return fmt.Errorf("%s: %w", s.name(), err)
	}
	s.sel, s.decoded, s.selName, s.stereo, s.layer = sel, sel, layerKeyOf(s.parts, sel), view, layer
	return nil
}

// layerKeyOf is the Channels panel's key (layerKey) of the layer sel
// selects, "" when no layer of its part gives exactly sel.
func layerKeyOf(parts []exr.Part, sel exr.Selection) string {
	if sel.Part >= len(parts) {
		return ""
	}
	p := parts[sel.Part]
	for _, l := range p.Layers {
		if s, err := exr.LayerSelection(p, l.Name); err == nil && s == sel {
			return layerKey(p.Index, l.Name)
		}
	}
	return ""
}

// sessionState is the viewer's session in a .flick file's values, each
// taken from its one owner: the shots (their paths as given made absolute,
// range, offset, selection; the input colour space pick from the
// settings), the session and its clock, the display settings and the
// OpenColorIO choices.
func (a *app) sessionState() settings.Session {
	c := a.ses.clock
	g := a.view.Gamma
	if g == 0 {
		g = 1 // unset is 1; a session file says it
	}
	s := settings.Session{A: a.ses.cur, Frame: c.Frame(), In: a.ses.in(), Out: a.ses.out(),
		Loop: c.Order().Repeat.String(), Realtime: c.Mode() == engine.Realtime, FPS: c.FPS(),
		Channels: strings.ToLower(a.view.Channels.String()), Transform: a.view.Transform.Name(),
		Exposure: wide(a.view.Exposure), Gamma: wide(g), ShowNaN: a.view.ShowNaN, Checker: a.view.Checker,
		OCIOConfig: a.col.source.Name, Display: a.col.dv.Display, View: a.col.dv.View, Look: a.col.dv.Look}
	a.compareState(&s)
	for _, sh := range a.ses.shots {
		p, err := filepath.Abs(sh.path)
		if err != nil {
			p = sh.path
		}
		src := settings.SessionSource{Path: p, Range: sh.rng, Offset: sh.offset}
		if sh.gone == nil {
			src.Part, src.View, src.Layer = sh.names()
			src.InputCS = a.settings.InputPicks[PickKey(sh.seq)]
		} else if sh.saved != nil {
			src = *sh.saved // as it was read: nothing of it is known but what the file said
			src.Offset, src.Missing = sh.offset, true
		}
		s.Sources = append(s.Sources, src)
	}
	return s
}

// restore puts f's session on screen, the shots being f's and the shown
// one current and activated: every setting's owner takes its value (the
// session's compare state and clock, each shot's selection and offset,
// the display settings, the OpenColorIO choices unless --ocio gave a
// config), then the saved frame is shown. What cannot be restored (a
// layer a file no longer has, a missing A or B) is said in the log.
func (a *app) restore(f *SessionFile) {
	s := f.ses
	a.sessionPath = f.path
	for i, sh := range a.ses.shots {
		src := s.Sources[i]
		sh.offset = src.Offset
		if sh.gone != nil {
			sh.saved = &src
			a.log.add(levelWarning, fmt.Sprintf("missing: %s (%v)", src.Path, sh.gone))
			continue
		}
		a.settings.PickInput(PickKey(sh.seq), src.InputCS)
		if err := sh.selectNames(src.Part, src.View, src.Layer); err != nil {
			a.log.add(levelWarning, err.Error())
		}
	}
	if f.shown != s.A {
		a.log.add(levelWarning, fmt.Sprintf("shot %d (A) is missing: %s is shown", s.A+1, a.src().name()))
	}
	if a.src().sel != (exr.Selection{}) {
		a.decode(a.src().withLevel(a.src().sel, a.camera.Scale))
	}
	a.restoreCompare(s, f.sources)
	c := a.ses.clock
	if r, err := engine.ParseRepeat(s.Loop); err == nil {
		c.SetRepeat(r)
	} else {
		a.log.add(levelWarning, "session loop: "+err.Error())
	}
	c.SetMode(engine.EveryFrame)
	if s.Realtime {
		c.SetMode(engine.Realtime)
	}
	c.SetFPS(s.FPS)
	if err := c.SetInOut(s.In, s.Out); err != nil {
		a.log.add(levelWarning, "session in/out: "+err.Error())
	}
	a.ses.setOrders()
	a.restoreDisplay(s)
	a.seek(s.Frame) // the title follows once the frame is shown
}

// restoreDisplay sets the display settings and the OpenColorIO choices of
// s (names that do not parse are said and left as they were).
func (a *app) restoreDisplay(s settings.Session) {
	if ch, err := render.ParseChannels(s.Channels); err == nil {
		a.view.Channels = ch
	} else {
		a.log.add(levelWarning, "session channels: "+err.Error())
	}
	if t, err := render.ParseTransform(s.Transform); err == nil {
		a.view.Transform = t
	} else {
		a.log.add(levelWarning, "session transform: "+err.Error())
	}
	a.view.Exposure, a.view.Gamma = float32(s.Exposure), float32(s.Gamma)
	a.view.ShowNaN, a.view.Checker, a.dirty = s.ShowNaN, s.Checker, true
	want := ocio.DisplayView{Display: s.Display, View: s.View, Look: s.Look}
	switch {
	case a.opt.OCIO != "": // --ocio names the config; the session's display and view still apply
		a.col.dv = want
		a.chooseColour(want)
	case s.OCIOConfig != a.col.source.Name:
		a.col.dv = want // configLoaded chooses it once the config is in
		a.setConfig(ocio.Source{Name: s.OCIOConfig, From: "the session " + filepath.Base(a.sessionPath)})
	default:
		a.col.dv = want
		a.chooseColour(want)
	}
}

// saveSession writes the session to its file (Ctrl+S); with none yet, it
// asks for one as Ctrl+Shift+S does.
func (a *app) saveSession() {
	if a.sessionPath == "" {
		a.dlg.openSave(a)
		return
	}
	a.writeSession(a.sessionPath)
}

// writeSession writes the session to path (settings.WriteSession: through
// a temporary file, so a failed save leaves the old file whole), which
// becomes the session's file. A failure is said on the status line.
func (a *app) writeSession(path string) {
	abs, err := filepath.Abs(path)
	if err == nil {
		err = settings.WriteSession(abs, a.sessionState())
	}
	if err != nil {
		a.log.add(levelError, "saving the session: "+err.Error())
		return
	}
	a.sessionPath = abs
	a.log.add(levelInfo, "saved the session to "+abs)
}

// withSessionExt is path with the session extension added when it has
// none.
func withSessionExt(path string) string {
	if IsSession(path) {
		return path
	}
	return path + SessionExt
}

// openSessionFile reads a session file off the GL goroutine, for the
// opening channel: a broken file is o.err and changes nothing.
func openSessionFile(path string) opened {
	f, err := ReadSessionFile(path)
	return opened{path: path, session: f, err: err}
}

// adoptSession replaces the session's shots by f's and restores the rest
// of its state. The shots left are closed (their loaders without
// waiting: one may wait on a stalled drive).
func (a *app) adoptSession(f *SessionFile) {
	a.dlg.export.cancelAndWait(a.win.Queue()) // it reads a shot about to go
	old := a.ses.shots
	for _, sh := range old {
		if l := sh.unload(); l != nil {
			go l.Close()
		}
	}
	a.ses.shots, a.ses.cur, a.ses.b = f.shots(), f.shown, -1
	a.settings.AddRecent(f.path)
	a.activate(f.First().Range.Start, nil)
	a.chooseColour(a.col.dv)
	a.restore(f)
	a.log.add(levelInfo, fmt.Sprintf("opened the session %s (%d shots)", f.path, len(f.sources)))
}

// sessionHook is the title's hook for the end-to-end tests: the session
// file's name, when the session has one.
func (a *app) sessionHook() string {
	if a.sessionPath == "" {
		return ""
	}
	return " — session " + filepath.Base(a.sessionPath)
}

// fileExists reports whether path names something on disk (the save
// dialog asks before replacing it).
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// cmpBOnly is the session file's name for B alone (cmpB); A alone
// (cmpOff) is "", the modes between are render's names.
const cmpBOnly = "b"

// cmpModeName is m's name in a session file.
func cmpModeName(m cmpMode) string {
	if r, ok := m.pair(); ok {
		return r.String()
	}
	if m == cmpB {
		return cmpBOnly
	}
	return ""
}

// parseCmpMode is the mode a session file's name names.
func parseCmpMode(name string) (cmpMode, error) {
	switch name {
	case "":
		return cmpOff, nil
	case cmpBOnly:
		return cmpB, nil
	}
	r, err := render.ParseCompareMode(name)
	if err != nil {
		return cmpOff, err
	}
	return cmpModeOf(r), nil
}

// wide is x as the float64 of its shortest decimal, so that a session
// file says 0.3 where the viewer holds float32(0.3).
func wide(x float32) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(x), 'g', -1, 32), 64)
	return f
}

// compareState puts the session's comparison into s: B and its
// compareState.
func (a *app) compareState(s *settings.Session) {
	c := a.ses.cmp
	if c.peeking {
		c.mode = c.peekFrom // the peek key held shows B for a moment: not the session's mode
	}
	s.B, s.Compare, s.Sync = a.ses.b, cmpModeName(c.mode), c.sync.String()
	s.WipeX, s.WipeY, s.WipeAngle = wide(c.wipeX), wide(c.wipeY), wide(c.wipeAngle)
	s.Blend, s.Gain = wide(c.blend), wide(c.gain)
}

// restoreCompare sets the comparison of s (B none when its source is
// missing or is the shot shown, said in the log; names that do not parse
// are said and left as they were) and makes the clock over A's frames or,
// comparing, the timeline.
func (a *app) restoreCompare(s settings.Session, sources []opened) {
	c := &a.ses.cmp
	if m, err := parseCmpMode(s.Compare); err == nil {
		c.mode = m
	} else {
		a.log.add(levelWarning, "session compare: "+err.Error())
	}
	if m, err := engine.ParseSyncMode(s.Sync); err == nil {
		c.sync = m
	} else {
		a.log.add(levelWarning, "session sync: "+err.Error())
	}
	c.wipeX, c.wipeY, c.wipeAngle = float32(s.WipeX), float32(s.WipeY), float32(s.WipeAngle)
	c.blend, c.gain = float32(s.Blend), float32(s.Gain)
	a.ses.b = -1
	switch {
	case s.B < 0:
	case sources[s.B].err != nil:
		a.log.add(levelWarning, fmt.Sprintf("shot %d (B) is missing: no comparison", s.B+1))
	case !a.ses.setB(s.B):
		a.log.add(levelWarning, fmt.Sprintf("shot %d (B) is shown as A: no comparison", s.B+1))
	}
	if a.ses.b < 0 {
		c.mode = cmpOff
	}
	a.activate(s.Frame, nil) // the clock over the frames the comparison shows
}
