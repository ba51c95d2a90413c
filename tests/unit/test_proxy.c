/* The proxy client machines (pf/proxy.h): HTTP CONNECT with and without
 * Basic credentials, 407 and its schemes, refusals with the proxy's status
 * line, SOCKS4, SOCKS4a, SOCKS5 with and without RFC 1929 login, every
 * reply fed whole, byte by byte and in 3-byte pieces with the same result;
 * requests byte-exact. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "pf/proxy.h"

typedef struct result {
	pf_proxy_status final;
	size_t end; /* reply bytes taken by the handshake */
	unsigned char sent[2048];
	size_t sent_len;
	char reason[400];
	pf_rc rc;
	int refused, code;
} result;

/* Play `reply` as the proxy's answer in pieces of `step` bytes (0: whole),
 * writing out everything the machine says. */
static void run(pf_proxy_type type, const char *host, int port, const pf_proxy_creds *c,
		const void *reply, size_t rlen, size_t step, result *r)
{
	const unsigned char *in = reply;
	pf_proxy p;
	pf_proxy_status st;
	size_t pos = 0, used;

	memset(r, 0, sizeof(*r));
	st = pf_proxy_start(&p, type, host, (uint16_t)port, c);
	for (;;) {
		if (st == PF_PROXY_SEND) {
			size_t n;
			const unsigned char *o = pf_proxy_output(&p, &n);

			if (r->sent_len + n <= sizeof(r->sent)) {
				memcpy(r->sent + r->sent_len, o, n);
				r->sent_len += n;
			}
			st = pf_proxy_feed(&p, NULL, 0, &used);
			continue;
		}
		if (st != PF_PROXY_NEED_MORE || pos == rlen)
			break;
		{
			size_t n = step == 0 || step > rlen - pos ? rlen - pos : step;

			st = pf_proxy_feed(&p, in + pos, n, &used);
			pos += used;
		}
	}
	r->final = st;
	r->end = pos;
	snprintf(r->reason, sizeof(r->reason), "%s", pf_proxy_reason(&p));
	r->rc = pf_proxy_fail_rc(&p);
	r->refused = pf_proxy_auth_refused(&p);
	r->code = pf_proxy_status_code(&p);
	/* Sticky once finished. */
	if (st != PF_PROXY_NEED_MORE) {
		CHECK_INT(pf_proxy_feed(&p, in, rlen, &used), st);
		CHECK_INT(used, 0);
	}
	pf_proxy_wipe(&p);
}

/* The same result whole, byte by byte and in 3-byte pieces; returns the
 * whole run's. */
static void run_all(pf_proxy_type type, const char *host, int port, const pf_proxy_creds *c,
		    const void *reply, size_t rlen, result *r)
{
	static result b, t;

	run(type, host, port, c, reply, rlen, 0, r);
	run(type, host, port, c, reply, rlen, 1, &b);
	run(type, host, port, c, reply, rlen, 3, &t);
	CHECK(r->final == b.final && r->final == t.final);
	CHECK(r->end == b.end && r->end == t.end);
	CHECK(r->sent_len == b.sent_len && memcmp(r->sent, b.sent, r->sent_len) == 0);
	CHECK(r->sent_len == t.sent_len && memcmp(r->sent, t.sent, r->sent_len) == 0);
	CHECK_STR(b.reason, r->reason);
	CHECK_INT(t.rc, r->rc);
}

#define RUN(type, host, port, c, lit, r) run_all(type, host, port, c, lit, sizeof(lit) - 1, r)

static void test_http(void)
{
	static result r;
	pf_proxy_creds basic = {NULL, NULL, "dXNlcjpwYXNz"};
	static const char ok[] = "HTTP/1.1 200 Connection established\r\nProxy-agent: t/1\r\n\r\n"
				 "SSH-2.0-OpenSSH_9.2\r\n";

	RUN(PF_PROXY_HTTP, "ssh.example.org", 22, NULL, ok, &r);
	CHECK_INT(r.final, PF_PROXY_DONE);
	CHECK_INT(r.end, strstr(ok, "SSH-") - ok); /* the rest is the server's */
	CHECK_INT(r.code, 200);
	r.sent[r.sent_len] = '\0';
	CHECK_STR((char *)r.sent,
		  "CONNECT ssh.example.org:22 HTTP/1.1\r\nHost: ssh.example.org:22\r\n\r\n");

	/* HTTP/1.0, bare LF lines, and an interim 100 first. */
	RUN(PF_PROXY_HTTP, "h", 2222, &basic, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\n\n",
	    &r);
	CHECK_INT(r.final, PF_PROXY_DONE);
	r.sent[r.sent_len] = '\0';
	CHECK_STR((char *)r.sent, "CONNECT h:2222 HTTP/1.1\r\nHost: h:2222\r\n"
				  "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n");

	/* IPv6 in brackets. */
	RUN(PF_PROXY_HTTP, "2001:db8::1", 22, NULL, "HTTP/1.1 200 OK\r\n\r\n", &r);
	r.sent[r.sent_len] = '\0';
	CHECK(strncmp((char *)r.sent, "CONNECT [2001:db8::1]:22 HTTP/1.1\r\n", 35) == 0);

	/* 407: credentials wanted; refused when some were sent. */
	RUN(PF_PROXY_HTTP, "h", 22, NULL,
	    "HTTP/1.1 407 Proxy Authentication Required\r\n"
	    "Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n",
	    &r);
	CHECK_INT(r.final, PF_PROXY_AUTH);
	CHECK_INT(r.refused, 0);
	RUN(PF_PROXY_HTTP, "h", 22, &basic, "HTTP/1.0 407 Go away\r\n\r\n", &r);
	CHECK_INT(r.final, PF_PROXY_AUTH);
	CHECK_INT(r.refused, 1);
	/* tinyproxy's BasicAuth answers 401 with WWW-Authenticate. */
	RUN(PF_PROXY_HTTP, "h", 22, &basic,
	    "HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"tinyproxy\"\r\n\r\n", &r);
	CHECK_INT(r.final, PF_PROXY_AUTH);
	CHECK_INT(r.refused, 1);
	/* Only NTLM / Negotiate: one message, no prompt. */
	RUN(PF_PROXY_HTTP, "h", 22, NULL,
	    "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: NTLM\r\n"
	    "proxy-authenticate: Negotiate\r\n\r\n",
	    &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	CHECK_INT(r.rc, PF_E_UNSUPPORTED);
	CHECK(strstr(r.reason, "only Basic") != NULL);
	RUN(PF_PROXY_HTTP, "h", 22, NULL,
	    "HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\nProxy-Authenticate: BASIC "
	    "realm=x\r\n\r\n",
	    &r);
	CHECK_INT(r.final, PF_PROXY_AUTH);

	/* Refusals carry the status line. */
	RUN(PF_PROXY_HTTP, "h", 22, NULL, "HTTP/1.1 403 Forbidden\r\n\r\n<html>", &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	CHECK_INT(r.rc, PF_E_DENIED);
	CHECK_STR(r.reason, "the proxy answered \"HTTP/1.1 403 Forbidden\"");
	RUN(PF_PROXY_HTTP, "h", 22, NULL, "HTTP/1.0 502 Bad Gateway\r\nX: y\r\n\r\n", &r);
	CHECK_INT(r.rc, PF_E_NETWORK);
	CHECK_INT(r.code, 502);
	/* Control characters never reach the message. */
	RUN(PF_PROXY_HTTP, "h", 22, NULL, "HTTP/1.1 403 \x1b[2Jno\r\n\r\n", &r);
	CHECK(strchr(r.reason, 0x1b) == NULL);

	/* Not an HTTP proxy. */
	RUN(PF_PROXY_HTTP, "h", 22, NULL, "SSH-2.0-OpenSSH_9.2\r\n", &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	CHECK_INT(r.rc, PF_E_INVAL);
	RUN(PF_PROXY_HTTP, "h", 22, NULL, "HTTP/1.1 20 OK\r\n\r\n", &r);
	CHECK_INT(r.rc, PF_E_INVAL);
	/* Unfinished: still waiting. */
	RUN(PF_PROXY_HTTP, "h", 22, NULL, "HTTP/1.1 200 OK\r\n", &r);
	CHECK_INT(r.final, PF_PROXY_NEED_MORE);

	/* Over the limits. */
	{
		static char big[PF_PROXY_HTTP_HDR_MAX + 100];
		size_t i;

		memcpy(big, "HTTP/1.1 200 OK\r\n", 17);
		for (i = 17; i + 10 <= sizeof(big); i += 10)
			memcpy(big + i, "X-Pad: 1\r\n", 10);
		run_all(PF_PROXY_HTTP, "h", 22, NULL, big, i, &r);
		CHECK_INT(r.final, PF_PROXY_FAIL);
		CHECK_INT(r.rc, PF_E_TOOBIG);
		memset(big, 'a', PF_PROXY_LINE_MAX + 10);
		run_all(PF_PROXY_HTTP, "h", 22, NULL, big, PF_PROXY_LINE_MAX + 10, &r);
		CHECK_INT(r.rc, PF_E_TOOBIG);
	}

	/* A host that would split the request is never sent. */
	RUN(PF_PROXY_HTTP, "h\r\nX: y", 22, NULL, "", &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	CHECK_INT(r.sent_len, 0);
	RUN(PF_PROXY_HTTP, "a b", 22, NULL, "", &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	{
		pf_proxy_creds bad = {NULL, NULL, "abc\r\nX: y"};

		RUN(PF_PROXY_HTTP, "h", 22, &bad, "", &r);
		CHECK_INT(r.final, PF_PROXY_FAIL);
		CHECK_INT(r.sent_len, 0);
	}
}

static void test_socks4(void)
{
	static result r;
	pf_proxy_creds user = {"alice", NULL, NULL};

	RUN(PF_PROXY_SOCKS4, "192.0.2.7", 22, &user, "\x00\x5a\x00\x00\x00\x00\x00\x00SSH", &r);
	CHECK_INT(r.final, PF_PROXY_DONE);
	CHECK_INT(r.end, 8);
	CHECK_INT(r.sent_len, 14);
	CHECK(memcmp(r.sent,
		     "\x04\x01\x00\x16\xc0\x00\x02\x07"
		     "alice\x00",
		     14) == 0);
	RUN(PF_PROXY_SOCKS4, "192.0.2.7", 22, NULL, "\x00\x5b\x00\x00\x00\x00\x00\x00", &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	CHECK_INT(r.rc, PF_E_DENIED);
	CHECK(strstr(r.reason, "rejected") != NULL);
	/* A name needs SOCKS4a. */
	RUN(PF_PROXY_SOCKS4, "ssh.example.org", 22, NULL, "", &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	CHECK(strstr(r.reason, "SOCKS4a") != NULL);
	RUN(PF_PROXY_SOCKS4A, "ab.example", 2222, NULL, "\x00\x5a\x00\x00\x00\x00\x00\x00", &r);
	CHECK_INT(r.final, PF_PROXY_DONE);
	CHECK_INT(r.sent_len, 9 + 11);
	CHECK(memcmp(r.sent,
		     "\x04\x01\x08\xae\x00\x00\x00\x01\x00"
		     "ab.example\x00",
		     20) == 0);
	RUN(PF_PROXY_SOCKS4A, "h", 22, NULL, "\x05\x5a\x00\x00\x00\x00\x00\x00", &r);
	CHECK_INT(r.rc, PF_E_INVAL);
}

static void test_socks5(void)
{
	static result r;
	pf_proxy_creds creds = {"bob", "s3cret", NULL};

	/* No authentication, a name. */
	RUN(PF_PROXY_SOCKS5, "ssh.example", 22, NULL,
	    "\x05\x00"
	    "\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x16"
	    "SSH-2.0",
	    &r);
	CHECK_INT(r.final, PF_PROXY_DONE);
	CHECK_INT(r.end, 12);
	CHECK_INT(r.sent_len, 4 + 7 + 11);
	CHECK(memcmp(r.sent,
		     "\x05\x02\x00\x02"
		     "\x05\x01\x00\x03\x0bssh.example\x00\x16",
		     22) == 0);
	/* IPv4 and IPv6 destinations; a domain in the reply. */
	RUN(PF_PROXY_SOCKS5, "10.1.2.3", 22, NULL, "\x05\x00\x05\x00\x00\x03\x04host\x00\x16", &r);
	CHECK_INT(r.final, PF_PROXY_DONE);
	CHECK(memcmp(r.sent + 4, "\x05\x01\x00\x01\x0a\x01\x02\x03\x00\x16", 10) == 0);
	RUN(PF_PROXY_SOCKS5, "2001:db8::1", 22, NULL,
	    "\x05\x00\x05\x00\x00\x04"
	    "0123456789abcdef"
	    "\x00\x16",
	    &r);
	CHECK_INT(r.final, PF_PROXY_DONE);
	CHECK(memcmp(r.sent + 4,
		     "\x05\x01\x00\x04\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		     "\x01\x00\x16",
		     22) == 0);

	/* The proxy wants a login, none known: ask. */
	RUN(PF_PROXY_SOCKS5, "h", 22, NULL, "\x05\x02", &r);
	CHECK_INT(r.final, PF_PROXY_AUTH);
	CHECK_INT(r.refused, 0);
	/* With credentials: RFC 1929, then the request. */
	RUN(PF_PROXY_SOCKS5, "h", 22, &creds,
	    "\x05\x02"
	    "\x01\x00"
	    "\x05\x00\x00\x01\x00\x00\x00\x00\x00\x00",
	    &r);
	CHECK_INT(r.final, PF_PROXY_DONE);
	CHECK(memcmp(r.sent,
		     "\x05\x02\x00\x02"
		     "\x01\x03"
		     "bob"
		     "\x06"
		     "s3cret"
		     "\x05\x01\x00\x03\x01h\x00\x16",
		     4 + 12 + 8) == 0);
	/* Wrong password. */
	RUN(PF_PROXY_SOCKS5, "h", 22, &creds, "\x05\x02\x01\x01", &r);
	CHECK_INT(r.final, PF_PROXY_AUTH);
	CHECK_INT(r.refused, 1);
	/* No acceptable method. */
	RUN(PF_PROXY_SOCKS5, "h", 22, NULL, "\x05\xff", &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	CHECK_INT(r.rc, PF_E_UNSUPPORTED);
	/* Refusals by reply code. */
	RUN(PF_PROXY_SOCKS5, "h", 22, NULL, "\x05\x00\x05\x05\x00\x01", &r);
	CHECK_INT(r.final, PF_PROXY_FAIL);
	CHECK_INT(r.rc, PF_E_NETWORK);
	CHECK_INT(r.code, 5);
	printf("SOCKS5 refused: %s\n", r.reason);
	CHECK(strstr(r.reason, "refused") != NULL);
	RUN(PF_PROXY_SOCKS5, "h", 22, NULL, "\x05\x00\x05\x02\x00\x01", &r);
	CHECK_INT(r.rc, PF_E_DENIED);
	RUN(PF_PROXY_SOCKS5, "h", 22, NULL, "\x05\x00\x05\x00\x00\x09", &r);
	CHECK_INT(r.rc, PF_E_INVAL);
	RUN(PF_PROXY_SOCKS5, "h", 22, NULL, "HTTP/1.1 400 Bad Request\r\n", &r);
	CHECK_INT(r.rc, PF_E_INVAL);
	/* Limits. */
	{
		char host[300];
		pf_proxy_creds empty = {"", "x", NULL};

		memset(host, 'a', 256);
		host[256] = '\0';
		RUN(PF_PROXY_SOCKS5, host, 22, NULL, "", &r);
		CHECK_INT(r.final, PF_PROXY_FAIL);
		RUN(PF_PROXY_SOCKS5, "h", 22, &empty, "", &r);
		CHECK_INT(r.final, PF_PROXY_FAIL);
	}
}

static void test_names(void)
{
	pf_proxy p;
	size_t used;

	CHECK_STR(pf_proxy_type_name(PF_PROXY_SOCKS4A), "SOCKS4a");
	CHECK_INT(pf_proxy_start(&p, PF_PROXY_SOCKS5, "h", 22, NULL), PF_PROXY_SEND);
	CHECK(pf_proxy_closed_reason(&p)[0] != '\0');
	CHECK_INT(pf_proxy_feed(&p, "\x05", 1, &used), PF_PROXY_NEED_MORE);
	CHECK_STR(pf_proxy_closed_reason(&p), "before it answered the greeting");
	pf_proxy_wipe(&p);
	CHECK_INT(pf_proxy_start(&p, PF_PROXY_HTTP, "h", 22, NULL), PF_PROXY_SEND);
	CHECK_STR(pf_proxy_closed_reason(&p), "before it answered the CONNECT request");
}

int main(void)
{
	test_http();
	test_socks4();
	test_socks5();
	test_names();
	return check_summary("test_proxy");
}
