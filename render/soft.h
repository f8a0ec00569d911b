#include <stdint.h>

// flick_soft_cpu reports whether the CPU runs flick_soft_draw (AVX2, F16C).
int flick_soft_cpu(void);

// flick_soft_draw draws src (w texels wide, RGBA half) into dst (tw x th,
// RGBA 16-bit), output pixel (x, y) from the k x k block (k 1, 2 or 4) at
// texel ((x + ox) k, (y + oy) k), as displayFragment does; tw at least 2.
void flick_soft_draw(uint16_t *dst, const uint16_t *src, int w, int ox, int oy, int tw, int th, int k, int channels,
                     int transform, float gain, int keep_alpha);
