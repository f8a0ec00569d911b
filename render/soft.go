package render

/*
#include "soft.h"
*/
import "C"

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/x448/float16"
)

// A software renderer (llvmpipe) runs the display pass on the CPU anyway,
// through a general rasterizer: an export's plain draw (a frame at its own
// size, a half or a quarter of it, through flick's transforms) costs it
// more than the arithmetic does. SoftDraw does that arithmetic itself, in the order and
// precision llvmpipe runs displayFragment, so that the 16-bit values are
// the same bits; SoftMatches checks that on the GL at hand before a caller
// relies on it.

// SoftScale reports whether SoftDraw draws a w x h image (RGBA half) in v
// through s into a tw x th RGBA16 target as Draw does, and k, the image
// texels per target pixel (softScales: 1, 2 or 4): the data window
// covering the target, from a whole target pixel at or above and left of
// its corner (overscan at whole pixels, as export's fill places it);
// flick's sRGB, Rec.709, linear or raw transform, RGB or one channel, any
// exposure, KeepAlpha or not; no OpenColorIO, gamma, checkerboard,
// luminance, NaN flags or forced nearest sampling; an AVX2/F16C CPU.
func SoftScale(w, h int, v View, s Settings, tw, th int) (k int, ok bool) {
	d := v.Data
	if !softCPU || tw < 2 || th < 1 || d.X0 > 0 || d.Y0 > 0 || d.X0 != float32(math.Floor(float64(d.X0))) ||
		d.Y0 != float32(math.Floor(float64(d.Y0))) || d.X1 < float32(tw) || d.Y1 < float32(th) {
		return 0, false
	}
	k = 0
	for _, f := range softScales {
		if d.X1-d.X0 == float32(w/f) && d.Y1-d.Y0 == float32(h/f) && w%f == 0 && h%f == 0 {
			k = f
			break
		}
	}
	switch {
	case k == 0, s.OCIO != nil, s.Gamma != 0 && s.Gamma != 1, s.Checker, s.ShowNaN, s.Nearest && k != 1,
		s.Channels < ChannelsRGB || s.Channels > ChannelA, s.Transform == TransformBT1886,
		s.Transform < TransformSRGB || s.Transform > TransformRaw:
		return 0, false
	}
	return k, true
}

var softCPU = C.flick_soft_cpu() != 0

// softScales are the image texels per target pixel SoftDraw takes: where
// place() samples whole texels (1:1), one bilinear tap at a 2x2 block's
// centre (1:2), or a box of 2x2 such taps (1:4), every weight a half and
// every coordinate exact.
var softScales = [...]int{1, 2, 4}

// SoftDraw draws pix (w x h, RGBA half) in v through s into dst (tw x th,
// RGBA 16-bit, rows top first as ReadRGBA16 gives them) on the CPU, as
// Draw and ReadRGBA16 on llvmpipe would; false, drawing nothing, where
// SoftScale is false. Safe from any goroutine.
func SoftDraw(dst, pix []uint16, w, h int, v View, s Settings, tw, th int) bool {
	k, ok := SoftScale(w, h, v, s, tw, th)
	if !ok || len(pix) < 4*w*h || len(dst) < 4*tw*th {
		return false
	}
	C.flick_soft_draw((*C.uint16_t)(unsafe.Pointer(&dst[0])), (*C.uint16_t)(unsafe.Pointer(&pix[0])),
		C.int(w), C.int(-v.Data.X0), C.int(-v.Data.Y0), C.int(tw), C.int(th), C.int(k), C.int(s.Channels),
		C.int(s.Transform), C.float(math.Exp2(float64(s.Exposure))), C.int(boolInt(s.KeepAlpha)))
	return true
}

// SoftMatches draws test cards through d, from images uploaded in mode,
// into a 16-bit target, and through SoftDraw, at each of SoftDraw's scales
// with s, and reports whether every value is the same: whether SoftDraw
// may stand in for d with s on this GL. The cards (softCards) hold every
// half value (NaN, infinities and denormals too) in each channel,
// neighbours of unrelated magnitudes, and smooth ramps. False where
// SoftScale refuses s. GL goroutine only.
func (d *Display) SoftMatches(mode UploadMode, s Settings) (bool, error) {
	for _, c := range softCards() {
		for _, k := range softScales {
			tw, th := c.w/k, c.h/k
			r := Rect{0, 0, float32(tw), float32(th)}
			v := View{Display: r, Data: r}
			if _, ok := SoftScale(c.w, c.h, v, s, tw, th); !ok {
				return false, nil
			}
			got, err := d.drawCard(mode, c.pix, c.w, c.h, v, s, tw, th)
			if err != nil {
				return false, err
			}
			want := make([]uint16, len(got))
			SoftDraw(want, c.pix, c.w, c.h, v, s, tw, th)
			for i := range got {
				if got[i] != want[i] {
					return false, nil
				}
			}
		}
	}
	return true, nil
}

// drawCard draws pix (w x h) in v through s into a tw x th RGBA16 target
// and reads it back.
func (d *Display) drawCard(mode UploadMode, pix []uint16, w, h int, v View, s Settings, tw, th int) ([]uint16, error) {
	im := Image{Mode: mode}
	defer im.Close()
	var t Target
	defer t.Close()
	if err := im.Upload(pix, w, h); err != nil {
		return nil, err
	}
	defer im.Unpin()
	if err := t.Resize16(tw, th); err != nil {
		return nil, err
	}
	d.Draw(&t, &im, v, s)
	if err := d.Err(); err != nil {
		return nil, err
	}
	out := make([]uint16, 4*tw*th)
	if err := t.ReadRGBA16(out); err != nil {
		return nil, fmt.Errorf("soft draw check: %w", err)
	}
	return out, nil
}

// softCard is a test card for SoftMatches.
type softCard struct {
	w, h int
	pix  []uint16
}

// softCards returns SoftMatches' cards: every half value in each channel
// (each channel's values in another order); half values of magnitudes
// from 2^-20 to 2^10, in [0, 1] and anywhere, side by side; and smooth
// ramps. Every side divides by 4, and none is a power of two (where a
// texture's coordinates are exact, and rounding that differs elsewhere does
// not show); at 1:4 the first card is an odd number of pixels wide.
func softCards() []softCard {
	all := softCard{w: 508, h: 132, pix: make([]uint16, 4*508*132)}
	steps := [4]uint32{1, 40503, 30011, 12345} // odd: each visits every value
	for i := range all.w * all.h {
		for c := range 4 {
			all.pix[4*i+c] = uint16(uint32(i)*steps[c] + uint32(c)*7919)
		}
	}
	mixed := softCard{w: 244, h: 92, pix: make([]uint16, 4*244*92)}
	x := uint32(2463534242) // xorshift32
	next := func() uint32 {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		return x
	}
	for i := range mixed.pix {
		r := next()
		f := float64(r>>8) / (1 << 24)
		switch r & 3 {
		case 0:
			mixed.pix[i] = uint16(r >> 8)
		case 1:
			mixed.pix[i] = halfBits(f)
		case 2:
			mixed.pix[i] = halfBits(f * 0.01)
		default:
			mixed.pix[i] = halfBits(math.Exp2(f*30 - 20))
		}
	}
	// Smooth ramps: neighbours a step apart, where a filter's weights
	// that are not exactly a half show.
	ramps := softCard{w: 196, h: 100, pix: make([]uint16, 4*196*100)}
	for y := range ramps.h {
		for x := range ramps.w {
			fx, fy := float64(x)/float64(ramps.w), float64(y)/float64(ramps.h)
			v := [4]float64{-0.25 + 1.5*fx, math.Exp2(-12 + 14*fy), 0.5 + 0.001*float64((7*x+3*y)%101), 1 - fx*fy}
			for c := range 4 {
				ramps.pix[4*(y*ramps.w+x)+c] = halfBits(v[c])
			}
		}
	}
	return []softCard{all, mixed, ramps}
}

func halfBits(f float64) uint16 { return float16.Fromfloat32(float32(f)).Bits() }
