// Command flick is a quick-look player for OpenEXR frame sequences.
//
//	flick [flags] [PATH]
//
// PATH is an EXR file (its numbered siblings play with it), a pattern
// (shot.####.exr, shot.%04d.exr, shot.@@@@.exr) or a folder. With no PATH,
// flick plays a built-in demo sequence.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"flick/engine"
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
  flick [flags] [PATH]

PATH is an EXR file (its numbered siblings play with it), a frame pattern
(shot.####.exr, shot.%04d.exr, shot.@@@@.exr) or a folder (its longest
sequence). With no PATH, flick plays a built-in demo sequence.

Flags (before or after PATH):
  --fps N      playback rate (default: settings, 24)
  -h, --help   show this help
  --version    print the version

Keys: Space play/pause, Left/Right step, Home/End first/last frame.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is flick's command line; it returns the exit status: 0 done, 1 a
// failure, 2 a usage error.
func run(args []string, stdout, stderr io.Writer) int {
	settingsPath, err := settings.Path()
	if err != nil {
		settingsPath = "(no config folder: " + err.Error() + ")"
	}
	cfg, warning := settings.Defaults(), ""
	if err == nil {
		var lerr error
		if cfg, lerr = settings.Load(settingsPath); lerr != nil {
			warning = lerr.Error()
			fmt.Fprintln(stderr, "flick: warning:", warning)
		}
	}

	var paths []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch {
		case arg == "-h" || arg == "--help" || arg == "-help":
			fmt.Fprint(stdout, usage)
			fmt.Fprintln(stdout, "Settings:", settingsPath)
			return 0
		case arg == "--version" || arg == "-version":
			fmt.Fprintln(stdout, "flick", version)
			return 0
		case strings.HasPrefix(arg, "-") && name == "fps":
			if !hasValue {
				if i+1 == len(args) {
					return usageError(stderr, "--fps needs a value, e.g. --fps 24")
				}
				i++
				value = args[i]
			}
			fps, err := strconv.ParseFloat(value, 64)
			if err != nil || !(fps >= 1 && fps <= 1000) {
				return usageError(stderr, fmt.Sprintf("--fps %q: want a number from 1 to 1000", value))
			}
			cfg.FPS = fps
		case strings.HasPrefix(arg, "-") && arg != "-":
			return usageError(stderr, fmt.Sprintf("unknown flag %s", arg))
		default:
			paths = append(paths, arg)
		}
	}
	if len(paths) > 1 {
		return usageError(stderr, "one PATH at a time, e.g. flick shot.####.exr")
	}

	path := ""
	if len(paths) == 1 {
		path = paths[0]
	} else {
		cache, err := os.UserCacheDir()
		if err != nil {
			return fail(stderr, fmt.Errorf("demo: no cache folder: %w", err))
		}
		if path, err = engine.Demo(cache); err != nil {
			return fail(stderr, err)
		}
	}
	seq, err := engine.Find(path)
	if err != nil {
		return fail(stderr, err)
	}
	loader := engine.NewLoader(seq)
	defer loader.Close()
	// Decode the first frame before opening a window: a file that cannot be
	// shown is reported on the command line, not in an empty window.
	loader.Request(seq.First())
	first := <-loader.Frames()
	if first.Err != nil {
		return fail(stderr, first.Err)
	}
	err = ui.Run(ui.Options{Sequence: seq, First: first, Loader: loader, Settings: cfg, Warning: warning})
	if err != nil {
		return fail(stderr, err)
	}
	return 0
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "flick:", err)
	return 1
}

func usageError(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "flick: %s (see flick --help)\n", msg)
	return 2
}
