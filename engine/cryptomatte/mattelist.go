package cryptomatte

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseList reads a matte list as Nuke's Cryptomatte gizmo writes it:
// names separated by commas, spaces after a comma skipped; a name holding a
// comma, a space, a quote or a backslash is in double quotes, and inside it
// (or anywhere) a backslash makes the next character literal
// ("name, with, comma", "a \"quote\""). Trailing spaces of an unquoted
// name are dropped; an empty unquoted entry is skipped, while "" is the
// empty name. FormatList writes what ParseList reads back. An unclosed
// quote or a trailing backslash is an error.
func ParseList(s string) ([]string, error) {
	var out []string
	i := 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		var b strings.Builder
		quoted, closed := false, false
		if i < len(s) && s[i] == '"' {
			quoted = true
			i++
		}
		for i < len(s) {
			c := s[i]
			switch {
			case c == '\\':
				if i+1 == len(s) {
					return nil, fmt.Errorf("matte list %q ends with a backslash", s)
				}
				b.WriteByte(s[i+1])
				i += 2
				continue
			case quoted && !closed && c == '"':
				closed = true
				i++
				continue
			case c == ',' && (!quoted || closed):
			default:
				b.WriteByte(c)
				i++
				continue
			}
			break
		}
		if quoted && !closed {
			return nil, fmt.Errorf("matte list %q has an unclosed quote", s)
		}
		name := b.String()
		if !quoted {
			name = strings.TrimRight(name, " ")
		}
		if quoted || name != "" {
			out = append(out, name)
		}
		i++ // the comma
	}
	return out, nil
}

// FormatList writes names as Nuke's matte list: ", " between names, a name
// holding a space, comma, quote or backslash in double quotes with each
// quote and backslash escaped by a backslash (the Cryptomatte gizmo's
// encoding).
func FormatList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		if n != "" && !strings.ContainsAny(n, " ,\"\\") {
			out[i] = n
			continue
		}
		out[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(n) + `"`
	}
	return strings.Join(out, ", ")
}

// ListID reads a matte-list entry that names an ID rather than a name:
// the ID's float in angle brackets, as Nuke's gizmo lists an ID the
// manifest does not name ("<6.0705627e-17>"). ok is false for any other
// entry.
func ListID(entry string) (id uint32, ok bool) {
	inner, ok := strings.CutPrefix(entry, "<")
	if !ok {
		return 0, false
	}
	if inner, ok = strings.CutSuffix(inner, ">"); !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(inner, 32)
	if err != nil {
		return 0, false
	}
	return math.Float32bits(float32(f)), true
}

// ListEntry is how a matte list names id: its name when the manifest has
// one, else the ID's float in angle brackets (ListID reads it back).
func ListEntry(m *Manifest, id uint32) string {
	if name, ok := m.Name(id); ok {
		return name
	}
	return "<" + strconv.FormatFloat(float64(Float(id)), 'g', -1, 32) + ">"
}

// IDs resolves matte-list entries against c's manifest: an entry in angle
// brackets is that ID (ListID); a name is the ID the manifest gives it or,
// where the manifest does not list it, its hash, and then it is also
// listed in unknown (a name misspelt, or absent from this frame).
func (c *Cryptomatte) IDs(entries []string) (ids []uint32, unknown []string) {
	for _, e := range entries {
		if id, ok := ListID(e); ok {
			ids = append(ids, id)
			continue
		}
		id, ok := c.Manifest.ID(e)
		if !ok {
			id = ID(e)
			unknown = append(unknown, e)
		}
		ids = append(ids, id)
	}
	return ids, unknown
}
