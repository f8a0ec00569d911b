package main

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"flick/engine/exr/shared"
	"flick/export/exporttest"
	"flick/render/ocio"
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
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"), "HOME="+home, "FLICK_TEST_HOOKS=1")
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

var (
	titleFrame = regexp.MustCompile(`— frame (-?\d+)$`)
	// With FLICK_TEST_HOOKS=1 the title also has the UI frames drawn, the
	// viewer's rectangle on the screen and the GL objects and programs
	// render holds.
	titleHooks = regexp.MustCompile(`— ui (\d+) viewer (\d+),(\d+)-(\d+),(\d+) — gl (\d+) objects (\d+) programs — frame -?\d+$`)
)

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
	v.waitWithin(time.Minute, ok, what)
}

// waitWithin waits up to d until ok, failing the test (with a screenshot)
// if flick exits or d passes.
func (v *viewer) waitWithin(d time.Duration, ok func() bool, what string) {
	v.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case err := <-v.exited:
			v.exited <- err
			v.t.Fatalf("flick exited (%v) while waiting for %s: %s", err, what, v.stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
		if ok() {
			return
		}
	}
	v.t.Fatalf("timed out waiting for %s (title %q, see %s); flick said: %s", what, v.title(), keep(v.t, v.shot(), "timeout"),
		v.stderr.String())
}

// hooks reads the test hooks from the title: the UI frames drawn so far
// and the viewer's rectangle on the screen; ok is false if there is no
// window.
func (v *viewer) hooks() (drawn int, viewer image.Rectangle, ok bool) {
	m := titleHooks.FindStringSubmatch(v.title())
	if m == nil {
		return 0, image.Rectangle{}, false
	}
	var n [5]int
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+1])
	}
	return n[0], image.Rect(n[1], n[2], n[3], n[4]), true
}

// waitFrames waits until flick has drawn n more UI frames than it had
// when called. Input sent before the call is seen by the second frame
// after that (the first may have read its input already); a frame that
// acts on it is on the screen once the next one is drawn.
func (v *viewer) waitFrames(n int) {
	v.t.Helper()
	from, _, ok := v.hooks()
	if !ok {
		v.t.Fatalf("no test hooks in the title %q", v.title())
	}
	v.waitFor(func() bool { drawn, _, ok := v.hooks(); return ok && drawn >= from+n },
		fmt.Sprintf("%d more UI frames after frame %d", n, from))
}

// viewRect is the viewer's rectangle on the screen (the picture's area),
// once it has been laid out.
func (v *viewer) viewRect() image.Rectangle {
	v.t.Helper()
	var r image.Rectangle
	v.waitFor(func() bool { _, r, _ = v.hooks(); return r.Dx() > 100 && r.Dy() > 100 }, "the viewer to be laid out")
	return r
}

// overViewer moves the pointer to the middle of the viewer, so that keys
// go to it.
func (v *viewer) overViewer() {
	v.t.Helper()
	c := v.viewRect()
	v.xdo("mousemove", strconv.Itoa((c.Min.X+c.Max.X)/2), strconv.Itoa((c.Min.Y+c.Max.Y)/2))
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

// key presses keys and waits until flick has drawn what they do (Dear
// ImGui takes a key's press and release in separate frames, and a chord's
// keys one by one: up to four frames a key).
func (v *viewer) key(keys ...string) {
	v.t.Helper()
	v.xdo(append([]string{"key", "--delay", "80"}, keys...)...)
	v.waitFrames(3 + 4*len(keys))
}

// quit presses Ctrl+Q until flick exits (a key pressed while the window is
// still starting may be missed) and returns how it exited. Quitting waits
// on no file: 20 seconds is generous.
func (v *viewer) quit() error {
	v.t.Helper()
	for range 10 {
		v.xdo("key", "ctrl+q")
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

// exportFromDialog opens the export dialog (Ctrl+E), starts the export
// (Enter) and waits for the movie, which it probes.
func (v *viewer) exportFromDialog(movie string) exporttest.Info {
	v.t.Helper()
	v.key("ctrl+e")
	v.key("Return")
	var info exporttest.Info
	v.waitWithin(90*time.Second, func() bool {
		var err error
		info, err = exporttest.Probe(movie)
		return err == nil
	}, "a movie at "+movie+" after Ctrl+E, Enter")
	return info
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
// row below the viewer (in the timeline window) with the most cached-green
// pixels, and its horizontal extent.
func (v *viewer) meter(img image.Image) (y, x0, x1 int) {
	best := 0
	width := img.Bounds().Dx()
	for row := v.viewRect().Max.Y; row < img.Bounds().Max.Y; row++ {
		n := countColour(img, image.Rect(0, row, width, row+1), [3]int{80, 176, 80})
		if n > best {
			best, y = n, row
		}
	}
	x0, x1 = width, 0
	for x := range width {
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
func (v *viewer) meterCell(img image.Image, n int) (x, y int) {
	y, x0, x1 := v.meter(img)
	return x0 + int((float64(n-1)+0.25)*float64(x1-x0)/8), y
}

// waitMeter waits until frame n's cell of the meter has colour c.
func (v *viewer) waitMeter(n int, c [3]int, what string) {
	v.t.Helper()
	v.waitFor(func() bool {
		img := v.shot()
		x, y := v.meterCell(img, n)
		return near(colourAt(img, x, y), c)
	}, fmt.Sprintf("the meter at frame %d to be %v: %s", n, c, what))
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
	v.overViewer()

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
	// Home goes to the in point, frame 1: playback may have paused on the
	// missing or the failed frame, which shows a card, not a picture.
	v.key("Home")
	v.waitTitle(func(n int) bool { return n == 1 }, "Home to go to frame 1")

	// r shows the red channel alone, as grey.
	v.key("r")
	img := v.shot()
	viewer := v.viewRect()
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
	y, x0, x1 := v.meter(img)
	// The middle of frame n's cell.
	cell := func(n int) int { return x0 + int((float64(n-1)+0.5)*float64(x1-x0)/8) }
	if x, y := v.meterCell(img, 3); !near(colourAt(img, x, y), [3]int{112, 112, 112}) {
		t.Errorf("meter at frame 3 (x %d, y %d) is %v, want missing grey (see %s)", x, y, colourAt(img, x, y), keep(t, img, "meter"))
	}
	bar := strconv.Itoa(y - 12)
	// Each step of the drag in a UI frame of its own.
	v.xdo("mousemove", strconv.Itoa(cell(2)), bar, "mousedown", "1")
	v.waitFrames(3)
	v.xdo("mousemove", strconv.Itoa(cell(6)), bar)
	v.waitFrames(3)
	v.xdo("mousemove", strconv.Itoa(cell(7)), bar)
	v.waitFrames(3)
	v.xdo("mouseup", "1")
	v.waitTitle(func(n int) bool { return n == 7 }, "the drag to reach frame 7")

	// The truncated frame 5 shows as failed, in the viewer and the meter.
	v.xdo("mousemove", strconv.Itoa(cell(5)), bar, "click", "1")
	v.waitTitle(func(n int) bool { return n == 5 }, "frame 5")
	v.waitFrames(2) // the frame that showed it is on the screen
	img = v.shot()
	if x, y := v.meterCell(img, 5); !near(colourAt(img, x, y), [3]int{224, 48, 48}) {
		t.Errorf("meter at frame 5 is %v, want failed red (see %s)", colourAt(img, x, y), keep(t, img, "failed"))
	}
	if n := countColour(img, viewer, [3]int{80, 24, 24}); n < viewer.Dx()*viewer.Dy()/2 {
		t.Errorf("the viewer shows %d pixels of the failed-frame card, want most of it (see %s)", n, keep(t, img, "failed"))
	}
	// Playback goes on past it.
	v.overViewer()
	v.key("space")
	v.waitTitle(func(n int) bool { return n != 5 }, "playback to go on after the failed frame")
	v.key("space")

	// Ctrl+E opens the export dialog; Enter exports in-out as shown.
	info := v.exportFromDialog(filepath.Join(dir, "singlepart_review.mov"))
	if info.Frames != 8 {
		t.Errorf("the exported movie has %d frames, want 8 (missing and failed ones black)", info.Frames)
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
		v.drop(tc.path)
		v.waitFor(func() bool { return strings.Contains(v.title(), tc.title) }, "the dropped "+tc.path+" to open")
	}
	v.quit()
}

// drop drops path on the middle of the viewer, as a file manager does.
func (v *viewer) drop(path string) {
	v.t.Helper()
	c := v.viewRect()
	if err := uitest.Drop(v.display, v.window(), (c.Min.X+c.Max.X)/2, (c.Min.Y+c.Max.Y)/2, []string{path}, 30*time.Second); err != nil {
		v.t.Fatalf("drop %s: %v", path, err)
	}
}

// A frame whose file does not answer (its open waits, as on a stalled
// network drive) shows as decoding, and the window goes on: keys step past
// it, pictures are drawn. An export over it waits on that file too, and
// neither opening a sequence nor quitting waits for the export: Ctrl+Q
// quits although a decode and an export's read are stuck, and no movie,
// not even a half-written one, is left.
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
	v.overViewer()
	v.waitMeter(5, [3]int{224, 192, 48}, "decoding amber while frame 5's file does not answer")
	if stall.Opens() == 0 {
		t.Fatal("frame 5 shows as decoding but its file was never opened")
	}

	// Step onto frame 5 (it never comes), past it, and back.
	v.key("Right", "Right", "Right", "Right", "Right")
	v.waitTitle(func(n int) bool { return n == 6 }, "frame 6, stepping past the stalled frame 5")
	v.key("Left", "Left")
	v.waitTitle(func(n int) bool { return n == 4 }, "frame 4, stepping back past it")
	v.waitFrames(2) // the frame that showed it is on the screen
	img := v.shot()
	if n := distinctColours(img, v.viewRect()); n < 100 {
		t.Errorf("the viewer shows %d distinct colours with frame 4 on screen, want a picture (see %s)", n, keep(t, img, "stalled"))
	}

	// Files in the folder that are not the frames: a movie, or an export's
	// temporary file.
	others := func() []string {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if ok, _ := filepath.Match("singlepart.[0-9][0-9][0-9][0-9].exr", e.Name()); !ok {
				out = append(out, e.Name())
			}
		}
		return out
	}
	// exportStuck starts an export of the whole range and waits until it
	// has begun its movie and opened frame 5's file, which never answers.
	exportStuck := func() {
		t.Helper()
		opens := stall.Opens()
		// Escape first: the Enter that started an export before also
		// put the dialog's path field in editing, where Enter is text.
		v.key("Escape")
		v.key("ctrl+e")
		v.key("Return")
		v.waitFor(func() bool { return stall.Opens() > opens && len(others()) > 0 },
			"the export to begin its movie and wait on frame 5's file")
	}
	exportStuck()
	// Opening a sequence (this one again) cancels the export without
	// waiting for its read of frame 5: the new sequence opens on its first
	// frame, and the export's temporary file is gone.
	opens := stall.Opens()
	v.drop(dir)
	v.waitTitle(func(n int) bool { return n == 1 }, "the sequence opened again, on frame 1, during the stuck export")
	if left := others(); len(left) > 0 {
		t.Errorf("after opening a sequence during an export, the cancelled export left %q", left)
	}
	// Its loader opens frame 5 ahead of the playhead (and waits), before
	// the next export does.
	v.waitFor(func() bool { return stall.Opens() > opens }, "the reopened sequence to read ahead to frame 5")
	exportStuck()
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
	if left := others(); len(left) > 0 {
		t.Errorf("quitting during an export left %q", left)
	}
}

// The v key switches Beachball's view (right, the default, to left and
// back), keeping the RGBA layer: the picture changes, and comes back.
func TestViewSwitchChangesPicture(t *testing.T) {
	v := startViewer(t, t.TempDir(), shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr"))
	v.waitTitle(func(n int) bool { return n == 1 }, "frame 1")
	v.overViewer()
	viewer := v.viewRect()
	var right image.Image
	v.waitFor(func() bool { right = v.shot(); return distinctColours(right, viewer) > 100 }, "a picture")
	changed := func(img, ref image.Image) float64 { return changedShare(img, ref, viewer) }
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
	v.overViewer()
	viewer := v.viewRect()
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
	v.overViewer()
	v.quit()
	if got, _ := os.ReadFile(path); !bytes.Equal(got, corrupt) {
		t.Errorf("the corrupt settings file was overwritten: %q", got)
	}
	if !strings.Contains(v.stderr.String(), "warning") || !strings.Contains(v.stderr.String(), "settings") {
		t.Errorf("no warning about the settings file: %q", v.stderr.String())
	}
}

// acesCG loads the ACES CG test config (closed when the test ends) and
// returns its path, its displays, the default one, and the input flick
// gives Beachball (half float: the scene_linear role).
func acesCG(t *testing.T) (config string, cfg *ocio.Config, displays []string, display, input string) {
	t.Helper()
	config = shared.File(t, "ocio", "aces-cg/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio")
	cfg, err := ocio.Load(config)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cfg.Close)
	if displays, display, err = cfg.Displays(); err != nil {
		t.Fatal(err)
	}
	if input, err = cfg.CanonicalName("scene_linear"); err != nil {
		t.Fatal(err)
	}
	return config, cfg, displays, display, input
}

// TestOCIOViewer: with $OCIO naming the ACES CG config the viewer draws
// through its default display and view, which the title names with the
// number of displays and views the Display panel offers; d shows the
// display's next view (the picture changes, the title names it) and
// Shift+D the next display. A config of a newer profile says why in the
// status line and the viewer keeps playing through flick's own transform.
func TestOCIOViewer(t *testing.T) {
	config, cfg, displays, display, input := acesCG(t)
	views, view, err := cfg.Views(display, input)
	if err != nil {
		t.Fatal(err)
	}
	nextDisplay := displays[(slices.Index(displays, display)+1)%len(displays)]
	_, nextDisplayView, err := cfg.Views(nextDisplay, input)
	if err != nil {
		t.Fatal(err)
	}
	nextView := views[(slices.Index(views, view)+1)%len(views)]
	beach := shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr")

	t.Setenv("OCIO", config)
	dir := copyBeachball(t) // the export dialog writes beside the frames
	v := startViewer(t, t.TempDir(), filepath.Join(dir, "singlepart.0001.exr"))
	named := func(display, view string) func() bool {
		return func() bool {
			return strings.Contains(v.title(), fmt.Sprintf("— %s / %s — ocio %d displays ", display, view, len(displays)))
		}
	}
	v.waitFor(named(display, view), "the title to name "+display+" / "+view)
	if !strings.Contains(v.title(), fmt.Sprintf(" ocio %d displays %d views ", len(displays), len(views))) {
		t.Errorf("title %q: want the config's %d displays and %d views", v.title(), len(displays), len(views))
	}
	v.overViewer()
	viewer := v.viewRect()
	var before image.Image
	v.waitFor(func() bool { before = v.shot(); return distinctColours(before, viewer) > 100 }, "a picture")
	v.key("d")
	v.waitFor(named(display, nextView), "d to switch to "+nextView)
	v.waitFor(func() bool { return changedShare(v.shot(), before, viewer) > 0.01 }, "the picture to change with the view")
	// The export dialog draws through the viewer's transform and tags the
	// movie for its display (flick's own transforms tag BT.709).
	info := v.exportFromDialog(filepath.Join(dir, "singlepart_review.mov"))
	if info.ColorTransfer != "iec61966-2-1" {
		t.Errorf("the dialog's movie through %s has transfer %q, want iec61966-2-1", display, info.ColorTransfer)
	}
	v.key("Escape")
	v.key("shift+d")
	v.waitFor(named(nextDisplay, nextDisplayView), "Shift+D to switch to "+nextDisplay)
	v.quit()

	t.Setenv("OCIO", shared.File(t, "ocio", "newer-profile/cg-config-v2.1.0_aces-v1.3_ocio-v2.3.ocio"))
	v = startViewer(t, t.TempDir(), beach)
	v.waitFor(func() bool {
		title := v.title()
		return strings.Contains(title, "— said error: OpenColorIO: ") && strings.Contains(title, "needs OpenColorIO 2.3")
	}, "the newer profile's message in the status line")
	if strings.Contains(v.title(), " ocio ") {
		t.Errorf("title %q: a config that failed to load is in use", v.title())
	}
	v.overViewer()
	v.key("space")
	v.waitTitle(func(n int) bool { return n != 1 }, "playback to go on")
	v.quit()
}

// TestOCIOViewSwitchesLeakNothing switches views and displays of the ACES
// CG config in the viewer and counts the GL objects and programs render
// holds (the title's hooks): going back to a view used before builds
// nothing, and past the 8 transforms the viewer keeps, each one evicted
// gives its textures and programs back.
func TestOCIOViewSwitchesLeakNothing(t *testing.T) {
	config, cfg, displays, display, input := acesCG(t)
	views := map[string][]string{}
	pairs := 0
	for _, d := range displays {
		var err error
		if views[d], _, err = cfg.Views(d, input); err != nil {
			t.Fatal(err)
		}
		pairs += len(views[d])
	}
	if pairs <= 8 {
		t.Fatalf("the config offers %d display/view pairs: too few to evict from the viewer's 8", pairs)
	}

	t.Setenv("OCIO", config)
	v := startViewer(t, t.TempDir(), shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr"))
	// shows is the display and view the title names ("" before any).
	shows := func() (string, string) {
		title := v.title()
		for _, d := range displays {
			for _, vw := range views[d] {
				if strings.Contains(title, "— "+d+" / "+vw+" — ") {
					return d, vw
				}
			}
		}
		return "", ""
	}
	v.waitFor(func() bool { d, _ := shows(); return d == display }, "the title to name "+display)
	v.overViewer()
	// press presses key and waits for the title to name the next view
	// (d) or display (shift+d), then for a UI frame drawn after it, so
	// that the counts include its draw.
	press := func(key string) {
		t.Helper()
		d, vw := shows()
		want := func() bool { nd, nv := shows(); return nd != d || nv != vw }
		if key == "d" {
			want = func() bool { nd, nv := shows(); return nd == d && nv == next(views[d], vw) }
		}
		v.key(key)
		v.waitFor(want, key+" to switch from "+d+" / "+vw)
		v.waitFrames(2)
	}
	counts := func() (objects, programs int) {
		t.Helper()
		m := titleHooks.FindStringSubmatch(v.title())
		if m == nil {
			t.Fatalf("title %q has no GL counts", v.title())
		}
		objects, _ = strconv.Atoi(m[6])
		programs, _ = strconv.Atoi(m[7])
		return objects, programs
	}

	// 20 view switches on one display: after the first full round every
	// view's transform is kept, and going round again builds nothing.
	n := len(views[display])
	for range n {
		press("d")
	}
	objects, programs := counts()
	for range 20 - n {
		press("d")
	}
	if o, p := counts(); o > objects || p > programs {
		t.Errorf("after 20 view switches render holds %d GL objects and %d programs, after the first round of %d views %d and %d: transforms are rebuilt or leak",
			o, p, n, objects, programs)
	}

	// Every display/view pair, twice: more than the 8 kept, so the second
	// round rebuilds each one and evicts as many; what it holds after
	// must not grow.
	round := func() {
		for range displays {
			press("shift+d")
			d, _ := shows()
			for range len(views[d]) - 1 {
				press("d")
			}
		}
	}
	round()
	objects, programs = counts()
	round()
	if o, p := counts(); o > objects || p > programs {
		t.Errorf("after a second round of every display/view render holds %d GL objects and %d programs, after the first %d and %d: evicted transforms leak",
			o, p, objects, programs)
	}
	v.quit()
}

// next is the name after cur in names, round.
func next(names []string, cur string) string {
	return names[(slices.Index(names, cur)+1)%len(names)]
}

// changedShare is the share of r's pixels that differ between img and ref
// by more than noise.
func changedShare(img, ref image.Image, r image.Rectangle) float64 {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			c, d := colourAt(img, x, y), colourAt(ref, x, y)
			if abs(c[0]-d[0])+abs(c[1]-d[1])+abs(c[2]-d[2]) > 24 {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}
