package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/dustin/go-humanize"

	"flick/engine"
	"flick/engine/exr"
)

const benchUsage = `Usage:
  flick bench PATH [RANGE] [--threads N] [--channels LIST] [--decode-only] [--json]
      decode every frame once, one frame per thread, page cache warm:
      frames/s and MB/s of the decoder alone; --decode-only skips the
      read pass that warms the page cache first (run it twice to compare
      the command's wall time with a reader that only decodes)
  flick bench PATH [RANGE] --play [--budget BYTES] [--realtime --fps N] [--frames N] [--warm] [--threads N] [--channels LIST] [--json]
      play through the engine with no display (every frame, as fast as it
      goes, unless --realtime): fps, drops, cache hits and misses, peak RSS
  flick bench A [RANGE] --play --compare B [--sync frame|start] [--budget BYTES] [--frames N] [--warm] [--threads N] [--json]
      play A against B as an A/B comparison does, every frame: both decoded
      over one pool and cache, B's frames lined up with A's (by frame number,
      or start-aligned); pairs/s counts the frames shown with both sides
`

// runBench is `flick bench`: the decoder alone, or headless playback.
func runBench(args []string, stdout, stderr io.Writer) int {
	play := slices.ContainsFunc(args, func(a string) bool { return a == "--play" || a == "-play" })
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	threads := fs.Int("threads", 0, "")
	channels := fs.String("channels", "", "")
	jsonOut := fs.Bool("json", false, "")
	decodeOnly := fs.Bool("decode-only", false, "")
	var (
		budget         *string
		fps            fpsFlag
		frames         *int
		realtime, warm *bool
		compare, sync  *string
	)
	if play {
		fs.Bool("play", false, "")
		budget = fs.String("budget", "", "")
		realtime = fs.Bool("realtime", false, "")
		fs.Var(&fps, "fps", "")
		frames = fs.Int("frames", 0, "")
		warm = fs.Bool("warm", false, "")
		compare = fs.String("compare", "", "")
		sync = fs.String("sync", "frame", "")
	}
	positional, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, benchUsage)
		return 0
	case err != nil:
		return usageError(stderr, err.Error())
	case len(positional) == 0:
		return usageError(stderr, "bench needs a PATH, e.g. flick bench shot.####.exr")
	case flagGiven(fs, "threads") && (*threads < 1 || *threads > 64):
		return usageError(stderr, fmt.Sprintf("--threads %d: want 1..64", *threads))
	case play && *decodeOnly:
		return usageError(stderr, "--decode-only goes without --play")
	}
	sel, err := parseSelection(*channels)
	if err != nil {
		return usageError(stderr, err.Error())
	}
	var opt engine.PlayOptions
	if play {
		if opt, err = playOptions(*budget, float64(fps), *frames, *realtime); err != nil {
			return usageError(stderr, err.Error())
		}
		opt.Warm = *warm
		if opt.Sync, err = engine.ParseSyncMode(*sync); err != nil {
			return usageError(stderr, "--sync: "+err.Error())
		}
		if *compare != "" && *realtime {
			return usageError(stderr, "--compare plays every frame: it goes without --realtime")
		}
	}
	seq, code := findSequence(positional, stderr)
	if seq == nil {
		return code
	}
	if play && *compare != "" {
		if opt.Compare, code = findSequence([]string{*compare}, stderr); opt.Compare == nil {
			return code
		}
	}
	var result any
	if play {
		opt.Workers, opt.Channels = *threads, sel
		if opt.Budget == 0 {
			opt.Budget = engine.AutoBudget()
		}
		// As the viewer does.
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(engine.MemoryLimit(opt.Budget)))
		r, err := engine.Play(seq, opt)
		if err != nil {
			return fail(stderr, err)
		}
		result = r
		if !*jsonOut {
			fmt.Fprintf(stdout, "%s: played %d frames (%d shown, %d failed) in %.2fs: %.1f fps, %d dropped\n",
				seq, r.Frames, r.Shown, r.Failed, r.Seconds, r.FPS, r.Drops)
			if opt.Compare != nil {
				fmt.Fprintf(stdout, "against %s (sync %s): %d pairs, %.1f pairs/s\n", opt.Compare, opt.Sync, r.Pairs, r.PairsFPS)
			}
			fmt.Fprintf(stdout, "cache: %d hits, %d misses, %d evictions, budget %s; decoded %.1f MB/s; peak RSS %s\n",
				r.Hits, r.Misses, r.Evictions, humanize.IBytes(uint64(r.BudgetBytes)), r.MBps, humanize.IBytes(uint64(r.PeakRSSBytes)))
			printErrors(stdout, r.Errors)
		}
	} else {
		r, err := engine.DecodeAll(seq, sel, *threads, !*decodeOnly)
		if err != nil {
			return fail(stderr, err)
		}
		result = r
		if !*jsonOut {
			fmt.Fprintf(stdout, "%s: decoded %d frames (%d failed) on %d threads in %.2fs: %.1f frames/s, %.0f MB/s of pixels\n",
				seq, r.Frames, r.Failed, r.Workers, r.Seconds, r.FPS, r.MBps)
			if !*decodeOnly {
				fmt.Fprintf(stdout, "read: %s of files in %.3fs (%.0f MB/s, page cache); ",
					humanize.Bytes(uint64(r.FileBytes)), r.ReadSeconds, r.ReadMBps)
			}
			fmt.Fprintf(stdout, "decode: %.3fs over all threads\n", r.DecodeSeconds)
			printErrors(stdout, r.Errors)
		}
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(result); err != nil {
			return fail(stderr, err)
		}
	}
	return 0
}

// flagGiven reports whether the command line set the flag.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// playOptions checks the --play mode's values.
func playOptions(budget string, fps float64, frames int, realtime bool) (engine.PlayOptions, error) {
	opt := engine.PlayOptions{Realtime: realtime, Frames: frames, FPS: fps}
	if budget != "" {
		b, err := humanize.ParseBytes(budget)
		if err != nil || b < 1<<20 || b > 1<<50 {
			return opt, fmt.Errorf("--budget %q: want a size from 1MiB, e.g. 2GiB", budget)
		}
		opt.Budget = int64(b)
	}
	if frames < 0 {
		return opt, fmt.Errorf("--frames %d: want 1 or more", frames)
	}
	if fps != 0 && !realtime {
		return opt, errors.New("--fps goes with --realtime (every-frame playback runs as fast as it can)")
	}
	return opt, nil
}

// parseSelection reads --channels: one channel (shown as grey) or two to
// four, for R, G, B and A in that order; "" is the file's default.
func parseSelection(list string) (exr.Selection, error) {
	var sel exr.Selection
	if list == "" {
		return sel, nil
	}
	names := strings.Split(list, ",")
	if len(names) > 4 || slices.Contains(names, "") {
		return sel, fmt.Errorf("--channels %q: want one to four channel names separated by commas, e.g. R,G,B", list)
	}
	copy(sel.Names[:], names)
	sel.Grey = len(names) == 1
	return sel, nil
}

func printErrors(w io.Writer, errs []string) {
	for _, e := range errs {
		fmt.Fprintln(w, "  failed:", e)
	}
}
