package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/engine"
	"flick/engine/exr"
	"flick/engine/timecode"
	"flick/export"
	"flick/export/burnin"
	"flick/render"
	"flick/settings"
)

// exportDialog is the export dialog's state; an export runs on its own
// goroutines and the viewer stays usable.
type exportDialog struct {
	open    bool
	focused bool // focus given when the window opened
	path    string
	codec   int32 // index in export.CodecNames()
	crf     int32
	speed   string // the encoder's speed preset (export.Options.Preset)
	scale   float32
	whole   bool // the whole sequence rather than in-out
	// alone exports A alone while the viewer compares A and B (the
	// dialog's "export the comparison" unticked).
	alone   bool
	cancel  context.CancelFunc
	mu      sync.Mutex // guards progress, result, running
	running bool
	prog    export.Progress
	result  error
	done    string // the movie written last
	wg      sync.WaitGroup

	// preset is a preset to load (a shipped one's name or a file) and
	// presetNote what loading it said.
	preset, presetNote string
	presetLoaded       bool // preset applied (at the first draw, or by Load)
	slate              bool
	slateFrames        int32
	preview            slatePreview // GL goroutine only

	// ocio and ocioB are the OpenColorIO transforms the running export
	// draws A and B through (GL goroutine only): the viewer's cache must
	// not close them.
	ocio, ocioB *render.ColorTransform
}

// uses reports whether a running export draws through ct.
func (e *exportDialog) uses(ct *render.ColorTransform) bool {
	return e.isRunning() && ct != nil && (e.ocio == ct || e.ocioB == ct)
}

// comparison is the mode the export draws A and B with, and whether it
// compares them: while the viewer shows A and B combined (not one of them
// alone), unless the user chose to export A alone.
func (e *exportDialog) comparison(a *app) (render.CompareMode, bool) {
	m, ok := a.ses.cmp.mode.pair()
	return m, ok && a.ses.comparing() && !e.alone
}

func (e *exportDialog) defaults(s settings.Export) {
	for i, c := range export.CodecNames() {
		if c == s.Codec {
			e.codec = int32(i)
		}
	}
	e.crf, e.scale, e.slateFrames = int32(s.CRF), float32(s.Scale), 1
	// As for flick export --preset: a speed's name is the encoder's
	// speed, any other a preset, loaded when the dialog first opens.
	if export.IsSpeed(s.Preset) || s.Preset == "" {
		e.speed = s.Preset
	} else {
		e.preset = s.Preset
	}
}

// applyPreset loads e.preset and sets the dialog's choices from it: codec,
// crf, speed, size (width and height as a scale of the frame on screen),
// slate. The dialog exports what the viewer shows, so the preset's colour,
// channel and layer keys are not applied; the note says which were not.
func (e *exportDialog) applyPreset(a *app) {
	e.presetLoaded = true
	if e.preset == "" {
		return
	}
	p, err := export.LoadPreset(e.preset)
	if err != nil {
		e.presetNote = err.Error()
		return
	}
	// ParsePreset checked every value: the conversions cannot fail.
	num := func(v string) float64 { f, _ := strconv.ParseFloat(v, 64); return f }
	var ignored, templates []string
	fields := burnin.Fields{}
	for _, en := range p.Entries {
		v := en.Value
		switch {
		case en.Key == "burnin":
			templates = append(templates, v)
		case en.Key == "field":
			if k, val, err := burnin.ParseField(v); err == nil { // LoadPreset checked it
				fields[k] = val
			}
		case en.Key == "codec":
			e.codec = int32(slices.Index(export.CodecNames(), v))
		case en.Key == "crf":
			e.crf = int32(num(v))
		case en.Key == "speed":
			e.speed = v
		case en.Key == "scale":
			e.scale = float32(num(v))
		case en.Key == "width" && a.src().frame != nil:
			e.scale = float32(num(v) / float64(a.src().frame.DisplayWindow.Dx()))
		case en.Key == "height" && a.src().frame != nil:
			e.scale = float32(num(v) / float64(a.src().frame.DisplayWindow.Dy()))
		case en.Key == "slate":
			e.slate, _ = strconv.ParseBool(v)
		case en.Key == "slate-frames":
			e.slateFrames = int32(num(v))
		default:
			ignored = append(ignored, en.Key)
		}
	}
	e.presetNote = "loaded " + p.Name
	if len(templates) > 0 {
		// The preset's burn-ins become the viewer's, shown, so that the
		// picture shows what the dialog will burn in (Shift+B hides them,
		// and then the export has none).
		a.burnins.Templates, a.burnins.Fields, a.burnins.Show = templates, fields, true
		e.presetNote += "; its burn-ins are shown in the viewer"
	}
	if len(ignored) > 0 {
		e.presetNote += "; the viewer's own choices stand for " + strings.Join(ignored, ", ")
	}
}

func (e *exportDialog) draw(a *app) {
	if !e.open {
		e.focused = false
		return
	}
	if e.path == "" {
		e.path = filepath.Join(a.src().seq.Dir, strings.TrimRight(a.src().seq.Prefix, "._-")+"_review.mov")
	}
	imgui.SetNextWindowSizeV(imgui.NewVec2(560*unit(), 0), imgui.CondAppearing)
	imgui.SetNextWindowPosV(imgui.MainViewport().Center(), imgui.CondAppearing, imgui.NewVec2(0.5, 0.5))
	if !e.focused {
		imgui.SetNextWindowFocus()
		e.focused = true
	}
	// A window, not a modal: the viewer stays usable while a movie is
	// written.
	defer imgui.End()
	if !imgui.BeginV("Export", &e.open, imgui.WindowFlagsNoDocking|imgui.WindowFlagsAlwaysAutoResize) {
		return
	}
	e.mu.Lock()
	running, p, result, done := e.running, e.prog, e.result, e.done
	e.mu.Unlock()
	imgui.SetNextItemWidth(-1)
	imgui.InputTextWithHint("##out", "movie path (.mov)", &e.path, 0, nil)
	imgui.ComboStrV("codec", &e.codec, comboItems(export.CodecNames()), -1)
	imgui.InputIntV("crf (h264/hevc)", &e.crf, 1, 5, 0)
	imgui.InputTextWithHint("speed", "medium", &e.speed, 0, nil)
	imgui.SliderFloatV("scale", &e.scale, 0.1, 1, "%.2f", 0)
	if !e.presetLoaded {
		e.applyPreset(a)
	}
	imgui.InputTextWithHint("##preset", "preset: "+strings.Join(export.ShippedPresets(), ", ")+" or a file", &e.preset, 0, nil)
	imgui.SameLine()
	if imgui.Button("Load preset") {
		e.applyPreset(a)
	}
	if e.presetNote != "" {
		imgui.TextDisabled(esc(e.presetNote))
	}
	imgui.Checkbox("slate", &e.slate)
	if e.slate {
		imgui.SameLine()
		imgui.SetNextItemWidth(100 * unit())
		imgui.InputIntV("frames##slate", &e.slateFrames, 1, 5, 0)
		e.slateFrames = min(max(e.slateFrames, 1), export.MaxSlateFrames)
		e.preview.draw(a, e)
	}
	imgui.Checkbox("whole sequence (else in-out)", &e.whole)
	shown := fmt.Sprintf("as shown: %s, %s, exposure %+.1f, channels %s", a.view.Channels, a.colourTitle(),
		a.view.Exposure, a.src().selName)
	if m, ok := a.ses.cmp.mode.pair(); ok && a.ses.comparing() {
		both := !e.alone
		if imgui.Checkbox("export the comparison", &both) {
			e.alone = !both
		}
		if both {
			shown += fmt.Sprintf("; %s against %s (B, channels %s)", m, a.ses.bSrc().name(), a.ses.bSrc().selName)
		}
	}
	imgui.TextDisabled(esc(shown))
	switch {
	case running:
		frac := float32(0)
		if p.Total > 0 {
			frac = float32(p.Done) / float32(p.Total)
		}
		imgui.ProgressBarV(frac, imgui.NewVec2(-1, 0), fmt.Sprintf("%d/%d frames, %.1f fps, %s left",
			p.Done, p.Total, p.FPS(), p.ETA().Round(time.Second)))
		if imgui.Button("Cancel") {
			e.cancel()
		}
	default:
		// Enter starts it too (keyboard first).
		if imgui.Button("Export") || imgui.IsKeyPressedBoolV(imgui.KeyEnter, false) && !imgui.CurrentIO().WantTextInput() {
			e.start(a)
		}
		imgui.SameLine()
		if imgui.Button("Close") {
			e.open = false
		}
		if result != nil {
			msg := result.Error()
			if errors.Is(result, export.ErrNoNVENC) {
				msg += "\nChoose h264 or hevc (software) instead."
			}
			imgui.TextColored(imgui.NewVec4(1, 0.4, 0.4, 1), esc(msg))
		} else if done != "" {
			imgui.TextUnformatted(fmt.Sprintf("wrote %s: %d frames in %.1fs", done, p.Done, p.Elapsed.Seconds()))
			if imgui.Button("Reveal the file") {
				if err := exec.Command("xdg-open", filepath.Dir(done)).Start(); err != nil {
					a.log.add(levelWarning, "reveal: "+err.Error())
				}
			}
		}
	}
}

// start begins an export of the frames in-out (or all) as shown now.
func (e *exportDialog) start(a *app) {
	codec, err := export.ParseCodec(export.CodecNames()[e.codec])
	if err != nil {
		e.result = err
		return
	}
	first, last := a.ses.in(), a.ses.out()
	if e.whole {
		first, last = a.src().seq.Range.Start, a.src().seq.Range.End
	}
	var frames []int
	for _, n := range a.src().seq.Range.Frames() {
		if n >= first && n <= last {
			frames = append(frames, n)
		}
	}
	var timeline []int // comparing, the movie's timeline frames
	if _, ok := e.comparison(a); ok {
		timeline = e.timeline(a)
		frames = sideFrames(a, a.src(), timeline)
	}
	movie, err := e.movie(a, codec)
	if err != nil {
		e.result = err
		return
	}
	// Burn-ins: the movie gets those the viewer shows, when it shows them.
	var burnins []burnin.Template
	if a.burnins.Show {
		if burnins, err = a.burnins.Parse(); err != nil {
			e.result = err
			return
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ahead := export.StartReadahead(ctx, frames, exportAhead, exportSource(a.src().seq, a.ses.cache, a.src().loader.Source(), a.src().sel, a.opt.Pool))
	// The viewer's choices: its OpenColorIO transform and the colour
	// description of its display.
	if a.view.OCIO != nil {
		if _, warning := export.ColourFor(a.col.shown.dv.Display, codec); warning != "" {
			a.log.add(levelWarning, warning)
		}
	}
	e.ocio, e.ocioB = a.view.OCIO, nil
	job := export.Job{
		Frames:  frames,
		Display: a.view,
		Movie:   movie,
		Load:    ahead.Load,
		Release: ahead.Release,
		Progress: func(p export.Progress) {
			e.mu.Lock()
			e.prog = p
			e.mu.Unlock()
		},
	}
	// The movie's timecode track starts at its first frame's (issue 18),
	// less the slate's frames; burn-ins count on from the first frame's.
	var start *timecode.Timecode
	if len(frames) > 0 {
		if tc, err := a.timecodeOf(frames[0], timecode.Rate{Num: movie.FPS.Num, Den: movie.FPS.Den}); err == nil {
			start = &tc
		}
	}
	if len(burnins) > 0 {
		shot := a.burninShot(a.src().frame)
		shot.Start = start
		job.Burnins, job.Fields = burnins, shot.Fields(frames, time.Now())
	}
	var slate *export.Slate
	if e.slate {
		slate = e.slateOf(a, movie)
		// The middle frame, decoded off the GL goroutine when Run asks;
		// one that cannot be read leaves the slate without a thumbnail.
		seq, key, pool := a.src().seq, engine.Key{Frame: frames[len(frames)/2], Channels: a.src().sel}, a.opt.Pool
		slate.Thumb = func() *engine.Frame {
			f, _ := engine.LoadKey(seq, key, func(n int) []uint16 { return make([]uint16, n) }, pool, func() bool { return ctx.Err() != nil })
			return f
		}
	}
	if start != nil {
		job.Movie.Timecode = slate.Start(*start, movie.FPS)
	}
	var aheadB *export.Readahead
	if m, ok := e.comparison(a); ok {
		aheadB = e.compare(ctx, a, &job, m, timeline)
		if slate != nil {
			slate.Fields["compared with"] = a.ses.bSrc().seq.String() // the mode shows in the movie
		}
	}
	e.cancel = cancel
	e.mu.Lock()
	e.running, e.result, e.done, e.prog = true, nil, "", export.Progress{Total: len(frames)}
	e.mu.Unlock()
	job.Slate = slate
	q := a.win.Queue()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		p, err := export.Run(ctx, job, q)
		ahead.Cancel() // not waited for: a lane may be stuck opening a file
		if aheadB != nil {
			aheadB.Cancel()
		}
		e.mu.Lock()
		e.running, e.prog, e.result = false, p, err
		if err == nil {
			e.done = job.Movie.Path
		}
		e.mu.Unlock()
	}()
	a.log.add(levelInfo, fmt.Sprintf("exporting %d frames to %s", len(frames), e.path))
}

// movie is the movie the dialog's choices make of the frame on screen's
// size, at the viewer's rate, tagged for its display.
func (e *exportDialog) movie(a *app, codec export.Codec) (export.Options, error) {
	f := a.src().frame
	if f == nil || f.Err != nil {
		return export.Options{}, errors.New("export: no frame on screen to size the movie from")
	}
	w, h := export.OutputSize(f.DisplayWindow.Dx(), f.DisplayWindow.Dy(), float64(e.scale), 0, 0)
	if m, ok := e.comparison(a); ok {
		w, h = export.CompareSize(m, w, h)
	}
	fps, _ := export.ParseFPS(fmt.Sprint(a.ses.clock.FPS()))
	var colour export.Colour
	if a.view.OCIO != nil {
		colour, _ = export.ColourFor(a.col.shown.dv.Display, codec)
	}
	return export.Options{Path: e.path, Codec: codec, Width: w, Height: h, FPS: fps, CRF: int(e.crf),
		Preset: e.speed, Colour: colour}, nil
}

// timeline is the timeline frames a comparison's movie shows: in-out, or
// the whole timeline.
func (e *exportDialog) timeline(a *app) []int {
	var frames []int
	for _, g := range a.ses.clockFrames() {
		if e.whole || g >= a.ses.in() && g <= a.ses.out() {
			frames = append(frames, g)
		}
	}
	return frames
}

// sideFrames are shot sh's frames at the timeline frames (session.sideFrame:
// the viewer's sync and offsets), whether sh has them or not: one it lacks
// is black on its side.
func sideFrames(a *app, sh *source, timeline []int) []int {
	frames := make([]int, len(timeline))
	for i, g := range timeline {
		frames[i], _ = a.ses.sideFrame(sh, g)
	}
	return frames
}

// compare makes job, of A's frames at the timeline frames, compare them
// against B as the viewer does in mode m: B's frame at each (sideFrames),
// read from the shared cache or decoded by a readahead of B's own, drawn
// with B's own OpenColorIO transform (sideTransform), the wipe's point in
// the movie's pixels. It returns B's readahead, for the caller to cancel.
func (e *exportDialog) compare(ctx context.Context, a *app, job *export.Job, m render.CompareMode, timeline []int) *export.Readahead {
	b, sa := a.ses.bSrc(), a.src()
	frames := sideFrames(a, b, timeline)
	ahead := export.StartReadahead(ctx, frames, exportAhead, exportSource(b.seq, a.ses.cache, b.loader.Source(), b.sel, a.opt.Pool))
	settings := a.view
	settings.OCIO = a.sideTransform(b)
	e.ocioB = settings.OCIO
	c := a.ses.cmp
	g := a.ses.clock.Frame()
	job.Compare = &export.Compare{
		Frames: frames, Load: ahead.Load, Release: ahead.Release, Settings: settings,
		Comparison: render.Comparison{Mode: m, WipeX: c.wipeX * float32(job.Movie.Width), WipeY: c.wipeY * float32(job.Movie.Height),
			WipeAngle: c.wipeAngle, Blend: c.blend, Gain: c.gain},
		ADisplay: a.side(sa, g).disp, BDisplay: a.side(b, g).disp,
	}
	return ahead
}

// slateOf is the slate of the viewer's sequence as movie shows it, with
// the burn-ins' fields; no thumbnail yet.
func (e *exportDialog) slateOf(a *app, movie export.Options) *export.Slate {
	return &export.Slate{Frames: int(e.slateFrames), Fields: export.ShotFields(a.burninShot(a.src().frame), movie)}
}

// slatePreview is the slate as the export would draw it, for the dialog:
// rendered again only when what it shows changes. GL goroutine only.
type slatePreview struct {
	key     string // what the shown slate was drawn for
	target  render.Target
	overlay render.Overlay
	err     error
}

// previewWidth is the slate preview's width in the dialog, in UI units.
const previewWidth = 360

// draw shows the slate of the dialog's movie with the frame on screen as
// its thumbnail (the movie's is the shot's middle frame).
func (p *slatePreview) draw(a *app, e *exportDialog) {
	codec, err := export.ParseCodec(export.CodecNames()[e.codec])
	if err != nil {
		return
	}
	movie, err := e.movie(a, codec)
	if err != nil {
		return
	}
	w := int(previewWidth * unit())
	h := max(2, w*movie.Height/max(1, movie.Width))
	key := fmt.Sprint(movie, e.slateFrames, a.src().frame.Number, a.ses.in(), a.ses.out(), a.view, a.colourTitle(), a.src().selName, a.burnins.Fields, w)
	if key != p.key {
		p.key = key
		pix := make([]uint16, 4*w*h)
		p.err = e.slateOf(a, movie).Render(a.display, a.view, a.src().frame, w, h, pix)
		if p.err == nil {
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			for i, v := range pix {
				img.Pix[i] = uint8(v >> 8)
			}
			if p.err = p.target.Resize(w, h); p.err == nil {
				p.err = p.overlay.Draw(&p.target, image.Point{}, []*image.RGBA{img})
			}
		}
	}
	if p.err != nil {
		imgui.TextColored(imgui.NewVec4(1, 0.4, 0.4, 1), esc("slate: "+p.err.Error()))
		return
	}
	imgui.Image(*imgui.NewTextureRefTextureID(imgui.TextureID(p.target.Texture())), imgui.NewVec2(float32(w), float32(h)))
}

// close deletes the preview's GL objects.
func (p *slatePreview) close() {
	p.target.Close()
	p.overlay.Close()
	p.key = ""
}

// exportAhead is how many frames an export from the viewer decodes ahead
// (one per readahead lane): its GL context is up already, and these
// buffers come on top of the cache's budget.
const exportAhead = export.ReadaheadLanes

// exportSource is where an export from the viewer gets frames: those of
// source src in the cache (with the channels shown) are not decoded again; the others
// are decoded into the readahead's recycled buffers, not fresh ones per
// frame.
func exportSource(seq *engine.Sequence, cache *engine.Cache, src int, sel exr.Selection, pool *engine.Pool) export.Source {
	key := func(n int) engine.Key { return engine.Key{Source: src, Frame: n, Channels: sel} }
	return export.Source{
		Cached: func(n int) *engine.Frame { return cache.Get(key(n)) },
		Unpin:  cache.Release,
		Decode: func(ctx context.Context, n int, buffer func(int) []uint16) (*engine.Frame, error) {
			return engine.LoadKey(seq, key(n), buffer, pool, func() bool { return ctx.Err() != nil })
		},
	}
}

// exportTurn is the GL time an export gets per UI frame, on top of the
// one turn the window's loop gives queued work: most of a 60 Hz frame, so
// the viewer stays responsive while the export is not capped at its rate.
const exportTurn = 12 * time.Millisecond

// isRunning reports whether an export is in progress.
func (e *exportDialog) isRunning() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.running
}

// cancelAndWait stops a running export and waits for export.Run, whose GL
// work runs on this goroutine's queue (served meanwhile) and which reads
// no file itself. It does not wait for the readahead's lanes, which may be
// stuck opening a file on a stalled drive: they are left to end on their
// own (Readahead.Cancel), touching only the cache and the decode pool,
// which outlive them (the pool is never closed while the viewer runs).
func (e *exportDialog) cancelAndWait(q *render.Queue) {
	if e.cancel != nil {
		e.cancel()
	}
	done := make(chan struct{})
	go func() {
		e.wg.Wait()
		close(done)
	}()
	q.ServeUntil(done)
}
