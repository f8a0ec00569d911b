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
// interleave4 writes n pixels to out, 4 values a pixel, value k from s[k].
static void interleave4(uint16_t* out, const uint16_t* const s[4], int32_t n)
{
	int32_t x = 0;
	for (; x + 8 <= n; x += 8, out += 32) {
		__m128i a = _mm_loadu_si128((const __m128i*) (s[0] + x)), b = _mm_loadu_si128((const __m128i*) (s[1] + x));
		__m128i c = _mm_loadu_si128((const __m128i*) (s[2] + x)), d = _mm_loadu_si128((const __m128i*) (s[3] + x));
		__m128i ab0 = _mm_unpacklo_epi16(a, b), ab1 = _mm_unpackhi_epi16(a, b);
		__m128i cd0 = _mm_unpacklo_epi16(c, d), cd1 = _mm_unpackhi_epi16(c, d);
		_mm_storeu_si128((__m128i*) out, _mm_unpacklo_epi32(ab0, cd0));
		_mm_storeu_si128((__m128i*) (out + 8), _mm_unpackhi_epi32(ab0, cd0));
		_mm_storeu_si128((__m128i*) (out + 16), _mm_unpacklo_epi32(ab1, cd1));
		_mm_storeu_si128((__m128i*) (out + 24), _mm_unpackhi_epi32(ab1, cd1));
	}
	for (; x < n; x++, out += 4)
		for (int k = 0; k < 4; k++) out[k] = s[k][x];
}

// rgba_half_from interleaves the unpacked chunk bytes at in. Each line
// holds every channel's values, channel after channel; the four channels
// with an output pointer go to the slots their pointers name
// (point_channels aims slot k at pixel + k).
static exr_result_t rgba_half_from(exr_decode_pipeline_t* d, const uint8_t* in)
{
	uint64_t at[4] = {0}, line_bytes = 0;
	uint16_t* base = NULL;
	uint64_t stride = 0; // in values
	int seen = 0;
	for (int c = 0; c < d->channel_count; c++) {
		uint16_t* p = (uint16_t*) d->channels[c].decode_to_ptr;
		if (p != NULL && (base == NULL || p < base)) base = p, stride = (uint64_t) d->channels[c].user_line_stride / 2;
	}
	for (int c = 0; c < d->channel_count; c++) {
		const exr_coding_channel_info_t* ch = d->channels + c;
		if (ch->decode_to_ptr != NULL) {
			ptrdiff_t k = (uint16_t*) ch->decode_to_ptr - base;
			if (k > 3 || (seen & (1 << k))) return EXR_ERR_INVALID_ARGUMENT;
			at[k] = line_bytes;
			seen |= 1 << k;
		}
		line_bytes += (uint64_t) ch->width * (uint64_t) ch->bytes_per_element;
	}
	const int32_t w = d->chunk.width, h = d->chunk.height;
	if (seen != 15 || in == NULL || line_bytes * (uint64_t) h != d->chunk.unpacked_size)
		return EXR_ERR_INVALID_ARGUMENT;
	for (int32_t y = 0; y < h; y++, in += line_bytes) {
		const uint16_t* s[4];
		for (int k = 0; k < 4; k++) s[k] = (const uint16_t*) (in + at[k]);
		interleave4(base + (uint64_t) y * stride, s, w);
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
