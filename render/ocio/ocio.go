// Package ocio is flick's one cgo layer over OpenColorIO 2.1 (Debian 12's
// libopencolorio): loading a config, asking it for its displays, views,
// looks, colour spaces, roles and file rules, and building transforms that
// run on the CPU (one pixel for the probe, a slice for tests' references).
//
// Each Go type owns one C++ object (a shared pointer in a C heap struct):
// Config, Processor, CPUProcessor. Close frees it, is safe on nil and safe
// twice; a runtime cleanup frees what was never closed. Their methods may
// run concurrently (OpenColorIO's configs and processors are immutable once
// made), but not with Close. A Processor and a CPUProcessor stay valid
// after the Config or Processor they came from is closed.
package ocio

/*
#cgo CXXFLAGS: -std=c++17 -O2 -Wall
#cgo pkg-config: OpenColorIO
#include <stdlib.h>
#include "ocio.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// msgLen is the size of the buffer the C++ side copies a message into:
// OpenColorIO's messages quote paths and names, which may be long.
const msgLen = 2048

// Version is the version of the OpenColorIO library flick runs with, e.g.
// "2.1.2".
func Version() string { return C.GoString(C.flick_ocio_version()) }

// Error is a failure reported by OpenColorIO, or found before asking it:
// Op is what was being done ("config", "transform", ...), Name what it was
// done to (a config's path, a transform's ends), Msg the reason.
type Error struct {
	Op, Name, Msg string
	// Profile is set when a config's ocio_profile_version is newer than this
	// build of OpenColorIO reads: the profile it asks for, e.g. "2.3".
	Profile string
}

func (e *Error) Error() string {
	return fmt.Sprintf("OpenColorIO %s %s: %s", e.Op, e.Name, e.Msg)
}

// errClosed is the reason given when a closed object is used.
var errClosed = errors.New("used after Close")

// message is the text in a message buffer filled by the C side, on one
// line: OpenColorIO's messages sometimes span several.
func message(buf []C.char) string {
	s := C.GoString(&buf[0])
	return strings.Join(strings.Fields(s), " ")
}

// cstrings makes C copies of ss; free releases them.
func cstrings(ss ...string) (cs []*C.char, free func()) {
	cs = make([]*C.char, len(ss))
	for i, s := range ss {
		cs[i] = C.CString(s)
	}
	return cs, func() {
		for _, c := range cs {
			C.free(unsafe.Pointer(c))
		}
	}
}
