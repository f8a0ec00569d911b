#include "convert.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "10-bit planes are written as host uint16: little-endian hosts only"
#endif

// BT.709 luma weights.
#define KR 0.2126f
#define KB 0.0722f
#define KG (1.0f - KR - KB)

// coeffs maps 16-bit R, G, B (0..65535, or sums of n such) to limited-range
// codes of the given bit depth: Y = 16..235, Cb/Cr = 16..240 (scaled by
// 2^(bits-8)).
typedef struct {
	float yr, yg, yb, ur, ug, ub, vr, vg, vb, yoff, coff;
} coeffs;

static coeffs make_coeffs(int bits, int n) {
	float s = (float)(1 << (bits - 8));
	float ys = 219.0f * s / (65535.0f * n), cs = 224.0f * s / (65535.0f * n);
	coeffs c = {
		.yr = KR * ys, .yg = KG * ys, .yb = KB * ys,
		.ur = -KR / (2 * (1 - KB)) * cs, .ug = -KG / (2 * (1 - KB)) * cs, .ub = 0.5f * cs,
		.vr = 0.5f * cs, .vg = -KG / (2 * (1 - KR)) * cs, .vb = -KB / (2 * (1 - KR)) * cs,
		.yoff = 16.0f * s + 0.5f, .coff = 128.0f * s + 0.5f, // + 0.5: round on truncation
	};
	return c;
}

// Results are always positive for inputs in range, so truncation rounds.
#define LUMA(c, r, g, b) ((int)((c)->yoff + (c)->yr * (r) + (c)->yg * (g) + (c)->yb * (b)))
#define CB(c, r, g, b) ((int)((c)->coff + (c)->ur * (r) + (c)->ug * (g) + (c)->ub * (b)))
#define CR(c, r, g, b) ((int)((c)->coff + (c)->vr * (r) + (c)->vg * (g) + (c)->vb * (b)))

int flick_frame_prepare(AVFrame *f) {
	int err = av_frame_make_writable(f);
	if (err < 0) {
		return err;
	}
	f->color_primaries = AVCOL_PRI_BT709;
	f->color_trc = AVCOL_TRC_BT709;
	f->colorspace = AVCOL_SPC_BT709;
	f->color_range = AVCOL_RANGE_MPEG;
	return 0;
}

static void yuv420p(const uint16_t *rgba, int w, AVFrame *f, int y0, int y1) {
	const coeffs l = make_coeffs(8, 1), c = make_coeffs(8, 4);
	for (int y = y0; y < y1; y += 2) {
		const uint16_t *p0 = rgba + (size_t)y * w * 4, *p1 = p0 + (size_t)w * 4;
		uint8_t *Y0 = f->data[0] + (size_t)y * f->linesize[0], *Y1 = Y0 + f->linesize[0];
		uint8_t *U = f->data[1] + (size_t)(y / 2) * f->linesize[1];
		uint8_t *V = f->data[2] + (size_t)(y / 2) * f->linesize[2];
		for (int x = 0; x < w; x += 2, p0 += 8, p1 += 8) {
			Y0[x] = LUMA(&l, p0[0], p0[1], p0[2]);
			Y0[x + 1] = LUMA(&l, p0[4], p0[5], p0[6]);
			Y1[x] = LUMA(&l, p1[0], p1[1], p1[2]);
			Y1[x + 1] = LUMA(&l, p1[4], p1[5], p1[6]);
			float r = (int)p0[0] + p0[4] + p1[0] + p1[4];
			float g = (int)p0[1] + p0[5] + p1[1] + p1[5];
			float b = (int)p0[2] + p0[6] + p1[2] + p1[6];
			U[x / 2] = CB(&c, r, g, b);
			V[x / 2] = CR(&c, r, g, b);
		}
	}
}

static void yuv422p10(const uint16_t *rgba, int w, AVFrame *f, int y0, int y1) {
	const coeffs l = make_coeffs(10, 1), c = make_coeffs(10, 2);
	for (int y = y0; y < y1; y++) {
		const uint16_t *p = rgba + (size_t)y * w * 4;
		uint16_t *Y = (uint16_t *)(f->data[0] + (size_t)y * f->linesize[0]);
		uint16_t *U = (uint16_t *)(f->data[1] + (size_t)y * f->linesize[1]);
		uint16_t *V = (uint16_t *)(f->data[2] + (size_t)y * f->linesize[2]);
		for (int x = 0; x < w; x += 2, p += 8) {
			Y[x] = LUMA(&l, p[0], p[1], p[2]);
			Y[x + 1] = LUMA(&l, p[4], p[5], p[6]);
			float r = (int)p[0] + p[4], g = (int)p[1] + p[5], b = (int)p[2] + p[6];
			U[x / 2] = CB(&c, r, g, b);
			V[x / 2] = CR(&c, r, g, b);
		}
	}
}

static void yuva444p10(const uint16_t *rgba, int w, AVFrame *f, int y0, int y1) {
	const coeffs c = make_coeffs(10, 1);
	for (int y = y0; y < y1; y++) {
		const uint16_t *p = rgba + (size_t)y * w * 4;
		uint16_t *Y = (uint16_t *)(f->data[0] + (size_t)y * f->linesize[0]);
		uint16_t *U = (uint16_t *)(f->data[1] + (size_t)y * f->linesize[1]);
		uint16_t *V = (uint16_t *)(f->data[2] + (size_t)y * f->linesize[2]);
		uint16_t *A = (uint16_t *)(f->data[3] + (size_t)y * f->linesize[3]);
		for (int x = 0; x < w; x++, p += 4) {
			float r = p[0], g = p[1], b = p[2];
			Y[x] = LUMA(&c, r, g, b);
			U[x] = CB(&c, r, g, b);
			V[x] = CR(&c, r, g, b);
			A[x] = (uint16_t)(((uint32_t)p[3] * 1023 + 32767) / 65535);
		}
	}
}

void flick_convert(int layout, const uint16_t *rgba, int w, AVFrame *f, int y0, int y1) {
	switch (layout) {
	case FLICK_YUV420P:
		yuv420p(rgba, w, f, y0, y1);
		break;
	case FLICK_YUV422P10:
		yuv422p10(rgba, w, f, y0, y1);
		break;
	case FLICK_YUVA444P10:
		yuva444p10(rgba, w, f, y0, y1);
		break;
	}
}
