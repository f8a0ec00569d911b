// Package exporttest reads movies back for tests, through FFmpeg's own
// demuxers and decoders (go-astiav): Probe describes the video stream, Decode
// turns every frame back into RGBA 16-bit with the BT.709 limited-range
// matrix, PSNR compares frames, and Pattern draws a moving test image.
package exporttest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/asticode/go-astiav"
)

// Info describes a movie's first video stream.
type Info struct {
	Codec         string // FFmpeg codec name: "h264", "hevc", "prores"
	CodecTag      string // four characters: "avc1", "hvc1", "apch", "ap4h"
	Profile       int    // codec profile (ProRes: 3 is 422 HQ, 4 is 4444)
	PixFmt        string // as the decoder gives it: "yuv420p", "yuv422p10le", "yuva444p12le"
	Width, Height int
	Frames        int     // video packets in the file
	PTS           []int64 // presentation times in TimeBase units, sorted
	AvgFrameRate  astiav.Rational
	RFrameRate    astiav.Rational
	TimeBase      astiav.Rational
	// Colour tags of the stream (the container's view), FFmpeg's names:
	// "bt709", "tv".
	ColorPrimaries, ColorTransfer, ColorSpace, ColorRange string
	ChromaLocation                                        string
}

// Probe reads path's container and counts its video packets.
func Probe(path string) (Info, error) {
	fc, st, err := open(path)
	if err != nil {
		return Info{}, err
	}
	defer fc.CloseInput()
	cp := st.CodecParameters()
	tag := uint32(cp.CodecTag())
	info := Info{
		Codec:          cp.CodecID().Name(),
		CodecTag:       string([]byte{byte(tag), byte(tag >> 8), byte(tag >> 16), byte(tag >> 24)}),
		Profile:        int(cp.Profile()),
		PixFmt:         cp.PixelFormat().Name(),
		Width:          cp.Width(),
		Height:         cp.Height(),
		AvgFrameRate:   st.AvgFrameRate(),
		RFrameRate:     st.RFrameRate(),
		TimeBase:       st.TimeBase(),
		ColorPrimaries: primariesName(cp.ColorPrimaries()),
		ColorTransfer:  transferName(cp.ColorTransferCharacteristic()),
		ColorSpace:     spaceName(cp.ColorSpace()),
		ColorRange:     rangeName(cp.ColorRange()),
		ChromaLocation: chromaLocationName(cp.ChromaLocation()),
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for {
		err := fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			return info, fmt.Errorf("probe %s: read: %w", path, err)
		}
		if pkt.StreamIndex() == st.Index() {
			info.Frames++
			info.PTS = append(info.PTS, pkt.Pts())
		}
		pkt.Unref()
	}
	slices.Sort(info.PTS)
	return info, nil
}

// bt709 are the colour tags every frame must have: primaries, transfer,
// matrix, range.
var bt709 = [4]string{"bt709", "bt709", "bt709", "tv"}

// Decode decodes every frame of path's first video stream, in display
// order, checks that the decoder found it tagged BT.709 limited range, and
// calls fn with its index and its pixels as RGBA 16-bit (top row
// first, alpha 65535 when the stream has none), converted with the BT.709
// matrix from limited range. The slice is reused for the next frame. It
// returns the number of frames decoded.
func Decode(path string, fn func(i int, rgba []uint16) error) (int, error) {
	return decode(path, &bt709, fn)
}

// DecodeTagged is Decode for a movie whose frames must carry transfer
// characteristic trc (FFmpeg's name: "iec61966-2-1" for sRGB) with BT.709
// primaries and matrix, limited range.
func DecodeTagged(path, trc string, fn func(i int, rgba []uint16) error) (int, error) {
	return DecodeColour(path, "bt709", trc, "bt709", fn)
}

// DecodeColour is Decode for a movie whose frames must carry primaries,
// transfer characteristic trc and matrix (FFmpeg's names: "bt2020",
// "smpte2084", "bt2020nc"), limited range; it converts with that matrix.
func DecodeColour(path, primaries, trc, matrix string, fn func(i int, rgba []uint16) error) (int, error) {
	return decode(path, &[4]string{primaries, trc, matrix, "tv"}, fn)
}

// DecodeUntagged is Decode for movies made by other tools (ffmpeg's, which
// tag nothing unless told): it reads every frame as BT.709 limited range,
// as players read untagged HD video, whatever its tags say.
func DecodeUntagged(path string, fn func(i int, rgba []uint16) error) (int, error) {
	return decode(path, nil, fn)
}

// decode checks every frame's tags against want unless it is nil.
func decode(path string, want *[4]string, fn func(i int, rgba []uint16) error) (int, error) {
	fc, st, err := open(path)
	if err != nil {
		return 0, err
	}
	defer fc.CloseInput()
	cp := st.CodecParameters()
	codec := astiav.FindDecoder(cp.CodecID())
	if codec == nil {
		return 0, fmt.Errorf("decode %s: FFmpeg has no %s decoder", path, cp.CodecID().Name())
	}
	dc := astiav.AllocCodecContext(codec)
	defer dc.Free()
	if err := cp.ToCodecContext(dc); err != nil {
		return 0, fmt.Errorf("decode %s: %w", path, err)
	}
	if err := dc.Open(codec, nil); err != nil {
		return 0, fmt.Errorf("decode %s: open %s decoder: %w", path, codec.Name(), err)
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	fr := astiav.AllocFrame()
	defer fr.Free()
	var rgba []uint16
	n := 0
	receive := func() error {
		for {
			err := dc.ReceiveFrame(fr)
			if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
				return nil
			}
			if err != nil {
				return err
			}
			if tags := frameTags(fr); want != nil && tags != *want {
				return fmt.Errorf("frame tagged %s, not %s", strings.Join(tags[:], "/"), strings.Join(want[:], "/"))
			}
			// Tags checked: a want of BT.2020's matrix is fr's.
			if rgba, err = toRGBA(fr, rgba, want != nil && want[2] == "bt2020nc"); err != nil {
				return err
			}
			fr.Unref()
			if err := fn(n, rgba); err != nil {
				return err
			}
			n++
		}
	}
	for {
		err := fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("decode %s: read: %w", path, err)
		}
		if pkt.StreamIndex() == st.Index() {
			err = dc.SendPacket(pkt)
			if err == nil {
				err = receive()
			}
		}
		pkt.Unref()
		if err != nil {
			return n, fmt.Errorf("decode %s: frame %d: %w", path, n, err)
		}
	}
	if err := dc.SendPacket(nil); err != nil {
		return n, fmt.Errorf("decode %s: flush: %w", path, err)
	}
	if err := receive(); err != nil {
		return n, fmt.Errorf("decode %s: frame %d: %w", path, n, err)
	}
	return n, nil
}

func open(path string) (*astiav.FormatContext, *astiav.Stream, error) {
	fc := astiav.AllocFormatContext()
	if err := fc.OpenInput(path, nil, nil); err != nil {
		fc.Free()
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := fc.FindStreamInfo(nil); err != nil {
		fc.CloseInput()
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	for _, st := range fc.Streams() {
		if st.CodecParameters().MediaType() == astiav.MediaTypeVideo {
			return fc, st, nil
		}
	}
	fc.CloseInput()
	return nil, nil, fmt.Errorf("open %s: no video stream", path)
}

// planar describes a planar YUV pixel format: chroma subsampling shifts,
// bits per sample (8: one byte, more: two, little-endian) and an alpha plane.
type planar struct {
	sx, sy, bits int
	alpha        bool
}

// planars is keyed by FFmpeg's names: go-astiav v0.16.0 lacks constants
// for some of these formats.
var planars = map[string]planar{
	"yuv420p":      {1, 1, 8, false},
	"yuv422p":      {1, 0, 8, false},
	"yuv444p":      {0, 0, 8, false},
	"yuv420p10le":  {1, 1, 10, false},
	"yuv422p10le":  {1, 0, 10, false},
	"yuv444p10le":  {0, 0, 10, false},
	"yuva444p10le": {0, 0, 10, true},
	"yuv444p12le":  {0, 0, 12, false},
	"yuva444p12le": {0, 0, 12, true},
}

// toRGBA converts fr to RGBA 16-bit in dst (grown as needed) with the
// BT.2020 non-constant-luminance matrix if bt2020 and BT.709's otherwise:
// chroma is replicated over the block it covers.
func toRGBA(fr *astiav.Frame, dst []uint16, bt2020 bool) ([]uint16, error) {
	p, ok := planars[fr.PixelFormat().Name()]
	if !ok {
		return dst, fmt.Errorf("pixel format %s not handled", fr.PixelFormat().Name())
	}
	buf, err := fr.Data().Bytes(1) // planes one after the other, rows unpadded
	if err != nil {
		return dst, err
	}
	w, h := fr.Width(), fr.Height()
	cw, ch := (w+1<<p.sx-1)>>p.sx, (h+1<<p.sy-1)>>p.sy
	bps := 1
	if p.bits > 8 {
		bps = 2
	}
	sample := func(off int) float64 {
		if bps == 1 {
			return float64(buf[off])
		}
		return float64(uint16(buf[2*off]) | uint16(buf[2*off+1])<<8)
	}
	yp, up := 0, w*h
	vp, ap := up+cw*ch, up+2*cw*ch
	kr, kb := 0.2126, 0.0722
	if bt2020 {
		kr, kb = 0.2627, 0.0593
	}
	kg := 1 - kr - kb
	s := float64(int(1) << (p.bits - 8))
	amax := float64(int(1)<<p.bits - 1)
	dst = slices.Grow(dst[:0], w*h*4)[:w*h*4]
	for y := range h {
		for x := range w {
			c := (y>>p.sy)*cw + x>>p.sx
			l := (sample(yp+y*w+x) - 16*s) / (219 * s)
			pb := (sample(up+c) - 128*s) / (224 * s)
			pr := (sample(vp+c) - 128*s) / (224 * s)
			r := l + 2*(1-kr)*pr
			b := l + 2*(1-kb)*pb
			g := (l - kr*r - kb*b) / kg
			a := 1.0
			if p.alpha {
				a = sample(ap+y*w+x) / amax
			}
			o := dst[(y*w+x)*4:]
			o[0], o[1], o[2], o[3] = to16(r), to16(g), to16(b), to16(a)
		}
	}
	return dst, nil
}

func to16(v float64) uint16 {
	return uint16(math.Round(65535 * min(1, max(0, v))))
}

// PSNR is the peak signal-to-noise ratio in dB between two RGBA 16-bit
// images of the same size over the listed channels (0 R, 1 G, 2 B, 3 A):
// +Inf when they are equal.
func PSNR(a, b []uint16, channels ...int) float64 {
	var sum float64
	n := 0
	for i := 0; i+3 < len(a) && i+3 < len(b); i += 4 {
		for _, c := range channels {
			d := (float64(a[i+c]) - float64(b[i+c])) / 65535
			sum += d * d
			n++
		}
	}
	if len(a) != len(b) || n == 0 {
		return math.NaN()
	}
	if sum == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(float64(n)/sum)
}

// Pattern draws test frame i of a w x h sequence as RGBA 16-bit: colour
// gradients, a soft-edged disc and bar that move with i, fine stripes, and an
// alpha that falls off from the centre (opaque inside the disc).
func Pattern(w, h, i int) []uint16 {
	pix := make([]uint16, w*h*4)
	t := float64(i)
	cx, cy := float64(w)*(0.3+0.02*t), float64(h)*0.5
	rad := 0.2 * float64(min(w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 0.1 + 0.8*fx
			g := 0.2 + 0.6*fy
			b := 0.5 + 0.3*math.Sin(6*fx+4*fy+0.3*t)
			// Grey stripes on the left: detail the encoder must keep.
			if fx < 0.15 {
				s := 0.06 * math.Sin(float64(x)*0.8+float64(y)*0.5)
				r, g, b = r+s, g+s, b+s
			}
			// A bar moving down, edge a couple of pixels soft.
			if e := edge(2.5 - math.Abs(float64(y)-(float64(h)*0.2+3*t))/3); e > 0 && fx > 0.55 && fx < 0.9 {
				r, g, b = mix(r, 0.9, e), mix(g, 0.85, e), mix(b, 0.1, e)
			}
			d := math.Hypot(float64(x)-cx, float64(y)-cy)
			disc := edge((rad - d) / 1.5)
			r, g, b = mix(r, 0.85, disc), mix(g, 0.15, disc), mix(b, 0.2, disc)
			a := max(disc, 1-0.8*math.Hypot(fx-0.5, fy-0.5))
			o := pix[(y*w+x)*4:]
			o[0], o[1], o[2], o[3] = to16(r), to16(g), to16(b), to16(a)
		}
	}
	return pix
}

func edge(v float64) float64 { return min(1, max(0, v)) }

func mix(a, b, t float64) float64 { return a + (b-a)*t }

// Atoms lists the types of a QuickTime file's top-level atoms in order
// ("ftyp", "moov", "mdat" ...).
func Atoms(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var types []string
	var hdr [16]byte
	for off := int64(0); off < fi.Size(); {
		if _, err := f.ReadAt(hdr[:8], off); err != nil {
			return types, fmt.Errorf("%s: atom at %d: %w", path, off, err)
		}
		size := int64(binary.BigEndian.Uint32(hdr[:4]))
		if size == 1 { // 64-bit size follows the type
			if _, err := f.ReadAt(hdr[8:], off+8); err != nil {
				return types, fmt.Errorf("%s: atom at %d: %w", path, off, err)
			}
			size = int64(binary.BigEndian.Uint64(hdr[8:]))
		}
		if size < 8 {
			return types, fmt.Errorf("%s: atom %q at %d has size %d", path, hdr[4:8], off, size)
		}
		types = append(types, string(hdr[4:8]))
		off += size
	}
	return types, nil
}
