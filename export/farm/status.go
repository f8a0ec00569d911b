package farm

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
)

// report is the part of a chunk's report (flick export --report) that
// tells whether it is the chunk this plan asks for.
type report struct {
	First  int    `json:"first"`
	Last   int    `json:"last"`
	Frames int    `json:"frames"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Codec  string `json:"codec"`
	FPS    string `json:"fps"`
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
	switch {
	case r.First != c.First || r.Last != c.Last || r.Frames != c.Len():
		return fmt.Errorf("report is for frames %d-%d (%d frames), not %s", r.First, r.Last, r.Frames, c)
	case r.Width != m.Width || r.Height != m.Height || r.Codec != m.Codec || r.FPS != m.FPS:
		return fmt.Errorf("report is for %dx%d %s at %s fps, not %dx%d %s at %s fps",
			r.Width, r.Height, r.Codec, r.FPS, m.Width, m.Height, m.Codec, m.FPS)
	}
	return nil
}
