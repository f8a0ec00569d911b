package ocio

/*
#include <stdlib.h>
#include "ocio.h"
*/
import "C"

import (
	_ "embed"
	"strings"
)

// BuiltinLabel is how menus and messages name the built-in config.
const BuiltinLabel = "ACES 1.3 CG (built-in)"

// BuiltinName is the name that loads the built-in config.
const BuiltinName = "ocio://default"

// acesCG is the ACES 1.3 CG config from the OpenColorIO project (BSD-3-Clause,
// aces-cg/LICENSE): profile 2.1, analytic transforms only, so it needs no
// files beside it.
//
//go:embed aces-cg/cg-config-v1.0.0_aces-v1.3_ocio-v2.1.ocio
var acesCG string

// IsBuiltin reports whether name loads the built-in config:
// "ocio://default", and the "ocio://cg-config-…" names that OpenColorIO
// 2.2+ builds in (mrv2 and tlRender keep them in their settings), whatever
// their version: this build of OpenColorIO has no built-in configs, so all
// of them are flick's ACES 1.3 CG config.
func IsBuiltin(name string) bool {
	return name == BuiltinName || strings.HasPrefix(name, "ocio://cg-config-")
}

// loadBuiltin loads the built-in config for name, or says name is none.
func loadBuiltin(name string) (*Config, error) {
	if !IsBuiltin(name) {
		return nil, &Error{Op: "config", Name: name,
			Msg: "not a built-in config of flick: " + BuiltinName + " and ocio://cg-config-… are its ACES 1.3 CG config"}
	}
	text, free := cstrings(acesCG)
	defer free()
	var msg [msgLen]C.char
	h := C.flick_ocio_config_from_text(text[0], &msg[0], msgLen)
	if h == nil {
		return nil, &Error{Op: "config", Name: name, Msg: message(msg[:])}
	}
	return own(h, name), nil
}
