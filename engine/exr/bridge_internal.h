// bridge_internal.h: helpers shared by bridge.c, read.c and write.c; not
// used from Go.

#ifndef FLICK_EXR_BRIDGE_INTERNAL_H
#define FLICK_EXR_BRIDGE_INTERNAL_H

#include "bridge.h"

#include <stddef.h>

// FLICK_MAX_ALLOC caps any single allocation the library makes for us.
#define FLICK_MAX_ALLOC ((size_t) 1 << 30)

// flick_msg_begin routes the library's messages on this thread to m until
// flick_msg_end.
void flick_msg_begin(flick_msg* m);
void flick_msg_end(void);

// flick_msg_setf records a message unless m already holds one.
void flick_msg_setf(flick_msg* m, exr_result_t code, const char* fmt, ...)
	__attribute__((format(printf, 3, 4)));

// flick_initializer returns a context initializer with flick's error
// handler, capped allocator and size limits.
exr_context_initializer_t flick_initializer(void* user_data);

#endif
