/* Key generation: every offered type and size makes a key that our own
 * loader reads back (with and without a passphrase, wrong passphrase
 * refused), in OpenSSH format with bcrypt + aes128-cbc (libssh's writer); the .pub line and
 * fingerprint agree with the loaded key; existing files are not replaced
 * unless asked. Runs natively and under Wine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/sshwire.h"
#include "check.h"
#include "pf/keygen.h"
#include "pf/keys.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/version.h"

#ifdef _WIN32
#include <wchar.h>
#else
#include <sys/stat.h>
#endif

#define PASS "pf-test keygen pässphrase"

/* The cipher and KDF names written into an OpenSSH key file text. */
static void check_format(const char *text, int encrypted)
{
	const char *b = strstr(text, "-----\n"), *e = strstr(text, "-----END");
	unsigned char *bin = NULL;
	size_t n = 0;
	pfi_wire r;
	const unsigned char *s;
	size_t sn;

	CHECK(strncmp(text, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0);
	CHECK(b != NULL && e != NULL);
	if (b == NULL || e == NULL)
		return;
	CHECK(pfi_b64_decode(b + 6, (size_t)(e - b - 6), &bin, &n) == 0);
	r.p = bin + 15;
	r.left = n - 15;
	CHECK(n > 15 && memcmp(bin, "openssh-key-v1", 15) == 0);
	CHECK(pfi_wire_string(&r, &s, &sn) == 0);
	CHECK(sn == (encrypted ? 10u : 4u) &&
	      memcmp(s, encrypted ? "aes128-cbc" : "none", sn) == 0);
	CHECK(pfi_wire_string(&r, &s, &sn) == 0);
	CHECK(sn == (encrypted ? 6u : 4u) && memcmp(s, encrypted ? "bcrypt" : "none", sn) == 0);
	pf_secure_zero(bin, n);
	free(bin);
}

static void one(pf_keygen_type type, int bits, const char *label, int want_bits, const char *pass)
{
	pf_keygen_params p;
	pf_keygen_result res;
	pf_key_info info;
	pf_error err;
	ssh_key key = NULL;
	char *text = NULL;
	int enc = pass != NULL && pass[0] != '\0';

	memset(&p, 0, sizeof(p));
	p.type = type;
	p.bits = bits;
	p.comment = "pf-test-keygen";
	p.passphrase = pass;
	CHECK_INT(pf_keygen_generate_mem(&p, &text, &res, &err), PF_OK);
	if (text == NULL) {
		fprintf(stderr, "%s\n", err.message);
		return;
	}
	check_format(text, enc);
	CHECK_STR(res.label, label);
	CHECK_INT(res.bits, want_bits);
	CHECK(strstr(res.public_line, " pf-test-keygen") != NULL);
	CHECK(strncmp(res.fingerprint, "SHA256:", 7) == 0);
	CHECK_INT(pf_key_load_mem("gen", text, strlen(text), pass, &key, &info, &err), PF_KEY_OK);
	CHECK_STR(info.fingerprint, res.fingerprint);
	CHECK_STR(info.label, label);
	CHECK_INT(info.bits, want_bits);
	if (!enc) /* the comment is in the .pub line only (libssh writes none) */
		CHECK_STR(info.comment, "");
	CHECK_INT(info.encrypted, enc);
	if (enc) {
		CHECK_STR(info.cipher, "aes128-cbc");
		CHECK_INT(info.kdf_rounds, 16);
		CHECK_INT(pf_key_load_mem("gen", text, strlen(text), "wrong", NULL, NULL, &err),
			  PF_KEY_WRONG_PASSPHRASE);
		CHECK_INT(pf_key_load_mem("gen", text, strlen(text), NULL, NULL, NULL, &err),
			  PF_KEY_NEEDS_PASSPHRASE);
	}
	ssh_key_free(key);
	pf_keygen_free_secret(text);
	pf_keygen_result_free(&res);
}

static void make_dir(const char *path)
{
#ifdef _WIN32
	wchar_t *w = pf_utf8_to_wide(path);

	if (w != NULL)
		_wmkdir(w);
	free(w);
#else
	mkdir(path, 0700);
#endif
}

static void files(void)
{
	const char *tmp = getenv("PF_TEST_TMPDIR");
	char *path, *pub = NULL, *data = NULL;
	size_t len = 0;
	pf_keygen_params p;
	pf_keygen_result res;
	pf_error err;
	ssh_key key = NULL;
	pf_key_info info;

	path = pf_path_join(tmp ? tmp : ".", "keygen_id_ed25519");
	CHECK(path != NULL);
	if (path == NULL)
		return;
	pub = pf_asprintf("%s.pub", path);
	remove(path);
	remove(pub);
	memset(&p, 0, sizeof(p));
	p.passphrase = PASS;
	CHECK_INT(pf_keygen_generate(path, &p, &res, &err), PF_OK);
	CHECK(res.pub_path != NULL && strcmp(res.pub_path, pub) == 0);
	CHECK(pf_file_read(pub, 4096, &data, &len, &err) == PF_OK);
	if (data != NULL) {
		CHECK(len == strlen(res.public_line) + 1);
		CHECK(strncmp(data, res.public_line, len - 1) == 0 && data[len - 1] == '\n');
		/* default comment user@host */
		CHECK(strchr(data, '@') != NULL);
		CHECK(strncmp(data, "ssh-ed25519 AAAA", 16) == 0);
	}
	free(data);
	CHECK_INT(pf_key_load(path, PASS, &key, &info, &err), PF_KEY_OK);
	CHECK_STR(info.fingerprint, res.fingerprint);
	CHECK(!info.pub_file_mismatch);
	ssh_key_free(key);
	CHECK(pf_keygen_exists(path));
	pf_keygen_result_free(&res);

	/* a second time: refused unless overwrite */
	CHECK_INT(pf_keygen_generate(path, &p, &res, &err), PF_E_BUSY);
	CHECK(strstr(err.message, "already exists") != NULL);
	p.overwrite = 1;
	p.passphrase = NULL;
	CHECK_INT(pf_keygen_generate(path, &p, &res, &err), PF_OK);
	CHECK_INT(pf_key_load(path, NULL, NULL, &info, &err), PF_KEY_OK);
	CHECK_STR(info.fingerprint, res.fingerprint);
	pf_keygen_result_free(&res);
	remove(path);
	remove(pub);
	free(pub);
	free(path);
}

int main(void)
{
	pf_keygen_params p;
	pf_keygen_type t;
	pf_error err;

	if (pf_lib_init() != 0)
		return 1;
	if (getenv("PF_TEST_TMPDIR") != NULL)
		make_dir(getenv("PF_TEST_TMPDIR"));
	CHECK(pf_keygen_type_parse("ED25519", &t) == 0 && t == PF_KEYGEN_ED25519);
	CHECK(pf_keygen_type_parse("rsa", &t) == 0 && t == PF_KEYGEN_RSA);
	CHECK(pf_keygen_type_parse("ecdsa", &t) == 0 && t == PF_KEYGEN_ECDSA);
	CHECK(pf_keygen_type_parse("dsa", &t) != 0);
	CHECK_STR(pf_keygen_default_name(PF_KEYGEN_ECDSA), "id_ecdsa");
	memset(&p, 0, sizeof(p));
	p.type = PF_KEYGEN_RSA;
	p.bits = 2048;
	CHECK_INT(pf_keygen_check(&p, &err), PF_E_INVAL);
	CHECK(strstr(err.message, "3072") != NULL);
	p.type = PF_KEYGEN_ECDSA;
	p.bits = 512;
	CHECK_INT(pf_keygen_check(&p, &err), PF_E_INVAL);

	one(PF_KEYGEN_ED25519, 0, "ED25519", 256, NULL);
	one(PF_KEYGEN_ED25519, 0, "ED25519", 256, PASS);
	one(PF_KEYGEN_ECDSA, 0, "ECDSA", 256, PASS);
	one(PF_KEYGEN_ECDSA, 384, "ECDSA", 384, NULL);
	one(PF_KEYGEN_ECDSA, 521, "ECDSA", 521, PASS);
	one(PF_KEYGEN_RSA, 0, "RSA", 3072, PASS);
	one(PF_KEYGEN_RSA, 4096, "RSA", 4096, NULL);
	files();
	return check_summary("keygen");
}
