package export

import (
	"image"
	"slices"
	"testing"

	"github.com/x448/float16"

	"flick/engine"
	"flick/render/rendertest"
)

// The readback ring (a hardware GL's path) hands back the same frames, in
// the same order, as reading each back directly (a software renderer's),
// the last ones from flush.
func TestGLStageRingMatchesDirect(t *testing.T) {
	const w, h, n = 48, 32, 6
	src := make([]*engine.Frame, n)
	for i := range src {
		pix := make([]uint16, 4*w*h)
		v := float16.Fromfloat32(float32(i+1) / 8).Bits()
		for k := range pix {
			pix[k] = v
		}
		r := image.Rect(0, 0, w, h)
		src[i] = &engine.Frame{Number: i, Pix: pix, DataWindow: r, DisplayWindow: r}
	}
	run := func(direct bool) [][]uint16 {
		var got [][]uint16
		var err error
		rendertest.Call(func() {
			g := glStage{w: w / 2, h: h / 2}
			defer g.close()
			if err = g.init(); err != nil {
				return
			}
			g.direct = direct
			for _, f := range src {
				var pix []uint16
				if pix, _, err = g.frame(f, nil, nil, make([]uint16, w*h)); err != nil {
					return
				}
				if pix != nil {
					got = append(got, pix)
				}
			}
			for {
				var pix []uint16
				if pix, err = g.flush(make([]uint16, w*h)); err != nil || pix == nil {
					return
				}
				got = append(got, pix)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	ring, direct := run(false), run(true)
	if len(ring) != n || len(direct) != n {
		t.Fatalf("%d frames through the ring, %d directly, want %d", len(ring), len(direct), n)
	}
	for i := range ring {
		if !slices.Equal(ring[i], direct[i]) {
			t.Fatalf("frame %d differs between the ring and the direct readback", i)
		}
		if i > 0 && ring[i][0] <= ring[i-1][0] {
			t.Fatalf("frame %d (red %d) does not follow frame %d (red %d): out of order", i, ring[i][0], i-1, ring[i-1][0])
		}
	}
}

// DrawOnGL makes exports draw every frame through the GL (no
// render.SoftDraw) until the function it returns is called: for tests
// comparing the two.
func DrawOnGL() (restore func()) {
	softDraw = false
	return func() { softDraw = true }
}
