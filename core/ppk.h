/* PuTTY private key files (.ppk versions 2 and 3): parsed, MAC-checked and
 * decrypted here, and re-expressed as an unencrypted OpenSSH key blob
 * ("openssh-key-v1") that keys.c hands to libssh. Internal to core. */
#ifndef PF_PPK_H
#define PF_PPK_H

#include <stddef.h>
#include <stdint.h>

typedef enum pfi_ppk_result {
	PF_PPK_OK = 0,
	PF_PPK_NEEDS_PASSPHRASE, /* encrypted and no passphrase: public half filled */
	PF_PPK_WRONG_PASSPHRASE, /* encrypted and the MAC does not match */
	PF_PPK_DAMAGED,          /* `why` says what */
	PF_PPK_UNSUPPORTED,      /* `why` says what */
	PF_PPK_NOMEM,
	PF_PPK_CANCELLED /* the cancel hook said stop during the derivation */
} pfi_ppk_result;

typedef struct pfi_ppk {
	int version;      /* 2 or 3 */
	char type[48];    /* the algorithm line: "ssh-ed25519"... */
	int encrypted;    /* "Encryption: aes256-cbc" */
	char kdf[16];     /* "Argon2id" ... for v3 encrypted, else "" */
	uint32_t passes;  /* Argon2-Passes */
	uint32_t mem_kib; /* Argon2-Memory */
	char comment[256];
	unsigned char *pub; /* the public key blob (owned) */
	size_t pub_len;
	/* On PF_PPK_OK: the whole unencrypted OpenSSH key blob (owned, secret:
	 * pfi_ppk_free wipes it). */
	unsigned char *openssh;
	size_t openssh_len;
} pfi_ppk;

/* Parse `text` (len bytes). `passphrase` NULL (or "") means none given.
 * On anything but PF_PPK_OK and PF_PPK_NOMEM, `why` (why_size bytes) holds
 * a phrase for the message, such as "the Private-MAC line is missing (line
 * 9)". Fields of `out` are filled as far as known; free with pfi_ppk_free
 * whatever the result. */
pfi_ppk_result pfi_ppk_parse(const char *text, size_t len, const char *passphrase, pfi_ppk *out,
			     char *why, size_t why_size);
void pfi_ppk_free(pfi_ppk *k);

/* For the calling thread only: while `cancelled` is set (NULL clears it),
 * a v3 key's Argon2 derivation runs on a thread of its own and
 * pfi_ppk_parse asks cancelled(arg) every 100 ms; when it answers 1 the
 * derivation is abandoned (left to finish, its result wiped and dropped)
 * and pfi_ppk_parse returns PF_PPK_CANCELLED at once. */
void pfi_ppk_set_cancel(int (*cancelled)(void *arg), void *arg);

#endif
