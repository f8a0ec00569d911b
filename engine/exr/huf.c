// huf.c: OpenEXR's 16-bit Huffman code, decoded by flick (see huf.h). The
// Huffman step is most of PIZ's time, and each code's length must be known
// before the next can be looked up: a chain of dependent loads and shifts.
// Here the cursor lives in registers, the refill has no branch, and the
// bits are copied with zeros after them, so a refill loads 8 bytes with no
// bounds check of its own. PIZ's whole-stream decode (flick_huf_uncompress)
// goes further: one look-up of a 12- or 14-bit table gives up to two
// of its usual 6- to 8-bit codes, and two cursors decode the stream's
// halves side by side, so two chains run at once (split, below).

#include "huf.h"

enum { HUF_HEADER = 20 };

static uint64_t align64(uint64_t n) { return (n + 63) & ~(uint64_t) 63; }

// The pair table's index width: 14 bits (two tables, 80 KiB) for a
// stream of PAIR_WIDE_MIN values or more whose codes average PAIR_WIDE_BITS
// / 4 bits or more, 12 for a smaller one (a 64x64 tile's 16384 values,
// where building the wider table costs more than it saves) and for one of
// shorter codes (12 bits mostly hold two already). They decoded PIZ
// streams of those sizes fastest on the CPU measured (Xeon, Emerald
// Rapids), against 11, 13, 15 and 16 bits; PIZ's codes average 5.2 to 5.7
// bits there, and DWAA's AC values (a stream per 32 lines, so the table's
// build counts) 4.2, which 12 bits decoded faster.
enum { PAIR_WIDE = 14, PAIR_NARROW = 12, PAIR_WIDE_MIN = 65536, PAIR_WIDE_BITS = 19, PAIR_SIZE = 1 << PAIR_WIDE };
#define FLICK_HUF_INLINE static inline __attribute__((always_inline))

// The scratch: the table, codes (build's list, then the pair table's
// scratch), the bits.
uint64_t flick_huf_scratch(uint64_t n)
{
	return 64 + align64(sizeof(flick_huf)) + align64(4 * FLICK_HUF_SYMS) + n + FLICK_HUF_PAD;
}

// flick_huf_uncompress's scratch adds, after the bits, the pair table and
// the second cursor's values.
uint64_t flick_huf_uncompress_scratch(uint64_t n, uint64_t nout)
{
	return flick_huf_scratch(n) + 64 + 5 * (uint64_t) PAIR_SIZE + 2 * (nout + 16);
}

static uint32_t get_u32(const uint8_t* p) { return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24; }

// build reads the code table at in (n bytes) into t, as hufUnpackEncTable
// and hufCanonicalCodeTable do, and checks it as hufBuildDecTable does.
// codes is scratch for FLICK_HUF_SYMS entries. It returns the bytes read,
// or -1.
static int64_t build(flick_huf* t, const uint8_t* in, uint64_t n, int im, int iM, uint32_t* codes)
{
	uint64_t c = 0, at = 0;
	int lc = 0, ncodes = 0;
#define GET(bits, dst)                                                                                                 \
	do {                                                                                                           \
		while (lc < (bits)) {                                                                                  \
			if (at >= n) return -1;                                                                        \
			c = c << 8 | in[at++];                                                                         \
			lc += 8;                                                                                       \
		}                                                                                                      \
		lc -= (bits);                                                                                          \
		(dst) = (int) ((c >> lc) & ((1u << (bits)) - 1));                                                      \
	} while (0)
	// The symbols that have a code, in order, each with its length: the
	// table lists every length from im to iM, with runs of zeros packed.
	memset(t->count, 0, sizeof t->count);
	for (int i = im; i <= iM; i++) {
		int l, run = 0;
		GET(6, l);
		if (l == 63) {
			GET(8, run);
			run += 6;
		} else if (l >= 59) {
			run = l - 59 + 2;
		}
		if (run > 0) {
			if (i + run > iM + 1) return -1;
			i += run - 1;
		} else if (l > 0) {
			codes[ncodes++] = (uint32_t) i << 8 | (uint32_t) l;
			t->count[l]++;
		}
	}
#undef GET
	uint64_t code = 0;
	for (int l = FLICK_HUF_MAX; l > 0; l--) {
		const uint64_t next = (code + t->count[l]) >> 1;
		t->start[l] = code;
		code = next;
	}
	uint32_t pos = 0, next[FLICK_HUF_MAX + 1];
	t->longest = 0;
	for (int l = 1; l <= FLICK_HUF_MAX; l++) {
		t->at[l] = next[l] = pos;
		pos += t->count[l];
		if (t->count[l] == 0) continue;
		if ((t->start[l] + t->count[l] - 1) >> l) return -1; // a code longer than its length
		t->longest = l;
	}
	// No code may start with another (lengths whose codes claim more
	// than all the bits hold): left-aligned, each length's codes lie
	// below the shorter ones'. The library refuses such a table wherever
	// a code of up to its 14-bit table's length is involved; flick
	// refuses it everywhere, as no encoder writes one.
	uint64_t below = 0;
	for (int l = t->longest; l > 0; l--) {
		if (t->count[l] == 0) continue;
		if (t->start[l] << (FLICK_HUF_MAX - l) < below) return -1;
		below = (t->start[l] + t->count[l]) << (FLICK_HUF_MAX - l);
	}
	memset(t->fast, 0, sizeof t->fast);
	for (int j = 0; j < ncodes; j++) {
		const uint32_t i = codes[j] >> 8;
		const int l = (int) (codes[j] & 0xff);
		const uint64_t cd = t->start[l] + (next[l] - t->at[l]);
		t->sym[next[l]++] = i;
		if (l > FLICK_HUF_FAST) continue;
		uint32_t* e = t->fast + (cd << (FLICK_HUF_FAST - l));
		for (uint32_t k = 0; k < 1u << (FLICK_HUF_FAST - l); k++) e[k] = (uint32_t) l << 24 | i;
	}
	t->rlc = iM;
	return (int64_t) at;
}

int flick_huf_open(const flick_huf** out, const uint8_t* in, uint64_t n, void* scratch)
{
	if (n < HUF_HEADER) return FLICK_HUF_SHORT;
	const uint32_t im = get_u32(in), iM = get_u32(in + 4);
	const uint64_t nbits = get_u32(in + 12), nbytes = (nbits + 7) / 8;
	if (im >= FLICK_HUF_SYMS || iM >= FLICK_HUF_SYMS || im > iM) return FLICK_HUF_TABLE;
	if (nbytes > n - HUF_HEADER) return FLICK_HUF_SHORT;
	uint8_t* s = (uint8_t*) (((uintptr_t) scratch + 63) & ~(uintptr_t) 63);
	flick_huf* t = (flick_huf*) s;
	uint32_t* codes = (uint32_t*) (s + align64(sizeof(flick_huf)));
	uint8_t* bits = s + align64(sizeof(flick_huf)) + align64(4 * FLICK_HUF_SYMS);
	const int64_t table = build(t, in + HUF_HEADER, n - HUF_HEADER, (int) im, (int) iM, codes);
	if (table < 0) return FLICK_HUF_TABLE;
	if (nbytes > n - HUF_HEADER - (uint64_t) table) return FLICK_HUF_SHORT;
	memcpy(bits, in + HUF_HEADER + table, nbytes);
	memset(bits + nbytes, 0, FLICK_HUF_PAD);
	t->bits = bits;
	t->limit = bits + nbytes + 8;
	t->nbits = nbits;
	*out = t;
	return FLICK_HUF_OK;
}

uint64_t flick_huf_long(const flick_huf* t, uint64_t pos)
{
	const uint8_t* p = t->bits + pos / 8;
	// Codes of zeros go on past the bits in a damaged stream, as the
	// refill's check does not see while codes are long.
	if (p > t->limit) return 0;
	const int sh = (int) (pos % 8);
	const uint64_t w = sh == 0 ? flick_huf_load(p) : flick_huf_load(p) << sh | (uint64_t) p[8] >> (8 - sh);
	for (int l = FLICK_HUF_FAST + 1; l <= t->longest; l++) {
		if (t->count[l] == 0) continue;
		const uint64_t top = w >> (64 - l);
		if (top < t->start[l]) continue;
		if (top - t->start[l] >= t->count[l]) return 0;
		return (uint64_t) l << 32 | t->sym[t->at[l] + (top - t->start[l])];
	}
	return 0;
}

// The pair table: what each width-bit prefix of the bits holds,
// two codes when both fit in it and neither is the run-length code, else
// one short code, else none (a long code, or the run-length code, which
// needs its count: the cursor's flick_huf_next takes those). step[i] is
// the codes << 6 | their bits, the only thing the next look-up waits on,
// in a table small enough for the L1 cache; vals[i] the values, sym1 |
// sym2 << 16, loaded beside it. A prefix this wide holds two of PIZ's
// usual 6- to 8-bit codes, which FLICK_HUF_FAST bits mostly do not. The
// width is a constant where it counts: the decode is compiled for each.

// pairs fills step and vals from t, with one a scratch table of
// 1 << width entries.
static void pairs(const flick_huf* t, uint8_t* step, uint32_t* vals, uint32_t* one, const int width)
{
	const uint32_t size = 1u << width;
	// one: the first code of each prefix, (length << 24) | symbol, 0 for
	// a longer one or the run-length code.
	memset(one, 0, sizeof(uint32_t) * size);
	for (int l = 1; l <= width; l++) {
		for (uint32_t j = 0; j < t->count[l]; j++) {
			const uint32_t sym = t->sym[t->at[l] + j];
			if ((int) sym == t->rlc) continue;
			uint32_t* e = one + ((t->start[l] + j) << (width - l));
			const uint32_t v = (uint32_t) l << 24 | sym;
			for (uint32_t k = 0; k < 1u << (width - l); k++) e[k] = v;
		}
	}
	for (uint32_t i = 0; i < size; i++) {
		const uint32_t e1 = one[i], l1 = e1 >> 24;
		const uint32_t e2 = one[(i << l1) & (size - 1)], l2 = e2 >> 24;
		const int two = l1 != 0 && l2 != 0 && (int) (l1 + l2) <= width;
		step[i] = (uint8_t) (l1 == 0 ? 0 : two ? 2u << 6 | (l1 + l2) : 1u << 6 | l1);
		vals[i] = (e1 & 0xffff) | (two ? e2 << 16 : 0);
	}
}

// cursor is a decoder's place in the bits (see flick_huf_next) and in
// its output.
typedef struct {
	const uint8_t* p;
	uint64_t buf;
	int nb;
	uint16_t* o;
} cursor;

// used is how many bits c has taken.
static inline uint64_t used(const flick_huf* t, const cursor* c) { return (uint64_t) (c->p - t->bits) * 8 - (uint64_t) c->nb; }

// cursor_at is a cursor at bit pos of t's bits (pos at most t->nbits),
// writing to o.
static cursor cursor_at(const flick_huf* t, uint64_t pos, uint16_t* o)
{
	cursor c = {t->bits + pos / 8, flick_huf_load(t->bits + pos / 8) << (pos % 8), 56 - (int) (pos % 8), o};
	c.p += 7;
	return c;
}

// fast decodes up to 56 bits' worth of pair-table look-ups at c: a refill
// (no branch on how many bits are left), then 56 / width look-ups of up
// to two values each. It returns 0 if it stopped at a code the
// table does not hold. c's refill must load inside the bits and their
// zeros (c->p at most t->limit), and c->o have room for 8 values.
FLICK_HUF_INLINE int fast(const uint8_t* step, const uint32_t* vals, cursor* c, const int width)
{
	c->buf |= flick_huf_load(c->p) >> c->nb;
	c->p += (63 - c->nb) >> 3;
	c->nb |= 56;
	for (int i = 0; i < 56 / width; i++) {
		const uint64_t x = c->buf >> (64 - width);
		const uint32_t e = step[x], v = vals[x];
		if (__builtin_expect(e == 0, 0)) return 0;
		c->buf <<= e & 63;
		c->nb -= (int) (e & 63);
		memcpy(c->o, &v, sizeof v);
		c->o += e >> 6;
	}
	return 1;
}

// slow decodes one code at c, with its run if it is the run-length code
// (repeating c->o[-1]: begin is where c's output starts, end where it
// must stop). It returns the symbol, -FLICK_HUF_CODE for an invalid code,
// or -FLICK_HUF_COUNT for a value past end or a run of none, before begin
// or past end.
static inline int slow(const flick_huf* t, cursor* c, const uint16_t* begin, const uint16_t* end)
{
	const int v = flick_huf_next(t, &c->p, &c->buf, &c->nb);
	if (__builtin_expect(v < 0, 0)) return -FLICK_HUF_CODE;
	if (v != t->rlc) {
		if (c->o == end) return -FLICK_HUF_COUNT;
		*c->o++ = (uint16_t) v;
		return v;
	}
	const uint32_t r = flick_huf_count(&c->buf, &c->nb);
	// A run of none the library's fast decoder refuses (its encoder
	// never writes one), and so does this.
	if (c->o == begin || r == 0 || r > (uint64_t) (end - c->o)) return -FLICK_HUF_COUNT;
	const uint16_t last = c->o[-1];
	for (uint32_t j = 0; j < r; j++) c->o[j] = last;
	c->o += r;
	return v;
}

// serial decodes the whole stream at t into out[0, nout) with one cursor:
// the library's order, and its errors.
FLICK_HUF_INLINE int serial(const flick_huf* t, const uint8_t* step, const uint32_t* vals, uint16_t* out, uint64_t nout, const int width)
{
	cursor c = {t->bits, 0, 0, out};
	uint16_t* const end = out + nout;
	while (c.o < end) {
		if (end - c.o >= 8 && __builtin_expect(c.p <= t->limit, 1) && fast(step, vals, &c, width)) continue;
		// A long code, the run-length code, or the last few values.
		const int v = slow(t, &c, out, end);
		if (v < 0) return -v;
	}
	return used(t, &c) == t->nbits ? FLICK_HUF_OK : FLICK_HUF_COUNT;
}

// The split decode: a second cursor starts at the middle bit of the
// stream, and the two decode side by side, their chains of dependent
// look-ups overlapping in the core. A cursor started inside a code soon
// falls into step with the code boundaries (Huffman codes
// resynchronise); the first cursor, reaching the middle, confirms where:
// the first code start the two share. From there the second cursor's
// values are the stream's, as a serial decode would give them (a cursor's
// state at a code start is its bit position and, for a run, the value
// before it, which the second cursor then has of its own: the shared code
// is not the run-length code). Anything else (no shared start among the
// second cursor's first SYNC codes, an error, counts that do not add up)
// and the stream is decoded again serially, for the library's result and
// errors.
enum { SYNC = 64 };

// split decodes as serial does into out[0, nout), with tmp scratch for
// nout + 16 values; it returns 0 when it cannot vouch for the result.
FLICK_HUF_INLINE int split(const flick_huf* t, const uint8_t* step, const uint32_t* vals, uint16_t* out, uint64_t nout, uint16_t* tmp,
	const int width)
{
	const uint64_t nbits = t->nbits;
	uint16_t* const end = out + nout;
	// b's values go to tmp[1...]; tmp[0] is a value for a run at its
	// start (before it is in step, its values are not used).
	tmp[0] = 0;
	uint16_t* const tend = tmp + nout + 16;
	cursor a = {t->bits, 0, 0, out}, b = cursor_at(t, nbits / 2, tmp + 1);
	// Where b's first SYNC codes that are not the run-length code start,
	// and its values' count then.
	uint64_t at[SYNC], first[SYNC];
	for (int i = 0; i < SYNC;) {
		at[i] = used(t, &b);
		first[i] = (uint64_t) (b.o - tmp);
		if (at[i] >= nbits) return 0;
		const int v = slow(t, &b, tmp, tend);
		if (v < 0) return 0;
		if (v != t->rlc) i++;
	}
	// Side by side until a is near b's start, or b at the end.
	const uint64_t near = at[0] > 128 ? at[0] - 128 : 0;
	int bdone = 0;
	while (used(t, &a) < near) {
		if (end - a.o < 8) return 0;
		if (!fast(step, vals, &a, width) && slow(t, &a, out, end) < 0) return 0;
		if (bdone) continue;
		const uint64_t ub = used(t, &b);
		if (ub + 56 <= nbits && tend - b.o >= 8) {
			if (!fast(step, vals, &b, width) && slow(t, &b, tmp, tend) < 0) return 0;
		} else if (ub < nbits) {
			if (slow(t, &b, tmp, tend) < 0) return 0;
		} else {
			bdone = 1;
		}
	}
	// a, a code at a time, to the first code start it shares with b.
	int j = 0;
	for (;;) {
		const uint64_t ua = used(t, &a);
		while (j < SYNC && at[j] < ua) j++;
		if (j == SYNC) return 0;
		if (at[j] == ua) break;
		if (ua >= nbits || slow(t, &a, out, end) < 0) return 0;
	}
	// b on alone, to the last bit.
	for (uint64_t ub; (ub = used(t, &b)) < nbits;) {
		if (ub + 56 <= nbits && tend - b.o >= 8) {
			if (!fast(step, vals, &b, width) && slow(t, &b, tmp, tend) < 0) return 0;
		} else if (slow(t, &b, tmp, tend) < 0) {
			return 0;
		}
	}
	const uint64_t rest = (uint64_t) (b.o - tmp) - first[j];
	if (used(t, &b) != nbits || rest != (uint64_t) (end - a.o)) return 0;
	memcpy(a.o, tmp + first[j], 2 * rest);
	return 1;
}

// decode is flick_huf_uncompress_by with t open, and pair tables width
// bits wide.
FLICK_HUF_INLINE int decode(const flick_huf* t, uint16_t* out, uint64_t nout, int how, const int width)
{
	uint8_t* step = (uint8_t*) (((uintptr_t) t->limit - 8 + FLICK_HUF_PAD + 63) & ~(uintptr_t) 63);
	uint32_t* vals = (uint32_t*) (step + PAIR_SIZE);
	pairs(t, step, vals, (uint32_t*) ((uint8_t*) t + align64(sizeof(flick_huf))), width); // over build's codes
	if (how != FLICK_HUF_SERIAL && (nout >= FLICK_HUF_SPLIT_MIN || how == FLICK_HUF_SPLIT) &&
		split(t, step, vals, out, nout, (uint16_t*) (vals + PAIR_SIZE), width))
		return FLICK_HUF_OK;
	if (how == FLICK_HUF_SPLIT) return FLICK_HUF_UNSPLIT;
	return serial(t, step, vals, out, nout, width);
}

int flick_huf_uncompress_by(const uint8_t* in, uint64_t n, uint16_t* out, uint64_t nout, void* scratch, int how)
{
	if (n < HUF_HEADER) return nout == 0 ? FLICK_HUF_OK : FLICK_HUF_SHORT;
	const flick_huf* t;
	int rv = flick_huf_open(&t, in, n, scratch);
	if (rv != FLICK_HUF_OK) return rv;
	return nout >= PAIR_WIDE_MIN && 4 * t->nbits >= PAIR_WIDE_BITS * nout ? decode(t, out, nout, how, PAIR_WIDE)
										: decode(t, out, nout, how, PAIR_NARROW);
}

int flick_huf_uncompress(const uint8_t* in, uint64_t n, uint16_t* out, uint64_t nout, void* scratch)
{
	return flick_huf_uncompress_by(in, n, out, nout, scratch, FLICK_HUF_AUTO);
}

const char* flick_huf_error(int result)
{
	switch (result) {
	case FLICK_HUF_OK: return "no error";
	case FLICK_HUF_SHORT: return "Huffman data truncated";
	case FLICK_HUF_TABLE: return "invalid Huffman code table";
	case FLICK_HUF_CODE: return "invalid Huffman code";
	case FLICK_HUF_COUNT: return "Huffman data does not fill the chunk";
	case FLICK_HUF_UNSPLIT: return "Huffman data not decoded in halves";
	default: return "unknown Huffman error";
	}
}
