package ui

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/render"
)

// fired returns the bindings a frame runs when key (alone) is down with
// held: first pressed, or, with repeating, held long enough to repeat.
func fired(key imgui.Key, held mods, typing, repeating bool) []*binding {
	var out []*binding
	pressed := func(k imgui.Key, repeat bool) bool { return k == key && (repeat || !repeating) }
	for i := range bindings {
		if bindings[i].fires(held, typing, pressed) {
			out = append(out, &bindings[i])
		}
	}
	return out
}

// Every binding has keys, help and an action; no chord is bound twice.
func TestKeyTable(t *testing.T) {
	type keyMods struct {
		key  imgui.Key
		mods mods
	}
	seen := map[keyMods]string{}
	names := map[string]bool{}
	for _, b := range bindings {
		if len(b.chords) == 0 || b.help == "" || b.do == nil {
			t.Errorf("binding %q (%q) lacks keys, help or an action", b.keys(), b.help)
		}
		for _, c := range b.chords {
			if c.name == "" || names[c.name] {
				t.Errorf("chord name %q is empty or used twice", c.name)
			}
			names[c.name] = true
			if other, ok := seen[keyMods{c.key, c.mods}]; ok {
				t.Errorf("%s is bound to %q and %q", c.name, other, b.help)
			}
			seen[keyMods{c.key, c.mods}] = b.help
		}
	}
}

// Each chord runs its binding and only it; held modifiers must match
// exactly; text fields keep every key but the window's; only repeating
// bindings repeat.
func TestKeyDispatch(t *testing.T) {
	for i := range bindings {
		b := &bindings[i]
		for _, c := range b.chords {
			if got := fired(c.key, c.mods, false, false); len(got) != 1 || got[0] != b {
				t.Errorf("%s runs %d bindings, want %q alone", c.name, len(got), b.help)
			}
			if got := fired(c.key, c.mods, true, false); slices.Contains(got, b) != b.typing {
				t.Errorf("%s while typing: runs %q = %v, want %v", c.name, b.help, !b.typing, b.typing)
			}
			if got := fired(c.key, c.mods, false, true); slices.Contains(got, b) != b.repeat {
				t.Errorf("%s held: repeats %q = %v, want %v", c.name, b.help, !b.repeat, b.repeat)
			}
			if got := fired(c.key, c.mods|ctrl|shift, false, false); c.mods != ctrl|shift && slices.Contains(got, b) {
				t.Errorf("%s with Ctrl+Shift also held runs %q", c.name, b.help)
			}
			if got := fired(c.key, c.mods^alt, false, false); slices.Contains(got, b) {
				t.Errorf("%s with Alt toggled runs %q", c.name, b.help)
			}
		}
	}
	// The actions that touch only the app's own state, run on a bare app.
	a := &app{}
	press := func(key imgui.Key, held mods) {
		for _, b := range fired(key, held, false, false) {
			b.do(a)
		}
	}
	press(imgui.KeyQ, 0)
	if a.quit {
		t.Error("q without Ctrl quits")
	}
	press(imgui.KeyQ, ctrl)
	press(imgui.KeySlash, shift)
	press(imgui.KeyR, 0)
	press(imgui.KeyPeriod, 0)
	press(imgui.Key9, shift)
	press(imgui.KeyN, 0)
	if !a.quit || !a.showKeys || a.view.Channels != render.ChannelR || a.view.Exposure != 0.5 || a.view.Gamma != 0.9 || !a.view.ShowNaN {
		t.Errorf("after Ctrl+Q ? r . ( n: quit %v, keys shown %v, view %+v", a.quit, a.showKeys, a.view)
	}
	press(imgui.KeyR, 0)
	press(imgui.Key0, 0)
	if a.view.Channels != render.ChannelsRGB || a.view.Exposure != 0 || a.view.Gamma != 0 {
		t.Errorf("r again and 0: view %+v, want colour, exposure 0, gamma unset", a.view)
	}
	press(imgui.KeyR, 0) // a third time: red alone again
	if a.view.Channels != render.ChannelR {
		t.Errorf("r a third time: channels %v, want red", a.view.Channels)
	}
}

// readmeKey matches a code span of the README's key table: a key between
// backticks, or the backtick key between double backticks and spaces.
var readmeKey = regexp.MustCompile("``\\s(.+?)\\s``|`([^`]+)`")

// The README's key table lists exactly the bindings, and the mouse line.
func TestREADMEKeys(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Keys\n")
	if !ok {
		t.Fatal("README.md has no ## Keys section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	readme := map[string]bool{}
	for line := range strings.SplitSeq(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 4 || !strings.Contains(cells[1], "`") {
			continue // not a row of keys
		}
		var names []string
		for _, m := range readmeKey.FindAllStringSubmatch(cells[1], -1) {
			names = append(names, m[1]+m[2])
		}
		readme[strings.Join(names, " or ")+" | "+strings.TrimSpace(cells[2])] = true
	}
	var want []string
	for i := range bindings {
		row := bindings[i].keys() + " | " + bindings[i].help
		if !readme[row] {
			t.Errorf("README.md lacks the row %q", row)
		}
		delete(readme, row)
		want = append(want, readmeRow(&bindings[i]))
	}
	for row := range readme {
		t.Errorf("README.md lists %q, which is not a binding", row)
	}
	for _, line := range []string{typingHelp(), mouseHelp} {
		if !strings.Contains(strings.Join(strings.Fields(section), " "), line) {
			t.Errorf("README.md's key section lacks %q", line)
		}
	}
	if t.Failed() {
		t.Logf("the table's rows:\n%s", strings.Join(want, "\n"))
	}
}

// readmeRow is b as a row of the README's table.
func readmeRow(b *binding) string {
	names := make([]string, len(b.chords))
	for i, c := range b.chords {
		names[i] = "`" + c.name + "`"
		if c.name == "`" {
			names[i] = "`` ` ``"
		}
	}
	return "| " + strings.Join(names, " or ") + " | " + b.help + " |"
}
