package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flick/engine/exr"
	"flick/export"
	"flick/export/exporttest"
)

// writeShot writes a six-frame sequence shot.0001-0006.exr in dir whose
// frames 1-3 are 64x48 at 24 fps and frames 4-6 96x48 at 30 fps: a chunk
// that took its parameters from its own first frame would not match.
func writeShot(t *testing.T, dir string) string {
	t.Helper()
	for n := 1; n <= 6; n++ {
		w, fps := 64, 24
		if n > 3 {
			w, fps = 96, 30
		}
		const h = 48
		pix := make([]uint16, w*h*4)
		for i := range w * h {
			// Positive halfs from 2^-7 to just under 1, varying with
			// the pixel and the frame.
			v := uint16(0x2000 + (i*37+n*997)%0x1c00)
			pix[4*i], pix[4*i+1], pix[4*i+2], pix[4*i+3] = v, 0x3c00-v/2, v/2+0x1000, 0x3c00
		}
		if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("shot.%04d.exr", n)), w, h, pix, exr.ZIP, fps); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "shot.####.exr")
}

// TestExportChunksAndJoin exports a shot in two chunks (flick export
// --frames, headless: no display) and joins them (flick join): the chunks
// take size and rate from the whole range, their reports say what they
// hold, and the joined movie decodes to the chunks' frames. Bad chunk
// flags are usage errors; chunks out of order are refused, leaving nothing.
func TestExportChunksAndJoin(t *testing.T) {
	dir := t.TempDir()
	shot := writeShot(t, dir)
	a, b := filepath.Join(dir, "a.mov"), filepath.Join(dir, "b.mov")
	common := []string{"export", shot, "--range", "1-6", "--codec", "h264", "--preset", "veryfast"}
	if code, _, stderr := runFlick(t, append(common, "--frames", "1-3", "-o", a)...); code != 0 {
		t.Fatalf("chunk a: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runFlick(t, append(common, "--frames", "4-6", "-o", b, "--report", filepath.Join(dir, "b.json"))...); code != 0 {
		t.Fatalf("chunk b: exit %d: %s", code, stderr)
	}
	for i, c := range []string{a, b} {
		r, err := export.ReadReport(export.ReportPath(c))
		if err != nil {
			t.Fatal(err)
		}
		s := r.Stream
		if r.Index != 3*i || r.Frames != 3 || r.First != 3*i+1 || r.Last != 3*i+3 || r.ShotFrames != 6 || r.Range != "1-6" ||
			s.Width != 64 || s.Height != 48 || s.FPS != "24/1" || s.Codec != "h264" || len(s.HeadersSHA256) != 64 ||
			s.DecoderDelay == 0 || r.Settings.Preset != "veryfast" || r.Host == "" || r.Flick == "" || r.Seconds.Total <= 0 {
			t.Errorf("report of %s: %+v", c, r)
		}
	}

	out := filepath.Join(dir, "joined.mov")
	code, stdout, stderr := runFlick(t, "join", out, a, b, "--verify", "full")
	if code != 0 {
		t.Fatalf("join: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "6 frames from 2 chunks") || !strings.Contains(stdout, "6 frames decoded") {
		t.Errorf("join says %q", stdout)
	}
	info, err := exporttest.Probe(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Width != 64 || info.Height != 48 || info.Frames != 6 || info.AvgFrameRate.Num() != 24 || info.AvgFrameRate.Den() != 1 {
		t.Errorf("joined movie %+v, want 6 frames of 64x48 at 24 fps", info)
	}
	var got, want [][]uint16
	for _, m := range []struct {
		path string
		to   *[][]uint16
	}{{out, &got}, {a, &want}, {b, &want}} {
		if _, err := exporttest.Decode(m.path, func(_ int, rgba []uint16) error {
			*m.to = append(*m.to, slices.Clone(rgba))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 6 || !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("the joined movie's %d frames are not the chunks' %d", len(got), len(want))
	}

	before, _ := os.ReadDir(dir)
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"short chunk", append(common, "--frames", "1-2", "-o", filepath.Join(dir, "c.mov")), 2, "at least 3"},
		{"outside the range", append(common, "--frames", "5-8", "-o", filepath.Join(dir, "c.mov")), 2, "run of the range's frames"},
		{"report without frames", append(common, "--report", filepath.Join(dir, "c.json"), "-o", filepath.Join(dir, "c.mov")), 2, "--report goes with --frames"},
		{"join one name", []string{"join", filepath.Join(dir, "j.mov")}, 2, "join needs"},
		{"join verify", []string{"join", filepath.Join(dir, "j.mov"), a, b, "--verify", "some"}, 2, "seams or full"},
		{"join out of order", []string{"join", filepath.Join(dir, "j.mov"), b, a}, 1, "chunk " + b + ": starts at frame 4"},
		{"join exists", []string{"join", out, a, b}, 1, "--overwrite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runFlick(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.says) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit %d and one line saying %q", code, stderr, tc.code, tc.says)
			}
		})
	}
	if after, _ := os.ReadDir(dir); len(after) != len(before) {
		t.Errorf("the folder held %d files, after the failures %d", len(before), len(after))
	}
}
