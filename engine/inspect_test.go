package engine

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"flick/engine/exr"
)

// Inspect reads the first frame's headers: the demo's frame rate (it is
// written at 24 fps) and its one part, whose header is part 0's.
func TestInspect(t *testing.T) {
	s := demo(t)
	in, err := Inspect(s)
	if err != nil {
		t.Fatal(err)
	}
	if in.Frame != s.First() || in.PartsErr != nil || len(in.Parts) != 1 || in.Header.Parts != 1 {
		t.Fatalf("Inspect = frame %d, %d parts (%v), header says %d; want frame %d, 1 part",
			in.Frame, len(in.Parts), in.PartsErr, in.Header.Parts, s.First())
	}
	if in.Parts[0].DataWindow != in.Header.DataWindow {
		t.Errorf("part 0's data window %v, header's %v", in.Parts[0].DataWindow, in.Header.DataWindow)
	}
	if fps, ok := in.FPS(); !ok || fps != (exr.Rational{Num: demoFPS, Den: 1}) {
		t.Errorf("FPS() = %v, %v; want %d/1 from framesPerSecond", fps, ok, demoFPS)
	}
}

// A first frame that cannot be read: Inspect says so (naming the file),
// and Describe takes its header and parts from the next frame, through
// the same read.
func TestInspectUnreadableFirstFrame(t *testing.T) {
	src := demo(t)
	dir := t.TempDir()
	for _, n := range src.Frames[:3] {
		data, err := os.ReadFile(src.Path(n))
		if err != nil {
			t.Fatal(err)
		}
		if n == src.First() {
			data = []byte("not an EXR file")
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(src.Path(n))), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := Find(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Inspect(s); err == nil || !strings.Contains(err.Error(), filepath.Base(s.Path(s.First()))) {
		t.Errorf("Inspect of a sequence whose first frame is not an EXR: %v, want an error naming it", err)
	}
	info := Describe(s)
	second, err := inspectFrame(s, s.Frames[1], true)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Failed) != 1 || info.Failed[0].Frame != s.First() || info.Header == nil ||
		!reflect.DeepEqual(*info.Header, second.Header) || len(info.Parts) != len(second.Parts) {
		t.Errorf("Describe: failed %+v, header %+v, %d parts; want the first frame failed and frame %d's headers",
			info.Failed, info.Header, len(info.Parts), s.Frames[1])
	}
}
