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
// overlay shows and the selection it shows, the layer, the picks answered
// and the selection.
var titleMatte = regexp.MustCompile(`— matte (on|off) frame (-?\d+) shows \[(.*?)\] layer (\S*) picks (\d+) selection \[(.*?)\] —`)

// matteState is what the title says of matte mode.
type matteState struct {
	on           bool
	frame        int
	shows, layer string
	picks        int
	selection    string
}

func (v *viewer) matte() (s matteState, ok bool) {
	m := titleMatte.FindStringSubmatch(v.title())
	if m == nil {
		return s, false
	}
	s.on, s.shows, s.layer, s.selection = m[1] == "on", m[3], m[4], m[6]
	s.frame, _ = strconv.Atoi(m[2])
	s.picks, _ = strconv.Atoi(m[5])
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
	args := []string{"mousemove", strconv.Itoa(p.X), strconv.Itoa(p.Y)}
	if mod != "" {
		args = append(args, "keydown", mod)
	}
	args = append(args, "click", "1")
	if mod != "" {
		args = append(args, "keyup", mod)
	}
	v.xdo(args...)
}

// shown is the share of the picture left at each of pts (file pixels) in
// a screenshot with the overlay (on) against one without (off), over the
// points bright enough to tell: 1 lit, matteDim (0.3) dimmed.
func shownShare(t *testing.T, s matteScreen, on, off image.Image, pts []image.Point) (lit, dim int) {
	t.Helper()
	for _, p := range pts {
		q := s.at(p.X, p.Y)
		a, b := colourAt(on, q.X, q.Y), colourAt(off, q.X, q.Y)
		sum := b[0] + b[1] + b[2]
		if sum < 120 {
			continue
		}
		r := float64(a[0]+a[1]+a[2]) / float64(sum)
		switch {
		case r > 0.95 && r < 1.05:
			lit++
		case r > 0.25 && r < 0.36:
			dim++
		default:
			t.Errorf("pixel %v: %v with the matte, %v without: neither lit nor dimmed to 30%%", p, a, b)
		}
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
	v.waitFrames(3)
	off := v.shot()
	v.key("m")
	v.waitMatte(1, 0, "")
	v.clickPixel(s, 95, 6, "")
	v.waitMatte(1, 1, "/cow")
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
	v.waitMatte(1, 2, "/cow, /cow1")
	v.key("ctrl+c")
	v.clickPixel(s, 30, 2, "ctrl")
	v.waitMatte(1, 3, "/cow")
	v.key("ctrl+v")
	v.waitMatte(1, 3, "/cow, /cow1")
}

// The selection's matte follows the frame: sphere_?_2 of the CornellBox
// pair is in frame 1 only, so its pixels are lit there and dimmed in
// frame 2, whose own manifest and ranks make the matte.
func TestMatteFollowsFrame(t *testing.T) {
	dir := shared.Dir(t, "cryptomatte")
	path := filepath.Join(dir, "psyop", "cornellBox_CryptoWildcard.####.exr")
	v := startViewer(t, t.TempDir(), path)
	s := newMatteScreen(t, v, filepath.Join(dir, "psyop", "cornellBox_CryptoWildcard.0001.exr"))
	v.overViewer()
	v.waitTitle(func(n int) bool { return n == 1 }, "frame 1")
	sphere := grid(image.Rect(356, 298, 377, 319), 3) // about sphere_?_2's peak pixel (366,308)
	shots := func(frame, picks int, want string) (on, off image.Image) {
		v.key("m")
		v.waitMatte(frame, picks, want)
		on = v.shot()
		v.key("m")
		v.waitFor(func() bool { m, ok := v.matte(); return ok && !m.on }, "matte mode off")
		v.waitFrames(3)
		return on, v.shot()
	}
	v.key("m")
	v.waitMatte(1, 0, "")
	v.clickPixel(s, 366, 308, "")
	v.waitMatte(1, 1, "sphere_?_2")
	v.key("m")
	on1, off1 := shots(1, 1, "sphere_?_2")
	if lit, dim := shownShare(t, s, on1, off1, sphere); lit < 10 || dim != 0 {
		t.Errorf("frame 1: sphere_?_2 is %d pixels lit, %d dimmed; want lit (see %s)", lit, dim, keep(t, on1, "frame1"))
	}
	v.key("Right")
	v.waitTitle(func(n int) bool { return n == 2 }, "frame 2")
	on2, off2 := shots(2, 1, "sphere_?_2")
	if lit, dim := shownShare(t, s, on2, off2, sphere); dim < 10 || lit != 0 {
		t.Errorf("frame 2: where sphere_?_2 was, %d pixels lit, %d dimmed; want dimmed (see %s)", lit, dim, keep(t, on2, "frame2"))
	}
}
