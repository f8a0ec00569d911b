package ui

import (
	"fmt"
	"image"

	"flick/engine"
	"flick/engine/exr"
)

// withLevel returns sel at the resolution level of its part that a view
// at scale (target pixels per full-resolution pixel) needs
// (exr.PickLevel): a tiled part with mip or rip levels, zoomed out far
// enough, is decoded at a smaller level; other parts and closer views keep
// sel as it is.
func (a *app) withLevel(sel exr.Selection, scale float32) exr.Selection {
	if sel.Part >= len(a.parts) {
		return sel
	}
	lx, ly := exr.PickLevel(a.parts[sel.Part], float64(scale))
	if lx == 0 && ly == 0 {
		return sel
	}
	if sel == (exr.Selection{}) { // the file's default names no channels: name them
		d, err := exr.DefaultSelection(a.parts[0].Header)
		if err != nil {
			return sel
		}
		sel = d
	}
	sel.LevelX, sel.LevelY = lx, ly
	return sel
}

// decode makes the loader decode sel and shows the frame on screen with
// it (at once if cached).
func (a *app) decode(sel exr.Selection) {
	a.decoded = sel
	a.loader.SetChannels(sel)
	if !a.clock.Playing() {
		a.request(a.clock.Frame(), a.clock.Dir())
	}
}

// followZoom switches to the level the zoom needs when the scale changed.
func (a *app) followZoom() {
	if a.camera.Scale == a.levelScale {
		return
	}
	a.levelScale = a.camera.Scale
	if sel := a.withLevel(a.sel, a.camera.Scale); sel != a.decoded {
		a.decode(sel)
	}
}

// fullData is f's data window at full resolution: a frame of a smaller
// level holds that level's pixels, drawn over the full-resolution window.
func fullData(f *engine.Frame) image.Rectangle {
	if f.Channels.LevelX == 0 && f.Channels.LevelY == 0 {
		return f.DataWindow
	}
	dw := f.Header.DataWindow
	return image.Rect(dw.MinX, dw.MinY, dw.MaxX+1, dw.MaxY+1)
}

// levelPixel maps full-resolution pixel p to the pixel of f's level that
// covers it: a level keeps the data window's top-left corner and halves
// the size once per level, rounding down.
func levelPixel(f *engine.Frame, p image.Point) image.Point {
	m := f.DataWindow.Min
	return image.Pt(m.X+(p.X-m.X)>>f.Channels.LevelX, m.Y+(p.Y-m.Y)>>f.Channels.LevelY)
}

// levelText names the level on screen for the status line ("" at full
// resolution).
func levelText(f *engine.Frame) string {
	lx, ly := f.Channels.LevelX, f.Channels.LevelY
	switch {
	case lx == 0 && ly == 0:
		return ""
	case lx == ly:
		return fmt.Sprintf(", level %d (%dx%d)", lx, f.DataWindow.Dx(), f.DataWindow.Dy())
	}
	return fmt.Sprintf(", level %d,%d (%dx%d)", lx, ly, f.DataWindow.Dx(), f.DataWindow.Dy())
}
