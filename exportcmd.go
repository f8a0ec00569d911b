package main

import (
	"cmp"
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
	"sync"
	"time"

	"github.com/x448/float16"

	"flick/engine"
	"flick/engine/cryptomatte"
	"flick/engine/exr"
	"flick/engine/timecode"
	"flick/export"
	"flick/export/burnin"
	"flick/render"
	"flick/render/ocio"
	"flick/ui"
)

// exportUsage is flick export --help; the lists of codecs and displays are
// the export and render packages' own.
var exportUsage = `Usage: flick export PATH [RANGE] -o OUT.mov [flags]

Renders the frames through the viewer's display pass, downscaled on the
GPU, and encodes a QuickTime movie with BT.709 primaries and matrix and the
display's transfer (sRGB through an OpenColorIO sRGB display, else BT.709).
The movie appears only when complete: a failed or cancelled (Ctrl+C) export
leaves no file.
Its GL context is an EGL context with no window or display server (a farm
node; Debian: libegl1 libegl-mesa0), which starts sooner than a window;
where EGL is missing and there is a display (DISPLAY or WAYLAND_DISPLAY), or
with --window, a hidden window. Both draw the same pixels. Where the GL is
a software renderer (llvmpipe) and the movie is the frames' size, a half or
a quarter of it, the frames are drawn on the CPU without it, bit for bit as
it draws them (checked at the start; else the GL draws them).

Flags:
  -o, --output OUT     the movie to write (.mov)
  --range A-B          frames to export (default: the whole sequence)
  --frames C-D         export only frames C to D of the range, as a chunk
                       for flick join: size, rate and colour come from the
                       whole range; the encoder starts with a keyframe and
                       keeps the chunks joinable; at least 3 frames
  --report R.json      with --frames: where the chunk's report goes
                       (default: OUT with .mov replaced by .json, where
                       flick join looks for it)
  --scale S            scale the display window by S (e.g. 0.5), or
  --width W            output width (height follows the aspect), or
  --height H           output height; sizes are rounded to even numbers
  --fps N              frame rate (default: the file's framesPerSecond, else 24)
  --timecode TC        the timecode of the range's first frame, HH:MM:SS:FF
                       (HH:MM:SS;FF drop frame, at 29.97 or 59.94 fps);
                       default: the first exported frame's timeCode
                       attribute, else its frame number counted at the rate
  --codec C            ` + choiceHelp(export.CodecNames(), string(defaultCodec)) + `
  --crf N              quality for h264/hevc/nvenc, 0-51, lower is better (default 18)
  --speed P            encoder speed preset (x264/x265: ultrafast ... veryslow;
                       NVENC: p1 ... p7)
  --preset P           a speed as --speed, else a preset: a file of these
                       options (key = value a line, keys the long flag names),
                       or flick's own: ` + strings.Join(export.ShippedPresets(), ", ") + `;
                       the command line's flags win over it
  --save-preset FILE   write the options given (a preset's and the command
                       line's) to FILE as a preset, and export nothing
  --slate              put a slate before the shot: the shot's fields and a
                       thumbnail of its middle frame
  --slate-frames N     the slate's length in frames (default 1)
  --layer L            a layer of the file (diffuse, or "" for the RGBA one;
                       flick info lists them), of --view V in stereo files
  --channels C         rgb (default), r, g, b, a or luminance
  --exposure S         exposure in stops (default 0)
  --display D          ` + choiceHelp(render.ScreenTransformNames(), defaultDisplay.Name()) + `;
                       with an OpenColorIO config, one of its displays (default: its default)
  --ocio CONFIG        draw through an OpenColorIO config (a .ocio file, or ocio://default for
                       the built-in ACES 1.3 CG config; default: $OCIO, else none)
  --input-cs CS        the frames' colour space in the config (default: as flick info --ocio
                       says: your pick in the viewer, the header, a file rule, scene_linear)
  --view V             with a config, one of the display's views (default: its default);
                       any other V is the file's view, as above
  --look L             with a config, one of its looks, applied before the view
  --overwrite          replace OUT if it exists
  --headless           draw through EGL only: fail rather than open a window
  --window             draw in a hidden window on the display, not through EGL
  --burnin "POS=TEXT"  burn TEXT into every frame (repeatable): POS is TL, T,
                       TR, L, R, BL, B or BR; TEXT holds fields: {shot} {version}
                       {frame} {range} {tc} {fps} {size} {date} {user} {host}
                       {view} {layer} {comment} and those of --field; {{ and }}
                       are braces; e.g. --burnin "BR={frame}  {tc}"
  --field KEY=VALUE    a field for --burnin, or the value of one such as
                       {comment} (repeatable)
  --shots FILE         export every shot of a CSV file, one after another
                       (the file's columns: flick farm --help, README)

Cryptomatte matte (flick info PATH lists a file's cryptomattes):
  --matte-layer NAME   the cryptomatte, e.g. crypto_object
  --names LIST         the objects, as Nuke's matte list ("a, /obj/b"; see
                       flick matte --help), resolved by each frame's manifest
  --matte M            alpha: the movie's alpha is the matte and the picture
                       is drawn as without it (straight alpha; --codec
                       prores4444, the only codec with alpha); grey: the
                       picture is the matte, 0 black and 1 white, as data
                       (no display transform, exposure or OpenColorIO)
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

// exportFlags is flick export's command line, checked.
type exportFlags struct {
	positional    []string // PATH [RANGE]
	out           string
	scale         float64
	width, height int
	fps           string // "" for the file's
	codec         export.Codec
	crf           int
	preset        string
	layer, view   string
	display       render.Settings
	ocio          exportOCIO // the config, when there is one, replaces display.Transform
	overwrite     bool
	gl            glContext // --headless, --window, or either
	// chunk is --frames: the frames of the range to export ("": all);
	// report is where a chunk's report goes.
	chunk  string
	report string
	// slate is the slate's length in frames (0: none).
	slate int
	// given are the options given as a preset's keys (a preset's, then
	// the command line's: the last of a key wins); savePreset is where
	// --save-preset writes them.
	given      *export.Preset
	savePreset string
	// Burn-ins: --burnin's templates, checked, and --field's values.
	burnins []burnin.Template
	fields  burnin.Fields
	// timecode is --timecode, the range's first frame's (nil: the files').
	timecode *timecode.Timecode
	// matte is the Cryptomatte matte drawn (issue 22), if any.
	matte exportMatte
	// compare is the comparison with B (issue 16, exportcompare.go), if any.
	compare exportCompare
}

// parseExportFlags reads flick export's arguments. When it returns false it
// has printed the help (exit 0) or a usage error (exit 2), and code is the
// exit status.
func parseExportFlags(args []string, stdout, stderr io.Writer) (f exportFlags, code int, ok bool) {
	args, preset, err := expandPreset(args)
	if err != nil {
		return f, usageError(stderr, err.Error()), false
	}
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.StringVar(&f.out, "o", "", "")
	fs.StringVar(&f.out, "output", "", "")
	rangeFlag := fs.String("range", "", "")
	fs.Float64Var(&f.scale, "scale", 0, "")
	fs.IntVar(&f.width, "width", 0, "")
	fs.IntVar(&f.height, "height", 0, "")
	fs.StringVar(&f.fps, "fps", "", "")
	codecFlag := fs.String("codec", string(defaultCodec), "")
	fs.IntVar(&f.crf, "crf", -1, "")
	fs.StringVar(&f.preset, "preset", "", "") // a speed: expandPreset took the others
	fs.StringVar(&f.preset, "speed", "", "")
	channels := fs.String("channels", "rgb", "")
	fs.StringVar(&f.layer, "layer", "", "")
	fs.StringVar(&f.view, "view", "", "")
	exposure := fs.Float64("exposure", 0, "")
	displayFlag := fs.String("display", "", "")
	ocioFlag := fs.String("ocio", "", "")
	fs.StringVar(&f.ocio.input, "input-cs", "", "")
	fs.StringVar(&f.ocio.look, "look", "", "")
	fs.BoolVar(&f.overwrite, "overwrite", false, "")
	headless := fs.Bool("headless", false, "")
	window := fs.Bool("window", false, "")
	fs.StringVar(&f.chunk, "frames", "", "")
	fs.StringVar(&f.report, "report", "", "")
	slate := fs.Bool("slate", false, "")
	slateFrames := fs.Int("slate-frames", 1, "")
	fs.StringVar(&f.savePreset, "save-preset", "", "")
	// Burn-ins: checked once every --field is read.
	var burninSpecs, fieldSpecs []string
	fs.Func("burnin", "", func(s string) error { burninSpecs = append(burninSpecs, s); return nil })
	fs.Func("field", "", func(s string) error { fieldSpecs = append(fieldSpecs, s); return nil })
	// --timecode: the movie's timecode track (issue 18).
	fs.Func("timecode", "", func(s string) error {
		tc, err := timecode.Parse(s)
		f.timecode = &tc
		return err
	})
	// The Cryptomatte matte: checked with the codec below.
	fs.StringVar(&f.matte.layer, "matte-layer", "", "")
	fs.StringVar(&f.matte.names, "names", "", "")
	fs.StringVar(&f.matte.mode, "matte", "", "")
	compare := defineCompareFlags(fs)
	f.given = recordPresetKeys(fs) // once every flag is defined
	positional, err := parseFlags(fs, args)
	bad := func(msg string) (exportFlags, int, bool) { return f, usageError(stderr, msg), false }
	if err != nil && preset != nil && !errors.Is(err, flag.ErrHelp) {
		// The preset's flags may be the bad ones: say which preset.
		err = fmt.Errorf("%w (with preset %s)", err, preset.Name)
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, exportUsage+exportCompareUsage)
		return f, 0, false
	case err != nil:
		return bad(err.Error())
	case f.savePreset != "":
		// Only the look matters: no shot or movie needed.
	case len(positional) == 0:
		return bad("export needs a PATH, e.g. flick export shot.####.exr -o review.mov")
	case f.out == "":
		return bad("export needs -o OUT.mov")
	}
	switch {
	case *headless && *window:
		return bad("give one of --headless and --window")
	case *headless:
		f.gl = glEGL
	case *window:
		f.gl = glWindow
	}
	if *slate {
		if *slateFrames < 1 || *slateFrames > export.MaxSlateFrames {
			return bad(fmt.Sprintf("--slate-frames %d: want 1 to %d", *slateFrames, export.MaxSlateFrames))
		}
		f.slate = *slateFrames
	}
	if *rangeFlag != "" {
		if len(positional) > 1 {
			return bad("give the frame range once: as RANGE or as --range")
		}
		if _, err := engine.ParseRange(*rangeFlag); err != nil {
			return bad("--range: " + err.Error())
		}
		positional = append(positional, *rangeFlag)
	}
	f.positional = positional
	switch {
	case f.report != "" && f.chunk == "":
		return bad("--report goes with --frames (a chunk's report)")
	case f.chunk != "":
		if _, err := engine.ParseRange(f.chunk); err != nil {
			return bad("--frames: " + err.Error())
		}
		if f.report == "" {
			f.report = export.ReportPath(f.out)
		}
	}
	if f.codec, err = export.ParseCodec(*codecFlag); err != nil {
		return bad(err.Error())
	}
	if f.display.Channels, err = render.ParseChannels(*channels); err != nil {
		return bad(err.Error())
	}
	if f.ocio.config = ocio.Pick(*ocioFlag, os.Getenv("OCIO"), "").Name; f.ocio.config != "" {
		f.ocio.display = *displayFlag // a display of the config's
	} else if f.ocio.input != "" || f.ocio.look != "" {
		return bad("--input-cs and --look need an OpenColorIO config: add --ocio CONFIG")
	} else if f.display.Transform, err = render.ParseTransform(cmp.Or(*displayFlag, defaultDisplay.Name())); err != nil || !slices.Contains(render.ScreenTransforms(), f.display.Transform) {
		return bad(fmt.Sprintf("--display %q: want one of %s", *displayFlag, strings.Join(render.ScreenTransformNames(), ", ")))
	}
	if math.IsNaN(*exposure) || math.Abs(*exposure) > 32 {
		return bad(fmt.Sprintf("--exposure %v: want stops from -32 to 32", *exposure))
	}
	f.display.Exposure = float32(*exposure)
	given := 0
	for _, set := range []bool{f.scale != 0, f.width != 0, f.height != 0} {
		if set {
			given++
		}
	}
	switch {
	case given > 1:
		return bad("give one of --scale, --width and --height")
	case f.scale < 0 || f.scale > 8 || math.IsNaN(f.scale):
		return bad(fmt.Sprintf("--scale %v: want a factor above 0, at most 8", f.scale))
	case f.width < 0 || f.height < 0:
		return bad("--width and --height must be positive")
	}
	if f.burnins, f.fields, err = parseBurnins(burninSpecs, fieldSpecs); err != nil {
		return bad(err.Error())
	}
	if err := f.matte.check(f.codec, f.savePreset != ""); err != nil {
		return bad(err.Error())
	}
	if f.compare, err = compare.check(); err != nil {
		return bad(err.Error())
	}
	if f.compare.path != "" && f.matte.layer != "" {
		return bad("--compare does not go with --matte-layer")
	}
	if f.matte.mode == matteGrey && f.savePreset == "" {
		f.matte.greyDisplay(&f, stderr)
	}
	return f, 0, true
}

// runExport is `flick export`.
func runExport(args []string, stdout, stderr io.Writer) int {
	if hasShots(args) {
		return runExportShots(args, stdout, stderr) // shotscmd.go
	}
	f, code, ok := parseExportFlags(args, stdout, stderr)
	if !ok {
		return code
	}
	if f.savePreset != "" {
		if err := f.given.Write(f.savePreset); err != nil {
			var bad *export.PresetError
			if errors.As(err, &bad) {
				return usageError(stderr, err.Error())
			}
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "wrote preset %s\n", f.savePreset)
		return 0
	}
	if _, err := os.Stat(f.out); err == nil && !f.overwrite {
		return fail(stderr, fmt.Errorf("%s already exists; add --overwrite to replace it", f.out))
	}
	seq, code := findSequence(f.positional, stderr)
	if seq == nil {
		return code
	}
	if f.matte.layer != "" {
		if code := checkMatte(seq, f.matte.layer, f.matte.entries, stderr); code != 0 {
			return code
		}
	}
	first, err := engine.Inspect(seq)
	if err != nil {
		return fail(stderr, err)
	}
	// --view as given, before a config's view takes it: B's by default.
	exrView := f.view
	display := "" // the OpenColorIO display drawn for, if any
	if f.ocio.config != "" {
		// Its GL objects go with the export's GL context.
		cfg, _, _, _ := loadSettings(stderr) // the user's input colour space picks
		if f.display.OCIO, display, err = f.ocio.transform(&f.view, ui.InputRequest(seq, first, cfg, "")); err != nil {
			return fail(stderr, err)
		}
	}
	var sel exr.Selection // the file's default
	if f.layer != "" || f.view != "" {
		if sel, err = exr.FindLayer(first.Parts, f.view, f.layer); err != nil {
			return fail(stderr, fmt.Errorf("--layer %q --view %q: %w (flick info %s lists the layers)", f.layer, f.view, err, f.positional[0]))
		}
	}
	movie, err := f.movie(first)
	if err != nil {
		return usageError(stderr, err.Error())
	}
	f.compare.size(&movie)
	if display != "" {
		var warning string
		if movie.Colour, warning = export.ColourFor(display, movie.Codec); warning != "" {
			fmt.Fprintf(stderr, "flick: warning: %s\n", warning)
		}
	}

	frames := seq.Range.Frames()
	index := 0 // of the chunk's first frame in frames
	if f.chunk != "" {
		var err error
		if frames, index, err = chunkFrames(frames, f.chunk); err != nil {
			return usageError(stderr, err.Error())
		}
		movie.Joinable = true
	}
	// The movie's timecode track starts at its first frame's timecode.
	var warning string
	if movie.Timecode, warning, err = f.startTimecode(seq, frames[0], index, movie.FPS); err != nil {
		return usageError(stderr, err.Error())
	}
	if warning != "" {
		fmt.Fprintf(stderr, "flick: warning: %s\n", warning)
	}
	pool := engine.NewPool(0)
	defer pool.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// Decoding starts now, while the GL context is made.
	data := first.Header.DataWindow
	ahead := export.StartReadahead(ctx, frames, readahead(data.Width(), data.Height()), export.Source{
		Decode: func(ctx context.Context, n int, buffer func(int) []uint16) (*engine.Frame, error) {
			fr, err := engine.LoadKey(seq, engine.Key{Frame: n, Channels: sel}, buffer, pool, func() bool { return ctx.Err() != nil })
			if err == nil && f.matte.layer != "" {
				err = f.matte.draw(fr) // here, off the GL goroutine
			}
			return fr, err
		},
	})
	defer ahead.Stop()
	job := export.Job{
		Frames:   frames,
		Display:  f.display,
		Movie:    movie,
		Load:     ahead.Load,
		Release:  ahead.Release,
		Progress: progressPrinter(stderr, len(frames)),
	}
	view := f.display.Transform.String() // {view}: flick's transform, or
	if f.display.OCIO != nil {
		view = f.display.OCIO.String() // OpenColorIO's input to display / view, look
	}
	shot := burnin.Shot{Dir: seq.Dir, Prefix: seq.Prefix, Range: seq.Range.String(), Num: movie.FPS.Num, Den: movie.FPS.Den,
		Width: movie.Width, Height: movie.Height, View: view, Layer: f.layer, Extra: f.fields,
		Start: movie.Timecode} // the shot's first frame's, as the track has it after any slate
	if f.slate > 0 && index == 0 { // a chunk's slate is the first chunk's
		job.Slate = f.slateOf(seq, sel, shot, movie, pool, stderr)
		// The shot keeps its timecode: the movie starts the slate earlier.
		job.Movie.Timecode = job.Slate.Start(*movie.Timecode, movie.FPS)
	}
	if len(f.burnins) > 0 {
		job.Burnins, job.Fields = f.burnins, shot.Fields(frames, time.Now())
	}
	if f.compare.path != "" {
		aheadB, code := f.compare.attach(ctx, &job, &f, exrView, seq, first, pool, stderr)
		if aheadB == nil {
			return code
		}
		defer aheadB.Stop()
	}
	result, err := exportGL(ctx, job, f.gl, func(via string) {
		fmt.Fprintf(stderr, "flick: exporting %s (%d frames) to %s: %dx%d %s at %s fps, drawn through %s\n",
			seq, len(frames), f.out, movie.Width, movie.Height, movie.Codec, movie.FPS, via)
	})
	if job.Slate != nil {
		job.Slate.Thumb() // its decode is done before the pool closes
	}
	if err != nil {
		return fail(stderr, err)
	}
	for _, s := range result.Skipped {
		if s.B {
			fmt.Fprintf(stderr, "flick: warning: B's frame %d is black on B's side of the movie: %v\n", s.Frame, s.Err)
			continue
		}
		fmt.Fprintf(stderr, "flick: warning: frame %d is black in the movie: %v\n", s.Frame, s.Err)
	}
	if f.chunk != "" {
		if err := writeChunkReport(f, seq, index, frames, movie, result); err != nil {
			os.Remove(f.out) // a chunk without its report is no chunk
			return fail(stderr, err)
		}
	}
	fmt.Fprintf(stdout, "%s: %d frames in %.1fs (%.1f fps); per frame: decode %s, draw %s%s, readback %s, convert %s, encode %s\n",
		f.out, result.Done, result.Elapsed.Seconds(), result.FPS(), perFrame(result.Decode, result.Done),
		perFrame(result.Draw, result.Done), softNote(result), perFrame(result.Readback, result.Done),
		perFrame(result.Convert, result.Done), perFrame(result.Encode, result.Done))
	return 0
}

// softNote says how many frames were drawn on the CPU as llvmpipe draws
// them (export.Progress.Soft), for the summary line.
func softNote(p export.Progress) string {
	switch p.Soft {
	case 0:
		return ""
	case p.Done:
		return " (on the CPU, as llvmpipe draws)"
	}
	return fmt.Sprintf(" (%d frames on the CPU, as llvmpipe draws)", p.Soft)
}

// slateOf is the slate f asks for, of shot as movie shows it: its fields
// and its middle frame (of the whole range, so every chunked export of a
// shot shows the same one), whose decode starts now; a frame that cannot
// be read is a warning and no thumbnail.
func (f *exportFlags) slateOf(seq *engine.Sequence, sel exr.Selection, shot burnin.Shot, movie export.Options, pool *engine.Pool, stderr io.Writer) *export.Slate {
	all := seq.Range.Frames()
	thumb := make(chan *engine.Frame, 1)
	go func() {
		f, err := engine.LoadKey(seq, engine.Key{Frame: all[len(all)/2], Channels: sel}, func(n int) []uint16 { return make([]uint16, n) }, pool, nil)
		if err != nil {
			fmt.Fprintf(stderr, "flick: warning: the slate has no thumbnail: %v\n", err)
		}
		thumb <- f
	}()
	return &export.Slate{Frames: f.slate, Fields: export.ShotFields(shot, movie), Thumb: sync.OnceValue(func() *engine.Frame { return <-thumb })}
}

// expandPreset finds --preset in args: a value that names an encoder speed
// (export.IsSpeed) stays as it is; any other is a preset (a shipped one's
// name or a file), whose options replace it, put before all of args so
// that the command line's own flags win. It returns the preset applied, if
// any.
func expandPreset(args []string) ([]string, *export.Preset, error) {
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || name != "preset" || args[i] == "--" {
			if args[i] == "--" {
				break
			}
			continue
		}
		end := i + 1
		if !hasValue {
			if i+1 == len(args) {
				break // the flag parsing says it needs a value
			}
			value, end = args[i+1], i+2
		}
		if export.IsSpeed(value) {
			i = end - 1
			continue
		}
		p, err := export.LoadPreset(value)
		if err != nil {
			return nil, nil, err
		}
		if _, again, err := expandPreset(args[end:]); err != nil || again != nil {
			return nil, nil, cmp.Or(err, errors.New("give one --preset FILE|NAME"))
		}
		rest := slices.Concat(args[:i], args[end:])
		// The command line's size (one flag of three) and burn-ins
		// replace the preset's, rather than clash or add to them.
		for _, group := range replacedFlags {
			if slices.ContainsFunc(group, func(name string) bool { return hasFlag(rest, name) }) {
				p.Entries = slices.DeleteFunc(p.Entries, func(e export.PresetEntry) bool { return slices.Contains(group, e.Key) })
			}
		}
		return append(p.Args(), rest...), p, nil
	}
	return args, nil, nil
}

// replacedFlags are groups of flags of which a preset's are dropped when
// the command line gives one: the size (one of three flags), the burn-ins
// (all of them).
var replacedFlags = [][]string{{"scale", "width", "height"}, {"burnin"}}

// hasFlag reports whether args give --name (or -name), with its value
// after = or next.
func hasFlag(args []string, name string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		n, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		return strings.HasPrefix(a, "-") && n == name
	})
}

// recordPresetKeys makes fs record, as they are parsed, the values of its
// flags that are preset keys (--preset's as speed) into the preset it
// returns, the last of a non-repeatable key replacing the ones before.
func recordPresetKeys(fs *flag.FlagSet) *export.Preset {
	given := &export.Preset{Name: "(command line)"}
	fs.VisitAll(func(fl *flag.Flag) {
		key := fl.Name
		if key == "preset" {
			key = "speed"
		}
		if slices.Contains(export.PresetKeys(), key) {
			fl.Value = presetRecorder{fl.Value, key, given}
		}
	})
	return given
}

// presetRecorder is a flag.Value that records each value it is set to.
type presetRecorder struct {
	flag.Value
	key   string
	given *export.Preset
}

func (r presetRecorder) Set(s string) error {
	if err := r.Value.Set(s); err != nil {
		return err
	}
	r.given.Set(r.key, s)
	return nil
}

// IsBoolFlag passes the recorded flag's kind on to the flag parsing.
func (r presetRecorder) IsBoolFlag() bool {
	b, ok := r.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// chunkFrames returns the frames of a shot's frames that --frames spec
// names, and the index of the first: a run of at least
// export.MinChunkFrames of them, in order and with none left out.
func chunkFrames(frames []int, spec string) ([]int, int, error) {
	r, err := engine.ParseRange(spec)
	if err != nil {
		return nil, 0, fmt.Errorf("--frames: %w", err)
	}
	want := r.Frames()
	i := slices.Index(frames, want[0])
	if i < 0 || i+len(want) > len(frames) || !slices.Equal(frames[i:i+len(want)], want) {
		return nil, 0, fmt.Errorf("--frames %s: want a run of the range's frames (%d-%d)", spec, frames[0], frames[len(frames)-1])
	}
	if len(want) < export.MinChunkFrames {
		return nil, 0, fmt.Errorf("--frames %s: a chunk needs at least %d frames (shorter ones do not join: no B-frame delay)", spec, export.MinChunkFrames)
	}
	return want, i, nil
}

// writeChunkReport writes the report of the chunk f exported: frames
// (index the first's place in the shot), what failed, the settings, the
// stream as the movie holds it, times, host and version.
func writeChunkReport(f exportFlags, seq *engine.Sequence, index int, frames []int, movie export.Options, result export.Progress) error {
	stream, err := export.ReadStreamInfo(f.out)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	return export.WriteReport(f.report, export.Report{
		Flick: version, Host: host, Movie: f.out,
		Shot: seq.String(), Range: seq.Range.String(), ShotFrames: len(seq.Range.Frames()),
		Index: index, First: frames[0], Last: frames[len(frames)-1], Frames: result.Done + result.Slate, Slate: result.Slate,
		Failed:   result.Failed(),
		Settings: movie.Settings(fmt.Sprintf("%+v", f.display)),
		Stream:   stream,
		Seconds:  result.Stages(),
	})
}

// movie is the movie f asks for, from the first frame's headers: its size
// from the display window, its rate from framesPerSecond (else 24) unless
// --fps says.
func (f *exportFlags) movie(first engine.Inspection) (export.Options, error) {
	fps := export.Rational{Num: 24, Den: 1}
	if r, ok := first.FPS(); ok {
		fps = export.Rational{Num: int(r.Num), Den: int(r.Den)}
	}
	if f.fps != "" {
		var err error
		if fps, err = export.ParseFPS(f.fps); err != nil {
			return export.Options{}, fmt.Errorf("--fps: %w", err)
		}
	}
	display := first.Header.DisplayWindow
	w, h := export.OutputSize(display.Width(), display.Height(), f.scale, f.width, f.height)
	return export.Options{Path: f.out, Overwrite: f.overwrite, Codec: f.codec, Width: w, Height: h,
		FPS: fps, CRF: f.crf, Preset: f.preset}, nil
}

// startTimecode is the timecode of the movie's first frame, frame first
// of seq, index frames into the range: --timecode moved by index, else the
// frame's timeCode attribute, else its number counted at fps
// (engine.TimecodeOf). warning says why a frame's timeCode was not used.
func (f *exportFlags) startTimecode(seq *engine.Sequence, first, index int, fps export.Rational) (tc *timecode.Timecode, warning string, err error) {
	r := timecode.Rate{Num: fps.Num, Den: fps.Den}
	if f.timecode != nil {
		t, err := f.timecode.Add(index, r)
		if err != nil {
			return nil, "", fmt.Errorf("--timecode: %w", err)
		}
		return &t, "", nil
	}
	// A frame that cannot be read is black in the movie, and reported
	// there; its timecode is derived.
	own, ok, _ := engine.FrameTimecode(seq, first)
	if ok && own.Check(r) != nil {
		warning = fmt.Sprintf("%v; the movie's timecode counts frame numbers instead (or give --timecode)", own.Check(r))
	}
	t, err := engine.TimecodeOf(first, own, ok, r)
	if err != nil {
		return nil, "", err
	}
	return &t, warning, nil
}

// glContext is the kind of GL context flick export draws in.
type glContext int

const (
	// glAny is EGL, else a hidden window where there is a display: EGL
	// starts sooner (no X connection, GLX, GLFW or Dear ImGui) and draws
	// the same pixels (TestHeadlessExportMatchesWindow).
	glAny    glContext = iota
	glEGL              // --headless
	glWindow           // --window
)

// exportGL runs job in a GL context of that kind, which this goroutine
// (the main OS thread) serves, then destroys it: a headless EGL context,
// or a hidden window's (no Dear ImGui frames are drawn in it). started is
// called once the context exists, with what it is.
func exportGL(ctx context.Context, job export.Job, kind glContext, started func(via string)) (export.Progress, error) {
	var q *render.Queue
	var serve func(done <-chan struct{})
	var h *render.Headless
	if kind != glWindow {
		var err error
		if h, err = render.NewHeadless(); err != nil && (kind == glEGL || !render.HasDisplay()) {
			return export.Progress{}, err // says what to install
		}
	}
	if h != nil {
		defer h.Close()
		q, serve = h.Queue(), h.Serve
		started(fmt.Sprintf("EGL, %s platform, %s", h.Platform, h.Renderer))
	} else {
		win, err := render.NewWindow(render.WindowOptions{Title: "flick export", Width: 64, Height: 64, Hidden: true})
		if err != nil {
			return export.Progress{}, fmt.Errorf("export needs a GL context: %w (without a display: flick export --headless)", err)
		}
		defer func() {
			win.Close()
			win.Run(nil) // returns at once: destroys the window and its context
		}()
		q, serve = win.Queue(), win.Serve
		started("a hidden window")
	}
	var result export.Progress
	var runErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		result, runErr = export.Run(ctx, job, q)
	}()
	serve(done) // serves the export until it is done
	return result, runErr
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

// exportMatte is flick export's Cryptomatte matte (issue 22): the matte of
// the objects names lists in the cryptomatte layer, per frame from that
// frame's ranks and manifest, drawn as mode says.
type exportMatte struct {
	layer, names, mode string
	entries            []string // names, parsed by check
}

// The values of --matte.
const (
	matteAlpha = "alpha" // the movie's alpha is the matte; the picture as it is
	matteGrey  = "grey"  // the picture is the matte, as data
)

// check checks the matte's flags, all or none given (some, for a preset
// that saving says is being saved: the names may be the shot's), against
// codec, and parses the names.
func (m *exportMatte) check(codec export.Codec, saving bool) error {
	if m.layer == "" && m.names == "" && m.mode == "" {
		return nil
	}
	var err error
	switch {
	case m.layer == "" && !saving:
		return errors.New("--names and --matte go with --matte-layer NAME (flick info PATH lists the cryptomattes)")
	case m.mode != matteAlpha && m.mode != matteGrey && (m.mode != "" || !saving):
		return fmt.Errorf("--matte %q: want alpha (the matte as the movie's alpha) or grey (the matte as the picture)", m.mode)
	case m.mode == matteAlpha && codec != export.ProRes4444:
		return fmt.Errorf("--matte alpha needs --codec %s, the only codec with alpha (--codec %s has none)", export.ProRes4444, codec)
	}
	if m.entries, err = cryptomatte.ParseList(m.names); err != nil {
		return fmt.Errorf("--names: %w", err)
	}
	if len(m.entries) == 0 && !saving {
		return errors.New(`--matte-layer needs --names LIST, e.g. --names "cube, /obj/sphere"`)
	}
	return nil
}

// greyDisplay makes f draw a grey matte as data: code values equal to
// the matte (clipped to [0, 1]), through no display transform, exposure,
// gamma or OpenColorIO config ($OCIO's included). It warns about the
// options given that it overrides.
func (m *exportMatte) greyDisplay(f *exportFlags, stderr io.Writer) {
	var ignored []string
	for _, key := range []string{"channels", "exposure", "display", "ocio", "input-cs", "look"} {
		if f.given.Has(key) {
			ignored = append(ignored, "--"+key)
		}
	}
	if len(ignored) > 0 {
		fmt.Fprintf(stderr, "flick: warning: --matte grey draws the matte as data: %s ignored\n", strings.Join(ignored, ", "))
	}
	f.display, f.ocio = render.Settings{Transform: render.TransformLinear}, exportOCIO{}
}

// draw puts frame fr's matte (from fr's file: only its rank channels are
// decoded) into fr's pixels, over fr's data window (0 where the
// cryptomatte's window does not reach): into alpha, or as R = G = B with
// alpha 1 for grey. The matte becomes half: 11 bits of precision, more
// than any movie keeps.
func (m *exportMatte) draw(fr *engine.Frame) error {
	matte, win, _, err := frameMatte(fr.Path, m.layer, m.entries, nil)
	if err != nil {
		return err
	}
	dw := fr.DataWindow
	one := float16.Fromfloat32(1).Bits()
	i := 0
	for y := dw.Min.Y; y < dw.Max.Y; y++ {
		for x := dw.Min.X; x < dw.Max.X; x, i = x+1, i+4 {
			var v float32
			if x >= win.MinX && x <= win.MaxX && y >= win.MinY && y <= win.MaxY {
				v = matte[(y-win.MinY)*win.Width()+x-win.MinX]
			}
			h := float16.Fromfloat32(v).Bits()
			if p := fr.Pix[i : i+4]; m.mode == matteGrey {
				p[0], p[1], p[2], p[3] = h, h, h, one
			} else {
				p[3] = h
			}
		}
	}
	return nil
}
