package exr

import (
	"path/filepath"
	"strings"
	"testing"
)

var benchFiles = []string{
	"ScanLines/Desk.exr",    // PIZ, RGBA
	"ScanLines/Carrots.exr", // ZIP, RGBA
	"Tiles/GoldenGate.exr",  // tiled PIZ, RGB
}

// BenchmarkDecode decodes whole frames into a reused buffer; bytes/s count
// the RGBA half output.
func BenchmarkDecode(b *testing.B) {
	for _, rel := range benchFiles {
		name := strings.TrimSuffix(filepath.Base(rel), ".exr")
		b.Run(name, func(b *testing.B) {
			f, err := Open(sample(b, rel))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			h := f.Header()
			sel, _ := DefaultSelection(h)
			dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
			b.SetBytes(int64(2 * len(dst)))
			b.ReportAllocs()
			for b.Loop() {
				if err := f.Decode(dst, sel); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecodeDoesNotAllocate holds the decode path to no Go allocation per
// call.
func TestDecodeDoesNotAllocate(t *testing.T) {
	for _, rel := range benchFiles {
		f, err := Open(sample(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		h := f.Header()
		sel, _ := DefaultSelection(h)
		dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
		if n := testing.AllocsPerRun(3, func() {
			if err := f.Decode(dst, sel); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: %v allocations per Decode", rel, n)
		}
		f.Close()
	}
}
