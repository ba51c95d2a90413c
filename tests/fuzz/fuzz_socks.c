/* libFuzzer target for the SOCKS handshake machine. The input is what a
 * client sends. It is fed whole and again in pseudo-random pieces (the
 * splits derived from the input itself, so a crash reproduces); both runs
 * must give the same answers at the same offsets. Invariants of every
 * answer are checked on the way; the input as text also goes through the
 * libssh error parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pf/socks.h"

struct event {
	pf_socks_status st;
	size_t off;
	unsigned char out[PF_SOCKS_REPLY_MAX];
	size_t out_len;
};

struct trace {
	struct event ev[4];
	int n;
	pf_socks_status final;
	size_t end;
	pf_socks_request req;
	char reason[256];
	pf_rc rc;
};

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static uint64_t next_rand(uint64_t *x)
{
	/* xorshift64* */
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

static void check_answer(pf_socks *s, pf_socks_status st, size_t used, size_t len)
{
	const pf_socks_request *req;
	const unsigned char *out;
	size_t out_len;
	char d[32];

	REQUIRE(used <= len);
	out = pf_socks_output(s, &out_len);
	REQUIRE(out_len <= PF_SOCKS_REPLY_MAX);
	switch (st) {
	case PF_SOCKS_NEED_MORE:
		REQUIRE(used == len);
		REQUIRE(out_len == 0);
		break;
	case PF_SOCKS_SEND:
		REQUIRE(used > 0);
		REQUIRE(out_len == 2 && out[0] == 5 && out[1] == 0);
		break;
	case PF_SOCKS_REQUEST:
		req = pf_socks_get_request(s);
		REQUIRE(req != NULL);
		REQUIRE(memchr(req->host, '\0', sizeof(req->host)) != NULL);
		REQUIRE(req->host[0] != '\0');
		REQUIRE(req->version != PF_SOCKS_VNONE);
		REQUIRE(pf_socks_fail_rc(s) == PF_OK);
		pf_socks_describe(req, d, sizeof(d));
		REQUIRE(strlen(d) < sizeof(d));
		break;
	case PF_SOCKS_FAIL:
		REQUIRE(pf_socks_get_request(s) == NULL);
		REQUIRE(pf_socks_reason(s)[0] != '\0');
		REQUIRE(pf_socks_fail_rc(s) != PF_OK);
		REQUIRE(out_len == 0 || out_len == 2 || out_len == 8 || out_len == 10);
		break;
	default: abort();
	}
}

/* Feed in[0..len) in pieces ending at cuts[0..ncuts) and then len. */
static void run(const uint8_t *in, size_t len, const size_t *cuts, size_t ncuts, struct trace *t)
{
	pf_socks s;
	size_t k, pos = 0;

	memset(t, 0, sizeof(*t));
	pf_socks_init(&s);
	t->final = PF_SOCKS_NEED_MORE;
	t->end = len;
	for (k = 0; k <= ncuts; k++) {
		size_t piece_end = k < ncuts ? cuts[k] : len;

		for (;;) {
			size_t used = 0, out_len = 0;
			const unsigned char *out;
			pf_socks_status st;

			st = pf_socks_feed(&s, in + pos, piece_end - pos, &used);
			check_answer(&s, st, used, piece_end - pos);
			pos += used;
			if (st == PF_SOCKS_NEED_MORE)
				break;
			out = pf_socks_output(&s, &out_len);
			REQUIRE(t->n < 4);
			t->ev[t->n].st = st;
			t->ev[t->n].off = pos;
			memcpy(t->ev[t->n].out, out, out_len);
			t->ev[t->n].out_len = out_len;
			t->n++;
			if (st == PF_SOCKS_SEND)
				continue;
			t->final = st;
			t->end = pos;
			if (st == PF_SOCKS_REQUEST)
				t->req = *pf_socks_get_request(&s);
			memcpy(t->reason, pf_socks_reason(&s), strlen(pf_socks_reason(&s)) + 1);
			t->rc = pf_socks_fail_rc(&s);
			REQUIRE(pf_socks_feed(&s, in, len, &used) == st && used == 0);
			REQUIRE(pos <= 520);
			return;
		}
	}
}

static void same(const struct trace *a, const struct trace *b)
{
	int i;

	REQUIRE(a->n == b->n && a->final == b->final && a->end == b->end && a->rc == b->rc);
	REQUIRE(strcmp(a->reason, b->reason) == 0);
	for (i = 0; i < a->n; i++) {
		REQUIRE(a->ev[i].st == b->ev[i].st && a->ev[i].off == b->ev[i].off);
		REQUIRE(a->ev[i].out_len == b->ev[i].out_len);
		REQUIRE(memcmp(a->ev[i].out, b->ev[i].out, a->ev[i].out_len) == 0);
	}
	if (a->final == PF_SOCKS_REQUEST) {
		REQUIRE(a->req.version == b->req.version && a->req.port == b->req.port);
		REQUIRE(a->req.addr_type == b->req.addr_type);
		REQUIRE(strcmp(a->req.host, b->req.host) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t cuts[1024];
	struct trace whole, split;
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	size_t i, ncuts = 0;
	char *text;

	if (size > 1024)
		return 0;
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001B3ULL;
	if (seed == 0)
		seed = 1;

	run(data, size, NULL, 0, &whole);

	/* Random ascending cuts, sometimes 1 byte apart, sometimes larger. */
	for (i = 1; i < size && ncuts < sizeof(cuts) / sizeof(cuts[0]); i++) {
		if (next_rand(&seed) % 4 == 0)
			cuts[ncuts++] = i;
	}
	run(data, size, cuts, ncuts, &split);
	same(&whole, &split);

	/* Byte by byte too for short inputs (the interesting ones). */
	if (size <= 64) {
		for (i = 1; i < size; i++)
			cuts[i - 1] = i;
		run(data, size, cuts, size > 0 ? size - 1 : 0, &split);
		same(&whole, &split);
	}

	text = malloc(size + 1);
	if (text != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		REQUIRE(pf_socks_reply_from_libssh(text) <= PF_SOCKS_REP_ATYPE_UNSUPPORTED);
		free(text);
	}
	return 0;
}
