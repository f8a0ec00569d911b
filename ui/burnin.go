package ui

import (
	"fmt"
	"image"
	"math"
	"slices"
	"time"

	"flick/engine"
	"flick/engine/timecode"
	"flick/export"
	"flick/export/burnin"
	"flick/render"
)

// Burnins are the burn-ins the viewer overlays and its exports burn in,
// kept in one place on the app (app.burnins) so that what the viewer shows
// is what the export dialog writes, and so that the dialog reads and edits
// the same templates and fields.
type Burnins struct {
	Show      bool          // overlay them on the picture (Shift+B, View menu); off by default
	Templates []string      // in --burnin's syntax ("TL={shot} v{version}"); none: burnin.Defaults
	Fields    burnin.Fields // values of --field's kind: extra fields, or {comment}'s
}

// Parse checks b's templates (burnin.Defaults when there are none) against
// the standard fields and b.Fields.
func (b *Burnins) Parse() ([]burnin.Template, error) {
	specs := b.Templates
	if len(specs) == 0 {
		specs = burnin.Defaults
	}
	return burnin.ParseAll(specs, b.Fields)
}

// burninView draws app.burnins over the picture on screen: bands rendered
// by burnin at the picture's size on screen, drawn by the render.Overlay an
// export uses, so the viewer shows the movie's burn-ins at its own scale.
// GL goroutine (the UI loop) only.
type burninView struct {
	overlay   render.Overlay
	renderer  *burnin.Renderer
	size      image.Point // the renderer's output size
	templates []string    // the templates it renders, to notice edits
	failed    error       // the last template error, logged once
}

// maxOverlayZoom bounds the overlay: a picture zoomed to more than this
// many times the viewer's height would need bands larger than the viewer
// (and memory in proportion), so none are drawn.
const maxOverlayZoom = 4

// drawBurnins draws the burn-ins of frame f over the picture, placed at
// v.Display in the target, when the overlay is on.
func (a *app) drawBurnins(f *engine.Frame, v render.View) {
	b := &a.burn
	_, th := a.target.Size()
	at := image.Pt(int(math.Round(float64(v.Display.X0))), int(math.Round(float64(v.Display.Y0))))
	size := image.Pt(int(math.Round(float64(v.Display.X1-v.Display.X0))), int(math.Round(float64(v.Display.Y1-v.Display.Y0))))
	if !a.burnins.Show || size.X < 16 || size.Y < 16 || size.Y > maxOverlayZoom*th {
		return
	}
	if b.renderer == nil || size != b.size || !slices.Equal(b.templates, a.burnins.Templates) {
		ts, err := a.burnins.Parse()
		if err != nil {
			if err.Error() != fmt.Sprint(b.failed) {
				a.log.add(levelWarning, err.Error())
			}
			b.failed, b.renderer = err, nil
			return
		}
		b.renderer, b.size, b.templates, b.failed = burnin.NewRenderer(size.X, size.Y, ts), size, slices.Clone(a.burnins.Templates), nil
	}
	i, _ := slices.BinarySearch(a.src().frames, f.Number)
	fields := a.burninShot(f).Fields(a.src().frames, time.Now())(i)
	if err := b.overlay.Draw(&a.target, at, b.renderer.Bands(fields)); err != nil {
		a.log.add(levelWarning, "burn-ins: "+err.Error())
	}
}

// burninShot is what the fields of the open sequence come from, as the
// export dialog would write it: its size, the viewer's rate, view and
// layer.
func (a *app) burninShot(f *engine.Frame) burnin.Shot {
	w, h := export.OutputSize(f.DisplayWindow.Dx(), f.DisplayWindow.Dy(), float64(a.dlg.export.scale), 0, 0)
	fps, _ := export.ParseFPS(fmt.Sprint(a.ses.clock.FPS()))
	view := a.view.Transform.String() // {view}: flick's transform, or
	if a.view.OCIO != nil {
		view = a.view.OCIO.String() // OpenColorIO's input to display / view, look
	}
	shot := burnin.Shot{Dir: a.src().seq.Dir, Prefix: a.src().seq.Prefix, Range: a.src().seq.Range.String(), Num: fps.Num, Den: fps.Den,
		Width: w, Height: h, View: view, Layer: a.src().layer, Extra: a.burnins.Fields}
	if len(a.src().frames) > 0 { // {tc} as the dialog's movie track has it
		if tc, err := a.timecodeOf(a.src().frames[0], timecode.Rate{Num: fps.Num, Den: fps.Den}); err == nil {
			shot.Start = &tc
		}
	}
	return shot
}
