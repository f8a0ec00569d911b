package cryptomatte

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"flick/engine/exr"
)

// Cryptomatte is one cryptomatte of a part: its metadata key and name, its
// ranks, and its manifest.
type Cryptomatte struct {
	Part int    `json:"part"`
	Key  string `json:"key"`  // <key> of the cryptomatte/<key>/... attributes
	Name string `json:"name"` // the name attribute: the rank layers are <name>00, <name>01, ...
	// Ranks are the (ID, coverage) channel pairs, rank 0 first: R and G of
	// <name>00, then its B and A, then <name>01's...
	Ranks []Rank `json:"ranks"`
	// ManifestSource is "header" (the manifest attribute), the sidecar
	// file's path (manif_file, relative to the EXR's folder), or "" when
	// the file has no manifest (picks then give IDs without names).
	ManifestSource string    `json:"manifest_source"`
	ManifestBytes  int       `json:"manifest_bytes"`
	Names          int       `json:"names"` // in the manifest
	Manifest       *Manifest `json:"-"`
	// Error says why mattes cannot be made from it (IDs stored as HALF, an
	// unknown hash or conversion, no ranks, a manifest that cannot be
	// read); "" when they can. Err gives it as an error.
	Error string `json:"error,omitempty"`
}

// Rank is one rank's channels: full names in the part.
type Rank struct {
	ID       string `json:"id"`
	Coverage string `json:"coverage"`
}

// Err is c.Error as an error naming the cryptomatte, nil when mattes can be
// made from c.
func (c *Cryptomatte) Err() error {
	if c.Error == "" {
		return nil
	}
	return fmt.Errorf("cryptomatte %q (part %d): %s", c.Name, c.Part, c.Error)
}

const prefix = "cryptomatte/"

// Detect lists the cryptomattes of part p of the EXR file at path (whose
// folder sidecar manifests are relative to), by name. It reads the
// manifest of each: manif_file when the sidecar is there, else the
// manifest attribute. Call it per frame: manifests change between frames.
// A cryptomatte that cannot be used is listed with its Error set.
func Detect(path string, p exr.Part) []Cryptomatte {
	attrs := map[string]map[string]string{} // key -> field -> value
	cut := map[string]int{}                 // key -> the size of a manifest attribute Parts cut
	for _, a := range p.Attributes {
		rest, ok := strings.CutPrefix(a.Name, prefix)
		if !ok {
			continue
		}
		key, field, ok := strings.Cut(rest, "/")
		s, isString := a.Value.(string)
		if !ok || !isString {
			continue
		}
		if attrs[key] == nil {
			attrs[key] = map[string]string{}
		}
		attrs[key][field] = s
		if a.Cut && field == "manifest" {
			cut[key] = a.Size
		}
	}
	var out []Cryptomatte
	for key, fields := range attrs {
		name, ok := fields["name"]
		if !ok {
			continue
		}
		c := Cryptomatte{Part: p.Index, Key: key, Name: name}
		problems := []string{}
		if h := fields["hash"]; h != "" && h != "MurmurHash3_32" {
			problems = append(problems, fmt.Sprintf("hash %q is not MurmurHash3_32", h))
		}
		if cv := fields["conversion"]; cv != "" && cv != "uint32_to_float32" {
			problems = append(problems, fmt.Sprintf("conversion %q is not uint32_to_float32", cv))
		}
		c.Ranks, problems = ranks(p, name, problems)
		if err := c.readManifest(path, fields, cut[key]); err != nil {
			problems = append(problems, err.Error())
		}
		c.Error = strings.Join(problems, "; ")
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Cryptomatte) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// List returns the cryptomattes of every part of f, as Detect finds them,
// part by part.
func List(f *exr.File) ([]Cryptomatte, error) {
	parts, err := f.Parts()
	if err != nil {
		return nil, err
	}
	var out []Cryptomatte
	for _, p := range parts {
		out = append(out, Detect(f.Path(), p)...)
	}
	return out, nil
}

// ranks finds the rank layers <name>00, <name>01, ... of p and their
// channels by LayerSelection's rules (R/G/B/A, r/g/b/a, red/green/...): R
// and G hold rank 2n's ID and coverage, B and A rank 2n+1's. IDs stored as
// anything but FLOAT are a problem: a half cannot hold a 32-bit hash.
func ranks(p exr.Part, name string, problems []string) ([]Rank, []string) {
	types := make(map[string]exr.PixelType, len(p.Channels))
	for _, c := range p.Channels {
		types[c.Name] = c.Type
	}
	var out []Rank
	var notFloat []string
	for n := 0; n < 100; n++ {
		layer := fmt.Sprintf("%s%02d", name, n)
		sel, err := exr.LayerSelection(p, layer)
		if err != nil {
			break
		}
		for _, pair := range [][2]string{{sel.Names[0], sel.Names[1]}, {sel.Names[2], sel.Names[3]}} {
			if pair[0] == "" || pair[1] == "" {
				continue
			}
			out = append(out, Rank{ID: pair[0], Coverage: pair[1]})
			if t := types[pair[0]]; t != exr.Float {
				notFloat = append(notFloat, fmt.Sprintf("%s is %s", pair[0], t))
			}
		}
	}
	switch {
	case len(out) == 0:
		problems = append(problems, fmt.Sprintf("no rank layers %s00, %s01, ...", name, name))
	case len(notFloat) > 0:
		problems = append(problems, fmt.Sprintf("its IDs are not stored as 32-bit FLOAT (%s): the hashes are destroyed, so no matte can be made; render the cryptomatte with 32-bit float channels",
			strings.Join(notFloat, ", ")))
	}
	return out, problems
}

// maxSidecar bounds the sidecar manifest read (Psyop's 32,166 names take
// 1.2 MB), as exr bounds a header's strings.
const maxSidecar = 64 << 20

// readManifest reads c's manifest from the sidecar that fields'
// manif_file names, relative to the folder of path, or when that is
// absent or missing from the manifest attribute (of cutSize bytes when
// Parts cut it, else 0). A cryptomatte with neither has no manifest,
// which is allowed.
func (c *Cryptomatte) readManifest(path string, fields map[string]string, cutSize int) error {
	var data []byte
	var sidecarErr error
	if rel := fields["manif_file"]; rel != "" {
		side := filepath.Join(filepath.Dir(path), filepath.FromSlash(rel))
		var err error
		data, err = readSidecar(side)
		switch {
		case err == nil:
			c.ManifestSource = side
		case errors.Is(err, os.ErrNotExist):
			sidecarErr = fmt.Errorf("its manifest file %s is missing", side)
		default:
			sidecarErr = err
		}
	}
	if c.ManifestSource == "" {
		text, ok := fields["manifest"]
		switch {
		case !ok:
			return sidecarErr
		case cutSize > 0:
			return fmt.Errorf("its manifest attribute holds %d bytes, more than flick reads of a header string", cutSize)
		}
		data, c.ManifestSource = []byte(text), "header"
	}
	m, err := ParseManifest(data)
	if err != nil {
		return fmt.Errorf("%s: %w", c.ManifestSource, err)
	}
	c.Manifest, c.ManifestBytes, c.Names = m, len(data), m.Len()
	return nil
}

// readSidecar reads a sidecar manifest of at most maxSidecar bytes.
func readSidecar(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSidecar+1))
	if err == nil && len(data) > maxSidecar {
		err = fmt.Errorf("manifest file %s is over %d MiB", path, maxSidecar>>20)
	}
	return data, err
}
