package exr

/*
#include <stdlib.h>
#include <string.h>
#include "attrs.h"
*/
import "C"

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"flick/engine/timecode"
)

// Limits on what Parts copies out of a header. The library has parsed the
// whole header already, so these bound the work and memory of describing a
// crafted file, not the library's.
const (
	maxParts       = 1024     // parts described (Header.Parts still counts all)
	maxAttributes  = 1024     // attributes per part
	maxNameBytes   = 4096     // bytes of a name (attribute, type, channel, part) kept
	maxStringBytes = 16 << 20 // bytes of one string value kept: Cryptomatte manifests run to megabytes
	maxVector      = 256      // elements of a float vector kept
	maxStrings     = 1 << 16  // elements of a string vector kept
	maxLevels      = 64       // tile levels a side
)

// Part describes one part of a file: the geometry in Header, the layers its
// channels form, its views, and every attribute of its header.
type Part struct {
	Index int    `json:"index"`
	Name  string `json:"name,omitempty"` // the name attribute
	// View is the part's view attribute (multi-part stereo files); each
	// layer of the part belongs to it.
	View string `json:"view,omitempty"`
	// Views is the multiView attribute (single-part stereo files): every
	// view in the file, the default one first. Which view a layer belongs
	// to follows from its channel names (see Layer).
	Views []string `json:"views,omitempty"`
	Header
	LineOrder string  `json:"line_order,omitempty"` // "increasing y", "decreasing y", "random y"
	Levels    *Levels `json:"levels,omitempty"`     // tiled parts
	Layers    []Layer `json:"layers"`

	// Standard attributes with typed values, nil when absent (or holding
	// values that are not finite numbers).
	FramesPerSecond *Rational       `json:"frames_per_second,omitempty"`
	TimeCode        *TimeCode       `json:"time_code,omitempty"`
	Chromaticities  *Chromaticities `json:"chromaticities,omitempty"`

	// Attributes is every attribute of the header, in name order, the
	// required ones (channels, dataWindow, ...) included.
	Attributes []Attribute `json:"attributes"`
}

// Attr returns the attribute called name.
func (p *Part) Attr(name string) (Attribute, bool) {
	for _, a := range p.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return Attribute{}, false
}

// Layer is a group of a part's channels that share a name prefix: "left.R"
// and "left.G" form layer "left" with channels R and G; channels without a
// prefix (R, G, B, A, Z) form the layer "".
//
// View is the layer's view: the part's view attribute in a multi-part file;
// in a file with a multiView attribute, the OpenEXR naming rule: a channel
// without a prefix belongs to the default (first) view, one whose
// next-to-last name component is a view name ("left.R",
// "forward.left.u") to that view, any other ("disparityL.x") to none.
type Layer struct {
	Name string `json:"name"`
	View string `json:"view,omitempty"`
	// Channels are the last name components: R, G, B, A by name first (in
	// that order, by LayerSelection's rule: red, r, R, ...), then the rest
	// in file order.
	Channels []string `json:"channels"`
}

// LevelMode is how a tiled part stores resolution levels; the values are the
// library's.
type LevelMode int

// Level modes.
const (
	OneLevel LevelMode = iota
	MipmapLevels
	RipmapLevels
)

func (m LevelMode) String() string {
	switch m {
	case OneLevel:
		return "one level"
	case MipmapLevels:
		return "mipmap"
	case RipmapLevels:
		return "ripmap"
	}
	return fmt.Sprintf("LevelMode(%d)", int(m))
}

// MarshalText writes the mode's name, for JSON.
func (m LevelMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Levels describes a tiled part's resolution levels.
type Levels struct {
	Mode    LevelMode `json:"mode"`
	RoundUp bool      `json:"round_up"` // level sizes rounded up, not down
	// Widths and Heights are the level sizes: level i of a mipmap is
	// Widths[i] x Heights[i]; level (x, y) of a ripmap is Widths[x] x
	// Heights[y].
	Widths  []int `json:"widths"`
	Heights []int `json:"heights"`
}

// Rational is a rational attribute value, e.g. framesPerSecond 24000/1001.
type Rational struct {
	Num int32  `json:"num"`
	Den uint32 `json:"den"`
}

// Float64 returns Num/Den (0 when Den is 0).
func (r Rational) Float64() float64 {
	if r.Den == 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

func (r Rational) String() string { return fmt.Sprintf("%d/%d", r.Num, r.Den) }

// TimeCode is a SMPTE time code (the timeCode attribute), unpacked from
// OpenEXR's storage (the SMPTE 12M 60-field packing).
type TimeCode struct {
	Hours, Minutes, Seconds, Frame int
	DropFrame, ColorFrame          bool
	FieldPhase                     bool
	BGF0, BGF1, BGF2               bool
	UserData                       uint32
	TimeAndFlags                   uint32 // as stored: the fields above packed
}

// Timecode is t's time address, checked (timecode.Unpack): an error for a
// BCD digit over 9 or a field out of range.
func (t TimeCode) Timecode() (timecode.Timecode, error) { return timecode.Unpack(t.TimeAndFlags) }

// TimeCode returns part 0's timeCode attribute; ok is false when the header
// has none. It reads the header Open parsed: no I/O, no Parts.
func (f *File) TimeCode() (t TimeCode, ok bool) {
	if f == nil || f.r == nil {
		return TimeCode{}, false
	}
	var tf C.uint32_t
	if C.flick_part_timecode(C.exr_const_context_t(f.r.ctx), 0, &tf) != C.EXR_ERR_SUCCESS {
		return TimeCode{}, false
	}
	return unpackTimeCode(uint32(tf), 0), true
}

func unpackTimeCode(t, user uint32) TimeCode {
	bcd := func(shift, tensBits uint) int {
		return int(t>>shift&0xf) + 10*int(t>>(shift+4)&(1<<tensBits-1))
	}
	bit := func(n uint) bool { return t>>n&1 != 0 }
	return TimeCode{
		Frame: bcd(0, 2), Seconds: bcd(8, 3), Minutes: bcd(16, 3), Hours: bcd(24, 2),
		DropFrame: bit(6), ColorFrame: bit(7), FieldPhase: bit(15), BGF0: bit(23), BGF1: bit(30), BGF2: bit(31),
		UserData: user, TimeAndFlags: t,
	}
}

// String writes hh:mm:ss:ff (hh:mm:ss;ff for drop-frame time codes).
func (t TimeCode) String() string {
	sep := ":"
	if t.DropFrame {
		sep = ";"
	}
	return fmt.Sprintf("%02d:%02d:%02d%s%02d", t.Hours, t.Minutes, t.Seconds, sep, t.Frame)
}

// MarshalText writes String, for JSON.
func (t TimeCode) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Chromaticities are the CIE xy coordinates of a part's primaries and white
// point.
type Chromaticities struct {
	Red   [2]float32 `json:"red"`
	Green [2]float32 `json:"green"`
	Blue  [2]float32 `json:"blue"`
	White [2]float32 `json:"white"`
}

// KeyCode identifies a motion picture film frame (the keyCode attribute).
type KeyCode struct {
	FilmMfcCode   int `json:"film_mfc_code"`
	FilmType      int `json:"film_type"`
	Prefix        int `json:"prefix"`
	Count         int `json:"count"`
	PerfOffset    int `json:"perf_offset"`
	PerfsPerFrame int `json:"perfs_per_frame"`
	PerfsPerCount int `json:"perfs_per_count"`
}

// Attribute is one header attribute: its name, its type as the file names
// it ("float", "stringvector", "rational", or a custom type), its value as
// printable text, and, for the types this package knows, the value itself:
// int, float32, float64, string, []string, []float32 (vectors, matrices row
// by row, float boxes), Box, Rational, TimeCode, KeyCode, Chromaticities,
// Compression, or a name (envmap, lineOrder). Value is nil for channel
// lists, tile descriptions, previews, opaque data and values that are not
// finite numbers.
type Attribute struct {
	Name  string `json:"name"`
	Type  string `json:"type"`
	Text  string `json:"text"`
	Value any    `json:"value,omitempty"`
	// Cut says Text and Value hold only the start of the value: a string
	// of more than 16 MiB (its first 16 MiB), a string vector of more than
	// 65,536 strings or with such a string, a float vector of more than 256
	// values. Size is then the whole value's length: bytes for a string,
	// elements for a vector. Strings up to the bound are read whole.
	Cut  bool `json:"cut,omitempty"`
	Size int  `json:"size,omitempty"`
}

// Printable makes a name or string read from a file safe to print on one
// line: invalid UTF-8 and unprintable characters become '?', and text past
// max runes is cut and marked with "...".
func Printable(s string, limit int) string {
	s = printable(s)
	if limit > 0 && len(s) > limit {
		n := 0
		for i := range s {
			if n == limit {
				return s[:i] + "..."
			}
			n++
		}
	}
	return s
}

// Parts describes every part of the file (the first 1024 if it has more;
// Header().Parts counts them all). It reads the headers on the first call,
// which must come before Close; later calls return the same slice, which
// callers must not modify. Like Decode it may be called from several
// goroutines at once.
func (f *File) Parts() ([]Part, error) {
	if f == nil {
		return nil, &Error{Op: "header", Code: ErrInvalidArgument, Detail: "file is closed"}
	}
	f.partsMu.Lock()
	defer f.partsMu.Unlock()
	if f.parts != nil {
		return f.parts, nil
	}
	if f.r == nil {
		return nil, &Error{Op: "header", Path: f.path, Code: ErrInvalidArgument, Detail: "file is closed"}
	}
	n := min(f.header.Parts, maxParts)
	parts := make([]Part, 0, n)
	for i := range n {
		p, code := readPart(C.exr_const_context_t(f.r.ctx), i, f.header.Parts)
		if code != 0 {
			return nil, &Error{Op: "header", Path: f.path, Code: code, Detail: fmt.Sprintf("part %d: %v", i, code)}
		}
		parts = append(parts, p)
	}
	f.parts = parts
	return parts, nil
}

// goString copies n bytes at p, at most limit of them.
func goString(p *C.char, n C.int32_t, limit int) string {
	if p == nil || n <= 0 {
		return ""
	}
	return C.GoStringN(p, C.int(min(int(n), limit)))
}

// readPart copies part i's header out of the library context c (whose
// memory dies with it). It fails (a non-zero Code) only where the library
// does.
func readPart(c C.exr_const_context_t, i, count int) (Part, Code) {
	var cp C.flick_part
	if rv := C.flick_part_get(c, C.int(i), &cp); rv != C.EXR_ERR_SUCCESS {
		return Part{}, Code(rv)
	}
	p := Part{
		Index: i,
		Header: Header{
			Parts:         count,
			DataWindow:    Box{int(cp.dw[0]), int(cp.dw[1]), int(cp.dw[2]), int(cp.dw[3])},
			DisplayWindow: Box{int(cp.disp[0]), int(cp.disp[1]), int(cp.disp[2]), int(cp.disp[3])},
			PixelAspect:   float32(cp.aspect),
			Compression:   Compression(cp.compression),
			Storage:       Storage(cp.storage),
		},
	}
	if cp.name != nil {
		p.Name = C.GoStringN(cp.name, C.int(C.strnlen(cp.name, maxNameBytes)))
	}
	if cp.tiled != 0 {
		p.TileWidth, p.TileHeight = int(cp.tile_w), int(cp.tile_h)
		p.Levels = readLevels(c, i, &cp)
	}

	nch := min(int(cp.channels), maxChannels)
	p.Channels = make([]Channel, 0, nch)
	for j := range nch {
		var name *C.char
		var n, typ, xs, ys C.int32_t
		if rv := C.flick_part_channel(c, C.int(i), C.int(j), &name, &n, &typ, &xs, &ys); rv != C.EXR_ERR_SUCCESS {
			return Part{}, Code(rv)
		}
		p.Channels = append(p.Channels, Channel{Name: goString(name, n, maxNameBytes), Type: PixelType(typ), XSampling: int(xs), YSampling: int(ys)})
	}

	na := min(int(cp.attrs), maxAttributes)
	p.Attributes = make([]Attribute, 0, na)
	for j := range na {
		a, code := readAttribute(c, i, j)
		if code != 0 {
			return Part{}, code
		}
		p.Attributes = append(p.Attributes, a)
		switch v := a.Value.(type) {
		case string:
			switch a.Name {
			case "view":
				p.View = v
			case "lineOrder":
				p.LineOrder = v
			}
		case []string:
			if a.Name == "multiView" {
				p.Views = v
			}
		case Rational:
			if a.Name == "framesPerSecond" {
				p.FramesPerSecond = &v
			}
		case TimeCode:
			if a.Name == "timeCode" {
				p.TimeCode = &v
			}
		case Chromaticities:
			if a.Name == "chromaticities" {
				p.Chromaticities = &v
			}
		}
	}
	p.Layers = layers(p.Channels, p.View, p.Views)
	return p, 0
}

// maxChannels matches FLICK_MAX_CHANNELS (bridge.h), part 0's limit.
const maxChannels = 1024

func readLevels(c C.exr_const_context_t, i int, cp *C.flick_part) *Levels {
	l := &Levels{Mode: LevelMode(cp.level_mode), RoundUp: cp.round_mode == 1}
	nx, ny := min(int(cp.levels_x), maxLevels), min(int(cp.levels_y), maxLevels)
	size := func(lx, ly int) (int, int, bool) {
		var w, h C.int32_t
		ok := C.flick_part_level_size(c, C.int(i), C.int(lx), C.int(ly), &w, &h) == C.EXR_ERR_SUCCESS
		return int(w), int(h), ok
	}
	switch l.Mode {
	case RipmapLevels:
		for x := range nx {
			if w, _, ok := size(x, 0); ok {
				l.Widths = append(l.Widths, w)
			}
		}
		for y := range ny {
			if _, h, ok := size(0, y); ok {
				l.Heights = append(l.Heights, h)
			}
		}
	default:
		for k := range min(nx, ny) {
			if w, h, ok := size(k, k); ok {
				l.Widths = append(l.Widths, w)
				l.Heights = append(l.Heights, h)
			}
		}
	}
	return l
}

// layers groups channels by the prefix before their last '.', in order of
// first appearance, and gives each group its view (see Layer).
func layers(chans []Channel, partView string, views []string) []Layer {
	var out []Layer
	index := map[string]int{}
	for _, ch := range chans {
		prefix, short := "", ch.Name
		if k := strings.LastIndexByte(ch.Name, '.'); k >= 0 {
			prefix, short = ch.Name[:k], ch.Name[k+1:]
		}
		j, ok := index[prefix]
		if !ok {
			j = len(out)
			index[prefix] = j
			out = append(out, Layer{Name: prefix, View: layerView(prefix, partView, views)})
		}
		out[j].Channels = append(out[j].Channels, short)
	}
	for _, l := range out {
		slices.SortStableFunc(l.Channels, func(a, b string) int { return rgbaRank(a) - rgbaRank(b) })
	}
	return out
}

// rgbaRank orders channel names R, G, B, A (channelRole), then the rest.
func rgbaRank(name string) int {
	if r := channelRole(name); r >= 0 {
		return r
	}
	return 4
}

func layerView(prefix, partView string, views []string) string {
	switch {
	case partView != "":
		return partView
	case len(views) == 0:
		return ""
	case prefix == "":
		return views[0]
	}
	last := prefix[strings.LastIndexByte(prefix, '.')+1:]
	for _, v := range views {
		if v == last {
			return v
		}
	}
	return ""
}

// fixedCounts is how many numbers flick_attr_get gives for each type of a
// fixed size.
var fixedCounts = map[int]int{
	C.EXR_ATTR_INT: 1, C.EXR_ATTR_FLOAT: 1, C.EXR_ATTR_DOUBLE: 1, C.EXR_ATTR_COMPRESSION: 1,
	C.EXR_ATTR_ENVMAP: 1, C.EXR_ATTR_LINEORDER: 1, C.EXR_ATTR_RATIONAL: 2, C.EXR_ATTR_TIMECODE: 2,
	C.EXR_ATTR_CHROMATICITIES: 8, C.EXR_ATTR_KEYCODE: 7, C.EXR_ATTR_BOX2I: 4, C.EXR_ATTR_BOX2F: 4,
	C.EXR_ATTR_V2I: 2, C.EXR_ATTR_V2F: 2, C.EXR_ATTR_V2D: 2, C.EXR_ATTR_V3I: 3, C.EXR_ATTR_V3F: 3,
	C.EXR_ATTR_V3D: 3, C.EXR_ATTR_M33F: 9, C.EXR_ATTR_M33D: 9, C.EXR_ATTR_M44F: 16, C.EXR_ATTR_M44D: 16,
	C.EXR_ATTR_TILEDESC: 4, C.EXR_ATTR_PREVIEW: 2,
}

// readAttribute copies attribute j of part i: its text, and its typed
// value for the types this package knows.
func readAttribute(c C.exr_const_context_t, i, j int) (Attribute, Code) {
	var ca C.flick_attr
	if rv := C.flick_attr_get(c, C.int(i), C.int32_t(j), &ca); rv != C.EXR_ERR_SUCCESS {
		return Attribute{}, Code(rv)
	}
	a := Attribute{Name: goString(ca.name, ca.name_len, maxNameBytes), Type: goString(ca.type_name, ca.type_name_len, maxNameBytes)}
	nums := make([]float64, min(int(ca.count), len(ca.num)))
	for k := range nums {
		nums[k] = float64(ca.num[k])
	}
	count := int(ca.count)
	if want, fixed := fixedCounts[int(ca._type)]; fixed && len(nums) != want {
		a.Text = "(unreadable)" // the library gave no value
		return a, 0
	}
	finite := allFinite(nums)
	var value any
	switch int(ca._type) {
	case C.EXR_ATTR_INT:
		a.Text, value = strconv.Itoa(int(nums[0])), int(nums[0])
	case C.EXR_ATTR_FLOAT:
		a.Text, value = float32Text(nums[0]), float32(nums[0])
	case C.EXR_ATTR_DOUBLE:
		a.Text, value = float64Text(nums[0]), nums[0]
	case C.EXR_ATTR_COMPRESSION:
		a.Text, value = Compression(nums[0]).String(), Compression(nums[0])
	case C.EXR_ATTR_ENVMAP:
		a.Text = enumText(nums[0], envmapNames, "envmap")
		value = a.Text
	case C.EXR_ATTR_LINEORDER:
		a.Text = enumText(nums[0], lineOrderNames, "lineOrder")
		value = a.Text
	case C.EXR_ATTR_STRING:
		s := goString(ca.str, ca.str_len, maxStringBytes)
		a.Text, value = stringText(s, int(ca.str_len)), s
		if n := int(ca.str_len); n > len(s) {
			a.Cut, a.Size = true, n
		}
	case C.EXR_ATTR_STRING_VECTOR:
		ss, cut, code := readStrings(c, i, j, count)
		if code != 0 {
			return Attribute{}, code
		}
		a.Text, value = stringsText(ss, count), ss
		if cut || count > len(ss) {
			a.Cut, a.Size = true, count
		}
	case C.EXR_ATTR_FLOAT_VECTOR:
		fs, code := readFloats(c, i, j, count)
		if code != 0 {
			return Attribute{}, code
		}
		if count > len(fs) {
			a.Cut, a.Size = true, count
		}
		vs := make([]float64, len(fs))
		for k, v := range fs {
			vs[k] = float64(v)
		}
		finite = finite && allFinite(vs)
		a.Text, value = floatsText(vs, count), fs
	case C.EXR_ATTR_RATIONAL:
		r := Rational{Num: int32(nums[0]), Den: uint32(nums[1])}
		a.Text, value = rationalText(r), r
	case C.EXR_ATTR_TIMECODE:
		t := unpackTimeCode(uint32(nums[0]), uint32(nums[1]))
		a.Text, value = timeCodeText(t), t
	case C.EXR_ATTR_CHROMATICITIES:
		v := float32s(nums)
		a.Text = chromaticitiesText(nums)
		value = Chromaticities{Red: [2]float32{v[0], v[1]}, Green: [2]float32{v[2], v[3]},
			Blue: [2]float32{v[4], v[5]}, White: [2]float32{v[6], v[7]}}
	case C.EXR_ATTR_KEYCODE:
		k := KeyCode{int(nums[0]), int(nums[1]), int(nums[2]), int(nums[3]), int(nums[4]), int(nums[5]), int(nums[6])}
		a.Text, value = keyCodeText(k), k
	case C.EXR_ATTR_BOX2I:
		b := Box{int(nums[0]), int(nums[1]), int(nums[2]), int(nums[3])}
		a.Text, value = fmt.Sprintf("(%d %d) - (%d %d)", b.MinX, b.MinY, b.MaxX, b.MaxY), b
	case C.EXR_ATTR_BOX2F:
		a.Text, value = vectorText(nums[:2], float32Text)+" - "+vectorText(nums[2:], float32Text), float32s(nums)
	case C.EXR_ATTR_V2I, C.EXR_ATTR_V3I:
		a.Text, value = vectorText(nums, float64Text), ints(nums)
	case C.EXR_ATTR_V2F, C.EXR_ATTR_V3F:
		a.Text, value = vectorText(nums, float32Text), float32s(nums)
	case C.EXR_ATTR_V2D, C.EXR_ATTR_V3D:
		a.Text, value = vectorText(nums, float64Text), nums
	case C.EXR_ATTR_M33F, C.EXR_ATTR_M44F:
		a.Text, value = matrixText(nums, float32Text), float32s(nums)
	case C.EXR_ATTR_M33D, C.EXR_ATTR_M44D:
		a.Text, value = matrixText(nums, float64Text), nums
	case C.EXR_ATTR_TILEDESC:
		a.Text = tileDescText(nums)
	case C.EXR_ATTR_CHLIST:
		a.Text = fmt.Sprintf("%d channels", count)
	case C.EXR_ATTR_PREVIEW:
		a.Text = previewText(nums)
	default: // opaque: a type the library does not know
		a.Text = fmt.Sprintf("%d bytes", count)
	}
	if !finite {
		value = nil // JSON has no NaN or infinity; Text still shows them
	}
	a.Value = value
	return a, 0
}

// readStrings reads the first maxStrings of the count strings of string
// vector attribute j of part i; cut says one of them was longer than
// maxStringBytes.
func readStrings(c C.exr_const_context_t, i, j, count int) (ss []string, cut bool, code Code) {
	ss = make([]string, 0, min(count, maxStrings))
	for k := range min(count, maxStrings) {
		var p *C.char
		var n C.int32_t
		if rv := C.flick_attr_string(c, C.int(i), C.int32_t(j), C.int32_t(k), &p, &n); rv != C.EXR_ERR_SUCCESS {
			return nil, false, Code(rv)
		}
		ss = append(ss, goString(p, n, maxStringBytes))
		cut = cut || int(n) > maxStringBytes
	}
	return ss, cut, 0
}

// readFloats reads the first maxVector of the count values of float
// vector attribute j of part i.
func readFloats(c C.exr_const_context_t, i, j, count int) ([]float32, Code) {
	fs := make([]float32, min(count, maxVector))
	if len(fs) > 0 {
		if rv := C.flick_attr_floats(c, C.int(i), C.int32_t(j), (*C.float)(unsafe.Pointer(&fs[0])), C.int32_t(len(fs))); rv != C.EXR_ERR_SUCCESS {
			return nil, Code(rv)
		}
	}
	return fs, 0
}
