package ui

import (
	"fmt"
	"image"

	"flick/engine"
	"flick/engine/exr"
)

// decode makes the loader decode sel and shows the frame on screen with
// it (at once if cached).
func (a *app) decode(sel exr.Selection) {
	a.src().decoded = sel
	a.src().loader.SetChannels(sel)
	if !a.ses.clock.Playing() {
		a.request(a.ses.clock.Frame(), a.ses.clock.Dir())
	}
}

// followZoom switches to the level the zoom needs when the scale changed.
func (a *app) followZoom() {
	s := a.src()
	if a.camera.Scale == s.levelScale {
		return
	}
	s.levelScale = a.camera.Scale
	if sel := s.withLevel(s.sel, a.camera.Scale); sel != s.decoded {
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
