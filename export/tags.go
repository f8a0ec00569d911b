package export

// #cgo pkg-config: libavutil
// #include <libavutil/pixfmt.h>
import "C"

import (
	"fmt"
	"strings"
)

// Transfer is the transfer characteristic a movie is tagged with, after the
// display its pixels were drawn for. Primaries and matrix are BT.709
// whatever it is: the YUV conversion's.
type Transfer int

const (
	// TransferBT709 is ITU-R BT.709's, for Rec.709 and Rec.1886 displays
	// (and flick's built-in transforms). The zero value.
	TransferBT709 Transfer = iota
	// TransferSRGB is IEC 61966-2-1's, for an sRGB display.
	TransferSRGB
)

// String is FFmpeg's name for t, as its color_trc option takes it.
func (t Transfer) String() string {
	switch t {
	case TransferBT709:
		return "bt709"
	case TransferSRGB:
		return "iec61966-2-1"
	}
	return fmt.Sprintf("Transfer(%d)", int(t))
}

// avcol is t's AVColorTransferCharacteristic.
func (t Transfer) avcol() C.int {
	if t == TransferSRGB {
		return C.AVCOL_TRC_IEC61966_2_1
	}
	return C.AVCOL_TRC_BT709
}

// TransferFor returns the tag for an OpenColorIO display named display: an
// sRGB display's IEC 61966-2-1, a Rec.709 or Rec.1886 (Rec.709) display's
// BT.709. For any other display (PQ, HLG, P3, Rec.2020 ...) ok is false:
// the movie's BT.709 tags (all its 8- or 10-bit YUV carries) do not say
// how to show it, and the caller warns.
func TransferFor(display string) (t Transfer, ok bool) {
	d := strings.ToLower(display)
	for _, wide := range []string{"2020", "2100", "p3", "pq", "hlg", "2084", "dci"} {
		if strings.Contains(d, wide) {
			return TransferBT709, false
		}
	}
	switch {
	case strings.Contains(d, "srgb"):
		return TransferSRGB, true
	case strings.Contains(d, "1886"), strings.Contains(d, "709"):
		return TransferBT709, true
	}
	return TransferBT709, false
}
