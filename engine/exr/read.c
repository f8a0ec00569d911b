// read.c: opening a file, the layout of any level of any part, and decoding
// its chunks into interleaved RGBA half. OpenEXR Core 3.1.5 trusts much of what a file says; everything a
// size or a pointer depends on is checked here first.

#include "bridge_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t read_fd(
	exr_const_context_t ctxt, void* user, void* buf, uint64_t sz, uint64_t off,
	exr_stream_error_func_ptr_t error_cb)
{
	const flick_reader* r = user;
	uint8_t* p = buf;
	int64_t got = 0;
	if (sz > (uint64_t) INT64_MAX || off > (uint64_t) INT64_MAX) {
		if (error_cb) error_cb(ctxt, EXR_ERR_READ_IO, "read request out of range");
		return -1;
	}
	if (flick_window_read(r, buf, sz, off)) return (int64_t) sz;
	while ((uint64_t) got < sz) {
		ssize_t n = pread(r->fd, p + got, (size_t) (sz - (uint64_t) got), (off_t) (off + (uint64_t) got));
		if (n < 0) {
			if (errno == EINTR) continue;
			if (error_cb) error_cb(ctxt, EXR_ERR_READ_IO, "read failed: %s", strerror(errno));
			return -1;
		}
		if (n == 0) break; // end of file: the library reports short reads
		got += n;
	}
	return got;
}

static int64_t size_fd(exr_const_context_t ctxt, void* user)
{
	(void) ctxt;
	return ((const flick_reader*) user)->size;
}

static int window_ok(const int32_t b[4])
{
	for (int i = 0; i < 4; i++)
		if (b[i] < -FLICK_MAX_COORD || b[i] > FLICK_MAX_COORD) return 0;
	return b[0] <= b[2] && b[1] <= b[3];
}

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// too_big reports a window flick does not read.
static int too_big(int64_t w, int64_t h) { return w > FLICK_MAX_SIDE || h > FLICK_MAX_SIDE || w * h > FLICK_MAX_PIXELS; }

// load_chunk_table asks for the layout's first chunk's info so the library
// reads the part's chunk offset table now, on one thread, rather than in
// the first concurrent decodes (which would each read it and race to
// publish it; safe, since the library uses an atomic compare-and-swap, but
// wasted work). A bad table or chunk is left for the decode that needs it
// to report.
static void load_chunk_table(const flick_reader* r, const flick_layout* l)
{
	flick_msg ignored = {0};
	exr_chunk_info_t ci;
	flick_msg* prev = flick_msg_swap(&ignored);
	if (l->tiles_x > 0)
		exr_read_tile_chunk_info(r->ctx, l->part, 0, 0, l->lx, l->ly, &ci);
	else
		exr_read_scanline_chunk_info(r->ctx, l->part, l->y0, &ci);
	flick_msg_swap(prev);
}

// tiled_layout fills the tile geometry of level (lx, ly) of a tiled part
// whose chunk count is chunks.
static exr_result_t tiled_layout(
	const flick_reader* r, int part, int lx, int ly, int32_t chunks, flick_layout* l, flick_msg* msg)
{
	exr_context_t c = r->ctx;
	exr_result_t rv;
	exr_attr_tiledesc_t td;
	int32_t nx = 0, ny = 0, lw = 0, lh = 0;
	if ((rv = exr_attr_get_tiledesc(c, part, "tiles", &td)) != EXR_ERR_SUCCESS) return rv;
	if (td.x_size < 1 || td.y_size < 1 || td.x_size > FLICK_MAX_SIDE || td.y_size > FLICK_MAX_SIDE) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: bad tile size %ux%u", part, td.x_size, td.y_size);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	l->tile_w = (int32_t) td.x_size;
	l->tile_h = (int32_t) td.y_size;
	l->ripmap = EXR_GET_TILE_LEVEL_MODE(td) == EXR_TILE_RIPMAP_LEVELS;
	if ((rv = exr_get_tile_levels(c, part, &nx, &ny)) != EXR_ERR_SUCCESS) return rv;
	if (lx < 0 || ly < 0 || lx >= nx || ly >= ny || (!l->ripmap && lx != ly)) {
		flick_msg_setf(msg, EXR_ERR_ARGUMENT_OUT_OF_RANGE, "part %d has no level (%d, %d)", part, lx, ly);
		return EXR_ERR_ARGUMENT_OUT_OF_RANGE;
	}
	if ((rv = exr_get_level_sizes(c, part, 0, 0, &lw, &lh)) != EXR_ERR_SUCCESS) return rv;
	if (lw != l->width || lh != l->height) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: level 0 is %dx%d, not the data window", part, lw, lh);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	int64_t tx = ceil_div(lw, l->tile_w), ty = ceil_div(lh, l->tile_h);
	// All levels of a rip map together have at most (2tx+17)(2ty+17)
	// tiles: halving sizes, rounding up, at most 17 levels a side.
	if (tx * ty > chunks || chunks > (2 * tx + 17) * (2 * ty + 17)) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: %lld tiles in level 0 but %d chunks", part,
			(long long) (tx * ty), chunks);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	if ((rv = exr_get_level_sizes(c, part, lx, ly, &lw, &lh)) != EXR_ERR_SUCCESS) return rv;
	if (lw < 1 || lh < 1 || lw > l->width || lh > l->height) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: level (%d, %d) is %dx%d", part, lx, ly, lw, lh);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	l->width = lw;
	l->height = lh;
	l->tiles_x = (int32_t) ceil_div(lw, l->tile_w);
	l->tiles_y = (int32_t) ceil_div(lh, l->tile_h);
	l->chunks = l->tiles_x * l->tiles_y;
	return EXR_ERR_SUCCESS;
}

// layout_get is flick_layout_get with the caller's message routing.
static exr_result_t layout_get(const flick_reader* r, int part, int lx, int ly, flick_layout* l, flick_msg* msg)
{
	exr_context_t c = r->ctx;
	exr_result_t rv;
	exr_storage_t st;
	exr_compression_t comp;
	exr_attr_box2i_t dw;
	const exr_attr_chlist_t* chl = NULL;
	int32_t chunks, parts;

	memset(l, 0, sizeof *l);
	if ((rv = exr_get_count(c, &parts)) != EXR_ERR_SUCCESS) return rv;
	if (part < 0 || part >= parts) {
		flick_msg_setf(msg, EXR_ERR_ARGUMENT_OUT_OF_RANGE, "no part %d (the file has %d)", part, parts);
		return EXR_ERR_ARGUMENT_OUT_OF_RANGE;
	}
	l->part = part, l->lx = lx, l->ly = ly;
	if ((rv = exr_get_storage(c, part, &st)) != EXR_ERR_SUCCESS) return rv;
	if ((rv = exr_get_compression(c, part, &comp)) != EXR_ERR_SUCCESS) return rv;
	if ((rv = exr_get_data_window(c, part, &dw)) != EXR_ERR_SUCCESS) return rv;
	if ((rv = exr_get_channels(c, part, &chl)) != EXR_ERR_SUCCESS) return rv;
	if ((unsigned) st >= EXR_STORAGE_LAST_TYPE || (unsigned) comp >= EXR_COMPRESSION_LAST_TYPE) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: unknown storage or compression", part);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	l->storage = st;
	l->compression = comp;
	int32_t b[4] = {dw.min.x, dw.min.y, dw.max.x, dw.max.y};
	if (!window_ok(b)) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: invalid data window (%d %d)-(%d %d)", part, b[0],
			b[1], b[2], b[3]);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	int64_t w = (int64_t) b[2] - b[0] + 1, ht = (int64_t) b[3] - b[1] + 1;
	if (too_big(w, ht)) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: data window %lldx%lld is larger than flick reads",
			part, (long long) w, (long long) ht);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	l->x0 = b[0], l->y0 = b[1];
	l->width = (int32_t) w, l->height = (int32_t) ht;

	if (chl == NULL || chl->num_channels < 0 || chl->num_channels > FLICK_MAX_CHANNELS) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: bad channel list", part);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	l->channels = chl->num_channels;
	for (int i = 0; i < chl->num_channels; i++) {
		const exr_attr_chlist_entry_t* e = chl->entries + i;
		int xs = e->x_sampling, ys = e->y_sampling;
		if ((unsigned) e->pixel_type >= EXR_PIXEL_LAST_TYPE || xs < 1 || ys < 1) {
			flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: bad channel %d", part, i);
			return EXR_ERR_FILE_BAD_HEADER;
		}
		// Sampling 2 (luminance/chroma files) only when the window is aligned
		// to it, as the format requires; the library's unpack assumes it.
		if (xs > 2 || ys > 2 || ((xs > 1 || ys > 1) && st != EXR_STORAGE_SCANLINE) || b[0] % xs != 0 ||
			b[1] % ys != 0 || w % xs != 0 || ht % ys != 0)
			l->bad_sampling = 1;
	}

	if ((rv = exr_get_chunk_count(c, part, &chunks)) != EXR_ERR_SUCCESS) return rv;
	// The offset table alone takes 8 bytes a chunk: a count the file cannot
	// hold is a lie that would cost an allocation.
	if (chunks < 1 || (int64_t) chunks * 8 > r->size) {
		flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: chunk count %d does not fit in a %lld byte file",
			part, chunks, (long long) r->size);
		return EXR_ERR_FILE_BAD_HEADER;
	}

	if (st == EXR_STORAGE_TILED || st == EXR_STORAGE_DEEP_TILED) {
		if ((rv = tiled_layout(r, part, lx, ly, chunks, l, msg)) != EXR_ERR_SUCCESS) return rv;
	} else {
		int32_t lines = 0;
		if (lx != 0 || ly != 0) {
			flick_msg_setf(msg, EXR_ERR_ARGUMENT_OUT_OF_RANGE, "part %d is not tiled: no level (%d, %d)", part, lx, ly);
			return EXR_ERR_ARGUMENT_OUT_OF_RANGE;
		}
		if ((rv = exr_get_scanlines_per_chunk(c, part, &lines)) != EXR_ERR_SUCCESS) return rv;
		if (lines < 1 || lines > 256) {
			flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: %d scanlines per chunk", part, lines);
			return EXR_ERR_FILE_BAD_HEADER;
		}
		l->lines = lines;
		if (ceil_div(l->height, lines) != chunks) {
			flick_msg_setf(msg, EXR_ERR_FILE_BAD_HEADER, "part %d: %d chunks for %d scanlines of %d", part, chunks,
				l->height, lines);
			return EXR_ERR_FILE_BAD_HEADER;
		}
		l->chunks = chunks;
	}
	load_chunk_table(r, l);
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_layout_get(const flick_reader* r, int part, int lx, int ly, flick_layout* l, flick_msg* msg)
{
	flick_msg_begin(msg);
	exr_result_t rv = r->ctx != NULL ? layout_get(r, part, lx, ly, l, msg) : EXR_ERR_INVALID_ARGUMENT;
	if (rv != EXR_ERR_SUCCESS && msg->code == 0) msg->code = rv;
	flick_msg_end();
	return rv;
}

// load_header fills r->h from part 0's header and r->l0 with its level-0
// layout, rejecting headers whose numbers would make later allocations or
// pointer arithmetic unsafe.
static exr_result_t load_header(flick_reader* r)
{
	exr_context_t c = r->ctx;
	flick_header* h = &r->h;
	exr_result_t rv;
	exr_attr_box2i_t disp;
	int32_t n;

	if ((rv = exr_get_count(c, &n)) != EXR_ERR_SUCCESS) return rv;
	if (n < 1) {
		flick_msg_setf(&r->msg, EXR_ERR_FILE_BAD_HEADER, "no parts");
		return EXR_ERR_FILE_BAD_HEADER;
	}
	h->parts = n;
	if ((rv = layout_get(r, 0, 0, 0, &r->l0, &r->msg)) != EXR_ERR_SUCCESS) return rv;
	if ((rv = exr_get_display_window(c, 0, &disp)) != EXR_ERR_SUCCESS) return rv;
	if ((rv = exr_get_pixel_aspect_ratio(c, 0, &h->aspect)) != EXR_ERR_SUCCESS) return rv;
	const flick_layout* l = &r->l0;
	h->storage = l->storage;
	h->compression = l->compression;
	h->dw[0] = l->x0, h->dw[1] = l->y0, h->dw[2] = l->x0 + l->width - 1, h->dw[3] = l->y0 + l->height - 1;
	h->disp[0] = disp.min.x, h->disp[1] = disp.min.y, h->disp[2] = disp.max.x, h->disp[3] = disp.max.y;
	if (!window_ok(h->disp)) {
		flick_msg_setf(&r->msg, EXR_ERR_FILE_BAD_HEADER, "invalid display window (%d %d)-(%d %d)", h->disp[0],
			h->disp[1], h->disp[2], h->disp[3]);
		return EXR_ERR_FILE_BAD_HEADER;
	}
	h->tile_w = l->tile_w;
	h->tile_h = l->tile_h;
	h->channels = l->channels;
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_reader_open(flick_reader* r, const char* path)
{
	struct stat sb;
	exr_result_t rv;

	flick_msg_begin(&r->msg);
	r->ctx = NULL;
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		flick_msg_setf(&r->msg, EXR_ERR_FILE_ACCESS, "%s", strerror(errno));
		flick_msg_end();
		return EXR_ERR_FILE_ACCESS;
	}
	if (fstat(r->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		flick_msg_setf(&r->msg, EXR_ERR_FILE_ACCESS, "not a regular file");
		flick_msg_end();
		return EXR_ERR_FILE_ACCESS;
	}
	r->size = (int64_t) sb.st_size;

	exr_context_initializer_t init = flick_initializer(r);
	init.read_fn = read_fd;
	init.size_fn = size_fd;
	rv = exr_start_read(&r->ctx, path, &init);
	if (rv != EXR_ERR_SUCCESS) r->ctx = NULL; // the library freed it
	if (rv == EXR_ERR_SUCCESS) rv = load_header(r);
	flick_msg_end();
	return rv;
}

void flick_reader_close(flick_reader* r)
{
	if (r->ctx != NULL) exr_finish(&r->ctx);
	r->ctx = NULL;
	if (r->fd >= 0) close(r->fd);
	r->fd = -1;
}

exr_result_t flick_reader_channel(
	flick_reader* r, int i, const char** name, int32_t* type, int32_t* xs, int32_t* ys)
{
	const exr_attr_chlist_t* chl = NULL;
	exr_result_t rv = exr_get_channels(r->ctx, 0, &chl);
	if (rv != EXR_ERR_SUCCESS) return rv;
	if (i < 0 || i >= chl->num_channels) return EXR_ERR_ARGUMENT_OUT_OF_RANGE;
	const exr_attr_chlist_entry_t* e = chl->entries + i;
	*name = e->name.str;
	*type = e->pixel_type;
	*xs = e->x_sampling;
	*ys = e->y_sampling;
	return EXR_ERR_SUCCESS;
}

void flick_chunk_rect(const flick_layout* l, int32_t i, int32_t* x, int32_t* y, int32_t* w, int32_t* h)
{
	if (l->tiles_x > 0) {
		int32_t tx = i % l->tiles_x, ty = i / l->tiles_x;
		*x = tx * l->tile_w;
		*y = ty * l->tile_h;
		*w = l->width - *x < l->tile_w ? l->width - *x : l->tile_w;
		*h = l->height - *y < l->tile_h ? l->height - *y : l->tile_h;
	} else {
		*x = 0;
		*y = i * l->lines;
		*w = l->width;
		*h = l->height - *y < l->lines ? l->height - *y : l->lines;
	}
}

// check_chunk compares what the file says about a chunk with what the
// header implies, before the library sizes buffers or writes pixels by it.
static exr_result_t check_chunk(
	const flick_reader* r, const flick_layout* l, const exr_chunk_info_t* ci, int32_t i, int32_t y, int32_t w,
	int32_t h, flick_msg* msg)
{
	// Tiles report their tile coordinates; scanline chunks their first pixel.
	int tiled = l->tiles_x > 0;
	int32_t want_x = tiled ? i % l->tiles_x : l->x0;
	int32_t want_y = tiled ? i / l->tiles_x : l->y0 + y;
	if (ci->start_x != want_x || ci->start_y != want_y || ci->width != w || ci->height != h ||
		ci->level_x != l->lx || ci->level_y != l->ly || ci->type != (uint8_t) l->storage ||
		ci->compression != (uint8_t) l->compression) {
		flick_msg_setf(msg, EXR_ERR_BAD_CHUNK_LEADER,
			"chunk at (%d %d) level (%d %d) size %dx%d, expected (%d %d) level (%d %d) size %dx%d", ci->start_x,
			ci->start_y, ci->level_x, ci->level_y, ci->width, ci->height, want_x, want_y, l->lx, l->ly, w, h);
		return EXR_ERR_BAD_CHUNK_LEADER;
	}
	if (ci->packed_size > (uint64_t) r->size || ci->data_offset > (uint64_t) r->size - ci->packed_size ||
		(ci->packed_size == 0 && ci->unpacked_size != 0) ||
		(l->compression == EXR_COMPRESSION_NONE && ci->packed_size != ci->unpacked_size) ||
		ci->unpacked_size > FLICK_MAX_ALLOC) {
		flick_msg_setf(msg, EXR_ERR_CORRUPT_CHUNK,
			"chunk data (%llu bytes at %llu, %llu unpacked) does not fit the file or its header",
			(unsigned long long) ci->packed_size, (unsigned long long) ci->data_offset,
			(unsigned long long) ci->unpacked_size);
		return EXR_ERR_CORRUPT_CHUNK;
	}
	return EXR_ERR_SUCCESS;
}

// check_channels compares the library's per-channel geometry for this chunk
// with the chunk rectangle and its unpacked size: the unpack routines index
// the buffers by these numbers without checking.
static exr_result_t check_channels(
	const flick_layout* l, const exr_decode_pipeline_t* d, const flick_decode_req* q, int32_t y, int32_t w,
	int32_t h, flick_msg* msg)
{
	uint64_t total = 0;
	int64_t y0 = (int64_t) l->y0 + y;
	for (int c = 0; c < d->channel_count; c++) {
		const exr_coding_channel_info_t* ch = d->channels + c;
		int32_t xs = ch->x_samples, ys = ch->y_samples;
		if (xs < 1 || xs > 2 || ys < 1 || ys > 2 || (ch->bytes_per_element != 2 && ch->bytes_per_element != 4)) {
			flick_msg_setf(msg, EXR_ERR_CORRUPT_CHUNK, "channel %s: unexpected sampling or size", ch->channel_name);
			return EXR_ERR_CORRUPT_CHUNK;
		}
		if ((xs != 1 || ys != 1) &&
			(q->channel[0] == c || q->channel[1] == c || q->channel[2] == c || q->channel[3] == c)) {
			flick_msg_setf(msg, FLICK_ERR_UNSUPPORTED, "channel %s is subsampled", ch->channel_name);
			return FLICK_ERR_UNSUPPORTED;
		}
		int64_t cw = w / xs;
		int64_t chh = floor_div(y0 + h - 1, ys) - floor_div(y0 - 1, ys);
		if (ch->width != cw || ch->height != chh) {
			flick_msg_setf(msg, EXR_ERR_CORRUPT_CHUNK, "channel %s: %dx%d in a %dx%d chunk", ch->channel_name,
				ch->width, ch->height, w, h);
			return EXR_ERR_CORRUPT_CHUNK;
		}
		total += (uint64_t) cw * (uint64_t) chh * (uint64_t) ch->bytes_per_element;
	}
	if (total != d->chunk.unpacked_size) {
		flick_msg_setf(msg, EXR_ERR_CORRUPT_CHUNK, "chunk unpacks to %llu bytes, channels need %llu",
			(unsigned long long) d->chunk.unpacked_size, (unsigned long long) total);
		return EXR_ERR_CORRUPT_CHUNK;
	}
	return EXR_ERR_SUCCESS;
}

// elem_size is the bytes of one value of q's destination.
static uint64_t elem_size(const flick_decode_req* q) { return q->float_out ? 4 : 2; }

// out_at is where pixel (x, y) of the level lies in q's destination.
static uint8_t* out_at(const flick_decode_req* q, void* dst, int32_t x, int32_t y)
{
	uint64_t i = (uint64_t) (y - q->out_y) * (uint64_t) q->out_w + (uint64_t) (x - q->out_x);
	return (uint8_t*) dst + i * 4 * elem_size(q);
}

// point_channels aims the requested channels at their slots of this chunk's
// rectangle in dst; the others are skipped (NULL).
static void point_channels(exr_decode_pipeline_t* d, const flick_decode_req* q, void* dst, int32_t x, int32_t y)
{
	const uint64_t es = elem_size(q);
	uint8_t* base = out_at(q, dst, x, y);
	for (int c = 0; c < d->channel_count; c++) {
		exr_coding_channel_info_t* ch = d->channels + c;
		ch->decode_to_ptr = NULL;
		for (int s = 0; s < 4; s++) {
			if (q->channel[s] != c) continue;
			ch->decode_to_ptr = base + (uint64_t) s * es;
			ch->user_pixel_stride = (int32_t) (4 * es);
			ch->user_line_stride = (int32_t) (4 * es) * q->out_w;
			ch->user_bytes_per_element = (int16_t) es;
			ch->user_data_type = q->float_out ? EXR_PIXEL_FLOAT : EXR_PIXEL_HALF;
			break;
		}
	}
}

// fill_rect writes the constant and copied slots of one rectangle.
static void fill_rect(const flick_decode_req* q, void* dst, int32_t x, int32_t y, int32_t w, int32_t h)
{
	static const uint16_t constant[4] = {0, 0, 0, 0x3C00}; // A defaults to 1.0
	static const float constantf[4] = {0, 0, 0, 1};
	int any = 0;
	for (int s = 0; s < 4; s++) any |= q->channel[s] < 0;
	if (!any) return;
	for (int32_t j = 0; j < h; j++) {
		if (q->float_out) {
			float* p = (float*) out_at(q, dst, x, y + j);
			for (int32_t i = 0; i < w; i++, p += 4)
				for (int s = 0; s < 4; s++)
					if (q->channel[s] < 0) p[s] = q->copy_from[s] >= 0 ? p[q->copy_from[s]] : constantf[s];
			continue;
		}
		uint16_t* p = (uint16_t*) out_at(q, dst, x, y + j);
		for (int32_t i = 0; i < w; i++, p += 4)
			for (int s = 0; s < 4; s++)
				if (q->channel[s] < 0) p[s] = q->copy_from[s] >= 0 ? p[q->copy_from[s]] : constant[s];
	}
}

// pick_steps puts flick's own steps in place of the library's where flick
// has one. It runs after exr_decoding_choose_default_routines, which sets
// every step; the unpack step is picked before the decompress wrappers, which
// may write straight into the destination and then make unpacking a no-op.
static void pick_steps(const flick_layout* l, const flick_decode_req* q, exr_decode_pipeline_t* d)
{
	if (!q->library_codecs && d->decompress_fn != NULL) {
		switch (l->compression) {
		case EXR_COMPRESSION_ZIP:
		case EXR_COMPRESSION_ZIPS: d->decompress_fn = flick_zip_decompress; break;
		case EXR_COMPRESSION_RLE: d->decompress_fn = flick_rle_decompress; break;
		case EXR_COMPRESSION_PXR24: d->decompress_fn = flick_pxr24_decompress; break;
		default: break;
		}
	}
	if (!q->library_codecs) flick_rgba_unpack_pick(d);
	// ZIP, ZIPS and RLE chunks leave deflate.c split in two byte halves: it
	// interleaves them straight into the destination's pixels.
	if (!q->library_codecs && flick_rgba_unpacking(d) &&
		(d->decompress_fn == flick_zip_decompress || d->decompress_fn == flick_rle_decompress))
		d->unpack_and_convert_fn = flick_unpack_done;
	// Core 3.1.5 has no DWA decoder and a slow PIZ one: piz.c decodes PIZ,
	// dwa.c or the C++ API's decompressor DWA (scanline parts only:
	// route.go sends tiled ones to the C++ reader).
	if (l->compression == EXR_COMPRESSION_PIZ && !q->library_codecs) {
		d->decompress_fn = flick_piz_decompress;
		if (flick_rgba_unpacking(d)) d->unpack_and_convert_fn = flick_unpack_done;
	}
	if (l->compression == EXR_COMPRESSION_DWAA || l->compression == EXR_COMPRESSION_DWAB)
		flick_dwa_pick(d, q->library_codecs, l->tiles_x > 0);
	if (l->compression == EXR_COMPRESSION_B44 || l->compression == EXR_COMPRESSION_B44A)
		flick_b44_pick(d, q->library_codecs);
}

// valid_request checks what flick_decode cannot trust the Go side for.
static int valid_request(
	const flick_reader* r, const flick_layout* l, const void* dst, uint64_t dst_len, const flick_decode_req* q)
{
	if (r->ctx == NULL || q->chunk_begin < 0 || q->chunk_end > l->chunks || q->chunk_begin > q->chunk_end)
		return 0;
	if (!q->check_only) {
		if (dst == NULL || q->out_x < 0 || q->out_y < 0 || q->out_w < 1 || q->out_h < 1 ||
			q->out_w > l->width - q->out_x || q->out_h > l->height - q->out_y ||
			dst_len / 4 < (uint64_t) q->out_w * (uint64_t) q->out_h)
			return 0;
		for (int32_t i = q->chunk_begin; i < q->chunk_end; i++) {
			int32_t x, y, w, h;
			flick_chunk_rect(l, i, &x, &y, &w, &h);
			if (x < q->out_x || y < q->out_y || x + w > q->out_x + q->out_w || y + h > q->out_y + q->out_h)
				return 0;
		}
	}
	for (int s = 0; s < 4; s++)
		if (q->channel[s] >= l->channels ||
			(q->channel[s] < 0 && q->copy_from[s] >= 0 && q->channel[q->copy_from[s] & 3] < 0))
			return 0;
	return 1;
}

exr_result_t flick_decode(
	const flick_reader* r, const flick_layout* l, void* dst, uint64_t dst_len, const flick_decode_req* q,
	int32_t* fail_chunk, flick_msg* msg)
{
	exr_decode_pipeline_t d;
	exr_result_t rv = EXR_ERR_SUCCESS;
	int inited = 0, chosen = 0, any = 0;
	const int part = l->part;

	memset(&d, 0, sizeof d);
	*fail_chunk = -1;
	flick_msg_begin(msg);
	if (!valid_request(r, l, dst, dst_len, q)) {
		flick_msg_setf(msg, EXR_ERR_INVALID_ARGUMENT, "bad decode request");
		flick_msg_end();
		return EXR_ERR_INVALID_ARGUMENT;
	}
	for (int s = 0; s < 4; s++) any |= q->channel[s] >= 0;

	for (int32_t i = q->chunk_begin; i < q->chunk_end; i++) {
		int32_t x, y, w, h;
		flick_chunk_rect(l, i, &x, &y, &w, &h);
		if (any || q->check_only) {
			exr_chunk_info_t ci;
			if (l->tiles_x > 0)
				rv = exr_read_tile_chunk_info(r->ctx, part, i % l->tiles_x, i / l->tiles_x, l->lx, l->ly, &ci);
			else
				rv = exr_read_scanline_chunk_info(r->ctx, part, l->y0 + y, &ci);
			if (rv == EXR_ERR_SUCCESS) rv = check_chunk(r, l, &ci, i, y, w, h, msg);
			if (rv == EXR_ERR_SUCCESS && q->check_only) continue;
			// Small chunks: read ahead the ones to come in one go (pipebuf.c).
			if (rv == EXR_ERR_SUCCESS && ci.packed_size <= FLICK_SMALL_CHUNK &&
				!flick_window_holds(r, ci.data_offset, ci.packed_size))
				flick_window_fill(r, ci.data_offset, (uint64_t) (q->chunk_end - i) * (ci.packed_size + FLICK_LEADER_MAX));
			if (rv == EXR_ERR_SUCCESS) {
				if (inited) {
					rv = exr_decoding_update(r->ctx, part, &ci, &d);
				} else if ((rv = exr_decoding_initialize(r->ctx, part, &ci, &d)) == EXR_ERR_SUCCESS) {
					inited = 1;
					flick_pipeline_lend(&d);
				}
			}
			if (rv == EXR_ERR_SUCCESS) rv = check_channels(l, &d, q, y, w, h, msg);
			if (rv == EXR_ERR_SUCCESS) {
				point_channels(&d, q, dst, x, y);
				// Routines are chosen once per call: the pointer layout, which
				// decides them, is the same for every chunk.
				if (!chosen) {
					rv = exr_decoding_choose_default_routines(r->ctx, part, &d);
					if (rv == EXR_ERR_SUCCESS) pick_steps(l, q, &d);
				}
				chosen = rv == EXR_ERR_SUCCESS;
			}
			if (rv == EXR_ERR_SUCCESS) rv = exr_decoding_run(r->ctx, part, &d);
			if (rv != EXR_ERR_SUCCESS) {
				*fail_chunk = i;
				break;
			}
		}
		fill_rect(q, dst, x, y, w, h);
	}
	flick_window_drop();
	if (inited) {
		flick_pipeline_keep(&d);
		exr_decoding_destroy(r->ctx, &d);
	}
	if (rv != EXR_ERR_SUCCESS && msg->code == 0) msg->code = rv;
	flick_msg_end();
	return rv;
}
