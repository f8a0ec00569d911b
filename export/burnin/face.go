package burnin

import (
	"image"
	"image/color"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// goRegular is Go Regular (golang.org/x/image/font/gofont, by Bigelow &
// Holmes for the Go project, under the BSD-style licence kept beside this
// file in FONT-LICENSE): a clear sans-serif whose digits share one width,
// so a frame counter does not jitter. Parsed once; an opentype.Font is safe
// for concurrent use, its faces are not.
var goRegular = sync.OnceValue(func() *opentype.Font {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		panic("burnin: the embedded Go Regular font does not parse: " + err.Error())
	}
	return f
})

// Face draws lines of text in Go Regular at one pixel size, anti-aliased.
// Not safe for concurrent use: one per goroutine.
type Face struct {
	face            font.Face
	ascent, descent int
}

// NewFace returns a face whose em is px pixels (at least 1).
func NewFace(px float64) *Face {
	f, err := opentype.NewFace(goRegular(), &opentype.FaceOptions{Size: max(1, px), DPI: 72, Hinting: font.HintingFull})
	if err != nil { // only for a size opentype rejects, which max rules out
		panic("burnin: face at " + err.Error())
	}
	m := f.Metrics()
	return &Face{face: f, ascent: m.Ascent.Ceil(), descent: m.Descent.Ceil()}
}

// Height is a line's height in pixels: ascent and descent.
func (f *Face) Height() int { return f.ascent + f.descent }

// Width is s's advance in pixels.
func (f *Face) Width(s string) int { return font.MeasureString(f.face, s).Ceil() }

// Draw draws s over dst (premultiplied: image.RGBA is) in c, the line's
// top left at at (its baseline Ascent lower), clipped to dst's bounds.
func (f *Face) Draw(dst *image.RGBA, at image.Point, s string, c color.RGBA) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: f.face, Dot: fixed.P(at.X, at.Y+f.ascent)}
	d.DrawString(s)
}

// Ascent is the distance from a line's top to its baseline in pixels.
func (f *Face) Ascent() int { return f.ascent }
