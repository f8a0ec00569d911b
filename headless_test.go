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

// TestHeadlessExportMatchesWindow exports the same frames in a hidden
// window on an X display (--window), and through EGL: with no display, with
// one (EGL is the default as it starts sooner), and with --headless; and in
// a hidden window again where EGL is missing (an empty vendor folder for
// libglvnd) but a display is there. The movies' decoded frames must be the
// same bits.
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
	window := export("window", "a hidden window", []string{"DISPLAY=" + display}, "--window")
	if p := exporttest.PSNR(window[0], window[3], 0, 1, 2); p > 60 {
		t.Fatalf("frames 1 and 4 are alike (PSNR %.1f dB): nothing to compare", p)
	}
	noEGL := "__EGL_VENDOR_LIBRARY_DIRS=" + t.TempDir()
	for _, tc := range []struct {
		name  string
		via   string
		env   []string
		flags []string
	}{
		{"no display", "EGL", nil, nil},
		{"display", "EGL", []string{"DISPLAY=" + display}, nil},
		{"--headless", "EGL", []string{"DISPLAY=" + display}, []string{"--headless"}},
		{"display without EGL", "a hidden window", []string{"DISPLAY=" + display, noEGL}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frames := export(strings.ReplaceAll(strings.Trim(tc.name, "- "), " ", "-"), tc.via, tc.env, tc.flags...)
			for i := range window {
				if !slices.Equal(frames[i], window[i]) {
					t.Errorf("frame %d differs from the window's (PSNR %.1f dB)", i+1, exporttest.PSNR(frames[i], window[i], 0, 1, 2))
				}
			}
		})
	}
	// --headless means EGL or nothing.
	code, _, stderr := runFlickEnv(t, []string{"DISPLAY=" + display, noEGL}, "export", beach, "1-4", "-o", filepath.Join(dir, "none.mov"), "--headless")
	if code != 1 || !strings.Contains(stderr, "no EGL") {
		t.Errorf("--headless without EGL: exit %d, stderr %q; want 1 and 'no EGL'", code, stderr)
	}
}
