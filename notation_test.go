package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"flick/engine/exr"
)

// notationFolders are the folders TestSequenceNotation lays out: names from
// RV's manual (foo.0001.left.exr, shot.%V.####.exr, shot.1,3,5#.exr), Nuke's
// conventions (comp_v002.####.exr, shot_%v.%04d.exr) and fileseq's
// documented cases (signed padding, crossing zero), and what file servers
// leave beside them. Names starting with "." or "._" and .txt files hold
// junk, as AppleDouble files and notes do; every other file is a real 1x1
// EXR.
var notationFolders = map[string][]string{
	"signed": append(append(append(append(
		padded("p1.%0*d.exr", 1, -3, 2), padded("p2.%0*d.exr", 2, -3, 2)...),
		padded("p3.%0*d.exr", 3, -3, 2)...), padded("shot.%0*d.exr", 4, -3, 2)...),
		append(padded("p5.%0*d.exr", 5, -12, -10), "hy-010.exr", "hy-011.exr", "u_-001.exr", "u_0000.exr")...),
	"midname": {"foo.0001.left.exr", "foo.0002.left.exr", "foo.0003.left.exr",
		"comp_v002.1001.exr", "comp_v002.1002.exr", "comp_v002.1004.exr",
		"shot_v1.1001.exr", "shot_v1.1002.exr", "shot_v2.1001.exr",
		"plate.1001.v3.exr", "plate.1002.v3.exr", "render.0042.v7.exr"},
	"views": {"shot.left.1001.exr", "shot.left.1002.exr", "shot.left.1003.exr",
		"shot.right.1001.exr", "shot.right.1003.exr", "eye_l.0001.exr", "eye_r.0001.exr"},
	"server": {"plate.1001.exr", "plate.1002.exr", "plate.1003.exr", "plate.1004.exr", "plate.1005.exr",
		"._plate.1001.exr", "._plate.1002.exr", "._plate.1003.exr", "._plate.1004.exr", "._plate.1005.exr",
		".DS_Store", ".hidden.1001.exr", "plate.20240115.exr", "notes.txt"},
	"appledouble": {"._a.1001.exr", "._a.1002.exr", ".DS_Store"},
	"several": {"a.1.exr", "a.2.exr", "b.0001.exr", "b.0003.exr", "b.0004.exr", "c.exr", "d.txt",
		"list.1001.exr", "list.1002.exr", "list.1003.exr", "list.1005.exr", "list.1008.exr",
		"rv.1.exr", "rv.2.exr", "rv.3.exr", "rv.4.exr", "rv.5.exr"},
}

// padded names frames first to last with fmt's %0*d: a minus sign counts
// in the width, as it does for RV, Nuke and fileseq.
func padded(format string, width, first, last int) []string {
	var out []string
	for n := first; n <= last; n++ {
		out = append(out, fmt.Sprintf(format, width, n))
	}
	return out
}

// seqWant is what `flick info --json` must report of a sequence.
type seqWant struct {
	Name, Pattern      string
	Padding            int
	First, Last, Count int
	Missing            []int
	Views              []string
}

// TestSequenceNotation runs `flick info --json` (run, in this process) on
// each name, pattern, folder and range of the notation corpus and checks
// the frames, missing frames, padding and name it reports, or the exit
// status and message of each error.
func TestSequenceNotation(t *testing.T) {
	root := t.TempDir()
	pix := []uint16{0x3c00, 0x3800, 0x3400, 0x3c00}
	for dir, names := range notationFolders {
		if err := os.Mkdir(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			path := filepath.Join(root, dir, name)
			if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".txt") {
				if err := os.WriteFile(path, []byte("\x00\x05\x16\x07 not an image"), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := exr.WriteRGBA(path, 1, 1, pix, exr.None, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	seq := func(name, pattern string, padding, first, last, count int, missing ...int) seqWant {
		return seqWant{Name: name, Pattern: pattern, Padding: padding, First: first, Last: last, Count: count, Missing: missing}
	}
	stereo := seq("shot.%V.1001-1003#.exr", "shot.%V.####.exr", 4, 1001, 1003, 2, 1002)
	stereo.Views = []string{"left", "right"}
	eyes := seq("eye_%v.1#.exr", "eye_%v.####.exr", 4, 1, 1, 1)
	eyes.Views = []string{"l", "r"}
	signed := []seqWant{
		seq("hy-10-11@@@.exr", "hy-###.exr", 3, 10, 11, 2),
		seq("p1.-3-2@.exr", "p1.#.exr", 1, -3, 2, 6),
		seq("p2.-3-2@@.exr", "p2.##.exr", 2, -3, 2, 6),
		seq("p3.-3-2@@@.exr", "p3.###.exr", 3, -3, 2, 6),
		seq("p5.-12--10@@@@@.exr", "p5.#####.exr", 5, -12, -10, 3),
		seq("shot.-3-2#.exr", "shot.####.exr", 4, -3, 2, 6),
		seq("u_-1-0#.exr", "u_####.exr", 4, -1, 0, 2),
	}
	plate := seq("plate.1001-1005#.exr", "plate.####.exr", 4, 1001, 1005, 5)
	for _, tc := range []struct {
		name string
		args []string // the first is a path in root
		want []seqWant
		code int
		says []string // each must appear in the one line of stderr
	}{
		// Signed padding, crossing zero, every width.
		{name: "a negative frame's file", args: []string{"signed/shot.-002.exr"}, want: signed[5:6]},
		{name: "hashes over negative frames", args: []string{"signed/shot.####.exr"}, want: signed[5:6]},
		{name: "printf over negative frames", args: []string{"signed/p3.%03d.exr"}, want: signed[3:4]},
		{name: "the name read back", args: []string{"signed/shot.-3-2#.exr"}, want: signed[5:6]},
		{name: "a negative range read back", args: []string{"signed/p5.-12--10@@@@@.exr"}, want: signed[4:5]},
		{name: "a negative range", args: []string{"signed/p2.@@.exr", "-2--1"}, want: []seqWant{seq("p2.-2--1@@.exr", "p2.##.exr", 2, -2, -1, 2)}},
		{name: "every width in one folder", args: []string{"signed"}, want: signed},
		// The frame anywhere in the name; a fixed version number never is the frame.
		{name: "RV's foo.0001.left.exr", args: []string{"midname/foo.0002.left.exr"}, want: []seqWant{seq("foo.1-3#.left.exr", "foo.####.left.exr", 4, 1, 3, 3)}},
		{name: "hash mid-name", args: []string{"midname/foo.#.left.exr"}, want: []seqWant{seq("foo.1-3#.left.exr", "foo.####.left.exr", 4, 1, 3, 3)}},
		{name: "Nuke's versioned comp", args: []string{"midname/comp_v002.1001.exr"}, want: []seqWant{seq("comp_v002.1001-1004#.exr", "comp_v002.####.exr", 4, 1001, 1004, 3, 1003)}},
		{name: "a fixed number after the frame", args: []string{"midname/plate.1002.v3.exr"}, want: []seqWant{seq("plate.1001-1002#.v3.exr", "plate.####.v3.exr", 4, 1001, 1002, 2)}},
		{name: "a lone file with a version", args: []string{"midname/render.0042.v7.exr"}, want: []seqWant{seq("render.0042.v7.exr", "render.####.v7.exr", 4, 42, 42, 1)}},
		{name: "versions as sequences of their own", args: []string{"midname"}, want: []seqWant{
			seq("comp_v002.1001-1004#.exr", "comp_v002.####.exr", 4, 1001, 1004, 3, 1003),
			seq("foo.1-3#.left.exr", "foo.####.left.exr", 4, 1, 3, 3),
			seq("plate.1001-1002#.v3.exr", "plate.####.v3.exr", 4, 1001, 1002, 2),
			seq("render.0042.v7.exr", "render.####.v7.exr", 4, 42, 42, 1),
			seq("shot_v1.1001-1002#.exr", "shot_v1.####.exr", 4, 1001, 1002, 2),
			seq("shot_v2.1001.exr", "shot_v2.####.exr", 4, 1001, 1001, 1),
		}},
		{name: "a view's name before the frame", args: []string{"views/shot.left.####.exr"}, want: []seqWant{seq("shot.left.1001-1003#.exr", "shot.left.####.exr", 4, 1001, 1003, 3)}},
		// RV's %V and %v.
		{name: "%V", args: []string{"views/shot.%V.####.exr"}, want: []seqWant{stereo}},
		{name: "%V name read back", args: []string{"views/shot.%V.1001-1003#.exr"}, want: []seqWant{stereo}},
		{name: "%v", args: []string{"views/eye_%v.%04d.exr"}, want: []seqWant{eyes}},
		{name: "%V with a range", args: []string{"views/shot.%V.#.exr", "1003"}, want: []seqWant{func() seqWant {
			s := seq("shot.%V.1003#.exr", "shot.%V.####.exr", 4, 1003, 1003, 1)
			s.Views = stereo.Views
			return s
		}()}},
		{name: "%V with a view missing", args: []string{"views/eye.%V.#.exr"}, code: 1, says: []string{"eye.%V.#.exr", "no files for view left"}},
		// What file servers leave: AppleDouble and dot files, a stray far-off number.
		{name: "a folder with AppleDouble files and a stray", args: []string{"server"}, want: []seqWant{plate, seq("plate.20240115.exr", "plate.########.exr", 8, 20240115, 20240115, 1)}},
		{name: "a frame beside AppleDouble files", args: []string{"server/plate.1003.exr"}, want: []seqWant{plate}},
		{name: "a pattern beside AppleDouble files", args: []string{"server/plate.1001-1005#.exr"}, want: []seqWant{plate}},
		{name: "the stray itself", args: []string{"server/plate.20240115.exr"}, want: []seqWant{seq("plate.20240115.exr", "plate.########.exr", 8, 20240115, 20240115, 1)}},
		{name: "a folder with a range", args: []string{"server", "1004-1007"}, want: []seqWant{seq("plate.1004-1007#.exr", "plate.####.exr", 4, 1004, 1007, 2, 1006, 1007)}},
		{name: "a folder with a range: the sequence with most frames in it, not the longest", args: []string{"midname", "1-2"},
			want: []seqWant{seq("foo.1-2#.left.exr", "foo.####.left.exr", 4, 1, 2, 2)}},
		{name: "a pattern spanning the stray", args: []string{"server/plate.#.exr"}, code: 1, says: []string{"span more than 1000000 frames", "give a range"}},
		{name: "only AppleDouble files", args: []string{"appledouble"}, code: 1, says: []string{"no EXR files"}},
		// Several sequences and single files in a folder.
		{name: "every sequence and file", args: []string{"several"}, want: []seqWant{
			seq("a.1-2@.exr", "a.#.exr", 1, 1, 2, 2),
			seq("b.1-4#.exr", "b.####.exr", 4, 1, 4, 3, 2),
			seq("c.exr", "c.exr", 0, 0, 0, 1),
			seq("list.1001-1008#.exr", "list.####.exr", 4, 1001, 1008, 5, 1004, 1006, 1007),
			seq("rv.1-5@.exr", "rv.#.exr", 1, 1, 5, 5),
		}},
		{name: "the longest with a range", args: []string{"several", "1002-1004"}, want: []seqWant{seq("list.1002-1004#.exr", "list.####.exr", 4, 1002, 1004, 2, 1004)}},
		{name: "printf without a width", args: []string{"several/a.%d.exr"}, want: []seqWant{seq("a.1-2@.exr", "a.#.exr", 1, 1, 2, 2)}},
		{name: "a step in a pattern", args: []string{"several/rv.1-5x2@.exr"}, want: []seqWant{seq("rv.1-5x2@.exr", "rv.#.exr", 1, 1, 5, 3)}},
		{name: "one frame in a pattern", args: []string{"several/rv.3@.exr"}, want: []seqWant{seq("rv.3.exr", "rv.#.exr", 1, 3, 3, 1)}},
		// Comma lists, in a pattern and as RANGE.
		{name: "RV's shot.1,3,5#.exr", args: []string{"several/rv.1,3,5#.exr"}, want: []seqWant{seq("rv.1,3,5@.exr", "rv.#.exr", 1, 1, 5, 3)}},
		{name: "a list in a pattern", args: []string{"several/list.1001-1003,1005,1007-1011x2#.exr"}, want: []seqWant{seq("list.1001-1003,1005,1007-1011x2#.exr", "list.####.exr", 4, 1001, 1011, 4, 1007, 1009, 1011)}},
		{name: "a list as RANGE", args: []string{"several/list.####.exr", "1001,1005-1008x3"}, want: []seqWant{seq("list.1001,1005-1008x3#.exr", "list.####.exr", 4, 1001, 1008, 3)}},
		{name: "a list over a folder", args: []string{"several", "1003,1005"}, want: []seqWant{seq("list.1003,1005#.exr", "list.####.exr", 4, 1003, 1005, 2)}},
		// Range errors: each says what is wrong with which text, exit 2.
		{name: "reversed", args: []string{"several/list.#.exr", "1006-1001"}, code: 2, says: []string{`frame range "1006-1001": the last frame is before the first`}},
		{name: "reversed negative", args: []string{"signed/shot.#.exr", "-1--3"}, code: 2, says: []string{`frame range "-1--3": the last frame is before the first`}},
		{name: "step 0", args: []string{"several/list.#.exr", "1001-1010x0"}, code: 2, says: []string{`frame range "1001-1010x0": the step must be at least 1`}},
		{name: "a list going back", args: []string{"several/list.#.exr", "1005,1001"}, code: 2, says: []string{`frame range "1005,1001": in "1001", frame 1001 does not come after 1005`}},
		{name: "a frame twice", args: []string{"several/list.#.exr", "1001-1005,1005"}, code: 2, says: []string{`in "1005", frame 1005 does not come after 1005`}},
		{name: "an empty item", args: []string{"several/list.#.exr", "1001,,1003"}, code: 2, says: []string{`frame range "1001,,1003": an empty item between commas`}},
		{name: "not a range", args: []string{"several/list.#.exr", "1001:1010"}, code: 2, says: []string{`frame range "1001:1010": not a frame range`, "FIRST[-LAST][xSTEP]"}},
		{name: "too many frames", args: []string{"several/list.#.exr", "0-2000000"}, code: 2, says: []string{`frame range "0-2000000": more than 1000000 frames`}},
		{name: "too large a number", args: []string{"several/list.#.exr", "1-99999999999999999999"}, code: 2, says: []string{"99999999999999999999 is too large a frame number"}},
		{name: "reversed in a pattern", args: []string{"several/list.1006-1001#.exr"}, code: 2, says: []string{"list.1006-1001#.exr", `frame range "1006-1001": the last frame is before the first`}},
		{name: "step 0 in a pattern", args: []string{"several/rv.1-5x0@.exr"}, code: 2, says: []string{`frame range "1-5x0": the step must be at least 1`}},
		{name: "two paths", args: []string{"several/a.1.exr", "several/c.exr"}, code: 2, says: []string{"one PATH at a time"}},
		// Other failures: exit 1.
		{name: "no files in the range", args: []string{"several/list.#.exr", "2000-2010"}, code: 1, says: []string{"no files in frame range 2000-2010"}},
		{name: "no files for the pattern", args: []string{"several/none.####.exr"}, code: 1, says: []string{"no files match this frame pattern"}},
		{name: "a range on an unnumbered file", args: []string{"several/c.exr", "1-5"}, code: 1, says: []string{"c.exr has no frame number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"info", filepath.Join(root, tc.args[0])}, tc.args[1:]...)
			var stdout, stderr bytes.Buffer
			code := run(append(args, "--json"), &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("flick %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), code, tc.code, stderr.String())
			}
			if tc.code != 0 {
				line := strings.TrimSpace(stderr.String())
				if strings.Contains(line, "\n") || !strings.HasPrefix(line, "flick: ") {
					t.Fatalf("stderr is not one 'flick: ...' line: %q", line)
				}
				for _, s := range tc.says {
					if !strings.Contains(line, s) {
						t.Errorf("message %q does not say %q", line, s)
					}
				}
				return
			}
			var out struct {
				seqInfo
				Sequences []struct{ seqInfo }
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, stdout.String())
			}
			got := []seqInfo{out.seqInfo}
			if out.Sequences != nil {
				got = got[:0]
				for _, s := range out.Sequences {
					got = append(got, s.seqInfo)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d sequences, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i].Sequence
				if g.Name != w.Name || g.Pattern != w.Pattern || g.Padding != w.Padding || g.First != w.First ||
					g.Last != w.Last || g.Frames != w.Count || !slices.Equal(g.Missing, append([]int{}, w.Missing...)) ||
					!slices.Equal(g.Views, w.Views) {
					t.Errorf("sequence %d:\n got %+v\nwant %+v", i, g, w)
				}
				if len(got[i].Failed) > 0 || got[i].Header == nil {
					t.Errorf("sequence %d: headers not read: %+v", i, got[i].Failed)
				}
			}
		})
	}
}

// seqInfo is what TestSequenceNotation reads of `flick info --json`.
type seqInfo struct {
	Sequence struct {
		Name, Pattern string
		Padding       int
		Views         []string
		First, Last   int
		Frames        int
		Missing       []int
	}
	Header *struct{}
	Failed []struct{ Error string }
}

// TestViewsSourceSwitchesWithV opens RV's %V notation in the viewer: the
// left (red) and right (blue) files are the two views of one source, the
// left shown first, and v switches between them as in a multi-view file.
func TestViewsSourceSwitchesWithV(t *testing.T) {
	dir := t.TempDir()
	const w, h = 64, 64
	for view, rgb := range map[string][3]uint16{"left": {0x3c00, 0, 0}, "right": {0, 0, 0x3c00}} {
		pix := make([]uint16, 4*w*h)
		for i := 0; i < len(pix); i += 4 {
			pix[i], pix[i+1], pix[i+2], pix[i+3] = rgb[0], rgb[1], rgb[2], 0x3c00
		}
		for _, n := range []int{1001, 1002} {
			if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("shot.%s.%04d.exr", view, n)), w, h, pix, exr.ZIP, 24); err != nil {
				t.Fatal(err)
			}
		}
	}
	v := startViewer(t, t.TempDir(), filepath.Join(dir, "shot.%V.####.exr"))
	v.waitTitle(func(n int) bool { return n == 1001 }, "frame 1001")
	viewer := v.viewRect()
	red, blue := [3]int{255, 0, 0}, [3]int{0, 0, 255}
	shows := func(c [3]int) func() bool {
		return func() bool {
			img := v.shot()
			return countColour(img, viewer, c) > viewer.Dx()*viewer.Dy()/4 && countColour(img, viewer, [3]int{255 - c[0], 0, 255 - c[2]}) == 0
		}
	}
	v.waitFor(shows(red), "the left view, red")
	v.key("v")
	v.waitFor(shows(blue), "the right view, blue")
	v.key("v")
	v.waitFor(shows(red), "the left view again")
	v.quit()
}
