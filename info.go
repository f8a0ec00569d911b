package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"flick/engine"
	"flick/engine/cryptomatte"
	"flick/engine/exr"
	"flick/render/ocio"
	"flick/ui"
)

// runInfo is `flick info PATH [RANGE] [--json] [--ocio CONFIG]`: what a
// sequence holds, from its headers alone, and with --ocio what the
// OpenColorIO config offers. With no PATH it lists the config of --ocio or
// $OCIO alone.
func runInfo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	ocioFlag := fs.String("ocio", "", "")
	positional, err := parseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stdout, "Usage: flick info PATH [RANGE] [--json] [--ocio CONFIG]\n       flick info --ocio CONFIG")
		return 0
	case err != nil:
		return usageError(stderr, err.Error())
	case *asJSON && *ocioFlag != "":
		return usageError(stderr, "--json describes sequences; --ocio lists a config as text: one at a time")
	case len(positional) == 0:
		if src := ocio.Pick(*ocioFlag, os.Getenv("OCIO"), ""); src.Name != "" {
			return printConfig(stdout, stderr, src, nil)
		}
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
	if *ocioFlag != "" {
		fmt.Fprintln(stdout)
		return printConfig(stdout, stderr, ocio.Pick(*ocioFlag, "", ""), seqs)
	}
	return 0
}

// printConfig lists what the OpenColorIO config src offers: its displays
// with their views, looks, roles and colour spaces, then the input colour
// space each of seqs gets and the rule that chose it (the user's picks in
// settings included). OpenColorIO's warnings about the config are left
// out: the listing is what it offers.
func printConfig(stdout, stderr io.Writer, src ocio.Source, seqs []*engine.Sequence) int {
	c, err := ocio.Load(src.Name)
	if err != nil {
		return fail(stderr, err)
	}
	defer c.Close()
	if err := listConfig(stdout, c, src); err != nil {
		return fail(stderr, err)
	}
	if len(seqs) == 0 {
		return 0
	}
	cfg, _, _, _ := loadSettings(stderr)
	for _, s := range seqs {
		first, err := engine.Inspect(s)
		if err != nil {
			fmt.Fprintf(stdout, "input      %s: unreadable (%v)\n", ui.PickKey(s), err)
			continue
		}
		in, err := c.InputSpace(ui.InputRequest(s, first, cfg, ""))
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "input      %s: %s\n", ui.PickKey(s), in)
	}
	return 0
}

func listConfig(w io.Writer, c *ocio.Config, src ocio.Source) error {
	about, err := c.About()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "config     %s\n", src)
	fmt.Fprintf(w, "profile    %s (OpenColorIO %s)\n", about.Profile, ocio.Version())
	if about.Name != "" {
		fmt.Fprintf(w, "name       %s\n", about.Name)
	}
	displays, defDisplay, err := c.Displays()
	if err != nil {
		return err
	}
	for _, d := range displays {
		views, defView, err := c.Views(d, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "display    %s: %s\n", markDefault(d, defDisplay), strings.Join(markDefaults(views, defView), ", "))
	}
	looks, err := c.Looks()
	if err != nil {
		return err
	}
	if len(looks) == 0 {
		looks = []string{"none"}
	}
	fmt.Fprintf(w, "looks      %s\n", strings.Join(looks, ", "))
	roles, err := c.Roles()
	if err != nil {
		return err
	}
	for _, r := range roles {
		fmt.Fprintf(w, "role       %s: %s\n", r.Name, r.ColorSpace)
	}
	spaces, err := c.ColorSpaces()
	if err != nil {
		return err
	}
	for _, cs := range spaces {
		var about []string
		if cs.Family != "" {
			about = append(about, "family "+cs.Family)
		}
		if cs.Encoding != "" {
			about = append(about, cs.Encoding)
		}
		if cs.IsData {
			about = append(about, "data")
		}
		if len(cs.Aliases) > 0 {
			about = append(about, "aliases "+strings.Join(cs.Aliases, ", "))
		}
		line := cs.Name
		if len(about) > 0 {
			line += " (" + strings.Join(about, "; ") + ")"
		}
		fmt.Fprintf(w, "space      %s\n", line)
	}
	return nil
}

func markDefault(name, def string) string {
	if name == def {
		return name + " (default)"
	}
	return name
}

func markDefaults(names []string, def string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = markDefault(n, def)
	}
	return out
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
		fmt.Fprintf(w, "sequence   %s (padding %d)\n", filepath.Join(s.Dir, s.Name), s.Padding)
		if len(s.Views) > 0 {
			fmt.Fprintf(w, "views      %s\n", strings.Join(s.Views, ", "))
		}
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
	printCryptomattes(w, info.Cryptomattes)
}

// printCryptomattes writes a line per cryptomatte: its name, part, ranks,
// where its manifest is and how big, how many names it lists, and why no
// matte can be made from it, if so.
func printCryptomattes(w io.Writer, cs []cryptomatte.Cryptomatte) {
	for _, c := range cs {
		manifest := "no manifest"
		if c.ManifestSource != "" {
			manifest = fmt.Sprintf("manifest %s (%d bytes, %d names)", exr.Printable(c.ManifestSource, 200), c.ManifestBytes, c.Names)
		}
		fmt.Fprintf(w, "crypto     %s (part %d, key %s): %d ranks, %s\n", exr.Printable(c.Name, 64), c.Part, exr.Printable(c.Key, 16), len(c.Ranks), manifest)
		if c.Error != "" {
			fmt.Fprintf(w, "  unusable %s\n", exr.Printable(c.Error, 300))
		}
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
