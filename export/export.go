// Package export writes review movies. Run (pipeline.go) draws a job's
// frames through the viewer's display pass at the output size on the GL
// goroutine, reads them back and feeds them to an Encoder. The Encoder takes
// display-referred RGBA 16-bit frames, converts them to BT.709
// limited-range YUV itself (convert.c), encodes them with libavcodec through
// go-astiav v0.16.0 (FFmpeg 5.1), tags codec, stream and frames BT.709, and
// writes a .mov through a hidden temporary file beside the target that is
// renamed only when Close succeeds: a failed or cancelled export leaves no
// file.
package export

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asticode/go-astiav"

	"flick/engine/timecode"
)

// Codec names an output codec.
type Codec string

// The codecs Create knows.
const (
	H264       Codec = "h264"       // libx264, yuv420p
	HEVC       Codec = "hevc"       // libx265, yuv420p
	ProRes     Codec = "prores"     // prores_ks 422 HQ, yuv422p10le
	ProRes4444 Codec = "prores4444" // prores_ks 4444, yuva444p10le with alpha
	H264NVENC  Codec = "h264_nvenc" // NVIDIA hardware, yuv420p
	HEVCNVENC  Codec = "hevc_nvenc" // NVIDIA hardware, yuv420p
)

// family is the group of encoders that share private options.
type family int

const (
	x26x family = iota
	prores
	nvenc
)

// codecSpec says how to drive one Codec.
type codecSpec struct {
	codec    Codec
	encoder  string // FFmpeg encoder name
	layout   layout
	family   family
	profile  string // prores_ks profile
	fallback Codec  // software codec to suggest when NVENC is missing
}

// codecs lists every Codec in the order menus, help and error messages give
// them.
var codecs = []codecSpec{
	{codec: H264, encoder: "libx264", layout: yuv420p, family: x26x},
	{codec: HEVC, encoder: "libx265", layout: yuv420p, family: x26x},
	{codec: ProRes, encoder: "prores_ks", layout: yuv422p10, family: prores, profile: "hq"},
	{codec: ProRes4444, encoder: "prores_ks", layout: yuva444p10, family: prores, profile: "4444"},
	{codec: H264NVENC, encoder: "h264_nvenc", layout: yuv420p, family: nvenc, fallback: H264},
	{codec: HEVCNVENC, encoder: "hevc_nvenc", layout: yuv420p, family: nvenc, fallback: HEVC},
}

// ParseCodec returns the Codec named s, or an error listing the valid names.
func ParseCodec(s string) (Codec, error) {
	spec, err := specOf(Codec(s))
	return spec.codec, err
}

// CodecNames returns every Codec's name, in the order of the codecs table:
// the one list that settings, the export dialog and --codec offer.
func CodecNames() []string {
	names := make([]string, len(codecs))
	for i, s := range codecs {
		names[i] = string(s.codec)
	}
	return names
}

func specOf(c Codec) (codecSpec, error) {
	for _, s := range codecs {
		if s.codec == c {
			return s, nil
		}
	}
	return codecSpec{}, fmt.Errorf("unknown codec %q; valid codecs: %s", c, strings.Join(CodecNames(), ", "))
}

// Rational is a frame rate, Num/Den frames per second.
type Rational struct{ Num, Den int }

// String gives r as "24" or "30000/1001".
func (r Rational) String() string {
	if r.Den == 1 {
		return strconv.Itoa(r.Num)
	}
	return fmt.Sprintf("%d/%d", r.Num, r.Den)
}

// ParseFPS reads a frame rate: "24", "30000/1001", or a decimal ("12.5");
// a decimal within 0.01 of an NTSC rate (23.976, 29.97, 59.94 ...) means that
// exact n*1000/1001 rate.
func ParseFPS(s string) (Rational, error) {
	var r big.Rat
	// Digits, '.' and '/' only: big.Rat would also take exponents such as
	// "1e999999999", which cost memory to expand.
	ok := len(s) <= 24 && strings.Trim(s, "0123456789./") == ""
	if ok {
		_, ok = r.SetString(s)
	}
	if ok && r.Sign() > 0 {
		f, _ := r.Float64()
		if k := math.Round(f * 1.001); !r.IsInt() && !strings.Contains(s, "/") && math.Abs(k*1000/1001-f) < 0.01 {
			return Rational{int(k) * 1000, 1001}, nil
		}
		if r.Num().IsInt64() && r.Denom().IsInt64() {
			fps := Rational{int(r.Num().Int64()), int(r.Denom().Int64())}
			if fps.check() == nil {
				return fps, nil
			}
		}
	}
	return Rational{}, fmt.Errorf("bad frame rate %q: want a number of frames per second from %s to %d, such as 24, 29.97 or 30000/1001", s, minFPS, maxFPS)
}

// Frame rates Create accepts: both terms at most maxRateTerm keep the codec
// time base within FFmpeg's int fields.
const (
	maxFPS      = 1000
	maxRateTerm = 1 << 20
)

var minFPS = Rational{1, 1000}

func (r Rational) check() error {
	if r.Num <= 0 || r.Den <= 0 || r.Num > maxRateTerm || r.Den > maxRateTerm ||
		r.Num > maxFPS*r.Den || r.Num*minFPS.Den < r.Den {
		return fmt.Errorf("frame rate %s is out of range (%s to %d fps)", r, minFPS, maxFPS)
	}
	return nil
}

// Options says what Create writes.
type Options struct {
	Path      string // the .mov to write (a QuickTime movie whatever its extension)
	Overwrite bool   // replace Path if it exists; otherwise an existing Path is an error
	Codec     Codec
	// Width and Height are the frame size in pixels; 4:2:0 codecs need both
	// even and ProRes 422 an even width (the caller rounds).
	Width, Height int
	FPS           Rational
	// CRF is the quality for libx264/libx265 (crf) and NVENC (cq): 0 to 51,
	// lower is better and bigger; -1 means DefaultCRF. ProRes ignores it.
	CRF int
	// Preset is the libx264/libx265 or NVENC preset ("veryfast", "slow",
	// "p5" ...); "" means medium (NVENC: its own default). ProRes ignores it.
	Preset string
	// Joinable makes the movie a chunk that Join can put next to others
	// encoded apart, on other machines: the movie's timescale is the
	// track's (the default, 1/1000 s, rounds durations and leaves gaps at
	// the joins, e.g. at 23.976 fps), x264 and x265 close their GOPs, and
	// x265 writes
	// no option string into the stream headers (info=0: it names the
	// host's core count, so headers would differ between hosts). Every
	// encoder starts a movie with a keyframe that needs nothing before it
	// (x264 and ProRes as configured here always do). Callers keep chunks
	// at least MinChunkFrames long.
	Joinable bool
	// Colour is the movie's colour description, which it is tagged with
	// and converted to YUV by: the one of the display its pixels were
	// drawn for (ColourFor).
	Colour Colour
	// Timecode, when not nil, is the timecode of the movie's FIRST frame,
	// written as a QuickTime timecode track (tmcd) counting at FPS: drop
	// frame when Timecode.Drop, which needs FPS 30000/1001 or 60000/1001.
	// A slate leader is the caller's business: it passes the shot's first
	// timecode minus the leader's frames (timecode.Timecode.Add), so the
	// shot keeps its own.
	Timecode *timecode.Timecode
}

// MinChunkFrames is the shortest chunk worth joining: a one- or two-frame
// H.264 chunk has no B-frame delay, so its timestamps do not line up
// with its neighbours'.
const MinChunkFrames = 3

// x26xPresets are the presets libx264 and libx265 share.
var x26xPresets = []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"}

// DefaultCRF is the quality used when Options.CRF is -1: visually lossless
// for review.
const DefaultCRF = 18

// maxSide bounds the frame size so one frame's buffers stay reasonable.
const maxSide = 16384

// check validates o and returns its codec's spec.
func (o Options) check() (codecSpec, error) {
	spec, err := specOf(o.Codec)
	if err != nil {
		return spec, err
	}
	l := spec.layout
	switch {
	case o.Path == "":
		return spec, errors.New("no output path")
	case o.Width <= 0 || o.Height <= 0 || o.Width > maxSide || o.Height > maxSide:
		return spec, fmt.Errorf("size %dx%d is out of range (1 to %d pixels a side)", o.Width, o.Height, maxSide)
	case l.evenWidth() && o.Width%2 != 0 || l.evenHeight() && o.Height%2 != 0:
		what := "width and height"
		if !l.evenHeight() {
			what = "width"
		}
		return spec, fmt.Errorf("size %dx%d: %s (%s) needs an even %s", o.Width, o.Height, o.Codec, l.pixelFormat().Name(), what)
	case o.Colour.check() != nil:
		return spec, o.Colour.check()
	case o.CRF < -1 || o.CRF > 51:
		return spec, fmt.Errorf("crf %d is out of range (0 to 51, or -1 for the default)", o.CRF)
	case spec.family == x26x && o.Preset != "" && !slices.Contains(x26xPresets, o.Preset):
		// Checked here: x264 prints its own complaint to stderr.
		return spec, fmt.Errorf("unknown %s preset %q; valid presets: %s", o.Codec, o.Preset, strings.Join(x26xPresets, ", "))
	}
	if err := o.FPS.check(); err != nil || o.Timecode == nil {
		return spec, err
	}
	return spec, o.Timecode.Check(timecode.Rate{Num: o.FPS.Num, Den: o.FPS.Den})
}

// Encoder writes one movie. Its methods may be called from any goroutine
// (none needs the main thread); they are serialised, so Abort from another
// goroutine waits for a Write in progress (one frame) to finish.
type Encoder struct {
	mu   sync.Mutex // guards everything below
	o    Options
	spec codecSpec
	tmp  string // temporary file, "" until created

	cc    *astiav.CodecContext
	fc    *astiav.FormatContext
	pb    *astiav.IOContext
	st    *astiav.Stream
	frame *astiav.Frame
	pkt   *astiav.Packet
	log   logLines
	n     int64 // frames sent to the encoder
	// converting is the time spent converting frames to YUV.
	converting time.Duration

	finished bool  // closed, aborted or failed: the C side is freed
	result   error // what Close returns once finished
}

// ErrAborted is what Close returns after Abort.
var ErrAborted = errors.New("export aborted")

// ErrNoNVENC is wrapped by the error Create returns when an NVENC codec is
// asked for and the machine has no usable NVIDIA encoder.
var ErrNoNVENC = errors.New("no NVIDIA encoder on this machine")

// Create checks o, opens the encoder and starts the movie in a temporary
// file beside o.Path. Errors name the file and say what is wrong; nothing is
// left on disk when Create fails.
func Create(o Options) (*Encoder, error) {
	spec, err := o.check()
	if err == nil {
		err = checkTarget(o.Path, o.Overwrite)
	}
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", o.Path, err)
	}
	installLog()
	e := &Encoder{o: o, spec: spec}
	if err := e.openCodec(); err != nil {
		e.fail(err)
		return nil, err
	}
	if err := e.openMovie(); err != nil {
		e.fail(err)
		return nil, err
	}
	return e, nil
}

// openCodec opens the encoder and allocates the frame and packet.
func (e *Encoder) openCodec() error {
	c := astiav.FindEncoderByName(e.spec.encoder)
	if c == nil {
		return e.codecError(errors.New("this FFmpeg has no such encoder"))
	}
	e.cc = astiav.AllocCodecContext(c)
	if e.cc == nil {
		return e.errorf("allocate %s", e.spec.encoder)
	}
	e.log.listen(e.cc)
	fps := astiav.NewRational(e.o.FPS.Num, e.o.FPS.Den)
	e.cc.SetWidth(e.o.Width)
	e.cc.SetHeight(e.o.Height)
	e.cc.SetPixelFormat(e.spec.layout.pixelFormat())
	e.cc.SetSampleAspectRatio(astiav.NewRational(1, 1))
	e.cc.SetFramerate(fps)
	e.cc.SetTimeBase(astiav.NewRational(fps.Den(), fps.Num()))
	e.cc.SetThreadCount(runtime.GOMAXPROCS(0))
	if e.o.Joinable {
		// libx264 opens its GOPs unless told (FFmpeg sets b_open_gop from
		// this flag): a later keyframe would need frames before it.
		e.cc.SetFlags(e.cc.Flags().Add(astiav.CodecContextFlagClosedGop))
	}
	if astiav.FindOutputFormat("mov").Flags().Has(astiav.IOFormatFlagGlobalheader) {
		e.cc.SetFlags(e.cc.Flags().Add(astiav.CodecContextFlagGlobalHeader))
	}
	opts := astiav.NewDictionary()
	defer opts.Free()
	for _, kv := range e.codecOptions() {
		if err := opts.Set(kv[0], kv[1], 0); err != nil {
			return e.wrap("option "+kv[0], err)
		}
	}
	if err := e.cc.Open(c, opts); err != nil {
		return e.codecError(err)
	}
	if left := opts.Get("", nil, astiav.NewDictionaryFlags(astiav.DictionaryFlagIgnoreSuffix)); left != nil {
		return e.errorf("%s does not know option %s=%s", e.spec.encoder, left.Key(), left.Value())
	}
	e.frame = astiav.AllocFrame()
	e.frame.SetWidth(e.o.Width)
	e.frame.SetHeight(e.o.Height)
	e.frame.SetPixelFormat(e.spec.layout.pixelFormat())
	if err := e.frame.AllocBuffer(0); err != nil {
		return e.wrap("allocate frame", err)
	}
	e.pkt = astiav.AllocPacket()
	return nil
}

// codecOptions are the options avcodec_open2 applies: generic ones (colour
// tags, which go-astiav has no setters for) and the encoder's private ones.
func (e *Encoder) codecOptions() [][2]string {
	opts := [][2]string{
		{"color_primaries", e.o.Colour.Primaries.String()},
		{"color_trc", e.o.Colour.Transfer.String()},
		{"colorspace", e.o.Colour.Matrix.String()},
		{"color_range", "tv"},
	}
	if e.spec.layout == yuv420p {
		// convert.c averages each 2x2 block: chroma sits at its centre.
		opts = append(opts, [2]string{"chroma_sample_location", "center"})
	}
	crf := e.o.CRF
	if crf == -1 {
		crf = DefaultCRF
	}
	preset := e.o.Preset
	switch e.spec.family {
	case x26x:
		if preset == "" {
			preset = "medium"
		}
		opts = append(opts, [2]string{"crf", strconv.Itoa(crf)}, [2]string{"preset", preset})
		if e.spec.codec == HEVC {
			// x265 prints to stderr itself and sizes its thread pool from
			// the machine's cores, not the ones this process may use.
			params := fmt.Sprintf("log-level=error:pools=%d", runtime.GOMAXPROCS(0))
			if e.o.Joinable {
				params += ":info=0:open-gop=0"
			}
			opts = append(opts, [2]string{"x265-params", params})
		}
	case prores:
		opts = append(opts, [2]string{"profile", e.spec.profile}, [2]string{"vendor", "apl0"})
	case nvenc:
		opts = append(opts, [2]string{"rc", "vbr"}, [2]string{"cq", strconv.Itoa(crf)})
		if preset != "" {
			opts = append(opts, [2]string{"preset", preset})
		}
	}
	return opts
}

// openMovie creates the temporary file, the mov muxer and its stream, and
// writes the header.
func (e *Encoder) openMovie() error {
	tmp, err := createTemp(e.o.Path)
	if err != nil {
		return fmt.Errorf("export %s: %w", e.o.Path, err)
	}
	e.tmp = tmp
	// "file:" keeps a ':' in the name from reading as a protocol.
	url := "file:" + tmp
	if e.fc, err = astiav.AllocOutputFormatContext(nil, "mov", url); err != nil {
		return e.wrap("mov muxer", err)
	}
	e.log.listen(e.fc)
	if e.st = e.fc.NewStream(nil); e.st == nil {
		return e.errorf("add a stream")
	}
	if err := e.cc.ToCodecParameters(e.st.CodecParameters()); err != nil {
		return e.wrap("stream parameters", err)
	}
	if e.spec.codec == HEVC || e.spec.codec == HEVCNVENC {
		// QuickTime plays HEVC only as 'hvc1' (parameter sets in the
		// sample description); the mov muxer's default is 'hev1'.
		e.st.CodecParameters().SetCodecTag(astiav.CodecTag('h' | 'v'<<8 | 'c'<<16 | '1'<<24))
	}
	fps := astiav.NewRational(e.o.FPS.Num, e.o.FPS.Den)
	e.st.SetTimeBase(e.cc.TimeBase()) // a hint: WriteHeader picks the real one
	e.st.SetAvgFrameRate(fps)
	e.st.SetRFrameRate(fps)
	if e.o.Timecode != nil {
		if err := setTimecode(e.st, e.o.Timecode.String()); err != nil {
			return e.wrap("timecode", err)
		}
	}
	if e.pb, err = astiav.OpenIOContext(url, astiav.NewIOContextFlags(astiav.IOContextFlagWrite)); err != nil {
		return e.wrap("open "+tmp, err)
	}
	e.fc.SetPb(e.pb)
	opts := astiav.NewDictionary()
	defer opts.Free()
	if err := setMovieOptions(opts, e.o.Joinable, trackTimescale(e.cc.TimeBase())); err != nil {
		return e.wrap("movie options", err)
	}
	if err := e.fc.WriteHeader(opts); err != nil {
		return e.wrap("write header", err)
	}
	return nil
}

// trackTimescale is the timescale the mov muxer gives a video track of
// time base tb (FFmpeg 5.1's mov_init: the denominator, doubled until it
// is at least 10000).
func trackTimescale(tb astiav.Rational) int {
	ts := tb.Den()
	for ts < 10000 {
		ts *= 2
	}
	return ts
}

// setMovieOptions sets the mov muxer's options: fast start (the index
// first) and, for a joinable movie or a join, timescale as both the
// track's and the movie's.
func setMovieOptions(opts *astiav.Dictionary, joinable bool, timescale int) error {
	kv := [][2]string{{"movflags", "+faststart"}}
	if joinable {
		ts := strconv.Itoa(timescale)
		kv = append(kv, [2]string{"video_track_timescale", ts}, [2]string{"movie_timescale", ts})
	}
	for _, o := range kv {
		if err := opts.Set(o[0], o[1], 0); err != nil {
			return fmt.Errorf("option %s: %w", o[0], err)
		}
	}
	return nil
}

// Write encodes one frame: Width*Height pixels of R, G, B, A as 16-bit
// unsigned display-referred values (0..65535, after the display transform),
// top row first. A wrong length is an error that leaves the movie open; any
// other error ends it (the temporary file is removed) and Close returns it
// again.
func (e *Encoder) Write(pix []uint16) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.finished {
		return e.finishedError()
	}
	if want := e.o.Width * e.o.Height * 4; len(pix) != want {
		return e.errorf("frame %d has %d values, want %d (%dx%d RGBA)", e.n, len(pix), want, e.o.Width, e.o.Height)
	}
	if err := prepareFrame(e.frame, e.o.Colour); err != nil {
		return e.fail(e.wrap("frame buffer", err))
	}
	t := time.Now()
	convert(e.spec.layout, e.o.Colour.Matrix, pix, e.o.Width, e.o.Height, e.frame)
	e.converting += time.Since(t)
	e.frame.SetPts(e.n)
	if err := e.cc.SendFrame(e.frame); err != nil {
		return e.fail(e.wrap(fmt.Sprintf("encode frame %d", e.n), err))
	}
	e.n++
	if err := e.drain(); err != nil {
		return e.fail(err)
	}
	return nil
}

// ConvertTime returns the time Write has spent converting frames to YUV
// so far (the rest of its time is encoding and writing).
func (e *Encoder) ConvertTime() time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.converting
}

// drain moves every packet the encoder has ready into the muxer, with
// timestamps rescaled from the codec time base (1/fps) to the stream's.
func (e *Encoder) drain() error {
	for {
		err := e.cc.ReceivePacket(e.pkt)
		if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
			return nil
		}
		if err != nil {
			return e.wrap("encode", err)
		}
		if e.pkt.Duration() == 0 {
			e.pkt.SetDuration(1) // one frame; FFmpeg 5.1 leaves video durations unset
		}
		e.pkt.SetStreamIndex(e.st.Index())
		e.pkt.RescaleTs(e.cc.TimeBase(), e.st.TimeBase())
		if err := e.fc.WriteInterleavedFrame(e.pkt); err != nil {
			return e.wrap("write", err)
		}
	}
}

// Close flushes the encoder, finishes the movie (index moved to the front
// for fast start), syncs it to disk and renames it to Options.Path. On error
// no file is left. Close is nil-safe; a second Close returns the first one's
// result, and Close after Abort returns ErrAborted.
func (e *Encoder) Close() error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.finished {
		return e.result
	}
	if e.n == 0 {
		return e.fail(e.errorf("no frames were written"))
	}
	if err := e.cc.SendFrame(nil); err != nil {
		return e.fail(e.wrap("flush", err))
	}
	if err := e.drain(); err != nil {
		return e.fail(err)
	}
	if err := e.fc.WriteTrailer(); err != nil {
		return e.fail(e.wrap("finish movie", err))
	}
	err := e.pb.Close()
	e.pb = nil
	if err != nil {
		return e.fail(e.wrap("close", err))
	}
	if err := commit(e.tmp, e.o.Path, e.o.Overwrite); err != nil {
		return e.fail(fmt.Errorf("export %s: %w", e.o.Path, err))
	}
	e.tmp = ""
	e.release()
	e.finished = true
	return nil
}

// Abort stops the export and removes the temporary file. It is nil-safe,
// idempotent, and does nothing after Close.
func (e *Encoder) Abort() {
	if e == nil {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.finished {
		e.fail(ErrAborted)
	}
}

// fail frees everything, removes the temporary file and records err as the
// result. It returns err.
func (e *Encoder) fail(err error) error {
	e.release()
	if e.tmp != "" {
		if rmErr := os.Remove(e.tmp); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
			err = errors.Join(err, rmErr)
		}
		e.tmp = ""
	}
	e.finished, e.result = true, err
	return err
}

// release frees the C side.
func (e *Encoder) release() {
	if e.pb != nil {
		e.pb.Close()
		e.pb = nil
	}
	if e.fc != nil {
		forget(e.fc)
		e.fc.Free()
		e.fc = nil
	}
	if e.cc != nil {
		forget(e.cc)
		e.cc.Free()
		e.cc = nil
	}
	if e.frame != nil {
		e.frame.Free()
		e.frame = nil
	}
	if e.pkt != nil {
		e.pkt.Free()
		e.pkt = nil
	}
}

func (e *Encoder) finishedError() error {
	if e.result != nil {
		return e.result
	}
	return e.errorf("already closed")
}

func (e *Encoder) errorf(format string, args ...any) error {
	return fmt.Errorf("export %s: %s", e.o.Path, fmt.Sprintf(format, args...))
}

// wrap wraps err from FFmpeg step what, with the error lines FFmpeg logged
// for this encoder since the last wrap.
func (e *Encoder) wrap(what string, err error) error {
	if lines := e.log.take(); lines != "" {
		return fmt.Errorf("export %s: %s: %w (ffmpeg: %s)", e.o.Path, what, err, lines)
	}
	return fmt.Errorf("export %s: %s: %w", e.o.Path, what, err)
}

// codecError explains why the encoder could not be opened; for NVENC that
// means the machine has no usable NVIDIA encoder, and it says what to use.
func (e *Encoder) codecError(err error) error {
	if e.spec.family != nvenc {
		return e.wrap("open "+e.spec.encoder, err)
	}
	reason := err.Error()
	if lines := e.log.take(); lines != "" {
		reason = lines + "; " + reason
	}
	return fmt.Errorf("export %s: %s: %w (%s); use --codec %s", e.o.Path, e.spec.codec, ErrNoNVENC, reason, e.spec.fallback)
}
