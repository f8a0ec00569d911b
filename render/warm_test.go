package render_test

import (
	"encoding/json"
	"image"
	"reflect"
	"testing"

	"flick/engine/exr/shared"
	"flick/render"
	"flick/render/ocio"
)

// TestRehearsal: a Prepare with no image rehearses nothing; one with an
// image says the target's format, the image's size and whether its
// texture has a mip chain (a view minified past 32x made one), keeps the
// view and settings without the transform, survives JSON, and plays in
// this context through a transform built again from the same config,
// leaving no GL object or program behind.
func TestRehearsal(t *testing.T) {
	const w, h = 64, 48
	pix := testImage(w, h)
	c := loadOCIO(t, shared.File(t, "ocio", "lut-show/config.ocio"))
	dv := ocio.DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT"} // LUTs: Play makes textures
	ct, _ := newTransform(t, c, dv)
	again, _ := newTransform(t, c, dv)
	r := image.Rect(0, 0, w, h)
	s := render.Settings{OCIO: ct, Gamma: 2.2, Channels: render.ChannelR}
	withDisplay(t, pix, w, h, func(d *render.Display, im *render.Image, tg *render.Target) error {
		defer ct.Close()
		if err := tg.Resize(w/2, h/2); err != nil {
			return err
		}
		if _, ok := render.Rehearse(tg, nil, render.FitView(w, h, r, r), s); ok {
			t.Error("a Prepare with no image rehearses a program")
		}
		fit := render.FitView(w/2, h/2, r, r)
		rh, ok := render.Rehearse(tg, im, fit, s)
		want := render.Rehearsal{Format: 0x8058, Width: w, Height: h, View: fit,
			Settings: render.Settings{Gamma: 2.2, Channels: render.ChannelR}} // GL_RGBA8
		if !ok || !reflect.DeepEqual(rh, want) {
			t.Errorf("Rehearse of a fitted view: %+v, %v; want %+v", rh, ok, want)
		}
		// A view minified past 32x makes the image's mip chain, which
		// stays for the views after it.
		d.Draw(tg, im, render.FitView(1, 1, r, r), render.Settings{})
		if rh, _ = render.Rehearse(tg, im, fit, s); !rh.Mipmapped {
			t.Errorf("Rehearse after a minified view: %+v, want Mipmapped", rh)
		}
		b, err := json.Marshal(rh)
		if err != nil {
			return err
		}
		var back render.Rehearsal
		if err := json.Unmarshal(b, &back); err != nil {
			return err
		}
		if !reflect.DeepEqual(back, rh) {
			t.Errorf("through JSON %+v, want %+v", back, rh)
		}
		objects, programs := render.LiveObjects(), render.LivePrograms()
		if err := back.Play(again); err != nil {
			return err
		}
		if o, p := render.LiveObjects(), render.LivePrograms(); o != objects || p != programs {
			t.Errorf("after Play: %+v and %d programs live, want %+v and %d", o, p, objects, programs)
		}
		return nil
	})
}
