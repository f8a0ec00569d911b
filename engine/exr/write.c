// write.c: writing a single-part scanline R,G,B,A image through the C API's
// encode pipeline.

#include "bridge_internal.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	int fd;
} out_file;

static int64_t write_fd(
	exr_const_context_t ctxt, void* user, const void* buf, uint64_t sz, uint64_t off,
	exr_stream_error_func_ptr_t error_cb)
{
	const out_file* f = user;
	const uint8_t* p = buf;
	int64_t put = 0;
	if (sz > (uint64_t) INT64_MAX || off > (uint64_t) INT64_MAX) {
		if (error_cb) error_cb(ctxt, EXR_ERR_WRITE_IO, "write request out of range");
		return -1;
	}
	while ((uint64_t) put < sz) {
		ssize_t n = pwrite(f->fd, p + put, (size_t) (sz - (uint64_t) put), (off_t) (off + (uint64_t) put));
		if (n < 0) {
			if (errno == EINTR) continue;
			if (error_cb) error_cb(ctxt, EXR_ERR_WRITE_IO, "write failed: %s", strerror(errno));
			return -1;
		}
		put += n;
	}
	return put;
}

// slot_of maps a channel name to its place in an interleaved RGBA pixel.
static int slot_of(const char* name)
{
	switch (name[0]) {
	case 'R': return 0;
	case 'G': return 1;
	case 'B': return 2;
	default: return 3;
	}
}

exr_result_t flick_write(
	int fd, const char* name, int32_t w, int32_t h, const void* pix, int32_t ptype, int32_t comp, int32_t fps_num,
	int32_t fps_den, int32_t has_tc, uint32_t tc, flick_msg* msg)
{
	static const char* names[4] = {"R", "G", "B", "A"};
	out_file f = {fd};
	exr_context_t c = NULL;
	exr_encode_pipeline_t e;
	exr_result_t rv, fin;
	int part = 0, inited = 0, chosen = 0;
	int32_t lines = 0;
	size_t bpe = ptype == EXR_PIXEL_HALF ? 2 : 4;

	memset(&e, 0, sizeof e);
	flick_msg_begin(msg);
	exr_context_initializer_t init = flick_initializer(&f);
	init.write_fn = write_fd;
	rv = exr_start_write(&c, name, EXR_WRITE_FILE_DIRECTLY, &init);
	if (rv == EXR_ERR_SUCCESS) rv = exr_add_part(c, NULL, EXR_STORAGE_SCANLINE, &part);
	if (rv == EXR_ERR_SUCCESS) rv = exr_initialize_required_attr_simple(c, part, w, h, (exr_compression_t) comp);
	for (int s = 0; s < 4 && rv == EXR_ERR_SUCCESS; s++)
		rv = exr_add_channel(c, part, names[s], (exr_pixel_type_t) ptype, EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1);
	if (rv == EXR_ERR_SUCCESS && fps_den > 0) {
		exr_attr_rational_t r = {fps_num, (uint32_t) fps_den};
		rv = exr_attr_set_rational(c, part, "framesPerSecond", &r);
	}
	if (rv == EXR_ERR_SUCCESS && has_tc) {
		exr_attr_timecode_t t = {tc, 0};
		rv = exr_attr_set_timecode(c, part, "timeCode", &t);
	}
	if (rv == EXR_ERR_SUCCESS) rv = exr_write_header(c);
	if (rv == EXR_ERR_SUCCESS) rv = exr_get_scanlines_per_chunk(c, part, &lines);
	for (int32_t y = 0; rv == EXR_ERR_SUCCESS && y < h; y += lines) {
		exr_chunk_info_t ci;
		rv = exr_write_scanline_chunk_info(c, part, y, &ci);
		if (rv == EXR_ERR_SUCCESS) {
			rv = inited ? exr_encoding_update(c, part, &ci, &e) : exr_encoding_initialize(c, part, &ci, &e);
			if (rv == EXR_ERR_SUCCESS) inited = 1;
		}
		if (rv != EXR_ERR_SUCCESS) break;
		for (int k = 0; k < e.channel_count; k++) {
			exr_coding_channel_info_t* ch = e.channels + k;
			size_t at = ((size_t) y * (size_t) w * 4 + (size_t) slot_of(ch->channel_name)) * bpe;
			ch->encode_from_ptr = (const uint8_t*) pix + at;
			ch->user_pixel_stride = (int32_t) (4 * bpe);
			ch->user_line_stride = (int32_t) (4 * bpe) * w;
			ch->user_bytes_per_element = (int16_t) bpe;
			ch->user_data_type = (uint16_t) ptype;
		}
		if (!chosen) rv = exr_encoding_choose_default_routines(c, part, &e);
		chosen = rv == EXR_ERR_SUCCESS;
		if (rv == EXR_ERR_SUCCESS) rv = exr_encoding_run(c, part, &e);
	}
	if (inited) exr_encoding_destroy(c, &e);
	fin = exr_finish(&c); // also on failure: frees the context
	if (rv == EXR_ERR_SUCCESS) rv = fin;
	if (rv != EXR_ERR_SUCCESS && msg->code == 0) msg->code = rv;
	flick_msg_end();
	return rv;
}
