package export

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// validPreset gives every key a value its check takes, a repeatable key
// two.
func validPreset(t *testing.T) *Preset {
	t.Helper()
	good := map[string]string{
		"codec": "hevc", "crf": "23", "speed": "veryfast", "width": "960", "height": "540", "scale": "0.5",
		"fps": "30000/1001", "channels": "luminance", "exposure": "-1.5", "layer": "diffuse", "view": "left",
		"ocio": "ocio://default", "input-cs": "ACEScg", "display": "sRGB - Display", "look": "ACES 1.3 Reference Gamut Compression",
		"slate": "true", "slate-frames": "3", "burnin": "TL={shot} v{version}", "field": "client=ACME", "timecode": "01:00:00:00",
		"matte-layer": "crypto_object", "names": `/cow, "a, b"`, "matte": "grey",
	}
	p := &Preset{Name: "t"}
	for _, k := range PresetKeys() {
		v, ok := good[k]
		if !ok {
			t.Fatalf("no valid value for key %q in the test", k)
		}
		n := 1
		if Repeatable(k) {
			n = 2
		}
		for i := range n {
			if err := p.Add(k, v+strings.Repeat(" x", i), 0); err != nil {
				t.Fatalf("Add(%q, %q): %v", k, v, err)
			}
		}
	}
	return p
}

func TestPresetRoundTrip(t *testing.T) {
	p := validPreset(t)
	path := filepath.Join(t.TempDir(), "studio.preset")
	if err := p.Write(path); err != nil {
		t.Fatal(err)
	}
	q, err := LoadPreset(path)
	if err != nil {
		t.Fatal(err)
	}
	strip := func(es []PresetEntry) [][2]string {
		var kv [][2]string
		for _, e := range es {
			kv = append(kv, [2]string{e.Key, e.Value})
		}
		return kv
	}
	if got, want := strip(q.Entries), strip(p.Entries); !slices.Equal(got, want) {
		t.Errorf("read back %q, wrote %q", got, want)
	}
	// Lines are numbered from the file, after its header comment.
	if q.Entries[0].Line != 2 {
		t.Errorf("first entry on line %d, want 2", q.Entries[0].Line)
	}
	// Set replaces a key's value; Args gives the flags in order.
	q.Set("crf", "30")
	if v, _ := q.Value("crf"); v != "30" || len(q.Values("crf")) != 1 || !slices.Contains(q.Args(), "--crf=30") {
		t.Errorf("after Set crf 30: %q, args %q", q.Values("crf"), q.Args())
	}
	// Write refuses a bad value Set took, and writes nothing.
	q.Set("fps", "fast")
	bad := filepath.Join(t.TempDir(), "bad.preset")
	if err := q.Write(bad); err == nil || !strings.Contains(err.Error(), "fps") {
		t.Errorf("Write with fps fast: %v, want an error naming fps", err)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a bad preset was written")
	}
}

func TestPresetBadLines(t *testing.T) {
	for _, tc := range []struct {
		text      string
		line      int
		key, says string
	}{
		{"codec = h264\ncrf = 52\n", 2, "crf", "0 to 51"},
		{"# c\n\ncodec = mpeg2\n", 3, "codec", "prores"},
		{"speed = quick\n", 1, "speed", "veryfast"},
		{"fps = fast\n", 1, "fps", "frame rate"},
		{"width = -4\n", 1, "width", "whole number"},
		{"scale = 0\n", 1, "scale", "above 0"},
		{"exposure = bright\n", 1, "exposure", "number"},
		{"channels = rgba\n", 1, "channels", "luminance"},
		{"slate = yes please\n", 1, "slate", "true or false"},
		{"slate-frames = 0\n", 1, "slate-frames", "1 to"},
		{"field = no value\n", 1, "field", "KEY=VALUE"},
		{"timecode = 1:00\n", 1, "timecode", "HH:MM:SS:FF"},
		{"output = a.mov\n", 1, "output", "unknown key"},
		{"preset = dailies\n", 1, "preset", "unknown key"},
		{"crf = 20\ncrf = 21\n", 2, "crf", "twice"},
		{"codec h264\n", 1, "", "key = value"},
		{"= h264\n", 1, "", "key = value"},
	} {
		_, err := ParsePreset("studio.preset", []byte(tc.text))
		var pe *PresetError
		if !errors.As(err, &pe) || pe.Line != tc.line || pe.Key != tc.key || !strings.Contains(err.Error(), tc.says) ||
			!strings.Contains(err.Error(), "studio.preset:") {
			t.Errorf("%q: error %v; want line %d key %q saying %q", tc.text, err, tc.line, tc.key, tc.says)
		}
	}
	if _, err := LoadPreset(filepath.Join(t.TempDir(), "none.preset")); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "dailies") {
		t.Errorf("a missing preset: %v; want not-exist, naming the shipped ones", err)
	}
}

func TestShippedPresets(t *testing.T) {
	names := ShippedPresets()
	if !slices.Equal(names, []string{"dailies", "editorial"}) {
		t.Fatalf("shipped presets %q, want dailies and editorial", names)
	}
	for _, n := range names {
		p, err := LoadPreset(n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if len(p.Entries) == 0 {
			t.Errorf("%s sets nothing", n)
		}
	}
	d, _ := LoadPreset("dailies")
	e, _ := LoadPreset("editorial")
	if c, _ := d.Value("codec"); c != string(H264) || !d.Has("slate") {
		t.Errorf("dailies %+v: want h264 with a slate", d.Entries)
	}
	if c, _ := e.Value("codec"); c != string(ProRes) || e.Has("slate") {
		t.Errorf("editorial %+v: want prores without a slate", e.Entries)
	}
}
