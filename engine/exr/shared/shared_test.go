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
// data it names ("dir:folder", "file:folder/file" or "lookup:folder")
// instead of the test that runs it.
const childEnv = "FLICK_SHARED_CHILD"

// TestMissing runs this test binary again, as go test would, asking for a
// folder and a file that are not in ../shared: with FLICK_REQUIRE_SAMPLES=1
// (as in CI) the child fails, naming what is missing and where it looked;
// without it, or with 0, Dir and File skip and Lookup goes on without.
func TestMissing(t *testing.T) {
	if child := os.Getenv(childEnv); child != "" {
		kind, what, _ := strings.Cut(child, ":")
		folder, rel, _ := strings.Cut(what, "/")
		switch kind {
		case "dir":
			Dir(t, folder)
		case "file":
			File(t, folder, rel)
		case "lookup":
			if _, ok := Lookup(t, folder); !ok {
				return
			}
		}
		t.Fatal("the test went on as if its data were there")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ child, without string }{
		{"dir:no-such-folder", "SKIP"},
		{"file:exr-samples/no-such-file.exr", "SKIP"},
		{"lookup:no-such-folder", "PASS"},
	} {
		for _, require := range []string{"", "0", "1"} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestMissing$", "-test.v")
			cmd.Env = append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
				return strings.HasPrefix(kv, Require+"=") || strings.HasPrefix(kv, childEnv+"=")
			}), childEnv+"="+tc.child, Require+"="+require)
			out, err := cmd.CombinedOutput()
			if require != "1" {
				if err != nil || !strings.Contains(string(out), "--- "+tc.without+": TestMissing") {
					t.Errorf("%s=%q, %s: want %s, got (%v):\n%s", Require, require, tc.child, tc.without, err, out)
				}
				continue
			}
			if err == nil || !strings.Contains(string(out), "--- FAIL: TestMissing") {
				t.Errorf("%s=1, %s: the child did not fail (%v):\n%s", Require, tc.child, err, out)
			}
			// Where it looked: the missing folder or file, or exr-samples
			// when that is missing too.
			_, what, _ := strings.Cut(tc.child, ":")
			shared := filepath.Join(root, "..", "shared")
			if !strings.Contains(string(out), filepath.Join(shared, what)) && !strings.Contains(string(out), filepath.Join(shared, "exr-samples")) {
				t.Errorf("the failure does not say where it looked (%s):\n%s", filepath.Join(shared, what), out)
			}
		}
	}
}

// Dir and File find ../shared from the module root, here three folders up.
func TestPresent(t *testing.T) {
	want, err := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared", "exr-samples"))
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
		if slices.Contains(strings.Fields(imports), "flick/engine/exr/shared") {
			t.Errorf("%s imports flick/engine/exr/shared outside its tests", pkg)
		}
	}
}
