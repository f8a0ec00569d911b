package burnin

import (
	"errors"
	"strings"
	"testing"
	"time"

	"flick/engine/timecode"
)

func TestParse(t *testing.T) {
	fields := Fields{"shot": "sh010", "version": "012", "frame": "1042", "tc": "01:00:00:10", "vendor": "ACME"}
	extra := Fields{"vendor": "ACME"}
	for _, c := range []struct {
		spec string
		pos  Position
		text string // expanded with fields; "" for an error
		err  string // in the error's text
	}{
		{spec: "TL={shot} v{version}", pos: TL, text: "sh010 v012"},
		{spec: "br={frame}  {tc}", pos: BR, text: "1042  01:00:00:10"},
		{spec: " B =plain text", pos: B, text: "plain text"},
		{spec: "T={{shot}} is {shot}", pos: T, text: "{shot} is sh010"},
		{spec: "R=}}{{", pos: R, text: "}{"},
		{spec: "L={{{frame}}}", pos: L, text: "{1042}"},
		{spec: "TR={vendor}/{comment}", pos: TR, text: "ACME/"}, // a field without a value is empty
		{spec: "BL=a=b", pos: BL, text: "a=b"},
		{spec: "TL={shot", err: "unclosed {"},
		{spec: "TL={sh{ot}", err: "unclosed {"},
		{spec: "TL=shot}", err: "stray }"},
		{spec: "TL={}", err: "empty field"},
		{spec: "TL={nope}", err: "unknown field {nope}"},
		{spec: "TL={Shot}", err: "unknown field {Shot}"},
		{spec: "XX={shot}", err: `unknown position "XX"`},
		{spec: "{shot}", err: "want POSITION=TEXT"},
		{spec: "TL=", err: "empty text"},
		{spec: "TL=  ", err: "empty text"},
		{spec: "", err: "want POSITION=TEXT"},
	} {
		tm, err := Parse(c.spec, extra)
		if c.err != "" {
			var e *Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), c.err) || e.Spec != c.spec {
				t.Errorf("Parse(%q) = %v, want an *Error naming %q", c.spec, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.spec, err)
			continue
		}
		if got := tm.Text(fields); tm.Pos != c.pos || got != c.text {
			t.Errorf("Parse(%q) = %v %q, want %v %q", c.spec, tm.Pos, got, c.pos, c.text)
		}
	}
}

// TestEmptyFieldWords: a word whose fields are all empty is left out with
// its spaces; literal words and words with one value stay.
func TestEmptyFieldWords(t *testing.T) {
	fields := Fields{"shot": "sh010", "frame": "1042", "view": "sRGB - Display / ACES 1.0 - SDR Video"}
	for spec, want := range map[string]string{
		"TL={shot} v{version}":       "sh010",
		"BR={frame}  ({range})":      "1042",
		"T=v{version} {shot}":        "sh010",
		"B=take {comment} of {shot}": "take of sh010",
		"TR={view}":                  "sRGB - Display / ACES 1.0 - SDR Video",
		"L={version}":                "",
		"R={shot}/{version}":         "sh010/",
		"BL=  {frame}  ":             "  1042  ",
	} {
		tm, err := Parse(spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := tm.Text(fields); got != want {
			t.Errorf("%q: %q, want %q", spec, got, want)
		}
	}
	ts, err := ParseAll([]string{"L={version}", "R={shot}"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b := NewRenderer(960, 540, ts).Bands(fields); !b[0].Bounds().Empty() || b[1].Bounds().Empty() {
		t.Errorf("bands %v and %v: want none for the empty text, one for the shot", b[0].Bounds(), b[1].Bounds())
	}
}

func TestParseAllStopsAtTheFirstError(t *testing.T) {
	if _, err := ParseAll([]string{"TL={shot}", "BR={framme}"}, nil); err == nil || !strings.Contains(err.Error(), "{framme}") {
		t.Fatalf("ParseAll = %v, want the error naming {framme}", err)
	}
	ts, err := ParseAll(Defaults, nil)
	if err != nil || len(ts) != len(Defaults) {
		t.Fatalf("ParseAll(Defaults) = %d templates, %v", len(ts), err)
	}
}

func TestParseField(t *testing.T) {
	for _, c := range []struct{ in, key, value, err string }{
		{in: "comment=looks good", key: "comment", value: "looks good"},
		{in: "vendor_2=", key: "vendor_2", value: ""},
		{in: "a=b=c", key: "a", value: "b=c"},
		{in: "novalue", err: "KEY=VALUE"},
		{in: "=x", err: `field name ""`},
		{in: "bad key=x", err: `field name "bad key"`},
		{in: "{x}=y", err: `field name "{x}"`},
	} {
		k, v, err := ParseField(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseField(%q) = %v, want an error naming %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || k != c.key || v != c.value {
			t.Errorf("ParseField(%q) = %q %q %v, want %q %q", c.in, k, v, err, c.key, c.value)
		}
	}
}

func TestShotVersion(t *testing.T) {
	for _, c := range []struct{ dir, prefix, shot, version string }{
		{"/shows/x/comp", "sh010_comp_v012.", "sh010_comp", "012"},
		{"/shows/x", "sh010_v003_beauty.", "sh010_beauty", "003"},
		{"/shows/x", "sh010.V7.", "sh010", "7"},
		{"/shows/x/sh020_v004", "render.", "render", "004"},
		{"/shows/x/sh020_v004", "", "sh020", "004"},
		{"/shows/x", "dev10_plate.", "dev10_plate", ""}, // "v10" inside a word is no version
		{"/shows/x", "shot.", "shot", ""},
	} {
		if s, v := ShotVersion(c.dir, c.prefix); s != c.shot || v != c.version {
			t.Errorf("ShotVersion(%q, %q) = %q, %q, want %q, %q", c.dir, c.prefix, s, v, c.shot, c.version)
		}
	}
}

// The fields of a movie's frames: the shot and version from the path, the
// range, the size and rate, the frame's own number and its timecode
// counting on through the movie (drop frame at 29.97), and the extra
// fields over them.
func TestShotFields(t *testing.T) {
	frames := []int{1001, 1002, 1003}
	for _, c := range []struct {
		num, den int
		tc2      string // movie frame 2's timecode
		fps      string
	}{
		{24, 1, "00:00:41:19", "24"},
		{30000, 1001, "00:00:33;13", "29.97"},
		{24000, 1001, "00:00:41:19", "23.98"},
	} {
		s := Shot{Dir: "/shows/x/comp", Prefix: "sh010_comp_v012.", Range: "1001-1100", Num: c.num, Den: c.den,
			Width: 960, Height: 540, View: "sRGB", Layer: "diffuse", Extra: Fields{"comment": "edge", "shot": "SH010"}}
		fields := s.Fields(frames, time.Date(2026, 12, 5, 23, 0, 0, 0, time.UTC))
		got := fields(2)
		want := Fields{"shot": "SH010", "version": "012", "range": "1001-1100", "fps": c.fps, "size": "960x540",
			"view": "sRGB", "layer": "diffuse", "frame": "1003", "tc": c.tc2, "comment": "edge", "date": "2026-12-05"}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("at %d/%d fps: {%s} = %q, want %q", c.num, c.den, k, got[k], v)
			}
		}
		if fields(0)["frame"] != "1001" || fields(0)["tc"] == got["tc"] {
			t.Errorf("frame 0: %v", fields(0))
		}
	}
}

// TestShotFieldsStart: {tc} counts on from the movie track's start (the
// files' timeCode or --timecode), across a drop-frame minute, not from the
// frame number.
func TestShotFieldsStart(t *testing.T) {
	start, err := timecode.Parse("01:00:59;28")
	if err != nil {
		t.Fatal(err)
	}
	s := Shot{Num: 30000, Den: 1001, Start: &start}
	fields := s.Fields([]int{1001, 1002, 1003}, time.Now())
	for i, want := range []string{"01:00:59;28", "01:00:59;29", "01:01:00;02"} {
		if got := fields(i)["tc"]; got != want {
			t.Errorf("movie frame %d: {tc} = %q, want %q", i, got, want)
		}
	}
	bad := timecode.Timecode{Hours: 1, Frames: 29} // frame 29 does not exist at 25 fps
	if got := (Shot{Num: 25, Den: 1, Start: &bad}).Fields([]int{1}, time.Now())(0)["tc"]; got != "" {
		t.Errorf("a start invalid at the rate gave {tc} = %q, want none", got)
	}
}
