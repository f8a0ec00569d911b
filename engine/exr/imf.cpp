// imf.cpp: decoding through OpenEXR's C++ API.
// See imf.h for the contract. Nothing here lets an exception escape: each
// extern "C" function runs its body inside one try block whose handlers
// turn the exception into a status and a message.

#include "imf.h"
#include "yca.h"

#include <Iex.h>
#include <algorithm>
#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputFile.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfThreading.h>
#include <ImfTiledInputPart.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

namespace {

flick_imf_status report(flick_imf_status st, const char *text, char *msg, size_t msg_len) noexcept
{
	if (msg != nullptr && msg_len > 0)
		std::snprintf(msg, msg_len, "%s", text);
	return st;
}

// classify turns the exception being handled into a status. opening says
// whether the file's header was still being read: failures then are about
// the header, later ones about pixel data. It must be called from inside a
// catch handler.
flick_imf_status classify(bool opening, char *msg, size_t msg_len) noexcept
{
	// The exception types say little: InputFile rethrows what a compressor
	// threw (InputExc, IoExc, ...) with its own prefix, and its stream
	// reports a short file as InputExc. So: OS errors are access (while
	// opening) or IO, a short file is IO, everything else is a bad header
	// while opening and corrupt data after.
	const flick_imf_status other = opening ? FLICK_IMF_HEADER : FLICK_IMF_DATA;
	try {
		throw;
	} catch (const std::bad_alloc &) {
		return report(FLICK_IMF_NOMEM, "out of memory", msg, msg_len);
	} catch (const Iex::ErrnoExc &e) {
		return report(opening ? FLICK_IMF_ACCESS : FLICK_IMF_IO, e.what(), msg, msg_len);
	} catch (const std::exception &e) {
		const bool early = std::strstr(e.what(), "Early end of file") != nullptr;
		return report(early ? FLICK_IMF_IO : other, e.what(), msg, msg_len);
	} catch (...) {
		return report(other, "unknown C++ exception", msg, msg_len);
	}
}

// threadsOff turns the library's global pool off once: flick decodes on its
// own workers, and the pool only costs on one-line-per-chunk files.
void threadsOff()
{
	static std::once_flag once;
	std::call_once(once, [] { Imf::setGlobalThreadCount(0); });
}

// Reader is one of the library's readers of a file: a multi-part reader
// (scanline and tiled parts, any part).
struct Reader {
	std::unique_ptr<Imf::MultiPartInputFile> parts;
};

// maxIdle bounds the readers a file keeps open between decodes: one per
// worker is what a decode pool needs.
constexpr size_t maxIdle = 16;

// The fill values of empty slots: 0 for R, G, B and 1.0 for A.
constexpr uint16_t fill[4] = {0, 0, 0, 0x3C00};

} // namespace

struct flick_imf_file {
	std::string path;
	std::mutex mu;
	std::vector<std::unique_ptr<Reader>> idle; // guarded by mu
};

namespace {

// acquire takes an idle reader, or opens a new one.
std::unique_ptr<Reader> acquire(flick_imf_file *f)
{
	{
		std::lock_guard<std::mutex> lock(f->mu);
		if (!f->idle.empty()) {
			std::unique_ptr<Reader> got = std::move(f->idle.back());
			f->idle.pop_back();
			return got;
		}
	}
	auto r = std::make_unique<Reader>();
	r->parts = std::make_unique<Imf::MultiPartInputFile>(f->path.c_str(), 0);
	return r;
}

// release returns a reader that decoded without error to the idle pool (a
// reader that threw may be in any state, so it is dropped).
void release(flick_imf_file *f, std::unique_ptr<Reader> r)
{
	std::lock_guard<std::mutex> lock(f->mu);
	if (f->idle.size() < maxIdle)
		f->idle.push_back(std::move(r));
}

// Rect is a rectangle of the level, in level pixels from its origin.
struct Rect {
	int32_t x, y, w, h;
};

// finish writes the fill values and copies of the slots the library did not
// write, over rectangle r of dst (width w).
void finish(uint16_t *dst, int64_t w, const Rect &r, const bool filled[4], const int32_t copy_from[4])
{
	if (filled[0] && filled[1] && filled[2] && filled[3])
		return;
	for (int32_t j = 0; j < r.h; j++) {
		uint16_t *p = dst + ((r.y + j) * w + r.x) * 4;
		for (int32_t i = 0; i < r.w; i++, p += 4)
			for (int s = 0; s < 4; s++)
				if (!filled[s])
					p[s] = copy_from[s] >= 0 ? p[copy_from[s]] : fill[s];
	}
}

// Sampled is the selected channels subsampled 2 in x or y (the layout
// refuses other sampling, and any in tiled parts): the library writes their
// samples only, on pixels whose coordinates are multiples of the sampling
// (the data window is aligned to it), and fill repeats each sample over
// the pixels it covers, as a nearest-neighbour upsampling.
struct Sampled {
	struct Slot {
		int s, xs, ys;
		std::string name;
	};
	std::vector<Slot> slots;

	// add notes slot s's channel c if it is subsampled; false if it cannot
	// be upsampled here.
	bool add(int s, const char *name, const Imf::Channel &c, bool scanline)
	{
		if (c.xSampling == 1 && c.ySampling == 1)
			return true;
		if (!scanline || c.xSampling < 1 || c.xSampling > 2 || c.ySampling < 1 || c.ySampling > 2)
			return false;
		slots.push_back(Slot{s, c.xSampling, c.ySampling, name});
		return true;
	}

	bool vertical() const
	{
		return std::any_of(slots.begin(), slots.end(), [](const Slot &t) { return t.ys == 2; });
	}

	// frameBuffer puts the vertically subsampled channels' samples of line
	// y into row (w RGBA pixels, from x0).
	Imf::FrameBuffer frameBuffer(uint16_t *row, int32_t x0, int y, int64_t w) const
	{
		const uintptr_t base = reinterpret_cast<uintptr_t>(row) - uintptr_t(intptr_t(x0)) * 8u -
		                       uintptr_t(intptr_t(y)) * uintptr_t(w) * 8u;
		Imf::FrameBuffer fb;
		for (const Slot &t : slots)
			if (t.ys == 2)
				fb.insert(t.name, Imf::Slice(Imf::HALF, reinterpret_cast<char *>(base + 2u * unsigned(t.s)),
				                             8u * t.xs, size_t(w) * 16, t.xs, 2));
		return fb;
	}

	// fill completes rows [y1, y2) of dst (w wide, window origin at line y0):
	// odd columns of a channel sampled every 2 columns from the pixel left
	// of them, odd lines of one sampled every 2 lines from the line above
	// (above: that line when it is y1 - 1, x-filled here).
	void fill(uint16_t *dst, int64_t w, int32_t y0, int64_t y1, int64_t y2, uint16_t *above) const
	{
		if (slots.empty())
			return;
		auto fillRow = [&](uint16_t *row, const Slot &t) {
			if (t.xs == 2) // x0 is even: odd columns are between samples
				for (int64_t i = 1; i < w; i += 2)
					row[i * 4 + t.s] = row[(i - 1) * 4 + t.s];
		};
		if (above != nullptr)
			for (const Slot &t : slots)
				if (t.ys == 2)
					fillRow(above, t);
		for (int64_t y = y1; y < y2; y++) {
			uint16_t *row = dst + y * w * 4;
			const bool between = (y0 + y) & 1;
			const uint16_t *up = y > y1 ? row - w * 4 : above;
			for (const Slot &t : slots) {
				if (t.ys == 2 && between)
					for (int64_t i = 0; i < w; i++)
						row[i * 4 + t.s] = up[i * 4 + t.s];
				else
					fillRow(row, t);
			}
		}
	}
};

// decodeParts reads q through the multi-part reader mp: scanline blocks or
// tiles straight into dst through a frame buffer of the selected slots.
void decodeParts(Imf::MultiPartInputFile &mp, const flick_imf_req *q, uint16_t *dst, int64_t w, int64_t h,
                 bool &opening)
{
	const Imf::Header &hd = mp.header(q->part);
	// Slices address pixel (x, y) at base + x*xStride + y*yStride, so base
	// is dst less (minX + minY*w) pixels. Computed on integers (unsigned,
	// wrapping) rather than on pointers, where leaving the object is UB.
	const uintptr_t off = (uintptr_t(intptr_t(q->win[0])) + uintptr_t(intptr_t(q->win[1])) * uintptr_t(w)) * 8u;
	const uintptr_t base = reinterpret_cast<uintptr_t>(dst) - off;
	Imf::FrameBuffer fb;
	bool filled[4] = {false, false, false, false};
	Sampled sampled;
	const char *name = q->names;
	for (int s = 0; s < 4; s++, name += std::strlen(name) + 1) {
		if (name[0] == '\0')
			continue;
		const Imf::Channel *c = hd.channels().findChannel(name);
		if (c == nullptr)
			throw Iex::ArgExc("a selected channel is not in the part");
		if (fb.findSlice(name) != nullptr)
			throw Iex::ArgExc("a channel is selected twice");
		if (!sampled.add(s, name, *c, q->mode == FLICK_IMF_SCANLINE))
			throw Iex::ArgExc("a selected channel has a sampling flick cannot upsample");
		// A subsampled channel's samples land on their own pixels; the
		// others are filled in afterwards (Sampled::fill).
		fb.insert(name, Imf::Slice(Imf::HALF, reinterpret_cast<char *>(base + 2u * unsigned(s)), 8u * c->xSampling,
		                           size_t(w) * 8 * c->ySampling, c->xSampling, c->ySampling));
		filled[s] = true;
	}
	const bool any = fb.begin() != fb.end();
	if (q->mode == FLICK_IMF_TILES) {
		Imf::TiledInputPart in(mp, q->part);
		const Imath::Box2i dw = in.dataWindowForLevel(q->lx, q->ly);
		if (dw.min.x != q->win[0] || dw.min.y != q->win[1] || dw.max.x != q->win[2] || dw.max.y != q->win[3])
			throw Iex::InputExc("the level's window differs from the header read before");
		if (any)
			in.setFrameBuffer(fb);
		opening = false;
		// A range of tiles in row order is up to one partial row per tile row.
		const int32_t tx = q->tiles_x;
		for (int32_t ty = q->begin / tx; q->begin < q->end && ty <= (q->end - 1) / tx; ty++) {
			const int32_t dx1 = ty == q->begin / tx ? q->begin % tx : 0;
			const int32_t dx2 = ty == (q->end - 1) / tx ? (q->end - 1) % tx : tx - 1;
			if (any)
				in.readTiles(dx1, dx2, ty, ty, q->lx, q->ly);
			const int32_t x = dx1 * q->tile_w, y = ty * q->tile_h;
			const Rect r{x, y, int32_t(std::min<int64_t>(int64_t(dx2 + 1) * q->tile_w, w) - x),
			             int32_t(std::min<int64_t>(int64_t(y) + q->tile_h, h) - y)};
			finish(dst, w, r, filled, q->copy_from);
		}
		return;
	}
	Imf::InputPart in(mp, q->part);
	const Imath::Box2i &dw = in.header().dataWindow();
	if (dw.min.x != q->win[0] || dw.min.y != q->win[1] || dw.max.x != q->win[2] || dw.max.y != q->win[3])
		throw Iex::InputExc("the data window differs from the header read before");
	opening = false;
	const int64_t y1 = int64_t(q->begin) * q->lines, y2 = std::min<int64_t>(int64_t(q->end) * q->lines, h);
	if (y1 >= y2)
		return;
	// Rows of a channel subsampled vertically that start the range between
	// samples copy the line above, which another range writes: read its
	// samples into a row of our own.
	std::vector<uint16_t> above;
	if (sampled.vertical() && ((q->win[1] + y1) & 1)) {
		above.assign(size_t(w) * 4, 0);
		const int ya = int(q->win[1] + y1 - 1);
		in.setFrameBuffer(sampled.frameBuffer(above.data(), q->win[0], ya, w));
		in.readPixels(ya);
	}
	if (any) {
		in.setFrameBuffer(fb);
		in.readPixels(int(q->win[1] + y1), int(q->win[1] + y2 - 1));
	}
	sampled.fill(dst, w, q->win[1], y1, y2, above.empty() ? nullptr : above.data());
	finish(dst, w, Rect{0, int32_t(y1), int32_t(w), int32_t(y2 - y1)}, filled, q->copy_from);
}

} // namespace

extern "C" flick_imf_file *flick_imf_open(const char *path)
{
	try {
		auto f = std::make_unique<flick_imf_file>();
		f->path = path;
		return f.release();
	} catch (...) {
		return nullptr;
	}
}

extern "C" void flick_imf_close(flick_imf_file *f) { delete f; }

extern "C" flick_imf_status flick_imf_decode(flick_imf_file *f, const flick_imf_req *q, uint16_t *dst, uint64_t n,
                                             char *msg, size_t msg_len)
{
	if (msg != nullptr && msg_len > 0)
		msg[0] = '\0';
	bool opening = true;
	try {
		const int64_t w = int64_t(q->win[2]) - q->win[0] + 1, h = int64_t(q->win[3]) - q->win[1] + 1;
		if (f == nullptr || w <= 0 || h <= 0 || uint64_t(w) > n / 4 / uint64_t(h))
			return report(FLICK_IMF_ARG, "empty window or buffer too small", msg, msg_len);
		if (q->begin < 0 || q->begin > q->end || (q->mode == FLICK_IMF_TILES ? q->tiles_x < 1 || q->tile_w < 1 || q->tile_h < 1 : q->lines < 1))
			return report(FLICK_IMF_ARG, "bad chunk range or geometry", msg, msg_len);
		for (int s = 0; s < 4; s++)
			if (q->copy_from[s] >= s)
				return report(FLICK_IMF_ARG, "a slot can only copy an earlier one", msg, msg_len);

		threadsOff();
		std::unique_ptr<Reader> r = acquire(f);
		if (q->mode == FLICK_IMF_YC)
			flick::decodeYCA(*r->parts, q, dst, w, h, opening);
		else
			decodeParts(*r->parts, q, dst, w, h, opening);
		release(f, std::move(r));
		return FLICK_IMF_OK;
	} catch (...) {
		return classify(opening, msg, msg_len);
	}
}
