package exr

/*
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"sync"
)

// target is one level of one part, ready to decode: its checked layout and
// its part's header.
type target struct {
	layout C.flick_layout
	header *Header
}

type targetKey struct{ part, lx, ly int }

// targets caches a File's targets: made under the lock on first use (the
// prepare step), then shared read-only by concurrent decodes. Entries are
// never removed: a file has at most 1024 parts and 64x64 levels a part
// worth asking for.
type targets struct {
	mu sync.Mutex
	m  map[targetKey]*target
}

// target returns sel's part and level, reading and checking its layout on
// first use.
func (f *File) target(sel Selection) (*target, error) {
	if f == nil || f.r == nil {
		return nil, f.closedError()
	}
	key := targetKey{sel.Part, sel.LevelX, sel.LevelY}
	f.targets.mu.Lock()
	defer f.targets.mu.Unlock()
	if t, ok := f.targets.m[key]; ok {
		return t, nil
	}
	t := &target{header: &f.header}
	if key == (targetKey{}) {
		t.layout = f.r.l0
	} else {
		if sel.Part != 0 {
			parts, err := f.Parts()
			if err != nil {
				return nil, err
			}
			if sel.Part < 0 || sel.Part >= len(parts) {
				return nil, &Error{Op: "decode", Path: f.path, Code: ErrInvalidArgument,
					Detail: fmt.Sprintf("no part %d (the file has %d)", sel.Part, f.header.Parts)}
			}
			t.header = &parts[sel.Part].Header
		}
		var msg C.flick_msg
		if rv := C.flick_layout_get(f.r, C.int(sel.Part), C.int(sel.LevelX), C.int(sel.LevelY), &t.layout, &msg); rv != C.EXR_ERR_SUCCESS {
			return nil, newError("decode", f.path, "", rv, &msg)
		}
	}
	if f.targets.m == nil {
		f.targets.m = map[targetKey]*target{}
	}
	f.targets.m[key] = t
	return t, nil
}
