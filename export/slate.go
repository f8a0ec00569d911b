package export

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"flick/engine"
	"flick/engine/timecode"
	"flick/export/burnin"
	"flick/render"
)

// MaxSlateFrames bounds a slate's length (ten seconds at 24 fps).
const MaxSlateFrames = 240

// SlateFields are the fields a slate lists, in this order, where they have
// a value; fields beyond them (given with --field) follow by name.
var SlateFields = []string{"shot", "version", "range", "tc", "fps", "size", "date", "user", "host", "view", "layer", "comment", "codec", "colour"}

// Slate is a leader of Frames frames before the shot: its fields as text
// beside a thumbnail of the shot's middle frame, drawn through the
// export's own display pass. The shot's first frame keeps its place and
// timecode: the movie starts Frames frames earlier.
type Slate struct {
	Frames int
	// Fields are the values listed; per-frame fields ({frame}, {tc})
	// are not.
	Fields burnin.Fields
	// Thumb returns the shot's middle frame, decoded (nil or failed: no
	// thumbnail); nil Thumb: none. Run calls it once from its draw
	// goroutine, once the GL context is set up, so the decode can overlap
	// that; it may block until the frame is decoded. The caller keeps the
	// frame: Run neither changes nor releases it.
	Thumb func() *engine.Frame
}

// Start is the timecode of a movie's first frame when its shot's first
// frame has shot: the slate's frames earlier (wrapping at midnight, as
// timecode does), so that the shot keeps its own; shot itself for a nil
// slate.
func (s *Slate) Start(shot timecode.Timecode, fps Rational) *timecode.Timecode {
	if s != nil {
		// Add fails only for a timecode Check refuses at this rate,
		// which the export then reports.
		if tc, err := shot.Add(-s.Frames, timecode.Rate{Num: fps.Num, Den: fps.Den}); err == nil {
			return &tc
		}
	}
	return &shot
}

// ShotFields are a slate's fields for shot (burnin.Shot's, as of now,
// less the per-frame {frame}; {tc} is the shot's first frame's) as movie
// encodes it: with its codec
// settings and colour tags.
func ShotFields(shot burnin.Shot, movie Options) burnin.Fields {
	f := shot.Fields([]int{0}, time.Now())(0)
	delete(f, "frame") // {tc} stays: the shot's first frame's timecode
	s := movie.Settings("")
	f["codec"] = strings.TrimSpace(fmt.Sprintf("%s crf %d %s", s.Codec, s.CRF, s.Preset))
	if spec, _ := specOf(s.Codec); spec.family == prores {
		f["codec"] = string(s.Codec)
	}
	f["colour"] = movie.Colour.String()
	return f
}

// slateBackground is the slate's grey, a 16-bit level: dark, so the
// thumbnail stands out, but not black, so the slate is not taken for a
// missing frame.
const slateBackground = 0.08 * 65535

// thumbRect is where thumb goes on a w x h slate: the right part,
// centred vertically, with the aspect of the frame's display window;
// empty without a thumbnail.
func thumbRect(thumb *engine.Frame, w, h int) image.Rectangle {
	if thumb == nil || thumb.Err != nil || thumb.DisplayWindow.Empty() {
		return image.Rectangle{}
	}
	margin := w / 20
	tw := int(math.Round(float64(w) * 0.42))
	th := int(math.Round(float64(tw) * float64(thumb.DisplayWindow.Dy()) / float64(thumb.DisplayWindow.Dx())))
	if maxH := h * 3 / 4; th > maxH {
		tw, th = int(math.Round(float64(tw)*float64(maxH)/float64(th))), maxH
	}
	tw, th = max(1, tw), max(1, th)
	x, y := w-margin-tw, (h-th)/2
	return image.Rect(x, y, x+tw, y+th)
}

// lines are the slate's label and value pairs: SlateFields with values,
// then the other fields by name.
func (s *Slate) lines() [][2]string {
	var ls [][2]string
	for _, k := range SlateFields {
		if v := s.Fields[k]; v != "" {
			ls = append(ls, [2]string{k, v})
		}
	}
	var extra []string
	for k, v := range s.Fields {
		if v != "" && !slices.Contains(SlateFields, k) && k != "frame" {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		ls = append(ls, [2]string{k, s.Fields[k]})
	}
	return ls
}

// compose draws the slate into out (w x h RGBA 16-bit, top row first,
// opaque): the grey ground, the fields as text in a column on the left
// (labels grey, values white, with Go Regular at a size following the
// output's height), and thumb, the thumbnail's pixels for tr (nil for
// none).
func (s *Slate) compose(out []uint16, w, h int, tr image.Rectangle, thumb []uint16) {
	text := image.NewRGBA(image.Rect(0, 0, w, h))
	margin := w / 20
	column := text.SubImage(image.Rect(margin, 0, w-margin, h)).(*image.RGBA)
	if !tr.Empty() {
		column = text.SubImage(image.Rect(margin, 0, tr.Min.X-margin/2, h)).(*image.RGBA)
	}
	face := burnin.NewFace(max(12, math.Round(float64(h)*0.032)))
	lines := s.lines()
	labelW := 0
	for _, l := range lines {
		labelW = max(labelW, face.Width(l[0]))
	}
	step := face.Height() * 5 / 4
	y := max(margin/2, (h-step*len(lines))/2)
	for _, l := range lines {
		face.Draw(column, image.Pt(margin, y), l[0], color.RGBA{150, 150, 150, 255})
		face.Draw(column, image.Pt(margin+labelW+face.Height(), y), l[1], color.RGBA{255, 255, 255, 255})
		y += step
	}
	// Text (premultiplied 8-bit) over the ground, to 16 bits.
	for i := 0; i < w*h; i++ {
		p := text.Pix[4*i : 4*i+4 : 4*i+4]
		under := slateBackground * float64(255-p[3]) / 255
		for c := range 3 {
			out[4*i+c] = uint16(math.Round(under + float64(p[c])*257))
		}
		out[4*i+3] = 65535
	}
	if thumb == nil {
		return
	}
	tw := tr.Dx()
	for ty := range tr.Dy() {
		row := out[4*((tr.Min.Y+ty)*w+tr.Min.X):][:4*tw]
		copy(row, thumb[4*ty*tw:4*(ty+1)*tw])
		for x := range tw {
			row[4*x+3] = 65535 // the slate is opaque whatever the codec keeps
		}
	}
}

// Render draws the slate at w x h into out (w*h*4 values, RGBA 16-bit, top
// row first): thumb (nil: none; s.Thumb is not called) through d with
// settings (the shot's own display pass: what the movie shows), read back,
// beside the text. GL goroutine only; it makes and deletes its own image
// and target.
func (s *Slate) Render(d *render.Display, settings render.Settings, thumb *engine.Frame, w, h int, out []uint16) error {
	tr := thumbRect(thumb, w, h)
	if tr.Empty() {
		s.compose(out, w, h, tr, nil)
		return nil
	}
	var im render.Image
	im.Mode = render.UploadSync
	defer im.Close()
	var t render.Target
	defer t.Close()
	f := thumb
	if err := im.Upload(f.Pix, f.DataWindow.Dx(), f.DataWindow.Dy()); err != nil {
		return err
	}
	if err := t.Resize16(tr.Dx(), tr.Dy()); err != nil {
		return err
	}
	settings.KeepAlpha = false
	d.Draw(&t, &im, fill(tr.Dx(), tr.Dy(), f.DisplayWindow, f.DataWindow), settings)
	if err := d.Err(); err != nil {
		return err
	}
	render.Finish()
	pix := make([]uint16, 4*tr.Dx()*tr.Dy())
	if err := t.ReadRGBA16(pix); err != nil {
		return err
	}
	s.compose(out, w, h, tr, pix)
	return nil
}
