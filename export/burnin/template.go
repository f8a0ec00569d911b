// Package burnin renders burn-ins: lines of text from templates such as
// "TL={shot} v{version}", each on a translucent dark band in a corner or at
// the middle of an edge of the picture, as premultiplied RGBA images placed
// in the output. Pure Go: export draws the bands over each frame on the GL
// goroutine, the viewer over the picture on screen, through the same
// render.Overlay.
package burnin

import (
	"fmt"
	"slices"
	"strings"
)

// Position is where a burn-in sits: a corner or the middle of an edge.
type Position int

// The positions, as templates name them.
const (
	TL Position = iota // top left
	T                  // top, centred
	TR                 // top right
	L                  // left, centred vertically
	R                  // right, centred vertically
	BL                 // bottom left
	B                  // bottom, centred
	BR                 // bottom right
)

var positionNames = [...]string{"TL", "T", "TR", "L", "R", "BL", "B", "BR"}

func (p Position) String() string { return positionNames[p] }

// Names are the fields every template may use; a field given with
// --field may add to them or set one of them ({comment} has no other
// source).
var Names = []string{"shot", "version", "frame", "range", "tc", "fps", "size", "date", "user", "host", "view", "layer", "comment"}

// Fields are the values of a frame's fields by name.
type Fields map[string]string

// Error is a malformed burn-in template or field: what was given and why.
// flick export reports it as a usage error.
type Error struct {
	Spec   string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("burn-in %q: %s", e.Spec, e.Reason) }

// Template is one parsed burn-in: its position and its text, literal parts
// and fields in turn.
type Template struct {
	Pos   Position
	Spec  string // as given
	parts []part
}

// part is a literal run of text, or a field's name.
type part struct {
	text  string
	field bool
}

// Parse reads a template "POS=TEXT": POS one of TL, T, TR, L, R, BL, B,
// BR (any case), TEXT literal text with {name} for a field, {{ and }} for
// literal braces. A field must be one of Names or a key of extra. The
// *Error names what is wrong: a bad or missing position, empty text, an
// unclosed or stray brace, an empty or unknown field.
func Parse(spec string, extra Fields) (Template, error) {
	bad := func(format string, a ...any) (Template, error) {
		return Template{}, &Error{Spec: spec, Reason: fmt.Sprintf(format, a...)}
	}
	pos, text, ok := strings.Cut(spec, "=")
	if !ok {
		return bad("want POSITION=TEXT, POSITION one of %s", strings.Join(positionNames[:], ", "))
	}
	p := slices.IndexFunc(positionNames[:], func(n string) bool { return strings.EqualFold(n, strings.TrimSpace(pos)) })
	if p < 0 {
		return bad("unknown position %q (want one of %s)", pos, strings.Join(positionNames[:], ", "))
	}
	if strings.TrimSpace(text) == "" {
		return bad("empty text")
	}
	t := Template{Pos: Position(p), Spec: spec}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '{' && strings.HasPrefix(text[i:], "{{"), c == '}' && strings.HasPrefix(text[i:], "}}"):
			lit.WriteByte(c)
			i++
		case c == '}':
			return bad("stray } at byte %d (write }} for a brace)", i)
		case c == '{':
			end := strings.IndexAny(text[i+1:], "{}")
			if end < 0 || text[i+1+end] != '}' {
				return bad("unclosed { at byte %d (write {{ for a brace)", i)
			}
			name := text[i+1 : i+1+end]
			switch _, isExtra := extra[name]; {
			case name == "":
				return bad("empty field {}")
			case !isExtra && !slices.Contains(Names, name):
				return bad("unknown field {%s} (fields: %s, or one given with --field)", name, strings.Join(Names, ", "))
			}
			flush()
			t.parts = append(t.parts, part{text: name, field: true})
			i += end + 1
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return t, nil
}

// ParseAll parses specs in order (see Parse).
func ParseAll(specs []string, extra Fields) ([]Template, error) {
	ts := make([]Template, 0, len(specs))
	for _, s := range specs {
		t, err := Parse(s, extra)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// Text is the template's text with its fields' values from f (a field
// without a value is empty). A word of the template (a run between
// spaces) that holds fields, every one of them empty, is left out with
// the spaces before it: "{shot} v{version}" reads "sh010" for a shot with
// no version, not "sh010 v", and "{frame}  ({range})" reads "1042" when
// there is no range.
func (t Template) Text(f Fields) string {
	if len(t.parts) == 1 && !t.parts[0].field {
		return t.parts[0].text
	}
	var b, word strings.Builder
	space := ""                                 // the spaces before word
	fields, filled, lead := false, false, false // word has fields, one with a value; b lost its first word
	end := func() {
		switch {
		case fields && !filled:
			lead = lead || b.Len() == 0
		case word.Len() > 0 || space != "":
			if lead && b.Len() == 0 {
				space = ""
			}
			b.WriteString(space)
			b.WriteString(word.String())
		}
		word.Reset()
		space, fields, filled = "", false, false
	}
	for _, p := range t.parts {
		if p.field {
			v := f[p.text]
			fields, filled = true, filled || v != ""
			word.WriteString(v)
			continue
		}
		for _, r := range p.text {
			if r != ' ' {
				word.WriteRune(r)
				continue
			}
			if word.Len() > 0 || fields {
				end()
			}
			space += " "
		}
	}
	end()
	return b.String()
}

// ParseField reads a --field "KEY=VALUE": KEY letters, digits and
// underscores; the value may be empty.
func ParseField(s string) (key, value string, err error) {
	key, value, ok := strings.Cut(s, "=")
	switch {
	case !ok:
		return "", "", &Error{Spec: s, Reason: "want --field KEY=VALUE"}
	case key == "" || strings.IndexFunc(key, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) >= 0:
		return "", "", &Error{Spec: s, Reason: fmt.Sprintf("field name %q: use letters, digits and _", key)}
	}
	return key, value, nil
}
