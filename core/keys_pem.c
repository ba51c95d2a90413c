/* PEM private keys (PKCS#1, SEC1, PKCS#8 plain and encrypted, DSA),
 * parsed and decrypted here with libcrypto, so we know whether a failure is
 * a wrong passphrase, a damaged file or an unsupported cipher, and so
 * OpenSSL never prompts on a console by itself; then handed to libssh as
 * unencrypted PKCS#8 in wiped memory. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "keys_internal.h"
#include "pf/mem.h"

#define PBKDF_ITER_MAX 10000000UL /* PKCS#8: OpenSSL writes 2048; 10^7 is seconds */

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	(void)rwflag;
	if (pass == NULL || size <= 0)
		return -1;
	n = strlen(pass);
	if (n > (size_t)size)
		n = (size_t)size;
	memcpy(buf, pass, n);
	return (int)n;
}

/* Whether OpenSSL's error queue (now cleared) says an algorithm is missing
 * rather than that the decryption failed. */
static int errors_say_unsupported(void)
{
	unsigned long e;
	int unsupported = 0;

	while ((e = ERR_get_error()) != 0) {
		int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);

		if (reason == ERR_R_UNSUPPORTED || reason == ERR_R_FETCH_FAILED ||
		    (lib == ERR_LIB_EVP &&
		     (reason == EVP_R_UNKNOWN_PBE_ALGORITHM || reason == EVP_R_UNSUPPORTED_CIPHER ||
		      reason == EVP_R_UNSUPPORTED_KEY_DERIVATION_FUNCTION ||
		      reason == EVP_R_UNSUPPORTED_PRF || reason == EVP_R_UNKNOWN_CIPHER ||
		      reason == EVP_R_UNKNOWN_DIGEST)))
			unsupported = 1;
	}
	return unsupported;
}

/* An encrypted PKCS#8 file's scheme, for info->cipher ("PBES2/AES-256-CBC")
 * and its KDF cost (PBKDF2 or PKCS#12 iterations, scrypt's N) for
 * info->kdf_rounds; ULONG_MAX when it cannot be read. */
static void pkcs8_scheme(const X509_SIG *sig, char *buf, size_t size, unsigned long *cost)
{
	const X509_ALGOR *alg = NULL;
	const ASN1_OBJECT *obj = NULL;
	const void *pval = NULL;
	PBE2PARAM *p2 = NULL;
	PBKDF2PARAM *kdf = NULL;
	SCRYPT_PARAMS *scrypt = NULL;
	PBEPARAM *p1 = NULL;
	const ASN1_INTEGER *n = NULL;
	int ptype = 0, nid;
	long v;

	pf_strlcpy(buf, "unknown", size);
	*cost = ULONG_MAX;
	X509_SIG_get0(sig, &alg, NULL);
	if (alg == NULL)
		return;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	nid = OBJ_obj2nid(obj);
	if (nid != NID_undef)
		pf_strlcpy(buf, OBJ_nid2sn(nid), size);
	if (ptype != V_ASN1_SEQUENCE || pval == NULL)
		return;
	if (nid == NID_pbes2) {
		p2 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter);
		if (p2 == NULL || p2->encryption == NULL || p2->keyfunc == NULL)
			goto out;
		snprintf(buf, size, "PBES2/%s", OBJ_nid2sn(OBJ_obj2nid(p2->encryption->algorithm)));
		nid = OBJ_obj2nid(p2->keyfunc->algorithm);
		if (nid == NID_id_pbkdf2) {
			kdf = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM),
							p2->keyfunc->parameter);
			n = kdf ? kdf->iter : NULL;
		} else if (nid == NID_id_scrypt) {
			scrypt = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(SCRYPT_PARAMS),
							   p2->keyfunc->parameter);
			n = scrypt ? scrypt->costParameter : NULL;
		}
	} else {
		p1 = ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter);
		n = p1 ? p1->iter : NULL;
	}
	v = n ? ASN1_INTEGER_get(n) : -1;
	if (v > 0)
		*cost = (unsigned long)v;
out:
	PBE2PARAM_free(p2);
	PBKDF2PARAM_free(kdf);
	SCRYPT_PARAMS_free(scrypt);
	PBEPARAM_free(p1);
}

/* The key inside a (decrypted) PKCS#8 structure, after checking that its
 * algorithm is one SSH can use. NULL with the message set otherwise. */
static EVP_PKEY *pkcs8_key(pfi_key_ctx *c, const PKCS8_PRIV_KEY_INFO *p8, pf_key_result *res)
{
	const ASN1_OBJECT *obj = NULL;
	EVP_PKEY *pk;
	char name[80];
	int nid;

	if (PKCS8_pkey_get0(&obj, NULL, NULL, NULL, p8) != 1 || obj == NULL) {
		*res = pfi_key_damaged(c, "its key algorithm cannot be read");
		return NULL;
	}
	nid = OBJ_obj2nid(obj);
	if (nid == NID_dsa) {
		*res = pfi_key_new_key_advice(c,
					      "a DSA key; DSA keys are not supported (OpenSSH has "
					      "disabled them too)");
		return NULL;
	}
	if (nid != NID_rsaEncryption && nid != NID_X9_62_id_ecPublicKey && nid != NID_ED25519) {
		OBJ_obj2txt(name, sizeof(name), obj, 0);
		*res = pfi_key_fail(
			c, PF_KEY_UNSUPPORTED,
			"%s holds a key of type %s, which cannot be used for SSH. Use a key of "
			"type "
			"ed25519, ecdsa or rsa (ssh-keygen -t ed25519).",
			c->name, name);
		return NULL;
	}
	pk = EVP_PKCS82PKEY(p8);
	if (pk == NULL)
		*res = pfi_key_damaged(c, "its private key cannot be decoded");
	return pk;
}

/* Check that libssh can use the key, and give it to libssh as unencrypted
 * PKCS#8 in memory that is wiped when freed. */
static pf_key_result pkey_to_libssh(pfi_key_ctx *c, EVP_PKEY *pk)
{
	BIO *mem = NULL;
	char *pem = NULL, group[64] = "", what[160];
	long n;
	pf_key_result res = PF_KEY_OK;
	size_t glen = 0;
	int id = EVP_PKEY_get_base_id(pk);

	if (id == EVP_PKEY_RSA) {
		if (EVP_PKEY_get_bits(pk) < PFI_RSA_BITS_MIN) {
			snprintf(what, sizeof(what),
				 "an RSA key of only %d bits; servers refuse keys shorter than %d "
				 "bits",
				 EVP_PKEY_get_bits(pk), PFI_RSA_BITS_MIN);
			return pfi_key_new_key_advice(c, what);
		}
	} else if (id == EVP_PKEY_EC) {
		if (EVP_PKEY_get_group_name(pk, group, sizeof(group), &glen) != 1 ||
		    (strcmp(group, "prime256v1") != 0 && strcmp(group, "secp384r1") != 0 &&
		     strcmp(group, "secp521r1") != 0)) {
			snprintf(what, sizeof(what),
				 "an EC key on the curve %s; SSH uses only NIST P-256, P-384 "
				 "and P-521",
				 group[0] ? group : "(explicit parameters)");
			return pfi_key_new_key_advice(c, what);
		}
	} else if (id == EVP_PKEY_DSA) {
		return pfi_key_new_key_advice(c,
					      "a DSA key; DSA keys are not supported (OpenSSH has "
					      "disabled them too)");
	} else if (id != EVP_PKEY_ED25519) {
		return pfi_key_fail(
			c, PF_KEY_UNSUPPORTED,
			"%s holds a key of type %s, which cannot be used for SSH. Use a key of "
			"type "
			"ed25519, ecdsa or rsa (ssh-keygen -t ed25519).",
			c->name, EVP_PKEY_get0_type_name(pk) ? EVP_PKEY_get0_type_name(pk) : "?");
	}

	mem = BIO_new(BIO_s_secmem());
	if (mem == NULL || PEM_write_bio_PrivateKey(mem, pk, NULL, NULL, 0, NULL, NULL) != 1 ||
	    BIO_write(mem, "", 1) != 1) {
		res = pfi_key_fail_nomem(c);
		goto out;
	}
	n = BIO_get_mem_data(mem, &pem);
	if (n <= 0 || pem == NULL || pem[n - 1] != '\0') {
		res = pfi_key_fail(c, PF_KEY_ERROR, "Internal error converting %s.", c->name);
		goto out;
	}
	/* "" (not NULL): OpenSSL must never fall back to asking on a console. */
	if (ssh_pki_import_privkey_base64(pem, "", NULL, NULL, &c->key) != SSH_OK) {
		c->key = NULL;
		res = pfi_key_damaged(c, "libssh cannot use its private key");
		goto out;
	}
out:
	BIO_free(mem);
	return res;
}

pf_key_result pfi_key_parse_pem(pfi_key_ctx *c, const pfi_pem_block *b)
{
	pf_key_info *info = c->info;
	BIO *in = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long der_len = 0, der_alloc = 0;
	const unsigned char *p;
	X509_SIG *p8e = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *pk = NULL;
	EVP_CIPHER *fetched = NULL;
	pf_key_result res = PF_KEY_OK;
	const char *label = b->label;
	unsigned long cost = 0;

	if (strcmp(label, "RSA PRIVATE KEY") == 0)
		info->format = PF_KEY_FORMAT_PEM_PKCS1;
	else if (strcmp(label, "EC PRIVATE KEY") == 0)
		info->format = PF_KEY_FORMAT_PEM_SEC1;
	else if (strcmp(label, "PRIVATE KEY") == 0)
		info->format = PF_KEY_FORMAT_PEM_PKCS8;
	else
		info->format = PF_KEY_FORMAT_PEM_PKCS8_ENC;
	if (b->end == NULL)
		return pfi_key_damaged(c, PFI_KEY_MISSING_END);

	ERR_clear_error();
	in = BIO_new_mem_buf(b->begin, (int)(b->end - b->begin));
	if (in == NULL) {
		res = pfi_key_fail_nomem(c);
		goto out;
	}
	if (PEM_read_bio(in, &name, &header, &der, &der_len) != 1 || der_len <= 0) {
		res = pfi_key_damaged(
			c, "the key data is not valid base64 (a line was changed or cut)");
		goto out;
	}
	der_alloc = der_len;

	if (info->format == PF_KEY_FORMAT_PEM_PKCS8_ENC) {
		info->encrypted = 1;
		p = der;
		p8e = d2i_X509_SIG(NULL, &p, der_len);
		if (p8e == NULL) {
			res = pfi_key_damaged(c, "its encrypted key structure cannot be decoded");
			goto out;
		}
		pkcs8_scheme(p8e, info->cipher, sizeof(info->cipher), &cost);
		info->kdf_rounds = cost > UINT_MAX ? UINT_MAX : (unsigned)cost;
		if (cost > PBKDF_ITER_MAX) {
			res = pfi_key_fail(
				c, PF_KEY_UNSUPPORTED,
				"%s asks for a key derivation cost of %lu, more than the %lu we "
				"accept (decrypting would take very long). Re-encrypt it with: "
				"ssh-keygen -p -f <file>",
				c->name, cost, (unsigned long)PBKDF_ITER_MAX);
			goto out;
		}
		if (c->passphrase == NULL) {
			res = pfi_key_needs_passphrase(c);
			goto out;
		}
		ERR_clear_error();
		p8 = PKCS8_decrypt(p8e, c->passphrase, (int)strlen(c->passphrase));
		if (p8 == NULL) {
			if (errors_say_unsupported())
				res = pfi_key_fail(
					c, PF_KEY_UNSUPPORTED,
					"%s is encrypted with %s, which is not supported. "
					"Re-encrypt it with: ssh-keygen -p -f <file>",
					c->name, info->cipher);
			else
				res = pfi_key_wrong_passphrase(c);
			goto out;
		}
		pk = pkcs8_key(c, p8, &res);
	} else if (info->format == PF_KEY_FORMAT_PEM_PKCS8) {
		p = der;
		p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, der_len);
		if (p8 == NULL) {
			res = pfi_key_damaged(c, "its key structure cannot be decoded");
			goto out;
		}
		pk = pkcs8_key(c, p8, &res);
	} else {
		/* PKCS#1 or SEC1, perhaps with legacy "Proc-Type: 4,ENCRYPTED". */
		EVP_CIPHER_INFO ci;
		const char *dek = header ? strstr(header, "DEK-Info:") : NULL;

		if (header != NULL && strstr(header, "Proc-Type:") != NULL &&
		    strstr(header, "ENCRYPTED") != NULL) {
			size_t k = 0;

			info->encrypted = 1;
			if (dek != NULL) {
				dek += 9;
				while (*dek == ' ' || *dek == '\t')
					dek++;
				while (dek[k] != '\0' && dek[k] != ',' && dek[k] != '\n' &&
				       dek[k] != '\r' && k + 1 < sizeof(info->cipher)) {
					info->cipher[k] = dek[k];
					k++;
				}
				info->cipher[k] = '\0';
			}
		}
		memset(&ci, 0, sizeof(ci));
		if (header != NULL && PEM_get_EVP_CIPHER_INFO(header, &ci) != 1) {
			if (info->encrypted && info->cipher[0] != '\0')
				res = pfi_key_fail(
					c, PF_KEY_UNSUPPORTED,
					"%s is encrypted with %s, which is not supported (or its "
					"DEK-Info line is damaged). Re-encrypt it with: "
					"ssh-keygen -p -f <file>",
					c->name, info->cipher);
			else
				res = pfi_key_damaged(
					c, "its Proc-Type/DEK-Info header lines are malformed");
			goto out;
		}
		if (ci.cipher != NULL) {
			int bs;

			info->encrypted = 1;
			fetched = EVP_CIPHER_fetch(NULL, EVP_CIPHER_get0_name(ci.cipher), NULL);
			if (fetched == NULL) {
				res = pfi_key_fail(
					c, PF_KEY_UNSUPPORTED,
					"%s is encrypted with %s, which is not supported. "
					"Re-encrypt it with: ssh-keygen -p -f <file>",
					c->name, info->cipher);
				goto out;
			}
			bs = EVP_CIPHER_get_block_size(fetched);
			if (bs > 1 && der_len % bs != 0) {
				res = pfi_key_damaged(
					c, "its encrypted data has an impossible length");
				goto out;
			}
			if (c->passphrase == NULL) {
				res = pfi_key_needs_passphrase(c);
				goto out;
			}
			if (PEM_do_header(&ci, der, &der_len, pem_pass_cb, (void *)c->passphrase) !=
			    1) {
				res = pfi_key_wrong_passphrase(c);
				goto out;
			}
		}
		p = der;
		pk = d2i_PrivateKey(info->format == PF_KEY_FORMAT_PEM_PKCS1 ? EVP_PKEY_RSA
									    : EVP_PKEY_EC,
				    NULL, &p, der_len);
		if (pk == NULL) {
			/* After a decryption whose padding happened to look right,
			 * garbage means the passphrase was wrong. */
			res = info->encrypted
				      ? pfi_key_wrong_passphrase(c)
				      : pfi_key_damaged(c, "its private key cannot be decoded");
			goto out;
		}
	}
	if (pk == NULL)
		goto out; /* res set by pkcs8_key */
	res = pkey_to_libssh(c, pk);
out:
	EVP_CIPHER_free(fetched);
	EVP_PKEY_free(pk);
	PKCS8_PRIV_KEY_INFO_free(p8);
	X509_SIG_free(p8e);
	if (der != NULL)
		OPENSSL_clear_free(der, (size_t)der_alloc);
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(in);
	ERR_clear_error();
	return res;
}
