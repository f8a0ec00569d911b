package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/x448/float16"

	"flick/engine/exr"
	"flick/export/exporttest"
	"flick/export/farm"
)

// writeFrames writes frames first to last of a 64x48 sequence whose every
// frame differs (a gradient, and blue from the frame number) into dir and
// returns its pattern.
func writeFrames(t *testing.T, dir string, first, last int) string {
	t.Helper()
	const w, h = 64, 48
	pix := make([]uint16, 4*w*h)
	for n := first; n <= last; n++ {
		for y := range h {
			for x := range w {
				i := 4 * (y*w + x)
				for c, v := range []float32{float32(x) / w, float32(y) / h, float32(n-first) / float32(last-first+1), 1} {
					pix[i+c] = float16.Fromfloat32(v).Bits()
				}
			}
		}
		if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("shot.%04d.exr", n)), w, h, pix, exr.ZIP, 24); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "shot.####.exr")
}

// TestFarmSubmitDryRun plans a 40-frame shot in chunks of 8 without
// submitting: the sbatch commands it prints, the scripts and the manifest
// it writes beside the movie, the parameters pinned from the shot's
// headers, and nothing submitted or exported.
func TestFarmSubmitDryRun(t *testing.T) {
	dir := t.TempDir()
	shot := writeFrames(t, dir, 1, 40)
	out := filepath.Join(dir, "review.mov")
	var stdout, stderr bytes.Buffer
	code := run([]string{"farm", "submit", shot, "--range", "1-40", "-o", out, "--chunk", "8", "--codec", "hevc",
		"--exposure", "0.5", "--dry-run", "--", "--partition=review"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	fd := out + ".farm"
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 2 ||
		lines[0] != "sbatch --parsable --array=0-4 --job-name=flick:review.mov:chunks --output="+fd+"/chunk-%a.log --partition=review "+fd+"/chunk.sh 1-8 9-16 17-24 25-32 33-40" ||
		lines[1] != "sbatch --parsable '--dependency=afterok:$CHUNKS' --kill-on-invalid-dep=yes --job-name=flick:review.mov:join --output="+fd+"/join.log --partition=review "+fd+"/join.sh "+
			fd+"/1-8.mov "+fd+"/9-16.mov "+fd+"/17-24.mov "+fd+"/25-32.mov "+fd+"/33-40.mov" {
		t.Errorf("dry run printed\n%s", stdout.String())
	}
	m, err := farm.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	self, _ = filepath.EvalSymlinks(self)
	// The size from the display window, 24 fps from the files' header,
	// x265's defaults resolved.
	if want := (farm.Movie{Width: 64, Height: 48, FPS: "24", Codec: "hevc", CRF: 18, Preset: "medium"}); m.Movie != want || m.Flick != self || m.Range != "1-40" || m.Slurm != nil {
		t.Errorf("manifest %+v, want movie %+v by %s", m, want, self)
	}
	if c := m.Chunks[1].Command; !slices.Contains(c, "--exposure") || !slices.Contains(c, "0.5") || !slices.Contains(c, "9-16") {
		t.Errorf("chunk 1's command %q lacks the exposure or its frames", c)
	}
	for _, name := range []string{"chunk.sh", "join.sh"} {
		if fi, err := os.Stat(filepath.Join(fd, name)); err != nil || fi.Mode()&0o100 == 0 {
			t.Errorf("%s: %v, want an executable script", name, err)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a dry run made the movie")
	}

	// An OpenColorIO config from $OCIO is pinned with --ocio (a node may
	// have another $OCIO, or none), with the input colour space resolved
	// here (the scene_linear role: a node's picks may differ), the look and
	// a view of its display; a look the config lacks is refused here, not
	// on the nodes.
	t.Setenv("OCIO", "ocio://default")
	graded := filepath.Join(dir, "graded.mov")
	if code := run([]string{"farm", "submit", shot, "-o", graded, "--chunk", "20", "--engine", "manifest",
		"--view", "Un-tone-mapped", "--look", "ACES 1.3 Reference Gamut Compression"}, &stdout, &stderr); code != 0 {
		t.Fatalf("with $OCIO: exit %d: %s", code, stderr.String())
	}
	m, err = farm.ReadManifest(graded)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"--channels", "RGB", "--exposure", "0", "--view", "Un-tone-mapped", "--ocio", "ocio://default",
		"--input-cs", "ACEScg", "--look", "ACES 1.3 Reference Gamut Compression"}; !slices.Equal(m.Flags, want) {
		t.Errorf("flags %q, want %q", m.Flags, want)
	}
	stderr.Reset()
	if code := run([]string{"farm", "submit", shot, "-o", filepath.Join(dir, "bad.mov"), "--chunk", "20", "--engine", "manifest",
		"--look", "Bleach"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), `--look "Bleach"`) {
		t.Errorf("an unknown look: exit %d: %s", code, stderr.String())
	}
	os.Unsetenv("OCIO")

	// --engine manifest writes the manifest alone and says where.
	other := filepath.Join(dir, "other.mov")
	stdout.Reset()
	if code := run([]string{"farm", "submit", shot, "-o", other, "--chunk", "16", "--engine", "manifest"}, &stdout, &stderr); code != 0 {
		t.Fatalf("--engine manifest: exit %d: %s", code, stderr.String())
	}
	var printed submitted
	if err := json.Unmarshal(stdout.Bytes(), &printed); err != nil || printed.Chunks != 3 || printed.Manifest != filepath.Join(other+".farm", "manifest.json") || printed.ChunkJob != "" {
		t.Errorf("--engine manifest printed %s (%v)", stdout.String(), err)
	}
	if entries, err := os.ReadDir(other + ".farm"); err != nil || len(entries) != 1 {
		t.Errorf("--engine manifest wrote %v (%v), want the manifest alone", entries, err)
	}
}

// TestFarmSubmitRefuses checks farm submit's usage errors and those of a
// shots file, which name the file and line; nothing is written for them.
func TestFarmSubmitRefuses(t *testing.T) {
	dir := t.TempDir()
	shot := writeFrames(t, dir, 1, 6)
	out := filepath.Join(dir, "r.mov")
	csv := filepath.Join(dir, "shots.csv")
	for _, tc := range []struct {
		name  string
		args  []string
		code  int
		says  string
		shots string // the shots file's text
	}{
		{"no chunk", []string{shot, "-o", out}, 2, "needs --chunk", ""},
		{"short chunk", []string{shot, "-o", out, "--chunk", "2"}, 2, "at least 3", ""},
		{"engine", []string{shot, "-o", out, "--chunk", "3", "--engine", "tractor"}, 2, "slurm or manifest", ""},
		{"step", []string{shot, "--range", "1-6x2", "-o", out, "--chunk", "3"}, 2, "one range FIRST-LAST", ""},
		{"frames", []string{shot, "-o", out, "--chunk", "3", "--frames", "1-3"}, 2, "no --frames", ""},
		{"export flag", []string{shot, "-o", out, "--chunk", "3", "--codec", "mpeg2"}, 2, "prores", ""},
		{"sbatch options", []string{shot, "-o", out, "--chunk", "3", "--engine", "manifest", "--", "-p", "x"}, 2, "sbatch", ""},
		{"shots line", []string{"--shots", csv, "--chunk", "3", "--dry-run"}, 2, "shots.csv:2: 2 columns", shot + ",1-6," + out + "\n" + shot + ",1-6\n"},
		{"shots flag", []string{"--shots", csv, "--chunk", "3", "--dry-run"}, 2, "shots.csv:3: --fps", shot + ",1-6," + out + "\n\n" + shot + ",1-6," + out + ",fps=fast\n"},
		{"shots missing", []string{"--shots", csv, "--chunk", "3", "--dry-run"}, 1, "shots.csv:2: ", shot + ",1-6," + out + "\n" + filepath.Join(dir, "none.####.exr") + ",1-6," + out + "\n"},
		{"no shots file", []string{"--shots", filepath.Join(dir, "none.csv"), "--chunk", "3"}, 1, "none.csv: no such file", ""},
		{"shots output", []string{"--shots", csv, "-o", out, "--chunk", "3"}, 2, "come from the file", shot + ",1-6," + out + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(csv, []byte(tc.shots), 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"farm", "submit"}, tc.args...), &stdout, &stderr)
			if code != tc.code || !strings.Contains(stderr.String(), tc.says) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, stderr.String(), tc.code, tc.says)
			}
			if _, err := os.Stat(out + ".farm"); err == nil {
				t.Errorf("a refused submission wrote %s.farm", out)
			}
		})
	}
}

// TestExportShots exports a shots file here, one shot after another: a
// line per shot, each movie with its own range and override.
func TestExportShots(t *testing.T) {
	dir := t.TempDir()
	writeFrames(t, dir, 1, 8)
	csv := filepath.Join(dir, "shots.csv")
	if err := os.WriteFile(csv, []byte("sequence,range,output\nshot.####.exr,1-5,a.mov\nshot.####.exr,3-8,b.mov,fps=25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runFlick(t, "export", "--shots", csv, "--codec", "prores")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "[1/2] "+filepath.Join(dir, "a.mov")+": 5 frames") ||
		!strings.HasPrefix(lines[1], "[2/2] "+filepath.Join(dir, "b.mov")+": 6 frames") {
		t.Errorf("stdout %q, want one line per shot", stdout)
	}
	for _, tc := range []struct {
		name   string
		frames int
		fps    int
	}{{"a.mov", 5, 24}, {"b.mov", 6, 25}} {
		info, err := exporttest.Probe(filepath.Join(dir, tc.name))
		if err != nil {
			t.Fatal(err)
		}
		if info.Frames != tc.frames || info.AvgFrameRate.Num() != tc.fps || info.AvgFrameRate.Den() != 1 {
			t.Errorf("%s: %+v, want %d frames at %d fps", tc.name, info, tc.frames, tc.fps)
		}
	}
}
