package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"flick/engine/exr"
)

// Alt+PageDown and Alt+PageUp walk the versions of the shot shown
// (shot_v001..v003), each in the shot's place at the same frame; past the
// last and the first the status line says so and nothing changes; PageDown
// and PageUp still walk the session's shots. Ctrl+Shift+S saves the
// session under a name typed (.flick added; on an existing file, only once
// the user says to replace it), Ctrl+S again to that file;
// `flick saved.flick` restores it, and saving it again writes the same
// text (every field went through the viewer and back); the folder moved
// whole still opens; a source whose files are gone is a missing shot,
// skipped by PageDown and kept when saved; a broken session file is
// reported (on the command line: file:line, exit 1; dropped on the
// viewer: the status line) and left byte for byte alone.
func TestVersionsAndSessions(t *testing.T) {
	root := t.TempDir()
	proj := filepath.Join(root, "proj")
	if err := os.Mkdir(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	fps := exr.Rational{Num: 24, Den: 1}
	for _, v := range []string{"shot_v001", "shot_v002", "shot_v003"} {
		writeTimecodeShot(t, proj, v, fps, "")
	}
	plate := writeTimecodeShot(t, proj, "plate", fps, "") // 1001-1008
	home := t.TempDir()
	v := startViewer(t, home, filepath.Join(proj, "shot_v002.####.exr"), plate)
	// at waits for shot (from 1) of count, name in the title, at frame.
	at := func(name string, shot, count, frame int, why string) {
		t.Helper()
		v.waitFor(func() bool {
			cur, n, _, _, _, ok := v.shotsOf()
			return ok && cur == shot && n == count && v.frame() == frame && strings.Contains(v.title(), name)
		}, why)
	}
	said := func(text, why string) {
		t.Helper()
		v.waitFor(func() bool { return strings.Contains(v.title(), " — said warning: "+text) }, why)
	}
	at("shot_v002", 1, 2, 1001, "the second version, first")
	v.overViewer()
	v.key("Right", "Right")
	at("shot_v002", 1, 2, 1003, "two frames on")
	v.hold("Page_Down", "Alt_L")
	at("shot_v003", 1, 2, 1003, "Alt+PageDown: the third version in the shot's place, at the same frame")
	v.hold("Page_Down", "Alt_L")
	said("shot_v003.####.exr is the last version", "Alt+PageDown past the last version")
	at("shot_v003", 1, 2, 1003, "the last version stays")
	v.hold("Page_Up", "Alt_L")
	v.hold("Page_Up", "Alt_L")
	at("shot_v001", 1, 2, 1003, "Alt+PageUp twice: the first version")
	v.hold("Page_Up", "Alt_L")
	said("shot_v001.####.exr is the first version", "Alt+PageUp before the first version")
	v.key("Page_Down")
	at("plate", 2, 2, 1003, "PageDown: the session's next shot")
	v.key("Page_Up")
	at("shot_v001", 1, 2, 1003, "PageUp: back to the version shown")

	// Some state to keep: exposure, luminance, an in point, the plate offset
	// by nothing but shown second; then save under a typed name.
	v.key("period", "l", "i", "Right")
	at("shot_v001", 1, 2, 1004, "a frame on from the in point")
	v.hold("s", "Control_L", "Shift_L")
	saved := filepath.Join(proj, "saved.flick")
	v.hold("a", "Control_L")
	v.xdo("type", "--delay", "30", filepath.Join(proj, "saved"))
	v.key("Return")
	v.waitFor(func() bool { return strings.Contains(v.title(), " — session saved.flick — ui ") },
		"the session saved as saved.flick (the extension added)")
	first := readFile(t, saved)
	for _, line := range []string{"a = 0\n", "frame = 1004\n", "in = 1003\n", "exposure = 0.5\n", `channels = "luminance"` + "\n",
		`path = "shot_v001.####.exr"`, `path = "plate.####.exr"`} {
		if !bytes.Contains(first, []byte(line)) {
			t.Errorf("the saved session lacks %q:\n%s", line, first)
		}
	}
	// Ctrl+Shift+S on the session's own file asks before replacing it.
	before, err := os.Stat(saved)
	if err != nil {
		t.Fatal(err)
	}
	v.hold("s", "Control_L", "Shift_L")
	v.key("Return")
	v.waitFrames(4)
	if now, err := os.Stat(saved); err != nil || !os.SameFile(before, now) {
		t.Fatalf("Ctrl+Shift+S, Return replaced %s without asking (%v)", saved, err)
	}
	v.key("Return") // Replace
	v.waitFor(func() bool { now, err := os.Stat(saved); return err == nil && !os.SameFile(before, now) },
		"the session replaced once the user says so")
	// Ctrl+S saves to the same file: one more frame on.
	v.key("Right")
	v.hold("s", "Control_L")
	v.waitFor(func() bool { return bytes.Contains(readFile(t, saved), []byte("frame = 1005\n")) }, "Ctrl+S to save the frame moved")
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
	text := readFile(t, saved)

	// saveAgain opens the session file, checks what it shows, saves it with
	// Ctrl+S and waits until the file has been replaced: its text is then
	// what the viewer restored, read back.
	saveAgain := func(session, name string, shot, count, frame int, why string) []byte {
		t.Helper()
		before, err := os.Stat(session)
		if err != nil {
			t.Fatal(err)
		}
		v = startViewer(t, t.TempDir(), session)
		at(name, shot, count, frame, why)
		v.waitFor(func() bool { return strings.Contains(v.title(), " — session "+filepath.Base(session)) }, "the session's name in the title")
		v.overViewer()
		v.hold("s", "Control_L")
		v.waitFor(func() bool {
			now, err := os.Stat(session)
			return err == nil && !os.SameFile(before, now) // replaced: a temporary file renamed over it
		}, "Ctrl+S to write "+session)
		if err := v.quit(); err != nil {
			t.Errorf("flick exited with %v: %s", err, v.stderr.String())
		}
		return readFile(t, session)
	}
	if again := saveAgain(saved, "shot_v001", 1, 2, 1005, "flick saved.flick: the shot and frame saved"); !bytes.Equal(again, text) {
		t.Errorf("saved again after opening, the session changed:\n%s\nwas\n%s", again, text)
	}

	// The project folder moved whole: its relative paths still open.
	moved := filepath.Join(root, "moved")
	if err := os.Rename(proj, moved); err != nil {
		t.Fatal(err)
	}
	if again := saveAgain(filepath.Join(moved, "saved.flick"), "shot_v001", 1, 2, 1005, "the moved session"); !bytes.Equal(again, text) {
		t.Errorf("the moved session saved again changed:\n%s\nwas\n%s", again, text)
	}

	// The plate gone: it is a missing shot, the rest loads, PageDown skips
	// it, and saving keeps it as it was.
	gone, err := filepath.Glob(filepath.Join(moved, "plate.*.exr"))
	if err != nil || len(gone) == 0 {
		t.Fatalf("the plate's files: %v %v", gone, err)
	}
	for _, f := range gone {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	session := filepath.Join(moved, "saved.flick")
	before, _ = os.Stat(session)
	v = startViewer(t, t.TempDir(), session)
	at("shot_v001", 1, 2, 1005, "the session with its plate gone")
	said("missing: "+filepath.Join(moved, "plate.####.exr"), "the missing plate on the status line")
	v.overViewer()
	v.key("Page_Down")
	at("shot_v001", 1, 2, 1005, "PageDown skips the missing shot")
	v.hold("s", "Control_L")
	v.waitFor(func() bool { now, err := os.Stat(session); return err == nil && !os.SameFile(before, now) }, "Ctrl+S with a shot missing")
	if again := readFile(t, session); !bytes.Equal(again, text) {
		t.Errorf("saved with the plate missing, the session changed:\n%s\nwas\n%s", again, text)
	}

	// A broken session dropped on the viewer: an error on the status line,
	// nothing changes, and the file is left alone.
	bad := filepath.Join(moved, "bad.flick")
	broken := bytes.Replace(text, []byte("frame = 1005"), []byte("frame = 10O5"), 1)
	if err := os.WriteFile(bad, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	v.drop(bad)
	v.waitFor(func() bool { return strings.Contains(v.title(), " — said error: session "+bad+":") }, "the broken session's error")
	at("shot_v001", 1, 2, 1005, "the session as it was")
	if !strings.Contains(v.title(), " — session saved.flick") {
		t.Errorf("the broken file became the session's: %s", v.title())
	}
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
	// On the command line: one line naming file and line, exit 1, no window.
	code, _, stderr := runFlick(t, bad)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "bad.flick:") || !strings.Contains(stderr, "frame") {
		t.Errorf("flick bad.flick: exit %d, stderr %q; want 1 and one line naming the file, line and key", code, stderr)
	}
	if got := readFile(t, bad); !bytes.Equal(got, broken) {
		t.Errorf("the broken session was changed:\n%s", got)
	}
}

// hold presses key with the modifiers mods held (X key names: Alt_L,
// Control_L, Shift_L): they go down and are seen first, as a chord sent at
// once may reach Dear ImGui as the key alone.
func (v *viewer) hold(key string, mods ...string) {
	v.t.Helper()
	v.xdo(append([]string{"keydown"}, mods...)...)
	v.waitFrames(3)
	v.key(key)
	v.xdo(append([]string{"keyup"}, mods...)...)
	v.waitFrames(3)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
