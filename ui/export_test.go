package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"flick/engine"
	"flick/engine/exr"
	"flick/export"
)

// An export from the viewer takes the frames the cache holds as they are
// (and unpins them when done), and decodes the others into recycled
// buffers rather than a fresh one per frame.
func TestExportSourceUsesCacheAndRecyclesBuffers(t *testing.T) {
	const w, h, n = 64, 32, 12
	dir := t.TempDir()
	pix := make([]uint16, 4*w*h)
	for i := 1; i <= n; i++ {
		if err := exr.WriteRGBA(filepath.Join(dir, fmt.Sprintf("shot.%04d.exr", i)), w, h, pix, exr.ZIP, 24); err != nil {
			t.Fatal(err)
		}
	}
	seq, err := engine.Find(filepath.Join(dir, "shot.0001.exr"))
	if err != nil {
		t.Fatal(err)
	}
	pool := engine.NewPool(2)
	defer pool.Close()
	frameBytes := int64(2 * len(pix))
	cache := engine.NewCache(frameBytes, 1) // room for one frame
	cached, err := engine.LoadFrame(seq, 3, func(k int) []uint16 { return make([]uint16, k) }, pool, func() bool { return false })
	if err != nil || !cache.Put(cached) {
		t.Fatalf("cache frame 3: %v", err)
	}
	cache.Release(cached)

	frames := make([]int, n)
	for i := range frames {
		frames[i] = i + 1
	}
	r := export.StartReadahead(context.Background(), frames, exportAhead, exportSource(seq, cache, cached.Source, exr.Selection{}, pool))
	buffers := map[*uint16]bool{}
	for _, k := range frames {
		f, err := r.Load(context.Background(), k)
		if err != nil {
			t.Fatalf("frame %d: %v", k, err)
		}
		if k == 3 && f != cached {
			t.Error("frame 3 was decoded again although the cache holds it")
		}
		if k != 3 {
			buffers[&f.Pix[0]] = true
		}
		r.Release(f)
	}
	r.Stop()
	if len(buffers) > n/2 {
		t.Errorf("%d frames decoded into %d buffers: released buffers are not reused", n-1, len(buffers))
	}
	// Frame 3 is unpinned: a frame nearer the playhead can take its place.
	cache.SetPlayhead(0, 10, -1)
	f, err := engine.LoadFrame(seq, 4, func(k int) []uint16 { return make([]uint16, k) }, pool, func() bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if !cache.Put(f) {
		t.Error("frame 3 is still pinned after the export")
	}
}
