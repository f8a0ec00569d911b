package ui

import (
	"fmt"
	"image"
	"math"
	"strings"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/render"
)

// Outline colours (ImGui ABGR): the display window grey, the data window
// amber, as RV and Nuke draw them.
const (
	displayOutline = 0xff909090
	dataOutline    = 0xff30b0ff
)

// viewport shows the display target in the space left by the text lines,
// and handles zoom (wheel, about the cursor), pan (drag with the left or
// middle button) and the pixel probe.
func (a *app) viewport(size imgui.Vec2) {
	if size.X < 1 || size.Y < 1 {
		return
	}
	imgui.InvisibleButtonV("viewport", size, imgui.ButtonFlagsMouseButtonLeft|imgui.ButtonFlagsMouseButtonMiddle)
	if a.err != nil {
		return
	}
	origin := imgui.ItemRectMin()
	a.viewRect = image.Rect(int(origin.X), int(origin.Y), int(imgui.ItemRectMax().X), int(imgui.ItemRectMax().Y))
	scale := imgui.CurrentIO().DisplayFramebufferScale()
	w, h := int(size.X*scale.X), int(size.Y*scale.Y)
	if w != a.viewW || h != a.viewH {
		a.viewW, a.viewH, a.dirty = w, h, true
	}
	if a.ses.comparing() {
		a.compareViewport(origin, imgui.ItemRectMax(), w, h, scale)
		return
	}
	f := a.src().frame
	shown := f != nil && f.Err == nil
	if shown && a.fitted {
		if c := render.Fit(w, h, f.DisplayWindow); c != a.camera {
			a.camera, a.dirty = c, true
		}
	}
	// The cursor in target pixels.
	mouse := imgui.MousePos()
	mx, my := (mouse.X-origin.X)*scale.X, (mouse.Y-origin.Y)*scale.Y
	if shown && imgui.IsItemHovered() {
		if wheel := imgui.CurrentIO().MouseWheel(); wheel != 0 {
			a.setCamera(a.camera.ZoomAbout(mx, my, a.camera.Scale*float32(math.Pow(2, float64(wheel)/2))))
		}
	}
	// A Shift+drag chooses the inspected region instead of panning.
	selecting := shown && a.selectRegion(mx, my, f)
	if shown {
		a.matteClick(f, scale) // before any other item: it reads the button's state
	}
	if shown && imgui.IsItemActive() && !selecting {
		if d := imgui.CurrentIO().MouseDelta(); d.X != 0 || d.Y != 0 {
			a.setCamera(a.camera.Pan(d.X*scale.X, d.Y*scale.Y))
		}
	}
	if shown {
		a.followZoom()
	}
	drawn := a.dirty
	if a.dirty {
		if err := a.target.Resize(w, h); err != nil {
			a.err = err
			return
		}
		var v render.View
		img := &a.src().image
		if shown {
			v = a.camera.View(f.DisplayWindow, fullData(f))
		} else {
			img = nil
		}
		a.display.Draw(&a.target, img, v, a.view)
		if shown {
			if f != a.lastDrawn {
				a.presented++
				a.lastDrawn = f
			}
			a.drawMatte(f)
			a.drawBurnins(f, v)
		}
		a.dirty = false
	}
	tex := imgui.NewTextureRefTextureID(imgui.TextureID(a.target.Texture()))
	dl := imgui.WindowDrawList()
	dl.AddImage(*tex, origin, imgui.ItemRectMax())
	a.probing = false
	if f != nil && f.Err != nil {
		brokenCard(dl, origin, imgui.ItemRectMax(), f.Number, a.src().missing[f.Number], f.Err)
	}
	if !shown {
		return
	}
	dl.PushClipRect(origin, imgui.ItemRectMax())
	outlines(dl, origin, scale, a.camera.View(f.DisplayWindow, fullData(f)))
	a.drawRegion(dl, origin, scale, f)
	dl.PopClipRect()
	if imgui.IsItemHovered() {
		// Read back only when the cursor's pixel or the picture changed:
		// a 1-pixel glReadPixels waits for the GL pipeline.
		at := image.Pt(int(mx), int(my))
		if at != a.probeAt || drawn || a.probeFrame != f || a.exact.changed(&a.probeExactGen) {
			p := a.camera.ImagePixel(mx, my, f.DisplayWindow)
			a.probe.Pixel, a.probe.Data = p, p.Sub(fullData(f).Min)
			a.probe.Values, a.probe.InData = probeFrame(f, levelPixel(f, p))
			a.probe.Exact = exactNotNeeded
			if a.probe.InData {
				a.probeExact(f, levelPixel(f, p))
			}
			a.probe.Linear, a.probe.Display, a.probe.OCIO = a.probeColour([3]float32(a.probe.Values[:3]), a.view.Exposure)
			a.probe.Shown, a.probeOK = a.target.Pixel(at.X, at.Y)
			a.probeAt, a.probeFrame = at, f
		}
		a.probing = a.probeOK
	}
}

// outlines draws the display and data windows of view v where they
// differ.
func outlines(dl *imgui.DrawList, origin, scale imgui.Vec2, v render.View) {
	if v.Data == v.Display {
		return
	}
	for _, o := range []struct {
		r   render.Rect
		col uint32
	}{{v.Display, displayOutline}, {v.Data, dataOutline}} {
		// On the pixels just outside the window: ImGui strokes a
		// rectangle half a pixel inside the corners it is given.
		x0, y0 := math.Floor(float64(o.r.X0/scale.X)), math.Floor(float64(o.r.Y0/scale.Y))
		x1, y1 := math.Ceil(float64(o.r.X1/scale.X)), math.Ceil(float64(o.r.Y1/scale.Y))
		dl.AddRectV(imgui.NewVec2(origin.X+float32(x0)-1, origin.Y+float32(y0)-1),
			imgui.NewVec2(origin.X+float32(x1)+1, origin.Y+float32(y1)+1), o.col, 0, 0, 1)
	}
}

// setCamera leaves fit mode for a camera the user chose.
func (a *app) setCamera(c render.Camera) {
	a.camera, a.fitted, a.dirty = c, false, true
}

// brokenCard fills the viewport with a frame that could not be shown: a
// dark red (grey when missing) card with a cross, the frame number and the
// reason, so it is never mistaken for a picture.
func brokenCard(dl *imgui.DrawList, p0, p1 imgui.Vec2, frame int, missing bool, err error) {
	bg, fg, what := uint32(0xff181850), uint32(0xff6060ff), "FAILED"
	if missing {
		bg, fg, what = 0xff303030, 0xffb0b0b0, "MISSING"
	}
	u := unit()
	dl.AddRectFilled(p0, p1, bg)
	dl.AddLineV(p0, p1, fg, 2*u)
	dl.AddLineV(imgui.NewVec2(p0.X, p1.Y), imgui.NewVec2(p1.X, p0.Y), fg, 2*u)
	text := fmt.Sprintf("frame %d %s\n%s", frame, what, wrap(err.Error(), 90))
	size := imgui.CalcTextSize(text)
	c := imgui.NewVec2((p0.X+p1.X-size.X)/2, (p0.Y+p1.Y-size.Y)/2)
	dl.AddRectFilled(imgui.NewVec2(c.X-12*u, c.Y-10*u), imgui.NewVec2(c.X+size.X+12*u, c.Y+size.Y+10*u), bg)
	addText(dl, c, 0xffffffff, text)
}

// wrap breaks text into lines of at most n bytes at spaces or slashes.
func wrap(text string, n int) string {
	var b strings.Builder
	line := 0
	for _, r := range text {
		if line >= n && (r == ' ' || r == '/') {
			b.WriteByte('\n')
			line = 0
		}
		b.WriteRune(r)
		line++
	}
	return b.String()
}
