// yca.cpp: luminance/chroma to RGB for any part. See yca.h.
//
// Imf::RgbaInputFile converts scan line s from a window of luminance/chroma
// lines around it: each even line's chroma is filled in horizontally, each
// odd line's vertically from the 27 lines around it (Imf::RgbaYca::N), and
// the saturation fix looks at lines s-1 and s+1. Lines outside the data
// window are clamped: above it to its first line, below it to its
// second-to-last (as the library does). Every one of those steps depends on
// the line alone, so a range of rows is decoded here in bands: read the
// band's lines plus the margins once, convert, and write each row straight
// into the destination.

#include "yca.h"

#include <Iex.h>
#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputPart.h>
#include <ImfRgba.h>
#include <ImfRgbaYca.h>
#include <ImfStandardAttributes.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace flick {

namespace {

using Imf::Rgba;
using Imf::RgbaYca::N;
using Imf::RgbaYca::N2;

// bandRows bounds the rows converted at once, and so the scratch memory:
// three buffers of (bandRows + 2N2 + 4) lines.
constexpr int64_t bandRows = 128;

// chroma says how RY and BY are stored: absent (both), subsampled 2x2, or
// at full resolution. It throws for anything else.
struct Chroma {
	bool sub;
};

Chroma checkChannels(const Imf::Header &hd, const char *const names[4])
{
	const Imf::Channel *y = hd.channels().findChannel(names[0]);
	if (y == nullptr)
		throw Iex::ArgExc("luminance/chroma needs a Y channel");
	if (y->xSampling != 1 || y->ySampling != 1)
		throw Iex::ArgExc("the Y channel is subsampled");
	const Imf::Channel *a = hd.channels().findChannel(names[3]);
	if (a != nullptr && (a->xSampling != 1 || a->ySampling != 1))
		throw Iex::ArgExc("the A channel is subsampled");
	int sampling = 0; // of RY and BY: 0 none seen yet
	for (int s = 1; s <= 2; s++) {
		const Imf::Channel *c = hd.channels().findChannel(names[s]);
		if (c == nullptr)
			continue;
		if (c->xSampling != c->ySampling || (c->xSampling != 1 && c->xSampling != 2) ||
		    (sampling != 0 && c->xSampling != sampling))
			throw Iex::ArgExc("chroma channels must both be subsampled 2x2 or both be full resolution");
		sampling = c->xSampling;
	}
	return Chroma{sampling == 2};
}

// Band converts rows of one part. raw holds lines [lo, hi] as the library
// reads them (Y in g, RY in r, BY in b, A in a), each row N2 pixels of
// padding, w pixels, N2 more; yca holds the even lines with their chroma
// filled in horizontally; rgb the RGB lines [first-1, last+1] before the
// saturation fix.
struct Band {
	int64_t w;
	int yMin, yMax;
	Chroma chroma;
	Imath::V3f yw;
	int lo = 0, hi = -1, first = 0;
	std::vector<Rgba> raw, yca, rgb;

	int64_t stride() const { return w + N - 1; }

	// clamp maps a line to the one the library reads for it.
	int clamp(int y) const { return y < yMin ? yMin : y > yMax ? std::max(yMin, yMax - 1) : y; }

	// line is line y in luminance/chroma form, chroma complete on even
	// lines (odd lines' chroma is never used).
	const Rgba *line(int y) const
	{
		y = clamp(y);
		if (!chroma.sub || (y & 1))
			return &raw[size_t((y - lo) * stride() + N2)];
		return &yca[size_t((y - lo) * w)];
	}

	// read reads lines [lo, hi] of the part into raw and fills in the even
	// lines' chroma.
	void read(Imf::InputPart &in, const char *const names[4], int xMin)
	{
		const int64_t rows = hi - lo + 1, rs = stride() * int64_t(sizeof(Rgba));
		raw.assign(size_t(rows * stride()), Rgba(0, 0, 0, 0));
		// Pixel (x, y) of a slice is at base + x/xs*xStride + y/ys*yStride;
		// the bases are computed on integers, as leaving the buffer with a
		// pointer is undefined.
		const uintptr_t origin = reinterpret_cast<uintptr_t>(&raw[N2]) -
		                         uintptr_t(intptr_t(xMin)) * sizeof(Rgba) - uintptr_t(intptr_t(lo)) * uintptr_t(rs);
		const int cs = chroma.sub ? 2 : 1;
		auto slice = [&](size_t field, int sampling, double fill) {
			return Imf::Slice(Imf::HALF, reinterpret_cast<char *>(origin + field), sizeof(Rgba) * sampling,
			                  size_t(rs) * sampling, sampling, sampling, fill);
		};
		Imf::FrameBuffer fb;
		fb.insert(names[0], slice(offsetof(Rgba, g), 1, 0.5));
		fb.insert(names[1], slice(offsetof(Rgba, r), cs, 0.0));
		fb.insert(names[2], slice(offsetof(Rgba, b), cs, 0.0));
		fb.insert(names[3], slice(offsetof(Rgba, a), 1, 1.0));
		in.setFrameBuffer(fb);
		in.readPixels(lo, hi);
		if (!chroma.sub)
			return;
		yca.resize(size_t(rows * w));
		for (int y = lo + (lo & 1); y <= hi; y += 2) {
			Rgba *row = &raw[size_t((y - lo) * stride())];
			for (int i = 0; i < N2; i++) { // the library's edge padding
				row[i] = row[N2];
				row[w + N2 + i] = row[w + N2 - 2];
			}
			Imf::RgbaYca::reconstructChromaHoriz(int(w), row, &yca[size_t((y - lo) * w)]);
		}
	}

	// convert makes the RGB lines [first-1, last+1].
	void convert(int last)
	{
		rgb.resize(size_t((last - first + 3) * w));
		for (int y = first - 1; y <= last + 1; y++) {
			Rgba *out = &rgb[size_t((y - first + 1) * w)];
			if (chroma.sub && (y & 1)) {
				const Rgba *in[N];
				for (int k = 0; k < N; k++)
					in[k] = line(y - N2 + k);
				Imf::RgbaYca::reconstructChromaVert(int(w), in, out);
				Imf::RgbaYca::YCAtoRGBA(yw, int(w), out, out);
			} else {
				Imf::RgbaYca::YCAtoRGBA(yw, int(w), line(y), out);
			}
		}
	}

	// rgbLine is RGB line y of the last convert.
	const Rgba *rgbLine(int y) const { return &rgb[size_t((y - first + 1) * w)]; }
};

} // namespace

void decodeYCA(Imf::MultiPartInputFile &mp, const flick_imf_req *q, uint16_t *dst, int64_t w, int64_t h,
               bool &opening)
{
	Imf::InputPart in(mp, q->part);
	const Imf::Header &hd = in.header();
	const Imath::Box2i &dw = hd.dataWindow();
	if (dw.min.x != q->win[0] || dw.min.y != q->win[1] || dw.max.x != q->win[2] || dw.max.y != q->win[3])
		throw Iex::InputExc("the data window differs from the header read before");
	const char *names[4];
	names[0] = q->names;
	for (int s = 1; s < 4; s++)
		names[s] = names[s - 1] + std::strlen(names[s - 1]) + 1;
	Band b{w, dw.min.y, dw.max.y, checkChannels(hd, names),
	       Imf::RgbaYca::computeYw(Imf::hasChromaticities(hd) ? Imf::chromaticities(hd) : Imf::Chromaticities())};
	opening = false;

	const int64_t y1 = int64_t(q->begin) * q->lines, y2 = std::min<int64_t>(int64_t(q->end) * q->lines, h);
	const int margin = b.chroma.sub ? N2 + 1 : 1; // lines each side a band's rows depend on
	for (int64_t r = y1; r < y2; r += bandRows) {
		b.first = int(dw.min.y + r);
		const int last = int(dw.min.y + std::min(r + bandRows, y2) - 1);
		b.lo = std::max(b.yMin, b.first - margin);
		b.hi = std::min(b.yMax, last + margin);
		b.read(in, names, dw.min.x);
		b.convert(last);
		for (int y = b.first; y <= last; y++) {
			const Rgba *around[3] = {b.rgbLine(y - 1), b.rgbLine(y), b.rgbLine(y + 1)};
			Imf::RgbaYca::fixSaturation(b.yw, int(w), around, reinterpret_cast<Rgba *>(dst + (y - dw.min.y) * w * 4));
		}
	}
}

} // namespace flick
