/* libFuzzer target for the proxy client machines (pf/proxy.h): the HTTP
 * CONNECT reply parser and the SOCKS4/4a/5 reply readers. The first input
 * byte picks the proxy type and whether credentials were given; the rest
 * is what the proxy answers. It is fed whole and again in pseudo-random
 * pieces (the splits derived from the input, so a crash reproduces): both
 * runs must end the same way at the same offset with the same bytes sent
 * and the same reason, and every answer keeps the header's promises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pf/proxy.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

struct trace {
	pf_proxy_status final;
	size_t end, sent_len;
	unsigned char sent[4096];
	char reason[400];
	pf_rc rc;
	int refused, code;
};

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 2685821657736338717ULL;
}

static void run(unsigned sel, const uint8_t *in, size_t len, const size_t *cuts, size_t ncuts,
		struct trace *t)
{
	static const pf_proxy_type types[4] = {PF_PROXY_HTTP, PF_PROXY_SOCKS4, PF_PROXY_SOCKS4A,
					       PF_PROXY_SOCKS5};
	pf_proxy_creds creds = {"user", "password", "dXNlcjpwYXNzd29yZA=="};
	pf_proxy_type type = types[sel & 3];
	const char *host = sel & 8 ? "192.0.2.1" : sel & 16 ? "2001:db8::2" : "ssh.example.org";
	pf_proxy p;
	pf_proxy_status st;
	size_t pos = 0, k = 0, used, sends = 0;

	memset(t, 0, sizeof(*t));
	st = pf_proxy_start(&p, type, host, 22, sel & 4 ? &creds : NULL);
	for (;;) {
		if (st == PF_PROXY_SEND) {
			size_t n;
			const unsigned char *o = pf_proxy_output(&p, &n);

			REQUIRE(n > 0 && n <= PF_PROXY_OUT_MAX && ++sends <= 3);
			REQUIRE(t->sent_len + n <= sizeof(t->sent));
			memcpy(t->sent + t->sent_len, o, n);
			t->sent_len += n;
			st = pf_proxy_feed(&p, NULL, 0, &used);
			REQUIRE(used == 0);
			continue;
		}
		if (st != PF_PROXY_NEED_MORE || pos == len)
			break;
		{
			size_t piece_end = k < ncuts ? cuts[k] : len, n;

			while (piece_end <= pos && k < ncuts)
				piece_end = ++k < ncuts ? cuts[k] : len;
			n = piece_end - pos;
			st = pf_proxy_feed(&p, in + pos, n, &used);
			REQUIRE(used <= n);
			REQUIRE(st != PF_PROXY_NEED_MORE || used == n);
			REQUIRE(st == PF_PROXY_NEED_MORE || used > 0);
			pos += used;
		}
	}
	t->final = st;
	t->end = pos;
	memcpy(t->reason, pf_proxy_reason(&p), strlen(pf_proxy_reason(&p)) + 1);
	t->rc = pf_proxy_fail_rc(&p);
	t->refused = pf_proxy_auth_refused(&p);
	t->code = pf_proxy_status_code(&p);
	if (st == PF_PROXY_FAIL) {
		const char *r;

		REQUIRE(t->rc != PF_OK && t->reason[0] != '\0');
		for (r = t->reason; *r; r++)
			REQUIRE((unsigned char)*r >= 0x20); /* nothing from the proxy raw */
	} else {
		REQUIRE(t->rc == PF_OK);
	}
	REQUIRE(!t->refused || st == PF_PROXY_AUTH);
	REQUIRE(pos <= PF_PROXY_HTTP_HDR_MAX);
	if (st != PF_PROXY_NEED_MORE) {
		REQUIRE(pf_proxy_feed(&p, in, len, &used) == st && used == 0);
	}
	pf_proxy_wipe(&p);
}

static void same(const struct trace *a, const struct trace *b)
{
	REQUIRE(a->final == b->final && a->end == b->end && a->rc == b->rc);
	REQUIRE(a->refused == b->refused && a->code == b->code);
	REQUIRE(a->sent_len == b->sent_len && memcmp(a->sent, b->sent, a->sent_len) == 0);
	REQUIRE(strcmp(a->reason, b->reason) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static size_t cuts[PF_PROXY_HTTP_HDR_MAX + 64];
	static struct trace whole, split;
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	size_t i, ncuts = 0;
	unsigned sel;

	if (size < 1 || size > PF_PROXY_HTTP_HDR_MAX + 64)
		return 0;
	sel = data[0];
	data++;
	size--;
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 0x100000001B3ULL;
	if (seed == 0)
		seed = 1;
	run(sel, data, size, NULL, 0, &whole);
	for (i = 1; i < size; i++)
		if (next_rand(&seed) % 5 == 0)
			cuts[ncuts++] = i;
	run(sel, data, size, cuts, ncuts, &split);
	same(&whole, &split);
	if (size <= 128) {
		for (i = 1; i < size; i++)
			cuts[i - 1] = i;
		run(sel, data, size, cuts, size > 0 ? size - 1 : 0, &split);
		same(&whole, &split);
	}
	return 0;
}
