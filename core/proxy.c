/* The client side of HTTP CONNECT, SOCKS4/4a and SOCKS5 as byte-at-a-time
 * state machines (see pf/proxy.h). Each reply byte is handled on its own,
 * so how the proxy's answer is split never changes a result; every field
 * and line is bounded, so nothing is allocated. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/proxy.h"
#include "pf/socks.h"

enum {
	ST_NONE = 0,
	/* HTTP: the status line, then header lines up to an empty one. */
	STH_STATUS,
	STH_HEADERS,
	/* SOCKS4/4a: VN CD DSTPORT(2) DSTIP(4) */
	ST4_REPLY,
	/* SOCKS5: method choice, RFC 1929 status, reply header, address, port */
	ST5_METHOD,
	ST5_AUTH,
	ST5_REPLY,
	ST5_ADDR_LEN,
	ST5_ADDR,
	ST_DONE,
	ST_FAILED
};

static pf_proxy_status fail(pf_proxy *p, pf_rc rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static pf_proxy_status fail(pf_proxy *p, pf_rc rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->fail_rc = rc;
	p->out_len = 0;
	p->state = ST_FAILED;
	p->last = PF_PROXY_FAIL;
	return PF_PROXY_FAIL;
}

static pf_proxy_status send_bytes(pf_proxy *p, const unsigned char *b, size_t n)
{
	memcpy(p->out, b, n);
	p->out_len = n;
	return PF_PROXY_SEND;
}

const char *pf_proxy_type_name(pf_proxy_type type)
{
	switch (type) {
	case PF_PROXY_HTTP: return "HTTP";
	case PF_PROXY_SOCKS4: return "SOCKS4";
	case PF_PROXY_SOCKS4A: return "SOCKS4a";
	case PF_PROXY_SOCKS5: return "SOCKS5";
	case PF_PROXY_NONE: break;
	}
	return "proxy";
}

/* Printable ASCII without spaces: what may go into a request line. */
static int clean_token(const char *s, size_t max, int allow_space)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if ((unsigned char)*s < (allow_space ? 0x20 : 0x21) || (unsigned char)*s > 0x7e ||
		    n >= max)
			return 0;
	return 1;
}

/* Dotted IPv4 "a.b.c.d" into 4 bytes; 0 when it is not one. */
static int parse_ipv4(const char *s, unsigned char out[4])
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return 0;
		out[i] = (unsigned char)v;
		if (i < 3 && *s++ != '.')
			return 0;
	}
	return *s == '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* IPv6 text (no brackets, no zone) into 16 bytes; 0 when it is not one. */
static int parse_ipv6(const char *s, unsigned char out[16])
{
	unsigned char w[16];
	int n = 0, gap = -1, i;

	if (s[0] == ':' && s[1] == ':') {
		gap = 0;
		s += 2;
	}
	while (*s) {
		unsigned v = 0, digits = 0;

		if (n == 16)
			return 0;
		if (strchr(s, '.') != NULL && strchr(s, ':') == NULL) {
			if (n > 12 || !parse_ipv4(s, w + n))
				return 0;
			n += 4;
			break;
		}
		while (hexval(*s) >= 0 && digits < 5) {
			v = v * 16 + (unsigned)hexval(*s++);
			digits++;
		}
		if (digits == 0 || digits > 4)
			return 0;
		w[n++] = (unsigned char)(v >> 8);
		w[n++] = (unsigned char)v;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return 0;
		if (*s == ':') {
			if (gap >= 0)
				return 0;
			gap = n;
			s++;
		} else if (*s == '\0') {
			return 0;
		}
	}
	if (gap < 0 ? n != 16 : n > 14)
		return 0;
	memset(out, 0, 16);
	if (gap < 0) {
		memcpy(out, w, 16);
	} else {
		memcpy(out, w, (size_t)gap);
		for (i = 0; i < n - gap; i++)
			out[16 - (n - gap) + i] = w[gap + i];
	}
	return 1;
}

static pf_proxy_status start_http(pf_proxy *p, const char *host, uint16_t port,
				  const pf_proxy_creds *c)
{
	int v6 = strchr(host, ':') != NULL, n;
	const char *lb = v6 ? "[" : "", *rb = v6 ? "]" : "";

	if (c->basic != NULL && !clean_token(c->basic, 2 * PF_PROXY_OUT_MAX / 3, 0))
		return fail(p, PF_E_INVAL, "the proxy credentials cannot be sent");
	p->had_creds = c->basic != NULL;
	n = snprintf((char *)p->out, sizeof(p->out),
		     "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n%s%s%s\r\n", lb, host, rb,
		     (unsigned)port, lb, host, rb, (unsigned)port,
		     c->basic ? "Proxy-Authorization: Basic " : "", c->basic ? c->basic : "",
		     c->basic ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(p->out))
		return fail(p, PF_E_TOOBIG, "the request for %s is too long", host);
	p->out_len = (size_t)n;
	p->state = STH_STATUS;
	return PF_PROXY_SEND;
}

static pf_proxy_status start_socks4(pf_proxy *p, const char *host, uint16_t port,
				    const pf_proxy_creds *c)
{
	unsigned char ip[4];
	const char *user = c->user ? c->user : "";
	size_t ul = strlen(user), hl = strlen(host), o = 0;
	int by_name = 0;

	if (!parse_ipv4(host, ip)) {
		if (p->type == PF_PROXY_SOCKS4)
			return fail(p, PF_E_INVAL,
				    "SOCKS4 needs an IPv4 address, not \"%s\" (use SOCKS4a or "
				    "SOCKS5 to let the proxy resolve names)",
				    host);
		by_name = 1;
		memcpy(ip, "\0\0\0\1", 4);
	}
	if (ul > PF_PROXY_CRED_MAX || 9 + ul + hl + 1 > sizeof(p->out))
		return fail(p, PF_E_TOOBIG, "the request for %s is too long", host);
	p->out[o++] = 4;
	p->out[o++] = 1; /* CONNECT */
	p->out[o++] = (unsigned char)(port >> 8);
	p->out[o++] = (unsigned char)port;
	memcpy(p->out + o, ip, 4);
	o += 4;
	memcpy(p->out + o, user, ul + 1);
	o += ul + 1;
	if (by_name) {
		memcpy(p->out + o, host, hl + 1);
		o += hl + 1;
	}
	p->out_len = o;
	p->need = 8;
	p->state = ST4_REPLY;
	return PF_PROXY_SEND;
}

static pf_proxy_status start_socks5(pf_proxy *p, const char *host, uint16_t port,
				    const pf_proxy_creds *c)
{
	unsigned char a[16];
	size_t hl = strlen(host), o = 0;

	p->req[o++] = 5;
	p->req[o++] = 1; /* CONNECT */
	p->req[o++] = 0;
	if (parse_ipv4(host, a)) {
		p->req[o++] = 1;
		memcpy(p->req + o, a, 4);
		o += 4;
	} else if (parse_ipv6(host, a)) {
		p->req[o++] = 4;
		memcpy(p->req + o, a, 16);
		o += 16;
	} else {
		p->req[o++] = 3;
		p->req[o++] = (unsigned char)hl;
		memcpy(p->req + o, host, hl);
		o += hl;
	}
	p->req[o++] = (unsigned char)(port >> 8);
	p->req[o++] = (unsigned char)port;
	p->req_len = o;
	if (c->user != NULL && c->password != NULL) {
		size_t ul = strlen(c->user), pl = strlen(c->password);

		if (ul == 0 || ul > PF_PROXY_CRED_MAX || pl > PF_PROXY_CRED_MAX)
			return fail(p, PF_E_TOOBIG,
				    "a SOCKS5 user name or password is empty or longer than "
				    "%d bytes",
				    PF_PROXY_CRED_MAX);
		o = 0;
		p->auth[o++] = 1;
		p->auth[o++] = (unsigned char)ul;
		memcpy(p->auth + o, c->user, ul);
		o += ul;
		p->auth[o++] = (unsigned char)pl;
		memcpy(p->auth + o, c->password, pl);
		o += pl;
		p->auth_len = o;
		p->had_creds = 1;
	}
	p->need = 2;
	p->state = ST5_METHOD;
	/* No authentication, or username/password: offered both always, so a
	 * proxy that wants a password says so and the person can be asked. */
	return send_bytes(p, (const unsigned char *)"\x05\x02\x00\x02", 4);
}

pf_proxy_status pf_proxy_start(pf_proxy *p, pf_proxy_type type, const char *host, uint16_t port,
			       const pf_proxy_creds *creds)
{
	static const pf_proxy_creds none = {NULL, NULL, NULL};
	const pf_proxy_creds *c = creds ? creds : &none;

	memset(p, 0, sizeof(*p));
	p->type = type;
	if (host == NULL || host[0] == '\0' || strlen(host) > PF_PROXY_HOST_MAX ||
	    !clean_token(host, PF_PROXY_HOST_MAX, 0))
		return fail(p, PF_E_INVAL, "\"%s\" cannot be asked for through a proxy",
			    host ? host : "");
	if ((c->user != NULL && !clean_token(c->user, PF_PROXY_CRED_MAX, 1)) ||
	    (c->password != NULL && strlen(c->password) > PF_PROXY_CRED_MAX))
		return fail(p, PF_E_INVAL,
			    "the proxy user name has a control character or is longer "
			    "than %d bytes",
			    PF_PROXY_CRED_MAX);
	switch (type) {
	case PF_PROXY_HTTP: return start_http(p, host, port, c);
	case PF_PROXY_SOCKS4:
	case PF_PROXY_SOCKS4A: return start_socks4(p, host, port, c);
	case PF_PROXY_SOCKS5: return start_socks5(p, host, port, c);
	case PF_PROXY_NONE: break;
	}
	return fail(p, PF_E_INVAL, "no proxy type");
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int starts_ci(const char *s, const char *prefix)
{
	while (*prefix && lower((unsigned char)*s) == lower((unsigned char)*prefix))
		s++, prefix++;
	return *prefix == '\0';
}

/* The status line "HTTP/1.x NNN reason" is complete in p->line. */
static pf_proxy_status http_status(pf_proxy *p)
{
	const char *l = p->line;
	size_t i, o = 0;

	for (i = 0; i < p->line_len && o + 1 < sizeof(p->status_line); i++)
		if ((unsigned char)l[i] >= 0x20 && (unsigned char)l[i] < 0x7f)
			p->status_line[o++] = l[i];
	p->status_line[o] = '\0';
	if (strncmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' || l[8] != ' ' ||
	    l[9] < '1' || l[9] > '5' || l[10] < '0' || l[10] > '9' || l[11] < '0' || l[11] > '9' ||
	    (l[12] != ' ' && l[12] != '\0'))
		return fail(p, PF_E_INVAL,
			    "the answer is not from an HTTP proxy (it began \"%.60s\")",
			    p->status_line);
	p->status_code = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	p->basic_offered = p->other_offered = 0;
	p->state = STH_HEADERS;
	return PF_PROXY_NEED_MORE;
}

static void http_header(pf_proxy *p)
{
	const char *v;

	/* Some proxies (tinyproxy) answer 401 with WWW-Authenticate. */
	if (starts_ci(p->line, "proxy-authenticate:"))
		v = p->line + strlen("proxy-authenticate:");
	else if (starts_ci(p->line, "www-authenticate:"))
		v = p->line + strlen("www-authenticate:");
	else
		return;
	while (*v == ' ' || *v == '\t')
		v++;
	if (starts_ci(v, "basic") && (v[5] == '\0' || v[5] == ' ' || v[5] == ','))
		p->basic_offered = 1;
	else
		p->other_offered = 1;
}

/* The empty line after the headers: the reply is complete. */
static pf_proxy_status http_end(pf_proxy *p)
{
	int code = p->status_code;

	if (code >= 100 && code < 200) { /* interim: the real answer follows */
		p->state = STH_STATUS;
		return PF_PROXY_NEED_MORE;
	}
	if (code >= 200 && code < 300) {
		p->state = ST_DONE;
		p->last = PF_PROXY_DONE;
		return PF_PROXY_DONE;
	}
	if (code == 407 || code == 401) {
		if (p->other_offered && !p->basic_offered)
			return fail(p, PF_E_UNSUPPORTED,
				    "the proxy asks for a kind of authentication PortForwarder "
				    "does not speak (only Basic is supported): \"%s\"",
				    p->status_line);
		p->auth_refused = p->had_creds;
		p->state = ST_DONE;
		p->last = PF_PROXY_AUTH;
		return PF_PROXY_AUTH;
	}
	return fail(p,
		    code == 403 || code == 405   ? PF_E_DENIED
		    : code == 404                ? PF_E_NOTFOUND
		    : code >= 500 && code != 501 ? PF_E_NETWORK
						 : PF_E_DENIED,
		    "the proxy answered \"%s\"", p->status_line);
}

static pf_proxy_status http_byte(pf_proxy *p, unsigned char ch)
{
	if (++p->total > PF_PROXY_HTTP_HDR_MAX)
		return fail(p, PF_E_TOOBIG, "the proxy's answer is longer than %d bytes",
			    PF_PROXY_HTTP_HDR_MAX);
	if (ch != '\n') {
		if (p->line_len + 1 >= sizeof(p->line))
			return fail(p, PF_E_TOOBIG,
				    "the proxy's answer has a line longer than %d bytes",
				    PF_PROXY_LINE_MAX);
		p->line[p->line_len++] = (char)ch;
		return PF_PROXY_NEED_MORE;
	}
	if (p->line_len > 0 && p->line[p->line_len - 1] == '\r')
		p->line_len--;
	p->line[p->line_len] = '\0';
	if (p->state == STH_STATUS) {
		pf_proxy_status st;

		if (p->line_len == 0 && p->total <= 2) /* a stray CRLF first */
			return PF_PROXY_NEED_MORE;
		st = http_status(p);
		p->line_len = 0;
		return st;
	}
	if (p->line_len == 0)
		return http_end(p);
	http_header(p);
	p->line_len = 0;
	return PF_PROXY_NEED_MORE;
}

static pf_proxy_status socks4_reply(pf_proxy *p)
{
	static const char *const why[] = {
		"the request was rejected or failed",
		"the proxy could not reach the identd of this computer",
		"the proxy's identd check did not match the user id",
	};
	int cd = p->line[1] & 0xff;

	p->status_code = cd;
	if (p->line[0] != 0 && p->line[0] != 4)
		return fail(p, PF_E_INVAL, "the answer is not from a SOCKS4 proxy");
	if (cd == 90) {
		p->state = ST_DONE;
		p->last = PF_PROXY_DONE;
		return PF_PROXY_DONE;
	}
	if (cd >= 91 && cd <= 93)
		return fail(p, PF_E_DENIED, "%s proxy: %s (code %d)", pf_proxy_type_name(p->type),
			    why[cd - 91], cd);
	return fail(p, PF_E_INVAL, "%s proxy: unknown answer %d", pf_proxy_type_name(p->type), cd);
}

static pf_proxy_status socks5_byte(pf_proxy *p, unsigned char ch)
{
	p->line[p->got++] = (char)ch;
	if (p->got < p->need)
		return PF_PROXY_NEED_MORE;
	p->got = 0;
	switch (p->state) {
	case ST5_METHOD:
		if (p->line[0] != 5)
			return fail(p, PF_E_INVAL, "the answer is not from a SOCKS5 proxy");
		if (p->line[1] == 0)
			break; /* no authentication: the request */
		if (p->line[1] == 2) {
			if (!p->had_creds) {
				p->state = ST_DONE;
				p->last = PF_PROXY_AUTH;
				return PF_PROXY_AUTH;
			}
			p->state = ST5_AUTH;
			p->need = 2;
			return send_bytes(p, p->auth, p->auth_len);
		}
		return fail(p, PF_E_UNSUPPORTED,
			    "the SOCKS5 proxy accepts neither no authentication nor a user "
			    "name and password (it answered method %d)",
			    p->line[1] & 0xff);
	case ST5_AUTH:
		if (p->line[0] != 1)
			return fail(p, PF_E_INVAL,
				    "the SOCKS5 proxy's login answer is not RFC 1929");
		if (p->line[1] != 0) {
			p->auth_refused = 1;
			p->state = ST_DONE;
			p->last = PF_PROXY_AUTH;
			return PF_PROXY_AUTH;
		}
		break;
	case ST5_REPLY:
		p->status_code = p->line[1] & 0xff;
		if (p->line[0] != 5)
			return fail(p, PF_E_INVAL, "the answer is not from a SOCKS5 proxy");
		if (p->line[1] != 0) {
			int rep = p->line[1] & 0xff;

			return fail(p,
				    rep == 2               ? PF_E_DENIED
				    : rep >= 3 && rep <= 6 ? PF_E_NETWORK
				    : rep >= 7 && rep <= 8 ? PF_E_UNSUPPORTED
							   : PF_E_INVAL,
				    "SOCKS5 proxy: %s (code %d)",
				    rep <= 8 ? pf_socks_reply_name((pf_socks_reply_code)rep)
					     : "unknown answer",
				    rep);
		}
		p->atyp = (unsigned char)p->line[3];
		if (p->atyp == 1 || p->atyp == 4) {
			p->state = ST5_ADDR;
			p->need = (p->atyp == 1 ? 4u : 16u) + 2;
		} else if (p->atyp == 3) {
			p->state = ST5_ADDR_LEN;
			p->need = 1;
		} else {
			return fail(p, PF_E_INVAL, "the SOCKS5 proxy answered address type %d",
				    p->atyp);
		}
		return PF_PROXY_NEED_MORE;
	case ST5_ADDR_LEN:
		p->state = ST5_ADDR;
		p->need = (unsigned)(p->line[0] & 0xff) + 2;
		return PF_PROXY_NEED_MORE;
	case ST5_ADDR:
		p->state = ST_DONE;
		p->last = PF_PROXY_DONE;
		return PF_PROXY_DONE;
	default: return fail(p, PF_E_INTERNAL, "proxy state");
	}
	/* Method chosen or login accepted: the CONNECT request. */
	p->state = ST5_REPLY;
	p->need = 4;
	return send_bytes(p, p->req, p->req_len);
}

pf_proxy_status pf_proxy_feed(pf_proxy *p, const void *data, size_t len, size_t *consumed)
{
	const unsigned char *b = data;
	size_t i;

	*consumed = 0;
	p->out_len = 0;
	if (p->state == ST_DONE || p->state == ST_FAILED || p->state == ST_NONE)
		return p->state == ST_NONE ? PF_PROXY_FAIL : p->last;
	for (i = 0; i < len; i++) {
		pf_proxy_status st;

		if (p->state == STH_STATUS || p->state == STH_HEADERS) {
			st = http_byte(p, b[i]);
		} else if (p->state == ST4_REPLY) {
			p->line[p->got++] = (char)b[i];
			st = p->got < p->need ? PF_PROXY_NEED_MORE : socks4_reply(p);
		} else {
			st = socks5_byte(p, b[i]);
		}
		if (st != PF_PROXY_NEED_MORE) {
			*consumed = i + 1;
			return st;
		}
	}
	*consumed = len;
	return PF_PROXY_NEED_MORE;
}

const unsigned char *pf_proxy_output(const pf_proxy *p, size_t *len)
{
	*len = p->out_len;
	return p->out;
}

const char *pf_proxy_reason(const pf_proxy *p)
{
	return p->state == ST_FAILED ? p->reason : "";
}

pf_rc pf_proxy_fail_rc(const pf_proxy *p)
{
	return p->state == ST_FAILED ? p->fail_rc : PF_OK;
}

int pf_proxy_auth_refused(const pf_proxy *p)
{
	return p->auth_refused;
}

int pf_proxy_status_code(const pf_proxy *p)
{
	return p->status_code;
}

const char *pf_proxy_closed_reason(const pf_proxy *p)
{
	switch (p->state) {
	case STH_STATUS: return "before it answered the CONNECT request";
	case STH_HEADERS: return "in the middle of its answer";
	case ST4_REPLY:
	case ST5_REPLY:
	case ST5_ADDR_LEN:
	case ST5_ADDR: return "before it answered the connection request";
	case ST5_METHOD: return "before it answered the greeting";
	case ST5_AUTH: return "before it answered the login";
	default: return "";
	}
}

void pf_proxy_wipe(pf_proxy *p)
{
	pf_secure_zero(p, sizeof(*p));
}
