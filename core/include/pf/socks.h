/* The server side of a SOCKS handshake for DynamicForward: SOCKS4, SOCKS4a
 * and SOCKS5 (RFC 1928, "no authentication" only, CONNECT only).
 *
 * A pure state machine: no sockets, no allocation, no threads. The engine
 * feeds it whatever bytes arrived from the client, in pieces of any size, and
 * acts on the answer. Every split of the input gives the same answers at the
 * same byte offsets. One pf_socks per client connection; it is used by one
 * thread at a time (the connection's worker).
 *
 * The engine's loop, for bytes p[0..n) that just arrived:
 *
 *	while (!done) {
 *		switch (pf_socks_feed(&s, p, n, &used)) {
 *		case PF_SOCKS_NEED_MORE:	// all n bytes absorbed; wait for more
 *			done = 1; break;
 *		case PF_SOCKS_SEND:		// queue the output, then go on
 *			out = pf_socks_output(&s, &len);
 *			queue(out, len); break;
 *		case PF_SOCKS_REQUEST:		// open direct-tcpip to req->host:req->port;
 *			...			// p+used, n-used is early tunnel data
 *			done = 1; break;
 *		case PF_SOCKS_FAIL:		// log pf_socks_reason(), queue
 *			...			// pf_socks_output() (may be empty), close
 *			done = 1; break;
 *		}
 *		p += used; n -= used;
 *	}
 *
 * After REQUEST the engine opens the channel and then writes
 * pf_socks_reply(req->version, code, ...) with PF_SOCKS_REP_SUCCEEDED or the
 * failure mapped by pf_socks_reply_from_ssh() / pf_socks_reply_from_libssh()
 * / pf_socks_reply_from_rc(). Only after a success reply does tunnel data
 * flow (the early bytes first); after a failure reply the engine closes the
 * client socket. While the channel is opening, the engine stops reading
 * from the client (or keeps a bounded buffer): the machine takes no more. */
#ifndef PF_SOCKS_H
#define PF_SOCKS_H

#include <stddef.h>
#include <stdint.h>

#include "pf/error.h"

/* The longest valid handshake in bytes: SOCKS4a with a 255-byte user id and
 * a 255-byte domain is 8 + 256 + 256 = 520; SOCKS5 is at most 2 + 255 method
 * bytes + a 262-byte request = 519. Every field is bounded on its own, so the
 * machine never holds more than one field; anything longer fails. */
#define PF_SOCKS_HANDSHAKE_MAX 600
/* Longest domain name a client may send (SOCKS5 length byte; SOCKS4a too). */
#define PF_SOCKS_DOMAIN_MAX 255
/* Longest SOCKS4 user id accepted (it is read and ignored). */
#define PF_SOCKS_USERID_MAX 255
/* Size of pf_socks_request.host: a domain, dotted IPv4 or IPv6 text, + NUL. */
#define PF_SOCKS_HOST_SIZE (PF_SOCKS_DOMAIN_MAX + 1)
/* Largest reply pf_socks_reply() or pf_socks_output() produces (SOCKS5:
 * VER REP RSV ATYP=1 0.0.0.0 port 0 = 10 bytes; SOCKS4: 8 bytes). */
#define PF_SOCKS_REPLY_MAX 10

typedef enum pf_socks_version {
	PF_SOCKS_VNONE = 0, /* not known yet, or not SOCKS */
	PF_SOCKS_V4 = 1,    /* SOCKS4: IPv4 address */
	PF_SOCKS_V4A = 2,   /* SOCKS4a: 0.0.0.x address + domain name */
	PF_SOCKS_V5 = 3     /* SOCKS5 (RFC 1928) */
} pf_socks_version;

typedef enum pf_socks_status {
	/* Every byte given was absorbed (consumed == len); feed more later. */
	PF_SOCKS_NEED_MORE = 0,
	/* Write pf_socks_output() to the client (the SOCKS5 method selection
	 * 05 00), then call pf_socks_feed() again with the bytes after
	 * `consumed` (possibly none: the request usually comes later). */
	PF_SOCKS_SEND = 1,
	/* The request is complete: pf_socks_get_request(). Bytes after
	 * `consumed` are tunnel data the client sent early; keep them for the
	 * channel. Nothing is written yet: reply with pf_socks_reply(). */
	PF_SOCKS_REQUEST = 2,
	/* The handshake failed: write pf_socks_output() (0 bytes when the
	 * first byte was not a SOCKS version: close without a reply), then
	 * close. pf_socks_reason() says why, for the log. */
	PF_SOCKS_FAIL = 3
} pf_socks_status;

typedef enum pf_socks_addr_type {
	PF_SOCKS_ADDR_NONE = 0,
	PF_SOCKS_ADDR_IPV4 = 1,   /* host is dotted IPv4 "192.0.2.1" */
	PF_SOCKS_ADDR_DOMAIN = 3, /* host is the domain, printable ASCII */
	PF_SOCKS_ADDR_IPV6 = 4    /* host is RFC 5952 text without brackets */
} pf_socks_addr_type;

/* SOCKS5 reply codes (RFC 1928 section 6). For SOCKS4/4a, SUCCEEDED becomes
 * 0x5A (request granted) and every other code 0x5B (rejected or failed). */
typedef enum pf_socks_reply_code {
	PF_SOCKS_REP_SUCCEEDED = 0x00,
	PF_SOCKS_REP_GENERAL_FAILURE = 0x01,
	PF_SOCKS_REP_NOT_ALLOWED = 0x02, /* connection not allowed by ruleset */
	PF_SOCKS_REP_NET_UNREACHABLE = 0x03,
	PF_SOCKS_REP_HOST_UNREACHABLE = 0x04,
	PF_SOCKS_REP_CONN_REFUSED = 0x05,
	PF_SOCKS_REP_TTL_EXPIRED = 0x06,
	PF_SOCKS_REP_CMD_UNSUPPORTED = 0x07,
	PF_SOCKS_REP_ATYPE_UNSUPPORTED = 0x08
} pf_socks_reply_code;

/* SSH channel open failure reasons (RFC 4254 section 5.1). */
#define PF_SSH_OPEN_ADMINISTRATIVELY_PROHIBITED 1
#define PF_SSH_OPEN_CONNECT_FAILED              2
#define PF_SSH_OPEN_UNKNOWN_CHANNEL_TYPE        3
#define PF_SSH_OPEN_RESOURCE_SHORTAGE           4

/* What the client asked for, valid after PF_SOCKS_REQUEST. */
typedef struct pf_socks_request {
	pf_socks_version version;
	pf_socks_addr_type addr_type;
	char host[PF_SOCKS_HOST_SIZE]; /* NUL-terminated, never empty */
	uint16_t port;                 /* host byte order */
} pf_socks_request;

/* One handshake. Fixed size (about 600 bytes), embed it in the connection
 * or put it on the stack; it owns nothing, so there is no free. The fields
 * are private: use the functions below. */
typedef struct pf_socks {
	int state;
	pf_socks_status last; /* sticky answer once REQUEST or FAIL */
	unsigned int got;     /* bytes of the current field so far */
	unsigned int need;    /* length of the current field */
	unsigned int total;   /* handshake bytes absorbed */
	unsigned char cmd;
	unsigned char no_auth; /* SOCKS5 client offered method 0 */
	unsigned char nmethods;
	unsigned char methods[8]; /* first methods offered, for the message */
	unsigned char addr[16];
	unsigned char out[PF_SOCKS_REPLY_MAX];
	size_t out_len;
	pf_rc fail_rc;
	pf_socks_request req;
	char reason[256];
} pf_socks;

/* Start (or restart) a handshake. */
void pf_socks_init(pf_socks *s);

/* Feed `len` bytes from the client (`data` may be NULL when len is 0).
 * `*consumed` gets how many of them belong to the handshake: all of them on
 * NEED_MORE; up to and including the byte that completed the step on SEND,
 * REQUEST and FAIL. Once REQUEST or FAIL has been returned, further calls
 * return the same status with *consumed = 0. */
pf_socks_status pf_socks_feed(pf_socks *s, const void *data, size_t len, size_t *consumed);

/* The bytes to write to the client after SEND or FAIL; *len may be 0.
 * Borrowed: valid until the next pf_socks_feed() or pf_socks_init(). */
const unsigned char *pf_socks_output(const pf_socks *s, size_t *len);

/* The request after PF_SOCKS_REQUEST, else NULL. Borrowed from `s`. */
const pf_socks_request *pf_socks_get_request(const pf_socks *s);

/* After PF_SOCKS_FAIL: one line for the log saying what the client did
 * wrong and, where it helps, what to change ("SOCKS5 client asked for BIND
 * (command 2); only CONNECT is supported"). Empty string otherwise.
 * Borrowed from `s`. */
const char *pf_socks_reason(const pf_socks *s);

/* After PF_SOCKS_FAIL: PF_E_INVAL (malformed), PF_E_UNSUPPORTED (valid
 * SOCKS we do not do: BIND, UDP, authentication, unknown version or address
 * type) or PF_E_TOOBIG (a field over its limit). PF_OK otherwise. */
pf_rc pf_socks_fail_rc(const pf_socks *s);

/* The version as far as known: after the first byte V4 or V5, V4A once the
 * 0.0.0.x address was seen. */
pf_socks_version pf_socks_get_version(const pf_socks *s);

/* Build the reply to a request into out[0..size): SOCKS5
 * 05 code 00 01 00 00 00 00 00 00 (bound address 0.0.0.0:0); SOCKS4/4a
 * 00 5A|5B 00 00 00 00 00 00. Returns the length, or 0 when `size` is too
 * small or `version` is PF_SOCKS_VNONE. */
size_t pf_socks_reply(pf_socks_version version, pf_socks_reply_code code, unsigned char *out,
		      size_t size);

/* Map an SSH channel open failure (reason code from the server, and its
 * description, or NULL) to a reply code:
 *   ADMINISTRATIVELY_PROHIBITED     -> NOT_ALLOWED
 *   CONNECT_FAILED                  -> by the description sshd sends
 *       (strerror / getaddrinfo text): "refused" -> CONN_REFUSED,
 *       "network is unreachable" -> NET_UNREACHABLE, anything else
 *       (no route, timed out, name resolution failed, no text)
 *       -> HOST_UNREACHABLE
 *   UNKNOWN_CHANNEL_TYPE, RESOURCE_SHORTAGE, other -> GENERAL_FAILURE */
pf_socks_reply_code pf_socks_reply_from_ssh(uint32_t reason, const char *description);

/* The same from libssh's error text after a failed ssh_channel_open_forward()
 * ("Channel opening failure: channel 3 error (2) Connection refused"; libssh
 * has no accessor for the code). Text in another form -> GENERAL_FAILURE. */
pf_socks_reply_code pf_socks_reply_from_libssh(const char *ssh_error);

/* Map an engine result: PF_OK -> SUCCEEDED, PF_E_DENIED -> NOT_ALLOWED,
 * PF_E_NETWORK (no SSH connection to carry it) -> NET_UNREACHABLE,
 * PF_E_NOTFOUND -> HOST_UNREACHABLE, anything else -> GENERAL_FAILURE. */
pf_socks_reply_code pf_socks_reply_from_rc(pf_rc rc);

/* "SOCKS4", "SOCKS4a", "SOCKS5", or "SOCKS" for VNONE. Static storage. */
const char *pf_socks_version_name(pf_socks_version version);

/* The reply code in words for the log ("host unreachable"); static. */
const char *pf_socks_reply_name(pf_socks_reply_code code);

/* "SOCKS5 CONNECT example.org:443" / "SOCKS5 CONNECT [2001:db8::1]:443"
 * into buf (truncated, always terminated); returns buf. */
const char *pf_socks_describe(const pf_socks_request *req, char *buf, size_t size);

#endif
