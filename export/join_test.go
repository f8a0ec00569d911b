package export

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asticode/go-astiav"

	"flick/export/exporttest"
)

// joinSize is the tests' frame size: small, so that every test runs in
// seconds.
const joinW, joinH = 64, 64

// writeChunks encodes a shot of sum(lengths) pattern frames as chunk
// movies of those lengths in dir (a.mov, b.mov ...), each with its report
// beside it, as flick export --frames does, and returns their paths.
func writeChunks(t *testing.T, dir string, o Options, lengths []int) []string {
	t.Helper()
	total := 0
	for _, n := range lengths {
		total += n
	}
	var paths []string
	index := 0
	for i, n := range lengths {
		c := o
		c.Path = filepath.Join(dir, string(rune('a'+i))+".mov")
		c.Joinable = true
		writeChunk(t, c, index, n, total)
		paths = append(paths, c.Path)
		index += n
	}
	return paths
}

// writeChunk encodes frames [index, index+n) of a total-frame pattern shot
// to o.Path, with its report.
func writeChunk(t *testing.T, o Options, index, n, total int) {
	t.Helper()
	e, err := Create(o)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Abort()
	for i := index; i < index+n; i++ {
		if err := e.Write(exporttest.Pattern(o.Width, o.Height, i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	stream, err := ReadStreamInfo(o.Path)
	if err != nil {
		t.Fatal(err)
	}
	err = WriteReport(ReportPath(o.Path), Report{
		Flick: "test", Movie: o.Path, Shot: "pattern.####.exr", Range: fmt.Sprintf("1001-%d", 1000+total),
		ShotFrames: total, Index: index, First: 1001 + index, Last: 1000 + index + n, Frames: n,
		Failed: []FailedFrame{}, Settings: o.Settings("rgb"), Stream: stream,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// packet is what the tests compare of a packet.
type packet struct {
	pts, dts int64
	key      bool
	sum      [32]byte
}

// readPackets reads the video packets of the movie at path, through the
// named demuxer ("" to guess) with options.
func readPackets(t *testing.T, path, format string, options map[string]string) ([]packet, astiav.Rational) {
	t.Helper()
	fc := astiav.AllocFormatContext()
	var f *astiav.InputFormat
	if format != "" {
		f = astiav.FindInputFormat(format)
	}
	d := astiav.NewDictionary()
	defer d.Free()
	for k, v := range options {
		d.Set(k, v, 0)
	}
	if err := fc.OpenInput(path, f, d); err != nil {
		fc.Free()
		t.Fatal(err)
	}
	defer fc.CloseInput()
	if err := fc.FindStreamInfo(nil); err != nil {
		t.Fatal(err)
	}
	st := fc.Streams()[0]
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	var out []packet
	for {
		err := fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, packet{pkt.Pts(), pkt.Dts(), pkt.Flags().Has(astiav.PacketFlagKey), sha256.Sum256(pkt.Data())})
		pkt.Unref()
	}
	return out, st.TimeBase()
}

// concatPackets reads chunks through FFmpeg's concat demuxer, the oracle:
// no conversion of the packets (auto_convert 0), each file starting where
// the one before ends by its container duration (exact with the movie
// timescale equal to the track's).
func concatPackets(t *testing.T, dir string, chunks []string) []packet {
	t.Helper()
	list := filepath.Join(dir, "concat.txt")
	var s strings.Builder
	s.WriteString("ffconcat version 1.0\n")
	for _, c := range chunks {
		fmt.Fprintf(&s, "file '%s'\n", c)
	}
	if err := os.WriteFile(list, []byte(s.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(list)
	p, _ := readPackets(t, list, "concat", map[string]string{"safe": "0", "auto_convert": "0"})
	return p
}

// decodeAll decodes the movies one after the other into RGBA frames.
func decodeAll(t *testing.T, paths ...string) [][]uint16 {
	t.Helper()
	var frames [][]uint16
	for _, p := range paths {
		if _, err := exporttest.Decode(p, func(_ int, rgba []uint16) error {
			frames = append(frames, slices.Clone(rgba))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return frames
}

// TestJoinProResEqualsSinglePass joins uneven ProRes chunks and holds the
// result equal, packet for packet (bytes, timestamps, keyframes), to the
// same frames exported in one pass, and to FFmpeg's concat demuxer.
func TestJoinProResEqualsSinglePass(t *testing.T) {
	dir := t.TempDir()
	o := Options{Codec: ProRes, Width: joinW, Height: joinH, FPS: Rational{24, 1}, CRF: -1}
	lengths := []int{9, 3, 12}
	chunks := writeChunks(t, dir, o, lengths)
	out := filepath.Join(dir, "joined.mov")
	res, err := Join(JoinOptions{Out: out, Chunks: chunks, Full: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Frames != 24 || res.Checked != 24 {
		t.Errorf("joined %d frames, checked %d; want 24 and 24", res.Frames, res.Checked)
	}
	single := o
	single.Path, single.Joinable = filepath.Join(dir, "single.mov"), true
	encode(t, single, 24)
	joined, tb := readPackets(t, out, "", nil)
	want, wtb := readPackets(t, single.Path, "", nil)
	if tb != wtb || !slices.Equal(joined, want) {
		t.Errorf("joined movie (time base %v) differs from the single pass (%v):\n%v\n%v", tb, wtb, joined, want)
	}
	if oracle := concatPackets(t, dir, chunks); !slices.Equal(joined, oracle) {
		t.Errorf("joined movie differs from the concat demuxer's packets:\n%v\n%v", joined, oracle)
	}
}

// TestJoinInterFrame joins uneven H.264 and HEVC chunks (B-frames on) at
// 24 and 24000/1001 fps and checks the movie: its packets are the concat
// demuxer's, its decoded frames the chunks' decoded frames, its frame
// count, timestamps (one frame apart, dts increasing) and duration exact.
func TestJoinInterFrame(t *testing.T) {
	for _, codec := range []Codec{H264, HEVC} {
		for _, fps := range []Rational{{24, 1}, {24000, 1001}} {
			t.Run(fmt.Sprintf("%s/%s", codec, fps), func(t *testing.T) {
				dir := t.TempDir()
				o := Options{Codec: codec, Width: joinW, Height: joinH, FPS: fps, CRF: -1, Preset: "fast"}
				lengths := []int{11, 3, 16}
				const total = 30
				chunks := writeChunks(t, dir, o, lengths)
				if info, _ := ReadStreamInfo(chunks[0]); info.DecoderDelay == 0 {
					t.Fatalf("chunk %+v has no decoder delay: no B-frames to test with", info)
				}
				out := filepath.Join(dir, "joined.mov")
				if _, err := Join(JoinOptions{Out: out, Chunks: chunks}); err != nil {
					t.Fatal(err)
				}
				joined, tb := readPackets(t, out, "", nil)
				if oracle := concatPackets(t, dir, chunks); !slices.Equal(joined, oracle) {
					t.Errorf("joined movie differs from the concat demuxer's packets:\n%v\n%v", joined, oracle)
				}
				// One frame in ticks of the time base.
				d := int64(tb.Den()) * int64(fps.Den) / (int64(tb.Num()) * int64(fps.Num))
				var pts []int64
				for i, p := range joined {
					if i > 0 && p.dts <= joined[i-1].dts {
						t.Errorf("packet %d: dts %d after %d", i, p.dts, joined[i-1].dts)
					}
					pts = append(pts, p.pts)
				}
				slices.Sort(pts)
				for i, p := range pts {
					if p != int64(i)*d {
						t.Fatalf("frame %d at pts %d, want %d", i, p, int64(i)*d)
					}
				}
				m, err := openMovie(out)
				if err != nil {
					t.Fatal(err)
				}
				dur, fdur := m.st.Duration(), m.fc.Duration()
				m.close()
				if len(joined) != total || dur != total*d {
					t.Errorf("%d packets lasting %d ticks, want %d frames of %d ticks", len(joined), dur, total, d)
				}
				if want := int64(total) * 1_000_000 * int64(fps.Den) / int64(fps.Num); fdur < want-1 || fdur > want+1 {
					t.Errorf("movie lasts %dµs, want %dµs", fdur, want)
				}
				got, want := decodeAll(t, out), decodeAll(t, chunks...)
				if len(got) != total || len(want) != total {
					t.Fatalf("decoded %d frames joined, %d from the chunks; want %d", len(got), len(want), total)
				}
				for i := range got {
					if !slices.Equal(got[i], want[i]) {
						t.Errorf("frame %d of the joined movie differs from the chunks'", i)
					}
				}
			})
		}
	}
}
