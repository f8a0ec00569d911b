package ui

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"flick/engine"
	"flick/export"
	"flick/render"
	"flick/settings"
)

// Every name of every choice list survives settings (validate, save,
// load), and the UI's combos map each label back to its value. (The flags'
// side is main's TestChoiceFlags.)
func TestChoicesRoundTrip(t *testing.T) {
	c := Choices()
	path := filepath.Join(t.TempDir(), "settings.json")
	roundTrip := func(set func(*settings.Settings)) {
		t.Helper()
		s := settings.Defaults()
		set(&s)
		if err := settings.Save(path, s, c); err != nil {
			t.Fatal(err)
		}
		if got, err := settings.Load(path, c); err != nil || !reflect.DeepEqual(got, s) {
			t.Errorf("Load after Save = %+v, %v; want %+v", got, err, s)
		}
	}
	if err := settings.Defaults().Validate(c); err != nil {
		t.Errorf("the defaults are not among the choices: %v", err)
	}
	bad := settings.Defaults()
	bad.Loop, bad.Transform, bad.Export.Codec = "bounce", "raw", "gif"
	if err := bad.Validate(c); err == nil || strings.Count(err.Error(), "want one of") != 3 {
		t.Errorf("Validate(loop bounce, transform raw, codec gif) = %v, want three errors", err)
	}

	// Loop modes: the timeline's combo item i is Repeat(i).
	for i, label := range comboLabels(engine.RepeatNames()) {
		r, err := engine.ParseRepeat(label)
		if err != nil || r != engine.Repeat(i) || r.String() != label {
			t.Errorf("loop combo item %d %q parses to %v, %v", i, label, r, err)
		}
		roundTrip(func(s *settings.Settings) { s.Loop = r.String() })
	}
	// Transforms: the Display panel shows String, Settings' combo Name.
	for i, tr := range render.ScreenTransforms() {
		name := render.ScreenTransformNames()[i]
		for _, label := range []string{tr.String(), name} {
			if got, err := render.ParseTransform(label); err != nil || got != tr {
				t.Errorf("transform label %q parses to %v, %v; want %v", label, got, err, tr)
			}
		}
		roundTrip(func(s *settings.Settings) { s.Transform = name })
	}
	// Codecs: the export dialog starts on the settings' codec, and its
	// combo item gives it back.
	for i, label := range comboLabels(export.CodecNames()) {
		var e exportDialog
		e.defaults(settings.Export{Codec: label})
		codec, err := export.ParseCodec(export.CodecNames()[e.codec])
		if err != nil || int(e.codec) != i || string(codec) != label {
			t.Errorf("codec %q: the dialog picks item %d, %v (%v)", label, e.codec, codec, err)
		}
		roundTrip(func(s *settings.Settings) { s.Export.Codec = label })
	}
}

// comboLabels splits what comboItems gives imgui back into labels.
func comboLabels(names []string) []string {
	return strings.Split(strings.TrimSuffix(comboItems(names), "\x00"), "\x00")
}
