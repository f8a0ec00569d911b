package main

import (
	"bytes"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"flick/export/exporttest"
	"flick/internal/shared"
	"flick/render/rendertest"
	"flick/ui/uitest"
)

// viewer is a flick window on a private X server, driven by real input
// events (xdotool, through the XTEST extension).
type viewer struct {
	t       *testing.T
	display string
	home    string
	cmd     *exec.Cmd
	stderr  bytes.Buffer
	exited  chan error
}

func startViewer(t *testing.T, home string, args ...string) *viewer {
	t.Helper()
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to drive the window (make deps installs it)", tool)
		}
	}
	display, stop, err := rendertest.StartXvfb(1280, 800)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	v := &viewer{t: t, display: display, home: home, exited: make(chan error, 1)}
	v.cmd = exec.Command(flickBinary(t), args...)
	v.cmd.Env = append(os.Environ(), "DISPLAY="+display, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"), "HOME="+home)
	v.cmd.Stderr = &v.stderr
	if err := v.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { v.exited <- v.cmd.Wait() }()
	t.Cleanup(func() {
		v.cmd.Process.Kill()
		select {
		case <-v.exited:
		case <-time.After(10 * time.Second):
		}
	})
	v.waitTitle(func(int) bool { return true }, "a window")
	return v
}

// xdo runs xdotool on the viewer's display.
func (v *viewer) xdo(args ...string) string {
	v.t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+v.display)
	out, err := cmd.CombinedOutput()
	if err != nil && args[0] != "search" {
		v.t.Fatalf("xdotool %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

var titleFrame = regexp.MustCompile(`— frame (-?\d+)$`)

// title is the viewer window's title; "" if there is no window.
func (v *viewer) title() string {
	for _, line := range strings.Split(v.xdo("search", "--name", "^flick — ", "getwindowname"), "\n") {
		if titleFrame.MatchString(line) {
			return line
		}
	}
	return ""
}

// frame reads the frame on screen from the window title; -1 if no window.
func (v *viewer) frame() int {
	if m := titleFrame.FindStringSubmatch(v.title()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return -1
}

// waitTitle waits until the frame in the title satisfies ok.
func (v *viewer) waitTitle(ok func(frame int) bool, what string) int {
	v.t.Helper()
	n := -1
	v.waitFor(func() bool { n = v.frame(); return n >= 0 && ok(n) }, what)
	return n
}

// waitFor waits up to a minute until ok, failing the test if flick exits.
func (v *viewer) waitFor(ok func() bool, what string) {
	v.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-v.exited:
			v.exited <- err
			v.t.Fatalf("flick exited (%v) while waiting for %s: %s", err, what, v.stderr.String())
		case <-time.After(200 * time.Millisecond):
		}
		if ok() {
			return
		}
	}
	v.t.Fatalf("timed out waiting for %s (title %q); flick said: %s", what, v.title(), v.stderr.String())
}

// window is the viewer's X window id.
func (v *viewer) window() uint32 {
	v.t.Helper()
	id, err := strconv.ParseUint(strings.Fields(v.xdo("search", "--name", "^flick — "))[0], 10, 32)
	if err != nil {
		v.t.Fatal(err)
	}
	return uint32(id)
}

func (v *viewer) key(keys ...string) {
	v.t.Helper()
	v.xdo(append([]string{"key", "--delay", "80"}, keys...)...)
	time.Sleep(300 * time.Millisecond) // a few UI frames
}

// quit presses Ctrl+Q until flick exits (a key pressed while the window is
// still starting may be missed) and returns how it exited.
func (v *viewer) quit() error {
	v.t.Helper()
	for range 10 {
		v.key("ctrl+q")
		select {
		case err := <-v.exited:
			v.exited <- err
			return err
		case <-time.After(2 * time.Second):
		}
	}
	v.t.Fatalf("Ctrl+Q did not quit; flick said: %s", v.stderr.String())
	return nil
}

func (v *viewer) shot() image.Image {
	v.t.Helper()
	img, err := screenshot(v.display)
	if err != nil {
		v.t.Fatal(err)
	}
	return img
}

// meter finds the cache meter in a screenshot of the default layout: the
// row of the timeline window with the most cached-green pixels, and its
// horizontal extent.
func meter(img image.Image) (y, x0, x1 int) {
	best := 0
	for row := 600; row < 720; row++ {
		n := countColour(img, image.Rect(0, row, 1280, row+1), [3]int{80, 176, 80})
		if n > best {
			best, y = n, row
		}
	}
	x0, x1 = 1280, 0
	for x := range 1280 {
		r, g, b, _ := img.At(x, y).RGBA()
		if r>>8 > 30 || g>>8 > 30 || b>>8 > 30 {
			x0, x1 = min(x0, x), max(x1, x+1)
		}
	}
	return y, x0, x1
}

// meterCell is where frame n's cell of the meter is in a screenshot of
// Beachball's 8 frames: its row, and a point left of the middle (clear of
// the playhead line).
func meterCell(img image.Image, n int) (x, y int) {
	y, x0, x1 := meter(img)
	return x0 + int((float64(n-1)+0.25)*float64(x1-x0)/8), y
}

// waitMeter waits until frame n's cell of the meter has colour c.
func (v *viewer) waitMeter(n int, c [3]int, what string) {
	v.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		img := v.shot()
		x, y := meterCell(img, n)
		got := colourAt(img, x, y)
		if near(got, c) {
			return
		}
		if time.Now().After(deadline) {
			v.t.Fatalf("meter at frame %d (x %d, y %d) is %v, want %s (see %s)", n, x, y, got, what, keep(v.t, img, "meter"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func colourAt(img image.Image, x, y int) [3]int {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
}

func near(c, want [3]int) bool {
	return abs(c[0]-want[0]) <= 10 && abs(c[1]-want[1]) <= 10 && abs(c[2]-want[2]) <= 10
}

// End to end, with real key presses and mouse drags on Beachball with frame
// 3 missing and frame 5 truncated.
func TestViewerInteraction(t *testing.T) {
	dir := copyBeachball(t)
	home := t.TempDir()
	v := startViewer(t, home, filepath.Join(dir, "singlepart.0001.exr"))
	if n := v.waitTitle(func(n int) bool { return n == 1 }, "frame 1"); n != 1 {
		t.Fatalf("opens on frame %d", n)
	}
	v.xdo("mousemove", "500", "300") // over the viewer, so keys go to it

	// Prefetch finds the truncated frame 5 broken: the meter shows it red
	// while frame 1 is still on screen.
	v.waitMeter(5, [3]int{224, 48, 48}, "failed red before the playhead reaches frame 5")
	if n := v.frame(); n != 1 {
		t.Fatalf("frame %d on screen before any key was pressed", n)
	}

	// Space plays: the frame counter advances; Space again pauses.
	v.key("space")
	v.waitTitle(func(n int) bool { return n != 1 }, "playback to advance")
	v.key("space")

	// r shows the red channel alone, as grey.
	v.key("r")
	img := v.shot()
	viewer := image.Rect(110, 40, 830, 590)
	coloured, lit := 0, 0
	for y := viewer.Min.Y; y < viewer.Max.Y; y++ {
		for x := viewer.Min.X; x < viewer.Max.X; x++ {
			c := colourAt(img, x, y)
			if c[0]+c[1]+c[2] > 60 {
				lit++
			}
			if (abs(c[0]-c[1]) > 6 || abs(c[1]-c[2]) > 6) && !near(c, [3]int{255, 176, 48}) { // not the outline
				coloured++
			}
		}
	}
	if lit < 5000 || coloured > 50 {
		t.Errorf("after r: %d lit and %d coloured pixels in the viewer, want a grey picture (see %s)",
			lit, coloured, keep(t, img, "red"))
	}
	v.key("r") // back to colour

	// The meter shows frame 3 missing; dragging on the timeline scrubs.
	y, x0, x1 := meter(img)
	// The middle of frame n's cell.
	cell := func(n int) int { return x0 + int((float64(n-1)+0.5)*float64(x1-x0)/8) }
	if x, y := meterCell(img, 3); !near(colourAt(img, x, y), [3]int{112, 112, 112}) {
		t.Errorf("meter at frame 3 (x %d, y %d) is %v, want missing grey (see %s)", x, y, colourAt(img, x, y), keep(t, img, "meter"))
	}
	bar := strconv.Itoa(y - 12)
	v.xdo("mousemove", strconv.Itoa(cell(2)), bar, "mousedown", "1")
	v.xdo("mousemove", strconv.Itoa(cell(6)), bar)
	time.Sleep(200 * time.Millisecond)
	v.xdo("mousemove", strconv.Itoa(cell(7)), bar)
	time.Sleep(200 * time.Millisecond)
	v.xdo("mouseup", "1")
	v.waitTitle(func(n int) bool { return n == 7 }, "the drag to reach frame 7")

	// The truncated frame 5 shows as failed, in the viewer and the meter.
	v.xdo("mousemove", strconv.Itoa(cell(5)), bar, "click", "1")
	v.waitTitle(func(n int) bool { return n == 5 }, "frame 5")
	time.Sleep(500 * time.Millisecond)
	img = v.shot()
	if x, y := meterCell(img, 5); !near(colourAt(img, x, y), [3]int{224, 48, 48}) {
		t.Errorf("meter at frame 5 is %v, want failed red (see %s)", colourAt(img, x, y), keep(t, img, "failed"))
	}
	if n := countColour(img, viewer, [3]int{80, 24, 24}); n < viewer.Dx()*viewer.Dy()/2 {
		t.Errorf("the viewer shows %d pixels of the failed-frame card, want most of it (see %s)", n, keep(t, img, "failed"))
	}
	// Playback goes on past it.
	v.xdo("mousemove", "500", "300")
	v.key("space")
	v.waitTitle(func(n int) bool { return n != 5 }, "playback to go on after the failed frame")
	v.key("space")

	// Ctrl+E opens the export dialog; Enter exports in-out as shown.
	v.key("ctrl+e")
	v.key("Return")
	movie := filepath.Join(dir, "singlepart_review.mov")
	deadline := time.Now().Add(90 * time.Second)
	for {
		if info, err := exporttest.Probe(movie); err == nil {
			if info.Frames != 8 {
				t.Errorf("the exported movie has %d frames, want 8 (missing and failed ones black)", info.Frames)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no movie at %s after Ctrl+E, Enter (see %s); flick said: %s", movie, keep(t, v.shot(), "export"), v.stderr.String())
		}
		time.Sleep(500 * time.Millisecond)
	}

	// Ctrl+Q quits and saves the settings.
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(home, "config", "flick", "settings.json"))
	if err != nil || !strings.Contains(string(data), "singlepart.0001.exr") {
		t.Errorf("settings after quitting (the file opened should be a recent item): %v %s", err, data)
	}
}

// Dropping a folder of frames, then a single file, onto the window opens
// each, through the XDND protocol a file manager speaks.
func TestDropFilesAndFolders(t *testing.T) {
	dir := copyBeachball(t)
	v := startViewer(t, t.TempDir(), shared.File(t, "exr-samples", "ScanLines/Desk.exr"))
	for _, tc := range []struct{ path, title string }{
		{dir, "singlepart.1-8#.exr"},
		{shared.File(t, "exr-samples", "ScanLines/Cannon.exr"), "Cannon.exr"},
	} {
		if err := uitest.Drop(v.display, v.window(), 500, 300, []string{tc.path}, 30*time.Second); err != nil {
			t.Fatalf("drop %s: %v", tc.path, err)
		}
		v.waitFor(func() bool { return strings.Contains(v.title(), tc.title) }, "the dropped "+tc.path+" to open")
	}
	v.quit()
}

// A frame whose file does not answer (its open waits, as on a stalled
// network drive) shows as decoding, and the window goes on: keys step past
// it, pictures are drawn, and Ctrl+Q quits although a decode is stuck.
func TestStalledDriveKeepsTheWindowResponsive(t *testing.T) {
	dir := copyBeachball(t)
	frame5 := filepath.Join(dir, "singlepart.0005.exr")
	info, err := os.Stat(frame5)
	if err != nil {
		t.Fatal(err)
	}
	stall, err := uitest.NewStall(info.Size())
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() {
		if err := stall.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := os.Remove(frame5); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(stall.Path, frame5); err != nil {
		t.Fatal(err)
	}
	v := startViewer(t, t.TempDir(), filepath.Join(dir, "singlepart.0001.exr"))
	v.xdo("mousemove", "500", "300")
	v.waitMeter(5, [3]int{224, 192, 48}, "decoding amber while frame 5's file does not answer")
	if stall.Opens() == 0 {
		t.Fatal("frame 5 shows as decoding but its file was never opened")
	}

	// Step onto frame 5 (it never comes), past it, and back.
	v.key("Right", "Right", "Right", "Right", "Right")
	v.waitTitle(func(n int) bool { return n == 6 }, "frame 6, stepping past the stalled frame 5")
	v.key("Left", "Left")
	v.waitTitle(func(n int) bool { return n == 4 }, "frame 4, stepping back past it")
	img := v.shot()
	if n := distinctColours(img, image.Rect(300, 200, 600, 400)); n < 100 {
		t.Errorf("the viewer shows %d distinct colours with frame 4 on screen, want a picture (see %s)", n, keep(t, img, "stalled"))
	}
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
}

// The v key switches Beachball's view (right, the default, to left and
// back), keeping the RGBA layer: the picture changes, and comes back.
func TestViewSwitchChangesPicture(t *testing.T) {
	v := startViewer(t, t.TempDir(), shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr"))
	v.waitTitle(func(n int) bool { return n == 1 }, "frame 1")
	v.xdo("mousemove", "500", "300")
	viewer := image.Rect(110, 40, 830, 590)
	var right image.Image
	v.waitFor(func() bool { right = v.shot(); return distinctColours(right, viewer) > 100 }, "a picture")
	// A share of the viewer's pixels that differ from ref by more than noise.
	changed := func(img, ref image.Image) float64 {
		n := 0
		for y := viewer.Min.Y; y < viewer.Max.Y; y++ {
			for x := viewer.Min.X; x < viewer.Max.X; x++ {
				c, r := colourAt(img, x, y), colourAt(ref, x, y)
				if abs(c[0]-r[0])+abs(c[1]-r[1])+abs(c[2]-r[2]) > 24 {
					n++
				}
			}
		}
		return float64(n) / float64(viewer.Dx()*viewer.Dy())
	}
	v.key("v")
	var left image.Image
	v.waitFor(func() bool { left = v.shot(); return changed(left, right) > 0.02 }, "the left view to differ from the right")
	v.key("v")
	v.waitFor(func() bool { return changed(v.shot(), right) < 0.002 }, "the right view again")
	if f := changed(left, right); f > 0.5 {
		t.Errorf("%.0f%% of the viewer changed between views, want the same picture seen from another eye (see %s, %s)",
			100*f, keep(t, right, "view-right"), keep(t, left, "view-left"))
	}
	v.quit()
}

// Zoomed out far enough, a mip-mapped file is decoded at a smaller level:
// ColorCodedLevels.exr's levels each have their own colour (level 0 is
// black and white, level 2 magenta), so the colour on screen says which
// level is shown.
func TestZoomOutShowsSmallerLevel(t *testing.T) {
	v := startViewer(t, t.TempDir(), shared.File(t, "exr-samples", "MultiResolution/ColorCodedLevels.exr"))
	v.xdo("mousemove", "470", "320")
	viewer := image.Rect(110, 40, 830, 590)
	magenta := func(img image.Image) int {
		n := 0
		for y := viewer.Min.Y; y < viewer.Max.Y; y++ {
			for x := viewer.Min.X; x < viewer.Max.X; x++ {
				if c := colourAt(img, x, y); c[0] > 150 && c[2] > 150 && c[1] < 60 {
					n++
				}
			}
		}
		return n
	}
	v.waitFor(func() bool { return distinctColours(v.shot(), viewer) > 2 }, "a picture")
	if img := v.shot(); magenta(img) > 0 {
		t.Fatalf("magenta at full zoom, where level 0 is black and white (see %s)", keep(t, img, "level0"))
	}
	// Fit is about 110% here; an eighth of it shows 70 pixels of 512:
	// level 2 (128 pixels) is the smallest that has as many.
	v.key("minus", "minus", "minus")
	v.waitFor(func() bool { return magenta(v.shot()) > 1000 }, "level 2's magenta after zooming out 8x")
	v.quit()
}

// A corrupt settings file gives defaults, a warning, and is left as it was.
func TestCorruptSettingsAreKept(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "config", "flick", "settings.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	corrupt := []byte(`{"fps": 24, "window_width": `)
	if err := os.WriteFile(path, corrupt, 0o644); err != nil {
		t.Fatal(err)
	}
	v := startViewer(t, home, shared.File(t, "exr-samples", "ScanLines/Desk.exr"))
	v.xdo("mousemove", "500", "300")
	v.quit()
	if got, _ := os.ReadFile(path); !bytes.Equal(got, corrupt) {
		t.Errorf("the corrupt settings file was overwritten: %q", got)
	}
	if !strings.Contains(v.stderr.String(), "warning") || !strings.Contains(v.stderr.String(), "settings") {
		t.Errorf("no warning about the settings file: %q", v.stderr.String())
	}
}
