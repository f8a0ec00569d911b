// convert.h: RGBA 16-bit to limited-range YUV (BT.709 or BT.2020 matrix), straight into an
// AVFrame's planes (Go cannot write them with go-astiav v0.16.0).
#ifndef FLICK_EXPORT_CONVERT_H
#define FLICK_EXPORT_CONVERT_H

#include <stdint.h>
#include <libavutil/frame.h>

// Planar layouts the encoder writes; the Go side mirrors these values.
enum flick_layout {
	FLICK_YUV420P = 0,    // 8-bit, chroma = mean of each 2x2 block
	FLICK_YUV422P10 = 1,  // 10-bit LE, chroma = mean of each 2x1 pair
	FLICK_YUVA444P10 = 2, // 10-bit LE, alpha full range from A
};

// flick_frame_prepare makes f writable (the encoder may still hold the last
// frame's buffers) and tags it limited range with primaries pri
// (AVColorPrimaries), transfer characteristic trc
// (AVColorTransferCharacteristic) and matrix spc (AVColorSpace). It returns
// an AVERROR.
int flick_frame_prepare(AVFrame *f, int pri, int trc, int spc);

// flick_convert converts rows [y0, y1) of rgba (w pixels of R, G, B, A per
// row, top row first) into f's planes, with the matrix of luma weights kr
// and kb. y0 and y1 must be even for FLICK_YUV420P.
void flick_convert(int layout, float kr, float kb, const uint16_t *rgba, int w, AVFrame *f, int y0, int y1);

#endif
