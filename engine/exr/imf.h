// imf.h: the small C layer between package exr and OpenEXR's C++ API
// (libOpenEXR-3_1), for what the C API of 3.1.5 cannot decode (DWAA/DWAB).
//
// Every function here catches every C++ exception and reports it as a
// flick_imf_status plus a message copied (truncated, NUL-terminated) into a
// caller's buffer; no exception crosses into Go. Nothing keeps a pointer past
// the call that received it.

#ifndef FLICK_EXR_IMF_H
#define FLICK_EXR_IMF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// flick_imf_status says what kind of failure happened; Go maps it to a Code.
typedef enum {
	FLICK_IMF_OK = 0,
	FLICK_IMF_ACCESS,  // the file could not be opened (errno)
	FLICK_IMF_HEADER,  // the header could not be read, or differs from Core's
	FLICK_IMF_DATA,    // pixel data could not be decoded
	FLICK_IMF_IO,      // a read failed or the file ended early
	FLICK_IMF_NOMEM,   // an allocation failed
	FLICK_IMF_ARG,     // the caller's arguments cannot be used
} flick_imf_status;

// flick_imf_decode reads part 0's data window (level 0) of the file at path
// into dst as interleaved RGBA half, w = maxx-minx+1 pixels per row, with the
// library's own thread pool off. names holds 4 NUL-terminated channel names
// one after the other ("" for none): slot s gets names' s-th channel. An
// empty slot gets 0 (R, G, B) or 1.0 (A). copy_from[s] >= 0 makes slot s a
// copy of that (earlier) slot instead (grey, or a name used twice); the
// caller sets the name of such a slot to "". win is Core's data window (min
// x, min y, max x, max y): a file whose window differs fails with
// FLICK_IMF_HEADER. n is the number of uint16 values dst holds.
flick_imf_status flick_imf_decode(const char *path, const int32_t win[4], const char *names,
                                  const int32_t copy_from[4], uint16_t *dst, uint64_t n,
                                  char *msg, size_t msg_len);

// flick_imf_write_rgba writes a w x h single-part scanline file of half
// channels R, G, B, A from interleaved RGBA half pix with the given
// compression (the library's Imf::Compression value). Only the tests use it:
// to make DWAA/DWAB files, which the C API of 3.1.5 cannot encode.
flick_imf_status flick_imf_write_rgba(const char *path, int32_t w, int32_t h, const uint16_t *pix,
                                      int32_t compression, char *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif
