// The display pass of soft.go on the CPU: the operations of displayFragment
// in the order and precision llvmpipe runs them, so that the RGBA16 values
// are the same bits. Nothing may be fused: llvmpipe rounds every multiply
// and add on its own (fused multiply-adds change the last bit, and so
// about one 16-bit value in a thousand).
#pragma GCC optimize("fp-contract=off")
#pragma STDC FP_CONTRACT OFF

#include <immintrin.h>
#include <stdint.h>

#include "soft.h"

// The transforms with a curve, and raw, as render.Transform numbers them;
// linear is the clamp alone.
enum { SRGB = 0, REC709 = 1, RAW = 4 };

int flick_soft_cpu(void) { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c"); }

// curve is one of encode()'s transforms: below the knee slope * x, above it
// a polynomial in t = x^(1/4) * scale - offset (coefficients lowest first).
typedef struct {
	float knee, slope, scale, offset;
	int below_or_at; // the linear part includes the knee
	int n;
	float c[7];
} curve;

static const curve srgb = {0.0031308f, 12.92f, 2.61966991f, 1.61966991f, 1, 7,
	{0.418389658f, 0.487117266f, 0.100260977f, -0.00681088549f, 0.00137327702f, -0.000529927305f, 0.000200718179f}};
static const curve rec709 = {0.018f, 4.5f, 3.15598869f, 2.15598869f, 0, 6,
	{0.454500591f, 0.462107427f, 0.0857227518f, -0.00264564416f, 0.000399915412f, -8.56497772e-05f}};

// encode8 is the shader's encode() on 8 lanes.
__attribute__((target("avx2,f16c"), always_inline)) static inline __m256 encode8(__m256 x, int transform) {
	if (transform == RAW) {
		return x;
	}
	// clamp(x, 0, 1): max returns its second operand for a NaN, as the
	// shader's clamp makes NaN 0.
	x = _mm256_min_ps(_mm256_max_ps(x, _mm256_setzero_ps()), _mm256_set1_ps(1));
	if (transform != SRGB && transform != REC709) {
		return x;
	}
	const curve *k = transform == SRGB ? &srgb : &rec709;
	__m256 s = _mm256_sqrt_ps(_mm256_sqrt_ps(x));
	__m256 t = _mm256_sub_ps(_mm256_mul_ps(s, _mm256_set1_ps(k->scale)), _mm256_set1_ps(k->offset));
	__m256 p = _mm256_set1_ps(k->c[k->n - 1]);
	for (int i = k->n - 2; i >= 0; i--) {
		p = _mm256_add_ps(_mm256_set1_ps(k->c[i]), _mm256_mul_ps(t, p));
	}
	__m256 lin = _mm256_mul_ps(_mm256_set1_ps(k->slope), x);
	__m256 knee = _mm256_set1_ps(k->knee);
	__m256 low = k->below_or_at ? _mm256_cmp_ps(x, knee, _CMP_LE_OQ) : _mm256_cmp_ps(x, knee, _CMP_LT_OQ);
	return _mm256_blendv_ps(p, lin, low);
}

// mix8 is the shader's mix(a, b, 0.5) as llvmpipe lowers it: a + t (b - a).
__attribute__((target("avx2,f16c"), always_inline)) static inline __m256 mix8(__m256 a, __m256 b) {
	return _mm256_add_ps(a, _mm256_mul_ps(_mm256_set1_ps(0.5f), _mm256_sub_ps(b, a)));
}

// pairs8 converts two pairs of texels, the pair at p for the low 128
// bits and the pair at q for the high, each pair's left texel in a and its
// right one in b.
__attribute__((target("avx2,f16c"), always_inline)) static inline void pairs8(const uint16_t *p, const uint16_t *q,
                                                                              __m256 *a, __m256 *b) {
	__m256 lo = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
	__m256 hi = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)q));
	*a = _mm256_permute2f128_ps(lo, hi, 0x20);
	*b = _mm256_permute2f128_ps(lo, hi, 0x31);
}

// corner8 is the shader's bilinear tap at the corner of two pairs of 2x2
// texels (weights all 0.5): for output pixel x at texel column cx, x + 1
// at cx + step (in texels), row cy; mix(mix(TL, TR), mix(BL, BR)).
__attribute__((target("avx2,f16c"), always_inline)) static inline __m256 corner8(const uint16_t *src, int w, int cx,
                                                                                 int step, int cy) {
	const uint16_t *r0 = src + ((size_t)cy * w + cx) * 4, *r1 = r0 + (size_t)w * 4;
	__m256 tl, tr, bl, br;
	pairs8(r0, r0 + step * 4, &tl, &tr);
	pairs8(r1, r1 + step * 4, &bl, &br);
	return mix8(mix8(tl, tr), mix8(bl, br));
}

// sample8 is the sampled RGBA of output pixels x and x + 1 of row y (the
// first in the low 128 bits), as place() samples a block of k x k texels
// at (kx, ky): texel (x, y) at k = 1; at k = 2 one bilinear tap at the
// block's centre; at k = 4 the box of 2 x 2 taps, each at the centre of a
// quarter of the block, summed in the shader's order (rows of taps, from
// 0) and divided by 4.
__attribute__((target("avx2,f16c"), always_inline)) static inline __m256 sample8(const uint16_t *src, int w, int k, int x,
                                                                                 int y) {
	if (k == 1) {
		return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + ((size_t)y * w + x) * 4)));
	}
	if (k == 2) {
		return corner8(src, w, 2 * x, 2, 2 * y);
	}
	__m256 sum = _mm256_setzero_ps();
	for (int j = 0; j < 2; j++) {
		for (int i = 0; i < 2; i++) {
			sum = _mm256_add_ps(sum, corner8(src, w, 4 * x + 2 * i, 4, 4 * y + 2 * j));
		}
	}
	return _mm256_div_ps(sum, _mm256_set1_ps(4));
}

// shade8 is the chain after sampling on two pixels' RGBA: channels picked
// (pick: a lane permutation, alpha's lane kept), gain, encode, alpha 1 or
// the sample's, then the 16-bit target's conversion: clamp, scale, round to
// nearest even.
__attribute__((target("avx2,f16c"), always_inline)) static inline __m128i shade8(__m256 s, __m256i pick, __m256 gain,
                                                                                 int transform, int keep_alpha) {
	__m256 v = encode8(_mm256_mul_ps(_mm256_permutevar_ps(s, pick), gain), transform);
	v = _mm256_blend_ps(v, keep_alpha ? s : _mm256_set1_ps(1), 0x88);
	v = _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(1));
	__m256i q = _mm256_cvtps_epi32(_mm256_mul_ps(v, _mm256_set1_ps(65535)));
	q = _mm256_packus_epi32(q, q); // each half: its 4 values twice
	return _mm256_castsi256_si128(_mm256_permute4x64_epi64(q, 0x08));
}

// draw is flick_soft_draw for one transform, inlined for each so that its
// curve's constants and loop unfold.
__attribute__((target("avx2,f16c"), always_inline)) static inline void draw(uint16_t *dst, const uint16_t *src, int w,
                                                                            int ox, int oy, int tw, int th, int k,
                                                                            int channels, int transform, float gain,
                                                                            int keep_alpha) {
	// The lanes v takes from the sample: RGB, R, G, B, A (alpha's lane
	// stays alpha).
	static const int picks[5][4] = {{0, 1, 2, 3}, {0, 0, 0, 3}, {1, 1, 1, 3}, {2, 2, 2, 3}, {3, 3, 3, 3}};
	const int *p = picks[channels];
	__m256i pick = _mm256_setr_epi32(p[0], p[1], p[2], p[3], p[0], p[1], p[2], p[3]);
	__m256 g = _mm256_set1_ps(gain);
	for (int y = 0; y < th; y++) {
		uint16_t *o = dst + (size_t)y * tw * 4;
		int x = 0;
		for (; x + 2 <= tw; x += 2) {
			_mm_storeu_si128((__m128i *)(o + x * 4),
			                 shade8(sample8(src, w, k, x + ox, y + oy), pick, g, transform, keep_alpha));
		}
		if (x < tw) {
			// The last pixel of an odd row: its pair is the one before,
			// whose values it writes again.
			__m128i q = shade8(sample8(src, w, k, x - 1 + ox, y + oy), pick, g, transform, keep_alpha);
			_mm_storel_epi64((__m128i *)(o + x * 4), _mm_srli_si128(q, 8));
		}
	}
}

__attribute__((target("avx2,f16c"))) void flick_soft_draw(uint16_t *dst, const uint16_t *src, int w, int ox, int oy,
                                                          int tw, int th, int k, int channels, int transform,
                                                          float gain, int keep_alpha) {
	switch (transform) {
	case SRGB:
		draw(dst, src, w, ox, oy, tw, th, k, channels, SRGB, gain, keep_alpha);
		break;
	case REC709:
		draw(dst, src, w, ox, oy, tw, th, k, channels, REC709, gain, keep_alpha);
		break;
	default:
		draw(dst, src, w, ox, oy, tw, th, k, channels, transform, gain, keep_alpha);
	}
}
