// imf.h: the small C layer between package exr and OpenEXR's C++ API
// (libOpenEXR-3_1), for what Core's pipeline does not read right (see
// route.go): luminance/chroma conversion, subsampled channels, rip-map
// levels above the first row, and tiled DWA that dwa.c does not take.
//
// Every function here catches every C++ exception and reports it as a
// flick_imf_status plus a message copied (truncated, NUL-terminated) into a
// caller's buffer; no exception crosses into Go. Nothing keeps a pointer past
// the call that received it, except flick_imf_file, which owns the library
// objects it opened until flick_imf_close.

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

// flick_imf_file is one file read through the C++ API: a pool of the
// library's readers for it, each used by one decode at a time, so several
// threads decode one file at once, each with a reader of its own that stays
// open between frames' calls. Readers are opened on demand.
typedef struct flick_imf_file flick_imf_file;

// flick_imf_open makes the handle for path (reading nothing yet); NULL when
// out of memory.
flick_imf_file *flick_imf_open(const char *path);

// flick_imf_close frees the handle and every reader it opened; NULL is fine.
// No decode may be running on it.
void flick_imf_close(flick_imf_file *f);

// flick_imf_mode is how flick_imf_decode reads a part.
typedef enum {
	FLICK_IMF_SCANLINE = 0, // Imf::InputPart by scanline blocks (any part, level 0)
	FLICK_IMF_TILES,        // Imf::TiledInputPart by tiles of level (lx, ly)
	FLICK_IMF_YC,           // Imf::InputPart (any part): luminance/chroma to RGBA (yca.h)
} flick_imf_mode;

// flick_imf_req says what to decode into dst (interleaved RGBA half, the
// level's width a row): chunks [begin, end) of level (lx, ly) of part,
// numbered as Core's layout numbers them (scanline blocks of lines rows
// top to bottom, or tiles row by row, tiles_x a row), into the level
// rectangle win (min x, min y, max x, max y; for levels the data window's
// origin and the level's size). names holds 4 NUL-terminated channel names
// one after the other ("" for none): slot s gets the s-th. An empty slot
// gets 0 (R, G, B) or 1.0 (A); copy_from[s] >= 0 makes slot s a copy of
// that earlier slot instead. For FLICK_IMF_YC, names holds the Y, RY, BY
// and A channels' names and the converted R, G, B, A fill every slot.
typedef struct {
	int32_t mode; // flick_imf_mode
	int32_t part, lx, ly;
	int32_t win[4];
	int32_t lines, tile_w, tile_h, tiles_x;
	int32_t begin, end;
	int32_t copy_from[4];
	const char *names;
} flick_imf_req;

// flick_imf_decode decodes q into dst (n uint16 values) with the library's
// thread pool off.
flick_imf_status flick_imf_decode(flick_imf_file *f, const flick_imf_req *q, uint16_t *dst, uint64_t n,
                                  char *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif
