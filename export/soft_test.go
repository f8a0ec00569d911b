package export_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"flick/engine"
	"flick/engine/exr"
	"flick/export"
	"flick/export/burnin"
	"flick/export/exporttest"
	"flick/render"
	"flick/render/rendertest"
)

// Where the GL is llvmpipe, an export draws the frames render.SoftDraw
// takes on the CPU: its movies are the GL's, frame for frame and bit for
// bit, in every codec and setting it takes, burn-ins (blended by the GL
// over the rows they cover) included; what it does not take (a fifth of
// the size, BT.1886, a data window inside the display window) the GL draws. H.264 is
// lossless here (CRF 0), so that its pictures are what was drawn, whatever
// x264 decides (two H.264 exports of the same frames in one process have
// been seen to differ slightly at CRF 18, both drawn by the GL).
func TestExportSoftDrawMatchesGL(t *testing.T) {
	var software bool
	rendertest.Call(func() { software = render.Software() })
	if !software {
		t.Skip("the GL is not a software renderer: exports draw every frame on it")
	}
	const w, h, n = 640, 360, 5
	plain := scene(t, w, h, n)
	over, inside := windowed(t, w, h, n, 8), windowed(t, w, h, n, -8)
	fields := func(i int) burnin.Fields { return burnin.Fields{"frame": fmt.Sprint(plain.Frames[i])} }
	for _, c := range []struct {
		name    string
		seq     *engine.Sequence
		codec   export.Codec
		k       int
		display render.Settings
		burnins []string
		soft    bool
	}{
		{"h264 1:2", plain, export.H264, 2, render.Settings{}, nil, true},
		{"h264 1:2 exposure Rec.709", plain, export.H264, 2, render.Settings{Exposure: 1.5, Transform: render.TransformRec709}, nil, true},
		{"prores4444 1:1 alpha", plain, export.ProRes4444, 1, render.Settings{Exposure: -1}, nil, true},
		{"prores 1:2 red linear", plain, export.ProRes, 2, render.Settings{Channels: render.ChannelR, Transform: render.TransformLinear}, nil, true},
		{"h264 1:4", plain, export.H264, 4, render.Settings{}, nil, true},
		{"h264 1:5", plain, export.H264, 5, render.Settings{}, nil, false},
		{"h264 1:2 BT.1886", plain, export.H264, 2, render.Settings{Transform: render.TransformBT1886}, nil, false},
		{"h264 1:2 burn-ins", plain, export.H264, 2, render.Settings{}, []string{"TL=shot", "TR={frame}", "BR={frame}"}, true},
		{"h264 1:4 burn-ins", plain, export.H264, 4, render.Settings{}, []string{"BR={frame}"}, true},
		{"h264 1:5 burn-ins", plain, export.H264, 5, render.Settings{}, []string{"BR={frame}"}, false},
		{"h264 1:2 overscan", over, export.H264, 2, render.Settings{}, nil, true},
		{"prores4444 1:1 overscan", over, export.ProRes4444, 1, render.Settings{}, nil, true},
		{"h264 1:2 data window inside", inside, export.H264, 2, render.Settings{}, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			load, release := loader(t, c.seq)
			burnins, err := burnin.ParseAll(c.burnins, nil)
			if err != nil {
				t.Fatal(err)
			}
			var movies [2][][]uint16
			for i, onGL := range []bool{false, true} {
				out := filepath.Join(t.TempDir(), fmt.Sprintf("%d.mov", i))
				if onGL {
					defer export.DrawOnGL()()
				}
				job := export.Job{
					Frames:  c.seq.Frames,
					Display: c.display,
					Movie:   export.Options{Path: out, Codec: c.codec, Width: w / c.k, Height: h / c.k, FPS: export.Rational{Num: 24, Den: 1}, CRF: 0},
					Load:    load,
					Release: release,
				}
				if len(burnins) > 0 {
					job.Burnins, job.Fields = burnins, fields
				}
				p, err := export.Run(context.Background(), job, rendertest.Queue())
				if err != nil {
					t.Fatal(err)
				}
				if want := map[bool]int{true: n}[c.soft && !onGL]; p.Soft != want {
					t.Errorf("on the GL: %v; %d frames drawn on the CPU, want %d", onGL, p.Soft, want)
				}
				if _, err := exporttest.Decode(out, func(_ int, rgba []uint16) error {
					movies[i] = append(movies[i], slices.Clone(rgba))
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			if len(movies[0]) != n || len(movies[1]) != n {
				t.Fatalf("%d and %d frames, want %d", len(movies[0]), len(movies[1]), n)
			}
			for i := range movies[0] {
				if !slices.Equal(movies[0][i], movies[1][i]) {
					t.Errorf("frame %d differs from the GL's (PSNR %.1f dB)", i, exporttest.PSNR(movies[0][i], movies[1][i], 0, 1, 2))
				}
			}
		})
	}
}

// windowed writes frames 1..n of a sequence whose display window is w x h
// and whose data window reaches margin pixels beyond it on every side
// (inside it where margin is negative): FLOAT channels, ZIP.
func windowed(t *testing.T, w, h, n, margin int) *engine.Sequence {
	t.Helper()
	dir := t.TempDir()
	data := exr.Box{MinX: -margin, MinY: -margin, MaxX: w - 1 + margin, MaxY: h - 1 + margin}
	dw, dh := data.Width(), data.Height()
	for i := 1; i <= n; i++ {
		pix := make([]float32, 4*dw*dh)
		for y := range dh {
			for x := range dw {
				fx, fy := float32(x)/float32(dw), float32(y)/float32(dh)
				copy(pix[4*(y*dw+x):], []float32{2 * fx * fy, fy + float32(i)/10, float32((x/7+y/5+i)%3) / 2, 1})
			}
		}
		img := exr.FloatImage{Channels: []string{"R", "G", "B", "A"}, Pix: pix, DataWindow: data,
			DisplayWindow: exr.Box{MaxX: w - 1, MaxY: h - 1}}
		if err := exr.WriteFloat(filepath.Join(dir, fmt.Sprintf("shot.%04d.exr", i)), img, exr.ZIP); err != nil {
			t.Fatal(err)
		}
	}
	seq, err := engine.Find(filepath.Join(dir, "shot.0001.exr"))
	if err != nil {
		t.Fatal(err)
	}
	return seq
}
