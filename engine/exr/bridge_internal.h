// bridge_internal.h: helpers shared by bridge.c, read.c and write.c; not
// used from Go.

#ifndef FLICK_EXR_BRIDGE_INTERNAL_H
#define FLICK_EXR_BRIDGE_INTERNAL_H

#include "bridge.h"

#include <stddef.h>

// Chunks up to FLICK_SMALL_CHUNK packed bytes are read through the read
// window; FLICK_LEADER_MAX bounds the bytes before a chunk's data (part
// number, coordinates, size).
#define FLICK_SMALL_CHUNK ((uint64_t) 64 << 10)
#define FLICK_LEADER_MAX 32

// FLICK_MAX_ALLOC caps any single allocation the library makes for us.
#define FLICK_MAX_ALLOC ((size_t) 1 << 30)

// flick_msg_begin routes the library's messages on this thread to m until
// flick_msg_end.
void flick_msg_begin(flick_msg* m);
void flick_msg_end(void);

// flick_msg_swap routes this thread's messages to m (NULL: nowhere) and
// returns where they went before.
flick_msg* flick_msg_swap(flick_msg* m);

// flick_msg_setf records a message unless m already holds one.
void flick_msg_setf(flick_msg* m, exr_result_t code, const char* fmt, ...)
	__attribute__((format(printf, 3, 4)));

// flick_msg_report records a message in the flick_msg this thread's bridge
// call routes messages to (see flick_msg_begin), if any: for our own
// pipeline steps, which the library calls without a message of their own.
void flick_msg_report(exr_result_t code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// flick_zip_decompress is a decode pipeline's decompress_fn for ZIP and
// ZIPS chunks: libdeflate, then the library's predictor and interleave.
exr_result_t flick_zip_decompress(exr_decode_pipeline_t* d);

// flick_rle_decompress is a decode pipeline's decompress_fn for RLE chunks:
// the same run-length decoding as the library's, then flick_zip_undo's SIMD
// predictor and interleave (the library's are scalar).
exr_result_t flick_rle_decompress(exr_decode_pipeline_t* d);

// flick_pxr24_decompress is a decode pipeline's decompress_fn for PXR24
// chunks: libdeflate, then the library's byte-plane and difference undo.
exr_result_t flick_pxr24_decompress(exr_decode_pipeline_t* d);

// flick_imf_decompress is a decode pipeline's decompress_fn for DWAA and
// DWAB scanline chunks: OpenEXR's C++ decompressor (codec.cpp), then a
// copy into the unpacked buffer, or straight into the destination when the
// unpack step is flick_unpack_done (see flick_rgba_unpacking).
exr_result_t flick_imf_decompress(exr_decode_pipeline_t* d);

// flick_inflater returns this thread's libdeflate decompressor (made on
// first use, freed when the thread exits), or NULL when out of memory.
struct libdeflate_decompressor* flick_inflater(void);

// flick_unrle undoes OpenEXR's run-length coding of packed bytes at in into
// exactly n bytes at out; it returns 0, or -1 if they do not fill it.
int flick_unrle(uint8_t* out, uint64_t n, const uint8_t* in, uint64_t packed);

// flick_dwa_pick sets a DWAA/DWAB pipeline's decompress step: dwa.c's
// decoder, which writes straight into the destination, where the output
// suits it (flick_lanes_of), the CPU has what it needs (flick_dwa_cpu) and
// library_codecs is 0; otherwise, for scanline chunks, the C++ API's
// (flick_imf_decompress), and for tiles none (Core's, which fails).
void flick_dwa_pick(exr_decode_pipeline_t* d, int library_codecs, int tiled);

// flick_piz_decompress is a decode pipeline's decompress_fn for PIZ
// chunks, scanline and tiled (piz.c): flick's Huffman step (huf.c), its
// wavelet step (flick_wav2_decode, held to the library's by
// TestWav2DecodeMatchesLibrary), and the lines written out like
// flick_imf_decompress's.
exr_result_t flick_piz_decompress(exr_decode_pipeline_t* d);
void flick_wav2_decode(uint16_t* in, int nx, int ox, int ny, int oy, uint16_t mx);

// flick_scratch returns the pipeline's first scratch buffer, at least n
// bytes (NULL when out of memory); it is kept with the pipeline's buffers.
void* flick_scratch(exr_decode_pipeline_t* d, uint64_t n);

// flick_b44_pick sets a B44/B44A pipeline's steps: b44.c's decoder, which
// writes straight into the destination (zeros in the slots of a pixel no
// channel fills: fill_rect's to write), where the output suits it and
// library_codecs is 0; otherwise the library's decompress_fn, wrapped so
// chunks stored uncompressed (packed size equal to unpacked) are copied,
// not failed.
void flick_b44_pick(exr_decode_pipeline_t* d, int library_codecs);

// flick_zip_undo turns n inflated bytes in scratch (overwritten) into
// unpacked chunk bytes in out; simd picks the SSE path where there is one.
void flick_zip_undo(uint8_t* out, uint8_t* scratch, uint64_t n, int simd);

// flick_lanes is where a chunk's requested channels go when they are HALF
// read as HALF into slots of interleaved pixels (what point_channels sets
// up): their pointers lie in one 8-byte window (a pixel of interleaved
// RGBA half, or one that starts at the first requested slot), lane k being
// the window's k-th value.
typedef struct {
	uint8_t* win;   // the window of the chunk's first pixel
	int64_t line;   // bytes from one destination line to the next
	int channel[4]; // the channel each lane decodes, -1 for none
	int lanes;      // a bit per lane decoded
} flick_lanes;

// flick_lanes_of fills o from d's channels, or returns 0 if any channel is
// subsampled or the requested ones are not HALF read as HALF in lanes of
// one window, pixels 8 bytes apart.
int flick_lanes_of(const exr_decode_pipeline_t* d, flick_lanes* o);

// flick_lanes_stored copies a chunk stored uncompressed (each line holds
// every channel's values, channel after channel) into o's lanes.
exr_result_t flick_lanes_stored(const exr_decode_pipeline_t* d, const flick_lanes* o);

// flick_lanes_put writes line y of the chunk (w pixels) from one row of
// values per lane (src[k][x]); the lanes no channel fills get src's values
// too (a row of zeros, say: flick_decode's fill_rect then writes every
// slot no channel fills), except in the line's last pixel when the window
// does not start at a pixel, so that nothing is written past the line.
void flick_lanes_put(const flick_lanes* o, int32_t y, const uint16_t* const src[4], int32_t w);

// flick_rgba_unpack_pick replaces the pipeline's unpack step (chosen by the
// library) with unpack.c's when the output is four HALF channels into the
// four slots of interleaved RGBA half and no channel is subsampled.
void flick_rgba_unpack_pick(exr_decode_pipeline_t* d);

// flick_rgba_unpacking says whether flick_rgba_unpack_pick installed its
// step in d. A decompress step that has the chunk's unpacked bytes in a
// buffer of its own can then interleave them straight into the destination
// with flick_rgba_unpack_from, if the pipeline's unpack step is
// flick_unpack_done, which does nothing.
int flick_rgba_unpacking(const exr_decode_pipeline_t* d);
exr_result_t flick_rgba_unpack_from(exr_decode_pipeline_t* d, const uint8_t* in);
// flick_rgba_unpack_split is flick_rgba_unpack_from for bytes still split
// as ZIP and RLE store them (the low bytes of the unpacked bytes' 16-bit
// words in the first half, the high bytes in the second; flick_zip_undo's
// interleave): ZIP and RLE chunks go from there to the destination in one
// pass instead of two.
exr_result_t flick_rgba_unpack_split(exr_decode_pipeline_t* d, const uint8_t* in);
exr_result_t flick_unpack_done(exr_decode_pipeline_t* d);

// flick_stored_chunk handles a chunk stored uncompressed (packed size equal
// to unpacked), as the C++ API reads it where Core 3.1.5 would run the
// codec on it and fail: it returns 1 with the bytes in d->unpacked_buffer
// (*rv says whether that worked), or 0 for a compressed chunk.
int flick_stored_chunk(exr_decode_pipeline_t* d, exr_result_t* rv);

// flick_pipeline_lend gives a freshly initialized pipeline the buffers this
// thread kept from its last decode (the library reuses those large enough
// and frees the others with free, as it allocates with malloc);
// flick_pipeline_keep takes the pipeline's buffers back before
// exr_decoding_destroy would free them. See pipebuf.c.
void flick_pipeline_lend(exr_decode_pipeline_t* d);
void flick_pipeline_keep(exr_decode_pipeline_t* d);

// The read window (pipebuf.c): flick_window_fill reads up to n bytes of r's
// file from off into this thread's window; flick_window_read copies
// [off, off + sz) into dst and returns 1 if the window holds them for r;
// flick_window_holds only says whether it does; flick_window_drop forgets
// the window (at the end of each flick_decode, so it never serves stale
// bytes or another reader at the same address).
void flick_window_fill(const flick_reader* r, uint64_t off, uint64_t n);
int flick_window_read(const flick_reader* r, void* dst, uint64_t sz, uint64_t off);
int flick_window_holds(const flick_reader* r, uint64_t off, uint64_t sz);
void flick_window_drop(void);

// flick_initializer returns a context initializer with flick's error
// handler, capped allocator and size limits.
exr_context_initializer_t flick_initializer(void* user_data);

#endif
