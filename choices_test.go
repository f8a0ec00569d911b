package main

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flick/export"
	"flick/render"
)

// flick export --help lists exactly the codecs and display transforms the
// export and render packages offer, with the flags' defaults marked; every
// name it lists is accepted, and anything else is a usage error naming
// them all.
func TestChoiceFlags(t *testing.T) {
	var out, stderr bytes.Buffer
	if code := run([]string{"export", "--help"}, &out, &stderr); code != 0 {
		t.Fatalf("export --help: exit %d, %s", code, stderr.String())
	}
	missing := filepath.Join(t.TempDir(), "none.####.exr")
	movie := filepath.Join(t.TempDir(), "out.mov")
	for _, tc := range []struct {
		flag  string
		names []string
		def   string
	}{
		{"--codec", export.CodecNames(), string(defaultCodec)},
		{"--display", render.ScreenTransformNames(), defaultDisplay.Name()},
	} {
		var listed []string
		def := ""
		for line := range strings.SplitSeq(out.String(), "\n") {
			fields := strings.Fields(line)
			if len(fields) < 3 || fields[0] != tc.flag {
				continue
			}
			list, _, _ := strings.Cut(strings.Join(fields[2:], " "), ";") // what follows is about OpenColorIO
			for _, n := range strings.Split(list, ", ") {
				if name, ok := strings.CutSuffix(n, " (default)"); ok {
					n, def = name, name
				}
				listed = append(listed, n)
			}
		}
		if !slices.Equal(listed, tc.names) || def != tc.def {
			t.Errorf("help lists %s %q, default %q; want %q, default %q", tc.flag, listed, def, tc.names, tc.def)
		}
		// Past the flags, a missing sequence is a failure (1), not a usage error (2).
		for _, name := range tc.names {
			stderr.Reset()
			if code := run([]string{"export", missing, "-o", movie, tc.flag, name}, &out, &stderr); code != 1 {
				t.Errorf("%s %s: exit %d (%s), want 1 (no such sequence)", tc.flag, name, code, stderr.String())
			}
		}
		for _, name := range []string{"gif", "raw"} {
			stderr.Reset()
			code := run([]string{"export", missing, "-o", movie, tc.flag, name}, &out, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), strings.Join(tc.names, ", ")) {
				t.Errorf("%s %s: exit %d, %q; want 2 and the list of names", tc.flag, name, code, stderr.String())
			}
		}
	}
}
