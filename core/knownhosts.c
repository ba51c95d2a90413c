/* known_hosts in OpenSSH's format: parse, look up, append (see knownhosts.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "match.h"
#include "pf/knownhosts.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "sshwire.h"

#define SHA1_LEN    20
#define SNIPPET_LEN 40

enum kh_marker { MARK_NONE = 0, MARK_REVOKED };

/* One usable line. Every pointer points into pf_knownhosts.buf, which was
 * tokenised in place (fields NUL-terminated, base64 decoded over itself). */
struct kh_entry {
	int line;
	enum kh_marker marker;
	const char *hosts;         /* NUL-terminated patterns; NULL when hashed */
	const unsigned char *salt; /* hashed only: SHA1_LEN bytes */
	const unsigned char *hash; /* hashed only: SHA1_LEN bytes */
	const char *type;          /* the type field, NUL-terminated */
	const unsigned char *blob; /* the decoded key */
	size_t blob_len;
};

struct pf_knownhosts {
	char *path;
	char *buf; /* our copy of the content, len + 1 bytes */
	struct kh_entry *entries;
	size_t count, cap;
	pf_error *diags;
	size_t ndiag, more; /* `more`: diagnostics dropped after the limit */
};

/* --- small helpers ---------------------------------------------------------- */

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The type name a wire-format public key starts with (uint32 length +
 * name). Returns 0 with *name and *name_len pointing into blob, else -1. */
static int blob_type(const unsigned char *blob, size_t len, const char **name, size_t *name_len)
{
	pfi_wire r = {blob, len};
	const unsigned char *t;
	size_t n, i;

	if (blob == NULL || pfi_wire_string(&r, &t, &n) != 0 || n == 0 || n >= PF_KH_TYPE_SIZE)
		return -1;
	for (i = 0; i < n; i++) {
		if (t[i] <= ' ' || t[i] >= 0x7f)
			return -1;
	}
	*name = (const char *)t;
	*name_len = n;
	return 0;
}

/* The key's structure: every plain key type is a run of length-prefixed
 * strings (the name, then strings or mpints) that uses up the blob; for the
 * types we know the count (and ed25519's key size) must match, so a
 * truncated or padded key is caught. Certificates are taken as they are.
 * Returns 0 when it looks like a key. */
static int blob_valid(const unsigned char *blob, size_t len)
{
	static const struct {
		const char *name;
		int fields;
	} known[] = {
		{"ssh-ed25519", 2},
		{"ssh-rsa", 3},
		{"ssh-dss", 5},
		{"ecdsa-sha2-nistp256", 3},
		{"ecdsa-sha2-nistp384", 3},
		{"ecdsa-sha2-nistp521", 3},
		{"sk-ecdsa-sha2-nistp256@openssh.com", 4},
		{"sk-ssh-ed25519@openssh.com", 3},
	};
	static const char cert[] = "-cert-v01@openssh.com";
	const char *name;
	pfi_wire r = {blob, len};
	size_t name_len = 0, last = 0, i;
	int fields = 0;

	if (blob_type(blob, len, &name, &name_len) != 0)
		return -1;
	if (name_len > sizeof(cert) - 1 &&
	    memcmp(name + name_len - (sizeof(cert) - 1), cert, sizeof(cert) - 1) == 0)
		return 0;
	while (r.left > 0) {
		const unsigned char *f;

		if (pfi_wire_string(&r, &f, &last) != 0)
			return -1;
		fields++;
	}
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strlen(known[i].name) != name_len || memcmp(known[i].name, name, name_len) != 0)
			continue;
		if (fields != known[i].fields)
			return -1;
		if (i == 0 && last != 32)
			return -1;
	}
	return 0;
}

/* ASCII-only names, no blanks or controls: safe to write into the file. */
static int valid_type_name(const char *s)
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if ((unsigned char)s[n] <= ' ' || (unsigned char)s[n] >= 0x7f)
			return 0;
	}
	return n > 0 && n < PF_KH_TYPE_SIZE;
}

const char *pf_knownhosts_key_type(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "rsa-sha2-256") == 0 || strcmp(name, "rsa-sha2-512") == 0)
		return "ssh-rsa";
	if (strcmp(name, "rsa-sha2-256-cert-v01@openssh.com") == 0 ||
	    strcmp(name, "rsa-sha2-512-cert-v01@openssh.com") == 0)
		return "ssh-rsa-cert-v01@openssh.com";
	return name;
}

/* Same family for CHANGED: equal names, or ECDSA on any curve (OpenSSH
 * compares key types without the curve). Both names already normalised. */
static int same_family(const char *a, const char *b)
{
	static const char ecdsa[] = "ecdsa-sha2-";

	if (strcmp(a, b) == 0)
		return 1;
	return strncmp(a, ecdsa, sizeof(ecdsa) - 1) == 0 &&
	       strncmp(b, ecdsa, sizeof(ecdsa) - 1) == 0;
}

pf_rc pf_knownhosts_fingerprint(const unsigned char *blob, size_t blob_len, char *out,
				size_t out_size)
{
	if (out == NULL || out_size < PF_KH_FP_SIZE || (blob == NULL && blob_len > 0))
		return PF_E_INVAL;
	out[0] = '\0';
	if (pfi_fingerprint_blob(blob, blob_len, out, out_size) != 0)
		return PF_E_INTERNAL;
	return PF_OK;
}

pf_rc pf_knownhosts_decode_key(const char *base64, unsigned char **blob, size_t *blob_len,
			       pf_error *err)
{
	size_t len, n = 0;
	unsigned char *buf;

	*blob = NULL;
	*blob_len = 0;
	if (base64 == NULL)
		return pf_error_set(err, PF_E_INVAL, "No key");
	len = strlen(base64);
	buf = malloc(PFI_B64_DECODED_MAX(len));
	if (buf == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	if (pfi_b64_decode_buf(base64, len, 0, buf, &n) != 0 || blob_valid(buf, n) != 0) {
		free(buf);
		return pf_error_set(err, PF_E_INVAL, "The key is not a base64 SSH public key");
	}
	*blob = buf;
	*blob_len = n;
	return PF_OK;
}

/* HMAC-SHA1(salt, name): how OpenSSH hashes host names (|1|salt|hash). */
static int hash_host(const unsigned char *salt, const char *name, unsigned char out[SHA1_LEN])
{
	unsigned int len = 0;

	if (HMAC(EVP_sha1(), salt, SHA1_LEN, (const unsigned char *)name, strlen(name), out,
		 &len) == NULL ||
	    len != SHA1_LEN)
		return -1;
	return 0;
}

char *pf_knownhosts_host_name(const char *host, int port, const char *alias)
{
	char *name, *p;

	if (alias != NULL && alias[0] != '\0')
		name = pf_strdup(alias);
	else if (host == NULL || host[0] == '\0')
		return NULL;
	else if (port == 0 || port == 22)
		name = pf_strdup(host);
	else
		name = pf_asprintf("[%s]:%d", host, port);
	if (name == NULL)
		return NULL;
	for (p = name; *p != '\0'; p++)
		*p = lower(*p);
	return name;
}

/* --- host names ---------------------------------------------------------------- */

static int entry_matches(const struct kh_entry *e, const char *name)
{
	unsigned char h[SHA1_LEN];

	if (e->hosts != NULL)
		return pfi_match_list(name, e->hosts, 1) == 1;
	if (hash_host(e->salt, name, h) != 0)
		return 0;
	return CRYPTO_memcmp(h, e->hash, SHA1_LEN) == 0;
}

/* --- parsing -------------------------------------------------------------------- */

static void diag(pf_knownhosts *kh, pf_rc code, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Keep the first PF_KH_MAX_DIAGS - 1; the last slot is for the count of the
 * rest (added by finish_diags). Out of memory drops the diagnostic. */
static void diag(pf_knownhosts *kh, pf_rc code, int line, const char *fmt, ...)
{
	va_list ap;
	pf_error *d;

	if (kh->ndiag >= PF_KH_MAX_DIAGS - 1) {
		kh->more++;
		return;
	}
	if (kh->diags == NULL) {
		kh->diags = PF_NEW_ARRAY(pf_error, PF_KH_MAX_DIAGS);
		if (kh->diags == NULL)
			return;
	}
	d = &kh->diags[kh->ndiag++];
	va_start(ap, fmt);
	pf_error_vset(d, code, fmt, ap);
	va_end(ap);
	snprintf(d->where, sizeof(d->where), "%s:%d", kh->path, line);
}

static void finish_diags(pf_knownhosts *kh)
{
	pf_error *d;

	if (kh->more == 0 || kh->diags == NULL)
		return;
	d = &kh->diags[kh->ndiag++];
	pf_error_set(
		d, PF_E_INVAL,
		"and %u more line(s) skipped or ignored, not listed here; check the whole file",
		(unsigned)kh->more);
	pf_strlcpy(d->where, kh->path, sizeof(d->where));
}

/* The start of a line for messages: at most SNIPPET_LEN characters,
 * controls and non-ASCII bytes shown as '?'. */
static void snippet(const char *p, size_t len, char *out, size_t size)
{
	size_t i, n = len < SNIPPET_LEN ? len : SNIPPET_LEN;

	if (n > size - 4)
		n = size - 4;
	for (i = 0; i < n; i++)
		out[i] = ((unsigned char)p[i] < ' ' || (unsigned char)p[i] >= 0x7f) ? '?' : p[i];
	if (n < len) {
		out[i++] = '.';
		out[i++] = '.';
		out[i++] = '.';
	}
	out[i] = '\0';
}

/* The next blank-separated field of [*p, end): NUL-terminated in place (the
 * byte after it is a blank, or `end`, which is writable: a line end or the
 * buffer's final NUL). Returns NULL when there is none. */
static char *next_field(char **p, char *end)
{
	char *s = *p, *f;

	while (s < end && is_blank(*s))
		s++;
	if (s == end)
		return NULL;
	f = s;
	while (s < end && !is_blank(*s))
		s++;
	if (s < end) {
		*s = '\0';
		*p = s + 1;
	} else {
		*s = '\0';
		*p = end;
	}
	return f;
}

/* "|1|salt|hash" decoded in place into e->salt / e->hash. */
static int parse_hashed(char *field, struct kh_entry *e)
{
	char *salt = field + 3, *bar;
	size_t n = 0;

	if (strncmp(field, "|1|", 3) != 0)
		return -1;
	bar = strchr(salt, '|');
	if (bar == NULL || bar - salt != 28 || strlen(bar + 1) != 28)
		return -1;
	if (pfi_b64_decode_buf(salt, 28, 0, (unsigned char *)salt, &n) != 0 || n != SHA1_LEN)
		return -1;
	if (pfi_b64_decode_buf(bar + 1, 28, 0, (unsigned char *)bar + 1, &n) != 0 || n != SHA1_LEN)
		return -1;
	e->salt = (const unsigned char *)salt;
	e->hash = (const unsigned char *)bar + 1;
	return 0;
}

static pf_rc add_entry(pf_knownhosts *kh, const struct kh_entry *e)
{
	if (PF_ARRAY_GROW(kh->entries, kh->cap, kh->count + 1, 16) != 0)
		return PF_E_NOMEM;
	kh->entries[kh->count++] = *e;
	return PF_OK;
}

/* One line [p, p + len) (without its '\n'); `end` is p + len, writable. */
static pf_rc parse_line(pf_knownhosts *kh, int line, char *p, size_t len)
{
	char quote[SNIPPET_LEN + 4];
	char *end = p + len, *f, *hosts, *type, *key;
	struct kh_entry e;
	const char *bt;
	size_t btlen = 0, n = 0;

	if (len > PF_KH_MAX_LINE) {
		diag(kh, PF_E_TOOBIG, line,
		     "line is %u characters long, over the limit of %d; skipped. Fix or delete "
		     "this line.",
		     (unsigned)len, PF_KH_MAX_LINE);
		return PF_OK;
	}
	if (memchr(p, '\0', len) != NULL) {
		diag(kh, PF_E_INVAL, line,
		     "line contains a NUL byte (the file may be damaged); skipped. Fix or delete "
		     "this line.");
		return PF_OK;
	}
	while (end > p && (is_blank(end[-1]) || end[-1] == '\r'))
		end--;
	while (p < end && is_blank(*p))
		p++;
	if (p == end || *p == '#')
		return PF_OK;
	snippet(p, (size_t)(end - p), quote, sizeof(quote));

	memset(&e, 0, sizeof(e));
	e.line = line;
	f = next_field(&p, end);
	if (f[0] == '@') {
		if (strcmp(f, "@cert-authority") == 0) {
			diag(kh, PF_E_UNSUPPORTED, line,
			     "\"%s\": @cert-authority line ignored (host certificates are not "
			     "supported); hosts are checked against their own keys only.",
			     quote);
			return PF_OK;
		}
		if (strcmp(f, "@revoked") != 0) {
			diag(kh, PF_E_INVAL, line,
			     "\"%s\": unknown marker (only @revoked and @cert-authority exist); "
			     "skipped. Fix or delete this line.",
			     quote);
			return PF_OK;
		}
		e.marker = MARK_REVOKED;
		f = next_field(&p, end);
	}
	hosts = f;
	type = next_field(&p, end);
	key = next_field(&p, end);
	if (hosts == NULL || type == NULL || key == NULL) {
		diag(kh, PF_E_INVAL, line,
		     "\"%s\": expected \"host-patterns key-type base64-key\"; skipped. Fix or "
		     "delete this line.",
		     quote);
		return PF_OK;
	}
	if (type[0] >= '0' && type[0] <= '9') {
		diag(kh, PF_E_INVAL, line,
		     "\"%s\": an SSH-1 key, which SSH-2 servers never use; skipped. Delete this "
		     "line.",
		     quote);
		return PF_OK;
	}
	if (hosts[0] == '|') {
		if (parse_hashed(hosts, &e) != 0) {
			diag(kh, PF_E_INVAL, line,
			     "\"%s\": bad hashed host name (expected |1|salt|hash in base64); "
			     "skipped. Fix or delete this line.",
			     quote);
			return PF_OK;
		}
	} else {
		e.hosts = hosts;
	}
	if (pfi_b64_decode_buf(key, strlen(key), 0, (unsigned char *)key, &n) != 0) {
		diag(kh, PF_E_INVAL, line,
		     "\"%s\": the key is not valid base64; skipped. Fix or delete this line.",
		     quote);
		return PF_OK;
	}
	if (blob_type((unsigned char *)key, n, &bt, &btlen) != 0 ||
	    blob_valid((unsigned char *)key, n) != 0) {
		diag(kh, PF_E_INVAL, line,
		     "\"%s\": the key data is not an SSH public key; skipped. Fix or delete this "
		     "line.",
		     quote);
		return PF_OK;
	}
	if (strlen(pf_knownhosts_key_type(type)) != btlen ||
	    memcmp(pf_knownhosts_key_type(type), bt, btlen) != 0) {
		diag(kh, PF_E_INVAL, line,
		     "\"%s\": key type %s does not match the key data (%.*s); skipped. Fix or "
		     "delete this line.",
		     quote, type, (int)btlen, bt);
		return PF_OK;
	}
	e.type = type;
	e.blob = (const unsigned char *)key;
	e.blob_len = n;
	return add_entry(kh, &e);
}

pf_rc pf_knownhosts_parse(const char *path, const char *data, size_t len, pf_knownhosts **out,
			  pf_error *err)
{
	pf_knownhosts *kh = NULL;
	pf_rc rc = PF_OK;
	size_t pos = 0;
	int line = 0;

	*out = NULL;
	if (data == NULL && len > 0)
		return pf_error_set(err, PF_E_INVAL, "No known_hosts data");
	if (len > PF_KH_MAX_FILE)
		return pf_error_set(err, PF_E_TOOBIG,
				    "%s is larger than %u bytes; it cannot be a known_hosts file "
				    "(check UserKnownHostsFile).",
				    path ? path : "known_hosts", PF_KH_MAX_FILE);
	kh = PF_NEW(pf_knownhosts);
	if (kh == NULL)
		goto oom;
	kh->path = pf_strdup(path != NULL ? path : "");
	kh->buf = malloc(len + 1);
	if (kh->path == NULL || kh->buf == NULL)
		goto oom;
	if (len > 0)
		memcpy(kh->buf, data, len);
	kh->buf[len] = '\0';
	while (pos < len) {
		char *start = kh->buf + pos;
		char *nl = memchr(start, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - start) : len - pos;

		line++;
		rc = parse_line(kh, line, start, n);
		if (rc != PF_OK)
			goto oom;
		pos += n + (nl != NULL ? 1 : 0);
	}
	finish_diags(kh);
	*out = kh;
	return PF_OK;
oom:
	pf_knownhosts_free(kh);
	return pf_error_set(err, PF_E_NOMEM, "Out of memory reading %s",
			    path ? path : "known_hosts");
}

pf_rc pf_knownhosts_load(const char *path, pf_knownhosts **out, pf_error *err)
{
	char *data = NULL;
	size_t len = 0;
	pf_rc rc;
	pf_error rerr;

	*out = NULL;
	if (path == NULL)
		return pf_knownhosts_parse("", "", 0, out, err);
	rc = pf_file_read(path, PF_KH_MAX_FILE, &data, &len, &rerr);
	if (rc == PF_E_NOTFOUND && !pf_dir_exists(path))
		return pf_knownhosts_parse(path, "", 0, out, err);
	if (rc == PF_E_TOOBIG)
		return pf_error_set(err, rc,
				    "%s is larger than %u bytes; it cannot be a known_hosts file. "
				    "Check UserKnownHostsFile or move the file away.",
				    path, PF_KH_MAX_FILE);
	if (rc != PF_OK)
		return pf_error_set(err, rc,
				    "Cannot read the known hosts file %s: %s. Host keys cannot be "
				    "checked until it can be read.",
				    path, rerr.message);
	rc = pf_knownhosts_parse(path, data, len, out, err);
	free(data);
	return rc;
}

void pf_knownhosts_free(pf_knownhosts *kh)
{
	if (kh == NULL)
		return;
	free(kh->path);
	free(kh->buf);
	free(kh->entries);
	free(kh->diags);
	free(kh);
}

const char *pf_knownhosts_path(const pf_knownhosts *kh)
{
	return kh != NULL && kh->path != NULL ? kh->path : "";
}

size_t pf_knownhosts_count(const pf_knownhosts *kh)
{
	return kh != NULL ? kh->count : 0;
}

size_t pf_knownhosts_diag_count(const pf_knownhosts *kh)
{
	return kh != NULL ? kh->ndiag : 0;
}

const pf_error *pf_knownhosts_diag(const pf_knownhosts *kh, size_t i)
{
	if (kh == NULL || i >= kh->ndiag)
		return NULL;
	return &kh->diags[i];
}

/* --- lookup ------------------------------------------------------------------------ */

/* The presented key's recorded type name, checked against the blob. */
static pf_rc presented_type(const char *key_type, const unsigned char *blob, size_t blob_len,
			    char *out, pf_error *err)
{
	const char *bt;
	size_t btlen = 0;

	if (blob_type(blob, blob_len, &bt, &btlen) != 0 || blob_valid(blob, blob_len) != 0)
		return pf_error_set(err, PF_E_INVAL,
				    "The server's host key is not a valid SSH public key");
	memcpy(out, bt, btlen);
	out[btlen] = '\0';
	if (key_type != NULL && strcmp(pf_knownhosts_key_type(key_type), out) != 0)
		return pf_error_set(err, PF_E_INVAL,
				    "The host key type %s does not match the key (%s)", key_type,
				    out);
	return PF_OK;
}

static void set_old(pf_knownhosts_result *res, const struct kh_entry *e)
{
	res->old_line = e->line;
	pf_strlcpy(res->old_key_type, pf_knownhosts_key_type(e->type), sizeof(res->old_key_type));
	if (pf_knownhosts_fingerprint(e->blob, e->blob_len, res->old_fingerprint,
				      sizeof(res->old_fingerprint)) != PF_OK)
		res->old_fingerprint[0] = '\0';
}

pf_rc pf_knownhosts_check(const pf_knownhosts *kh, const char *host, int port, const char *alias,
			  const char *key_type, const unsigned char *blob, size_t blob_len,
			  pf_knownhosts_result *res, pf_error *err)
{
	const struct kh_entry *revoked = NULL, *match = NULL, *changed = NULL, *other = NULL;
	char *name = NULL;
	pf_rc rc;
	size_t i;

	memset(res, 0, sizeof(*res));
	res->status = PF_KH_UNKNOWN;
	if (port < 0 || port > 65535)
		return pf_error_set(err, PF_E_INVAL, "Port %d is out of range", port);
	rc = presented_type(key_type, blob, blob_len, res->key_type, err);
	if (rc != PF_OK)
		return rc;
	rc = pf_knownhosts_fingerprint(blob, blob_len, res->fingerprint, sizeof(res->fingerprint));
	if (rc != PF_OK)
		return pf_error_set(err, rc, "Cannot compute the host key's fingerprint");
	if ((alias == NULL || alias[0] == '\0') && (host == NULL || host[0] == '\0'))
		return pf_error_set(err, PF_E_INVAL, "No host name to look up in known_hosts");
	name = pf_knownhosts_host_name(host, port, alias);
	if (name == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	if (pf_strlcpy(res->name, name, sizeof(res->name)) != 0) {
		free(name);
		return pf_error_set(err, PF_E_INVAL, "Host name too long for known_hosts");
	}
	free(name);

	for (i = 0; kh != NULL && i < kh->count; i++) {
		const struct kh_entry *e = &kh->entries[i];
		int same_key = e->blob_len == blob_len && memcmp(e->blob, blob, blob_len) == 0;

		if (!entry_matches(e, res->name))
			continue;
		if (e->marker == MARK_REVOKED) {
			if (same_key && revoked == NULL)
				revoked = e;
		} else if (same_key) {
			if (match == NULL)
				match = e;
		} else if (same_family(pf_knownhosts_key_type(e->type), res->key_type)) {
			if (changed == NULL)
				changed = e;
		} else if (other == NULL) {
			other = e;
		}
	}
	if (revoked != NULL) {
		res->status = PF_KH_REVOKED;
		set_old(res, revoked);
	} else if (match != NULL) {
		res->status = PF_KH_MATCH;
		set_old(res, match);
	} else if (changed != NULL) {
		res->status = PF_KH_CHANGED;
		set_old(res, changed);
	} else if (other != NULL) {
		res->status = PF_KH_OTHER_TYPE;
		set_old(res, other);
	}
	return PF_OK;
}

/* How strongly a status decides across several files: @revoked anywhere
 * beats a match anywhere, which beats a mismatch anywhere (OpenSSH). */
static int status_rank(pf_knownhosts_status st)
{
	switch (st) {
	case PF_KH_REVOKED: return 4;
	case PF_KH_MATCH: return 3;
	case PF_KH_CHANGED: return 2;
	case PF_KH_OTHER_TYPE: return 1;
	default: return 0;
	}
}

pf_rc pf_knownhosts_check_files(pf_knownhosts *const *kh, size_t n, const char *host, int port,
				const char *alias, const char *key_type, const unsigned char *blob,
				size_t blob_len, pf_knownhosts_result *res, size_t *decided,
				pf_error *err)
{
	pf_knownhosts_result one;
	size_t i;
	pf_rc rc;

	*decided = 0;
	/* With no file at all, still fill res (name, type, fingerprint). */
	rc = pf_knownhosts_check(n > 0 ? kh[0] : NULL, host, port, alias, key_type, blob, blob_len,
				 res, err);
	for (i = 1; rc == PF_OK && i < n; i++) {
		rc = pf_knownhosts_check(kh[i], host, port, alias, key_type, blob, blob_len, &one,
					 err);
		if (rc == PF_OK && status_rank(one.status) > status_rank(res->status)) {
			*res = one;
			*decided = i;
		}
	}
	return rc;
}

pf_rc pf_knownhosts_refusal(const pf_knownhosts *kh, const pf_knownhosts_result *res, pf_error *err)
{
	const char *path = pf_knownhosts_path(kh);

	switch (res->status) {
	case PF_KH_CHANGED:
		pf_error_set(err, PF_E_HOSTKEY,
			     "The host key of %s has CHANGED: the server sent %s %s, but %s line "
			     "%d records %s %s. Someone may be intercepting the connection, or the "
			     "server was reinstalled. Ask the server's administrator; if the new "
			     "key is genuine, delete line %d of %s and connect again.",
			     res->name, res->key_type, res->fingerprint, path, res->old_line,
			     res->old_key_type, res->old_fingerprint, res->old_line, path);
		break;
	case PF_KH_OTHER_TYPE:
		pf_error_set(err, PF_E_HOSTKEY,
			     "The server %s sent a %s host key (%s), but %s line %d records a key "
			     "of another type for it (%s %s). Someone may be intercepting the "
			     "connection, or the server's keys were replaced. Ask the server's "
			     "administrator; if the new key is genuine, delete line %d of %s and "
			     "connect again.",
			     res->name, res->key_type, res->fingerprint, path, res->old_line,
			     res->old_key_type, res->old_fingerprint, res->old_line, path);
		break;
	case PF_KH_REVOKED:
		pf_error_set(
			err, PF_E_HOSTKEY,
			"The host key the server %s sent (%s %s) is marked @revoked in %s "
			"line %d and is never accepted. Ask the server's administrator for its "
			"current key.",
			res->name, res->key_type, res->fingerprint, path, res->old_line);
		break;
	default: return PF_OK;
	}
	if (err != NULL)
		snprintf(err->where, sizeof(err->where), "%s:%d", path, res->old_line);
	return PF_E_HOSTKEY;
}

/* --- adding ------------------------------------------------------------------------- */

/* Host names that cannot break the line format or read as something else. */
static int valid_host_name(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '|' || s[0] == '@' || s[0] == '#' || s[0] == '!')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		/* A pattern character written here would turn the line into a
		 * pattern that matches (and then "changes") other hosts. */
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f || s[i] == ',' || s[i] == '*' ||
		    s[i] == '?' || s[i] == '!')
			return 0;
	}
	return 1;
}

/* The host field to write: the name, or |1|salt|hash. Caller frees. */
static pf_rc host_field(const char *name, unsigned flags, char **out, pf_error *err)
{
	unsigned char salt[SHA1_LEN], h[SHA1_LEN];
	char *s64 = NULL, *h64 = NULL;
	pf_rc rc = PF_OK;

	*out = NULL;
	if (!(flags & PF_KH_ADD_HASHED)) {
		*out = pf_strdup(name);
		return *out != NULL ? PF_OK : pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	if (pf_random_bytes(salt, sizeof(salt)) != PF_OK || hash_host(salt, name, h) != 0) {
		rc = pf_error_set(err, PF_E_INTERNAL, "Cannot hash the host name %s", name);
		goto out;
	}
	s64 = pfi_b64_encode(salt, sizeof(salt), 0);
	h64 = pfi_b64_encode(h, sizeof(h), 0);
	if (s64 == NULL || h64 == NULL || (*out = pf_asprintf("|1|%s|%s", s64, h64)) == NULL)
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
out:
	free(s64);
	free(h64);
	return rc;
}

/* The checks an edit starts with: *out cleared, a NULL path or old content
 * made "known_hosts" / empty, the port, and the presented key's type name
 * (checked against the blob) into type. */
static pf_rc edit_start(const char **path, const char *old, size_t *old_len, int port,
			const char *key_type, const unsigned char *blob, size_t blob_len,
			char *type, char **out, size_t *out_len, pf_error *err)
{
	pf_rc rc;

	*out = NULL;
	*out_len = 0;
	if (*path == NULL)
		*path = "known_hosts";
	if (old == NULL)
		*old_len = 0;
	if (port < 0 || port > 65535)
		return pf_error_set(err, PF_E_INVAL, "Port %d is out of range", port);
	rc = presented_type(key_type, blob, blob_len, type, err);
	if (rc != PF_OK)
		return rc;
	if (!valid_type_name(type))
		return pf_error_set(err, PF_E_INVAL, "Bad key type name");
	return PF_OK;
}

/* The buffer for an edited file of `total` bytes (+ NUL), within the limit. */
static pf_rc edit_alloc(const char *path, const char *what, size_t total, char **buf, pf_error *err)
{
	*buf = NULL;
	if (total > PF_KH_MAX_FILE)
		return pf_error_set(err, PF_E_TOOBIG,
				    "Cannot %s the host key: %s would grow over %u bytes. Remove "
				    "old entries from it first.",
				    what, path, PF_KH_MAX_FILE);
	*buf = malloc(total + 1);
	if (*buf == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	return PF_OK;
}

/* Replace `path` by the edited content; one message naming the file. */
static pf_rc edit_write(const char *path, const char *what, const char *data, size_t len,
			pf_error *err)
{
	pf_error ierr;
	pf_rc rc;

	pf_error_clear(&ierr);
	rc = pf_file_write_atomic(path, data, len, &ierr);
	if (rc != PF_OK)
		rc = pf_error_set(err, rc,
				  "Cannot %s the host key in %s: %s. The file was not changed; "
				  "check that its folder is writable and the disk has room.",
				  what, path, ierr.message);
	return rc;
}

pf_rc pf_knownhosts_append(const char *path, const char *old, size_t old_len, const char *host,
			   int port, const char *alias, const char *key_type,
			   const unsigned char *blob, size_t blob_len, unsigned flags, char **out,
			   size_t *out_len, pf_error *err)
{
	char type[PF_KH_TYPE_SIZE];
	char *name = NULL, *field = NULL, *key = NULL, *buf = NULL;
	const char *eol = "\n", *sep = "";
	const char *nl;
	size_t total, o;
	pf_rc rc;

	rc = edit_start(&path, old, &old_len, port, key_type, blob, blob_len, type, out, out_len,
			err);
	if (rc != PF_OK)
		return rc;
	name = pf_knownhosts_host_name(host, port, alias);
	if (name == NULL) {
		if ((alias == NULL || alias[0] == '\0') && (host == NULL || host[0] == '\0'))
			return pf_error_set(err, PF_E_INVAL, "No host name to save in %s", path);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	if (!valid_host_name(name) || strlen(name) >= PF_KH_NAME_SIZE) {
		rc = pf_error_set(
			err, PF_E_INVAL,
			"The host name \"%.100s\" cannot be saved in %s: it is empty, too "
			"long, or contains a wildcard (* ?), !, a comma, a blank or a control "
			"character. Set HostKeyAlias (or HostName) to one plain host name.",
			name, path);
		goto out;
	}
	rc = host_field(name, flags, &field, err);
	if (rc != PF_OK)
		goto out;
	key = pfi_b64_encode(blob, blob_len, 0);
	if (key == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	/* The file's own line ending: that of its first line. */
	nl = old_len > 0 ? memchr(old, '\n', old_len) : NULL;
	if (nl != NULL && nl > old && nl[-1] == '\r')
		eol = "\r\n";
	if (old_len > 0 && old[old_len - 1] != '\n')
		sep = old[old_len - 1] == '\r' ? "\n" : eol;

	total = old_len + strlen(sep) + strlen(field) + 1 + strlen(type) + 1 + strlen(key) +
		strlen(eol);
	rc = edit_alloc(path, "save", total, &buf, err);
	if (rc != PF_OK)
		goto out;
	if (old_len > 0)
		memcpy(buf, old, old_len);
	o = old_len;
	o += (size_t)snprintf(buf + o, total + 1 - o, "%s%s %s %s%s", sep, field, type, key, eol);
	if (o != total) {
		rc = pf_error_set(err, PF_E_INTERNAL, "Building the known_hosts line failed");
		goto out;
	}
	*out = buf;
	*out_len = total;
	buf = NULL;
out:
	free(buf);
	free(name);
	free(field);
	free(key);
	return rc;
}

pf_rc pf_knownhosts_add(const char *path, const char *host, int port, const char *alias,
			const char *key_type, const unsigned char *blob, size_t blob_len,
			unsigned flags, pf_error *err)
{
	char *old = NULL, *data = NULL, *dir = NULL;
	size_t old_len = 0, len = 0;
	pf_error ierr;
	pf_rc rc;

	if (path == NULL || path[0] == '\0')
		return pf_error_set(err, PF_E_INVAL,
				    "The host key was not saved: UserKnownHostsFile is none");
	if (pf_file_discards(path))
		return PF_OK; /* /dev/null, NUL: nothing to keep (callers say so) */
	pf_error_clear(&ierr);
	rc = pf_file_read(path, PF_KH_MAX_FILE, &old, &old_len, &ierr);
	if (rc == PF_E_NOTFOUND) {
		dir = pf_path_dirname(path);
		if (dir == NULL) {
			rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
			goto out;
		}
		if (pf_file_exists(dir)) {
			rc = pf_error_set(err, PF_E_INVAL,
					  "Cannot save the host key in %s: %s is a file, not a "
					  "folder. Set UserKnownHostsFile to a path in a folder.",
					  path, dir);
			goto out;
		}
		if (!pf_dir_exists(dir)) {
			rc = pf_error_set(err, PF_E_NOTFOUND,
					  "Cannot save the host key in %s: the folder %s does not "
					  "exist. Create it or set UserKnownHostsFile.",
					  path, dir);
			goto out;
		}
		old_len = 0;
	} else if (rc != PF_OK) {
		rc = pf_error_set(err, rc,
				  "Cannot save the host key in %s: %s. The file was not changed.",
				  path, ierr.message);
		goto out;
	}
	rc = pf_knownhosts_append(path, old, old_len, host, port, alias, key_type, blob, blob_len,
				  flags, &data, &len, err);
	if (rc != PF_OK)
		goto out;
	rc = edit_write(path, "save", data, len, err);
out:
	free(old);
	free(data);
	free(dir);
	return rc;
}

/* --- replacing ---------------------------------------------------------------------- */

/* The line's host field names one host: one literal name or [name]:port, or
 * one hashed entry; no pattern, no negation, no list. */
static int names_one_host(const struct kh_entry *e)
{
	return e->hosts == NULL || strpbrk(e->hosts, "*?!,") == NULL;
}

pf_rc pf_knownhosts_replace_text(const char *path, const char *old, size_t old_len, int line,
				 const char *host, int port, const char *alias,
				 const char *old_fingerprint, const char *key_type,
				 const unsigned char *blob, size_t blob_len, char **out,
				 size_t *out_len, pf_error *err)
{
	char type[PF_KH_TYPE_SIZE], fp[PF_KH_FP_SIZE];
	char *name = NULL, *key = NULL, *buf = NULL;
	pf_knownhosts *kh = NULL;
	const struct kh_entry *e = NULL;
	size_t i, type_off, type_end, key_off, key_end, line_start, line_end, total, o;
	pf_rc rc;

	rc = edit_start(&path, old, &old_len, port, key_type, blob, blob_len, type, out, out_len,
			err);
	if (rc != PF_OK)
		return rc;
	name = pf_knownhosts_host_name(host, port, alias);
	if (name == NULL)
		return pf_error_set(err, PF_E_INVAL, "No host name to look up in %s", path);
	rc = pf_knownhosts_parse(path, old, old_len, &kh, err);
	if (rc != PF_OK)
		goto out;
	for (i = 0; i < kh->count && e == NULL; i++)
		if (kh->entries[i].line == line)
			e = &kh->entries[i];
	/* The line must still be what the person was shown: a plain key line
	 * of this host, of the same family, with the old fingerprint. */
	if (e != NULL && old_fingerprint != NULL &&
	    (pf_knownhosts_fingerprint(e->blob, e->blob_len, fp, sizeof(fp)) != PF_OK ||
	     strcmp(fp, old_fingerprint) != 0))
		e = NULL;
	if (e == NULL || e->marker != MARK_NONE || !entry_matches(e, name) ||
	    !same_family(pf_knownhosts_key_type(e->type), type)) {
		rc = pf_error_set(
			err, PF_E_HOSTKEY,
			"%s line %d no longer holds the recorded key of %s that was to be "
			"replaced (the file changed meanwhile, or it is a @revoked "
			"line); nothing was written. Connect again.",
			path, line, name);
		goto out;
	}
	/* The new key goes to every host the line names: only a line for this
	 * host alone may be rewritten. */
	if (!names_one_host(e)) {
		rc = pf_error_set(err, PF_E_HOSTKEY,
				  "%s:%d names other hosts too (\"%.80s\"): its key cannot be "
				  "replaced for %s alone, so nothing was written. Split the line "
				  "so that %s has a line of its own (or remove it with ssh-keygen "
				  "-R), then connect again.",
				  path, line, e->hosts, name, name);
		goto out;
	}
	/* Offsets into the original bytes: the parser tokenised its own copy
	 * in place, so its pointers sit at the same offsets. */
	type_off = (size_t)(e->type - kh->buf);
	type_end = type_off + strlen(e->type);
	key_off = (size_t)((const char *)e->blob - kh->buf);
	for (key_end = key_off; key_end < old_len && !is_blank(old[key_end]) &&
				old[key_end] != '\r' && old[key_end] != '\n';
	     key_end++)
		;
	for (line_start = type_off; line_start > 0 && old[line_start - 1] != '\n'; line_start--)
		;
	for (line_end = key_end; line_end < old_len && old[line_end] != '\n'; line_end++)
		;
	key = pfi_b64_encode(blob, blob_len, 0);
	if (key == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	total = old_len - (key_end - key_off) - (type_end - type_off) + strlen(type) + strlen(key);
	if (line_end - line_start - (key_end - key_off) - (type_end - type_off) + strlen(type) +
		    strlen(key) >
	    PF_KH_MAX_LINE) {
		rc = pf_error_set(err, PF_E_TOOBIG,
				  "Cannot replace the key in %s line %d: the line would be longer "
				  "than %d characters.",
				  path, line, PF_KH_MAX_LINE);
		goto out;
	}
	rc = edit_alloc(path, "replace", total, &buf, err);
	if (rc != PF_OK)
		goto out;
	o = 0;
	memcpy(buf + o, old, type_off);
	o += type_off;
	memcpy(buf + o, type, strlen(type));
	o += strlen(type);
	memcpy(buf + o, old + type_end, key_off - type_end);
	o += key_off - type_end;
	memcpy(buf + o, key, strlen(key));
	o += strlen(key);
	memcpy(buf + o, old + key_end, old_len - key_end);
	o += old_len - key_end;
	if (o != total) {
		rc = pf_error_set(err, PF_E_INTERNAL, "Building the known_hosts line failed");
		goto out;
	}
	buf[total] = '\0';
	*out = buf;
	*out_len = total;
	buf = NULL;
out:
	pf_knownhosts_free(kh);
	free(buf);
	free(key);
	free(name);
	return rc;
}

pf_rc pf_knownhosts_replace(const char *path, int line, const char *host, int port,
			    const char *alias, const char *old_fingerprint, const char *key_type,
			    const unsigned char *blob, size_t blob_len, pf_error *err)
{
	char *old = NULL, *data = NULL;
	size_t old_len = 0, len = 0;
	pf_error ierr;
	pf_rc rc;

	if (path == NULL || path[0] == '\0' || strcmp(path, "none") == 0)
		return pf_error_set(err, PF_E_INVAL, "No known_hosts file to replace a key in");
	pf_error_clear(&ierr);
	rc = pf_file_read(path, PF_KH_MAX_FILE, &old, &old_len, &ierr);
	if (rc != PF_OK) {
		rc = pf_error_set(err, rc,
				  "Cannot replace the host key in %s: %s. The file was not "
				  "changed.",
				  path, ierr.message);
		goto out;
	}
	rc = pf_knownhosts_replace_text(path, old, old_len, line, host, port, alias,
					old_fingerprint, key_type, blob, blob_len, &data, &len,
					err);
	if (rc != PF_OK)
		goto out;
	rc = edit_write(path, "replace", data, len, err);
out:
	free(old);
	free(data);
	return rc;
}

int pf_knownhosts_fingerprint_matches(const char *typed, const char *fingerprint)
{
	static const char prefix[] = "SHA256:";
	const size_t plen = sizeof(prefix) - 1;
	const char *p, *tok = NULL, *pick = NULL;
	size_t toklen = 0, picklen = 0, ntok = 0, nprefixed = 0, n;

	if (typed == NULL || fingerprint == NULL || strncmp(fingerprint, prefix, plen) != 0 ||
	    fingerprint[plen] == '\0')
		return 0;
	for (p = typed; *p != '\0';) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		tok = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			p++;
		toklen = (size_t)(p - tok);
		ntok++;
		if (toklen > plen && strncmp(tok, prefix, plen) == 0) {
			nprefixed++;
			pick = tok + plen;
			picklen = toklen - plen;
		}
	}
	if (ntok == 1 && nprefixed == 0) {
		pick = tok; /* the bare base64 */
		picklen = toklen;
	} else if (nprefixed != 1) {
		return 0;
	}
	n = strlen(fingerprint + plen);
	return picklen == n && memcmp(pick, fingerprint + plen, n) == 0;
}
