package engine

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Version is one version of a shot on disk: its number and the path that
// names it (the path asked about, with its version number changed).
type Version struct {
	Number int
	Path   string
}

// versionMark finds version numbers in a path: a v (or V) and digits (all
// of them), at the start of a folder or file name or after _ . or -. This follows mrv2 (mrvVersioning.cpp, media_version):
// its default expression is "_v" and digits, every match in the path is
// rewritten with its number plus the step, zero-padded to the digits it
// had (%0*d). flick also takes a v that starts a folder or file name, so a
// version folder (.../v002/shot_v002.####.exr) counts, and changes only
// the occurrences that carry the path's version, digit for digit (the file
// name's, its last): another folder that happens to look like one
// (/home/v1/) is left alone. Where mrv2 tries the next numbers up to a limit, flick lists the
// folder holding the first occurrence, so versions far apart are found.
var versionMark = regexp.MustCompile(`(?:^|[/_.\-])[vV](\d+)`)

// versionAt is one occurrence of the path's version: the digits' byte
// offsets in the path.
type versionAt struct{ begin, end int }

// versionsIn returns the path's version number, the width of its digits
// (the file name's, or the last folder's with none in the file name) and
// each of its occurrences, first to last; ok is false if the path has
// none.
func versionsIn(path string) (number, width int, at []versionAt, ok bool) {
	matches := versionMark.FindAllStringSubmatchIndex(path, -1)
	if len(matches) == 0 {
		return 0, 0, nil, false
	}
	last := matches[len(matches)-1]
	digits := path[last[2]:last[3]]
	number, err := strconv.Atoi(digits)
	if err != nil {
		return 0, 0, nil, false // too long to be a version
	}
	for _, m := range matches {
		if path[m[2]:m[3]] == digits { // v1 is not v001's folder
			at = append(at, versionAt{m[2], m[3]})
		}
	}
	return number, len(digits), at, true
}

// withVersion returns path with every occurrence of its version changed to
// n, zero-padded to width digits.
func withVersion(path string, at []versionAt, n, width int) string {
	var b strings.Builder
	prev := 0
	for _, a := range at {
		b.WriteString(path[prev:a.begin])
		fmt.Fprintf(&b, "%0*d", width, n)
		prev = a.end
	}
	b.WriteString(path[prev:])
	return b.String()
}

// Versions lists the versions of the shot at path (a sequence's pattern,
// one of its files, or its folder) that exist on disk, by number: the
// version number is the v### in the path's file name (or last folder),
// changed in every folder and file name that carries it, its padding
// kept; a version exists when Find finds a sequence at the changed path.
// The list includes path's own version when Find finds it. An error says
// that the path has no version, or why its folder cannot be listed.
func Versions(path string) ([]Version, error) {
	number, width, at, ok := versionsIn(path)
	if !ok {
		return nil, fmt.Errorf("%s: no version number (v###) in the path", path)
	}
	// Candidates come from the folder holding the first occurrence: the
	// names there that match the name around it, whatever their number.
	first := at[0]
	nameStart := strings.LastIndexByte(path[:first.begin], '/') + 1
	dir := path[:nameStart]
	if dir == "" {
		dir = "."
	}
	around := regexp.MustCompile(`^` + regexp.QuoteMeta(path[nameStart:first.begin]) + `(\d+)(?:\D|$)`)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var numbers []int
	for _, e := range entries {
		if m := around.FindStringSubmatch(e.Name()); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && !slices.Contains(numbers, n) {
				numbers = append(numbers, n)
			}
		}
	}
	if !slices.Contains(numbers, number) {
		numbers = append(numbers, number)
	}
	slices.Sort(numbers)
	var out []Version
	for _, n := range numbers {
		p := withVersion(path, at, n, width)
		if _, err := Find(p); err == nil {
			out = append(out, Version{Number: n, Path: p})
		}
	}
	return out, nil
}

// ErrNoVersion is what StepVersion's error wraps when there is no version
// that way.
var ErrNoVersion = errors.New("no such version")

// StepVersion returns the path of the version step versions after the
// path's own (before it for a negative step) among those on disk
// (Versions), skipping numbers that have none: the next version of
// shot_v002 is shot_v004 when there is no v003. The error says that the
// path has no version number, or wraps ErrNoVersion when no version lies
// that far.
func StepVersion(path string, step int) (string, error) {
	vs, err := Versions(path)
	if err != nil {
		return "", err
	}
	number, width, _, _ := versionsIn(path)
	// The position of path's own version, or where it would be.
	i, found := slices.BinarySearchFunc(vs, number, func(v Version, n int) int { return v.Number - n })
	switch {
	case step > 0 && found:
		i += step
	case step > 0:
		i += step - 1
	default:
		i += step
	}
	if i < 0 || i >= len(vs) {
		way := "after"
		if step < 0 {
			way = "before"
		}
		return "", fmt.Errorf("%s: %w %s v%0*d on disk", path, ErrNoVersion, way, width, number)
	}
	return vs[i].Path, nil
}
