package exr

import (
	"os/exec"
	"path/filepath"
	"testing"

	"flick/engine/timecode"
)

// fileTimeCode opens path and returns File.TimeCode's answer.
func fileTimeCode(t *testing.T, path string) (TimeCode, bool) {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return f.TimeCode()
}

// TestWriteStamped writes framesPerSecond and timeCode and reads them back
// through Parts and File.TimeCode; a file written without them has none.
func TestWriteStamped(t *testing.T) {
	dir := t.TempDir()
	pix := make([]uint16, 4*4*2)
	for _, c := range []struct {
		fps Rational
		tc  string
	}{{Rational{30000, 1001}, "01:02:03;04"}, {Rational{25, 1}, "23:59:59:24"}} {
		want, err := timecode.Parse(c.tc)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "tc.exr")
		if err := WriteRGBAStamped(path, 4, 2, pix, ZIP, Stamp{FPS: c.fps, TimeCode: &want}); err != nil {
			t.Fatal(err)
		}
		parts, _ := openParts(t, path)
		if r := parts[0].FramesPerSecond; r == nil || *r != c.fps {
			t.Errorf("%s: framesPerSecond %+v, want %v", c.tc, r, c.fps)
		}
		if p := parts[0].TimeCode; p == nil || p.String() != c.tc {
			t.Errorf("%s: Parts' timeCode %+v", c.tc, p)
		}
		got, ok := fileTimeCode(t, path)
		if tc, err := got.Timecode(); !ok || err != nil || tc != want {
			t.Errorf("%s: File.TimeCode %+v %v: Timecode %v, %v", c.tc, got, ok, tc, err)
		}
	}
	plain := filepath.Join(dir, "plain.exr")
	if err := WriteRGBA(plain, 4, 2, pix, ZIP, 24); err != nil {
		t.Fatal(err)
	}
	if tc, ok := fileTimeCode(t, plain); ok {
		t.Errorf("a file without timeCode: File.TimeCode %+v", tc)
	}
}

// TestTimeCodeFromLibrary reads a timeCode that OpenEXR's own exrstdattr
// packed (Imf::TimeCode, every flag but one clear, user data set).
func TestTimeCodeFromLibrary(t *testing.T) {
	tool, err := exec.LookPath("exrstdattr")
	if err != nil {
		t.Skip("exrstdattr not installed")
	}
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.exr"), filepath.Join(dir, "dst.exr")
	if err := WriteRGBA(src, 4, 2, make([]uint16, 4*4*2), ZIP, 0); err != nil {
		t.Fatal(err)
	}
	// 0x12345650: 12:34:56:10 with bit 6 (drop frame) set.
	if out, err := exec.Command(tool, "-timeCode", "12345650", "000000ff", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("exrstdattr: %v\n%s", err, out)
	}
	got, ok := fileTimeCode(t, dst)
	tc, err := got.Timecode()
	if !ok || err != nil || tc != (timecode.Timecode{Hours: 12, Minutes: 34, Seconds: 56, Frames: 10, Drop: true}) {
		t.Errorf("File.TimeCode %+v %v: Timecode %v, %v", got, ok, tc, err)
	}
}
