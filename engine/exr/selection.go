package exr

import (
	"errors"
	"strings"
)

// Selection says which file channels go to the R, G, B, A slots of an
// interleaved RGBA half buffer. An empty name fills the slot with 0 (R, G, B)
// or 1.0 (A). Grey copies slot R into G and B after decoding (luminance
// files); the G and B names are then ignored. A name may appear in several
// slots; it is decoded once and copied.
type Selection struct {
	Names [4]string
	Grey  bool
}

// DefaultSelection picks what a viewer shows: R,G,B(,A) if present; else Y
// (grey, with A if present); else the first layer (prefix before the last
// '.') that has R,G,B (e.g. "diffuse.R"...), with its A; else the first
// channel as grey. It returns an error if the part has no channels.
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
