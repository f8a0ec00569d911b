package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/dustin/go-humanize"

	"flick/export"
)

// joinUsage is flick join --help.
const joinUsage = `Usage: flick join OUT.mov CHUNK.mov... [flags]

Joins chunk movies made by flick export --frames into one movie, copying
their packets without re-encoding. Each chunk's report is read from beside
it (chunk.mov: chunk.json). The chunks must share codec, size, pixel format,
colour tags, time base, frame rate, stream headers, decoder delay and export
settings, start with a keyframe, hold the frames their reports say, and
cover the shot's range in order with no gap; else flick join names the
chunk and writes nothing. The movie is written to a temporary file, read
back and checked (frame count, timestamps, duration, and the decoded frames
at every seam against the chunks'), and only then renamed to OUT.

Flags:
  --verify V   seams (default): decode the frames at each seam; full:
               decode and compare every frame
  --overwrite  replace OUT if it exists
`

// runJoin is flick join.
func runJoin(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("join", flag.ContinueOnError)
	verify := fs.String("verify", "seams", "")
	overwrite := fs.Bool("overwrite", false, "")
	positional, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, joinUsage)
		return 0
	case err != nil:
		return usageError(stderr, err.Error())
	case len(positional) < 2:
		return usageError(stderr, "join needs the movie to write and its chunks: flick join OUT.mov a.mov b.mov")
	case *verify != "seams" && *verify != "full":
		return usageError(stderr, fmt.Sprintf("--verify %q: want seams or full", *verify))
	}
	if _, err := os.Stat(positional[0]); err == nil && !*overwrite {
		return fail(stderr, fmt.Errorf("%s already exists; add --overwrite to replace it", positional[0]))
	}
	res, err := export.Join(export.JoinOptions{Out: positional[0], Chunks: positional[1:], Overwrite: *overwrite, Full: *verify == "full"})
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "%s: %d frames from %d chunks, %s; copied in %.2fs (%s/s), %d frames decoded and checked in %.2fs\n",
		positional[0], res.Frames, len(positional)-1, humanize.IBytes(uint64(res.Bytes)), res.Copy.Seconds(),
		humanize.IBytes(uint64(float64(res.Bytes)/max(res.Copy.Seconds(), 1e-9))), res.Checked, res.Verify.Seconds())
	return 0
}
