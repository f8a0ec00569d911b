package render_test

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"testing"

	"github.com/x448/float16"

	"flick/render"
	"flick/render/rendertest"
)

// Frames drawn one after another come back from the readback ring in order,
// each whole and with its own values, as 16-bit codes of the sRGB curve:
// the same codes as Target.ReadRGBA16 reads at once.
func TestReadbackRingReturnsEachFrameInOrder(t *testing.T) {
	const w, h, frames = 37, 21, 10 // odd sizes: rows are not 4-byte multiples
	linear := func(i int) float32 { return float32(i+1) / frames }
	want := func(i int) int {
		x := float64(float16.Fromfloat32(linear(i)).Float32()) // what the image holds
		if x <= 0.0031308 {
			x *= 12.92
		} else {
			x = 1.055*math.Pow(x, 1/2.4) - 0.055
		}
		return int(math.Round(math.Min(x, 1) * 65535))
	}
	var before render.Objects
	rendertest.Call(func() { before = render.LiveObjects() })
	var got, direct [][]uint16
	withDisplay(t, nil, 0, 0, func(d *render.Display, im *render.Image, tg *render.Target) error {
		var rb render.Readback
		defer rb.Close()
		if err := tg.Resize16(w, h); err != nil {
			return err
		}
		if _, _, err := rb.Finish(make([]uint16, 4*w*h)); err == nil {
			return errors.New("Finish with nothing started did not fail")
		}
		finish := func() error {
			dst := make([]uint16, 4*w*h)
			fw, fh, err := rb.Finish(dst)
			if err == nil && (fw != w || fh != h) {
				err = fmt.Errorf("readback returned %dx%d, want %dx%d", fw, fh, w, h)
			}
			got = append(got, dst)
			return err
		}
		r := image.Rect(0, 0, w, h)
		pix := make([]uint16, 4*w*h)
		for i := range frames {
			v := float16.Fromfloat32(linear(i)).Bits()
			for k := range pix {
				pix[k] = v
			}
			if err := im.Upload(pix, w, h); err != nil {
				return err
			}
			d.Draw(tg, im, render.FitView(w, h, r, r), render.Settings{})
			direct = append(direct, make([]uint16, 4*w*h))
			if err := tg.ReadRGBA16(direct[i]); err != nil {
				return err
			}
			if rb.Pending() == render.ReadbackDepth {
				if err := rb.Start(tg); !errors.Is(err, render.ErrReadbackFull) {
					return errors.New("Start on a full ring did not say so")
				}
				if err := finish(); err != nil {
					return err
				}
			}
			if err := rb.Start(tg); err != nil {
				return err
			}
		}
		for rb.Pending() > 0 {
			if err := finish(); err != nil {
				return err
			}
		}
		return nil
	})
	if len(got) != frames {
		t.Fatalf("%d frames came back, want %d", len(got), frames)
	}
	for i, pix := range got {
		if !slices.Equal(pix, direct[i]) {
			t.Fatalf("frame %d: the ring and ReadRGBA16 read different codes", i)
		}
		for k := 0; k < len(pix); k += 4 {
			for c := range 3 {
				if d := int(pix[k+c]) - want(i); d > 2 || d < -2 {
					t.Fatalf("frame %d, value %d channel %d = %d, want %d (a frame mixed up or not copied whole)",
						i, k/4, c, pix[k+c], want(i))
				}
			}
		}
	}
	var after render.Objects
	rendertest.Call(func() { after = render.LiveObjects() })
	if after != before {
		t.Errorf("GL objects before %+v, after %+v: the readback leaks", before, after)
	}
}
