/* BLAKE2b (RFC 7693) and Argon2 v1.3 (RFC 9106), from the RFC texts. Plain
 * portable C: speed matters little here (PuTTY's defaults are 8 MiB and a
 * few passes, a fraction of a second). */
#include <stdlib.h>
#include <string.h>

#include "argon2.h"
#include "pf/mem.h"

/* ---- BLAKE2b ---- */

static const uint64_t blake2b_iv[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
	0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};

static const unsigned char blake2b_sigma[12][16] = {
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

static uint64_t rotr64(uint64_t x, unsigned n)
{
	return (x >> n) | (x << (64 - n));
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void store64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void store32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

#define B2_G(a, b, c, d, x, y)                                                                     \
	do {                                                                                       \
		v[a] = v[a] + v[b] + (x);                                                          \
		v[d] = rotr64(v[d] ^ v[a], 32);                                                    \
		v[c] = v[c] + v[d];                                                                \
		v[b] = rotr64(v[b] ^ v[c], 24);                                                    \
		v[a] = v[a] + v[b] + (y);                                                          \
		v[d] = rotr64(v[d] ^ v[a], 16);                                                    \
		v[c] = v[c] + v[d];                                                                \
		v[b] = rotr64(v[b] ^ v[c], 63);                                                    \
	} while (0)

static void blake2b_compress(pf_blake2b *s, const unsigned char *block, int last)
{
	uint64_t v[16], m[16];
	int i;

	for (i = 0; i < 16; i++)
		m[i] = load64(block + 8 * i);
	for (i = 0; i < 8; i++) {
		v[i] = s->h[i];
		v[i + 8] = blake2b_iv[i];
	}
	v[12] ^= s->t;
	if (last)
		v[14] = ~v[14];
	for (i = 0; i < 12; i++) {
		const unsigned char *sg = blake2b_sigma[i];

		B2_G(0, 4, 8, 12, m[sg[0]], m[sg[1]]);
		B2_G(1, 5, 9, 13, m[sg[2]], m[sg[3]]);
		B2_G(2, 6, 10, 14, m[sg[4]], m[sg[5]]);
		B2_G(3, 7, 11, 15, m[sg[6]], m[sg[7]]);
		B2_G(0, 5, 10, 15, m[sg[8]], m[sg[9]]);
		B2_G(1, 6, 11, 12, m[sg[10]], m[sg[11]]);
		B2_G(2, 7, 8, 13, m[sg[12]], m[sg[13]]);
		B2_G(3, 4, 9, 14, m[sg[14]], m[sg[15]]);
	}
	for (i = 0; i < 8; i++)
		s->h[i] ^= v[i] ^ v[i + 8];
	pf_secure_zero(v, sizeof(v));
	pf_secure_zero(m, sizeof(m));
}

void pf_blake2b_init(pf_blake2b *s, size_t outlen)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < 8; i++)
		s->h[i] = blake2b_iv[i];
	s->h[0] ^= 0x01010000ULL ^ (uint64_t)outlen;
	s->outlen = outlen;
}

void pf_blake2b_update(pf_blake2b *s, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0) {
		size_t take;

		if (s->buflen == sizeof(s->buf)) {
			/* Only now: the last block must be compressed as final. */
			s->t += sizeof(s->buf);
			blake2b_compress(s, s->buf, 0);
			s->buflen = 0;
		}
		take = sizeof(s->buf) - s->buflen;
		if (take > len)
			take = len;
		memcpy(s->buf + s->buflen, p, take);
		s->buflen += take;
		p += take;
		len -= take;
	}
}

void pf_blake2b_final(pf_blake2b *s, unsigned char *out)
{
	unsigned char full[64];
	int i;

	s->t += s->buflen;
	memset(s->buf + s->buflen, 0, sizeof(s->buf) - s->buflen);
	blake2b_compress(s, s->buf, 1);
	for (i = 0; i < 8; i++)
		store64(full + 8 * i, s->h[i]);
	memcpy(out, full, s->outlen);
	pf_secure_zero(full, sizeof(full));
	pf_secure_zero(s, sizeof(*s));
}

/* ---- Argon2 ---- */

#define ARGON2_VERSION  0x13
#define ARGON2_BLOCK    1024
#define ARGON2_WORDS    128
#define ARGON2_SYNC     4
#define ARGON2_MEM_MAX  (4U * 1024 * 1024) /* KiB: 4 GiB, far above any key file */
#define ARGON2_LANE_MAX 0xFFFFFFU

typedef struct block {
	uint64_t v[ARGON2_WORDS];
} block;

/* H' (RFC 9106 3.3): variable-length hash of (LE32(outlen) || in1 || in2). */
static void hash_long(unsigned char *out, size_t outlen, const void *in1, size_t len1,
		      const void *in2, size_t len2)
{
	pf_blake2b s;
	unsigned char v[64], len_le[4];

	store32(len_le, (uint32_t)outlen);
	pf_blake2b_init(&s, outlen <= 64 ? outlen : 64);
	pf_blake2b_update(&s, len_le, 4);
	pf_blake2b_update(&s, in1, len1);
	if (len2 > 0)
		pf_blake2b_update(&s, in2, len2);
	if (outlen <= 64) {
		pf_blake2b_final(&s, out);
		return;
	}
	pf_blake2b_final(&s, v);
	memcpy(out, v, 32);
	out += 32;
	outlen -= 32;
	while (outlen > 64) {
		pf_blake2b_init(&s, 64);
		pf_blake2b_update(&s, v, 64);
		pf_blake2b_final(&s, v);
		memcpy(out, v, 32);
		out += 32;
		outlen -= 32;
	}
	pf_blake2b_init(&s, outlen);
	pf_blake2b_update(&s, v, 64);
	pf_blake2b_final(&s, out);
	pf_secure_zero(v, sizeof(v));
}

static uint64_t blamka(uint64_t x, uint64_t y)
{
	return x + y + 2 * (x & 0xFFFFFFFFULL) * (y & 0xFFFFFFFFULL);
}

static void gb(uint64_t *a, uint64_t *b, uint64_t *c, uint64_t *d)
{
	*a = blamka(*a, *b);
	*d = rotr64(*d ^ *a, 32);
	*c = blamka(*c, *d);
	*b = rotr64(*b ^ *c, 24);
	*a = blamka(*a, *b);
	*d = rotr64(*d ^ *a, 16);
	*c = blamka(*c, *d);
	*b = rotr64(*b ^ *c, 63);
}

/* The permutation P on 16 words given by their indexes in `w`. */
static void perm(uint64_t *w, const unsigned idx[16])
{
	uint64_t *v[16];
	int i;

	for (i = 0; i < 16; i++)
		v[i] = &w[idx[i]];
	gb(v[0], v[4], v[8], v[12]);
	gb(v[1], v[5], v[9], v[13]);
	gb(v[2], v[6], v[10], v[14]);
	gb(v[3], v[7], v[11], v[15]);
	gb(v[0], v[5], v[10], v[15]);
	gb(v[1], v[6], v[11], v[12]);
	gb(v[2], v[7], v[8], v[13]);
	gb(v[3], v[4], v[9], v[14]);
}

/* out = G(x, y), XORed into out's old value when `xor_into` (passes > 0). */
static void compress_g(block *out, const block *x, const block *y, int xor_into)
{
	block r, q;
	unsigned idx[16];
	int i, k;

	for (k = 0; k < ARGON2_WORDS; k++)
		r.v[k] = x->v[k] ^ y->v[k];
	q = r;
	for (i = 0; i < 8; i++) { /* rows: 16 consecutive words */
		for (k = 0; k < 16; k++)
			idx[k] = (unsigned)(16 * i + k);
		perm(q.v, idx);
	}
	for (i = 0; i < 8; i++) { /* columns: word pairs 2i, 2i+1 of each row */
		for (k = 0; k < 8; k++) {
			idx[2 * k] = (unsigned)(2 * i + 16 * k);
			idx[2 * k + 1] = (unsigned)(2 * i + 16 * k + 1);
		}
		perm(q.v, idx);
	}
	for (k = 0; k < ARGON2_WORDS; k++) {
		uint64_t z = q.v[k] ^ r.v[k];

		out->v[k] = xor_into ? out->v[k] ^ z : z;
	}
	pf_secure_zero(&r, sizeof(r));
	pf_secure_zero(&q, sizeof(q));
}

static void block_from_bytes(block *b, const unsigned char *p)
{
	int k;

	for (k = 0; k < ARGON2_WORDS; k++)
		b->v[k] = load64(p + 8 * k);
}

typedef struct argon2_ctx {
	block *mem;
	uint32_t lanes, lane_len, seg_len, passes, mem_blocks;
	pf_argon2_type type;
} argon2_ctx;

/* The next block of pseudo-random addresses for data-independent
 * addressing (RFC 9106 3.4.1.2). */
static void next_addresses(block *addr, block *input)
{
	block zero;

	memset(&zero, 0, sizeof(zero));
	input->v[6]++;
	compress_g(addr, &zero, input, 0);
	compress_g(addr, &zero, addr, 0);
}

static void fill_segment(argon2_ctx *c, uint32_t pass, uint32_t lane, uint32_t slice)
{
	block addr, input;
	uint32_t i, start = (pass == 0 && slice == 0) ? 2 : 0;
	int indep = c->type == PF_ARGON2I ||
		    (c->type == PF_ARGON2ID && pass == 0 && slice < ARGON2_SYNC / 2);

	if (indep) {
		memset(&input, 0, sizeof(input));
		input.v[0] = pass;
		input.v[1] = lane;
		input.v[2] = slice;
		input.v[3] = c->mem_blocks;
		input.v[4] = c->passes;
		input.v[5] = (uint64_t)c->type;
		if (start != 0)
			next_addresses(&addr, &input);
	}
	for (i = start; i < c->seg_len; i++) {
		uint32_t col = slice * c->seg_len + i;
		uint32_t prev = col == 0 ? c->lane_len - 1 : col - 1;
		block *cur = &c->mem[(size_t)lane * c->lane_len + col];
		const block *prevb = &c->mem[(size_t)lane * c->lane_len + prev];
		uint64_t rnd, x, y, area, startpos;
		uint32_t ref_lane, ref_index;

		if (indep) {
			if (i % ARGON2_WORDS == 0)
				next_addresses(&addr, &input);
			rnd = addr.v[i % ARGON2_WORDS];
		} else {
			rnd = prevb->v[0];
		}
		ref_lane = (pass == 0 && slice == 0) ? lane : (uint32_t)((rnd >> 32) % c->lanes);
		if (pass == 0) {
			if (ref_lane == lane)
				area = (uint64_t)slice * c->seg_len + i - 1;
			else
				area = (uint64_t)slice * c->seg_len - (i == 0 ? 1 : 0);
		} else {
			if (ref_lane == lane)
				area = (uint64_t)c->lane_len - c->seg_len + i - 1;
			else
				area = (uint64_t)c->lane_len - c->seg_len - (i == 0 ? 1 : 0);
		}
		x = rnd & 0xFFFFFFFFULL;
		x = (x * x) >> 32;
		y = (area * x) >> 32;
		startpos = (pass == 0 || slice == ARGON2_SYNC - 1)
				   ? 0
				   : (uint64_t)(slice + 1) * c->seg_len;
		ref_index = (uint32_t)((startpos + area - 1 - y) % c->lane_len);
		compress_g(cur, prevb, &c->mem[(size_t)ref_lane * c->lane_len + ref_index],
			   pass > 0);
	}
	if (indep) {
		pf_secure_zero(&addr, sizeof(addr));
		pf_secure_zero(&input, sizeof(input));
	}
}

int pf_argon2(pf_argon2_type type, uint32_t mem_kib, uint32_t passes, uint32_t lanes,
	      const void *pwd, size_t pwd_len, const void *salt, size_t salt_len,
	      const void *secret, size_t secret_len, const void *ad, size_t ad_len,
	      unsigned char *out, size_t tag_len)
{
	pf_blake2b s;
	unsigned char h0[64 + 8], le[4], bytes[ARGON2_BLOCK];
	argon2_ctx c;
	block final_block;
	uint32_t l, pass, slice, params[6];
	int i;

	if ((type != PF_ARGON2D && type != PF_ARGON2I && type != PF_ARGON2ID) || lanes == 0 ||
	    lanes > ARGON2_LANE_MAX || passes == 0 || mem_kib < 8 * lanes ||
	    mem_kib > ARGON2_MEM_MAX || tag_len < 4 || tag_len > 1024 || pwd_len > 0xFFFFFFFFU ||
	    salt_len > 0xFFFFFFFFU || secret_len > 0xFFFFFFFFU || ad_len > 0xFFFFFFFFU)
		return -1;
	memset(&c, 0, sizeof(c));
	c.type = type;
	c.lanes = lanes;
	c.passes = passes;
	c.mem_blocks = mem_kib / (ARGON2_SYNC * lanes) * (ARGON2_SYNC * lanes);
	c.lane_len = c.mem_blocks / lanes;
	c.seg_len = c.lane_len / ARGON2_SYNC;
	c.mem = calloc(c.mem_blocks, sizeof(block));
	if (c.mem == NULL)
		return -2;

	params[0] = lanes;
	params[1] = (uint32_t)tag_len;
	params[2] = mem_kib;
	params[3] = passes;
	params[4] = ARGON2_VERSION;
	params[5] = (uint32_t)type;
	pf_blake2b_init(&s, 64);
	for (i = 0; i < 6; i++) {
		store32(le, params[i]);
		pf_blake2b_update(&s, le, 4);
	}
	store32(le, (uint32_t)pwd_len);
	pf_blake2b_update(&s, le, 4);
	pf_blake2b_update(&s, pwd, pwd_len);
	store32(le, (uint32_t)salt_len);
	pf_blake2b_update(&s, le, 4);
	pf_blake2b_update(&s, salt, salt_len);
	store32(le, (uint32_t)secret_len);
	pf_blake2b_update(&s, le, 4);
	pf_blake2b_update(&s, secret, secret_len);
	store32(le, (uint32_t)ad_len);
	pf_blake2b_update(&s, le, 4);
	pf_blake2b_update(&s, ad, ad_len);
	pf_blake2b_final(&s, h0);

	for (l = 0; l < lanes; l++) {
		uint32_t k;

		for (k = 0; k < 2; k++) {
			store32(h0 + 64, k);
			store32(h0 + 68, l);
			hash_long(bytes, sizeof(bytes), h0, sizeof(h0), NULL, 0);
			block_from_bytes(&c.mem[(size_t)l * c.lane_len + k], bytes);
		}
	}
	for (pass = 0; pass < passes; pass++)
		for (slice = 0; slice < ARGON2_SYNC; slice++)
			for (l = 0; l < lanes; l++)
				fill_segment(&c, pass, l, slice);

	final_block = c.mem[c.lane_len - 1];
	for (l = 1; l < lanes; l++) {
		const block *b = &c.mem[(size_t)l * c.lane_len + c.lane_len - 1];
		int k;

		for (k = 0; k < ARGON2_WORDS; k++)
			final_block.v[k] ^= b->v[k];
	}
	for (i = 0; i < ARGON2_WORDS; i++)
		store64(bytes + 8 * i, final_block.v[i]);
	hash_long(out, tag_len, bytes, sizeof(bytes), NULL, 0);

	pf_secure_zero(c.mem, (size_t)c.mem_blocks * sizeof(block));
	free(c.mem);
	pf_secure_zero(h0, sizeof(h0));
	pf_secure_zero(bytes, sizeof(bytes));
	pf_secure_zero(&final_block, sizeof(final_block));
	return 0;
}
