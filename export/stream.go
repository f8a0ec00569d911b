package export

// #cgo pkg-config: libavcodec libavutil
// #include <libavcodec/codec_par.h>
// #include <libavutil/pixdesc.h>
//
// // flick_video_delay is the decoder delay in frames (go-astiav v0.16.0
// // has no getter).
// static int flick_video_delay(const AVCodecParameters *p) { return p->video_delay; }
//
// static const char *flick_name(const char *s) { return s ? s : "unknown"; }
//
// // flick_colour_tags are p's colour tags, FFmpeg's names, in the order
// // primaries, transfer, matrix, range.
// static void flick_colour_tags(const AVCodecParameters *p, const char *out[4]) {
// 	out[0] = flick_name(av_color_primaries_name(p->color_primaries));
// 	out[1] = flick_name(av_color_transfer_name(p->color_trc));
// 	out[2] = flick_name(av_color_space_name(p->color_space));
// 	out[3] = flick_name(av_color_range_name(p->color_range));
// }
import "C"

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unsafe"

	"github.com/asticode/go-astiav"
)

// StreamInfo is what must be equal between chunks for Join to put them
// together, as FFmpeg reads it from a movie's video stream.
type StreamInfo struct {
	Codec    string `json:"codec"`     // FFmpeg's codec name: "h264"
	Tag      string `json:"tag"`       // sample description: "avc1", "hvc1", "apch"
	Profile  int    `json:"profile"`   // FFmpeg's profile number
	Width    int    `json:"width"`     // pixels
	Height   int    `json:"height"`    // pixels
	PixFmt   string `json:"pix_fmt"`   // "yuv420p"
	Colour   string `json:"colour"`    // primaries/transfer/matrix/range: "bt709/bt709/bt709/tv"
	TimeBase string `json:"time_base"` // the track's: "1/12288"
	FPS      string `json:"fps"`       // "24000/1001"
	// HeadersSHA256 is the SHA-256 of the stream headers (the codec's
	// extradata: SPS/PPS, VPS; none for ProRes), hex.
	HeadersSHA256 string `json:"headers_sha256"`
	// DecoderDelay is the frames a decoder holds back (B-frame reordering;
	// FFmpeg's video_delay).
	DecoderDelay int `json:"decoder_delay"`
}

// fields lists the info's fields by name, in the order a mismatch is
// reported.
func (s StreamInfo) fields() [][2]string {
	return [][2]string{
		{"codec", s.Codec}, {"codec tag", s.Tag}, {"profile", fmt.Sprint(s.Profile)},
		{"size", fmt.Sprintf("%dx%d", s.Width, s.Height)}, {"pixel format", s.PixFmt},
		{"colour tags", s.Colour}, {"time base", s.TimeBase}, {"frame rate", s.FPS},
		{"stream headers (SHA-256)", s.HeadersSHA256}, {"decoder delay", fmt.Sprint(s.DecoderDelay)},
	}
}

// movie is an open movie's video stream.
type movie struct {
	path string
	fc   *astiav.FormatContext
	st   *astiav.Stream
}

// openMovie opens path and finds its video stream; close it with close.
func openMovie(path string) (*movie, error) {
	fc := astiav.AllocFormatContext()
	if fc == nil {
		return nil, fmt.Errorf("%s: cannot allocate a demuxer", path)
	}
	// "file:" keeps a ':' in the name from reading as a protocol.
	if err := fc.OpenInput("file:"+path, nil, nil); err != nil {
		fc.Free()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m := &movie{path: path, fc: fc}
	if err := fc.FindStreamInfo(nil); err != nil {
		m.close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, st := range fc.Streams() {
		if st.CodecParameters().MediaType() == astiav.MediaTypeVideo {
			m.st = st
			return m, nil
		}
	}
	m.close()
	return nil, fmt.Errorf("%s: no video stream", path)
}

func (m *movie) close() { m.fc.CloseInput() }

// info describes m's video stream.
func (m *movie) info() StreamInfo {
	cp := m.st.CodecParameters()
	c := codecParameters(cp)
	var tags [4]*C.char
	C.flick_colour_tags(c, &tags[0])
	colour := make([]string, 4)
	for i, t := range tags {
		colour[i] = C.GoString(t)
	}
	tag := uint32(cp.CodecTag())
	sum := sha256.Sum256(cp.ExtraData())
	rate := func(r astiav.Rational) string { return fmt.Sprintf("%d/%d", r.Num(), r.Den()) }
	return StreamInfo{
		Codec:         cp.CodecID().Name(),
		Tag:           string([]byte{byte(tag), byte(tag >> 8), byte(tag >> 16), byte(tag >> 24)}),
		Profile:       int(cp.Profile()),
		Width:         cp.Width(),
		Height:        cp.Height(),
		PixFmt:        cp.PixelFormat().Name(),
		Colour:        strings.Join(colour, "/"),
		TimeBase:      rate(m.st.TimeBase()),
		FPS:           rate(m.st.AvgFrameRate()),
		HeadersSHA256: hex.EncodeToString(sum[:]),
		DecoderDelay:  int(C.flick_video_delay(c)),
	}
}

// codecParameters is cp's C struct. go-astiav v0.16.0 (pinned: see
// ARCHITECTURE.md) keeps it as its CodecParameters' one field and has no
// accessor; init checks that the Go struct is that one pointer.
func codecParameters(cp *astiav.CodecParameters) *C.AVCodecParameters {
	return *(**C.AVCodecParameters)(unsafe.Pointer(cp))
}

func init() {
	if unsafe.Sizeof(astiav.CodecParameters{}) != unsafe.Sizeof(uintptr(0)) {
		panic("export: go-astiav's CodecParameters is no longer one pointer; codecParameters needs an update")
	}
}

// frameTicks is one frame's duration in m's time base, which must be a
// whole number of ticks.
func (m *movie) frameTicks() (int64, error) {
	tb, fps := m.st.TimeBase(), m.st.AvgFrameRate()
	num, den := int64(tb.Den())*int64(fps.Den()), int64(tb.Num())*int64(fps.Num())
	if den <= 0 || num <= 0 || num%den != 0 {
		return 0, fmt.Errorf("%s: a frame at %d/%d fps is no whole number of ticks of time base %d/%d", m.path, fps.Num(), fps.Den(), tb.Num(), tb.Den())
	}
	return num / den, nil
}

// ReadStreamInfo describes the video stream of the movie at path.
func ReadStreamInfo(path string) (StreamInfo, error) {
	m, err := openMovie(path)
	if err != nil {
		return StreamInfo{}, err
	}
	defer m.close()
	return m.info(), nil
}
