package farm

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Shot is one line of a shots file.
type Shot struct {
	Line     int    // in the file, from 1, for messages
	Sequence string // absolute
	Range    string // FIRST-LAST, or "" for the whole sequence
	Output   string // absolute
	Chunk    int    // frames per chunk on the farm; 0: the command line's
	Flags    []string
}

// ReadShots reads a shots file: CSV, one shot per line,
//
//	sequence,range,output[,override...]
//
// sequence is a file, pattern or folder, range FIRST-LAST or empty for the
// whole sequence, output the movie; relative paths are taken from the
// file's folder. Each override is NAME=VALUE (a flick export flag without
// its dashes: fps=25, codec=prores, exposure=1) or NAME for a switch
// (overwrite); chunk=N sets the shot's chunk length on the farm. A first
// line starting with "sequence" is a header; lines starting with # and
// blank lines are skipped. An error names the file and line.
func ReadShots(path string) ([]Shot, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.Comment = '#'
	r.TrimLeadingSpace = true
	var shots []Shot
	for first := true; ; first = false {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			return nil, fmt.Errorf("%s:%d: %v", path, perr.Line, perr.Err)
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if first && strings.EqualFold(strings.TrimSpace(rec[0]), "sequence") {
			continue // the header
		}
		shot, err := parseShot(rec, base)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		shot.Line = line
		shots = append(shots, shot)
	}
	if len(shots) == 0 {
		return nil, fmt.Errorf("%s: no shots (one a line: sequence,range,output[,override...])", path)
	}
	return shots, nil
}

func parseShot(rec []string, base string) (Shot, error) {
	for i := range rec {
		rec[i] = strings.TrimSpace(rec[i])
	}
	if len(rec) < 3 {
		return Shot{}, fmt.Errorf("%d columns: want sequence,range,output[,override...]", len(rec))
	}
	s := Shot{Sequence: rec[0], Range: rec[1], Output: rec[2]}
	switch {
	case s.Sequence == "":
		return s, errors.New("no sequence in the first column")
	case s.Output == "":
		return s, errors.New("no output movie in the third column")
	}
	if s.Range != "" {
		if _, err := ParseSpan(s.Range); err != nil {
			return s, err
		}
	}
	for _, p := range []*string{&s.Sequence, &s.Output} {
		if !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	for _, o := range rec[3:] {
		name, value, hasValue := strings.Cut(o, "=")
		switch {
		case o == "":
			continue
		case name == "" || strings.HasPrefix(name, "-"):
			return s, fmt.Errorf("override %q: want NAME=VALUE, e.g. fps=25, or a switch such as overwrite", o)
		case name == "o" || name == "output" || name == "range":
			return s, fmt.Errorf("override %q: the %s is a column of its own", o, name)
		case name == "chunk":
			n, err := strconv.Atoi(value)
			if err != nil || n < MinChunk {
				return s, fmt.Errorf("override %q: want a number of frames, at least %d", o, MinChunk)
			}
			s.Chunk = n
		case hasValue:
			s.Flags = append(s.Flags, "--"+name+"="+value)
		default:
			s.Flags = append(s.Flags, "--"+name)
		}
	}
	return s, nil
}
