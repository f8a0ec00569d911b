package render_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"flick/render"
	"flick/render/rendertest"
)

// TestHeadlessDrawsLikeWindow draws the same pictures through the display
// program into RGBA16 targets, as export does, in this process's context
// and in a child process of this test binary on the other kind (EGL when
// this one is a window, a window when this one is EGL: rendertest picks by
// FLICK_TEST_GL), and requires the same bits: a movie made on a farm node
// equals one made at a workstation.
func TestHeadlessDrawsLikeWindow(t *testing.T) {
	got := drawForComparison(t)
	if n := distinctValues(got); n < 1000 {
		t.Fatalf("%d distinct values drawn: no picture to compare", n)
	}
	if out := os.Getenv("FLICK_TEST_DRAW_OUT"); out != "" {
		// The child: EGL must have had no display to fall back on.
		if rendertest.EGL() && (os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "") {
			t.Fatal("the EGL child has a display")
		}
		if err := os.WriteFile(out, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	out := filepath.Join(t.TempDir(), "pixels")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHeadlessDrawsLikeWindow$", "-test.count=1")
	other := "egl"
	if rendertest.EGL() {
		other = "window"
	}
	cmd.Env = append(os.Environ(), "FLICK_TEST_DRAW_OUT="+out, "FLICK_TEST_GL="+other)
	if other == "egl" {
		cmd.Env = append(cmd.Env, "DISPLAY=", "WAYLAND_DISPLAY=")
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the %s child: %v\n%s", other, err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d bytes here, %d in the %s child", len(got), len(want), other)
	}
	if i := firstDifference(got, want); i >= 0 {
		t.Fatalf("pixels differ from the %s child's at byte %d of %d", other, i, len(got))
	}
	t.Logf("%d bytes of RGBA16 identical here and in the %s child", len(got), other)
}

// distinctValues counts the distinct 16-bit values in b.
func distinctValues(b []byte) int {
	seen := map[uint16]bool{}
	for i := 0; i+1 < len(b); i += 2 {
		seen[binary.LittleEndian.Uint16(b[i:])] = true
	}
	return len(seen)
}

func firstDifference(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// drawForComparison draws a test image whose data window lies inside its
// display window, minified (the box filter) and at 1:1, with every screen
// transform and channel choices, exposure, gamma and the checkerboard,
// uploaded as export does on this renderer and through a copy, into RGBA16
// targets, and returns all of it read back (little-endian).
func drawForComparison(t *testing.T) []byte {
	t.Helper()
	const w, h = 301, 203
	pix := testImage(w, h)
	display := image.Rect(0, 0, 400, 300)
	data := image.Rect(50, 40, 50+w, 40+h)
	var settings []render.Settings
	for _, tr := range render.ScreenTransforms() {
		settings = append(settings, render.Settings{Transform: tr, Exposure: 0.5})
	}
	settings = append(settings,
		render.Settings{Channels: render.ChannelLuminance, Gamma: 1.2, Checker: true},
		render.Settings{Channels: render.ChannelA, KeepAlpha: true, Exposure: -1})
	var all bytes.Buffer
	withDisplay(t, nil, 0, 0, func(d *render.Display, _ *render.Image, _ *render.Target) error {
		modes := []render.UploadMode{render.UploadSync}
		if render.PinnedUploads() {
			modes = append(modes, render.UploadPinned)
		}
		for _, mode := range modes {
			for _, size := range [][2]int{{160, 120}, {400, 300}} {
				for _, s := range settings {
					px, err := drawOne(d, mode, pix, w, h, size[0], size[1], display, data, s)
					if err != nil {
						return err
					}
					binary.Write(&all, binary.LittleEndian, px)
				}
			}
		}
		return nil
	})
	return all.Bytes()
}

// drawOne draws pix in a fresh Image and Target of tw x th. GL goroutine.
func drawOne(d *render.Display, mode render.UploadMode, pix []uint16, w, h, tw, th int, display, data image.Rectangle, s render.Settings) ([]uint16, error) {
	im := render.Image{Mode: mode}
	defer im.Close()
	if err := im.Upload(pix, w, h); err != nil {
		return nil, err
	}
	defer im.Unpin()
	var tg render.Target
	defer tg.Close()
	if err := tg.Resize16(tw, th); err != nil {
		return nil, err
	}
	d.Draw(&tg, &im, render.FitView(tw, th, display, data), s)
	render.Finish()
	out := make([]uint16, 4*tw*th)
	return out, tg.ReadRGBA16(out)
}
