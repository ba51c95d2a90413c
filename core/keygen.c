/* New key pairs: libssh generates the key and writes OpenSSH's private key
 * format through its public export (encrypted with bcrypt-pbkdf, 16 rounds,
 * and aes128-cbc where ssh-keygen uses aes256-ctr: every OpenSSH and
 * PuTTYgen reads both); we write the .pub line. Every buffer that held the
 * private key is wiped. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>

#include "sshwire.h"
#include "pf/keygen.h"
#include "pf/mem.h"
#include "pf/platform.h"

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
	unsigned char *pubblob = NULL;
	size_t pubblob_len = 0;
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
	/* The comment goes into the .pub line only: libssh writes none into
	 * the private key file. */
	if (ssh_pki_export_privkey_base64_format(
		    key, p->passphrase != NULL && p->passphrase[0] != '\0' ? p->passphrase : NULL,
		    NULL, NULL, &plain, SSH_FILE_FORMAT_OPENSSH) != SSH_OK ||
	    plain == NULL) {
		plain = NULL;
		rc = pf_error_set(err, PF_E_INTERNAL,
				  "Exporting the new key failed (libssh). Please report this.");
		goto out;
	}
	*priv_text = pf_strdup(plain);
	if (*priv_text == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory while making the key.");
		goto out;
	}
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

/* Replace a key pair so that a failure leaves the old pair as it was: both
 * files are written to temporaries first (every check and every write
 * happens there), then renamed, the public key last. Should that last
 * rename fail, the old private key is put back (or the new one removed). */
static pf_rc write_pair(const char *path, const char *text, const char *pub_path, const char *line,
			pf_error *err)
{
	pf_file_pending *priv = NULL, *pub = NULL;
	char *old = NULL;
	size_t old_len = 0;
	int had_old;
	pf_rc rc;

	rc = pf_file_write_prepare(path, text, strlen(text), 1, &priv, err);
	if (rc == PF_OK)
		rc = pf_file_write_prepare(pub_path, line, strlen(line), 0, &pub, err);
	if (rc != PF_OK)
		goto out;
	had_old = pf_file_exists(path);
	if (had_old && pf_file_read(path, 1u << 20, &old, &old_len, NULL) != PF_OK)
		old = NULL;
	rc = pf_file_write_commit(priv, err);
	priv = NULL;
	if (rc != PF_OK)
		goto out;
	rc = pf_file_write_commit(pub, err);
	pub = NULL;
	if (rc != PF_OK && old != NULL)
		(void)pf_file_write_secret(path, old, old_len, NULL);
	else if (rc != PF_OK && !had_old)
		(void)pf_file_remove(path);
out:
	pf_file_write_abort(priv);
	pf_file_write_abort(pub);
	if (old != NULL) {
		pf_secure_zero(old, old_len);
		free(old);
	}
	return rc;
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
		rc = write_pair(path, text, pub_path, line, err);
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
