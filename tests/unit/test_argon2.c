/* BLAKE2b (RFC 7693) and Argon2 (RFC 9106) against published test vectors:
 * RFC 7693 appendix A ("abc"), further BLAKE2b digests computed with
 * Python's hashlib, and RFC 9106 section 5 for Argon2d, Argon2i and
 * Argon2id. Runs natively and under Wine. */
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

static void b2(const void *data, size_t len, size_t outlen, const char *want)
{
	pf_blake2b s;
	unsigned char out[64];
	char h[129];

	pf_blake2b_init(&s, outlen);
	pf_blake2b_update(&s, data, len);
	pf_blake2b_final(&s, out);
	hex(out, outlen, h);
	CHECK_STR(h, want);
}

/* The same digest fed in uneven pieces. */
static void b2_pieces(void)
{
	unsigned char data[768];
	unsigned char out[32];
	char h[65];
	pf_blake2b s;
	size_t i, off = 0, step = 1;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	pf_blake2b_init(&s, 32);
	while (off < sizeof(data)) {
		size_t n = step < sizeof(data) - off ? step : sizeof(data) - off;

		pf_blake2b_update(&s, data + off, n);
		off += n;
		step = step * 3 + 1;
	}
	pf_blake2b_final(&s, out);
	hex(out, 32, h);
	CHECK_STR(h, "b8007121274217790e2923e0ad7027986e5a99d5531ef6ae7d294140fc81615d");
}

static void rfc9106(pf_argon2_type type, const char *want)
{
	unsigned char pwd[32], salt[16], secret[8], ad[12], out[32];
	char h[65];

	memset(pwd, 1, sizeof(pwd));
	memset(salt, 2, sizeof(salt));
	memset(secret, 3, sizeof(secret));
	memset(ad, 4, sizeof(ad));
	CHECK_INT(pf_argon2(type, 32, 3, 4, pwd, sizeof(pwd), salt, sizeof(salt), secret,
			    sizeof(secret), ad, sizeof(ad), out, sizeof(out)),
		  0);
	hex(out, sizeof(out), h);
	CHECK_STR(h, want);
}

int main(void)
{
	unsigned char data[768], out[80];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	b2("abc", 3, 64,
	   "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252"
	   "d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
	b2("", 0, 64,
	   "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee58531389"
	   "6444934eb04b903a685b1448b755d56f701afe9be2ce");
	b2(data, sizeof(data), 32,
	   "b8007121274217790e2923e0ad7027986e5a99d5531ef6ae7d294140fc81615d");
	memset(data, 0, 128);
	b2(data, 128, 20, "8d26f158f564e3293b42f5e3d34263cb173aa9c9");
	b2_pieces();

	rfc9106(PF_ARGON2D, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb");
	rfc9106(PF_ARGON2I, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8");
	rfc9106(PF_ARGON2ID, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");

	/* parameters out of range */
	CHECK_INT(pf_argon2(PF_ARGON2ID, 7, 1, 1, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 32),
		  -1);
	CHECK_INT(
		pf_argon2(PF_ARGON2ID, 64, 0, 1, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 32),
		-1);
	CHECK_INT(pf_argon2(PF_ARGON2ID, 64, 1, 1, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 3),
		  -1);
	/* an 80-byte tag (as .ppk uses) exercises the long H' */
	CHECK_INT(
		pf_argon2(PF_ARGON2ID, 64, 1, 1, "p", 1, "saltsalt", 8, NULL, 0, NULL, 0, out, 80),
		0);
	return check_summary("argon2");
}
