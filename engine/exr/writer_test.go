package exr

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/x448/float16"
)

// testPattern is an odd-sized RGBA half image holding ordinary values,
// negatives, values above 1, zeros of both signs, subnormals, infinities and
// NaNs, in every slot.
func testPattern(w, h int) []uint16 {
	special := []uint16{
		0x0000, 0x8000, // +0, -0
		0x3C00, 0xBC00, // 1, -1
		0x4900, 0x7BFF, // 10, max
		0x0001, 0x83FF, // subnormals
		0x7C00, 0xFC00, // +Inf, -Inf
		0x7E00, 0xFE01, 0x7C01, // NaNs
	}
	pix := make([]uint16, 4*w*h)
	for i := range pix {
		if i%5 == 0 {
			pix[i] = special[(i/5)%len(special)]
		} else {
			v := float32(i%97)/16 - 2 // -2 .. 4
			pix[i] = float16.Fromfloat32(v).Bits()
		}
	}
	return pix
}

func TestWriteRoundTrip(t *testing.T) {
	const w, h = 37, 23
	pix := testPattern(w, h)
	for _, comp := range []Compression{None, RLE, ZIPS, ZIP, PIZ, PXR24} {
		t.Run(comp.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "rt.exr")
			if err := WriteRGBA(path, w, h, pix, comp, 24); err != nil {
				t.Fatal(err)
			}
			hd, got := decodeFile(t, path)
			if hd.Compression != comp || hd.DataWindow != (Box{0, 0, w - 1, h - 1}) || len(hd.Channels) != 4 {
				t.Fatalf("header %+v", hd)
			}
			for i := range pix {
				if got[i] != pix[i] {
					t.Fatalf("value %d: read %#04x, wrote %#04x", i, got[i], pix[i])
				}
			}
			if comp == RLE || comp == ZIPS || comp == PXR24 {
				return // FFmpeg's reading is checked on the three the brief names
			}
			// An independent reader sees the same values.
			if bad := compareWithFFmpeg(t, path, pix, hd, 10); len(bad) > 0 {
				t.Errorf("FFmpeg reads it differently: %v", bad)
			}
		})
	}
}

func TestWriteFramesPerSecond(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fps.exr")
	if err := WriteRGBA(path, 5, 3, testPattern(5, 3), ZIP, 24); err != nil {
		t.Fatal(err)
	}
	exrheader, err := exec.LookPath("exrheader")
	if err != nil {
		t.Skip("exrheader not installed (apt-get install openexr): framesPerSecond not checked")
	}
	out, err := exec.Command(exrheader, path).CombinedOutput()
	if err != nil {
		t.Fatalf("exrheader: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "framesPerSecond (type rational): 24/1") {
		t.Errorf("no framesPerSecond 24/1 in:\n%s", out)
	}
	if strings.Contains(string(out), "name (type string)") {
		t.Errorf("single-part file has a part name:\n%s", out)
	}
}

// TestWriteFails checks that failed writes leave nothing behind.
func TestWriteFails(t *testing.T) {
	dir := t.TempDir()
	pix := testPattern(4, 4)
	listing := func() []string {
		es, _ := os.ReadDir(dir)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}

	if err := WriteRGBA(filepath.Join(dir, "no", "such", "dir.exr"), 4, 4, pix, ZIP, 0); err == nil {
		t.Error("missing directory: want an error")
	}
	// The rename fails: the target is a directory.
	target := filepath.Join(dir, "busy.exr")
	os.Mkdir(target, 0o755)
	if err := WriteRGBA(target, 4, 4, pix, ZIP, 0); err == nil {
		t.Error("target is a directory: want an error")
	}
	if err := WriteRGBA(filepath.Join(dir, "dwa.exr"), 4, 4, pix, DWAA, 0); !errors.Is(err, ErrNotImplemented) {
		t.Errorf("DWAA: got %v, want ErrNotImplemented", err)
	}
	if err := WriteRGBA(filepath.Join(dir, "short.exr"), 4, 4, pix[:10], ZIP, 0); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("short input: got %v, want ErrInvalidArgument", err)
	}
	if got := listing(); len(got) != 1 || got[0] != "busy.exr" {
		t.Errorf("left behind: %v", got)
	}

	// An unwritable directory; as root, one on a read-only file system.
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	probe := filepath.Join(ro, "probe")
	if f, err := os.Create(probe); err == nil {
		f.Close()
		os.Remove(probe)
		ro = "/sys" // running as root
	}
	if err := WriteRGBA(filepath.Join(ro, "x.exr"), 4, 4, pix, ZIP, 0); !errors.Is(err, ErrFileAccess) {
		t.Errorf("unwritable directory %s: got %v, want ErrFileAccess", ro, err)
	}
	es, _ := os.ReadDir(ro)
	for _, e := range es {
		if strings.Contains(e.Name(), "x.exr") {
			t.Errorf("left behind: %s", filepath.Join(ro, e.Name()))
		}
	}
}

// TestDecodeConverts writes FLOAT and UINT channels and checks Decode
// converts them to half.
func TestDecodeConverts(t *testing.T) {
	const w, h = 9, 7
	dir := t.TempDir()

	fl := make([]float32, 4*w*h)
	for i := range fl {
		fl[i] = float32(i)*0.37 - 20
	}
	fl[0], fl[1], fl[2], fl[3] = float32(math.Inf(1)), float32(math.NaN()), 1e6, -1e-9
	path := filepath.Join(dir, "float.exr")
	if err := write(path, w, h, unsafe.Pointer(&fl[0]), Float, ZIP, Stamp{}); err != nil {
		t.Fatal(err)
	}
	hd, got := decodeFile(t, path)
	if hd.Channels[0].Type != Float {
		t.Fatalf("channels %+v", hd.Channels)
	}
	for i, v := range fl {
		if want := float16.Fromfloat32(v).Bits(); !sameHalf(got[i], want) {
			t.Errorf("float %v: got %#04x, want %#04x", v, got[i], want)
		}
	}
	if bad := compareWithFFmpeg(t, path, got, hd, 10); len(bad) > 0 {
		t.Errorf("FFmpeg: %v", bad)
	}

	ui := make([]uint32, 4*w*h)
	for i := range ui {
		ui[i] = uint32(i * 3)
	}
	ui[5] = 70000 // beyond half's range: +Inf
	path = filepath.Join(dir, "uint.exr")
	if err := write(path, w, h, unsafe.Pointer(&ui[0]), UInt, PIZ, Stamp{}); err != nil {
		t.Fatal(err)
	}
	_, got = decodeFile(t, path)
	for i, v := range ui {
		if want := float16.Fromfloat32(float32(v)).Bits(); got[i] != want {
			t.Errorf("uint %d: got %#04x, want %#04x", v, got[i], want)
		}
	}
}
