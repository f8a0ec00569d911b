package ocio

/*
#include "ocio.h"
*/
import "C"

import (
	"strings"
	"sync/atomic"
)

// logTo is where OpenColorIO's log goes: the library's log is one per
// process, so this is too.
var logTo atomic.Pointer[func(string)]

func init() {
	C.flick_ocio_route_log()
}

// SetLoggingFunction sends each line OpenColorIO logs (warnings about a
// config, for one) to f instead of stderr; nil drops them, as before the
// first call. f may be called from any goroutine, during any call into this
// package, and must not call back into it.
func SetLoggingFunction(f func(line string)) {
	if f == nil {
		logTo.Store(nil)
		return
	}
	logTo.Store(&f)
}

//export flickOCIOLog
func flickOCIOLog(line *C.char) {
	if f := logTo.Load(); f != nil {
		(*f)(strings.TrimRight(C.GoString(line), "\n"))
	}
}
