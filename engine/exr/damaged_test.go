package exr

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// tryDecode runs open, header, DefaultSelection, Decode and DecodeFloat on
// path the way the player and its probe do, and returns the first error
// (nil if the file decoded both ways).
func tryDecode(path string) error {
	f, err := Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := f.Header()
	sel, err := DefaultSelection(h)
	if err != nil {
		return err
	}
	dst := make([]uint16, 4*h.DataWindow.Width()*h.DataWindow.Height())
	err = f.Decode(dst, sel)
	// DecodeFloat refuses what only the C++ reader decodes (ErrUnsupported);
	// on the rest it must agree with Decode that the file is whole.
	fdst := make([]float32, len(dst))
	if ferr := f.DecodeFloat(fdst, h.DataWindow, sel, 0, f.Chunks()); err == nil && !errors.Is(ferr, ErrUnsupported) {
		err = ferr
	}
	return err
}

func maxRSS(t *testing.T) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Maxrss * 1024
}

// TestDamaged feeds every file of Damaged/ (files that crashed, hung or
// exhausted memory in OpenEXR at some point) through the read path in this
// process: each must return, with an error or not, quickly and without
// growing the process by gigabytes.
func TestDamaged(t *testing.T) {
	dir := sample(t, "Damaged")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	const limit = 10 * time.Second
	const rssLimit = 1 << 30
	before := maxRSS(t)
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) == ".rst" {
			continue
		}
		path := filepath.Join(dir, e.Name())
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- tryDecode(path) }()
		select {
		case err := <-done:
			t.Logf("%-90s %6.1fms %v", e.Name(), float64(time.Since(start).Microseconds())/1000, err)
		case <-time.After(limit):
			t.Fatalf("%s: no result after %v", e.Name(), limit)
		}
		if grown := maxRSS(t) - before; grown > rssLimit {
			t.Fatalf("%s: peak memory grew by %d MB", e.Name(), grown>>20)
		}
	}
}
