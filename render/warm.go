package render

import (
	"fmt"

	"github.com/go-gl/gl/v4.5-core/gl"
)

// Rehearsal is a Display.Prepare told in plain values (it survives JSON),
// so that another process can compile and run the same program variant
// first (Play): a driver with a shader cache shared between processes
// (Mesa's, on disk) then has the program's machine code when this
// process's Prepare asks for it, and Prepare no longer holds the GL
// goroutine for the whole compile (on llvmpipe, a quarter of a second for
// an OpenColorIO view). What decides the variant and the driver's own key
// for it is kept: the target's format, the image's size and kind, the
// view's placement and scale, and the settings (OCIO aside: the player
// builds the same transform itself).
type Rehearsal struct {
	Format        uint32 // the target's internal format
	Width, Height int    // the image's
	Pinned        bool   // the image is a buffer texture (UploadPinned)
	// Mipmapped: the image's texture has room for mipmaps (a view once
	// needed them), which the driver's key for the program says.
	Mipmapped bool
	View      View
	Settings  Settings // OCIO nil
}

// Rehearse returns the Rehearsal of d.Prepare(t, im, v, s); ok is false
// where that Prepare compiles no program (no image or an empty view).
// GL goroutine only (it reads im and t, as Prepare does).
func Rehearse(t *Target, im *Image, v View, s Settings) (r Rehearsal, ok bool) {
	if im == nil || im.tex == 0 || t.fbo == 0 || v.Data.X1 <= v.Data.X0 || v.Data.Y1 <= v.Data.Y0 {
		return r, false
	}
	s.OCIO = nil
	return Rehearsal{Format: t.format, Width: im.width, Height: im.height, Pinned: im.pinned != 0,
		Mipmapped: im.chain, View: v, Settings: s}, true
}

// Play prepares r through ct (which it closes) in this process, in a
// Display, an image and a target of its own, and waits for the GL to
// finish. GL goroutine only, in a context of the same kind as the one
// rehearsed for: another kind (EGL for a window's GLX) may key its cache
// differently.
func (r Rehearsal) Play(ct *ColorTransform) error {
	defer ct.Close()
	d, err := NewDisplay()
	if err != nil {
		return err
	}
	defer d.Close()
	if r.Width <= 0 || r.Height <= 0 || r.Width*r.Height > 1<<26 {
		return fmt.Errorf("rehearsal of a %dx%d image", r.Width, r.Height)
	}
	im := Image{Mode: UploadSync}
	if r.Pinned {
		im.Mode = UploadPinned
	}
	defer im.Close()
	if err := im.Upload(make([]uint16, 4*r.Width*r.Height), r.Width, r.Height); err != nil {
		return err
	}
	if r.Mipmapped && !r.Pinned {
		im.prepare(true)
	}
	var t Target
	defer t.Close()
	if err := t.resize(1, 1, r.Format); err != nil {
		return err
	}
	s := r.Settings
	s.OCIO = ct
	if err := d.Prepare(&t, &im, r.View, s); err != nil {
		return err
	}
	gl.Finish()
	return nil
}
