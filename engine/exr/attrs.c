// attrs.c: every part's header, read through the library's getters for the
// header model (header.go). Nothing here is on the decode path.

#include "attrs.h"

#include <string.h>

static void get_box(const exr_attr_box2i_t* b, int32_t out[4])
{
	out[0] = b->min.x, out[1] = b->min.y, out[2] = b->max.x, out[3] = b->max.y;
}

exr_result_t flick_part_get(exr_const_context_t c, int part, flick_part* p)
{
	exr_storage_t st;
	exr_compression_t comp;
	exr_attr_box2i_t b;
	const exr_attr_chlist_t* chl = NULL;
	exr_result_t rv;

	memset(p, 0, sizeof *p);
	p->storage = p->compression = -1;
	if ((rv = exr_get_storage(c, part, &st)) != EXR_ERR_SUCCESS) return rv;
	p->storage = st;
	if (exr_get_compression(c, part, &comp) == EXR_ERR_SUCCESS) p->compression = comp;
	if (exr_get_data_window(c, part, &b) == EXR_ERR_SUCCESS) get_box(&b, p->dw);
	if (exr_get_display_window(c, part, &b) == EXR_ERR_SUCCESS) get_box(&b, p->disp);
	exr_get_pixel_aspect_ratio(c, part, &p->aspect);
	if (exr_get_channels(c, part, &chl) == EXR_ERR_SUCCESS && chl != NULL && chl->num_channels > 0 &&
		chl->entries != NULL)
		p->channels = chl->num_channels;
	if (exr_get_attribute_count(c, part, &p->attrs) != EXR_ERR_SUCCESS || p->attrs < 0) p->attrs = 0;
	if (exr_get_name(c, part, &p->name) != EXR_ERR_SUCCESS) p->name = NULL;

	uint32_t tw, th;
	exr_tile_level_mode_t lm;
	exr_tile_round_mode_t rm;
	if ((st == EXR_STORAGE_TILED || st == EXR_STORAGE_DEEP_TILED) &&
		exr_get_tile_descriptor(c, part, &tw, &th, &lm, &rm) == EXR_ERR_SUCCESS) {
		p->tiled = 1;
		p->tile_w = tw > INT32_MAX ? INT32_MAX : (int32_t) tw;
		p->tile_h = th > INT32_MAX ? INT32_MAX : (int32_t) th;
		p->level_mode = lm;
		p->round_mode = rm;
		if (exr_get_tile_levels(c, part, &p->levels_x, &p->levels_y) != EXR_ERR_SUCCESS)
			p->levels_x = p->levels_y = 0;
	}
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_part_channel(
	exr_const_context_t c, int part, int i, const char** name, int32_t* name_len, int32_t* type, int32_t* xs,
	int32_t* ys)
{
	const exr_attr_chlist_t* chl = NULL;
	exr_result_t rv = exr_get_channels(c, part, &chl);
	if (rv != EXR_ERR_SUCCESS) return rv;
	if (chl == NULL || chl->entries == NULL || i < 0 || i >= chl->num_channels) return EXR_ERR_ARGUMENT_OUT_OF_RANGE;
	const exr_attr_chlist_entry_t* e = chl->entries + i;
	*name = e->name.str;
	*name_len = e->name.str != NULL && e->name.length > 0 ? e->name.length : 0;
	if (*name == NULL) *name = "";
	*type = e->pixel_type;
	*xs = e->x_sampling;
	*ys = e->y_sampling;
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_part_level_size(exr_const_context_t c, int part, int lx, int ly, int32_t* w, int32_t* h)
{
	return exr_get_level_sizes(c, part, lx, ly, w, h);
}

static const exr_attribute_t* attr_at(exr_const_context_t c, int part, int32_t i, exr_result_t* rv)
{
	const exr_attribute_t* a = NULL;
	*rv = exr_get_attribute_by_index(c, part, EXR_ATTR_LIST_SORTED_ORDER, i, &a);
	if (*rv == EXR_ERR_SUCCESS && a == NULL) *rv = EXR_ERR_ARGUMENT_OUT_OF_RANGE;
	return *rv == EXR_ERR_SUCCESS ? a : NULL;
}

#define NUMS(arr, n)                                                 \
	do {                                                             \
		for (int k_ = 0; k_ < (n); k_++) a->num[k_] = (double) (arr)[k_]; \
		a->count = (n);                                              \
	} while (0)

exr_result_t flick_attr_get(exr_const_context_t c, int part, int32_t i, flick_attr* a)
{
	exr_result_t rv;
	const exr_attribute_t* x = attr_at(c, part, i, &rv);
	memset(a, 0, sizeof *a);
	if (x == NULL) return rv;
	a->name = x->name != NULL ? x->name : "";
	a->name_len = x->name != NULL ? (int32_t) strnlen(x->name, 255) : 0;
	a->type_name = x->type_name != NULL ? x->type_name : "";
	a->type_name_len = x->type_name != NULL ? (int32_t) strnlen(x->type_name, 255) : 0;
	a->type = x->type;
	switch (x->type) {
	case EXR_ATTR_COMPRESSION:
	case EXR_ATTR_ENVMAP:
	case EXR_ATTR_LINEORDER:
		a->num[0] = x->uc, a->count = 1;
		break;
	case EXR_ATTR_DOUBLE: a->num[0] = x->d, a->count = 1; break;
	case EXR_ATTR_FLOAT: a->num[0] = x->f, a->count = 1; break;
	case EXR_ATTR_INT: a->num[0] = x->i, a->count = 1; break;
	case EXR_ATTR_BOX2I:
		if (x->box2i) { int32_t v[4] = {x->box2i->min.x, x->box2i->min.y, x->box2i->max.x, x->box2i->max.y}; NUMS(v, 4); }
		break;
	case EXR_ATTR_BOX2F:
		if (x->box2f) { float v[4] = {x->box2f->min.x, x->box2f->min.y, x->box2f->max.x, x->box2f->max.y}; NUMS(v, 4); }
		break;
	case EXR_ATTR_CHLIST:
		if (x->chlist && x->chlist->num_channels > 0) a->count = x->chlist->num_channels;
		break;
	case EXR_ATTR_CHROMATICITIES:
		if (x->chromaticities) {
			const exr_attr_chromaticities_t* ch = x->chromaticities;
			float v[8] = {ch->red_x, ch->red_y, ch->green_x, ch->green_y, ch->blue_x, ch->blue_y, ch->white_x, ch->white_y};
			NUMS(v, 8);
		}
		break;
	case EXR_ATTR_KEYCODE:
		if (x->keycode) {
			const exr_attr_keycode_t* k = x->keycode;
			int32_t v[7] = {k->film_mfc_code, k->film_type, k->prefix, k->count, k->perf_offset, k->perfs_per_frame, k->perfs_per_count};
			NUMS(v, 7);
		}
		break;
	case EXR_ATTR_M33F: if (x->m33f) NUMS(x->m33f->m, 9); break;
	case EXR_ATTR_M33D: if (x->m33d) NUMS(x->m33d->m, 9); break;
	case EXR_ATTR_M44F: if (x->m44f) NUMS(x->m44f->m, 16); break;
	case EXR_ATTR_M44D: if (x->m44d) NUMS(x->m44d->m, 16); break;
	case EXR_ATTR_PREVIEW:
		if (x->preview) { uint32_t v[2] = {x->preview->width, x->preview->height}; NUMS(v, 2); }
		break;
	case EXR_ATTR_RATIONAL:
		if (x->rational) { a->num[0] = x->rational->num, a->num[1] = x->rational->denom, a->count = 2; }
		break;
	case EXR_ATTR_TILEDESC:
		if (x->tiledesc) {
			const exr_attr_tiledesc_t* t = x->tiledesc;
			uint32_t v[4] = {t->x_size, t->y_size, EXR_GET_TILE_LEVEL_MODE(*t), EXR_GET_TILE_ROUND_MODE(*t)};
			NUMS(v, 4);
		}
		break;
	case EXR_ATTR_TIMECODE:
		if (x->timecode) { uint32_t v[2] = {x->timecode->time_and_flags, x->timecode->user_data}; NUMS(v, 2); }
		break;
	case EXR_ATTR_V2I: if (x->v2i) NUMS(x->v2i->arr, 2); break;
	case EXR_ATTR_V2F: if (x->v2f) NUMS(x->v2f->arr, 2); break;
	case EXR_ATTR_V2D: if (x->v2d) NUMS(x->v2d->arr, 2); break;
	case EXR_ATTR_V3I: if (x->v3i) NUMS(x->v3i->arr, 3); break;
	case EXR_ATTR_V3F: if (x->v3f) NUMS(x->v3f->arr, 3); break;
	case EXR_ATTR_V3D: if (x->v3d) NUMS(x->v3d->arr, 3); break;
	case EXR_ATTR_STRING:
		if (x->string && x->string->str && x->string->length > 0) {
			a->str = x->string->str;
			a->str_len = x->string->length;
		}
		break;
	case EXR_ATTR_STRING_VECTOR:
		if (x->stringvector && x->stringvector->strings && x->stringvector->n_strings > 0)
			a->count = x->stringvector->n_strings;
		break;
	case EXR_ATTR_FLOAT_VECTOR:
		if (x->floatvector && x->floatvector->arr && x->floatvector->length > 0)
			a->count = x->floatvector->length;
		break;
	case EXR_ATTR_OPAQUE:
		if (x->opaque && x->opaque->size > 0) a->count = x->opaque->size;
		break;
	default:
		break;
	}
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_attr_string(exr_const_context_t c, int part, int32_t i, int32_t j, const char** s, int32_t* len)
{
	exr_result_t rv;
	const exr_attribute_t* x = attr_at(c, part, i, &rv);
	*s = "";
	*len = 0;
	if (x == NULL) return rv;
	if (x->type != EXR_ATTR_STRING_VECTOR || x->stringvector == NULL || x->stringvector->strings == NULL ||
		j < 0 || j >= x->stringvector->n_strings)
		return EXR_ERR_ARGUMENT_OUT_OF_RANGE;
	const exr_attr_string_t* e = x->stringvector->strings + j;
	if (e->str != NULL && e->length > 0) {
		*s = e->str;
		*len = e->length;
	}
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_attr_floats(exr_const_context_t c, int part, int32_t i, float* dst, int32_t n)
{
	exr_result_t rv;
	const exr_attribute_t* x = attr_at(c, part, i, &rv);
	if (x == NULL) return rv;
	if (x->type != EXR_ATTR_FLOAT_VECTOR || x->floatvector == NULL || x->floatvector->arr == NULL || n < 0 ||
		n > x->floatvector->length)
		return EXR_ERR_ARGUMENT_OUT_OF_RANGE;
	memcpy(dst, x->floatvector->arr, (size_t) n * sizeof *dst);
	return EXR_ERR_SUCCESS;
}

exr_result_t flick_part_timecode(exr_const_context_t c, int part, uint32_t* time_and_flags)
{
	exr_attr_timecode_t t;
	exr_result_t rv = exr_attr_get_timecode(c, part, "timeCode", &t);
	if (rv == EXR_ERR_SUCCESS) *time_and_flags = t.time_and_flags;
	return rv;
}
