package main

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"flick/engine/exr/shared"
)

// titleWarm is the title's hook counting the OpenColorIO transforms the
// viewer prepared for a picture and those a warm-up child compiled first.
var titleWarm = regexp.MustCompile(` — warm (\d+) of (\d+) — `)

// TestOCIOWarmUp: each view the viewer switches to with a picture on
// screen has its display program compiled first by a warm-up child (flick
// __warm-display-program, a process of its own), so that Mesa's shader
// cache has it when the viewer's GL goroutine compiles it: the title's
// hooks count every transform prepared for the picture as warmed first.
func TestOCIOWarmUp(t *testing.T) {
	config, cfg, _, display, input := acesCG(t)
	views, view, err := cfg.Views(display, input)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("OCIO", config)
	v := startViewer(t, t.TempDir(), shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr"))
	named := func(view string) func() bool {
		return func() bool { return strings.Contains(v.title(), "— "+display+" / "+view+" — ") }
	}
	v.waitFor(named(view), "the title to name "+view)
	v.overViewer()
	viewer := v.viewRect()
	v.waitFor(func() bool { return distinctColours(v.shot(), viewer) > 100 }, "a picture")
	for range 2 {
		view = views[(slices.Index(views, view)+1)%len(views)]
		v.key("d")
		v.waitFor(named(view), "d to switch to "+view)
	}
	m := titleWarm.FindStringSubmatch(v.title())
	if m == nil {
		t.Fatalf("title %q has no warm-up counts", v.title())
	}
	warmed, _ := strconv.Atoi(m[1])
	prepared, _ := strconv.Atoi(m[2])
	if prepared < 2 || warmed != prepared {
		t.Errorf("%d transforms prepared for the picture, %d of them warmed by a child first; want at least 2, all warmed (flick said: %s)",
			prepared, warmed, v.stderr.String())
	}
	v.quit()
}
