/* Helpers shared by the key modules (keys.c, keygen.c, ppk.c); not a
 * public API. */
#ifndef PF_KEYS_INTERNAL_H
#define PF_KEYS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* libssh's bcrypt_pbkdf (OpenSSH's KDF for its key format); linked from
 * the static libssh, not in its public headers. Returns 0 on success. */
int bcrypt_pbkdf(const char *pass, size_t passlen, const uint8_t *salt, size_t saltlen,
		 uint8_t *key, size_t keylen, unsigned int rounds);

#endif
