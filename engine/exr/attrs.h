// attrs.h: reading every part's header (windows, channels, tiling and all
// attributes) for the header model in header.go. Decoding does not use it.
//
// Ownership: the pointers these functions hand out (names, strings) point
// into memory owned by the library context: they are valid only until
// exr_finish, so Go copies them at once. Every length is bounded here or by
// the caller before Go copies by it.

#ifndef FLICK_EXR_ATTRS_H
#define FLICK_EXR_ATTRS_H

#include <stdint.h>
#include <openexr.h>

// flick_part is what one part's header says, besides its attributes.
typedef struct {
	int32_t storage;       // exr_storage_t, or -1 if unreadable
	int32_t compression;   // exr_compression_t, or -1
	int32_t dw[4], disp[4]; // data and display windows
	float aspect;
	int32_t tiled;          // the fields below are set
	int32_t tile_w, tile_h;
	int32_t level_mode, round_mode;
	int32_t levels_x, levels_y;
	int32_t channels;       // entries in the channel list
	int32_t attrs;          // attributes
	const char* name;       // NULL when the part has no name
} flick_part;

exr_result_t flick_part_get(exr_const_context_t c, int part, flick_part* p);

// flick_part_channel returns channel i of part's channel list.
exr_result_t flick_part_channel(
	exr_const_context_t c, int part, int i, const char** name, int32_t* name_len, int32_t* type, int32_t* xs,
	int32_t* ys);

// flick_part_level_size returns the size of level (lx, ly) of a tiled part.
exr_result_t flick_part_level_size(exr_const_context_t c, int part, int lx, int ly, int32_t* w, int32_t* h);

enum { FLICK_ATTR_NUMS = 16 };

// flick_attr is one attribute, flattened: its name and type name, the
// library's type code, and its value: for fixed-size types the numbers in
// num (count of them), for strings str/str_len, for string and float
// vectors count elements (read with flick_attr_string / flick_attr_floats),
// for previews width and height in num, for opaque types count bytes.
typedef struct {
	const char* name;
	const char* type_name;
	int32_t name_len, type_name_len;
	int32_t type;  // exr_attribute_type_t
	int32_t count;
	double num[FLICK_ATTR_NUMS];
	const char* str;
	int32_t str_len;
} flick_attr;

// flick_attr_get reads attribute i of part, in name order.
exr_result_t flick_attr_get(exr_const_context_t c, int part, int32_t i, flick_attr* a);

// flick_attr_string returns element j of string vector attribute i.
exr_result_t flick_attr_string(exr_const_context_t c, int part, int32_t i, int32_t j, const char** s, int32_t* len);

// flick_attr_floats copies the first n elements of float vector attribute i.
exr_result_t flick_attr_floats(exr_const_context_t c, int part, int32_t i, float* dst, int32_t n);

// flick_part_timecode gives part's timeCode attribute's timeAndFlags;
// EXR_ERR_NO_ATTR_BY_NAME when it has none (or one of another type).
exr_result_t flick_part_timecode(exr_const_context_t c, int part, uint32_t* time_and_flags);

#endif
