// Command flick is a quick-look player for OpenEXR frame sequences.
//
//	flick [flags] [PATH [RANGE]]
//	flick info PATH [RANGE] [--json]
//	flick export PATH [RANGE] -o OUT.mov [flags]
//	flick bench PATH [RANGE] [--play] [--json] [flags]
//
// PATH is an EXR file (its numbered siblings play with it), a pattern
// (shot.####.exr, shot.%04d.exr, shot.@@@@.exr, shot.1001-1100#.exr) or a
// folder. With no PATH, flick plays a built-in demo sequence.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"flick/engine"
	"flick/engine/exr"
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
  flick [flags] [PATH [RANGE]]      view
  flick info PATH [RANGE] [--json]  describe a file or sequence from its headers
  flick export PATH [RANGE] -o OUT.mov [flags]
                                    render a review movie (flick export --help)
  flick bench PATH [RANGE] [--play] [--json]
                                    measure decoding or playback (flick bench --help)

PATH is an EXR file (its numbered siblings play with it), a frame pattern
(shot.####.exr, shot.#.exr, shot.%04d.exr, shot.@@@@.exr, with an optional
range: shot.1001-1100#.exr, shot.1001-1100x2#.exr) or a folder (its longest
sequence; flick info lists them all). RANGE is FIRST-LAST[xSTEP]. Frames of
the range with no file are reported missing. With no PATH, flick plays a
built-in demo sequence.

Flags (before or after PATH):
  --fps N      playback rate (default: settings, 24)
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
		}
	}
	settingsPath, err := settings.Path()
	savePath := settingsPath // "" when there is nowhere to save
	if err != nil {
		settingsPath, savePath = "(no config folder: "+err.Error()+")", ""
	}
	cfg, warning := settings.Defaults(), ""
	if err == nil {
		var lerr error
		if cfg, lerr = settings.Load(settingsPath, ui.Choices()); lerr != nil {
			warning = lerr.Error()
			fmt.Fprintln(stderr, "flick: warning:", warning)
		}
	}

	fs := flag.NewFlagSet("flick", flag.ContinueOnError)
	var fps fpsFlag
	fs.Var(&fps, "fps", "")
	showVersion := fs.Bool("version", false, "")
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
	seq, code := findSequence(positional, stderr)
	if seq == nil {
		return code
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
	err = ui.Run(ui.Options{Sequence: seq, First: first, Loader: loader, Cache: cache, Pool: pool, Budget: budget,
		FPS: float64(fps), Settings: cfg, SettingsPath: savePath, Warning: warning, SettingsBroken: warning != ""})
	if err != nil {
		return fail(stderr, err)
	}
	return 0
}

// runInfo is `flick info PATH [RANGE] [--json]`: what a sequence holds,
// from its headers alone.
func runInfo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	positional, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stdout, "Usage: flick info PATH [RANGE] [--json]")
		return 0
	case err != nil:
		return usageError(stderr, err.Error())
	case len(positional) == 0:
		return usageError(stderr, "info needs a PATH, e.g. flick info shot.####.exr")
	}
	var seqs []*engine.Sequence
	folder := len(positional) == 1 && isDir(positional[0])
	if folder {
		if seqs, err = engine.FindAll(positional[0]); err != nil {
			return fail(stderr, err)
		}
	} else {
		seq, code := findSequence(positional, stderr)
		if seq == nil {
			return code
		}
		seqs = []*engine.Sequence{seq}
	}
	infos := make([]engine.Info, len(seqs))
	readable := false
	for i, s := range seqs {
		infos[i] = engine.Describe(s)
		readable = readable || infos[i].Header != nil
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		var v any = infos[0]
		if folder {
			v = struct {
				Folder    string        `json:"folder"`
				Sequences []engine.Info `json:"sequences"`
			}{positional[0], infos}
		}
		if err := enc.Encode(v); err != nil {
			return fail(stderr, err)
		}
	} else {
		for i, info := range infos {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			printInfo(stdout, info)
		}
	}
	if !readable {
		return 1 // no frame could be read: say so in the exit status too
	}
	return 0
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

func printInfo(w io.Writer, info engine.Info) {
	s := info.Sequence
	single := s.Pattern == s.Name // one file, no frame number
	if single {
		fmt.Fprintf(w, "file       %s\n", filepath.Join(s.Dir, s.Name))
	} else {
		fmt.Fprintf(w, "sequence   %s\n", filepath.Join(s.Dir, s.Name))
		fmt.Fprintf(w, "frames     %d present of %d-%d", s.Frames, s.First, s.Last)
		if s.Step > 1 {
			fmt.Fprintf(w, " step %d", s.Step)
		}
		if len(s.Missing) > 0 {
			fmt.Fprintf(w, ", %d missing: %s", len(s.Missing), engine.FrameList(s.Missing))
		}
		fmt.Fprintln(w)
	}
	for _, f := range info.Formats {
		frames := ""
		switch {
		case single:
		case f.First == f.Last:
			frames = fmt.Sprintf("frame %d: ", f.First)
		default:
			frames = fmt.Sprintf("frames %d-%d: ", f.First, f.Last)
		}
		fmt.Fprintf(w, "format     %sdisplay %s, data %s\n", frames, box(f.DisplayWindow), box(f.DataWindow))
	}
	for _, f := range info.Failed {
		fmt.Fprintf(w, "failed     %s\n", f.Error)
	}
	if info.PartsError != "" {
		fmt.Fprintf(w, "failed     %s\n", info.PartsError)
	}
	if h := info.Header; h != nil && len(info.Parts) == 0 {
		fmt.Fprintf(w, "header     part 0 of %d, %s, %s, pixel aspect %g\n", h.Parts, h.Storage, h.Compression, h.PixelAspect)
	}
	if h := info.Header; h != nil && len(info.Parts) < h.Parts {
		fmt.Fprintf(w, "parts      %d, the first %d shown\n", h.Parts, len(info.Parts))
	}
	for i := range info.Parts {
		printPart(w, &info.Parts[i])
	}
}

// shownElsewhere are the attributes printPart shows in its own lines.
var shownElsewhere = map[string]bool{
	"channels": true, "chunkCount": true, "compression": true, "dataWindow": true, "displayWindow": true,
	"multiView": true, "name": true, "pixelAspectRatio": true, "tiles": true, "type": true, "view": true,
}

// printPart writes one part: a summary line, its views, its layers with
// their channels, and the attributes not in the summary. Names and strings
// come from the file: they go through exr.Printable.
func printPart(w io.Writer, p *exr.Part) {
	fmt.Fprintf(w, "part %-6d", p.Index)
	if p.Name != "" {
		fmt.Fprintf(w, "%q, ", exr.Printable(p.Name, 64))
	}
	if p.View != "" {
		fmt.Fprintf(w, "view %s, ", exr.Printable(p.View, 64))
	}
	fmt.Fprintf(w, "%s, %s, data %s, display %s, pixel aspect %g\n", p.Storage, p.Compression,
		box(p.DataWindow), box(p.DisplayWindow), p.PixelAspect)
	if p.TileWidth > 0 {
		fmt.Fprintf(w, "  tiles    %dx%d", p.TileWidth, p.TileHeight)
		if l := p.Levels; l != nil {
			round := "down"
			if l.RoundUp {
				round = "up"
			}
			switch l.Mode {
			case exr.OneLevel:
				fmt.Fprintf(w, ", one level")
			case exr.RipmapLevels:
				fmt.Fprintf(w, ", ripmap, %dx%d levels, rounded %s", len(l.Widths), len(l.Heights), round)
			default:
				fmt.Fprintf(w, ", %s, %d levels, rounded %s", l.Mode, len(l.Widths), round)
			}
		}
		fmt.Fprintln(w)
	}
	if len(p.Views) > 0 {
		views := make([]string, len(p.Views))
		for i, v := range p.Views {
			views[i] = exr.Printable(v, 64)
		}
		views[0] += " (default)"
		fmt.Fprintf(w, "  views    %s\n", strings.Join(views, ", "))
	}
	byName := make(map[string]exr.Channel, len(p.Channels))
	for _, c := range p.Channels {
		byName[c.Name] = c
	}
	for _, l := range p.Layers {
		name := "(base)"
		if l.Name != "" {
			name = exr.Printable(l.Name, 64)
		}
		if l.View != "" {
			name += " [" + exr.Printable(l.View, 64) + "]"
		}
		chans := make([]exr.Channel, len(l.Channels))
		same := true
		for i, short := range l.Channels {
			full := short
			if l.Name != "" {
				full = l.Name + "." + short
			}
			chans[i] = byName[full]
			same = same && chans[i].Type == chans[0].Type && chans[i].XSampling == 1 && chans[i].YSampling == 1
		}
		names := make([]string, len(chans))
		for i, c := range chans {
			names[i] = exr.Printable(l.Channels[i], 32)
			if !same {
				names[i] += " " + c.Type.String()
				if c.XSampling != 1 || c.YSampling != 1 {
					names[i] += fmt.Sprintf(" (%dx%d)", c.XSampling, c.YSampling)
				}
			}
		}
		list := strings.Join(names, " ")
		if same && len(chans) > 0 {
			list += ", " + chans[0].Type.String()
		} else {
			list = strings.Join(names, ", ")
		}
		fmt.Fprintf(w, "  layer    %s: %s\n", name, list)
	}
	for _, a := range p.Attributes {
		if shownElsewhere[a.Name] {
			continue
		}
		fmt.Fprintf(w, "  attr     %s (%s): %s\n", exr.Printable(a.Name, 64), exr.Printable(a.Type, 32), exr.Printable(a.Text, 200))
	}
}

func box(b exr.Box) string {
	return fmt.Sprintf("%dx%d at %d,%d", b.Width(), b.Height(), b.MinX, b.MinY)
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
