package export

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Report is what a chunk export (flick export --frames) writes beside its
// movie, and what Join reads to put chunks in order and check that they
// belong together. Times are in seconds.
type Report struct {
	Flick string `json:"flick"` // flick's version
	Host  string `json:"host"`
	Movie string `json:"movie"` // the chunk's movie, as given to flick export
	// Shot is the sequence and Range the whole shot's frames (what
	// --range gave); ShotFrames counts them. Index is the position of the
	// chunk's first frame in the shot's frames (0 for the first chunk).
	Shot       string `json:"shot"`
	Range      string `json:"range"`
	ShotFrames int    `json:"shot_frames"`
	Index      int    `json:"index"`
	First      int    `json:"first"`  // frame numbers
	Last       int    `json:"last"`   // of the chunk
	Frames     int    `json:"frames"` // frames in the chunk's movie
	// Slate counts the slate's frames at the start of the movie (the
	// first chunk's only), which Frames includes.
	Slate int `json:"slate,omitempty"`
	// Failed lists the frames that could not be read: each is black in
	// the movie.
	Failed   []FailedFrame `json:"failed"`
	Settings Settings      `json:"settings"`
	Stream   StreamInfo    `json:"stream"`
	Seconds  Stages        `json:"seconds"`
}

// ShotFramesIn is how many of the shot's frames the chunk holds: its
// movie's frames less the slate's.
func (r Report) ShotFramesIn() int { return r.Frames - r.Slate }

// FailedFrame is a frame that is black in the movie, and why.
type FailedFrame struct {
	Frame  int    `json:"frame"`
	Reason string `json:"reason"`
}

// Settings are the export settings that must be equal between chunks
// beyond what the stream itself shows.
type Settings struct {
	Codec   Codec  `json:"codec"`
	CRF     int    `json:"crf"`    // the one used (DefaultCRF for -1); 0 for ProRes
	Preset  string `json:"preset"` // the one used; "" for ProRes and NVENC's default
	Display string `json:"display"`
}

// Stages are an export's times per stage, summed over its frames (Total:
// wall time).
type Stages struct {
	Total    float64 `json:"total"`
	Decode   float64 `json:"decode"`
	Draw     float64 `json:"draw"`
	Readback float64 `json:"readback"`
	Convert  float64 `json:"convert"`
	Encode   float64 `json:"encode"`
}

// Settings are the settings o encodes with, defaults filled in.
func (o Options) Settings(display string) Settings {
	s := Settings{Codec: o.Codec, CRF: o.CRF, Preset: o.Preset, Display: display}
	spec, _ := specOf(o.Codec)
	switch spec.family {
	case prores:
		s.CRF, s.Preset = 0, ""
	case x26x:
		if s.Preset == "" {
			s.Preset = "medium"
		}
	}
	if s.CRF == -1 {
		s.CRF = DefaultCRF
	}
	return s
}

// Stages are p's stage times.
func (p Progress) Stages() Stages {
	return Stages{Total: p.Elapsed.Seconds(), Decode: p.Decode.Seconds(), Draw: p.Draw.Seconds(),
		Readback: p.Readback.Seconds(), Convert: p.Convert.Seconds(), Encode: p.Encode.Seconds()}
}

// Failed lists p's skipped frames with their reasons.
func (p Progress) Failed() []FailedFrame {
	out := []FailedFrame{}
	for _, s := range p.Skipped {
		out = append(out, FailedFrame{s.Frame, s.Err.Error()})
	}
	return out
}

// ReportPath is where the report of the chunk movie at path is: path
// with ".mov" replaced by ".json" (chunk.mov: chunk.json), or ".json"
// added to a name without ".mov".
func ReportPath(path string) string {
	return strings.TrimSuffix(path, ".mov") + ".json"
}

// WriteReport writes r as indented JSON to path, through a temporary file
// renamed into place.
func WriteReport(path string, r Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err := commit(tmp, path, true); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("report %s: %w", path, err)
	}
	return nil
}

// ReadReport reads the report at path.
func ReadReport(path string) (Report, error) {
	var r Report
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s: %w", path, err)
	}
	if r.Frames <= 0 || r.ShotFrames <= 0 || r.Index < 0 || r.Index+r.Frames > r.ShotFrames {
		return r, fmt.Errorf("%s: frames %d at %d of a %d-frame shot make no chunk", path, r.Frames, r.Index, r.ShotFrames)
	}
	return r, nil
}
