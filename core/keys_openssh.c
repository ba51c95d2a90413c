/* OpenSSH's own private key format ("openssh-key-v1"): the structure,
 * cipher, KDF and public section are checked here, then libssh decrypts a
 * canonical copy of the exact bytes we checked. */
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>

#include "keys_internal.h"
#include "pf/mem.h"
#include "sshwire.h"

#define KDF_ROUNDS_MAX 10000 /* ssh-keygen's default is 16; -a 100 takes ~1 s */

static const struct {
	const char *name;
	size_t block;
} openssh_ciphers[] = {
	/* The ciphers libssh can decrypt a key file with. */
	{"aes256-ctr", 16}, {"aes192-ctr", 16}, {"aes128-ctr", 16}, {"aes256-cbc", 16},
	{"aes192-cbc", 16}, {"aes128-cbc", 16}, {"3des-cbc", 8},
};

/* How many strings follow the key type in the private section. */
static int private_fields(const char *type)
{
	if (strcmp(type, "ssh-ed25519") == 0)
		return 2; /* public, private+public */
	if (strncmp(type, "ecdsa-sha2-", 11) == 0)
		return 3; /* curve, public point, private scalar */
	if (strcmp(type, "ssh-rsa") == 0)
		return 6; /* n, e, d, iqmp, p, q */
	return -1;
}

/* Give libssh an OpenSSH key blob (armoured in wiped memory), decrypted with
 * c->passphrase if it is encrypted. 0 with c->key set, -1 when libssh
 * refuses it, -2 when out of memory. */
int pfi_key_openssh_import(pfi_key_ctx *c, const unsigned char *bin, size_t bin_len)
{
	char *body = pfi_b64_encode(bin, bin_len, 70), *pem = NULL;
	int rc = 0;

	if (body != NULL)
		pem = pf_asprintf("-----BEGIN OPENSSH PRIVATE KEY-----\n%s"
				  "-----END OPENSSH PRIVATE KEY-----\n",
				  body);
	if (pem == NULL) {
		rc = -2;
	} else if (ssh_pki_import_privkey_base64(pem, c->passphrase ? c->passphrase : "", NULL,
						 NULL, &c->key) != SSH_OK) {
		c->key = NULL;
		rc = -1;
	}
	if (body != NULL) {
		pf_secure_zero(body, strlen(body));
		free(body);
	}
	if (pem != NULL) {
		pf_secure_zero(pem, strlen(pem));
		free(pem);
	}
	return rc;
}

pf_key_result pfi_key_parse_openssh(pfi_key_ctx *c, const pfi_pem_block *b)
{
	pf_key_info *info = c->info;
	unsigned char *bin = NULL;
	size_t bin_len = 0, i, block = 0;
	char cipher[32], kdf[32];
	const unsigned char *s_cipher, *s_kdf, *s_kdfopt, *s_pub, *s_priv;
	size_t n_cipher, n_kdf, n_kdfopt, n_pub, n_priv;
	uint32_t nkeys;
	ssh_key pub = NULL;
	pf_key_result res = PF_KEY_OK;
	pfi_wire r;
	int dec;

	info->format = PF_KEY_FORMAT_OPENSSH;
	if (b->body_end == NULL)
		return pfi_key_damaged(c, PFI_KEY_MISSING_END);
	dec = pfi_b64_decode(b->body, (size_t)(b->body_end - b->body), &bin, &bin_len);
	if (dec == -2)
		return pfi_key_fail_nomem(c);
	if (dec != 0) {
		res = pfi_key_damaged(
			c, "the key data is not valid base64 (a line was changed or cut)");
		goto out;
	}
	r.p = bin;
	r.left = bin_len;
	if (bin_len < 15 || memcmp(bin, "openssh-key-v1", 15) != 0) {
		res = pfi_key_damaged(c, "it does not start like an OpenSSH key");
		goto out;
	}
	r.p += 15;
	r.left -= 15;
	if (pfi_wire_string(&r, &s_cipher, &n_cipher) != 0 ||
	    pfi_wire_string(&r, &s_kdf, &n_kdf) != 0 ||
	    pfi_wire_string(&r, &s_kdfopt, &n_kdfopt) != 0 || pfi_wire_u32(&r, &nkeys) != 0) {
		res = pfi_key_damaged(c, "the key data is incomplete");
		goto out;
	}
	if (nkeys == 0) {
		res = pfi_key_damaged(c, "it holds no key");
		goto out;
	}
	if (nkeys != 1) {
		res = pfi_key_fail(
			c, PF_KEY_UNSUPPORTED,
			"%s holds %u keys; only files with one key are supported. Split it "
			"with ssh-keygen, one key per file.",
			c->name, (unsigned)nkeys);
		goto out;
	}
	if (pfi_wire_string(&r, &s_pub, &n_pub) != 0 ||
	    pfi_wire_string(&r, &s_priv, &n_priv) != 0) {
		res = pfi_key_damaged(c, "the key data is incomplete");
		goto out;
	}
	pfi_wire_text(cipher, sizeof(cipher), s_cipher, n_cipher);
	pfi_wire_text(kdf, sizeof(kdf), s_kdf, n_kdf);
	info->encrypted = strcmp(cipher, "none") != 0;

	/* The public section: type and fingerprint even before decryption. */
	res = pfi_key_take_blob(c, s_pub, n_pub);
	if (res != PF_KEY_OK)
		goto out;

	if (info->encrypted) {
		pfi_wire ko = {s_kdfopt, n_kdfopt};
		const unsigned char *salt;
		size_t salt_len;
		uint32_t rounds;

		pf_strlcpy(info->cipher, cipher, sizeof(info->cipher));
		for (i = 0; i < sizeof(openssh_ciphers) / sizeof(openssh_ciphers[0]); i++)
			if (strcmp(cipher, openssh_ciphers[i].name) == 0)
				block = openssh_ciphers[i].block;
		if (block == 0 || n_cipher >= sizeof(cipher)) {
			res = pfi_key_fail(
				c, PF_KEY_UNSUPPORTED,
				"%s is encrypted with the cipher \"%s\", which is not supported. "
				"Re-encrypt it with: ssh-keygen -p -Z aes256-ctr -f <file>",
				c->name, cipher);
			goto out;
		}
		if (strcmp(kdf, "bcrypt") != 0) {
			res = pfi_key_fail(
				c, PF_KEY_UNSUPPORTED,
				"%s uses the key derivation \"%s\", which is not supported. "
				"Re-encrypt it with: ssh-keygen -p -f <file>",
				c->name, kdf);
			goto out;
		}
		if (pfi_wire_string(&ko, &salt, &salt_len) != 0 ||
		    pfi_wire_u32(&ko, &rounds) != 0 || salt_len == 0 || salt_len > 1024 ||
		    rounds == 0) {
			res = pfi_key_damaged(c, "its encryption parameters are malformed");
			goto out;
		}
		info->kdf_rounds = rounds;
		if (rounds > KDF_ROUNDS_MAX) {
			res = pfi_key_fail(
				c, PF_KEY_UNSUPPORTED,
				"%s asks for %u bcrypt rounds, more than the %u we accept "
				"(decrypting would take many minutes). Re-encrypt it with fewer: "
				"ssh-keygen -p -a 100 -f <file>",
				c->name, (unsigned)rounds, (unsigned)KDF_ROUNDS_MAX);
			goto out;
		}
		if (n_priv == 0 || n_priv % block != 0) {
			res = pfi_key_damaged(c, "its encrypted section has an impossible length");
			goto out;
		}
		if (c->passphrase == NULL) {
			res = pfi_key_needs_passphrase(c);
			goto out;
		}
	} else {
		/* Plain: check the private section and read the comment. */
		pfi_wire pr = {s_priv, n_priv};
		uint32_t check1, check2;
		const unsigned char *t, *f;
		size_t tn, fn;
		char type[48];
		int k, fields;

		if (pfi_wire_u32(&pr, &check1) != 0 || pfi_wire_u32(&pr, &check2) != 0 ||
		    check1 != check2 || pfi_wire_string(&pr, &t, &tn) != 0) {
			res = pfi_key_damaged(c, "its private section is malformed");
			goto out;
		}
		pfi_wire_text(type, sizeof(type), t, tn);
		if (tn >= sizeof(type) || strcmp(type, info->type) != 0) {
			res = pfi_key_damaged(
				c, "its private and public sections disagree on the key type");
			goto out;
		}
		fields = private_fields(type);
		for (k = 0; k < fields; k++)
			if (pfi_wire_string(&pr, &f, &fn) != 0)
				break;
		if (fields < 0 || k < fields || pfi_wire_string(&pr, &f, &fn) != 0) {
			res = pfi_key_damaged(c, "its private section is incomplete");
			goto out;
		}
		pfi_wire_text(info->comment, sizeof(info->comment), f, fn);
	}

	/* Hand libssh a canonical copy of exactly the bytes checked above. */
	dec = pfi_key_openssh_import(c, bin, bin_len);
	if (dec == -2) {
		res = pfi_key_fail_nomem(c);
		goto out;
	}
	if (dec != 0) {
		/* The structure is sound, so for an encrypted key the check bytes
		 * after decryption did not match: what OpenSSH calls an incorrect
		 * passphrase. */
		res = info->encrypted ? pfi_key_wrong_passphrase(c)
				      : pfi_key_damaged(c, "libssh cannot read its private key");
		goto out;
	}
	pub = pfi_key_from_blob(c->blob, c->blob_len, info->type);
	if (pub == NULL || ssh_key_cmp(pub, c->key, SSH_KEY_CMP_PUBLIC) != 0) {
		res = pfi_key_damaged(c, "its private key does not match its public key");
		goto out;
	}
out:
	if (res != PF_KEY_OK && c->key != NULL) {
		ssh_key_free(c->key);
		c->key = NULL;
	}
	ssh_key_free(pub);
	if (bin != NULL) {
		pf_secure_zero(bin, bin_len);
		free(bin);
	}
	return res;
}
