/* Making a new key pair for public-key login, as ssh-keygen does: the
 * private key in OpenSSH's format (written by libssh: encrypted with
 * bcrypt-pbkdf, 16 rounds, + aes128-cbc when a passphrase is given; no
 * comment inside) and "<file>.pub", one line "type base64 comment", for
 * the person to send to their administrator.
 *
 * Files are written through the platform layer (pf_file_write_atomic; a new
 * file is mode 0600 on POSIX). Nothing is overwritten unless the caller says
 * so: the front ends ask first.
 *
 * Thread use: no shared state; any thread may call. */
#ifndef PF_KEYGEN_H
#define PF_KEYGEN_H

#include <stddef.h>

#include "pf/error.h"

typedef enum pf_keygen_type {
	PF_KEYGEN_ED25519 = 0, /* the default */
	PF_KEYGEN_RSA,         /* bits: 3072 (default) or 4096 */
	PF_KEYGEN_ECDSA        /* bits: 256 (default), 384 or 521 */
} pf_keygen_type;

typedef struct pf_keygen_params {
	pf_keygen_type type;
	int bits;               /* 0: the type's default */
	const char *comment;    /* NULL: "user@host" (pf_user_name@pf_host_name) */
	const char *passphrase; /* NULL or "": unencrypted (borrowed, never copied) */
	int overwrite;          /* 1: replace existing files (the person agreed) */
} pf_keygen_params;

typedef struct pf_keygen_result {
	char *public_line;    /* "ssh-ed25519 AAAA... comment" without newline (owned) */
	char *pub_path;       /* "<path>.pub" (owned) */
	char fingerprint[64]; /* "SHA256:...", as ssh-keygen -l prints it */
	char label[16];       /* "ED25519", "RSA", "ECDSA" */
	int bits;
	int discarded; /* the path is a device that keeps nothing (/dev/null, NUL):
			* no file was written */
} pf_keygen_result;

/* Parse "ed25519" / "rsa" / "ecdsa" (case-insensitive). Returns 0 or -1. */
int pf_keygen_type_parse(const char *name, pf_keygen_type *type);

/* "id_ed25519", "id_rsa", "id_ecdsa": the file name ssh-keygen uses. */
const char *pf_keygen_default_name(pf_keygen_type type);

/* Check the bits for the type (0 allowed: the default). PF_OK, or
 * PF_E_INVAL with a message that lists the allowed sizes. */
pf_rc pf_keygen_check(const pf_keygen_params *p, pf_error *err);

/* 1 when `path` or "<path>.pub" exists (ask before overwriting), else 0. */
int pf_keygen_exists(const char *path);

/* Generate a key pair and write `path` and "<path>.pub". Fails with
 * PF_E_BUSY ("already exists") when either file exists and !p->overwrite,
 * PF_E_INVAL for bad parameters, PF_E_IO etc. when writing fails. On PF_OK
 * `out` is filled (free with pf_keygen_result_free). */
pf_rc pf_keygen_generate(const char *path, const pf_keygen_params *p, pf_keygen_result *out,
			 pf_error *err);

/* The same without files: the private key file text (*priv_text, wiped and
 * freed by the caller with pf_keygen_free_secret) and the result. */
pf_rc pf_keygen_generate_mem(const pf_keygen_params *p, char **priv_text, pf_keygen_result *out,
			     pf_error *err);

void pf_keygen_free_secret(char *text);
void pf_keygen_result_free(pf_keygen_result *r);

#endif
