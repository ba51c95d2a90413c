/* New key pairs: libssh generates the key; we write OpenSSH's private key
 * format ourselves so that it is encrypted exactly as ssh-keygen does it
 * (bcrypt-pbkdf, 16 rounds, 16-byte salt, aes256-ctr), and the .pub line.
 *
 * The private fields come from libssh's own unencrypted OpenSSH export,
 * which we re-wrap: the bytes between the check integers and the comment
 * are copied unchanged. Every buffer that held them is wiped. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <libssh/libssh.h>

#include "keys_internal.h"
#include "sshwire.h"
#include "pf/keygen.h"
#include "pf/mem.h"
#include "pf/platform.h"

#define OPENSSH_MAGIC     "openssh-key-v1"
#define BCRYPT_ROUNDS     16
#define BCRYPT_SALT_LEN   16
#define AES_KEY_LEN       32
#define AES_IV_LEN        16
#define OPENSSH_BLOCK_LEN 16

int pf_keygen_type_parse(const char *name, pf_keygen_type *type)
{
	static const struct {
		const char *name;
		pf_keygen_type type;
	} names[] = {
		{"ed25519", PF_KEYGEN_ED25519}, {"rsa", PF_KEYGEN_RSA}, {"ecdsa", PF_KEYGEN_ECDSA}};
	size_t i, k;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *a = name, *b = names[i].name;

		for (k = 0; a[k] && b[k] && tolower((unsigned char)a[k]) == b[k]; k++)
			;
		if (a[k] == '\0' && b[k] == '\0') {
			*type = names[i].type;
			return 0;
		}
	}
	return -1;
}

const char *pf_keygen_default_name(pf_keygen_type type)
{
	switch (type) {
	case PF_KEYGEN_ED25519: return "id_ed25519";
	case PF_KEYGEN_RSA: return "id_rsa";
	case PF_KEYGEN_ECDSA: return "id_ecdsa";
	}
	return "id_key";
}

static int default_bits(pf_keygen_type type)
{
	return type == PF_KEYGEN_RSA ? 3072 : 256; /* ed25519 and ECDSA P-256 */
}

pf_rc pf_keygen_check(const pf_keygen_params *p, pf_error *err)
{
	int bits = p->bits;

	switch (p->type) {
	case PF_KEYGEN_ED25519:
		if (bits != 0 && bits != 256)
			return pf_error_set(err, PF_E_INVAL,
					    "ed25519 keys have a fixed size: leave out -b (or use "
					    "-b 256).");
		return PF_OK;
	case PF_KEYGEN_RSA:
		if (bits != 0 && bits != 3072 && bits != 4096)
			return pf_error_set(err, PF_E_INVAL,
					    "RSA keys of %d bits are not offered: use 3072 (the "
					    "default) or 4096.",
					    bits);
		return PF_OK;
	case PF_KEYGEN_ECDSA:
		if (bits != 0 && bits != 256 && bits != 384 && bits != 521)
			return pf_error_set(err, PF_E_INVAL,
					    "ECDSA keys of %d bits do not exist: use 256 (the "
					    "default), 384 or 521.",
					    bits);
		return PF_OK;
	}
	return pf_error_set(err, PF_E_INVAL,
			    "Unknown key type: use ed25519 (the default), rsa or ecdsa.");
}

static enum ssh_keytypes_e libssh_type(pf_keygen_type type, int bits)
{
	if (type == PF_KEYGEN_RSA)
		return SSH_KEYTYPE_RSA;
	if (type == PF_KEYGEN_ECDSA)
		return bits == 521   ? SSH_KEYTYPE_ECDSA_P521
		       : bits == 384 ? SSH_KEYTYPE_ECDSA_P384
				     : SSH_KEYTYPE_ECDSA_P256;
	return SSH_KEYTYPE_ED25519;
}

/* "user@host", as ssh-keygen's default comment. */
static char *default_comment(void)
{
	char *user = pf_user_name(), *host = pf_host_name(), *c;

	c = pf_asprintf("%s@%s", user && user[0] ? user : "user", host && host[0] ? host : "pc");
	free(user);
	free(host);
	return c;
}

/* Find the private fields in libssh's unencrypted OpenSSH export: the
 * public blob and the bytes from the key type up to (not including) the
 * comment. Returns 0, or -1 if the export is not what we expect. */
static int split_plain(const unsigned char *bin, size_t n, const unsigned char **pub,
		       size_t *pub_len, const unsigned char **fields, size_t *fields_len)
{
	pfi_wire r = {bin, n}, pr;
	const unsigned char *s, *priv, *start;
	size_t sn, priv_len;
	uint32_t nkeys, c1, c2;
	int k, count;

	if (n < sizeof(OPENSSH_MAGIC) || memcmp(bin, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC)) != 0)
		return -1;
	r.p += sizeof(OPENSSH_MAGIC);
	r.left -= sizeof(OPENSSH_MAGIC);
	if (pfi_wire_string(&r, &s, &sn) != 0 || sn != 4 || memcmp(s, "none", 4) != 0 ||
	    pfi_wire_string(&r, &s, &sn) != 0 || pfi_wire_string(&r, &s, &sn) != 0 ||
	    pfi_wire_u32(&r, &nkeys) != 0 || nkeys != 1 || pfi_wire_string(&r, pub, pub_len) != 0 ||
	    pfi_wire_string(&r, &priv, &priv_len) != 0)
		return -1;
	pr.p = priv;
	pr.left = priv_len;
	if (pfi_wire_u32(&pr, &c1) != 0 || pfi_wire_u32(&pr, &c2) != 0 || c1 != c2)
		return -1;
	start = pr.p;
	if (pfi_wire_string(&pr, &s, &sn) != 0)
		return -1;
	if (sn == 11 && memcmp(s, "ssh-ed25519", 11) == 0)
		count = 2;
	else if (sn > 11 && memcmp(s, "ecdsa-sha2-", 11) == 0)
		count = 3;
	else if (sn == 7 && memcmp(s, "ssh-rsa", 7) == 0)
		count = 6;
	else
		return -1;
	for (k = 0; k < count; k++)
		if (pfi_wire_string(&pr, &s, &sn) != 0)
			return -1;
	*fields = start;
	*fields_len = (size_t)(pr.p - start);
	return 0;
}

/* OpenSSH's private key file around the fields, encrypted when a
 * passphrase is given. *text is new (caller wipes and frees). */
static pf_rc wrap_openssh(const unsigned char *pub, size_t pub_len, const unsigned char *fields,
			  size_t fields_len, const char *comment, const char *pass, unsigned rounds,
			  char **text, pf_error *err)
{
	pfi_wbuf priv = {0}, out = {0}, kdf = {0};
	unsigned char salt[BCRYPT_SALT_LEN], keyiv[AES_KEY_LEN + AES_IV_LEN];
	uint32_t check;
	unsigned char pad = 1;
	EVP_CIPHER_CTX *cx = NULL;
	char *body = NULL;
	int enc = pass != NULL && pass[0] != '\0', outl = 0;
	pf_rc rc = PF_OK;

	*text = NULL;
	if (pf_random_bytes(&check, sizeof(check)) != PF_OK ||
	    pf_random_bytes(salt, sizeof(salt)) != PF_OK) {
		rc = pf_error_set(err, PF_E_INTERNAL,
				  "The system's random number generator failed; try again.");
		goto out;
	}
	pfi_wbuf_u32(&priv, check);
	pfi_wbuf_u32(&priv, check);
	pfi_wbuf_put(&priv, fields, fields_len);
	pfi_wbuf_cstring(&priv, comment);
	while (priv.len % OPENSSH_BLOCK_LEN != 0) {
		pfi_wbuf_put(&priv, &pad, 1);
		pad++;
	}

	pfi_wbuf_put(&out, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC));
	if (enc) {
		pfi_wbuf_string(&kdf, salt, sizeof(salt));
		pfi_wbuf_u32(&kdf, rounds);
		pfi_wbuf_cstring(&out, "aes256-ctr");
		pfi_wbuf_cstring(&out, "bcrypt");
		pfi_wbuf_string(&out, kdf.data, kdf.len);
	} else {
		pfi_wbuf_cstring(&out, "none");
		pfi_wbuf_cstring(&out, "none");
		pfi_wbuf_string(&out, "", 0);
	}
	pfi_wbuf_u32(&out, 1);
	pfi_wbuf_string(&out, pub, pub_len);
	if (priv.failed || out.failed || kdf.failed) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory while writing the new key.");
		goto out;
	}
	if (enc) {
		if (bcrypt_pbkdf(pass, strlen(pass), salt, sizeof(salt), keyiv, sizeof(keyiv),
				 rounds) != 0 ||
		    (cx = EVP_CIPHER_CTX_new()) == NULL ||
		    EVP_EncryptInit_ex(cx, EVP_aes_256_ctr(), NULL, keyiv, keyiv + AES_KEY_LEN) !=
			    1 ||
		    EVP_EncryptUpdate(cx, priv.data, &outl, priv.data, (int)priv.len) != 1 ||
		    (size_t)outl != priv.len) {
			rc = pf_error_set(err, PF_E_INTERNAL,
					  "Encrypting the new key failed (OpenSSL). Please report "
					  "this.");
			goto out;
		}
	}
	pfi_wbuf_string(&out, priv.data, priv.len);
	body = out.failed ? NULL : pfi_b64_encode(out.data, out.len, 70);
	if (body != NULL)
		*text = pf_asprintf("-----BEGIN OPENSSH PRIVATE KEY-----\n%s"
				    "-----END OPENSSH PRIVATE KEY-----\n",
				    body);
	if (*text == NULL)
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory while writing the new key.");
out:
	EVP_CIPHER_CTX_free(cx);
	pf_secure_zero(keyiv, sizeof(keyiv));
	pfi_wbuf_wipe(&priv);
	pfi_wbuf_wipe(&out);
	pfi_wbuf_wipe(&kdf);
	pf_keygen_free_secret(body);
	return rc;
}

void pf_keygen_free_secret(char *text)
{
	if (text != NULL) {
		pf_secure_zero(text, strlen(text));
		free(text);
	}
}

void pf_keygen_result_free(pf_keygen_result *r)
{
	if (r == NULL)
		return;
	free(r->public_line);
	free(r->pub_path);
	memset(r, 0, sizeof(*r));
}

pf_rc pf_keygen_generate_mem(const pf_keygen_params *p, char **priv_text, pf_keygen_result *out,
			     pf_error *err)
{
	ssh_key key = NULL;
	char *plain = NULL, *comment = NULL, *pub64 = NULL;
	unsigned char *bin = NULL, *pubblob = NULL;
	size_t bin_len = 0, pub_len = 0, fields_len = 0, pubblob_len = 0;
	const unsigned char *pub, *fields;
	const char *b, *e;
	int bits;
	pf_rc rc;

	*priv_text = NULL;
	memset(out, 0, sizeof(*out));
	rc = pf_keygen_check(p, err);
	if (rc != PF_OK)
		return rc;
	bits = p->bits ? p->bits : default_bits(p->type);
	comment = p->comment != NULL ? pf_strdup(p->comment) : default_comment();
	if (comment == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory while making the key.");
		goto out;
	}
	if (strchr(comment, '\n') != NULL || strchr(comment, '\r') != NULL) {
		rc = pf_error_set(err, PF_E_INVAL,
				  "The comment must be one line: remove the line break.");
		goto out;
	}
	if (ssh_pki_generate(libssh_type(p->type, bits), p->type == PF_KEYGEN_RSA ? bits : 0,
			     &key) != SSH_OK) {
		key = NULL;
		rc = pf_error_set(err, PF_E_INTERNAL,
				  "Generating the key failed (libssh). Please report this.");
		goto out;
	}
	if (ssh_pki_export_privkey_base64_format(key, NULL, NULL, NULL, &plain,
						 SSH_FILE_FORMAT_OPENSSH) != SSH_OK ||
	    plain == NULL) {
		plain = NULL;
		rc = pf_error_set(err, PF_E_INTERNAL,
				  "Exporting the new key failed (libssh). Please report this.");
		goto out;
	}
	b = strstr(plain, "-----\n");
	e = strstr(plain, "-----END");
	if (b == NULL || e == NULL || e < b ||
	    pfi_b64_decode(b + 6, (size_t)(e - b - 6), &bin, &bin_len) != 0 ||
	    split_plain(bin, bin_len, &pub, &pub_len, &fields, &fields_len) != 0) {
		rc = pf_error_set(err, PF_E_INTERNAL,
				  "libssh exported the new key in an unexpected form. Please "
				  "report this.");
		goto out;
	}
	rc = wrap_openssh(pub, pub_len, fields, fields_len, comment, p->passphrase,
			  p->kdf_rounds ? p->kdf_rounds : BCRYPT_ROUNDS, priv_text, err);
	if (rc != PF_OK)
		goto out;
	if (ssh_pki_export_pubkey_base64(key, &pub64) != SSH_OK || pub64 == NULL) {
		pub64 = NULL;
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory while making the key.");
		goto out;
	}
	out->public_line =
		comment[0] ? pf_asprintf("%s %s %s", ssh_key_type_to_char(ssh_key_type(key)), pub64,
					 comment)
			   : pf_asprintf("%s %s", ssh_key_type_to_char(ssh_key_type(key)), pub64);
	if (out->public_line == NULL ||
	    pfi_b64_decode(pub64, strlen(pub64), &pubblob, &pubblob_len) != 0 ||
	    pfi_fingerprint_blob(pubblob, pubblob_len, out->fingerprint,
				 sizeof(out->fingerprint)) != 0) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory while making the key.");
		goto out;
	}
	pf_strlcpy(out->label,
		   p->type == PF_KEYGEN_RSA     ? "RSA"
		   : p->type == PF_KEYGEN_ECDSA ? "ECDSA"
						: "ED25519",
		   sizeof(out->label));
	out->bits = bits;
out:
	if (rc != PF_OK) {
		pf_keygen_free_secret(*priv_text);
		*priv_text = NULL;
		pf_keygen_result_free(out);
	}
	ssh_key_free(key);
	if (plain != NULL) {
		pf_secure_zero(plain, strlen(plain));
		ssh_string_free_char(plain);
	}
	if (bin != NULL) {
		pf_secure_zero(bin, bin_len);
		free(bin);
	}
	free(pubblob);
	if (pub64 != NULL)
		ssh_string_free_char(pub64);
	free(comment);
	return rc;
}

int pf_keygen_exists(const char *path)
{
	char *pub = pf_asprintf("%s.pub", path);
	int r = pf_file_exists(path) || pf_dir_exists(path) || (pub != NULL && pf_file_exists(pub));

	free(pub);
	return r;
}

pf_rc pf_keygen_generate(const char *path, const pf_keygen_params *p, pf_keygen_result *out,
			 pf_error *err)
{
	char *text = NULL, *pub_path = NULL, *line = NULL;
	pf_rc rc;

	memset(out, 0, sizeof(*out));
	pub_path = pf_asprintf("%s.pub", path);
	if (pub_path == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory while making the key.");
	if (pf_dir_exists(path)) {
		rc = pf_error_set(err, PF_E_INVAL,
				  "%s is a folder: choose a file name for the key, such as %s.",
				  path, pf_keygen_default_name(p->type));
		goto out;
	}
	if (!p->overwrite && pf_keygen_exists(path)) {
		rc = pf_error_set(err, PF_E_BUSY,
				  "%s already exists. Choose another file name, or agree to "
				  "replace it (the old key stops working).",
				  pf_file_exists(path) ? path : pub_path);
		goto out;
	}
	rc = pf_keygen_generate_mem(p, &text, out, err);
	if (rc != PF_OK)
		goto out;
	line = pf_asprintf("%s\n", out->public_line);
	if (line == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory while making the key.");
		goto out;
	}
	if (pf_file_discards(path)) {
		/* -f /dev/null: the key is shown, no file is written (not even a .pub
		 * beside the device). */
		out->discarded = 1;
		rc = PF_OK;
	} else {
		rc = pf_file_write_secret(path, text, strlen(text), err);
		if (rc == PF_OK)
			rc = pf_file_write_atomic(pub_path, line, strlen(line), err);
	}
	if (rc != PF_OK)
		goto out;
	out->pub_path = pub_path;
	pub_path = NULL;
out:
	if (rc != PF_OK)
		pf_keygen_result_free(out);
	pf_keygen_free_secret(text);
	free(line);
	free(pub_path);
	return rc;
}
