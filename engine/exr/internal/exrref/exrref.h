// exrref.h: what the tests of package exr ask of OpenEXR's C++ API
// (libOpenEXR-3_1) besides decoding: writers for the files the C API of
// 3.1.5 cannot encode, and the library's own decoders that flick's are held
// bit-identical to. Every function catches every C++ exception and returns
// -1 with its message copied (truncated, NUL-terminated) into msg; 0 is
// success.

#ifndef FLICK_EXRREF_H
#define FLICK_EXRREF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// exrref_write_rgba writes a w x h single-part file of half channels R, G,
// B, A from interleaved RGBA half pix with the given compression (an
// Imf::Compression), scanline, or tiled (tile_w x tile_h) with level_mode
// (an Imf::LevelMode) levels, each level made by keeping every 2^l-th pixel.
int exrref_write_rgba(const char *path, int32_t w, int32_t h, const uint16_t *pix, int32_t compression,
                      int32_t tile_w, int32_t tile_h, int32_t level_mode, char *msg, size_t msg_len);

// exrref_write_channels writes a w x h single-part file of n channels
// (names[i], types[i] an Imf::PixelType, plinear[i]), channel i's values
// planar at data[i] (w * h of its type, rows top first), with the given
// compression and, for DWA, dwaCompressionLevel dwa_level: scanline, or
// tiled (one level, tile x tile) when tile > 0.
int exrref_write_channels(const char *path, int32_t w, int32_t h, int32_t n, const char *const *names,
                          const int32_t *types, const int32_t *plinear, const void *const *data, int32_t compression,
                          float dwa_level, int32_t tile, char *msg, size_t msg_len);

// exrref_rgba_yca decodes part 0's luminance/chroma layer ("" for none) of
// path through Imf::RgbaInputFile into dst (n values, RGBA half, the data
// window).
int exrref_rgba_yca(const char *path, const char *layer, uint16_t *dst, uint64_t n, char *msg, size_t msg_len);

// exrref_copy_to_parts writes dst, a two-part copy of the single-part file
// src: part 0 ("plate") its channels as they are, part 1 ("yc") the same
// channels renamed with prefix, both with src's windows, sampling and
// attributes, in src's compression or in compression (an Imf::Compression)
// if it is >= 0.
int exrref_copy_to_parts(const char *src, const char *dst, const char *prefix, int32_t compression, char *msg,
                         size_t msg_len);

// exrref_read_channel decodes channel name of part over its data window
// through Imf::InputPart into dst (n 32-bit values, row-major): UINT
// channels as uint32, HALF and FLOAT ones as float (the library's
// conversion), *type getting the channel's Imf::PixelType.
int exrref_read_channel(const char *path, int32_t part, const char *name, int32_t *type, void *dst, uint64_t n,
                        char *msg, size_t msg_len);

// exrref_string_attr copies the string attribute name of part (whole,
// without a terminating NUL) into dst if it fits in n bytes, and sets *len
// to its length either way.
int exrref_string_attr(const char *path, int32_t part, const char *name, char *dst, uint64_t n, uint64_t *len,
                       char *msg, size_t msg_len);

// exrref_wav2_decode is the library's inverse PIZ wavelet (ImfWav.h) on in
// (nx x ny values, ox apart in a row, oy apart between rows; mx the largest
// value before the forward transform).
void exrref_wav2_decode(uint16_t *in, int nx, int ox, int ny, int oy, uint16_t mx);

// exrref_huf_compress is the library's hufCompress (ImfHuf.h, PIZ's and
// DWA's Huffman coder): n values at raw into out (room for 8 * n + 65536
// bytes); it returns the bytes written.
int32_t exrref_huf_compress(const uint16_t *raw, int32_t n, uint8_t *out);

// exrref_huf_uncompress is the library's hufUncompress: the n bytes at in
// decoded into exactly nout values at out.
int exrref_huf_uncompress(const uint8_t *in, int32_t n, uint16_t *out, int32_t nout, char *msg, size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif
