package render

import (
	"image"
	"math"
)

// Camera says where an image sits in a target: Scale target pixels per
// image pixel, and (X, Y), the target position of the display window's
// top-left corner, in whole target pixels so that a 1:1 view maps texels
// to pixels exactly. The viewer's fit, 1:1, zoom and pan are Cameras.
type Camera struct {
	Scale float32
	X, Y  float32
}

// Zoom limits: 1/64 (a 16K frame in 256 pixels) to 256 (a pixel fills a
// small window).
const (
	MinScale = 1.0 / 64
	MaxScale = 256
)

// Fit is the camera that shows the whole display window as large as fits in
// a w x h target, centred.
func Fit(w, h int, display image.Rectangle) Camera {
	dw, dh := float32(display.Dx()), float32(display.Dy())
	if dw <= 0 || dh <= 0 || w <= 0 || h <= 0 {
		return Camera{Scale: 1}
	}
	return centred(w, h, display, min(float32(w)/dw, float32(h)/dh))
}

// Actual is the 1:1 camera (one image pixel per target pixel), centred.
func Actual(w, h int, display image.Rectangle) Camera {
	return centred(w, h, display, 1)
}

func centred(w, h int, display image.Rectangle, scale float32) Camera {
	return Camera{
		Scale: scale,
		X:     whole((float32(w) - float32(display.Dx())*scale) / 2),
		Y:     whole((float32(h) - float32(display.Dy())*scale) / 2),
	}
}

func whole(v float32) float32 { return float32(math.Floor(float64(v))) }

// View places an image's windows (image pixels, Max exclusive).
func (c Camera) View(display, data image.Rectangle) View {
	place := func(r image.Rectangle) Rect {
		return Rect{
			X0: c.X + float32(r.Min.X-display.Min.X)*c.Scale,
			Y0: c.Y + float32(r.Min.Y-display.Min.Y)*c.Scale,
			X1: c.X + float32(r.Max.X-display.Min.X)*c.Scale,
			Y1: c.Y + float32(r.Max.Y-display.Min.Y)*c.Scale,
		}
	}
	return View{Display: place(display), Data: place(data)}
}

// ZoomAbout returns the camera at scale (clamped to MinScale..MaxScale)
// that keeps the image point under target position (x, y) where it is, as
// zooming with the mouse wheel does.
func (c Camera) ZoomAbout(x, y, scale float32) Camera {
	scale = min(max(scale, MinScale), MaxScale)
	k := scale / c.Scale
	return Camera{Scale: scale, X: whole(x - (x-c.X)*k + 0.5), Y: whole(y - (y-c.Y)*k + 0.5)}
}

// Pan moves the image by (dx, dy) target pixels.
func (c Camera) Pan(dx, dy float32) Camera {
	return Camera{Scale: c.Scale, X: whole(c.X + dx + 0.5), Y: whole(c.Y + dy + 0.5)}
}

// ImagePixel returns the image pixel (in the file's pixel coordinates, the
// display window's Min included) under target position (x, y).
func (c Camera) ImagePixel(x, y float32, display image.Rectangle) image.Point {
	return image.Point{
		X: display.Min.X + int(math.Floor(float64((x-c.X)/c.Scale))),
		Y: display.Min.Y + int(math.Floor(float64((y-c.Y)/c.Scale))),
	}
}
