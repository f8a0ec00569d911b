package ocio

import (
	"fmt"
	"math"
)

// Header is what a frame's header says about its colour, as InputSpace
// reads it. The caller fills it from the file (this package knows no EXR).
type Header struct {
	// Strings holds the header's string attributes by name.
	Strings map[string]string
	// ACESContainer is acesImageContainerFlag set to 1: the pixels are
	// ACES2065-1 (SMPTE ST 2065-4).
	ACESContainer bool
	// Chromaticities are the chromaticities attribute's red, green, blue
	// and white xy; nil when the header has none.
	Chromaticities *[4][2]float32
	// Float is true when the colour channels are half or float: scene-
	// referred values, which the scene_linear role describes.
	Float bool
}

// InputRequest is what decides a sequence's input colour space besides
// the config: the first of them that names a colour space wins.
type InputRequest struct {
	Pick   string // the user's pick for this sequence; "" for none
	Flag   string // --input-cs; "" for none
	Header Header
	Path   string // a frame's file, matched against the config's file rules
	// FollowDefaultRule gives float frames the config's Default file rule
	// rather than the scene_linear role.
	FollowDefaultRule bool
}

// Input is a sequence's input colour space (canonical: the config's name
// for it, never a role or an alias) and the rule that chose it.
type Input struct {
	ColorSpace string
	Reason     string // e.g. "scene_linear role", "file rule Plates"
}

func (in Input) String() string { return in.ColorSpace + " — " + in.Reason }

// headerNames are the string attributes that name a colour space, in the
// order they are asked: the OpenEXR colour interop ID first, then the
// names OpenImageIO and Nuke write.
var headerNames = []string{"colorInteropID", "colorInteropId", "oiio:ColorSpace", "colorSpace", "ocio:colorspace"}

// aces2065 are the names an ACES container or AP0 chromaticities map to,
// the first the config knows.
var aces2065 = []string{"ACES2065-1", "aces2065_1", "lin_ap0", "ACES - ACES2065-1"}

// ap0 are the ACES primaries and white point (SMPTE ST 2065-1).
var ap0 = [4][2]float32{{0.7347, 0.2653}, {0, 1}, {0.0001, -0.077}, {0.32168, 0.33767}}

// InputSpace returns the input colour space of a sequence under c, first
// match wins: the user's pick (quietly passed over when c has no such
// name: it may have been made under another config); --input-cs (an
// error when c has no such name); the header (a string attribute naming a
// colour space, role or alias of c; an ACES container flag or AP0
// chromaticities, ACES2065-1); a file rule of c other than its Default
// rule; for float frames the scene_linear role, unless FollowDefaultRule;
// c's Default rule.
func (c *Config) InputSpace(r InputRequest) (Input, error) {
	// known is the canonical name of name in c, or "".
	known := func(name string) (string, error) {
		if name == "" {
			return "", nil
		}
		return c.CanonicalName(name)
	}
	cs, err := known(r.Pick)
	if cs != "" || err != nil {
		return Input{cs, "your pick for this sequence"}, err
	}
	if r.Flag != "" {
		if cs, err = known(r.Flag); err != nil {
			return Input{}, err
		} else if cs == "" {
			return Input{}, fmt.Errorf("--input-cs %q: %s has no such colour space, role or alias", r.Flag, c.Name())
		}
		return Input{cs, "--input-cs"}, nil
	}
	for _, attr := range headerNames {
		v, ok := r.Header.Strings[attr]
		if !ok {
			continue
		}
		if cs, err = known(v); cs != "" || err != nil {
			return Input{cs, fmt.Sprintf("header %s %q", attr, v)}, err
		}
	}
	if ch := r.Header.Chromaticities; r.Header.ACESContainer || ch != nil && isAP0(ch) {
		why := "header acesImageContainerFlag"
		if !r.Header.ACESContainer {
			why = "header AP0 chromaticities"
		}
		for _, name := range aces2065 {
			if cs, err = known(name); cs != "" || err != nil {
				return Input{cs, why}, err
			}
		}
	}
	rule, err := c.FileRule(r.Path)
	if err != nil {
		return Input{}, err
	}
	if rule.Default && r.Header.Float && !r.FollowDefaultRule {
		if cs, err = known("scene_linear"); cs != "" || err != nil {
			return Input{cs, "scene_linear role"}, err
		}
	}
	if cs, err = known(rule.ColorSpace); err != nil {
		return Input{}, err
	} else if cs == "" {
		return Input{}, fmt.Errorf("%s: file rule %s names %q, which it does not define", c.Name(), rule.Rule, rule.ColorSpace)
	}
	why := "file rule " + rule.Rule
	if rule.Default {
		why = "the config's Default rule"
	}
	return Input{cs, why}, nil
}

// isAP0 reports whether ch are the ACES AP0 primaries and white point, to
// the precision headers write them with.
func isAP0(ch *[4][2]float32) bool {
	for i := range ap0 {
		for j := range ap0[i] {
			if math.Abs(float64(ch[i][j]-ap0[i][j])) > 1e-3 {
				return false
			}
		}
	}
	return true
}
