// dwa.c: DWAA and DWAB chunks, scanline and tiled, decoded by flick.
// OpenEXR 3.1.5's Core has no DWA decoder; the C++ API's
// (ImfDwaCompressor.cpp, which codec.cpp wraps) Huffman-decodes a chunk's
// AC values into a buffer, run-length decodes them, and writes per-channel
// planes, then its line buffer, which unpack.c interleaves into the
// destination: the Huffman and run-length steps are nearly half its time.
// Here, for
// the common request (HALF channels into lanes of interleaved pixels,
// nothing subsampled, a CPU with AVX2 and F16C), a chunk is decoded 8 lines
// at a time into rows that stay in the cache and are interleaved straight
// into the destination, and the parts of the chunk no requested channel
// needs (the alpha's run-length data when only colour is asked for, say)
// are not decoded at all.
//
// The output is bit-identical to the library's: the same channel rules
// and classification, its Huffman code for the AC coefficients (huf.c's
// decoder, see ac_block), zlib streams
// inflated with libdeflate, and the library's arithmetic, in its order:
// the inverse DCT of its AVX path (dctInverse8x8_avx, skipping the rows it
// skips), the inverse Rec.709 colour transform, F16C's float-to-half
// (Imath's for blocks with no AC coefficients), and the nonlinear-to-linear
// table, computed here from dwaLookups.cpp's formula (the same 65536
// values as the library's). dwa_test.go compares the two; any other
// request keeps the library's decoder (codec.cpp for scanline chunks; tiled
// ones go to the C++ reader, route.go).

#include "bridge_internal.h"
#include "huf.h"

#include <libdeflate.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#define IMATH_HALF_NO_LOOKUP_TABLE
#include <half.h>

#if defined(__x86_64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FLICK_DWA 1
#include <immintrin.h>
#define DWA_AVX __attribute__((target("avx2,f16c")))
#define DWA_AVX512 __attribute__((target("avx2,f16c,avx512f,avx512bw,avx512vl,avx512vbmi2,popcnt,lzcnt")))
#endif

#ifdef FLICK_DWA

// The chunk header: NUM_SIZES 64-bit little-endian counts.
enum {
	VERSION,
	UNKNOWN_UNCOMPRESSED_SIZE,
	UNKNOWN_COMPRESSED_SIZE,
	AC_COMPRESSED_SIZE,
	DC_COMPRESSED_SIZE,
	RLE_COMPRESSED_SIZE,
	RLE_UNCOMPRESSED_SIZE,
	RLE_RAW_SIZE,
	AC_UNCOMPRESSED_COUNT,
	DC_UNCOMPRESSED_COUNT,
	AC_COMPRESSION,
	NUM_SIZES
};

enum { SCHEME_UNKNOWN, SCHEME_LOSSY_DCT, SCHEME_RLE, NUM_SCHEMES };
enum { AC_STATIC_HUFFMAN, AC_DEFLATE };

// A channel rule: channels whose name ends in suffix (after the last dot)
// and of type are stored with scheme; csc >= 0 puts them in slot csc of
// their layer's R'G'B' set.
typedef struct {
	const char* suffix;
	int len, scheme, type, csc, nocase;
} dwa_rule;

// The rules of chunks older than version 2, which carry none.
static const dwa_rule legacy_rules[] = {
	{"r", 1, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, 0, 1},
	{"r", 1, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, 0, 1},
	{"red", 3, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, 0, 1},
	{"red", 3, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, 0, 1},
	{"g", 1, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, 1, 1},
	{"g", 1, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, 1, 1},
	{"grn", 3, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, 1, 1},
	{"grn", 3, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, 1, 1},
	{"green", 5, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, 1, 1},
	{"green", 5, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, 1, 1},
	{"b", 1, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, 2, 1},
	{"b", 1, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, 2, 1},
	{"blu", 3, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, 2, 1},
	{"blu", 3, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, 2, 1},
	{"blue", 4, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, 2, 1},
	{"blue", 4, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, 2, 1},
	{"y", 1, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, -1, 1},
	{"y", 1, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, -1, 1},
	{"by", 2, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, -1, 1},
	{"by", 2, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, -1, 1},
	{"ry", 2, SCHEME_LOSSY_DCT, EXR_PIXEL_HALF, -1, 1},
	{"ry", 2, SCHEME_LOSSY_DCT, EXR_PIXEL_FLOAT, -1, 1},
	{"a", 1, SCHEME_RLE, EXR_PIXEL_UINT, -1, 1},
	{"a", 1, SCHEME_RLE, EXR_PIXEL_HALF, -1, 1},
	{"a", 1, SCHEME_RLE, EXR_PIXEL_FLOAT, -1, 1},
};

// At most this many rules a chunk (a version 2 chunk has room for 21845;
// the library writes 15).
#define DWA_MAX_RULES 256

// zigzag[k] is where the k-th coefficient in zig-zag order lies in the
// row-major 8x8 block.
static const uint8_t zigzag[64] = {
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
};

// The AC values come from OpenEXR's 16-bit Huffman code (huf.h): the
// library's decoder and the run-length step after it were half of its DWA
// time. A request that needs all of them has them decoded in one go by
// huf.c's whole-stream decode (two cursors side by side), which is faster
// still, and on a CPU with AVX-512 (VBMI2's compress and expand) each
// block's are placed at once (ac_block512), not a value at a time; any
// other is decoded as the blocks need them, as far as they go.

// dwa_ac is a cursor into a chunk's AC values: through the Huffman code
// (h != NULL), or a buffer of them (p to end: huf.c's whole-stream decode,
// or DWA's DEFLATE mode, which OpenEXR's writer does not use).
typedef struct {
	const flick_huf* h;
	const uint8_t* in; // the next byte to load into buf
	uint64_t buf;      // the upcoming bits, left-aligned (nb of them counted)
	int nb;
	uint32_t rep;     // repeats of last still to give
	uint16_t last;    // the last value given
	uint64_t left;    // values still to give (the header's count)
	const uint16_t *p, *end;
} dwa_ac;

// ac_put stores AC value v, run-length coded, at zig-zag index z of hz:
// 0xff00 ends the block, 0xffnn skips nn zeros, anything else is the next
// coefficient. It returns the next index (64 or more: the block is done)
// and keeps in *last the index of the last non-zero coefficient. The
// values do not predict, so nothing branches on them: a run stores a zero
// where one is already, and the end of the block jumps past it.
static inline int ac_put(uint16_t* hz, int z, int v, int* last)
{
	const int n = v & 0xff;
	const int lit = -((v >> 8) != 0xff); // all ones for a value, 0 for a run
	hz[zigzag[z]] = (uint16_t) (v & lit);
	*last = (*last & ~lit) | (z & lit);
	return z + ((1 & lit) | ((n + ((n == 0) << 6)) & ~lit));
}

// unzigzag[j] is the zig-zag index of row-major position j: zigzag's
// inverse.
static const uint16_t unzigzag[64] = {
	0, 1, 5, 6, 14, 15, 27, 28, 2, 4, 7, 13, 16, 26, 29, 42, 3, 8, 12, 17, 25, 30, 41, 43, 9, 11, 18, 24, 31, 40, 44, 53,
	10, 19, 23, 32, 39, 45, 52, 54, 20, 22, 33, 38, 46, 51, 55, 60, 21, 34, 37, 47, 50, 56, 59, 61, 35, 36, 48, 49, 57, 58, 62, 63,
};

// lane[i] is i: a vector's lane numbers.
static const uint16_t lane[32] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};

// ac_avx512 says whether ac_block takes buffered values a block at a time
// with AVX-512 (ac_block512): this CPU's answer (ac_cpu, once), or what
// the tests set (flick_dwa_ac_avx512), to hold each path to the library.
static int ac_avx512;
static pthread_once_t ac_cpu_once = PTHREAD_ONCE_INIT;

static void ac_cpu(void)
{
	__atomic_store_n(&ac_avx512,
		__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
			__builtin_cpu_supports("avx512vbmi2"),
		__ATOMIC_RELAXED);
}

// ac_block512 is ac_block for values in a buffer, a block's worth at once:
// the values' steps (1 for a value, nn for a run of nn zeros, 256 for the
// block's end) summed across the vector give each value's zig-zag index,
// those under 64 are the block's, and the values (runs left out) are
// expanded into the indices of theirs, then put in row-major order. The
// per-value loop's chain of indices, stores and branches goes.
DWA_AVX512 static int ac_block512(dwa_ac* a, uint16_t* hz)
{
	const uint16_t* const p = a->p;
	const uint64_t avail = (uint64_t) (a->end - p);
	const __mmask32 in0 = avail >= 32 ? ~(__mmask32) 0 : (__mmask32) ((1u << avail) - 1);
	const __mmask32 in1 = avail >= 64 ? ~(__mmask32) 0 : avail <= 32 ? 0 : (__mmask32) ((1u << (avail - 32)) - 1);
	// The lanes past the buffer's end load nothing (masked loads do
	// not fault) and are left out below.
	const __m512i v[2] = {_mm512_maskz_loadu_epi16(in0, p), _mm512_maskz_loadu_epi16(in1, p + 32)};
	const __m512i one = _mm512_set1_epi16(1);
	__m512i step[2], sum[2];
	__mmask32 lit[2];
	for (int h = 0; h < 2; h++) {
		lit[h] = _mm512_cmplt_epu16_mask(v[h], _mm512_set1_epi16((short) 0xff00));
		// A run's step: (nn - 1) & 0xff, plus 1.
		const __m512i run = _mm512_add_epi16(_mm512_and_si512(_mm512_sub_epi16(v[h], one), _mm512_set1_epi16(0xff)), one);
		__m512i x = step[h] = _mm512_mask_mov_epi16(run, lit[h], one);
		// Inclusive prefix sums of the steps (at most 64 * 256: no
		// overflow), lane i - s added to lane i.
#define UP(sh)                                                                                                         \
	x = _mm512_add_epi16(x, _mm512_maskz_permutexvar_epi16(~(__mmask32) ((1u << (sh)) - 1),                               \
				    _mm512_sub_epi16(_mm512_loadu_si512(lane), _mm512_set1_epi16(sh)), x))
		UP(1);
		UP(2);
		UP(4);
		UP(8);
		UP(16);
#undef UP
		sum[h] = x;
	}
	sum[1] = _mm512_add_epi16(sum[1], _mm512_permutexvar_epi16(_mm512_set1_epi16(31), sum[0]));
	// Each value's index is 1 + the steps before it; the block's values
	// are those under 64, and the last of them must end the block (its
	// index plus step 64 or more), else the values run out.
	__mmask32 in[2], ends = 0;
	__m512i z[2];
	for (int h = 0; h < 2; h++) {
		z[h] = _mm512_add_epi16(_mm512_sub_epi16(sum[h], step[h]), one);
		in[h] = _mm512_cmplt_epu16_mask(z[h], _mm512_set1_epi16(64)) & (h == 0 ? in0 : in1);
		ends |= _mm512_mask_cmpge_epu16_mask(in[h], sum[h], _mm512_set1_epi16(63));
		lit[h] &= in[h];
	}
	if (ends == 0) return -1;
	const int n = __builtin_popcount(in[0]) + __builtin_popcount(in[1]);
	// mask: a bit at the index of each of the block's values (runs left
	// out).
	__m512i bits = _mm512_setzero_si512();
#define BITS(h, q)                                                                                                     \
	bits = _mm512_or_si512(bits, _mm512_maskz_sllv_epi64((__mmask8) (lit[h] >> (8 * (q))), _mm512_set1_epi64(1),          \
					     _mm512_cvtepu16_epi64(_mm512_extracti32x4_epi32(z[h], q))))
	BITS(0, 0);
	BITS(0, 1);
	BITS(0, 2);
	BITS(0, 3);
	if (n > 32) {
		BITS(1, 0);
		BITS(1, 1);
		BITS(1, 2);
		BITS(1, 3);
	}
#undef BITS
	const uint64_t mask = (uint64_t) _mm512_reduce_or_epi64(bits);
	// The values in order (runs left out: the first 32 in seq[0], the
	// rest in seq[1]), then spread to their indices over hz's (its DC
	// value, zeros), the first 32 indices' from seq's start, the others'
	// from where those end (m0). In registers: through memory, the loads
	// would wait for the stores they straddle.
	const int n0 = __builtin_popcount(lit[0]);
	const __m512i c0 = _mm512_maskz_compress_epi16(lit[0], v[0]), c1 = _mm512_maskz_compress_epi16(lit[1], v[1]);
	const __m512i at = _mm512_loadu_si512(lane);
	const __m512i seq0 = n0 == 32 ? c0 : _mm512_mask_expand_epi16(c0, ~(__mmask32) 0 << n0, c1);
	const __m512i seq1 = _mm512_permutexvar_epi16(_mm512_add_epi16(at, _mm512_set1_epi16((short) (32 - n0))), c1);
	const int m0 = __builtin_popcountll(mask & 0xffffffff);
	const __m512i zz0 = _mm512_mask_expand_epi16(_mm512_loadu_si512(hz), (__mmask32) mask, seq0);
	const __m512i zz1 = _mm512_maskz_expand_epi16(
		(__mmask32) (mask >> 32), _mm512_permutex2var_epi16(seq0, _mm512_add_epi16(at, _mm512_set1_epi16((short) m0)), seq1));
	_mm512_storeu_si512(hz, _mm512_permutex2var_epi16(zz0, _mm512_loadu_si512(unzigzag), zz1));
	_mm512_storeu_si512(hz + 32, _mm512_permutex2var_epi16(zz0, _mm512_loadu_si512(unzigzag + 32), zz1));
	a->p = p + n;
	a->left -= (uint64_t) n;
	return mask == 0 ? 0 : 63 - __builtin_clzll(mask);
}

// ac_block reads one block's AC values from a into hz (row-major, zeroed),
// as ac_put stores them. It returns the zig-zag index of the last non-zero
// coefficient (0: none), or -1 when the values or the bits run out or a
// code is invalid. The cursor lives in locals (registers) meanwhile.
DWA_AVX static inline int ac_block(dwa_ac* a, uint16_t* hz)
{
	int last = 0;
	if (a->h == NULL) {
		// The values are in a buffer (left is what end - p says).
		if (__atomic_load_n(&ac_avx512, __ATOMIC_RELAXED)) return ac_block512(a, hz);
		const uint16_t* p = a->p;
		for (int z = 1; z < 64;) {
			if (__builtin_expect(p == a->end, 0)) return -1;
			z = ac_put(hz, z, *p++, &last);
		}
		a->left -= (uint64_t) (p - a->p);
		a->p = p;
		return last;
	}
	const flick_huf* const t = a->h;
	const uint8_t* in = a->in;
	uint64_t buf = a->buf, left = a->left;
	int nb = a->nb, prev = a->last;
	uint32_t rep = a->rep;
	for (int z = 1; z < 64;) {
		if (__builtin_expect(left == 0, 0)) return -1;
		left--;
		int v;
		if (rep > 0) {
			rep--;
			v = prev;
		} else {
			if (__builtin_expect((v = flick_huf_next(t, &in, &buf, &nb)) < 0, 0)) return -1;
			if (__builtin_expect(v == t->rlc, 0)) {
				// The last value again, 8 bits of count times (0: none).
				const uint32_t n = flick_huf_count(&buf, &nb);
				if (n == 0) {
					left++;
					continue;
				}
				rep = n - 1;
				v = prev;
			}
			prev = v;
		}
		z = ac_put(hz, z, v, &last);
	}
	a->in = in;
	a->buf = buf;
	a->left = left;
	a->nb = nb;
	a->last = (uint16_t) prev;
	a->rep = rep;
	return (uint64_t) (in - t->bits) * 8 - (uint64_t) nb > t->nbits ? -1 : last;
}

// A decoder is one lossy DCT stream: a layer's R'G'B' set (3 channels,
// colour transformed) or a lossy channel on its own (1).
typedef struct {
	int n;                  // channels: 1 or 3
	int chan[3];            // their indices
	int linear;             // 1: the values are linear already (pLinear, single channels only)
	int wanted;             // a channel of it is requested
	dwa_ac ac;              // its AC values
	const uint16_t* dc;     // where its DC values start
} dwa_decoder;

// dwa_chunk is one chunk's plan.
typedef struct {
	int32_t w, h, nbx, nby;
	int scheme[FLICK_MAX_CHANNELS];
	int ndec;
	dwa_decoder dec[FLICK_MAX_CHANNELS];
	uint64_t unknown_at[FLICK_MAX_CHANNELS], rle_at[FLICK_MAX_CHANNELS]; // a channel's plane offset in its scheme's buffer
	uint64_t unknown_size, rle_size;                                      // the planes' total sizes
	int want_unknown, want_rle, want_dct;
} dwa_chunk;

// The nonlinear-to-linear table (dwaLookups.cpp's generateToLinear): the
// library's dwaCompressorToLinear, which it does not export. Made once.
static uint16_t to_linear[65536 + 2];
static pthread_once_t to_linear_once = PTHREAD_ONCE_INIT;

DWA_AVX static uint16_t f16c_half(float f) { return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT); }

static void make_to_linear(void)
{
	const float log_base = (float) pow(2.7182818, 2.2);
	for (int i = 1; i < 65536; i++) {
		if ((i & 0x7c00) == 0x7c00) continue; // NaN and infinity map to 0
		const float h = imath_half_to_float((uint16_t) i);
		const float sign = h < 0 ? -1.0f : 1.0f;
		float v;
		if (fabsf(h) <= 1.0)
			v = sign * powf(fabsf(h), 2.2f);
		else
			v = sign * powf(log_base, (float) ((double) fabsf(h) - 1.0));
		to_linear[i] = f16c_half(v);
	}
}

static int get_u16(const uint8_t* p) { return p[0] | p[1] << 8; }

static uint64_t get_u64(const uint8_t* p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
	return v;
}

static exr_result_t corrupt(const exr_decode_pipeline_t* d, const char* what)
{
	flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "%s chunk at line %d: %s",
		d->chunk.compression == EXR_COMPRESSION_DWAB ? "DWAB" : "DWAA", d->chunk.start_y, what);
	return EXR_ERR_CORRUPT_CHUNK;
}

// parse_rules reads a version 2 chunk's rules (size bytes at p) into r, as
// the library's Classifier(ptr, size) does; it returns how many, or -1.
static int parse_rules(const uint8_t* p, uint64_t size, dwa_rule* r)
{
	int n = 0;
	while (size > 0) {
		if (n == DWA_MAX_RULES) return -1;
		const uint8_t* nul = memchr(p, 0, size < 256 ? size : 256);
		if (nul == NULL) return -1;
		const uint64_t len = (uint64_t) (nul - p);
		if (size < len + 3) return -1;
		const int value = (int8_t) p[len + 1], type = (int8_t) p[len + 2];
		r[n] = (dwa_rule) {(const char*) p, (int) len, (value >> 2) & 3, type, (value >> 4) - 1, value & 1};
		if (r[n].csc < -1 || r[n].csc >= 3 || r[n].scheme >= NUM_SCHEMES || type < 0 || type > EXR_PIXEL_FLOAT)
			return -1;
		p += len + 3;
		size -= len + 3;
		n++;
	}
	return n;
}

static int rule_matches(const dwa_rule* r, const char* suffix, int len, int type)
{
	if (r->type != type || r->len != len) return 0;
	if (!r->nocase) return memcmp(r->suffix, suffix, (size_t) len) == 0;
	for (int i = 0; i < len; i++) {
		int c = (unsigned char) suffix[i];
		if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
		if (c != (unsigned char) r->suffix[i]) return 0;
	}
	return 1;
}

// A layer's R'G'B' set candidate, keyed by the channel name before the last
// dot.
typedef struct {
	const char* prefix;
	int len;
	int idx[3];
} dwa_set;

static int set_less(const dwa_set* a, const dwa_set* b)
{
	int c = memcmp(a->prefix, b->prefix, (size_t) (a->len < b->len ? a->len : b->len));
	return c < 0 || (c == 0 && a->len < b->len);
}

// classify gives each channel its scheme and lists the decoders in the
// library's order (classifyChannels, then uncompress): complete R'G'B' sets
// by prefix (std::map's order), then the other lossy channels in channel
// order. sets is scratch for one set per channel.
static int classify(const exr_decode_pipeline_t* d, const dwa_rule* rules, int nrules, dwa_chunk* k, dwa_set* sets)
{
	int nsets = 0;
	for (int c = 0; c < d->channel_count; c++) {
		const char* name = d->channels[c].channel_name;
		const char* dot = strrchr(name, '.');
		const char* suffix = dot != NULL ? dot + 1 : name;
		const int plen = dot != NULL ? (int) (dot - name) : 0;
		int s = 0;
		while (s < nsets && (sets[s].len != plen || memcmp(sets[s].prefix, name, (size_t) plen) != 0)) s++;
		if (s == nsets) sets[nsets++] = (dwa_set) {name, plen, {-1, -1, -1}};
		k->scheme[c] = SCHEME_UNKNOWN;
		for (int i = 0; i < nrules; i++) {
			if (!rule_matches(rules + i, suffix, (int) strlen(suffix), d->channels[c].data_type)) continue;
			k->scheme[c] = rules[i].scheme;
			if (rules[i].csc >= 0) sets[s].idx[rules[i].csc] = c;
		}
	}
	// Complete sets, sorted by prefix (insertion sort: there are few).
	int ncomplete = 0;
	for (int s = 0; s < nsets; s++) {
		if (sets[s].idx[0] < 0 || sets[s].idx[1] < 0 || sets[s].idx[2] < 0) continue;
		dwa_set t = sets[s];
		int i = ncomplete++;
		for (; i > 0 && set_less(&t, sets + i - 1); i--) sets[i] = sets[i - 1];
		sets[i] = t;
	}
	int in_set[FLICK_MAX_CHANNELS];
	for (int c = 0; c < d->channel_count; c++) in_set[c] = 0;
	k->ndec = 0;
	for (int s = 0; s < ncomplete; s++) {
		dwa_decoder* dec = k->dec + k->ndec++;
		*dec = (dwa_decoder) {.n = 3};
		for (int i = 0; i < 3; i++) {
			const int c = sets[s].idx[i];
			if (k->scheme[c] != SCHEME_LOSSY_DCT) return -1; // the library: "Bad DWA compression type"
			dec->chan[i] = c;
			in_set[c] = 1;
		}
	}
	for (int c = 0; c < d->channel_count; c++) {
		if (in_set[c] || k->scheme[c] != SCHEME_LOSSY_DCT) continue;
		dwa_decoder* dec = k->dec + k->ndec++;
		*dec = (dwa_decoder) {.n = 1, .chan = {c}, .linear = d->channels[c].p_linear != 0};
	}
	return 0;
}

// The inverse DCT's constants, as dctInverse8x8_avx has them.
#define A 3.535536e-01f
#define B 4.903927e-01f
#define C 4.619398e-01f
#define D 4.157349e-01f
#define E 2.777855e-01f
#define F 1.913422e-01f
#define G 9.754573e-02f

// idct_rows transforms rows 2i and 2i+1 of blk in place: the even and odd
// inputs times the columns of M1 and M2, summed in pairs, as
// IDCT_AVX_MMULT_ROWS does, then front and reversed back halves.
DWA_AVX static inline void idct_rows(float* blk, int i)
{
	const __m256 m1[4] = {
		_mm256_setr_ps(A, A, A, A, A, A, A, A),
		_mm256_setr_ps(C, F, -F, -C, C, F, -F, -C),
		_mm256_setr_ps(A, -A, -A, A, A, -A, -A, A),
		_mm256_setr_ps(F, -C, C, -F, F, -C, C, -F),
	};
	const __m256 m2[4] = {
		_mm256_setr_ps(B, D, E, G, B, D, E, G),
		_mm256_setr_ps(D, -G, -B, -E, D, -G, -B, -E),
		_mm256_setr_ps(E, -B, G, D, E, -B, G, D),
		_mm256_setr_ps(G, -E, D, -B, G, -E, D, -B),
	};
	const __m256 r0 = _mm256_load_ps(blk + 16 * i), r1 = _mm256_load_ps(blk + 16 * i + 8);
	const __m256 lo = _mm256_permute2f128_ps(r0, r1, 0x20), hi = _mm256_permute2f128_ps(r0, r1, 0x31);
	const __m256 ev = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
	const __m256 od = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
#define MMULT(x, m)                                                                                                    \
	_mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_permute_ps(x, 0x00), m[0]),                                   \
			      _mm256_mul_ps(_mm256_permute_ps(x, 0x55), m[1])),                                          \
		_mm256_add_ps(_mm256_mul_ps(_mm256_permute_ps(x, 0xaa), m[2]), _mm256_mul_ps(_mm256_permute_ps(x, 0xff), m[3])))
	const __m256 e = MMULT(ev, m1), o = MMULT(od, m2);
#undef MMULT
	const __m256 front = _mm256_add_ps(e, o);
	const __m256 back = _mm256_permute_ps(_mm256_sub_ps(e, o), 0x1b);
	_mm256_store_ps(blk + 16 * i, _mm256_permute2f128_ps(front, back, 0x20));
	_mm256_store_ps(blk + 16 * i + 8, _mm256_permute2f128_ps(front, back, 0x31));
}

// idct transforms blk (row-major, 32-byte aligned) in place, its rows from
// n on being zero (n from 1 to 8), with the library's AVX inverse DCT:
// the same operations in the same order, the ones on rows known to be
// zero left out as its ROWn() macros leave them out.
DWA_AVX static inline void idct(float* blk, const int n)
{
	idct_rows(blk, 0);
	if (n == 1) {
		const __m256 r = _mm256_mul_ps(_mm256_load_ps(blk), _mm256_set1_ps(A));
		for (int i = 0; i < 8; i++) _mm256_store_ps(blk + 8 * i, r);
		return;
	}
	if (n > 2) idct_rows(blk, 1);
	if (n > 4) idct_rows(blk, 2);
	if (n > 6) idct_rows(blk, 3);
	__m256 r[8];
	for (int i = 0; i < 8; i++) r[i] = i < n ? _mm256_load_ps(blk + 8 * i) : _mm256_setzero_ps();
	const __m256 a = _mm256_set1_ps(A), b = _mm256_set1_ps(B), c = _mm256_set1_ps(C), d = _mm256_set1_ps(D);
	const __m256 e = _mm256_set1_ps(E), f = _mm256_set1_ps(F), g = _mm256_set1_ps(G);
	// Odd outputs.
	__m256 o0 = _mm256_mul_ps(r[1], b);
	if (n > 3) o0 = _mm256_add_ps(o0, _mm256_mul_ps(r[3], d));
	if (n > 5) {
		__m256 t = _mm256_mul_ps(r[5], e);
		if (n > 7) t = _mm256_add_ps(t, _mm256_mul_ps(r[7], g));
		o0 = _mm256_add_ps(o0, t);
	}
	__m256 o1 = _mm256_mul_ps(r[1], d);
	if (n > 3) {
		__m256 t = _mm256_mul_ps(r[3], g);
		if (n > 5) t = _mm256_add_ps(t, _mm256_mul_ps(r[5], b));
		o1 = _mm256_sub_ps(o1, t);
	}
	if (n > 7) o1 = _mm256_sub_ps(o1, _mm256_mul_ps(r[7], e));
	__m256 o2 = _mm256_mul_ps(r[1], e);
	if (n > 3) o2 = _mm256_sub_ps(o2, _mm256_mul_ps(r[3], b));
	if (n > 5) o2 = _mm256_add_ps(o2, _mm256_mul_ps(r[5], g));
	if (n > 7) o2 = _mm256_add_ps(o2, _mm256_mul_ps(r[7], d));
	__m256 o3 = _mm256_mul_ps(r[1], g);
	if (n > 5) o3 = _mm256_add_ps(o3, _mm256_mul_ps(r[5], d));
	if (n > 3) {
		__m256 t = _mm256_mul_ps(r[3], e);
		if (n > 7) t = _mm256_add_ps(t, _mm256_mul_ps(r[7], b));
		o3 = _mm256_sub_ps(o3, t);
	}
	// Even outputs.
	__m256 p = _mm256_mul_ps(r[0], a), m = p;
	if (n > 4) {
		const __m256 t = _mm256_mul_ps(r[4], a);
		p = _mm256_add_ps(p, t);
		m = _mm256_sub_ps(m, t);
	}
	__m256 e0 = p, e1 = m, e2 = m, e3 = p;
	if (n > 2) {
		__m256 t = _mm256_mul_ps(r[2], c);
		if (n > 6) t = _mm256_add_ps(t, _mm256_mul_ps(r[6], f));
		e0 = _mm256_add_ps(p, t);
		e3 = _mm256_sub_ps(p, t);
		t = _mm256_mul_ps(r[2], f);
		if (n > 6) t = _mm256_sub_ps(t, _mm256_mul_ps(r[6], c));
		e1 = _mm256_add_ps(m, t);
		e2 = _mm256_sub_ps(m, t);
	}
	_mm256_store_ps(blk + 0, _mm256_add_ps(e0, o0));
	_mm256_store_ps(blk + 8, _mm256_add_ps(e1, o1));
	_mm256_store_ps(blk + 16, _mm256_add_ps(e2, o2));
	_mm256_store_ps(blk + 24, _mm256_add_ps(e3, o3));
	_mm256_store_ps(blk + 32, _mm256_sub_ps(e3, o3));
	_mm256_store_ps(blk + 40, _mm256_sub_ps(e2, o2));
	_mm256_store_ps(blk + 48, _mm256_sub_ps(e1, o1));
	_mm256_store_ps(blk + 56, _mm256_sub_ps(e0, o0));
}

#undef A
#undef B
#undef C
#undef D
#undef E
#undef F
#undef G

// rows_of is the number of leading rows of a block that may hold non-zero
// coefficients, from the zig-zag index of the last non-zero one (the
// library's choice of dctInverse8x8_N).
static int rows_of(int last)
{
	return last < 2 ? 1 : last < 3 ? 2 : last < 9 ? 3 : last < 10 ? 4 : last < 20 ? 5 : last < 21 ? 6 : last < 35 ? 7 : 8;
}

// decode_block_row decodes block row by of one decoder into the rows of its
// requested channels' lanes (out[i], 8 rows of stride values, NULL for a
// channel not asked for), advancing its AC cursor. It returns 0 if the AC
// values run out.
DWA_AVX static int decode_block_row(dwa_decoder* dec, const dwa_chunk* k, int32_t by,
	uint16_t* const out[3], int64_t stride)
{
	_Alignas(32) float blk[3][64];
	_Alignas(32) uint16_t hz[64];
	const uint64_t plane = (uint64_t) k->nbx * (uint64_t) k->nby;
	const uint16_t* lut = dec->linear ? NULL : to_linear;
	for (int32_t bx = 0; bx < k->nbx; bx++) {
		int constant = 1;
		for (int i = 0; i < dec->n; i++) {
			for (int j = 0; j < 64; j += 16) _mm256_store_si256((__m256i*) (hz + j), _mm256_setzero_si256());
			hz[0] = dec->dc[plane * (uint64_t) i + (uint64_t) by * (uint64_t) k->nbx + (uint64_t) bx];
			const int last = ac_block(&dec->ac, hz);
			if (last < 0) return 0;
			if (last == 0) {
				const float v = imath_half_to_float(hz[0]) * 3.535536e-01f * 3.535536e-01f;
				const __m256 s = _mm256_set1_ps(v);
				for (int j = 0; j < 64; j += 8) _mm256_store_ps(blk[i] + j, s);
			} else {
				constant = 0;
				for (int j = 0; j < 64; j += 8)
					_mm256_store_ps(blk[i] + j, _mm256_cvtph_ps(_mm_load_si128((const __m128i*) (hz + j))));
				idct(blk[i], rows_of(last));
			}
		}
		if (dec->n == 3) {
			// The inverse Rec.709 colour transform (csc709Inverse64).
			for (int j = 0; j < (constant ? 1 : 64); j += 8) {
				const __m256 y = _mm256_load_ps(blk[0] + j), cb = _mm256_load_ps(blk[1] + j), cr = _mm256_load_ps(blk[2] + j);
				_mm256_store_ps(blk[0] + j, _mm256_add_ps(y, _mm256_mul_ps(cr, _mm256_set1_ps(1.5747f))));
				_mm256_store_ps(blk[1] + j, _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(cb, _mm256_set1_ps(-0.1873f)), y),
								  _mm256_mul_ps(cr, _mm256_set1_ps(-0.4682f))));
				_mm256_store_ps(blk[2] + j, _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(1.8556f), cb), y));
			}
		}
		// Whole blocks go into the rows (their stride is the blocks'
		// width, and there are 8 of them), through the table with
		// gathers.
		for (int i = 0; i < dec->n; i++) {
			if (out[i] == NULL) continue;
			uint16_t* o = out[i] + 8 * bx;
			if (constant) {
				// The library converts a constant block's one value with
				// Imath, the others with F16C.
				const uint16_t h = imath_float_to_half(blk[i][0]);
				const __m128i v = _mm_set1_epi16((short) (lut != NULL ? lut[h] : h));
				for (int y = 0; y < 8; y++) _mm_storeu_si128((__m128i*) (o + y * stride), v);
				continue;
			}
			for (int y = 0; y < 8; y++) {
				__m128i h = _mm256_cvtps_ph(_mm256_load_ps(blk[i] + 8 * y), _MM_FROUND_TO_NEAREST_INT);
				if (lut != NULL) {
					// 32 bits from each value's entry (the table has a
					// spare one at its end), the low 16 kept.
					const __m256i g = _mm256_and_si256(
						_mm256_i32gather_epi32((const int*) lut, _mm256_cvtepu16_epi32(h), 2), _mm256_set1_epi32(0xffff));
					h = _mm_packus_epi32(_mm256_castsi256_si128(g), _mm256_extracti128_si256(g, 1));
				}
				_mm_storeu_si128((__m128i*) (o + y * stride), h);
			}
		}
	}
	return 1;
}

static size_t align64(uint64_t n) { return (size_t) ((n + 63) & ~(uint64_t) 63); }

// inflate inflates n bytes at in into exactly want bytes at out.
static int inflate(const uint8_t* in, uint64_t n, void* out, uint64_t want)
{
	struct libdeflate_decompressor* z = flick_inflater();
	size_t got = 0;
	return z != NULL && libdeflate_zlib_decompress(z, in, (size_t) n, out, (size_t) want, &got) == LIBDEFLATE_SUCCESS &&
	       got == want;
}

// dwa_data is what dwa_decode learns of one chunk: its header's sizes, its
// channel rules, where its compressed parts lie, and the scratch buffers
// the request needs.
typedef struct {
	uint64_t v[NUM_SIZES];
	const dwa_rule* rules;
	int nrules;
	uint64_t blocks;                           // 8x8 blocks a DCT plane has
	const uint8_t *unknown, *acz, *dcz, *rlez; // the compressed parts, one after the other
	int huffman;                               // the AC values are Huffman-coded, not deflated
	uint8_t *huf, *rle, *unknown_planes, *tmp; // the scratch buffers (dwa_scratch)
	uint16_t *acv, *dcv, *rowbuf;
	uint64_t stride; // of rowbuf's rows: the blocks' width
} dwa_data;

// dwa_header reads the chunk's sizes and channel rules (file_rules holds
// rules the chunk brings) and checks that its parts fit in it.
DWA_AVX static exr_result_t dwa_header(const exr_decode_pipeline_t* d, dwa_data* x, dwa_rule* file_rules)
{
	const uint8_t* in = d->packed_buffer;
	const uint64_t size = d->chunk.packed_size;
	uint64_t* v = x->v;
	if (size < 8 * NUM_SIZES) return corrupt(d, "truncated header");
	for (int i = 0; i < NUM_SIZES; i++) v[i] = get_u64(in + 8 * i);
	for (int i = 0; i < NUM_SIZES; i++)
		if (v[i] > size * 65536 + (1 << 30)) return corrupt(d, "a size in its header is out of range");
	uint64_t at = 8 * NUM_SIZES;
	const uint64_t packed = v[UNKNOWN_COMPRESSED_SIZE] + v[AC_COMPRESSED_SIZE] + v[DC_COMPRESSED_SIZE] + v[RLE_COMPRESSED_SIZE];
	if (v[VERSION] > 2) return corrupt(d, "unknown version");

	x->rules = legacy_rules;
	x->nrules = (int) (sizeof legacy_rules / sizeof legacy_rules[0]);
	if (v[VERSION] == 2) {
		if (size - at < 2) return corrupt(d, "truncated rules");
		const uint64_t rule_size = (uint64_t) get_u16(in + at);
		if (rule_size < 2 || size - at < rule_size) return corrupt(d, "truncated rules");
		x->nrules = parse_rules(in + at + 2, rule_size - 2, file_rules);
		if (x->nrules < 0) return corrupt(d, "bad channel rules");
		x->rules = file_rules;
		at += rule_size;
	}
	if (size - at < packed) return corrupt(d, "truncated data");
	// UNKNOWN data, AC, DC and RLE data follow each other.
	x->unknown = in + at;
	x->acz = x->unknown + v[UNKNOWN_COMPRESSED_SIZE];
	x->dcz = x->acz + v[AC_COMPRESSED_SIZE];
	x->rlez = x->dcz + v[DC_COMPRESSED_SIZE];
	return EXR_ERR_SUCCESS;
}

// dwa_plan works out what the request needs of the chunk (k's schemes,
// decoders, planes and wants) and checks the header's counts against it.
DWA_AVX static exr_result_t dwa_plan(const exr_decode_pipeline_t* d, dwa_chunk* k, dwa_data* x)
{
	const uint64_t* v = x->v;
	k->w = d->chunk.width;
	k->h = d->chunk.height;
	k->nbx = (k->w + 7) / 8;
	k->nby = (k->h + 7) / 8;
	dwa_set sets[FLICK_MAX_CHANNELS];
	if (classify(d, x->rules, x->nrules, k, sets) != 0) return corrupt(d, "a colour set holds a channel that is not lossy");

	// What the request needs, and where each channel's plane lies.
	const uint64_t pixels = (uint64_t) k->w * (uint64_t) k->h;
	k->unknown_size = k->rle_size = 0;
	k->want_unknown = k->want_rle = k->want_dct = 0;
	for (int c = 0; c < d->channel_count; c++) {
		const uint64_t bytes = pixels * (uint64_t) d->channels[c].bytes_per_element;
		const int wanted = d->channels[c].decode_to_ptr != NULL;
		if (k->scheme[c] == SCHEME_UNKNOWN) {
			k->unknown_at[c] = k->unknown_size;
			k->unknown_size += bytes;
			k->want_unknown |= wanted;
		} else if (k->scheme[c] == SCHEME_RLE) {
			k->rle_at[c] = k->rle_size;
			k->rle_size += bytes;
			k->want_rle |= wanted;
		}
	}
	x->blocks = (uint64_t) k->nbx * (uint64_t) k->nby;
	uint64_t dc_need = 0;
	for (int i = 0; i < k->ndec; i++) {
		dwa_decoder* dec = k->dec + i;
		for (int j = 0; j < dec->n; j++) dec->wanted |= d->channels[dec->chan[j]].decode_to_ptr != NULL;
		k->want_dct |= dec->wanted;
		dc_need += x->blocks * (uint64_t) dec->n;
	}
	const uint64_t nac = v[AC_UNCOMPRESSED_COUNT], ndc = v[DC_UNCOMPRESSED_COUNT];
	if (k->want_dct && (ndc < dc_need || ndc > dc_need + 64 || nac > dc_need * 63 || (nac > 0 && v[AC_COMPRESSED_SIZE] == 0) ||
				   (ndc > 0 && v[DC_COMPRESSED_SIZE] == 0)))
		return corrupt(d, "its AC and DC counts do not fit its channels");
	if (k->want_unknown && v[UNKNOWN_UNCOMPRESSED_SIZE] != k->unknown_size)
		return corrupt(d, "its uncompressed data does not fit its channels");
	if (k->want_rle && (v[RLE_RAW_SIZE] != k->rle_size || v[RLE_UNCOMPRESSED_SIZE] > 2 * k->rle_size + 64))
		return corrupt(d, "its run-length data does not fit its channels");

	x->huffman = v[AC_COMPRESSION] == AC_STATIC_HUFFMAN;
	if (k->want_dct && !x->huffman && v[AC_COMPRESSION] != AC_DEFLATE) return corrupt(d, "unknown AC compression");
	return EXR_ERR_SUCCESS;
}

// dwa_scratch points x's buffers at the pipeline's scratch: the parts the
// request needs, then the rows.
DWA_AVX static exr_result_t dwa_scratch(exr_decode_pipeline_t* d, const dwa_chunk* k, dwa_data* x)
{
	const uint64_t* v = x->v;
	const uint64_t nac = v[AC_UNCOMPRESSED_COUNT], ndc = v[DC_UNCOMPRESSED_COUNT], acn = v[AC_COMPRESSED_SIZE];
	x->stride = (uint64_t) k->nbx * 8;
	struct {
		uint64_t size;
		void** at;
	} part[8];
	int parts = 0;
	x->huf = x->rle = x->unknown_planes = x->tmp = NULL;
	x->acv = x->dcv = x->rowbuf = NULL;
#define PART(n, p) (part[parts++] = (typeof(part[0])) {(n), (void**) &(p)})
	if (k->want_dct) {
		if (x->huffman) PART(flick_huf_uncompress_scratch(acn, nac), x->huf);
		PART(2 * nac, x->acv);
		PART(2 * ndc, x->dcv);
	}
	if (k->want_rle) PART(k->rle_size, x->rle);
	if (k->want_unknown) PART(k->unknown_size, x->unknown_planes);
	PART(k->want_rle && v[RLE_UNCOMPRESSED_SIZE] > 2 * ndc ? v[RLE_UNCOMPRESSED_SIZE] : 2 * ndc, x->tmp);
	PART(2 * (4 * 8 * x->stride + x->stride), x->rowbuf);
#undef PART
	uint64_t total = 64;
	for (int i = 0; i < parts; i++) total += align64(part[i].size);
	uint8_t* s = flick_scratch(d, total);
	if (s == NULL) return EXR_ERR_OUT_OF_MEMORY;
	s = (uint8_t*) (((uintptr_t) s + 63) & ~(uintptr_t) 63);
	for (int i = 0; i < parts; i++) {
		*part[i].at = s;
		s += align64(part[i].size);
	}
	return EXR_ERR_SUCCESS;
}

// dwa_expand inflates the parts the request needs into the scratch and
// readies the AC cursor ac.
DWA_AVX static exr_result_t dwa_expand(const exr_decode_pipeline_t* d, const dwa_chunk* k, dwa_data* x, dwa_ac* ac)
{
	const uint64_t* v = x->v;
	const uint64_t nac = v[AC_UNCOMPRESSED_COUNT], ndc = v[DC_UNCOMPRESSED_COUNT], acn = v[AC_COMPRESSED_SIZE];
	if (k->want_unknown && k->unknown_size > 0 && !inflate(x->unknown, v[UNKNOWN_COMPRESSED_SIZE], x->unknown_planes, k->unknown_size))
		return corrupt(d, "its uncompressed data does not inflate");
	if (k->want_rle && k->rle_size > 0 &&
		(!inflate(x->rlez, v[RLE_COMPRESSED_SIZE], x->tmp, v[RLE_UNCOMPRESSED_SIZE]) ||
			flick_unrle(x->rle, k->rle_size, x->tmp, v[RLE_UNCOMPRESSED_SIZE]) != 0))
		return corrupt(d, "its run-length data does not expand");
	*ac = (dwa_ac) {.left = nac};
	if (!k->want_dct) return EXR_ERR_SUCCESS;
	if (x->huffman && nac > 0 && k->dec[k->ndec - 1].wanted &&
		flick_huf_uncompress(x->acz, acn, x->acv, nac, x->huf) == FLICK_HUF_OK) {
		// The request needs every AC value (its last decoder is asked
		// for), and PIZ's whole-stream decode (pair table, two cursors)
		// takes them faster than the blocks' cursor: the values it
		// accepts are the ones that cursor would give.
		ac->p = x->acv;
		ac->end = x->acv + nac;
	} else if (x->huffman && nac > 0) {
		// The blocks' cursor: for a request that needs only the first
		// decoders' values, and for a stream the whole-stream decode
		// refuses (the cursor decodes only as far as the blocks go, and
		// takes a run of none).
		if (flick_huf_open(&ac->h, x->acz, acn, x->huf) != FLICK_HUF_OK) return corrupt(d, "bad AC code table");
		ac->in = ac->h->bits;
	} else if (!x->huffman && nac > 0) {
		if (!inflate(x->acz, acn, x->acv, 2 * nac)) return corrupt(d, "its AC values do not inflate");
		ac->p = x->acv;
		ac->end = x->acv + nac;
	}
	// The DC values are ZIP-coded (predictor and interleave).
	if (!inflate(x->dcz, v[DC_COMPRESSED_SIZE], x->tmp, 2 * ndc)) return corrupt(d, "its DC values do not inflate");
	flick_zip_undo((uint8_t*) x->dcv, x->tmp, 2 * ndc, 1);
	return EXR_ERR_SUCCESS;
}

// dwa_start sets where each decoder's values start, reading through the
// decoders before the last one asked for, whose index goes to *last (-1:
// none).
DWA_AVX static exr_result_t dwa_start(const exr_decode_pipeline_t* d, dwa_chunk* k, const dwa_data* x, dwa_ac ac, int* last)
{
	const uint16_t* dc = x->dcv;
	*last = -1;
	for (int i = 0; i < k->ndec; i++)
		if (k->dec[i].wanted) *last = i;
	for (int i = 0; i <= *last; i++) {
		k->dec[i].ac = ac;
		k->dec[i].dc = dc;
		dc += x->blocks * (uint64_t) k->dec[i].n;
		_Alignas(32) uint16_t hz[64];
		for (uint64_t j = i < *last ? x->blocks * (uint64_t) k->dec[i].n : 0; j > 0; j--)
			if (ac_block(&ac, hz) < 0) return corrupt(d, "its AC values run out or do not decode");
	}
	return EXR_ERR_SUCCESS;
}

// dwa_rows goes block row by block row: the lossy lanes into rows, the
// others pointed at (UNKNOWN) or unpacked from their byte planes (RLE),
// then interleaved into the destination.
DWA_AVX static exr_result_t dwa_rows(const exr_decode_pipeline_t* d, const flick_lanes* o, dwa_chunk* k, const dwa_data* x, int last)
{
	const uint64_t stride = x->stride, pixels = (uint64_t) k->w * (uint64_t) k->h;
	uint16_t* const rowbuf = x->rowbuf;
	pthread_once(&to_linear_once, make_to_linear);
	uint16_t* const zeros = rowbuf + 4 * 8 * stride;
	memset(zeros, 0, 2 * (size_t) stride);
	const uint8_t *rle = x->rle, *unknown_planes = x->unknown_planes;
	for (int32_t by = 0; by < k->nby; by++) {
		const int32_t y0 = 8 * by, rows = k->h - y0 < 8 ? k->h - y0 : 8;
		for (int i = 0; i <= last; i++) {
			dwa_decoder* dec = k->dec + i;
			if (!dec->wanted) continue;
			uint16_t* out[3] = {NULL, NULL, NULL};
			for (int j = 0; j < dec->n; j++)
				for (int lane = 0; lane < 4; lane++)
					if (o->channel[lane] == dec->chan[j]) out[j] = rowbuf + lane * 8 * stride;
			if (!decode_block_row(dec, k, by, out, stride)) return corrupt(d, "too few AC values");
		}
		for (int32_t y = 0; y < rows; y++) {
			const uint16_t* src[4];
			for (int lane = 0; lane < 4; lane++) {
				const int c = o->channel[lane];
				const uint64_t row = (uint64_t) (y0 + y) * (uint64_t) k->w;
				if (c < 0) {
					src[lane] = zeros;
				} else if (k->scheme[c] == SCHEME_UNKNOWN) {
					src[lane] = (const uint16_t*) (unknown_planes + k->unknown_at[c]) + row;
				} else if (k->scheme[c] == SCHEME_RLE) {
					// HALF values as two byte planes, low bytes first.
					const uint8_t* lo = rle + k->rle_at[c] + row;
					const uint8_t* hi = lo + pixels;
					uint16_t* r = rowbuf + lane * 8 * stride + y * stride;
					int32_t x = 0;
					for (; x + 16 <= k->w; x += 16) {
						const __m128i l = _mm_loadu_si128((const __m128i*) (lo + x)), h = _mm_loadu_si128((const __m128i*) (hi + x));
						_mm_storeu_si128((__m128i*) (r + x), _mm_unpacklo_epi8(l, h));
						_mm_storeu_si128((__m128i*) (r + x + 8), _mm_unpackhi_epi8(l, h));
					}
					for (; x < k->w; x++) r[x] = (uint16_t) (lo[x] | hi[x] << 8);
					src[lane] = r;
				} else {
					src[lane] = rowbuf + lane * 8 * stride + y * stride;
				}
			}
			flick_lanes_put(o, y0 + y, src, k->w);
		}
	}
	return EXR_ERR_SUCCESS;
}

// dwa_decode decodes one compressed chunk into o's lanes: its header, what
// the request needs of it, scratch, the parts inflated, the decoders'
// starts, then the rows.
DWA_AVX static exr_result_t dwa_decode(exr_decode_pipeline_t* d, const flick_lanes* o, dwa_chunk* k)
{
	dwa_data x;
	dwa_rule file_rules[DWA_MAX_RULES];
	dwa_ac ac;
	int last;
	exr_result_t rv;
	if ((rv = dwa_header(d, &x, file_rules)) != EXR_ERR_SUCCESS || (rv = dwa_plan(d, k, &x)) != EXR_ERR_SUCCESS ||
		(rv = dwa_scratch(d, k, &x)) != EXR_ERR_SUCCESS || (rv = dwa_expand(d, k, &x, &ac)) != EXR_ERR_SUCCESS ||
		(rv = dwa_start(d, k, &x, ac, &last)) != EXR_ERR_SUCCESS)
		return rv;
	return dwa_rows(d, o, k, &x, last);
}

// dwa_fused is the decompress_fn flick_dwa_pick installs, with
// flick_unpack_done as the unpack step. Its plan is per thread: it is
// large (the channel tables), and a pipeline runs on one thread.
static exr_result_t dwa_fused(exr_decode_pipeline_t* d)
{
	static _Thread_local dwa_chunk k;
	flick_lanes o;
	if (!flick_lanes_of(d, &o)) {
		flick_msg_report(EXR_ERR_INVALID_ARGUMENT, "DWA chunk: the output layout changed between chunks");
		return EXR_ERR_INVALID_ARGUMENT;
	}
	if (d->chunk.packed_size == 0) return EXR_ERR_SUCCESS;
	if (d->packed_buffer == NULL || d->channel_count > FLICK_MAX_CHANNELS) {
		flick_msg_report(EXR_ERR_INVALID_ARGUMENT, "DWA chunk: no packed bytes");
		return EXR_ERR_INVALID_ARGUMENT;
	}
	if (d->chunk.packed_size == d->chunk.unpacked_size) return flick_lanes_stored(d, &o);
	pthread_once(&ac_cpu_once, ac_cpu);
	return dwa_decode(d, &o, &k);
}
#endif

int flick_dwa_cpu(void)
{
#ifdef FLICK_DWA
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c");
#else
	return 0;
#endif
}

int flick_dwa_ac_avx512(int on)
{
#ifdef FLICK_DWA
	pthread_once(&ac_cpu_once, ac_cpu);
	const int was = __atomic_load_n(&ac_avx512, __ATOMIC_RELAXED);
	if (on >= 0) __atomic_store_n(&ac_avx512, on, __ATOMIC_RELAXED);
	return was;
#else
	(void) on;
	return 0;
#endif
}

void flick_dwa_pick(exr_decode_pipeline_t* d, int library_codecs, int tiled)
{
	// The C++ decompressor that codec.cpp wraps decodes scanline chunks
	// only; route.go sends tiled requests dwa.c does not take to the C++
	// reader.
	if (!tiled) {
		d->decompress_fn = flick_imf_decompress;
		if (flick_rgba_unpacking(d)) d->unpack_and_convert_fn = flick_unpack_done;
	}
#ifdef FLICK_DWA
	flick_lanes o;
	if (!library_codecs && flick_dwa_cpu() && flick_lanes_of(d, &o)) {
		d->decompress_fn = dwa_fused;
		d->unpack_and_convert_fn = flick_unpack_done;
	}
#else
	(void) library_codecs;
#endif
}
