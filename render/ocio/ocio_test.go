package ocio

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"flick/engine/exr/shared"
)

// The test configs in ../shared/ocio (see its README).
const (
	acesCGFile  = "aces-cg/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio"
	studioFile  = "aces-studio/studio-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio"
	xstudioFile = "xstudio/xstudio-config-v2.1.0_aces-v1.3_ocio-v2.1.ocio"
	lutShowFile = "lut-show/config.ocio"
	newerFile   = "newer-profile/cg-config-v2.1.0_aces-v1.3_ocio-v2.3.ocio"
	aces2File   = "aces2-profile25/cg-config-v4.0.0_aces-v2.0_ocio-v2.5.ocio"
)

func load(t *testing.T, name string) *Config {
	t.Helper()
	if !strings.HasPrefix(name, "ocio://") {
		name = shared.File(t, "ocio", name)
	}
	c, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestLoad loads every config of profile 2.1 and below in ../shared/ocio,
// and the built-in one under its names, and checks what the README says of
// them.
func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name     string
		displays int
		def      string
	}{
		{acesCGFile, 5, "sRGB - Display"},
		{studioFile, 9, "sRGB - Display"},
		{xstudioFile, 10, "DisplayP3 - Display"},
		{lutShowFile, 1, "sRGB"},
		{BuiltinName, 5, "sRGB - Display"},
		{"ocio://cg-config-v2.1.0_aces-v1.3_ocio-v2.3", 5, "sRGB - Display"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := load(t, tc.name)
			displays, def, err := c.Displays()
			if err != nil {
				t.Fatal(err)
			}
			if len(displays) != tc.displays || def != tc.def {
				t.Errorf("displays %q, default %q; want %d displays, default %q", displays, def, tc.displays, tc.def)
			}
			about, err := c.About()
			if err != nil || about.Profile != "2.1" {
				t.Errorf("About() = %+v, %v; want profile 2.1", about, err)
			}
		})
	}
}

// TestBuiltinIsTheACESCGConfig holds the embedded config to the file the
// README names, with its licence beside it.
func TestBuiltinIsTheACESCGConfig(t *testing.T) {
	want, err := os.ReadFile(shared.File(t, "ocio", acesCGFile))
	if err != nil {
		t.Fatal(err)
	}
	if acesCG != string(want) {
		t.Error("the embedded config differs from ../shared/ocio/" + acesCGFile)
	}
	licence, err := os.ReadFile(shared.File(t, "ocio", "aces-cg/LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	if ours, err := os.ReadFile("aces-cg/LICENSE"); err != nil || !bytes.Equal(ours, licence) {
		t.Errorf("aces-cg/LICENSE is not the config's licence (%v)", err)
	}
	for _, name := range []string{BuiltinName, "ocio://cg-config-v1.0.0_aces-v1.3_ocio-v2.1"} {
		if !IsBuiltin(name) {
			t.Errorf("IsBuiltin(%q) = false", name)
		}
	}
	for _, name := range []string{"ocio://studio-config-v1.0.0_aces-v1.3_ocio-v2.1", "default", "cg-config.ocio"} {
		if IsBuiltin(name) {
			t.Errorf("IsBuiltin(%q) = true", name)
		}
	}
}

// TestLoadErrors checks that each bad config gives one line naming the file
// and the reason.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	broken := write("broken.ocio", "ocio_profile_version: 2.1\nroles: [\n  garbage: {{\n")
	notConfig := write("notes.ocio", "hello")
	invalid := write("invalid.ocio", `ocio_profile_version: 2.1
roles: {default: lin}
displays:
  sRGB:
    - !<View> {name: Film, colorspace: Nope}
colorspaces:
  - !<ColorSpace> {name: lin}
`)
	folder := filepath.Join(dir, "folder.ocio")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	newer := shared.File(t, "ocio", newerFile)
	aces2 := shared.File(t, "ocio", aces2File)
	for _, tc := range []struct {
		path    string
		reason  []string
		profile string
	}{
		{filepath.Join(dir, "missing.ocio"), []string{"no such file or directory"}, ""},
		{folder, []string{"is a folder"}, ""},
		{broken, []string{"yaml-cpp", "line 4"}, ""},
		{notConfig, []string{"ocio_profile_version"}, ""},
		{invalid, []string{"Film", "Nope"}, ""},
		{newer, []string{"profile 2.3 needs OpenColorIO 2.3 or newer", "this build has OpenColorIO " + Version()}, "2.3"},
		{aces2, []string{"profile 2.5 needs OpenColorIO 2.5 or newer", "this build has OpenColorIO " + Version()}, "2.5"},
		{"ocio://studio-config-v1.0.0_aces-v1.3_ocio-v2.1", []string{"not a built-in config"}, ""},
	} {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			c, err := Load(tc.path)
			if err == nil {
				c.Close()
				t.Fatal("loaded")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T %v, want *Error", err, err)
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Count(msg, tc.path) != 1 || strings.Contains(msg, "\n") {
				t.Errorf("want one line naming %s once: %q", tc.path, msg)
			}
			for _, r := range tc.reason {
				if !strings.Contains(msg, r) {
					t.Errorf("message lacks %q: %q", r, msg)
				}
			}
			if e.Profile != tc.profile {
				t.Errorf("Profile = %q, want %q", e.Profile, tc.profile)
			}
		})
	}
}

// TestMissingAndCorruptLUT: a config whose view needs a LUT loads (files
// are read when a transform needs them); building that view then fails
// naming the LUT and why: missing, then (once written, the config loaded
// again) corrupt.
func TestMissingAndCorruptLUT(t *testing.T) {
	src := shared.Dir(t, "ocio")
	text, err := os.ReadFile(filepath.Join(src, lutShowFile))
	if err != nil {
		t.Fatal(err)
	}
	trim, err := os.ReadFile(filepath.Join(src, "lut-show/luts/trim.spi1d"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "config.ocio")
	if err := os.WriteFile(path, text, 0o644); err != nil {
		t.Fatal(err)
	}
	view := DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT"}
	try := func(want, why string) {
		t.Helper()
		c, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		p, err := c.DisplayViewProcessor(view)
		if err == nil {
			p.Close()
			t.Fatal("built the view")
		}
		t.Log(err)
		if msg := err.Error(); !strings.Contains(msg, want) || !strings.Contains(msg, why) || !strings.Contains(msg, "Show LUT") || strings.Contains(msg, "\n") {
			t.Errorf("message is not one line naming %s, %q and the view: %q", want, why, msg)
		}
	}
	try("show.cube", "could not be located") // no luts folder at all
	if err := os.Mkdir(filepath.Join(dir, "luts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "luts/trim.spi1d"), trim, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "luts/show.cube"), []byte("LUT_3D_SIZE 33\n0.1 0.2\nnot numbers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	try("show.cube", "Malformed") // the same config loaded again reads the LUT
}

func TestPick(t *testing.T) {
	for _, tc := range []struct {
		flag, env, setting string
		want               Source
	}{
		{"a.ocio", "b.ocio", "c.ocio", Source{"a.ocio", "--ocio"}},
		{"a.ocio", "", "c.ocio", Source{"a.ocio", "--ocio"}},
		{"", "b.ocio", "c.ocio", Source{"b.ocio", "$OCIO"}},
		{"", "b.ocio", "", Source{"b.ocio", "$OCIO"}},
		{"", "", "ocio://default", Source{"ocio://default", "the ocio_config setting"}},
		{"", "", "", Source{}},
	} {
		if got := Pick(tc.flag, tc.env, tc.setting); got != tc.want {
			t.Errorf("Pick(%q, %q, %q) = %+v, want %+v", tc.flag, tc.env, tc.setting, got, tc.want)
		}
	}
	if s := Pick("", "", "ocio://default").String(); !strings.Contains(s, BuiltinLabel) || !strings.Contains(s, "ocio_config") {
		t.Errorf("the built-in from the setting reads %q", s)
	}
	if s := (Source{}).String(); !strings.HasPrefix(s, "none") {
		t.Errorf("no config reads %q", s)
	}
}

// TestNames checks canonical names, roles, aliases, data spaces and file
// rules against the configs' text.
func TestNames(t *testing.T) {
	aces := load(t, acesCGFile)
	show := load(t, lutShowFile)
	for _, tc := range []struct {
		c          *Config
		name, want string
	}{
		{aces, "lin_ap1", "ACEScg"},
		{aces, "ACES - ACEScg", "ACEScg"},
		{aces, "scene_linear", "ACEScg"},
		{aces, "aces_interchange", "ACES2065-1"},
		{aces, "lin_ap0", "ACES2065-1"},
		{aces, "srgb_tx", "sRGB - Texture"},
		{aces, "ACEScg", "ACEScg"},
		{aces, "no such space", ""},
		{show, "color_timing", "ACEScct"},
		{show, "data", "Raw"},
	} {
		got, err := tc.c.CanonicalName(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("%s: CanonicalName(%q) = %q, %v; want %q", tc.c.Name(), tc.name, got, err, tc.want)
		}
	}

	roles, err := show.Roles()
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(roles, func(a, b Role) int { return strings.Compare(a.Name, b.Name) })
	want := []Role{{"aces_interchange", "ACES2065-1"}, {"color_timing", "ACEScct"}, {"data", "Raw"},
		{"default", "ACEScg"}, {"scene_linear", "ACEScg"}}
	if !slices.Equal(roles, want) {
		t.Errorf("lut-show roles %v, want %v", roles, want)
	}

	spaces, err := aces.ColorSpaces()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(spaces, func(cs ColorSpace) bool { return cs.Name == "ACEScg" })
	if i < 0 || !slices.Equal(spaces[i].Aliases, []string{"ACES - ACEScg", "lin_ap1"}) ||
		spaces[i].Encoding != "scene-linear" || spaces[i].IsData {
		t.Errorf("ACEScg reads %+v", spaces)
	}
	showSpaces, err := show.ColorSpaces()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, cs := range showSpaces {
		names = append(names, cs.Name)
	}
	if !slices.Equal(names, []string{"ACES2065-1", "ACEScg", "ACEScct", "Raw", "Show LUT sRGB"}) {
		t.Errorf("lut-show colour spaces %q", names)
	}

	for _, tc := range []struct {
		name string
		want bool
	}{{"Raw", true}, {"data", true}, {"ACEScg", false}, {"scene_linear", false}} {
		if got, err := show.IsData(tc.name); err != nil || got != tc.want {
			t.Errorf("IsData(%q) = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if _, err := show.IsData("nothing"); err == nil || !strings.Contains(err.Error(), "nothing") {
		t.Errorf("IsData of an unknown name: %v", err)
	}

	for _, tc := range []struct {
		c    *Config
		path string
		want FileRule
	}{
		{show, "/renders/sh010_plate_v3.1001.exr", FileRule{"ACES2065-1", "Plates", 0, false}},
		{show, "/renders/sh010_beauty.1001.exr", FileRule{"ACEScg", "Default", 1, true}},
		{show, "/renders/sh010_plate_v3.1001.dpx", FileRule{"ACEScg", "Default", 1, true}},
		{aces, "/renders/sh010_plate_v3.1001.exr", FileRule{"ACES2065-1", "Default", 0, true}},
	} {
		got, err := tc.c.FileRule(tc.path)
		if err != nil || got != tc.want {
			t.Errorf("%s: FileRule(%q) = %+v, %v; want %+v", tc.c.Name(), tc.path, got, err, tc.want)
		}
	}
}

// TestDisplaysViewsLooks checks the lists against the README and the
// configs' text.
func TestDisplaysViewsLooks(t *testing.T) {
	aces := load(t, acesCGFile)
	show := load(t, lutShowFile)
	displays, _, err := aces.Displays()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"sRGB - Display", "Rec.1886 Rec.709 - Display", "Rec.2100-PQ - Display",
		"ST2084-P3-D65 - Display", "P3-D65 - Display"}
	if !slices.Equal(displays, want) {
		t.Errorf("displays %q, want %q", displays, want)
	}
	for _, input := range []string{"", "ACEScg"} {
		views, def, err := aces.Views("sRGB - Display", input)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"ACES 1.0 - SDR Video", "Un-tone-mapped", "Raw"}
		if !slices.Equal(views, want) || def != "ACES 1.0 - SDR Video" {
			t.Errorf("sRGB views for %q: %q default %q; want %q default %q", input, views, def, want, want[0])
		}
	}
	if views, _, err := show.Views("sRGB", ""); err != nil || !slices.Equal(views, []string{"Show LUT", "Show LUT + grade", "Raw"}) {
		t.Errorf("lut-show views %q, %v", views, err)
	}
	// xStudio's viewing rules: its ACES views are for log and scene-linear
	// inputs, Un-tone-mapped for video ones, Raw for all.
	xs := load(t, xstudioFile)
	spaces, err := xs.ColorSpaces()
	if err != nil {
		t.Fatal(err)
	}
	encoding := map[string]string{}
	for _, cs := range spaces {
		encoding[cs.Name] = cs.Encoding
	}
	for _, tc := range []struct {
		input, encoding string
		views           []string
	}{
		{"ACEScg", "scene-linear", []string{"ACES 1.0 - SDR Video", "ACES 1.0 - SDR Video (D60 sim on D65)", "Raw"}},
		{"lin_ap1", "", []string{"ACES 1.0 - SDR Video", "ACES 1.0 - SDR Video (D60 sim on D65)", "Raw"}},
		{"sRGB Encoded Rec.709 (sRGB)", "sdr-video", []string{"Un-tone-mapped", "Raw"}},
		{"", "", []string{"ACES 1.0 - SDR Video", "ACES 1.0 - SDR Video (D60 sim on D65)", "Un-tone-mapped", "Raw"}},
	} {
		if tc.encoding != "" && encoding[tc.input] != tc.encoding {
			t.Errorf("xstudio: %s is %q, want %q", tc.input, encoding[tc.input], tc.encoding)
		}
		views, def, err := xs.Views("sRGB - Display", tc.input)
		if err != nil || !slices.Equal(views, tc.views) || def != tc.views[0] {
			t.Errorf("xstudio: views for %q: %q default %q, %v; want %q", tc.input, views, def, err, tc.views)
		}
	}

	if looks, err := aces.Looks(); err != nil || !slices.Equal(looks, []string{"ACES 1.3 Reference Gamut Compression"}) {
		t.Errorf("aces-cg looks %q, %v", looks, err)
	}
	if looks, err := show.Looks(); err != nil || !slices.Equal(looks, []string{"shot_grade"}) {
		t.Errorf("lut-show looks %q, %v", looks, err)
	}
}

func apply(t *testing.T, c *Config, dv DisplayView, px []float32) []float32 {
	t.Helper()
	p, err := c.DisplayViewProcessor(dv)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cpu, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	defer cpu.Close()
	out := slices.Clone(px)
	if err := cpu.Apply(out); err != nil {
		t.Fatal(err)
	}
	return out
}

func srgb(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

// TestUntonemappedIsTheSRGBCurve: linear Rec.709 through the ACES CG
// config's un-tone-mapped view on the sRGB display is IEC 61966-2-1's
// curve, whatever the chain of matrices in between; alpha passes.
func TestUntonemappedIsTheSRGBCurve(t *testing.T) {
	c := load(t, BuiltinName)
	in := []float32{
		0.18, 0.18, 0.18, 1,
		1, 0, 0, 0.5,
		0, 1, 0, 0.25,
		0, 0, 1, 0,
		0.002, 0.5, 0.9, 1,
	}
	out := apply(t, c, DisplayView{Input: "lin_srgb", Display: "sRGB - Display", View: "Un-tone-mapped"}, in)
	for i := range in {
		want := float64(in[i])
		if i%4 != 3 {
			want = srgb(want)
		}
		if math.Abs(float64(out[i])-want) > 5e-4 {
			t.Errorf("pixel %d channel %d: %g -> %g, want %g", i/4, i%4, in[i], out[i], want)
		}
	}
}

// TestSDRVideoRoundTrip: the ACES SDR view and its inverse give back
// ACEScg values the view does not clip: greys exactly, colours within 2%
// (the inverse of ACES 1.0's red modifier is an approximation).
func TestSDRVideoRoundTrip(t *testing.T) {
	c := load(t, acesCGFile)
	dv := DisplayView{Input: "ACEScg", Display: "sRGB - Display", View: "ACES 1.0 - SDR Video"}
	var in []float32
	for _, v := range []float32{0.01, 0.05, 0.18, 0.5, 1, 2} {
		in = append(in, v, v, v, 1)
	}
	greys := len(in)
	for _, v := range []float32{0.18, 0.5, 1, 2} {
		in = append(in, v, v*0.5, v*0.25, 1)
	}
	shown := apply(t, c, dv, in)
	for i, v := range shown {
		if i%4 != 3 && (v <= 0 || v >= 1) {
			t.Fatalf("the view clips pixel %d: %v", i/4, shown[i/4*4:i/4*4+4])
		}
	}
	dv.Inverse = true
	back := apply(t, c, dv, shown)
	for i := range in {
		tolerance := 1e-3
		if i >= greys {
			tolerance = 0.02
		}
		if d := math.Abs(float64(back[i]-in[i])) / float64(in[i]); d > tolerance {
			t.Errorf("pixel %d channel %d: %g -> %g -> %g", i/4, i%4, in[i], shown[i], back[i])
		}
	}
	if math.Abs(float64(shown[8])-float64(in[8])) < 0.05 {
		t.Errorf("the view left ACEScg 0.18 at %g", shown[8])
	}
}

// TestLook: a look given with a view is the same transform as a view
// that names that look itself (lut-show's "Show LUT + grade"), and differs
// from the view alone; the Raw view alone changes nothing; an unknown look
// and an inverted view with a look are errors naming the transform.
func TestLook(t *testing.T) {
	c := load(t, lutShowFile)
	in := []float32{0.18, 0.18, 0.18, 1, 0.5, 0.2, 0.05, 1, 0.004, 1.5, 0.3, 0.5, -0.01, 8, 40, 0}
	graded := apply(t, c, DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT + grade"}, in)
	withLook := apply(t, c, DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT", Look: "shot_grade"}, in)
	plain := apply(t, c, DisplayView{Input: "ACEScg", Display: "sRGB", View: "Show LUT"}, in)
	for i := range in {
		if math.Abs(float64(graded[i]-withLook[i])) > 1e-6 {
			t.Errorf("pixel %d channel %d: the view's look gives %g, the look given %g", i/4, i%4, graded[i], withLook[i])
		}
	}
	if slices.Equal(plain, graded) {
		t.Error("the look changed nothing")
	}
	for _, dv := range []DisplayView{
		{Input: "ACEScg", Display: "sRGB", View: "Show LUT", Look: "shot_grade", Inverse: true},
		{Input: "ACEScg", Display: "sRGB", View: "Show LUT", Look: "no_such_look"},
	} {
		if p, err := c.DisplayViewProcessor(dv); err == nil {
			p.Close()
			t.Errorf("built %s", dv)
		} else if !strings.Contains(err.Error(), dv.String()) {
			t.Errorf("the error does not name the transform: %v", err)
		}
	}
	if raw := apply(t, c, DisplayView{Input: "ACEScg", Display: "sRGB", View: "Raw"}, in); !slices.Equal(raw, in) {
		t.Errorf("the Raw view changed %v to %v", in, raw)
	}
}

// TestClose: Close is safe on nil and twice; a closed object says so
// instead of crashing; a processor outlives its config.
func TestClose(t *testing.T) {
	var nilConfig *Config
	nilConfig.Close()
	(*Processor)(nil).Close()
	(*CPUProcessor)(nil).Close()

	c, err := Load(BuiltinName)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.DisplayViewProcessor(DisplayView{Input: "lin_srgb", Display: "sRGB - Display", View: "Un-tone-mapped"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	c.Close()
	if _, _, err := c.Displays(); err == nil || !strings.Contains(err.Error(), "after Close") {
		t.Errorf("Displays on a closed config: %v", err)
	}
	if _, err := c.ColorSpaceProcessor("ACEScg", "lin_ap0"); err == nil {
		t.Error("a closed config built a processor")
	}
	cpu, err := p.CPU()
	if err != nil {
		t.Fatal(err)
	}
	p.Close()
	p.Close()
	if _, err := p.CPU(); err == nil {
		t.Error("a closed processor made a CPU processor")
	}
	px, err := cpu.ApplyPixel([4]float32{0.5, 0.5, 0.5, 1})
	if err != nil || math.Abs(float64(px[0])-srgb(0.5)) > 5e-4 {
		t.Errorf("the CPU processor of closed owners gives %v, %v", px, err)
	}
	cpu.Close()
	cpu.Close()
	if _, err := cpu.ApplyPixel([4]float32{}); err == nil {
		t.Error("a closed CPU processor ran")
	}
}

// TestLogGoesToTheCallback: OpenColorIO's warnings about the ACES CG
// config (it lists the Studio config's displays as inactive colour spaces)
// reach the function set, and nothing reaches stderr.
func TestLogGoesToTheCallback(t *testing.T) {
	path := shared.File(t, "ocio", acesCGFile)
	var lines []string
	SetLoggingFunction(func(line string) { lines = append(lines, line) })
	defer SetLoggingFunction(nil)

	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	saved, err := syscall.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Dup2(int(stderr.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	syscall.Dup2(saved, 2)
	syscall.Close(saved)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "Rec.1886 Rec.2020 - Display") }) {
		t.Errorf("log lines %q lack the inactive display's warning", lines)
	}
	if text, _ := os.ReadFile(stderr.Name()); len(text) > 0 {
		t.Errorf("stderr got %q", text)
	}
}
