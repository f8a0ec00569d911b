package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path string
		want       Settings
		errHas     string
	}{
		{"missing", filepath.Join(dir, "none.json"), Defaults(), ""},
		{"partial", write("partial.json", `{"fps": 25}`), Settings{WindowWidth: 1280, WindowHeight: 720, FPS: 25}, ""},
		{"full", write("full.json", `{"window_width": 1920, "window_height": 1080, "fps": 30, "cache_bytes": 4000000000}`),
			Settings{WindowWidth: 1920, WindowHeight: 1080, FPS: 30, CacheBytes: 4e9}, ""},
		{"negative cache", write("negcache.json", `{"cache_bytes": -1}`), Defaults(), "cache_bytes -1 is negative"},
		{"corrupt", write("corrupt.json", `{"fps": 2`), Defaults(), "unexpected end of JSON"},
		{"invalid", write("invalid.json", `{"fps": 0, "window_width": 10}`), Defaults(), "fps 0 is outside"},
		{"a folder", dir, Defaults(), "is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(tc.path)
			if got != tc.want {
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
	if err := Defaults().Validate(); err != nil {
		t.Fatal(err)
	}
}
