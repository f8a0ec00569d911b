package farm

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// report is the part of a chunk's report (flick export --report, the
// export package's Report) that tells whether it is the chunk this plan
// asks for.
type report struct {
	First    int `json:"first"`
	Last     int `json:"last"`
	Frames   int `json:"frames"`
	Slate    int `json:"slate"` // frames of Frames before the shot's
	Settings struct {
		Codec  string `json:"codec"`
		CRF    int    `json:"crf"`
		Preset string `json:"preset"`
	} `json:"settings"`
	Stream struct {
		Width  int    `json:"width"`
		Height int    `json:"height"`
		FPS    string `json:"fps"` // "24/1"
	} `json:"stream"`
}

// ChunkDone is nil when chunk i is done: its movie is there and its report
// is for its frames and p's movie; else it says what is missing or differs.
func (p *Plan) ChunkDone(i int) error {
	if _, err := os.Stat(p.ChunkMovie(i)); err != nil {
		return errors.New("no movie")
	}
	data, err := os.ReadFile(p.ChunkReport(i))
	if err != nil {
		return errors.New("no report")
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("report unreadable: %v", err)
	}
	c, m := p.Chunks[i], p.Movie
	fps := m.FPS
	if !strings.Contains(fps, "/") {
		fps += "/1"
	}
	got := Movie{Width: r.Stream.Width, Height: r.Stream.Height, FPS: r.Stream.FPS, Codec: r.Settings.Codec, CRF: r.Settings.CRF, Preset: r.Settings.Preset}
	want := m
	want.FPS = fps
	switch {
	case r.First != c.First || r.Last != c.Last || r.Frames-r.Slate != c.Len():
		return fmt.Errorf("report is for frames %d-%d (%d frames), not %s", r.First, r.Last, r.Frames-r.Slate, c)
	case got != want:
		return fmt.Errorf("report is for %s, not %s", got, want)
	}
	return nil
}
