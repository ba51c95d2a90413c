/* core/sshwire.c: base64 both ways, the SHA-256 fingerprint as OpenSSH
 * prints it, and the wire format read and written. */
#include <stdlib.h>
#include <string.h>

#include "../../core/sshwire.h"
#include "check.h"

/* Decode into a new buffer; the result as a NUL-terminated string ("" when
 * the input was refused: then *rc is -1). */
static char *dec(const char *in, int *rc)
{
	unsigned char *out = NULL;
	size_t n = 0;
	char *s;

	*rc = pfi_b64_decode(in, strlen(in), &out, &n);
	s = calloc(1, n + 1);
	if (s != NULL && out != NULL)
		memcpy(s, out, n);
	free(out);
	return s;
}

static void check_dec(const char *in, const char *want)
{
	int rc;
	char *got = dec(in, &rc);

	CHECK_INT(rc, want != NULL ? 0 : -1);
	if (want != NULL)
		CHECK_STR(got, want);
	free(got);
}

static void test_b64_vectors(void)
{
	/* RFC 4648 section 10, both ways. */
	static const char *const v[][2] = {
		{"", ""},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *e = pfi_b64_encode((const unsigned char *)v[i][0], strlen(v[i][0]), 0);

		CHECK_STR(e, v[i][1]);
		free(e);
		check_dec(v[i][1], v[i][0]);
	}
	/* Padding is optional. */
	check_dec("Zg", "f");
	check_dec("Zm8", "fo");
}

static void test_b64_bad(void)
{
	check_dec("Z", NULL);        /* one character carries no byte */
	check_dec("Zm9vY", NULL);    /* nor does a fifth */
	check_dec("Zg=", NULL);      /* padding must complete the quad */
	check_dec("Zg===", NULL);    /* at most two '=' */
	check_dec("Zg==Zg==", NULL); /* nothing after padding */
	check_dec("Zm9v!", NULL);    /* not in the alphabet */
	check_dec("Zm9v-_", NULL);   /* the URL alphabet is not base64 */
}

static void test_b64_spaces(void)
{
	unsigned char out[16];
	size_t n = 99;

	/* Key files: white space anywhere is skipped. */
	check_dec(" Zm9v\r\nYmFy\n", "foobar");
	check_dec("Zg=\n=", "f");
	/* known_hosts fields: white space is bad input without the flag. */
	CHECK_INT(pfi_b64_decode_buf("Zm9v YmFy", 9, 0, out, &n), -1);
	CHECK_INT(pfi_b64_decode_buf("Zm9v YmFy", 9, PFI_B64_SPACES, out, &n), 0);
	CHECK_INT(n, 6);
	CHECK(memcmp(out, "foobar", 6) == 0);
}

static void test_b64_in_place(void)
{
	char buf[] = "Zm9vYmFyYmF6";
	size_t n = 0;

	CHECK_INT(pfi_b64_decode_buf(buf, strlen(buf), 0, (unsigned char *)buf, &n), 0);
	CHECK_INT(n, 9);
	CHECK(memcmp(buf, "foobarbaz", 9) == 0);
}

static void test_b64_wrap(void)
{
	unsigned char bytes[60];
	char *s;
	size_t i;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 7);
	/* 60 bytes = 80 characters: a full line of 70, then 10, each ending in
	 * a newline (PEM bodies). */
	s = pfi_b64_encode(bytes, sizeof(bytes), 70);
	CHECK(s != NULL && strlen(s) == 82);
	CHECK(s != NULL && s[70] == '\n' && s[81] == '\n' && strchr(s, '\n') == s + 70);
	free(s);
	/* An exact multiple of the width: one newline per line, no empty line. */
	s = pfi_b64_encode(bytes, 3 * 10, 20);
	CHECK(s != NULL && strlen(s) == 42 && s[20] == '\n' && s[41] == '\n');
	free(s);
	s = pfi_b64_encode(bytes, 0, 70);
	CHECK_STR(s, "");
	free(s);
}

static void test_fingerprint(void)
{
	/* tests/data/keys/test_ed25519.pub; `ssh-keygen -lf` prints this. */
	static const unsigned char blob[51] = {
		0x00, 0x00, 0x00, 0x0b, 0x73, 0x73, 0x68, 0x2d, 0x65, 0x64, 0x32, 0x35, 0x35,
		0x31, 0x39, 0x00, 0x00, 0x00, 0x20, 0x2c, 0xe7, 0xd8, 0xeb, 0xfb, 0x82, 0xd7,
		0x05, 0xcc, 0xa0, 0xf9, 0x94, 0x48, 0xa5, 0x34, 0xec, 0x25, 0x35, 0xa6, 0xa8,
		0xe4, 0x54, 0x14, 0x94, 0x35, 0x90, 0x69, 0xe6, 0x50, 0xd3, 0x3c, 0xed};
	char fp[PFI_FINGERPRINT_LEN];
	char small[PFI_FINGERPRINT_LEN - 1];

	CHECK_INT(pfi_fingerprint_blob(blob, sizeof(blob), fp, sizeof(fp)), 0);
	CHECK_STR(fp, "SHA256:+Ic8nvs6+AL6PpCfy8DNJw3qAdLu6CAfs5LjuMqkIek");
	CHECK_INT(pfi_fingerprint_blob(blob, sizeof(blob), small, sizeof(small)), -1);
}

static void test_wire(void)
{
	static const unsigned char want[23] = {1,   2,   3,   4,   0,   0,   0,   11,
					       's', 's', 'h', '-', 'e', 'd', '2', '5',
					       '5', '1', '9', 0,   0,   0,   0};
	pfi_wbuf b = {0};
	pfi_wire r;
	const unsigned char *s;
	size_t n;
	uint32_t v;

	pfi_wbuf_u32(&b, 0x01020304u);
	pfi_wbuf_cstring(&b, "ssh-ed25519");
	pfi_wbuf_string(&b, "", 0);
	CHECK(!b.failed);
	CHECK_INT(b.len, 4 + 4 + 11 + 4);
	CHECK(b.data != NULL && memcmp(b.data, want, sizeof(want)) == 0);

	r.p = b.data;
	r.left = b.len;
	CHECK_INT(pfi_wire_u32(&r, &v), 0);
	CHECK_INT(v, 0x01020304);
	CHECK_INT(pfi_wire_string(&r, &s, &n), 0);
	CHECK(n == 11 && memcmp(s, "ssh-ed25519", 11) == 0);
	CHECK_INT(pfi_wire_string(&r, &s, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(r.left, 0);
	CHECK_INT(pfi_wire_u32(&r, &v), -1);

	/* A length beyond the buffer is refused. */
	r.p = (const unsigned char *)"\0\0\0\005abcd";
	r.left = 8;
	CHECK_INT(pfi_wire_string(&r, &s, &n), -1);

	/* Growing past the first allocation keeps the contents. */
	for (v = 0; v < 1000; v++)
		pfi_wbuf_u32(&b, v);
	CHECK(!b.failed && b.len == 23 + 4000);
	CHECK(b.data != NULL && b.data[23 + 4 * 999 + 2] == 0x03 &&
	      b.data[23 + 4 * 999 + 3] == 0xe7);
	pfi_wbuf_wipe(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
}

int main(void)
{
	test_b64_vectors();
	test_b64_bad();
	test_b64_spaces();
	test_b64_in_place();
	test_b64_wrap();
	test_fingerprint();
	test_wire();
	return check_summary("sshwire");
}
