/* Argon2 through OpenSSL's EVP_KDF (OpenSSL 3.2 and later): see argon2.h. */
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "argon2.h"

int pfi_argon2(pfi_argon2_type type, uint32_t mem_kib, uint32_t passes, uint32_t lanes,
	       const void *pwd, size_t pwd_len, const void *salt, size_t salt_len,
	       const void *secret, size_t secret_len, const void *ad, size_t ad_len,
	       unsigned char *out, size_t tag_len)
{
	static const char *const names[] = {"ARGON2D", "ARGON2I", "ARGON2ID"};
	uint32_t version = 0x13, threads = 1;
	OSSL_PARAM params[10], *p = params;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	int rc = -2;

	/* RFC 9106 section 3.1's ranges, checked here so that a bad .ppk gets
	 * -1 (a message), never OpenSSL's own error queue. */
	if ((unsigned)type > PF_ARGON2ID || tag_len < 4 || tag_len > 1024 || passes < 1 ||
	    lanes < 1 || lanes > 0xFFFFFF || mem_kib < 8 * lanes || salt_len < 8 ||
	    (pwd == NULL && pwd_len != 0) || (secret == NULL && secret_len != 0) ||
	    (ad == NULL && ad_len != 0))
		return -1;
	/* OpenSSL's parameters are not const, but these are only read. */
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
						 (void *)(pwd_len ? pwd : ""), pwd_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len);
	if (secret_len > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret,
							 secret_len);
	if (ad_len > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_ARGON2_AD, (void *)ad,
							 ad_len);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_ITER, &passes);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_ARGON2_LANES, &lanes);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_THREADS, &threads);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_ARGON2_MEMCOST, &mem_kib);
	*p++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_ARGON2_VERSION, &version);
	*p = OSSL_PARAM_construct_end();

	kdf = EVP_KDF_fetch(NULL, names[type], NULL);
	if (kdf == NULL || (ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	if (EVP_KDF_derive(ctx, out, tag_len, params) == 1)
		rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}
