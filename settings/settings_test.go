package settings

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// choices are the names these tests use. The real lists belong to the
// packages that own the concepts; ui's TestChoicesRoundTrip holds settings
// to them.
var choices = Choices{Loop: []string{"loop", "pingpong", "once"}, Transform: []string{"srgb", "rec709"},
	Codec: []string{"h264", "hevc", "prores"}}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	with := func(f func(*Settings)) Settings {
		s := Defaults()
		f(&s)
		return s
	}
	for _, tc := range []struct {
		name, path string
		want       Settings
		errHas     string
	}{
		{"missing", filepath.Join(dir, "none.json"), Defaults(), ""},
		{"partial", write("partial.json", `{"fps": 25}`), with(func(s *Settings) { s.FPS = 25 }), ""},
		{"full", write("full.json", `{"window_width": 1920, "window_height": 1080, "fps": 30, "cache_bytes": 4000000000}`),
			with(func(s *Settings) { s.WindowWidth, s.WindowHeight, s.FPS, s.CacheBytes = 1920, 1080, 30, 4e9 }), ""},
		{"export", write("export.json", `{"export": {"codec": "prores", "crf": 18, "scale": 0.5}, "loop": "pingpong"}`),
			with(func(s *Settings) { s.Export.Codec, s.Export.Scale, s.Loop = "prores", 0.5, "pingpong" }), ""},
		{"bad loop", write("badloop.json", `{"loop": "bounce"}`), Defaults(), "loop \"bounce\""},
		{"bad transform", write("badtransform.json", `{"transform": "aces"}`), Defaults(), "transform \"aces\": want one of srgb, rec709"},
		{"bad codec", write("badcodec.json", `{"export": {"codec": "gif", "scale": 1}}`), Defaults(), "export codec \"gif\""},
		{"negative cache", write("negcache.json", `{"cache_bytes": -1}`), Defaults(), "cache_bytes -1 is negative"},
		{"corrupt", write("corrupt.json", `{"fps": 2`), Defaults(), "unexpected end of JSON"},
		{"invalid", write("invalid.json", `{"fps": 0, "window_width": 10}`), Defaults(), "fps 0 is outside"},
		{"a folder", dir, Defaults(), "is a directory"},
		{"ocio", write("ocio.json", `{"ocio_config": "ocio://default", "ocio_input_picks": {"/s/shot.####.exr": "ACEScct"}, "ocio_follow_default_rule": true}`),
			with(func(s *Settings) {
				s.OCIOConfig, s.InputPicks, s.FollowDefaultRule = "ocio://default", map[string]string{"/s/shot.####.exr": "ACEScct"}, true
			}), ""},
		{"empty pick", write("emptypick.json", `{"ocio_input_picks": {"/s/shot.####.exr": ""}}`), Defaults(), "ocio_input_picks"},
		{"long config", write("longconfig.json", `{"ocio_config": "`+strings.Repeat("a", MaxName+1)+`"}`), Defaults(), "ocio_config is 4097 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(tc.path, choices)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("settings %+v, want %+v", got, tc.want)
			}
			switch {
			case tc.errHas == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)):
				t.Errorf("error %v, want one containing %q", err, tc.errHas)
			}
		})
	}
}

func TestDefaultsAreValid(t *testing.T) {
	if err := Defaults().Validate(choices); err != nil {
		t.Fatal(err)
	}
}

// Save and Load round-trip every field; Save replaces the file whole.
func TestSaveRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flick", "settings.json") // the folder does not exist yet
	s := Defaults()
	s.CacheBytes, s.Workers, s.Realtime, s.Loop, s.Transform = 8<<30, 3, false, "once", "rec709"
	s.Panels = []string{"info", "diagnostics"}
	for i := range MaxRecent + 3 {
		s.AddRecent(filepath.Join("/shots", string(rune('a'+i))))
	}
	s.AddRecent("/shots/c") // again: moves to the front, not twice
	if len(s.Recent) != MaxRecent || s.Recent[0] != "/shots/c" || s.Recent[1] != "/shots/m" {
		t.Fatalf("recent %q", s.Recent)
	}
	s.Export = Export{Codec: "hevc", CRF: 22, Preset: "slow", Scale: 0.5}
	if err := Save(path, s, choices); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path, choices)
	if err != nil || !reflect.DeepEqual(got, s) {
		t.Fatalf("Load after Save = %+v, %v; want %+v", got, err, s)
	}
	bad := s
	bad.FPS = -1
	if err := Save(path, bad, choices); err == nil {
		t.Error("invalid settings were saved")
	}
	if got, err := Load(path, choices); err != nil || !reflect.DeepEqual(got, s) {
		t.Errorf("a refused Save changed the file: %+v, %v", got, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the settings folder holds %d files, want 1 (no temporary files left)", len(entries))
	}
}

// TestPickInput remembers and forgets picks, and keeps at most
// MaxInputPicks of them (a valid settings file whatever the user does).
func TestPickInput(t *testing.T) {
	s := Defaults()
	s.PickInput("/a.####.exr", "ACEScg")
	s.PickInput("/b.####.exr", "ACEScct")
	s.PickInput("/a.####.exr", "lin_ap0")
	if want := map[string]string{"/a.####.exr": "lin_ap0", "/b.####.exr": "ACEScct"}; !reflect.DeepEqual(s.InputPicks, want) {
		t.Fatalf("picks %v, want %v", s.InputPicks, want)
	}
	s.PickInput("/b.####.exr", "")
	if _, ok := s.InputPicks["/b.####.exr"]; ok || len(s.InputPicks) != 1 {
		t.Fatalf("picks %v after forgetting b", s.InputPicks)
	}
	for i := range MaxInputPicks + 5 {
		s.PickInput(fmt.Sprintf("/s%d.####.exr", i), "ACEScg")
	}
	if len(s.InputPicks) != MaxInputPicks || s.InputPicks[fmt.Sprintf("/s%d.####.exr", MaxInputPicks+4)] != "ACEScg" {
		t.Fatalf("%d picks, the last one %q", len(s.InputPicks), s.InputPicks[fmt.Sprintf("/s%d.####.exr", MaxInputPicks+4)])
	}
	if err := s.Validate(choices); err != nil {
		t.Fatal(err)
	}
}

// TestWriteFileMode: a new file is readable by all (0644, not the
// temporary file's 0600: session files and presets are shared), and a
// replaced one keeps its permissions.
func TestWriteFileMode(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "show.flick")
	if err := WriteFile(fresh, []byte("a")); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(dir, "private.flick")
	if err := os.WriteFile(kept, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(kept, []byte("new")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{fresh: 0o644, kept: 0o640} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
		}
	}
}
