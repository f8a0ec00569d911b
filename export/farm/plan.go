// Package farm cuts a review-movie export into chunks for a render farm:
// it splits a shot's range, writes the job scripts and an engine-neutral
// manifest into the folder beside the movie (OUT.mov.farm), submits the
// chunks and their join to Slurm through sbatch, and tells from the chunks'
// reports which are done. It runs no export itself and holds no cgo: the
// work is flick's own commands, run on the farm's nodes,
//
//	flick export SHOT --range A-B --frames C-D -o CHUNK.mov --report CHUNK.json [flags]
//	flick join OUT.mov CHUNK.mov...
package farm

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// MinChunk is the fewest frames a chunk may have: an x264 chunk of one or
// two frames has no B-frame delay, and its timestamps break the join.
const MinChunk = 3

// Span is the frames First to Last, both included.
type Span struct{ First, Last int }

// Len is how many frames s has.
func (s Span) Len() int { return s.Last - s.First + 1 }

// String gives s as "FIRST-LAST", the form --range and --frames take.
func (s Span) String() string { return strconv.Itoa(s.First) + "-" + strconv.Itoa(s.Last) }

// ParseSpan reads "FIRST-LAST" (negative frames allowed: -10--1) or a
// single frame.
func ParseSpan(s string) (Span, error) {
	bad := fmt.Errorf("frames %q: want FIRST-LAST, e.g. 1001-1100", s)
	// The separating dash is the first one after the first character (a
	// leading dash is the first frame's sign).
	cut := -1
	if len(s) > 1 {
		if i := strings.IndexByte(s[1:], '-'); i >= 0 {
			cut = i + 1
		}
	}
	if cut < 0 {
		n, err := strconv.Atoi(s)
		if err != nil {
			return Span{}, bad
		}
		return Span{n, n}, nil
	}
	first, err1 := strconv.Atoi(s[:cut])
	last, err2 := strconv.Atoi(s[cut+1:])
	switch {
	case err1 != nil || err2 != nil:
		return Span{}, bad
	case last < first:
		return Span{}, fmt.Errorf("frames %q: the last frame comes before the first", s)
	}
	return Span{first, last}, nil
}

// Split cuts r into chunks of n frames in order. A last chunk shorter than
// half a chunk, or than MinChunk, is merged into the one before, so every
// chunk has from n/2 to 1.5n frames and at least MinChunk. n below MinChunk,
// or a range shorter than MinChunk, is an error.
func Split(r Span, n int) ([]Span, error) {
	switch {
	case n < MinChunk:
		return nil, fmt.Errorf("chunks of %d frames: a chunk needs at least %d (shorter x264 chunks do not join)", n, MinChunk)
	case r.Len() < MinChunk:
		return nil, fmt.Errorf("frames %s: %d frames are too few to cut into chunks (at least %d; export it with flick export)", r, r.Len(), MinChunk)
	}
	var chunks []Span
	for first := r.First; first <= r.Last; first += n {
		chunks = append(chunks, Span{first, min(first+n-1, r.Last)})
	}
	if k := len(chunks); k > 1 {
		if short := chunks[k-1].Len(); 2*short < n || short < MinChunk {
			chunks[k-2].Last = r.Last
			chunks = chunks[:k-1]
		}
	}
	return chunks, nil
}

// Movie is what the chunks must agree on, resolved once on the submitting
// machine from the whole range, and pinned on every chunk's command line.
type Movie struct {
	Width  int    `json:"width"`
	Height int    `json:"height"`
	FPS    string `json:"fps"` // "24", "24000/1001"
	Codec  string `json:"codec"`
	CRF    int    `json:"crf"`              // as the encoder uses it: 0 for ProRes
	Preset string `json:"preset,omitempty"` // as the encoder uses it: "" for ProRes
}

// String gives m as "64x48 h264 crf 18 preset veryfast at 24 fps".
func (m Movie) String() string {
	s := fmt.Sprintf("%dx%d %s crf %d", m.Width, m.Height, m.Codec, m.CRF)
	if m.Preset != "" {
		s += " preset " + m.Preset
	}
	return s + " at " + m.FPS + " fps"
}

// Plan is one shot cut into chunks. Every path in it is absolute: the
// commands run on other machines, from other folders.
type Plan struct {
	Flick   string   // the flick binary
	Version string   // its version, for the manifest
	Shot    string   // the sequence (a pattern, file or folder)
	Range   Span     // the shot's frames
	Out     string   // the movie
	Movie   Movie    // the pinned parameters
	Flags   []string // more flick export flags (display, layer ...), the same on every chunk
	Chunks  []Span
	// Overwrite lets the join replace a movie that is there (flick farm
	// submit --overwrite).
	Overwrite bool
}

// NewPlan makes the plan for shot's frames r cut into chunks of n, and
// checks that every path is absolute.
func NewPlan(flick, version, shot string, r Span, out string, n int, movie Movie, flags []string) (*Plan, error) {
	for _, p := range []string{flick, shot, out} {
		if !filepath.IsAbs(p) {
			return nil, fmt.Errorf("%s: the farm needs absolute paths", p)
		}
	}
	chunks, err := Split(r, n)
	if err != nil {
		return nil, err
	}
	return &Plan{Flick: flick, Version: version, Shot: shot, Range: r, Out: out, Movie: movie, Flags: flags, Chunks: chunks}, nil
}

// Dir is the folder beside the movie that holds the scripts, the manifest,
// the chunks, their reports and the logs.
func (p *Plan) Dir() string { return Dir(p.Out) }

// Dir is the farm folder of the movie out: out + ".farm".
func Dir(out string) string { return out + ".farm" }

// ChunkMovie is chunk i's movie: DIR/FIRST-LAST.mov.
func (p *Plan) ChunkMovie(i int) string {
	return filepath.Join(p.Dir(), p.Chunks[i].String()+".mov")
}

// ChunkReport is chunk i's report, beside its movie: DIR/FIRST-LAST.json.
func (p *Plan) ChunkReport(i int) string {
	return strings.TrimSuffix(p.ChunkMovie(i), ".mov") + ".json"
}

// ExportArgs are the flick export arguments of the chunk of frames, after
// the binary: the shot's whole range, the chunk's frames, its movie and
// report, the pinned parameters (--width fixes the height too: it follows
// the display window's aspect), then p.Flags. --overwrite lets a requeued
// chunk replace one left by an earlier run; --headless keeps it off any
// display the job inherits.
func (p *Plan) exportArgs(frames, movie, report string) []string {
	m := p.Movie
	args := []string{"export", p.Shot, "--range", p.Range.String(), "--frames", frames, "-o", movie, "--report", report,
		"--width", strconv.Itoa(m.Width), "--fps", m.FPS, "--codec", m.Codec, "--crf", strconv.Itoa(m.CRF)}
	if m.Preset != "" {
		args = append(args, "--preset", m.Preset)
	}
	args = append(args, p.Flags...)
	return append(args, "--overwrite", "--headless")
}

// ChunkCommand is the command line that renders chunk i.
func (p *Plan) ChunkCommand(i int) []string {
	return append([]string{p.Flick}, p.exportArgs(p.Chunks[i].String(), p.ChunkMovie(i), p.ChunkReport(i))...)
}

// DoneCommand is the command line that exits 0 when chunk i is done (its
// movie and a matching report are there): a requeued task skips its work.
func (p *Plan) DoneCommand(i int) []string {
	return []string{p.Flick, "farm", "status", "--chunk", strconv.Itoa(i), p.Out}
}

// JoinCommand is the command line that joins the chunks into the movie.
func (p *Plan) JoinCommand() []string {
	return append(p.joinArgs(), p.chunkMovies()...)
}

// joinArgs is JoinCommand up to the chunks.
func (p *Plan) joinArgs() []string {
	if p.Overwrite {
		return []string{p.Flick, "join", "--overwrite", p.Out}
	}
	return []string{p.Flick, "join", p.Out}
}

func (p *Plan) chunkMovies() []string {
	movies := make([]string, len(p.Chunks))
	for i := range p.Chunks {
		movies[i] = p.ChunkMovie(i)
	}
	return movies
}

// ChunkIndex checks s, a chunk's index from 0 (the array task's).
func (p *Plan) ChunkIndex(s string) (int, error) {
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= len(p.Chunks) {
		return 0, fmt.Errorf("chunk %q: %s has chunks 0 to %d", s, p.Out, len(p.Chunks)-1)
	}
	return i, nil
}
