package exr

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Selection says what to decode: which part and level, and which of its
// channels go to the R, G, B, A slots of an interleaved RGBA half buffer.
// An empty name fills the slot with 0 (R, G, B) or 1.0 (A). Grey copies
// slot R into G and B after decoding; the G and B names are then ignored. A
// name may appear in several slots; it is decoded once and copied. The zero
// values of Part and the levels mean part 0, level 0. Selection is
// comparable (a cache key).
type Selection struct {
	Names [4]string
	Grey  bool
	// LumaChroma converts luminance/chroma channels (Y, RY, BY, the chroma
	// subsampled 2x2 or not; A if present) of the layer whose Y channel
	// Names[0] names, in any part, to RGB(A), upsampling the chroma, into
	// all four slots, bit for bit as OpenEXR's RGBA interface does for part
	// 0; the other names are ignored.
	LumaChroma bool
	Part       int // index in File.Parts
	// LevelX and LevelY pick a reduced resolution level of a tiled part:
	// level (n, n) of a mip map, (x, y) of a rip map; see PickLevel.
	LevelX, LevelY int
}

// DefaultSelection picks what a viewer shows of the part h describes (its
// Part is left 0: set it for another part): R,G,B(,A) if present; else Y,
// RY, BY converted to RGB (LumaChroma); else Y (grey, with A if present);
// else the first layer (prefix before the last '.') that has R,G,B (e.g.
// "diffuse.R"...), with its A; else the first channel as grey. It returns
// an error if the part has no channels.
func DefaultSelection(h Header) (Selection, error) {
	if len(h.Channels) == 0 {
		return Selection{}, errors.New("exr: the part has no channels")
	}
	has := func(name string) bool {
		for _, c := range h.Channels {
			if c.Name == name {
				return true
			}
		}
		return false
	}
	opt := func(name string) string {
		if has(name) {
			return name
		}
		return ""
	}
	if has("R") && has("G") && has("B") {
		return Selection{Names: [4]string{"R", "G", "B", opt("A")}}, nil
	}
	if has("Y") && has("RY") && has("BY") {
		return Selection{Names: [4]string{"Y"}, LumaChroma: true}, nil
	}
	if has("Y") {
		return Selection{Names: [4]string{"Y", "", "", opt("A")}, Grey: true}, nil
	}
	for _, c := range h.Channels { // file order: the first layer alphabetically
		i := strings.LastIndexByte(c.Name, '.')
		if i < 0 || c.Name[i+1:] != "R" {
			continue
		}
		p := c.Name[:i+1]
		if has(p+"G") && has(p+"B") {
			return Selection{Names: [4]string{p + "R", p + "G", p + "B", opt(p + "A")}}, nil
		}
	}
	return Selection{Names: [4]string{h.Channels[0].Name}, Grey: true}, nil
}

// plan is a Selection resolved against a header: the channel (index in
// file order, -1 none) decoded into each RGBA slot and, for a slot that
// repeats an earlier slot's channel or is a grey copy of R, the slot it
// copies (-1 none). Both decode paths (Core and C++) work from it.
type plan struct{ channel, copyFrom [4]int }

// resolve makes the plan for sel, or says which named channel is absent or
// cannot be decoded.
func resolve(path string, h *Header, sel Selection) (plan, error) {
	p := plan{channel: [4]int{-1, -1, -1, -1}, copyFrom: [4]int{-1, -1, -1, -1}}
	for s, name := range sel.Names {
		if name == "" || (sel.Grey && (s == 1 || s == 2)) {
			continue
		}
		c := slices.IndexFunc(h.Channels, func(ch Channel) bool { return ch.Name == name })
		if c < 0 {
			return p, &Error{Op: "decode", Path: path, Code: ErrInvalidArgument,
				Detail: fmt.Sprintf("no channel %q", name)}
		}
		if j := slices.Index(p.channel[:s], c); j >= 0 { // a channel is decoded once, then copied
			p.copyFrom[s] = j
		} else {
			p.channel[s] = c
		}
	}
	if sel.Grey {
		p.channel[1], p.channel[2] = -1, -1
		p.copyFrom[1], p.copyFrom[2] = 0, 0
		if p.channel[0] < 0 && p.copyFrom[0] < 0 {
			p.copyFrom[1], p.copyFrom[2] = -1, -1 // grey of nothing is black
		}
	}
	return p, nil
}

// lumaChannels checks that sel's Names[0] is a Y channel of h and returns
// the names of its layer's Y, RY, BY and A channels (the layer is the
// name's prefix before ".Y"; a channel may be absent from h).
func lumaChannels(path string, h *Header, sel Selection) ([4]string, error) {
	name := sel.Names[0]
	prefix, ok := strings.CutSuffix(name, "Y")
	if ok && prefix != "" {
		ok = strings.HasSuffix(prefix, ".") && prefix != "."
	}
	if !ok || !slices.ContainsFunc(h.Channels, func(c Channel) bool { return c.Name == name }) {
		return [4]string{}, &Error{Op: "decode", Path: path, Code: ErrInvalidArgument,
			Detail: fmt.Sprintf("part %d: luminance/chroma needs a Y channel, not %q", sel.Part, name)}
	}
	return [4]string{name, prefix + "RY", prefix + "BY", prefix + "A"}, nil
}
