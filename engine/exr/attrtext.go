package exr

/*
#include "attrs.h"
*/
import "C"

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The text of an attribute's value, as Attribute.Text shows it (and flick
// info prints it), from the numbers readAttribute reads; one function per
// kind of value whose text takes more than a line.

func float32Text(v float64) string { return strconv.FormatFloat(v, 'g', -1, 32) }

func float64Text(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// joinText formats each of vs and joins them with sep.
func joinText(vs []float64, format func(float64) string, sep string) string {
	s := make([]string, len(vs))
	for k, v := range vs {
		s[k] = format(v)
	}
	return strings.Join(s, sep)
}

// vectorText is "(x y)" or "(x y z)".
func vectorText(vs []float64, format func(float64) string) string {
	return "(" + joinText(vs, format, " ") + ")"
}

// matrixText is a 3x3 or 4x4 matrix row by row: "(a b c; d e f; g h i)".
func matrixText(vs []float64, format func(float64) string) string {
	side := 3
	if len(vs) == 16 {
		side = 4
	}
	rows := make([]string, 0, side)
	for r := 0; r+side <= len(vs); r += side {
		rows = append(rows, joinText(vs[r:r+side], format, " "))
	}
	return "(" + strings.Join(rows, "; ") + ")"
}

func float32s(vs []float64) []float32 {
	out := make([]float32, len(vs))
	for k, v := range vs {
		out[k] = float32(v)
	}
	return out
}

func ints(vs []float64) []int {
	out := make([]int, len(vs))
	for k, v := range vs {
		out[k] = int(v)
	}
	return out
}

// allFinite says whether vs holds no NaN and no infinity.
func allFinite(vs []float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// envmapNames and lineOrderNames name the values of those enums.
var (
	envmapNames    = map[float64]string{C.EXR_ENVMAP_LATLONG: "latlong", C.EXR_ENVMAP_CUBE: "cube"}
	lineOrderNames = map[float64]string{C.EXR_LINEORDER_INCREASING_Y: "increasing y",
		C.EXR_LINEORDER_DECREASING_Y: "decreasing y", C.EXR_LINEORDER_RANDOM_Y: "random y"}
)

// enumText is v's name in names, or "kind(v)" for a value it lacks.
func enumText(v float64, names map[float64]string, kind string) string {
	if name, ok := names[v]; ok {
		return name
	}
	return fmt.Sprintf("%s(%d)", kind, int(v))
}

// stringText quotes s, a string attribute of n bytes (more than
// maxStringBytes: cut to them).
func stringText(s string, n int) string {
	if n > maxStringBytes {
		return strconv.Quote(s) + fmt.Sprintf(" (%d bytes, cut)", n)
	}
	return strconv.Quote(s)
}

// stringsText quotes ss, the first of a vector of count strings.
func stringsText(ss []string, count int) string {
	quoted := make([]string, 0, len(ss)+1)
	for _, s := range ss {
		quoted = append(quoted, strconv.Quote(s))
	}
	if count > len(ss) {
		quoted = append(quoted, fmt.Sprintf("... (%d strings)", count))
	}
	return strings.Join(quoted, ", ")
}

// floatsText lists vs, the first of a vector of count floats.
func floatsText(vs []float64, count int) string {
	text := joinText(vs, float32Text, ", ")
	if count > len(vs) {
		text += fmt.Sprintf(", ... (%d values)", count)
	}
	return text
}

// rationalText is r, and its value when it is not a whole number.
func rationalText(r Rational) string {
	if r.Den > 1 {
		return r.String() + " (" + strconv.FormatFloat(r.Float64(), 'g', 6, 64) + ")"
	}
	return r.String()
}

// timeCodeText is t with its flags and user data.
func timeCodeText(t TimeCode) string {
	text := t.String()
	for _, flag := range []struct {
		on   bool
		name string
	}{{t.ColorFrame, "color frame"}, {t.FieldPhase, "field/phase"}, {t.BGF0, "bgf0"}, {t.BGF1, "bgf1"}, {t.BGF2, "bgf2"}} {
		if flag.on {
			text += ", " + flag.name
		}
	}
	if t.UserData != 0 {
		text += fmt.Sprintf(", user data %08x", t.UserData)
	}
	return text
}

// chromaticitiesText lists the eight numbers of a chromaticities
// attribute: red, green, blue and white x and y.
func chromaticitiesText(vs []float64) string {
	t := make([]any, len(vs))
	for k, v := range vs {
		t[k] = float32Text(v)
	}
	return fmt.Sprintf("red (%s %s), green (%s %s), blue (%s %s), white (%s %s)", t...)
}

func keyCodeText(k KeyCode) string {
	return fmt.Sprintf("film mfc code %d, film type %d, prefix %d, count %d, perf offset %d, %d perfs per frame, %d perfs per count",
		k.FilmMfcCode, k.FilmType, k.Prefix, k.Count, k.PerfOffset, k.PerfsPerFrame, k.PerfsPerCount)
}

// tileDescText is a tile description's size, level mode and rounding.
func tileDescText(vs []float64) string {
	if len(vs) != 4 {
		return ""
	}
	round := "down"
	if vs[3] == 1 {
		round = "up"
	}
	return fmt.Sprintf("%dx%d, %s, rounded %s", int(vs[0]), int(vs[1]), LevelMode(vs[2]), round)
}

func previewText(vs []float64) string {
	if len(vs) != 2 {
		return ""
	}
	return fmt.Sprintf("%dx%d", int(vs[0]), int(vs[1]))
}
