package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"flick/engine/exr"
	"flick/engine/exr/shared"
)

// titleShots is the Shots hook in the title: the shot shown and the count,
// the cache's bytes and budget, and each shot's bytes in it.
var titleShots = regexp.MustCompile(`— shot (\d+) of (\d+) — cache (\d+) of (\d+) bytes:((?: \d+)+) —`)

// shotsOf reads the Shots hook: shot shown (from 1), count, the cache's
// bytes and budget and each shot's bytes; ok false if the title has none.
func (v *viewer) shotsOf() (cur, count int, bytes, budget int64, each []int64, ok bool) {
	m := titleShots.FindStringSubmatch(v.title())
	if m == nil {
		return 0, 0, 0, 0, nil, false
	}
	cur, _ = strconv.Atoi(m[1])
	count, _ = strconv.Atoi(m[2])
	bytes, _ = strconv.ParseInt(m[3], 10, 64)
	budget, _ = strconv.ParseInt(m[4], 10, 64)
	for _, f := range strings.Fields(m[5]) {
		n, _ := strconv.ParseInt(f, 10, 64)
		each = append(each, n)
	}
	return cur, count, bytes, budget, each, true
}

// `flick A B C`, each with its own range, opens a session of three shots;
// PageDown and PageUp walk them (wrapping), each landing at the same
// distance from its range's start as the frame left, or at its first frame
// where it has none; a drop adds a fourth after the one shown; and every
// shot's frames are held in the one cache, within its budget.
func TestSeveralShots(t *testing.T) {
	alpha := writeTimecodeShot(t, t.TempDir(), "alpha", exr.Rational{Num: 24, Den: 1}, "") // 1001-1008
	beach := filepath.Join(copyBeachball(t), "singlepart.####.exr")                        // 1-8, 3 missing, 5 broken
	multi := shared.File(t, "exr-samples", "Beachball/multipart.0001.exr")                 // 1-4; as 3-6, 5 and 6 missing
	v := startViewer(t, t.TempDir(), alpha, beach, multi, "3-6")
	// at waits for shot (from 1) of count, name in the title, at frame
	// (any, if negative).
	at := func(name string, shot, count, frame int, why string) {
		t.Helper()
		v.waitFor(func() bool {
			cur, n, _, _, _, ok := v.shotsOf()
			return ok && cur == shot && n == count && (frame < 0 || v.frame() == frame) && strings.Contains(v.title(), name)
		}, fmt.Sprintf("%s: shot %d of %d, %s at frame %d", why, shot, count, name, frame))
	}
	at("alpha", 1, 3, 1001, "the first shot")
	v.overViewer()
	v.key("Right", "Right")
	at("alpha", 1, 3, 1003, "two frames on")
	v.key("Page_Down")
	at("singlepart", 2, 3, 3, "PageDown: the second shot two frames from its start (frame 3 is missing)")
	v.key("Page_Down")
	at("multipart", 3, 3, 5, "PageDown: the third two frames from its start")
	v.key("Page_Down")
	at("alpha", 1, 3, 1003, "PageDown past the last: the first")
	v.key("Page_Up")
	at("multipart", 3, 3, 5, "PageUp before the first: the last")
	v.key("End")
	at("multipart", 3, 3, 6, "End: the out point")
	v.key("Page_Up")
	at("singlepart", 2, 3, 4, "PageUp: the second, three frames from its start")
	v.key("Page_Up")
	at("alpha", 1, 3, 1004, "PageUp: the first, three frames from its start")
	v.key("End")
	v.key("Page_Up")
	at("multipart", 3, 3, 3, "PageUp from alpha's 1008: the third has no eighth frame, its first")

	// A drop adds a shot after the one shown and shows it.
	v.drop(shared.File(t, "exr-samples", "ScanLines/Desk.exr"))
	at("Desk.exr", 4, 4, -1, "the dropped file, a fourth shot after the third")
	v.key("Page_Up")
	at("multipart", 3, 4, 3, "PageUp from the dropped shot: the third, at its first frame")

	// The shots walked hold their frames in the one cache: each shot's
	// bytes are part of the cache's (which also counts buffers kept for
	// reuse), within its budget.
	v.waitFor(func() bool {
		_, _, bytes, budget, each, ok := v.shotsOf()
		var sum int64
		held := 0
		for _, n := range each {
			sum += n
			if n > 0 {
				held++
			}
		}
		return ok && len(each) == 4 && held == 4 && sum <= bytes && bytes <= budget
	}, "all four shots' frames in the one cache, within its budget")
	if err := v.quit(); err != nil {
		t.Errorf("flick exited with %v: %s", err, v.stderr.String())
	}
}
