package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"math"
	"strconv"
	"strings"

	"flick/engine"
	"flick/engine/exr"
	"flick/export"
	"flick/render"
	"flick/ui"
)

// exportCompareUsage is the comparison part of flick export --help.
var exportCompareUsage = `
Comparison (a review movie of the shot, A, against B, as the viewer shows them):
  --compare B          the source to compare with: a sequence, file or folder,
                       or A's own path with another --compare-layer/-view
                       (left eye against right eye)
  --compare-layer L    B's layer (default: A's --layer)
  --compare-view V     B's view in stereo files (default: A's --view)
  --mode M             ` + choiceHelp(render.CompareModeNames(), render.CompareSide.String()) + `;
                       side makes the movie twice as wide, vside twice as tall
                       (each source at the size --scale/--width/--height give A)
  --wipe X[,ANGLE]     the wipe's line: X a fraction of the width (default
                       0.5), ANGLE degrees anticlockwise (default 0)
  --blend T            blend's amount of B, 0 to 1 (default 0.5)
  --gain STOPS         the differences' gain (default 0)
  --sync S             frame: B's frame with A's frame number (default);
                       start: B's first frame against A's first
  --offset-b N         B's offset in frames (B's frame f shows at f + N)
B's frames that do not exist are black on B's side and listed as warnings;
the movie has A's frames (the range). The slate describes A.
`

// exportCompare is flick export's comparison (issue 16): B drawn against
// the shot as the viewer's compare modes draw two sources.
type exportCompare struct {
	path        string // --compare: B ("": no comparison)
	layer, view *string
	c           render.Comparison
	wipeX       float32 // a fraction of the movie's width
	sync        engine.SyncMode
	offset      int
}

// compareFlags are the comparison flags' values as given, checked by
// check once fs is parsed.
type compareFlags struct {
	mode, wipe, sync string
	blend, gain      float64
	cmp              exportCompare
	given            map[string]bool
}

// defineCompareFlags defines the comparison flags on fs.
func defineCompareFlags(fs *flag.FlagSet) *compareFlags {
	c := &compareFlags{given: map[string]bool{}}
	str := func(name string, p *string, def string) {
		*p = def
		fs.Func(name, "", func(s string) error { *p, c.given[name] = s, true; return nil })
	}
	str("compare", &c.cmp.path, "")
	str("mode", &c.mode, render.CompareSide.String())
	str("wipe", &c.wipe, "0.5")
	str("sync", &c.sync, "frame")
	fs.Func("compare-layer", "", func(s string) error { c.cmp.layer = &s; return nil })
	fs.Func("compare-view", "", func(s string) error { c.cmp.view = &s; return nil })
	num := func(name string, p *float64, def float64) {
		*p = def
		fs.Func(name, "", func(s string) (err error) {
			*p, err = strconv.ParseFloat(s, 64)
			c.given[name] = true
			return err
		})
	}
	num("blend", &c.blend, 0.5)
	num("gain", &c.gain, 0)
	fs.Func("offset-b", "", func(s string) (err error) {
		c.cmp.offset, err = strconv.Atoi(s)
		c.given["offset-b"] = true
		return err
	})
	return c
}

// check checks the comparison flags: none of them without --compare, each
// value in its range; the error names the flag.
func (c *compareFlags) check() (exportCompare, error) {
	cmp := c.cmp
	if cmp.path == "" {
		for _, name := range []string{"compare", "mode", "wipe", "blend", "gain", "sync", "offset-b"} {
			if c.given[name] {
				return cmp, fmt.Errorf("--%s goes with --compare B", name)
			}
		}
		if cmp.layer != nil || cmp.view != nil {
			return cmp, errors.New("--compare-layer and --compare-view go with --compare B")
		}
		return cmp, nil
	}
	var err error
	if cmp.c.Mode, err = render.ParseCompareMode(c.mode); err != nil {
		return cmp, fmt.Errorf("--mode %q: want one of %s", c.mode, strings.Join(render.CompareModeNames(), ", "))
	}
	x, angle, _ := strings.Cut(c.wipe, ",")
	wx, errX := strconv.ParseFloat(x, 64)
	wa, errA := 0.0, error(nil)
	if angle != "" {
		wa, errA = strconv.ParseFloat(angle, 64)
	}
	if errX != nil || errA != nil || !(wx >= 0 && wx <= 1) || !(math.Abs(wa) <= 360) {
		return cmp, fmt.Errorf("--wipe %q: want X[,ANGLE], X a fraction of the width from 0 to 1, ANGLE degrees from -360 to 360", c.wipe)
	}
	cmp.wipeX, cmp.c.WipeAngle = float32(wx), float32(wa)
	if !(c.blend >= 0 && c.blend <= 1) {
		return cmp, fmt.Errorf("--blend %v: want 0 (A) to 1 (B)", c.blend)
	}
	if !(math.Abs(c.gain) <= 32) {
		return cmp, fmt.Errorf("--gain %v: want stops from -32 to 32", c.gain)
	}
	cmp.c.Blend, cmp.c.Gain = float32(c.blend), float32(c.gain)
	if cmp.sync, err = engine.ParseSyncMode(c.sync); err != nil {
		return cmp, fmt.Errorf("--sync %q: want frame or start", c.sync)
	}
	return cmp, nil
}

// size makes movie, each source's size, the size of the pair
// (export.CompareSize).
func (cmp *exportCompare) size(movie *export.Options) {
	movie.Width, movie.Height = export.CompareSize(cmp.c.Mode, movie.Width, movie.Height)
}

// attach finds B and makes job compare A (seq, whose first frame is first,
// drawn with f's settings; the movie's frames) against it: B's frames
// mapped to the movie's by --sync and --offset-b, decoded by a readahead
// of B's own on pool, B's OpenColorIO transform (its own input colour
// space) when f draws through a config. exrView is A's --view as given.
// It returns B's readahead (the caller stops it), or an exit code.
func (cmp *exportCompare) attach(ctx context.Context, job *export.Job, f *exportFlags, exrView string, seq *engine.Sequence, first engine.Inspection, pool *engine.Pool, stderr io.Writer) (*export.Readahead, int) {
	b, err := engine.Find(cmp.path)
	if err != nil {
		return nil, fail(stderr, fmt.Errorf("--compare: %w", err))
	}
	firstB, err := engine.Inspect(b)
	if err != nil {
		return nil, fail(stderr, fmt.Errorf("--compare: %w", err))
	}
	layer, view := f.layer, exrView
	if cmp.layer != nil {
		layer = *cmp.layer
	}
	if cmp.view != nil {
		view = *cmp.view
	}
	settings := f.display
	if f.ocio.config != "" {
		cfg, _, _, _ := loadSettings(stderr)
		o := f.ocio
		o.input = "" // --input-cs is A's: B's comes from its own header and rules
		if settings.OCIO, _, err = o.transform(&view, ui.InputRequest(b, firstB, cfg, "")); err != nil {
			return nil, fail(stderr, fmt.Errorf("--compare: %w", err))
		}
	}
	var sel exr.Selection
	if layer != "" || view != "" {
		if sel, err = exr.FindLayer(firstB.Parts, view, layer); err != nil {
			return nil, fail(stderr, fmt.Errorf("--compare-layer %q --compare-view %q: %w (flick info %s lists the layers)", layer, view, err, cmp.path))
		}
	}
	frames := make([]int, len(job.Frames))
	for i, g := range job.Frames {
		frames[i] = engine.SourceFrame(cmp.sync, g, seq.Range, b.Range, cmp.offset)
	}
	data := firstB.Header.DataWindow
	ahead := export.StartReadahead(ctx, frames, readahead(data.Width(), data.Height()), export.Source{
		Decode: func(ctx context.Context, n int, buffer func(int) []uint16) (*engine.Frame, error) {
			return engine.LoadKey(b, engine.Key{Frame: n, Channels: sel}, buffer, pool, func() bool { return ctx.Err() != nil })
		},
	})
	c := cmp.c
	c.WipeX, c.WipeY = cmp.wipeX*float32(job.Movie.Width), float32(job.Movie.Height)/2
	job.Compare = &export.Compare{
		Frames: frames, Load: ahead.Load, Release: ahead.Release,
		Settings: settings, Comparison: c,
		ADisplay: displayRect(first), BDisplay: displayRect(firstB),
	}
	if job.Slate != nil {
		job.Slate.Fields["compared with"] = b.String() // the mode shows in the movie
	}
	return ahead, 0
}

// displayRect is an inspected frame's display window as a Frame has it.
func displayRect(in engine.Inspection) image.Rectangle {
	b := in.Header.DisplayWindow
	return image.Rect(b.MinX, b.MinY, b.MaxX+1, b.MaxY+1)
}
