// write.c: writing a single-part scanline image of interleaved channels
// through the C API's encode pipeline.

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

// index_of is the place of a channel in s's interleaved pixels (the
// library orders its channels by name).
static int index_of(const flick_write_spec* s, const char* name)
{
	for (int k = 0; k < s->channels; k++)
		if (strcmp(s->names[k], name) == 0) return k;
	return 0;
}

exr_result_t flick_write(int fd, const char* name, const void* pix, const flick_write_spec* s, flick_msg* msg)
{
	out_file f = {fd};
	exr_context_t c = NULL;
	exr_encode_pipeline_t e;
	exr_result_t rv, fin;
	int part = 0, inited = 0, chosen = 0;
	int32_t lines = 0;
	const size_t bpe = s->ptype == EXR_PIXEL_HALF ? 2 : 4, n = (size_t) s->channels;
	const int32_t w = s->dw[2] - s->dw[0] + 1, h = s->dw[3] - s->dw[1] + 1;
	exr_attr_box2i_t dw, disp;
	exr_attr_v2f_t centre;
	memset(&centre, 0, sizeof centre);
	dw.min.x = s->dw[0], dw.min.y = s->dw[1], dw.max.x = s->dw[2], dw.max.y = s->dw[3];
	disp.min.x = s->disp[0], disp.min.y = s->disp[1], disp.max.x = s->disp[2], disp.max.y = s->disp[3];

	memset(&e, 0, sizeof e);
	flick_msg_begin(msg);
	exr_context_initializer_t init = flick_initializer(&f);
	init.write_fn = write_fd;
	rv = exr_start_write(&c, name, EXR_WRITE_FILE_DIRECTLY, &init);
	if (rv == EXR_ERR_SUCCESS) rv = exr_add_part(c, NULL, EXR_STORAGE_SCANLINE, &part);
	if (rv == EXR_ERR_SUCCESS)
		rv = exr_initialize_required_attr(
			c, part, &disp, &dw, 1.f, &centre, 1.f, EXR_LINEORDER_INCREASING_Y, (exr_compression_t) s->comp);
	for (int k = 0; k < s->channels && rv == EXR_ERR_SUCCESS; k++)
		rv = exr_add_channel(c, part, s->names[k], (exr_pixel_type_t) s->ptype, EXR_PERCEPTUALLY_LOGARITHMIC, 1, 1);
	if (rv == EXR_ERR_SUCCESS && s->fps_den > 0) {
		exr_attr_rational_t r = {s->fps_num, (uint32_t) s->fps_den};
		rv = exr_attr_set_rational(c, part, "framesPerSecond", &r);
	}
	if (rv == EXR_ERR_SUCCESS && s->has_tc) {
		exr_attr_timecode_t t = {s->tc, 0};
		rv = exr_attr_set_timecode(c, part, "timeCode", &t);
	}
	for (int k = 0; k < s->attrs && rv == EXR_ERR_SUCCESS; k++)
		rv = exr_attr_set_string(c, part, s->attr_names[k], s->attr_values[k]);
	if (rv == EXR_ERR_SUCCESS) rv = exr_write_header(c);
	if (rv == EXR_ERR_SUCCESS) rv = exr_get_scanlines_per_chunk(c, part, &lines);
	for (int32_t y = 0; rv == EXR_ERR_SUCCESS && y < h; y += lines) {
		exr_chunk_info_t ci;
		rv = exr_write_scanline_chunk_info(c, part, s->dw[1] + y, &ci);
		if (rv == EXR_ERR_SUCCESS) {
			rv = inited ? exr_encoding_update(c, part, &ci, &e) : exr_encoding_initialize(c, part, &ci, &e);
			if (rv == EXR_ERR_SUCCESS) inited = 1;
		}
		if (rv != EXR_ERR_SUCCESS) break;
		for (int k = 0; k < e.channel_count; k++) {
			exr_coding_channel_info_t* ch = e.channels + k;
			size_t at = ((size_t) y * (size_t) w * n + (size_t) index_of(s, ch->channel_name)) * bpe;
			ch->encode_from_ptr = (const uint8_t*) pix + at;
			ch->user_pixel_stride = (int32_t) (n * bpe);
			ch->user_line_stride = (int32_t) (n * bpe) * w;
			ch->user_bytes_per_element = (int16_t) bpe;
			ch->user_data_type = (uint16_t) s->ptype;
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
