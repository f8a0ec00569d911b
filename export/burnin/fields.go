package burnin

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"
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
