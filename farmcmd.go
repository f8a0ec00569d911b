package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"flick/engine"
	"flick/engine/exr"
	"flick/export"
	"flick/export/farm"
	"flick/render/ocio"
	"flick/ui"
)

const farmUsage = `Usage:
  flick farm submit SHOT [--range A-B] -o OUT.mov --chunk N [export flags]
                    [--engine slurm|manifest] [--dry-run] [-- sbatch options]
  flick farm submit --shots shots.csv --chunk N [export flags] [...]
  flick farm status OUT.mov [--chunk I] [--json]

submit cuts the shot's frames into chunks of N (at least 3; a short last
chunk joins the one before), resolves the movie's size, frame rate and codec
settings once from the whole range and pins them on every chunk, and writes
the manifest (manifest.json) and job scripts into OUT.mov.farm/ beside the
movie. With the Slurm engine (the default) it submits a job array of chunk
exports and a join that runs when all have succeeded (Slurm cancels it when
one fails: no movie appears), and prints the job ids as JSON. The options
after -- go to both sbatch calls (--partition, --time ...). --dry-run
writes the folder and prints the sbatch commands instead of running them.
--engine manifest writes only the manifest: each chunk's command and the
join's, for another farm engine's wrapper. The chunks run flick export
--frames (headless, through EGL) and the join flick join, with this flick
binary's absolute path: the farm's nodes must see it and the files at the
same paths.

--shots FILE submits every line of a CSV file: sequence,range,output and
optional overrides NAME=VALUE (an export flag without dashes: fps=25,
codec=prores; chunk=N for the chunk length). flick export --shots FILE
exports the same shots here, one after another.

status lists which chunks are done (their movie and a report that
matches) and whether the movie is joined; it exits 0 once the movie is
there. With --chunk I it exits 0 when chunk I is done (the chunk script
skips a requeued chunk so).
`

// runFarm is `flick farm`.
func runFarm(args []string, stdout, stderr io.Writer) int {
	before := args // the sbatch options after -- are not flick's
	if i := slices.Index(args, "--"); i >= 0 {
		before = args[:i]
	}
	if len(args) == 0 {
		return usageError(stderr, "flick farm needs submit or status")
	}
	if slices.ContainsFunc(before, isHelp) {
		fmt.Fprint(stdout, farmUsage)
		return 0
	}
	switch args[0] {
	case "submit":
		return runFarmSubmit(args[1:], stdout, stderr)
	case "status":
		return runFarmStatus(args[1:], stdout, stderr)
	}
	return usageError(stderr, fmt.Sprintf("flick farm %s: want submit or status", args[0]))
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// takeFlags removes the flags named in valued (which take a value: --name
// V or --name=V) and switches from args, wherever they are, and returns
// their values ("true" for a switch) and the other arguments.
func takeFlags(args []string, valued, switches []string) (map[string]string, []string, error) {
	got := map[string]string{}
	var rest []string
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		switch {
		case !strings.HasPrefix(args[i], "-") || isRange(args[i]):
			rest = append(rest, args[i])
		case slices.Contains(switches, name) && !hasValue:
			got[name] = "true"
		case slices.Contains(valued, name) && hasValue:
			got[name] = value
		case slices.Contains(valued, name):
			if i+1 == len(args) {
				return nil, nil, fmt.Errorf("--%s needs a value", name)
			}
			i++
			got[name] = args[i]
		default:
			rest = append(rest, args[i])
		}
	}
	return got, rest, nil
}

// shotArgs is one shot to plan: flick export's arguments for it, its chunk
// length, and where it comes from (a shots file's line) for messages.
type shotArgs struct {
	where string // "" or "shots.csv:3: "
	args  []string
	chunk int
}

// readShotArgs turns a shots file into each shot's export arguments: the
// columns, then common (the command line's flags, which may not set the
// output or range), then the line's overrides.
func readShotArgs(path string, common []string, chunk int) ([]shotArgs, error) {
	if cols, _, _ := takeFlags(common, []string{"o", "output", "range"}, nil); len(cols) > 0 {
		return nil, usageErr("with --shots, each shot's output and range come from the file")
	}
	shots, err := farm.ReadShots(path)
	var unreadable *fs.PathError
	switch {
	case errors.As(err, &unreadable):
		return nil, err
	case err != nil:
		return nil, usageErr(err.Error()) // what is wrong with the file's text
	}
	var all []shotArgs
	for _, s := range shots {
		args := append([]string{s.Sequence, "-o", s.Output}, common...)
		if s.Range != "" {
			args = append(args, "--range", s.Range)
		}
		all = append(all, shotArgs{where: fmt.Sprintf("%s:%d: ", path, s.Line), args: append(args, s.Flags...),
			chunk: cmp.Or(s.Chunk, chunk)})
	}
	return all, nil
}

// usageErr is an error that exits 2.
type usageErr string

func (e usageErr) Error() string { return string(e) }

// exitWith reports err (with where, a shots file's line, before it) and
// returns the exit status: 2 for a usageErr, else 1.
func exitWith(stderr io.Writer, where string, err error) int {
	var u usageErr
	if errors.As(err, &u) {
		return usageError(stderr, where+err.Error())
	}
	return fail(stderr, errors.New(where+err.Error()))
}

// captured runs a command-line step that reports its own errors and returns
// an exit status, and turns what it reported into an error (a usageErr for
// status 2), so that a shots file's line can be put before it.
func captured(step func(stderr io.Writer) int) error {
	var msg bytes.Buffer
	code := step(&msg)
	if code == 0 {
		return nil
	}
	text := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(msg.String()), "flick: "), " (see flick --help)")
	if code == 2 {
		return usageErr(text)
	}
	return errors.New(text)
}

// planShot resolves one shot's export flags, headers and movie into a
// farm plan of chunks of n frames.
func planShot(args []string, n int) (*farm.Plan, error) {
	if n == 0 {
		return nil, usageErr("farm submit needs --chunk N, the frames per chunk")
	}
	var f exportFlags
	if err := captured(func(stderr io.Writer) int {
		var code int
		f, code, _ = parseExportFlags(args, io.Discard, stderr)
		return code
	}); err != nil {
		return nil, err
	}
	if f.chunk != "" {
		return nil, usageErr("farm submit cuts the range into chunks itself: no --frames")
	}
	out, err := filepath.Abs(f.out)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(out); err == nil && !f.overwrite {
		return nil, fmt.Errorf("%s already exists; add --overwrite to replace it", f.out)
	}
	var seq *engine.Sequence
	if err := captured(func(stderr io.Writer) int {
		var code int
		seq, code = findSequence(f.positional, stderr)
		return code
	}); err != nil {
		return nil, err
	}
	if f.matte.layer != "" { // refused here, not on every node
		if err := captured(func(stderr io.Writer) int { return checkMatte(seq, f.matte.layer, f.matte.entries, stderr) }); err != nil {
			return nil, err
		}
	}
	frames := seq.Range.Frames()
	span := farm.Span{First: frames[0], Last: frames[len(frames)-1]}
	if span.Len() != len(frames) {
		return nil, usageErr(fmt.Sprintf("frames %s: the farm cuts one range FIRST-LAST, every frame", seq.Range))
	}
	first, err := engine.Inspect(seq)
	if err != nil {
		return nil, err
	}
	flags, err := pinnedLook(&f, seq, first)
	if err != nil {
		return nil, err
	}
	movie, err := f.movie(first)
	if err != nil {
		return nil, usageErr(err.Error())
	}
	// Chunks get --width: their height follows the display window's aspect,
	// which must give back this height.
	display := first.Header.DisplayWindow
	if w, h := export.OutputSize(display.Width(), display.Height(), 0, movie.Width, 0); w != movie.Width || h != movie.Height {
		return nil, usageErr(fmt.Sprintf("%dx%d does not follow from a width of %d (%dx%d); give the size with --width", movie.Width, movie.Height, movie.Width, w, h))
	}
	settings := movie.Settings("") // defaults resolved, as the chunks' reports give them
	shot, err := filepath.Abs(f.positional[0])
	if err != nil {
		return nil, err
	}
	flick, err := os.Executable()
	if err == nil {
		flick, err = filepath.EvalSymlinks(flick)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot tell where this flick binary is, which the farm's jobs run: %w", err)
	}
	plan, err := farm.NewPlan(flick, version, shot, span, out, n, farm.Movie{Width: movie.Width, Height: movie.Height,
		FPS: movie.FPS.String(), Codec: string(settings.Codec), CRF: settings.CRF, Preset: settings.Preset}, flags)
	if err != nil {
		return nil, usageErr(err.Error())
	}
	plan.Overwrite = f.overwrite
	return plan, nil
}

// pinnedLook checks f's layer, view and colour settings against the shot
// (once, rather than failing on every node) and returns them as flick
// export flags for every chunk: an OpenColorIO config, from --ocio or
// $OCIO, is named by --ocio with an absolute path, as the nodes may have
// another $OCIO or none.
func pinnedLook(f *exportFlags, seq *engine.Sequence, first engine.Inspection) ([]string, error) {
	flags := []string{"--channels", f.display.Channels.String(),
		"--exposure", strconv.FormatFloat(float64(f.display.Exposure), 'g', -1, 32)}
	if f.layer != "" {
		flags = append(flags, "--layer", f.layer)
	}
	if f.view != "" {
		flags = append(flags, "--view", f.view) // the file's or the config's: each chunk tells as this does
	}
	exrView := f.view
	if o := f.ocio; o.config != "" {
		// The input colour space is resolved here, by the submitting
		// user's rules and picks, and pinned: a node's settings may differ.
		cfg, _, _, _ := loadSettings(io.Discard)
		req := ui.InputRequest(seq, first, cfg, "")
		t, _, err := o.transform(&exrView, req)
		if err != nil {
			return nil, err
		}
		t.Close() // made no GL objects: it was never drawn
		if o.input, err = o.inputSpace(req); err != nil {
			return nil, err
		}
		config := o.config
		if !ocio.IsBuiltin(config) {
			if config, err = filepath.Abs(config); err != nil {
				return nil, err
			}
		}
		flags = append(flags, "--ocio", config)
		for _, v := range [][2]string{{"--display", o.display}, {"--input-cs", o.input}, {"--look", o.look}} {
			if v[1] != "" {
				flags = append(flags, v[0], v[1])
			}
		}
	} else {
		flags = append(flags, "--display", f.display.Transform.Name())
	}
	if f.layer != "" || exrView != "" {
		if _, err := exr.FindLayer(first.Parts, exrView, f.layer); err != nil {
			return nil, fmt.Errorf("--layer %q --view %q: %w (flick info %s lists the layers)", f.layer, exrView, err, f.positional[0])
		}
	}
	for _, e := range f.given.Entries {
		if slices.Contains(chunkPassed, e.Key) {
			flags = append(flags, "--"+e.Key+"="+e.Value)
		}
	}
	return flags, nil
}

// chunkPassed are the options (given, or a preset's) that every chunk
// gets as they are: what is drawn on the frames (burn-ins, a Cryptomatte
// matte) and the slate, which flick export puts in the first chunk only.
var chunkPassed = []string{"burnin", "field", "slate", "slate-frames", "timecode", "matte-layer", "names", "matte"}

// submitted is what flick farm submit prints for each shot.
type submitted struct {
	Out      string `json:"out"`
	Manifest string `json:"manifest"`
	Chunks   int    `json:"chunks"`
	ChunkJob string `json:"chunk_job,omitempty"` // the Slurm array
	JoinJob  string `json:"join_job,omitempty"`
}

// runFarmSubmit is `flick farm submit`.
func runFarmSubmit(args []string, stdout, stderr io.Writer) int {
	var sbatchArgs []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, sbatchArgs = args[:i], args[i+1:]
	}
	opts, rest, err := takeFlags(args, []string{"chunk", "engine", "shots"}, []string{"dry-run"})
	if err != nil {
		return usageError(stderr, err.Error())
	}
	chunk := 0
	if s, ok := opts["chunk"]; ok {
		if chunk, err = strconv.Atoi(s); err != nil || chunk < farm.MinChunk {
			return usageError(stderr, fmt.Sprintf("--chunk %s: want a number of frames, at least %d", s, farm.MinChunk))
		}
	}
	engineName := cmp.Or(opts["engine"], "slurm")
	if engineName != "slurm" && engineName != "manifest" {
		return usageError(stderr, fmt.Sprintf("--engine %s: want slurm or manifest", engineName))
	}
	dryRun := opts["dry-run"] == "true"
	if len(sbatchArgs) > 0 && engineName != "slurm" {
		return usageError(stderr, "options after -- are for sbatch: only with --engine slurm")
	}
	shots := []shotArgs{{args: rest, chunk: chunk}}
	if path, ok := opts["shots"]; ok {
		if shots, err = readShotArgs(path, rest, chunk); err != nil {
			return exitWith(stderr, "", err)
		}
	}
	// Every shot is planned before any is submitted: a mistake on the
	// last line of a shots file submits nothing.
	plans := make([]*farm.Plan, len(shots))
	for i, s := range shots {
		if plans[i], err = planShot(s.args, s.chunk); err != nil {
			return exitWith(stderr, s.where, err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var results []submitted
	for i, p := range plans {
		r := submitted{Out: p.Out, Manifest: filepath.Join(p.Dir(), farm.ManifestName), Chunks: len(p.Chunks)}
		switch {
		case engineName == "manifest":
			_, err = farm.WriteManifest(p.Manifest(nil))
		case dryRun:
			if err = p.WriteScripts(); err == nil {
				chunks, join := p.SbatchCommands(sbatchArgs)
				fmt.Fprintln(stdout, "sbatch", farm.QuoteCommand(chunks))
				fmt.Fprintln(stdout, "sbatch", farm.QuoteCommand(join))
			}
		default:
			var jobs farm.SlurmJobs
			jobs, err = p.Submit(ctx, sbatchArgs)
			r.ChunkJob, r.JoinJob = jobs.Chunks, jobs.Join
		}
		if err != nil {
			if i > 0 {
				fmt.Fprintf(stderr, "flick: the shots before %s were submitted\n", strings.TrimSuffix(shots[i].where, ": "))
			}
			return exitWith(stderr, shots[i].where, err)
		}
		results = append(results, r)
	}
	if dryRun && engineName == "slurm" {
		return 0
	}
	var v any = results[0]
	if _, ok := opts["shots"]; ok {
		v = results
	}
	data, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintf(stdout, "%s\n", data)
	return 0
}

// farmStatus is flick farm status --json.
type farmStatus struct {
	Out    string          `json:"out"`
	Joined bool            `json:"joined"` // the movie is there
	Chunks []chunkStatus   `json:"chunks"`
	Slurm  *farm.SlurmJobs `json:"slurm,omitempty"`
}

type chunkStatus struct {
	Index  int    `json:"index"`
	Frames string `json:"frames"`
	Done   bool   `json:"done"`
	Why    string `json:"why,omitempty"` // why not done
}

// runFarmStatus is `flick farm status`.
func runFarmStatus(args []string, stdout, stderr io.Writer) int {
	opts, rest, err := takeFlags(args, []string{"chunk"}, []string{"json"})
	switch {
	case err != nil:
		return usageError(stderr, err.Error())
	case len(rest) != 1:
		return usageError(stderr, "flick farm status OUT.mov: one movie")
	}
	out, err := filepath.Abs(rest[0])
	if err != nil {
		return fail(stderr, err)
	}
	m, err := farm.ReadManifest(out)
	if err != nil {
		return fail(stderr, err)
	}
	p, err := m.Plan()
	if err != nil {
		return fail(stderr, err)
	}
	if s, ok := opts["chunk"]; ok {
		i, err := p.ChunkIndex(s)
		if err != nil {
			return usageError(stderr, err.Error())
		}
		if err := p.ChunkDone(i); err != nil {
			fmt.Fprintf(stdout, "chunk %d (%s): not done: %v\n", i, p.Chunks[i], err)
			return 1
		}
		fmt.Fprintf(stdout, "chunk %d (%s): done\n", i, p.Chunks[i])
		return 0
	}
	st := farmStatus{Out: out, Slurm: m.Slurm}
	_, err = os.Stat(out)
	st.Joined = err == nil
	done := 0
	for i, c := range p.Chunks {
		cs := chunkStatus{Index: i, Frames: c.String(), Done: true}
		if err := p.ChunkDone(i); err != nil {
			cs.Done, cs.Why = false, err.Error()
		} else {
			done++
		}
		st.Chunks = append(st.Chunks, cs)
	}
	if opts["json"] == "true" {
		data, _ := json.MarshalIndent(st, "", "  ")
		fmt.Fprintf(stdout, "%s\n", data)
	} else {
		for _, c := range st.Chunks {
			state := "done"
			if !c.Done {
				state = "not done: " + c.Why
			}
			fmt.Fprintf(stdout, "chunk %d (%s): %s\n", c.Index, c.Frames, state)
		}
		joined := "not joined yet"
		if st.Joined {
			joined = "joined"
		}
		fmt.Fprintf(stdout, "%s: %d of %d chunks done; %s", out, done, len(p.Chunks), joined)
		if m.Slurm != nil {
			fmt.Fprintf(stdout, " (Slurm jobs %s, join %s)", m.Slurm.Chunks, m.Slurm.Join)
		}
		fmt.Fprintln(stdout)
	}
	if !st.Joined {
		return 1
	}
	return 0
}
