package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"flick/engine"
	"flick/engine/cryptomatte"
	"flick/engine/exr"
)

const matteUsage = `Usage: flick matte PATH [RANGE] --layer NAME --names LIST -o OUT.exr

Writes the Cryptomatte matte of the objects LIST names, from the cryptomatte
NAME (flick info PATH lists a file's cryptomattes), as an EXR with one FLOAT
channel Y per frame, with the frame's data and display windows.

  --layer NAME  the cryptomatte's name, e.g. crypto_object
  --names LIST  Nuke's matte list: names separated by commas; a name with a
                comma, space, quote or backslash in double quotes, with \"
                and \\ inside ("name, with, comma", /cow); <FLOAT> is an ID
                (as Nuke lists an ID the manifest does not name)
  -o OUT        the output file: OUT.####.exr for several frames (each #
                one digit of the frame number), or OUT.exr for one frame

Each frame's own manifest resolves the names (manifests change between
frames). A name that is not in a frame's manifest is warned about and
matched by its hash there; when no name is in any frame's manifest, nothing
is written (exit 2). A cryptomatte whose IDs are stored as HALF is refused:
half floats destroy them.
`

// runMatte is `flick matte PATH [RANGE] --layer NAME --names LIST -o
// OUT`: the matte of a set of Cryptomatte names per frame, written as
// FLOAT Y EXRs.
func runMatte(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("matte", flag.ContinueOnError)
	layer := fs.String("layer", "", "")
	list := fs.String("names", "", "")
	out := fs.String("o", "", "")
	positional, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, matteUsage)
		return 0
	case err != nil:
		return usageError(stderr, err.Error())
	case len(positional) == 0:
		return usageError(stderr, "matte needs a PATH, e.g. flick matte shot.####.exr --layer crypto_object --names cube -o matte.####.exr")
	case *layer == "":
		return usageError(stderr, "matte needs --layer NAME (flick info PATH lists the cryptomattes)")
	case *out == "":
		return usageError(stderr, "matte needs -o OUT.exr (OUT.####.exr for several frames)")
	}
	entries, err := cryptomatte.ParseList(*list)
	if err != nil {
		return usageError(stderr, "--names: "+err.Error())
	}
	if len(entries) == 0 {
		return usageError(stderr, `matte needs --names LIST, e.g. --names "cube, /obj/sphere"`)
	}
	seq, code := findSequence(positional, stderr)
	if seq == nil {
		return code
	}
	outPath, err := outputNamer(*out, len(seq.Frames))
	if err != nil {
		return usageError(stderr, err.Error())
	}
	if code := checkMatte(seq, *layer, entries, stderr); code != 0 {
		return code
	}
	if missing := seq.Missing(); len(missing) > 0 {
		fmt.Fprintf(stderr, "flick: warning: missing frames %s: no matte for them\n", engine.FrameList(missing))
	}
	var matte []float32
	for _, n := range seq.Frames {
		m, data, display, err := frameMatte(seq.Path(n), *layer, entries, matte)
		if err == nil {
			matte = m
			err = exr.WriteFloat(outPath(n), exr.FloatImage{Channels: []string{"Y"}, Pix: matte,
				DataWindow: data, DisplayWindow: display}, exr.ZIP)
		}
		if err != nil {
			return fail(stderr, fmt.Errorf("frame %d: %w", n, err))
		}
		fmt.Fprintln(stdout, outPath(n))
	}
	return 0
}

// checkMatte checks every frame of seq's header before flick matte or
// flick export --matte-layer writes anything: each has the cryptomatte
// called layer, usable, and some name of entries is in some frame's own
// manifest (or a frame has none: then names match by hash). It warns on
// stderr about each name that some frames' manifests lack (matched by
// hash there). It returns 0, or the exit status once it has reported why
// not: 2 for no such cryptomatte or no name known, 1 for a file that
// cannot be read or a cryptomatte that cannot be used (IDs stored as HALF).
func checkMatte(seq *engine.Sequence, layer string, entries []string, stderr io.Writer) int {
	missing := map[string][]int{} // name -> frames whose manifest lacks it
	matched := false
	for _, n := range seq.Frames {
		c, f, _, err := openMatte(seq.Path(n), layer)
		if err != nil {
			if errors.As(err, new(*noMatteError)) {
				return usageError(stderr, err.Error())
			}
			return fail(stderr, err)
		}
		f.Close()
		_, unknown := c.IDs(entries)
		for _, name := range unknown {
			missing[name] = append(missing[name], n)
		}
		matched = matched || len(unknown) < len(entries) || c.Manifest == nil
	}
	if !matched {
		return usageError(stderr, fmt.Sprintf("no name of --names is in the manifest of %q: %s", layer, cryptomatte.FormatList(entries)))
	}
	for _, name := range entries {
		if frames := missing[name]; len(frames) > 0 {
			fmt.Fprintf(stderr, "flick: warning: %q is not in the manifest of %q in %d of %d frames (%s): matched by its hash there\n",
				name, layer, len(frames), len(seq.Frames), engine.FrameList(frames))
		}
	}
	return 0
}

// frameMatte is the matte of entries, resolved against the file's own
// manifest, from the cryptomatte called layer of the EXR at path: per
// pixel of the cryptomatte part's data window, row by row, written into
// dst (grown if short); with that part's display window. Only the rank
// channels are decoded (cryptomatte.Decode).
func frameMatte(path, layer string, entries []string, dst []float32) (matte []float32, data, display exr.Box, err error) {
	c, f, display, err := openMatte(path, layer)
	if err != nil {
		return dst, data, display, err
	}
	defer f.Close()
	ids, _ := c.IDs(entries)
	fr, err := cryptomatte.Decode(f, c)
	if err != nil {
		return dst, data, display, err
	}
	return fr.Matte(dst, ids), fr.Window, display, nil
}

// openMatte opens the EXR at path and finds its cryptomatte called
// layer, with the file's own manifest, and its part's display window; the
// caller closes f. The error is a *noMatteError when the file has no such
// cryptomatte, the cryptomatte's own (cryptomatte.Cryptomatte.Err) when it
// cannot be used (IDs stored as HALF).
func openMatte(path, layer string) (*cryptomatte.Cryptomatte, *exr.File, exr.Box, error) {
	f, err := exr.Open(path)
	if err != nil {
		return nil, nil, exr.Box{}, err
	}
	all, err := cryptomatte.List(f)
	if err != nil {
		f.Close()
		return nil, nil, exr.Box{}, err
	}
	var names []string
	for _, c := range all {
		if c.Name != layer {
			names = append(names, c.Name)
			continue
		}
		if err := c.Err(); err != nil {
			f.Close()
			return nil, nil, exr.Box{}, fmt.Errorf("%s: %w", path, err)
		}
		parts, _ := f.Parts() // read by List
		return &c, f, parts[c.Part].DisplayWindow, nil
	}
	f.Close()
	return nil, nil, exr.Box{}, &noMatteError{path, layer, names}
}

// noMatteError is a file without the cryptomatte asked for: a usage
// error, as the name is the user's.
type noMatteError struct {
	path, layer string
	have        []string // the file's cryptomattes
}

func (e *noMatteError) Error() string {
	have := "none"
	if len(e.have) > 0 {
		have = strings.Join(e.have, ", ")
	}
	return fmt.Sprintf("%s has no cryptomatte %q (it has: %s)", e.path, e.layer, have)
}

// outputNamer returns the function naming the output file of a frame:
// out's run of # replaced by the frame number, padded to the run's
// length; out itself for a single frame without #.
func outputNamer(out string, frames int) (func(int) string, error) {
	i := strings.IndexByte(out, '#')
	if i < 0 {
		if frames > 1 {
			return nil, fmt.Errorf("-o %s names one file for %d frames: put the frame number in it, e.g. matte.####.exr", out, frames)
		}
		return func(int) string { return out }, nil
	}
	j := i + len(out[i:]) - len(strings.TrimLeft(out[i:], "#"))
	if slices.Contains([]byte(out[j:]), '#') {
		return nil, fmt.Errorf("-o %s: one run of # for the frame number", out)
	}
	return func(n int) string { return fmt.Sprintf("%s%0*d%s", out[:i], j-i, n, out[j:]) }, nil
}
