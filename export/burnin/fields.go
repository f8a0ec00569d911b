package burnin

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"flick/engine/timecode"
)

// Defaults are the burn-ins used when none are given: the shot and its
// version, the view, the timecode, and the frame in its range.
var Defaults = []string{"TL={shot} v{version}", "TR={view}", "BL={tc}", "BR={frame} ({range})"}

// System returns the fields the machine gives: {date} (now, YYYY-MM-DD),
// {user} and {host} (empty when the OS cannot say).
func System(now time.Time) Fields {
	f := Fields{"date": now.Format(time.DateOnly)}
	if u, err := user.Current(); err == nil {
		f["user"] = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		f["host"] = h
	}
	return f
}

// ShotVersion names a sequence's shot and version from its folder and the
// file name before the frame number ("comp/sh010_comp_v012." gives
// "sh010_comp", "012"): the version is the last v followed by digits (any
// case) that stands alone in the name, or else in the folder's name, and
// the shot is the name without it; an unnumbered prefix (frames named
// 1001.exr) takes the folder's name.
func ShotVersion(dir, prefix string) (shot, version string) {
	trim := func(s string) string { return strings.Trim(s, "._- ") }
	name := trim(prefix)
	folder := filepath.Base(filepath.Clean(dir))
	if name == "" {
		name = folder
	}
	if at, n := versionAt(name); at >= 0 {
		// "sh010_v012_beauty" is the shot "sh010_beauty".
		left, right := strings.TrimRight(name[:at], "._- "), strings.TrimLeft(name[at+n:], "._- ")
		if left != "" && right != "" {
			left += name[at-1 : at]
		}
		return left + right, name[at+1 : at+n]
	}
	if at, n := versionAt(folder); at >= 0 {
		return name, folder[at+1 : at+n]
	}
	return name, ""
}

// versionAt finds the last "v" + digits in s not inside a word (letters
// or digits on either side), returning its index and length, or -1.
func versionAt(s string) (int, int) {
	word := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	for i := len(s) - 2; i >= 0; i-- {
		if s[i] != 'v' && s[i] != 'V' || i > 0 && word(s[i-1]) {
			continue
		}
		j := i + 1
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j > i+1 && (j == len(s) || !word(s[j])) {
			return i, j - i
		}
	}
	return -1, 0
}

// FPS writes a frame rate of num/den for {fps} as people say it: 24, 25,
// 29.97, 23.98.
func FPS(num, den int) string {
	if den <= 0 {
		return ""
	}
	return strconv.FormatFloat(math.Round(float64(num)/float64(den)*100)/100, 'f', -1, 64)
}

// Shot is what the fields of a shot's frames come from: an export's
// movie, or the viewer's sequence (as an export of its whole range would
// show it).
type Shot struct {
	Dir, Prefix   string // the sequence's folder and its files' names before the frame number
	Range         string // {range}: the shot's range as users type it
	Num, Den      int    // the frame rate
	Width, Height int    // {size}: the output's
	View, Layer   string // {view}, {layer}
	Extra         Fields // --field's values, over all the others
}

// Fields returns the fields of movie frame i of a movie of frames (source
// frame numbers) of s, as of now: the shot's and the machine's, the
// frame's number, and its timecode counting from the first frame's number
// at the rate (drop frame at 29.97 and 59.94) and on through the movie, as
// its timecode track does.
func (s Shot) Fields(frames []int, now time.Time) func(i int) Fields {
	base := System(now)
	base["shot"], base["version"] = ShotVersion(s.Dir, s.Prefix)
	base["range"], base["fps"] = s.Range, FPS(s.Num, s.Den)
	base["size"] = fmt.Sprintf("%dx%d", s.Width, s.Height)
	base["view"], base["layer"] = s.View, s.Layer
	rate := timecode.Rate{Num: s.Num, Den: s.Den}
	var start timecode.Timecode
	var tcErr error = errors.New("no frames")
	if len(frames) > 0 {
		start, tcErr = timecode.FromFrame(frames[0], rate, rate.Dropped() > 0)
	}
	return func(i int) Fields {
		f := make(Fields, len(base)+len(s.Extra)+2)
		maps.Copy(f, base)
		f["frame"] = strconv.Itoa(frames[i])
		if tc, err := start.Add(i, rate); tcErr == nil && err == nil {
			f["tc"] = tc.String()
		}
		maps.Copy(f, s.Extra)
		return f
	}
}
