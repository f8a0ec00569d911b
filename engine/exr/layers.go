package exr

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// BaseName is the layer's name without its view: "" for "left" (RGBA of
// the left view in a single-part stereo file), "forward" for
// "forward.left"; the name itself when the layer has no view in its name.
// The same layer of a multi-part file (where views are parts) has this name.
func (l Layer) BaseName() string {
	if l.View == "" {
		return l.Name
	}
	if l.Name == l.View {
		return ""
	}
	if base, ok := strings.CutSuffix(l.Name, "."+l.View); ok {
		return base
	}
	return l.Name
}

// LayerSelection builds the Selection that shows layer (a Layer.Name of p)
// of part p. Channels go to R, G, B and A by name first: R/G/B/A, r/g/b/a,
// red/green/blue/alpha in any case (Nuke, Clarisse and OpenImageIO write
// the long names, whose sorted order is blue, green, red); then Y, RY, BY
// converted to RGB (part 0; elsewhere Y as grey); X, Y, Z (positions,
// normals) and U, V (motion) as R, G(, B); Y as grey (with A); a single
// channel (Z, a mask) as grey; otherwise its first three channels as R, G,
// B, with A if it has one.
func LayerSelection(p Part, layer string) (Selection, error) {
	i := slices.IndexFunc(p.Layers, func(l Layer) bool { return l.Name == layer })
	if i < 0 {
		return Selection{}, fmt.Errorf("exr: part %d has no layer %q", p.Index, layer)
	}
	l := p.Layers[i]
	full := func(short string) string {
		if layer == "" {
			return short
		}
		return layer + "." + short
	}
	has := func(short string) bool { return slices.Contains(l.Channels, short) }
	opt := func(short string) string {
		if has(short) {
			return full(short)
		}
		return ""
	}
	sel := Selection{Part: p.Index}
	var named [4]string // the channels named for R, G, B, A
	for _, c := range l.Channels {
		if r := channelRole(c); r >= 0 && named[r] == "" {
			named[r] = full(c)
		}
	}
	alpha := named[3]
	upper := func(c string) string { // c in any case, the layer's own name
		for _, n := range l.Channels {
			if strings.EqualFold(n, c) {
				return full(n)
			}
		}
		return ""
	}
	switch {
	case len(l.Channels) == 0:
		return Selection{}, fmt.Errorf("exr: layer %q of part %d has no channels", layer, p.Index)
	case named[0] != "" || named[1] != "" || named[2] != "":
		sel.Names = named
	case has("Y") && has("RY") && has("BY"):
		sel.Names, sel.LumaChroma = [4]string{full("Y")}, true
	case upper("X") != "" && upper("Y") != "" && upper("Z") != "":
		sel.Names = [4]string{upper("X"), upper("Y"), upper("Z"), alpha}
	case upper("U") != "" && upper("V") != "":
		sel.Names = [4]string{upper("U"), upper("V"), "", alpha}
	case has("Y"):
		sel.Names, sel.Grey = [4]string{full("Y"), "", "", opt("A")}, true
	case len(l.Channels) == 1:
		sel.Names, sel.Grey = [4]string{full(l.Channels[0])}, true
	default:
		k := 0
		for _, c := range l.Channels {
			if full(c) != alpha && k < 3 {
				sel.Names[k] = full(c)
				k++
			}
		}
		sel.Names[3] = alpha
	}
	return sel, nil
}

// channelRole is the slot a channel's name puts it in: 0-3 for R, G, B, A
// (R/G/B/A, red/green/blue/alpha, any case), -1 for any other name.
func channelRole(name string) int {
	switch strings.ToLower(name) {
	case "r", "red":
		return 0
	case "g", "green":
		return 1
	case "b", "blue":
		return 2
	case "a", "alpha":
		return 3
	}
	return -1
}

// ChannelSelection shows one channel (its full name) of part p as grey.
func ChannelSelection(p Part, channel string) (Selection, error) {
	if !slices.ContainsFunc(p.Channels, func(c Channel) bool { return c.Name == channel }) {
		return Selection{}, fmt.Errorf("exr: part %d has no channel %q", p.Index, channel)
	}
	return Selection{Names: [4]string{channel}, Grey: true, Part: p.Index}, nil
}

// FindLayer finds layer (a Layer.BaseName: "" for the unnamed RGBA layer)
// of view ("" for files without views) in a file's parts, whether the file
// keeps views in channel names (single-part) or in parts (multi-part), and
// returns LayerSelection's selection for it. Where several layers match
// (multi-part files put RGBA and Z of one view in separate parts, both
// unnamed), the first with R, G and B wins, else the first.
func FindLayer(parts []Part, view, layer string) (Selection, error) {
	var found *Part
	name := ""
	for i := range parts {
		for _, l := range parts[i].Layers {
			if l.View != view || l.BaseName() != layer {
				continue
			}
			rgb := slices.Contains(l.Channels, "R") && slices.Contains(l.Channels, "G") && slices.Contains(l.Channels, "B")
			if found == nil || rgb {
				found, name = &parts[i], l.Name
			}
			if rgb {
				return LayerSelection(*found, name)
			}
		}
	}
	if found == nil {
		return Selection{}, fmt.Errorf("exr: no layer %q in view %q", layer, view)
	}
	return LayerSelection(*found, name)
}

// PickLevel returns the level of tiled part p to decode for a view that
// shows its level 0 at scale (screen pixels per image pixel; 0.25 is
// zoomed out 4x): the smallest level that still has at least as many
// pixels as the screen shows, each way, so that nothing is lost. It returns
// (0, 0) for parts without levels and for scale >= 1. For a mip map lx ==
// ly; a rip map picks each direction on its own.
func PickLevel(p Part, scale float64) (lx, ly int) {
	if p.Levels == nil || p.Levels.Mode == OneLevel || !(scale > 0) || scale >= 1 {
		return 0, 0
	}
	pick := func(sizes []int, full int) int {
		need := int(math.Ceil(float64(full) * scale))
		best := 0
		for i, s := range sizes {
			if s >= need {
				best = i
			}
		}
		return best
	}
	lx = pick(p.Levels.Widths, p.DataWindow.Width())
	ly = pick(p.Levels.Heights, p.DataWindow.Height())
	if p.Levels.Mode == MipmapLevels {
		lx = min(lx, ly)
		ly = lx
	}
	return lx, ly
}
