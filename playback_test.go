package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// presentedHook is the title's count of frames drawn into the viewer.
var presentedHook = regexp.MustCompile(` — presented (\d+) — `)

// Every-frame playback (realtime off) of a cached shot draws every frame
// into the viewer, one UI frame each, at the clock's pace: the stream once
// handed the viewer all the frames it had ready in one UI frame, which
// uploaded each but drew only the last (a cached 24 fps shot ran far
// faster than 24 fps, most frames never on screen), and the clock stayed
// where playback began, so a pause or a step jumped back there.
func TestEveryFramePlaybackDrawsEachFrame(t *testing.T) {
	home := t.TempDir()
	config := filepath.Join(home, "config", "flick", "settings.json")
	if err := os.MkdirAll(filepath.Dir(config), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, []byte(`{"realtime": false, "loop": "once", "fps": 24}`), 0o644); err != nil {
		t.Fatal(err)
	}
	v := startViewer(t, home) // the demo: 24 frames, 1001-1024
	v.overViewer()
	presented := func() int {
		t.Helper()
		m := presentedHook.FindStringSubmatch(v.title())
		if m == nil {
			t.Fatalf("title %q has no presented count", v.title())
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	// The first pass decodes (and caches) every frame.
	v.key("space")
	v.waitTitle(func(n int) bool { return n == 1024 }, "the first pass to reach frame 1024")
	v.key("Home")
	v.waitTitle(func(n int) bool { return n == 1001 }, "frame 1001 again")
	v.waitFrames(2)
	from := presented()
	v.key("space")
	v.waitTitle(func(n int) bool { return n == 1024 }, "the cached pass to reach frame 1024")
	v.waitFrames(2)
	if got := presented() - from; got < 23 {
		t.Errorf("a cached every-frame pass from frame 1001 to 1024 drew %d frames into the viewer, want all 23 after the first", got)
	}
	// A pause stops on the frame on screen: a step goes on from it.
	v.key("Home")
	v.waitTitle(func(n int) bool { return n == 1001 }, "frame 1001 again")
	v.key("space")
	v.waitTitle(func(n int) bool { return n >= 1006 && n < 1020 }, "playback past frame 1005")
	v.key("space")
	v.waitFrames(3)
	paused := v.frame()
	v.key("Right")
	v.waitTitle(func(n int) bool { return n != paused }, "a step after the pause")
	if got := v.frame(); got != paused+1 {
		t.Errorf("paused on frame %d, a step showed frame %d, want %d", paused, got, paused+1)
	}
	v.quit()
}
