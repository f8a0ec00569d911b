package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flick/engine/exr"
	"flick/export"
	"flick/export/exporttest"
	"flick/export/farm"
)

// decodeAll decodes every frame of a movie (RGBA 16-bit).
func decodeAll(t *testing.T, path string) [][]uint16 {
	t.Helper()
	var frames [][]uint16
	if _, err := exporttest.Decode(path, func(_ int, rgba []uint16) error {
		frames = append(frames, slices.Clone(rgba))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return frames
}

// TestExportSlate exports a shot with a two-frame slate and without
// (ProRes: every frame encoded on its own, so equal frames decode equal):
// the slate adds two frames unlike the shot's, after which the movie is
// the one without a slate, frame for frame. Cut into two chunks and
// joined, the slated export gives the same frames, the slate in the first
// chunk only.
func TestExportSlate(t *testing.T) {
	dir := t.TempDir()
	shot := writeShot(t, dir)
	common := []string{"export", shot, "--range", "1-6", "--codec", "prores"}
	plain, slated := filepath.Join(dir, "plain.mov"), filepath.Join(dir, "slated.mov")
	if code, _, stderr := runFlick(t, append(common, "-o", plain)...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	slate := []string{"--slate", "--slate-frames", "2"}
	if code, _, stderr := runFlick(t, slices.Concat(common, slate, []string{"-o", slated})...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p, s := decodeAll(t, plain), decodeAll(t, slated)
	if len(p) != 6 || len(s) != 8 {
		t.Fatalf("%d frames without the slate, %d with; want 6 and 8", len(p), len(s))
	}
	for i := range 2 {
		if psnr := exporttest.PSNR(s[i], p[0], 0, 1, 2); psnr > 20 {
			t.Errorf("slate frame %d is like the shot's first (PSNR %.1f dB)", i, psnr)
		}
	}
	if !slices.Equal(s[0], s[1]) {
		t.Error("the slate's two frames differ")
	}
	for i := range p {
		if !slices.Equal(s[i+2], p[i]) {
			t.Errorf("frame %d after the slate differs from frame %d without it", i+2, i)
		}
	}

	// Chunks: the slate goes into the first only, and the join is the
	// slated export.
	a, b := filepath.Join(dir, "a.mov"), filepath.Join(dir, "b.mov")
	for _, c := range [][]string{{"--frames", "1-3", "-o", a}, {"--frames", "4-6", "-o", b}} {
		if code, _, stderr := runFlick(t, slices.Concat(common, slate, c)...); code != 0 {
			t.Fatalf("chunk %s: exit %d: %s", c[1], code, stderr)
		}
	}
	for i, c := range []string{a, b} {
		r, err := export.ReadReport(export.ReportPath(c))
		if err != nil {
			t.Fatal(err)
		}
		if want := 2 * (1 - i); r.Slate != want || r.Frames != 3+want || r.ShotFramesIn() != 3 {
			t.Errorf("report of %s: slate %d, frames %d; want slate %d of %d frames", c, r.Slate, r.Frames, want, 3+want)
		}
	}
	joined := filepath.Join(dir, "joined.mov")
	if code, _, stderr := runFlick(t, "join", joined, a, b); code != 0 {
		t.Fatalf("join: exit %d: %s", code, stderr)
	}
	if j := decodeAll(t, joined); len(j) != len(s) || !slices.EqualFunc(j, s, slices.Equal) {
		t.Errorf("the joined chunks' %d frames are not the slated export's %d", len(j), len(s))
	}
	// A slate in a later chunk does not join.
	if code, _, stderr := runFlick(t, "join", filepath.Join(dir, "bad.mov"), b, a); code != 1 || !strings.Contains(stderr, "starts at frame 4") {
		t.Errorf("chunks out of order: exit %d, %q", code, stderr)
	}
}

// TestExportPresets exports through presets: a shipped one with the
// command line's size and speed over it, saved with --save-preset and
// used again from the file; a preset with a bad value is a usage error
// naming file, line and key, and writes nothing.
func TestExportPresets(t *testing.T) {
	dir := t.TempDir()
	shot := writeShot(t, dir)
	saved := filepath.Join(dir, "studio.preset")
	code, _, stderr := runFlick(t, "export", "--preset", "dailies", "--width", "32", "--speed", "veryfast", "--slate-frames", "2", "--save-preset", saved)
	if code != 0 {
		t.Fatalf("save: exit %d: %s", code, stderr)
	}
	p, err := export.LoadPreset(saved)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"codec": "h264", "crf": "20", "speed": "veryfast", "width": "32", "slate": "true", "slate-frames": "2"} {
		if got, _ := p.Value(k); got != want {
			t.Errorf("saved %s = %q, want %q (%+v)", k, got, want, p.Entries)
		}
	}
	out := filepath.Join(dir, "dailies.mov")
	if code, _, stderr := runFlick(t, "export", shot, "1-3", "-o", out, "--preset", saved); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	if info, err := exporttest.Probe(out); err != nil || info.Codec != "h264" || info.Width != 32 || info.Frames != 5 {
		t.Errorf("movie %+v (%v); want h264, 32 wide, 3 frames and 2 of slate", info, err)
	}
	edit := filepath.Join(dir, "editorial.mov")
	if code, _, stderr := runFlick(t, "export", shot, "1-3", "-o", edit, "--preset", "editorial", "--scale", "0.5"); code != 0 {
		t.Fatalf("editorial: exit %d: %s", code, stderr)
	}
	if info, err := exporttest.Probe(edit); err != nil || info.Codec != "prores" || info.Profile != 3 || info.Width != 32 || info.Frames != 3 {
		t.Errorf("editorial movie %+v (%v); want ProRes 422 HQ, 32 wide, 3 frames", info, err)
	}

	bad := filepath.Join(dir, "bad.preset")
	if err := os.WriteFile(bad, []byte("# studio\ncodec = h264\ncrf = 99\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"export", shot, "-o", filepath.Join(dir, "bad.mov"), "--preset", bad},
		{"export", "--preset", bad, "--save-preset", filepath.Join(dir, "again.preset")},
	} {
		code, _, stderr = runFlick(t, args...)
		if code != 2 || !strings.Contains(stderr, bad+":3: crf:") {
			t.Errorf("%q: exit %d, %q; want exit 2 naming %s:3: crf", args, code, stderr, bad)
		}
	}
	// The command line's own bad value is not saved either.
	if code, _, stderr := runFlick(t, "export", "--fps", "fast", "--save-preset", filepath.Join(dir, "again.preset")); code != 2 || !strings.Contains(stderr, "fps") {
		t.Errorf("--save-preset with --fps fast: exit %d, %q; want exit 2 naming fps", code, stderr)
	}
	for _, name := range []string{"bad.mov", "again.preset"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("a bad preset left %s", name)
		}
	}
}

// TestExportDialogSlate exports from the viewer's dialog with a preset the
// settings name (as flick export --preset, a name that is no encoder speed
// is a preset): its codec, its two-frame slate and its burn-in reach the
// movie, whose frames after the slate are the shot's with the burn-in.
func TestExportDialogSlate(t *testing.T) {
	dir, home := t.TempDir(), t.TempDir()
	shot := writeShot(t, dir)
	preset := filepath.Join(dir, "review.preset")
	if err := os.WriteFile(preset, []byte("codec = prores\nslate = true\nslate-frames = 2\nburnin = BR={frame}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(home, "config", "flick", "settings.json")
	if err := os.MkdirAll(filepath.Dir(config), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, []byte(`{"export": {"codec": "h264", "crf": 18, "preset": "`+preset+`", "scale": 1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	v := startViewer(t, home, shot)
	// The dialog sizes the movie from the frame on screen: wait for it.
	v.overViewer()
	viewer := v.viewRect()
	v.waitFor(func() bool { return distinctColours(v.shot(), viewer) > 100 }, "a picture")
	movie := filepath.Join(dir, "shot_review.mov")
	info := v.exportFromDialog(movie)
	if info.Codec != "prores" || info.Frames != 6+2 {
		t.Errorf("the dialog's movie %+v; want ProRes, 6 frames and 2 of slate", info)
	}
	v.quit()
	frames := decodeAll(t, movie)
	if len(frames) != 8 {
		t.Fatalf("%d frames decoded, want 8", len(frames))
	}
	if !slices.Equal(frames[0], frames[1]) || slices.Equal(frames[1], frames[2]) {
		t.Error("the movie does not start with two equal slate frames before the shot")
	}
	// The shot after the slate is the command line's export of it.
	plain := filepath.Join(dir, "plain.mov")
	if code, _, stderr := runFlick(t, "export", shot, "-o", plain, "--codec", "prores"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The preset's burn-in reaches the dialog's movie: its frames are
	// closer to the command line's with the same burn-in than without.
	burned := filepath.Join(dir, "burned.mov")
	if code, _, stderr := runFlick(t, "export", shot, "-o", burned, "--codec", "prores", "--burnin", "BR={frame}"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	p, b := decodeAll(t, plain), decodeAll(t, burned)
	for i := range 3 { // frames 1-3: the size the dialog took from the frame on screen
		with, without := exporttest.PSNR(frames[i+2], b[i], 0, 1, 2), exporttest.PSNR(frames[i+2], p[i], 0, 1, 2)
		if with < 40 || with < without+3 {
			t.Errorf("frame %d after the slate: PSNR %.1f dB against the command line's frame %d with the preset's burn-in, %.1f dB without",
				i+2, with, i, without)
		}
	}
}

// TestExportSlateTimecode: with a slate the shot's first frame keeps its
// timecode, so the movie's track starts the slate's frames earlier
// (29.97 drop frame back across a minute; --timecode back across an
// hour); chunked, the first chunk starts so and the join too, the second
// chunk at its own first frame's timecode.
func TestExportSlateTimecode(t *testing.T) {
	dir := t.TempDir()
	shot := writeTimecodeShot(t, dir, "tc", exr.Rational{Num: 30000, Den: 1001}, "00:01:00;02")
	plain := writeTimecodeShot(t, dir, "plain", exr.Rational{Num: 24, Den: 1}, "")
	check := func(movie, want string) {
		t.Helper()
		got, ok, err := export.ReadTimecode(movie)
		if err != nil || !ok || got.String() != want {
			t.Errorf("%s: timecode %s (track %v, %v), want %s", filepath.Base(movie), got, ok, err, want)
		}
	}
	export1 := func(name string, args ...string) string {
		t.Helper()
		out := filepath.Join(dir, name+".mov")
		args = append([]string{"export", "-o", out, "--codec", "h264", "--speed", "ultrafast", "--slate", "--slate-frames", "2"}, args...)
		if code, _, stderr := runFlick(t, args...); code != 0 {
			t.Fatalf("flick %s: exit %d: %s", strings.Join(args, " "), code, stderr)
		}
		return out
	}
	check(export1("whole", shot), "00:00:59;28")
	a := export1("a", shot, "--range", "1001-1008", "--frames", "1001-1004")
	b := export1("b", shot, "--range", "1001-1008", "--frames", "1005-1008")
	check(a, "00:00:59;28")
	check(b, "00:01:00;06")
	joined := filepath.Join(dir, "joined.mov")
	if code, _, stderr := runFlick(t, "join", joined, a, b); code != 0 {
		t.Fatalf("join: exit %d: %s", code, stderr)
	}
	check(joined, "00:00:59;28")
	if info, err := exporttest.Probe(joined); err != nil || info.Frames != 10 {
		t.Errorf("joined %+v (%v): want 8 frames and 2 of slate", info, err)
	}
	check(export1("plain", plain, "--timecode", "01:00:00:00"), "00:59:59:22")
}

// TestFarmSubmitPreset: farm submit resolves a preset like flick export
// and pins what it says on every chunk: the movie's codec, quality, speed
// and size in the manifest, the burn-ins, fields and slate as flags (each
// chunk's flick export puts the slate in the first chunk only).
func TestFarmSubmitPreset(t *testing.T) {
	dir := t.TempDir()
	shot := writeFrames(t, dir, 1, 12)
	out := filepath.Join(dir, "dailies.mov")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"farm", "submit", shot, "-o", out, "--chunk", "4", "--engine", "manifest", "--preset", "dailies",
		"--width", "32", "--speed", "veryfast", "--field", "comment=hi"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	m, err := farm.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := (farm.Movie{Width: 32, Height: 24, FPS: "24", Codec: "h264", CRF: 20, Preset: "veryfast"}); m.Movie != want {
		t.Errorf("movie %+v, want %+v", m.Movie, want)
	}
	for _, f := range []string{"--burnin=TL={shot} v{version}", "--burnin=BR={frame}  ({range})", "--field=comment=hi", "--slate=true", "--slate-frames=1"} {
		if !slices.Contains(m.Chunks[2].Command, f) {
			t.Errorf("chunk 2's command %q lacks %s", m.Chunks[2].Command, f)
		}
	}
}
