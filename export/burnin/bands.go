package burnin

import (
	"image"
	"image/color"
	"math"
)

// Band colours: white text on black at about 55% opacity (premultiplied),
// legible over any picture while the picture still shows through.
var (
	textColour = color.RGBA{255, 255, 255, 255}
	bandColour = color.RGBA{0, 0, 0, 140}
)

// Renderer renders a list of templates into bands for one output size. It
// keeps each template's last band and renders a band again only when its
// text changes, so that from frame to frame only the frame and timecode
// bands cost anything. Not safe for concurrent use.
type Renderer struct {
	w, h      int
	templates []Template
	face      *Face
	margin    int // from the picture's edges to the bands
	pad       int // around the text, inside its band
	gap       int // between bands stacked at one position
	last      []band
}

// band is a template's last rendered text and its image.
type band struct {
	text string
	img  *image.RGBA
}

// NewRenderer renders ts for a w x h output. The text's size follows the
// output's height (about 2.8% of it, at least 12 pixels: 15 at 540 lines,
// 30 at 1080, 60 at 2160), as do the margins, so a movie's burn-ins look
// the same at any size.
func NewRenderer(w, h int, ts []Template) *Renderer {
	px := max(12, math.Round(float64(h)*0.028))
	return &Renderer{
		w: w, h: h, templates: ts, face: NewFace(px),
		margin: max(4, h/40), pad: max(2, int(px/4)), gap: max(1, h/200),
		last: make([]band, len(ts)),
	}
}

// Bands returns one band per template, in the order given, for the fields
// f: each an image whose bounds are where it goes in the output (within it)
// and whose pixels are premultiplied RGBA, text over a translucent dark
// band, or an empty image where the text is empty. A band is never changed once returned (one whose text changed is a
// new image), so a caller may keep it and compare pointers to skip an
// upload. Templates at one position are stacked, the first nearest the top.
func (r *Renderer) Bands(f Fields) []*image.RGBA {
	out := make([]*image.RGBA, len(r.templates))
	for i, t := range r.templates {
		s := t.Text(f)
		if r.last[i].img == nil || r.last[i].text != s {
			img := &image.RGBA{} // no text (every field empty): no band
			if s != "" {
				img = r.render(s, r.place(i, r.face.Width(s)))
			}
			r.last[i] = band{text: s, img: img}
		}
		out[i] = r.last[i].img
	}
	return out
}

// place is the rectangle of template i's band for text w pixels wide,
// clipped to the output.
func (r *Renderer) place(i, w int) image.Rectangle {
	bw, bh := w+2*r.pad, r.face.Height()+2*r.pad
	pos := r.templates[i].Pos
	// k of n templates at pos.
	k, n := 0, 0
	for j, t := range r.templates {
		if t.Pos == pos {
			if j < i {
				k++
			}
			n++
		}
	}
	var x, y int
	switch pos {
	case TL, L, BL:
		x = r.margin
	case T, B:
		x = (r.w - bw) / 2
	default:
		x = r.w - r.margin - bw
	}
	stack := n*bh + (n-1)*r.gap
	switch pos {
	case TL, T, TR:
		y = r.margin
	case L, R:
		y = (r.h - stack) / 2
	default:
		y = r.h - r.margin - stack
	}
	y += k * (bh + r.gap)
	return image.Rect(x, y, x+bw, y+bh).Intersect(image.Rect(0, 0, r.w, r.h))
}

// render draws s on a band over rect.
func (r *Renderer) render(s string, rect image.Rectangle) *image.RGBA {
	img := image.NewRGBA(rect)
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = bandColour.R, bandColour.G, bandColour.B, bandColour.A
	}
	r.face.Draw(img, rect.Min.Add(image.Pt(r.pad, r.pad)), s, textColour)
	return img
}
