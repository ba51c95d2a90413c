/* PuTTY .ppk files, versions 2 and 3, written from PuTTY's documentation of
 * the format (its "PPK file format" appendix):
 *
 *   PuTTY-User-Key-File-<2|3>: <algorithm>
 *   Encryption: none | aes256-cbc
 *   Comment: <text>
 *   Public-Lines: <n>, then n lines of base64 (the public key blob)
 *   v3 encrypted only: Key-Derivation: Argon2id|Argon2i|Argon2d,
 *     Argon2-Memory: <KiB>, Argon2-Passes, Argon2-Parallelism, Argon2-Salt: hex
 *   Private-Lines: <n>, then n lines of base64 (the private blob)
 *   Private-MAC: <hex>
 *
 * v2: cipher key = SHA-1(0,0,0,0 || pass) || SHA-1(0,0,0,1 || pass), first
 * 32 bytes, zero IV; MAC key = SHA-1("putty-private-key-file-mac-key" ||
 * pass); HMAC-SHA-1. v3: Argon2 of (pass, salt) gives 80 bytes: cipher
 * key, IV, MAC key (an empty MAC key when not encrypted); HMAC-SHA-256.
 * The MAC covers the strings algorithm, encryption, comment, public blob
 * and private blob (decrypted, with its padding). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "argon2.h"
#include "sshwire.h"
#include "pf/attr.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "ppk.h"

#define PPK_LINES_MAX  1000       /* base64 lines of one blob: 64 KB */
#define PPK_MEM_MAX    (1U << 18) /* Argon2 KiB: 256 MiB; PuTTYgen's default is 8 MiB */
#define PPK_PASSES_MAX 1000       /* PuTTYgen picks ~13-30 for 100 ms */
/* KiB x passes: one derivation at most ~10 s on these 2-core machines
 * (measured 2026-12: 256 MiB x 1 pass 3.2 s with the first touch of the
 * memory, each further pass 0.9 s; 256 MiB x 8 passes ~9 s). PuTTYgen's
 * default (8 MiB, ~20 passes) is under 10 % of it. */
#define PPK_WORK_MAX   (1ULL << 21)
#define PPK_WORK_TEXT  "2 GiB"
#define PPK_LANES_MAX  16
#define PPK_ARGON2_OUT 80 /* key 32 + IV 16 + MAC key 32 */
#define OPENSSH_MAGIC  "openssh-key-v1"

typedef struct ppk_rd {
	const char *p, *end;
	unsigned line; /* number of the line last read (1-based) */
	char *why;
	size_t why_size;
} ppk_rd;

static pfi_ppk_result say(ppk_rd *r, pfi_ppk_result res, const char *fmt, ...) PF_PRINTF(3, 4);

static pfi_ppk_result say(ppk_rd *r, pfi_ppk_result res, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->why, r->why_size, "%s (line %u)", msg, r->line);
	return res;
}

/* The next line without its end (CR LF or LF). 0 at the end of the text. */
static int rd_line(ppk_rd *r, const char **line, size_t *len)
{
	const char *e;

	if (r->p >= r->end)
		return 0;
	e = memchr(r->p, '\n', (size_t)(r->end - r->p));
	*line = r->p;
	r->p = e ? e + 1 : r->end;
	if (e == NULL)
		e = r->end;
	while (e > *line && e[-1] == '\r')
		e--;
	*len = (size_t)(e - *line);
	r->line++;
	return 1;
}

/* The next line must be "<key>: <value>"; *val points at the value. */
static int rd_field(ppk_rd *r, const char *key, const char **val, size_t *vlen)
{
	const char *line;
	size_t len, kl = strlen(key);

	if (!rd_line(r, &line, &len))
		return -1;
	if (len < kl + 2 || memcmp(line, key, kl) != 0 || line[kl] != ':' || line[kl + 1] != ' ')
		return -1;
	*val = line + kl + 2;
	*vlen = len - kl - 2;
	return 0;
}

static int parse_u32(const char *s, size_t n, uint32_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (x > 0xFFFFFFFFULL)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)tolower((unsigned char)ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Hex into out (exactly n bytes expected). */
static int parse_hex(const char *s, size_t len, unsigned char *out, size_t n)
{
	size_t i;

	if (len != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* "<key>: <n>" then n lines of base64 into a new buffer. */
static pfi_ppk_result rd_blob(ppk_rd *r, const char *key, unsigned char **blob, size_t *len)
{
	const char *val, *start, *line;
	size_t vlen, ll;
	uint32_t n, i;
	int dec;

	*blob = NULL;
	*len = 0;
	if (rd_field(r, key, &val, &vlen) != 0)
		return say(r, PF_PPK_DAMAGED, "the %s line is missing", key);
	if (parse_u32(val, vlen, &n) != 0 || n == 0 || n > PPK_LINES_MAX)
		return say(r, PF_PPK_DAMAGED, "the %s count is not a sensible number", key);
	start = r->p;
	for (i = 0; i < n; i++)
		if (!rd_line(r, &line, &ll))
			return say(r, PF_PPK_DAMAGED, "the file ends inside the %s", key);
	dec = pfi_b64_decode(start, (size_t)(r->p - start), blob, len);
	if (dec == -2)
		return PF_PPK_NOMEM;
	if (dec != 0)
		return say(r, PF_PPK_DAMAGED, "the lines after %s are not valid base64", key);
	return PF_PPK_OK;
}

/* v2 keys from the passphrase. */
static int v2_keys(const char *pass, unsigned char key[32], unsigned char mackey[20])
{
	unsigned char h[40], ctr[4] = {0, 0, 0, 0};
	static const char mac_label[] = "putty-private-key-file-mac-key";
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n;
	int ok = md != NULL, i;

	for (i = 0; ok && i < 2; i++) {
		ctr[3] = (unsigned char)i;
		ok = EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 &&
		     EVP_DigestUpdate(md, ctr, 4) == 1 &&
		     EVP_DigestUpdate(md, pass, strlen(pass)) == 1 &&
		     EVP_DigestFinal_ex(md, h + 20 * i, &n) == 1;
	}
	ok = ok && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 &&
	     EVP_DigestUpdate(md, mac_label, strlen(mac_label)) == 1 &&
	     EVP_DigestUpdate(md, pass, strlen(pass)) == 1 &&
	     EVP_DigestFinal_ex(md, mackey, &n) == 1;
	memcpy(key, h, 32);
	pf_secure_zero(h, sizeof(h));
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

/* Build the unencrypted OpenSSH blob from the PPK public and private
 * blobs. Returns 0, -1 when the private blob is malformed, -2 out of memory. */
static int to_openssh(const pfi_ppk *k, const unsigned char *priv, size_t priv_len, pfi_wbuf *out)
{
	pfi_wire pub = {k->pub, k->pub_len}, pr = {priv, priv_len};
	const unsigned char *t, *a, *b, *d, *p, *q, *iqmp;
	size_t tn, an, bn, dn, pn, qn, iqn;
	pfi_wbuf sec = {0};
	uint32_t check = 0x70667066; /* any value: both copies equal */
	unsigned char pad = 1;
	int rc = 0;

	if (pfi_wire_string(&pub, &t, &tn) != 0)
		return -1;
	pfi_wbuf_u32(&sec, check);
	pfi_wbuf_u32(&sec, check);
	pfi_wbuf_string(&sec, t, tn);
	if (tn == 11 && memcmp(t, "ssh-ed25519", 11) == 0) {
		if (pfi_wire_string(&pub, &a, &an) != 0 || an != 32 ||
		    pfi_wire_string(&pr, &d, &dn) != 0 || dn != 32) {
			rc = -1;
			goto out;
		}
		pfi_wbuf_string(&sec, a, an);
		pfi_wbuf_u32(&sec, 64);
		pfi_wbuf_put(&sec, d, 32);
		pfi_wbuf_put(&sec, a, 32);
	} else if (tn > 11 && memcmp(t, "ecdsa-sha2-", 11) == 0) {
		if (pfi_wire_string(&pub, &a, &an) != 0 || pfi_wire_string(&pub, &b, &bn) != 0 ||
		    pfi_wire_string(&pr, &d, &dn) != 0 || dn == 0) {
			rc = -1;
			goto out;
		}
		pfi_wbuf_string(&sec, a, an);
		pfi_wbuf_string(&sec, b, bn);
		pfi_wbuf_string(&sec, d, dn);
	} else if (tn == 7 && memcmp(t, "ssh-rsa", 7) == 0) {
		/* public: e, n; private: d, p, q, iqmp; OpenSSH: n e d iqmp p q */
		if (pfi_wire_string(&pub, &a, &an) != 0 || pfi_wire_string(&pub, &b, &bn) != 0 ||
		    pfi_wire_string(&pr, &d, &dn) != 0 || pfi_wire_string(&pr, &p, &pn) != 0 ||
		    pfi_wire_string(&pr, &q, &qn) != 0 || pfi_wire_string(&pr, &iqmp, &iqn) != 0 ||
		    dn == 0 || pn == 0 || qn == 0 || iqn == 0) {
			rc = -1;
			goto out;
		}
		pfi_wbuf_string(&sec, b, bn);
		pfi_wbuf_string(&sec, a, an);
		pfi_wbuf_string(&sec, d, dn);
		pfi_wbuf_string(&sec, iqmp, iqn);
		pfi_wbuf_string(&sec, p, pn);
		pfi_wbuf_string(&sec, q, qn);
	} else {
		rc = -1; /* keys.c refuses other types from the public blob first */
		goto out;
	}
	pfi_wbuf_cstring(&sec, k->comment);
	while (sec.len % 8 != 0) {
		pfi_wbuf_put(&sec, &pad, 1);
		pad++;
	}
	pfi_wbuf_put(out, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC));
	pfi_wbuf_cstring(out, "none");
	pfi_wbuf_cstring(out, "none");
	pfi_wbuf_string(out, "", 0);
	pfi_wbuf_u32(out, 1);
	pfi_wbuf_string(out, k->pub, k->pub_len);
	pfi_wbuf_string(out, sec.data, sec.len);
	if (sec.failed || out->failed)
		rc = -2;
out:
	pfi_wbuf_wipe(&sec);
	return rc;
}

static int argon2_type(const char *s, size_t n, pfi_argon2_type *t)
{
	if (n == 8 && memcmp(s, "Argon2id", 8) == 0)
		*t = PF_ARGON2ID;
	else if (n == 7 && memcmp(s, "Argon2i", 7) == 0)
		*t = PF_ARGON2I;
	else if (n == 7 && memcmp(s, "Argon2d", 7) == 0)
		*t = PF_ARGON2D;
	else
		return -1;
	return 0;
}

/* --- the Argon2 derivation, abandonable ---------------------------------
 * OpenSSL's KDF (and ours) cannot be interrupted. With a cancel hook set,
 * the derivation runs on a detached thread of its own; the caller polls the
 * hook and, when told to stop, leaves: the job (with copies of the
 * passphrase and salt) is freed and wiped by whichever side lets go last. */
typedef struct cancel_hook {
	int (*cancelled)(void *arg);
	void *arg;
} cancel_hook;

static _Thread_local cancel_hook hook;

void pfi_ppk_set_cancel(int (*cancelled)(void *arg), void *arg)
{
	hook.cancelled = cancelled;
	hook.arg = arg;
}

typedef struct derive_job {
	pf_mutex *mu;
	pf_cond *cv;
	int refs; /* 2 while both the caller and the thread hold it */
	int done, rc;
	pfi_argon2_type at;
	uint32_t mem, passes, lanes;
	char *pass;
	size_t pass_len;
	unsigned char salt[64];
	size_t salt_len;
	unsigned char out[PPK_ARGON2_OUT];
} derive_job;

static void job_unref(derive_job *j)
{
	int last;

	pf_mutex_lock(j->mu);
	last = --j->refs == 0;
	pf_mutex_unlock(j->mu);
	if (!last)
		return;
	pf_mutex_free(j->mu);
	pf_cond_free(j->cv);
	if (j->pass != NULL) {
		pf_secure_zero(j->pass, j->pass_len);
		free(j->pass);
	}
	pf_secure_zero(j, sizeof(*j));
	free(j);
}

static void derive_thread(void *arg)
{
	derive_job *j = arg;
	int rc = pfi_argon2(j->at, j->mem, j->passes, j->lanes, j->pass, j->pass_len, j->salt,
			    j->salt_len, NULL, 0, NULL, 0, j->out, sizeof(j->out));

	pf_mutex_lock(j->mu);
	j->rc = rc;
	j->done = 1;
	pf_cond_broadcast(j->cv);
	pf_mutex_unlock(j->mu);
	job_unref(j);
}

/* pfi_argon2 into out (PPK_ARGON2_OUT bytes): 0, -1 bad parameters, -2 out
 * of memory, -3 cancelled through the hook (nothing in out). */
static int derive(pfi_argon2_type at, uint32_t mem, uint32_t passes, uint32_t lanes,
		  const char *pass, const unsigned char *salt, size_t salt_len, unsigned char *out)
{
	cancel_hook h = hook;
	derive_job *j;
	int rc;

	if (h.cancelled == NULL)
		return pfi_argon2(at, mem, passes, lanes, pass, strlen(pass), salt, salt_len, NULL,
				  0, NULL, 0, out, PPK_ARGON2_OUT);
	if (h.cancelled(h.arg))
		return -3;
	if (salt_len > sizeof(j->salt) || (j = PF_NEW(derive_job)) == NULL)
		return -2;
	j->mu = pf_mutex_new();
	j->cv = pf_cond_new();
	j->pass_len = strlen(pass);
	j->pass = pf_strndup(pass, j->pass_len);
	j->refs = 2;
	j->at = at;
	j->mem = mem;
	j->passes = passes;
	j->lanes = lanes;
	memcpy(j->salt, salt, salt_len);
	j->salt_len = salt_len;
	if (j->mu == NULL || j->cv == NULL || j->pass == NULL ||
	    pf_thread_start_detached(derive_thread, j) != PF_OK) {
		if (j->mu == NULL && (j->mu = pf_mutex_new()) == NULL) {
			/* job_unref needs the mutex; free by hand */
			pf_cond_free(j->cv);
			pf_secret_free(j->pass);
			free(j);
			return -2;
		}
		j->refs = 1;
		job_unref(j);
		return -2;
	}
	pf_mutex_lock(j->mu);
	while (!j->done) {
		int stop;

		pf_mutex_unlock(j->mu);
		stop = h.cancelled(h.arg);
		pf_mutex_lock(j->mu);
		if (stop && !j->done) {
			pf_mutex_unlock(j->mu);
			job_unref(j); /* the thread wipes and frees it when it ends */
			return -3;
		}
		if (!j->done)
			pf_cond_wait(j->cv, j->mu, 100);
	}
	rc = j->rc;
	if (rc == 0)
		memcpy(out, j->out, PPK_ARGON2_OUT);
	pf_mutex_unlock(j->mu);
	job_unref(j);
	return rc;
}

pfi_ppk_result pfi_ppk_parse(const char *text, size_t len, const char *passphrase, pfi_ppk *k,
			     char *why, size_t why_size)
{
	static const char hdr[] = "PuTTY-User-Key-File-";
	ppk_rd r = {text, text + len, 0, why, why_size};
	const char *line, *val, *enc_val = NULL, *comment = NULL;
	size_t ll, vlen, enc_len = 0, comment_len = 0, priv_len = 0, mac_len;
	unsigned char *priv = NULL, keys[PPK_ARGON2_OUT], salt[64], mac[32], want[32];
	unsigned char *mackey = NULL;
	size_t mackey_len = 0, salt_len = 0;
	uint32_t mem = 0, lanes = 0;
	pfi_argon2_type at = PF_ARGON2ID;
	pfi_wbuf macdata = {0}, ossh = {0};
	EVP_CIPHER_CTX *cx = NULL;
	const char *pass = passphrase != NULL ? passphrase : "";
	unsigned int maclen = 0;
	pfi_ppk_result res = PF_PPK_OK;
	int outl = 0, rc;

	memset(k, 0, sizeof(*k));
	memset(keys, 0, sizeof(keys));
	if (why_size > 0)
		why[0] = '\0';
	if (!rd_line(&r, &line, &ll) || ll < sizeof(hdr) + 3 ||
	    memcmp(line, hdr, sizeof(hdr) - 1) != 0)
		return say(&r, PF_PPK_DAMAGED, "the first line is not a PuTTY key header");
	if (line[sizeof(hdr) - 1] == '1' && line[sizeof(hdr)] == ':')
		return say(&r, PF_PPK_UNSUPPORTED,
			   "it is a version 1 PuTTY key, from before 2003; load it in PuTTYgen and "
			   "save it again");
	if ((line[sizeof(hdr) - 1] != '2' && line[sizeof(hdr) - 1] != '3') ||
	    line[sizeof(hdr)] != ':' || line[sizeof(hdr) + 1] != ' ')
		return say(&r, PF_PPK_UNSUPPORTED,
			   "it is a PuTTY key format newer than version 3; save it from "
			   "PuTTYgen as version 3, or export it as OpenSSH");
	k->version = line[sizeof(hdr) - 1] - '0';
	val = line + sizeof(hdr) + 2;
	vlen = ll - sizeof(hdr) - 2;
	if (vlen == 0 || vlen >= sizeof(k->type))
		return say(&r, PF_PPK_DAMAGED, "the key type on the first line is missing");
	memcpy(k->type, val, vlen);
	k->type[vlen] = '\0';

	if (rd_field(&r, "Encryption", &enc_val, &enc_len) != 0)
		return say(&r, PF_PPK_DAMAGED, "the Encryption line is missing");
	if (enc_len == 10 && memcmp(enc_val, "aes256-cbc", 10) == 0)
		k->encrypted = 1;
	else if (!(enc_len == 4 && memcmp(enc_val, "none", 4) == 0))
		return say(&r, PF_PPK_UNSUPPORTED,
			   "it is encrypted with a cipher PuTTY does not write (only aes256-cbc "
			   "is known)");
	if (rd_field(&r, "Comment", &comment, &comment_len) != 0) {
		/* "Comment: " with an empty comment ends in ": " too; accept "Comment:" */
		return say(&r, PF_PPK_DAMAGED, "the Comment line is missing");
	}
	snprintf(k->comment, sizeof(k->comment), "%.*s", (int)comment_len, comment);
	res = rd_blob(&r, "Public-Lines", &k->pub, &k->pub_len);
	if (res != PF_PPK_OK)
		goto out;

	if (k->version == 3 && k->encrypted) {
		uint32_t passes = 0;

		if (rd_field(&r, "Key-Derivation", &val, &vlen) != 0) {
			res = say(&r, PF_PPK_DAMAGED, "the Key-Derivation line is missing");
			goto out;
		}
		if (argon2_type(val, vlen, &at) != 0) {
			res = say(&r, PF_PPK_UNSUPPORTED,
				  "it names a key derivation other than Argon2id, Argon2i or "
				  "Argon2d");
			goto out;
		}
		snprintf(k->kdf, sizeof(k->kdf), "%.*s", (int)vlen, val);
		if (rd_field(&r, "Argon2-Memory", &val, &vlen) != 0 ||
		    parse_u32(val, vlen, &mem) != 0 ||
		    rd_field(&r, "Argon2-Passes", &val, &vlen) != 0 ||
		    parse_u32(val, vlen, &passes) != 0 ||
		    rd_field(&r, "Argon2-Parallelism", &val, &vlen) != 0 ||
		    parse_u32(val, vlen, &lanes) != 0 ||
		    rd_field(&r, "Argon2-Salt", &val, &vlen) != 0 || vlen == 0 || vlen % 2 != 0 ||
		    vlen / 2 > sizeof(salt) || parse_hex(val, vlen, salt, vlen / 2) != 0) {
			res = say(&r, PF_PPK_DAMAGED,
				  "its Argon2 parameters are missing or malformed");
			goto out;
		}
		salt_len = vlen / 2;
		k->passes = passes;
		k->mem_kib = mem;
		/* Checked before any work: a hostile file must not cost us
		 * gigabytes or minutes. */
		if (mem > PPK_MEM_MAX || passes > PPK_PASSES_MAX || lanes > PPK_LANES_MAX ||
		    passes == 0 || lanes == 0 || mem < 8 * lanes ||
		    (uint64_t)mem * passes > PPK_WORK_MAX) {
			res = say(&r, PF_PPK_UNSUPPORTED,
				  "its Argon2 parameters ask for too much work (%lu KiB x %lu "
				  "passes, %lu lanes; we allow %s x passes, about 10 s, at most "
				  "256 MiB and 16 lanes); load it in PuTTYgen and save it again "
				  "with the default parameters",
				  (unsigned long)mem, (unsigned long)passes, (unsigned long)lanes,
				  PPK_WORK_TEXT);
			goto out;
		}
	}
	res = rd_blob(&r, "Private-Lines", &priv, &priv_len);
	if (res != PF_PPK_OK)
		goto out;
	if (rd_field(&r, "Private-MAC", &val, &mac_len) != 0) {
		res = say(&r, PF_PPK_DAMAGED,
			  k->version == 2 && rd_field(&r, "Private-Hash", &val, &mac_len) == 0
				  ? "it has an old Private-Hash line instead of Private-MAC"
				  : "the Private-MAC line is missing");
		goto out;
	}
	if (parse_hex(val, mac_len, want, k->version == 2 ? 20 : 32) != 0) {
		res = say(&r, PF_PPK_DAMAGED,
			  "the Private-MAC line is not a MAC of the right length");
		goto out;
	}
	if (k->encrypted && priv_len % 16 != 0) {
		res = say(&r, PF_PPK_DAMAGED,
			  "its encrypted private section has an impossible length");
		goto out;
	}
	if (k->encrypted && pass[0] == '\0') {
		res = PF_PPK_NEEDS_PASSPHRASE;
		goto out;
	}

	/* Keys. */
	if (k->version == 2) {
		if (v2_keys(k->encrypted ? pass : "", keys, keys + 32) != 0) {
			res = PF_PPK_NOMEM;
			goto out;
		}
		mackey = keys + 32;
		mackey_len = 20;
	} else if (k->encrypted) {
		rc = derive(at, mem, k->passes, lanes, pass, salt, salt_len, keys);
		if (rc != 0) {
			res = rc == -2   ? PF_PPK_NOMEM
			      : rc == -3 ? say(&r, PF_PPK_CANCELLED, "reading it was cancelled")
					 : say(&r, PF_PPK_UNSUPPORTED,
					       "its Argon2 parameters are not usable");
			goto out;
		}
		mackey = keys + 48;
		mackey_len = 32;
	} else {
		mackey = keys;
		mackey_len = 0;
	}
	if (k->encrypted) {
		/* v2: key = keys[0..31], IV zero; v3: key, then IV keys[32..47] */
		unsigned char zero_iv[16] = {0};

		if ((cx = EVP_CIPHER_CTX_new()) == NULL ||
		    EVP_DecryptInit_ex(cx, EVP_aes_256_cbc(), NULL, keys,
				       k->version == 2 ? zero_iv : keys + 32) != 1 ||
		    EVP_CIPHER_CTX_set_padding(cx, 0) != 1 ||
		    EVP_DecryptUpdate(cx, priv, &outl, priv, (int)priv_len) != 1 ||
		    (size_t)outl != priv_len) {
			res = PF_PPK_NOMEM;
			goto out;
		}
	}
	pfi_wbuf_string(&macdata, k->type, strlen(k->type));
	pfi_wbuf_string(&macdata, enc_val, enc_len);
	pfi_wbuf_string(&macdata, comment, comment_len);
	pfi_wbuf_string(&macdata, k->pub, k->pub_len);
	pfi_wbuf_string(&macdata, priv, priv_len);
	if (macdata.failed ||
	    HMAC(k->version == 2 ? EVP_sha1() : EVP_sha256(), mackey_len ? mackey : keys,
		 (int)mackey_len, macdata.data, macdata.len, mac, &maclen) == NULL) {
		res = PF_PPK_NOMEM;
		goto out;
	}
	if (CRYPTO_memcmp(mac, want, maclen) != 0) {
		if (k->encrypted)
			res = PF_PPK_WRONG_PASSPHRASE;
		else
			res = say(&r, PF_PPK_DAMAGED,
				  "its Private-MAC does not match the key (the file was changed "
				  "or cut)");
		goto out;
	}
	rc = to_openssh(k, priv, priv_len, &ossh);
	if (rc != 0) {
		res = rc == -2 ? PF_PPK_NOMEM
			       : say(&r, PF_PPK_DAMAGED, "its private section is malformed");
		goto out;
	}
	k->openssh = ossh.data;
	k->openssh_len = ossh.len;
	memset(&ossh, 0, sizeof(ossh));
out:
	EVP_CIPHER_CTX_free(cx);
	pfi_wbuf_wipe(&macdata);
	pfi_wbuf_wipe(&ossh);
	if (priv != NULL) {
		pf_secure_zero(priv, priv_len);
		free(priv);
	}
	pf_secure_zero(keys, sizeof(keys));
	return res;
}

void pfi_ppk_free(pfi_ppk *k)
{
	if (k == NULL)
		return;
	free(k->pub);
	if (k->openssh != NULL) {
		pf_secure_zero(k->openssh, k->openssh_len);
		free(k->openssh);
	}
	memset(k, 0, sizeof(*k));
}
