package main

import (
	"bytes"
	"strings"
	"testing"

	"flick/engine"
	"flick/export"
	"flick/export/burnin"
)

// flick export's --burnin and --field: templates are checked against the
// standard fields and --field's, whatever the order of the flags; a
// malformed one is a usage error (exit 2) naming it.
func TestExportBurninFlags(t *testing.T) {
	base := []string{"export", "shot.####.exr", "-o", "a.mov"}
	for _, c := range []struct {
		args []string
		ok   bool
		says string
	}{
		{args: []string{"--burnin", "TL={shot} v{version}", "--burnin", "BR={frame}  {tc}"}, ok: true},
		{args: []string{"--burnin", "B={vendor}", "--field", "vendor=ACME"}, ok: true},
		{args: []string{"--burnin", "B={vendor}"}, says: "unknown field {vendor}"},
		{args: []string{"--burnin", "TL={shot"}, says: "unclosed {"},
		{args: []string{"--burnin", "MM=x"}, says: `unknown position "MM"`},
		{args: []string{"--burnin", "TL="}, says: "empty text"},
		{args: []string{"--field", "no value"}, says: "KEY=VALUE"},
	} {
		var stdout, stderr bytes.Buffer
		f, code, ok := parseExportFlags(append(base[1:], c.args...), &stdout, &stderr)
		if c.ok {
			if !ok {
				t.Errorf("%q: exit %d: %s", c.args, code, stderr.String())
			} else if len(f.burnins) == 0 {
				t.Errorf("%q: no burn-ins parsed", c.args)
			}
			continue
		}
		if ok || code != 2 || !strings.Contains(stderr.String(), c.says) {
			t.Errorf("%q: exit %d, %q; want exit 2 naming %q", c.args, code, stderr.String(), c.says)
		}
	}
}

// The fields of an export's frames: the shot and version from the path,
// the whole range, the movie's size and rate, the frame's own number and
// its timecode counting on through the movie (drop frame at 29.97), and
// --field's values over them.
func TestBurninFields(t *testing.T) {
	seq := &engine.Sequence{Dir: "/shows/x/comp", Prefix: "sh010_comp_v012.", Range: engine.Range{Start: 1001, End: 1100, Step: 1}}
	frames := []int{1001, 1002, 1003}
	for _, c := range []struct {
		fps       export.Rational
		tc2       string // movie frame 2's timecode
		fpsString string
	}{
		{export.Rational{Num: 24, Den: 1}, "00:00:41:19", "24"},
		{export.Rational{Num: 30000, Den: 1001}, "00:00:33;13", "29.97"},
	} {
		fields := burninFields(seq, frames, export.Options{Width: 960, Height: 540, FPS: c.fps}, "sRGB", "diffuse", burnin.Fields{"comment": "edge", "shot": "SH010"})
		got := fields(2)
		want := burnin.Fields{"shot": "SH010", "version": "012", "range": "1001-1100", "fps": c.fpsString, "size": "960x540",
			"view": "sRGB", "layer": "diffuse", "frame": "1003", "tc": c.tc2, "comment": "edge"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("at %s fps: {%s} = %q, want %q", c.fps, k, got[k], v)
			}
		}
		if got["date"] == "" || fields(0)["frame"] != "1001" {
			t.Errorf("fields %v: no date, or frame 0 is not 1001", got)
		}
	}
}
