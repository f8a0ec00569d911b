// Package ui is the viewer: a Dear ImGui layout over the engine's frames and
// the render package's display passes. It runs on the GL goroutine (the main
// OS thread) and receives frames from the engine through channels. While its
// window is up nothing in it waits on decoding or on a sequence's files:
// the headers of sequences opened from it are read in the background, and
// a decode or an export's read-ahead stuck on a stalled drive is left
// behind. (The headers of the shots given on the command line are read
// before the window opens; the layout and settings files are read at start
// and written at quit; a session file is written when the user saves it.)
package ui

import (
	"cmp"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/AllenDang/cimgui-go/imgui"
	"github.com/AllenDang/cimgui-go/implot"

	"flick/engine"
	"flick/engine/exr"
	"flick/render"
	"flick/render/ocio"
	"flick/settings"
)

// Options says what the viewer opens.
type Options struct {
	// Shots are the session's shots in order; the first is shown first.
	Shots []Shot
	// First is the first shot's frame to show at once (already decoded, so
	// the window never opens on nothing), received from Loader, the first
	// shot's loader, which decodes into Cache.
	First  *engine.Frame
	Loader *engine.Loader
	Cache  *engine.Cache
	// Pool decodes every shot; Budget is Cache's.
	Pool   *engine.Pool
	Budget int64
	// FPS overrides the file's frame rate (0: the file's, else the
	// settings').
	FPS          float64
	Settings     settings.Settings
	SettingsPath string
	// Warning is shown from the start (for example a settings file that
	// could not be read); with SettingsBroken the viewer never saves over
	// that file unless the user says so in the settings panel.
	Warning        string
	SettingsBroken bool
	// OCIO is --ocio: the OpenColorIO config, over $OCIO and the
	// ocio_config setting (ocio.Pick); InputCS is --input-cs.
	OCIO, InputCS string
	// Session, when not nil, is the session file opened in place of
	// Shots (flick show.flick): First is from its First sequence.
	Session *SessionFile
	// Compare is what the viewer starts comparing.
	Compare Compare
}

// Compare is the comparison the viewer starts with: with On, the first
// shot (A) against the second (B) in Mode; Sync and the shots' Offsets
// (in order, as many as given) apply whether or not it is On.
type Compare struct {
	On      bool
	Mode    render.CompareMode
	Sync    engine.SyncMode
	Offsets []int
}

// Shot is a sequence to open and its path and range as given ("" the
// whole sequence).
type Shot struct {
	Path, Range string
	Sequence    *engine.Sequence
}

// app is the viewer's state. GL goroutine only.
type app struct {
	opt     Options
	win     *render.Window
	display *render.Display
	target  render.Target
	// upload is how the shots' images take their frames: through the
	// PBO ring on a GPU, in one copy (UploadSync) on a software renderer.
	upload render.UploadMode
	err    error // a GL failure: shown, and the viewer stops drawing
	// burnins are the burn-in templates and fields, for the viewer's
	// overlay (burn) and the export dialog.
	burnins Burnins
	burn    burninView

	// ses is the shots and their playback; the shot shown is ses.src().
	ses session
	// sessionPath is the session's file (absolute; "" until opened or
	// saved as one): where Ctrl+S saves.
	sessionPath string
	// cv is the comparison's viewer state (ui/compareview.go).
	cv compareView
	// shotDrag is the Shots panel row being dragged.
	shotDrag int
	col      colour // OpenColorIO: config, choices, transforms

	view       render.Settings // channels, exposure, transform chosen by the user
	dirty      bool            // the target needs drawing again
	viewW      int
	viewH      int
	camera     render.Camera
	fitted     bool
	probe      probe
	probing    bool          // the cursor is over the picture: probe is shown
	probeAt    image.Point   // the target pixel probe was read at
	probeFrame *engine.Frame // the frame it was read from
	probeOK    bool
	// exact decodes the file's own FLOAT and UINT values for the probe;
	// probeExactGen is its count of decoded chunks when the probe last read.
	exact         exactValues
	probeExactGen int
	// cmpProbe is the probe's B side while comparing (ui/probe.go).
	cmpProbe comparedProbe

	settings       settings.Settings
	settingsBroken bool
	panels         map[string]bool
	fullscreen     bool
	showKeys       bool
	log            logBook
	dlg            dialogs
	diag           diagnostics
	insp           inspector // region statistics (ui/inspect.go)
	matte          matteView // Cryptomatte matte mode (ui/matte.go)
	layoutDone     bool
	opening        chan opened // sequences opened in the background
	dockClass      *imgui.WindowClass
	quit           bool
	// next is the frame every-frame playback's stream delivered and the
	// clock has not yet made due (receiveStream), from nextFrom.
	next     *engine.Frame
	nextFrom *engine.Loader

	// showTimecode labels frames with their timecode on the timeline and
	// in the transport line (the t key), not their numbers.
	showTimecode bool

	titleFrame int  // the frame number in the window title
	hooks      bool // FLICK_TEST_HOOKS=1: the title says what the end-to-end tests wait on
	drawn      int  // UI frames drawn (counted with hooks)
	// presented counts the frames drawn into the viewer, each once
	// (lastDrawn is the last): every-frame playback draws every frame.
	presented int
	lastDrawn *engine.Frame
	// viewRect is the viewer's picture on the screen, for the hooks (Dear
	// ImGui's coordinates are the screen's: multi-viewport is on).
	viewRect image.Rectangle
}

// Run opens the viewer window and returns when it is closed. It must be
// called on the main OS thread.
func Run(opt Options) error {
	a := &app{opt: opt, fitted: true, settings: opt.Settings, settingsBroken: opt.SettingsBroken,
		panels: map[string]bool{}, hooks: os.Getenv("FLICK_TEST_HOOKS") == "1"}
	a.ses = session{b: -1, cmp: defaultCompare(), pool: opt.Pool, cache: opt.Cache}
	for _, sh := range opt.Shots { // before the window opens (see the package comment)
		o := inspect(sh.Path, sh.Sequence)
		o.rng = sh.Range
		a.ses.shots = append(a.ses.shots, newSource(o))
	}
	if opt.Session != nil {
		a.ses.shots, a.ses.cur = opt.Session.shots(), opt.Session.shown
	}
	a.ses.src().loader = opt.Loader
	a.ses.cmp.sync = opt.Compare.Sync
	for i, n := range opt.Compare.Offsets {
		a.ses.shots[i].offset = n
	}
	win, err := render.NewWindow(render.WindowOptions{
		Title: a.title(), Width: opt.Settings.WindowWidth, Height: opt.Settings.WindowHeight, FPS: 60,
	})
	if err != nil {
		return err
	}
	a.win = win
	for _, p := range opt.Settings.Panels {
		a.panels[p] = true
	}
	if t, err := render.ParseTransform(opt.Settings.Transform); err == nil {
		a.view.Transform = t
	}
	if opt.Warning != "" {
		a.log.add(levelWarning, opt.Warning)
	}
	a.dlg.export.defaults(opt.Settings.Export)
	a.col.flagInput = opt.InputCS
	a.col.done = make(chan func(*app), 16)
	// OpenColorIO's warnings (any goroutine) go to the Log panel; past what
	// the channel holds they are dropped rather than waited on.
	ocio.SetLoggingFunction(func(line string) {
		select {
		case a.col.done <- func(a *app) { a.log.add(levelInfo, "OpenColorIO: "+line) }:
		default:
		}
	})
	a.setConfig(ocio.Pick(opt.OCIO, os.Getenv("OCIO"), opt.Settings.OCIOConfig))
	drops := make(chan []string, 4)
	win.SetDropCallback(func(paths []string) {
		select {
		case drops <- paths:
		default:
		}
	})
	a.opening = make(chan opened, 1)
	a.activate(opt.First.Number, opt.First)
	if opt.Session != nil {
		a.restore(opt.Session)
	}
	if opt.Compare.On {
		a.setCompare(cmpModeOf(opt.Compare.Mode))
	}
	win.OnClose(a.close)
	win.Run(func() { a.frameLoop(drops) })
	return a.err
}

// title is the window title: the sequence and, last, the frame on screen
// (the end-to-end tests read it), after the display transform in use
// (colourTitle). With hooks on, what the tests wait on comes before the
// frame: the OpenColorIO config's displays and the display's views (and
// the transforms prepared and warmed by the warm-up child), the status
// line's last warning or error, the UI frames drawn so far and
// the viewer's rectangle ("ui 120 viewer 8,52-840,590").
func (a *app) title() string {
	hooks := ""
	if a.hooks {
		r := a.viewRect
		if a.col.on() {
			hooks = fmt.Sprintf(" — ocio %d displays %d views", len(a.col.displays), len(a.col.views))
			// The transforms prepared for a picture, and those a warm-up
			// child had compiled first.
			hooks += fmt.Sprintf(" — warm %d of %d", a.col.warmed, a.col.rehearsed)
		}
		if e, ok := a.log.last(); ok && e.level > levelInfo {
			hooks += " — said " + e.level.String() + ": " + e.text // as the status line says it
		}
		hooks += " — label " + a.frameLabel(a.titleFrame) // what the timeline calls the frame
		hooks += fmt.Sprintf(" — presented %d", a.presented)
		hooks += a.inspectHook()
		hooks += a.matteHook()
		hooks += a.shotsHook()
		hooks += a.sessionHook()
		hooks += a.compareHook()
		hooks += fmt.Sprintf(" — ui %d viewer %d,%d-%d,%d", a.drawn, r.Min.X, r.Min.Y, r.Max.X, r.Max.Y)
		// The GL objects render holds (the title is made on the GL
		// goroutine), for the leak tests.
		o := render.LiveObjects()
		hooks += fmt.Sprintf(" — gl %d objects %d programs", o.Textures+o.Buffers+o.Framebuffers+o.Syncs, render.LivePrograms())
	}
	seq := a.src().seq.String()
	if t := a.compareTitle(); t != "" {
		seq += " vs " + a.ses.bSrc().seq.String() + " — " + t
	}
	return fmt.Sprintf("flick — %s — %s%s — frame %d", seq, a.colourTitle(), hooks, a.titleFrame)
}

// setTitle shows frame n as the frame on screen in the window title.
func (a *app) setTitle(n int) {
	a.titleFrame = n
	a.win.SetTitle(a.title())
}

func (a *app) frameLoop(drops <-chan []string) {
	if a.display == nil && a.err == nil {
		a.start()
	}
	select {
	case paths := <-drops:
		if len(paths) > 0 {
			a.open(paths[0])
		}
	case o := <-a.opening:
		a.adoptOpened(o)
	default:
	}
	a.receive()
	a.pollColour()
	a.refreshStates()
	a.keys()
	a.tick()
	a.inspect()
	a.matteTick()
	a.layout()
	if a.dlg.export.isRunning() {
		// The export draws on this goroutine: give it a few turns per
		// UI frame rather than one.
		a.win.Queue().ServeFor(exportTurn)
	}
	if a.hooks {
		a.drawn++
		a.win.SetTitle(a.title())
	}
	if a.quit {
		a.win.Close()
	}
}

// start runs once, in the first frame, when the GL context is current.
func (a *app) start() {
	a.display, a.err = render.NewDisplay()
	// On llvmpipe the ring's extra copy doubles a 4K frame's upload
	// (about 18 ms of CPU against 9). UploadPinned (no copy, as the
	// export uses) saved no CPU per UI frame here: the display program's
	// own filtering of a buffer texture, 4 fetches a bilinear tap, costs
	// more than the copy it saves at a minified view, and it is not the
	// texture's picture bit for bit.
	if render.Software() {
		a.upload = render.UploadSync
	}
	a.insp.start()
	a.matte.start()
	implot.CreateContext()
	a.dockClass = imgui.NewWindowClass()
	// DPI: on a 4K desktop GLFW reports a content scale of 2; text and
	// widgets grow with it.
	if s := a.win.ContentScale(); s > 1 {
		style := imgui.CurrentStyle()
		style.ScaleAllSizes(s)
		style.SetFontScaleDpi(s)
	}
	if dir, err := os.UserConfigDir(); err == nil {
		ini := filepath.Join(dir, "flick", "layout.ini")
		if os.MkdirAll(filepath.Dir(ini), 0o755) == nil {
			imgui.CurrentIO().SetIniFilename(ini)
			if _, err := os.Stat(ini); err == nil {
				imgui.LoadIniSettingsFromDisk(ini)
				a.layoutDone = true
			}
		}
	}
	if f := a.src().frame; f != nil {
		a.src().frame = nil // shown again, now with GL
		a.show(f)
	}
}

// close releases what the viewer holds, on the GL goroutine, once the
// loop has ended and before the window and its context go.
func (a *app) close() {
	a.dlg.export.cancelAndWait(a.win.Queue())
	a.dropNext()
	var loaders []*engine.Loader
	for _, sh := range a.ses.shots {
		if l := sh.unload(); l != nil {
			loaders = append(loaders, l)
		}
	}
	if !closeWithin(stuckWait, loaders...) {
		fmt.Fprintln(os.Stderr, "flick: a frame's file does not answer (a stalled drive?); quitting without it")
	}
	a.target.Close()
	a.dlg.export.preview.close()
	a.burn.overlay.Close()
	a.insp.wave.close()
	a.insp.stop() // before the transforms it may use are closed
	a.matte.stop()
	a.matte.overlay.Close()
	a.closeColour()
	a.display.Close()
	if w, h := a.win.Size(); w >= 320 && h >= 240 && !a.fullscreen {
		a.settings.WindowWidth, a.settings.WindowHeight = w, h
	}
	if a.dockClass != nil {
		a.dockClass.Destroy()
		implot.DestroyContext()
	}
	a.saveSettings()
}

// opened is a sequence found and its first header read, off the GL
// goroutine (a network drive may stall).
type opened struct {
	path  string
	rng   string // the range given ("" the whole sequence)
	seq   *engine.Sequence
	fps   float64 // 0: the file does not say
	parts []exr.Part
	first engine.Inspection
	err   error
	// session is a session file read in place of a sequence (its path
	// ends in SessionExt); replace is the shot a version steps from
	// (stepVersion), whose place it takes.
	session *SessionFile
	replace *source
}

// inspect finds the sequence at path and reads its first frame's header.
func inspect(path string, s *engine.Sequence) opened {
	o := opened{path: path, seq: s}
	if s == nil {
		if o.seq, o.err = engine.Find(path); o.err != nil {
			return o
		}
	}
	if in, err := engine.Inspect(o.seq); err == nil {
		o.parts, o.first = in.Parts, in
		if fps, ok := in.FPS(); ok {
			o.fps = fps.Float64()
		}
	}
	return o
}

// src is the shot shown.
func (a *app) src() *source { return a.ses.src() }

// activate loads the current shot and shows its frame n (first, when not
// nil, is that frame, already received): a new clock over its frames at
// its rate keeps the previous clock's loop and realtime modes (the
// settings' at start).
func (a *app) activate(n int, first *engine.Frame) {
	a.dropNext()
	s := a.src()
	for _, sh := range a.ses.onScreen() {
		a.ses.load(sh)
	}
	fps := cmp.Or(a.opt.FPS, s.fps, a.settings.FPS)
	mode, repeat := engine.EveryFrame, engine.Loop
	if old := a.ses.clock; old != nil {
		old.Pause()
		mode, repeat = old.Mode(), old.Order().Repeat
	} else {
		if a.settings.Realtime {
			mode = engine.Realtime
		}
		repeat, _ = engine.ParseRepeat(a.settings.Loop) // settings hold a valid name (Validate)
	}
	a.ses.clock = engine.NewClock(a.ses.clockFrames(), fps)
	a.ses.clock.SetMode(mode)
	a.ses.clock.SetRepeat(repeat)
	a.ses.setOrders()
	a.fitted = true
	a.diag = diagnostics{}
	if first != nil {
		if a.display == nil {
			s.frame = first // shown once GL is up
		} else {
			a.show(first)
		}
	} else {
		a.seek(n)
	}
}

// stuckWait is how long quitting waits for the loader's decodes to stop
// before it gives up on them: a decode waiting on a file system that does
// not answer (a stalled network drive) may never stop.
const stuckWait = 2 * time.Second

// closeWithin closes the loaders together, waiting at most d for them; it
// reports whether all stopped in time (if not, the goroutines of those
// that did not are left to end with the process).
func closeWithin(d time.Duration, loaders ...*engine.Loader) bool {
	var wg sync.WaitGroup
	for _, l := range loaders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Close()
		}()
	}
	stopped := make(chan struct{})
	go func() {
		wg.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
		return true
	case <-time.After(d):
		return false
	}
}

// open starts opening a path (file, pattern or folder) from the open
// dialog, a drop or the recent list: the folder is read in the background
// and the viewer switches when it is done (opening).
func (a *app) open(path string) {
	a.log.add(levelInfo, "opening "+path)
	if IsSession(path) {
		go func() { a.opening <- openSessionFile(path) }()
		return
	}
	go func() { a.opening <- inspect(path, nil) }()
}

// adoptOpened adds a shot opened in the background to the session, after
// the current one, and shows it.
func (a *app) adoptOpened(o opened) {
	if o.replace != nil {
		a.replaceShot(o)
		return
	}
	if o.err != nil {
		a.log.add(levelError, o.err.Error())
		return
	}
	if o.session != nil {
		a.adoptSession(o.session)
		return
	}
	s := newSource(o)
	a.ses.shots = slices.Insert(a.ses.shots, a.ses.cur+1, s)
	a.settings.AddRecent(o.path)
	a.log.add(levelInfo, fmt.Sprintf("opened %s (%d frames, %d missing)", s.seq, len(s.seq.Frames), len(s.seq.Missing())))
	a.switchTo(a.ses.cur+1, s.seq.Range.Start)
}

// switchTo makes shot i current and shows its frame n. The shot left
// keeps its selection, its loader and its frames in the one cache, until
// the cache needs room for the shots on screen (SetActive). A missing shot
// is not shown: the status line says so.
func (a *app) switchTo(i, n int) {
	if g := a.ses.shots[i].gone; g != nil {
		a.log.add(levelWarning, fmt.Sprintf("%s is missing: %v", a.ses.shots[i].path, g))
		return
	}
	a.dlg.export.cancelAndWait(a.win.Queue()) // it reads the shot left
	if i != a.ses.cur {
		a.src().hide()
		a.ses.setCur(i)
	}
	a.activate(n, nil)
	a.chooseColour(a.col.dv) // the input colour space is the shot's
	a.setTitle(n)
}

// pageShot goes k shots on (PageDown 1, PageUp -1), wrapping at the ends
// and skipping missing shots, to the frame at the same distance from its
// start (relativeFrame).
func (a *app) pageShot(k int) {
	j := k
	for a.ses.shots[a.ses.around(j)].gone != nil { // ends at the current shot at the latest
		j += k
	}
	if i := a.ses.around(j); i != a.ses.cur {
		a.switchTo(i, relativeFrame(a.src().seq, a.ses.clock.Frame(), a.ses.shots[i].seq))
	}
}

// removeShot closes shot i and takes it out of the session (not the last
// one, nor the last not missing); removing the current shot shows the
// next not missing.
func (a *app) removeShot(i int) {
	cur, comparing := a.src(), a.ses.comparing()
	if i == a.ses.cur && !slices.ContainsFunc(a.ses.shots, func(s *source) bool { return s != cur && s.gone == nil }) {
		a.log.add(levelWarning, "the only shot found stays: the others are missing")
		return
	}
	gone := a.ses.remove(i)
	if gone == nil {
		return
	}
	if gone == cur {
		for a.src().gone != nil {
			a.ses.cur = a.ses.around(1)
		}
		a.dlg.export.cancelAndWait(a.win.Queue())
		a.activate(a.src().seq.Range.Start, nil)
		a.chooseColour(a.col.dv)
		a.setTitle(a.src().seq.Range.Start)
	} else if comparing && !a.ses.comparing() { // B went: back to A's frames
		sa := a.src()
		a.remap(engine.SourceFrame(a.ses.cmp.sync, a.ses.clock.Frame(), sa.seq.Range, sa.seq.Range, sa.offset))
	}
	if l := gone.unload(); l != nil {
		go l.Close() // it drops its frames from the cache; its decodes may wait on a stalled drive
	}
	a.log.add(levelInfo, "removed "+gone.seq.String())
}

// receive takes the current shot's decoded frames (and B's, comparing)
// without waiting.
func (a *app) receive() {
	a.receiveB()
	if a.ses.streaming() {
		a.receiveStream()
		return
	}
	a.dropNext() // a Once playback's stream ended
	for {
		select {
		case f := <-a.src().loader.Frames():
			a.show(f)
		default:
			return
		}
	}
}

// receiveStream shows the stream's next frame when the clock makes it
// due (every-frame playback: at the shot's rate, later when a frame is
// late), so a cached shot plays at its rate, never faster, every frame
// reaches the screen, and the clock stays on the frame shown (pause
// stops there). The frame the stream starts from is the clock's own.
func (a *app) receiveStream() {
	if a.next == nil {
		l := a.src().loader
		select {
		case f := <-l.Frames():
			a.next, a.nextFrom = f, l
		default:
			return
		}
	}
	c := a.ses.clock
	if c.Tick(time.Now(), func(n int) bool { return n == a.next.Number }).Changed || a.next.Number == c.Frame() {
		f := a.next
		a.next = nil
		a.show(f)
	}
}

// dropNext hands back a streamed frame never shown (playback stopped).
func (a *app) dropNext() {
	if a.next != nil {
		a.nextFrom.Release(a.next)
		a.next, a.nextFrom = nil, nil
	}
}

// show uploads a frame's pixels and keeps the frame (pinned in the cache,
// for the pixel probe) until the next one replaces it.
func (a *app) show(f *engine.Frame) {
	a.dirty = true
	if !a.ses.comparing() { // comparing, pairShown says when both sides are in
		a.diag.frameShown(time.Now())
		a.setTitle(f.Number)
	}
	switch err := a.src().show(f, a.upload); {
	case f.Err != nil:
		a.log.frameError(f.Number, f.Err)
	case err != nil:
		a.log.add(levelError, fmt.Sprintf("frame %d: %v", f.Number, err))
	}
}

// refreshStates asks the loader which frames are decoding or failed (the
// meter's amber and red), and logs each failure once, prefetched ones
// included.
func (a *app) refreshStates() {
	s := a.src()
	if a.ses.comparing() {
		a.ses.bSrc().refreshStates() // B's side of ready
	}
	s.refreshStates()
	for i, st := range s.states {
		if st.Err != nil {
			a.log.frameError(s.frames[i], st.Err)
		}
	}
}

// tick advances playback and asks the loader for the frame to show.
func (a *app) tick() {
	c := a.ses.clock
	if !c.Playing() || a.ses.streaming() {
		return // streaming: Stream delivers every frame in order; receiveStream shows each when due
	}
	t := c.Tick(time.Now(), a.ses.ready)
	if t.Dropped > 0 {
		a.src().loader.Stats().AddDrops(t.Dropped)
	}
	if f := a.src().frame; t.Changed && (a.ses.comparing() || f == nil || f.Number != t.Frame) {
		a.request(t.Frame, c.Dir())
	}
}

// request asks the loader for frame n (dir: the way the user is going);
// comparing, each side's loader for its frame at timeline frame n.
func (a *app) request(n, dir int) {
	if a.ses.request(n, dir) {
		a.dirty = true // a side that lacks n shows it as missing at once
	}
}

// play starts or stops playback going dir.
func (a *app) play(dir int) {
	c := a.ses.clock
	if c.Playing() && c.Dir() == dir {
		a.pause()
		return
	}
	c.Play(time.Now(), dir)
	if a.ses.streaming() {
		a.src().loader.Stream(c.Frame(), dir)
	}
}

func (a *app) pause() {
	streaming := a.ses.streaming()
	a.ses.clock.Pause()
	a.dropNext()
	if streaming {
		a.request(a.ses.clock.Frame(), a.ses.clock.Dir())
	}
}

// seek shows frame n (scrub, step, first/last).
func (a *app) seek(n int) {
	a.pause()
	n = a.ses.clock.Scrub(time.Now(), n)
	a.request(n, a.ses.clock.Dir())
}

// step moves k frames.
func (a *app) step(k int) {
	a.pause()
	a.request(a.ses.clock.Step(k), k)
}

// setInOut sets the in and out points (frame numbers).
func (a *app) setInOut(in, out int) {
	if err := a.ses.clock.SetInOut(in, out); err != nil {
		a.log.add(levelWarning, err.Error())
		return
	}
	a.ses.setOrders()
}

// setChannels switches the channels shown (a layer of a part), decoded at
// the level the zoom needs.
func (a *app) setChannels(sel exr.Selection, name string) {
	s := a.src()
	s.sel, s.selName = sel, name
	a.decode(s.withLevel(sel, a.camera.Scale))
}

// saveSettings writes the settings back, unless the file was broken when
// loaded (the user must replace it from the settings panel).
func (a *app) saveSettings() {
	if a.settingsBroken || a.opt.SettingsPath == "" {
		return
	}
	a.settings.Loop = a.ses.clock.Order().Repeat.String()
	a.settings.Realtime = a.ses.clock.Mode() == engine.Realtime
	a.settings.Panels = a.settings.Panels[:0]
	for _, p := range panelNames {
		if a.panels[p] {
			a.settings.Panels = append(a.settings.Panels, p)
		}
	}
	if err := settings.Save(a.opt.SettingsPath, a.settings, Choices()); err != nil {
		fmt.Fprintln(os.Stderr, "flick:", err)
	}
}
