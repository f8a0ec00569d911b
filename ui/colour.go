package ui

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/engine"
	"flick/engine/exr"
	"flick/render"
	"flick/render/ocio"
	"flick/settings"
)

// InputRequest is what, besides the config, decides seq's input colour
// space (ocio.Config.InputSpace): the user's pick for seq in s (by
// PickKey), flag (--input-cs), the header and path of first (seq's first
// frame, engine.Inspect), and s's follow-Default-rule setting. The viewer,
// flick export and flick info all ask through it.
func InputRequest(seq *engine.Sequence, first engine.Inspection, s settings.Settings, flag string) ocio.InputRequest {
	r := ocio.InputRequest{Pick: s.InputPicks[PickKey(seq)], Flag: flag, Path: seq.Path(first.Frame),
		FollowDefaultRule: s.FollowDefaultRule}
	if len(first.Parts) > 0 {
		r.Header = colourHeader(&first.Parts[0])
	} else {
		r.Header.Float = floatChannels(first.Header.Channels)
	}
	return r
}

// PickKey is the key of seq's input colour space pick in the settings:
// its pattern with its absolute folder, the same however it was opened.
func PickKey(seq *engine.Sequence) string {
	dir, err := filepath.Abs(seq.Dir)
	if err != nil {
		dir = seq.Dir
	}
	return filepath.Join(dir, seq.Pattern())
}

// colourHeader is what part p's header says about its colour.
func colourHeader(p *exr.Part) ocio.Header {
	h := ocio.Header{Strings: map[string]string{}, Float: floatChannels(p.Channels)}
	for _, a := range p.Attributes {
		if v, ok := a.Value.(string); ok {
			h.Strings[a.Name] = v
		}
	}
	if a, ok := p.Attr("acesImageContainerFlag"); ok {
		h.ACESContainer = a.Value == 1
	}
	if c := p.Chromaticities; c != nil {
		h.Chromaticities = &[4][2]float32{c.Red, c.Green, c.Blue, c.White}
	}
	return h
}

// floatChannels reports whether any channel holds half or float samples.
func floatChannels(chs []exr.Channel) bool {
	for _, c := range chs {
		if c.Type != exr.UInt {
			return true
		}
	}
	return false
}

// colourCache is how many OpenColorIO transforms the viewer keeps built:
// going back to one of them shows at once.
const colourCache = 8

// colourKey names one transform the viewer may draw through: a display/
// view(/look) of one loaded config (gen counts the configs loaded).
type colourKey struct {
	gen int
	dv  ocio.DisplayView
}

// cachedTransform is one built transform, what it draws, and its CPU
// processors for the pixel probe: the input to the scene_linear role, and
// the input to the display's view (the same transform as ct).
type cachedTransform struct {
	key          colourKey
	ct           *render.ColorTransform
	linear, view *ocio.CPUProcessor
	// rehearsed: a warm-up child was asked to compile ct's program for
	// the picture on screen; warmed: it did, before ct was prepared here.
	rehearsed, warmed bool
}

// close frees e's GL objects (GL goroutine) and processors.
func (e cachedTransform) close() {
	e.ct.Close()
	e.linear.Close()
	e.view.Close()
}

// colour is the viewer's OpenColorIO state: the config, what it offers,
// the choices, and the transforms built. GL goroutine only: loading a
// config and building a transform run on goroutines of their own, which
// hand their results back through done (colour.poll runs them each UI
// frame), so that playback never waits on them; until a new transform is
// ready the previous one stays on screen.
type colour struct {
	flagInput string      // --input-cs
	path      string      // the config file typed in the Display panel
	source    ocio.Source // the config asked for ("" none)
	loading   string      // the config being loaded, "" none
	config    *ocio.Config
	gen       int // configs loaded so far

	// What config offers (for the open sequence's input colour space).
	displays, views, looks []string
	spaces                 []ocio.ColorSpace
	roles                  []ocio.Role
	// The choices, resolved against config.
	input ocio.Input
	dv    ocio.DisplayView

	shown    colourKey // what the display draws through (a.view.OCIO)
	cache    []cachedTransform
	building map[colourKey]bool
	busy     int            // goroutines still using a config
	retired  []*ocio.Config // configs replaced while busy, closed once idle
	done     chan func(*app)
	later    []func(*app) // for the next UI frame: showing a transform prepared in this one

	// warm compiles each new transform's program in a child first;
	// rehearsed and warmed count the transforms prepared for a picture
	// and those it had compiled (the title's hooks).
	warm              warmer
	rehearsed, warmed int
}

// on reports whether a config is loaded (else flick's own transforms).
func (c *colour) on() bool { return c.config != nil }

// setConfig starts loading the config of src ("" for none: flick's own
// transforms at once). A config that fails to load leaves the previous one
// in use and says why in the log (and so the status line).
func (a *app) setConfig(src ocio.Source) {
	c := &a.col
	if c.done == nil {
		c.done = make(chan func(*app), 16)
	}
	c.source = src
	if src.Name == "" {
		c.loading = ""
		c.retire(c.config)
		c.config, c.shown = nil, colourKey{}
		a.view.OCIO, a.dirty = nil, true
		return
	}
	c.loading = src.Name
	c.busy++
	go func() {
		cfg, err := ocio.Load(src.Name)
		c.done <- func(a *app) {
			c.busy--
			a.configLoaded(src, cfg, err)
		}
	}()
}

// configLoaded makes cfg (loaded for src) the config, unless a later
// choice superseded it.
func (a *app) configLoaded(src ocio.Source, cfg *ocio.Config, err error) {
	c := &a.col
	if src.Name != c.loading {
		cfg.Close()
		return
	}
	c.loading = ""
	if err != nil {
		a.log.add(levelError, "OpenColorIO: "+err.Error()+"; the previous display transform stays")
		return
	}
	c.retire(c.config)
	c.config = cfg
	c.gen++
	if err := a.describeConfig(); err != nil {
		a.log.add(levelError, "OpenColorIO: "+err.Error())
		return
	}
	a.log.add(levelInfo, "OpenColorIO config "+src.String())
	a.chooseColour(c.dv)
}

// describeConfig asks the config what it offers (in memory: microseconds).
func (a *app) describeConfig() (err error) {
	c := &a.col
	if c.displays, _, err = c.config.Displays(); err != nil {
		return err
	}
	if c.looks, err = c.config.Looks(); err != nil {
		return err
	}
	if c.spaces, err = c.config.ColorSpaces(); err != nil {
		return err
	}
	c.roles, err = c.config.Roles()
	return err
}

// chooseColour resolves want against the config (names it lacks fall back
// quietly to its defaults; the input colour space comes from the rules,
// InputSpace) and shows the transform: at once when it is built, else
// once a goroutine has built it.
func (a *app) chooseColour(want ocio.DisplayView) {
	c := &a.col
	if !c.on() {
		return
	}
	fail := func(err error) { a.log.add(levelError, "OpenColorIO: "+err.Error()) }
	in, err := c.config.InputSpace(InputRequest(a.src().seq, a.src().first, a.settings, c.flagInput))
	if err != nil {
		fail(err)
		return
	}
	displays, def, err := c.config.Displays()
	if err != nil {
		fail(err)
		return
	}
	dv := ocio.DisplayView{Input: in.ColorSpace, Display: def, Look: want.Look}
	if slices.Contains(displays, want.Display) {
		dv.Display = want.Display
	}
	views, defView, err := c.config.Views(dv.Display, dv.Input)
	if err != nil {
		fail(err)
		return
	}
	dv.View = defView
	if slices.Contains(views, want.View) {
		dv.View = want.View
	}
	if !slices.Contains(c.looks, dv.Look) {
		dv.Look = ""
	}
	c.input, c.views, c.dv = in, views, dv
	a.showColour(colourKey{c.gen, dv})
}

// showColour draws through the transform of key: from the cache, or built
// on a goroutine (the previous transform stays on screen meanwhile).
func (a *app) showColour(key colourKey) {
	c := &a.col
	for i, e := range c.cache {
		if e.key == key {
			c.cache = append(append(c.cache[:i:i], c.cache[i+1:]...), e) // newest last
			c.shown, a.view.OCIO, a.dirty = key, e.ct, true
			a.setTitle(a.titleFrame)
			return
		}
	}
	a.buildColour(key)
}

// buildColour builds the transform of key on a goroutine, unless it is
// being built; transformBuilt keeps it (and shows it if it is still the
// one chosen).
func (a *app) buildColour(key colourKey) {
	c := &a.col
	if c.building[key] {
		return
	}
	if c.building == nil {
		c.building = map[colourKey]bool{}
	}
	c.building[key] = true
	c.busy++
	cfg := c.config
	// The display program is compiled (and run once) in a child process
	// while the transform is built here, so that Mesa's shader cache has
	// its machine code when prepareColour compiles it on this goroutine.
	// Only on a software renderer (llvmpipe builds its machine code at the
	// first draw, ~100-400 ms for an ACES view): that is where it was
	// measured to help.
	r, rehearse := render.Rehearsal{}, false
	if a.display != nil && render.Software() {
		img, v, s := a.drawnThrough(nil)
		r, rehearse = render.Rehearse(&a.target, img, v, s)
	}
	go func() {
		warmed := make(chan error, 1)
		if rehearse {
			go func() {
				warmed <- c.warm.warm(warmRequest{Config: cfg.Name(), Gen: key.gen, View: key.dv, Rehearsal: r})
			}()
		}
		e, err := buildTransform(cfg, key)
		if err == nil && rehearse {
			e.rehearsed = true
			werr := <-warmed
			e.warmed = werr == nil
			if werr != nil && !errors.Is(werr, errWarmerClosed) {
				err = warmFailed{werr}
			}
		}
		c.done <- func(a *app) {
			c.busy--
			var wf warmFailed
			if errors.As(err, &wf) {
				// Not fatal: prepareColour compiles it all here, as
				// without the child.
				a.log.add(levelInfo, "OpenColorIO: the display program is compiled in the viewer: "+wf.err.Error())
				err = nil
			}
			a.transformBuilt(e, err)
		}
	}()
}

// warmFailed is a warm-up child's failure, which only costs time.
type warmFailed struct{ err error }

func (w warmFailed) Error() string { return w.err.Error() }

// WarmCommand is the hidden subcommand (flick WarmCommand) that runs
// Warm: the viewer's warm-up child, with its requests on its standard
// input and its replies on file descriptor WarmReplies.
const (
	WarmCommand = "__warm-display-program"
	WarmReplies = 3
)

// warmRequest asks a warm-up child to compile the display program of
// transform View of the config loaded from Config (the Gen-th the viewer
// loaded: a new Gen loads the file again), as Rehearsal prepares it.
type warmRequest struct {
	Config    string
	Gen       int
	View      ocio.DisplayView
	Rehearsal render.Rehearsal
}

// warmReply is a warm-up child's answer to one warmRequest: Err "" when
// the program is compiled and has run.
type warmReply struct{ Err string }

// warmTimeout bounds one request to a warm-up child: past it the child is
// killed, and the viewer compiles the program itself, as it does when the
// child fails.
const warmTimeout = 30 * time.Second

// errWarmerClosed is warm's error once the viewer is closing.
var errWarmerClosed = errors.New("the viewer is closing")

// warmer is the viewer's warm-up child, this executable's WarmCommand,
// started by the first request and kept for the next ones (its process,
// window and GL context cost more to start than a compile), one request
// at a time. A child that fails or times out is killed and the next
// request starts another; each is reaped when it exits.
type warmer struct {
	mu  sync.Mutex // one request at a time; held while it runs
	in  *os.File   // the child's standard input (requests), nil: none
	out *json.Decoder
	// pmu guards proc and closed, which close uses without waiting for
	// a request under way.
	pmu    sync.Mutex
	proc   *os.Process
	closed bool
}

// warm has the child compile and run req's program (starting it first if
// there is none) and waits for its answer.
func (w *warmer) warm(req warmRequest) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.in == nil {
		if err := w.start(); err != nil {
			return err
		}
	}
	w.pmu.Lock()
	proc := w.proc
	w.pmu.Unlock()
	timer := time.AfterFunc(warmTimeout, func() { proc.Kill() })
	defer timer.Stop()
	var rep warmReply
	err := json.NewEncoder(w.in).Encode(req)
	if err == nil {
		err = w.out.Decode(&rep)
	}
	if err != nil {
		w.stop()
		w.pmu.Lock()
		defer w.pmu.Unlock()
		if w.closed {
			return errWarmerClosed
		}
		return fmt.Errorf("warm-up child: %w", err)
	}
	if rep.Err != "" {
		return errors.New(rep.Err)
	}
	return nil
}

// start starts a child, and a goroutine that reaps it when it exits.
// Under mu.
func (w *warmer) start() error {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	if w.closed {
		return errWarmerClosed
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return err
	}
	// Replies come on the child's fd 3 (WarmReplies), not its stdout,
	// where a library might print.
	cmd := exec.Command(exe, WarmCommand)
	cmd.Stdin, cmd.ExtraFiles = inR, []*os.File{outW}
	err = cmd.Start()
	inR.Close() // the child's ends
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return err
	}
	go func() {
		cmd.Wait()
		outR.Close()
	}()
	w.in, w.out, w.proc = inW, json.NewDecoder(outR), cmd.Process
	return nil
}

// stop kills the child (its reaper then closes the pipe it wrote to).
// Under mu.
func (w *warmer) stop() {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	w.proc.Kill()
	w.in.Close()
	w.in, w.out, w.proc = nil, nil, nil
}

// close ends the child at exit, without waiting for a request under way
// (which then fails with errWarmerClosed): closing its input lets an idle
// child close its window, so that Mesa finishes writing its cache; a busy
// one is killed.
func (w *warmer) close() {
	w.pmu.Lock()
	defer w.pmu.Unlock()
	w.closed = true
	if w.proc == nil {
		return
	}
	if w.mu.TryLock() {
		w.in.Close()
		w.in, w.out, w.proc = nil, nil, nil
		w.mu.Unlock()
		return
	}
	w.proc.Kill()
}

// Warm is the warm-up child (WarmCommand): it opens a hidden window (the
// same kind of GL context as the viewer's, so that the driver keys its
// shader cache the same way), then for each warmRequest read from in
// builds the transform from the same config and plays the rehearsal of
// its Prepare, and writes a warmReply to out, until in ends; then it
// closes the window, which lets Mesa finish writing its cache. Main OS
// thread only.
func Warm(in io.Reader, out io.Writer) error {
	win, err := render.NewWindow(render.WindowOptions{Title: "flick warm-up", Width: 64, Height: 64, Hidden: true})
	if err != nil {
		return err
	}
	defer func() {
		win.Close()
		win.Run(nil) // returns at once: destroys the window and its context
	}()
	var cfg *ocio.Config
	var loaded warmRequest // the Config and Gen of cfg
	defer func() { cfg.Close() }()
	play := func(req warmRequest) error {
		if cfg == nil || req.Config != loaded.Config || req.Gen != loaded.Gen {
			cfg.Close()
			cfg = nil
			c, err := ocio.Load(req.Config)
			if err != nil {
				return err
			}
			cfg, loaded = c, req
		}
		p, err := cfg.DisplayViewProcessor(req.View)
		if err != nil {
			return err
		}
		defer p.Close()
		ct, err := render.NewColorTransform(req.View.String(), p)
		if err != nil {
			return err
		}
		win.Queue().Call(func() { err = req.Rehearsal.Play(ct) })
		return err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		dec, enc := json.NewDecoder(in), json.NewEncoder(out)
		for {
			var req warmRequest
			if err = dec.Decode(&req); err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				return
			}
			var rep warmReply
			if e := play(req); e != nil {
				rep.Err = e.Error()
			}
			if err = enc.Encode(rep); err != nil {
				return
			}
		}
	}()
	win.Serve(done)
	return err
}

// buildTransform builds the display program's transform for key and the
// probe's CPU processors.
func buildTransform(cfg *ocio.Config, key colourKey) (e cachedTransform, err error) {
	e.key = key
	p, err := cfg.DisplayViewProcessor(key.dv)
	if err != nil {
		return e, err
	}
	defer p.Close()
	if e.view, err = p.CPU(); err == nil {
		var lin *ocio.Processor
		if lin, err = cfg.ColorSpaceProcessor(key.dv.Input, "scene_linear"); err == nil {
			e.linear, err = lin.CPU()
			lin.Close()
		}
	}
	if err == nil {
		e.ct, err = render.NewColorTransform(key.dv.String(), p)
	}
	if err != nil {
		e.linear.Close()
		e.view.Close()
	}
	return e, err
}

// transformBuilt keeps a transform built and shows it if it is still the
// one chosen.
func (a *app) transformBuilt(e cachedTransform, err error) {
	c := &a.col
	key := e.key
	delete(c.building, key)
	if err != nil {
		a.log.add(levelError, "OpenColorIO: "+err.Error()+"; the previous display transform stays")
		return
	}
	// Its program is compiled now, even if the choice moved on (it is
	// kept for going back), and shown from the next UI frame, so that the
	// frame that shows it compiles nothing.
	if e.rehearsed {
		c.rehearsed++
		if e.warmed {
			c.warmed++
		}
	}
	if err := a.prepareColour(e.ct); err != nil {
		e.close()
		a.log.add(levelError, "OpenColorIO: "+err.Error()+"; the previous display transform stays")
		return
	}
	if c.on() && key == (colourKey{c.gen, c.dv}) {
		c.later = append(c.later, func(a *app) {
			if c.on() && key == (colourKey{c.gen, c.dv}) {
				a.showColour(key)
			}
		})
	}
	c.cache = append(c.cache, e)
	if a.ses.comparing() {
		a.dirty = true // B may draw through it (sideTransform)
	}
	if len(c.cache) > colourCache {
		a.evictColour()
	}
}

// prepareColour compiles the display program that drawing the picture on
// screen through ct needs (render.Display.Prepare), without showing it.
func (a *app) prepareColour(ct *render.ColorTransform) error {
	if a.display == nil {
		return nil
	}
	img, v, s := a.drawnThrough(ct)
	return a.display.Prepare(&a.target, img, v, s)
}

// drawnThrough is how the picture on screen would be drawn through ct:
// the image (nil without a frame), its view and the settings.
func (a *app) drawnThrough(ct *render.ColorTransform) (*render.Image, render.View, render.Settings) {
	s := a.view
	s.OCIO = ct
	f := a.src().frame
	if f == nil || f.Err != nil {
		return nil, render.View{}, s
	}
	return &a.src().image, a.camera.View(f.DisplayWindow, fullData(f)), s
}

// evictColour closes the oldest cached transform that nothing draws
// through (the display, a running export).
func (a *app) evictColour() {
	c := &a.col
	for i, e := range c.cache {
		if e.ct != a.view.OCIO && e.ct != a.cv.bct && !a.dlg.export.uses(e.ct) && !a.insp.uses(e.view) {
			e.close()
			c.cache = append(c.cache[:i], c.cache[i+1:]...)
			return
		}
	}
}

// retire closes cfg once no goroutine uses it.
func (c *colour) retire(cfg *ocio.Config) {
	if cfg != nil {
		c.retired = append(c.retired, cfg)
	}
	if c.busy == 0 {
		for _, r := range c.retired {
			r.Close()
		}
		c.retired = nil
	}
}

// poll runs what the previous UI frame left for this one, then what the
// colour goroutines handed back, without waiting.
func (a *app) pollColour() {
	c := &a.col
	later := c.later
	c.later = nil
	for _, f := range later {
		f(a)
	}
	for {
		select {
		case f := <-c.done:
			f(a)
			c.retire(nil)
		default:
			return
		}
	}
}

// closeColour frees the transforms (GL goroutine, at exit) and the config
// (unless a goroutine still uses it: the process is ending).
func (a *app) closeColour() {
	c := &a.col
	c.warm.close()
	for _, e := range c.cache {
		e.close()
	}
	c.cache = nil
	a.view.OCIO = nil
	c.retire(c.config)
	c.config = nil
}

// colourTitle names the display transform in use, for the title and the
// status line: the config's display and view (and look), or flick's own
// transform.
func (a *app) colourTitle() string {
	c := &a.col
	if !c.on() || a.view.OCIO == nil {
		return a.view.Transform.String()
	}
	s := c.shown.dv.Display + " / " + c.shown.dv.View
	if c.shown.dv.Look != "" {
		s += " + " + c.shown.dv.Look
	}
	return s
}

// cycleColour shows the next view of the display (display false) or the
// next display (true), in the config's order.
func (a *app) cycleColour(display bool) {
	c := &a.col
	if !c.on() {
		a.log.add(levelInfo, "no OpenColorIO config: choose one in the Display panel")
		return
	}
	want := c.dv
	if display {
		want.Display, want.View = next(c.displays, want.Display), ""
	} else {
		want.View = next(c.views, want.View)
	}
	a.chooseColour(want)
}

// next is the name after cur in names, round; names[0] when cur is not
// there.
func next(names []string, cur string) string {
	if len(names) == 0 {
		return cur
	}
	return names[(slices.Index(names, cur)+1)%len(names)]
}

// colourMenus are the Display panel's OpenColorIO menus: the config (none,
// the built-in ACES config, a file, a recent one), the input colour space
// (roles first, then by family), the display, its views, the look. The
// transform in use and the rule that chose the input colour space are
// written under them.
func (a *app) colourMenus() {
	c := &a.col
	label := "none (flick's own transforms)"
	switch {
	case c.loading != "":
		label = "loading " + c.loading + "..."
	case c.on() && ocio.IsBuiltin(c.config.Name()):
		label = ocio.BuiltinLabel
	case c.on():
		label = c.config.Name()
	}
	if imgui.BeginComboV("OCIO config", label, 0) {
		if imgui.SelectableBoolV("none (flick's own transforms)", !c.on(), 0, imgui.NewVec2(0, 0)) {
			a.pickConfig("")
		}
		if imgui.SelectableBoolV(ocio.BuiltinLabel, c.on() && ocio.IsBuiltin(c.config.Name()), 0, imgui.NewVec2(0, 0)) {
			a.pickConfig(ocio.BuiltinName)
		}
		for _, r := range a.settings.OCIORecent {
			if !ocio.IsBuiltin(r) && imgui.SelectableBoolV(r+"##recent", c.on() && c.config.Name() == r, 0, imgui.NewVec2(0, 0)) {
				a.pickConfig(r)
			}
		}
		imgui.EndCombo()
	}
	imgui.InputTextWithHint("##ociofile", "a config file (.ocio)", &c.path, 0, nil)
	imgui.SameLine()
	if imgui.Button("load") && c.path != "" {
		a.pickConfig(c.path)
	}
	if !c.on() {
		return
	}
	if imgui.BeginComboV("input", c.input.ColorSpace, 0) {
		key := PickKey(a.src().seq)
		if imgui.SelectableBoolV("by the rules (no pick)", a.settings.InputPicks[key] == "", 0, imgui.NewVec2(0, 0)) {
			a.pickInput(key, "")
		}
		imgui.SeparatorText("roles")
		for _, r := range c.roles {
			if imgui.SelectableBoolV(r.Name+" ("+r.ColorSpace+")##role", false, 0, imgui.NewVec2(0, 0)) {
				a.pickInput(key, r.Name)
			}
		}
		for _, fam := range families(c.spaces) {
			imgui.SeparatorText(cmp.Or(fam.name, "(no family)"))
			for _, cs := range fam.spaces {
				if imgui.SelectableBoolV(cs+"##cs", cs == c.input.ColorSpace, 0, imgui.NewVec2(0, 0)) {
					a.pickInput(key, cs)
				}
			}
		}
		imgui.EndCombo()
	}
	pick := func(label, cur string, names []string, none string, set func(*ocio.DisplayView, string)) {
		shown := cmp.Or(cur, none)
		if imgui.BeginComboV(label, shown, 0) {
			if none != "" && imgui.SelectableBoolV(none, cur == "", 0, imgui.NewVec2(0, 0)) {
				want := c.dv
				set(&want, "")
				a.chooseColour(want)
			}
			for _, n := range names {
				if imgui.SelectableBoolV(n, n == cur, 0, imgui.NewVec2(0, 0)) {
					want := c.dv
					set(&want, n)
					a.chooseColour(want)
				}
			}
			imgui.EndCombo()
		}
	}
	pick("display", c.dv.Display, c.displays, "", func(dv *ocio.DisplayView, n string) { dv.Display, dv.View = n, "" })
	pick("view", c.dv.View, c.views, "", func(dv *ocio.DisplayView, n string) { dv.View = n })
	pick("look", c.dv.Look, c.looks, "none", func(dv *ocio.DisplayView, n string) { dv.Look = n })
	imgui.TextDisabled(esc("input " + asciiInput(c.input)))
	if imgui.Checkbox("float frames follow the Default rule", &a.settings.FollowDefaultRule) {
		a.chooseColour(c.dv)
	}
	imgui.SetItemTooltip("else the scene_linear role (the ACES configs' Default rule says ACES2065-1)")
	if a.view.OCIO == nil || c.shown != (colourKey{c.gen, c.dv}) {
		imgui.TextDisabled("building the transform...")
	}
}

// pickConfig switches to the config name ("" none) and remembers it in
// the settings (ocio_config, and the recent configs).
func (a *app) pickConfig(name string) {
	a.settings.OCIOConfig = name
	if name != "" {
		r := []string{name}
		for _, p := range a.settings.OCIORecent {
			if p != name && len(r) < settings.MaxRecent {
				r = append(r, p)
			}
		}
		a.settings.OCIORecent = r
	}
	a.setConfig(ocio.Source{Name: name, From: "the Display panel"})
}

// pickInput remembers cs ("" none) as the input colour space of the
// sequence key and shows through it.
func (a *app) pickInput(key, cs string) {
	a.settings.PickInput(key, cs)
	a.chooseColour(a.col.dv)
}

// family is one menu group of colour spaces.
type family struct {
	name   string
	spaces []string
}

// families groups spaces by family, in the order the config first names
// each family.
func families(spaces []ocio.ColorSpace) []family {
	var out []family
	at := map[string]int{}
	for _, cs := range spaces {
		i, ok := at[cs.Family]
		if !ok {
			i = len(out)
			at[cs.Family] = i
			out = append(out, family{name: cs.Family})
		}
		out[i].spaces = append(out[i].spaces, cs.Name)
	}
	return out
}

// probeColour is what the config makes of a source pixel rgb at exposure
// stops, as the display pass does (exposure first, in the input space):
// its scene-linear value and the value the view displays. ok is false
// when no config transform is on screen.
func (a *app) probeColour(rgb [3]float32, exposure float32) (linear, shown [3]float32, ok bool) {
	c := &a.col
	if !c.on() || a.view.OCIO == nil {
		return linear, shown, false
	}
	for _, e := range c.cache {
		if e.ct != a.view.OCIO {
			continue
		}
		gain := float32(math.Exp2(float64(exposure)))
		px := [4]float32{rgb[0] * gain, rgb[1] * gain, rgb[2] * gain, 1}
		l, err1 := e.linear.ApplyPixel(px)
		d, err2 := e.view.ApplyPixel(px)
		if err1 != nil || err2 != nil {
			return linear, shown, false
		}
		return [3]float32(l[:3]), [3]float32(d[:3]), true
	}
	return linear, shown, false
}

// asciiInput says in as Input.String does, in the characters Dear
// ImGui's default font has.
func asciiInput(in ocio.Input) string { return in.ColorSpace + " (" + in.Reason + ")" }
