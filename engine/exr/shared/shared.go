// Package shared finds, for tests, the folders of test data that sit beside
// the project in ../shared (exr-samples, exr-more, ocio, cryptomatte). A test
// whose folder is absent skips, unless FLICK_REQUIRE_SAMPLES=1 (CI sets it in
// .ci/run): then it fails, so a run without its data cannot pass. Only
// tests import this package (TestOnlyTestsImportIt).
package shared

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Require is the environment variable that makes a missing folder or file a
// failure instead of a skip: set to anything but "" or "0".
const Require = "FLICK_REQUIRE_SAMPLES"

// Dir returns the folder ../shared/folder, taken from the module root (the
// nearest folder at or above the working directory that holds go.mod: go
// test runs each package's tests in its own folder). When the folder is not
// there, the test skips or, under Require, fails, saying where it looked.
func Dir(t testing.TB, folder string) string {
	t.Helper()
	dir, err := find(folder)
	if err != nil {
		missing(t, folder, err)
	}
	return dir
}

// File returns the path of rel inside ../shared/folder, skipping or failing
// as Dir does when the folder or the file is not there.
func File(t testing.TB, folder, rel string) string {
	t.Helper()
	path := filepath.Join(Dir(t, folder), rel)
	if _, err := os.Stat(path); err != nil {
		missing(t, filepath.Join(folder, rel), err)
	}
	return path
}

// Lookup returns ../shared/folder and true when it is there, for data that
// only adds cases to a test that has others (fuzz seeds): when it is not,
// the test goes on without it (false), or fails under Require.
func Lookup(t testing.TB, folder string) (string, bool) {
	t.Helper()
	dir, err := find(folder)
	if err != nil {
		if required() {
			missing(t, folder, err)
		}
		t.Logf("test data %s is missing (%v): going on without it", folder, err)
		return "", false
	}
	return dir, true
}

// find returns ../shared/folder from the module root, or why it is not
// there.
func find(folder string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "..", "shared", folder)
	if st, err := os.Stat(dir); err != nil {
		return "", err
	} else if !st.IsDir() {
		return "", fmt.Errorf("%s is not a folder", dir)
	}
	return dir, nil
}

func required() bool {
	v := os.Getenv(Require)
	return v != "" && v != "0"
}

// missing ends the test: a failure under Require, a skip otherwise.
func missing(t testing.TB, what string, why error) {
	t.Helper()
	if required() {
		t.Fatalf("test data %s is missing (%v): %s=%s requires it; put ../shared beside the project", what, why, Require, os.Getenv(Require))
	}
	t.Skipf("test data %s is missing (%v): skipping; %s=1 makes this a failure", what, why, Require)
}

// moduleRoot is the module's folder, found once from the working directory.
var moduleRoot = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
		d = parent
	}
})
