package farm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// ManifestName is the manifest's file name in the farm folder.
const ManifestName = "manifest.json"

// Manifest is the engine-neutral description of a chunked export, written
// as DIR/manifest.json: a farm engine's wrapper (Deadline, Tractor,
// OpenCue) runs every chunk's Command, in any order and on any machine,
// then Join's once all have succeeded. A chunk whose Done command exits 0
// is finished already (a requeued task skips it).
type Manifest struct {
	Flick   string   `json:"flick"`
	Version string   `json:"version"`
	Shot    string   `json:"shot"`
	Range   string   `json:"range"`
	Out     string   `json:"out"`
	Movie   Movie    `json:"movie"`
	Flags   []string `json:"flags"`
	// Overwrite: the join replaces a movie that is there.
	Overwrite bool            `json:"overwrite,omitempty"`
	Chunks    []ManifestChunk `json:"chunks"`
	Join      ManifestJoin    `json:"join"`
	Slurm     *SlurmJobs      `json:"slurm,omitempty"` // once submitted to Slurm
}

// ManifestChunk is one chunk: its frames, where its movie and report go,
// and the commands that render it and tell whether it is done.
type ManifestChunk struct {
	Index   int      `json:"index"`
	Frames  string   `json:"frames"`
	Movie   string   `json:"movie"`
	Report  string   `json:"report"`
	Command []string `json:"command"`
	Done    []string `json:"done"`
}

// ManifestJoin is the join: run once every chunk has succeeded.
type ManifestJoin struct {
	Command []string `json:"command"`
}

// SlurmJobs are the job ids of a Slurm submission.
type SlurmJobs struct {
	Chunks string `json:"chunks"` // the job array, one task per chunk
	Join   string `json:"join"`
}

// Manifest describes p; jobs is nil until it is submitted to Slurm.
func (p *Plan) Manifest(jobs *SlurmJobs) Manifest {
	m := Manifest{Flick: p.Flick, Version: p.Version, Shot: p.Shot, Range: p.Range.String(), Out: p.Out,
		Movie: p.Movie, Flags: p.Flags, Overwrite: p.Overwrite, Join: ManifestJoin{Command: p.JoinCommand()}, Slurm: jobs}
	for i, c := range p.Chunks {
		m.Chunks = append(m.Chunks, ManifestChunk{Index: i, Frames: c.String(), Movie: p.ChunkMovie(i),
			Report: p.ChunkReport(i), Command: p.ChunkCommand(i), Done: p.DoneCommand(i)})
	}
	return m
}

// Plan is the plan m describes.
func (m *Manifest) Plan() (*Plan, error) {
	r, err := ParseSpan(m.Range)
	if err != nil {
		return nil, err
	}
	p := &Plan{Flick: m.Flick, Version: m.Version, Shot: m.Shot, Range: r, Out: m.Out, Movie: m.Movie, Flags: m.Flags, Overwrite: m.Overwrite}
	for _, c := range m.Chunks {
		s, err := ParseSpan(c.Frames)
		if err != nil {
			return nil, err
		}
		p.Chunks = append(p.Chunks, s)
	}
	return p, nil
}

// WriteManifest writes m into its movie's farm folder (made if missing),
// through a temporary file and a rename: a reader never sees half of one.
func WriteManifest(m Manifest) (string, error) {
	dir := Dir(m.Out)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, ManifestName)
	return path, writeFile(path, append(data, '\n'), 0o644)
}

// ReadManifest reads the manifest of the movie out (its farm folder's).
func ReadManifest(out string) (*Manifest, error) {
	path := filepath.Join(Dir(out), ManifestName)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s has no farm manifest (flick farm submit writes one): %w", out, err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// writeFile writes data to path through a temporary file in its folder
// and a rename.
func writeFile(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
