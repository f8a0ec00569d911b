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
	// Check every frame's header before writing anything: the layer in
	// each, and the names against each frame's own manifest.
	missing := map[string][]int{} // name -> frames whose manifest lacks it
	matched := false
	for _, n := range seq.Frames {
		c, f, _, code := matteLayer(seq, n, *layer, stderr)
		if c == nil {
			return code
		}
		f.Close()
		_, unknown := c.IDs(entries)
		for _, name := range unknown {
			missing[name] = append(missing[name], n)
		}
		matched = matched || len(unknown) < len(entries) || c.Manifest == nil
	}
	if !matched {
		return usageError(stderr, fmt.Sprintf("no name of --names is in the manifest of %q: %s", *layer, cryptomatte.FormatList(entries)))
	}
	for _, name := range entries {
		if frames := missing[name]; len(frames) > 0 {
			fmt.Fprintf(stderr, "flick: warning: %q is not in the manifest of %q in %d of %d frames (%s): matched by its hash there\n",
				name, *layer, len(frames), len(seq.Frames), engine.FrameList(frames))
		}
	}
	if missing := seq.Missing(); len(missing) > 0 {
		fmt.Fprintf(stderr, "flick: warning: missing frames %s: no matte for them\n", engine.FrameList(missing))
	}
	var matte []float32
	for _, n := range seq.Frames {
		c, f, display, code := matteLayer(seq, n, *layer, stderr)
		if c == nil {
			return code
		}
		ids, _ := c.IDs(entries)
		fr, err := cryptomatte.Decode(f, c)
		if err == nil {
			matte = fr.Matte(matte, ids)
			err = exr.WriteFloat(outPath(n), exr.FloatImage{Channels: []string{"Y"}, Pix: matte,
				DataWindow: fr.Window, DisplayWindow: display}, exr.ZIP)
		}
		f.Close()
		if err != nil {
			return fail(stderr, fmt.Errorf("frame %d: %w", n, err))
		}
		fmt.Fprintln(stdout, outPath(n))
	}
	return 0
}

// matteLayer opens frame n of seq and finds its cryptomatte called layer,
// with the frame's own manifest, and its part's display window; the
// caller closes f. On failure it has
// reported why and returns the exit status: 2 when the frame has no such
// cryptomatte, 1 when the file cannot be read or the cryptomatte not used
// (IDs stored as HALF).
func matteLayer(seq *engine.Sequence, n int, layer string, stderr io.Writer) (*cryptomatte.Cryptomatte, *exr.File, exr.Box, int) {
	path := seq.Path(n)
	f, err := exr.Open(path)
	if err != nil {
		return nil, nil, exr.Box{}, fail(stderr, err)
	}
	all, err := cryptomatte.List(f)
	if err != nil {
		f.Close()
		return nil, nil, exr.Box{}, fail(stderr, err)
	}
	var names []string
	for _, c := range all {
		if c.Name != layer {
			names = append(names, c.Name)
			continue
		}
		if err := c.Err(); err != nil {
			f.Close()
			return nil, nil, exr.Box{}, fail(stderr, fmt.Errorf("%s: %w", path, err))
		}
		parts, _ := f.Parts() // read by List
		return &c, f, parts[c.Part].DisplayWindow, 0
	}
	f.Close()
	have := "none"
	if len(names) > 0 {
		have = strings.Join(names, ", ")
	}
	return nil, nil, exr.Box{}, usageError(stderr, fmt.Sprintf("%s has no cryptomatte %q (it has: %s)", path, layer, have))
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
