/* The client side of a proxy handshake, for reaching the SSH server through
 * a proxy: HTTP CONNECT (RFC 9110 section 9.3.6, Basic authentication),
 * SOCKS4, SOCKS4a and SOCKS5 (RFC 1928, no authentication or RFC 1929
 * username/password), CONNECT only.
 *
 * A pure state machine in the shape of socks.h: no sockets, no
 * allocation, no threads. The transport writes what it says, feeds it what
 * the proxy answers, in pieces of any size (every split gives the same
 * answers at the same offsets), and acts on the status. One pf_proxy per
 * connection attempt, used by one thread at a time. It holds the
 * credentials' bytes while the request is pending: pf_proxy_wipe() when
 * done.
 *
 * The transport's loop, on a fresh TCP connection to the proxy:
 *
 *	st = pf_proxy_start(&p, type, host, port, &creds);	// always SEND
 *	for (;;) {
 *		switch (st) {
 *		case PF_PROXY_SEND:		// write all of pf_proxy_output()
 *			write(pf_proxy_output(&p, &len), len);
 *			st = pf_proxy_feed(&p, NULL, 0, &used); break;
 *		case PF_PROXY_NEED_MORE:	// read, then feed what came
 *			n = read(buf); st = pf_proxy_feed(&p, buf, n, &used);
 *			... keep buf+used, n-used for the next feed ...; break;
 *		case PF_PROXY_DONE:		// the tunnel is open; bytes after
 *			return ok;		// `used` are the SSH server's
 *		case PF_PROXY_AUTH:		// credentials wanted (none given, or
 *			...			// refused: pf_proxy_auth_refused()):
 *			close; ask; start again on a new connection with them
 *		case PF_PROXY_FAIL:		// pf_proxy_reason(), close
 *			return error;
 *		}
 *	}
 *
 * The proxy closing the connection before DONE is a failure the transport
 * reports (pf_proxy_closed_reason() says what the machine waited for). */
#ifndef PF_PROXY_H
#define PF_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "pf/error.h"

/* Limits: a host name for the request (SOCKS5 length byte), a user name or
 * password (RFC 1929 length bytes; HTTP the same, for one bound), the
 * HTTP reply header (status line and headers) the machine reads. */
#define PF_PROXY_HOST_MAX     255
#define PF_PROXY_CRED_MAX     255
#define PF_PROXY_HTTP_HDR_MAX 16384
#define PF_PROXY_LINE_MAX     1024
/* The largest request: HTTP CONNECT with a 255-byte host twice and a Basic
 * token for 255 + 1 + 255 bytes (684 characters), under 1,300 bytes. */
#define PF_PROXY_OUT_MAX 1400

typedef enum pf_proxy_type {
	PF_PROXY_NONE = 0,
	PF_PROXY_HTTP,   /* HTTP CONNECT */
	PF_PROXY_SOCKS4, /* the host must be an IPv4 address (resolve it first) */
	PF_PROXY_SOCKS4A,
	PF_PROXY_SOCKS5
} pf_proxy_type;

typedef enum pf_proxy_status {
	PF_PROXY_NEED_MORE = 0, /* everything fed was absorbed; read more */
	PF_PROXY_SEND = 1,      /* write pf_proxy_output(), then feed on */
	PF_PROXY_DONE = 2,      /* the tunnel is open */
	PF_PROXY_AUTH = 3,      /* the proxy wants credentials (HTTP 407 or 401, SOCKS5 method 2) */
	PF_PROXY_FAIL = 4       /* refused or not understood: pf_proxy_reason() */
} pf_proxy_status;

/* Credentials, borrowed for pf_proxy_start only (copied into the request).
 * Any field may be NULL. */
typedef struct pf_proxy_creds {
	const char *user;     /* SOCKS5 username; SOCKS4/4a user id */
	const char *password; /* SOCKS5 password */
	const char *basic;    /* HTTP: base64 of "user:password" (Proxy-Authorization) */
} pf_proxy_creds;

/* One handshake, fixed size; it owns nothing (no free), but wipe it. The
 * fields are private. */
typedef struct pf_proxy {
	pf_proxy_type type;
	int state;
	pf_proxy_status last; /* sticky once DONE, AUTH or FAIL */
	int had_creds;        /* credentials went with the request */
	int auth_refused;     /* AUTH after credentials were sent: they were wrong */
	int basic_offered;    /* HTTP: a Proxy-Authenticate header offered Basic */
	int other_offered;    /* HTTP: ... offered another scheme only */
	int status_code;      /* HTTP status, SOCKS reply code */
	unsigned got, need;   /* bytes of the current field */
	size_t total;         /* reply bytes absorbed */
	unsigned char atyp;
	char line[PF_PROXY_LINE_MAX]; /* the HTTP line being read */
	size_t line_len;
	char status_line[200]; /* the HTTP status line, printable only */
	unsigned char out[PF_PROXY_OUT_MAX];
	size_t out_len;
	unsigned char req[4 + 1 + PF_PROXY_HOST_MAX + 2]; /* SOCKS5 CONNECT, sent later */
	size_t req_len;
	unsigned char auth[3 + 2 * PF_PROXY_CRED_MAX]; /* SOCKS5 user/pass, sent later */
	size_t auth_len;
	pf_rc fail_rc;
	char reason[400];
} pf_proxy;

/* Start a handshake asking the proxy for host:port; returns PF_PROXY_SEND
 * with the first bytes in pf_proxy_output(), or PF_PROXY_FAIL when the
 * request cannot be made (host or credentials over the limits, SOCKS4
 * with a host that is not an IPv4 address, a control character in them). */
pf_proxy_status pf_proxy_start(pf_proxy *p, pf_proxy_type type, const char *host, uint16_t port,
			       const pf_proxy_creds *creds);

/* Feed `len` bytes from the proxy (data may be NULL when len is 0).
 * *consumed: how many belong to the handshake (all on NEED_MORE; up to the
 * byte that completed the step otherwise; on DONE the rest is the SSH
 * server's). Once DONE, AUTH or FAIL, further calls return it again with
 * *consumed 0. */
pf_proxy_status pf_proxy_feed(pf_proxy *p, const void *data, size_t len, size_t *consumed);

/* The bytes to write after SEND; borrowed until the next call. */
const unsigned char *pf_proxy_output(const pf_proxy *p, size_t *len);

/* After FAIL: one line saying what the proxy answered ("the proxy answered
 * \"HTTP/1.1 403 Forbidden\"", "SOCKS5 proxy: connection refused"), without
 * naming the proxy (the caller adds that and the config line). */
const char *pf_proxy_reason(const pf_proxy *p);
/* After FAIL: PF_E_DENIED (the proxy refused the destination: 403, SOCKS
 * "not allowed", SOCKS4 rejected), PF_E_NETWORK (it could not reach the
 * destination: 502/503/504, SOCKS unreachable/refused), PF_E_NOTFOUND (it
 * could not resolve the name), PF_E_AUTH (credentials refused again by a
 * proxy that does not ask: SOCKS5 RFC 1929 failure is AUTH status instead),
 * PF_E_UNSUPPORTED (it wants an authentication we do not speak), PF_E_INVAL
 * (not a proxy reply we understand), PF_E_TOOBIG (a reply over the limits). */
pf_rc pf_proxy_fail_rc(const pf_proxy *p);
/* After AUTH: 1 when credentials had been sent (they were wrong), 0 when
 * none were (ask for them). */
int pf_proxy_auth_refused(const pf_proxy *p);
/* The HTTP status code or SOCKS reply code seen (0 before the reply). */
int pf_proxy_status_code(const pf_proxy *p);
/* What the machine waited for, for "the proxy closed the connection
 * (while waiting for ...)": "the proxy's reply" and so on. Static. */
const char *pf_proxy_closed_reason(const pf_proxy *p);

/* Wipe the state (credentials in the output buffer). */
void pf_proxy_wipe(pf_proxy *p);

/* "HTTP", "SOCKS4", "SOCKS4a", "SOCKS5". Static. */
const char *pf_proxy_type_name(pf_proxy_type type);

#endif
