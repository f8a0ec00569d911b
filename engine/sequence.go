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
// shot.1002.exr, ...), or a single file without a frame number.
type Sequence struct {
	Dir            string
	Prefix, Suffix string // around the frame number: "shot." and ".exr"
	// Frames are the frame numbers present, ascending. A single file
	// without a number is frame 0.
	Frames []int
	files  map[int]string // frame number -> file name in Dir
	pad    int            // digits of the shortest name, for display
}

// numbered splits a file name around its last run of digits before the
// extension: shot.1001.exr -> "shot.", "1001", ".exr".
var numbered = regexp.MustCompile(`^(.*?)(\d+)(\.[eE][xX][rR])$`)

// framePattern matches the frame-number notations users type: RV/Nuke
// hashes (shot.####.exr, shot.#.exr), printf (shot.%04d.exr) and Houdini
// at-signs (shot.@@@@.exr).
var framePattern = regexp.MustCompile(`^(.*?)(#+|@+|%0?\d*d)(\.[eE][xX][rR])$`)

// Find resolves what a user names on the command line: an EXR file (its
// numbered siblings join it), a pattern with #, @ or %0Nd, or a folder (the
// longest sequence in it).
func Find(path string) (*Sequence, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	dir = filepath.Clean(dir)
	if m := framePattern.FindStringSubmatch(name); m != nil {
		if _, err := os.Stat(path); err != nil { // a real file may contain '#'
			return findPattern(dir, m[1], m[3], path)
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
		return findInDir(path)
	}
	if m := numbered.FindStringSubmatch(name); m != nil {
		return findPattern(dir, m[1], m[3], path)
	}
	return &Sequence{Dir: dir, Suffix: name, Frames: []int{0}, files: map[int]string{0: name}}, nil
}

// findPattern collects the files of dir named prefix + digits + suffix.
func findPattern(dir, prefix, suffix, asked string) (*Sequence, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Sequence{Dir: dir, Prefix: prefix, Suffix: suffix, files: map[int]string{}}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		m := numbered.FindStringSubmatch(e.Name())
		if m == nil || m[1] != prefix || m[3] != suffix {
			continue
		}
		s.add(m[2], e.Name())
	}
	if len(s.Frames) == 0 {
		return nil, fmt.Errorf("%s: no files match this frame pattern", asked)
	}
	return s, nil
}

// add records a frame from its digits and file name; when two names give
// the same number (1001 and 01001) the first one found stays.
func (s *Sequence) add(digits, name string) {
	n, err := strconv.Atoi(digits)
	if err != nil {
		return // more digits than an int holds: not a frame number
	}
	if _, dup := s.files[n]; dup {
		return
	}
	if s.pad == 0 || len(digits) < s.pad {
		s.pad = len(digits)
	}
	s.files[n] = name
	i, _ := slices.BinarySearch(s.Frames, n)
	s.Frames = slices.Insert(s.Frames, i, n)
}

// findInDir opens the sequence with the most frames in dir (ties: the
// first by name); a lone unnumbered EXR counts as a sequence of one.
func findInDir(dir string) (*Sequence, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	seqs := map[[2]string]*Sequence{}
	var best *Sequence
	for _, e := range entries { // ReadDir sorts by name
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".exr") {
			continue
		}
		key := [2]string{"", e.Name()}
		digits := ""
		if m := numbered.FindStringSubmatch(e.Name()); m != nil {
			key, digits = [2]string{m[1], m[3]}, m[2]
		}
		s := seqs[key]
		if s == nil {
			s = &Sequence{Dir: filepath.Clean(dir), Prefix: key[0], Suffix: key[1], files: map[int]string{}}
			seqs[key] = s
		}
		if digits == "" {
			s.Frames, s.files = []int{0}, map[int]string{0: e.Name()}
		} else {
			s.add(digits, e.Name())
		}
		if best == nil || len(s.Frames) > len(best.Frames) {
			best = s
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoEXR)
	}
	return best, nil
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

// First and Last are the sequence's frame range.
func (s *Sequence) First() int { return s.Frames[0] }

// Last is the last frame number present.
func (s *Sequence) Last() int { return s.Frames[len(s.Frames)-1] }

// Missing lists the frame numbers between First and Last with no file.
func (s *Sequence) Missing() []int {
	var out []int
	for i := 1; i < len(s.Frames); i++ {
		for n := s.Frames[i-1] + 1; n < s.Frames[i]; n++ {
			out = append(out, n)
		}
	}
	return out
}

// String is the sequence as RV writes it: shot.1001-1024#.exr (# is four
// digits of padding, each @ one digit), or the file name for a single file.
func (s *Sequence) String() string {
	if s.pad == 0 {
		return s.Suffix
	}
	if len(s.Frames) == 1 {
		return filepath.Base(s.Path(s.First()))
	}
	digits := "#"
	if s.pad != 4 {
		digits = strings.Repeat("@", s.pad)
	}
	return fmt.Sprintf("%s%d-%d%s%s", s.Prefix, s.First(), s.Last(), digits, s.Suffix)
}
