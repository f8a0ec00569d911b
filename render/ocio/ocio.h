// ocio.h: the small C layer between package ocio and OpenColorIO 2.1's C++
// API.
//
// Every function catches every C++ exception and reports it as a failure
// (NULL or -1) plus a message copied (truncated, NUL-terminated) into the
// caller's buffer; no exception crosses into Go. Each handle owns one C++
// shared pointer until its _free function; nothing keeps a pointer to the
// caller's memory past the call that received it.

#ifndef FLICK_OCIO_H
#define FLICK_OCIO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flick_ocio_config flick_ocio_config;
typedef struct flick_ocio_processor flick_ocio_processor;
typedef struct flick_ocio_cpu flick_ocio_cpu;
typedef struct flick_ocio_gpu flick_ocio_gpu;

// flick_ocio_route_log sends OpenColorIO's log to the Go function
// flickOCIOLog instead of stderr, for the whole process.
void flick_ocio_route_log(void);

// flick_ocio_version is the library's version, e.g. "2.1.2".
const char *flick_ocio_version(void);

// flick_ocio_config_from_file loads and validates the config at path (its
// search paths are relative to its folder); flick_ocio_config_from_text
// does the same for text, a config that refers to no files. Loading a file
// empties OpenColorIO's caches, so LUTs are read again.
flick_ocio_config *flick_ocio_config_from_file(const char *path, char *msg, size_t msg_len);
flick_ocio_config *flick_ocio_config_from_text(const char *text, char *msg, size_t msg_len);
void flick_ocio_config_free(flick_ocio_config *c);

// flick_ocio_query answers question q about c with a malloc'd block of
// NUL-terminated strings (the caller frees it), its size in *len; NULL on
// failure. What each question takes (a, b) and gives is listed in ocio.go.
typedef enum {
	FLICK_OCIO_ABOUT = 0,      // name, profile "major.minor", description
	FLICK_OCIO_DISPLAYS,       // default display, then all active displays
	FLICK_OCIO_VIEWS,          // a display, b input space or "": default view, then the views
	FLICK_OCIO_LOOKS,          // look names
	FLICK_OCIO_COLORSPACES,    // per active space: name, family, encoding, isdata 0/1, alias count, aliases
	FLICK_OCIO_ROLES,          // per role: role, colour space
	FLICK_OCIO_CANONICAL,      // a name: its colour space's name, or "" when none
	FLICK_OCIO_FILE_RULE,      // a path: colour space, rule index, rule name, default rule 0/1
	FLICK_OCIO_ISDATA,         // a name: 0/1, whether that colour space holds data, not colour
} flick_ocio_question;

char *flick_ocio_query(const flick_ocio_config *c, flick_ocio_question q, const char *a, const char *b,
		       size_t *len, char *msg, size_t msg_len);

// flick_ocio_processor_display builds the transform from colour space src
// to display's view (with look in place of the view's own looks when look
// is not empty), inverted when inverse is not 0;
// flick_ocio_processor_spaces the one from src to dst.
flick_ocio_processor *flick_ocio_processor_display(const flick_ocio_config *c, const char *src,
						   const char *display, const char *view, const char *look,
						   int inverse, char *msg, size_t msg_len);
flick_ocio_processor *flick_ocio_processor_spaces(const flick_ocio_config *c, const char *src, const char *dst,
						  char *msg, size_t msg_len);
void flick_ocio_processor_free(flick_ocio_processor *p);

// flick_ocio_cpu_new makes p's CPU processor for 32-bit float pixels.
flick_ocio_cpu *flick_ocio_cpu_new(const flick_ocio_processor *p, char *msg, size_t msg_len);
void flick_ocio_cpu_free(flick_ocio_cpu *c);

// flick_ocio_cpu_apply_rgba transforms n RGBA float pixels in place: 0, or
// -1 with a message.
int flick_ocio_cpu_apply_rgba(const flick_ocio_cpu *c, float *px, long n, char *msg, size_t msg_len);

// flick_ocio_gpu_new extracts p's GLSL 4.0 shader: a function named
// function, its textures and uniforms named with prefix.
flick_ocio_gpu *flick_ocio_gpu_new(const flick_ocio_processor *p, const char *function, const char *prefix,
				   char *msg, size_t msg_len);
void flick_ocio_gpu_free(flick_ocio_gpu *g);

// flick_ocio_gpu_text is g's shader text, valid until g is freed; the
// counts are its 1D/2D textures, its 3D textures and its uniforms.
const char *flick_ocio_gpu_text(const flick_ocio_gpu *g, unsigned *textures, unsigned *textures3d,
				unsigned *uniforms);

// flick_ocio_lut describes one of a shader's textures. Its strings and
// values belong to the flick_ocio_gpu and live as long as it does.
typedef struct {
	const char *name, *sampler;
	unsigned width, height, depth; // depth 0 for 1D/2D textures
	int rgb;                       // 1: RGB texels, 0: red only
	int interpolation;             // OpenColorIO's Interpolation
	const float *values;           // width*height*(depth or 1)*(rgb ? 3 : 1) floats
} flick_ocio_lut;

// flick_ocio_gpu_lut describes 1D/2D texture i (three_d 0) or 3D texture i:
// 0, or -1 with a message.
int flick_ocio_gpu_lut(const flick_ocio_gpu *g, int three_d, unsigned i, flick_ocio_lut *out, char *msg,
		       size_t msg_len);

#ifdef __cplusplus
}
#endif

#endif
