package settings

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fullSession is a session whose every field is set, with the sources'
// paths below dir, beside it and far from it.
func fullSession(dir string) Session {
	return Session{
		Sources: []SessionSource{
			{Path: filepath.Join(dir, "plates", "shot.####.exr"), Range: "1001-1048", Offset: -12, Part: "rgba", View: "left",
				Layer: "diffuse", InputCS: "ACEScg", Missing: true},
			{Path: filepath.Join(filepath.Dir(dir), "renders", "comp v002 = final", "comp_v002.%04d.exr"), Range: "1001-1010,1020x2",
				Offset: 3, Part: "part #2", View: "right", Layer: "crypto_object.R", InputCS: "Utility - sRGB - Texture"},
			{Path: "/mnt/show/écran 镜头/plate.@@@@.exr", Range: "-10--1", View: `"quoted" \back\slash`, Layer: " leading and trailing ",
				InputCS: "tab\there"},
		},
		A: 1, B: 2, Compare: "wipe", WipeX: 0.25, WipeY: -0.1, WipeAngle: 33.3, Blend: 1, Gain: -2.5, Sync: "start",
		Frame: -1005, In: -1010, Out: 1048, Loop: "pingpong", Realtime: true, FPS: 23.976023976023978,
		Channels: "luminance", Transform: "rec709", Exposure: 1.0 / 3, Gamma: 2.2, ShowNaN: true, Checker: true,
		OCIOConfig: "ocio://default", Display: "sRGB - Display", View: "ACES 1.0 - SDR Video", Look: "ACES 1.3 Reference Gamut Compression",
	}
}

// TestSessionRoundTrip: WriteSession then ReadSession gives every field
// back (Missing, which is not written, false), whatever the text holds.
func TestSessionRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "show")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	full := fullSession(dir)
	for _, v := range []reflect.Value{reflect.ValueOf(full), reflect.ValueOf(full.Sources[0])} {
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Fatalf("fullSession leaves %s.%s zero: give it a value, and the format a key", v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
	off := fullSession(dir)
	off.Sources = off.Sources[:1]
	off.A, off.B, off.Compare, off.Sync, off.Loop, off.Realtime, off.Exposure, off.Gamma = 0, -1, "", "frame", "once", false, -3, 0.5
	off.OCIOConfig, off.Display, off.View, off.Look = "", "", "", ""
	// The text: sources below and beside the session's folder relative,
	// one far from it absolute.
	for _, tc := range []struct {
		name  string
		s     Session
		lines []string // in the text
	}{
		{"full", full, []string{"flick session 1\n", `path = "plates/shot.####.exr"`, `path = "../renders/comp v002 = final/comp_v002.%04d.exr"`,
			`path = "/mnt/show/écran 镜头/plate.@@@@.exr"`, `view = "\"quoted\" \\back\\slash"`, "offset = -12\n", "in = -1010\n"}},
		{"one source, no comparison", off, []string{"b = -1\n", "exposure = -3\n", `compare = ""`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "show.flick")
			if err := WriteSession(path, tc.s); err != nil {
				t.Fatal(err)
			}
			got, err := ReadSession(path)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.s
			want.Sources = append([]SessionSource(nil), tc.s.Sources...)
			for i := range want.Sources {
				want.Sources[i].Missing = false
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back\n%+v\nwrote\n%+v", got, want)
			}
			text, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range tc.lines {
				if !bytes.Contains(text, []byte(line)) {
					t.Errorf("the session file lacks %q:\n%s", line, text)
				}
			}
		})
	}
}

// TestSessionMovedFolder: a project folder holding the session and its
// shots opens from where it was moved to; a source outside it keeps its
// absolute path.
func TestSessionMovedFolder(t *testing.T) {
	root := t.TempDir()
	proj := filepath.Join(root, "x", "y", "proj")
	files := []string{
		filepath.Join(proj, "show", "plates", "shot.1001.exr"),  // below the session's folder
		filepath.Join(proj, "renders", "comp v2", "c.1001.exr"), // beside it
		filepath.Join(proj, "show", "plates", "shot.####.exr"),  // a pattern, written as it is
		filepath.Join(root, "library", "ref", "grey card.exr"),  // far from it
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := fullSession(proj)
	s.Sources = nil
	for _, f := range files {
		s.Sources = append(s.Sources, SessionSource{Path: f})
	}
	if err := WriteSession(filepath.Join(proj, "show", "review.flick"), s); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(root, "elsewhere", "proj")
	if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(proj, moved); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSession(filepath.Join(moved, "show", "review.flick"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Sources) != len(files) {
		t.Fatalf("%d sources, want %d", len(got.Sources), len(files))
	}
	for i, f := range files {
		want := f
		if rest, ok := strings.CutPrefix(f, proj+string(filepath.Separator)); ok {
			want = filepath.Join(moved, rest)
		}
		if got.Sources[i].Path != want {
			t.Errorf("source %d: %s, want %s", i, got.Sources[i].Path, want)
		}
		if _, err := os.Stat(got.Sources[i].Path); err != nil {
			t.Errorf("source %d: %v", i, err)
		}
	}
}

// lineOf returns the 1-based line of text that starts with prefix.
func lineOf(t *testing.T, text, prefix string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("no line starts with %q", prefix)
	return 0
}

// TestSessionCorrupt: each broken session file is a *SessionError naming
// the file, line and key, and the file is left byte for byte as it was.
func TestSessionCorrupt(t *testing.T) {
	dir := t.TempDir()
	s := fullSession(dir)
	good := string(sessionText(dir, s))
	set := func(key, value string) string { // good with key's first line given value instead
		l := lineOf(t, good, key+" = ")
		lines := strings.Split(good, "\n")
		lines[l-1] = key + " = " + value
		return strings.Join(lines, "\n")
	}
	lastSource := strings.LastIndex(good, "[source]")
	for _, tc := range []struct {
		name, text string
		line       int
		key, says  string
	}{
		{"empty", "", 1, "", "empty"},
		{"no version line", good[strings.Index(good, "a = "):], 1, "", `want "flick session 1"`},
		{"a future version", strings.Replace(good, "flick session 1", "flick session 2", 1), 1, "", "newer flick"},
		{"binary junk", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", 1, "", "not a flick session"},
		{"junk after the version", good[:lastSource] + "\x00\x01\x02\xff\xfe junk\n", strings.Count(good[:lastSource], "\n") + 1, "", "want key = value"},
		{"truncated mid-value", good[:strings.Index(good, `"ACEScg"`)+4], lineOf(t, good, "input_cs = "), "input_cs", "quoted value"},
		{"truncated after a key", good[:lastSource] + "[source]\npath = \"x\"\n", strings.Count(good[:lastSource], "\n") + 1, "range", "missing from this [source]"},
		{"a bad line", good + "frame 1001\n", strings.Count(good, "\n") + 1, "", "want key = value"},
		{"a bad whole number", set("offset", "1O"), lineOf(t, good, "offset = "), "offset", "whole number"},
		{"a bad number", set("exposure", "1,5"), lineOf(t, good, "exposure = "), "exposure", "want a number"},
		{"not a number", set("gain", "NaN"), lineOf(t, good, "gain = "), "gain", "want a number"},
		{"infinite", set("wipe_x", "1e400"), lineOf(t, good, "wipe_x = "), "wipe_x", "want a number"},
		{"a bad bool", set("checker", "yes"), lineOf(t, good, "checker = "), "checker", "true or false"},
		{"blend out of bounds", set("blend", "1.5"), lineOf(t, good, "blend = "), "blend", "0 to 1"},
		{"gamma 0", set("gamma", "0"), lineOf(t, good, "gamma = "), "gamma", "above 0"},
		{"fps 0", set("fps", "0"), lineOf(t, good, "fps = "), "fps", "1 to 1000"},
		{"an unknown key", set("a", "0") + "\nzoom = 2\n", strings.Count(good, "\n") + 2, "zoom", "unknown key; a [source] sets path"},
		{"a source key before the first source", strings.Replace(good, "a = 1\n", "a = 1\noffset = 2\n", 1),
			lineOf(t, good, "a = ") + 1, "offset", "unknown key; before the first [source]"},
		{"a key twice", strings.Replace(good, "b = 2\n", "b = 2\nb = 1\n", 1), lineOf(t, good, "b = ") + 1, "b", "given twice (first on line"},
		{"a missing session key", strings.Replace(good, "loop = ", "# loop = ", 1), lineOf(t, good, "[source]"), "loop", "missing"},
		{"a out of range", set("a", "3"), lineOf(t, good, "a = "), "a", "0 to 2"},
		{"b out of range", set("b", "-2"), lineOf(t, good, "b = "), "b", "or -1 for none"},
		{"out before in", set("out", "-2000"), lineOf(t, good, "out = "), "out", "before the in point"},
		{"an empty path", set("path", `""`), lineOf(t, good, "path = "), "path", "empty"},
		{"an unknown section", strings.Replace(good, "[source]", "[sources]", 1), lineOf(t, good, "[source]"), "", "the only section is [source]"},
		{"no source", good[:strings.Index(good, "[source]")], strings.Count(good[:strings.Index(good, "[source]")], "\n"), "", "no [source]"},
		{"a line too long", good + "# " + strings.Repeat("x", 70000) + "\n", strings.Count(good, "\n") + 1, "", "too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "broken.flick")
			if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(path)
			_, err := ReadSession(path)
			var se *SessionError
			if !errors.As(err, &se) || se.Line != tc.line || se.Key != tc.key || !strings.Contains(err.Error(), tc.says) ||
				!strings.Contains(err.Error(), fmt.Sprintf("%s:%d: ", path, tc.line)) {
				t.Errorf("error %v; want line %d key %q saying %q", err, tc.line, tc.key, tc.says)
			}
			after, _ := os.Stat(path)
			if text, _ := os.ReadFile(path); string(text) != tc.text || !after.ModTime().Equal(before.ModTime()) {
				t.Error("reading changed the file")
			}
			if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
				t.Errorf("the folder holds %d files after reading, want 1", len(entries))
			}
		})
	}
	if _, err := ReadSession(filepath.Join(dir, "none.flick")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing session: %v, want not-exist", err)
	}
	if _, err := ReadSession(dir); !errors.As(err, new(*SessionError)) || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("a folder read as a session: %v, want a SessionError saying it is a directory", err)
	}
}

// TestWriteSessionRefused: a session ReadSession would refuse, or a write
// that fails, leaves the file (or folder) at the path as it was.
func TestWriteSessionRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "show.flick")
	if err := WriteSession(path, fullSession(dir)); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, key string
		edit      func(*Session)
	}{
		{"a out of range", "a", func(s *Session) { s.A = 3 }},
		{"b out of range", "b", func(s *Session) { s.B = -2 }},
		{"no source", "", func(s *Session) { s.Sources, s.A, s.B = nil, 0, -1 }},
		{"not a number", "exposure", func(s *Session) { s.Exposure = math.NaN() }},
		{"blend out of bounds", "blend", func(s *Session) { s.Blend = -0.5 }},
		{"a relative path", "path", func(s *Session) { s.Sources[1].Path = "plates/shot.####.exr" }},
		{"an empty path", "path", func(s *Session) { s.Sources[2].Path = "" }},
		{"a name too long", "layer", func(s *Session) { s.Sources[0].Layer = strings.Repeat("x", MaxName+1) }},
	} {
		s := fullSession(dir)
		tc.edit(&s)
		err := WriteSession(path, s)
		var se *SessionError
		if !errors.As(err, &se) || se.Key != tc.key || se.Line != 0 {
			t.Errorf("%s: error %v, want a SessionError for key %q and no line", tc.name, err, tc.key)
		}
		if now, _ := os.ReadFile(path); !bytes.Equal(now, old) {
			t.Errorf("%s: the refused session changed the file", tc.name)
		}
	}
	// A folder where the file would go: the rename fails and the folder
	// keeps what it holds.
	folder := filepath.Join(dir, "shots.flick")
	if err := os.MkdirAll(filepath.Join(folder, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteSession(folder, fullSession(dir)); err == nil {
		t.Error("WriteSession over a folder: no error")
	}
	if fi, err := os.Stat(filepath.Join(folder, "inside")); err != nil || !fi.IsDir() {
		t.Errorf("the folder lost what it held: %v", err)
	}
	if err := WriteSession(filepath.Join(dir, "no such folder", "s.flick"), fullSession(dir)); err == nil {
		t.Error("WriteSession into a missing folder: no error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the folder holds %d entries, want 2 (no temporary files left)", len(entries))
	}
}

// FuzzReadSession: ReadSession never panics, and a session it reads
// writes (here and in another folder) and reads back equal.
func FuzzReadSession(f *testing.F) {
	dir := f.TempDir()
	good := sessionText(dir, fullSession(dir))
	f.Add(good)
	f.Add([]byte("flick session 1\na=0\nb=-1\n[source]\npath = shot.####.exr\n"))
	f.Add([]byte("flick session 2\n"))
	f.Add(bytes.Replace(good, []byte("= 1"), []byte("= 1e400"), -1))
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, text []byte) {
		path := filepath.Join(dir, "in", "s.flick")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, text, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := ReadSession(path)
		if err != nil {
			var se *SessionError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SessionError", err)
			}
			return
		}
		for _, out := range []string{path, filepath.Join(dir, "out", "deeper", "s.flick")} {
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := WriteSession(out, s); err != nil {
				t.Fatalf("WriteSession of what ReadSession read: %v", err)
			}
			again, err := ReadSession(out)
			if err != nil {
				t.Fatalf("ReadSession of what WriteSession wrote: %v", err)
			}
			if !reflect.DeepEqual(again, s) {
				t.Fatalf("read back\n%+v\nread first\n%+v", again, s)
			}
		}
	})
}
