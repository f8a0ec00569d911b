package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"flick/engine"
	"flick/engine/exr"
	"flick/export"
	"flick/render"
)

// exportUsage is flick export --help; the lists of codecs and displays are
// the export and render packages' own.
var exportUsage = `Usage: flick export PATH [RANGE] -o OUT.mov [flags]

Renders the frames through the viewer's display pass, downscaled on the
GPU, and encodes a QuickTime movie tagged BT.709. The movie appears only when
complete: a failed or cancelled (Ctrl+C) export leaves no file.
It needs an X display for its GL context (a hidden window); on a headless
machine run it under Xvfb: xvfb-run -a flick export ...

Flags:
  -o, --output OUT     the movie to write (.mov)
  --range A-B          frames to export (default: the whole sequence)
  --scale S            scale the display window by S (e.g. 0.5), or
  --width W            output width (height follows the aspect), or
  --height H           output height; sizes are rounded to even numbers
  --fps N              frame rate (default: the file's framesPerSecond, else 24)
  --codec C            ` + choiceHelp(export.CodecNames(), string(defaultCodec)) + `
  --crf N              quality for h264/hevc/nvenc, 0-51, lower is better (default 18)
  --preset P           encoder preset (x264/x265: ultrafast ... veryslow)
  --layer L            a layer of the file (diffuse, or "" for the RGBA one;
                       flick info lists them), of --view V in stereo files
  --channels C         rgb (default), r, g, b, a or luminance
  --exposure S         exposure in stops (default 0)
  --display D          ` + choiceHelp(render.ScreenTransformNames(), defaultDisplay.Name()) + `
  --overwrite          replace OUT if it exists
`

// The defaults of --codec and --display.
const (
	defaultCodec   = export.H264
	defaultDisplay = render.TransformSRGB
)

// choiceHelp lists names for a flag's help, marking def "(default)".
func choiceHelp(names []string, def string) string {
	var s strings.Builder
	for i, n := range names {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(n)
		if n == def {
			s.WriteString(" (default)")
		}
	}
	return s.String()
}

// runExport is `flick export`.
func runExport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	var out string
	fs.StringVar(&out, "o", "", "")
	fs.StringVar(&out, "output", "", "")
	rangeFlag := fs.String("range", "", "")
	scale := fs.Float64("scale", 0, "")
	width := fs.Int("width", 0, "")
	height := fs.Int("height", 0, "")
	fpsFlag := fs.String("fps", "", "")
	codecFlag := fs.String("codec", string(defaultCodec), "")
	crf := fs.Int("crf", -1, "")
	preset := fs.String("preset", "", "")
	channels := fs.String("channels", "rgb", "")
	layer := fs.String("layer", "", "")
	view := fs.String("view", "", "")
	exposure := fs.Float64("exposure", 0, "")
	displayFlag := fs.String("display", defaultDisplay.Name(), "")
	overwrite := fs.Bool("overwrite", false, "")
	positional, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, exportUsage)
		return 0
	case err != nil:
		return usageError(stderr, err.Error())
	case len(positional) == 0:
		return usageError(stderr, "export needs a PATH, e.g. flick export shot.####.exr -o review.mov")
	case out == "":
		return usageError(stderr, "export needs -o OUT.mov")
	}
	if *rangeFlag != "" {
		if len(positional) > 1 {
			return usageError(stderr, "give the frame range once: as RANGE or as --range")
		}
		positional = append(positional, *rangeFlag)
	}
	codec, err := export.ParseCodec(*codecFlag)
	if err != nil {
		return usageError(stderr, err.Error())
	}
	var settings render.Settings
	if settings.Channels, err = render.ParseChannels(*channels); err != nil {
		return usageError(stderr, err.Error())
	}
	if settings.Transform, err = render.ParseTransform(*displayFlag); err != nil || !slices.Contains(render.ScreenTransforms(), settings.Transform) {
		return usageError(stderr, fmt.Sprintf("--display %q: want one of %s", *displayFlag, strings.Join(render.ScreenTransformNames(), ", ")))
	}
	if math.IsNaN(*exposure) || math.Abs(*exposure) > 32 {
		return usageError(stderr, fmt.Sprintf("--exposure %v: want stops from -32 to 32", *exposure))
	}
	settings.Exposure = float32(*exposure)
	given := 0
	for _, set := range []bool{*scale != 0, *width != 0, *height != 0} {
		if set {
			given++
		}
	}
	switch {
	case given > 1:
		return usageError(stderr, "give one of --scale, --width and --height")
	case *scale < 0 || *scale > 8 || math.IsNaN(*scale):
		return usageError(stderr, fmt.Sprintf("--scale %v: want a factor above 0, at most 8", *scale))
	case *width < 0 || *height < 0:
		return usageError(stderr, "--width and --height must be positive")
	}

	if _, err := os.Stat(out); err == nil && !*overwrite {
		return fail(stderr, fmt.Errorf("%s already exists; add --overwrite to replace it", out))
	}
	seq, code := findSequence(positional, stderr)
	if seq == nil {
		return code
	}
	first, err := engine.Inspect(seq)
	if err != nil {
		return fail(stderr, err)
	}
	h := first.Header
	var sel exr.Selection // the file's default
	if *layer != "" || *view != "" {
		if sel, err = exr.FindLayer(first.Parts, *view, *layer); err != nil {
			return fail(stderr, fmt.Errorf("--layer %q --view %q: %w (flick info %s lists the layers)", *layer, *view, err, positional[0]))
		}
	}
	fps := export.Rational{Num: 24, Den: 1}
	if r, ok := first.FPS(); ok {
		fps = export.Rational{Num: int(r.Num), Den: int(r.Den)}
	}
	if *fpsFlag != "" {
		if fps, err = export.ParseFPS(*fpsFlag); err != nil {
			return usageError(stderr, "--fps: "+err.Error())
		}
	}
	w, ht := export.OutputSize(h.DisplayWindow.Width(), h.DisplayWindow.Height(), *scale, *width, *height)

	frames := seq.Range.Frames()
	pool := engine.NewPool(0)
	defer pool.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// Decoding starts now, while the window and its GL context are made.
	ahead := export.StartReadahead(ctx, frames, readahead(h.DataWindow.Width(), h.DataWindow.Height()), export.Source{
		Decode: func(ctx context.Context, n int, buffer func(int) []uint16) (*engine.Frame, error) {
			return engine.LoadKey(seq, engine.Key{Frame: n, Channels: sel}, buffer, pool, func() bool { return ctx.Err() != nil })
		},
	})
	defer ahead.Stop()
	job := export.Job{
		Frames:  frames,
		Display: settings,
		Movie: export.Options{Path: out, Overwrite: *overwrite, Codec: codec, Width: w, Height: ht,
			FPS: fps, CRF: *crf, Preset: *preset},
		Load:     ahead.Load,
		Release:  ahead.Release,
		Progress: progressPrinter(stderr, len(frames)),
	}

	win, err := render.NewWindow(render.WindowOptions{Title: "flick export", Width: 64, Height: 64, Hidden: true})
	if err != nil {
		return fail(stderr, fmt.Errorf("export needs a GL context: %w (on a headless machine: xvfb-run -a flick export ...)", err))
	}
	fmt.Fprintf(stderr, "flick: exporting %s (%d frames) to %s: %dx%d %s at %s fps\n", seq, len(frames), out, w, ht, codec, fps)
	var result export.Progress
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		result, runErr = export.Run(ctx, job, win.Queue())
	}()
	win.Serve(done) // the GL goroutine: serves the export until it is done
	win.Close()
	win.Run(nil) // returns at once: destroys the window and its context
	if runErr != nil {
		return fail(stderr, runErr)
	}
	for _, s := range result.Skipped {
		fmt.Fprintf(stderr, "flick: warning: frame %d is black in the movie: %v\n", s.Frame, s.Err)
	}
	fmt.Fprintf(stdout, "%s: %d frames in %.1fs (%.1f fps); per frame: decode %s, draw %s, readback %s, convert %s, encode %s\n",
		out, result.Done, result.Elapsed.Seconds(), result.FPS(), perFrame(result.Decode, result.Done),
		perFrame(result.Draw, result.Done), perFrame(result.Readback, result.Done),
		perFrame(result.Convert, result.Done), perFrame(result.Encode, result.Done))
	return 0
}

// readaheadBytes bounds the frames flick export decodes ahead: enough
// (at 1080p, 15 frames) that decoding is not held up while the window,
// its GL context and the display program are made (a quarter of a second
// on llvmpipe, on one core), so the other cores work meanwhile.
const readaheadBytes = 256 << 20

// readahead is how many frames of w x h RGBA half fit readaheadBytes.
func readahead(w, h int) int {
	return max(1, readaheadBytes/(8*max(1, w*h)))
}

func perFrame(d time.Duration, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000/float64(n))
}

// progressPrinter reports export progress: a bar redrawn in place on a
// terminal, else a plain line at most once a second.
func progressPrinter(w io.Writer, total int) func(export.Progress) {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	var last time.Time
	return func(p export.Progress) {
		done := p.Done == total
		if !done && time.Since(last) < time.Second && (!tty || time.Since(last) < 100*time.Millisecond) {
			return
		}
		last = time.Now()
		eta := p.ETA().Round(time.Second)
		if !tty {
			fmt.Fprintf(w, "flick: exported %d/%d frames, %.1f fps, %s left\n", p.Done, total, p.FPS(), eta)
			return
		}
		const width = 30
		bar := strings.Repeat("#", width*p.Done/total) + strings.Repeat(".", width-width*p.Done/total)
		fmt.Fprintf(w, "\r[%s] %d/%d frames  %.1f fps  ETA %s ", bar, p.Done, total, p.FPS(), eta)
		if done {
			fmt.Fprintln(w)
		}
	}
}
