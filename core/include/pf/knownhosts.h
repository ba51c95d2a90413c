/* known_hosts: the host keys the person trusted, in OpenSSH's file format.
 *
 * The module works on (key type name, public key blob) pairs and never on an
 * ssh_session, so the session code (or a test) gets the key from libssh
 * (ssh_get_server_publickey, ssh_pki_export_pubkey_base64, then
 * pf_knownhosts_decode_key; the type from ssh_key_type_to_char, or NULL).
 *
 * File format (as OpenSSH reads and writes it), one entry per line:
 *   [@revoked|@cert-authority] hostpatterns keytype base64 [comment]
 * hostpatterns: comma-separated, with * and ? wildcards and !negation,
 * "[host]:port" for ports other than 22, or one hashed entry
 * "|1|base64(salt)|base64(HMAC-SHA1(salt, host))". Blank lines and # comments
 * are skipped; LF or CRLF; the last line may lack its newline. Lines we cannot
 * use are skipped with a diagnostic naming path:line, never fatal.
 *
 * Typical use by the session:
 *   (the files: pf_host_config.known_hosts_files, decided by config_resolve.c)
 *   pf_knownhosts_load(path, &kh, &err);            (log the diagnostics)
 *   pf_knownhosts_check(kh, host, port, alias, type, blob, len, &res, &err);
 *   UNKNOWN -> ask the UI; ACCEPT_SAVE -> pf_knownhosts_add(path, ...).
 *   CHANGED / OTHER_TYPE / REVOKED -> pf_knownhosts_refusal(kh, &res, &err).
 *
 * Thread safety: a loaded pf_knownhosts is read-only; checks from several
 * threads on one object are fine. Adds to one file from two threads at once
 * may lose one of the two lines (each rewrites the whole file). */
#ifndef PF_KNOWNHOSTS_H
#define PF_KNOWNHOSTS_H

#include <stddef.h>

#include "pf/error.h"

/* Files over this size are refused (PF_E_TOOBIG); lines over the line limit
 * are skipped with a diagnostic. */
#define PF_KH_MAX_FILE (16u * 1024u * 1024u)
#define PF_KH_MAX_LINE 16384
/* At most this many diagnostics are kept; the last one then counts the rest. */
#define PF_KH_MAX_DIAGS 50

/* Buffer sizes of the strings in pf_knownhosts_result. */
#define PF_KH_NAME_SIZE 512 /* a host name, "[host]:port" or a HostKeyAlias */
#define PF_KH_TYPE_SIZE 64  /* "ssh-ed25519", "ecdsa-sha2-nistp256", ... */
#define PF_KH_FP_SIZE   64  /* "SHA256:" + 43 characters + NUL */

typedef enum pf_knownhosts_status {
	PF_KH_UNKNOWN = 0, /* nothing recorded for this host */
	PF_KH_MATCH,       /* this very key is recorded for this host */
	PF_KH_CHANGED,     /* a different key of the same type is recorded */
	PF_KH_OTHER_TYPE,  /* only keys of other types are recorded */
	PF_KH_REVOKED      /* the key is on a matching @revoked line: never accept */
} pf_knownhosts_status;

/* A parsed known_hosts file; read-only after loading. */
typedef struct pf_knownhosts pf_knownhosts;

/* The answer of pf_knownhosts_check. The old_* fields describe the line
 * behind the status: MATCH the matching line, CHANGED the old key of the same
 * type, OTHER_TYPE one recorded key of another type, REVOKED the @revoked
 * line. For UNKNOWN, old_line is 0 and the old_* strings are empty. */
typedef struct pf_knownhosts_result {
	pf_knownhosts_status status;
	char name[PF_KH_NAME_SIZE];      /* looked up: "host", "[host]:port" or the alias */
	char key_type[PF_KH_TYPE_SIZE];  /* presented key, as recorded ("ssh-rsa" for rsa-sha2-*) */
	char fingerprint[PF_KH_FP_SIZE]; /* presented key's "SHA256:..." */
	int old_line;                    /* 1-based line in pf_knownhosts_path(kh) */
	char old_key_type[PF_KH_TYPE_SIZE];
	char old_fingerprint[PF_KH_FP_SIZE];
} pf_knownhosts_result;

/* Read and parse `path` (at most PF_KH_MAX_FILE bytes). A file that does not
 * exist yet, and path NULL, give an empty set (everything is UNKNOWN). Other
 * read failures (permission, a folder, too big) fail with a message naming
 * the file. Bad lines do not fail: see the diagnostics. *out: caller frees
 * with pf_knownhosts_free. */
pf_rc pf_knownhosts_load(const char *path, pf_knownhosts **out, pf_error *err);

/* Parse `len` bytes of known_hosts text already in memory (need not be
 * NUL-terminated); `path` is only used in messages (may be NULL). */
pf_rc pf_knownhosts_parse(const char *path, const char *data, size_t len, pf_knownhosts **out,
			  pf_error *err);

void pf_knownhosts_free(pf_knownhosts *kh);

/* The path given to load/parse ("" if none); borrowed from kh. */
const char *pf_knownhosts_path(const pf_knownhosts *kh);
/* Number of usable entries (key lines, markers included). */
size_t pf_knownhosts_count(const pf_knownhosts *kh);

/* Diagnostics about skipped or ignored lines, in file order: `where` is
 * "path:line", `message` says what is wrong and what to do, `code` is
 * PF_E_INVAL (unusable line, skipped), PF_E_TOOBIG (line too long, skipped)
 * or PF_E_UNSUPPORTED (@cert-authority line, ignored). Borrowed from kh. */
size_t pf_knownhosts_diag_count(const pf_knownhosts *kh);
const pf_error *pf_knownhosts_diag(const pf_knownhosts *kh, size_t i);

/* Look up the key a server presented. `host` is the name connected to
 * (HostName), `port` its port (22 or 0 mean the default), `alias` the
 * HostKeyAlias or NULL (when given it is looked up instead of host and port,
 * as OpenSSH does). `key_type` is the key's type or host key algorithm name
 * ("ssh-ed25519", "rsa-sha2-512", ...), or NULL to take it from the blob;
 * `blob` is the public key in SSH wire format (ssh_pki_export_pubkey_blob).
 * Host names compare case-insensitively. Returns PF_OK with *res filled
 * whatever the status; PF_E_INVAL for bad arguments (empty host, a blob that
 * is not a key, a type that does not match the blob). kh NULL: UNKNOWN. */
pf_rc pf_knownhosts_check(const pf_knownhosts *kh, const char *host, int port, const char *alias,
			  const char *key_type, const unsigned char *blob, size_t blob_len,
			  pf_knownhosts_result *res, pf_error *err);

/* The same over every file UserKnownHostsFile lists (kh[i] may be NULL for
 * "none"), in OpenSSH's order: a key @revoked in any file is REVOKED; else
 * a match in any file is MATCH; else a mismatch in any file is CHANGED (then
 * OTHER_TYPE); else UNKNOWN (new keys go to the first file). *decided is
 * the index of the file behind *res (the first with that status; 0 for
 * UNKNOWN): give kh[*decided] to pf_knownhosts_refusal. */
pf_rc pf_knownhosts_check_files(pf_knownhosts *const *kh, size_t n, const char *host, int port,
				const char *alias, const char *key_type, const unsigned char *blob,
				size_t blob_len, pf_knownhosts_result *res, size_t *decided,
				pf_error *err);

/* For a CHANGED, OTHER_TYPE or REVOKED result: fill err with the one message
 * for the person (file and line of the old key, both fingerprints, what to
 * do), where = "path:line", and return PF_E_HOSTKEY. For MATCH and UNKNOWN:
 * return PF_OK and leave err alone. */
pf_rc pf_knownhosts_refusal(const pf_knownhosts *kh, const pf_knownhosts_result *res,
			    pf_error *err);

/* Flags for pf_knownhosts_add. */
#define PF_KH_ADD_HASHED 1u /* write the host name hashed (HashKnownHosts yes) */

/* Trust and save: append "name keytype base64" to `path` (name as in
 * pf_knownhosts_check: alias, "[host]:port" or host; lower-cased), creating
 * the file when absent. The new content goes to a temporary file in the same
 * folder that is renamed over the old one; every existing line stays byte for
 * byte, and a last line without newline gets the file's own line ending (CRLF
 * when the file uses CRLF) before the new line. On failure the old file is
 * untouched and err names the file and the reason. */
pf_rc pf_knownhosts_add(const char *path, const char *host, int port, const char *alias,
			const char *key_type, const unsigned char *blob, size_t blob_len,
			unsigned flags, pf_error *err);

/* The content pf_knownhosts_add would write, given the old content (old_len
 * bytes, may be 0): *out (caller frees; NUL-terminated, NUL not counted in
 * *out_len). For tests and fuzzing; `path` only for messages. */
pf_rc pf_knownhosts_append(const char *path, const char *old, size_t old_len, const char *host,
			   int port, const char *alias, const char *key_type,
			   const unsigned char *blob, size_t blob_len, unsigned flags, char **out,
			   size_t *out_len, pf_error *err);

/* Replace a changed key (the one path that accepts one: PF_HOSTKEY_REPLACE
 * in ui.h, after the person pasted the new fingerprint). Line `line` of
 * `path` (the file pf_knownhosts_check_files decided on, res.old_line) must
 * still be a plain key line (no @revoked / @cert-authority marker) whose
 * host patterns match the name (host, port, alias as for check), whose key
 * is of the presented key's family (as for CHANGED) and whose fingerprint
 * is `old_fingerprint` (NULL: not checked); otherwise nothing is written
 * and PF_E_HOSTKEY says the file changed meanwhile. Only that line's key
 * type and base64 fields change: its leading blanks, host patterns (a
 * hashed |1|salt|hash field stays hashed, with its salt: it still names
 * the same host), the blanks between fields, a trailing comment and its
 * line ending stay byte for byte, as does every other line (comments,
 * markers, hashed lines, CRLF, a missing final newline). Written with
 * pf_file_write_atomic (a symbolic link is followed: the link stays, its
 * target is replaced); on failure the old file is untouched and err names
 * the file and the reason. */
pf_rc pf_knownhosts_replace(const char *path, int line, const char *host, int port,
			    const char *alias, const char *old_fingerprint, const char *key_type,
			    const unsigned char *blob, size_t blob_len, pf_error *err);

/* The content pf_knownhosts_replace would write, given the old content:
 * *out (caller frees; NUL-terminated, NUL not counted in *out_len). For
 * tests and fuzzing; `path` only for messages. */
pf_rc pf_knownhosts_replace_text(const char *path, const char *old, size_t old_len, int line,
				 const char *host, int port, const char *alias,
				 const char *old_fingerprint, const char *key_type,
				 const unsigned char *blob, size_t blob_len, char **out,
				 size_t *out_len, pf_error *err);

/* 1 when `typed` (what a person pasted: the fingerprint an administrator
 * gave them, as `ssh-keygen -lf` prints it) names `fingerprint`
 * ("SHA256:..."): surrounding blanks and line ends are ignored, the
 * "SHA256:" prefix is optional, a whole `ssh-keygen -l` line ("256
 * SHA256:... comment (ED25519)") is accepted by its one SHA256: field, and
 * the base64 must then be equal exactly (case matters). Else 0. */
int pf_knownhosts_fingerprint_matches(const char *typed, const char *fingerprint);

/* Decode a base64 public key (as ssh_pki_export_pubkey_base64 gives it, or
 * the second field of a .pub file) into its wire-format blob, checking that
 * it is shaped like an SSH public key. *blob: caller frees. */
pf_rc pf_knownhosts_decode_key(const char *base64, unsigned char **blob, size_t *blob_len,
			       pf_error *err);

/* "SHA256:" + unpadded base64 of SHA-256(blob), as ssh-keygen -l prints it,
 * into out (at least PF_KH_FP_SIZE bytes). */
pf_rc pf_knownhosts_fingerprint(const unsigned char *blob, size_t blob_len, char *out,
				size_t out_size);

/* The name known_hosts records for a key type or host key algorithm:
 * "rsa-sha2-256" and "rsa-sha2-512" are "ssh-rsa" (and likewise their -cert
 * forms); every other name is returned as given. Static or borrowed. */
const char *pf_knownhosts_key_type(const char *name);

/* The name looked up and written: the alias when given, else "[host]:port"
 * for ports other than 0 and 22, else host; lower-cased. NULL on OOM or an
 * empty name. Caller frees. */
char *pf_knownhosts_host_name(const char *host, int port, const char *alias);

#endif
