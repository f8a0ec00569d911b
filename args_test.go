package main

import (
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		positional []string
		json       bool
		fps        float64
		err        string // a substring of the error; "" none
	}{
		{args: []string{"shot.####.exr", "--fps", "25"}, positional: []string{"shot.####.exr"}, fps: 25},
		{args: []string{"--fps=30", "shot.#.exr", "1001-1100", "--json"}, positional: []string{"shot.#.exr", "1001-1100"}, fps: 30, json: true},
		{args: []string{"shot.#.exr", "-10--1"}, positional: []string{"shot.#.exr", "-10--1"}},
		{args: []string{"shot.#.exr", "-5,-3,-1--0"}, positional: []string{"shot.#.exr", "-5,-3,-1--0"}},
		{args: []string{"shot.#.exr", "-1--5", "--json"}, positional: []string{"shot.#.exr", "-1--5"}, json: true}, // malformed: findSequence says why
		{args: []string{"--json", "--", "--odd-name.exr"}, positional: []string{"--odd-name.exr"}, json: true},
		{args: []string{"-"}, positional: []string{"-"}},
		{args: []string{"a.exr", "--fps"}, err: "--fps needs a value"},
		{args: []string{"--fps", "0"}, err: "--fps: want a number from 1 to 1000"},
		{args: []string{"--loud"}, err: "unknown flag --loud"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			var fps fpsFlag
			fs.Var(&fps, "fps", "")
			asJSON := fs.Bool("json", false, "")
			positional, err := parseFlags(fs, tc.args)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(positional, tc.positional) || *asJSON != tc.json || float64(fps) != tc.fps {
				t.Errorf("got %q json=%v fps=%v, want %q json=%v fps=%v", positional, *asJSON, fps, tc.positional, tc.json, tc.fps)
			}
		})
	}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	if _, err := parseFlags(fs, []string{"x.exr", "--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help gives %v, want flag.ErrHelp", err)
	}
}
