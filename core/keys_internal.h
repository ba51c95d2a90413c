/* Helpers shared by the key modules (keys.c, keygen.c, ppk.c); not a
 * public API. */
#ifndef PF_KEYS_INTERNAL_H
#define PF_KEYS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* keys.c: base64 decode skipping white space. 0 with a new buffer (caller
 * wipes and frees), -1 for bad input, -2 when out of memory. */
int pfi_b64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len);
/* keys.c: padded base64, a newline every `wrap` characters (0: none);
 * caller frees (wipes if secret). NULL when out of memory. */
char *pfi_b64_encode(const unsigned char *p, size_t n, size_t wrap);
/* keys.c: "SHA256:..." of a public key blob into buf (>= 51 bytes); 0 or -1. */
int pfi_fingerprint_blob(const unsigned char *blob, size_t n, char *buf, size_t size);

/* libssh's bcrypt_pbkdf (OpenSSH's KDF for its key format); linked from
 * the static libssh, not in its public headers. Returns 0 on success. */
int bcrypt_pbkdf(const char *pass, size_t passlen, const uint8_t *salt, size_t saltlen,
		 uint8_t *key, size_t keylen, unsigned int rounds);

/* The SSH wire format, read from a bounded buffer. */
typedef struct pfi_wire {
	const unsigned char *p;
	size_t left;
} pfi_wire;

static inline int pfi_wire_u32(pfi_wire *r, uint32_t *v)
{
	if (r->left < 4)
		return -1;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static inline int pfi_wire_string(pfi_wire *r, const unsigned char **s, size_t *n)
{
	uint32_t len;

	if (pfi_wire_u32(r, &len) != 0 || len > r->left)
		return -1;
	*s = r->p;
	*n = len;
	r->p += len;
	r->left -= len;
	return 0;
}

/* A growing buffer for writing the wire format; `failed` sticks after an
 * allocation failure. Secret contents: wipe with pfi_wbuf_wipe. */
typedef struct pfi_wbuf {
	unsigned char *data;
	size_t len, cap;
	int failed;
} pfi_wbuf;

void pfi_wbuf_put(pfi_wbuf *b, const void *p, size_t n);
void pfi_wbuf_u32(pfi_wbuf *b, uint32_t v);
void pfi_wbuf_string(pfi_wbuf *b, const void *p, size_t n);
void pfi_wbuf_cstring(pfi_wbuf *b, const char *s);
/* Wipe and free the contents; the buffer is empty and usable again. */
void pfi_wbuf_wipe(pfi_wbuf *b);

#endif
