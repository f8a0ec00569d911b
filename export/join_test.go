package export

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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
		if pkt.StreamIndex() == st.Index() { // not a timecode track's
			out = append(out, packet{pkt.Pts(), pkt.Dts(), pkt.Flags().Has(astiav.PacketFlagKey), sha256.Sum256(pkt.Data())})
		}
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
	if atoms, err := exporttest.Atoms(out); err != nil || slices.Index(atoms, "moov") > slices.Index(atoms, "mdat") {
		t.Errorf("atoms %q (%v): the index is not first (fast start)", atoms, err)
	}
	onlyFile(t, dir, "a.json", "a.mov", "b.json", "b.mov", "c.json", "c.mov", "joined.mov", "single.mov")
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
				if codec == HEVC {
					// x265 names its thread pools in an option string it
					// writes into the stream headers unless told not to:
					// a chunk from a host with other cores would not join.
					prev := runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
					c := o
					c.Path, c.Joinable = chunks[1], true
					os.Remove(c.Path)
					writeChunk(t, c, lengths[0], lengths[1], total)
					runtime.GOMAXPROCS(prev)
				}
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

// TestJoinRefuses gives Join chunks that do not belong together and checks
// that it refuses with one line naming the chunk, and leaves no file.
func TestJoinRefuses(t *testing.T) {
	o := Options{Codec: H264, Width: joinW, Height: joinH, FPS: Rational{24, 1}, CRF: -1, Preset: "veryfast", Joinable: true}
	for _, tc := range []struct {
		name string
		make func(t *testing.T, dir string) []string // the chunks, in order
		bad  string                                  // the chunk named
		says string
	}{
		{name: "another size", bad: "b.mov", says: "size 96x64", make: func(t *testing.T, dir string) []string {
			paths := writeChunks(t, dir, o, []int{5, 5})
			b := o
			b.Path, b.Width = paths[1], 96
			os.Remove(b.Path)
			writeChunk(t, b, 5, 5, 10)
			return paths
		}},
		{name: "other crf", bad: "b.mov", says: "stream headers", make: func(t *testing.T, dir string) []string {
			paths := writeChunks(t, dir, o, []int{5, 5})
			b := o
			b.Path, b.CRF = paths[1], 30
			os.Remove(b.Path)
			writeChunk(t, b, 5, 5, 10)
			return paths
		}},
		{name: "other preset", bad: "b.mov", says: "profile", make: func(t *testing.T, dir string) []string {
			paths := writeChunks(t, dir, o, []int{5, 5})
			b := o
			b.Path, b.Preset = paths[1], "ultrafast"
			os.Remove(b.Path)
			writeChunk(t, b, 5, 5, 10)
			return paths
		}},
		{name: "other display", bad: "b.mov", says: "export settings", make: func(t *testing.T, dir string) []string {
			paths := writeChunks(t, dir, o, []int{5, 5})
			r, err := ReadReport(ReportPath(paths[1]))
			if err != nil {
				t.Fatal(err)
			}
			r.Settings.Display = "luminance"
			if err := WriteReport(ReportPath(paths[1]), r); err != nil {
				t.Fatal(err)
			}
			return paths
		}},
		{name: "gap", bad: "c.mov", says: "4 frames between them are in no chunk", make: func(t *testing.T, dir string) []string {
			paths := writeChunks(t, dir, o, []int{5, 4, 6})
			os.Remove(paths[1])
			os.Remove(ReportPath(paths[1]))
			return []string{paths[0], paths[2]}
		}},
		{name: "missing last", bad: "b.mov", says: "the chunks after it are missing", make: func(t *testing.T, dir string) []string {
			return writeChunks(t, dir, o, []int{5, 4, 6})[:2]
		}},
		{name: "overlap", bad: "a.mov", says: "inside a.mov", make: func(t *testing.T, dir string) []string {
			paths := writeChunks(t, dir, o, []int{5, 4})
			return []string{paths[0], paths[0], paths[1]}
		}},
		{name: "truncated", bad: "b.mov", says: "truncated", make: func(t *testing.T, dir string) []string {
			paths := writeChunks(t, dir, o, []int{5, 8})
			fi, err := os.Stat(paths[1])
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(paths[1], fi.Size()*2/3); err != nil {
				t.Fatal(err)
			}
			return paths
		}},
		{name: "no report", bad: "b.mov", says: "report", make: func(t *testing.T, dir string) []string {
			paths := writeChunks(t, dir, o, []int{5, 5})
			os.Remove(ReportPath(paths[1]))
			return paths
		}},
		{name: "too short", bad: "b.mov", says: "at least 3", make: func(t *testing.T, dir string) []string {
			return writeChunks(t, dir, o, []int{5, 2})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			chunks := tc.make(t, dir)
			before, _ := os.ReadDir(dir)
			_, err := Join(JoinOptions{Out: filepath.Join(dir, "joined.mov"), Chunks: chunks})
			if err == nil {
				t.Fatal("joined")
			}
			why, named := strings.CutPrefix(err.Error(), "join: chunk "+filepath.Join(dir, tc.bad)+": ")
			switch {
			case strings.Contains(err.Error(), "\n"):
				t.Errorf("error of several lines: %q", err)
			case !named || !strings.Contains(why, tc.says):
				t.Errorf("error %q does not name chunk %s saying %q", err, tc.bad, tc.says)
			}
			if after, _ := os.ReadDir(dir); len(after) != len(before) {
				t.Errorf("the folder held %d files, after the join %d", len(before), len(after))
			}
			t.Log(err)
		})
	}
}

// TestJoinVerifyCatches holds the read-back check to its word: a movie with
// the right count and timestamps whose frames at a seam are not the chunks'
// (the same frames encoded in one pass) is refused, seams only or full.
func TestJoinVerifyCatches(t *testing.T) {
	dir := t.TempDir()
	o := Options{Codec: H264, Width: joinW, Height: joinH, FPS: Rational{24, 1}, CRF: -1, Preset: "veryfast", Joinable: true}
	paths := writeChunks(t, dir, o, []int{6, 6})
	chunks, err := checkChunks(paths)
	if err != nil {
		t.Fatal(err)
	}
	if err := copyChunks(filepath.Join(dir, "joined.mov"), chunks); err != nil {
		t.Fatal(err)
	}
	if _, err := verifyJoin(filepath.Join(dir, "joined.mov"), chunks, false); err != nil {
		t.Fatalf("the join itself: %v", err)
	}
	single := o
	single.Path = filepath.Join(dir, "single.mov")
	encode(t, single, 12)
	for _, full := range []bool{false, true} {
		if _, err := verifyJoin(single.Path, chunks, full); err == nil || !strings.Contains(err.Error(), "decodes its frame") {
			t.Errorf("full %v: a movie encoded apart from the chunks passes as their join: %v", full, err)
		}
	}
}

// TestJoinLongChunk encodes an H.264 chunk longer than the encoder's
// keyframe interval (250) and checks that each of its keyframes needs
// nothing before it (closed GOPs), as Join's seam check decodes from the
// last keyframe before a seam: decoding from it gives exactly the frames
// from it on, equal to decoding the whole chunk. Then it joins it.
func TestJoinLongChunk(t *testing.T) {
	dir := t.TempDir()
	o := Options{Codec: H264, Width: joinW, Height: joinH, FPS: Rational{24, 1}, CRF: -1, Preset: "veryfast"}
	const n = 300
	chunks := writeChunks(t, dir, o, []int{n, 4})
	m, err := openMovie(chunks[0])
	if err != nil {
		t.Fatal(err)
	}
	d, _ := m.frameTicks()
	m.close()
	decode := func(from int) map[int][32]byte {
		frames := map[int][32]byte{}
		if err := decodeSpans(chunks[0], []span{{from, n}}, func(pts int64, sum [32]byte) { frames[int(pts/d)] = sum }); err != nil {
			t.Fatal(err)
		}
		return frames
	}
	whole := decode(0)
	p, _ := readPackets(t, chunks[0], "", nil)
	var keys []int
	for i, k := range p {
		if k.key {
			keys = append(keys, i)
		}
	}
	if len(keys) < 2 || len(whole) != n {
		t.Fatalf("the %d-frame chunk decodes to %d frames and has keyframes %v: nothing tested", n, len(whole), keys)
	}
	for _, k := range keys[1:] {
		from := decode(k)
		for f, sum := range from {
			if f < k || whole[f] != sum {
				t.Errorf("decoding from the keyframe at %d gives frame %d unlike decoding the whole chunk", k, f)
			}
		}
		if len(from) != n-k {
			t.Errorf("decoding from the keyframe at %d gives %d frames, want %d", k, len(from), n-k)
		}
	}
	if _, err := Join(JoinOptions{Out: filepath.Join(dir, "joined.mov"), Chunks: chunks}); err != nil {
		t.Fatal(err)
	}
}
