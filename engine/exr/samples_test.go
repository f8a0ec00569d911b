package exr

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// ffmpegMismatches compares every pixel of ours (RGBA half, w wide) with
// FFmpeg's decode: values must be the same half (NaN matching any NaN, so
// NaN and Inf are checked as kept), or within ulps half ULPs (lossy codecs).
// It returns how many values differ and the first of them.
func ffmpegMismatches(ref refImage, ours []uint16, ulps int) (int, string) {
	bad, first := 0, ""
	for i := range ref.w * ref.h {
		want := [4]uint16{halfOf(ref.r[i]), 0, 0, 0x3C00}
		if ref.g != nil {
			want[1], want[2] = halfOf(ref.g[i]), halfOf(ref.b[i])
		} else {
			want[1], want[2] = want[0], want[0]
		}
		if ref.a != nil {
			want[3] = halfOf(ref.a[i])
		}
		for s := range 4 {
			got := ours[4*i+s]
			if sameHalf(got, want[s]) || (ulps > 0 && got&0x7c00 != 0x7c00 && halfULPs(got, want[s]) <= ulps) {
				continue
			}
			if bad == 0 {
				first = fmt.Sprintf("(%d,%d) slot %d: ours %#04x, FFmpeg %#04x", i%ref.w, i/ref.w, s, got, want[s])
			}
			bad++
		}
	}
	return bad, first
}

// TestEverySampleIndependent decodes the default selection of every part
// of every sample (Damaged aside) and checks it against a decoder
// independent of the path that served it: FFmpeg's EXR decoder where it
// reads the file (bit for bit; DWA within 4 half ULPs), else OpenEXR's
// other API (Core against the C++ API, bit for bit). Luminance/chroma
// conversion, which neither FFmpeg nor Core does, is checked against the
// file's own Y channel by TestLumaChroma. Deep parts must be refused with a
// clear message.
func TestEverySampleIndependent(t *testing.T) {
	root := samplesDir(t)
	count := map[string]int{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".exr" || strings.Contains(path, "Damaged") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		f, err := Open(path)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		defer f.Close()
		parts, err := f.Parts()
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		for _, p := range parts {
			name := fmt.Sprintf("%s part %d", rel, p.Index)
			sel, err := DefaultSelection(p.Header)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			sel.Part = p.Index
			if p.Storage == DeepScanline || p.Storage == DeepTiled {
				err := f.Decode(nil, sel)
				if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "deep images are not supported") {
					t.Errorf("%s: deep part: %v", name, err)
				}
				count["deep, refused"]++
				continue
			}
			win, ours := decodeSel(t, f, sel, viaAuto)
			if sel.LumaChroma {
				count["luminance/chroma (TestLumaChroma)"]++
				continue
			}
			if p.Index == 0 && win == f.Header().DataWindow {
				if ref, err := ffmpegRead(path); err == nil && ref.w == win.Width() && ref.h == win.Height() {
					ulps := 0
					if p.Compression == DWAA || p.Compression == DWAB {
						ulps = 4
					}
					if bad, first := ffmpegMismatches(ref, ours, ulps); bad > 0 {
						t.Errorf("%s (%v): %d values differ from FFmpeg, first %s", name, p.Compression, bad, first)
					}
					count["FFmpeg"]++
					continue
				}
			}
			t0, err := f.target(sel)
			if err != nil {
				t.Fatal(err)
			}
			routed, err := f.route(t0, sel, viaAuto)
			if err != nil {
				t.Fatal(err)
			}
			other := viaIMF
			if routed == viaIMF {
				other = viaCore
			}
			if other == viaCore && (p.Compression == DWAA || p.Compression == DWAB) {
				t.Errorf("%s: DWA part FFmpeg cannot read: no independent decoder", name)
				continue
			}
			_, ref := decodeSel(t, f, sel, other)
			if i := firstDiff(ours, ref); i >= 0 {
				t.Errorf("%s: value %d: routed %#04x, other API %#04x", name, i, ours[i], ref[i])
			}
			count["other OpenEXR API"]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parts checked: %v", count)
	if count["FFmpeg"] < 20 {
		t.Errorf("only %d parts compared with FFmpeg", count["FFmpeg"])
	}
}
