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
	"unicode"

	"flick/engine/exr"
)

// Sequence is a numbered run of EXR files in one folder (shot.1001.exr,
// shot.1002.exr, ...) over a frame range, or a single file without a frame
// number. Frames of the range with no file are missing, never skipped.
//
// A source opened through RV's %V (or %v) notation is one sequence of
// several views: shot.%V.####.exr names shot.left.1001.exr and
// shot.right.1001.exr. Its frames are those every view has a file for, and
// it presents its views as the parts of one multi-view file (Parts), so a
// selection's Part picks the view as well.
type Sequence struct {
	Dir string
	// Prefix and Suffix stand around the frame number: "shot." and ".exr",
	// or "shot." and ".left.exr"; they hold %V or %v for a source of views.
	Prefix, Suffix string
	// Range is the frame range: the one the user gave, else first to last
	// file present, step 1. A single unnumbered file is frame 0.
	Range Range
	// Frames are the frame numbers present in the range, ascending.
	Frames []int
	// Views are the view names %V (left, right) or %v (l, r) stands for, in
	// that order; nil for a sequence without views.
	Views []string
	files []map[int]string // per view (one map without views): frame number -> file name in Dir
	// pad is the width of the shortest frame number, a minus sign counted
	// (shot.-001.exr is 4 wide, as %04d writes -1); 0 for an unnumbered file.
	pad int
	// viewParts is the number of parts of each view's file (read from the
	// first frame): part p of the sequence is part p%viewParts of view
	// p/viewParts.
	viewParts int
}

// Range is a list of frames as users type it: comma-separated spans
// FIRST[-LAST][xSTEP] going up (1001-1010,1020,1030-1040x2), each frame
// once, so that its frames are in playback order. Start, End and Step
// describe a single span; for a list of several, Start and End are its
// first and last frame and Step is 1. A Range literal with only Start, End
// and Step set is that single span.
type Range struct {
	Start, End, Step int
	spans            []Range // a list of two or more spans, in the order typed; nil for one
}

// maxRangeFrames bounds a frame range, whether typed or spanned by file
// names, so that listing its frames stays cheap.
const maxRangeFrames = 1_000_000

// maxFrame bounds a frame number's magnitude, so that spans and steps never
// overflow; a longer run of digits in a name is text.
const maxFrame = 1_000_000_000_000_000

// String writes the range as users type it: 1001-1100, 1001-1100x2, 7,
// 1001-1010,1020.
func (r Range) String() string {
	if r.spans != nil {
		parts := make([]string, len(r.spans))
		for i, s := range r.spans {
			parts[i] = s.String()
		}
		return strings.Join(parts, ",")
	}
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
func (r Range) Len() int {
	if r.spans != nil {
		n := 0
		for _, s := range r.spans {
			n += s.Len()
		}
		return n
	}
	return (r.End-r.Start)/r.Step + 1
}

// Contains reports whether frame n is one of the range's frames.
func (r Range) Contains(n int) bool { return r.Index(n) >= 0 }

// Index is the position of frame n in Frames, or -1 if n is not in the
// range.
func (r Range) Index(n int) int {
	if r.spans == nil {
		if n < r.Start || n > r.End || (n-r.Start)%r.Step != 0 {
			return -1
		}
		return (n - r.Start) / r.Step
	}
	before := 0
	for _, s := range r.spans {
		if i := s.Index(n); i >= 0 {
			return before + i
		}
		before += s.Len()
	}
	return -1
}

// Frames lists the range's frames, ascending: the frames playback, export
// and the missing-frame list go through.
func (r Range) Frames() []int {
	out := make([]int, 0, r.Len())
	if r.spans == nil {
		for n := r.Start; n <= r.End; n += r.Step {
			out = append(out, n)
		}
		return out
	}
	for _, s := range r.spans {
		out = append(out, s.Frames()...)
	}
	return out
}

// RangeError is a frame range that cannot be read: Text as typed, and
// what is wrong with it.
type RangeError struct{ Text, Problem string }

func (e *RangeError) Error() string { return fmt.Sprintf("frame range %q: %s", e.Text, e.Problem) }

var spanSyntax = regexp.MustCompile(`^(-?\d+)(?:-(-?\d+))?(?:x(-?\d+))?$`)

// ParseRange reads a frame range: 1001-1100, 1001-1100x2, -10--1, 1001, or
// a comma list of those going up (1001-1010,1020,1030-1040x2). A reversed
// span, a step below 1, a list going back or more than a million frames in
// all are errors (a *RangeError) that say so.
func ParseRange(s string) (Range, error) {
	bad := func(format string, a ...any) (Range, error) {
		return Range{}, &RangeError{Text: s, Problem: fmt.Sprintf(format, a...)}
	}
	if s == "" {
		return bad("no frames given")
	}
	items := strings.Split(s, ",")
	if len(items) > maxRangeFrames {
		return bad("more than %d frames", maxRangeFrames)
	}
	var spans []Range
	total, last := 0, 0 // frames so far, the last one
	for _, item := range items {
		in := "" // the item at fault, in a list
		if len(items) > 1 {
			in = "in " + strconv.Quote(item) + ", "
		}
		if item == "" {
			return bad("an empty item between commas")
		}
		m := spanSyntax.FindStringSubmatch(item)
		if m == nil {
			return bad("%snot a frame range: want FIRST[-LAST][xSTEP], e.g. 1001-1100x2", in)
		}
		var nums [3]int
		for i, t := range m[1:] {
			if t == "" {
				continue
			}
			n, err := strconv.Atoi(t)
			if err != nil || n <= -maxFrame || n >= maxFrame {
				return bad("%s%s is too large a frame number", in, t)
			}
			nums[i] = n
		}
		r := Range{Start: nums[0], End: nums[0], Step: 1}
		if m[2] != "" {
			r.End = nums[1]
		}
		if m[3] != "" {
			r.Step = nums[2]
		}
		switch {
		case r.End < r.Start:
			return bad("%sthe last frame is before the first", in)
		case r.Step < 1:
			return bad("%sthe step must be at least 1", in)
		case (r.End-r.Start)/r.Step >= maxRangeFrames-total:
			return bad("more than %d frames", maxRangeFrames)
		}
		if len(spans) > 0 && r.Start <= last {
			return bad("%sframe %d does not come after %d: a list goes up", in, r.Start, last)
		}
		total += r.Len()
		last = r.Start + (r.Len()-1)*r.Step
		spans = append(spans, r)
	}
	if len(spans) == 1 {
		return spans[0], nil
	}
	return Range{Start: spans[0].Start, End: last, Step: 1, spans: spans}, nil
}

// numberRun is a run of digits in a file name, with a minus sign before it
// when that is the number's sign (at the start of the name, or after '.'
// or '_': shot.-010.exr is frame -10, shot-010.exr frame 10 of "shot-").
var numberRun = regexp.MustCompile(`(?:^-|[._]-)?\d+`)

// numbersIn splits a name into text and the numbers in it: texts has one
// more element than nums, and texts[0] + nums[0] + texts[1] + ... rebuilds
// the name. A number keeps its sign and padding (-010); a run of digits too
// long for a frame number stays text.
func numbersIn(name string) (texts, nums []string) {
	last := 0
	for _, loc := range numberRun.FindAllStringIndex(name, -1) {
		start := loc[0]
		if name[start] == '.' || name[start] == '_' {
			start++ // the separator before a sign is text
		}
		if _, ok := frameNumber(name[start:loc[1]]); !ok {
			continue
		}
		texts = append(texts, name[last:start])
		nums = append(nums, name[start:loc[1]])
		last = loc[1]
	}
	return append(texts, name[last:]), nums
}

// frameNumber reads a signed run of digits as a frame number.
func frameNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n > -maxFrame && n < maxFrame
}

// frameIn reads name as prefix + frame number + suffix, and returns the
// number and its width, sign included. A leading minus is the number's
// sign only where numbersIn says so.
func frameIn(name, prefix, suffix string) (n, width int, ok bool) {
	if len(name) <= len(prefix)+len(suffix) || !strings.HasPrefix(name, prefix) || !strings.HasSuffix(name, suffix) {
		return 0, 0, false
	}
	num := name[len(prefix) : len(name)-len(suffix)]
	digits := strings.TrimPrefix(num, "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return 0, 0, false
	}
	if len(digits) < len(num) && prefix != "" && !strings.HasSuffix(prefix, ".") && !strings.HasSuffix(prefix, "_") {
		return 0, 0, false // shot-010.exr: the '-' belongs to the name
	}
	n, ok = frameNumber(num)
	return n, len(num), ok
}

// hidden reports a name that never forms or joins a sequence: dot files,
// macOS's AppleDouble files (._shot.1001.exr) and .DS_Store among them.
func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// isEXR reports a name ending in .exr, in any case.
func isEXR(name string) bool { return strings.EqualFold(filepath.Ext(name), ".exr") }

// patternName matches what users type for a whole sequence: RV and Nuke hashes
// (shot.####.exr, shot.#.exr), at-signs (shot.@@@@.exr), printf
// (shot.%04d.exr), optionally after a range or comma list
// (shot.1001-1100#.exr, shot.1,3,5#.exr), anywhere in the name
// (shot.#.left.exr); %V and %v elsewhere in it stand for the view.
var patternName = regexp.MustCompile(`^(.*?)(-?\d+(?:--?\d+)?(?:x-?\d+)?(?:,-?\d+(?:--?\d+)?(?:x-?\d+)?)*)?(#+|@+|%0?\d*d)(.*\.[eE][xX][rR])$`)

// longViews and shortViews are what RV's %V and %v stand for, in view
// order.
var longViews, shortViews = []string{"left", "right"}, []string{"l", "r"}

// parsePattern splits a typed pattern into the text around the frame
// marker, the range typed before the marker ("" for none) and the views
// its %V or %v names.
func parsePattern(name string) (prefix, rng, suffix string, views []string, ok bool) {
	m := patternName.FindStringSubmatch(name)
	if m == nil {
		return "", "", "", nil, false
	}
	prefix, rng, suffix = m[1], m[2], m[4]
	if strings.HasPrefix(rng, "-") && prefix != "" && !strings.HasSuffix(prefix, ".") && !strings.HasSuffix(prefix, "_") {
		prefix, rng = prefix+"-", rng[1:] // shot-1001-1100#.exr: the '-' belongs to the name
	}
	switch {
	case strings.Contains(prefix+suffix, "%V"):
		views = longViews
	case strings.Contains(prefix+suffix, "%v"):
		views = shortViews
	}
	return prefix, rng, suffix, views, true
}

// viewName puts view i's name in place of %V and %v.
func viewName(s string, i int) string {
	return strings.NewReplacer("%V", longViews[i], "%v", shortViews[i]).Replace(s)
}

// Find resolves what a user names on the command line: an EXR file (its
// numbered siblings join it), a pattern with #, @ or %0Nd and an optional
// range or list in it (shot.1001-1100#.exr), or a folder (its longest
// sequence).
func Find(path string) (*Sequence, error) {
	return FindRange(path, nil)
}

// FindRange is Find with a frame range given apart from the path, as in
// `flick shot.#.exr 1001-1100` or `flick DIR 1001-1100`; r overrides a
// range in the pattern.
func FindRange(path string, r *Range) (*Sequence, error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	dir = filepath.Clean(dir)
	if prefix, rng, suffix, views, ok := parsePattern(name); ok {
		if _, err := os.Stat(path); err != nil { // a real file may contain '#'
			if r == nil && rng != "" {
				pr, err := ParseRange(rng)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", path, err)
				}
				r = &pr
			}
			return collect(dir, prefix, suffix, views, r, path)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, pathError(path, err)
	}
	if fi.IsDir() {
		all, err := FindAll(path)
		if err != nil {
			return nil, err
		}
		// The longest sequence, or with a range the one with the most
		// frames in it (the longest of those).
		inRange := func(s *Sequence) int {
			if r == nil {
				return 0
			}
			n := 0
			for _, f := range s.Frames {
				if r.Contains(f) {
					n++
				}
			}
			return n
		}
		best := all[0]
		for _, s := range all[1:] {
			if in, bestIn := inRange(s), inRange(best); in > bestIn || in == bestIn && len(s.Frames) > len(best.Frames) {
				best = s
			}
		}
		return best.within(r, path)
	}
	if !hidden(name) && isEXR(name) {
		all, err := FindAll(dir)
		if err != nil {
			return nil, err
		}
		for _, s := range all {
			for _, f := range s.files[0] {
				if f == name {
					return s.within(r, path)
				}
			}
		}
	}
	return lone(dir, name).within(r, path)
}

// pathError is err without the operation: "shot.exr: no such file or
// directory".
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", path, pe.Err)
	}
	return err
}

// within is the sequence restricted to r (s itself when r is nil).
func (s *Sequence) within(r *Range, asked string) (*Sequence, error) {
	switch {
	case r == nil:
		return s, nil
	case s.pad == 0:
		return nil, fmt.Errorf("%s: %s has no frame number, so frame range %s does not apply", asked, s, r)
	}
	return collect(s.Dir, s.Prefix, s.Suffix, s.Views, r, asked)
}

// lone is the sequence of one file, named on its own: numbered by its last
// number that does not follow a letter (shot.1001.v2.exr is frame 1001),
// else its last number, else unnumbered (frame 0).
func lone(dir, name string) *Sequence {
	texts, nums := numbersIn(name)
	if len(nums) == 0 {
		return &Sequence{Dir: dir, Suffix: name, Range: Range{0, 0, 1, nil}, Frames: []int{0},
			files: []map[int]string{{0: name}}}
	}
	s := &Sequence{Dir: dir, files: []map[int]string{{}}}
	f := frameAt(texts, nums, func(int) bool { return false })
	s.Prefix, s.Suffix = around(texts, nums, f)
	n, _ := frameNumber(nums[f])
	s.add(0, n, len(nums[f]), name)
	s.present()
	s.Range = Range{n, n, 1, nil}
	return s
}

// frameAt picks which of a name's numbers is the frame: the last one that
// varies, else the last one that does not follow a letter (a version, v2,
// does), else the last.
func frameAt(texts, nums []string, varies func(i int) bool) int {
	for i := len(nums) - 1; i >= 0; i-- {
		if varies(i) {
			return i
		}
	}
	for i := len(nums) - 1; i >= 0; i-- {
		t := texts[i]
		if t == "" || !unicode.IsLetter(rune(t[len(t)-1])) {
			return i
		}
	}
	return len(nums) - 1
}

// around is the text before and after number f of a name.
func around(texts, nums []string, f int) (prefix, suffix string) {
	var b strings.Builder
	for i := range f {
		b.WriteString(texts[i] + nums[i])
	}
	prefix = b.String() + texts[f]
	b.Reset()
	for i := f + 1; i < len(nums); i++ {
		b.WriteString(texts[i] + nums[i])
	}
	return prefix, b.String() + texts[len(texts)-1]
}

// collect gathers the files of dir named prefix + frame number + suffix
// (any padding: RV's # stands for any width, Nuke's for one digit each;
// both are accepted), for each view when views are given, keeping the
// frames in r when r is given. Hidden files join only a hidden pattern.
func collect(dir, prefix, suffix string, views []string, r *Range, asked string) (*Sequence, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, pathError(asked, err)
	}
	s := &Sequence{Dir: dir, Prefix: prefix, Suffix: suffix, Views: views}
	for v := range max(1, len(views)) {
		p, x := prefix, suffix
		if views != nil {
			p, x = viewName(prefix, v), viewName(suffix, v)
		}
		s.files = append(s.files, map[int]string{})
		for _, e := range entries {
			if e.IsDir() || hidden(e.Name()) && !hidden(p) {
				continue
			}
			if n, width, ok := frameIn(e.Name(), p, x); ok && (r == nil || r.Contains(n)) {
				s.add(v, n, width, e.Name())
			}
		}
		if len(s.files[v]) == 0 && views != nil {
			return nil, fmt.Errorf("%s: no files for view %s (%s)", asked, views[v], p+"#"+x)
		}
	}
	s.present()
	switch {
	case len(s.Frames) == 0 && views != nil:
		return nil, fmt.Errorf("%s: no frame has a file for every view", asked)
	case len(s.Frames) == 0 && r != nil:
		return nil, fmt.Errorf("%s: no files in frame range %s", asked, r)
	case len(s.Frames) == 0:
		return nil, fmt.Errorf("%s: no files match this frame pattern", asked)
	}
	if r != nil {
		s.Range = *r
	} else if err := s.span(asked); err != nil {
		return nil, err
	}
	if views != nil {
		s.viewParts = 1
		if f, err := exr.Open(s.Path(s.First())); err == nil {
			if parts, err := f.Parts(); err == nil && len(parts) > 0 {
				s.viewParts = len(parts)
			}
			f.Close()
		}
	}
	return s, nil
}

// add records a frame of view v; when two names give the same number
// (1001.exr and 01001.exr) the first one found stays.
func (s *Sequence) add(v, n, width int, name string) {
	if _, dup := s.files[v][n]; dup {
		return
	}
	if s.pad == 0 || width < s.pad {
		s.pad = width
	}
	s.files[v][n] = name
}

// present sets Frames: the frames every view has a file for, ascending.
func (s *Sequence) present() {
	s.Frames = s.Frames[:0]
	for n := range s.files[0] {
		if s.has(n) {
			s.Frames = append(s.Frames, n)
		}
	}
	slices.Sort(s.Frames)
}

// has reports whether every view has a file for frame n.
func (s *Sequence) has(n int) bool {
	for _, files := range s.files {
		if _, ok := files[n]; !ok {
			return false
		}
	}
	return true
}

// span sets the range to the first to last frame present, unless that
// spans more frames than a range may hold.
func (s *Sequence) span(asked string) error {
	s.Range = Range{s.First(), s.Last(), 1, nil}
	if s.Range.End-s.Range.Start >= maxRangeFrames {
		return fmt.Errorf("%s: frame numbers %d to %d span more than %d frames: give a range, e.g. %s%d-%d#%s",
			asked, s.Range.Start, s.Range.End, maxRangeFrames, s.Prefix, s.Range.Start, s.Range.Start+99, s.Suffix)
	}
	return nil
}

// FindAll lists a folder's sequences and single EXR files (hidden files
// left out), sorted by their first file's name. Where names hold several
// numbers, the frame is the last one that varies among the names that
// differ only in numbers, so a version number that stays fixed never is;
// names differing in another number form sequences of their own
// (plate.v1.#.exr, plate.v2.#.exr). A file whose number lies further from
// the others than a range may span is an entry of its own.
func FindAll(dir string) ([]*Sequence, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	dir = filepath.Clean(dir)
	type split struct {
		name        string
		texts, nums []string
	}
	shapes := map[string][]split{} // by the text between the numbers
	var order []string
	for _, e := range entries { // ReadDir sorts by name
		if e.IsDir() || hidden(e.Name()) || !isEXR(e.Name()) {
			continue
		}
		texts, nums := numbersIn(e.Name())
		key := strings.Join(texts, "\x00")
		if shapes[key] == nil {
			order = append(order, key)
		}
		shapes[key] = append(shapes[key], split{e.Name(), texts, nums})
	}
	if len(order) == 0 {
		return nil, fmt.Errorf("%s: %w", dir, ErrNoEXR)
	}
	var out []*Sequence
	for _, key := range order {
		names := shapes[key]
		if len(names[0].nums) == 0 {
			out = append(out, lone(dir, names[0].name))
			continue
		}
		f := frameAt(names[0].texts, names[0].nums, func(i int) bool {
			return slices.ContainsFunc(names, func(x split) bool { return x.nums[i] != names[0].nums[i] })
		})
		seqs := map[[2]string]*Sequence{}
		var found []*Sequence
		for _, x := range names {
			prefix, suffix := around(x.texts, x.nums, f)
			s := seqs[[2]string{prefix, suffix}]
			if s == nil {
				s = &Sequence{Dir: dir, Prefix: prefix, Suffix: suffix, files: []map[int]string{{}}}
				seqs[[2]string{prefix, suffix}] = s
				found = append(found, s)
			}
			n, _ := frameNumber(x.nums[f])
			s.add(0, n, len(x.nums[f]), x.name)
		}
		for _, s := range found {
			out = append(out, s.clusters()...)
		}
	}
	slices.SortStableFunc(out, func(a, b *Sequence) int {
		return strings.Compare(a.files[0][a.First()], b.files[0][b.First()])
	})
	return out, nil
}

// clusters splits a sequence found in a folder where its frame numbers lie
// further apart than a range may span (plate.1001.exr ... beside
// plate.20240115.exr): each run that fits is a sequence of its own.
func (s *Sequence) clusters() []*Sequence {
	s.present()
	var out []*Sequence
	for i := 0; i < len(s.Frames); {
		j := i
		for j < len(s.Frames) && s.Frames[j]-s.Frames[i] < maxRangeFrames {
			j++
		}
		c := &Sequence{Dir: s.Dir, Prefix: s.Prefix, Suffix: s.Suffix, files: []map[int]string{{}}}
		for _, n := range s.Frames[i:j] {
			name := s.files[0][n]
			c.add(0, n, len(name)-len(s.Prefix)-len(s.Suffix), name)
		}
		c.present()
		c.Range = Range{c.First(), c.Last(), 1, nil}
		out = append(out, c)
		i = j
	}
	return out
}

// ErrNoEXR means a folder holds no EXR files.
var ErrNoEXR = errors.New("no EXR files in this folder")

// Path returns the file of a frame (of the first view, for a source of
// views), or "" if the frame is not present.
func (s *Sequence) Path(frame int) string { return s.viewPath(0, frame) }

// viewPath is the file of view v's frame, or "" if the frame is not
// present.
func (s *Sequence) viewPath(v, frame int) string {
	if v < 0 || v >= len(s.files) || !s.has(frame) {
		return ""
	}
	return filepath.Join(s.Dir, s.files[v][frame])
}

// file is the file and the selection within it that k asks for: for a
// source of views, k's part numbers the views' parts one after another
// (see Parts).
func (s *Sequence) file(k Key) (string, exr.Selection) {
	sel := k.Channels
	if s.Views == nil {
		return s.Path(k.Frame), sel
	}
	v := sel.Part / s.viewParts
	sel.Part %= s.viewParts
	return s.viewPath(v, k.Frame), sel
}

// Parts describes every part of a frame's file, as exr.File.Parts does. A
// source of views presents them as one multi-view file: each view's parts
// in view order, numbered on (Index), with the view's name as their view
// and their layers'; each view's file must have as many parts as the first
// view's first frame.
func (s *Sequence) Parts(frame int) ([]exr.Part, error) {
	var out []exr.Part
	for v := range s.files {
		path := s.viewPath(v, frame)
		if path == "" {
			return nil, fmt.Errorf("frame %d is missing from %s", frame, s)
		}
		f, err := exr.Open(path)
		if err != nil {
			return nil, err
		}
		parts, err := f.Parts()
		f.Close()
		if err != nil {
			return nil, err
		}
		if s.Views == nil {
			return parts, nil
		}
		if len(parts) != s.viewParts {
			return nil, fmt.Errorf("%s: %d parts, where view %s's first frame has %d", path, len(parts), s.Views[0], s.viewParts)
		}
		for i := range parts {
			p := &parts[i]
			p.Index, p.View, p.Views = len(out)+i, s.Views[v], nil
			for j := range p.Layers {
				p.Layers[j].View = s.Views[v]
			}
		}
		out = append(out, parts...)
	}
	return out, nil
}

// First is the first frame present.
func (s *Sequence) First() int { return s.Frames[0] }

// Last is the last frame present.
func (s *Sequence) Last() int { return s.Frames[len(s.Frames)-1] }

// Padding is the width of the sequence's frame numbers, a minus sign
// counted (shot.-001.exr ... shot.0001.exr is 4 wide, as %04d writes -1):
// the shortest one's, as names wider than the padding (10000 in a 4-wide
// sequence) still belong. 0 for an unnumbered file.
func (s *Sequence) Padding() int { return s.pad }

// Missing lists the frames of the range with no file (or, for a source of
// views, without a file for every view), in the range's order.
func (s *Sequence) Missing() []int {
	var out []int
	for _, n := range s.Range.Frames() {
		if !s.has(n) {
			out = append(out, n)
		}
	}
	return out
}

// Pattern is the sequence's file pattern with one # per character of
// padding (shot.####.exr, shot.%V.####.exr), which Find reads back; for a
// single file, its name.
func (s *Sequence) Pattern() string {
	if s.pad == 0 {
		return s.Suffix
	}
	return s.Prefix + strings.Repeat("#", s.pad) + s.Suffix
}

// String is the sequence as RV writes it: shot.1001-1100#.exr (# is four
// characters of padding, each @ one), shot.1001-1100x2#.exr with a step,
// shot.1001-1010,1020#.exr for a list, shot.%V.1001-1100#.exr for views, or
// the file name for a single file.
func (s *Sequence) String() string {
	if s.pad == 0 {
		return s.Suffix
	}
	if s.Range.Len() == 1 && s.Views == nil && s.has(s.Range.Start) {
		return s.files[0][s.Range.Start]
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
