package export_test

import (
	"context"
	"fmt"
	"image"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"flick/export"
	"flick/export/burnin"
	"flick/export/exporttest"
	"flick/render/rendertest"
)

// TestExportBurnins exports a sequence to ProRes 4444 with and without
// burn-ins and compares the decoded movies region by region: outside the
// bands (and the 16x16 blocks they touch, where the codec spreads a
// change) the two are the same; inside, the movie with burn-ins matches
// burnin's CPU render of the expected text blended over the movie without,
// and matches it better than the text of another frame number would, so
// the {frame} band shows each frame's own source number.
func TestExportBurnins(t *testing.T) {
	const w, h, n = 320, 180, 5
	seq := scene(t, w, h, n)
	load, release := loader(t, seq)
	ts, err := burnin.ParseAll([]string{"TL=shot {shot}", "BR={frame}"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	fields := func(frame int) burnin.Fields { return burnin.Fields{"shot": "sh010", "frame": fmt.Sprint(frame)} }
	export1 := func(name string, burnins []burnin.Template) [][]uint16 {
		out := filepath.Join(t.TempDir(), name)
		job := export.Job{
			Frames:  seq.Frames,
			Movie:   export.Options{Path: out, Codec: export.ProRes4444, Width: w, Height: h, FPS: export.Rational{Num: 24, Den: 1}, CRF: -1},
			Load:    load,
			Release: release,
			Burnins: burnins,
			Fields:  func(i int) burnin.Fields { return fields(seq.Frames[i]) },
		}
		if _, err := export.Run(context.Background(), job, rendertest.Queue()); err != nil {
			t.Fatal(err)
		}
		var frames [][]uint16
		got, err := exporttest.Decode(out, func(_ int, rgba []uint16) error {
			frames = append(frames, slices.Clone(rgba))
			return nil
		})
		if err != nil || got != n {
			t.Fatalf("decoded %d frames of %s: %v", got, name, err)
		}
		return frames
	}
	plain, burnt := export1("plain.mov", nil), export1("burnt.mov", ts)

	r := burnin.NewRenderer(w, h, ts)
	var lastBand []uint16
	for i, frame := range seq.Frames {
		bands := r.Bands(fields(frame))
		// Outside the 16x16 blocks the bands touch: the same pixels.
		near := func(x, y int) bool {
			for _, b := range bands {
				blocks := image.Rect(b.Rect.Min.X&^15, b.Rect.Min.Y&^15, (b.Rect.Max.X+15)&^15, (b.Rect.Max.Y+15)&^15)
				if image.Pt(x, y).In(blocks) {
					return true
				}
			}
			return false
		}
		worst := 0
		for y := range h {
			for x := range w {
				if near(x, y) {
					continue
				}
				for c := range 3 {
					k := 4*(y*w+x) + c
					worst = max(worst, abs(int(burnt[i][k])-int(plain[i][k])))
				}
			}
		}
		if worst > 64 {
			t.Errorf("frame %d: outside the bands the movies differ by up to %d/65535", frame, worst)
		}
		// Inside: the expected text over the picture without burn-ins.
		for j, b := range bands {
			right := psnrOver(b, plain[i], burnt[i], w)
			wrong := psnrOver(burnin.NewRenderer(w, h, ts).Bands(fields(frame + 1))[j], plain[i], burnt[i], w)
			if right < 45 {
				t.Errorf("frame %d, band %q: %.1f dB against the CPU render, want >= 45", frame, ts[j].Spec, right)
			}
			if j == 1 && right < wrong+6 {
				t.Errorf("frame %d: the {frame} band matches %d (%.1f dB) nearly as well as %d (%.1f dB)", frame, frame+1, wrong, frame, right)
			}
		}
		band := region(burnt[i], bands[1].Rect, w)
		if lastBand != nil && slices.Equal(band, lastBand) {
			t.Errorf("frame %d: the {frame} band is the same as the frame before's", frame)
		}
		lastBand = band
	}
}

// region copies the RGB of r out of a w-wide RGBA frame.
func region(pix []uint16, r image.Rectangle, w int) []uint16 {
	var out []uint16
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			out = append(out, pix[4*(y*w+x):4*(y*w+x)+3]...)
		}
	}
	return out
}

// psnrOver is the PSNR over band b's rectangle of got against b blended
// (premultiplied over) onto under, all w-wide RGBA frames of 16-bit codes.
func psnrOver(b *image.RGBA, under, got []uint16, w int) float64 {
	var sum float64
	var count int
	for y := b.Rect.Min.Y; y < b.Rect.Max.Y; y++ {
		for x := b.Rect.Min.X; x < b.Rect.Max.X; x++ {
			p := b.PixOffset(x, y)
			a := float64(b.Pix[p+3]) / 255
			for c := range 3 {
				k := 4*(y*w+x) + c
				want := float64(b.Pix[p+c])/255*65535 + float64(under[k])*(1-a)
				d := float64(got[k]) - want
				sum += d * d
				count++
			}
		}
	}
	return 10 * math.Log10(65535*65535/(sum/float64(count)))
}
