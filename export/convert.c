#include "convert.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "10-bit planes are written as host uint16: little-endian hosts only"
#endif

// coeffs maps 16-bit R, G, B (0..65535, or sums of n such) to limited-range
// codes of the given bit depth with luma weights kr, kb: Y = 16..235,
// Cb/Cr = 16..240 (scaled by 2^(bits-8)).
typedef struct {
	float yr, yg, yb, ur, ug, ub, vr, vg, vb, yoff, coff;
} coeffs;

static coeffs make_coeffs(int bits, int n, float kr, float kb) {
	float kg = 1.0f - kr - kb;
	float s = (float)(1 << (bits - 8));
	float ys = 219.0f * s / (65535.0f * n), cs = 224.0f * s / (65535.0f * n);
	coeffs c = {
		.yr = kr * ys, .yg = kg * ys, .yb = kb * ys,
		.ur = -kr / (2 * (1 - kb)) * cs, .ug = -kg / (2 * (1 - kb)) * cs, .ub = 0.5f * cs,
		.vr = 0.5f * cs, .vg = -kg / (2 * (1 - kr)) * cs, .vb = -kb / (2 * (1 - kr)) * cs,
		.yoff = 16.0f * s + 0.5f, .coff = 128.0f * s + 0.5f, // + 0.5: round on truncation
	};
	return c;
}

// Results are always positive for inputs in range, so truncation (or a
// right shift, in fixed point) rounds. The casts are no-ops in fixed point.
#define LUMA(c, r, g, b) ((int)((c)->yoff + (c)->yr * (r) + (c)->yg * (g) + (c)->yb * (b)))
#define CB(c, r, g, b) ((int)((c)->coff + (c)->ur * (r) + (c)->ug * (g) + (c)->ub * (b)))
#define CR(c, r, g, b) ((int)((c)->coff + (c)->vr * (r) + (c)->vg * (g) + (c)->vb * (b)))

int flick_frame_prepare(AVFrame *f, int pri, int trc, int spc) {
	int err = av_frame_make_writable(f);
	if (err < 0) {
		return err;
	}
	f->color_primaries = (enum AVColorPrimaries)pri;
	f->color_trc = (enum AVColorTransferCharacteristic)trc;
	f->colorspace = (enum AVColorSpace)spc;
	f->color_range = AVCOL_RANGE_MPEG;
	return 0;
}

// The 8-bit path works in 22-bit fixed point: gcc vectorizes int32 to
// uint8 but not float to uint8. Sums stay within int32 (|sum| < 2^30), and
// coefficient rounding moves results by less than 0.03 of a code.
#define FIX 22

typedef struct {
	int32_t yr, yg, yb, ur, ug, ub, vr, vg, vb, yoff, coff;
} icoeffs;

static int32_t fix(float v) {
	v *= (float)(1 << FIX);
	return (int32_t)(v < 0 ? v - 0.5f : v + 0.5f);
}

static icoeffs make_icoeffs(int n, float kr, float kb) {
	const coeffs c = make_coeffs(8, n, kr, kb);
	icoeffs i = {
		.yr = fix(c.yr), .yg = fix(c.yg), .yb = fix(c.yb),
		.ur = fix(c.ur), .ug = fix(c.ug), .ub = fix(c.ub),
		.vr = fix(c.vr), .vg = fix(c.vg), .vb = fix(c.vb),
		.yoff = fix(c.yoff), .coff = fix(c.coff),
	};
	return i;
}

// CLONES compiles a loop twice, for AVX2 and for plain x86-64 (SSE2), and
// picks one when the program loads: the loops vectorize either way, twice
// as wide with AVX2.
#if defined(__x86_64__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

// row420 converts one pair of rows; restrict lets gcc vectorize it.
CLONES static void row420(const icoeffs *l, const icoeffs *c, int n, const uint16_t *restrict a,
                   const uint16_t *restrict b, uint8_t *restrict y0, uint8_t *restrict y1,
                   uint8_t *restrict u, uint8_t *restrict v) {
	for (int x = 0; x < n; x++, a += 8, b += 8) {
		y0[2 * x] = LUMA(l, a[0], a[1], a[2]) >> FIX;
		y0[2 * x + 1] = LUMA(l, a[4], a[5], a[6]) >> FIX;
		y1[2 * x] = LUMA(l, b[0], b[1], b[2]) >> FIX;
		y1[2 * x + 1] = LUMA(l, b[4], b[5], b[6]) >> FIX;
		int32_t r = (int32_t)a[0] + a[4] + b[0] + b[4];
		int32_t g = (int32_t)a[1] + a[5] + b[1] + b[5];
		int32_t bl = (int32_t)a[2] + a[6] + b[2] + b[6];
		u[x] = CB(c, r, g, bl) >> FIX;
		v[x] = CR(c, r, g, bl) >> FIX;
	}
}

static void yuv420p(float kr, float kb, const uint16_t *rgba, int w, AVFrame *f, int y0, int y1) {
	const icoeffs l = make_icoeffs(1, kr, kb), c = make_icoeffs(4, kr, kb);
	for (int y = y0; y < y1; y += 2) {
		const uint16_t *p = rgba + (size_t)y * w * 4;
		uint8_t *Y = f->data[0] + (size_t)y * f->linesize[0];
		row420(&l, &c, w / 2, p, p + (size_t)w * 4, Y, Y + f->linesize[0],
		       f->data[1] + (size_t)(y / 2) * f->linesize[1], f->data[2] + (size_t)(y / 2) * f->linesize[2]);
	}
}

CLONES static void yuv422p10(float kr, float kb, const uint16_t *rgba, int w, AVFrame *f, int y0, int y1) {
	const coeffs l = make_coeffs(10, 1, kr, kb), c = make_coeffs(10, 2, kr, kb);
	for (int y = y0; y < y1; y++) {
		const uint16_t *restrict p = rgba + (size_t)y * w * 4;
		uint16_t *restrict Y = (uint16_t *)(f->data[0] + (size_t)y * f->linesize[0]);
		uint16_t *restrict U = (uint16_t *)(f->data[1] + (size_t)y * f->linesize[1]);
		uint16_t *restrict V = (uint16_t *)(f->data[2] + (size_t)y * f->linesize[2]);
		for (int x = 0; x < w / 2; x++) {
			const uint16_t *a = p + 8 * x;
			Y[2 * x] = LUMA(&l, a[0], a[1], a[2]);
			Y[2 * x + 1] = LUMA(&l, a[4], a[5], a[6]);
			float r = (float)a[0] + a[4], g = (float)a[1] + a[5], b = (float)a[2] + a[6];
			U[x] = CB(&c, r, g, b);
			V[x] = CR(&c, r, g, b);
		}
	}
}

CLONES static void yuva444p10(float kr, float kb, const uint16_t *rgba, int w, AVFrame *f, int y0, int y1) {
	const coeffs c = make_coeffs(10, 1, kr, kb);
	for (int y = y0; y < y1; y++) {
		const uint16_t *restrict p = rgba + (size_t)y * w * 4;
		uint16_t *restrict Y = (uint16_t *)(f->data[0] + (size_t)y * f->linesize[0]);
		uint16_t *restrict U = (uint16_t *)(f->data[1] + (size_t)y * f->linesize[1]);
		uint16_t *restrict V = (uint16_t *)(f->data[2] + (size_t)y * f->linesize[2]);
		uint16_t *restrict A = (uint16_t *)(f->data[3] + (size_t)y * f->linesize[3]);
		for (int x = 0; x < w; x++) {
			const uint16_t *a = p + 4 * x;
			float r = a[0], g = a[1], b = a[2];
			Y[x] = LUMA(&c, r, g, b);
			U[x] = CB(&c, r, g, b);
			V[x] = CR(&c, r, g, b);
			A[x] = (uint16_t)(((uint32_t)a[3] * 1023 + 32767) / 65535);
		}
	}
}

void flick_convert(int layout, float kr, float kb, const uint16_t *rgba, int w, AVFrame *f, int y0, int y1) {
	switch (layout) {
	case FLICK_YUV420P:
		yuv420p(kr, kb, rgba, w, f, y0, y1);
		break;
	case FLICK_YUV422P10:
		yuv422p10(kr, kb, rgba, w, f, y0, y1);
		break;
	case FLICK_YUVA444P10:
		yuva444p10(kr, kb, rgba, w, f, y0, y1);
		break;
	}
}
