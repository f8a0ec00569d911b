// piz.c: PIZ decompression for Core's pipeline (scanline and tiled parts),
// the format's steps as OpenEXR 3.1's PizCompressor takes them: the range
// bitmap and its look-up table, the Huffman step (flick's, huf.c, shared
// with dwa.c), the 2D wavelet, the table, the lines. Three steps are done
// differently, to the same bytes (TestPIZMatchesLibrary):
//   - the Huffman code is decoded with its cursor in registers, up to two
//     values a table look-up (huf.c);
//   - the wavelet's finest level, three quarters of its work, decodes eight
//     2x2 blocks at a time with SSE2;
//   - the table is applied while the lines are written out, straight into
//     the destination when the pipeline's unpack step is flick_unpack_done
//     (four HALF channels into RGBA), instead of in a pass of its own before
//     a copy.

#include "bridge_internal.h"
#include "huf.h"

#include <stdlib.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FLICK_PIZ_SSE2 1
#include <emmintrin.h>
#endif

enum { PIZ_BITMAP = 8192, PIZ_VALUES = 65536 };

// wdec14 and wdec16 are the library's inverse Haar steps: without modulo
// arithmetic for data under 1 << 14, with it otherwise.
static inline void wdec14(uint16_t l, uint16_t h, uint16_t* a, uint16_t* b)
{
	int hi = (int16_t) h;
	int ai = (int16_t) l + (hi & 1) + (hi >> 1);
	*a = (uint16_t) ai;
	*b = (uint16_t) (ai - hi);
}

static inline void wdec16(uint16_t l, uint16_t h, uint16_t* a, uint16_t* b)
{
	int bb = ((int) l - ((int) h >> 1)) & 0xffff;
	*b = (uint16_t) bb;
	*a = (uint16_t) (((int) h + bb - 0x8000) & 0xffff);
}

static inline void wdec(int w14, uint16_t l, uint16_t h, uint16_t* a, uint16_t* b)
{
	if (w14)
		wdec14(l, h, a, b);
	else
		wdec16(l, h, a, b);
}

// block decodes one 2x2 block: p00 and p01 on one row, p10 and p11 below.
static inline void block(int w14, uint16_t* p00, uint16_t* p01, uint16_t* p10, uint16_t* p11)
{
	uint16_t i00, i01, i10, i11;
	wdec(w14, *p00, *p10, &i00, &i10);
	wdec(w14, *p01, *p11, &i01, &i11);
	wdec(w14, i00, i01, p00, p01);
	wdec(w14, i10, i11, p10, p11);
}

#ifdef FLICK_PIZ_SSE2
static inline void wdec14x8(__m128i l, __m128i h, __m128i* a, __m128i* b)
{
	__m128i av = _mm_add_epi16(_mm_add_epi16(l, _mm_and_si128(h, _mm_set1_epi16(1))), _mm_srai_epi16(h, 1));
	*a = av;
	*b = _mm_sub_epi16(av, h);
}

static inline void wdec16x8(__m128i l, __m128i h, __m128i* a, __m128i* b)
{
	__m128i bv = _mm_sub_epi16(l, _mm_srli_epi16(h, 1));
	*b = bv;
	*a = _mm_sub_epi16(_mm_add_epi16(h, bv), _mm_set1_epi16((short) 0x8000));
}

// split loads 16 values and parts them into the even and the odd ones
// (sign-extended to 32 bits and packed back, which cannot saturate).
static inline void split(const uint16_t* p, __m128i* even, __m128i* odd)
{
	__m128i v0 = _mm_loadu_si128((const __m128i*) p), v1 = _mm_loadu_si128((const __m128i*) (p + 8));
	*even = _mm_packs_epi32(_mm_srai_epi32(_mm_slli_epi32(v0, 16), 16), _mm_srai_epi32(_mm_slli_epi32(v1, 16), 16));
	*odd = _mm_packs_epi32(_mm_srai_epi32(v0, 16), _mm_srai_epi32(v1, 16));
}

static inline void join(uint16_t* p, __m128i even, __m128i odd)
{
	_mm_storeu_si128((__m128i*) p, _mm_unpacklo_epi16(even, odd));
	_mm_storeu_si128((__m128i*) (p + 8), _mm_unpackhi_epi16(even, odd));
}
#endif

// finest decodes the nb 2x2 blocks of rows r0 and r1 at the finest level
// of a channel whose values are adjacent (x offset 1).
static void finest(int w14, uint16_t* r0, uint16_t* r1, int nb)
{
	int k = 0;
#ifdef FLICK_PIZ_SSE2
	for (; k + 8 <= nb; k += 8) {
		__m128i e0, o0, e1, o1, i00, i01, i10, i11;
		split(r0 + 2 * k, &e0, &o0);
		split(r1 + 2 * k, &e1, &o1);
		if (w14) {
			wdec14x8(e0, e1, &i00, &i10);
			wdec14x8(o0, o1, &i01, &i11);
			wdec14x8(i00, i01, &e0, &o0);
			wdec14x8(i10, i11, &e1, &o1);
		} else {
			wdec16x8(e0, e1, &i00, &i10);
			wdec16x8(o0, o1, &i01, &i11);
			wdec16x8(i00, i01, &e0, &o0);
			wdec16x8(i10, i11, &e1, &o1);
		}
		join(r0 + 2 * k, e0, o0);
		join(r1 + 2 * k, e1, o1);
	}
#endif
	for (; k < nb; k++) block(w14, r0 + 2 * k, r0 + 2 * k + 1, r1 + 2 * k, r1 + 2 * k + 1);
}

// flick_wav2_decode is the library's wav2Decode (ImfWav.cpp): in holds
// nx x ny values, ox apart in a row and oy apart between rows, transformed
// in place; mx is the largest value before the transform.
void flick_wav2_decode(uint16_t* in, int nx, int ox, int ny, int oy, uint16_t mx)
{
	const int w14 = mx < (1 << 14);
	int n = nx > ny ? ny : nx, p = 1, p2;
	while (p <= n) p <<= 1;
	p >>= 1;
	p2 = p;
	p >>= 1;
	for (; p >= 1; p2 = p, p >>= 1) {
		uint16_t* py = in;
		uint16_t* ey = in + (ptrdiff_t) oy * (ny - p2);
		const ptrdiff_t oy1 = (ptrdiff_t) oy * p, oy2 = (ptrdiff_t) oy * p2;
		const ptrdiff_t ox1 = (ptrdiff_t) ox * p, ox2 = (ptrdiff_t) ox * p2;
		for (; py <= ey; py += oy2) {
			uint16_t* px = py;
			if (p == 1 && ox == 1) {
				int nb = nx / 2;
				finest(w14, py, py + oy1, nb);
				px = py + 2 * nb;
			} else {
				uint16_t* ex = py + (ptrdiff_t) ox * (nx - p2);
				for (; px <= ex; px += ox2) block(w14, px, px + ox1, px + oy1, px + oy1 + ox1);
			}
			if (nx & p) { // the odd column
				uint16_t i00;
				wdec(w14, *px, px[oy1], &i00, px + oy1);
				*px = i00;
			}
		}
		if (ny & p) { // the odd line
			uint16_t* px = py;
			uint16_t* ex = py + (ptrdiff_t) ox * (nx - p2);
			for (; px <= ex; px += ox2) {
				uint16_t i00;
				wdec(w14, *px, px[ox1], &i00, px + ox1);
				*px = i00;
			}
		}
	}
}

// reverse_lut fills lut with the values the bitmap marks (0 always), in
// order, and zeros after them; it returns the index of the last value.
// Bytes lo to hi of the bitmap are the only ones that can be set.
static uint16_t reverse_lut(const uint8_t bitmap[PIZ_BITMAP], int lo, int hi, uint16_t lut[PIZ_VALUES])
{
	int k = 0;
	lut[k++] = 0;
	for (int i = lo; i <= hi; i++) {
		unsigned b = bitmap[i];
		if (i == 0) b &= ~1u; // value 0 is in the table already
		for (; b != 0; b &= b - 1) lut[k++] = (uint16_t) (8 * i + __builtin_ctz(b));
	}
	int last = k - 1;
	memset(lut + k, 0, sizeof(uint16_t) * (size_t) (PIZ_VALUES - k));
	return (uint16_t) last;
}

// plane is one channel's samples in the decoded chunk.
typedef struct {
	uint16_t* start;
	int32_t nx, ny, ys, size; // size: 16-bit values a sample
} plane;

static int64_t floor_mod(int64_t a, int64_t b)
{
	int64_t m = a % b;
	return m < 0 ? m + b : m;
}

// lines_out writes the decoded planes through lut as the chunk's unpacked
// bytes: line after line, each sampled channel's values in turn.
static void lines_out(const exr_decode_pipeline_t* d, plane* pl, const uint16_t* lut, uint16_t* out)
{
	for (int32_t j = 0; j < d->chunk.height; j++) {
		int64_t y = (int64_t) d->chunk.start_y + j;
		for (int c = 0; c < d->channel_count; c++) {
			if (floor_mod(y, pl[c].ys) != 0) continue;
			int64_t n = (int64_t) pl[c].nx * pl[c].size;
			for (int64_t i = 0; i < n; i++) out[i] = lut[pl[c].start[i]];
			out += n;
			pl[c].start += n;
		}
	}
}

// rgba_out writes the four HALF channels with an output pointer through lut
// into their slots of the destination (see unpack.c).
static exr_result_t rgba_out(const exr_decode_pipeline_t* d, const plane* pl, const uint16_t* lut)
{
	uint16_t* base = NULL;
	uint64_t stride = 0;
	const uint16_t* src[4] = {NULL, NULL, NULL, NULL};
	for (int c = 0; c < d->channel_count; c++) {
		uint16_t* p = (uint16_t*) d->channels[c].decode_to_ptr;
		if (p != NULL && (base == NULL || p < base)) base = p, stride = (uint64_t) d->channels[c].user_line_stride / 2;
	}
	for (int c = 0; c < d->channel_count; c++) {
		uint16_t* p = (uint16_t*) d->channels[c].decode_to_ptr;
		if (p == NULL) continue;
		ptrdiff_t k = p - base;
		if (k > 3 || src[k] != NULL || pl[c].ny != d->chunk.height || pl[c].nx != d->chunk.width)
			return EXR_ERR_INVALID_ARGUMENT;
		src[k] = pl[c].start;
	}
	for (int k = 0; k < 4; k++)
		if (src[k] == NULL) return EXR_ERR_INVALID_ARGUMENT;
	const int32_t w = d->chunk.width;
	for (int32_t j = 0; j < d->chunk.height; j++) {
		uint16_t* o = base + (uint64_t) j * stride;
		const uint64_t row = (uint64_t) j * (uint64_t) w;
		for (int32_t x = 0; x < w; x++, o += 4) { // one 8-byte store a pixel
			uint64_t v = (uint64_t) lut[src[0][row + x]] | (uint64_t) lut[src[1][row + x]] << 16 |
				(uint64_t) lut[src[2][row + x]] << 32 | (uint64_t) lut[src[3][row + x]] << 48;
			memcpy(o, &v, sizeof v);
		}
	}
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_piz_decompress(exr_decode_pipeline_t* d)
{
	exr_result_t rv = EXR_ERR_SUCCESS;
	const int fused = d->unpack_and_convert_fn == flick_unpack_done;
	if (flick_stored_chunk(d, &rv))
		return rv == EXR_ERR_SUCCESS && fused ? flick_rgba_unpack_from(d, d->unpacked_buffer) : rv;

	const uint64_t packed = d->chunk.packed_size, n = d->chunk.unpacked_size;
	const uint8_t* in = d->packed_buffer;
	const uint8_t* end = in + packed;
	if (in == NULL || (!fused && d->unpacked_buffer == NULL)) {
		flick_msg_report(EXR_ERR_INVALID_ARGUMENT, "PIZ chunk of %llu bytes: no buffer", (unsigned long long) packed);
		return EXR_ERR_INVALID_ARGUMENT;
	}

	plane pl[d->channel_count > 0 ? d->channel_count : 1];
	uint64_t total = 0; // 16-bit values
	for (int c = 0; c < d->channel_count; c++) {
		const exr_coding_channel_info_t* ch = d->channels + c;
		pl[c] = (plane) {NULL, ch->width, ch->height, ch->y_samples, ch->bytes_per_element / 2};
		if (ch->width < 0 || ch->height < 0 || ch->y_samples < 1 || (pl[c].size != 1 && pl[c].size != 2))
			return EXR_ERR_INVALID_ARGUMENT;
		total += (uint64_t) ch->width * (uint64_t) ch->height * (uint64_t) pl[c].size;
	}
	if (2 * total != n || total > INT32_MAX) {
		flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "PIZ chunk: channels hold %llu bytes, the chunk %llu",
			(unsigned long long) (2 * total), (unsigned long long) n);
		return EXR_ERR_CORRUPT_CHUNK;
	}

	// Header: the bitmap's first and last byte, the bitmap, the Huffman
	// data's length.
	uint8_t bitmap[PIZ_BITMAP] = {0};
	if (end - in < 4) goto short_data;
	uint16_t lo = (uint16_t) (in[0] | in[1] << 8), hi = (uint16_t) (in[2] | in[3] << 8);
	in += 4;
	if (hi >= PIZ_BITMAP) {
		flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "PIZ chunk: bitmap ends at byte %u of %d", hi, PIZ_BITMAP);
		return EXR_ERR_CORRUPT_CHUNK;
	}
	if (lo <= hi) {
		if (end - in < hi - lo + 1) goto short_data;
		memcpy(bitmap + lo, in, (size_t) (hi - lo + 1));
		in += hi - lo + 1;
	}
	if (end - in < 4) goto short_data;
	int32_t length = (int32_t) ((uint32_t) in[0] | (uint32_t) in[1] << 8 | (uint32_t) in[2] << 16 | (uint32_t) in[3] << 24);
	in += 4;
	if (length < 0 || length > end - in) {
		flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "PIZ chunk: Huffman data of %d bytes in %lld", length,
			(long long) (end - in));
		return EXR_ERR_CORRUPT_CHUNK;
	}

	// Scratch: the table, the chunk's values, the Huffman decoder's.
	uint16_t* lut = flick_scratch(d, sizeof(uint16_t) * PIZ_VALUES + n + flick_huf_uncompress_scratch((uint64_t) length, total));
	if (lut == NULL) return EXR_ERR_OUT_OF_MEMORY;
	uint16_t* tmp = lut + PIZ_VALUES;
	const uint16_t max_value = reverse_lut(bitmap, lo, hi, lut);
	const int huf = flick_huf_uncompress(in, (uint64_t) length, tmp, total, (uint8_t*) tmp + n);
	if (huf != FLICK_HUF_OK) {
		flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "PIZ chunk of %llu bytes: %s", (unsigned long long) packed,
			flick_huf_error(huf));
		return EXR_ERR_CORRUPT_CHUNK;
	}

	uint16_t* at = tmp;
	for (int c = 0; c < d->channel_count; c++) {
		pl[c].start = at;
		for (int j = 0; j < pl[c].size; j++)
			flick_wav2_decode(at + j, pl[c].nx, pl[c].size, pl[c].ny, pl[c].nx * pl[c].size, max_value);
		at += (uint64_t) pl[c].nx * (uint64_t) pl[c].ny * (uint64_t) pl[c].size;
	}
	if (fused) return rgba_out(d, pl, lut);
	lines_out(d, pl, lut, d->unpacked_buffer);
	return EXR_ERR_SUCCESS;

short_data:
	flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "PIZ chunk of %llu bytes is too short", (unsigned long long) packed);
	return EXR_ERR_CORRUPT_CHUNK;
}
