package export

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/asticode/go-astiav"

	"flick/export/exporttest"
)

// newFrame allocates a frame of layout l.
func newFrame(t testing.TB, l layout, w, h int) *astiav.Frame {
	t.Helper()
	f := astiav.AllocFrame()
	f.SetWidth(w)
	f.SetHeight(h)
	f.SetPixelFormat(l.pixelFormat())
	if err := f.AllocBuffer(0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Free)
	if err := prepareFrame(f, Colour{}); err != nil {
		t.Fatal(err)
	}
	return f
}

// planes reads f's planes back as ints (Y, Cb, Cr[, A]).
func planes(t testing.TB, l layout, f *astiav.Frame) [][]int {
	t.Helper()
	buf, err := f.Data().Bytes(1)
	if err != nil {
		t.Fatal(err)
	}
	w, h := f.Width(), f.Height()
	cw, ch := w, h
	if l.evenWidth() {
		cw = w / 2
	}
	if l.evenHeight() {
		ch = h / 2
	}
	sizes := []int{w * h, cw * ch, cw * ch}
	if l == yuva444p10 {
		sizes = append(sizes, w*h)
	}
	var out [][]int
	off := 0
	for _, n := range sizes {
		p := make([]int, n)
		for i := range p {
			if l == yuv420p {
				p[i] = int(buf[off+i])
			} else {
				p[i] = int(buf[2*(off+i)]) | int(buf[2*(off+i)+1])<<8
			}
		}
		out = append(out, p)
		off += n
	}
	return out
}

// reference is the plain float64 limited-range conversion with matrix m
// (its textbook luma weights) the C code must match: chroma from the mean R,
// G, B of each block.
func reference(l layout, m Matrix, pix []uint16, w, h int) [][]int {
	kr, kb := 0.2126, 0.0722
	if m == MatrixBT2020NC {
		kr, kb = 0.2627, 0.0593
	}
	kg := 1 - kr - kb
	bits, sx, sy := 10, 1, 0
	switch l {
	case yuv420p:
		bits, sy = 8, 1
	case yuva444p10:
		sx = 0
	}
	s := float64(int(1) << (bits - 8))
	at := func(x, y, c int) float64 { return float64(pix[(y*w+x)*4+c]) / 65535 }
	q := func(v float64) int { return int(math.Floor(v + 0.5)) }
	cw, ch := w>>sx, (h+sy)>>sy
	out := [][]int{make([]int, w*h), make([]int, cw*ch), make([]int, cw*ch)}
	for y := range h {
		for x := range w {
			out[0][y*w+x] = q(s * (16 + 219*(kr*at(x, y, 0)+kg*at(x, y, 1)+kb*at(x, y, 2))))
		}
	}
	for cy := range ch {
		for cx := range cw {
			var r, g, b float64
			n := float64(int(1) << (sx + sy))
			for dy := range 1 << sy {
				for dx := range 1 << sx {
					x, y := cx<<sx+dx, cy<<sy+dy
					r, g, b = r+at(x, y, 0)/n, g+at(x, y, 1)/n, b+at(x, y, 2)/n
				}
			}
			l := kr*r + kg*g + kb*b
			out[1][cy*cw+cx] = q(s * (128 + 224*(b-l)/(2*(1-kb))))
			out[2][cy*cw+cx] = q(s * (128 + 224*(r-l)/(2*(1-kr))))
		}
	}
	if l == yuva444p10 {
		a := make([]int, w*h)
		for i := range a {
			a[i] = q(float64(pix[i*4+3]) * 1023 / 65535)
		}
		out = append(out, a)
	}
	return out
}

// TestConvertMatchesReference holds the C conversion, split into 1, 3 and 7
// bands, with either matrix, to the float64 reference on random pixels: at
// most one code apart
// (float32 and 22-bit fixed point move results by a few hundredths of a
// code, which flips a rounding now and then), and equal for 99% of samples.
func TestConvertMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []struct {
		l     layout
		m     Matrix
		w, h  int
		procs int
	}{
		{yuv420p, MatrixBT709, 66, 38, 1}, {yuv420p, MatrixBT709, 66, 38, 3}, {yuv420p, MatrixBT709, 66, 38, 7},
		{yuv422p10, MatrixBT709, 66, 37, 3}, {yuv422p10, MatrixBT709, 66, 37, 7},
		{yuva444p10, MatrixBT709, 67, 37, 3}, {yuva444p10, MatrixBT709, 67, 37, 7},
		{yuv420p, MatrixBT2020NC, 66, 38, 3}, {yuv422p10, MatrixBT2020NC, 66, 37, 3}, {yuva444p10, MatrixBT2020NC, 67, 37, 3},
	} {
		runtime.GOMAXPROCS(tc.procs)
		pix := make([]uint16, tc.w*tc.h*4)
		for i := range pix {
			pix[i] = uint16(rng.IntN(65536))
		}
		f := newFrame(t, tc.l, tc.w, tc.h)
		convert(tc.l, tc.m, pix, tc.w, tc.h, f)
		got, want := planes(t, tc.l, f), reference(tc.l, tc.m, pix, tc.w, tc.h)
		for p := range want {
			off := 0
			for i := range want[p] {
				if d := got[p][i] - want[p][i]; d > 1 || d < -1 {
					t.Fatalf("%s %s plane %d sample %d: %d, want %d", tc.l.pixelFormat().Name(), tc.m, p, i, got[p][i], want[p][i])
				} else if d != 0 {
					off++
				}
			}
			if off*100 > len(want[p]) {
				t.Errorf("%s %s plane %d: %d of %d samples one code off", tc.l.pixelFormat().Name(), tc.m, p, off, len(want[p]))
			}
		}
	}
}

// TestConvertKnownValues checks textbook BT.709 and BT.2020 limited-range
// codes (BT.601 would give red Y=81, Cb=90 in 8 bits).
func TestConvertKnownValues(t *testing.T) {
	for _, tc := range []struct {
		l          layout
		m          Matrix
		rgba       [4]uint16
		y, cb, cr  int
		alpha      int
		colourName string
	}{
		{yuv420p, MatrixBT709, [4]uint16{65535, 0, 0, 65535}, 63, 102, 240, -1, "red"},
		{yuv420p, MatrixBT709, [4]uint16{65535, 65535, 65535, 65535}, 235, 128, 128, -1, "white"},
		{yuv420p, MatrixBT709, [4]uint16{0, 0, 0, 65535}, 16, 128, 128, -1, "black"},
		{yuv422p10, MatrixBT709, [4]uint16{65535, 0, 0, 65535}, 250, 409, 960, -1, "red"},
		{yuv422p10, MatrixBT709, [4]uint16{0, 0, 65535, 65535}, 127, 960, 471, -1, "blue"},
		{yuva444p10, MatrixBT709, [4]uint16{0, 65535, 0, 32768}, 691, 167, 105, 512, "green, half alpha"},
		{yuva444p10, MatrixBT709, [4]uint16{65535, 65535, 65535, 0}, 940, 512, 512, 0, "white, clear"},
		{yuv420p, MatrixBT2020NC, [4]uint16{65535, 0, 0, 65535}, 74, 97, 240, -1, "BT.2020 red"},
		{yuv422p10, MatrixBT2020NC, [4]uint16{0, 0, 65535, 65535}, 116, 960, 476, -1, "BT.2020 blue"},
	} {
		pix := make([]uint16, 2*2*4)
		for i := range pix {
			pix[i] = tc.rgba[i%4]
		}
		f := newFrame(t, tc.l, 2, 2)
		convert(tc.l, tc.m, pix, 2, 2, f)
		p := planes(t, tc.l, f)
		got := fmt.Sprint(p[0][0], p[1][0], p[2][0])
		want := fmt.Sprint(tc.y, tc.cb, tc.cr)
		if tc.alpha >= 0 {
			got += fmt.Sprint(" ", p[3][0])
			want += fmt.Sprint(" ", tc.alpha)
		}
		if got != want {
			t.Errorf("%s %s %s: Y Cb Cr [A] = %s, want %s", tc.l.pixelFormat().Name(), tc.m, tc.colourName, got, want)
		}
	}
}

func BenchmarkConvert(b *testing.B) {
	const w, h = 1920, 1080
	pix := exporttest.Pattern(w, h, 0)
	for _, l := range []layout{yuv420p, yuv422p10, yuva444p10} {
		b.Run(l.pixelFormat().Name(), func(b *testing.B) {
			f := newFrame(b, l, w, h)
			b.SetBytes(int64(len(pix) * 2))
			b.ReportAllocs()
			for b.Loop() {
				convert(l, MatrixBT709, pix, w, h, f)
			}
		})
	}
}

// BenchmarkEncode measures whole frames through Write: conversion and
// libx264 (veryfast, crf 23) at 960x540.
func BenchmarkEncode(b *testing.B) {
	const w, h = 960, 540
	frames := make([][]uint16, 8)
	for i := range frames {
		frames[i] = exporttest.Pattern(w, h, i)
	}
	e, err := Create(Options{Path: b.TempDir() + "/bench.mov", Codec: H264, Width: w, Height: h, FPS: Rational{24, 1}, CRF: 23, Preset: "veryfast"})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Abort()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := e.Write(frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
	if err := e.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "frames/s")
}
