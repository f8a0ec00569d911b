package main

import (
	"fmt"
	"image"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/x448/float16"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// titleInspect is the inspection hook in the title: the panels drawn, the
// frame and region described, each channel's linear min, max, mean,
// finite, NaN, +Inf and -Inf counts and whether they are of half or the
// file's floats, where the exact checkbox is and the frames dropped.
var titleInspect = regexp.MustCompile(`— inspect ([a-z,]*)(?: frame (\d+) region (-?\d+),(-?\d+)-(-?\d+),(-?\d+)((?: \[[^]]*\]){4}) (half|floats))?(?: exact (\d+),(\d+))?(?: dropped \d+)? —`)

// inspected is what the title says the inspection panels show.
type inspected struct {
	panels string
	frame  int
	region image.Rectangle
	stats  [4][7]float64
	floats bool        // the statistics are of the file's floats, not half
	ok     bool        // statistics are shown
	box    image.Point // the exact checkbox (zero: not drawn)
}

func (v *viewer) inspected() inspected {
	var in inspected
	m := titleInspect.FindStringSubmatch(v.title())
	if m == nil {
		return in
	}
	in.panels = m[1]
	if m[9] != "" {
		x, _ := strconv.Atoi(m[9])
		y, _ := strconv.Atoi(m[10])
		in.box = image.Pt(x, y)
	}
	if m[2] == "" {
		return in
	}
	var n [5]int
	for i := range n {
		n[i], _ = strconv.Atoi(m[i+2])
	}
	in.frame, in.region = n[0], image.Rect(n[1], n[2], n[3], n[4])
	for c, cell := range strings.Split(strings.TrimPrefix(m[7], " ["), "] [") {
		for i, f := range strings.Fields(strings.TrimSuffix(cell, "]")) {
			in.stats[c][i], _ = strconv.ParseFloat(f, 64)
		}
	}
	in.floats, in.ok = m[8] == "floats", true
	return in
}

// regionReference computes each channel's linear min, max, mean, finite,
// NaN, +Inf and -Inf counts over r straight from the file.
func regionReference(t *testing.T, path string, r image.Rectangle) (want [4][7]float64) {
	f, err := exr.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := f.Header()
	sel, err := exr.DefaultSelection(h)
	if err != nil {
		t.Fatal(err)
	}
	dw := image.Rect(h.DataWindow.MinX, h.DataWindow.MinY, h.DataWindow.MaxX+1, h.DataWindow.MaxY+1)
	pix := make([]uint16, 4*dw.Dx()*dw.Dy())
	if err := f.Decode(pix, sel); err != nil {
		t.Fatal(err)
	}
	for c := range want {
		want[c][0], want[c][1] = math.Inf(1), math.Inf(-1)
	}
	var sum [4]float64
	r = r.Intersect(dw)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			for c := range want {
				v := float64(float16.Frombits(pix[4*((y-dw.Min.Y)*dw.Dx()+x-dw.Min.X)+c]).Float32())
				switch {
				case math.IsNaN(v):
					want[c][4]++
				case math.IsInf(v, 1):
					want[c][5]++
				case math.IsInf(v, -1):
					want[c][6]++
				default:
					want[c][0], want[c][1] = math.Min(want[c][0], v), math.Max(want[c][1], v)
					sum[c] += v
					want[c][3]++
				}
			}
		}
	}
	for c := range want {
		want[c][2] = sum[c] / want[c][3]
	}
	return want
}

func checkInspected(t *testing.T, in inspected, want [4][7]float64) {
	t.Helper()
	for c := range want {
		for i, w := range want[c] {
			g := in.stats[c][i]
			ok := g == w
			if i == 2 { // the title gives the mean to 9 digits
				ok = math.Abs(g-w) <= 1e-8*math.Max(1, math.Abs(w))
			}
			if !ok {
				t.Errorf("channel %d: %s %v, want %v (a CPU computation over the region)", c,
					[]string{"min", "max", "mean", "finite", "NaN", "+Inf", "-Inf"}[i], g, w)
			}
		}
	}
}

// Shift+S opens the Statistics, Histogram and Waveform panels; a Shift+drag
// over the NaN and Inf pixels of a render gives statistics equal to a CPU
// computation over the region's pixels read from the file; Shift+C goes
// back to the whole frame.
func TestInspectRegion(t *testing.T) {
	path := shared.File(t, "exr-samples", "TestImages/BrightRingsNanInf.exr")
	v := startViewer(t, t.TempDir(), path)
	v.overViewer()
	v.key("shift+s")
	var in inspected
	v.waitFor(func() bool { in = v.inspected(); return in.ok && in.panels == "statistics,histogram,waveform" },
		"the three inspection panels with statistics")
	whole := in.region
	checkInspected(t, in, regionReference(t, path, whole))
	if in.box != (image.Point{}) || in.floats {
		t.Errorf("the exact checkbox is drawn (at %v; floats %v) over HALF channels", in.box, in.floats)
	}

	// Drag from left of and above the centre to right of and below it,
	// each step in a UI frame of its own.
	r := v.viewRect()
	c := r.Min.Add(r.Size().Div(2))
	v.xdo("mousemove", fmt.Sprint(c.X-40), fmt.Sprint(c.Y-30), "keydown", "shift", "mousedown", "1")
	v.waitFrames(3)
	v.xdo("mousemove", fmt.Sprint(c.X), fmt.Sprint(c.Y))
	v.waitFrames(3)
	v.xdo("mousemove", fmt.Sprint(c.X+30), fmt.Sprint(c.Y+20))
	v.waitFrames(3)
	v.xdo("mouseup", "1", "keyup", "shift")
	v.waitFrames(3)
	v.waitFor(func() bool {
		in = v.inspected()
		return in.ok && in.region != whole && in.region.In(whole) && in.region.Dx() > 10 && in.region.Dy() > 10
	}, "statistics of the dragged region")
	want := regionReference(t, path, in.region)
	if want[0][4]+want[0][5]+want[0][6]+want[1][4]+want[1][5]+want[1][6] == 0 {
		t.Errorf("region %v holds no NaN or Inf: the drag missed the centre", in.region)
	}
	checkInspected(t, in, want)

	v.key("shift+c")
	v.waitFor(func() bool { in = v.inspected(); return in.ok && in.region == whole }, "the whole frame again")
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
}

// floatReference is each channel's min, max, mean, finite, NaN, +Inf and
// -Inf counts over RGBA float32 pixels, in float64.
func floatReference(pix []float32) (want [4][7]float64) {
	var sum [4]float64
	for c := range want {
		want[c][0], want[c][1] = math.Inf(1), math.Inf(-1)
	}
	for i, v32 := range pix {
		c, v := i%4, float64(v32)
		switch {
		case math.IsNaN(v):
			want[c][4]++
		case math.IsInf(v, 1):
			want[c][5]++
		case math.IsInf(v, -1):
			want[c][6]++
		default:
			want[c][0], want[c][1] = math.Min(want[c][0], v), math.Max(want[c][1], v)
			sum[c] += v
			want[c][3]++
		}
	}
	for c := range want {
		want[c][2] = sum[c] / want[c][3]
	}
	return want
}

// Over a file of FLOAT channels the Statistics panel shows half's
// statistics (integers past 2048 rounded, values under half's smallest
// flushed, 70000 an infinity) until a click on "exact (file's floats)",
// then statistics equal to a computation over the float32 values written;
// a second click goes back to half.
func TestInspectExact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.exr")
	const w, h = 64, 48
	pix := make([]float32, 4*w*h)
	for y := range h {
		for x := range w {
			copy(pix[4*(y*w+x):], []float32{2049 + float32(x), 1e-9 * float32(y+1), 70000 * float32(x%2), 0.1 + float32(y)/1000})
		}
	}
	if err := exr.WriteFloat(path, exr.FloatImage{Channels: []string{"R", "G", "B", "A"}, Pix: pix,
		DataWindow: exr.Box{MaxX: w - 1, MaxY: h - 1}}, exr.ZIP); err != nil {
		t.Fatal(err)
	}
	exact, half := floatReference(pix), regionReference(t, path, image.Rect(0, 0, w, h))
	for c := range 3 {
		if exact[c] == half[c] {
			t.Fatalf("channel %d: half and float statistics agree (%v): the file tests nothing", c, exact[c])
		}
	}
	v := startViewer(t, t.TempDir(), path)
	v.overViewer()
	v.key("shift+s")
	var in inspected
	v.waitFor(func() bool { in = v.inspected(); return in.ok && in.box != (image.Point{}) },
		"statistics and the exact checkbox")
	if in.floats {
		t.Fatal("the statistics are of the file's floats before the checkbox was clicked")
	}
	checkInspected(t, in, half)

	for _, floats := range []bool{true, false} {
		v.xdo("mousemove", fmt.Sprint(in.box.X), fmt.Sprint(in.box.Y), "click", "1")
		v.waitFor(func() bool { in = v.inspected(); return in.ok && in.floats == floats },
			fmt.Sprintf("statistics of floats %v after a click on the checkbox", floats))
		if floats {
			checkInspected(t, in, exact)
		} else {
			checkInspected(t, in, half)
		}
	}
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
}
