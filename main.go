// Command flick is a quick-look player for OpenEXR frame sequences.
//
//	flick [flags] [PATH [RANGE]]...
//	flick info PATH [RANGE] [--json]
//	flick export PATH [RANGE] -o OUT.mov [flags]
//	flick join OUT.mov CHUNK.mov... [--verify seams|full]
//	flick bench PATH [RANGE] [--play] [--json] [flags]
//	flick matte PATH [RANGE] --layer NAME --names LIST -o OUT.####.exr
//	flick farm submit|status ...
//
// PATH is an EXR file (its numbered siblings play with it), a pattern
// (shot.####.exr, shot.%04d.exr, shot.@@@@.exr, shot.1001-1100#.exr,
// shot.%V.####.exr) or a folder; the README's "Sequence notation" lists
// every form. With no PATH, flick plays a built-in demo sequence.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"flick/engine"
	"flick/render/ocio"
	"flick/settings"
	"flick/ui"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func init() {
	// GLFW and the GL context must live on the main OS thread.
	runtime.LockOSThread()
}

const usage = `flick - a quick-look player for OpenEXR frame sequences

Usage:
  flick [flags] [PATH [RANGE]]...   view (several: a session of shots)
  flick info PATH [RANGE] [--json]  describe a file or sequence from its headers
  flick export PATH [RANGE] -o OUT.mov [flags]
                                    render a review movie (flick export --help)
  flick join OUT.mov CHUNK.mov...   join chunks (export --frames) losslessly
  flick bench PATH [RANGE] [--play] [--json]
                                    measure decoding or playback (flick bench --help)
  flick matte PATH [RANGE] --layer NAME --names LIST -o OUT.####.exr
                                    write Cryptomatte mattes (flick matte --help)
  flick farm submit SHOT --range A-B -o OUT.mov --chunk N [flags]
  flick farm status OUT.mov         export on a render farm (flick farm --help)

PATH is an EXR file (its numbered siblings play with it), a frame pattern
(shot.####.exr, shot.#.exr, shot.%04d.exr, shot.@@@@.exr, the frame anywhere
in the name: shot.#.left.exr; with an optional range or list:
shot.1001-1100#.exr, shot.1001-1100x2#.exr, shot.1,3,5#.exr; RV's %V for the
views of a stereo pair: shot.%V.####.exr) or a folder (its longest sequence;
flick info lists them all). RANGE is FIRST-LAST[xSTEP], a frame, or a comma
list of those going up (1001-1010,1020,1030-1040x2); negative frames count
the minus sign in the padding (shot.-003.exr). Frames of the range with no
file are reported missing. With no PATH, flick plays a built-in demo
sequence.

Flags (before or after PATH):
  --fps N      playback rate (default: settings, 24)
  --ocio CONFIG
               view through an OpenColorIO config: a .ocio file, or
               ocio://default for the built-in ACES 1.3 CG config (default:
               $OCIO, else the ocio_config setting, else none)
  --input-cs CS
               the frames' colour space in that config (default: your pick
               in the Display panel, the header, a file rule, the
               scene_linear role; flick info PATH --ocio CONFIG says which)
  --compare wipe|side|vside|blend|diff|signed
               compare the first shot (A) with the second (B) from the start
               (README "Compare")
  --sync frame|start
               line A and B up by frame number (default) or by first frame
  --offset N[,N...]
               shift the shots, in order, by N frames against each other
  --json       (info) print JSON: a "sequence" object (pattern, first, last,
               frames present, missing), the first frame's header, formats
  -h, --help   show this help
  --version    print the version

`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is flick's command line; it returns the exit status: 0 done, 1 a
// failure, 2 a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "info":
			return runInfo(args[1:], stdout, stderr)
		case "export":
			return runExport(args[1:], stdout, stderr)
		case "bench":
			return runBench(args[1:], stdout, stderr)
		case "join":
			return runJoin(args[1:], stdout, stderr)
		case "farm":
			return runFarm(args[1:], stdout, stderr)
		case "matte":
			return runMatte(args[1:], stdout, stderr)
		case ui.WarmCommand:
			// Hidden: the viewer's warm-up child for a new display program.
			if err := ui.Warm(os.Stdin, os.NewFile(ui.WarmReplies, "warm-up replies")); err != nil {
				fmt.Fprintln(stderr, "flick:", err)
				return 1
			}
			return 0
		}
	}
	cfg, settingsPath, savePath, warning := loadSettings(stderr)

	fs := flag.NewFlagSet("flick", flag.ContinueOnError)
	var fps fpsFlag
	fs.Var(&fps, "fps", "")
	showVersion := fs.Bool("version", false, "")
	ocioFlag := fs.String("ocio", "", "")
	inputCS := fs.String("input-cs", "", "")
	var compare viewCompare
	compare.register(fs)
	positional, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage, ui.KeyHelp())
		fmt.Fprintln(stdout, "\nSettings:", settingsPath)
		return 0
	case err != nil:
		return usageError(stderr, err.Error())
	case *showVersion:
		fmt.Fprintln(stdout, "flick", version)
		return 0
	case *inputCS != "" && ocio.Pick(*ocioFlag, os.Getenv("OCIO"), cfg.OCIOConfig).Name == "":
		return usageError(stderr, "--input-cs needs an OpenColorIO config: add --ocio CONFIG")
	}
	demo := len(positional) == 0
	if demo {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fail(stderr, fmt.Errorf("demo: no cache folder: %w", err))
		}
		demo, err := engine.Demo(cache)
		if err != nil {
			return fail(stderr, err)
		}
		positional = []string{demo}
	}
	cmpOpt, err := compare.parse()
	if err != nil {
		return usageError(stderr, err.Error())
	}
	// A session file (flick show.flick) opens alone, in place of PATHs, with
	// its own comparison: a broken one is one line naming its file and
	// line, and exit 1.
	var shots []ui.Shot
	var session *ui.SessionFile
	var seq *engine.Sequence
	if slices.ContainsFunc(positional, ui.IsSession) {
		if len(positional) > 1 {
			return usageError(stderr, "a session file opens alone: flick show.flick")
		}
		given := ""
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "compare" || f.Name == "sync" || f.Name == "offset" {
				given = f.Name
			}
		})
		if given != "" {
			return usageError(stderr, "--"+given+": a session file keeps its own comparison")
		}
		if session, err = ui.ReadSessionFile(positional[0]); err != nil {
			return fail(stderr, err)
		}
		seq = session.First()
	} else {
		var code int
		if shots, code = findShots(positional, stderr); shots == nil {
			return code
		}
		if err := compare.fits(cmpOpt, len(shots)); err != nil {
			return usageError(stderr, err.Error())
		}
		seq = shots[0].Sequence
	}
	if abs, err := filepath.Abs(positional[0]); err == nil && !demo {
		cfg.AddRecent(abs)
	}
	budget := cfg.CacheBytes
	if budget == 0 {
		budget = engine.AutoBudget()
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(engine.MemoryLimit(budget))
	}
	pool := engine.NewPool(cfg.Workers)
	cache := engine.NewCache(budget, cfg.AheadShare)
	loader := engine.NewLoader(seq, pool, cache)
	// Decode the first frame before opening a window: a file that cannot be
	// shown is reported on the command line, not in an empty window.
	loader.Request(seq.First(), 1)
	first := <-loader.Frames()
	if first.Err != nil {
		loader.Close()
		pool.Close()
		return fail(stderr, first.Err)
	}
	// From here the viewer owns the loader: it closes it when the window
	// closes, waiting a bounded time, as a decode stuck on a stalled drive
	// must not keep flick from quitting. For the same reason the pool is not
	// closed (that waits for its workers): they end with the process.
	err = ui.Run(ui.Options{Shots: shots, First: first, Loader: loader, Cache: cache, Pool: pool, Budget: budget,
		FPS: float64(fps), Settings: cfg, SettingsPath: savePath, Warning: warning, SettingsBroken: warning != "",
		OCIO: *ocioFlag, InputCS: *inputCS, Compare: cmpOpt, Session: session})
	if err != nil {
		return fail(stderr, err)
	}
	return 0
}

// parseFlags parses args with fs, letting flags come before or after the
// positional arguments (flick shot.####.exr --fps 25), and returns the
// positional ones. A negative frame range (-10--1) is positional, and so is
// everything after "--". -h and --help give flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var positional, flags []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case !strings.HasPrefix(arg, "-") || arg == "-" || isRange(arg):
			positional = append(positional, arg)
		default:
			flags = append(flags, arg)
			name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
			f := fs.Lookup(name)
			if f == nil || hasValue || i+1 == len(args) {
				continue // fs.Parse reports unknown flags and missing values
			}
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	err := fs.Parse(flags)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return positional, err
	}
	// The flag package names flags with one dash; flick's help uses two.
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		msg = "unknown flag --" + name
	} else if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		msg = "--" + name + " needs a value"
	} else {
		msg = strings.Replace(msg, " for flag -", " for --", 1)
	}
	return positional, errors.New(msg)
}

// fpsFlag is a --fps value: a number from 1 to 1000 (0: not given).
type fpsFlag float64

func (f *fpsFlag) String() string { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }

func (f *fpsFlag) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 1 && v <= 1000) {
		return fmt.Errorf("want a number from 1 to 1000")
	}
	*f = fpsFlag(v)
	return nil
}

// isRange reports an argument meant as a frame range, well formed or not:
// one that starts with a digit or a minus and a digit. That tells a
// negative range (-10--1) from a flag and a range from a second path, and
// lets findSequence say what is wrong with a malformed range.
func isRange(arg string) bool {
	digit := func(i int) bool { return len(arg) > i && arg[i] >= '0' && arg[i] <= '9' }
	return digit(0) || len(arg) > 1 && arg[0] == '-' && digit(1)
}

// findShots resolves the viewer's PATH [RANGE] PATH [RANGE]... (each path
// optionally followed by its range) into its shots, in order; on failure
// it has reported the error about the first bad one and returns
// findSequence's exit status.
func findShots(positional []string, stderr io.Writer) ([]ui.Shot, int) {
	var shots []ui.Shot
	for i := 0; i < len(positional); {
		if isRange(positional[i]) {
			return nil, usageError(stderr, fmt.Sprintf("%s: a RANGE follows its PATH: flick A.#.exr 1001-1100 B.#.exr", positional[i]))
		}
		n := 1
		if i+1 < len(positional) && isRange(positional[i+1]) {
			n = 2
		}
		seq, code := findSequence(positional[i:i+n], stderr)
		if seq == nil {
			return nil, code
		}
		shot := ui.Shot{Path: positional[i], Sequence: seq}
		if n == 2 {
			shot.Range = positional[i+1]
		}
		shots = append(shots, shot)
		i += n
	}
	return shots, 0
}

// findSequence resolves PATH [RANGE]; on failure it has reported the error
// and returns the exit status: 2 for a malformed range, given as RANGE or
// in the pattern.
func findSequence(positional []string, stderr io.Writer) (*engine.Sequence, int) {
	var rng *engine.Range
	switch len(positional) {
	case 1:
	case 2:
		if !isRange(positional[1]) {
			return nil, usageError(stderr, "one PATH at a time, optionally with a frame range: flick shot.#.exr 1001-1100")
		}
		r, err := engine.ParseRange(positional[1])
		if err != nil {
			return nil, usageError(stderr, err.Error())
		}
		rng = &r
	default:
		return nil, usageError(stderr, "one PATH at a time, optionally with a frame range: flick shot.#.exr 1001-1100")
	}
	seq, err := engine.FindRange(positional[0], rng)
	var bad *engine.RangeError
	switch {
	case errors.As(err, &bad):
		return nil, usageError(stderr, err.Error())
	case err != nil:
		return nil, fail(stderr, err)
	}
	return seq, 0
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "flick:", err)
	return 1
}

func usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "flick: %s (see flick --help)\n", msg)
	return 2
}

// loadSettings reads the user's settings, or gives the defaults and a
// warning (also written to stderr) when they cannot be read. savePath is ""
// when there is nowhere to save them; settingsPath then says why.
func loadSettings(stderr io.Writer) (cfg settings.Settings, settingsPath, savePath, warning string) {
	settingsPath, err := settings.Path()
	if err != nil {
		return settings.Defaults(), "(no config folder: " + err.Error() + ")", "", ""
	}
	cfg, err = settings.Load(settingsPath, ui.Choices())
	if err != nil {
		warning = err.Error()
		fmt.Fprintln(stderr, "flick: warning:", warning)
	}
	return cfg, settingsPath, settingsPath, warning
}
