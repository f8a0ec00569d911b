// deflate.c: ZIP and ZIPS chunks inflated with libdeflate instead of the
// library's zlib path (Debian's zlib inflate and scalar predictor are about
// 2.7x slower), and RLE chunks expanded here. What follows the inflate or
// the expansion, the predictor and the byte interleave, is the same
// computation as OpenEXR 3.1.5's internal_zip.c (SIMD here, scalar in
// Debian's build), so the output is bit-identical; chunks_test.go holds
// flick's and the library's decompressors equal.

#include "bridge_internal.h"

#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#define FLICK_X86 1
#include <emmintrin.h>
#include <smmintrin.h>
#include <tmmintrin.h>
#endif

// One decompressor per thread, made on first use and freed when the thread
// exits (the key's destructor). Decode workers are long-lived threads, so
// this is one allocation per worker.
static _Thread_local struct libdeflate_decompressor* tls_dec;
static pthread_key_t dec_key;
static pthread_once_t dec_once = PTHREAD_ONCE_INIT;
static int dec_key_ok;

static void free_decompressor(void* p) { libdeflate_free_decompressor(p); }

static void make_key(void) { dec_key_ok = pthread_key_create(&dec_key, free_decompressor) == 0; }

struct libdeflate_decompressor* flick_inflater(void)
{
	if (tls_dec != NULL) return tls_dec;
	pthread_once(&dec_once, make_key);
	struct libdeflate_decompressor* d = libdeflate_alloc_decompressor();
	if (d == NULL) return NULL;
	if (dec_key_ok) pthread_setspecific(dec_key, d);
	tls_dec = d;
	return d;
}

// The predictor: each byte was stored as the difference to the one before,
// plus 128. reconstruct_scalar is the library's scalar loop.
static void reconstruct_scalar(uint8_t* buf, uint64_t n)
{
	for (uint64_t i = 1; i < n; i++) buf[i] = (uint8_t) (buf[i - 1] + buf[i] - 128);
}

// The first half of the buffer holds the even bytes, the second the odd.
static void interleave_scalar(uint8_t* out, const uint8_t* src, uint64_t n, uint64_t from)
{
	const uint8_t* t1 = src + (from + 1) / 2;
	const uint8_t* t2 = src + (n + 1) / 2 + from / 2;
	for (uint64_t i = from; i < n; i++) out[i] = (i % 2 == 0) ? *t1++ : *t2++;
}

#ifdef FLICK_X86
// A prefix sum of 16 bytes at a time (the algorithm of the library's SSE4.1
// build; Debian's is built without it).
__attribute__((target("sse4.1"))) static void reconstruct_sse41(uint8_t* buf, uint64_t n)
{
	if (n == 0) return;
	const __m128i bias = _mm_set1_epi8(-128), last = _mm_set1_epi8(15);
	__m128i prev = _mm_setzero_si128();
	uint64_t i = 0;
	buf[0] += 128; // the first byte has no bias; the loop takes it off again
	for (; i + 16 <= n; i += 16) {
		__m128i d = _mm_add_epi8(_mm_loadu_si128((const __m128i*) (buf + i)), bias);
		d = _mm_add_epi8(d, _mm_slli_si128(d, 1));
		d = _mm_add_epi8(d, _mm_slli_si128(d, 2));
		d = _mm_add_epi8(d, _mm_slli_si128(d, 4));
		d = _mm_add_epi8(d, _mm_slli_si128(d, 8));
		d = _mm_add_epi8(d, prev);
		_mm_storeu_si128((__m128i*) (buf + i), d);
		prev = _mm_shuffle_epi8(d, last);
	}
	// Under 16 bytes p starts at 0 and the pre-flipped first byte comes out
	// as it was.
	uint8_t p = (uint8_t) _mm_extract_epi8(prev, 15);
	for (; i < n; i++) p = buf[i] = (uint8_t) (p + buf[i] - 128);
}

static void interleave_sse2(uint8_t* out, const uint8_t* src, uint64_t n)
{
	const uint8_t* a = src;
	const uint8_t* b = src + (n + 1) / 2;
	uint64_t i = 0;
	for (; i + 32 <= n; i += 32, a += 16, b += 16) {
		__m128i x = _mm_loadu_si128((const __m128i*) a), y = _mm_loadu_si128((const __m128i*) b);
		_mm_storeu_si128((__m128i*) (out + i), _mm_unpacklo_epi8(x, y));
		_mm_storeu_si128((__m128i*) (out + i + 16), _mm_unpackhi_epi8(x, y));
	}
	interleave_scalar(out, src, n, i);
}
#endif

// reconstruct undoes the predictor in place.
static void reconstruct(uint8_t* buf, uint64_t n, int simd)
{
#ifdef FLICK_X86
	if (simd && __builtin_cpu_supports("sse4.1")) {
		reconstruct_sse41(buf, n);
		return;
	}
#endif
	(void) simd;
	reconstruct_scalar(buf, n);
}

// flick_zip_undo turns inflated bytes in scratch (n of them; overwritten)
// into the chunk's unpacked bytes in out.
void flick_zip_undo(uint8_t* out, uint8_t* scratch, uint64_t n, int simd)
{
	reconstruct(scratch, n, simd);
#ifdef FLICK_X86
	if (simd) {
		interleave_sse2(out, scratch, n);
		return;
	}
#endif
	interleave_scalar(out, scratch, n, 0);
}

// fused says whether the pipeline's unpack step is left to the decompress
// step, which then writes the destination itself (read.c's pick_steps).
static int fused(const exr_decode_pipeline_t* d) { return d->unpack_and_convert_fn == flick_unpack_done; }

// finish_split ends a ZIP or RLE chunk whose expanded bytes are in tmp:
// the predictor, then the interleave into the unpacked buffer, or, fused,
// into the destination's RGBA pixels without the unpacked buffer between.
static exr_result_t finish_split(exr_decode_pipeline_t* d, uint8_t* tmp, uint64_t n)
{
	if (!fused(d)) {
		flick_zip_undo(d->unpacked_buffer, tmp, n, 1);
		return EXR_ERR_SUCCESS;
	}
	reconstruct(tmp, n, 1);
	return flick_rgba_unpack_split(d, tmp);
}

// flick_scratch: the library frees the scratch buffer in
// exr_decoding_destroy with the context's free_fn, which is free
// (flick_initializer), so malloc is its pair here.
void* flick_scratch(exr_decode_pipeline_t* d, uint64_t n)
{
	if (d->scratch_buffer_1 != NULL && d->scratch_alloc_size_1 >= n) return d->scratch_buffer_1;
	if (d->scratch_buffer_1 != NULL && d->scratch_alloc_size_1 > 0) free(d->scratch_buffer_1);
	d->scratch_buffer_1 = NULL;
	d->scratch_alloc_size_1 = 0;
	if (n > FLICK_MAX_ALLOC) return NULL;
	d->scratch_buffer_1 = malloc(n);
	if (d->scratch_buffer_1 != NULL) d->scratch_alloc_size_1 = n;
	return d->scratch_buffer_1;
}

// begin_chunk does what ZIP, PXR24 and RLE chunks share: an empty chunk
// has nothing to do and one that did not shrink was stored as is (*tmp
// NULL, as the library does; fused, its bytes go to the destination now);
// otherwise *tmp is the scratch buffer of the unpacked size to expand the
// packed bytes into.
static exr_result_t begin_chunk(exr_decode_pipeline_t* d, const char* kind, uint8_t** tmp)
{
	uint64_t packed = d->chunk.packed_size, n = d->chunk.unpacked_size;
	*tmp = NULL;
	if (packed == 0) return EXR_ERR_SUCCESS;
	if (packed == n) {
		if (fused(d)) return flick_rgba_unpack_from(d, d->packed_buffer);
		if (d->unpacked_buffer != d->packed_buffer) memcpy(d->unpacked_buffer, d->packed_buffer, n);
		return EXR_ERR_SUCCESS;
	}
	// exr_decoding_run sizes unpacked_buffer before calling us.
	if (d->packed_buffer == NULL || (!fused(d) && (d->unpacked_buffer == NULL || d->unpacked_alloc_size < n))) {
		flick_msg_report(EXR_ERR_INVALID_ARGUMENT, "%s chunk: no buffer for %llu bytes", kind, (unsigned long long) n);
		return EXR_ERR_INVALID_ARGUMENT;
	}
	*tmp = flick_scratch(d, n);
	return *tmp == NULL ? EXR_ERR_OUT_OF_MEMORY : EXR_ERR_SUCCESS;
}

// inflate_chunk is begin_chunk, then inflates the packed bytes into the
// scratch buffer (*tmp, *got bytes, at most the unpacked size).
static exr_result_t inflate_chunk(exr_decode_pipeline_t* d, const char* kind, uint8_t** tmp, size_t* got,
	enum libdeflate_result* res)
{
	exr_result_t rv = begin_chunk(d, kind, tmp);
	if (rv != EXR_ERR_SUCCESS || *tmp == NULL) return rv;
	struct libdeflate_decompressor* dec = flick_inflater();
	if (dec == NULL) {
		*tmp = NULL;
		return EXR_ERR_OUT_OF_MEMORY;
	}
	*got = 0;
	*res = libdeflate_zlib_decompress(dec, d->packed_buffer, d->chunk.packed_size, *tmp, d->chunk.unpacked_size, got);
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_zip_decompress(exr_decode_pipeline_t* d)
{
	uint64_t packed = d->chunk.packed_size, n = d->chunk.unpacked_size;
	uint8_t* tmp;
	size_t got;
	enum libdeflate_result res;
	exr_result_t rv = inflate_chunk(d, "ZIP", &tmp, &got, &res);
	if (rv != EXR_ERR_SUCCESS || tmp == NULL) return rv;
	if (res != LIBDEFLATE_SUCCESS || got != n) {
		flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "ZIP chunk of %llu bytes does not inflate to %llu bytes (%s)",
			(unsigned long long) packed, (unsigned long long) n,
			res == LIBDEFLATE_SUCCESS ? "short" : res == LIBDEFLATE_INSUFFICIENT_SPACE ? "too long" : "bad data");
		return EXR_ERR_CORRUPT_CHUNK;
	}
	return finish_split(d, tmp, n);
}

// flick_unrle undoes OpenEXR's run-length coding of packed bytes into out (n
// bytes): a negative count byte -c is followed by c literal bytes, a
// non-negative c by one byte repeated c+1 times. It returns 0 unless the
// data does not fill out exactly.
int flick_unrle(uint8_t* out, uint64_t n, const uint8_t* in, uint64_t packed)
{
	uint64_t at = 0;
	const uint8_t* end = in + packed;
	while (in < end) {
		int c = (int8_t) *in++;
		if (c < 0) {
			uint64_t k = (uint64_t) -c;
			if ((uint64_t) (end - in) < k || n - at < k) return -1;
			memcpy(out + at, in, k);
			in += k;
			at += k;
		} else {
			uint64_t k = (uint64_t) c + 1;
			if (in == end || n - at < k) return -1;
			memset(out + at, *in++, k);
			at += k;
		}
	}
	return at == n ? 0 : -1;
}

exr_result_t flick_rle_decompress(exr_decode_pipeline_t* d)
{
	uint64_t packed = d->chunk.packed_size, n = d->chunk.unpacked_size;
	uint8_t* tmp;
	exr_result_t rv = begin_chunk(d, "RLE", &tmp);
	if (rv != EXR_ERR_SUCCESS || tmp == NULL) return rv;
	if (flick_unrle(tmp, n, d->packed_buffer, packed) != 0) {
		flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "RLE chunk of %llu bytes does not expand to %llu bytes",
			(unsigned long long) packed, (unsigned long long) n);
		return EXR_ERR_CORRUPT_CHUNK;
	}
	return finish_split(d, tmp, n);
}

int flick_stored_chunk(exr_decode_pipeline_t* d, exr_result_t* rv)
{
	uint64_t packed = d->chunk.packed_size, n = d->chunk.unpacked_size;
	if (packed != n || packed == 0) return 0;
	*rv = EXR_ERR_SUCCESS;
	if (d->packed_buffer == NULL) {
		flick_msg_report(EXR_ERR_INVALID_ARGUMENT, "stored chunk: no buffer for %llu bytes", (unsigned long long) n);
		*rv = EXR_ERR_INVALID_ARGUMENT;
	} else if (d->unpacked_buffer == NULL || d->unpacked_alloc_size < n) {
		// As the library does for uncompressed chunks: unpack from the
		// packed bytes (an unpacked buffer of size 0 is not freed).
		if (d->unpacked_buffer != NULL && d->unpacked_alloc_size > 0) free(d->unpacked_buffer);
		d->unpacked_buffer = d->packed_buffer;
		d->unpacked_alloc_size = 0;
	} else if (d->unpacked_buffer != d->packed_buffer) {
		memcpy(d->unpacked_buffer, d->packed_buffer, n);
	}
	return 1;
}

// pxr24_lines undoes PXR24's byte planes and differences: in holds got
// inflated bytes; out gets the chunk's n unpacked bytes. The same loop as
// the library's (internal_pxr24.c), with its checks.
static exr_result_t pxr24_lines(const exr_decode_pipeline_t* d, uint8_t* out, uint64_t n, const uint8_t* in, uint64_t got)
{
	uint64_t nout = 0, ndec = 0;
	for (int y = 0; y < d->chunk.height; y++) {
		int cury = y + d->chunk.start_y;
		for (int c = 0; c < d->channel_count; c++) {
			const exr_coding_channel_info_t* ch = d->channels + c;
			uint64_t w = (uint64_t) (ch->width > 0 ? ch->width : 0);
			uint64_t nbytes = w * (uint64_t) ch->bytes_per_element;
			if (ch->height == 0 || (ch->y_samples > 1 && (cury % ch->y_samples) != 0)) continue;
			uint64_t planes = ch->data_type == EXR_PIXEL_HALF ? 2 : ch->data_type == EXR_PIXEL_FLOAT ? 3 : 4;
			if (nout + nbytes > n || ndec + planes * w > got) return EXR_ERR_CORRUPT_CHUNK;
			const uint8_t* p0 = in + ndec;
			const uint8_t* p1 = p0 + w;
			const uint8_t* p2 = p1 + w;
			const uint8_t* p3 = p2 + w;
			uint32_t pixel = 0;
			switch (ch->data_type) {
			case EXR_PIXEL_HALF:
				for (uint64_t x = 0; x < w; x++) {
					pixel += ((uint32_t) p0[x] << 8) | p1[x];
					uint16_t v = (uint16_t) pixel;
					memcpy(out + nout + 2 * x, &v, 2);
				}
				break;
			case EXR_PIXEL_FLOAT:
				for (uint64_t x = 0; x < w; x++) {
					pixel += ((uint32_t) p0[x] << 24) | ((uint32_t) p1[x] << 16) | ((uint32_t) p2[x] << 8);
					memcpy(out + nout + 4 * x, &pixel, 4);
				}
				break;
			case EXR_PIXEL_UINT:
				for (uint64_t x = 0; x < w; x++) {
					pixel += ((uint32_t) p0[x] << 24) | ((uint32_t) p1[x] << 16) | ((uint32_t) p2[x] << 8) | p3[x];
					memcpy(out + nout + 4 * x, &pixel, 4);
				}
				break;
			default:
				return EXR_ERR_INVALID_ARGUMENT;
			}
			ndec += planes * w;
			nout += nbytes;
		}
	}
	return nout == n ? EXR_ERR_SUCCESS : EXR_ERR_CORRUPT_CHUNK;
}

exr_result_t flick_pxr24_decompress(exr_decode_pipeline_t* d)
{
	uint64_t packed = d->chunk.packed_size, n = d->chunk.unpacked_size;
	uint8_t* tmp;
	size_t got;
	enum libdeflate_result res;
	exr_result_t rv = inflate_chunk(d, "PXR24", &tmp, &got, &res);
	if (rv != EXR_ERR_SUCCESS || tmp == NULL) return rv;
	// FLOAT channels keep 3 bytes of 4: the data may inflate to less than n.
	rv = res == LIBDEFLATE_SUCCESS ? pxr24_lines(d, d->unpacked_buffer, n, tmp, got) : EXR_ERR_CORRUPT_CHUNK;
	if (rv != EXR_ERR_SUCCESS)
		flick_msg_report(rv, "PXR24 chunk of %llu bytes does not decode to %llu bytes", (unsigned long long) packed,
			(unsigned long long) n);
	return rv;
}
