// b44.c: B44 and B44A chunks. The library's decoder (OpenEXR 3.1.5,
// internal_b44.c) unpacks every channel's 4x4 blocks into scratch, copies
// the rows into the chunk's unpacked layout, and an unpack step then moves
// them into the destination: three passes over each chunk, the first one
// value at a time. When the requested channels are HALF read as HALF into
// slots of interleaved pixels (what point_channels sets up), flick decodes
// the requested channels' blocks side by side with SSSE3 and writes each
// block's rows, four pixels at a time, straight into the destination (the
// pixels' other slots get zeros, which flick_decode's fill_rect then
// overwrites); the pipeline's unpack step is then a no-op. The arithmetic is the library's
// (unpack14, unpack3, the sign-magnitude fix-up, blocks padded past the
// right and bottom edges), so the output is bit-identical: b44_test.go and
// TestFlickStepsMatchLibrary compare the two. Any other request keeps the
// library's decoder.

#include "bridge_internal.h"

#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FLICK_B44_SIMD 1
#include <tmmintrin.h>
#define FLICK_SSSE3 __attribute__((target("ssse3")))
#endif

// The library's B44 decompressor, saved by flick_b44_pick for the requests
// flick leaves to it (the same function for every pipeline, so the race
// between threads storing it is benign; it is atomic to keep the race
// detector and the C model happy).
static _Atomic(exr_result_t (*)(exr_decode_pipeline_t*)) b44_library;

static exr_result_t b44_decompress(exr_decode_pipeline_t* d)
{
	// A chunk that B44 would not shrink (tiles under 4 pixels a side) is
	// stored as is.
	exr_result_t rv;
	if (flick_stored_chunk(d, &rv)) return rv;
	return b44_library(d);
}

// A 14-byte block's third byte holds the shift in its top six bits, at most
// 12; 13 or more marks a 3-byte block (B44A's flat fields).
#define B44_FLAT (13 << 2)

#ifdef FLICK_B44_SIMD
// b44_out is where a chunk's requested channels go (flick_lanes) and, per
// lane, the channel's next block in the chunk.
typedef struct {
	flick_lanes to;
	const uint8_t* at[4];
} b44_out;

// b44_layout fills o from d's channels, or returns 0 if the output is not
// HALF channels in lanes of one window (flick_lanes_of), or if any
// channel is HALF with pLinear (whose blocks the library converts through
// a table).
static int b44_layout(const exr_decode_pipeline_t* d, b44_out* o)
{
	memset(o, 0, sizeof *o);
	for (int c = 0; c < d->channel_count; c++)
		if (d->channels[c].data_type == EXR_PIXEL_HALF && d->channels[c].p_linear) return 0;
	return flick_lanes_of(d, &o->to);
}

// b44_skip advances *pos past channel ch's bytes in a chunk of size bytes
// at in: its blocks, or raw values for FLOAT and UINT channels. It returns
// 0 if they do not all fit.
static int b44_skip(const exr_coding_channel_info_t* ch, const uint8_t* in, uint64_t size, uint64_t* pos)
{
	uint64_t nx = (uint64_t) (ch->width > 0 ? ch->width : 0), ny = (uint64_t) (ch->height > 0 ? ch->height : 0);
	uint64_t at = *pos;
	if (ch->data_type != EXR_PIXEL_HALF) {
		uint64_t n = nx * ny * (uint64_t) ch->bytes_per_element;
		if (size - at < n) return 0;
		*pos = at + n;
		return 1;
	}
	for (uint64_t b = ((nx + 3) / 4) * ((ny + 3) / 4); b > 0; b--) {
		if (size - at < 3) return 0;
		uint64_t n = in[at + 2] >= B44_FLAT ? 3 : 14;
		if (size - at < n) return 0;
		at += n;
	}
	*pos = at;
	return 1;
}

// b44_find walks the whole chunk as the library does, checking that every
// channel's bytes lie within it, and sets o->at to where each requested
// channel starts.
static exr_result_t b44_find(const exr_decode_pipeline_t* d, b44_out* o)
{
	const uint8_t* in = d->packed_buffer;
	const uint64_t size = d->chunk.packed_size;
	uint64_t pos = 0;
	for (int c = 0; c < d->channel_count; c++) {
		const exr_coding_channel_info_t* ch = d->channels + c;
		for (int k = 0; k < 4; k++)
			if (o->to.channel[k] == c) o->at[k] = in + pos;
		if (!b44_skip(ch, in, size, &pos)) {
			flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "%s chunk of %llu bytes ends inside channel %s",
				d->chunk.compression == EXR_COMPRESSION_B44A ? "B44A" : "B44", (unsigned long long) size,
				ch->channel_name);
			return EXR_ERR_CORRUPT_CHUNK;
		}
	}
	return EXR_ERR_SUCCESS;
}

// The unpack14 fields: bytes 2 to 13 of a block hold sixteen 6-bit fields,
// the shift and then r[0..14], the running differences. Lane 4j+i of a
// block (row j, column i) adds field 4i+j to its left neighbour (column 0:
// to the value above; lane 0 is the block's first value). b44_fields
// returns the lanes' fields for rows 0-1 (hi 0) or 2-3 (hi 1): pick_* puts
// the two bytes holding a lane's field into its 16-bit word, big end
// first, up_* (a multiplier) moves the field to the word's top six bits,
// and the shift right by 10 brings it down.
FLICK_SSSE3 static inline __m128i b44_fields(__m128i b, int hi)
{
	const __m128i pick_lo = _mm_setr_epi8(3, 2, 6, 5, 9, 8, 12, 11, 3, 2, 6, 5, 9, 8, 12, 11);
	const __m128i pick_hi = _mm_setr_epi8(4, 3, 7, 6, 10, 9, 13, 12, 5, 4, 8, 7, 11, 10, 14, 13);
	const __m128i up_lo = _mm_setr_epi16(1, 1, 1, 1, 64, 64, 64, 64);
	const __m128i up_hi = _mm_setr_epi16(16, 16, 16, 16, 4, 4, 4, 4);
	__m128i w = _mm_shuffle_epi8(b, hi ? pick_hi : pick_lo);
	return _mm_srli_epi16(_mm_mullo_epi16(w, hi ? up_hi : up_lo), 10);
}

// b44_row_sums adds each 16-bit value to the ones after it in its row (its
// 64-bit quarter).
FLICK_SSSE3 static inline __m128i b44_row_sums(__m128i v)
{
	v = _mm_add_epi16(v, _mm_slli_epi64(v, 16));
	return _mm_add_epi16(v, _mm_slli_epi64(v, 32));
}

// b44_unsign undoes the encoder's ordering transform: values with the top
// bit set lose it, the others are inverted.
FLICK_SSSE3 static inline __m128i b44_unsign(__m128i s)
{
	__m128i top = _mm_srai_epi16(s, 15);
	__m128i flip = _mm_xor_si128(_mm_andnot_si128(top, _mm_set1_epi16(0x7fff)), _mm_set1_epi16((short) 0x8000));
	return _mm_xor_si128(s, flip);
}

// b44_block decodes the block at p (its bytes checked by b44_find; end is
// the end of the packed bytes) into rows 0-1 (*r01) and 2-3 (*r23) and
// returns the next block.
FLICK_SSSE3 static inline const uint8_t* b44_block(const uint8_t* p, const uint8_t* end, __m128i* r01, __m128i* r23)
{
	uint16_t s0 = (uint16_t) (p[0] << 8 | p[1]);
	if (p[2] >= B44_FLAT) {
		s0 = (s0 & 0x8000) ? (uint16_t) (s0 & 0x7fff) : (uint16_t) ~s0;
		*r01 = *r23 = _mm_set1_epi16((short) s0);
		return p + 3;
	}
	__m128i b;
	if (end - p >= 16) {
		b = _mm_loadu_si128((const __m128i*) p);
	} else {
		uint8_t t[16] = {0};
		memcpy(t, p, 14);
		b = _mm_loadu_si128((const __m128i*) t);
	}
	const __m128i shift = _mm_cvtsi32_si128(p[2] >> 2);
	const __m128i bias = _mm_sll_epi16(_mm_set1_epi16(0x20), shift);
	__m128i a = _mm_sub_epi16(_mm_sll_epi16(b44_fields(b, 0), shift), bias);
	__m128i c = _mm_sub_epi16(_mm_sll_epi16(b44_fields(b, 1), shift), bias);
	a = b44_row_sums(_mm_insert_epi16(a, s0, 0));
	c = b44_row_sums(c);
	// Column 0: row 1 starts from s0, row 2 from row 1's first value (s4),
	// row 3 from row 2's.
	a = _mm_add_epi16(a, _mm_slli_si128(_mm_shufflelo_epi16(a, 0), 8));
	__m128i s4 = _mm_shufflehi_epi16(a, 0);
	c = _mm_add_epi16(c, _mm_add_epi16(_mm_slli_si128(_mm_shufflelo_epi16(c, 0), 8), _mm_unpackhi_epi64(s4, s4)));
	*r01 = b44_unsign(a);
	*r23 = b44_unsign(c);
	return p + 14;
}

// b44_put writes up to two rows of a block position from the lanes' blocks'
// rows 0-1 or 2-3 (v), four pixels a row, to the windows at p and p + line.
FLICK_SSSE3 static inline void b44_put(uint8_t* p, int64_t line, const __m128i v[4], int rows)
{
	__m128i ab0 = _mm_unpacklo_epi16(v[0], v[1]), cd0 = _mm_unpacklo_epi16(v[2], v[3]);
	__m128i ab1 = _mm_unpackhi_epi16(v[0], v[1]), cd1 = _mm_unpackhi_epi16(v[2], v[3]);
	_mm_storeu_si128((__m128i*) p, _mm_unpacklo_epi32(ab0, cd0));
	_mm_storeu_si128((__m128i*) (p + 16), _mm_unpackhi_epi32(ab0, cd0));
	if (rows < 2) return;
	_mm_storeu_si128((__m128i*) (p + line), _mm_unpacklo_epi32(ab1, cd1));
	_mm_storeu_si128((__m128i*) (p + line + 16), _mm_unpackhi_epi32(ab1, cd1));
}

// b44_put_edge writes the first cols pixels of the first rows rows of a
// block position value by value: the blocks at the right edge, and those
// whose window would reach past the line's last pixel.
FLICK_SSSE3 static void b44_put_edge(
	uint8_t* p, int64_t line, const __m128i r01[4], const __m128i r23[4], int rows, int cols, int lanes)
{
	uint16_t v[4][16];
	for (int k = 0; k < 4; k++) {
		_mm_storeu_si128((__m128i*) v[k], r01[k]);
		_mm_storeu_si128((__m128i*) (v[k] + 8), r23[k]);
	}
	for (int r = 0; r < rows; r++, p += line)
		for (int i = 0; i < cols; i++)
			for (int k = 0; k < 4; k++)
				if (lanes & (1 << k)) memcpy(p + 8 * i + 2 * k, &v[k][4 * r + i], 2);
}

// b44_decode decodes the requested channels' blocks, block row by block
// row, each position's lanes side by side, and writes whole windows: the
// lanes no channel fills get zeros (flick_decode's fill_rect then writes
// every slot no channel fills). Without all four lanes a window does not
// start at a pixel but at the first requested slot, and reaches into the
// next pixel's slots before it: the last block of each line then goes
// value by value, so that no window reaches past the line's last pixel,
// into another chunk's pixels or past the buffer.
FLICK_SSSE3 static void b44_decode(const exr_decode_pipeline_t* d, b44_out* o)
{
	const uint8_t* end = d->packed_buffer + d->chunk.packed_size;
	const int32_t w = d->chunk.width, h = d->chunk.height;
	const int32_t simd_w = o->to.lanes == 15 ? w - w % 4 : w - 1 - (w - 1) % 4; // pixels written whole-window
	for (int32_t y = 0; y < h; y += 4) {
		const int rows = h - y < 4 ? h - y : 4;
		uint8_t* line = o->to.win + (int64_t) y * o->to.line;
		for (int32_t x = 0; x < w; x += 4) {
			__m128i r01[4], r23[4];
			for (int k = 0; k < 4; k++) {
				if (o->at[k] != NULL)
					o->at[k] = b44_block(o->at[k], end, r01 + k, r23 + k);
				else
					r01[k] = r23[k] = _mm_setzero_si128();
			}
			uint8_t* p = line + (int64_t) x * 8;
			if (x < simd_w) {
				b44_put(p, o->to.line, r01, rows);
				if (rows > 2) b44_put(p + 2 * o->to.line, o->to.line, r23, rows - 2);
			} else {
				b44_put_edge(p, o->to.line, r01, r23, rows, w - x < 4 ? w - x : 4, o->to.lanes);
			}
		}
	}
}

// b44_fused is the decompress_fn flick_b44_pick installs, with
// flick_unpack_done as the unpack step.
static exr_result_t b44_fused(exr_decode_pipeline_t* d)
{
	b44_out o;
	if (!b44_layout(d, &o)) {
		flick_msg_report(EXR_ERR_INVALID_ARGUMENT, "B44 chunk: the output layout changed between chunks");
		return EXR_ERR_INVALID_ARGUMENT;
	}
	if (d->chunk.packed_size == 0) return EXR_ERR_SUCCESS;
	if (d->packed_buffer == NULL) {
		flick_msg_report(EXR_ERR_INVALID_ARGUMENT, "B44 chunk: no packed bytes");
		return EXR_ERR_INVALID_ARGUMENT;
	}
	if (d->chunk.packed_size == d->chunk.unpacked_size) return flick_lanes_stored(d, &o.to);
	exr_result_t rv = b44_find(d, &o);
	if (rv == EXR_ERR_SUCCESS) b44_decode(d, &o);
	return rv;
}
#endif

void flick_b44_pick(exr_decode_pipeline_t* d, int library_codecs)
{
	if (d->decompress_fn == NULL || d->decompress_fn == b44_decompress) return;
#ifdef FLICK_B44_SIMD
	b44_out o;
	if (!library_codecs && __builtin_cpu_supports("ssse3") && b44_layout(d, &o)) {
		d->decompress_fn = b44_fused;
		d->unpack_and_convert_fn = flick_unpack_done;
		return;
	}
#else
	(void) library_codecs;
#endif
	b44_library = d->decompress_fn;
	d->decompress_fn = b44_decompress;
}
