package export

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asticode/go-astiav"

	"flick/engine/timecode"
)

// tmcdTimecode reads path through FFmpeg's mov demuxer and returns the
// "timecode" of its timecode track: a data stream with the sample
// description 'tmcd' ("" when there is none).
func tmcdTimecode(t *testing.T, path string) string {
	t.Helper()
	fc := astiav.AllocFormatContext()
	defer fc.Free()
	if err := fc.OpenInput("file:"+path, nil, nil); err != nil {
		t.Fatal(err)
	}
	defer fc.CloseInput()
	if err := fc.FindStreamInfo(nil); err != nil {
		t.Fatal(err)
	}
	tc := ""
	for _, st := range fc.Streams() {
		cp := st.CodecParameters()
		if cp.MediaType() != astiav.MediaTypeData || cp.CodecTag() != astiav.CodecTag('t'|'m'<<8|'c'<<16|'d'<<24) {
			continue
		}
		if tc != "" {
			t.Fatalf("%s: two timecode tracks", path)
		}
		e := st.Metadata().Get("timecode", nil, astiav.NewDictionaryFlags())
		if e == nil {
			t.Fatalf("%s: a tmcd track without a timecode", path)
		}
		tc = e.Value()
	}
	return tc
}

func mustParse(t *testing.T, s string) *timecode.Timecode {
	t.Helper()
	tc, err := timecode.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return &tc
}

// TestTimecodeTrack writes movies with Options.Timecode at integer and
// NTSC rates, drop frame included, and reads the tmcd track back; a movie
// without one has no timecode track.
func TestTimecodeTrack(t *testing.T) {
	for _, c := range []struct {
		fps Rational
		tc  string
	}{
		{Rational{24, 1}, "01:00:00:00"},
		{Rational{25, 1}, "23:59:59:24"},
		{Rational{24000, 1001}, "00:59:59:23"},
		{Rational{30000, 1001}, "00:59:59;28"},
		{Rational{30000, 1001}, "00:01:00:00"}, // non-drop at 29.97
		{Rational{60000, 1001}, "10:09:00;04"},
		{Rational{30, 1}, ""},
	} {
		t.Run(fmt.Sprintf("%s/%s", c.fps, c.tc), func(t *testing.T) {
			o := Options{Path: filepath.Join(t.TempDir(), "tc.mov"), Codec: H264, Width: 64, Height: 64, FPS: c.fps, CRF: -1, Preset: "ultrafast"}
			if c.tc != "" {
				o.Timecode = mustParse(t, c.tc)
			}
			encode(t, o, 3)
			if got := tmcdTimecode(t, o.Path); got != c.tc {
				t.Errorf("timecode track %q, want %q", got, c.tc)
			}
			tc, ok, err := ReadTimecode(o.Path)
			if err != nil || ok != (c.tc != "") || ok && tc.String() != c.tc {
				t.Errorf("ReadTimecode = %s, %v, %v; want %q", tc, ok, err, c.tc)
			}
		})
	}
}

// TestTimecodeRefused: a timecode that does not count at the movie's rate
// is an error before anything is written.
func TestTimecodeRefused(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		fps      Rational
		tc, want string
	}{
		{Rational{24, 1}, "00:00:00;00", "drop frame exists only"},
		{Rational{24, 1}, "00:00:00:24", "frame 24 is out of range"},
		{Rational{30000, 1001}, "00:01:00;00", "drop frame skips"},
	} {
		o := Options{Path: filepath.Join(dir, "bad.mov"), Codec: H264, Width: 64, Height: 64, FPS: c.fps, CRF: -1, Timecode: mustParse(t, c.tc)}
		if e, err := Create(o); err == nil || !strings.Contains(err.Error(), c.want) {
			if e != nil {
				e.Abort()
			}
			t.Errorf("%s at %s: Create error %v, want %q", c.tc, c.fps, err, c.want)
		}
	}
	if names, _ := os.ReadDir(dir); len(names) != 0 {
		t.Errorf("refused exports left %v", names)
	}
}

// TestJoinKeepsTimecode joins chunks that each start at their own first
// frame's timecode (as flick export --frames writes them) at 29.97 drop
// frame across a minute; the joined movie starts at the first chunk's.
func TestJoinKeepsTimecode(t *testing.T) {
	dir := t.TempDir()
	r := Rational{30000, 1001}
	start := mustParse(t, "00:00:59;25")
	o := Options{Codec: H264, Width: joinW, Height: joinH, FPS: r, CRF: -1, Preset: "ultrafast", Joinable: true}
	lengths := []int{4, 5}
	var chunks []string
	index := 0
	for i, n := range lengths {
		c := o
		c.Path = filepath.Join(dir, fmt.Sprintf("%c.mov", 'a'+i))
		tc, err := start.Add(index, timecode.Rate{Num: r.Num, Den: r.Den})
		if err != nil {
			t.Fatal(err)
		}
		c.Timecode = &tc
		writeChunk(t, c, index, n, 9)
		chunks = append(chunks, c.Path)
		index += n
	}
	if got := tmcdTimecode(t, chunks[1]); got != "00:00:59;29" {
		t.Fatalf("second chunk's timecode %q, want 00:00:59;29", got)
	}
	out := filepath.Join(dir, "joined.mov")
	if _, err := Join(JoinOptions{Out: out, Chunks: chunks}); err != nil {
		t.Fatal(err)
	}
	if got := tmcdTimecode(t, out); got != start.String() {
		t.Errorf("joined movie's timecode %q, want the first chunk's %s", got, start)
	}
	if packets, _ := readPackets(t, out, "", nil); len(packets) != 9 {
		t.Errorf("joined movie has %d video packets, want 9", len(packets))
	}
}
