package engine

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/x448/float16"

	"flick/engine/exr"
)

// The built-in demo: an animated test pattern written as a real EXR
// sequence, so that it takes the same path as a user's files.
const (
	demoFrames        = 24
	demoFirst         = 1001
	demoWidth         = 960
	demoHeight        = 540
	demoFPS           = 24
	demoVersion       = "demo-v1" // change when the pattern changes
	demoName          = "flick-demo.%04d.exr"
	demoPattern       = "flick-demo.####.exr"
	demoExposureSteps = 11
)

// Demo returns the pattern of the demo sequence under cacheDir (normally
// os.UserCacheDir()), writing the frames that are not there yet.
func Demo(cacheDir string) (string, error) {
	dir := filepath.Join(cacheDir, "flick", demoVersion)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("demo: %w", err)
	}
	var pix []uint16
	for i := range demoFrames {
		path := filepath.Join(dir, fmt.Sprintf(demoName, demoFirst+i))
		if _, err := os.Stat(path); err == nil {
			continue
		}
		if pix == nil {
			pix = make([]uint16, 4*demoWidth*demoHeight)
		}
		demoFrame(pix, demoWidth, demoHeight, i)
		if err := exr.WriteRGBA(path, demoWidth, demoHeight, pix, exr.ZIP, demoFPS); err != nil {
			return "", fmt.Errorf("demo: %w", err)
		}
	}
	return filepath.Join(dir, demoPattern), nil
}

// demoFrame draws frame i of the pattern in scene-linear light: a hue sweep
// that darkens downwards, a bright disc (values up to 4) crossing the frame,
// a progress bar for the frame number, and along the bottom a linear grey
// ramp over exposure patches one stop apart around 18% grey.
func demoFrame(pix []uint16, w, h, i int) {
	t := float64(i) / demoFrames
	cx := float64(w) * (0.15 + 0.7*t)
	cy := float64(h) * (0.45 + 0.15*math.Sin(2*math.Pi*t))
	radius := float64(h) / 8
	rampTop, patchTop := h*13/16, h*14/16
	for y := range h {
		for x := range w {
			u, v := float64(x)/float64(w-1), float64(y)/float64(h-1)
			var r, g, b float64
			switch {
			case y >= patchTop:
				stop := x * demoExposureSteps / w
				r = 0.18 * math.Exp2(float64(stop-demoExposureSteps/2))
				g, b = r, r
			case y >= rampTop:
				r, g, b = u, u, u
			case y < h/32:
				if u <= float64(i+1)/demoFrames {
					r, g, b = 0.9, 0.9, 0.9
				}
			default:
				r, g, b = hue(u + t)
				dim := 0.6 * (1 - v)
				r, g, b = r*dim, g*dim, b*dim
				d := math.Hypot(float64(x)-cx, float64(y)-cy)
				if d < radius {
					k := 4 * math.Min(1, (radius-d)/4)
					r, g, b = r+k, g+0.8*k, b+0.5*k
				}
			}
			o := 4 * (y*w + x)
			pix[o+0] = float16.Fromfloat32(float32(r)).Bits()
			pix[o+1] = float16.Fromfloat32(float32(g)).Bits()
			pix[o+2] = float16.Fromfloat32(float32(b)).Bits()
			pix[o+3] = float16.Fromfloat32(1).Bits()
		}
	}
}

// hue returns a fully saturated colour for h in turns.
func hue(h float64) (r, g, b float64) {
	h = 6 * (h - math.Floor(h))
	c := func(k float64) float64 {
		k = math.Mod(k+h, 6)
		return math.Max(0, math.Min(1, math.Min(k, 4-k)))
	}
	return c(5), c(3), c(1)
}
