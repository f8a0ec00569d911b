package export

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"flick/engine/timecode"
	"flick/export/burnin"
	"flick/render"
	"flick/settings"
)

// Preset is a set of flick export options that a studio shares as a small
// text file: one "key = value" a line, blank lines and lines starting with
// # ignored. Keys are flick export's long option names (PresetKeys), so
// that a preset and the command line cannot drift apart: flick export feeds
// a preset's entries through its own flag parsing, before the command
// line's, which wins.
type Preset struct {
	Name    string // the file, or a shipped preset's name, for messages
	Entries []PresetEntry
}

// PresetEntry is one option of a Preset; Line is its line in the file (0
// for one set in code).
type PresetEntry struct {
	Key, Value string
	Line       int
}

// presetKey is an option a preset may set: its flick export flag name,
// whether it may be given more than once, and what checks a value (nil:
// any text, checked when the export starts, as it depends on the config or
// the file).
type presetKey struct {
	name       string
	repeatable bool
	check      func(string) error
}

// presetKeys are the keys a preset may set, in the order Write gives
// them: the flags that describe the movie's look, not which shot, frames
// or file it is made of.
var presetKeys = []presetKey{
	{name: "codec", check: func(s string) error { _, err := ParseCodec(s); return err }},
	{name: "crf", check: intIn(0, 51)},
	{name: "speed", check: checkSpeed},
	{name: "width", check: intIn(1, maxSide)},
	{name: "height", check: intIn(1, maxSide)},
	{name: "scale", check: checkScale},
	{name: "fps", check: func(s string) error { _, err := ParseFPS(s); return err }},
	{name: "channels", check: func(s string) error { _, err := render.ParseChannels(s); return err }},
	{name: "exposure", check: checkFloat},
	{name: "layer"},
	{name: "view"},
	{name: "ocio"},
	{name: "input-cs"},
	{name: "display"},
	{name: "look"},
	{name: "burnin", repeatable: true}, // checked with the fields the command line adds
	{name: "field", repeatable: true, check: func(s string) error { _, _, err := burnin.ParseField(s); return err }},
	{name: "slate", check: checkBool},
	{name: "slate-frames", check: intIn(1, MaxSlateFrames)},
	{name: "timecode", check: func(s string) error { _, err := timecode.Parse(s); return err }},
	// The Cryptomatte matte: the layer and names are checked against the
	// file, the mode against the codec, when the export starts.
	{name: "matte-layer"},
	{name: "names"},
	{name: "matte"},
}

// PresetKeys returns the keys a preset may set: flick export's long option
// names.
func PresetKeys() []string {
	names := make([]string, len(presetKeys))
	for i, k := range presetKeys {
		names[i] = k.name
	}
	return names
}

// Repeatable reports whether key may be given more than once (each adds a
// value, as its flag does), rather than the last one counting.
func Repeatable(key string) bool {
	i := slices.IndexFunc(presetKeys, func(k presetKey) bool { return k.name == key })
	return i >= 0 && presetKeys[i].repeatable
}

func intIn(lo, hi int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q: want a whole number from %d to %d", s, lo, hi)
		}
		return nil
	}
}

func checkFloat(s string) error {
	if _, err := strconv.ParseFloat(s, 64); err != nil {
		return fmt.Errorf("%q: want a number", s)
	}
	return nil
}

func checkScale(s string) error {
	if f, err := strconv.ParseFloat(s, 64); err != nil || !(f > 0) {
		return fmt.Errorf("%q: want a factor above 0", s)
	}
	return nil
}

func checkBool(s string) error {
	if _, err := strconv.ParseBool(s); err != nil {
		return fmt.Errorf("%q: want true or false", s)
	}
	return nil
}

// nvencSpeeds are NVENC's presets, fastest first.
var nvencSpeeds = []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7"}

// IsSpeed reports whether s names an encoder speed preset (Options.Preset):
// one of libx264's and libx265's, or NVENC's p1 to p7.
func IsSpeed(s string) bool {
	return slices.Contains(x26xPresets, s) || slices.Contains(nvencSpeeds, s)
}

func checkSpeed(s string) error {
	if !IsSpeed(s) {
		return fmt.Errorf("%q: want one of %s", s, strings.Join(append(slices.Clone(x26xPresets), nvencSpeeds...), ", "))
	}
	return nil
}

// PresetError is a preset's line that cannot be read: its file, line and
// key (empty when the line has none), and why.
type PresetError struct {
	Name string
	Line int
	Key  string
	Err  error
}

func (e *PresetError) Error() string {
	where := e.Name
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("preset %s: %s: %v", where, e.Key, e.Err)
	}
	return fmt.Sprintf("preset %s: %v", where, e.Err)
}

func (e *PresetError) Unwrap() error { return e.Err }

// ParsePreset reads a preset's text; name is what errors call it. Every
// line is checked: its form, its key (one of PresetKeys, a non-repeatable
// one at most once) and its value; the first bad line is a *PresetError.
func ParsePreset(name string, text []byte) (*Preset, error) {
	p := &Preset{Name: name}
	sc := bufio.NewScanner(bytes.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		key, value, ok := strings.Cut(s, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return nil, &PresetError{Name: name, Line: line, Err: fmt.Errorf("%q: want key = value", s)}
		}
		if err := p.Add(key, value, line); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &PresetError{Name: name, Err: err}
	}
	return p, nil
}

// Add appends key = value after checking both (line: where it is in the
// file, 0 for none): a non-repeatable key given twice is an error.
func (p *Preset) Add(key, value string, line int) error {
	bad := func(err error) error { return &PresetError{Name: p.Name, Line: line, Key: key, Err: err} }
	i := slices.IndexFunc(presetKeys, func(k presetKey) bool { return k.name == key })
	switch {
	case i < 0:
		return bad(fmt.Errorf("unknown key; a preset sets %s", strings.Join(PresetKeys(), ", ")))
	case strings.ContainsAny(value, "\n\r"):
		return bad(errors.New("a value is one line"))
	case !presetKeys[i].repeatable && p.Has(key):
		return bad(errors.New("given twice"))
	}
	if check := presetKeys[i].check; check != nil {
		if err := check(value); err != nil {
			return bad(err)
		}
	}
	p.Entries = append(p.Entries, PresetEntry{Key: key, Value: value, Line: line})
	return nil
}

// Set records key = value as its flag does: a repeatable key gets one
// more value, any other's value is replaced. It checks neither (the flag
// parsing that calls it does, and Write checks all).
func (p *Preset) Set(key, value string) {
	if !Repeatable(key) {
		p.Entries = slices.DeleteFunc(p.Entries, func(e PresetEntry) bool { return e.Key == key })
	}
	p.Entries = append(p.Entries, PresetEntry{Key: key, Value: value})
}

// Has reports whether p sets key.
func (p *Preset) Has(key string) bool {
	return slices.ContainsFunc(p.Entries, func(e PresetEntry) bool { return e.Key == key })
}

// Values returns the values p gives key, in order.
func (p *Preset) Values(key string) []string {
	var v []string
	for _, e := range p.Entries {
		if e.Key == key {
			v = append(v, e.Value)
		}
	}
	return v
}

// Value returns key's value and whether p sets it (the last, for a
// repeatable key).
func (p *Preset) Value(key string) (string, bool) {
	v := p.Values(key)
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

// Args returns p as flick export flags, "--key=value" each, in p's order.
func (p *Preset) Args() []string {
	args := make([]string, len(p.Entries))
	for i, e := range p.Entries {
		args[i] = "--" + e.Key + "=" + e.Value
	}
	return args
}

// Text is p in a preset file's form, which ParsePreset reads back to the
// same entries: a header comment, then the entries in the order of
// PresetKeys (a repeatable key's values in their order).
func (p *Preset) Text() []byte {
	var b bytes.Buffer
	b.WriteString("# flick export preset (flick export --preset FILE; keys are flick export's options)\n")
	for _, k := range presetKeys {
		for _, v := range p.Values(k.name) {
			fmt.Fprintf(&b, "%s = %s\n", k.name, v)
		}
	}
	return b.Bytes()
}

// Write checks p as ParsePreset would read it back and writes it to path
// (temporary file + rename: a failed write leaves no partial preset); a
// bad entry is a *PresetError and nothing is written.
func (p *Preset) Write(path string) error {
	if _, err := ParsePreset(p.Name, p.Text()); err != nil {
		var pe *PresetError
		if errors.As(err, &pe) {
			pe.Line = 0 // a line of the text never written
		}
		return err
	}
	if err := settings.WriteFile(path, p.Text()); err != nil {
		return fmt.Errorf("save preset %s: %w", path, err)
	}
	return nil
}

//go:embed presets/*.preset
var shipped embed.FS

// ShippedPresets returns the names of the presets built into flick.
func ShippedPresets() []string {
	entries, _ := shipped.ReadDir("presets")
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = strings.TrimSuffix(e.Name(), ".preset")
	}
	return names
}

// LoadPreset reads a preset: one built into flick by name (ShippedPresets),
// else the file at nameOrPath.
func LoadPreset(nameOrPath string) (*Preset, error) {
	if slices.Contains(ShippedPresets(), nameOrPath) {
		text, err := shipped.ReadFile("presets/" + nameOrPath + ".preset")
		if err != nil {
			return nil, err
		}
		return ParsePreset(nameOrPath, text)
	}
	text, err := os.ReadFile(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("preset: %w (flick's own presets: %s)", err, strings.Join(ShippedPresets(), ", "))
	}
	return ParsePreset(nameOrPath, text)
}
