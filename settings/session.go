package settings

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Session is a viewer session as a .flick file holds it: plain values only
// (names, numbers, paths). The names (Compare, Sync, Loop, Channels,
// Transform) are not checked here: the packages that own them list them
// and the caller checks, as with Choices.
type Session struct {
	Sources []SessionSource
	A, B    int    // indices into Sources: A shown, B compared (-1: no comparison)
	Compare string // "" (off), or a compare mode name (render.CompareModeNames; the caller validates)
	// WipeX, WipeY and WipeAngle place the wipe line through (x, y), as
	// fractions of A's display window, at an angle in degrees.
	WipeX, WipeY, WipeAngle float64
	Blend                   float64 // blend amount, 0 to 1
	Gain                    float64 // difference gain in stops
	Sync                    string  // "frame" or "start" (the caller validates)
	Frame, In, Out          int     // the timeline's current frame and in/out points (In <= Out)
	Loop                    string
	Realtime                bool
	FPS                     float64 // 1 to 1000
	// The display settings, shared by every source.
	Channels, Transform string
	Exposure            float64 // stops
	Gamma               float64 // above 0
	ShowNaN, Checker    bool
	OCIOConfig          string
	Display, View, Look string // OpenColorIO's display, view and look
}

// SessionSource is one source of a Session.
type SessionSource struct {
	Path   string // absolute in memory; written relative to the session file's folder when it can be
	Range  string // the range given ("1001-1048"; "" the whole sequence)
	Offset int    // frames added to the source's frame numbers when syncing
	// Part, View and Layer select what is shown: the part's name, the
	// stereo view, the layer's name ("" the file's default).
	Part, View, Layer string
	InputCS           string // the input colour space picked ("" the rules decide)
	Missing           bool   // set by the caller when the path no longer exists; not written
}

// SessionVersion is the version of the .flick format this flick reads and
// writes, named on a session file's first line ("flick session 1").
const SessionVersion = 1

// maxUp is how many folders above the session file's a source may lie and
// still be written relative to it: beside it (../plates) or one more up,
// which a project folder moved whole keeps. Higher than that is more
// likely a place of its own (a show's server), which only an absolute
// path finds again.
const maxUp = 2

// SessionError is a session file that cannot be read or written: its
// path, the line and key at fault (0 and "" where none), and why.
type SessionError struct {
	Path string
	Line int
	Key  string
	Err  error
}

func (e *SessionError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("session %s: %s: %v", where, e.Key, e.Err)
	}
	return fmt.Sprintf("session %s: %v", where, e.Err)
}

func (e *SessionError) Unwrap() error { return e.Err }

// sessionField is a key of a session file and the value it sets: a
// *string, *int, *float64 or *bool. check, for a *float64, refuses a
// value out of bounds (nil: any finite number).
type sessionField struct {
	key   string
	ptr   any
	check func(float64) error
}

// fields are s's keys in the order WriteSession writes them.
func (s *Session) fields() []sessionField {
	return []sessionField{
		{key: "a", ptr: &s.A}, {key: "b", ptr: &s.B},
		{key: "compare", ptr: &s.Compare},
		{key: "wipe_x", ptr: &s.WipeX}, {key: "wipe_y", ptr: &s.WipeY}, {key: "wipe_angle", ptr: &s.WipeAngle},
		{key: "blend", ptr: &s.Blend, check: within(0, 1)},
		{key: "gain", ptr: &s.Gain},
		{key: "sync", ptr: &s.Sync},
		{key: "frame", ptr: &s.Frame}, {key: "in", ptr: &s.In}, {key: "out", ptr: &s.Out},
		{key: "loop", ptr: &s.Loop},
		{key: "realtime", ptr: &s.Realtime},
		{key: "fps", ptr: &s.FPS, check: within(1, 1000)},
		{key: "channels", ptr: &s.Channels},
		{key: "transform", ptr: &s.Transform},
		{key: "exposure", ptr: &s.Exposure},
		{key: "gamma", ptr: &s.Gamma, check: func(g float64) error {
			if g <= 0 {
				return errors.New("want a number above 0")
			}
			return nil
		}},
		{key: "show_nan", ptr: &s.ShowNaN},
		{key: "checker", ptr: &s.Checker},
		{key: "ocio_config", ptr: &s.OCIOConfig},
		{key: "ocio_display", ptr: &s.Display}, {key: "ocio_view", ptr: &s.View}, {key: "ocio_look", ptr: &s.Look},
	}
}

// fields are src's keys in the order WriteSession writes them.
func (src *SessionSource) fields() []sessionField {
	return []sessionField{
		{key: "path", ptr: &src.Path},
		{key: "range", ptr: &src.Range},
		{key: "offset", ptr: &src.Offset},
		{key: "part", ptr: &src.Part}, {key: "view", ptr: &src.View}, {key: "layer", ptr: &src.Layer},
		{key: "input_cs", ptr: &src.InputCS},
	}
}

func within(lo, hi float64) func(float64) error {
	return func(f float64) error {
		if f < lo || f > hi {
			return fmt.Errorf("%v: want %v to %v", f, lo, hi)
		}
		return nil
	}
}

// set parses value into f. A text value in double quotes is read with Go's
// escapes (strconv.Unquote); any other is taken as it stands.
func (f sessionField) set(value string) error {
	switch p := f.ptr.(type) {
	case *string:
		if strings.HasPrefix(value, `"`) {
			v, err := strconv.Unquote(value)
			if err != nil {
				return fmt.Errorf("%.40q: a quoted value ends with its closing quote and uses Go's escapes", value)
			}
			value = v
		}
		if len(value) > MaxName {
			return fmt.Errorf("%d bytes long, at most %d", len(value), MaxName)
		}
		*p = value
	case *int:
		n, err := strconv.Atoi(value)
		if err != nil {
			return fmt.Errorf("%.40q: want a whole number", value)
		}
		*p = n
	case *float64:
		x, err := strconv.ParseFloat(value, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%.40q: want a number", value)
		}
		if f.check != nil {
			if err := f.check(x); err != nil {
				return err
			}
		}
		*p = x
	case *bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return fmt.Errorf("%.40q: want true or false", value)
		}
		*p = b
	}
	return nil
}

// text is f's value as set reads it back: text quoted, numbers in the
// fewest digits that give the same number.
func (f sessionField) text() string {
	switch p := f.ptr.(type) {
	case *string:
		return strconv.Quote(*p)
	case *int:
		return strconv.Itoa(*p)
	case *float64:
		return strconv.FormatFloat(*p, 'g', -1, 64)
	case *bool:
		return strconv.FormatBool(*p)
	}
	panic(fmt.Sprintf("session key %s: a %T", f.key, f.ptr))
}

// ReadSession reads the session file at path; sources' relative paths are
// resolved against its folder. Any fault (a first line other than "flick
// session 1", an unknown or repeated key, a missing one, a bad value, A or
// B naming no source) is a *SessionError naming the file, line and key.
// It never writes.
func ReadSession(path string) (Session, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Session{}, &SessionError{Path: path, Err: err}
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, by SessionError
		}
		return Session{}, &SessionError{Path: path, Err: err}
	}
	defer f.Close()
	return parseSession(path, filepath.Dir(abs), f)
}

// sessionBlock is the session's keys or one [source]'s as they are read:
// the line where it starts and the line of each key seen.
type sessionBlock struct {
	fields []sessionField
	line   int // of its [source]; 0 for the session's own keys
	seen   map[string]int
}

func newBlock(fields []sessionField, line int) *sessionBlock {
	return &sessionBlock{fields: fields, line: line, seen: map[string]int{}}
}

// parseSession reads a session file's text; name is what errors call it and
// dir the folder relative paths start from.
func parseSession(name, dir string, r io.Reader) (Session, error) {
	var s Session
	bad := func(line int, key string, format string, args ...any) error {
		return &SessionError{Path: name, Line: line, Key: key, Err: fmt.Errorf(format, args...)}
	}
	sc := bufio.NewScanner(r)
	line := 1
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return Session{}, &SessionError{Path: name, Line: line, Err: err}
		}
		return Session{}, bad(line, "", "empty; a session file starts with %q", versionLine())
	}
	if err := checkVersion(strings.TrimPrefix(sc.Text(), "\ufeff")); err != nil { // a byte order mark an editor may add
		return Session{}, &SessionError{Path: name, Line: line, Err: err}
	}
	top := newBlock(s.fields(), 0)
	cur, src := top, (*SessionSource)(nil)
	// finish checks that the block being read, which ends on line end, has
	// every key and, for a [source], adds it to s.
	finish := func(end int) error {
		for _, f := range cur.fields {
			if _, ok := cur.seen[f.key]; !ok {
				if cur == top {
					return bad(end, f.key, "missing: the session's keys come before the first [source]")
				}
				return bad(cur.line, f.key, "missing from this [source]")
			}
		}
		if src != nil {
			if src.Path == "" {
				return bad(cur.seen["path"], "path", "empty")
			}
			src.Path = absPath(dir, src.Path)
			if len(src.Path) > MaxName {
				return bad(cur.seen["path"], "path", "%d bytes long once resolved, at most %d", len(src.Path), MaxName)
			}
			s.Sources = append(s.Sources, *src)
		}
		return nil
	}
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		switch {
		case t == "" || strings.HasPrefix(t, "#"):
			continue
		case t == "[source]":
			if err := finish(line); err != nil {
				return Session{}, err
			}
			src = &SessionSource{}
			cur = newBlock(src.fields(), line)
			continue
		case strings.HasPrefix(t, "["):
			return Session{}, bad(line, "", "%.40q: the only section is [source]", t)
		}
		key, value, ok := strings.Cut(t, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || key == "" {
			return Session{}, bad(line, "", "%.40q: want key = value", t)
		}
		i := slices.IndexFunc(cur.fields, func(f sessionField) bool { return f.key == key })
		switch {
		case i < 0 && cur == top:
			return Session{}, bad(line, key, "unknown key; before the first [source], a session sets %s", keyList(cur.fields))
		case i < 0:
			return Session{}, bad(line, key, "unknown key; a [source] sets %s", keyList(cur.fields))
		case cur.seen[key] > 0:
			return Session{}, bad(line, key, "given twice (first on line %d)", cur.seen[key])
		}
		if err := cur.fields[i].set(value); err != nil {
			return Session{}, &SessionError{Path: name, Line: line, Key: key, Err: err}
		}
		cur.seen[key] = line
	}
	if err := sc.Err(); err != nil { // a line longer than the scanner's 64 KiB, or a read error
		return Session{}, &SessionError{Path: name, Line: line + 1, Err: err}
	}
	if err := finish(line); err != nil {
		return Session{}, err
	}
	n := len(s.Sources)
	switch {
	case n == 0:
		return Session{}, bad(line, "", "no [source]: a session has at least one")
	case s.A < 0 || s.A >= n:
		return Session{}, bad(top.seen["a"], "a", "%d: want a source's index, 0 to %d", s.A, n-1)
	case s.B < -1 || s.B >= n:
		return Session{}, bad(top.seen["b"], "b", "%d: want a source's index, 0 to %d, or -1 for none", s.B, n-1)
	case s.In > s.Out:
		return Session{}, bad(top.seen["out"], "out", "%d is before the in point %d", s.Out, s.In)
	}
	return s, nil
}

func versionLine() string { return fmt.Sprintf("flick session %d", SessionVersion) }

// checkVersion says what is wrong with a session file's first line.
func checkVersion(first string) error {
	w := strings.Fields(first)
	if len(w) == 3 && w[0] == "flick" && w[1] == "session" {
		v, err := strconv.Atoi(w[2])
		switch {
		case err == nil && v == SessionVersion:
			return nil
		case err == nil && v > SessionVersion:
			return fmt.Errorf("written by a newer flick (session format %d; this flick reads format %d): update flick to open it", v, SessionVersion)
		}
	}
	return fmt.Errorf("not a flick session: the first line is %.40q, want %q", first, versionLine())
}

func keyList(fields []sessionField) string {
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.key
	}
	return strings.Join(keys, ", ")
}

// absPath resolves a path as a session file writes it: slashes, relative
// to dir unless absolute.
func absPath(dir, p string) string {
	p = filepath.FromSlash(p)
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

// relPath is how a session file in dir names the absolute path p: relative
// when p lies below dir or at most maxUp folders above it, else absolute;
// with slashes either way.
func relPath(dir, p string) string {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	up := 0
	for _, part := range strings.Split(filepath.ToSlash(rel), "/") {
		if part == ".." {
			up++
		}
	}
	if up > maxUp {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// sessionText is s as a session file in dir holds it.
func sessionText(dir string, s Session) []byte {
	var b bytes.Buffer
	b.WriteString(versionLine() + "\n")
	b.WriteString("# A flick viewer session (flick FILE.flick opens it; flick's README, \"Sessions\", lists the keys).\n")
	b.WriteString("# Text is quoted with Go's escapes; paths are relative to this file's folder where they can be.\n")
	for _, f := range s.fields() {
		fmt.Fprintf(&b, "%s = %s\n", f.key, f.text())
	}
	for _, src := range s.Sources {
		src.Path = relPath(dir, src.Path)
		b.WriteString("\n[source]\n")
		for _, f := range src.fields() {
			fmt.Fprintf(&b, "%s = %s\n", f.key, f.text())
		}
	}
	return b.Bytes()
}

// WriteSession writes s to the session file at path, sources' paths
// relative to its folder where they can be (Session's Missing is not
// written). It checks s as ReadSession would read it back: a session
// ReadSession refuses is a *SessionError (line 0: a line never written)
// and nothing is written. The write goes through WriteFile, so a failed
// one leaves the file as it was. The caller makes the folder.
func WriteSession(path string, s Session) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return &SessionError{Path: path, Err: err}
	}
	for i, src := range s.Sources {
		if !filepath.IsAbs(src.Path) {
			return &SessionError{Path: path, Key: "path", Err: fmt.Errorf("source %d: %.40q is not absolute", i, src.Path)}
		}
	}
	text := sessionText(filepath.Dir(abs), s)
	if _, err := parseSession(path, filepath.Dir(abs), bytes.NewReader(text)); err != nil {
		var se *SessionError
		if errors.As(err, &se) {
			se.Line = 0
		}
		return err
	}
	if err := WriteFile(path, text); err != nil {
		return &SessionError{Path: path, Err: err}
	}
	return nil
}
