package export

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"sync"
	"time"

	"flick/engine"
	"flick/export/burnin"
	"flick/render"
)

// Job is one export: the frames, how they are shown (the viewer's display
// settings: channels, exposure, transform, gamma), and the movie.
type Job struct {
	Frames []int // frame numbers, in movie order
	// Display is how frames are drawn; its KeepAlpha is ignored: Run sets
	// it for codecs with alpha (ProRes 4444, whose alpha plane is then the
	// frames' alpha, colour premultiplied by it as EXR stores it, and 0
	// outside the data window) and clears it for the others (opaque).
	Display render.Settings
	Movie   Options // Width, Height: the output size; the display window is scaled to it
	// Load returns frame n decoded (from the cache when it is there), or
	// an error for a frame that cannot be read; Release hands a frame back
	// once it is uploaded. Load is called from a goroutine of the export's
	// own, in order, at most pipelineDepth frames ahead of the encoder.
	Load    func(ctx context.Context, n int) (*engine.Frame, error)
	Release func(*engine.Frame)
	// Progress, when set, is called after each encoded frame, from the
	// encoding goroutine.
	Progress func(Progress)
	// Slate, when set, is encoded Slate.Frames times before the frames.
	Slate *Slate
	// Burnins, when set, are drawn over every frame after the display pass
	// (render.Overlay), with the values Fields gives for movie frame i
	// (Frames[i]; nil Fields: every field empty). Their text is rendered
	// on the load goroutine, ahead of the GL goroutine, which only uploads
	// the bands whose text changed.
	Burnins []burnin.Template
	Fields  func(i int) burnin.Fields
	// Compare, when set, is a second source drawn against the frames
	// (issue 16): the movie shows the two as Compare.Comparison says.
	Compare *Compare
}

// Compare is the second source (B) of a comparison export; the job's own
// frames are A's. Movie frame i shows A's frame Job.Frames[i] against
// B's frame Compare.Frames[i] (one per movie frame; a frame B lacks is
// drawn black on B's side only and listed in Progress.Skipped, like an
// unreadable frame).
type Compare struct {
	Frames []int
	// Load and Release are Job's for B's frames: Load is called in order
	// of Frames, each once.
	Load    func(ctx context.Context, n int) (*engine.Frame, error)
	Release func(*engine.Frame)
	// Settings is how B is drawn: Job.Display's with B's own OpenColorIO
	// transform (B's input colour space); KeepAlpha follows Job.Display's.
	Settings   render.Settings
	Comparison render.Comparison
	// ADisplay and BDisplay are the sources' display windows, which place
	// a side whose frame is missing (the others place each frame by its
	// own).
	ADisplay, BDisplay image.Rectangle
}

// Progress says how far an export is and where its time goes.
type Progress struct {
	Done, Total int
	Elapsed     time.Duration
	// Stage times summed over the frames done: decode (waiting for Load:
	// the decode, or nothing for a frame cached or read ahead), draw
	// (upload and display pass on the GL goroutine), readback (waiting
	// for and copying pixels back), convert (RGB to YUV), encode (encoding
	// and writing).
	Decode, Draw, Readback, Convert, Encode time.Duration
	// Skipped lists the frames that could not be read (missing or
	// damaged): each is in the movie as a black frame, so that timing
	// stays in sync.
	Skipped []FrameError
	// Slate counts the slate's frames encoded before the shot's (not in
	// Done).
	Slate int
	// Soft counts the frames drawn on the CPU (render.SoftDraw), bit for
	// bit as the GL draws them, not by the GL.
	Soft int
}

// FrameError is a frame that could not be read, and why.
type FrameError struct {
	Frame int
	Err   error
	// B says the frame is the compared source's (Job.Compare): black on
	// B's side only.
	B bool
}

// FPS returns the frames encoded per second so far.
func (p Progress) FPS() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Done) / p.Elapsed.Seconds()
}

// ETA estimates the time left at the rate so far.
func (p Progress) ETA() time.Duration {
	if p.Done == 0 {
		return 0
	}
	return time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))
}

// pipelineDepth bounds the frames between stages: decoded frames waiting
// for the GL goroutine, and read-back frames waiting for the encoder.
const pipelineDepth = 2

// Run exports job: frames are loaded on a goroutine (loadStage), drawn on
// the GL goroutine (through q) with the viewer's display pass into a 16-bit
// target of the output size (minified by a box filter over each output
// pixel's footprint: no aliasing) and read back (drawStage: through a
// pack-buffer ring, or directly on a software renderer), then converted and
// encoded on the caller's goroutine (encodeStage), so the stages overlap.
// Cancelling ctx stops it; on cancellation or any error no file is left and
// the error says why.
func Run(ctx context.Context, job Job, q *render.Queue) (Progress, error) {
	if len(job.Frames) == 0 {
		return Progress{}, errors.New("export: no frames to export")
	}
	enc, err := Create(job.Movie)
	if err != nil {
		return Progress{Total: len(job.Frames)}, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r := &run{
		job:    job,
		q:      q,
		enc:    enc,
		ctx:    ctx,
		cancel: cancel,
		start:  time.Now(),
		frames: make(chan loadResult, pipelineDepth),
		pixels: make(chan drawn, pipelineDepth),
		outs:   newOutputs(pipelineDepth+render.ReadbackDepth+1, 4*job.Movie.Width*job.Movie.Height),
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r.loadStage() }()
	go func() { defer wg.Done(); r.drawStage() }()
	p := r.encodeStage()
	for l := range r.frames { // after a failure: frames the GL stage never took
		r.release(l)
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		enc.Abort()
		if errors.Is(err, context.Canceled) {
			return p, fmt.Errorf("export cancelled after %d of %d frames; no file written", p.Done, p.Total)
		}
		return p, err
	}
	if err := enc.Close(); err != nil {
		return p, err
	}
	p.Elapsed = time.Since(r.start)
	return p, nil
}

// run is one Run's state shared by its three stages.
type run struct {
	job    Job
	q      *render.Queue
	enc    *Encoder
	ctx    context.Context
	cancel context.CancelCauseFunc
	start  time.Time
	frames chan loadResult // loadStage -> drawStage
	pixels chan drawn      // drawStage -> encodeStage
	outs   *outputs
}

// loadResult is a frame from Job.Load (and B's from Compare.Load), with
// how long loading them took, and its burn-ins' bands.
type loadResult struct {
	f     *engine.Frame
	n     int
	err   error
	dur   time.Duration
	bands []*image.RGBA
	b     *engine.Frame // Compare's
	bn    int
	bErr  error
}

// drawn is a frame read back, with its stage times.
type drawn struct {
	pix                    []uint16 // nil: nothing read back yet
	decode, draw, readback time.Duration
	skipped                []FrameError // A's frame, B's or both
	slate                  bool         // pix is a slate frame
	soft                   bool         // pix was drawn by render.SoftDraw
}

// release hands l's frames back.
func (r *run) release(l loadResult) {
	if l.f != nil {
		r.job.Release(l.f)
	}
	if l.b != nil {
		r.job.Compare.Release(l.b)
	}
}

// loadStage loads the frames in order into r.frames.
func (r *run) loadStage() {
	defer close(r.frames)
	var burn *burnin.Renderer
	if len(r.job.Burnins) > 0 {
		burn = burnin.NewRenderer(r.job.Movie.Width, r.job.Movie.Height, r.job.Burnins)
	}
	for i, n := range r.job.Frames {
		t := time.Now()
		f, err := r.job.Load(r.ctx, n)
		l := loadResult{f: f, n: n, err: err}
		if c := r.job.Compare; c != nil {
			l.bn = c.Frames[i]
			l.b, l.bErr = c.Load(r.ctx, l.bn)
		}
		if r.ctx.Err() != nil {
			r.release(l)
			return
		}
		l.dur = time.Since(t)
		if burn != nil {
			var fields burnin.Fields
			if r.job.Fields != nil {
				fields = r.job.Fields(i)
			}
			l.bands = burn.Bands(fields)
		}
		r.frames <- l
	}
}

// drawStage draws and reads back on the GL goroutine, one frame per call,
// then the frames still in the readback ring, into r.pixels.
func (r *run) drawStage() {
	defer close(r.pixels)
	g := glStage{w: r.job.Movie.Width, h: r.job.Movie.Height, settings: r.job.Display, compare: r.job.Compare}
	// A movie with alpha gets the frames' (premultiplied) alpha.
	g.settings.KeepAlpha = r.enc.spec.layout.hasAlpha()
	if g.compare != nil {
		g.settingsB = g.compare.Settings
		g.settingsB.KeepAlpha = g.settings.KeepAlpha
	}
	defer r.q.Call(g.close)
	// Set up while the first frame decodes.
	var err error
	if r.q.Call(func() { err = g.init() }); err != nil {
		r.cancel(err)
		return
	}
	if !r.drawSlate(&g) {
		return
	}
	for l := range r.frames {
		d := drawn{decode: l.dur}
		if l.err != nil {
			d.skipped = append(d.skipped, FrameError{Frame: l.n, Err: l.err})
		}
		if l.bErr != nil {
			d.skipped = append(d.skipped, FrameError{Frame: l.bn, Err: l.bErr, B: true})
		}
		out := r.outs.get(r.ctx)
		var err error
		if out != nil {
			t := time.Now()
			if d.soft = g.softFrame(l, out); d.soft {
				d.pix = out
				if len(l.bands) > 0 {
					r.q.Call(func() { err = g.softBands(out, l.bands) })
				}
			} else {
				r.q.Call(func() { d.pix, d.readback, err = g.frame(l.f, l.b, l.bands, out) })
			}
			d.draw = time.Since(t) - d.readback
			if d.pix == nil {
				r.outs.put(out) // the ring is still filling
			}
		}
		r.release(l)
		if err != nil {
			r.cancel(err)
		}
		if r.ctx.Err() != nil {
			return
		}
		r.pixels <- d
	}
	for {
		out := r.outs.get(context.Background())
		var d drawn
		var err error
		t := time.Now()
		r.q.Call(func() { d.pix, err = g.flush(out) })
		d.readback = time.Since(t)
		if err != nil {
			r.cancel(err)
		}
		if d.pix == nil || r.ctx.Err() != nil {
			return
		}
		r.pixels <- d
	}
}

// drawSlate renders the job's slate, if any, on the GL goroutine and sends
// it Slate.Frames times into r.pixels; false if the export is to stop.
func (r *run) drawSlate(g *glStage) bool {
	s := r.job.Slate
	if s == nil || s.Frames == 0 {
		return true
	}
	var thumb *engine.Frame
	if s.Thumb != nil {
		thumb = s.Thumb()
	}
	pix := make([]uint16, 4*g.w*g.h)
	var err error
	if r.q.Call(func() { err = s.Render(g.display, g.settings, thumb, g.w, g.h, pix) }); err != nil {
		r.cancel(fmt.Errorf("slate: %w", err))
		return false
	}
	for range s.Frames {
		out := r.outs.get(r.ctx)
		if out == nil {
			return false
		}
		copy(out, pix)
		r.pixels <- drawn{pix: out, slate: true}
	}
	return true
}

// encodeStage converts and encodes what drawStage read back, until it closes
// r.pixels, and returns the progress; after a failure it drains r.pixels so
// that the other stages can finish.
func (r *run) encodeStage() Progress {
	p := Progress{Total: len(r.job.Frames)}
	var writing time.Duration // in enc.Write: converting and encoding
	for d := range r.pixels {
		if r.ctx.Err() != nil {
			continue
		}
		p.Decode += d.decode
		p.Draw += d.draw
		p.Readback += d.readback
		p.Skipped = append(p.Skipped, d.skipped...)
		if d.soft {
			p.Soft++
		}
		if d.pix == nil {
			continue
		}
		t := time.Now()
		if err := r.enc.Write(d.pix); err != nil {
			r.cancel(err)
		}
		if d.slate {
			r.outs.put(d.pix)
			p.Slate++
			continue
		}
		writing += time.Since(t)
		p.Convert = r.enc.ConvertTime()
		p.Encode = writing - p.Convert
		r.outs.put(d.pix)
		p.Done++
		p.Elapsed = time.Since(r.start)
		if r.job.Progress != nil && r.ctx.Err() == nil {
			r.job.Progress(p)
		}
	}
	return p
}

// outputs hands out the buffers frames are read back into, making one only
// when none is free, up to a bound: reading back directly (on a software
// renderer) needs fewer in flight than the readback ring does, and every
// buffer made is memory the kernel has to clear.
type outputs struct {
	free chan []uint16
	size int // values per buffer
	made int // get's goroutine only
}

func newOutputs(max, size int) *outputs {
	return &outputs{free: make(chan []uint16, max), size: size}
}

// get returns a free buffer, else a new one while fewer than the bound
// exist, else waits for one to be put back; nil if ctx ends first.
func (o *outputs) get(ctx context.Context) []uint16 {
	select {
	case b := <-o.free:
		return b
	default:
	}
	if o.made < cap(o.free) {
		o.made++
		return make([]uint16, o.size)
	}
	select {
	case b := <-o.free:
		return b
	case <-ctx.Done():
		return nil
	}
}

// put gives a buffer back.
func (o *outputs) put(b []uint16) { o.free <- b }

// glStage is the export's GL state: the uploaded image, the display,
// the burn-ins' overlay, the output target and the readback ring. GL
// goroutine only.
type glStage struct {
	w, h     int
	settings render.Settings
	// direct reads each frame back as soon as it is drawn, without the
	// ring (render.Software: the wait is the same, one copy fewer).
	direct bool
	// soft draws the frames render.SoftDraw takes on the CPU, off the GL
	// goroutine: on a software renderer whose draw it matches bit for bit
	// with these settings (render.Display.SoftMatches), alone (no
	// comparison); burn-ins go over them on the GL (softBands).
	soft    bool
	display *render.Display
	overlay render.Overlay
	image   render.Image
	// compare, when set, is drawn against image: B's frames go into
	// imageB, drawn with settingsB.
	compare   *Compare
	imageB    render.Image
	settingsB render.Settings
	target    render.Target
	readback  render.Readback
}

// frame draws f (nil or failed: black) at the output size, against b
// (Compare's frame; nil or failed: black on B's side) when comparing, bands
// over it, and starts its readback; once the ring is full it finishes the oldest frame into out and
// returns it (else nil), with the time spent waiting for it. Reading back
// directly, it returns f's own frame in out. The frames' pixels are the
// caller's again when it returns.
func (g *glStage) frame(f, b *engine.Frame, bands []*image.RGBA, out []uint16) ([]uint16, time.Duration, error) {
	defer g.image.Unpin()
	defer g.imageB.Unpin()
	im, err := upload(&g.image, f)
	if err != nil {
		return nil, 0, err
	}
	if g.compare == nil {
		var v render.View
		if im != nil {
			v = fill(g.w, g.h, f.DisplayWindow, f.DataWindow)
		}
		g.display.Draw(&g.target, im, v, g.settings)
	} else {
		imB, err := upload(&g.imageB, b)
		if err != nil {
			return nil, 0, err
		}
		g.drawCompare(f, b, im, imB)
	}
	if err := g.display.Err(); err != nil {
		return nil, 0, err
	}
	if err := g.overlay.Draw(&g.target, image.Point{}, bands); err != nil {
		return nil, 0, err
	}
	if g.direct {
		render.Finish() // the drawing, timed as such by the caller
		t := time.Now()
		err := g.target.ReadRGBA16(out)
		return out, time.Since(t), err
	}
	var wait time.Duration
	var pix []uint16
	if g.readback.Pending() == render.ReadbackDepth {
		t := time.Now()
		var err error
		if pix, err = g.finish(out); err != nil {
			return nil, 0, err
		}
		wait = time.Since(t)
	}
	return pix, wait, g.readback.Start(&g.target)
}

// upload puts f's pixels into im and returns it; nil for no frame (nil or
// failed), which is drawn black.
func upload(im *render.Image, f *engine.Frame) (*render.Image, error) {
	if f == nil || f.Err != nil {
		return nil, nil
	}
	if err := im.Upload(f.Pix, f.DataWindow.Dx(), f.DataWindow.Dy()); err != nil {
		return nil, fmt.Errorf("frame %d: %w", f.Number, err)
	}
	return im, nil
}

// drawCompare draws A's frame a (image ia) against B's frame b (image ib)
// as the viewer does: both placed on their pair canvas (render.PairCanvas)
// fitted to the output, a side with no frame placed by the source's
// display window.
func (g *glStage) drawCompare(a, b *engine.Frame, ia, ib *render.Image) {
	c := g.compare
	aDisplay, aData := c.ADisplay, c.ADisplay
	if ia != nil {
		aDisplay, aData = a.DisplayWindow, a.DataWindow
	}
	bDisplay, bData := c.BDisplay, c.BDisplay
	if ib != nil {
		bDisplay, bData = b.DisplayWindow, b.DataWindow
	}
	m := c.Comparison.Mode
	canvas := render.PairCanvas(m, aDisplay, bDisplay)
	// As fill does for one source, the canvas covers the whole output,
	// whose aspect differs from it by the rounding of the size to even
	// numbers: fitted, it would leave slivers of background at the edges,
	// and the halves of a side by side would differ from single exports.
	va, vb := render.PairViews(render.Camera{Scale: 1}, m, aDisplay, aData, bDisplay, bData)
	sx, sy := float32(g.w)/float32(canvas.Dx()), float32(g.h)/float32(canvas.Dy())
	va, vb = stretch(va, sx, sy), stretch(vb, sx, sy)
	g.display.DrawCompare(&g.target,
		render.Side{Image: ia, View: va, Settings: g.settings},
		render.Side{Image: ib, View: vb, Settings: g.settingsB}, c.Comparison)
}

// init compiles the display program and makes the target. On a software
// renderer the pixel-buffer rings are one more copy for nothing
// (render.Software): the display reads each frame in place where the GL
// can, else the GL copies it in one go, and frames are read back directly.
func (g *glStage) init() error {
	d, err := render.NewDisplay()
	if err != nil {
		return err
	}
	g.display = d
	g.direct = render.Software()
	switch {
	case render.Software() && render.PinnedUploads():
		g.image.Mode = render.UploadPinned
	case render.Software():
		g.image.Mode = render.UploadSync
	}
	g.imageB.Mode = g.image.Mode
	if g.direct && g.compare == nil && softDraw {
		// A check that fails to draw means the GL draws: a failure that
		// matters reaches the frames, and is reported from there.
		g.soft, _ = d.SoftMatches(g.image.Mode, g.settings)
	}
	return g.target.Resize16(g.w, g.h)
}

// softDraw lets exports draw on the CPU where render.SoftDraw matches the
// GL; tests turn it off to compare with the GL's draw.
var softDraw = true

// softFrame draws l's frame into out with render.SoftDraw and reports
// whether it did: only when g.soft, for a frame decoded that SoftDraw
// takes at the output size. It needs no GL, so it runs on the caller's
// goroutine; l's burn-ins are left to softBands.
func (g *glStage) softFrame(l loadResult, out []uint16) bool {
	f := l.f
	if !g.soft || f == nil || f.Err != nil {
		return false
	}
	v := fill(g.w, g.h, f.DisplayWindow, f.DataWindow)
	return render.SoftDraw(out, f.Pix, f.DataWindow.Dx(), f.DataWindow.Dy(), v, g.settings, g.w, g.h)
}

// softBands blends bands over out, a frame softFrame drew, as frame blends
// them over the GL's drawing of it: the rows they cover go into the target
// (the same values the GL would have drawn there), the overlay is drawn,
// and those rows are read back.
func (g *glStage) softBands(out []uint16, bands []*image.RGBA) error {
	spans := bandRows(bands, g.h)
	for _, s := range spans {
		if err := g.target.WriteRows16(out, s[0], s[1]); err != nil {
			return err
		}
	}
	if err := g.overlay.Draw(&g.target, image.Point{}, bands); err != nil {
		return err
	}
	for _, s := range spans {
		if err := g.target.ReadRows16(out, s[0], s[1]); err != nil {
			return err
		}
	}
	return nil
}

// bandRows returns the spans of rows (first, end) of an h-row output
// that bands cover, in order and apart.
func bandRows(bands []*image.RGBA, h int) [][2]int {
	var spans [][2]int
	for _, b := range bands {
		r := b.Bounds()
		if y0, y1 := max(r.Min.Y, 0), min(r.Max.Y, h); !r.Empty() && y0 < y1 {
			spans = append(spans, [2]int{y0, y1})
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var merged [][2]int
	for _, s := range spans {
		if n := len(merged); n > 0 && s[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], s[1])
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// flush finishes the oldest frame still in the ring into out, or returns nil
// when none is left.
func (g *glStage) flush(out []uint16) ([]uint16, error) {
	if g.readback.Pending() == 0 {
		return nil, nil
	}
	return g.finish(out)
}

func (g *glStage) finish(out []uint16) ([]uint16, error) {
	if _, _, err := g.readback.Finish(out); err != nil {
		return nil, err
	}
	return out, nil
}

func (g *glStage) close() {
	g.readback.Close()
	g.target.Close()
	g.image.Close()
	g.imageB.Close()
	g.overlay.Close()
	g.display.Close()
}

// fill places an image so that its display window covers a w x h output
// (the output keeps the display window's aspect, up to the rounding of its
// size to even numbers).
func fill(w, h int, display, data image.Rectangle) render.View {
	v := render.Camera{Scale: 1}.View(display, data)
	return stretch(v, float32(w)/float32(display.Dx()), float32(h)/float32(display.Dy()))
}

// stretch scales a view placed at one target pixel per image pixel, its
// origin at the output's top left, by sx and sy.
func stretch(v render.View, sx, sy float32) render.View {
	scale := func(r render.Rect) render.Rect {
		return render.Rect{X0: r.X0 * sx, Y0: r.Y0 * sy, X1: r.X1 * sx, Y1: r.Y1 * sy}
	}
	return render.View{Display: scale(v.Display), Data: scale(v.Data)}
}

// OutputSize is the movie size for a w x h display window: scaled by scale,
// or to width or height with the aspect kept, rounded to even numbers (4:2:0
// and 4:2:2 need them), at least 2.
func OutputSize(w, h int, scale float64, width, height int) (int, int) {
	fw, fh := float64(w), float64(h)
	switch {
	case scale > 0:
		fw, fh = fw*scale, fh*scale
	case width > 0:
		fw, fh = float64(width), fh*float64(width)/fw
	case height > 0:
		fw, fh = fw*float64(height)/fh, float64(height)
	}
	even := func(v float64) int { return max(2, 2*int(math.Round(v/2))) }
	return even(fw), even(fh)
}

// CompareSize is the movie size of a comparison in mode m whose sources
// are each drawn at w x h (OutputSize): twice as wide side by side, twice
// as tall stacked, w x h in the overlay modes. flick export --compare and
// the viewer's export dialog both size their movies by it.
func CompareSize(m render.CompareMode, w, h int) (int, int) {
	switch m {
	case render.CompareSide:
		return 2 * w, h
	case render.CompareStacked:
		return w, 2 * h
	}
	return w, h
}
