// Package engine knows frame sequences, EXR frames and how they are loaded
// for display. It never calls GL or the UI: consumers receive decoded frames
// through channels.
package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Sequence is a numbered run of EXR files in one folder (shot.1001.exr,
// shot.1002.exr, ...) over a frame range, or a single file without a frame
// number. Frames of the range with no file are missing, never skipped.
type Sequence struct {
	Dir            string
	Prefix, Suffix string // around the frame number: "shot." and ".exr"
	// Range is the frame range: the one the user gave, else first to last
	// file present, step 1. A single unnumbered file is frame 0.
	Range Range
	// Frames are the frame numbers present in the range, ascending.
	Frames []int
	files  map[int]string // frame number -> file name in Dir
	pad    int            // digits in the shortest name; 0 for an unnumbered file
}

// Range is an inclusive frame range with a step: 1001-1100x2.
type Range struct{ Start, End, Step int }

// maxRangeFrames bounds a frame range, whether typed or spanned by file
// names, so that listing its missing frames stays cheap.
const maxRangeFrames = 1_000_000

// String writes the range as users type it: 1001-1100, 1001-1100x2, 7.
func (r Range) String() string {
	s := strconv.Itoa(r.Start)
	if r.End != r.Start {
		s += "-" + strconv.Itoa(r.End)
	}
	if r.Step > 1 {
		s += "x" + strconv.Itoa(r.Step)
	}
	return s
}

// Len is the number of frames in the range.
func (r Range) Len() int { return (r.End-r.Start)/r.Step + 1 }

// Contains reports whether frame n is in the range and on its step.
func (r Range) Contains(n int) bool {
	return n >= r.Start && n <= r.End && (n-r.Start)%r.Step == 0
}

var rangeSyntax = regexp.MustCompile(`^(-?\d+)(?:-(-?\d+))?(?:x(\d+))?$`)

// ParseRange reads a frame range: 1001-1100, 1001-1100x2, -10--1, 1001.
func ParseRange(s string) (Range, error) {
	m := rangeSyntax.FindStringSubmatch(s)
	if m == nil {
		return Range{}, fmt.Errorf("frame range %q: want FIRST-LASTxSTEP, e.g. 1001-1100 or 1001-1100x2", s)
	}
	num := func(t string, def int) (int, error) {
		if t == "" {
			return def, nil
		}
		return strconv.Atoi(t)
	}
	var r Range
	var err1, err2, err3 error
	r.Start, err1 = num(m[1], 0)
	r.End, err2 = num(m[2], r.Start)
	r.Step, err3 = num(m[3], 1)
	switch {
	case errors.Join(err1, err2, err3) != nil:
		return Range{}, fmt.Errorf("frame range %q: number too large", s)
	case r.End < r.Start:
		return Range{}, fmt.Errorf("frame range %q: last frame before first", s)
	case r.Step < 1:
		return Range{}, fmt.Errorf("frame range %q: step must be at least 1", s)
	case (r.End-r.Start)/r.Step >= maxRangeFrames:
		return Range{}, fmt.Errorf("frame range %q: more than %d frames", s, maxRangeFrames)
	}
	return r, nil
}

// numberedName splits a file name around the frame number just before its
// extension: shot.1001.exr -> "shot.", "1001", ".exr"; shot.-010.exr has
// frame -10 (a minus sign counts only after a '.' or '_' or at the start,
// so shot-010.exr is frame 10 of "shot-").
var numberedName = regexp.MustCompile(`^(.*?)(-?)(\d+)(\.[eE][xX][rR])$`)

// patternName matches what users type for a whole sequence: RV and Nuke
// hashes (shot.####.exr, shot.#.exr), at-signs (shot.@@@@.exr), printf
// (shot.%04d.exr), optionally after a range (shot.1001-1100#.exr).
var patternName = regexp.MustCompile(`^(.*?)(-?\d+(?:--?\d+)?(?:x\d+)?)?(#+|@+|%0?\d*d)(\.[eE][xX][rR])$`)

// frameOf parses a file name as a numbered frame.
func frameOf(name string) (prefix string, frame int, digits int, suffix string, ok bool) {
	m := numberedName.FindStringSubmatch(name)
	if m == nil {
		return "", 0, 0, "", false
	}
	prefix, num := signOf(m[1], m[2]+m[3])
	suffix = m[4]
	n, err := strconv.Atoi(num)
	if err != nil {
		return "", 0, 0, "", false // more digits than an int holds: not a frame number
	}
	return prefix, n, len(m[3]), suffix, true
}

// signOf decides whether a '-' between prefix and a number is the number's
// sign (at the start, or after '.' or '_') or part of the name (shot-010).
func signOf(prefix, num string) (string, string) {
	if strings.HasPrefix(num, "-") && prefix != "" && !strings.HasSuffix(prefix, ".") && !strings.HasSuffix(prefix, "_") {
		return prefix + "-", num[1:]
	}
	return prefix, num
}

// Find resolves what a user names on the command line: an EXR file (its
// numbered siblings join it), a pattern with #, @ or %0Nd and an optional
// range in it (shot.1001-1100#.exr), or a folder (its longest sequence).
func Find(path string) (*Sequence, error) {
	return FindRange(path, nil)
}

// FindRange is Find with a frame range given apart from the pattern, as in
// `flick shot.#.exr 1001-1100`; r overrides a range in the pattern.
func FindRange(path string, r *Range) (*Sequence, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	dir = filepath.Clean(dir)
	if m := patternName.FindStringSubmatch(name); m != nil {
		if _, err := os.Stat(path); err != nil { // a real file may contain '#'
			prefix, rng := signOf(m[1], m[2])
			if r == nil && rng != "" {
				pr, err := ParseRange(rng)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				r = &pr
			}
			return collect(dir, prefix, m[4], r, path)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: %w", path, pe.Err) // "shot.exr: no such file or directory"
		}
		return nil, err
	}
	if fi.IsDir() {
		all, err := FindAll(path)
		if err != nil {
			return nil, err
		}
		best := all[0]
		for _, s := range all[1:] {
			if len(s.Frames) > len(best.Frames) {
				best = s
			}
		}
		return best, nil
	}
	if prefix, _, _, suffix, ok := frameOf(name); ok {
		return collect(dir, prefix, suffix, r, path)
	}
	return &Sequence{Dir: dir, Suffix: name, Range: Range{0, 0, 1}, Frames: []int{0}, files: map[int]string{0: name}}, nil
}

// collect gathers the files of dir named prefix + frame number + suffix
// (any padding: RV's # stands for any width, Nuke's for one digit each;
// both are accepted), keeping those in r when r is given.
func collect(dir, prefix, suffix string, r *Range, asked string) (*Sequence, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s: %w", asked, pe.Err)
		}
		return nil, err
	}
	s := &Sequence{Dir: dir, Prefix: prefix, Suffix: suffix, files: map[int]string{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		p, n, digits, x, ok := frameOf(e.Name())
		if !ok || p != prefix || x != suffix || (r != nil && !r.Contains(n)) {
			continue
		}
		s.add(n, digits, e.Name())
	}
	if len(s.Frames) == 0 {
		if r != nil {
			return nil, fmt.Errorf("%s: no files in frame range %s", asked, r)
		}
		return nil, fmt.Errorf("%s: no files match this frame pattern", asked)
	}
	return s, s.finish(r, asked)
}

// add records a frame; when two names give the same number (1001.exr and
// 01001.exr) the first one found stays.
func (s *Sequence) add(n, digits int, name string) {
	if _, dup := s.files[n]; dup {
		return
	}
	if s.pad == 0 || digits < s.pad {
		s.pad = digits
	}
	s.files[n] = name
	s.Frames = append(s.Frames, n)
}

// finish sorts the frames and sets the range: r, or first to last.
func (s *Sequence) finish(r *Range, asked string) error {
	slices.Sort(s.Frames)
	if r != nil {
		s.Range = *r
		return nil
	}
	s.Range = Range{s.Frames[0], s.Frames[len(s.Frames)-1], 1}
	if s.Range.End-s.Range.Start >= maxRangeFrames {
		return fmt.Errorf("%s: frame numbers %d to %d span more than %d frames: give a range, e.g. %s%d-%d#%s",
			asked, s.Range.Start, s.Range.End, maxRangeFrames, s.Prefix, s.Range.Start, s.Range.Start+99, s.Suffix)
	}
	return nil
}

// FindAll lists the sequences in a folder, sorted by name; each unnumbered
// EXR file is a sequence of one.
func FindAll(dir string) ([]*Sequence, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	seqs := map[[2]string]*Sequence{}
	var out []*Sequence
	for _, e := range entries { // ReadDir sorts by name
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".exr") {
			continue
		}
		prefix, n, digits, suffix, ok := frameOf(e.Name())
		if !ok {
			out = append(out, &Sequence{Dir: filepath.Clean(dir), Suffix: e.Name(), Range: Range{0, 0, 1},
				Frames: []int{0}, files: map[int]string{0: e.Name()}})
			continue
		}
		key := [2]string{prefix, suffix}
		s := seqs[key]
		if s == nil {
			s = &Sequence{Dir: filepath.Clean(dir), Prefix: prefix, Suffix: suffix, files: map[int]string{}}
			seqs[key] = s
			out = append(out, s)
		}
		s.add(n, digits, e.Name())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoEXR)
	}
	for _, s := range out {
		if s.pad == 0 {
			continue
		}
		if err := s.finish(nil, filepath.Join(dir, s.Prefix+"#"+s.Suffix)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ErrNoEXR means a folder holds no EXR files.
var ErrNoEXR = errors.New("no EXR files in this folder")

// Path returns the file of a frame, or "" if the frame is not present.
func (s *Sequence) Path(frame int) string {
	name, ok := s.files[frame]
	if !ok {
		return ""
	}
	return filepath.Join(s.Dir, name)
}

// First is the first frame present.
func (s *Sequence) First() int { return s.Frames[0] }

// Last is the last frame present.
func (s *Sequence) Last() int { return s.Frames[len(s.Frames)-1] }

// Missing lists the frames of the range, on its step, with no file.
func (s *Sequence) Missing() []int {
	var out []int
	for n := s.Range.Start; n <= s.Range.End; n += s.Range.Step {
		if _, ok := s.files[n]; !ok {
			out = append(out, n)
		}
	}
	return out
}

// Pattern is the sequence's file pattern with one # per digit of padding
// (shot.####.exr), which Find reads back; for a single file, its name.
func (s *Sequence) Pattern() string {
	if s.pad == 0 {
		return s.Suffix
	}
	return s.Prefix + strings.Repeat("#", s.pad) + s.Suffix
}

// String is the sequence as RV writes it: shot.1001-1100#.exr (# is four
// digits of padding, each @ one digit), shot.1001-1100x2#.exr with a step,
// or the file name for a single file.
func (s *Sequence) String() string {
	if s.pad == 0 {
		return s.Suffix
	}
	if s.Range.Start == s.Range.End {
		return filepath.Base(s.Path(s.First()))
	}
	digits := "#"
	if s.pad != 4 {
		digits = strings.Repeat("@", s.pad)
	}
	return s.Prefix + s.Range.String() + digits + s.Suffix
}

// FrameList writes frame numbers compactly, runs as ranges: "3, 7-9, 12".
func FrameList(frames []int) string {
	var parts []string
	for i := 0; i < len(frames); {
		j := i
		for j+1 < len(frames) && frames[j+1] == frames[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(frames[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", frames[i], frames[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
