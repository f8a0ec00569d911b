package exr

import (
	"math/rand/v2"
	"slices"
	"testing"

	"flick/engine/exr/internal/exrref"
)

// TestWav2DecodeMatchesLibrary runs flick's inverse wavelet (SSE2 at the
// finest level, scalar elsewhere) and OpenEXR's on the same random values:
// sizes odd and even, under and over the eight blocks one SIMD step takes,
// one- and two-value samples (HALF, FLOAT), and both the 14-bit and the
// modulo-16-bit variants. Every value must match.
func TestWav2DecodeMatchesLibrary(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{1, 2, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 97}
	cases := 0
	for _, nx := range sizes {
		for _, ny := range sizes {
			for _, ox := range []int{1, 2} {
				for _, mx := range []uint16{1<<14 - 1, 0xffff} {
					oy := nx * ox
					v := make([]uint16, ny*oy)
					for i := range v {
						v[i] = uint16(rng.Uint32())
						if mx < 1<<14 {
							v[i] &= 1<<14 - 1
						}
					}
					want := slices.Clone(v)
					for j := range ox {
						wav2Decode(v[j:], nx, ox, ny, oy, mx)
						exrref.Wav2Decode(want[j:], nx, ox, ny, oy, mx)
					}
					if i := firstDiffU16(v, want); i >= 0 {
						t.Fatalf("%dx%d, x offset %d, max %#x: value %d is %#04x, the library's %#04x", nx, ny, ox, mx, i, v[i], want[i])
					}
					cases++
				}
			}
		}
	}
	t.Logf("%d cases", cases)
}
