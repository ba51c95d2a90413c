/* Private key files: read through the platform layer, recognise the format,
 * classify what is wrong precisely, and hand libssh a key it can sign with.
 *
 * This file: the messages, public key blobs (type, bits, fingerprint), PEM
 * framing, recognising files that are not private keys, the dispatch to a
 * format, and file and .pub I/O. The formats: keys_openssh.c (OpenSSH's
 * own), keys_pem.c (PEM and PKCS#8 through libcrypto), ppk.c (PuTTY). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "keys_internal.h"
#include "sshwire.h"
#include "ppk.h"
#include "pf/attr.h"
#include "pf/keys.h"
#include "pf/mem.h"
#include "pf/platform.h"

#define KEY_FILE_MAX (1024 * 1024) /* far above any key: 16384-bit RSA is ~13 KB */
#define PUB_FILE_MAX (64 * 1024)

/* ---- messages ---- */

pf_rc pf_key_result_rc(pf_key_result r)
{
	switch (r) {
	case PF_KEY_OK: return PF_OK;
	case PF_KEY_NEEDS_PASSPHRASE:
	case PF_KEY_WRONG_PASSPHRASE: return PF_E_AUTH;
	case PF_KEY_NOT_FOUND: return PF_E_NOTFOUND;
	case PF_KEY_NOT_A_KEY:
	case PF_KEY_DAMAGED: return PF_E_INVAL;
	case PF_KEY_UNSUPPORTED: return PF_E_UNSUPPORTED;
	case PF_KEY_ERROR: return PF_E_INTERNAL;
	}
	return PF_E_INTERNAL;
}

const char *pf_key_result_name(pf_key_result r)
{
	switch (r) {
	case PF_KEY_OK: return "ok";
	case PF_KEY_NEEDS_PASSPHRASE: return "needs a passphrase";
	case PF_KEY_WRONG_PASSPHRASE: return "wrong passphrase";
	case PF_KEY_NOT_FOUND: return "cannot be read";
	case PF_KEY_NOT_A_KEY: return "not a private key";
	case PF_KEY_DAMAGED: return "damaged";
	case PF_KEY_UNSUPPORTED: return "not supported";
	case PF_KEY_ERROR: return "internal error";
	}
	return "unknown";
}

const char *pf_key_format_name(pf_key_format f)
{
	switch (f) {
	case PF_KEY_FORMAT_UNKNOWN: return "unknown";
	case PF_KEY_FORMAT_OPENSSH: return "OpenSSH";
	case PF_KEY_FORMAT_PEM_PKCS1: return "PEM (PKCS#1)";
	case PF_KEY_FORMAT_PEM_SEC1: return "PEM (SEC1)";
	case PF_KEY_FORMAT_PEM_PKCS8: return "PKCS#8";
	case PF_KEY_FORMAT_PEM_PKCS8_ENC: return "encrypted PKCS#8";
	case PF_KEY_FORMAT_PEM_DSA: return "PEM (DSA)";
	case PF_KEY_FORMAT_PUTTY: return "PuTTY (.ppk)";
	case PF_KEY_FORMAT_SSH1: return "SSH-1 (RSA1)";
	case PF_KEY_FORMAT_SSHCOM: return "ssh.com (SSH2)";
	case PF_KEY_FORMAT_PUBLIC: return "public key";
	}
	return "unknown";
}

pf_key_result pfi_key_fail(pfi_key_ctx *c, pf_key_result r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pf_error_vset(c->err, pf_key_result_rc(r), fmt, ap);
	va_end(ap);
	return r;
}

pf_key_result pfi_key_fail_nomem(pfi_key_ctx *c)
{
	pf_error_set(c->err, PF_E_NOMEM, "Out of memory while reading the key file %s.", c->name);
	return PF_KEY_ERROR;
}

pf_key_result pfi_key_damaged(pfi_key_ctx *c, const char *why)
{
	return pfi_key_fail(c, PF_KEY_DAMAGED,
			    "%s is damaged: %s. Copy the key file again from where it came from "
			    "(a backup, or the machine that created it).",
			    c->name, why);
}

pf_key_result pfi_key_wrong_passphrase(pfi_key_ctx *c)
{
	return pfi_key_fail(
		c, PF_KEY_WRONG_PASSPHRASE,
		"The passphrase for %s is not correct. Check Caps Lock and the keyboard "
		"layout, and try again.",
		c->name);
}

pf_key_result pfi_key_needs_passphrase(pfi_key_ctx *c)
{
	return pfi_key_fail(c, PF_KEY_NEEDS_PASSPHRASE,
			    "%s is protected by a passphrase: enter it to use this key.", c->name);
}

pf_key_result pfi_key_new_key_advice(pfi_key_ctx *c, const char *what)
{
	return pfi_key_fail(c, PF_KEY_UNSUPPORTED,
			    "%s is %s. Create a new key with \"ssh-keygen -t ed25519\" and add its "
			    "public key to the server's authorized_keys.",
			    c->name, what);
}

/* ---- the SSH wire format ---- */

static int str_is(const unsigned char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* Bits of an unsigned big-endian number (an SSH mpint's magnitude). */
static int mpint_bits(const unsigned char *p, size_t n)
{
	unsigned char top;
	int bits;

	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n == 0 || n > 8192)
		return 0;
	bits = (int)(n - 1) * 8;
	for (top = p[0]; top != 0; top >>= 1)
		bits++;
	return bits;
}

/* ---- public key blobs: type, bits, fingerprint ---- */

typedef enum blob_kind {
	BLOB_OK = 0,
	BLOB_BAD,     /* malformed */
	BLOB_DSA,     /* ssh-dss */
	BLOB_SK,      /* FIDO security key */
	BLOB_UNKNOWN, /* some other type (name in info->type) */
	BLOB_CURVE,   /* ecdsa on a curve SSH does not use */
	BLOB_SMALL,   /* RSA below PFI_RSA_BITS_MIN */
	BLOB_NOMEM
} blob_kind;

/* Fill type/label/bits/fingerprint of `out` from an SSH public key blob. */
static blob_kind blob_parse(const unsigned char *blob, size_t n, pf_key_info *out)
{
	pfi_wire r = {blob, n};
	const unsigned char *t, *a, *b;
	size_t tn, an, bn;

	if (pfi_wire_string(&r, &t, &tn) != 0 || tn == 0 || tn >= sizeof(out->type))
		return BLOB_BAD;
	pfi_wire_text(out->type, sizeof(out->type), t, tn);
	out->label[0] = '\0';
	out->bits = 0;
	if (str_is(t, tn, "ssh-ed25519")) {
		if (pfi_wire_string(&r, &a, &an) != 0 || an != 32)
			return BLOB_BAD;
		pf_strlcpy(out->label, "ED25519", sizeof(out->label));
		out->bits = 256;
	} else if (tn > 11 && memcmp(t, "ecdsa-sha2-", 11) == 0) {
		if (pfi_wire_string(&r, &a, &an) != 0 || pfi_wire_string(&r, &b, &bn) != 0 ||
		    bn == 0)
			return BLOB_BAD;
		if (an != tn - 11 || memcmp(a, t + 11, an) != 0)
			return BLOB_BAD; /* curve name must match the type */
		pf_strlcpy(out->label, "ECDSA", sizeof(out->label));
		if (str_is(a, an, "nistp256"))
			out->bits = 256;
		else if (str_is(a, an, "nistp384"))
			out->bits = 384;
		else if (str_is(a, an, "nistp521"))
			out->bits = 521;
		else
			return BLOB_CURVE;
	} else if (str_is(t, tn, "ssh-rsa")) {
		if (pfi_wire_string(&r, &a, &an) != 0 || pfi_wire_string(&r, &b, &bn) != 0)
			return BLOB_BAD;
		pf_strlcpy(out->label, "RSA", sizeof(out->label));
		out->bits = mpint_bits(b, bn);
		if (out->bits == 0 || mpint_bits(a, an) == 0)
			return BLOB_BAD;
	} else if (str_is(t, tn, "ssh-dss")) {
		pf_strlcpy(out->label, "DSA", sizeof(out->label));
		return BLOB_DSA;
	} else if (tn > 3 && memcmp(t, "sk-", 3) == 0) {
		return BLOB_SK;
	} else {
		return BLOB_UNKNOWN;
	}
	if (pfi_fingerprint_blob(blob, n, out->fingerprint, sizeof(out->fingerprint)) != 0)
		return BLOB_NOMEM;
	if (out->bits > 0 && out->bits < PFI_RSA_BITS_MIN && strcmp(out->label, "RSA") == 0)
		return BLOB_SMALL;
	return BLOB_OK;
}

/* The message for a blob that is not BLOB_OK. */
static pf_key_result blob_fail(pfi_key_ctx *c, blob_kind k)
{
	char what[160];

	switch (k) {
	case BLOB_OK: break;
	case BLOB_BAD: return pfi_key_damaged(c, "its public key section is malformed");
	case BLOB_DSA:
		return pfi_key_new_key_advice(c,
					      "a DSA key; DSA keys are not supported (OpenSSH has "
					      "disabled them too)");
	case BLOB_SK:
		return pfi_key_fail(
			c, PF_KEY_UNSUPPORTED,
			"%s is a FIDO security-key key (%s), which is not supported yet. Use "
			"a key of type ed25519, ecdsa or rsa.",
			c->name, c->info->type);
	case BLOB_UNKNOWN:
		return pfi_key_fail(
			c, PF_KEY_UNSUPPORTED,
			"%s holds a key of type \"%s\", which is not supported. Use a key of "
			"type ed25519, ecdsa or rsa.",
			c->name, c->info->type);
	case BLOB_CURVE:
		snprintf(what, sizeof(what), "an ECDSA key of type %s, a curve SSH does not use",
			 c->info->type);
		return pfi_key_new_key_advice(c, what);
	case BLOB_SMALL:
		snprintf(what, sizeof(what),
			 "an RSA key of only %d bits; servers refuse keys shorter than %d bits",
			 c->info->bits, PFI_RSA_BITS_MIN);
		return pfi_key_new_key_advice(c, what);
	case BLOB_NOMEM: return pfi_key_fail_nomem(c);
	}
	return pfi_key_fail(c, PF_KEY_ERROR, "Internal error classifying %s.", c->name);
}

/* Keep a copy of the public blob in the context (replacing any). */
static int ctx_set_blob(pfi_key_ctx *c, const unsigned char *blob, size_t n)
{
	unsigned char *copy = malloc(n ? n : 1);

	if (copy == NULL)
		return -1;
	memcpy(copy, blob, n);
	free(c->blob);
	c->blob = copy;
	c->blob_len = n;
	return 0;
}

pf_key_result pfi_key_take_blob(pfi_key_ctx *c, const unsigned char *blob, size_t n)
{
	blob_kind bk = blob_parse(blob, n, c->info);

	if (bk == BLOB_OK && ctx_set_blob(c, blob, n) != 0)
		bk = BLOB_NOMEM;
	if (bk != BLOB_OK)
		return blob_fail(c, bk);
	c->info->have_public = 1;
	return PF_KEY_OK;
}

/* The public blob of an ssh_key (public or private); caller frees. */
static int key_blob(const ssh_key key, unsigned char **blob, size_t *n)
{
	char *b64 = NULL;
	int rc;

	*blob = NULL;
	*n = 0;
	if (key == NULL || ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK || b64 == NULL)
		return -1;
	rc = pfi_b64_decode(b64, strlen(b64), blob, n);
	ssh_string_free_char(b64);
	return rc == 0 ? 0 : -1;
}

/* An ssh_key holding only the public half described by a blob. */
ssh_key pfi_key_from_blob(const unsigned char *blob, size_t n, const char *type)
{
	ssh_key key = NULL;
	char *b64 = pfi_b64_encode(blob, n, 0);

	if (b64 == NULL)
		return NULL;
	if (ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &key) != SSH_OK)
		key = NULL;
	free(b64);
	return key;
}

pf_rc pf_key_fingerprint(const ssh_key key, char *buf, size_t size)
{
	unsigned char *md = NULL;
	size_t n = 0;
	int rc;

	if (buf == NULL || size < PFI_FINGERPRINT_LEN)
		return PF_E_INVAL;
	buf[0] = '\0';
	if (key == NULL || ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &md, &n) != 0 ||
	    n != 32) {
		ssh_clean_pubkey_hash(&md);
		return PF_E_INVAL;
	}
	rc = pfi_fingerprint_format(md, buf, size);
	ssh_clean_pubkey_hash(&md);
	return rc == 0 ? PF_OK : PF_E_INVAL;
}

/* ---- text: lines and PEM blocks ---- */

/* The next line of [*p, end): sets *line and *len (no CR/LF); returns 0 at
 * the end. */
static int next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *s = *p, *e;

	if (s >= end)
		return 0;
	e = memchr(s, '\n', (size_t)(end - s));
	*line = s;
	*p = e ? e + 1 : end;
	if (e == NULL)
		e = end;
	while (e > s && e[-1] == '\r')
		e--;
	*len = (size_t)(e - s);
	return 1;
}

static int is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\f' || ch == '\v';
}

static int starts_with(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(s, lit, l) == 0;
}

/* Find the PEM block at or after *p; 0 when there is none. */
static int pem_next(const char **p, const char *end, pfi_pem_block *b)
{
	const char *line, *q;
	size_t len;

	while (next_line(p, end, &line, &len)) {
		const char *lab, *dash;
		size_t ln;
		char want[96];

		if (!starts_with(line, len, "-----BEGIN "))
			continue;
		lab = line + 11;
		dash = NULL;
		for (q = lab; q + 5 <= line + len; q++)
			if (memcmp(q, "-----", 5) == 0) {
				dash = q;
				break;
			}
		if (dash == NULL)
			continue;
		ln = (size_t)(dash - lab);
		if (ln == 0 || ln >= sizeof(b->label))
			continue;
		memset(b, 0, sizeof(*b));
		memcpy(b->label, lab, ln);
		b->label[ln] = '\0';
		b->begin = line;
		b->body = *p;
		snprintf(want, sizeof(want), "-----END %s-----", b->label);
		q = *p;
		while (next_line(&q, end, &line, &len)) {
			if (starts_with(line, len, want)) {
				b->body_end = line;
				b->end = q;
				*p = q;
				break;
			}
		}
		return 1;
	}
	return 0;
}

static int label_is_private(const char *label)
{
	return strcmp(label, "OPENSSH PRIVATE KEY") == 0 || strcmp(label, "RSA PRIVATE KEY") == 0 ||
	       strcmp(label, "EC PRIVATE KEY") == 0 || strcmp(label, "PRIVATE KEY") == 0 ||
	       strcmp(label, "ENCRYPTED PRIVATE KEY") == 0 || strcmp(label, "DSA PRIVATE KEY") == 0;
}

/* ---- other files people point IdentityFile at ---- */

static int is_key_type_name(const char *s, size_t n)
{
	static const char *const names[] = {"ssh-rsa", "ssh-dss", "ssh-ed25519", "ssh-ed448"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n == strlen(names[i]) && memcmp(s, names[i], n) == 0)
			return 1;
	if (starts_with(s, n, "ecdsa-sha2-") || starts_with(s, n, "sk-ssh-") ||
	    starts_with(s, n, "sk-ecdsa-"))
		return 1;
	return n > 21 && memcmp(s + n - 21, "-cert-v01@openssh.com", 21) == 0;
}

/* 1: a line of a public key file; 2: a known_hosts or authorized_keys line
 * (a key type after the first word); 0: neither. */
static int public_key_line(const char *line, size_t len)
{
	const char *tok[3];
	size_t tlen[3], i = 0, k = 0;

	while (k < 3) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			break;
		tok[k] = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		tlen[k] = (size_t)(line + i - tok[k]);
		k++;
	}
	if (k >= 2 && is_key_type_name(tok[0], tlen[0]) && starts_with(tok[1], tlen[1], "AAAA"))
		return 1;
	if (k >= 3 && is_key_type_name(tok[1], tlen[1]) && starts_with(tok[2], tlen[2], "AAAA"))
		return 2;
	return 0;
}

/* A PuTTY key (.ppk v2/v3): ppk.c checks the MAC and decrypts, and gives us
 * an unencrypted OpenSSH key blob, which libssh imports as for OpenSSH
 * files. The public half is known before decryption. */
static pf_key_result parse_putty(pfi_key_ctx *c, const char *text, size_t len)
{
	pf_key_info *info = c->info;
	pfi_ppk k;
	pfi_ppk_result pr;
	pf_key_result res = PF_KEY_OK;
	ssh_key pub = NULL;
	char why[320];
	blob_kind bk;

	info->format = PF_KEY_FORMAT_PUTTY;
	pr = pfi_ppk_parse(text, len, c->passphrase, &k, why, sizeof(why));
	info->encrypted = k.encrypted;
	if (k.encrypted) {
		pf_strlcpy(info->cipher, "aes256-cbc", sizeof(info->cipher));
		/* Argon2 cost: passes x MiB of memory (0 for v2's single SHA-1) */
		info->kdf_rounds = k.passes * ((k.mem_kib + 1023) / 1024);
	}
	pf_strlcpy(info->comment, k.comment, sizeof(info->comment));
	if (pr == PF_PPK_NOMEM) {
		res = pfi_key_fail_nomem(c);
		goto out;
	}
	if (k.pub != NULL) {
		bk = blob_parse(k.pub, k.pub_len, info);
		if (bk != BLOB_OK) {
			res = blob_fail(c, bk);
			goto out;
		}
		if (strcmp(info->type, k.type) != 0) {
			res = pfi_key_damaged(c, "its key type line and public key disagree");
			goto out;
		}
		if (ctx_set_blob(c, k.pub, k.pub_len) != 0) {
			res = pfi_key_fail_nomem(c);
			goto out;
		}
		info->have_public = 1;
	}
	switch (pr) {
	case PF_PPK_OK: break;
	case PF_PPK_NEEDS_PASSPHRASE: res = pfi_key_needs_passphrase(c); goto out;
	case PF_PPK_WRONG_PASSPHRASE:
		res = pfi_key_fail(
			c, PF_KEY_WRONG_PASSPHRASE,
			"The passphrase for %s is not correct, or the file is damaged (its "
			"MAC does not match). Check Caps Lock and the keyboard layout, and try "
			"again.",
			c->name);
		goto out;
	case PF_PPK_DAMAGED: res = pfi_key_damaged(c, why); goto out;
	case PF_PPK_UNSUPPORTED:
		res = pfi_key_fail(
			c, PF_KEY_UNSUPPORTED,
			"%s is a PuTTY key file that cannot be used: %s. Or convert it in "
			"PuTTYgen (Conversions > Export OpenSSH key) and use the exported "
			"file.",
			c->name, why);
		goto out;
	case PF_PPK_NOMEM: res = pfi_key_fail_nomem(c); goto out;
	case PF_PPK_CANCELLED:
		res = pfi_key_fail(c, PF_KEY_ERROR, "Reading %s was cancelled.", c->name);
		goto out;
	}
	if (pfi_key_openssh_import(c, k.openssh, k.openssh_len) != 0) {
		res = pfi_key_damaged(c, "libssh cannot read its private key");
		goto out;
	}
	pub = pfi_key_from_blob(c->blob, c->blob_len, info->type);
	if (pub == NULL || ssh_key_cmp(pub, c->key, SSH_KEY_CMP_PUBLIC) != 0)
		res = pfi_key_damaged(c, "its private key does not match its public key");
out:
	if (res != PF_KEY_OK && c->key != NULL) {
		ssh_key_free(c->key);
		c->key = NULL;
	}
	ssh_key_free(pub);
	pfi_ppk_free(&k);
	return res;
}

static pf_key_result not_a_key(pfi_key_ctx *c, const char *looks_like)
{
	return pfi_key_fail(
		c, PF_KEY_NOT_A_KEY,
		"%s is not a private key file (%s). Point IdentityFile at your private key, "
		"such as id_ed25519, or create one with ssh-keygen.",
		c->name, looks_like);
}

static pf_key_result public_given(pfi_key_ctx *c)
{
	size_t n = strlen(c->name);

	c->info->format = PF_KEY_FORMAT_PUBLIC;
	if (n > 4 && strcmp(c->name + n - 4, ".pub") == 0)
		return pfi_key_fail(
			c, PF_KEY_NOT_A_KEY,
			"%s is not a private key file (it is a public key: use the file "
			"without .pub, %.*s).",
			c->name, (int)(n - 4), c->name);
	return pfi_key_fail(
		c, PF_KEY_NOT_A_KEY,
		"%s is not a private key file (it looks like a public key: use the file "
		"without .pub).",
		c->name);
}

/* Control bytes other than white space: not a text file. */
static int is_binary(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];

		if ((ch < 0x20 && !is_space((char)ch)) || ch == 0x7f)
			return 1;
	}
	return 0;
}

/* Recognise `text` (len bytes, NUL after them) and parse it. */
static pf_key_result parse_text(pfi_key_ctx *c, const char *text, size_t len)
{
	const char *p, *end = text + len, *line;
	pfi_pem_block b, first, chosen;
	size_t ll, i;
	int have_first = 0, have_chosen = 0, kind;

	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3; /* UTF-8 byte order mark (Notepad) */
		len -= 3;
	}
	for (i = 0; i < len && is_space(text[i]); i++)
		;
	if (i == len)
		return pfi_key_fail(
			c, PF_KEY_NOT_A_KEY,
			"%s is empty, not a private key file. Point IdentityFile at your "
			"private key, such as id_ed25519, or create one with ssh-keygen.",
			c->name);
	if (starts_with(text, len, "SSH PRIVATE KEY FILE FORMAT 1.1")) {
		c->info->format = PF_KEY_FORMAT_SSH1;
		return pfi_key_new_key_advice(c,
					      "an SSH-1 (RSA1) key; the SSH-1 protocol is obsolete "
					      "and not supported");
	}
	if (starts_with(text + i, len - i, "PuTTY-User-Key-File-"))
		return parse_putty(c, text + i, len - i);
	if (is_binary(text, len))
		return not_a_key(c,
				 "it is a binary file; key files are text starting with a "
				 "line like -----BEGIN OPENSSH PRIVATE KEY-----. A binary (DER) "
				 "key can be converted with: openssl pkey -inform DER -in <file> "
				 "-out <file>.pem");

	p = text;
	while (pem_next(&p, end, &b)) {
		if (!have_first) {
			first = b;
			have_first = 1;
		}
		if (label_is_private(b.label)) {
			chosen = b;
			have_chosen = 1;
			break;
		}
		if (b.end == NULL)
			break;
	}
	if (have_chosen) {
		if (strcmp(chosen.label, "OPENSSH PRIVATE KEY") == 0)
			return pfi_key_parse_openssh(c, &chosen);
		if (strcmp(chosen.label, "DSA PRIVATE KEY") == 0) {
			c->info->format = PF_KEY_FORMAT_PEM_DSA;
			return pfi_key_new_key_advice(
				c, "a DSA key; DSA keys are not supported (OpenSSH "
				   "has disabled them too)");
		}
		return pfi_key_parse_pem(c, &chosen);
	}
	if (have_first) {
		char what[160];

		if (strstr(first.label, "PUBLIC KEY") != NULL)
			return public_given(c);
		if (strstr(first.label, "CERTIFICATE") != NULL)
			return not_a_key(c, "it holds an X.509 certificate, not a key");
		if (strstr(first.label, "PGP") != NULL)
			return not_a_key(c, "it is an OpenPGP key; SSH needs an SSH key");
		snprintf(what, sizeof(what), "it holds a PEM block of type \"%s\"", first.label);
		return not_a_key(c, what);
	}

	p = text;
	kind = 0;
	while (kind == 0 && next_line(&p, end, &line, &ll)) {
		if (starts_with(line, ll, "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----")) {
			c->info->format = PF_KEY_FORMAT_SSHCOM;
			return pfi_key_fail(
				c, PF_KEY_UNSUPPORTED,
				"%s is an ssh.com (SSH2/Tectia) private key, which is not "
				"supported. Convert it with: ssh-keygen -i -f <file> > id_rsa "
				"(or export it as OpenSSH from PuTTYgen).",
				c->name);
		}
		if (starts_with(line, ll, "---- BEGIN SSH2 PUBLIC KEY ----"))
			return public_given(c);
		if (ll == 0 || line[0] == '#')
			continue;
		kind = public_key_line(line, ll);
		if (kind == 0)
			break; /* the first real line decides */
	}
	if (kind == 1)
		return public_given(c);
	if (kind == 2)
		return not_a_key(c, "it looks like a known_hosts or authorized_keys file");
	return not_a_key(c, "it has no line like -----BEGIN OPENSSH PRIVATE KEY-----");
}

/* ---- entry points ---- */

static void ctx_init(pfi_key_ctx *c, const char *name, const char *passphrase, pf_key_info *info,
		     pf_error *err)
{
	memset(c, 0, sizeof(*c));
	c->name = name != NULL ? name : "(key)";
	c->passphrase = (passphrase != NULL && passphrase[0] != '\0') ? passphrase : NULL;
	c->info = info;
	c->err = err;
	memset(info, 0, sizeof(*info));
	pf_error_clear(err);
}

static void ctx_done(pfi_key_ctx *c)
{
	ERR_clear_error(); /* leave this thread's OpenSSL error queue clean */
	ssh_key_free(c->key);
	c->key = NULL;
	free(c->blob);
	c->blob = NULL;
}

/* Parse; on PF_KEY_OK the info's public fields come from the loaded key. */
static pf_key_result parse_all(pfi_key_ctx *c, const char *text, size_t len)
{
	pf_key_result res = parse_text(c, text, len);
	unsigned char *blob = NULL;
	size_t n = 0;

	if (res != PF_KEY_OK)
		return res;
	if (c->key == NULL)
		return pfi_key_fail(c, PF_KEY_ERROR, "Internal error loading %s.", c->name);
	if (key_blob(c->key, &blob, &n) != 0)
		return pfi_key_fail(c, PF_KEY_ERROR,
				    "Internal error reading the public half of %s.", c->name);
	res = pfi_key_take_blob(c, blob, n);
	free(blob);
	return res;
}

static pf_key_result load_mem(pfi_key_ctx *c, const void *data, size_t len)
{
	char *text;
	pf_key_result res;

	if (data == NULL && len > 0)
		return pfi_key_fail(c, PF_KEY_ERROR, "Internal error: no data for %s.", c->name);
	text = malloc(len + 1);
	if (text == NULL)
		return pfi_key_fail_nomem(c);
	if (len > 0)
		memcpy(text, data, len);
	text[len] = '\0';
	res = parse_all(c, text, len);
	pf_secure_zero(text, len + 1);
	free(text);
	return res;
}

pf_key_result pf_key_load_mem(const char *name, const void *data, size_t len,
			      const char *passphrase, ssh_key *key, pf_key_info *info,
			      pf_error *err)
{
	pf_key_info local;
	pfi_key_ctx c;
	pf_key_result res;

	if (key != NULL)
		*key = NULL;
	ctx_init(&c, name, passphrase, info ? info : &local, err);
	res = load_mem(&c, data, len);
	if (res == PF_KEY_OK && key != NULL) {
		*key = c.key;
		c.key = NULL;
	}
	ctx_done(&c);
	return res;
}

/* Read `path` into c; PF_KEY_OK with the text and its length (caller wipes, frees). */
static pf_key_result read_key_file(pfi_key_ctx *c, const char *path, char **text, size_t *len)
{
	pf_error rerr;
	pf_rc rc;

	*text = NULL;
	*len = 0;
	pf_error_clear(&rerr);
	rc = pf_file_read(path, KEY_FILE_MAX, text, len, &rerr);
	if (rc == PF_OK)
		return PF_KEY_OK;
	if (rc == PF_E_TOOBIG)
		return pfi_key_fail(
			c, PF_KEY_NOT_A_KEY,
			"%s is larger than 1 MiB, far too large for a private key file. Point "
			"IdentityFile at your private key, such as id_ed25519.",
			path);
	if (rc == PF_E_NOMEM)
		return pfi_key_fail_nomem(c);
	if (rc == PF_E_NOTFOUND || !pf_file_exists(path)) {
		if (pf_dir_exists(path))
			pf_error_set(c->err, PF_E_NOTFOUND,
				     "%s is a folder, not a key file. Point IdentityFile at the "
				     "private key file inside it, such as id_ed25519.",
				     path);
		else
			pf_error_set(c->err, PF_E_NOTFOUND,
				     "The key file %s does not exist. Check the IdentityFile "
				     "setting (and the folder name).",
				     path);
		return PF_KEY_NOT_FOUND;
	}
	pf_error_set(c->err, rc, "Cannot read the key file %s (%s). Check that it is readable.",
		     path, pf_rc_name(rc));
	return PF_KEY_NOT_FOUND;
}

/* "<path>.pub", when present and sensible: its blob and comment. Returns 0
 * when found (caller frees *blob). */
static int read_pub_file(const char *path, unsigned char **blob, size_t *blob_len, pf_key_info *pub)
{
	char *pub_path = NULL, *data = NULL;
	const char *p, *end, *line;
	size_t len = 0, ll;
	int found = -1;

	*blob = NULL;
	*blob_len = 0;
	memset(pub, 0, sizeof(*pub));
	len = strlen(path);
	if (len > 4 && strcmp(path + len - 4, ".pub") == 0)
		return -1;
	pub_path = pf_asprintf("%s.pub", path);
	if (pub_path == NULL || !pf_file_exists(pub_path) ||
	    pf_file_read(pub_path, PUB_FILE_MAX, &data, &len, NULL) != PF_OK)
		goto out;
	p = data;
	end = data + len;
	while (next_line(&p, end, &line, &ll)) {
		size_t i = 0, t0, t1, b0, b1;

		while (i < ll && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == ll || line[i] == '#')
			continue;
		t0 = i;
		while (i < ll && line[i] != ' ' && line[i] != '\t')
			i++;
		t1 = i;
		while (i < ll && (line[i] == ' ' || line[i] == '\t'))
			i++;
		b0 = i;
		while (i < ll && line[i] != ' ' && line[i] != '\t')
			i++;
		b1 = i;
		while (i < ll && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (b1 == b0 || pfi_b64_decode(line + b0, b1 - b0, blob, blob_len) != 0)
			break;
		if (blob_parse(*blob, *blob_len, pub) != BLOB_OK || strlen(pub->type) != t1 - t0 ||
		    memcmp(pub->type, line + t0, t1 - t0) != 0) {
			free(*blob);
			*blob = NULL;
			break;
		}
		while (ll > i && (line[ll - 1] == ' ' || line[ll - 1] == '\t'))
			ll--;
		pfi_wire_text(pub->comment, sizeof(pub->comment), (const unsigned char *)line + i,
			      ll - i);
		found = 0;
		break;
	}
out:
	free(pub_path);
	free(data);
	return found;
}

/* Load or probe a file: parse, then use "<path>.pub" for what the key file
 * does not tell without a passphrase. */
static pf_key_result load_path(pfi_key_ctx *c, const char *path)
{
	pf_key_info *info = c->info, pub;
	char *text = NULL;
	size_t len = 0, pub_len = 0;
	unsigned char *pub_blob = NULL;
	pf_key_result res;

	res = read_key_file(c, path, &text, &len);
	if (res != PF_KEY_OK)
		return res;
	res = parse_all(c, text, len);
	pf_secure_zero(text, len);
	free(text);
	if (res != PF_KEY_OK && res != PF_KEY_NEEDS_PASSPHRASE && res != PF_KEY_WRONG_PASSPHRASE)
		return res;
	if (read_pub_file(path, &pub_blob, &pub_len, &pub) != 0)
		return res;
	if (!info->have_public) {
		/* Encrypted PEM: the .pub is all we know before decryption. */
		memcpy(info->type, pub.type, sizeof(info->type));
		memcpy(info->label, pub.label, sizeof(info->label));
		memcpy(info->fingerprint, pub.fingerprint, sizeof(info->fingerprint));
		info->bits = pub.bits;
		info->have_public = 1;
		info->public_from_pub_file = 1;
		if (ctx_set_blob(c, pub_blob, pub_len) != 0) {
			info->have_public = 0;
			info->public_from_pub_file = 0;
		}
	} else if (pub_len != c->blob_len || memcmp(pub_blob, c->blob, pub_len) != 0) {
		info->pub_file_mismatch = 1;
	}
	if (info->comment[0] == '\0' && !info->pub_file_mismatch)
		memcpy(info->comment, pub.comment, sizeof(info->comment));
	free(pub_blob);
	return res;
}

pf_key_result pf_key_load(const char *path, const char *passphrase, ssh_key *key, pf_key_info *info,
			  pf_error *err)
{
	pf_key_info local;
	pfi_key_ctx c;
	pf_key_result res;

	if (key != NULL)
		*key = NULL;
	ctx_init(&c, path, passphrase, info ? info : &local, err);
	if (path == NULL)
		return pfi_key_fail(&c, PF_KEY_ERROR, "Internal error: no key file given.");
	res = load_path(&c, path);
	if (res == PF_KEY_OK && key != NULL) {
		*key = c.key;
		c.key = NULL;
	}
	ctx_done(&c);
	return res;
}

pf_key_result pf_key_probe(const char *path, ssh_key *pubkey, pf_key_info *info, pf_error *err)
{
	pf_key_info local;
	pfi_key_ctx c;
	pf_key_result res;

	if (pubkey != NULL)
		*pubkey = NULL;
	ctx_init(&c, path, NULL, info ? info : &local, err);
	if (path == NULL)
		return pfi_key_fail(&c, PF_KEY_ERROR, "Internal error: no key file given.");
	res = load_path(&c, path);
	if ((res == PF_KEY_OK || res == PF_KEY_NEEDS_PASSPHRASE) && pubkey != NULL &&
	    c.info->have_public && c.blob != NULL) {
		*pubkey = pfi_key_from_blob(c.blob, c.blob_len, c.info->type);
		if (*pubkey == NULL)
			res = pfi_key_fail(&c, PF_KEY_ERROR,
					   "Internal error reading the public half of %s.", path);
	}
	ctx_done(&c);
	return res;
}

void pf_key_describe(const pf_key_info *info, char *buf, size_t size)
{
	if (buf == NULL || size == 0)
		return;
	if (info == NULL) {
		buf[0] = '\0';
		return;
	}
	if (info->have_public) {
		snprintf(buf, size, "%s %d %s%s%s%s", info->label[0] ? info->label : info->type,
			 info->bits, info->fingerprint, info->comment[0] ? " (" : "", info->comment,
			 info->comment[0] ? ")" : "");
	} else if (info->format == PF_KEY_FORMAT_PUBLIC) {
		pf_strlcpy(buf, "public key (not a private key)", size);
	} else {
		snprintf(buf, size, "%s%s key",
			 info->encrypted && info->format != PF_KEY_FORMAT_PEM_PKCS8_ENC
				 ? "encrypted "
				 : "",
			 pf_key_format_name(info->format));
	}
}
