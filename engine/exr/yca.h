// yca.h: luminance/chroma (Y, RY, BY) to RGB through OpenEXR's C++ API, for
// any part of a file (Imf::RgbaInputFile reads part 0 only). C++ only: imf.cpp
// calls these inside its try blocks; they throw the library's exceptions.

#ifndef FLICK_EXR_YCA_H
#define FLICK_EXR_YCA_H

#include "imf.h"

#include <ImfMultiPartInputFile.h>
#include <string>

namespace flick {

// decodeYCA decodes the rows of q's chunks of a luminance/chroma part into
// dst (interleaved RGBA half, the window's width a row). q->names holds the
// Y, RY, BY and A channel names; RY and BY are subsampled 2x2 or not at
// all; a channel absent from the part reads as the library's fill (Y 0.5,
// chroma 0, A 1). The result equals Imf::RgbaInputFile's bit for bit: the
// same chroma filters (Imf::RgbaYca), edge rules and saturation fix, with
// the output rows written straight into dst. opening is cleared once the
// part's header has been checked.
void decodeYCA(Imf::MultiPartInputFile &mp, const flick_imf_req *q, uint16_t *dst, int64_t w, int64_t h,
               bool &opening);

} // namespace flick

#endif
