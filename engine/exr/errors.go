package exr

/*
#include "bridge.h"
*/
import "C"

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unsafe"
)

// Code is a result code of OpenEXR's C API (exr_result_t), plus
// ErrUnsupported for what this package refuses. Its Error is the library's
// own message for the code.
type Code int

// Codes that callers test for with errors.Is.
const (
	// ErrFileAccess: the file is missing, unreadable or not a regular file.
	ErrFileAccess Code = C.EXR_ERR_FILE_ACCESS
	// ErrBadHeader: not an EXR file, bad magic, or a corrupt or unsafe header.
	ErrBadHeader Code = C.EXR_ERR_FILE_BAD_HEADER
	// ErrReadIO: the file ended early or could not be read.
	ErrReadIO Code = C.EXR_ERR_READ_IO
	// ErrWriteIO: the output could not be written.
	ErrWriteIO Code = C.EXR_ERR_WRITE_IO
	// ErrBadChunkLeader: a chunk's leader disagrees with the header.
	ErrBadChunkLeader Code = C.EXR_ERR_BAD_CHUNK_LEADER
	// ErrCorruptChunk: a chunk's data cannot be decoded.
	ErrCorruptChunk Code = C.EXR_ERR_CORRUPT_CHUNK
	// ErrNotImplemented: the library lacks a feature the file needs (the C
	// API of OpenEXR 3.1.5 has no DWA decoder: flick decodes DWA with
	// dwa.c or the C++ API, see route).
	ErrNotImplemented Code = C.EXR_ERR_FEATURE_NOT_IMPLEMENTED
	// ErrOutOfMemory: an allocation failed or exceeded the package's cap.
	ErrOutOfMemory Code = C.EXR_ERR_OUT_OF_MEMORY
	// ErrInvalidArgument: a call was given arguments it cannot use.
	ErrInvalidArgument Code = C.EXR_ERR_INVALID_ARGUMENT
	// ErrUnsupported is not a library code: the package refuses the file
	// (deep data, channel sampling other than 1 or 2, ...).
	ErrUnsupported Code = C.FLICK_ERR_UNSUPPORTED
)

// Error returns the library's default message for c.
func (c Code) Error() string {
	if c == ErrUnsupported {
		return "not supported by flick"
	}
	return C.GoString(C.exr_get_default_error_message(C.exr_result_t(c)))
}

// Name returns the code's identifier, e.g. "EXR_ERR_CORRUPT_CHUNK".
func (c Code) Name() string {
	if c == ErrUnsupported {
		return "unsupported"
	}
	return C.GoString(C.exr_get_error_code_as_string(C.exr_result_t(c)))
}

// Error is an error at the C boundary: the operation, the file (as given), what
// happened in the library's words (or the package's), and the code.
// errors.Is(err, exr.ErrCorruptChunk) and the like match Code; when Err is
// set (an OS error, e.g. fs.ErrNotExist), errors.Is matches it too.
type Error struct {
	Op     string // "open", "decode", "write"
	Path   string
	Detail string // context and the library's detailed message
	Code   Code
	Err    error // underlying OS error, if any
}

func (e *Error) Error() string {
	detail := e.Detail
	if detail == "" {
		detail = e.Code.Error()
	}
	return fmt.Sprintf("%s %s: %s (%s)", e.Op, e.Path, detail, e.Code.Name())
}

// Unwrap returns the code and, when set, the underlying OS error.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Code, e.Err}
	}
	return []error{e.Code}
}

// newError builds an Error from a bridge result and the message the library
// reported during that call.
func newError(op, path, context string, rv C.exr_result_t, msg *C.flick_msg) *Error {
	code := Code(rv)
	detail := ""
	if msg != nil {
		detail = printable(cText(&msg.text[0], len(msg.text)))
	}
	if detail == "" {
		detail = code.Error()
	}
	if context != "" {
		detail = context + ": " + detail
	}
	return &Error{Op: op, Path: path, Detail: detail, Code: code}
}

// cText copies the NUL-terminated text out of the n bytes at p (a message
// buffer); unlike C.GoString it does not make p escape, so the buffer can
// live on the caller's stack.
func cText(p *C.char, n int) string {
	b := unsafe.Slice((*byte)(unsafe.Pointer(p)), n)
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// printable makes a library message safe to print: messages quote names
// read from the file, which may hold any bytes.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}
