package render_test

import (
	"image"
	"strings"
	"testing"

	"flick/render"
)

func TestCameraZoomKeepsThePointUnderTheCursor(t *testing.T) {
	display := image.Rect(0, 0, 1920, 1080)
	c := render.Fit(1280, 720, display)
	if c.Scale != float32(1280)/1920 || c.X != 0 || c.Y != 0 {
		t.Fatalf("Fit = %+v", c)
	}
	for _, z := range []struct{ x, y, scale float32 }{{100, 50, 2}, {640, 360, 8}, {1279, 719, 0.1}, {3, 700, 1}} {
		before := c.ImagePixel(z.x, z.y, display)
		after := c.ZoomAbout(z.x, z.y, z.scale)
		if after.Scale != z.scale {
			t.Errorf("scale %v, want %v", after.Scale, z.scale)
		}
		// Offsets are whole pixels, so the point may move by up to half a
		// target pixel: at most one image pixel once magnified.
		tol := 1 + int(0.5/z.scale)
		got := after.ImagePixel(z.x, z.y, display)
		if d := got.Sub(before); d.X > tol || -d.X > tol || d.Y > tol || -d.Y > tol {
			t.Errorf("zoom to %v about (%v,%v): pixel %v under the cursor, was %v", z.scale, z.x, z.y, got, before)
		}
	}
	if s := c.ZoomAbout(0, 0, 1e6).Scale; s != render.MaxScale {
		t.Errorf("zoom is not clamped: %v", s)
	}
	if s := c.ZoomAbout(0, 0, 0).Scale; s != render.MinScale {
		t.Errorf("zoom is not clamped: %v", s)
	}
}

func TestCameraActualAndPan(t *testing.T) {
	display := image.Rect(-10, -20, 91, 61) // odd size, negative origin
	c := render.Actual(200, 100, display)
	if c.Scale != 1 || c.X != 49 || c.Y != 9 { // floor((200-101)/2), floor((100-81)/2)
		t.Fatalf("Actual = %+v", c)
	}
	v := c.View(display, image.Rect(0, 0, 10, 10))
	if v.Data != (render.Rect{X0: 59, Y0: 29, X1: 69, Y1: 39}) {
		t.Errorf("data window lands at %+v", v.Data)
	}
	if p := c.ImagePixel(49, 9, display); p != display.Min {
		t.Errorf("top-left target pixel shows %v, want %v", p, display.Min)
	}
	if p := c.ImagePixel(149.9, 89.9, display); p != display.Max.Sub(image.Pt(1, 1)) {
		t.Errorf("bottom-right target pixel shows %v, want %v", p, display.Max.Sub(image.Pt(1, 1)))
	}
	p := c.Pan(10.4, -3)
	if p.X != 59 || p.Y != 6 || p.Scale != 1 {
		t.Errorf("Pan = %+v", p)
	}
}

// A magnified view shows each image pixel as a sharp square of its own
// colour: nearest sampling, no blending across pixel edges.
func TestMagnifiedViewIsNearest(t *testing.T) {
	const w, h, zoom = 5, 3, 7 // odd sizes and zoom: edges fall mid-texel for a linear filter
	pix := testImage(w, h)
	ref := render1to1(t, pix, w, h, 0)
	tw, th := w*zoom+6, h*zoom+4
	out := make([]byte, 4*tw*th)
	r := image.Rect(0, 0, w, h)
	c := render.Actual(tw, th, r).ZoomAbout(float32(tw)/2, float32(th)/2, zoom)
	withDisplay(t, pix, w, h, func(d *render.Display, im *render.Image, tg *render.Target) error {
		if err := tg.Resize(tw, th); err != nil {
			return err
		}
		d.Draw(tg, im, c.View(r, r), render.Settings{})
		if err := tg.ReadRGBA(out); err != nil {
			return err
		}
		for _, p := range []image.Point{{0, 0}, {tw / 2, th / 2}, {tw - 1, th - 1}, {3, th - 2}} {
			i := 4 * (p.Y*tw + p.X)
			if got, ok := tg.Pixel(p.X, p.Y); !ok || got != [4]byte(out[i:i+4]) {
				t.Errorf("Pixel(%v) = %v %v, the whole read has %v", p, got, ok, out[i:i+4])
			}
		}
		if _, ok := tg.Pixel(tw, 0); ok {
			t.Error("Pixel outside the target says ok")
		}
		return nil
	})
	bad := 0
	for y := range th {
		for x := range tw {
			p := c.ImagePixel(float32(x)+0.5, float32(y)+0.5, r)
			if !p.In(r) {
				continue
			}
			i, j := 4*(y*tw+x), 4*(p.Y*w+p.X)
			for k := range 3 {
				if d := int(out[i+k]) - int(ref[j+k]); d > 1 || d < -1 {
					bad++
					if bad < 5 {
						t.Errorf("target (%d,%d) channel %d = %d, image pixel %v is %d", x, y, k, out[i+k], p, ref[j+k])
					}
				}
			}
		}
	}
}

func TestParseChannelsAndTransform(t *testing.T) {
	for s, want := range map[string]render.Channels{"rgb": render.ChannelsRGB, "R": render.ChannelR, "a": render.ChannelA, "l": render.ChannelLuminance, "Luminance": render.ChannelLuminance} {
		if got, err := render.ParseChannels(s); err != nil || got != want {
			t.Errorf("ParseChannels(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for s, want := range map[string]render.Transform{"srgb": render.TransformSRGB, "Rec.709": render.TransformRec709, "rec709": render.TransformRec709, "bt1886": render.TransformBT1886, "linear": render.TransformLinear} {
		if got, err := render.ParseTransform(s); err != nil || got != want {
			t.Errorf("ParseTransform(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := render.ParseTransform("acescg"); err == nil || !strings.Contains(err.Error(), "srgb") {
		t.Errorf("unknown transform: %v", err)
	}
	if _, err := render.ParseChannels("Z"); err == nil {
		t.Error("unknown channels accepted")
	}
}
