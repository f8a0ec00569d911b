package ui

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
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
	preset  string
	scale   float32
	whole   bool // the whole sequence rather than in-out
	cancel  context.CancelFunc
	mu      sync.Mutex // guards progress, result, running
	running bool
	prog    export.Progress
	result  error
	done    string // the movie written last
	wg      sync.WaitGroup
	// ocio is the OpenColorIO transform the running export draws through
	// (GL goroutine only): the viewer's cache must not close it.
	ocio *render.ColorTransform
}

// uses reports whether a running export draws through ct.
func (e *exportDialog) uses(ct *render.ColorTransform) bool {
	return e.isRunning() && ct != nil && e.ocio == ct
}

func (e *exportDialog) defaults(s settings.Export) {
	for i, c := range export.CodecNames() {
		if c == s.Codec {
			e.codec = int32(i)
		}
	}
	e.crf, e.preset, e.scale = int32(s.CRF), s.Preset, float32(s.Scale)
}

func (e *exportDialog) draw(a *app) {
	if !e.open {
		e.focused = false
		return
	}
	if e.path == "" {
		e.path = filepath.Join(a.seq.Dir, strings.TrimRight(a.seq.Prefix, "._-")+"_review.mov")
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
	imgui.InputTextWithHint("preset", "medium", &e.preset, 0, nil)
	imgui.SliderFloatV("scale", &e.scale, 0.1, 1, "%.2f", 0)
	imgui.Checkbox("whole sequence (else in-out)", &e.whole)
	imgui.TextDisabled(esc(fmt.Sprintf("as shown: %s, %s, exposure %+.1f, channels %s", a.view.Channels, a.colourTitle(),
		a.view.Exposure, a.selName)))
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
	f := a.frame
	if f == nil || f.Err != nil {
		e.result = errors.New("export: no frame on screen to size the movie from")
		return
	}
	codec, err := export.ParseCodec(export.CodecNames()[e.codec])
	if err != nil {
		e.result = err
		return
	}
	first, last := a.in, a.out
	if e.whole {
		first, last = a.seq.Range.Start, a.seq.Range.End
	}
	var frames []int
	for _, n := range a.seq.Range.Frames() {
		if n >= first && n <= last {
			frames = append(frames, n)
		}
	}
	w, h := export.OutputSize(f.DisplayWindow.Dx(), f.DisplayWindow.Dy(), float64(e.scale), 0, 0)
	fps, _ := export.ParseFPS(fmt.Sprint(a.clock.FPS()))
	// Burn-ins: the movie gets those the viewer shows, when it shows them.
	var burnins []burnin.Template
	if a.burnins.Show {
		var err error
		if burnins, err = a.burnins.Parse(); err != nil {
			e.result = err
			return
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	ahead := export.StartReadahead(ctx, frames, exportAhead, exportSource(a.seq, a.cache, a.sel, a.opt.Pool))
	// The viewer's choices: its OpenColorIO transform and the colour
	// description of its display.
	var colour export.Colour
	if a.view.OCIO != nil {
		var warning string
		if colour, warning = export.ColourFor(a.col.shown.dv.Display, codec); warning != "" {
			a.log.add(levelWarning, warning)
		}
	}
	e.ocio = a.view.OCIO
	job := export.Job{
		Frames:  frames,
		Display: a.view,
		Movie: export.Options{Path: e.path, Codec: codec, Width: w, Height: h, FPS: fps, CRF: int(e.crf),
			Preset: e.preset, Colour: colour},
		Load:    ahead.Load,
		Release: ahead.Release,
		Progress: func(p export.Progress) {
			e.mu.Lock()
			e.prog = p
			e.mu.Unlock()
		},
	}
	// The movie's timecode track starts at its first frame's (issue 18).
	if len(frames) > 0 {
		if tc, err := a.timecodeOf(frames[0], timecode.Rate{Num: fps.Num, Den: fps.Den}); err == nil {
			job.Movie.Timecode = &tc
		}
	}
	if len(burnins) > 0 {
		shot := a.burninShot(f)
		shot.Start = job.Movie.Timecode // frames[0]'s, as the track
		job.Burnins, job.Fields = burnins, shot.Fields(frames, time.Now())
	}
	e.cancel = cancel
	e.mu.Lock()
	e.running, e.result, e.done, e.prog = true, nil, "", export.Progress{Total: len(frames)}
	e.mu.Unlock()
	q := a.win.Queue()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		p, err := export.Run(ctx, job, q)
		ahead.Cancel() // not waited for: a lane may be stuck opening a file
		e.mu.Lock()
		e.running, e.prog, e.result = false, p, err
		if err == nil {
			e.done = job.Movie.Path
		}
		e.mu.Unlock()
	}()
	a.log.add(levelInfo, fmt.Sprintf("exporting %d frames to %s", len(frames), e.path))
}

// exportAhead is how many frames an export from the viewer decodes ahead
// (one per readahead lane): its GL context is up already, and these
// buffers come on top of the cache's budget.
const exportAhead = export.ReadaheadLanes

// exportSource is where an export from the viewer gets frames: those in
// the cache (with the channels shown) are not decoded again; the others
// are decoded into the readahead's recycled buffers, not fresh ones per
// frame.
func exportSource(seq *engine.Sequence, cache *engine.Cache, sel exr.Selection, pool *engine.Pool) export.Source {
	key := func(n int) engine.Key { return engine.Key{Frame: n, Channels: sel} }
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
