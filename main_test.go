package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"flick/engine/exr/shared"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// flickBinary builds the command once for all tests in this run, linked
// as make build links it when FLICK_EXTLDFLAGS gives its external linker
// flags (make test does), so that the binary users run is the one tested.
func flickBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flick-e2e")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "flick")
		goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
		args := []string{"build", "-o", binary}
		if ld := os.Getenv("FLICK_EXTLDFLAGS"); ld != "" {
			args = append(args, "-ldflags", "-extldflags '"+ld+"'")
		}
		out, err := exec.Command(goCmd, append(args, ".")...).CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// runFlick runs the binary with a private config and cache folder and no
// display (neither DISPLAY nor WAYLAND_DISPLAY), and returns its exit code,
// stdout and stderr.
func runFlick(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runFlickOn(t, "", args...)
}

// runFlickOn is runFlick with DISPLAY set to display.
func runFlickOn(t *testing.T, display string, args ...string) (int, string, string) {
	t.Helper()
	return runFlickEnv(t, []string{"DISPLAY=" + display}, args...)
}

// runFlickEnv is runFlick with env (NAME=value) added to the environment.
func runFlickEnv(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, flickBinary(t), args...)
	home := t.TempDir()
	cmd.Env = append(append(os.Environ(), "DISPLAY=", "WAYLAND_DISPLAY=", "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home, "HOME="+home), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func TestBadInputsFailClearly(t *testing.T) {
	text := filepath.Join("testdata", "not-an-image.exr")
	empty := filepath.Join("testdata", "no-exr")
	dir := t.TempDir()
	deskPath := shared.File(t, "exr-samples", "ScanLines/Desk.exr")
	desk, err := os.ReadFile(deskPath)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.exr")
	if err := os.WriteFile(truncated, desk[:len(desk)/2], 0o644); err != nil {
		t.Fatal(err)
	}

	t.Setenv("OCIO", "") // no config unless a case names one
	for _, tc := range []struct {
		name string
		args []string
		code int
		says []string // each must appear in the one line of stderr
	}{
		{"missing file", []string{filepath.Join(dir, "missing.exr")}, 1, []string{"missing.exr", "no such file"}},
		{"folder without EXR", []string{empty}, 1, []string{empty, "no EXR files"}},
		{"text file named .exr", []string{text}, 1, []string{"not-an-image.exr", "not an OpenEXR file"}},
		{"truncated EXR", []string{truncated}, 1, []string{"truncated.exr"}},
		{"unknown flag", []string{"--frobnicate"}, 2, []string{"unknown flag --frobnicate", "--help"}},
		{"bad fps", []string{text, "--fps", "fast"}, 2, []string{"--fps", "fast"}},
		{"second shot missing", []string{deskPath, filepath.Join(dir, "missing.exr")}, 1, []string{"missing.exr", "no such file"}},
		{"second shot's range reversed", []string{deskPath, deskPath, "5-1"}, 2, []string{"5-1"}},
		{"two ranges", []string{shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr"), "1-2", "3-4"}, 2, []string{"3-4", "a RANGE follows its PATH"}},
		{"--input-cs without a config", []string{text, "--input-cs", "ACEScg"}, 2, []string{"--input-cs", "--ocio CONFIG"}},
		{"bad --compare", []string{deskPath, deskPath, "--compare", "swipe"}, 2, []string{"--compare", `"swipe"`, "wipe, side"}},
		{"--compare with one shot", []string{deskPath, "--compare", "wipe"}, 2, []string{"--compare needs two shots"}},
		{"bad --sync", []string{deskPath, deskPath, "--sync", "first"}, 2, []string{"--sync", `"first"`}},
		{"bad --offset", []string{deskPath, deskPath, "--offset", "0,x"}, 2, []string{"--offset", `"x"`}},
		{"more offsets than shots", []string{deskPath, "--offset", "0,1"}, 2, []string{"--offset", "2 offsets given, at most one per shot (1)"}},
		{"export --range not a range", []string{"export", text, "--range", "abc", "-o", filepath.Join(dir, "x.mov")}, 2,
			[]string{"--range", `"abc"`, "not a frame range"}},
		{"export --range reversed", []string{"export", text, "--range", "1006-1001", "-o", filepath.Join(dir, "x.mov")}, 2,
			[]string{"--range", "1006-1001", "the last frame is before the first"}},
		{"export --headless --window", []string{"export", text, "--headless", "--window", "-o", filepath.Join(dir, "x.mov")}, 2,
			[]string{"one of --headless and --window"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runFlick(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "flick: ") {
				t.Fatalf("stderr is not one 'flick: ...' line: %q", stderr)
			}
			for _, s := range tc.says {
				if !strings.Contains(lines[0], s) {
					t.Errorf("message %q does not say %q", lines[0], s)
				}
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := runFlick(t, "--help")
	if code != 0 || !strings.Contains(out, "Usage:") || !strings.Contains(out, "shot.####.exr") {
		t.Errorf("--help: exit %d, output %q", code, out)
	}
	code, out, _ = runFlick(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "flick ") {
		t.Errorf("--version: exit %d, output %q", code, out)
	}
}

// TestNoDisplayIsAClearError: the viewer needs a display; flick export
// does not (TestHeadlessExportMatchesWindow), unless EGL is missing too,
// which an empty vendor folder for libglvnd makes real: then one line names
// the packages that provide it.
func TestNoDisplayIsAClearError(t *testing.T) {
	desk := shared.File(t, "exr-samples", "ScanLines/Desk.exr")
	code, _, stderr := runFlick(t, desk)
	if code != 1 || !strings.Contains(stderr, "no display") {
		t.Errorf("viewer: exit %d, stderr %q; want 1 and a 'no display' message", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "desk.mov")
	code, _, stderr = runFlickEnv(t, []string{"__EGL_VENDOR_LIBRARY_DIRS=" + t.TempDir()},
		"export", desk, "-o", out, "--scale", "0.25")
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "flick: no EGL") {
		t.Fatalf("export without EGL: exit %d, stderr %q; want 1 and one 'flick: no EGL' line", code, stderr)
	}
	for _, s := range []string{"libegl1", "libegl-mesa0", "xvfb-run"} {
		if !strings.Contains(lines[0], s) {
			t.Errorf("%q does not say %q", lines[0], s)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed export left %s (%v)", out, err)
	}
}

// TestViewerShowsPicture runs the real binary in a private X server, takes
// screenshots of the screen as a user would see it and checks that the
// viewport holds a picture: many colours, neither black nor the background.
func TestViewerShowsPicture(t *testing.T) {
	if _, err := exec.LookPath("import"); err != nil {
		t.Fatal("screenshots need ImageMagick's import (apt-get install imagemagick)")
	}
	desk := shared.File(t, "exr-samples", "ScanLines/Desk.exr")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"Desk", []string{desk}},
		{"demo", nil}, // no argument: the built-in demo, generated into a fresh cache
		{"Beachball", []string{shared.File(t, "exr-samples", "Beachball/singlepart.0001.exr")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shot, centre := screenshotViewer(t, tc.args...)
			t.Logf("viewport centre has %d distinct colours (screenshot: %s)", distinctColours(shot, centre), keep(t, shot, tc.name))
			// Beachball's data window (911x876 at 654,245) lies inside its
			// 2048x1556 display window: the viewer outlines the data window
			// in amber, inside the black display window.
			amber := countColour(shot, shot.Bounds(), [3]int{255, 176, 48})
			if tc.name == "Beachball" && amber < 1000 {
				t.Errorf("%d amber pixels: no data window outline (see %s)", amber, keep(t, shot, tc.name))
			}
			if tc.name != "Beachball" && amber > 100 { // a few may be in the picture
				t.Errorf("%d amber pixels: a data window outline where data and display windows are the same (see %s)",
					amber, keep(t, shot, tc.name))
			}
		})
	}
}

// screenshotViewer starts flick with args and returns a screenshot once the
// middle of its viewer shows a picture (many colours), with the middle it
// looked at; the wait is generous, as the demo's first frame waits for the
// demo to be generated.
func screenshotViewer(t *testing.T, args ...string) (image.Image, image.Rectangle) {
	t.Helper()
	v := startViewer(t, t.TempDir(), args...)
	r := v.viewRect()
	c := image.Pt((r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2)
	centre := image.Rect(c.X-100, c.Y-100, c.X+100, c.Y+100)
	var shot image.Image
	v.waitWithin(90*time.Second, func() bool { shot = v.shot(); return distinctColours(shot, centre) >= 200 },
		"a picture in the middle of the viewer")
	return shot, centre
}

func screenshot(display string) (image.Image, error) {
	cmd := exec.Command("import", "-window", "root", "png:-")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	return png.Decode(bytes.NewReader(out))
}

func distinctColours(img image.Image, r image.Rectangle) int {
	seen := map[[3]uint32]bool{}
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[[3]uint32{cr >> 8, cg >> 8, cb >> 8}] = true
		}
	}
	return len(seen)
}

// countColour counts the pixels of r within 8 code values of c (8-bit RGB).
func countColour(img image.Image, r image.Rectangle, c [3]int) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if abs(int(cr>>8)-c[0]) <= 8 && abs(int(cg>>8)-c[1]) <= 8 && abs(int(cb>>8)-c[2]) <= 8 {
				n++
			}
		}
	}
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// keep saves a screenshot for a person to look at: under $FLICK_TEST_OUT
// when set, else in the test's temporary folder.
func keep(t *testing.T, img image.Image, name string) string {
	dir := os.Getenv("FLICK_TEST_OUT")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "screenshot-"+name+".png")
	f, err := os.Create(path)
	if err != nil {
		t.Log(err)
		return ""
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Log(err)
	}
	return path
}

// copyBeachball copies Beachball's single-part frames into a temp folder
// with frame 3 deleted and frame 5 replaced by a truncated copy.
func copyBeachball(t *testing.T) string {
	t.Helper()
	src := shared.File(t, "exr-samples", "Beachball")
	dir := t.TempDir()
	for n := 1; n <= 8; n++ {
		if n == 3 {
			continue
		}
		name := fmt.Sprintf("singlepart.%04d.exr", n)
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if n == 5 {
			data = data[:200]
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestInfoJSON(t *testing.T) {
	dir := copyBeachball(t)
	code, out, stderr := runFlick(t, "info", filepath.Join(dir, "singlepart.0002.exr"), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var info struct {
		Sequence struct {
			Pattern     string
			Name        string
			First, Last int
			Frames      int
			Missing     []int
		}
		Header struct {
			Compression string
			Channels    []struct{ Name string }
			DataWindow  struct {
				MinX int `json:"min_x"`
				MaxY int `json:"max_y"`
			} `json:"data_window"`
		}
		Parts   []infoPart
		Formats []struct{ First, Last int }
		Failed  []struct {
			Frame int
			Error string
		}
	}
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(info.Parts) != 1 || info.Parts[0].Name != "rgba" || !slices.Equal(info.Parts[0].Views, []string{"right", "left"}) ||
		len(info.Parts[0].Layers) != 8 || info.Parts[0].Layers[3].Name != "forward.left" || info.Parts[0].Layers[3].View != "left" ||
		!slices.Equal(info.Parts[0].Layers[3].Channels, []string{"u", "v"}) {
		t.Errorf("parts %+v", info.Parts)
	}
	s := info.Sequence
	if s.Pattern != "singlepart.####.exr" || s.Name != "singlepart.1-8#.exr" || s.First != 1 || s.Last != 8 ||
		s.Frames != 7 || !slices.Equal(s.Missing, []int{3}) {
		t.Errorf("sequence %+v", s)
	}
	if info.Header.Compression != "zips" || len(info.Header.Channels) != 20 ||
		info.Header.DataWindow.MinX != 654 || info.Header.DataWindow.MaxY != 245+876-1 {
		t.Errorf("header %+v", info.Header)
	}
	if len(info.Failed) != 1 || info.Failed[0].Frame != 5 || !strings.Contains(info.Failed[0].Error, "singlepart.0005.exr") {
		t.Errorf("failed frames %+v, want frame 5 with its file named", info.Failed)
	}
	if len(info.Formats) != 6 { // the data window moves every frame
		t.Errorf("%d format runs, want 6", len(info.Formats))
	}
}

// infoPart is what the info tests read of a part in `flick info --json`.
type infoPart struct {
	Name   string
	View   string
	Views  []string
	Layers []struct {
		Name     string
		View     string
		Channels []string
	}
	Attributes []struct{ Name, Type, Text string }
}

func TestInfoJSONMultiPart(t *testing.T) {
	code, out, stderr := runFlick(t, "info", shared.File(t, "exr-samples", "Beachball/multipart.0001.exr"), "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var info struct{ Parts []infoPart }
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(info.Parts) != 10 {
		t.Fatalf("%d parts, want 10", len(info.Parts))
	}
	for i, want := range []struct{ name, view, layer string }{
		{"rgba_right", "right", ""}, {"depth_left", "left", ""}, {"forward_left", "left", "forward"},
		{"disparityL", "", "disparityL"},
	} {
		if i == 3 {
			i = 7
		}
		p := info.Parts[i]
		if p.Name != want.name || p.View != want.view || len(p.Layers) != 1 || p.Layers[0].Name != want.layer || p.Layers[0].View != want.view {
			t.Errorf("part %d: %+v, want %+v", i, p, want)
		}
	}
	if len(info.Parts[0].Attributes) != 12 {
		t.Errorf("part 0 has %d attributes, want 12", len(info.Parts[0].Attributes))
	}
}

func TestInfoText(t *testing.T) {
	dir := copyBeachball(t)
	code, out, stderr := runFlick(t, "info", filepath.Join(dir, "singlepart.#.exr"), "2-4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"singlepart.2-4#.exr", "2 present of 2-4, 1 missing: 3", "frame 4: display 2048x1556 at 0,0, data 915x870 at 968,451",
		`part 0     "rgba", scanline, zips, data 912x888 at 759,367, display 2048x1556 at 0,0, pixel aspect 1`,
		"  views    right (default), left\n", "  layer    (base) [right]: R G B A Z, half\n", "  layer    disparityL: x y, half\n",
		"  layer    forward.left [left]: u v, half\n", "  attr     screenWindowCenter (v2f): (0 0)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runFlick(t, "info", shared.File(t, "exr-samples", "Beachball/multipart.0001.exr"), "1")
	for _, want := range []string{`part 9     "whitebarmask_right", view right, scanline, zips, data 386x769 at 1070,245`,
		"  layer    whitebarmask [right]: mask, half\n", `part 7     "disparityL", scanline`} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	code, out, _ = runFlick(t, "info", shared.File(t, "exr-samples", "Beachball"))
	if code != 0 || !strings.Contains(out, "multipart.1-4#.exr") || !strings.Contains(out, "singlepart.1-8#.exr") {
		t.Errorf("a folder lists each sequence: exit %d\n%s", code, out)
	}
	code, _, stderr = runFlick(t, "info", filepath.Join("testdata", "not-an-image.exr"))
	if code != 1 {
		t.Errorf("info on a file that is no EXR: exit %d, want 1 (%s)", code, stderr)
	}
	code, _, stderr = runFlick(t, "info")
	if code != 2 || !strings.Contains(stderr, "needs a PATH") {
		t.Errorf("info without PATH: exit %d, %q", code, stderr)
	}
}
