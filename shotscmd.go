package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
)

// hasShots reports whether flick export's arguments name a shots file.
func hasShots(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		return strings.HasPrefix(a, "-") && name == "shots"
	})
}

// runExportShots is `flick export --shots FILE [flags]`: every shot of the
// file exported here, one after another, with one line per shot. Every
// line's flags are checked before the first export starts; a shot that
// fails is reported and the others still run (exit 1 at the end).
func runExportShots(args []string, stdout, stderr io.Writer) int {
	opts, common, err := takeFlags(args, []string{"shots"}, nil)
	if err != nil {
		return usageError(stderr, err.Error())
	}
	shots, err := readShotArgs(opts["shots"], common, 0)
	if err != nil {
		return exitWith(stderr, "", err)
	}
	for _, s := range shots {
		if err := captured(func(stderr io.Writer) int {
			_, code, _ := parseExportFlags(s.args, io.Discard, stderr)
			return code
		}); err != nil {
			return exitWith(stderr, s.where, err)
		}
	}
	failed := 0
	for i, s := range shots {
		var out, msgs bytes.Buffer
		code := runExport(s.args, &out, &msgs)
		// The shot's warnings (black frames) and errors, without its
		// progress lines.
		for line := range strings.Lines(msgs.String()) {
			if !strings.HasPrefix(line, "flick: exporting ") && !strings.HasPrefix(line, "flick: exported ") {
				fmt.Fprintf(stderr, "%s%s", s.where, line)
			}
		}
		if code != 0 {
			failed++
			fmt.Fprintf(stdout, "[%d/%d] %sfailed\n", i+1, len(shots), s.where)
			continue
		}
		fmt.Fprintf(stdout, "[%d/%d] %s", i+1, len(shots), out.String())
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "flick: %d of %d shots failed\n", failed, len(shots))
		return 1
	}
	return 0
}
