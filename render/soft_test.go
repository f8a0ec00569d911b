package render_test

import (
	"fmt"
	"image"
	"testing"

	"flick/render"
	"flick/render/rendertest"
)

// softSettings are the settings SoftDraw takes, each kind at least once.
func softSettings() []render.Settings {
	var ss []render.Settings
	for _, tr := range []render.Transform{render.TransformSRGB, render.TransformRec709, render.TransformLinear, render.TransformRaw} {
		for _, ex := range []float32{0, 1.5, -2.25} {
			ss = append(ss, render.Settings{Transform: tr, Exposure: ex})
		}
		ss = append(ss, render.Settings{Transform: tr, KeepAlpha: true})
	}
	for c := render.ChannelR; c <= render.ChannelA; c++ {
		ss = append(ss, render.Settings{Channels: c}, render.Settings{Channels: c, Transform: render.TransformRec709, KeepAlpha: true})
	}
	return ss
}

// SoftDraw gives Draw's 16-bit values bit for bit from a pinned buffer
// (what exports on llvmpipe draw from), on an image with values below 0 and
// above 1, NaN and infinities, at every scale it takes (with odd widths),
// with and without overscan, for every kind of setting it takes; and SoftMatches, which exports
// rely on, says so. From a texture, llvmpipe's filtering at half size
// rounds otherwise: SoftMatches must never say they match where they do not.
func TestSoftDrawMatchesDraw(t *testing.T) {
	if _, ok := render.SoftScale(2, 2, softView(2, 2), render.Settings{}, 2, 2); !ok {
		t.Skip("this CPU has no AVX2/F16C: exports draw through the GL")
	}
	d := newDisplay(t)
	// At 1:2 the first is an odd number of pixels wide, at 1:4 the second.
	images := map[int][2]int{1: {246, 90}, 2: {246, 90}, 4: {252, 92}}
	caught := 0
	for _, mode := range uploadModes() {
		for _, s := range softSettings() {
			name := fmt.Sprintf("%v/%v", mode, s)
			mismatch := ""
			for _, k := range []int{1, 2, 4} {
				w, h := images[k][0], images[k][1]
				for over := 0; over <= 2 && mismatch == ""; over += 2 {
					mismatch = softMismatch(t, d, mode, specialImage(w, h), w, h, k, over, s)
				}
			}
			var ok bool
			var err error
			rendertest.Call(func() { ok, err = d.SoftMatches(mode, s) })
			switch {
			case err != nil:
				t.Errorf("%s: SoftMatches: %v", name, err)
			case mode == render.UploadPinned && (mismatch != "" || !ok):
				t.Errorf("%s: SoftMatches says %v; the image gives %q", name, ok, mismatch)
			case mismatch != "" && ok:
				t.Errorf("%s: SoftMatches says they match; the image gives %s", name, mismatch)
			case mismatch != "":
				caught++
			}
		}
	}
	if caught == 0 {
		t.Log("no texture upload mode differs from SoftDraw here: SoftMatches's refusal is not exercised")
	}
}

// softMismatch draws pix (w x h) at 1/k of its size in mode through d and
// through SoftDraw, over pixels beyond each edge of the target (overscan),
// and says where they first differ ("" where they do not).
func softMismatch(t *testing.T, d *render.Display, mode render.UploadMode, pix []uint16, w, h, k, over int, s render.Settings) string {
	t.Helper()
	tw, th := w/k-2*over, h/k-2*over
	o := float32(over)
	v := render.View{Data: render.Rect{X0: -o, Y0: -o, X1: float32(w/k) - o, Y1: float32(h/k) - o}}
	v.Display = v.Data
	want := make([]uint16, 4*tw*th)
	var err error
	rendertest.Call(func() {
		im := render.Image{Mode: mode}
		defer im.Close()
		var tg render.Target
		defer tg.Close()
		if err = im.Upload(pix, w, h); err != nil {
			return
		}
		defer im.Unpin()
		if err = tg.Resize16(tw, th); err != nil {
			return
		}
		d.Draw(&tg, &im, v, s)
		err = tg.ReadRGBA16(want)
	})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]uint16, len(want))
	if !render.SoftDraw(got, pix, w, h, v, s, tw, th) {
		t.Fatalf("%v at 1/%d: SoftDraw refused", s, k)
	}
	for i := range got {
		if got[i] != want[i] {
			p := i / 4
			return fmt.Sprintf("at 1/%d with %d pixels over, pixel (%d, %d) channel %d is %d, Draw gives %d", k, over, p%tw, p/tw, i%4, got[i], want[i])
		}
	}
	return ""
}

// SoftScale takes only what SoftDraw draws as Draw does.
func TestSoftScale(t *testing.T) {
	if _, ok := render.SoftScale(2, 2, softView(2, 2), render.Settings{}, 2, 2); !ok {
		t.Skip("this CPU has no AVX2/F16C: SoftScale refuses everything")
	}
	v := softView(960, 540)
	for _, c := range []struct {
		name   string
		w, h   int
		v      render.View
		s      render.Settings
		tw, th int
		k      int
	}{
		{"half", 1920, 1080, v, render.Settings{}, 960, 540, 2},
		{"same size", 960, 540, v, render.Settings{Exposure: 2, Transform: render.TransformRaw}, 960, 540, 1},
		{"one channel", 1920, 1080, v, render.Settings{Channels: render.ChannelA, KeepAlpha: true}, 960, 540, 2},
		{"a quarter", 3840, 2160, v, render.Settings{}, 960, 540, 4},
		{"a third", 2880, 1620, v, render.Settings{}, 960, 540, 0},
		{"an eighth", 7680, 4320, v, render.Settings{}, 960, 540, 0},
		{"not a whole factor", 1921, 1080, v, render.Settings{}, 960, 540, 0},
		{"overscan", 2112, 1188, render.View{Data: render.Rect{X0: -48, Y0: -27, X1: 1008, Y1: 567}}, render.Settings{}, 960, 540, 2},
		{"overscan at 1:1", 964, 544, render.View{Data: render.Rect{X0: -2, Y0: -1, X1: 962, Y1: 543}}, render.Settings{}, 960, 540, 1},
		{"overscan off the pixel grid", 2113, 1188, render.View{Data: render.Rect{X0: -48.5, Y0: -27, X1: 1008, Y1: 567}}, render.Settings{}, 960, 540, 0},
		{"data window inside the target", 1920, 1080, render.View{Data: render.Rect{X0: 1, Y0: 0, X1: 961, Y1: 540}}, render.Settings{}, 960, 540, 0},
		{"data window smaller than the target", 1920, 1000, render.View{Data: render.Rect{X0: 0, Y0: 0, X1: 960, Y1: 500}}, render.Settings{}, 960, 540, 0},
		{"BT.1886", 1920, 1080, v, render.Settings{Transform: render.TransformBT1886}, 960, 540, 0},
		{"gamma", 1920, 1080, v, render.Settings{Gamma: 2.2}, 960, 540, 0},
		{"gamma 1", 1920, 1080, v, render.Settings{Gamma: 1}, 960, 540, 2},
		{"luminance", 1920, 1080, v, render.Settings{Channels: render.ChannelLuminance}, 960, 540, 0},
		{"checker", 1920, 1080, v, render.Settings{Checker: true}, 960, 540, 0},
		{"NaN flags", 1920, 1080, v, render.Settings{ShowNaN: true}, 960, 540, 0},
		{"nearest at half", 1920, 1080, v, render.Settings{Nearest: true}, 960, 540, 0},
		{"nearest at 1:1", 960, 540, v, render.Settings{Nearest: true}, 960, 540, 1},
		{"one pixel wide", 2, 1080, softView(1, 540), render.Settings{}, 1, 540, 0},
	} {
		k, ok := render.SoftScale(c.w, c.h, c.v, c.s, c.tw, c.th)
		if ok != (c.k != 0) || k != c.k {
			t.Errorf("%s: SoftScale = %d, %v; want %d", c.name, k, ok, c.k)
		}
	}
}

// softView is the view of an image's data window over the whole of a
// w x h target.
func softView(w, h int) render.View {
	r := image.Rect(0, 0, w, h)
	return render.FitView(w, h, r, r)
}

// WriteRows16 puts 16-bit codes into rows of a 16-bit target exactly, and
// ReadRows16 reads just those rows back; the other rows keep what was drawn.
func TestTargetRows16(t *testing.T) {
	const w, h = 37, 20
	src := make([]uint16, 4*w*h)
	for i := range src {
		src[i] = uint16(i*2654435761>>7) | 1 // not what a fresh target holds
	}
	drawn, got, rows := make([]uint16, 4*w*h), make([]uint16, 4*w*h), make([]uint16, 4*w*h)
	var err error
	var refused []string
	rendertest.Call(func() {
		var tg render.Target
		defer tg.Close()
		for _, step := range []func() error{
			func() error { return tg.Resize16(w, h) },
			func() error { return tg.ReadRGBA16(drawn) },
			func() error { return tg.WriteRows16(src, 5, 9) },
			func() error { return tg.ReadRGBA16(got) },
			func() error { return tg.ReadRows16(rows, 5, 9) },
		} {
			if err = step(); err != nil {
				return
			}
		}
		for _, r := range [][2]int{{-1, 3}, {4, h + 1}, {6, 5}} {
			if tg.WriteRows16(src, r[0], r[1]) == nil || tg.ReadRows16(rows, r[0], r[1]) == nil {
				refused = append(refused, fmt.Sprintf("rows %d-%d of %d taken", r[0], r[1], h))
			}
		}
		if tg.WriteRows16(src[:10], 0, 1) == nil {
			refused = append(refused, "a short buffer taken")
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refused {
		t.Error(r)
	}
	for i := range got {
		in := i >= 4*w*5 && i < 4*w*9
		switch {
		case in && (got[i] != src[i] || rows[i] != src[i]):
			t.Fatalf("value %d (row %d): read %d and %d, written %d", i, i/(4*w), got[i], rows[i], src[i])
		case !in && (got[i] != drawn[i] || rows[i] != 0):
			t.Fatalf("value %d (row %d) outside the rows: %d (was %d), rows read %d", i, i/(4*w), got[i], drawn[i], rows[i])
		}
	}
}
