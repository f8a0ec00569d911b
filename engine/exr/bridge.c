// bridge.c: what the read and write paths share: the error sink and the
// context initializer.

#include "bridge_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

// The library calls its error handler synchronously, on the thread that
// called into it. Each bridge entry point points this at the flick_msg of
// its own call, so concurrent decoders of one file keep their messages
// apart, and the handler never has to call back into the library
// (exr_get_user_data takes the context lock on write contexts).
static _Thread_local flick_msg* tls_msg;

void flick_msg_begin(flick_msg* m)
{
	m->code = 0;
	m->text[0] = '\0';
	tls_msg = m;
}

void flick_msg_end(void) { tls_msg = NULL; }

flick_msg* flick_msg_swap(flick_msg* m)
{
	flick_msg* prev = tls_msg;
	tls_msg = m;
	return prev;
}

void flick_msg_setf(flick_msg* m, exr_result_t code, const char* fmt, ...)
{
	if (m->text[0] != '\0') return; // keep the root cause
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof m->text, fmt, ap);
	va_end(ap);
	m->code = code;
}

void flick_msg_report(exr_result_t code, const char* fmt, ...)
{
	flick_msg* m = tls_msg;
	if (m == NULL || m->text[0] != '\0') return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof m->text, fmt, ap);
	va_end(ap);
	m->code = code;
}

static void on_error(exr_const_context_t ctxt, exr_result_t code, const char* text)
{
	(void) ctxt;
	flick_msg* m = tls_msg;
	if (m != NULL) flick_msg_setf(m, code, "%s", text != NULL ? text : "");
}

// Allocations above this fail cleanly instead of asking the system for
// memory that a crafted size field made up.
static void* capped_alloc(size_t n)
{
	if (n > FLICK_MAX_ALLOC) return NULL;
	return malloc(n);
}

static void capped_free(void* p) { free(p); }

exr_context_initializer_t flick_initializer(void* user_data)
{
	exr_context_initializer_t init = EXR_DEFAULT_CONTEXT_INITIALIZER;
	init.error_handler_fn = on_error;
	init.alloc_fn = capped_alloc;
	init.free_fn = capped_free;
	init.user_data = user_data;
	init.max_image_width = FLICK_MAX_SIDE;
	init.max_image_height = FLICK_MAX_SIDE;
	init.max_tile_width = FLICK_MAX_SIDE;
	init.max_tile_height = FLICK_MAX_SIDE;
	return init;
}
