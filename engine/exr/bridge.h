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
// The destination covers the rectangle out_x, out_y, out_w x out_h of the
// level (pixels from its first), out_w pixels a row; every decoded chunk
// must lie inside it. float_out set makes it interleaved RGBA float32 (any
// pixel type converted by the library's unpack step) instead of half.
typedef struct {
	int32_t channel[4];
	int32_t copy_from[4];
	int32_t chunk_begin, chunk_end;
	int32_t library_codecs;
	int32_t check_only;
	int32_t out_x, out_y, out_w, out_h;
	int32_t float_out;
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
// flick_layout_get on r) into dst (interleaved RGBA half, or float32 with
// q->float_out, over q's out rectangle; dst_len values). On failure *fail_chunk is the chunk
// index (or -1) and msg holds the library's message. It keeps no state
// between calls and has its own decode pipeline, so several threads may
// decode disjoint chunk ranges of one reader at once: the library only reads
// the context while decoding (its chunk offset table, loaded lazily with an
// atomic compare-and-swap, is loaded by flick_reader_open already), and the
// read callback uses pread.
exr_result_t flick_decode(
	const flick_reader* r, const flick_layout* l, void* dst, uint64_t dst_len, const flick_decode_req* q,
	int32_t* fail_chunk, flick_msg* msg);

// flick_chunk_rect is where chunk i of layout l lies in its level: x, y
// from the level's first pixel, w x h pixels.
void flick_chunk_rect(const flick_layout* l, int32_t i, int32_t* x, int32_t* y, int32_t* w, int32_t* h);

// flick_pipeline_kept_bytes is the size of the decode buffers the calling
// thread keeps between flick_decode calls (pipebuf.c); for tests.
uint64_t flick_pipeline_kept_bytes(void);

// flick_write_spec is what flick_write writes: one scanline part whose
// channels, all of pixel type ptype, are names[0..channels), given
// interleaved in that order (channels values a pixel, the data window's
// rows top first); the data window dw and display window disp (min x, min
// y, max x, max y); a framesPerSecond attribute when fps_den > 0, a
// timeCode (timeAndFlags tc, no user data) when has_tc, and string
// attributes attr_names[i] = attr_values[i] for i < attrs.
typedef struct {
	int32_t channels;
	const char* const* names;
	int32_t ptype;
	int32_t comp;
	int32_t dw[4], disp[4];
	int32_t fps_num, fps_den;
	int32_t has_tc;
	uint32_t tc;
	int32_t attrs;
	const char* const* attr_names;
	const char* const* attr_values;
} flick_write_spec;

// flick_write writes s's image from pix to fd; name is only used in
// messages.
exr_result_t flick_write(int fd, const char* name, const void* pix, const flick_write_spec* s, flick_msg* msg);

// flick_dwa_cpu says whether this CPU has what dwa.c needs (AVX2, F16C).
int flick_dwa_cpu(void);

// flick_dwa_ac_avx512 sets whether dwa.c decodes a block's buffered AC values
// with AVX-512 (on: 1 or 0; -1 leaves it) and returns what it was: this
// CPU's choice until set. For the tests, which hold each path to the library.
int flick_dwa_ac_avx512(int on);

#endif
