// huf.c: OpenEXR's 16-bit Huffman code, decoded by flick (see huf.h). The
// Huffman step is most of PIZ's time, and each code's length must be known
// before the next can be looked up: a chain of dependent loads and shifts.
// Here the cursor lives in registers, one look-up gives up to two short
// codes (PIZ's loop), the refill has no branch, and the bits are copied
// with zeros after them, so a refill loads 8 bytes with no bounds check
// of its own.

#include "huf.h"

enum { HUF_HEADER = 20 };

static uint64_t align64(uint64_t n) { return (n + 63) & ~(uint64_t) 63; }

// The scratch: the table, codes (build's list, then pairs' table, which
// is smaller), the bits.
uint64_t flick_huf_scratch(uint64_t n)
{
	return 64 + align64(sizeof(flick_huf)) + align64(4 * FLICK_HUF_SYMS) + n + FLICK_HUF_PAD;
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
	memset(t->fast, 0, sizeof t->fast);
	for (int j = 0; j < ncodes; j++) {
		const uint32_t i = codes[j] >> 8;
		const int l = (int) (codes[j] & 0xff);
		const uint64_t cd = t->start[l] + (next[l] - t->at[l]);
		t->sym[next[l]++] = i;
		if (l > FLICK_HUF_FAST) continue;
		uint32_t* e = t->fast + (cd << (FLICK_HUF_FAST - l));
		for (uint32_t k = 0; k < 1u << (FLICK_HUF_FAST - l); k++) {
			if (e[k] != 0) return -1;
			e[k] = (uint32_t) l << 24 | i;
		}
	}
	// A long code that starts with a short one (the short codes all in
	// the table now, whatever their symbols' order).
	for (int l = FLICK_HUF_FAST + 1; l <= t->longest; l++)
		for (uint64_t cd = t->start[l] >> (l - FLICK_HUF_FAST); t->count[l] > 0 && cd <= (t->start[l] + t->count[l] - 1) >> (l - FLICK_HUF_FAST); cd++)
			if (t->fast[cd] != 0) return -1;
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

// pairs fills pair with what each FLICK_HUF_FAST-bit prefix of the bits
// holds: two codes when both fit in it and neither is the run-length code,
// else one short code, else none (a long code, or the run-length code,
// which needs its count: the cursor's flick_huf_next takes those). An
// entry is sym2 << 32 | sym1 << 8 | codes << 6 | bits. Two values a
// look-up halve the decode's chain of dependent loads and shifts on
// PIZ's short codes.
static void pairs(const flick_huf* t, uint64_t* pair)
{
	for (uint32_t i = 0; i < 1u << FLICK_HUF_FAST; i++) {
		const uint32_t e1 = t->fast[i];
		const uint32_t l1 = e1 >> 24, s1 = e1 & 0xffffff;
		if (l1 == 0 || (int) s1 == t->rlc) {
			pair[i] = 0;
			continue;
		}
		pair[i] = (uint64_t) s1 << 8 | 1u << 6 | l1;
		const uint32_t e2 = t->fast[(i << l1) & ((1u << FLICK_HUF_FAST) - 1)];
		const uint32_t l2 = e2 >> 24, s2 = e2 & 0xffffff;
		if (l2 != 0 && l1 + l2 <= FLICK_HUF_FAST && (int) s2 != t->rlc)
			pair[i] = (uint64_t) s2 << 32 | (uint64_t) s1 << 8 | 2u << 6 | (l1 + l2);
	}
}

int flick_huf_uncompress(const uint8_t* in, uint64_t n, uint16_t* out, uint64_t nout, void* scratch)
{
	if (n < HUF_HEADER) return nout == 0 ? FLICK_HUF_OK : FLICK_HUF_SHORT;
	const flick_huf* t;
	int rv = flick_huf_open(&t, in, n, scratch);
	if (rv != FLICK_HUF_OK) return rv;
	uint64_t* pair = (uint64_t*) ((uint8_t*) t + align64(sizeof(flick_huf))); // over build's codes
	pairs(t, pair);
	const uint8_t* p = t->bits;
	uint64_t buf = 0;
	int nb = 0;
	uint16_t* o = out;
	uint16_t* const end = out + nout;
	while (o < end) {
		// While there is room for eight values: a refill every time (no
		// branch to mispredict on how many bits are left), then four
		// look-ups of up to two values and FLICK_HUF_FAST bits each.
		if (end - o >= 8 && __builtin_expect(p <= t->limit, 1)) {
			buf |= flick_huf_load(p) >> nb;
			p += (63 - nb) >> 3;
			nb |= 56;
			int k = 0;
			for (int i = 0; i < 4; i++) {
				const uint64_t e = pair[buf >> (64 - FLICK_HUF_FAST)];
				k = (int) (e >> 6) & 3;
				if (__builtin_expect(k == 0, 0)) break;
				buf <<= e & 63;
				nb -= (int) (e & 63);
				o[0] = (uint16_t) (e >> 8);
				o[1] = (uint16_t) (e >> 32);
				o += k;
			}
			if (k != 0) continue;
		}
		// A long code, the run-length code, or the last few values.
		const int v = flick_huf_next(t, &p, &buf, &nb);
		if (__builtin_expect(v < 0, 0)) return FLICK_HUF_CODE;
		if (v != t->rlc) {
			*o++ = (uint16_t) v;
			continue;
		}
		const uint32_t r = flick_huf_count(&buf, &nb);
		// A run of none the library's fast decoder refuses (its encoder
		// never writes one), and so does this.
		if (o == out || r == 0 || r > (uint64_t) (end - o)) return FLICK_HUF_COUNT;
		const uint16_t last = o[-1];
		for (uint32_t j = 0; j < r; j++) o[j] = last;
		o += r;
	}
	return (uint64_t) (p - t->bits) * 8 - (uint64_t) nb == t->nbits ? FLICK_HUF_OK : FLICK_HUF_COUNT;
}

const char* flick_huf_error(int result)
{
	switch (result) {
	case FLICK_HUF_OK: return "no error";
	case FLICK_HUF_SHORT: return "Huffman data truncated";
	case FLICK_HUF_TABLE: return "invalid Huffman code table";
	case FLICK_HUF_CODE: return "invalid Huffman code";
	case FLICK_HUF_COUNT: return "Huffman data does not fill the chunk";
	default: return "unknown Huffman error";
	}
}
