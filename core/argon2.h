/* Argon2 version 1.3 (RFC 9106) for PuTTY's .ppk version 3 key derivation,
 * through OpenSSL's EVP_KDF "ARGON2D"/"ARGON2I"/"ARGON2ID" (cmake/deps.sh
 * builds OpenSSL with it). Internal to core; not a public API.
 * Thread use: no shared state; any thread. */
#ifndef PF_ARGON2_H
#define PF_ARGON2_H

#include <stddef.h>
#include <stdint.h>

typedef enum pfi_argon2_type { PF_ARGON2D = 0, PF_ARGON2I = 1, PF_ARGON2ID = 2 } pfi_argon2_type;

/* Argon2 with memory `mem_kib` KiB, `passes` passes and `lanes` lanes
 * (computed on the calling thread, one lane after another): a tag of
 * tag_len bytes (4..1024) into out. The salt must have 8 bytes or more;
 * secret/ad may be NULL with length 0. Returns 0, -1 for parameters out of
 * range, -2 when the derivation failed (out of memory). OpenSSL wipes its
 * memory before freeing it. The derivation cannot be interrupted: a caller
 * that must stay responsive runs it on a thread of its own. */
int pfi_argon2(pfi_argon2_type type, uint32_t mem_kib, uint32_t passes, uint32_t lanes,
	       const void *pwd, size_t pwd_len, const void *salt, size_t salt_len,
	       const void *secret, size_t secret_len, const void *ad, size_t ad_len,
	       unsigned char *out, size_t tag_len);

#endif
