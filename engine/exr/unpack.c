// unpack.c: the last step of the Core decode pipeline for the common case,
// four HALF channels into the four slots of interleaved RGBA half. The
// library's routine for it moves one value at a time; this one transposes
// eight pixels at a time with SSE2, to the same bytes (chunks_test.go
// compares the two).

#include "bridge_internal.h"

#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FLICK_UNPACK_SSE2 1
#include <emmintrin.h>
#endif

#ifdef FLICK_UNPACK_SSE2
// put8 writes 8 pixels to out, 4 values a pixel, value k from the k-th of
// a, b, c, d (8 values each).
static inline void put8(uint16_t* out, __m128i a, __m128i b, __m128i c, __m128i d)
{
	__m128i ab0 = _mm_unpacklo_epi16(a, b), ab1 = _mm_unpackhi_epi16(a, b);
	__m128i cd0 = _mm_unpacklo_epi16(c, d), cd1 = _mm_unpackhi_epi16(c, d);
	_mm_storeu_si128((__m128i*) out, _mm_unpacklo_epi32(ab0, cd0));
	_mm_storeu_si128((__m128i*) (out + 8), _mm_unpackhi_epi32(ab0, cd0));
	_mm_storeu_si128((__m128i*) (out + 16), _mm_unpacklo_epi32(ab1, cd1));
	_mm_storeu_si128((__m128i*) (out + 24), _mm_unpackhi_epi32(ab1, cd1));
}

// interleave4 writes n pixels to out, 4 values a pixel, value k from s[k].
static void interleave4(uint16_t* out, const uint16_t* const s[4], int32_t n)
{
	int32_t x = 0;
	for (; x + 8 <= n; x += 8, out += 32)
		put8(out, _mm_loadu_si128((const __m128i*) (s[0] + x)), _mm_loadu_si128((const __m128i*) (s[1] + x)),
			_mm_loadu_si128((const __m128i*) (s[2] + x)), _mm_loadu_si128((const __m128i*) (s[3] + x)));
	for (; x < n; x++, out += 4)
		for (int k = 0; k < 4; k++) out[k] = s[k][x];
}

// join8 is the 8 values whose low bytes are at lo and high bytes at hi.
static inline __m128i join8(const uint8_t* lo, const uint8_t* hi)
{
	return _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i*) lo), _mm_loadl_epi64((const __m128i*) hi));
}

// interleave4_split is interleave4 with value x of s[k] in two bytes, its
// low byte at lo[k][x] and its high byte at hi[k][x].
static void interleave4_split(uint16_t* out, const uint8_t* const lo[4], const uint8_t* const hi[4], int32_t n)
{
	int32_t x = 0;
	for (; x + 8 <= n; x += 8, out += 32)
		put8(out, join8(lo[0] + x, hi[0] + x), join8(lo[1] + x, hi[1] + x), join8(lo[2] + x, hi[2] + x),
			join8(lo[3] + x, hi[3] + x));
	for (; x < n; x++, out += 4)
		for (int k = 0; k < 4; k++) out[k] = (uint16_t) (lo[k][x] | hi[k][x] << 8);
}

// rgba_layout is where the four requested channels of each line of a
// chunk's unpacked bytes lie (at, bytes from the line's start) and where
// their pixels go: line y to base + y * stride (values).
typedef struct {
	uint16_t* base;
	uint64_t stride;
	uint64_t at[4], line_bytes;
} rgba_layout;

// rgba_layout_of reads the layout from d's channel pointers. Each line
// holds every channel's values, channel after channel; the four channels
// with an output pointer go to the slots their pointers name
// (point_channels aims slot k at pixel + k).
static exr_result_t rgba_layout_of(const exr_decode_pipeline_t* d, rgba_layout* o)
{
	int seen = 0;
	memset(o, 0, sizeof *o);
	for (int c = 0; c < d->channel_count; c++) {
		uint16_t* p = (uint16_t*) d->channels[c].decode_to_ptr;
		if (p != NULL && (o->base == NULL || p < o->base))
			o->base = p, o->stride = (uint64_t) d->channels[c].user_line_stride / 2;
	}
	for (int c = 0; c < d->channel_count; c++) {
		const exr_coding_channel_info_t* ch = d->channels + c;
		if (ch->decode_to_ptr != NULL) {
			ptrdiff_t k = (uint16_t*) ch->decode_to_ptr - o->base;
			if (k > 3 || (seen & (1 << k))) return EXR_ERR_INVALID_ARGUMENT;
			o->at[k] = o->line_bytes;
			seen |= 1 << k;
		}
		o->line_bytes += (uint64_t) ch->width * (uint64_t) ch->bytes_per_element;
	}
	if (seen != 15 || o->line_bytes * (uint64_t) d->chunk.height != d->chunk.unpacked_size)
		return EXR_ERR_INVALID_ARGUMENT;
	return EXR_ERR_SUCCESS;
}

// rgba_half_from interleaves the unpacked chunk bytes at in.
static exr_result_t rgba_half_from(exr_decode_pipeline_t* d, const uint8_t* in)
{
	rgba_layout o;
	exr_result_t rv = rgba_layout_of(d, &o);
	if (rv != EXR_ERR_SUCCESS || in == NULL) return EXR_ERR_INVALID_ARGUMENT;
	for (int32_t y = 0; y < d->chunk.height; y++, in += o.line_bytes) {
		const uint16_t* s[4];
		for (int k = 0; k < 4; k++) s[k] = (const uint16_t*) (in + o.at[k]);
		interleave4(o.base + (uint64_t) y * o.stride, s, d->chunk.width);
	}
	return EXR_ERR_SUCCESS;
}

// unpack_rgba_half is the unpack_and_convert_fn flick_rgba_unpack_pick
// installs.
static exr_result_t unpack_rgba_half(exr_decode_pipeline_t* d) { return rgba_half_from(d, d->unpacked_buffer); }
#endif

int flick_rgba_unpacking(const exr_decode_pipeline_t* d)
{
#ifdef FLICK_UNPACK_SSE2
	return d->unpack_and_convert_fn == unpack_rgba_half;
#else
	(void) d;
	return 0;
#endif
}

exr_result_t flick_rgba_unpack_from(exr_decode_pipeline_t* d, const uint8_t* in)
{
#ifdef FLICK_UNPACK_SSE2
	return rgba_half_from(d, in);
#else
	(void) d, (void) in;
	return EXR_ERR_INVALID_ARGUMENT;
#endif
}

exr_result_t flick_rgba_unpack_split(exr_decode_pipeline_t* d, const uint8_t* in)
{
#ifdef FLICK_UNPACK_SSE2
	rgba_layout o;
	const uint64_t half = d->chunk.unpacked_size / 2;
	// Every channel takes 2 or 4 bytes a value, so lines and channels start
	// at even bytes: value i of the unpacked bytes is in[i] | in[half + i] << 8.
	if (rgba_layout_of(d, &o) != EXR_ERR_SUCCESS || in == NULL || o.line_bytes % 2 != 0)
		return EXR_ERR_INVALID_ARGUMENT;
	for (int32_t y = 0; y < d->chunk.height; y++) {
		const uint8_t *lo[4], *hi[4];
		for (int k = 0; k < 4; k++) {
			lo[k] = in + ((uint64_t) y * o.line_bytes + o.at[k]) / 2;
			hi[k] = lo[k] + half;
		}
		interleave4_split(o.base + (uint64_t) y * o.stride, lo, hi, d->chunk.width);
	}
	return EXR_ERR_SUCCESS;
#else
	(void) d, (void) in;
	return EXR_ERR_INVALID_ARGUMENT;
#endif
}

exr_result_t flick_unpack_done(exr_decode_pipeline_t* d)
{
	(void) d;
	return EXR_ERR_SUCCESS;
}

void flick_rgba_unpack_pick(exr_decode_pipeline_t* d)
{
#ifdef FLICK_UNPACK_SSE2
	int outputs = 0;
	int32_t stride = 0;
	for (int c = 0; c < d->channel_count; c++) {
		const exr_coding_channel_info_t* ch = d->channels + c;
		if (ch->x_samples != 1 || ch->y_samples != 1) return;
		if (ch->decode_to_ptr == NULL) continue;
		if (outputs++ == 0) stride = ch->user_line_stride;
		if (ch->data_type != EXR_PIXEL_HALF || ch->user_data_type != EXR_PIXEL_HALF ||
			ch->user_bytes_per_element != 2 || ch->user_pixel_stride != 8 || ch->user_line_stride != stride ||
			ch->width != d->chunk.width)
			return;
	}
	if (outputs == 4 && d->unpack_and_convert_fn != NULL) d->unpack_and_convert_fn = unpack_rgba_half;
#else
	(void) d;
#endif
}

int flick_lanes_of(const exr_decode_pipeline_t* d, flick_lanes* o)
{
	uint8_t* lo = NULL;
	int n = 0;
	memset(o, 0, sizeof *o);
	for (int c = 0; c < d->channel_count; c++) {
		const exr_coding_channel_info_t* ch = d->channels + c;
		if (ch->x_samples != 1 || ch->y_samples != 1) return 0;
		if (ch->decode_to_ptr == NULL) continue;
		if (ch->data_type != EXR_PIXEL_HALF || ch->user_data_type != EXR_PIXEL_HALF ||
			ch->user_bytes_per_element != 2 || ch->user_pixel_stride != 8 ||
			(n++ > 0 && ch->user_line_stride != o->line))
			return 0;
		o->line = ch->user_line_stride;
		if (lo == NULL || ch->decode_to_ptr < lo) lo = ch->decode_to_ptr;
	}
	if (n == 0) return 0;
	for (int k = 0; k < 4; k++) o->channel[k] = -1;
	for (int c = 0; c < d->channel_count; c++) {
		const exr_coding_channel_info_t* ch = d->channels + c;
		if (ch->decode_to_ptr == NULL) continue;
		ptrdiff_t off = ch->decode_to_ptr - lo;
		if (off % 2 != 0 || off >= 8 || o->channel[off / 2] >= 0) return 0;
		o->channel[off / 2] = c;
		o->lanes |= 1 << (off / 2);
	}
	o->win = lo;
	return 1;
}

exr_result_t flick_lanes_stored(const exr_decode_pipeline_t* d, const flick_lanes* o)
{
	const uint8_t* in = d->packed_buffer;
	const uint64_t size = d->chunk.packed_size;
	uint64_t pos = 0;
	for (int32_t y = 0; y < d->chunk.height; y++) {
		for (int c = 0; c < d->channel_count; c++) {
			const exr_coding_channel_info_t* ch = d->channels + c;
			uint64_t nx = (uint64_t) (ch->width > 0 ? ch->width : 0), n = nx * (uint64_t) ch->bytes_per_element;
			if (size - pos < n) {
				flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "stored chunk of %llu bytes ends inside channel %s",
					(unsigned long long) size, ch->channel_name);
				return EXR_ERR_CORRUPT_CHUNK;
			}
			for (int k = 0; k < 4; k++) {
				if (o->channel[k] != c) continue;
				uint8_t* out = o->win + (int64_t) y * o->line + 2 * k;
				for (uint64_t x = 0; x < nx; x++) memcpy(out + 8 * x, in + pos + 2 * x, 2);
			}
			pos += n;
		}
	}
	return EXR_ERR_SUCCESS;
}

void flick_lanes_put(const flick_lanes* o, int32_t y, const uint16_t* const src[4], int32_t w)
{
	uint16_t* out = (uint16_t*) (o->win + (int64_t) y * o->line);
	// Without all four lanes the window does not start at a pixel but at
	// the first requested slot, and the last one of the line would reach
	// past its pixel: it goes value by value.
	const int32_t whole = o->lanes == 15 ? w : w - 1;
#ifdef FLICK_UNPACK_SSE2
	interleave4(out, src, whole);
#else
	for (int32_t x = 0; x < whole; x++)
		for (int k = 0; k < 4; k++) out[4 * x + k] = src[k][x];
#endif
	for (int32_t x = whole; x < w; x++)
		for (int k = 0; k < 4; k++)
			if (o->lanes & (1 << k)) out[4 * x + k] = src[k][x];
}
