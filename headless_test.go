package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flick/engine/exr/shared"
	"flick/export/exporttest"
	"flick/render/rendertest"
)

// TestHeadlessExportMatchesWindow exports the same frames three times: in
// a hidden window on an X display, through EGL because there is no display,
// and through EGL because --headless asks with a display present; the
// movies' decoded frames must be the same bits.
func TestHeadlessExportMatchesWindow(t *testing.T) {
	display, stop, err := rendertest.StartXvfb(640, 480)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	beach := filepath.Join(shared.File(t, "exr-samples", "Beachball"), "singlepart.#.exr")
	dir := t.TempDir()
	export := func(name, via string, env []string, flags ...string) [][]uint16 {
		t.Helper()
		out := filepath.Join(dir, name+".mov")
		args := append([]string{"export", beach, "1-4", "-o", out, "--width", "512", "--codec", "prores"}, flags...)
		code, _, stderr := runFlickEnv(t, env, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, stderr)
		}
		if !strings.Contains(stderr, "drawn through "+via) {
			t.Errorf("%s: stderr %q does not say it drew through %s", name, stderr, via)
		}
		var frames [][]uint16
		if _, err := exporttest.Decode(out, func(_ int, rgba []uint16) error {
			frames = append(frames, append([]uint16(nil), rgba...))
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(frames) != 4 {
			t.Fatalf("%s: %d frames, want 4", name, len(frames))
		}
		return frames
	}
	window := export("window", "a hidden window", []string{"DISPLAY=" + display})
	if p := exporttest.PSNR(window[0], window[3], 0, 1, 2); p > 60 {
		t.Fatalf("frames 1 and 4 are alike (PSNR %.1f dB): nothing to compare", p)
	}
	for _, tc := range []struct {
		name  string
		env   []string
		flags []string
	}{
		{"no display", nil, nil},
		{"--headless", []string{"DISPLAY=" + display}, []string{"--headless"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			egl := export(strings.Trim(tc.name, "- "), "EGL", tc.env, tc.flags...)
			for i := range window {
				if !slices.Equal(egl[i], window[i]) {
					t.Errorf("frame %d differs from the window's (PSNR %.1f dB)", i+1, exporttest.PSNR(egl[i], window[i], 0, 1, 2))
				}
			}
		})
	}
}
