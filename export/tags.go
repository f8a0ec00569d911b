package export

// #cgo pkg-config: libavutil
// #include <libavutil/pixdesc.h>
import "C"

import (
	"fmt"
	"strings"
)

// Colour is the colour description a movie is tagged with, after the
// display its pixels were drawn for (ColourFor): primaries, transfer and
// the YUV matrix the encoder converts with. The zero value is BT.709
// throughout, flick's built-in transforms' and a Rec.709 display's.
type Colour struct {
	Primaries Primaries
	Transfer  Transfer
	Matrix    Matrix
}

// Primaries are the colour primaries a movie is tagged with.
type Primaries int

const (
	PrimariesBT709  Primaries = iota // ITU-R BT.709 (and sRGB's)
	PrimariesBT2020                  // ITU-R BT.2020 (and BT.2100's)
	PrimariesP3D65                   // SMPTE EG 432-1: P3 with a D65 white
	PrimariesP3DCI                   // SMPTE RP 431-2: P3 with the DCI white
)

var primariesAV = [...]C.enum_AVColorPrimaries{C.AVCOL_PRI_BT709, C.AVCOL_PRI_BT2020, C.AVCOL_PRI_SMPTE432, C.AVCOL_PRI_SMPTE431}

// Transfer is the transfer characteristic a movie is tagged with.
type Transfer int

const (
	// TransferBT709 is ITU-R BT.709's, for Rec.709 and Rec.1886 displays
	// (and flick's built-in transforms).
	TransferBT709 Transfer = iota
	// TransferSRGB is IEC 61966-2-1's, for sRGB and Display P3 displays.
	TransferSRGB
	// TransferPQ is SMPTE ST 2084's perceptual quantizer (BT.2100 PQ).
	TransferPQ
	// TransferHLG is ARIB STD-B67's hybrid log-gamma (BT.2100 HLG).
	TransferHLG
	// TransferUnspecified says nothing: FFmpeg has no tag for the pure
	// 2.6 gamma of P3 cinema displays.
	TransferUnspecified
)

var transferAV = [...]C.enum_AVColorTransferCharacteristic{C.AVCOL_TRC_BT709, C.AVCOL_TRC_IEC61966_2_1, C.AVCOL_TRC_SMPTE2084, C.AVCOL_TRC_ARIB_STD_B67, C.AVCOL_TRC_UNSPECIFIED}

// Matrix is the RGB to YUV matrix a movie is converted with and tagged
// with.
type Matrix int

const (
	MatrixBT709    Matrix = iota // ITU-R BT.709's
	MatrixBT2020NC               // ITU-R BT.2020's non-constant luminance
)

var matrixAV = [...]C.enum_AVColorSpace{C.AVCOL_SPC_BT709, C.AVCOL_SPC_BT2020_NCL}

// lumaWeights are each Matrix's Kr and Kb.
var lumaWeights = [...][2]float32{{0.2126, 0.0722}, {0.2627, 0.0593}}

func (p Primaries) valid() bool { return p >= 0 && int(p) < len(primariesAV) }
func (t Transfer) valid() bool  { return t >= 0 && int(t) < len(transferAV) }
func (m Matrix) valid() bool    { return m >= 0 && int(m) < len(matrixAV) }

// String is FFmpeg's name for p, as its color_primaries option takes it.
func (p Primaries) String() string {
	if !p.valid() {
		return fmt.Sprintf("Primaries(%d)", int(p))
	}
	return C.GoString(C.av_color_primaries_name(primariesAV[p]))
}

// String is FFmpeg's name for t, as its color_trc option takes it.
func (t Transfer) String() string {
	if !t.valid() {
		return fmt.Sprintf("Transfer(%d)", int(t))
	}
	return C.GoString(C.av_color_transfer_name(transferAV[t]))
}

// String is FFmpeg's name for m, as its colorspace option takes it.
func (m Matrix) String() string {
	if !m.valid() {
		return fmt.Sprintf("Matrix(%d)", int(m))
	}
	return C.GoString(C.av_color_space_name(matrixAV[m]))
}

// String names c's primaries, transfer and matrix, FFmpeg's names.
func (c Colour) String() string {
	return c.Primaries.String() + "/" + c.Transfer.String() + "/" + c.Matrix.String()
}

// check says which part of c is out of range, if one is.
func (c Colour) check() error {
	switch {
	case !c.Primaries.valid():
		return fmt.Errorf("unknown colour primaries %v", c.Primaries)
	case !c.Transfer.valid():
		return fmt.Errorf("unknown transfer characteristic %v", c.Transfer)
	case !c.Matrix.valid():
		return fmt.Errorf("unknown colour matrix %v", c.Matrix)
	}
	return nil
}

// ColourFor returns the description of a movie drawn for the OpenColorIO
// display named display, as the ACES configs and common ones name them,
// for a movie encoded with codec; warning is "" when the movie carries
// the description and says otherwise what is wrong and what to do.
//
//   - sRGB: BT.709 primaries and matrix, IEC 61966-2-1 transfer.
//   - Rec.709 or Rec.1886 Rec.709: BT.709 throughout.
//   - Rec.1886 Rec.2020: BT.2020 primaries and matrix, BT.709 transfer
//     (BT.2020's SDR curve is BT.709's).
//   - Rec.2100-PQ, Rec.2100-HLG: BT.2020 primaries and matrix, the PQ or
//     HLG transfer.
//   - ST2084-P3-D65: P3-D65 primaries, PQ transfer.
//   - Display P3: P3-D65 primaries, sRGB transfer.
//   - P3-D65, P3-DCI: P3 primaries with their white; the transfer, a pure
//     2.6 gamma FFmpeg has no tag for, is left unspecified, with a warning.
//
// P3 movies keep the BT.709 matrix, as P3 masters conventionally do (the
// matrix only has to match the decoder's). A display none of these names
// gets BT.709 tags and a warning. A PQ or HLG movie in an 8-bit pixel
// format (H.264, HEVC) is written and tagged as asked, with a warning: 8
// bits over PQ's range band visibly, but the movie still plays as
// described, and a quick look at one is no reason to refuse.
func ColourFor(display string, codec Codec) (c Colour, warning string) {
	d := strings.ToLower(display)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(d, w) {
				return true
			}
		}
		return false
	}
	p3 := PrimariesP3D65
	if has("dci") {
		p3 = PrimariesP3DCI
	}
	switch {
	case has("d60"):
		// P3-D60 (ACES white): FFmpeg has no tag for these primaries.
		return c, unknown(display)
	case has("pq", "2084"):
		c = Colour{PrimariesBT2020, TransferPQ, MatrixBT2020NC}
		if has("p3") {
			c = Colour{p3, TransferPQ, MatrixBT709}
		}
	case has("hlg"):
		c = Colour{PrimariesBT2020, TransferHLG, MatrixBT2020NC}
	case has("display p3", "displayp3"):
		c = Colour{PrimariesP3D65, TransferSRGB, MatrixBT709}
	case has("p3"):
		c = Colour{p3, TransferUnspecified, MatrixBT709}
		warning = fmt.Sprintf("display %q has a 2.6 gamma, which FFmpeg has no tag for: the movie is tagged %s primaries with its transfer unspecified", display, p3)
	case has("2020"):
		c = Colour{PrimariesBT2020, TransferBT709, MatrixBT2020NC}
	case has("srgb"):
		c = Colour{Transfer: TransferSRGB}
	case has("1886", "709"):
	default:
		return c, unknown(display)
	}
	hdr := map[Transfer]string{TransferPQ: "PQ", TransferHLG: "HLG"}[c.Transfer]
	if spec, err := specOf(codec); err == nil && spec.layout == yuv420p && hdr != "" {
		warning = fmt.Sprintf("display %q: %s is 8-bit, too few for %s, which bands visibly; choose prores or prores4444 (10-bit) for HDR", display, codec, hdr)
	}
	return c, warning
}

// unknown is the warning for a display whose colours no tag describes.
func unknown(display string) string {
	return fmt.Sprintf("display %q is not a display flick knows the tags of: the movie is tagged BT.709, which may not describe its colours", display)
}
