package shared

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// childEnv, when set, makes TestMissing the child that asks for the test
// data it names (folder, or folder/file) instead of the test that runs it.
const childEnv = "FLICK_SHARED_CHILD"

// TestMissing runs this test binary again, as go test would, on a folder
// and on a file that are not in ../shared: without Require the child
// skips; with FLICK_REQUIRE_SAMPLES=1 (as in CI) it fails, naming what is
// missing and where it looked; with Require=0 it skips.
func TestMissing(t *testing.T) {
	if what := os.Getenv(childEnv); what != "" {
		folder, rel, _ := strings.Cut(what, "/")
		if rel == "" {
			Dir(t, folder)
		} else {
			File(t, folder, rel)
		}
		t.Fatal("the test went on without its data")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, what := range []string{"no-such-folder", "exr-samples/no-such-file.exr"} {
		for _, require := range []string{"", "0", "1"} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMissing$", "-test.v")
			cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
				return strings.HasPrefix(kv, Require+"=") || strings.HasPrefix(kv, childEnv+"=")
			}), childEnv+"="+what, Require+"="+require)
			out, err := cmd.CombinedOutput()
			if require == "1" {
				if err == nil || !strings.Contains(string(out), "--- FAIL: TestMissing") {
					t.Errorf("%s=%s, %s missing: the child passed (%v):\n%s", Require, require, what, err, out)
				}
				// Where it looked: the missing folder itself, or
				// exr-samples when that is missing too.
				looked := filepath.Join(root, "..", "shared", what)
				if !strings.Contains(string(out), looked) && !strings.Contains(string(out), filepath.Join(root, "..", "shared", "exr-samples")) {
					t.Errorf("the failure does not say where it looked (%s):\n%s", looked, out)
				}
			} else if err != nil || !strings.Contains(string(out), "--- SKIP: TestMissing") {
				t.Errorf("%s=%q, %s missing: the child did not skip (%v):\n%s", Require, require, what, err, out)
			}
		}
	}
}

// Dir and File find ../shared from the module root, here two folders up.
func TestPresent(t *testing.T) {
	want, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "exr-samples"))
	if err != nil {
		t.Fatal(err)
	}
	if got := Dir(t, "exr-samples"); got != want {
		t.Errorf("Dir = %s, want %s", got, want)
	}
	if got := File(t, "exr-samples", "ScanLines/Desk.exr"); got != filepath.Join(want, "ScanLines", "Desk.exr") {
		t.Errorf("File = %s", got)
	}
}

// TestOnlyTestsImportIt: no package of the module imports this one outside
// its tests, so the product never links test code (or package testing).
func TestOnlyTestsImportIt(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for line := range strings.Lines(string(out)) {
		pkg, imports, _ := strings.Cut(strings.TrimSpace(line), " ")
		if slices.Contains(strings.Fields(imports), "flick/internal/shared") {
			t.Errorf("%s imports flick/internal/shared outside its tests", pkg)
		}
	}
}
