/* Argon2 (RFC 9106, through OpenSSL's EVP_KDF) against the published test
 * vectors of RFC 9106 section 5 for Argon2d, Argon2i and Argon2id, and the
 * parameter checks; test_ppk decrypts PuTTY's own .ppk v3 files. Runs
 * natively and under Wine. */
#include <stdio.h>
#include <string.h>

#include "../../core/argon2.h"
#include "check.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void rfc9106(pfi_argon2_type type, const char *want)
{
	unsigned char pwd[32], salt[16], secret[8], ad[12], out[32];
	char h[65];

	memset(pwd, 1, sizeof(pwd));
	memset(salt, 2, sizeof(salt));
	memset(secret, 3, sizeof(secret));
	memset(ad, 4, sizeof(ad));
	CHECK_INT(pfi_argon2(type, 32, 3, 4, pwd, sizeof(pwd), salt, sizeof(salt), secret,
			     sizeof(secret), ad, sizeof(ad), out, sizeof(out)),
		  0);
	hex(out, sizeof(out), h);
	CHECK_STR(h, want);
}

int main(void)
{
	unsigned char out[80];

	rfc9106(PF_ARGON2D, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb");
	rfc9106(PF_ARGON2I, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8");
	rfc9106(PF_ARGON2ID, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");

	/* parameters out of range */
	CHECK_INT(
		pfi_argon2(PF_ARGON2ID, 7, 1, 1, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 32),
		-1);
	CHECK_INT(
		pfi_argon2(PF_ARGON2ID, 64, 0, 1, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 32),
		-1);
	CHECK_INT(
		pfi_argon2(PF_ARGON2ID, 64, 1, 1, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 3),
		-1);
	CHECK_INT(pfi_argon2(PF_ARGON2ID, 64, 1, 1, "p", 1, "salt", 4, NULL, 0, NULL, 0, out, 32),
		  -1);
	CHECK_INT(
		pfi_argon2(PF_ARGON2ID, 64, 1, 0, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 32),
		-1);
	/* an 80-byte tag (as .ppk uses) exercises the long H' */
	CHECK_INT(
		pfi_argon2(PF_ARGON2ID, 64, 1, 1, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 80),
		0);
	return check_summary("argon2");
}
