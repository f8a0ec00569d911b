package main

import (
	"bytes"
	"strings"
	"testing"
)

// flick export's --burnin and --field: templates are checked against the
// standard fields and --field's, whatever the order of the flags; a
// malformed one is a usage error (exit 2) naming it.
func TestExportBurninFlags(t *testing.T) {
	base := []string{"export", "shot.####.exr", "-o", "a.mov"}
	for _, c := range []struct {
		args []string
		ok   bool
		says string
	}{
		{args: []string{"--burnin", "TL={shot} v{version}", "--burnin", "BR={frame}  {tc}"}, ok: true},
		{args: []string{"--burnin", "B={vendor}", "--field", "vendor=ACME"}, ok: true},
		{args: []string{"--burnin", "B={vendor}"}, says: "unknown field {vendor}"},
		{args: []string{"--burnin", "TL={shot"}, says: "unclosed {"},
		{args: []string{"--burnin", "MM=x"}, says: `unknown position "MM"`},
		{args: []string{"--burnin", "TL="}, says: "empty text"},
		{args: []string{"--field", "no value"}, says: "KEY=VALUE"},
	} {
		var stdout, stderr bytes.Buffer
		f, code, ok := parseExportFlags(append(base[1:], c.args...), &stdout, &stderr)
		if c.ok {
			if !ok {
				t.Errorf("%q: exit %d: %s", c.args, code, stderr.String())
			} else if len(f.burnins) == 0 {
				t.Errorf("%q: no burn-ins parsed", c.args)
			}
			continue
		}
		if ok || code != 2 || !strings.Contains(stderr.String(), c.says) {
			t.Errorf("%q: exit %d, %q; want exit 2 naming %q", c.args, code, stderr.String(), c.says)
		}
	}
}
