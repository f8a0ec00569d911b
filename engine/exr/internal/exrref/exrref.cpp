// exrref.cpp: writers and reference decoders through OpenEXR's C++ API, for
// the tests of package exr. See exrref.h for the contract.

#include "exrref.h"

#include <Iex.h>
#include <ImfChannelList.h>
#include <ImfCompression.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputFile.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfMultiPartOutputFile.h>
#include <ImfNamespace.h>
#include <ImfOutputFile.h>
#include <ImfOutputPart.h>
#include <ImfPartType.h>
#include <ImfRgbaFile.h>
#include <ImfStandardAttributes.h>
#include <ImfThreading.h>
#include <ImfTiledOutputFile.h>
#include <OpenEXRConfig.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <string>
#include <vector>

#if OPENEXR_VERSION_MAJOR != 3 || OPENEXR_VERSION_MINOR != 1
#error "exrref.cpp declares OpenEXR 3.1's wav2Decode and Huffman coder: check them against this OpenEXR version"
#endif

// ImfWav.h and ImfHuf.h are not installed by Debian's libopenexr-dev, but
// libOpenEXR-3_1 exports what they declare (see ../../codec.cpp).
OPENEXR_IMF_INTERNAL_NAMESPACE_HEADER_ENTER
void wav2Decode(unsigned short *in, int nx, int ox, int ny, int oy, unsigned short mx);
int hufCompress(const unsigned short raw[], int nRaw, char compressed[]);
void hufUncompress(const char compressed[], int nCompressed, unsigned short raw[], int nRaw);
OPENEXR_IMF_INTERNAL_NAMESPACE_HEADER_EXIT

namespace {

// guard runs body with the library's thread pool off (as package exr runs
// it), turning any exception into -1 and its message.
template <typename F> int guard(char *msg, size_t msg_len, F body) noexcept
{
	if (msg != nullptr && msg_len > 0)
		msg[0] = '\0';
	const char *text = "unknown C++ exception";
	std::string what;
	try {
		static std::once_flag once;
		std::call_once(once, [] { Imf::setGlobalThreadCount(0); });
		body();
		return 0;
	} catch (const std::exception &e) {
		try {
			what = e.what();
			text = what.c_str();
		} catch (...) {
		}
	} catch (...) {
	}
	if (msg != nullptr && msg_len > 0)
		std::snprintf(msg, msg_len, "%s", text);
	return -1;
}

} // namespace

extern "C" int exrref_write_rgba(const char *path, int32_t w, int32_t h, const uint16_t *pix, int32_t compression,
                                 int32_t tile_w, int32_t tile_h, int32_t level_mode, char *msg, size_t msg_len)
{
	return guard(msg, msg_len, [&] {
		if (w <= 0 || h <= 0 || compression < 0 || compression >= Imf::NUM_COMPRESSION_METHODS || level_mode < 0 ||
		    level_mode >= Imf::NUM_LEVELMODES)
			throw Iex::ArgExc("bad size, compression or level mode");
		Imf::Header hd(w, h);
		hd.compression() = Imf::Compression(compression);
		static const char *const names[4] = {"R", "G", "B", "A"};
		for (int s = 0; s < 4; s++)
			hd.channels().insert(names[s], Imf::Channel(Imf::HALF));
		// frameBuffer points the slices at pix, or at a level of it, which
		// keeps every (2^lx, 2^ly)-th pixel.
		auto frameBuffer = [&](const uint16_t *src, int64_t stride) {
			Imf::FrameBuffer fb;
			char *base = reinterpret_cast<char *>(const_cast<uint16_t *>(src));
			for (int s = 0; s < 4; s++)
				fb.insert(names[s], Imf::Slice(Imf::HALF, base + 2 * s, 8, size_t(stride) * 8));
			return fb;
		};
		if (tile_w <= 0) {
			Imf::OutputFile out(path, hd, 0);
			out.setFrameBuffer(frameBuffer(pix, w));
			out.writePixels(h);
			return;
		}
		hd.setTileDescription(Imf::TileDescription(tile_w, tile_h, Imf::LevelMode(level_mode), Imf::ROUND_DOWN));
		Imf::TiledOutputFile out(path, hd, 0);
		for (int ly = 0; ly < out.numYLevels(); ly++) {
			for (int lx = 0; lx < out.numXLevels(); lx++) {
				if (level_mode == Imf::MIPMAP_LEVELS && lx != ly)
					continue;
				const int lw = out.levelWidth(lx), lh = out.levelHeight(ly);
				std::vector<uint16_t> level(size_t(lw) * size_t(lh) * 4);
				for (int y = 0; y < lh; y++)
					for (int x = 0; x < lw; x++)
						std::memcpy(&level[(size_t(y) * lw + x) * 4], pix + ((int64_t(y) << ly) * w + (int64_t(x) << lx)) * 4, 8);
				out.setFrameBuffer(frameBuffer(level.data(), lw));
				out.writeTiles(0, out.numXTiles(lx) - 1, 0, out.numYTiles(ly) - 1, lx, ly);
			}
		}
	});
}

extern "C" int exrref_write_channels(const char *path, int32_t w, int32_t h, int32_t n, const char *const *names,
                                     const int32_t *types, const int32_t *plinear, const void *const *data,
                                     int32_t compression, float dwa_level, int32_t tile, char *msg, size_t msg_len)
{
	return guard(msg, msg_len, [&] {
		if (w <= 0 || h <= 0 || n <= 0 || compression < 0 || compression >= Imf::NUM_COMPRESSION_METHODS)
			throw Iex::ArgExc("bad size, channel count or compression");
		Imf::Header hd(w, h);
		hd.compression() = Imf::Compression(compression);
		hd.dwaCompressionLevel() = dwa_level;
		Imf::FrameBuffer fb;
		for (int i = 0; i < n; i++) {
			if (types[i] < 0 || types[i] >= Imf::NUM_PIXELTYPES)
				throw Iex::ArgExc("bad channel type");
			const Imf::PixelType t = Imf::PixelType(types[i]);
			const size_t size = t == Imf::HALF ? 2 : 4;
			hd.channels().insert(names[i], Imf::Channel(t, 1, 1, plinear[i] != 0));
			fb.insert(names[i], Imf::Slice(t, static_cast<char *>(const_cast<void *>(data[i])), size, size * size_t(w)));
		}
		if (tile > 0) {
			hd.setTileDescription(Imf::TileDescription(tile, tile, Imf::ONE_LEVEL));
			Imf::TiledOutputFile out(path, hd, 0);
			out.setFrameBuffer(fb);
			out.writeTiles(0, out.numXTiles() - 1, 0, out.numYTiles() - 1);
			return;
		}
		Imf::OutputFile out(path, hd, 0);
		out.setFrameBuffer(fb);
		out.writePixels(h);
	});
}

extern "C" int exrref_rgba_yca(const char *path, const char *layer, uint16_t *dst, uint64_t n, char *msg,
                               size_t msg_len)
{
	return guard(msg, msg_len, [&] {
		Imf::RgbaInputFile in(path, layer, 0);
		const Imath::Box2i &dw = in.dataWindow();
		const int64_t w = int64_t(dw.max.x) - dw.min.x + 1, h = int64_t(dw.max.y) - dw.min.y + 1;
		if (uint64_t(w) * uint64_t(h) * 4 > n)
			throw Iex::ArgExc("buffer too small");
		const uintptr_t off = (uintptr_t(intptr_t(dw.min.x)) + uintptr_t(intptr_t(dw.min.y)) * uintptr_t(w)) * 8u;
		in.setFrameBuffer(reinterpret_cast<Imf::Rgba *>(reinterpret_cast<uintptr_t>(dst) - off), 1, size_t(w));
		in.readPixels(dw.min.y, dw.max.y);
	});
}

extern "C" int exrref_copy_to_parts(const char *src, const char *dst, const char *prefix, int32_t compression,
                                    char *msg, size_t msg_len)
{
	return guard(msg, msg_len, [&] {
		if (compression >= Imf::NUM_COMPRESSION_METHODS)
			throw Iex::ArgExc("bad compression");
		Imf::InputFile in(src, 0);
		const Imf::Header &hd = in.header();
		const Imath::Box2i &dw = hd.dataWindow();
		const int64_t w = int64_t(dw.max.x) - dw.min.x + 1, h = int64_t(dw.max.y) - dw.min.y + 1;

		// Read every channel at its own sampling into a buffer of its own.
		struct Plane {
			std::string name;
			Imf::Channel ch;
			std::vector<char> data;
			size_t xStride, yStride;
			uintptr_t dwOffset; // the data window's origin's offset in data
			char *base() { return reinterpret_cast<char *>(reinterpret_cast<uintptr_t>(data.data()) - dwOffset); }
		};
		std::vector<Plane> planes;
		Imf::FrameBuffer fb;
		for (auto c = hd.channels().begin(); c != hd.channels().end(); ++c) {
			const Imf::Channel &ch = c.channel();
			const size_t size = ch.type == Imf::HALF ? 2 : 4;
			Plane p{c.name(), ch, std::vector<char>(size * size_t(w / ch.xSampling) * size_t(h / ch.ySampling)), size,
			        size * size_t(w / ch.xSampling), 0};
			p.dwOffset = uintptr_t(intptr_t(dw.min.x / ch.xSampling)) * p.xStride +
			             uintptr_t(intptr_t(dw.min.y / ch.ySampling)) * p.yStride;
			planes.push_back(std::move(p));
		}
		for (Plane &p : planes)
			fb.insert(p.name, Imf::Slice(p.ch.type, p.base(), p.xStride, p.yStride, p.ch.xSampling, p.ch.ySampling));
		in.setFrameBuffer(fb);
		in.readPixels(dw.min.y, dw.max.y);

		std::vector<Imf::Header> headers(2, hd);
		headers[0].setName("plate");
		headers[1].setName("yc");
		headers[1].channels() = Imf::ChannelList();
		for (const Plane &p : planes)
			headers[1].channels().insert(prefix + p.name, p.ch);
		for (Imf::Header &x : headers) {
			x.setType(Imf::SCANLINEIMAGE);
			if (compression >= 0)
				x.compression() = Imf::Compression(compression);
		}
		Imf::MultiPartOutputFile out(dst, headers.data(), 2, false, 0);
		for (int part = 0; part < 2; part++) {
			Imf::FrameBuffer ofb;
			for (Plane &p : planes)
				ofb.insert((part ? std::string(prefix) : std::string()) + p.name,
				           Imf::Slice(p.ch.type, p.base(), p.xStride, p.yStride, p.ch.xSampling, p.ch.ySampling));
			Imf::OutputPart op(out, part);
			op.setFrameBuffer(ofb);
			op.writePixels(int(h));
		}
	});
}

extern "C" void exrref_wav2_decode(uint16_t *in, int nx, int ox, int ny, int oy, uint16_t mx)
{
	Imf::wav2Decode(in, nx, ox, ny, oy, mx);
}

extern "C" int exrref_read_channel(const char *path, int32_t part, const char *name, int32_t *type, void *dst,
                                   uint64_t n, char *msg, size_t msg_len)
{
	return guard(msg, msg_len, [&] {
		Imf::MultiPartInputFile file(path);
		if (part < 0 || part >= file.parts())
			throw Iex::ArgExc("no such part");
		Imf::InputPart in(file, part);
		const Imf::Header &hd = in.header();
		const Imf::Channel *ch = hd.channels().findChannel(name);
		if (ch == nullptr)
			throw Iex::ArgExc(std::string("no channel ") + name);
		const Imath::Box2i dw = hd.dataWindow();
		const uint64_t w = uint64_t(dw.max.x - dw.min.x + 1), h = uint64_t(dw.max.y - dw.min.y + 1);
		if (n < w * h)
			throw Iex::ArgExc("buffer too small");
		const Imf::PixelType t = ch->type == Imf::UINT ? Imf::UINT : Imf::FLOAT;
		char *base = static_cast<char *>(dst) - (int64_t(dw.min.y) * int64_t(w) + dw.min.x) * 4;
		Imf::FrameBuffer fb;
		fb.insert(name, Imf::Slice(t, base, 4, 4 * w));
		in.setFrameBuffer(fb);
		in.readPixels(dw.min.y, dw.max.y);
		*type = ch->type;
	});
}

extern "C" int exrref_string_attr(const char *path, int32_t part, const char *name, char *dst, uint64_t n,
                                  uint64_t *len, char *msg, size_t msg_len)
{
	return guard(msg, msg_len, [&] {
		Imf::MultiPartInputFile file(path);
		if (part < 0 || part >= file.parts())
			throw Iex::ArgExc("no such part");
		const std::string &v = file.header(part).typedAttribute<Imf::StringAttribute>(name).value();
		*len = v.size();
		if (v.size() <= n)
			std::memcpy(dst, v.data(), v.size());
	});
}

extern "C" int32_t exrref_huf_compress(const uint16_t *raw, int32_t n, uint8_t *out)
{
	return Imf::hufCompress(raw, n, reinterpret_cast<char *>(out));
}

extern "C" int exrref_huf_uncompress(const uint8_t *in, int32_t n, uint16_t *out, int32_t nout, char *msg,
                                     size_t msg_len)
{
	return guard(msg, msg_len, [&] { Imf::hufUncompress(reinterpret_cast<const char *>(in), n, out, nout); });
}
