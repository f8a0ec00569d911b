package main

import (
	"fmt"
	"image"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"flick/engine/exr"
	"flick/engine/exr/shared"
	"flick/render"
)

// titleMatte is matte mode's hook in the title: on or off, the frame the
// overlay shows and the selection it shows, the layer, the picks answered,
// the copies made and the selection.
var titleMatte = regexp.MustCompile(`— matte (on|off) frame (-?\d+) shows \[(.*?)\] layer (\S*) picks (\d+) copies (\d+) selection \[(.*?)\] —`)

// matteState is what the title says of matte mode.
type matteState struct {
	on           bool
	frame        int
	shows, layer string
	picks        int
	copies       int
	selection    string
}

func (v *viewer) matte() (s matteState, ok bool) {
	m := titleMatte.FindStringSubmatch(v.title())
	if m == nil {
		return s, false
	}
	s.on, s.shows, s.layer, s.selection = m[1] == "on", m[3], m[4], m[7]
	s.frame, _ = strconv.Atoi(m[2])
	s.picks, _ = strconv.Atoi(m[5])
	s.copies, _ = strconv.Atoi(m[6])
	return s, true
}

// waitMatte waits until matte mode is on, its overlay shows frame's matte
// of the selection want, and picks clicks have been answered.
func (v *viewer) waitMatte(frame, picks int, want string) {
	v.t.Helper()
	v.waitFor(func() bool {
		s, ok := v.matte()
		return ok && s.on && s.frame == frame && s.picks == picks && s.selection == want && s.shows == want
	}, fmt.Sprintf("matte mode on frame %d showing [%s] after %d picks", frame, want, picks))
	v.waitFrames(3) // the overlay drawn is on the screen
}

// chord presses key with mod held, the modifier going down a few UI
// frames before the key: sent at once (xdotool key shift+m), Dear ImGui
// now and then takes the key before the modifier under Xvfb.
func (v *viewer) chord(mod, key string) {
	v.t.Helper()
	v.xdo("keydown", mod)
	v.waitFrames(3)
	v.xdo("key", key)
	v.waitFrames(3)
	v.xdo("keyup", mod)
	v.waitFrames(3)
}

// matteScreen maps a file's pixels to the screen as the fitted viewer
// shows them.
type matteScreen struct {
	view    image.Rectangle
	display image.Rectangle
	cam     render.Camera
}

func newMatteScreen(t *testing.T, v *viewer, path string) matteScreen {
	f, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := f.Header().DisplayWindow
	s := matteScreen{view: v.viewRect(), display: image.Rect(d.MinX, d.MinY, d.MaxX+1, d.MaxY+1)}
	s.cam = render.Fit(s.view.Dx(), s.view.Dy(), s.display)
	return s
}

// at is the screen point at the middle of file pixel (x, y).
func (s matteScreen) at(x, y int) image.Point {
	r := s.cam.View(s.display, image.Rect(x, y, x+1, y+1)).Data
	return s.view.Min.Add(image.Pt(int((r.X0+r.X1)/2), int((r.Y0+r.Y1)/2)))
}

// click clicks file pixel (x, y) with the modifier mod ("" for none).
func (v *viewer) clickPixel(s matteScreen, x, y int, mod string) {
	v.t.Helper()
	p := s.at(x, y)
	v.xdo("mousemove", strconv.Itoa(p.X), strconv.Itoa(p.Y))
	v.waitFrames(3) // the pointer is there before the button goes down
	if mod == "" {
		v.xdo("click", "1")
		return
	}
	v.xdo("keydown", mod)
	v.waitFrames(3) // as chord: the modifier first
	v.xdo("click", "1")
	v.waitFrames(3)
	v.xdo("keyup", mod)
}

// shownShare counts the pixels lit and dimmed, comparing the share of the picture left at each of pts (file pixels) in
// a screenshot with the overlay (on) against one without (off), over the
// points bright enough to tell: 1 lit, matteDim (0.3) dimmed.
func shownShare(t *testing.T, s matteScreen, on, off image.Image, pts []image.Point) (lit, dim int) {
	t.Helper()
	for _, p := range pts {
		q := s.at(p.X, p.Y)
		a, b := colourAt(on, q.X, q.Y), colourAt(off, q.X, q.Y)
		sum := b[0] + b[1] + b[2]
		if sum < 30 { // too dark to tell 30% from 100% in 8 bits
			continue
		}
		r := float64(a[0]+a[1]+a[2]) / float64(sum)
		switch {
		case r > 0.9 && r < 1.1:
			lit++
		case r > 0.2 && r < 0.4:
			dim++
		case r > 1.1 || r < 0.2:
			t.Errorf("pixel %v: %v with the matte, %v without: brighter, or darker than dimmed to 30%%", p, a, b)
		} // else an edge pixel partly covered
	}
	return lit, dim
}

// grid is every step-th pixel of r.
func grid(r image.Rectangle, step int) []image.Point {
	var out []image.Point
	for y := r.Min.Y; y < r.Max.Y; y += step {
		for x := r.Min.X; x < r.Max.X; x += step {
			out = append(out, image.Pt(x, y))
		}
	}
	return out
}

// In matte mode (m) a click on Gaffer's cryptomatte.exr at /cow's pixel of
// oracles.json selects /cow and dims the picture outside its matte;
// Shift+click adds /cow1, Ctrl+click removes it; Ctrl+C copies the
// selection as a matte list that Ctrl+V pastes back.
func TestMattePick(t *testing.T) {
	path := shared.File(t, "cryptomatte", "gaffer/cryptomatte.exr")
	v := startViewer(t, t.TempDir(), path)
	s := newMatteScreen(t, v, path)
	v.overViewer()
	n := v.frame() // a single file's number
	v.waitFrames(3)
	off := v.shot()
	v.key("m")
	v.waitMatte(n, 0, "")
	v.clickPixel(s, 95, 6, "")
	v.waitMatte(n, 1, "/cow")
	on := v.shot()
	// /cow's peak pixel is lit; the rest of the picture, where /cow is
	// not, is dimmed.
	if lit, _ := shownShare(t, s, on, off, []image.Point{{95, 6}}); lit != 1 {
		t.Errorf("/cow's pixel (95,6) is not lit after the click (see %s)", keep(t, on, "cow"))
	}
	if lit, dim := shownShare(t, s, on, off, grid(image.Rect(20, 30, 80, 120), 4)); dim < 20 || lit != 0 {
		t.Errorf("the robot below /cow: %d pixels dimmed, %d lit; want them dimmed (see %s)", dim, lit, keep(t, on, "cow"))
	}

	v.clickPixel(s, 30, 2, "shift")
	v.waitMatte(n, 2, "/cow, /cow1")
	v.chord("ctrl", "c")
	v.waitFor(func() bool { m, _ := v.matte(); return m.copies == 1 }, "the matte list copied")
	v.clickPixel(s, 30, 2, "ctrl")
	v.waitMatte(n, 3, "/cow")
	v.chord("ctrl", "v")
	v.waitMatte(n, 3, "/cow, /cow1")
}

// The selection's matte follows the frame: in the false colour view
// (Shift+M; the CornellBox pair's beauty is black), sphere_?_2 of the
// CornellBox pair is lit in frame 1 and the rest dimmed; frame 2, whose
// own manifest and ranks make its matte, has no sphere_?_2: all of it is
// dimmed.
func TestMatteFollowsFrame(t *testing.T) {
	dir := shared.Dir(t, "cryptomatte")
	path := filepath.Join(dir, "psyop", "cornellBox_CryptoWildcard.####.exr")
	v := startViewer(t, t.TempDir(), path)
	s := newMatteScreen(t, v, filepath.Join(dir, "psyop", "cornellBox_CryptoWildcard.0001.exr"))
	v.overViewer()
	v.waitTitle(func(n int) bool { return n == 1 }, "frame 1")
	sphere := grid(image.Rect(350, 350, 383, 390), 4) // inside sphere_?_2, below its peak pixel (366,308) at its top
	whole := grid(image.Rect(167, 0, 167+626, 540), 24)
	v.key("m")
	v.chord("shift", "m")
	v.waitMatte(1, 0, "")
	v.clickPixel(s, 366, 308, "")
	v.waitMatte(1, 1, "sphere_?_2")
	sel1 := v.shot()
	v.chord("ctrl", "c")
	v.waitFor(func() bool { m, _ := v.matte(); return m.copies == 1 }, "the matte list copied")
	v.clickPixel(s, 366, 308, "ctrl")
	v.waitMatte(1, 2, "")
	all1 := v.shot()
	if lit, dim := shownShare(t, s, sel1, all1, sphere); lit < 5 || dim != 0 {
		t.Errorf("frame 1: sphere_?_2 is %d pixels lit, %d dimmed; want lit (see %s)", lit, dim, keep(t, sel1, "frame1"))
	}
	if _, dim := shownShare(t, s, sel1, all1, whole); dim < 50 {
		t.Errorf("frame 1: %d pixels dimmed outside sphere_?_2 (see %s)", dim, keep(t, sel1, "frame1"))
	}
	v.key("Right")
	v.waitMatte(2, 2, "")
	all2 := v.shot()
	v.chord("ctrl", "v")
	v.waitMatte(2, 2, "sphere_?_2")
	sel2 := v.shot()
	if lit, dim := shownShare(t, s, sel2, all2, whole); lit != 0 || dim < 50 {
		t.Errorf("frame 2: %d pixels lit, %d dimmed; want all dimmed: sphere_?_2 is not in frame 2 (see %s)", lit, dim,
			keep(t, sel2, "frame2"))
	}
}
