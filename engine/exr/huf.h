// huf.h: OpenEXR's 16-bit Huffman code (ImfHuf.cpp), decoded by flick for
// PIZ chunks (piz.c: a whole stream into a buffer, flick_huf_uncompress)
// and DWA's AC values (dwa.c: as its blocks consume them, through
// flick_huf_next). One decoder, one table format, for both.
//
// A stream is a 20-byte header (first and last symbol im and iM, the
// table's length, the bit count, a spare word; little-endian), the code
// lengths of symbols im to iM with runs of zeros packed, then the bits.
// The codes are canonical: lengths up to 58 bits, shorter codes numerically
// higher when left-aligned, codes of one length in symbol order. Symbol iM
// is the run-length code: followed by 8 bits n, it repeats the last value
// n times. Codes up to FLICK_HUF_FAST bits resolve in one table look-up.

#ifndef FLICK_HUF_H
#define FLICK_HUF_H

#include <stdint.h>
#include <string.h>

#define FLICK_HUF_FAST 12
#define FLICK_HUF_MAX 58
#define FLICK_HUF_SYMS 65537
#define FLICK_HUF_PAD 64 // zero bytes after the bits: the cursor stops within 24 bytes past them, and loads 8 at a time

// flick_huf_open's and flick_huf_uncompress's results.
enum {
	FLICK_HUF_OK,
	FLICK_HUF_SHORT, // the stream ends before its header, table or bits do
	FLICK_HUF_TABLE, // its header or code table is invalid
	FLICK_HUF_CODE,  // its bits hold an invalid code, or run out
	FLICK_HUF_COUNT, // they decode to more or fewer values than asked for, or a run with nothing before it
	FLICK_HUF_UNSPLIT, // flick_huf_uncompress_by's FLICK_HUF_SPLIT could not decode the stream in halves
};

// flick_huf is a stream's decoding table and its bits, in the scratch
// flick_huf_open was given.
typedef struct {
	uint32_t fast[1 << FLICK_HUF_FAST]; // (length << 24) | symbol; 0: a longer code
	uint64_t start[FLICK_HUF_MAX + 1];  // the first code of each length
	uint32_t count[FLICK_HUF_MAX + 1];  // how many codes of each length
	uint32_t at[FLICK_HUF_MAX + 1];     // where each length's symbols start in sym
	uint32_t sym[FLICK_HUF_SYMS];       // symbols by length, then value
	int rlc, longest;                   // the run-length symbol; the longest code's length
	const uint8_t* bits;                // the bits, FLICK_HUF_PAD zero bytes after
	const uint8_t* limit;               // where a refill may load from at most
	uint64_t nbits;                     // the header's bit count
} flick_huf;

// flick_huf_scratch is the scratch flick_huf_open needs for a stream of n
// bytes.
uint64_t flick_huf_scratch(uint64_t n);

// flick_huf_open reads the stream of n bytes at in (header, table) into a
// table in scratch (flick_huf_scratch(n) bytes), copies its bits there with
// the zeros the cursor's loads need after them, and points *t at it. It
// reads nothing outside in[0, n) and writes nothing outside the scratch; it
// returns FLICK_HUF_OK, or FLICK_HUF_SHORT or FLICK_HUF_TABLE (n below 20
// included: see flick_huf_uncompress for the empty stream).
int flick_huf_open(const flick_huf** t, const uint8_t* in, uint64_t n, void* scratch);

// flick_huf_uncompress_scratch is the scratch flick_huf_uncompress needs
// for a stream of n bytes and nout values.
uint64_t flick_huf_uncompress_scratch(uint64_t n, uint64_t nout);

// flick_huf_uncompress is the library's hufUncompress: it decodes the n
// bytes at in into exactly nout values at out, with scratch of
// flick_huf_uncompress_scratch(n, nout) bytes. A stream under 20 bytes is
// empty (nout must be 0). Every value the bits hold must fill out, and
// every bit the header counts be used, or it returns FLICK_HUF_COUNT
// (FLICK_HUF_CODE for bits that do not decode); whatever the bytes, it
// reads nothing outside in[0, n) and writes nothing outside out[0, nout)
// and the scratch. A stream of FLICK_HUF_SPLIT_MIN values or more is
// decoded in halves side by side where that gives the same values (see
// huf.c), else with one cursor.
int flick_huf_uncompress(const uint8_t* in, uint64_t n, uint16_t* out, uint64_t nout, void* scratch);

// How flick_huf_uncompress_by decodes: as flick_huf_uncompress does, with
// one cursor only, or in halves only (FLICK_HUF_UNSPLIT where it cannot,
// whatever the stream's size). The tests hold each path to the library.
enum { FLICK_HUF_AUTO, FLICK_HUF_SERIAL, FLICK_HUF_SPLIT };
#define FLICK_HUF_SPLIT_MIN 4096

// flick_huf_uncompress_by is flick_huf_uncompress with the path how.
int flick_huf_uncompress_by(const uint8_t* in, uint64_t n, uint16_t* out, uint64_t nout, void* scratch, int how);

// flick_huf_error names a result for an error message.
const char* flick_huf_error(int result);

// flick_huf_load reads 8 bytes at p as a big-endian number.
static inline uint64_t flick_huf_load(const uint8_t* p)
{
	uint64_t v;
	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

// flick_huf_long decodes a code longer than FLICK_HUF_FAST bits at bit
// pos of t's bits: it returns its length << 32 | its symbol, or 0 for an
// invalid code. (The cursor is not passed: its address would keep it out
// of registers.)
uint64_t flick_huf_long(const flick_huf* t, uint64_t pos);

// flick_huf_next decodes the code at a cursor into t's bits and returns
// its symbol, or -1 when the code is invalid or the cursor has run past
// the bits (only a damaged stream gets there, with codes of zeros, say).
// The cursor is in, the next byte to load, buf, the upcoming bits
// left-aligned, and nb, how many of them count (0 at the start, in at
// t->bits); (in - t->bits) * 8 - nb bits have been used. The caller keeps
// it in locals, so it stays in registers. After a run-length symbol,
// flick_huf_count reads the count.
static inline int flick_huf_next(const flick_huf* t, const uint8_t** in, uint64_t* buf, int* nb)
{
	// Refill to 56 bits or more when fewer than a short code and a run
	// count are left (the loaded bits past nb are the stream's next ones,
	// so OR-ing them in again is harmless): every few codes, not on every
	// code's critical path.
	if (*nb < FLICK_HUF_FAST + 8) {
		if (__builtin_expect(*in > t->limit, 0)) return -1;
		*buf |= flick_huf_load(*in) >> *nb;
		*in += (63 - *nb) >> 3;
		*nb |= 56;
	}
	const uint32_t e = t->fast[*buf >> (64 - FLICK_HUF_FAST)];
	const int l = (int) (e >> 24);
	if (__builtin_expect(l == 0, 0)) {
		const uint64_t pos = (uint64_t) (*in - t->bits) * 8 - (uint64_t) *nb;
		const uint64_t r = flick_huf_long(t, pos);
		if (r == 0) return -1;
		const uint64_t np = pos + (r >> 32);
		*in = t->bits + np / 8;
		*buf = flick_huf_load(*in) << (np % 8);
		*nb = 56 - (int) (np % 8); // below 64, as the refill needs
		*in += 7;
		return (int) (uint32_t) r;
	}
	*buf <<= l;
	*nb -= l;
	return (int) (e & 0xffffff);
}

// flick_huf_count reads the 8-bit count after a run-length symbol (at
// least 8 bits are left after any code flick_huf_next decodes).
static inline uint32_t flick_huf_count(uint64_t* buf, int* nb)
{
	const uint32_t n = (uint32_t) (*buf >> 56);
	*buf <<= 8;
	*nb -= 8;
	return n;
}

#endif
