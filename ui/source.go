package ui

import (
	"path/filepath"
	"strings"
	"time"

	"flick/engine"
	"flick/engine/exr"
	"flick/render"
	"flick/settings"
)

// source is one shot of the session: a sequence, what its headers say, the
// loader that decodes it, the channels chosen and the frame on screen.
// Everything here is the shot's own; what applies to every shot (playback,
// the display settings, the camera) is the session's or the app's. GL
// goroutine only.
type source struct {
	path    string           // as given on the command line, in Open or a drop
	seq     *engine.Sequence //
	loader  *engine.Loader   // nil while the shot is not loaded (session.load)
	fps     float64          // the files' rate; 0: they do not say
	frames  []int            // every frame of the range, missing ones included
	missing map[int]bool     // frames of the range with no file
	// states is the loader's word on each of frames (decoding, failed with
	// why), refreshed each UI frame.
	states []engine.FrameState
	parts  []exr.Part        // the first frame's header, every part
	first  engine.Inspection // the first frame's headers, for the input colour space rules
	views  []string          // the file's views, the default first (fileViews)
	stereo string            // the view shown ("" in a file without views)
	layer  string            // the layer shown, without its view (Layer.BaseName)
	sel    exr.Selection     // the channels chosen (zero: each file's default)
	// decoded is sel at the resolution level the zoom needs: what the
	// loader decodes; levelScale is the camera scale it was picked for.
	decoded    exr.Selection
	levelScale float32
	selName    string // what the channel selector shows
	// offset shifts the shot against the others, in frames (frame sync).
	offset int
	frame  *engine.Frame // the frame on screen, pinned (pixels kept for the probe)
	image  render.Image  // frame's pixels on the GL side
	// rng is the range given with path ("" the whole sequence).
	rng string
	// gone says why a session's source was not found: a missing shot,
	// never shown (loader nil, no frames); saved is its source as the
	// session file said it, written back as it was.
	gone  error
	saved *settings.SessionSource
}

// newSource is the shot o found, showing its default channels; it has no
// loader yet.
func newSource(o opened) *source {
	s := &source{path: o.path, rng: o.rng, seq: o.seq, fps: o.fps, parts: o.parts, first: o.first,
		frames: o.seq.Range.Frames(), missing: map[int]bool{}, selName: "default"}
	for _, n := range o.seq.Missing() {
		s.missing[n] = true
	}
	s.views = fileViews(s.parts)
	s.stereo = defaultView(s.views)
	return s
}

// name is the shot's name in the Shots panel: its pattern's base name
// (a missing shot's: its path's).
func (s *source) name() string { return filepath.Base(s.seq.String()) }

// show makes f the frame on screen and uploads its pixels in mode,
// releasing the one it replaces. A broken frame closes the image (it shows
// as broken, not as the previous frame); the error is f's or the upload's.
func (s *source) show(f *engine.Frame, mode render.UploadMode) error {
	s.release()
	s.frame = f
	if f.Err != nil {
		s.image.Close()
		return f.Err
	}
	t := time.Now()
	s.image.Mode = mode
	if err := s.image.Upload(f.Pix, f.DataWindow.Dx(), f.DataWindow.Dy()); err != nil {
		return err
	}
	s.loader.Stats().SetPresent(f.Number, time.Since(t), 0)
	return nil
}

// release unpins the frame on screen (the shot shows nothing until the
// next).
func (s *source) release() {
	if s.frame != nil {
		s.loader.Release(s.frame)
		s.frame = nil
	}
}

// hide releases the frame on screen and its image, for a shot no longer
// shown: its loader and its frames in the cache stay.
func (s *source) hide() {
	s.release()
	s.image.Close()
}

// unload hides the shot and takes its loader away for the caller to
// close (nil if it had none): closing waits for decodes, which may wait
// on a stalled drive.
func (s *source) unload() *engine.Loader {
	s.hide()
	l := s.loader
	s.loader, s.states = nil, s.states[:0]
	return l
}

// refreshStates asks the loader which frames are decoding or failed.
func (s *source) refreshStates() {
	s.states = s.loader.State(s.frames, s.states)
}

// stateOf is the loader's word on frame n of the range.
func (s *source) stateOf(n int) engine.FrameState {
	if i := s.seq.Range.Index(n); i >= 0 && i < len(s.states) {
		return s.states[i]
	}
	return engine.FrameState{}
}

// ready tells the clock whether frame n can be shown now: decoded, or
// known to be missing or broken (shown as such).
func (s *source) ready(n int) bool {
	return s.loader.Ready(n) || s.stateOf(n).Err != nil
}

// withLevel returns sel at the resolution level of its part that a view
// at scale (target pixels per full-resolution pixel) needs
// (exr.PickLevel): a tiled part with mip or rip levels, zoomed out far
// enough, is decoded at a smaller level; other parts and closer views keep
// sel as it is.
func (s *source) withLevel(sel exr.Selection, scale float32) exr.Selection {
	if sel.Part >= len(s.parts) {
		return sel
	}
	lx, ly := exr.PickLevel(s.parts[sel.Part], float64(scale))
	if lx == 0 && ly == 0 {
		return sel
	}
	if sel == (exr.Selection{}) { // the file's default names no channels: name them
		d, err := exr.DefaultSelection(s.parts[0].Header)
		if err != nil {
			return sel
		}
		sel = d
	}
	sel.LevelX, sel.LevelY = lx, ly
	return sel
}

// status is the shot's state in a word or a few, for the Shots panel.
func (s *source) status() string {
	switch {
	case s.gone != nil:
		return "missing: " + s.gone.Error()
	case s.loader == nil:
		return "not loaded"
	case s.frame != nil && s.frame.Err != nil:
		return "error: " + s.frame.Err.Error()
	}
	decoding := 0
	for _, st := range s.states {
		if st.Decoding {
			decoding++
		}
	}
	var b strings.Builder
	b.WriteString("loaded")
	if decoding > 0 {
		b.WriteString(", decoding")
	}
	if len(s.missing) > 0 {
		b.WriteString(", missing frames")
	}
	return b.String()
}
