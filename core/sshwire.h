/* The SSH wire format and its text forms, one leaf module for every core
 * module that reads or writes keys (keys.c, keys_openssh.c, keys_pem.c,
 * ppk.c, keygen.c, knownhosts.c): base64 both ways, big-endian reads from a
 * bounded buffer and writes into a growing one, and the SHA-256 fingerprint
 * as OpenSSH prints it. Depends on nothing of ours but pf/mem.h, and on
 * libcrypto for the digest. Not a public API. */
#ifndef PF_SSHWIRE_H
#define PF_SSHWIRE_H

#include <stddef.h>
#include <stdint.h>

/* ---- base64 ---- */

/* The most bytes pfi_b64_decode_buf can write for n characters. */
#define PFI_B64_DECODED_MAX(n) ((n) / 4 * 3 + 3)

/* Flags of pfi_b64_decode_buf. */
#define PFI_B64_SPACES 1u /* skip white space anywhere (key files); else it is bad input */

/* Decode base64 s[0..n) into `out` (room for PFI_B64_DECODED_MAX(n)
 * bytes), which may be `s` itself: the output never overtakes the input.
 * Padding is optional, nothing but white space (with PFI_B64_SPACES) may
 * follow it. Returns 0 with *out_len set, or -1 for bad input (then `out`
 * holds garbage: wipe it if the input was secret). */
int pfi_b64_decode_buf(const char *s, size_t n, unsigned flags, unsigned char *out,
		       size_t *out_len);

/* The same with PFI_B64_SPACES into a new buffer: 0 (caller wipes if
 * secret and frees), -1 for bad input, -2 when out of memory. */
int pfi_b64_decode(const char *s, size_t n, unsigned char **out, size_t *out_len);

/* Padded base64 of n bytes, a newline every `wrap` characters and after
 * the last line (wrap 0: one line, no newline). Caller frees (wipes if
 * secret). NULL when out of memory. */
char *pfi_b64_encode(const unsigned char *p, size_t n, size_t wrap);

/* ---- fingerprints ---- */

/* Room for "SHA256:" + 43 characters + NUL. */
#define PFI_FINGERPRINT_LEN 51

/* "SHA256:<unpadded base64>" of a 32-byte SHA-256 digest into buf (at
 * least PFI_FINGERPRINT_LEN bytes). 0, or -1 when buf is too small. */
int pfi_fingerprint_format(const unsigned char md[32], char *buf, size_t size);

/* The same for the digest of an SSH public key blob. 0, or -1 when buf is
 * too small or the digest failed. */
int pfi_fingerprint_blob(const unsigned char *blob, size_t n, char *buf, size_t size);

/* ---- the SSH wire format, read from a bounded buffer ---- */

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

/* A string: *s points into the buffer (not NUL-terminated), *n its length. */
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

/* Copy a wire string into a C string of `size` bytes (cut to fit),
 * replacing control bytes with '?', for messages and key comments. */
void pfi_wire_text(char *dst, size_t size, const unsigned char *s, size_t n);

/* ---- the SSH wire format, written into a growing buffer ---- */

/* `failed` sticks after an allocation failure, so a sequence of writes is
 * checked once at the end. The buffer never moves with realloc: a grown
 * buffer's old copy is wiped, so secret contents are safe; free them with
 * pfi_wbuf_wipe. */
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
