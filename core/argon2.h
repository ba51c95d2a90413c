/* BLAKE2b (RFC 7693) and Argon2 version 1.3 (RFC 9106), written for PuTTY's
 * .ppk version 3 key derivation (OpenSSL 3.0 has no Argon2). Internal to
 * core; not a public API. Thread use: no shared state. */
#ifndef PF_ARGON2_H
#define PF_ARGON2_H

#include <stddef.h>
#include <stdint.h>

typedef struct pf_blake2b {
	uint64_t h[8];
	uint64_t t; /* bytes compressed so far (inputs here stay far below 2^64) */
	unsigned char buf[128];
	size_t buflen;
	size_t outlen;
} pf_blake2b;

/* Unkeyed BLAKE2b with an output of outlen bytes (1..64). */
void pf_blake2b_init(pf_blake2b *s, size_t outlen);
void pf_blake2b_update(pf_blake2b *s, const void *data, size_t len);
/* Writes s->outlen bytes to out and wipes the state. */
void pf_blake2b_final(pf_blake2b *s, unsigned char *out);

typedef enum pf_argon2_type { PF_ARGON2D = 0, PF_ARGON2I = 1, PF_ARGON2ID = 2 } pf_argon2_type;

/* Argon2 with memory `mem_kib` KiB, `passes` passes and `lanes` lanes:
 * tag of tag_len bytes (4..1024) into out. secret/ad may be NULL with
 * length 0. Returns 0, -1 for parameters out of range, -2 when out of
 * memory. The memory is wiped before it is freed. */
int pf_argon2(pf_argon2_type type, uint32_t mem_kib, uint32_t passes, uint32_t lanes,
	      const void *pwd, size_t pwd_len, const void *salt, size_t salt_len,
	      const void *secret, size_t secret_len, const void *ad, size_t ad_len,
	      unsigned char *out, size_t tag_len);

#endif
