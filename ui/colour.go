package ui

import (
	"path/filepath"

	"flick/engine"
	"flick/engine/exr"
	"flick/render/ocio"
	"flick/settings"
)

// InputRequest is what, besides the config, decides seq's input colour
// space (ocio.Config.InputSpace): the user's pick for seq in s (by
// PickKey), flag (--input-cs), the header and path of first (seq's first
// frame, engine.Inspect), and s's follow-Default-rule setting. The viewer,
// flick export and flick info all ask through it.
func InputRequest(seq *engine.Sequence, first engine.Inspection, s settings.Settings, flag string) ocio.InputRequest {
	r := ocio.InputRequest{Pick: s.InputPicks[PickKey(seq)], Flag: flag, Path: seq.Path(first.Frame),
		FollowDefaultRule: s.FollowDefaultRule}
	if len(first.Parts) > 0 {
		r.Header = colourHeader(&first.Parts[0])
	} else {
		r.Header.Float = floatChannels(first.Header.Channels)
	}
	return r
}

// PickKey is the key of seq's input colour space pick in the settings:
// its pattern with its absolute folder, the same however it was opened.
func PickKey(seq *engine.Sequence) string {
	dir, err := filepath.Abs(seq.Dir)
	if err != nil {
		dir = seq.Dir
	}
	return filepath.Join(dir, seq.Pattern())
}

// colourHeader is what part p's header says about its colour.
func colourHeader(p *exr.Part) ocio.Header {
	h := ocio.Header{Strings: map[string]string{}, Float: floatChannels(p.Channels)}
	for _, a := range p.Attributes {
		if v, ok := a.Value.(string); ok {
			h.Strings[a.Name] = v
		}
	}
	if a, ok := p.Attr("acesImageContainerFlag"); ok {
		h.ACESContainer = a.Value == 1
	}
	if c := p.Chromaticities; c != nil {
		h.Chromaticities = &[4][2]float32{c.Red, c.Green, c.Blue, c.White}
	}
	return h
}

// floatChannels reports whether any channel holds half or float samples.
func floatChannels(chs []exr.Channel) bool {
	for _, c := range chs {
		if c.Type != exr.UInt {
			return true
		}
	}
	return false
}
