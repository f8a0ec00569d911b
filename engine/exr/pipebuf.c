// pipebuf.c: what a thread keeps for its decodes: the decode pipeline's
// buffers, kept between flick_decode calls, and a read window of file
// bytes within one call.
//
// Buffers:  The engine decodes a frame in slices of a few chunks
// (one call each), and each call has its own pipeline; without this, every
// call would allocate its chunk-sized buffers anew, and glibc hands buffers
// of that size (hundreds of KB) back to the kernel on free, so each call
// paid for fresh zeroed pages: B44 took 1.8x as long decoded one chunk a
// call as decoded whole.

#include "bridge_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	KEPT_PACKED,
	KEPT_UNPACKED,
	KEPT_SCRATCH1,
	KEPT_SCRATCH2,
	KEPT_N,
	// Buffers larger than this are freed, not kept: chunks of ordinary
	// files need a few MB at most, and a thread should not sit on the
	// memory one huge chunk needed.
	KEPT_MAX = 16 << 20,
};

// WINDOW_CAP is the most file bytes one window fill reads.
#define WINDOW_CAP ((uint64_t) 512 << 10)

typedef struct {
	void* p[KEPT_N];
	size_t n[KEPT_N];
	// The read window: file bytes [win_off, win_off + win_len) of reader
	// win_reader (NULL: none), in win (WINDOW_CAP bytes once allocated).
	uint8_t* win;
	const flick_reader* win_reader;
	uint64_t win_off, win_len;
} kept_buffers;

// One set per thread, made on first use and freed when the thread exits
// (the key's destructor); decode workers are long-lived threads.
static _Thread_local kept_buffers* tls_kept;
static pthread_key_t kept_key;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;
static int kept_key_ok;

static void free_kept(void* v)
{
	kept_buffers* k = v;
	for (int i = 0; i < KEPT_N; i++) free(k->p[i]);
	free(k->win);
	free(k);
}

static void make_kept_key(void) { kept_key_ok = pthread_key_create(&kept_key, free_kept) == 0; }

static kept_buffers* thread_kept(void)
{
	if (tls_kept != NULL) return tls_kept;
	pthread_once(&kept_once, make_kept_key);
	if (!kept_key_ok) return NULL; // nothing would free them at thread exit
	kept_buffers* k = calloc(1, sizeof *k);
	if (k == NULL) return NULL;
	if (pthread_setspecific(kept_key, k) != 0) {
		free(k);
		return NULL;
	}
	tls_kept = k;
	return k;
}

// slots lists the pipeline's buffer fields in kept_buffers order.
static void slots(exr_decode_pipeline_t* d, void** buf[KEPT_N], size_t* size[KEPT_N])
{
	buf[KEPT_PACKED] = &d->packed_buffer, size[KEPT_PACKED] = &d->packed_alloc_size;
	buf[KEPT_UNPACKED] = &d->unpacked_buffer, size[KEPT_UNPACKED] = &d->unpacked_alloc_size;
	buf[KEPT_SCRATCH1] = &d->scratch_buffer_1, size[KEPT_SCRATCH1] = &d->scratch_alloc_size_1;
	buf[KEPT_SCRATCH2] = &d->scratch_buffer_2, size[KEPT_SCRATCH2] = &d->scratch_alloc_size_2;
}

void flick_pipeline_lend(exr_decode_pipeline_t* d)
{
	kept_buffers* k = tls_kept;
	void** buf[KEPT_N];
	size_t* size[KEPT_N];
	if (k == NULL) return;
	slots(d, buf, size);
	for (int i = 0; i < KEPT_N; i++) {
		if (*buf[i] != NULL || k->p[i] == NULL) continue;
		*buf[i] = k->p[i], *size[i] = k->n[i];
		k->p[i] = NULL, k->n[i] = 0;
	}
}

void flick_pipeline_keep(exr_decode_pipeline_t* d)
{
	kept_buffers* k = thread_kept();
	void** buf[KEPT_N];
	size_t* size[KEPT_N];
	if (k == NULL) return;
	slots(d, buf, size);
	for (int i = 0; i < KEPT_N; i++) {
		// A size of 0 marks a pointer the pipeline does not own (the
		// unpacked buffer aliasing the packed one).
		if (*buf[i] == NULL || *size[i] == 0 || *size[i] > KEPT_MAX || k->p[i] != NULL) continue;
		if (i == KEPT_UNPACKED && *buf[i] == d->packed_buffer) continue;
		k->p[i] = *buf[i], k->n[i] = *size[i];
		*buf[i] = NULL, *size[i] = 0;
	}
}

uint64_t flick_pipeline_kept_bytes(void)
{
	uint64_t n = 0;
	if (tls_kept != NULL)
		for (int i = 0; i < KEPT_N; i++) n += tls_kept->n[i];
	return n;
}

// Uncompressed, RLE and ZIPS parts store one scanline a chunk: a frame is
// a thousand chunks, each read by two small preads (its leader, then its
// data), and the system calls cost as much as the copying. flick_decode
// reads ahead instead: one pread fills the window with the bytes of the
// chunks to come, and the library's reads are served from it.

void flick_window_fill(const flick_reader* r, uint64_t off, uint64_t n)
{
	kept_buffers* k = thread_kept();
	if (k == NULL) return;
	k->win_reader = NULL;
	if (k->win == NULL && (k->win = malloc(WINDOW_CAP)) == NULL) return;
	if (off >= (uint64_t) r->size) return;
	if (n > WINDOW_CAP) n = WINDOW_CAP;
	if (n > (uint64_t) r->size - off) n = (uint64_t) r->size - off;
	uint64_t got = 0;
	while (got < n) {
		ssize_t m = pread(r->fd, k->win + got, (size_t) (n - got), (off_t) (off + got));
		if (m < 0 && errno == EINTR) continue;
		if (m <= 0) break; // the library's own reads will meet the error or the end
		got += (uint64_t) m;
	}
	k->win_reader = r, k->win_off = off, k->win_len = got;
}

// holds says whether k's window holds bytes [off, off + sz) of r.
static int holds(const kept_buffers* k, const flick_reader* r, uint64_t off, uint64_t sz)
{
	return k != NULL && k->win_reader == r && off >= k->win_off && off - k->win_off <= k->win_len &&
		sz <= k->win_len - (off - k->win_off);
}

int flick_window_holds(const flick_reader* r, uint64_t off, uint64_t sz) { return holds(tls_kept, r, off, sz); }

int flick_window_read(const flick_reader* r, void* dst, uint64_t sz, uint64_t off)
{
	const kept_buffers* k = tls_kept;
	if (!holds(k, r, off, sz)) return 0;
	memcpy(dst, k->win + (off - k->win_off), sz);
	return 1;
}

void flick_window_drop(void)
{
	if (tls_kept != NULL) tls_kept->win_reader = NULL;
}
