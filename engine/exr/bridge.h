// bridge.h: the small C layer between package exr and libOpenEXRCore.
//
// Ownership: every struct here is allocated and freed by the Go side
// (C.calloc / C.free) or lives on the caller's stack; nothing keeps a
// pointer past the call that received it, except flick_reader, which owns
// its file descriptor and library context until flick_reader_close.

#ifndef FLICK_EXR_BRIDGE_H
#define FLICK_EXR_BRIDGE_H

#include <stdint.h>
#include <openexr.h>

enum {
	FLICK_MSG_LEN = 320,
	// Not a library code: things flick refuses (deep data, odd sampling).
	FLICK_ERR_UNSUPPORTED = -1,
};

// flick_msg receives the first message the library reports during one call
// into this bridge (the root cause; later ones only add "unable to ...").
typedef struct {
	exr_result_t code;
	char text[FLICK_MSG_LEN];
} flick_msg;

// Limits checked before the library allocates anything that depends on them.
enum {
	FLICK_MAX_SIDE = 65536,            // image and tile width/height
	FLICK_MAX_PIXELS = 1 << 28,        // data window area
	FLICK_MAX_CHANNELS = 1024,
	FLICK_MAX_COORD = 1 << 30,         // |window coordinate|
};

// flick_header is what Go reads once after a successful open.
typedef struct {
	int32_t parts;
	int32_t storage;     // exr_storage_t
	int32_t compression; // exr_compression_t
	int32_t dw[4];       // data window min x, min y, max x, max y
	int32_t disp[4];     // display window
	float aspect;
	int32_t tile_w, tile_h; // 0 for scanline parts
	int32_t channels;
} flick_header;

// flick_layout is the geometry of one level of one part, computed and
// checked once (flick_layout_get) before any decode uses it, then only read,
// so concurrent decodes need no locks.
typedef struct {
	int32_t part, lx, ly;
	int32_t storage;        // exr_storage_t
	int32_t compression;    // exr_compression_t
	int32_t x0, y0;         // data window origin: the level's first pixel
	int32_t width, height;  // the level's size (level 0: the data window)
	int32_t lines;          // scanlines per chunk (scanline parts)
	int32_t tile_w, tile_h; // tiled parts, else 0
	int32_t tiles_x, tiles_y;
	int32_t chunks;         // chunks of this level in flick order (rows, then tiles)
	int32_t channels;
	int32_t bad_sampling;   // a channel has sampling flick refuses
	int32_t ripmap;         // the part stores rip-map levels
} flick_layout;

// flick_reader is one open file: descriptor, library context, the header
// of part 0 and the layout of its level 0, fixed at open.
typedef struct {
	int fd;
	int64_t size;
	exr_context_t ctx;
	flick_msg msg; // messages from open
	flick_header h;
	flick_layout l0;
	void* imf; // the C++ API's flick_imf_file, opened by Go on first use (File.imfFile, under File.imfMu)
} flick_reader;

// flick_decode_req says which channel (index in file order, -1 none) is
// decoded into each RGBA slot; for a slot with no channel, which decoded slot
// is copied into it (-1: the slot gets 0, or 1.0 for A); and which chunks of
// the layout to decode: [chunk_begin, chunk_end), scanline chunks top to
// bottom or tiles row by row. library_codecs set keeps the library's own
// decompressors for ZIP, ZIPS, PXR24 (zlib) and RLE and its own unpack step
// (tests compare them with flick's, deflate.c and unpack.c).
// check_only set only reads and checks each chunk's leader and table entry
// (for chunks another decoder, the C++ API, will decode).
typedef struct {
	int32_t channel[4];
	int32_t copy_from[4];
	int32_t chunk_begin, chunk_end;
	int32_t library_codecs;
	int32_t check_only;
} flick_decode_req;

exr_result_t flick_reader_open(flick_reader* r, const char* path);
void flick_reader_close(flick_reader* r);
exr_result_t flick_reader_channel(
	flick_reader* r, int i, const char** name, int32_t* type, int32_t* xs, int32_t* ys);

// flick_layout_get computes and checks the layout of level (lx, ly) of part
// (and loads that part's chunk table). It only reads the context; the
// caller serialises calls for one part so the table is loaded once.
exr_result_t flick_layout_get(const flick_reader* r, int part, int lx, int ly, flick_layout* l, flick_msg* msg);

// flick_decode decodes the requested chunks of layout l (from
// flick_layout_get on r) into dst (interleaved RGBA half, l->width pixels a
// row, dst_len uint16 values). On failure *fail_chunk is the chunk
// index (or -1) and msg holds the library's message. It keeps no state
// between calls and has its own decode pipeline, so several threads may
// decode disjoint chunk ranges of one reader at once: the library only reads
// the context while decoding (its chunk offset table, loaded lazily with an
// atomic compare-and-swap, is loaded by flick_reader_open already), and the
// read callback uses pread.
exr_result_t flick_decode(
	const flick_reader* r, const flick_layout* l, uint16_t* dst, uint64_t dst_len, const flick_decode_req* q,
	int32_t* fail_chunk, flick_msg* msg);

// flick_pipeline_kept_bytes is the size of the decode buffers the calling
// thread keeps between flick_decode calls (pipebuf.c); for tests.
uint64_t flick_pipeline_kept_bytes(void);

// flick_write writes a single-part scanline image with channels R,G,B,A of
// pixel type ptype to fd, from interleaved RGBA input of that type (w*h*4
// values), with a framesPerSecond attribute when fps_den > 0 and a timeCode
// (timeAndFlags tc, no user data) when has_tc. name is only used in messages.
exr_result_t flick_write(
	int fd, const char* name, int32_t w, int32_t h, const void* pix, int32_t ptype,
	int32_t comp, int32_t fps_num, int32_t fps_den, int32_t has_tc, uint32_t tc, flick_msg* msg);

// flick_dwa_cpu says whether this CPU has what dwa.c needs (AVX2, F16C).
int flick_dwa_cpu(void);

#endif
