package exr

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"flick/engine/exr/internal/exrref"
	"flick/engine/exr/shared"
)

// openParts opens path and returns its parts and part 0's Header.
func openParts(t *testing.T, path string) ([]Part, Header) {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer f.Close()
	parts, err := f.Parts()
	if err != nil {
		t.Fatalf("Parts: %v", err)
	}
	if again, _ := f.Parts(); &again[0] != &parts[0] {
		t.Error("a second Parts call read the headers again")
	}
	if _, err := json.Marshal(parts); err != nil {
		t.Errorf("parts do not marshal to JSON: %v", err)
	}
	return parts, f.Header()
}

// attrText returns the text of part p's attribute name, or "(absent)".
func attrText(p *Part, name string) string {
	a, ok := p.Attr(name)
	if !ok {
		return "(absent)"
	}
	return a.Text
}

// Values below are exrheader's on the same files.

func TestPartsSinglePartMultiView(t *testing.T) {
	parts, h := openParts(t, sample(t, "Beachball/singlepart.0001.exr"))
	if len(parts) != 1 {
		t.Fatalf("%d parts, want 1", len(parts))
	}
	p := &parts[0]
	if !reflect.DeepEqual(p.Header, h) {
		t.Errorf("part 0's Header %+v differs from File.Header %+v", p.Header, h)
	}
	if p.Name != "rgba" || p.View != "" || !reflect.DeepEqual(p.Views, []string{"right", "left"}) {
		t.Errorf("name %q, view %q, views %q", p.Name, p.View, p.Views)
	}
	// The default view (right) has the unprefixed channels; disparity
	// layers name no view.
	want := []Layer{
		{"", "right", []string{"R", "G", "B", "A", "Z"}},
		{"disparityL", "", []string{"x", "y"}},
		{"disparityR", "", []string{"x", "y"}},
		{"forward.left", "left", []string{"u", "v"}},
		{"forward.right", "right", []string{"u", "v"}},
		{"left", "left", []string{"R", "G", "B", "A", "Z"}},
		{"whitebarmask.left", "left", []string{"mask"}},
		{"whitebarmask.right", "right", []string{"mask"}},
	}
	if !reflect.DeepEqual(p.Layers, want) {
		t.Errorf("layers\n%+v\nwant\n%+v", p.Layers, want)
	}
	if p.DataWindow != (Box{654, 245, 1564, 1120}) || p.Compression != ZIPS || p.LineOrder != "increasing y" ||
		p.Levels != nil || p.FramesPerSecond != nil || p.TimeCode != nil || p.Chromaticities != nil {
		t.Errorf("part %+v", p)
	}
	for name, text := range map[string]string{
		"multiView": `"right", "left"`, "type": `"scanlineimage"`, "screenWindowCenter": "(0 0)",
		"dataWindow": "(654 245) - (1564 1120)", "channels": "20 channels", "compression": "zips",
	} {
		if got := attrText(p, name); got != text {
			t.Errorf("attribute %s: %s, want %s", name, got, text)
		}
	}
	if len(p.Attributes) != 11 {
		t.Errorf("%d attributes, want 11", len(p.Attributes))
	}
}

func TestPartsMultiPart(t *testing.T) {
	parts, h := openParts(t, sample(t, "Beachball/multipart.0001.exr"))
	if h.Parts != 10 || len(parts) != 10 {
		t.Fatalf("%d parts (header says %d), want 10", len(parts), h.Parts)
	}
	want := []struct {
		name, view string
		layer      string
		channels   []string
		dw         Box
	}{
		{"rgba_right", "right", "", []string{"R", "G", "B", "A"}, Box{654, 245, 1530, 1120}},
		{"depth_left", "left", "", []string{"Z"}, Box{688, 245, 1564, 1120}},
		{"forward_left", "left", "forward", []string{"u", "v"}, Box{688, 245, 1564, 1120}},
		{"whitebarmask_left", "left", "whitebarmask", []string{"mask"}, Box{1106, 245, 1490, 1013}},
		{"rgba_left", "left", "", []string{"R", "G", "B", "A"}, Box{688, 245, 1564, 1120}},
		{"depth_right", "right", "", []string{"Z"}, Box{654, 245, 1530, 1120}},
		{"forward_right", "right", "forward", []string{"u", "v"}, Box{654, 245, 1530, 1120}},
		{"disparityL", "", "disparityL", []string{"x", "y"}, Box{654, 245, 1564, 1120}},
		{"disparityR", "", "disparityR", []string{"x", "y"}, Box{654, 245, 1564, 1120}},
		{"whitebarmask_right", "right", "whitebarmask", []string{"mask"}, Box{1070, 245, 1455, 1013}},
	}
	for i, w := range want {
		p := &parts[i]
		layers := []Layer{{w.layer, w.view, w.channels}}
		if p.Index != i || p.Name != w.name || p.View != w.view || !reflect.DeepEqual(p.Layers, layers) ||
			p.DataWindow != w.dw || p.DisplayWindow != (Box{0, 0, 2047, 1555}) || p.Compression != ZIPS {
			t.Errorf("part %d: %+v\nwant %+v", i, p, w)
		}
	}
	if !reflect.DeepEqual(parts[0].Header, h) {
		t.Errorf("part 0's Header %+v differs from File.Header %+v", parts[0].Header, h)
	}
}

func TestPartsFog(t *testing.T) {
	parts, _ := openParts(t, sample(t, "MultiView/Fog.exr"))
	p := &parts[0]
	want := []Layer{{"", "left", []string{"Y"}}, {"right", "right", []string{"Y"}}}
	if p.Name != "" || !reflect.DeepEqual(p.Views, []string{"left", "right"}) || !reflect.DeepEqual(p.Layers, want) {
		t.Errorf("name %q, views %q, layers %+v", p.Name, p.Views, p.Layers)
	}
	for name, text := range map[string]string{
		"comments": `"Fog in the Presidio of San Francisco"`, "latitude": "37.797344", "longitude": "-122.47611",
		"xDensity": "100", "ilut": `"log"`, "compression": "piz",
	} {
		if got := attrText(p, name); got != text {
			t.Errorf("attribute %s: %s, want %s", name, got, text)
		}
	}
	if a, _ := p.Attr("latitude"); a.Value != float32(37.797344) || a.Type != "float" {
		t.Errorf("latitude %+v", a)
	}
}

func TestPartsLevels(t *testing.T) {
	parts, _ := openParts(t, sample(t, "MultiResolution/Bonita.exr"))
	p := &parts[0]
	l := p.Levels
	if p.Storage != Tiled || p.TileWidth != 128 || p.TileHeight != 128 || l == nil {
		t.Fatalf("Bonita: %+v", p)
	}
	if l.Mode != MipmapLevels || l.RoundUp || len(l.Widths) != 10 || len(l.Heights) != 10 ||
		l.Widths[0] != 550 || l.Heights[0] != 832 || l.Widths[1] != 275 || l.Heights[1] != 416 ||
		l.Widths[9] != 1 || l.Heights[9] != 1 {
		t.Errorf("Bonita levels %+v", l)
	}
	if got := attrText(p, "preview"); got != "100x151" {
		t.Errorf("preview %s", got)
	}
	if got := attrText(p, "tiles"); got != "128x128, mipmap, rounded down" {
		t.Errorf("tiles %s", got)
	}

	parts, _ = openParts(t, sample(t, "MultiResolution/KernerEnvLatLong.exr"))
	if a, _ := parts[0].Attr("envmap"); a.Value != "latlong" {
		t.Errorf("envmap %+v", a)
	}

	// No sample is a ripmap: make one from a scanline sample.
	tool, err := exec.LookPath("exrmaketiled")
	if err != nil {
		t.Skip("exrmaketiled not installed: no ripmap to test")
	}
	rip := filepath.Join(t.TempDir(), "rip.exr")
	if out, err := exec.Command(tool, "-r", "-u", "-t", "32", "16", sample(t, "Chromaticities/Rec709.exr"), rip).CombinedOutput(); err != nil {
		t.Fatalf("exrmaketiled: %v\n%s", err, out)
	}
	parts, _ = openParts(t, rip)
	p = &parts[0]
	want := &Levels{Mode: RipmapLevels, RoundUp: true,
		Widths:  []int{610, 305, 153, 77, 39, 20, 10, 5, 3, 2, 1},
		Heights: []int{406, 203, 102, 51, 26, 13, 7, 4, 2, 1}}
	if p.TileWidth != 32 || p.TileHeight != 16 || !reflect.DeepEqual(p.Levels, want) {
		t.Errorf("ripmap: tiles %dx%d, levels %+v", p.TileWidth, p.TileHeight, p.Levels)
	}
}

func TestPartsChromaticities(t *testing.T) {
	parts, _ := openParts(t, sample(t, "Chromaticities/XYZ.exr"))
	third := float32(1.0 / 3)
	want := &Chromaticities{Red: [2]float32{1, 0}, Green: [2]float32{0, 1}, Blue: [2]float32{0, 0}, White: [2]float32{third, third}}
	if !reflect.DeepEqual(parts[0].Chromaticities, want) {
		t.Errorf("XYZ chromaticities %+v, want %+v", parts[0].Chromaticities, want)
	}
	parts, _ = openParts(t, sample(t, "Chromaticities/Rec709.exr"))
	if parts[0].Chromaticities != nil {
		t.Errorf("Rec709.exr has no chromaticities attribute, got %+v", parts[0].Chromaticities)
	}
	if got := attrText(&parts[0], "owner"); got != `"Copyright 2006 Industrial Light & Magic"` {
		t.Errorf("owner %s", got)
	}
}

// TestPartsStandardAttributes writes framesPerSecond with WriteRGBA, then
// (with exrstdattr, when installed) sets more standard attributes.
func TestPartsStandardAttributes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fps.exr")
	if err := WriteRGBA(path, 4, 2, make([]uint16, 4*4*2), ZIP, 24); err != nil {
		t.Fatal(err)
	}
	parts, _ := openParts(t, path)
	if r := parts[0].FramesPerSecond; r == nil || *r != (Rational{24, 1}) || r.Float64() != 24 {
		t.Errorf("framesPerSecond %+v", r)
	}
	if parts[0].Name != "" || parts[0].Views != nil || len(parts[0].Layers) != 1 {
		t.Errorf("part %+v", parts[0])
	}

	tool, err := exec.LookPath("exrstdattr")
	if err != nil {
		t.Skip("exrstdattr not installed")
	}
	std := filepath.Join(dir, "std.exr")
	cmd := exec.Command(tool, "-framesPerSecond", "24000", "1001", "-timeCode", "81234517", "000000ff",
		"-keyCode", "1", "2", "3", "4", "5", "6", "20", "-focus", "infinity", "-owner", "bell\a",
		"-string", "note", "x\xff", "-int", "count", "-7", "-adoptedNeutral", "0.3127", "0.329",
		"-capDate", "2024:01:02 03:04:05", "-envmap", "CUBE", path, std)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("exrstdattr: %v\n%s", err, out)
	}
	parts, _ = openParts(t, std)
	p := &parts[0]
	if r := p.FramesPerSecond; r == nil || *r != (Rational{24000, 1001}) {
		t.Errorf("framesPerSecond %+v", r)
	}
	if tc := p.TimeCode; tc == nil || tc.String() != "01:23:45:17" || !tc.BGF2 || tc.UserData != 0xff {
		t.Errorf("timeCode %+v", tc)
	}
	for name, text := range map[string]string{
		"framesPerSecond": "24000/1001 (23.976)",
		"timeCode":        "01:23:45:17, bgf2, user data 000000ff",
		"keyCode":         "film mfc code 1, film type 2, prefix 3, count 4, perf offset 5, 6 perfs per frame, 20 perfs per count",
		"focus":           "+Inf",
		"owner":           `"bell\a"`,
		"note":            `"x\xff"`,
		"count":           "-7",
		"adoptedNeutral":  "(0.3127 0.329)",
		"capDate":         `"2024:01:02 03:04:05"`,
		"envmap":          "cube",
	} {
		if got := attrText(p, name); got != text {
			t.Errorf("attribute %s: %s, want %s", name, got, text)
		}
	}
	if a, _ := p.Attr("focus"); a.Value != nil {
		t.Errorf("focus is infinite: its Value %v should be nil (JSON has no infinity)", a.Value)
	}
	if a, _ := p.Attr("keyCode"); a.Value != (KeyCode{1, 2, 3, 4, 5, 6, 20}) {
		t.Errorf("keyCode %+v", a.Value)
	}
	if a, _ := p.Attr("count"); a.Value != -7 {
		t.Errorf("count %+v", a.Value)
	}
}

func TestTimeCode(t *testing.T) {
	for _, c := range []struct {
		packed uint32
		want   string
		drop   bool
	}{
		{0x01234517, "01:23:45:17", false},
		{0x23595929, "23:59:59:29", false},
		{0x10000040 | 0x02, "10:00:00;02", true},
	} {
		tc := unpackTimeCode(c.packed, 0)
		if tc.String() != c.want || tc.DropFrame != c.drop {
			t.Errorf("%08x: %s (drop %v), want %s", c.packed, tc, tc.DropFrame, c.want)
		}
	}
}

func TestLayers(t *testing.T) {
	chans := func(names ...string) []Channel {
		out := make([]Channel, len(names))
		for i, n := range names {
			out[i] = Channel{Name: n}
		}
		return out
	}
	for _, c := range []struct {
		names    []string
		partView string
		views    []string
		want     []Layer
	}{
		{[]string{"B", "G", "R", "diffuse.R", "diffuse.G"}, "", nil,
			[]Layer{{"", "", []string{"R", "G", "B"}}, {"diffuse", "", []string{"R", "G"}}}},
		// R, G, B, A by name first, any case and long names, then file order.
		{[]string{"Z", "nk.alpha", "nk.blue", "nk.green", "nk.red", "nk.x", "A", "lc.b", "lc.r", "lc.a", "lc.R"}, "", nil,
			[]Layer{{"", "", []string{"A", "Z"}}, {"nk", "", []string{"red", "green", "blue", "alpha", "x"}},
				{"lc", "", []string{"r", "R", "b", "a"}}}},
		// Base channels split around a layer stay one layer.
		{[]string{"A", "Beauty.R", "G"}, "", nil,
			[]Layer{{"", "", []string{"G", "A"}}, {"Beauty", "", []string{"R"}}}},
		{[]string{"Y", "right.Y", "spec.right.R", "spec.R", "a.b.c.d"}, "", []string{"left", "right"},
			[]Layer{{"", "left", []string{"Y"}}, {"right", "right", []string{"Y"}},
				{"spec.right", "right", []string{"R"}}, {"spec", "", []string{"R"}}, {"a.b.c", "", []string{"d"}}}},
		{[]string{"Z", "forward.u"}, "left", nil,
			[]Layer{{"", "left", []string{"Z"}}, {"forward", "left", []string{"u"}}}},
		{[]string{"", ".", "x."}, "", nil,
			[]Layer{{"", "", []string{"", ""}}, {"x", "", []string{""}}}},
	} {
		if got := layers(chans(c.names...), c.partView, c.views); !reflect.DeepEqual(got, c.want) {
			t.Errorf("layers(%q, %q, %q) =\n%+v\nwant\n%+v", c.names, c.partView, c.views, got, c.want)
		}
	}
}

// TestPartsEverySample reads every part of every sample that opens,
// the damaged ones included: Parts must not crash, must give part 0 as
// Header does, and must marshal to JSON.
func TestPartsEverySample(t *testing.T) {
	root := samplesDir(t)
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) == ".rst" || filepath.Ext(path) == ".md" {
			return err
		}
		f, err := Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		parts, err := f.Parts()
		if err != nil {
			t.Logf("%s: %v", path, err)
			return nil
		}
		n++
		h := f.Header()
		if len(parts) != min(h.Parts, maxParts) || !reflect.DeepEqual(parts[0].Header, h) {
			t.Errorf("%s: %d parts, part 0 %+v, Header %+v", path, len(parts), parts[0].Header, h)
		}
		if _, err := json.Marshal(parts); err != nil {
			t.Errorf("%s: JSON: %v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d samples described", n)
	if n == 0 {
		t.Error("no sample opened")
	}
}

func TestPartsClosed(t *testing.T) {
	f, err := Open(sample(t, "MultiView/Fog.exr"))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := f.Parts(); err == nil {
		t.Error("Parts after Close without an earlier call: no error")
	}
	var nilFile *File
	if _, err := nilFile.Parts(); err == nil {
		t.Error("Parts on a nil File: no error")
	}
}

// TestStringAttributesUncut reads every string attribute of every
// Cryptomatte sample whole, byte for byte as the library's C++ API reads
// it: the 13 and 17 KB manifests of gaffer/cryptomatte.exr and
// psyop/debug_images/multichannel.exr among them.
func TestStringAttributesUncut(t *testing.T) {
	dir := shared.Dir(t, "cryptomatte")
	long := map[string]int{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".exr" {
			return err
		}
		f, err := Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		parts, err := f.Parts()
		if err != nil {
			return err
		}
		for _, p := range parts {
			for _, a := range p.Attributes {
				v, ok := a.Value.(string)
				if a.Type != "string" || !ok {
					continue
				}
				want, err := exrref.StringAttr(path, p.Index, a.Name)
				if err != nil {
					return err
				}
				if v != want || a.Cut || a.Size != 0 {
					t.Errorf("%s: %s: %d bytes (cut %v), the library reads %d", path, a.Name, len(v), a.Cut, len(want))
				}
				if len(v) > 4096 {
					long[filepath.Base(path)+" "+a.Name] = len(v)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(long)
	if long["cryptomatte.exr cryptomatte/f834d0a/manifest"] != 13222 || long["multichannel.exr cryptomatte/f834d0a/manifest"] != 17783 {
		t.Errorf("the 13,222 and 17,783 byte manifests are not among the long strings read: %v", long)
	}
}

// TestStringAttributeCut: a string past the bound (16 MiB) is read up to
// it, and the attribute says it is cut and how long it is.
func TestStringAttributeCut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.exr")
	long := strings.Repeat("manifest", maxStringBytes/8+3)
	img := FloatImage{Channels: []string{"Y"}, Pix: []float32{0.5}, Attrs: map[string]string{"long": long, "short": "abc"}}
	if err := WriteFloat(path, img, None); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	parts, err := f.Parts()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := parts[0].Attr("long")
	if v, _ := a.Value.(string); !a.Cut || a.Size != len(long) || v != long[:maxStringBytes] {
		t.Errorf("long: cut %v, size %d, %d bytes kept; want cut, %d, %d", a.Cut, a.Size, len(v), len(long), maxStringBytes)
	}
	if a, _ := parts[0].Attr("short"); a.Cut || a.Size != 0 || a.Value != "abc" {
		t.Errorf("short: %+v", a)
	}
}
