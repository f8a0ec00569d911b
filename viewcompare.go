package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"

	"flick/engine"
	"flick/render"
	"flick/ui"
)

// viewCompare is the viewer's compare flags: flick A B --compare MODE
// [--sync frame|start] [--offset N[,N...]].
type viewCompare struct {
	mode, sync, offset string
}

// register adds the flags to fs.
func (v *viewCompare) register(fs *flag.FlagSet) {
	fs.StringVar(&v.mode, "compare", "", "")
	fs.StringVar(&v.sync, "sync", "frame", "")
	fs.StringVar(&v.offset, "offset", "", "")
}

// parse returns what the viewer starts with; an error is a usage error
// naming the flag.
func (v *viewCompare) parse() (ui.Compare, error) {
	var c ui.Compare
	var err error
	if c.Sync, err = engine.ParseSyncMode(v.sync); err != nil {
		return c, fmt.Errorf("--sync: %w", err)
	}
	if v.mode != "" {
		if c.Mode, err = render.ParseCompareMode(v.mode); err != nil {
			return c, fmt.Errorf("--compare: %w", err)
		}
		c.On = true
	}
	if v.offset != "" {
		for _, s := range strings.Split(v.offset, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return c, fmt.Errorf("--offset: %q is not a whole number of frames", s)
			}
			c.Offsets = append(c.Offsets, n)
		}
	}
	return c, nil
}

// fits checks c against the number of shots opened (a usage error naming
// the flag).
func (v *viewCompare) fits(c ui.Compare, shots int) error {
	if c.On && shots < 2 {
		return fmt.Errorf("--compare needs two shots: flick A B --compare %s", v.mode)
	}
	if len(c.Offsets) > shots {
		return fmt.Errorf("--offset: %d offsets for %d shots", len(c.Offsets), shots)
	}
	return nil
}
