/* Private key files for public-key authentication: read through the
 * platform layer (so a folder named メール設定 works on Windows), parsed from
 * memory, classified precisely for the front end, and handed to libssh as an
 * ssh_key.
 *
 * Formats: OpenSSH's own ("BEGIN OPENSSH PRIVATE KEY", plain or encrypted
 * with bcrypt + aes*-ctr/cbc or 3des-cbc) and PEM: PKCS#1 "RSA PRIVATE KEY",
 * SEC1 "EC PRIVATE KEY", PKCS#8 "PRIVATE KEY" / "ENCRYPTED PRIVATE KEY", and
 * legacy "Proc-Type: 4,ENCRYPTED" PEM (DES-EDE3-CBC, AES-128/192/256-CBC) as
 * Tera Term and older OpenSSH wrote it. Key types: ed25519, ecdsa
 * nistp256/384/521, rsa (>= 1024 bits; the session signs with
 * rsa-sha2-256/512). CRLF line ends and a UTF-8 BOM are fine.
 *
 * PuTTY .ppk versions 2 and 3 (plain, or aes256-cbc with SHA-1 / Argon2
 * key derivation), their MAC checked: a mismatch is a wrong passphrase or
 * a damaged file.
 *
 * Recognised but refused, with a message that says what to do: PuTTY .ppk
 * version 1, SSH-1 RSA1 keys, DSA keys, ssh.com/Tectia keys, FIDO (sk-*) keys, public
 * keys and certificates given instead of the private key.
 *
 * Passphrases: borrowed from the caller for the length of the call, never
 * copied by this module into memory it keeps, never logged. Every buffer here
 * that held private key material is wiped before it is freed.
 *
 * Thread use: no shared state; any thread may call, e.g. the connection's
 * worker thread. */
#ifndef PF_KEYS_H
#define PF_KEYS_H

#include <stddef.h>

#include <libssh/libssh.h>

#include "pf/error.h"

/* What became of an attempt to load or probe a key file. The front end
 * decides from this alone whether to ask for a passphrase, ask again, or
 * show the message from the pf_error and move on to the next key. */
typedef enum pf_key_result {
	PF_KEY_OK = 0,
	/* Encrypted, and no passphrase (or an empty one) was given. Ask for
	 * one, then call pf_key_load again. */
	PF_KEY_NEEDS_PASSPHRASE,
	/* The passphrase does not decrypt the key: ask again, with the reason. */
	PF_KEY_WRONG_PASSPHRASE,
	/* The file does not exist or cannot be read (permissions, I/O). */
	PF_KEY_NOT_FOUND,
	/* Not a private key: empty, a public key, a certificate, a config file,
	 * a binary file... The message says what it looks like. */
	PF_KEY_NOT_A_KEY,
	/* A private key file, but cut off or corrupted. */
	PF_KEY_DAMAGED,
	/* A real key we cannot use here: PuTTY .ppk v1, SSH-1, DSA, an unknown
	 * cipher or curve. The message says how to convert it. */
	PF_KEY_UNSUPPORTED,
	/* Out of memory or an internal failure (a bug). */
	PF_KEY_ERROR
} pf_key_result;

typedef enum pf_key_format {
	PF_KEY_FORMAT_UNKNOWN = 0,
	PF_KEY_FORMAT_OPENSSH,       /* -----BEGIN OPENSSH PRIVATE KEY----- */
	PF_KEY_FORMAT_PEM_PKCS1,     /* -----BEGIN RSA PRIVATE KEY----- */
	PF_KEY_FORMAT_PEM_SEC1,      /* -----BEGIN EC PRIVATE KEY----- */
	PF_KEY_FORMAT_PEM_PKCS8,     /* -----BEGIN PRIVATE KEY----- */
	PF_KEY_FORMAT_PEM_PKCS8_ENC, /* -----BEGIN ENCRYPTED PRIVATE KEY----- */
	PF_KEY_FORMAT_PEM_DSA,       /* -----BEGIN DSA PRIVATE KEY----- (refused) */
	PF_KEY_FORMAT_PUTTY,         /* PuTTY-User-Key-File-2/3 (.ppk) */
	PF_KEY_FORMAT_SSH1,          /* SSH PRIVATE KEY FILE FORMAT 1.1 (refused) */
	PF_KEY_FORMAT_SSHCOM,        /* ---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ---- (refused) */
	PF_KEY_FORMAT_PUBLIC         /* a public key line or block (not a private key) */
} pf_key_format;

/* Facts about a key file for the UI and the log. Filled as far as known,
 * also when the result is not PF_KEY_OK (e.g. the type and fingerprint of an
 * encrypted OpenSSH key, or of a PEM key with a "<path>.pub" beside it). */
typedef struct pf_key_info {
	pf_key_format format;
	int encrypted;   /* 1: a passphrase protects the private half */
	char cipher[32]; /* "aes256-ctr", "DES-EDE3-CBC", "PBES2"... ("" if plain) */
	/* Cost of the passphrase key derivation (decryption time grows with
	 * it): OpenSSH bcrypt rounds, PKCS#8 PBKDF2/PKCS#12 iterations or
	 * scrypt N; PuTTY .ppk v3: Argon2 passes x memory in MiB; 0 for legacy
	 * PEM and .ppk v2. Refused above 10000 bcrypt rounds or 10^7 iterations
	 * (PF_KEY_UNSUPPORTED). */
	unsigned kdf_rounds;

	/* The public half: set when have_public is 1. */
	int have_public;
	int public_from_pub_file; /* it came from "<path>.pub" (probe, encrypted PEM) */
	int pub_file_mismatch;    /* "<path>.pub" holds another key than the private key */
	char type[48];            /* SSH name: "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa" */
	char label[16];           /* "ED25519", "ECDSA", "RSA" (as ssh-keygen -l shows) */
	int bits;                 /* 256, 384, 521, 3072... */
	char fingerprint[64];     /* "SHA256:" + unpadded base64, as OpenSSH prints it */
	char comment[256];        /* from the key file, else from the .pub; "" if none */
} pf_key_info;

/* Load the private key at `path` (UTF-8). `passphrase` (NUL-terminated) may
 * be NULL or "" for "none given"; it is borrowed for this call only. Reads
 * "<path>.pub" too when present, for the comment and a consistency check.
 * On PF_KEY_OK *key is a private ssh_key (caller frees with ssh_key_free);
 * otherwise *key is NULL and `err` holds one message that names the file and
 * says what to do. `info` and `err` may be NULL. */
pf_key_result pf_key_load(const char *path, const char *passphrase, ssh_key *key, pf_key_info *info,
			  pf_error *err);

/* What is in the file, without a passphrase: format, encrypted or not, and
 * the public key when it can be had without decrypting (from an OpenSSH key
 * file's public section, an unencrypted key, or "<path>.pub"), so the session
 * can offer it to the server before asking the person for the passphrase.
 * Returns PF_KEY_OK or PF_KEY_NEEDS_PASSPHRASE for a usable key file, else
 * the same classification as pf_key_load. `pubkey` may be NULL; otherwise
 * *pubkey is a public-only ssh_key (caller frees) or NULL when no public
 * half is available before decryption. */
pf_key_result pf_key_probe(const char *path, ssh_key *pubkey, pf_key_info *info, pf_error *err);

/* pf_key_load on a file already in memory (`data`, `len` bytes; need not be
 * NUL-terminated). `name` is used in messages only. No "<name>.pub" is read.
 * Used by tests and the fuzzer. */
pf_key_result pf_key_load_mem(const char *name, const void *data, size_t len,
			      const char *passphrase, ssh_key *key, pf_key_info *info,
			      pf_error *err);

/* "SHA256:<base64 without padding>" of a public or private ssh_key into buf
 * (at least 51 bytes). Returns PF_OK, or PF_E_INVAL for a key without a
 * public half or a buffer too small. */
pf_rc pf_key_fingerprint(const ssh_key key, char *buf, size_t size);

/* One line for logs and dialogs: "ED25519 256 SHA256:... (comment)", or
 * "encrypted PEM (PKCS#1) key" when the public half is not known. */
void pf_key_describe(const pf_key_info *info, char *buf, size_t size);

/* Short English names: "wrong passphrase", "OpenSSH"; static storage. */
const char *pf_key_result_name(pf_key_result r);
const char *pf_key_format_name(pf_key_format f);

/* The pf_rc matching a result, for callers that report through pf_rc:
 * OK -> PF_OK, NEEDS/WRONG_PASSPHRASE -> PF_E_AUTH, NOT_FOUND ->
 * PF_E_NOTFOUND, NOT_A_KEY/DAMAGED -> PF_E_INVAL, UNSUPPORTED ->
 * PF_E_UNSUPPORTED, ERROR -> PF_E_INTERNAL (or PF_E_NOMEM). pf_key_load sets
 * err->code to this too. */
pf_rc pf_key_result_rc(pf_key_result r);

#endif
