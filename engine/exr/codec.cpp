// codec.cpp: OpenEXR's C++ decompressors as the decompress step of Core's
// decode pipeline (read.c), for scanline parts: DWAA and DWAB where dwa.c
// does not take the request.
//
// Core 3.1.5 cannot decode DWA at all, and decodes PIZ at half the C++
// API's speed; the C++ API's reader, for its part, reads through its own
// line buffers and copies each value into the frame buffer one at a time.
// Here Core reads and checks the chunk, the C++ codec decompresses it, and
// unpack.c interleaves the result straight into the destination.
//
// ImfCompressor.h is not installed by Debian's libopenexr-dev, but what it
// declares is exported by libOpenEXR-3_1: the declarations below are OpenEXR 3.1's (Compressor's virtual functions in
// its order, checked against the library's vtable for Imf_3_1::Compressor).
// Another version gets a compile error here, on purpose: check the
// declarations, or whether Core now decodes these itself.

#include <ImathBox.h>
#include <ImfChannelList.h>
#include <ImfCompression.h>
#include <ImfHeader.h>
#include <ImfNamespace.h>
#include <OpenEXRConfig.h>

#include <climits>
#include <cstring>
#include <exception>
#include <memory>
#include <new>

extern "C" {
#include "bridge_internal.h"
}

#if OPENEXR_VERSION_MAJOR != 3 || OPENEXR_VERSION_MINOR != 1
#error "codec.cpp declares OpenEXR 3.1's Imf::Compressor: check it against this OpenEXR version"
#endif

OPENEXR_IMF_INTERNAL_NAMESPACE_HEADER_ENTER

class Compressor {
public:
	Compressor(const Header &hdr);
	virtual ~Compressor();
	virtual int numScanLines() const = 0;
	enum Format { NATIVE, XDR };
	virtual Format format() const;
	virtual int compress(const char *inPtr, int inSize, int minY, const char *&outPtr) = 0;
	virtual int compressTile(const char *inPtr, int inSize, IMATH_NAMESPACE::Box2i range, const char *&outPtr);
	virtual int uncompress(const char *inPtr, int inSize, int minY, const char *&outPtr) = 0;
	virtual int uncompressTile(const char *inPtr, int inSize, IMATH_NAMESPACE::Box2i range, const char *&outPtr);

protected:
	const Header &_header;
};

Compressor *newCompressor(Compression c, size_t maxScanLineSize, const Header &hdr);

OPENEXR_IMF_INTERNAL_NAMESPACE_HEADER_EXIT

namespace {

// codec is this thread's decompressor with the header it was made for (the
// compressor keeps a reference to it). It is kept between chunks, calls and
// files while the part's layout stays the same, as its buffers are large:
// one per OS thread that decoded such a part, as pipebuf.c keeps buffers.
struct codec {
	Imf::Header header;
	std::unique_ptr<Imf::Compressor> comp;
	exr_compression_t compression = EXR_COMPRESSION_NONE;
};

thread_local codec current;

// fits says whether c decodes chunks of d's part: same compression, data
// window and channels (name, type, sampling, in the file's order, which is
// the channel list's).
bool fits(const codec &c, const exr_decode_pipeline_t *d, exr_compression_t comp, const exr_attr_box2i_t &dw)
{
	if (!c.comp || c.compression != comp) return false;
	const IMATH_NAMESPACE::Box2i &w = c.header.dataWindow();
	if (w.min.x != dw.min.x || w.min.y != dw.min.y || w.max.x != dw.max.x || w.max.y != dw.max.y) return false;
	int i = 0;
	for (Imf::ChannelList::ConstIterator it = c.header.channels().begin(); it != c.header.channels().end(); ++it, ++i) {
		if (i >= d->channel_count) return false;
		const exr_coding_channel_info_t &ch = d->channels[i];
		const Imf::Channel &k = it.channel();
		if (std::strcmp(it.name(), ch.channel_name) != 0 || int(k.type) != int(ch.data_type) ||
			k.xSampling != ch.x_samples || k.ySampling != ch.y_samples || k.pLinear != (ch.p_linear != 0))
			return false;
	}
	return i == d->channel_count;
}

// make sets c up for d's part. The line size it gives the library bounds
// every line (each channel's samples across the whole width), as the C++
// reader's own does.
void make(codec &c, const exr_decode_pipeline_t *d, exr_compression_t comp, const exr_attr_box2i_t &dw)
{
	c.comp.reset();
	c.header = Imf::Header();
	c.header.dataWindow() = IMATH_NAMESPACE::Box2i({dw.min.x, dw.min.y}, {dw.max.x, dw.max.y});
	c.header.displayWindow() = c.header.dataWindow();
	c.header.compression() = Imf::Compression(comp);
	size_t line = 0;
	const size_t width = size_t(int64_t(dw.max.x) - dw.min.x + 1);
	for (int i = 0; i < d->channel_count; i++) {
		const exr_coding_channel_info_t &ch = d->channels[i];
		c.header.channels().insert(ch.channel_name,
			Imf::Channel(Imf::PixelType(ch.data_type), ch.x_samples, ch.y_samples, ch.p_linear != 0));
		line += size_t(ch.bytes_per_element) * (width / size_t(ch.x_samples) + 1);
	}
	c.compression = comp;
	c.comp.reset(Imf::newCompressor(Imf::Compression(comp), line, c.header));
	if (!c.comp) throw std::runtime_error("no decompressor for this compression");
}

const char *name(exr_compression_t comp)
{
	switch (comp) {
	case EXR_COMPRESSION_DWAA: return "DWAA";
	case EXR_COMPRESSION_DWAB: return "DWAB";
	default: return "C++ codec";
	}
}

} // namespace

extern "C" exr_result_t flick_imf_decompress(exr_decode_pipeline_t *d)
{
	exr_result_t rv = EXR_ERR_SUCCESS;
	const bool fused = d->unpack_and_convert_fn == flick_unpack_done;
	if (flick_stored_chunk(d, &rv))
		return rv == EXR_ERR_SUCCESS && fused ? flick_rgba_unpack_from(d, static_cast<const uint8_t *>(d->unpacked_buffer)) : rv;

	exr_compression_t comp = EXR_COMPRESSION_NONE;
	exr_attr_box2i_t dw;
	if ((rv = exr_get_compression(d->context, d->part_index, &comp)) != EXR_ERR_SUCCESS ||
		(rv = exr_get_data_window(d->context, d->part_index, &dw)) != EXR_ERR_SUCCESS)
		return rv;
	const uint64_t packed = d->chunk.packed_size, n = d->chunk.unpacked_size;
	if (d->packed_buffer == nullptr || packed > INT_MAX || (!fused && d->unpacked_buffer == nullptr)) {
		flick_msg_report(EXR_ERR_INVALID_ARGUMENT, "%s chunk of %llu bytes: no buffer", name(comp),
			(unsigned long long) packed);
		return EXR_ERR_INVALID_ARGUMENT;
	}
	try {
		if (!fits(current, d, comp, dw)) make(current, d, comp, dw);
		const char *out = nullptr;
		int got = current.comp->uncompress(static_cast<const char *>(d->packed_buffer), int(packed),
			d->chunk.start_y, out);
		if (got < 0 || uint64_t(got) != n || out == nullptr) {
			flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "%s chunk of %llu bytes decodes to %d bytes, not %llu",
				name(comp), (unsigned long long) packed, got, (unsigned long long) n);
			return EXR_ERR_CORRUPT_CHUNK;
		}
		if (fused) return flick_rgba_unpack_from(d, reinterpret_cast<const uint8_t *>(out));
		std::memcpy(d->unpacked_buffer, out, n);
		return EXR_ERR_SUCCESS;
	} catch (const std::bad_alloc &) {
		current.comp.reset();
		flick_msg_report(EXR_ERR_OUT_OF_MEMORY, "%s chunk: out of memory", name(comp));
		return EXR_ERR_OUT_OF_MEMORY;
	} catch (const std::exception &e) {
		flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "%s chunk of %llu bytes: %s", name(comp),
			(unsigned long long) packed, e.what());
		return EXR_ERR_CORRUPT_CHUNK;
	} catch (...) {
		flick_msg_report(EXR_ERR_CORRUPT_CHUNK, "%s chunk of %llu bytes: unknown C++ exception", name(comp),
			(unsigned long long) packed);
		return EXR_ERR_CORRUPT_CHUNK;
	}
}
