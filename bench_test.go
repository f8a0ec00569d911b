package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"flick/engine"
)

// TestBenchModesJSON runs both bench modes on the demo sequence and checks
// the JSON is complete and self-consistent (no timing thresholds).
func TestBenchModesJSON(t *testing.T) {
	demo, err := engine.Demo(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	seq, err := engine.Find(demo)
	if err != nil {
		t.Fatal(err)
	}
	frames := len(seq.Frames)
	for _, tc := range []struct {
		name string
		args []string
		want int // frames
	}{
		{"decode", []string{demo, "--json", "--threads", "2"}, frames},
		{"decode channels", []string{"--channels", "G", demo, "--json"}, frames},
		{"decode only", []string{demo, "--json", "--decode-only"}, frames},
		{"play", []string{demo, "--play", "--json", "--budget", "64MiB"}, frames},
		{"play realtime", []string{demo, "--play", "--realtime", "--fps", "240", "--frames", "30", "--json"}, 30},
		{"play compare", []string{demo, "--play", "--compare", demo, "--sync", "start", "--json", "--budget", "64MiB"}, frames},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := runBench(tc.args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			var r struct {
				Frames, Drops, Hits, Misses, Shown int
				Pairs                              int
				PairsFPS                           float64 `json:"pairs_per_s"`
				Seconds, FPS                       float64
				Bytes                              int64
				FileBytes                          int64 `json:"file_bytes"`
				PeakRSS                            int64 `json:"peak_rss_bytes"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
				t.Fatalf("%v in %s", err, stdout.String())
			}
			if r.Frames < tc.want || r.Seconds <= 0 || r.FPS <= 0 {
				t.Errorf("frames %d (want %d), seconds %v, fps %v", r.Frames, tc.want, r.Seconds, r.FPS)
			}
			if strings.HasPrefix(tc.name, "decode") {
				if r.Bytes != int64(frames)*2*4*960*540 { // the demo's frames, RGBA half
					t.Errorf("%d bytes decoded", r.Bytes)
				}
				if readPass := tc.name != "decode only"; readPass != (r.FileBytes > 0) {
					t.Errorf("read pass %v, but %d file bytes read", readPass, r.FileBytes)
				}
				return
			}
			if r.PeakRSS <= 0 || r.Hits+r.Misses < r.Shown || r.Shown > r.Frames || r.Drops != r.Frames-r.Shown {
				t.Errorf("play result %+v", r)
			}
			// Comparing the demo with itself, every frame has its pair.
			if comparing := slices.Contains(tc.args, "--compare"); comparing != (r.Pairs == r.Shown && r.PairsFPS > 0) ||
				!comparing && r.Pairs != 0 {
				t.Errorf("comparing %v: %d pairs (%v/s) of %d frames shown", comparing, r.Pairs, r.PairsFPS, r.Shown)
			}
		})
	}
}

func TestBenchBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"x.exr", "--threads", "0"}, "--threads 0: want 1..64"},
		{[]string{"x.exr", "--threads", "65"}, "--threads 65: want 1..64"},
		{[]string{"x.exr", "--channels", "R,,B"}, `--channels "R,,B"`},
		{[]string{"x.exr", "--play", "--budget", "lots"}, `--budget "lots"`},
		{[]string{"x.exr", "--play", "--fps", "30"}, "--fps goes with --realtime"},
		{[]string{"x.exr", "--play", "--realtime", "--fps", "0"}, "--fps"},
		{[]string{"x.exr", "--budget", "1GiB"}, "unknown flag --budget"},
		{[]string{"x.exr", "--play", "--decode-only"}, "--decode-only goes without --play"},
		{[]string{"x.exr", "--play", "--compare", "y.exr", "--realtime"}, "--compare plays every frame"},
		{[]string{"x.exr", "--play", "--compare", "y.exr", "--sync", "tc"}, `--sync: unknown sync mode "tc"`},
		{[]string{"x.exr", "--compare", "y.exr"}, "unknown flag --compare"},
		{[]string{"--json"}, "bench needs a PATH"},
	} {
		var stdout, stderr bytes.Buffer
		if code := runBench(tc.args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, stderr.String(), tc.want)
		}
	}
}
