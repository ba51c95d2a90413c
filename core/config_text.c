/* Config support: diagnostics, decoding the file's bytes, wildcard
 * patterns and algorithm lists. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "match.h"
#include "pf/mem.h"
#include "pf/textconv.h"

#define DIAG_TEXT_MAX 200 /* characters of the offending line we quote */

/* ---- Diagnostics ---------------------------------------------------- */

void pf_diag_init(pf_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void pf_diag_free(pf_diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->count; i++) {
		free(d->items[i].path);
		free(d->items[i].text);
		free(d->items[i].message);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

const char *pf_diag_level_name(pf_diag_level level)
{
	switch (level) {
	case PF_DIAG_VERBOSE: return "verbose";
	case PF_DIAG_NOTE: return "note";
	case PF_DIAG_WARNING: return "warning";
	case PF_DIAG_ERROR: return "error";
	}
	return "?";
}

/* Copy at most DIAG_TEXT_MAX characters of a line, never splitting a UTF-8
 * sequence; control characters other than tab become '?'. */
static char *quote_line(const char *text)
{
	size_t n = 0, chars = 0, len = strlen(text);
	char *r;

	while (n < len && chars < DIAG_TEXT_MAX) {
		n++;
		while (n < len && ((unsigned char)text[n] & 0xC0) == 0x80)
			n++;
		chars++;
	}
	r = pf_strndup(text, n);
	if (r != NULL) {
		char *p;

		for (p = r; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t')
				*p = '?';
	}
	return r;
}

static size_t diags_in_file(const pf_diags *d, const char *path)
{
	size_t i, n = 0;

	for (i = 0; i < d->count; i++)
		if (strcmp(d->items[i].path, path) == 0)
			n++;
	return n;
}

int cfg_diags_room(const pf_diags *d, const char *path)
{
	return d != NULL && d->count < PF_DIAGS_MAX_TOTAL &&
	       diags_in_file(d, path ? path : "") < PF_DIAGS_MAX_PER_FILE;
}

pf_rc pf_diag_add(pf_diags *d, pf_diag_level level, const char *path, int line, int col,
		  const char *text, const char *fmt, ...)
{
	pf_diag *it;
	va_list ap;
	size_t infile;

	if (d == NULL)
		return PF_OK;
	if (level == PF_DIAG_ERROR)
		d->errors++;
	else if (level == PF_DIAG_WARNING)
		d->warnings++;
	if (path == NULL)
		path = "";
	if (d->count >= PF_DIAGS_MAX_TOTAL)
		return PF_OK;
	infile = diags_in_file(d, path);
	if (infile > PF_DIAGS_MAX_PER_FILE)
		return PF_OK;
	if (PF_ARRAY_GROW(d->items, d->cap, d->count + 1, 16) != 0)
		return PF_E_NOMEM;
	it = &d->items[d->count];
	memset(it, 0, sizeof(*it));
	it->path = pf_strdup(path);
	if (infile == PF_DIAGS_MAX_PER_FILE) {
		it->level = PF_DIAG_NOTE;
		it->message = pf_strdup("Too many problems in this file; the rest are not shown. "
					"Fix the ones above first.");
		text = NULL;
	} else {
		it->level = level;
		it->line = line;
		it->col = col;
		it->text = text ? quote_line(text) : NULL;
		va_start(ap, fmt);
		it->message = pf_vasprintf(fmt, ap);
		va_end(ap);
	}
	if (it->path == NULL || it->message == NULL || (text != NULL && it->text == NULL)) {
		free(it->path);
		free(it->text);
		free(it->message);
		return PF_E_NOMEM;
	}
	d->count++;
	return PF_OK;
}

char *pf_diag_format(const pf_diag *d)
{
	char where[64] = "";

	if (d->line > 0 && d->col > 0) {
		char *w = pf_asprintf(":%d:%d", d->line, d->col);

		if (w == NULL)
			return NULL;
		pf_strlcpy(where, w, sizeof(where));
		free(w);
	} else if (d->line > 0) {
		char *w = pf_asprintf(":%d", d->line);

		if (w == NULL)
			return NULL;
		pf_strlcpy(where, w, sizeof(where));
		free(w);
	}
	if (d->text != NULL)
		return pf_asprintf("%s%s: %s: %s\n    %d | %s", d->path, where,
				   pf_diag_level_name(d->level), d->message, d->line, d->text);
	return pf_asprintf("%s%s: %s: %s", d->path, where, pf_diag_level_name(d->level),
			   d->message);
}

int cfg_utf8_col(const char *line, const char *at)
{
	int col = 1;
	const char *p;

	for (p = line; p < at && *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			col++;
	return col;
}

/* ---- Decoding -------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	uint32_t c;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, c = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, c = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return n;
}

static int utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq((const unsigned char *)s + i, len - i);

		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* UTF-8 with invalid bytes replaced by U+FFFD. */
static char *utf8_repair(const char *s, size_t len, size_t *out_len)
{
	char *r = malloc(len * 3 + 1), *o = r;
	size_t i = 0;

	if (r == NULL)
		return NULL;
	while (i < len) {
		size_t n = utf8_seq((const unsigned char *)s + i, len - i);

		if (n == 0) {
			o += put_utf8(o, 0xFFFD);
			i++;
		} else {
			memcpy(o, s + i, n);
			o += n;
			i += n;
		}
	}
	*o = '\0';
	*out_len = (size_t)(o - r);
	return r;
}

/* UTF-16 (after the BOM) to UTF-8; *bad counts unpaired surrogates. */
static char *utf16_decode(const unsigned char *p, size_t units, int be, size_t *out_len, int *bad)
{
	char *r = malloc(units * 3 + 1), *o = r;
	size_t i;

	*bad = 0;
	if (r == NULL)
		return NULL;
	for (i = 0; i < units; i++) {
		uint32_t c = be ? (uint32_t)(p[2 * i] << 8 | p[2 * i + 1])
				: (uint32_t)(p[2 * i + 1] << 8 | p[2 * i]);

		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
			uint32_t d = be ? (uint32_t)(p[2 * i + 2] << 8 | p[2 * i + 3])
					: (uint32_t)(p[2 * i + 3] << 8 | p[2 * i + 2]);

			if (d >= 0xDC00 && d <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
				i++;
			} else {
				c = 0xFFFD;
				(*bad)++;
			}
		} else if (c >= 0xD800 && c <= 0xDFFF) {
			c = 0xFFFD;
			(*bad)++;
		}
		o += put_utf8(o, c);
	}
	*o = '\0';
	*out_len = (size_t)(o - r);
	return r;
}

pf_rc cfg_decode(const char *path, const char *data, size_t len, char **text, size_t *text_len,
		 const char **encoding, pf_diags *diags)
{
	const unsigned char *u = (const unsigned char *)data;
	char *r = NULL;
	pf_rc rc;

	*text = NULL;
	*text_len = 0;
	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
		int be = u[0] == 0xFE, bad = 0;
		size_t body = len - 2;

		*encoding = be ? "UTF-16BE (BOM)" : "UTF-16LE (BOM)";
		if (body % 2 != 0)
			pf_diag_add(diags, PF_DIAG_ERROR, path, 0, 0, NULL,
				    "The file ends in the middle of a UTF-16 character (it may "
				    "be truncated); the last byte is ignored. Save it again "
				    "with your editor.");
		r = utf16_decode(u + 2, body / 2, be, text_len, &bad);
		if (r == NULL)
			return PF_E_NOMEM;
		if (bad > 0)
			pf_diag_add(diags, PF_DIAG_WARNING, path, 0, 0, NULL,
				    "%d broken UTF-16 character(s) were replaced by U+FFFD. "
				    "Save the file again with your editor.",
				    bad);
		*text = r;
		return PF_OK;
	}
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		data += 3;
		len -= 3;
		*encoding = "UTF-8 (BOM)";
	} else {
		*encoding = "UTF-8";
	}
	if (utf8_valid(data, len)) {
		r = malloc(len + 1); /* not strndup: NUL bytes are reported later */
		if (r == NULL)
			return PF_E_NOMEM;
		memcpy(r, data, len);
		r[len] = '\0';
		*text = r;
		*text_len = len;
		return PF_OK;
	}
	if (strcmp(*encoding, "UTF-8") == 0) {
		rc = pf_textconv_to_utf8(PF_CODEPAGE_SHIFT_JIS, data, len, text, text_len, NULL);
		if (rc == PF_OK) {
			*encoding = "Shift_JIS (CP932)";
			return PF_OK;
		}
		if (rc == PF_E_NOMEM)
			return rc;
	}
	*encoding = "unknown 8-bit (invalid bytes replaced)";
	r = utf8_repair(data, len, text_len);
	if (r == NULL)
		return PF_E_NOMEM;
	pf_diag_add(diags, PF_DIAG_WARNING, path, 0, 0, NULL,
		    "The file is neither valid UTF-8 nor Shift_JIS; unreadable characters were "
		    "replaced. Save it as UTF-8 with your editor.");
	*text = r;
	return PF_OK;
}

/* ---- Algorithms -------------------------------------------------------- */

/* Every name OpenSSH knows, in OpenSSH's order; `ok` when libssh (and so
 * PortForwarder) can use it. */
typedef struct algo_name {
	const char *name;
	int ok;
} algo_name;

static const algo_name ciphers_all[] = {{"3des-cbc", 1},
					{"aes128-cbc", 1},
					{"aes192-cbc", 1},
					{"aes256-cbc", 1},
					{"aes128-ctr", 1},
					{"aes192-ctr", 1},
					{"aes256-ctr", 1},
					{"aes128-gcm@openssh.com", 1},
					{"aes256-gcm@openssh.com", 1},
					{"chacha20-poly1305@openssh.com", 1},
					{NULL, 0}};
static const algo_name macs_all[] = {{"hmac-sha1", 1},
				     {"hmac-sha1-96", 0},
				     {"hmac-sha2-256", 1},
				     {"hmac-sha2-512", 1},
				     {"hmac-md5", 0},
				     {"hmac-md5-96", 0},
				     {"umac-64@openssh.com", 0},
				     {"umac-128@openssh.com", 0},
				     {"hmac-sha1-etm@openssh.com", 1},
				     {"hmac-sha1-96-etm@openssh.com", 0},
				     {"hmac-sha2-256-etm@openssh.com", 1},
				     {"hmac-sha2-512-etm@openssh.com", 1},
				     {"hmac-md5-etm@openssh.com", 0},
				     {"hmac-md5-96-etm@openssh.com", 0},
				     {"umac-64-etm@openssh.com", 0},
				     {"umac-128-etm@openssh.com", 0},
				     {NULL, 0}};
static const algo_name kex_all[] = {{"diffie-hellman-group1-sha1", 1},
				    {"diffie-hellman-group14-sha1", 1},
				    {"diffie-hellman-group14-sha256", 1},
				    {"diffie-hellman-group16-sha512", 1},
				    {"diffie-hellman-group18-sha512", 1},
				    {"diffie-hellman-group-exchange-sha1", 1},
				    {"diffie-hellman-group-exchange-sha256", 1},
				    {"ecdh-sha2-nistp256", 1},
				    {"ecdh-sha2-nistp384", 1},
				    {"ecdh-sha2-nistp521", 1},
				    {"curve25519-sha256", 1},
				    {"curve25519-sha256@libssh.org", 1},
				    {"sntrup761x25519-sha512", 0},
				    {"sntrup761x25519-sha512@openssh.com", 0},
				    {"mlkem768x25519-sha256", 0},
				    {NULL, 0}};
static const algo_name keys_all[] = {{"ssh-ed25519", 1},
				     {"ssh-ed25519-cert-v01@openssh.com", 1},
				     {"sk-ssh-ed25519@openssh.com", 1},
				     {"sk-ssh-ed25519-cert-v01@openssh.com", 1},
				     {"ecdsa-sha2-nistp256", 1},
				     {"ecdsa-sha2-nistp256-cert-v01@openssh.com", 1},
				     {"ecdsa-sha2-nistp384", 1},
				     {"ecdsa-sha2-nistp384-cert-v01@openssh.com", 1},
				     {"ecdsa-sha2-nistp521", 1},
				     {"ecdsa-sha2-nistp521-cert-v01@openssh.com", 1},
				     {"sk-ecdsa-sha2-nistp256@openssh.com", 1},
				     {"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", 1},
				     {"webauthn-sk-ecdsa-sha2-nistp256@openssh.com", 0},
				     {"ssh-dss", 0},
				     {"ssh-dss-cert-v01@openssh.com", 0},
				     {"ssh-rsa", 1},
				     {"ssh-rsa-cert-v01@openssh.com", 1},
				     {"rsa-sha2-256", 1},
				     {"rsa-sha2-256-cert-v01@openssh.com", 1},
				     {"rsa-sha2-512", 1},
				     {"rsa-sha2-512-cert-v01@openssh.com", 1},
				     {NULL, 0}};

/* OpenSSH's defaults minus what libssh cannot do. */
static const char default_ciphers[] = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,"
				      "aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com";
static const char default_macs[] = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
				   "hmac-sha1-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,"
				   "hmac-sha1";
static const char default_kex[] =
	"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
	"ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
	"diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
static const char default_keys[] =
	"ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	"ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
	"sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	"rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,"
	"ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,"
	"sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";

static const algo_name *algo_table(cfg_algo_kind kind)
{
	switch (kind) {
	case ALGO_CIPHER: return ciphers_all;
	case ALGO_MAC: return macs_all;
	case ALGO_KEX: return kex_all;
	default: return keys_all;
	}
}

const char *cfg_algo_default(cfg_algo_kind kind)
{
	switch (kind) {
	case ALGO_CIPHER: return default_ciphers;
	case ALGO_MAC: return default_macs;
	case ALGO_KEX: return default_kex;
	default: return default_keys;
	}
}

static const char *algo_what(cfg_algo_kind kind)
{
	switch (kind) {
	case ALGO_CIPHER: return "cipher";
	case ALGO_MAC: return "MAC";
	case ALGO_KEX: return "key exchange algorithm";
	default: return "key algorithm";
	}
}

static const algo_name *algo_lookup(cfg_algo_kind kind, const char *name, size_t n)
{
	const algo_name *t = algo_table(kind);

	for (; t->name; t++)
		if (strlen(t->name) == n && strncmp(t->name, name, n) == 0)
			return t;
	return NULL;
}

int cfg_algo_check(cfg_algo_kind kind, const char *value, const char *path, int line, int col,
		   const char *text, const char *kwname, pf_diags *diags)
{
	const char *p = value;
	int ret = 0;

	if (*p == '-')
		return 0; /* patterns to remove: anything goes, as in OpenSSH */
	if (*p == '+' || *p == '^')
		p++;
	if (*p == '\0') {
		pf_diag_add(diags, PF_DIAG_ERROR, path, line, col, text,
			    "%s needs a comma-separated list of names.", kwname);
		return -1;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const algo_name *a = algo_lookup(kind, p, n);

		if (a == NULL) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, line, col, text,
				    "Unknown %s \"%.*s\" in %s. Check the spelling; names are "
				    "separated by commas without spaces.",
				    algo_what(kind), (int)n, p, kwname);
			ret = -1;
		} else if (!a->ok) {
			pf_diag_add(diags, PF_DIAG_WARNING, path, line, col, text,
				    "PortForwarder does not support the %s \"%s\"; it is left "
				    "out of %s.",
				    algo_what(kind), a->name, kwname);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return ret;
}

/* Append `name` (n bytes) to the list in buf if not yet there. */
static int list_add(char **buf, size_t *len, const char *name, size_t n)
{
	const char *p = *buf;
	char *nb;

	while (p != NULL && *p) {
		const char *end = strchr(p, ',');
		size_t m = end ? (size_t)(end - p) : strlen(p);

		if (m == n && strncmp(p, name, n) == 0)
			return 0;
		p += m;
		if (*p == ',')
			p++;
	}
	nb = realloc(*buf, *len + n + 2);
	if (nb == NULL)
		return -1;
	if (*len > 0)
		nb[(*len)++] = ',';
	memcpy(nb + *len, name, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
	return 0;
}

char *cfg_algo_assemble(cfg_algo_kind kind, const char *value)
{
	const char *def = cfg_algo_default(kind);
	char *tmp = NULL, *out = NULL;
	size_t outlen = 0;
	const char *p;

	if (value == NULL)
		return pf_strdup(def);
	if (*value == '+')
		tmp = pf_asprintf("%s,%s", def, value + 1);
	else if (*value == '^')
		tmp = pf_asprintf("%s,%s", value + 1, def);
	else if (*value == '-') {
		/* Keep each default name that no pattern matches. */
		size_t tl = 0;

		tmp = pf_strdup("");
		for (p = def; tmp != NULL && *p;) {
			const char *end = strchr(p, ',');
			size_t n = end ? (size_t)(end - p) : strlen(p);
			char *name = pf_strndup(p, n);

			if (name == NULL) {
				PF_FREE(tmp);
				break;
			}
			if (pfi_match_list(name, value + 1, 0) != 1 &&
			    list_add(&tmp, &tl, name, n) != 0)
				PF_FREE(tmp);
			free(name);
			p += n;
			if (*p == ',')
				p++;
		}
	} else
		tmp = pf_strdup(value);
	if (tmp == NULL)
		return NULL;
	out = pf_strdup("");
	for (p = tmp; out != NULL && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const algo_name *a = algo_lookup(kind, p, n);

		if (a != NULL && a->ok && list_add(&out, &outlen, p, n) != 0)
			PF_FREE(out);
		p += n;
		if (*p == ',')
			p++;
	}
	free(tmp);
	return out;
}
