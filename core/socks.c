/* The server side of a SOCKS4 / SOCKS4a / SOCKS5 handshake as a byte-at-a-
 * time state machine. Each byte is handled on its own, so how the input is
 * split across pf_socks_feed() calls never changes an answer. Fields are
 * bounded one by one (methods 255, user id 255, domain 255), so the context
 * is fixed-size and nothing is ever allocated. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/socks.h"

enum {
	ST_VERSION = 0,
	/* SOCKS4 / 4a: VN CD DSTPORT(2) DSTIP(4) USERID NUL [DOMAIN NUL] */
	ST4_CMD,
	ST4_PORT,
	ST4_ADDR,
	ST4_USERID,
	ST4_DOMAIN,
	/* SOCKS5: VER NMETHODS METHODS..., then VER CMD RSV ATYP ADDR PORT(2) */
	ST5_NMETHODS,
	ST5_METHODS,
	ST5_VER,
	ST5_CMD,
	ST5_RSV,
	ST5_ATYP,
	ST5_ADDR,
	ST5_DOMAIN_LEN,
	ST5_DOMAIN,
	ST5_PORT,
	ST_DONE,
	ST_FAILED
};

#define SOCKS4_CONNECT   1
#define SOCKS4_BIND      2
#define SOCKS4_GRANTED   0x5A
#define SOCKS4_REJECTED  0x5B
#define SOCKS5_CONNECT   1
#define SOCKS5_BIND      2
#define SOCKS5_UDP       3
#define SOCKS5_NO_AUTH   0x00
#define SOCKS5_NO_METHOD 0xFF

void pf_socks_init(pf_socks *s)
{
	memset(s, 0, sizeof(*s));
	s->state = ST_VERSION;
	s->last = PF_SOCKS_NEED_MORE;
	s->fail_rc = PF_OK;
}

static const char *vname(const pf_socks *s)
{
	return pf_socks_version_name(s->req.version);
}

/* Enter the failed state with the reply for `reply` (a pf_socks_reply_code;
 * SOCKS4 turns every failure into 0x5B) as the bytes to send, none when
 * `reply` is negative, and a message for the log. */
static pf_socks_status fail(pf_socks *s, pf_rc rc, int reply, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static pf_socks_status fail(pf_socks *s, pf_rc rc, int reply, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	s->fail_rc = rc;
	s->out_len = 0;
	if (reply >= 0)
		s->out_len = pf_socks_reply(s->req.version, (pf_socks_reply_code)reply, s->out,
					    sizeof(s->out));
	s->state = ST_FAILED;
	s->last = PF_SOCKS_FAIL;
	return PF_SOCKS_FAIL;
}

static pf_socks_status fail_version(pf_socks *s, unsigned char b)
{
	/* Say what the client probably is: a browser set to an HTTP proxy or
	 * a TLS client are the usual mistakes on a SOCKS port. */
	if (strchr("CDGHOPT", b) != NULL && b != '\0')
		return fail(s, PF_E_UNSUPPORTED, -1,
			    "client sent '%c' (0x%02X), which looks like an HTTP request, not "
			    "SOCKS; set the client's proxy type to SOCKS (SOCKS5 or SOCKS4), "
			    "not HTTP",
			    b, b);
	if (b == 0x16)
		return fail(s, PF_E_UNSUPPORTED, -1,
			    "client sent 0x16, which looks like a TLS handshake, not SOCKS; "
			    "configure the client to use this port as a SOCKS proxy");
	return fail(s, PF_E_UNSUPPORTED, -1,
		    "client sent 0x%02X as its first byte, which is not a SOCKS version (4 or 5); "
		    "configure the client to use this port as a SOCKS proxy",
		    b);
}

static pf_socks_status fail_method(pf_socks *s)
{
	char list[8 * 6 + 8] = "";
	char one[8];
	unsigned int i, shown;

	shown = s->nmethods < sizeof(s->methods) ? s->nmethods : (unsigned int)sizeof(s->methods);
	for (i = 0; i < shown; i++) {
		snprintf(one, sizeof(one), "%s0x%02X", i > 0 ? " " : "", s->methods[i]);
		pf_strlcat(list, one, sizeof(list));
	}
	if (s->nmethods > shown)
		pf_strlcat(list, " ...", sizeof(list));
	fail(s, PF_E_UNSUPPORTED, -1,
	     "SOCKS5 client offered no usable authentication method (offered: %s); only "
	     "\"no authentication\" is supported: remove the user name and password from the "
	     "client's proxy settings",
	     s->nmethods == 0 ? "none" : list);
	/* RFC 1928 section 3: X'FF' tells the client to close. */
	s->out[0] = 0x05;
	s->out[1] = SOCKS5_NO_METHOD;
	s->out_len = 2;
	return PF_SOCKS_FAIL;
}

static void format_ipv4(char *buf, size_t size, const unsigned char *a)
{
	snprintf(buf, size, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

/* RFC 5952 text: lower-case hex, the longest run (first on a tie) of two or
 * more zero groups as "::", IPv4-mapped addresses as ::ffff:a.b.c.d. */
static void format_ipv6(char *buf, size_t size, const unsigned char *a)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned int g[8];
	int i, best = -1, best_len = 0, run = -1, run_len = 0;
	size_t n = 0;

	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		snprintf(buf, size, "::ffff:%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
		return;
	}
	for (i = 0; i < 8; i++) {
		g[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
		if (g[i] == 0) {
			if (run < 0) {
				run = i;
				run_len = 0;
			}
			run_len++;
			if (run_len > best_len) {
				best = run;
				best_len = run_len;
			}
		} else {
			run = -1;
		}
	}
	if (best_len < 2) {
		best = -1;
		best_len = 0;
	}
	buf[0] = '\0';
	for (i = 0; i < 8 && n < size; i++) {
		int w;

		if (i == best) {
			w = snprintf(buf + n, size - n, "::");
			i += best_len - 1;
		} else {
			w = snprintf(buf + n, size - n, "%s%x",
				     (i > 0 && i != best + best_len) ? ":" : "", g[i]);
		}
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

static int domain_byte_ok(unsigned char b)
{
	return b > 0x20 && b < 0x7f;
}

static pf_socks_status fail_domain_byte(pf_socks *s, unsigned char b)
{
	return fail(s, PF_E_INVAL, PF_SOCKS_REP_GENERAL_FAILURE,
		    "%s domain name has byte 0x%02X at position %u; only printable ASCII without "
		    "spaces is accepted (international names must be sent in punycode)",
		    vname(s), b, s->got + 1);
}

static pf_socks_status request_done(pf_socks *s)
{
	s->state = ST_DONE;
	s->last = PF_SOCKS_REQUEST;
	return PF_SOCKS_REQUEST;
}

static pf_socks_status step4(pf_socks *s, unsigned char b)
{
	switch (s->state) {
	case ST4_CMD:
		s->cmd = b;
		if (b == SOCKS4_BIND)
			return fail(s, PF_E_UNSUPPORTED, PF_SOCKS_REP_CMD_UNSUPPORTED,
				    "SOCKS4 client asked for BIND (command 2); only CONNECT is "
				    "supported");
		if (b != SOCKS4_CONNECT)
			return fail(
				s, PF_E_INVAL, PF_SOCKS_REP_CMD_UNSUPPORTED,
				"SOCKS4 client sent unknown command 0x%02X; only CONNECT (1) is "
				"supported",
				b);
		s->state = ST4_PORT;
		s->got = 0;
		return PF_SOCKS_NEED_MORE;
	case ST4_PORT:
		s->req.port = (uint16_t)(s->req.port << 8 | b);
		if (++s->got == 2) {
			s->state = ST4_ADDR;
			s->got = 0;
		}
		return PF_SOCKS_NEED_MORE;
	case ST4_ADDR:
		s->addr[s->got] = b;
		if (++s->got == 4) {
			/* SOCKS4a: 0.0.0.x with x != 0 means "the name follows". */
			if (s->addr[0] == 0 && s->addr[1] == 0 && s->addr[2] == 0 &&
			    s->addr[3] != 0) {
				s->req.version = PF_SOCKS_V4A;
				s->req.addr_type = PF_SOCKS_ADDR_DOMAIN;
			} else {
				s->req.addr_type = PF_SOCKS_ADDR_IPV4;
				format_ipv4(s->req.host, sizeof(s->req.host), s->addr);
			}
			s->state = ST4_USERID;
			s->got = 0;
		}
		return PF_SOCKS_NEED_MORE;
	case ST4_USERID:
		if (b == 0) {
			if (s->req.version != PF_SOCKS_V4A)
				return request_done(s);
			s->state = ST4_DOMAIN;
			s->got = 0;
			return PF_SOCKS_NEED_MORE;
		}
		if (++s->got > PF_SOCKS_USERID_MAX)
			return fail(s, PF_E_TOOBIG, PF_SOCKS_REP_GENERAL_FAILURE,
				    "%s user id is longer than %d bytes (or not NUL-terminated); "
				    "check the client's SOCKS settings",
				    vname(s), PF_SOCKS_USERID_MAX);
		return PF_SOCKS_NEED_MORE;
	case ST4_DOMAIN:
		if (b == 0) {
			if (s->got == 0)
				return fail(s, PF_E_INVAL, PF_SOCKS_REP_GENERAL_FAILURE,
					    "SOCKS4a request has an empty domain name");
			s->req.host[s->got] = '\0';
			return request_done(s);
		}
		if (s->got >= PF_SOCKS_DOMAIN_MAX)
			return fail(s, PF_E_TOOBIG, PF_SOCKS_REP_GENERAL_FAILURE,
				    "SOCKS4a domain name is longer than %d bytes (or not "
				    "NUL-terminated)",
				    PF_SOCKS_DOMAIN_MAX);
		if (!domain_byte_ok(b))
			return fail_domain_byte(s, b);
		s->req.host[s->got++] = (char)b;
		return PF_SOCKS_NEED_MORE;
	}
	return fail(s, PF_E_INTERNAL, PF_SOCKS_REP_GENERAL_FAILURE,
		    "SOCKS parser in unknown state %d (a bug: please report)", s->state);
}

static pf_socks_status step5(pf_socks *s, unsigned char b)
{
	switch (s->state) {
	case ST5_NMETHODS:
		s->nmethods = b;
		s->got = 0;
		if (b == 0)
			return fail_method(s);
		s->state = ST5_METHODS;
		return PF_SOCKS_NEED_MORE;
	case ST5_METHODS:
		if (b == SOCKS5_NO_AUTH)
			s->no_auth = 1;
		if (s->got < sizeof(s->methods))
			s->methods[s->got] = b;
		if (++s->got < s->nmethods)
			return PF_SOCKS_NEED_MORE;
		if (!s->no_auth)
			return fail_method(s);
		s->out[0] = 0x05;
		s->out[1] = SOCKS5_NO_AUTH;
		s->out_len = 2;
		s->state = ST5_VER;
		return PF_SOCKS_SEND;
	case ST5_VER:
		if (b != 0x05)
			return fail(s, PF_E_INVAL, PF_SOCKS_REP_GENERAL_FAILURE,
				    "SOCKS5 request starts with version 0x%02X instead of 0x05", b);
		s->state = ST5_CMD;
		return PF_SOCKS_NEED_MORE;
	case ST5_CMD:
		s->cmd = b;
		if (b == SOCKS5_BIND || b == SOCKS5_UDP)
			return fail(s, PF_E_UNSUPPORTED, PF_SOCKS_REP_CMD_UNSUPPORTED,
				    "SOCKS5 client asked for %s (command %u); only CONNECT is "
				    "supported",
				    b == SOCKS5_BIND ? "BIND" : "UDP ASSOCIATE", b);
		if (b != SOCKS5_CONNECT)
			return fail(
				s, PF_E_INVAL, PF_SOCKS_REP_CMD_UNSUPPORTED,
				"SOCKS5 client sent unknown command 0x%02X; only CONNECT (1) is "
				"supported",
				b);
		s->state = ST5_RSV;
		return PF_SOCKS_NEED_MORE;
	case ST5_RSV:
		if (b != 0)
			return fail(
				s, PF_E_INVAL, PF_SOCKS_REP_GENERAL_FAILURE,
				"SOCKS5 request has 0x%02X in its reserved byte, which must be 0",
				b);
		s->state = ST5_ATYP;
		return PF_SOCKS_NEED_MORE;
	case ST5_ATYP:
		s->got = 0;
		if (b == PF_SOCKS_ADDR_IPV4 || b == PF_SOCKS_ADDR_IPV6) {
			s->req.addr_type = (pf_socks_addr_type)b;
			s->need = b == PF_SOCKS_ADDR_IPV4 ? 4 : 16;
			s->state = ST5_ADDR;
			return PF_SOCKS_NEED_MORE;
		}
		if (b == PF_SOCKS_ADDR_DOMAIN) {
			s->req.addr_type = PF_SOCKS_ADDR_DOMAIN;
			s->state = ST5_DOMAIN_LEN;
			return PF_SOCKS_NEED_MORE;
		}
		return fail(s, PF_E_UNSUPPORTED, PF_SOCKS_REP_ATYPE_UNSUPPORTED,
			    "SOCKS5 request has unknown address type 0x%02X; IPv4 (1), domain "
			    "name (3) and IPv6 (4) are supported",
			    b);
	case ST5_ADDR:
		s->addr[s->got] = b;
		if (++s->got < s->need)
			return PF_SOCKS_NEED_MORE;
		if (s->need == 4)
			format_ipv4(s->req.host, sizeof(s->req.host), s->addr);
		else
			format_ipv6(s->req.host, sizeof(s->req.host), s->addr);
		s->state = ST5_PORT;
		s->got = 0;
		return PF_SOCKS_NEED_MORE;
	case ST5_DOMAIN_LEN:
		if (b == 0)
			return fail(s, PF_E_INVAL, PF_SOCKS_REP_GENERAL_FAILURE,
				    "SOCKS5 request has an empty domain name (length 0)");
		s->need = b;
		s->state = ST5_DOMAIN;
		return PF_SOCKS_NEED_MORE;
	case ST5_DOMAIN:
		if (!domain_byte_ok(b))
			return fail_domain_byte(s, b);
		s->req.host[s->got] = (char)b;
		if (++s->got < s->need)
			return PF_SOCKS_NEED_MORE;
		s->req.host[s->got] = '\0';
		s->state = ST5_PORT;
		s->got = 0;
		return PF_SOCKS_NEED_MORE;
	case ST5_PORT:
		s->req.port = (uint16_t)(s->req.port << 8 | b);
		if (++s->got < 2)
			return PF_SOCKS_NEED_MORE;
		return request_done(s);
	}
	return fail(s, PF_E_INTERNAL, PF_SOCKS_REP_GENERAL_FAILURE,
		    "SOCKS parser in unknown state %d (a bug: please report)", s->state);
}

static pf_socks_status step(pf_socks *s, unsigned char b)
{
	if (s->state == ST_VERSION) {
		if (b == 0x04) {
			s->req.version = PF_SOCKS_V4;
			s->state = ST4_CMD;
			return PF_SOCKS_NEED_MORE;
		}
		if (b == 0x05) {
			s->req.version = PF_SOCKS_V5;
			s->state = ST5_NMETHODS;
			return PF_SOCKS_NEED_MORE;
		}
		return fail_version(s, b);
	}
	if (s->state >= ST4_CMD && s->state <= ST4_DOMAIN)
		return step4(s, b);
	return step5(s, b);
}

pf_socks_status pf_socks_feed(pf_socks *s, const void *data, size_t len, size_t *consumed)
{
	const unsigned char *p = data;
	pf_socks_status st;
	size_t i;

	*consumed = 0;
	if (s->state == ST_DONE || s->state == ST_FAILED)
		return s->last;
	s->out_len = 0;
	for (i = 0; i < len; i++) {
		/* Unreachable while the per-field limits hold; a guard for the
		 * documented bound all the same. */
		if (s->total >= PF_SOCKS_HANDSHAKE_MAX) {
			*consumed = i;
			return fail(s, PF_E_TOOBIG, PF_SOCKS_REP_GENERAL_FAILURE,
				    "%s handshake is longer than %d bytes", vname(s),
				    PF_SOCKS_HANDSHAKE_MAX);
		}
		s->total++;
		st = step(s, p[i]);
		if (st != PF_SOCKS_NEED_MORE) {
			*consumed = i + 1;
			return st;
		}
	}
	*consumed = len;
	return PF_SOCKS_NEED_MORE;
}

const unsigned char *pf_socks_output(const pf_socks *s, size_t *len)
{
	*len = s->out_len;
	return s->out;
}

const pf_socks_request *pf_socks_get_request(const pf_socks *s)
{
	return s->state == ST_DONE ? &s->req : NULL;
}

const char *pf_socks_reason(const pf_socks *s)
{
	return s->state == ST_FAILED ? s->reason : "";
}

pf_rc pf_socks_fail_rc(const pf_socks *s)
{
	return s->state == ST_FAILED ? s->fail_rc : PF_OK;
}

pf_socks_version pf_socks_get_version(const pf_socks *s)
{
	return s->req.version;
}

size_t pf_socks_reply(pf_socks_version version, pf_socks_reply_code code, unsigned char *out,
		      size_t size)
{
	switch (version) {
	case PF_SOCKS_V4:
	case PF_SOCKS_V4A:
		/* VN=0 CD DSTPORT DSTIP; the address fields are ignored by
		 * clients after CONNECT, so they are zero. */
		if (size < 8)
			return 0;
		memset(out, 0, 8);
		out[1] = code == PF_SOCKS_REP_SUCCEEDED ? SOCKS4_GRANTED : SOCKS4_REJECTED;
		return 8;
	case PF_SOCKS_V5:
		/* VER REP RSV ATYP=IPv4 BND.ADDR=0.0.0.0 BND.PORT=0 */
		if (size < 10)
			return 0;
		memset(out, 0, 10);
		out[0] = 0x05;
		out[1] = (unsigned char)code;
		out[3] = 0x01;
		return 10;
	case PF_SOCKS_VNONE: break;
	}
	return 0;
}

/* Case-insensitive substring test for ASCII text. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	for (; *hay != '\0'; hay++) {
		for (i = 0; i < n; i++) {
			unsigned char a = (unsigned char)hay[i], b = (unsigned char)needle[i];

			if (a >= 'A' && a <= 'Z')
				a = (unsigned char)(a - 'A' + 'a');
			if (a != b)
				break;
		}
		if (i == n)
			return 1;
	}
	return 0;
}

pf_socks_reply_code pf_socks_reply_from_ssh(uint32_t reason, const char *description)
{
	switch (reason) {
	case PF_SSH_OPEN_ADMINISTRATIVELY_PROHIBITED: return PF_SOCKS_REP_NOT_ALLOWED;
	case PF_SSH_OPEN_CONNECT_FAILED:
		/* sshd puts strerror() or gai_strerror() text here. */
		if (description != NULL && contains_ci(description, "refused"))
			return PF_SOCKS_REP_CONN_REFUSED;
		if (description != NULL && (contains_ci(description, "network is unreachable") ||
					    contains_ci(description, "network unreachable")))
			return PF_SOCKS_REP_NET_UNREACHABLE;
		return PF_SOCKS_REP_HOST_UNREACHABLE;
	default: return PF_SOCKS_REP_GENERAL_FAILURE;
	}
}

pf_socks_reply_code pf_socks_reply_from_libssh(const char *ssh_error)
{
	const char *p;
	uint32_t reason = 0;
	int digits = 0;

	if (ssh_error == NULL)
		return PF_SOCKS_REP_GENERAL_FAILURE;
	p = strstr(ssh_error, "error (");
	if (p == NULL)
		return PF_SOCKS_REP_GENERAL_FAILURE;
	for (p += strlen("error ("); *p >= '0' && *p <= '9'; p++) {
		if (++digits > 9)
			return PF_SOCKS_REP_GENERAL_FAILURE;
		reason = reason * 10 + (uint32_t)(*p - '0');
	}
	if (digits == 0 || *p != ')')
		return PF_SOCKS_REP_GENERAL_FAILURE;
	p++;
	while (*p == ' ')
		p++;
	return pf_socks_reply_from_ssh(reason, p);
}

pf_socks_reply_code pf_socks_reply_from_rc(pf_rc rc)
{
	switch (rc) {
	case PF_OK: return PF_SOCKS_REP_SUCCEEDED;
	case PF_E_DENIED: return PF_SOCKS_REP_NOT_ALLOWED;
	case PF_E_NETWORK: return PF_SOCKS_REP_NET_UNREACHABLE;
	case PF_E_NOTFOUND: return PF_SOCKS_REP_HOST_UNREACHABLE;
	default: return PF_SOCKS_REP_GENERAL_FAILURE;
	}
}

const char *pf_socks_version_name(pf_socks_version version)
{
	switch (version) {
	case PF_SOCKS_V4: return "SOCKS4";
	case PF_SOCKS_V4A: return "SOCKS4a";
	case PF_SOCKS_V5: return "SOCKS5";
	case PF_SOCKS_VNONE: break;
	}
	return "SOCKS";
}

const char *pf_socks_reply_name(pf_socks_reply_code code)
{
	switch (code) {
	case PF_SOCKS_REP_SUCCEEDED: return "succeeded";
	case PF_SOCKS_REP_GENERAL_FAILURE: return "general failure";
	case PF_SOCKS_REP_NOT_ALLOWED: return "connection not allowed";
	case PF_SOCKS_REP_NET_UNREACHABLE: return "network unreachable";
	case PF_SOCKS_REP_HOST_UNREACHABLE: return "host unreachable";
	case PF_SOCKS_REP_CONN_REFUSED: return "connection refused";
	case PF_SOCKS_REP_TTL_EXPIRED: return "TTL expired";
	case PF_SOCKS_REP_CMD_UNSUPPORTED: return "command not supported";
	case PF_SOCKS_REP_ATYPE_UNSUPPORTED: return "address type not supported";
	}
	return "unknown reply";
}

const char *pf_socks_describe(const pf_socks_request *req, char *buf, size_t size)
{
	int v6;

	if (size == 0)
		return buf;
	if (req == NULL) {
		pf_strlcpy(buf, "SOCKS (no request)", size);
		return buf;
	}
	v6 = req->addr_type == PF_SOCKS_ADDR_IPV6;
	snprintf(buf, size, "%s CONNECT %s%s%s:%u", pf_socks_version_name(req->version),
		 v6 ? "[" : "", req->host, v6 ? "]" : "", (unsigned int)req->port);
	return buf;
}
