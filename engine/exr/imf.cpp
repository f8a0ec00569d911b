// imf.cpp: decoding (and, for tests, writing) through OpenEXR's C++ API.
// See imf.h for the contract. Nothing here lets an exception escape: each
// extern "C" function runs its body inside one try block whose handlers
// turn the exception into a status and a message.

#include "imf.h"

#include <Iex.h>
#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputFile.h>
#include <ImfOutputFile.h>
#include <ImfThreading.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>

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

} // namespace

extern "C" flick_imf_status flick_imf_decode(const char *path, const int32_t win[4], const char *names,
                                             const int32_t copy_from[4], uint16_t *dst, uint64_t n,
                                             char *msg, size_t msg_len)
{
	if (msg != nullptr && msg_len > 0)
		msg[0] = '\0';
	bool opening = true;
	try {
		const int64_t w = int64_t(win[2]) - win[0] + 1, h = int64_t(win[3]) - win[1] + 1;
		if (w <= 0 || h <= 0 || uint64_t(w) > n / 4 / uint64_t(h))
			return report(FLICK_IMF_ARG, "empty window or buffer too small", msg, msg_len);
		for (int s = 0; s < 4; s++)
			if (copy_from[s] >= s)
				return report(FLICK_IMF_ARG, "a slot can only copy an earlier one", msg, msg_len);

		threadsOff();
		Imf::InputFile in(path, 0);
		const Imf::Header &hd = in.header();
		const Imath::Box2i &dw = hd.dataWindow();
		if (dw.min.x != win[0] || dw.min.y != win[1] || dw.max.x != win[2] || dw.max.y != win[3])
			return report(FLICK_IMF_HEADER, "data window differs from the header read before", msg, msg_len);

		// Slices address pixel (x, y) at base + x*xStride + y*yStride, so base
		// is dst less (minX + minY*w) pixels. Computed on integers (unsigned,
		// wrapping) rather than on pointers, where leaving the object is UB.
		const uintptr_t off = (uintptr_t(intptr_t(win[0])) + uintptr_t(intptr_t(win[1])) * uintptr_t(w)) * 8u;
		const uintptr_t base = reinterpret_cast<uintptr_t>(dst) - off;
		Imf::FrameBuffer fb;
		bool filled[4] = {false, false, false, false};
		const char *name = names;
		for (int s = 0; s < 4; s++, name += std::strlen(name) + 1) {
			if (name[0] == '\0')
				continue;
			const Imf::Channel *c = hd.channels().findChannel(name);
			if (c == nullptr)
				return report(FLICK_IMF_HEADER, "a selected channel is not in the file", msg, msg_len);
			if (c->xSampling != 1 || c->ySampling != 1)
				return report(FLICK_IMF_HEADER, "a selected channel is subsampled", msg, msg_len);
			if (fb.findSlice(name) != nullptr)
				return report(FLICK_IMF_ARG, "a channel is selected twice", msg, msg_len);
			fb.insert(name, Imf::Slice(Imf::HALF, reinterpret_cast<char *>(base + 2u * unsigned(s)), 8,
			                           size_t(w) * 8));
			filled[s] = true;
		}
		in.setFrameBuffer(fb);
		opening = false;
		if (fb.begin() != fb.end())
			in.readPixels(win[1], win[3]);

		// One pass for what the library did not write: fill values and copies.
		static const uint16_t fill[4] = {0, 0, 0, 0x3C00};
		bool rest = false;
		for (int s = 0; s < 4; s++)
			rest = rest || !filled[s];
		if (rest) {
			const uint64_t pixels = uint64_t(w) * uint64_t(h);
			for (uint64_t i = 0; i < pixels; i++) {
				uint16_t *p = dst + 4 * i;
				for (int s = 0; s < 4; s++) {
					if (filled[s])
						continue;
					p[s] = copy_from[s] >= 0 ? p[copy_from[s]] : fill[s];
				}
			}
		}
		return FLICK_IMF_OK;
	} catch (...) {
		return classify(opening, msg, msg_len);
	}
}

extern "C" flick_imf_status flick_imf_write_rgba(const char *path, int32_t w, int32_t h, const uint16_t *pix,
                                                 int32_t compression, char *msg, size_t msg_len)
{
	if (msg != nullptr && msg_len > 0)
		msg[0] = '\0';
	try {
		if (w <= 0 || h <= 0 || compression < 0 || compression >= Imf::NUM_COMPRESSION_METHODS)
			return report(FLICK_IMF_ARG, "bad size or compression", msg, msg_len);
		threadsOff();
		Imf::Header hd(w, h);
		hd.compression() = Imf::Compression(compression);
		static const char *const names[4] = {"R", "G", "B", "A"};
		Imf::FrameBuffer fb;
		char *base = reinterpret_cast<char *>(const_cast<uint16_t *>(pix));
		for (int s = 0; s < 4; s++) {
			hd.channels().insert(names[s], Imf::Channel(Imf::HALF));
			fb.insert(names[s], Imf::Slice(Imf::HALF, base + 2 * s, 8, size_t(w) * 8));
		}
		Imf::OutputFile out(path, hd, 0);
		out.setFrameBuffer(fb);
		out.writePixels(h);
		return FLICK_IMF_OK;
	} catch (...) {
		return classify(false, msg, msg_len);
	}
}
