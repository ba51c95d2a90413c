/* What the key modules share (keys.c: dispatch, blobs, messages, file
 * I/O; keys_openssh.c: OpenSSH's format; keys_pem.c: PEM and PKCS#8
 * through libcrypto; keygen.c). PuTTY's format is ppk.c. Not a public
 * API. */
#ifndef PF_KEYS_INTERNAL_H
#define PF_KEYS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pf/attr.h"
#include "pf/error.h"
#include "pf/keys.h"

#define PFI_RSA_BITS_MIN 1024 /* what OpenSSH's sshd and libssh accept */

#define PFI_KEY_MISSING_END "the END line is missing, so the file was probably cut off"

/* One parse: where messages go and what we learned so far. */
typedef struct pfi_key_ctx {
	const char *name;       /* the file, for messages (borrowed) */
	const char *passphrase; /* borrowed; NULL when none was given */
	pf_key_info *info;      /* never NULL inside (points at a local when the caller has none) */
	pf_error *err;          /* may be NULL */
	ssh_key key;            /* the private key on success (owned until handed out) */
	unsigned char *blob;    /* the public key blob when known (owned) */
	size_t blob_len;
} pfi_key_ctx;

/* A PEM block found in a file (keys.c frames it, the format modules
 * read it). */
typedef struct pfi_pem_block {
	const char *begin;    /* start of the BEGIN line */
	const char *body;     /* first byte after the BEGIN line */
	const char *body_end; /* start of the END line (NULL when missing) */
	const char *end;      /* one past the END line (NULL when missing) */
	char label[64];
} pfi_pem_block;

/* keys.c: the one message of a failure, into c->err; returns r. */
pf_key_result pfi_key_fail(pfi_key_ctx *c, pf_key_result r, const char *fmt, ...) PF_PRINTF(3, 4);
pf_key_result pfi_key_fail_nomem(pfi_key_ctx *c);
pf_key_result pfi_key_damaged(pfi_key_ctx *c, const char *why);
pf_key_result pfi_key_wrong_passphrase(pfi_key_ctx *c);
pf_key_result pfi_key_needs_passphrase(pfi_key_ctx *c);
/* "<file> is <what>. Create a new key with ssh-keygen ..." */
pf_key_result pfi_key_new_key_advice(pfi_key_ctx *c, const char *what);

/* keys.c: read a public key blob into c->info (type, bits, fingerprint)
 * and keep a copy in c->blob; PF_KEY_OK, or the failure with its message
 * (malformed, DSA, FIDO, unknown type, odd curve, short RSA). */
pf_key_result pfi_key_take_blob(pfi_key_ctx *c, const unsigned char *blob, size_t n);
/* keys.c: an ssh_key holding only the public half of a blob; NULL when
 * libssh refuses it or out of memory. Caller frees. */
ssh_key pfi_key_from_blob(const unsigned char *blob, size_t n, const char *type);

/* keys_openssh.c: a "-----BEGIN OPENSSH PRIVATE KEY-----" block: checked
 * (structure, cipher, KDF, public section), then decrypted by libssh. */
pf_key_result pfi_key_parse_openssh(pfi_key_ctx *c, const pfi_pem_block *b);
/* keys_openssh.c: give libssh an OpenSSH key blob (armoured in wiped
 * memory), decrypted with c->passphrase if it is encrypted. 0 with c->key
 * set, -1 when libssh refuses it, -2 when out of memory. */
int pfi_key_openssh_import(pfi_key_ctx *c, const unsigned char *bin, size_t bin_len);

/* keys_pem.c: a PEM block of PKCS#1, SEC1, PKCS#8 (plain or encrypted) or
 * DSA, parsed and decrypted with libcrypto. */
pf_key_result pfi_key_parse_pem(pfi_key_ctx *c, const pfi_pem_block *b);

#endif
