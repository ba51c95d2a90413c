/* The SOCKS handshake machine: every request type and failure, byte-exact
 * against RFC 1928 and the SOCKS4 / SOCKS4A papers, fed whole, byte by byte
 * and in every two-piece split; the reply builders and reason mapping. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/socks.h"

/* What one run of the machine over an input produced: the answers other
 * than NEED_MORE, each at the absolute input offset just after the byte
 * that produced it, with the bytes to send. */
struct event {
	pf_socks_status st;
	size_t off;
	unsigned char out[PF_SOCKS_REPLY_MAX];
	size_t out_len;
};

struct trace {
	struct event ev[4];
	int n;
	pf_socks_status final; /* NEED_MORE when the input ran out */
	size_t end;            /* offset where handshake bytes end */
	pf_socks_request req;  /* valid when final == REQUEST */
	char reason[256];
	pf_rc rc;
	pf_socks_version version;
};

/* Feed `in` cut at the offsets in cuts[0..ncuts) (ascending). Like the
 * engine: after SEND go on with the rest; stop at REQUEST or FAIL. */
static void run(const unsigned char *in, size_t len, const size_t *cuts, size_t ncuts,
		struct trace *t)
{
	pf_socks s;
	size_t piece_start = 0, k, pos;

	memset(t, 0, sizeof(*t));
	pf_socks_init(&s);
	t->final = PF_SOCKS_NEED_MORE;
	for (k = 0; k <= ncuts; k++) {
		size_t piece_end = k < ncuts ? cuts[k] : len;

		pos = piece_start;
		for (;;) {
			size_t used = 0, out_len = 0;
			const unsigned char *out;
			pf_socks_status st;

			st = pf_socks_feed(&s, in + pos, piece_end - pos, &used);
			pos += used;
			if (st == PF_SOCKS_NEED_MORE) {
				CHECK_INT(pos, piece_end);
				break;
			}
			out = pf_socks_output(&s, &out_len);
			if (t->n < 4) {
				t->ev[t->n].st = st;
				t->ev[t->n].off = pos;
				CHECK(out_len <= PF_SOCKS_REPLY_MAX);
				memcpy(t->ev[t->n].out, out, out_len);
				t->ev[t->n].out_len = out_len;
				t->n++;
			}
			if (st == PF_SOCKS_SEND)
				continue;
			t->final = st;
			t->end = pos;
			if (st == PF_SOCKS_REQUEST)
				t->req = *pf_socks_get_request(&s);
			snprintf(t->reason, sizeof(t->reason), "%s", pf_socks_reason(&s));
			t->rc = pf_socks_fail_rc(&s);
			t->version = pf_socks_get_version(&s);
			/* Sticky afterwards. */
			CHECK_INT(pf_socks_feed(&s, in, len, &used), st);
			CHECK_INT(used, 0);
			return;
		}
		piece_start = piece_end;
	}
	t->end = len;
	t->version = pf_socks_get_version(&s);
}

static int same_trace(const struct trace *a, const struct trace *b)
{
	int i;

	if (a->n != b->n || a->final != b->final || a->end != b->end || a->rc != b->rc ||
	    a->version != b->version || strcmp(a->reason, b->reason) != 0)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (a->ev[i].st != b->ev[i].st || a->ev[i].off != b->ev[i].off ||
		    a->ev[i].out_len != b->ev[i].out_len ||
		    memcmp(a->ev[i].out, b->ev[i].out, a->ev[i].out_len) != 0)
			return 0;
	}
	if (a->final == PF_SOCKS_REQUEST &&
	    (a->req.version != b->req.version || a->req.addr_type != b->req.addr_type ||
	     a->req.port != b->req.port || strcmp(a->req.host, b->req.host) != 0))
		return 0;
	return 1;
}

/* Run `in` whole into *t, then byte by byte and in every two-piece split,
 * checking each gives the same trace. */
static void run_all(const char *name, const unsigned char *in, size_t len, struct trace *t)
{
	struct trace other;
	size_t *cuts, i;
	int bad = 0;

	run(in, len, NULL, 0, t);
	cuts = malloc((len + 1) * sizeof(*cuts));
	CHECK(cuts != NULL);
	if (cuts == NULL)
		return;
	for (i = 0; i + 1 < len; i++)
		cuts[i] = i + 1;
	run(in, len, cuts, len > 0 ? len - 1 : 0, &other);
	if (!same_trace(t, &other)) {
		fprintf(stderr, "%s: byte-by-byte feeding differs\n", name);
		bad = 1;
	}
	for (i = 0; i <= len; i++) {
		cuts[0] = i;
		run(in, len, cuts, 1, &other);
		if (!same_trace(t, &other)) {
			fprintf(stderr, "%s: split at %lu differs\n", name, (unsigned long)i);
			bad = 1;
		}
	}
	CHECK(!bad);
	free(cuts);
}

static const unsigned char REPLY5_OK[10] = {5, 0, 0, 1, 0, 0, 0, 0, 0, 0};
static const unsigned char REPLY4_OK[8] = {0, 0x5A, 0, 0, 0, 0, 0, 0};
static const unsigned char REPLY4_FAIL[8] = {0, 0x5B, 0, 0, 0, 0, 0, 0};
static const unsigned char METHOD_OK[2] = {5, 0};
static const unsigned char METHOD_NONE[2] = {5, 0xFF};

static int out_is(const struct event *e, const unsigned char *want, size_t n)
{
	return e->out_len == n && memcmp(e->out, want, n) == 0;
}

/* A SOCKS5 request after the one-method greeting 05 01 00. */
static size_t socks5(unsigned char *buf, unsigned char cmd, unsigned char atyp,
		     const unsigned char *addr, size_t addr_len, unsigned int port)
{
	size_t n = 0;

	buf[n++] = 5;
	buf[n++] = 1;
	buf[n++] = 0;
	buf[n++] = 5;
	buf[n++] = cmd;
	buf[n++] = 0;
	buf[n++] = atyp;
	memcpy(buf + n, addr, addr_len);
	n += addr_len;
	buf[n++] = (unsigned char)(port >> 8);
	buf[n++] = (unsigned char)port;
	return n;
}

static void check_ok5(const char *name, const unsigned char *in, size_t len, const char *host,
		      unsigned int port, pf_socks_addr_type type)
{
	struct trace t;

	run_all(name, in, len, &t);
	CHECK_INT(t.n, 2);
	CHECK_INT(t.ev[0].st, PF_SOCKS_SEND);
	CHECK(out_is(&t.ev[0], METHOD_OK, 2));
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(t.end, len);
	CHECK_INT(t.req.version, PF_SOCKS_V5);
	CHECK_INT(t.req.addr_type, type);
	CHECK_STR(t.req.host, host);
	CHECK_INT(t.req.port, port);
	CHECK_INT(t.ev[1].out_len, 0);
}

static void test_socks4(void)
{
	static const unsigned char v4[] = {4, 1, 0, 80, 192, 0, 2, 1, 'a', 'l', 'i', 'c', 'e', 0};
	static const unsigned char v4_noid[] = {4, 1, 0x1F, 0x90, 10, 1, 2, 3, 0};
	static const unsigned char v4a[] = {4,   1,   0x01, 0xBB, 0,   0,   0,   1,   'u', 0,   'e',
					    'x', 'a', 'm',  'p',  'l', 'e', '.', 'o', 'r', 'g', 0};
	/* 0.0.0.0 is not SOCKS4a (x must be non-zero): a plain address. */
	static const unsigned char v4_zero[] = {4, 1, 0, 22, 0, 0, 0, 0, 0};
	unsigned char buf[600];
	struct trace t;
	char d[80];

	run_all("socks4", v4, sizeof(v4), &t);
	CHECK_INT(t.n, 1);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(t.end, sizeof(v4));
	CHECK_INT(t.req.version, PF_SOCKS_V4);
	CHECK_INT(t.req.addr_type, PF_SOCKS_ADDR_IPV4);
	CHECK_STR(t.req.host, "192.0.2.1");
	CHECK_INT(t.req.port, 80);
	CHECK_INT(t.ev[0].out_len, 0);
	CHECK_STR(pf_socks_describe(&t.req, d, sizeof(d)), "SOCKS4 CONNECT 192.0.2.1:80");

	run_all("socks4 no user id", v4_noid, sizeof(v4_noid), &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_STR(t.req.host, "10.1.2.3");
	CHECK_INT(t.req.port, 8080);

	run_all("socks4a", v4a, sizeof(v4a), &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(t.end, sizeof(v4a));
	CHECK_INT(t.req.version, PF_SOCKS_V4A);
	CHECK_INT(t.version, PF_SOCKS_V4A);
	CHECK_INT(t.req.addr_type, PF_SOCKS_ADDR_DOMAIN);
	CHECK_STR(t.req.host, "example.org");
	CHECK_INT(t.req.port, 443);
	CHECK_STR(pf_socks_describe(&t.req, d, sizeof(d)), "SOCKS4a CONNECT example.org:443");

	run_all("socks4 0.0.0.0", v4_zero, sizeof(v4_zero), &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(t.req.version, PF_SOCKS_V4);
	CHECK_STR(t.req.host, "0.0.0.0");

	/* Pipelined tunnel data after the request is not consumed. */
	memcpy(buf, v4a, sizeof(v4a));
	memcpy(buf + sizeof(v4a), "GET / HTTP/1.0\r\n\r\n", 18);
	run_all("socks4a pipelined", buf, sizeof(v4a) + 18, &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(t.end, sizeof(v4a));
	CHECK_STR(t.req.host, "example.org");

	/* User id of exactly 255 bytes is fine, 256 is over the limit. */
	memcpy(buf, v4, 8);
	memset(buf + 8, 'u', 255);
	buf[8 + 255] = 0;
	run_all("socks4 user id 255", buf, 8 + 256, &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_STR(t.req.host, "192.0.2.1");
	buf[8 + 255] = 'u';
	buf[8 + 256] = 0;
	run_all("socks4 user id 256", buf, 8 + 257, &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 8 + 256);
	CHECK_INT(t.rc, PF_E_TOOBIG);
	CHECK(out_is(&t.ev[0], REPLY4_FAIL, 8));
	CHECK(strstr(t.reason, "user id is longer than 255") != NULL);

	/* SOCKS4a domain of 255 bytes fine, 256 too long, 0 empty. */
	memcpy(buf, v4a, 8);
	buf[8] = 0;
	memset(buf + 9, 'a', 255);
	buf[9 + 255] = 0;
	run_all("socks4a domain 255", buf, 9 + 256, &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(strlen(t.req.host), 255);
	buf[9 + 255] = 'a';
	buf[9 + 256] = 0;
	run_all("socks4a domain 256", buf, 9 + 257, &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 9 + 256);
	CHECK_INT(t.rc, PF_E_TOOBIG);
	CHECK(out_is(&t.ev[0], REPLY4_FAIL, 8));
	buf[9] = 0;
	run_all("socks4a empty domain", buf, 10, &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 10);
	CHECK_INT(t.rc, PF_E_INVAL);
	CHECK(out_is(&t.ev[0], REPLY4_FAIL, 8));
	CHECK(strstr(t.reason, "empty domain") != NULL);
	memcpy(buf + 9, "a b", 4);
	run_all("socks4a space in domain", buf, 13, &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 11);
	CHECK(out_is(&t.ev[0], REPLY4_FAIL, 8));
	CHECK(strstr(t.reason, "byte 0x20 at position 2") != NULL);

	/* BIND and unknown commands: 0x5B right after the command byte. */
	memcpy(buf, v4, sizeof(v4));
	buf[1] = 2;
	run_all("socks4 bind", buf, sizeof(v4), &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 2);
	CHECK_INT(t.rc, PF_E_UNSUPPORTED);
	CHECK(out_is(&t.ev[0], REPLY4_FAIL, 8));
	CHECK(strstr(t.reason, "BIND") != NULL);
	buf[1] = 9;
	run_all("socks4 command 9", buf, sizeof(v4), &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 2);
	CHECK(out_is(&t.ev[0], REPLY4_FAIL, 8));

	/* Incomplete: everything absorbed, still waiting. */
	run_all("socks4 partial", v4, sizeof(v4) - 1, &t);
	CHECK_INT(t.final, PF_SOCKS_NEED_MORE);
	CHECK_INT(t.n, 0);
	CHECK_INT(t.version, PF_SOCKS_V4);
}

static void test_socks5(void)
{
	static const unsigned char ip4[4] = {192, 0, 2, 1};
	static const unsigned char ip6_doc[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
						  0,    0,    0,    0,    0, 0, 0, 1};
	static const unsigned char ip6_lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const unsigned char ip6_any[16] = {0};
	static const unsigned char ip6_mapped[16] = {0, 0, 0,    0,    0,   0, 0, 0,
						     0, 0, 0xff, 0xff, 192, 0, 2, 1};
	static const unsigned char ip6_one0[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
						   0,    1,    0,    1,    0, 1, 0, 1};
	static const unsigned char ip6_tie[16] = {0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4};
	static const unsigned char ip6_later[16] = {0x20, 0x01, 0, 0, 0, 0, 0, 1,
						    0,    0,    0, 0, 0, 0, 0, 1};
	static const unsigned char ip6_hex[16] = {0xfe, 0x80, 0,    0,    0,    0,    0,    0,
						  0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89};
	static const unsigned char curl_greeting[] = {5, 2, 0, 1};
	unsigned char buf[700], dom[256];
	struct trace t;
	size_t n;
	char d[300];

	n = socks5(buf, 1, 1, ip4, 4, 443);
	check_ok5("socks5 ipv4", buf, n, "192.0.2.1", 443, PF_SOCKS_ADDR_IPV4);
	run(buf, n, NULL, 0, &t);
	CHECK_INT(t.ev[0].off, 3);
	CHECK_STR(pf_socks_describe(&t.req, d, sizeof(d)), "SOCKS5 CONNECT 192.0.2.1:443");

	n = socks5(buf, 1, 4, ip6_doc, 16, 443);
	check_ok5("socks5 ipv6", buf, n, "2001:db8::1", 443, PF_SOCKS_ADDR_IPV6);
	run(buf, n, NULL, 0, &t);
	CHECK_STR(pf_socks_describe(&t.req, d, sizeof(d)), "SOCKS5 CONNECT [2001:db8::1]:443");
	n = socks5(buf, 1, 4, ip6_lo, 16, 22);
	check_ok5("socks5 ::1", buf, n, "::1", 22, PF_SOCKS_ADDR_IPV6);
	n = socks5(buf, 1, 4, ip6_any, 16, 1);
	check_ok5("socks5 ::", buf, n, "::", 1, PF_SOCKS_ADDR_IPV6);
	n = socks5(buf, 1, 4, ip6_mapped, 16, 65535);
	check_ok5("socks5 mapped", buf, n, "::ffff:192.0.2.1", 65535, PF_SOCKS_ADDR_IPV6);
	n = socks5(buf, 1, 4, ip6_one0, 16, 80);
	check_ok5("socks5 one zero group", buf, n, "2001:db8:0:1:1:1:1:1", 80, PF_SOCKS_ADDR_IPV6);
	n = socks5(buf, 1, 4, ip6_tie, 16, 80);
	check_ok5("socks5 tie", buf, n, "1::2:0:0:3:4", 80, PF_SOCKS_ADDR_IPV6);
	n = socks5(buf, 1, 4, ip6_later, 16, 80);
	check_ok5("socks5 longest later", buf, n, "2001:0:0:1::1", 80, PF_SOCKS_ADDR_IPV6);
	n = socks5(buf, 1, 4, ip6_hex, 16, 80);
	check_ok5("socks5 hex", buf, n, "fe80::abcd:ef01:2345:6789", 80, PF_SOCKS_ADDR_IPV6);

	dom[0] = 11;
	memcpy(dom + 1, "example.org", 11);
	n = socks5(buf, 1, 3, dom, 12, 443);
	check_ok5("socks5 domain", buf, n, "example.org", 443, PF_SOCKS_ADDR_DOMAIN);
	run(buf, n, NULL, 0, &t);
	CHECK_STR(pf_socks_describe(&t.req, d, sizeof(d)), "SOCKS5 CONNECT example.org:443");
	CHECK_STR(pf_socks_describe(&t.req, d, 12), "SOCKS5 CONN");

	/* Pipelined tunnel data after the request stays with the engine. */
	memcpy(buf + n, "\x16\x03\x01 hello", 9);
	run_all("socks5 pipelined", buf, n + 9, &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(t.end, n);
	CHECK_STR(t.req.host, "example.org");

	dom[0] = 255;
	memset(dom + 1, 'x', 255);
	n = socks5(buf, 1, 3, dom, 256, 8080);
	run_all("socks5 domain 255", buf, n, &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(strlen(t.req.host), 255);
	CHECK_INT(t.req.port, 8080);

	/* curl offers "no auth" and user/password: we pick no auth. */
	memcpy(buf, curl_greeting, 4);
	memcpy(buf + 4, "\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50", 10);
	run_all("socks5 two methods", buf, 14, &t);
	CHECK_INT(t.final, PF_SOCKS_REQUEST);
	CHECK_INT(t.ev[0].off, 4);
	CHECK(out_is(&t.ev[0], METHOD_OK, 2));
	CHECK_STR(t.req.host, "127.0.0.1");
	CHECK_INT(t.req.port, 80);

	/* 255 methods, no auth last. */
	buf[0] = 5;
	buf[1] = 255;
	memset(buf + 2, 0x80, 254);
	buf[2 + 254] = 0;
	run_all("socks5 255 methods", buf, 2 + 255, &t);
	CHECK_INT(t.final, PF_SOCKS_NEED_MORE);
	CHECK_INT(t.n, 1);
	CHECK_INT(t.ev[0].st, PF_SOCKS_SEND);
	CHECK_INT(t.ev[0].off, 257);

	/* Greeting only: SEND, then waiting for the request. */
	run_all("socks5 greeting", (const unsigned char *)"\x05\x01\x00", 3, &t);
	CHECK_INT(t.final, PF_SOCKS_NEED_MORE);
	CHECK_INT(t.n, 1);
	CHECK_INT(t.version, PF_SOCKS_V5);
	run_all("empty", buf, 0, &t);
	CHECK_INT(t.final, PF_SOCKS_NEED_MORE);
	CHECK_INT(t.n, 0);
	CHECK_INT(t.version, PF_SOCKS_VNONE);
}

static void check_fail5(const char *name, const unsigned char *in, size_t len, size_t end,
			unsigned char rep, pf_rc rc, const char *reason_part)
{
	unsigned char want[10] = {5, 0, 0, 1, 0, 0, 0, 0, 0, 0};
	struct trace t;

	want[1] = rep;
	run_all(name, in, len, &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, end);
	CHECK_INT(t.rc, rc);
	CHECK_INT(t.n, 2);
	CHECK(out_is(&t.ev[0], METHOD_OK, 2));
	CHECK(out_is(&t.ev[1], want, 10));
	if (strstr(t.reason, reason_part) == NULL)
		fprintf(stderr, "%s: reason \"%s\" lacks \"%s\"\n", name, t.reason, reason_part);
	CHECK(strstr(t.reason, reason_part) != NULL);
}

static void test_socks5_failures(void)
{
	static const unsigned char ip4[4] = {192, 0, 2, 1};
	static const unsigned char userpass_only[] = {5, 1, 2};
	static const unsigned char no_methods[] = {5, 0, 5, 1, 0};
	static const unsigned char many_bad[] = {5, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	unsigned char buf[300], dom[40];
	struct trace t;
	size_t n;

	/* No acceptable method: X'FF', then close. */
	run_all("socks5 user/pass only", userpass_only, sizeof(userpass_only), &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 3);
	CHECK_INT(t.n, 1);
	CHECK(out_is(&t.ev[0], METHOD_NONE, 2));
	CHECK_INT(t.rc, PF_E_UNSUPPORTED);
	CHECK(strstr(t.reason, "offered: 0x02") != NULL);
	run_all("socks5 no methods", no_methods, sizeof(no_methods), &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 2);
	CHECK(out_is(&t.ev[0], METHOD_NONE, 2));
	CHECK(strstr(t.reason, "offered: none") != NULL);
	run_all("socks5 ten bad methods", many_bad, sizeof(many_bad), &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK(out_is(&t.ev[0], METHOD_NONE, 2));
	CHECK(strstr(t.reason, "0x01 0x02 0x03 0x04 0x05 0x06 0x07 0x08 ...") != NULL);

	n = socks5(buf, 2, 1, ip4, 4, 80);
	check_fail5("socks5 bind", buf, n, 5, 0x07, PF_E_UNSUPPORTED, "BIND (command 2)");
	n = socks5(buf, 3, 1, ip4, 4, 80);
	check_fail5("socks5 udp", buf, n, 5, 0x07, PF_E_UNSUPPORTED, "UDP ASSOCIATE");
	n = socks5(buf, 0x42, 1, ip4, 4, 80);
	check_fail5("socks5 cmd 0x42", buf, n, 5, 0x07, PF_E_INVAL, "unknown command 0x42");
	n = socks5(buf, 1, 2, ip4, 4, 80);
	check_fail5("socks5 atyp 2", buf, n, 7, 0x08, PF_E_UNSUPPORTED, "address type 0x02");
	n = socks5(buf, 1, 0, ip4, 4, 80);
	check_fail5("socks5 atyp 0", buf, n, 7, 0x08, PF_E_UNSUPPORTED, "address type 0x00");
	n = socks5(buf, 1, 1, ip4, 4, 80);
	buf[5] = 1;
	check_fail5("socks5 reserved", buf, n, 6, 0x01, PF_E_INVAL, "reserved byte");
	n = socks5(buf, 1, 1, ip4, 4, 80);
	buf[3] = 4;
	check_fail5("socks5 request version", buf, n, 4, 0x01, PF_E_INVAL, "version 0x04");
	dom[0] = 0;
	n = socks5(buf, 1, 3, dom, 1, 80);
	check_fail5("socks5 empty domain", buf, n, 8, 0x01, PF_E_INVAL, "empty domain");
	dom[0] = 4;
	memcpy(dom + 1, "a\0bc", 4);
	n = socks5(buf, 1, 3, dom, 5, 80);
	check_fail5("socks5 NUL in domain", buf, n, 10, 0x01, PF_E_INVAL,
		    "byte 0x00 at position 2");
	memcpy(dom + 1,
	       "ab\x7f"
	       "c",
	       4);
	n = socks5(buf, 1, 3, dom, 5, 80);
	check_fail5("socks5 DEL in domain", buf, n, 11, 0x01, PF_E_INVAL, "byte 0x7F");
}

static void test_not_socks(void)
{
	static const unsigned char http[] = "GET http://example.org/ HTTP/1.1\r\n";
	static const unsigned char connect[] = "CONNECT example.org:443 HTTP/1.1\r\n";
	static const unsigned char tls[] = {0x16, 0x03, 0x01, 0x00, 0x10};
	static const unsigned char zero[] = {0, 1, 2};
	static const unsigned char v6[] = {6, 1, 0};
	struct trace t;

	run_all("http", http, sizeof(http) - 1, &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.end, 1);
	CHECK_INT(t.n, 1);
	CHECK_INT(t.ev[0].out_len, 0);
	CHECK_INT(t.rc, PF_E_UNSUPPORTED);
	CHECK(strstr(t.reason, "HTTP request") != NULL);
	run_all("connect", connect, sizeof(connect) - 1, &t);
	CHECK(strstr(t.reason, "HTTP request") != NULL);
	run_all("tls", tls, sizeof(tls), &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.ev[0].out_len, 0);
	CHECK(strstr(t.reason, "TLS") != NULL);
	run_all("zero", zero, sizeof(zero), &t);
	CHECK_INT(t.ev[0].out_len, 0);
	CHECK(strstr(t.reason, "0x00 as its first byte") != NULL);
	run_all("v6", v6, sizeof(v6), &t);
	CHECK_INT(t.final, PF_SOCKS_FAIL);
	CHECK_INT(t.ev[0].out_len, 0);
	CHECK(strstr(t.reason, "0x06") != NULL);
}

static void test_api_edges(void)
{
	pf_socks s;
	size_t used = 99, len = 99;

	pf_socks_init(&s);
	CHECK_INT(pf_socks_feed(&s, NULL, 0, &used), PF_SOCKS_NEED_MORE);
	CHECK_INT(used, 0);
	CHECK(pf_socks_get_request(&s) == NULL);
	CHECK_STR(pf_socks_reason(&s), "");
	CHECK_INT(pf_socks_fail_rc(&s), PF_OK);
	CHECK_INT(pf_socks_get_version(&s), PF_SOCKS_VNONE);
	pf_socks_output(&s, &len);
	CHECK_INT(len, 0);
	/* The SEND output is gone after the next feed. */
	CHECK_INT(pf_socks_feed(&s, "\x05\x01\x00", 3, &used), PF_SOCKS_SEND);
	CHECK_INT(used, 3);
	pf_socks_output(&s, &len);
	CHECK_INT(len, 2);
	CHECK_INT(pf_socks_feed(&s, "\x05", 1, &used), PF_SOCKS_NEED_MORE);
	pf_socks_output(&s, &len);
	CHECK_INT(len, 0);
	CHECK(pf_socks_get_request(&s) == NULL);
	CHECK(sizeof(pf_socks) < 1024);

	{
		char d[8] = "xxxxxxx";

		CHECK_STR(pf_socks_describe(NULL, d, sizeof(d)), "SOCKS (");
		pf_socks_describe(NULL, d, 0);
		CHECK_STR(d, "SOCKS (");
	}
}

static void test_replies(void)
{
	unsigned char out[16];
	int code;

	/* SOCKS5: VER REP RSV ATYP=1 BND.ADDR=0.0.0.0 BND.PORT=0 for every REP. */
	for (code = 0; code <= 8; code++) {
		unsigned char want[10] = {5, 0, 0, 1, 0, 0, 0, 0, 0, 0};

		want[1] = (unsigned char)code;
		memset(out, 0xAA, sizeof(out));
		CHECK_INT(pf_socks_reply(PF_SOCKS_V5, (pf_socks_reply_code)code, out, sizeof(out)),
			  10);
		CHECK(memcmp(out, want, 10) == 0);
		CHECK_INT(out[10], 0xAA);
		/* SOCKS4 and 4a: 0x5A for success, 0x5B for every failure. */
		CHECK_INT(pf_socks_reply(PF_SOCKS_V4, (pf_socks_reply_code)code, out, sizeof(out)),
			  8);
		CHECK(memcmp(out, code == 0 ? REPLY4_OK : REPLY4_FAIL, 8) == 0);
		CHECK_INT(pf_socks_reply(PF_SOCKS_V4A, (pf_socks_reply_code)code, out, 8), 8);
		CHECK(memcmp(out, code == 0 ? REPLY4_OK : REPLY4_FAIL, 8) == 0);
	}
	CHECK(memcmp(REPLY5_OK, "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10) == 0);
	CHECK_INT(pf_socks_reply(PF_SOCKS_V5, PF_SOCKS_REP_SUCCEEDED, out, 9), 0);
	CHECK_INT(pf_socks_reply(PF_SOCKS_V4, PF_SOCKS_REP_SUCCEEDED, out, 7), 0);
	CHECK_INT(pf_socks_reply(PF_SOCKS_VNONE, PF_SOCKS_REP_SUCCEEDED, out, sizeof(out)), 0);

	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_SUCCEEDED), "succeeded");
	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_GENERAL_FAILURE), "general failure");
	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_NOT_ALLOWED), "connection not allowed");
	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_NET_UNREACHABLE), "network unreachable");
	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_HOST_UNREACHABLE), "host unreachable");
	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_CONN_REFUSED), "connection refused");
	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_TTL_EXPIRED), "TTL expired");
	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_CMD_UNSUPPORTED), "command not supported");
	CHECK_STR(pf_socks_reply_name(PF_SOCKS_REP_ATYPE_UNSUPPORTED),
		  "address type not supported");
	CHECK_STR(pf_socks_reply_name((pf_socks_reply_code)9), "unknown reply");
	CHECK_STR(pf_socks_version_name(PF_SOCKS_V4), "SOCKS4");
	CHECK_STR(pf_socks_version_name(PF_SOCKS_V4A), "SOCKS4a");
	CHECK_STR(pf_socks_version_name(PF_SOCKS_V5), "SOCKS5");
	CHECK_STR(pf_socks_version_name(PF_SOCKS_VNONE), "SOCKS");
}

static void test_mapping(void)
{
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "open failed"),
		  PF_SOCKS_REP_NOT_ALLOWED);
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_CONNECT_FAILED, "Connection refused"),
		  PF_SOCKS_REP_CONN_REFUSED);
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_CONNECT_FAILED, "Network is unreachable"),
		  PF_SOCKS_REP_NET_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_CONNECT_FAILED, "No route to host"),
		  PF_SOCKS_REP_HOST_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_CONNECT_FAILED, "Connection timed out"),
		  PF_SOCKS_REP_HOST_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_CONNECT_FAILED, "Name or service not known"),
		  PF_SOCKS_REP_HOST_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_CONNECT_FAILED, NULL),
		  PF_SOCKS_REP_HOST_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_UNKNOWN_CHANNEL_TYPE, "unknown channel type"),
		  PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_ssh(PF_SSH_OPEN_RESOURCE_SHORTAGE, NULL),
		  PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_ssh(0, NULL), PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_ssh(77, "Connection refused"), PF_SOCKS_REP_GENERAL_FAILURE);

	CHECK_INT(pf_socks_reply_from_libssh(
			  "Channel opening failure: channel 3 error (2) Connection refused"),
		  PF_SOCKS_REP_CONN_REFUSED);
	CHECK_INT(pf_socks_reply_from_libssh(
			  "Channel opening failure: channel 0 error (2) connect failed: "
			  "Network is unreachable"),
		  PF_SOCKS_REP_NET_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_libssh("Channel opening failure: channel 1 error (2) "),
		  PF_SOCKS_REP_HOST_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_libssh(
			  "Channel opening failure: channel 7 error (1) open failed"),
		  PF_SOCKS_REP_NOT_ALLOWED);
	CHECK_INT(pf_socks_reply_from_libssh(
			  "Channel opening failure: channel 7 error (4) resource shortage"),
		  PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_libssh("Socket error: disconnected"),
		  PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_libssh("error () x"), PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_libssh("error (2 refused"), PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_libssh("error (99999999999) refused"),
		  PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_libssh(NULL), PF_SOCKS_REP_GENERAL_FAILURE);

	CHECK_INT(pf_socks_reply_from_rc(PF_OK), PF_SOCKS_REP_SUCCEEDED);
	CHECK_INT(pf_socks_reply_from_rc(PF_E_DENIED), PF_SOCKS_REP_NOT_ALLOWED);
	CHECK_INT(pf_socks_reply_from_rc(PF_E_NETWORK), PF_SOCKS_REP_NET_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_rc(PF_E_NOTFOUND), PF_SOCKS_REP_HOST_UNREACHABLE);
	CHECK_INT(pf_socks_reply_from_rc(PF_E_NOMEM), PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_rc(PF_E_IO), PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_rc(PF_E_UNSUPPORTED), PF_SOCKS_REP_GENERAL_FAILURE);
	CHECK_INT(pf_socks_reply_from_rc(PF_E_INTERNAL), PF_SOCKS_REP_GENERAL_FAILURE);
}

int main(void)
{
	test_socks4();
	test_socks5();
	test_socks5_failures();
	test_not_socks();
	test_api_edges();
	test_replies();
	test_mapping();
	return check_summary("test_socks");
}
