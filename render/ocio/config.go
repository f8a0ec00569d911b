package ocio

/*
#include <stdlib.h>
#include "ocio.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// Config is one loaded OpenColorIO config. It owns its C++ object until
// Close.
type Config struct {
	h       *C.flick_ocio_config
	cleanup runtime.Cleanup
	name    string
}

// Load loads the config name: a file's path, or a built-in name (see
// IsBuiltin), and validates it. Every failure is an *Error naming the file
// and the reason: a missing or unreadable file, a broken or invalid one
// (OpenColorIO's message), or one
// whose profile is newer than this build reads (Error.Profile set, the
// message saying which OpenColorIO it needs and which this is).
// A config loaded again reads its LUT files again, when a transform needs
// them (OpenColorIO's caches are emptied).
func Load(name string) (*Config, error) {
	if strings.HasPrefix(name, "ocio://") {
		return loadBuiltin(name)
	}
	fail := func(msg string) error { return &Error{Op: "config", Name: name, Msg: msg} }
	// OpenColorIO says only "could not read" for a missing or unreadable
	// file: the system's reason is clearer.
	if st, err := os.Stat(name); err != nil {
		return nil, fail(reason(err))
	} else if st.IsDir() {
		return nil, fail("is a folder, not a config file")
	}
	if f, err := os.Open(name); err != nil {
		return nil, fail(reason(err))
	} else {
		f.Close()
	}
	p, free := cstrings(name)
	defer free()
	var msg [msgLen]C.char
	h := C.flick_ocio_config_from_file(p[0], &msg[0], msgLen)
	if h == nil {
		if e := newerProfile(name); e != nil {
			return nil, e
		}
		return nil, fail(trimLoadPrefix(message(msg[:]), name))
	}
	return own(h, name), nil
}

// own makes the Go owner of h.
func own(h *C.flick_ocio_config, name string) *Config {
	c := &Config{h: h, name: name}
	c.cleanup = runtime.AddCleanup(c, func(h *C.flick_ocio_config) { C.flick_ocio_config_free(h) }, h)
	return c
}

// Name is what the config was loaded from: a path or a built-in name.
func (c *Config) Name() string { return c.name }

// Close frees the config. It is safe on nil and safe twice.
func (c *Config) Close() {
	if c == nil || c.h == nil {
		return
	}
	c.cleanup.Stop()
	C.flick_ocio_config_free(c.h)
	c.h = nil
}

// reason is the system's reason in err, without the path it names.
func reason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// trimLoadPrefix drops OpenColorIO's "Loading the OCIO profile 'path'
// failed." from msg: the Error names the file already.
func trimLoadPrefix(msg, path string) string {
	prefix := fmt.Sprintf("Error: Loading the OCIO profile '%s' failed. ", path)
	return strings.TrimPrefix(msg, prefix)
}

var profileLine = regexp.MustCompile(`(?m)^ocio_profile_version:\s*"?(\d+)(?:\.(\d+))?`)

// newerProfile is the error for the config at path when its
// ocio_profile_version is newer than this build of OpenColorIO, or nil.
// It is asked only after OpenColorIO refused the file, so a config it reads
// is never turned away here.
func newerProfile(path string) *Error {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	m := profileLine.FindSubmatch(text)
	if m == nil {
		return nil
	}
	major, _ := strconv.Atoi(string(m[1]))
	minor, _ := strconv.Atoi(string(m[2])) // "2" alone is 2.0
	var libMajor, libMinor int
	fmt.Sscanf(Version(), "%d.%d", &libMajor, &libMinor)
	if major < libMajor || major == libMajor && minor <= libMinor {
		return nil
	}
	profile := fmt.Sprintf("%d.%d", major, minor)
	return &Error{Op: "config", Name: path, Profile: profile, Msg: fmt.Sprintf(
		"its profile %s needs OpenColorIO %s or newer; this build has OpenColorIO %s", profile, profile, Version())}
}

// ask puts question q about the config to OpenColorIO and returns its
// answer's strings.
func (c *Config) ask(q C.flick_ocio_question, a, b string) ([]string, error) {
	if c == nil || c.h == nil {
		return nil, &Error{Op: "config", Name: c.nameOrNil(), Msg: errClosed.Error()}
	}
	args, free := cstrings(a, b)
	defer free()
	var msg [msgLen]C.char
	var n C.size_t
	block := C.flick_ocio_query(c.h, q, args[0], args[1], &n, &msg[0], msgLen)
	runtime.KeepAlive(c)
	if block == nil {
		return nil, &Error{Op: "config", Name: c.name, Msg: message(msg[:])}
	}
	defer C.free(unsafe.Pointer(block))
	if n == 0 {
		return nil, nil
	}
	text := C.GoStringN(block, C.int(n))
	return strings.Split(strings.TrimSuffix(text, "\x00"), "\x00"), nil
}

func (c *Config) nameOrNil() string {
	if c == nil {
		return "(nil)"
	}
	return c.name
}

// About is a config's own description of itself.
type About struct {
	Name        string // the config's name field; may be ""
	Profile     string // its ocio_profile_version, "2.1"
	Description string
}

// About returns the config's name, profile and description.
func (c *Config) About() (About, error) {
	s, err := c.ask(C.FLICK_OCIO_ABOUT, "", "")
	if err != nil {
		return About{}, err
	}
	return About{Name: s[0], Profile: s[1], Description: s[2]}, nil
}

// Displays returns the config's active displays and its default display.
func (c *Config) Displays() (displays []string, def string, err error) {
	s, err := c.ask(C.FLICK_OCIO_DISPLAYS, "", "")
	if err != nil {
		return nil, "", err
	}
	return s[1:], s[0], nil
}

// Views returns the views of display and its default view. With input
// not "", only the views the config's viewing rules offer for that input
// colour space, and the default view for it.
func (c *Config) Views(display, input string) (views []string, def string, err error) {
	s, err := c.ask(C.FLICK_OCIO_VIEWS, display, input)
	if err != nil {
		return nil, "", err
	}
	return s[1:], s[0], nil
}

// Looks returns the names of the config's looks.
func (c *Config) Looks() ([]string, error) {
	return c.ask(C.FLICK_OCIO_LOOKS, "", "")
}

// ColorSpace is one of a config's colour spaces.
type ColorSpace struct {
	Name     string
	Family   string   // the menu group, levels split by the config's family separator; may be ""
	Encoding string   // "scene-linear", "log", "sdr-video", ...; may be ""
	IsData   bool     // holds data, not colour: no transform applies
	Aliases  []string // other names it answers to
}

// ColorSpaces returns the config's active colour spaces, in its order.
func (c *Config) ColorSpaces() ([]ColorSpace, error) {
	s, err := c.ask(C.FLICK_OCIO_COLORSPACES, "", "")
	if err != nil {
		return nil, err
	}
	var out []ColorSpace
	for len(s) > 0 {
		n, _ := strconv.Atoi(s[4])
		out = append(out, ColorSpace{Name: s[0], Family: s[1], Encoding: s[2], IsData: s[3] == "1",
			Aliases: s[5 : 5+n : 5+n]})
		s = s[5+n:]
	}
	return out, nil
}

// Role is one of a config's roles and the colour space it names.
type Role struct {
	Name, ColorSpace string
}

// Roles returns the config's roles.
func (c *Config) Roles() ([]Role, error) {
	s, err := c.ask(C.FLICK_OCIO_ROLES, "", "")
	if err != nil {
		return nil, err
	}
	out := make([]Role, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		out = append(out, Role{Name: s[i], ColorSpace: s[i+1]})
	}
	return out, nil
}

// CanonicalName returns the name of the colour space that name means: name
// may be a colour space, a role or an alias (in any case). It returns ""
// when the config has no such name.
func (c *Config) CanonicalName(name string) (string, error) {
	s, err := c.ask(C.FLICK_OCIO_CANONICAL, name, "")
	if err != nil {
		return "", err
	}
	return s[0], nil
}

// FileRule is the colour space a config's file rules give a path.
type FileRule struct {
	ColorSpace string // as the rule names it: a colour space, a role or an alias
	Rule       string // the rule's name
	Index      int    // its place in the rules
	Default    bool   // it is the Default rule: no other rule matched
}

// FileRule returns the colour space the config's file rules give path.
func (c *Config) FileRule(path string) (FileRule, error) {
	s, err := c.ask(C.FLICK_OCIO_FILE_RULE, path, "")
	if err != nil {
		return FileRule{}, err
	}
	i, _ := strconv.Atoi(s[1])
	return FileRule{ColorSpace: s[0], Index: i, Rule: s[2], Default: s[3] == "1"}, nil
}

// IsData reports whether the colour space name (or the role or alias)
// holds data rather than colour; an unknown name is an error.
func (c *Config) IsData(name string) (bool, error) {
	s, err := c.ask(C.FLICK_OCIO_ISDATA, name, "")
	if err != nil {
		return false, err
	}
	return s[0] == "1", nil
}
