package engine

import (
	"path/filepath"

	"flick/engine/cryptomatte"
	"flick/engine/exr"
)

// Info summarises a sequence for `flick info`: its frames, the frames
// missing from its range, the runs of frames that share a format, and the
// frames whose header cannot be read.
type Info struct {
	Sequence SequenceInfo `json:"sequence"`
	// Header is the first readable frame's (part 0).
	Header *exr.Header `json:"header,omitempty"`
	// Parts describes every part of the first readable frame: views,
	// layers, levels and all attributes. PartsError says why they could
	// not be read, if so.
	Parts      []exr.Part   `json:"parts,omitempty"`
	PartsError string       `json:"parts_error,omitempty"`
	Formats    []FormatSpan `json:"formats"`
	Failed     []FrameError `json:"failed,omitempty"`

	// Cryptomattes are the first readable frame's, every part's, with
	// their manifests' sources and sizes (manifests change between frames).
	Cryptomattes []cryptomatte.Cryptomatte `json:"cryptomattes,omitempty"`
}

// SequenceInfo is a sequence's name, range and frames.
type SequenceInfo struct {
	Dir     string `json:"dir"`
	Pattern string `json:"pattern"` // shot.####.exr
	Name    string `json:"name"`    // shot.1001-1100#.exr
	Padding int    `json:"padding"` // width of the frame numbers, a minus sign counted; 0 for one unnumbered file
	// Views are what %V or %v stands for in a source of views.
	Views   []string `json:"views,omitempty"`
	First   int      `json:"first"`
	Last    int      `json:"last"`
	Step    int      `json:"step"`
	Frames  int      `json:"frames"` // present
	Missing []int    `json:"missing"`
}

// FormatSpan is a run of consecutive present frames with the same windows.
type FormatSpan struct {
	First         int     `json:"first"`
	Last          int     `json:"last"`
	Frames        int     `json:"frames"`
	DataWindow    exr.Box `json:"data_window"`
	DisplayWindow exr.Box `json:"display_window"`
}

// FrameError is a frame whose header could not be read, and why.
type FrameError struct {
	Frame int    `json:"frame"`
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Describe reads the header of every frame present (not the pixels), and
// every part's header of the first readable one.
func Describe(s *Sequence) Info {
	info := Info{Sequence: SequenceInfo{
		Dir:     filepath.Clean(s.Dir),
		Pattern: s.Pattern(),
		Name:    s.String(),
		Padding: s.Padding(),
		Views:   s.Views,
		First:   s.Range.Start,
		Last:    s.Range.End,
		Step:    s.Range.Step,
		Frames:  len(s.Frames),
		Missing: s.Missing(),
	}}
	if info.Sequence.Missing == nil {
		info.Sequence.Missing = []int{} // [] rather than null in JSON
	}
	for _, n := range s.Frames {
		in, err := inspectFrame(s, n, info.Header == nil)
		if err != nil {
			info.Failed = append(info.Failed, FrameError{Frame: n, Path: s.Path(n), Error: err.Error()})
			continue
		}
		h := in.Header
		if info.Header == nil {
			info.Header, info.Parts = &h, in.Parts
			for _, p := range in.Parts {
				info.Cryptomattes = append(info.Cryptomattes, cryptomatte.Detect(s.Path(n), p)...)
			}
			if in.PartsErr != nil {
				info.PartsError = in.PartsErr.Error()
			}
		}
		last := len(info.Formats) - 1
		if last >= 0 && info.Formats[last].DataWindow == h.DataWindow && info.Formats[last].DisplayWindow == h.DisplayWindow {
			info.Formats[last].Last = n
			info.Formats[last].Frames++
			continue
		}
		info.Formats = append(info.Formats, FormatSpan{First: n, Last: n, Frames: 1, DataWindow: h.DataWindow, DisplayWindow: h.DisplayWindow})
	}
	return info
}
