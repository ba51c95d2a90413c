/* Key files: classification of the committed TEST-ONLY keys in
 * tests/data/keys/ (made by make-test-keys.sh there), key info, .pub
 * handling, CRLF, a Unicode folder, damaged copies, the default identity
 * list. Runs natively and as a Windows exe under Wine (OpenSSL 3.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <wchar.h>
#else
#include <sys/stat.h>
#endif

#include "check.h"
#include "pf/keys.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/version.h"

#define PASS "pf-test-passphrase"
#define DIR  "data/keys/"

typedef struct key_case {
	const char *file;
	const char *passphrase;
	pf_key_result want;
	pf_key_format format;
	const char *label; /* NULL: no public info expected */
	int bits;
	const char *fingerprint; /* NULL: not checked */
	const char *comment;     /* NULL: not checked */
	const char *msg;         /* substring of the message (NULL for OK) */
} key_case;

static const key_case cases[] = {
	/* OpenSSH format */
	{"test_ed25519", NULL, PF_KEY_OK, PF_KEY_FORMAT_OPENSSH, "ED25519", 256,
	 "SHA256:+Ic8nvs6+AL6PpCfy8DNJw3qAdLu6CAfs5LjuMqkIek", "pf-test-ed25519", NULL},
	{"test_ed25519", "ignored for a plain key", PF_KEY_OK, PF_KEY_FORMAT_OPENSSH, "ED25519",
	 256, "SHA256:+Ic8nvs6+AL6PpCfy8DNJw3qAdLu6CAfs5LjuMqkIek", NULL, NULL},
	{"test_ed25519_enc", PASS, PF_KEY_OK, PF_KEY_FORMAT_OPENSSH, "ED25519", 256,
	 "SHA256:DDY3/8QDCCO+d08Va4+lISoHJyVjXFG79onBEs/CTd4", "pf-test-ed25519-enc", NULL},
	{"test_ed25519_enc", NULL, PF_KEY_NEEDS_PASSPHRASE, PF_KEY_FORMAT_OPENSSH, "ED25519", 256,
	 "SHA256:DDY3/8QDCCO+d08Va4+lISoHJyVjXFG79onBEs/CTd4", "pf-test-ed25519-enc",
	 "is protected by a passphrase"},
	{"test_ed25519_enc", "", PF_KEY_NEEDS_PASSPHRASE, PF_KEY_FORMAT_OPENSSH, "ED25519", 256,
	 NULL, NULL, "test_ed25519_enc is protected by a passphrase"},
	{"test_ed25519_enc", "wrong", PF_KEY_WRONG_PASSPHRASE, PF_KEY_FORMAT_OPENSSH, "ED25519",
	 256, NULL, NULL, "The passphrase for data/keys/test_ed25519_enc is not correct"},
	{"test_ecdsa384_enc", PASS, PF_KEY_OK, PF_KEY_FORMAT_OPENSSH, "ECDSA", 384,
	 "SHA256:9siHg9bAngYcqLvvtIBp7ZUwGFoXxNt5pbHxRLc874o", "pf-test-ecdsa384-enc", NULL},
	{"test_ecdsa384_enc", "Pf-test-passphrase", PF_KEY_WRONG_PASSPHRASE, PF_KEY_FORMAT_OPENSSH,
	 "ECDSA", 384, NULL, NULL, "not correct"},
	{"test_rsa1024", NULL, PF_KEY_OK, PF_KEY_FORMAT_OPENSSH, "RSA", 1024,
	 "SHA256:DwVp8t9sHJcVv9Iw5EBl2o2HNjvZXahR3jKNOngMaUc", "pf-test-rsa1024", NULL},
	{"test_dsa", NULL, PF_KEY_UNSUPPORTED, PF_KEY_FORMAT_OPENSSH, NULL, 0, NULL, NULL,
	 "test_dsa is a DSA key; DSA keys are not supported"},
	{"test_ed25519_chacha", PASS, PF_KEY_UNSUPPORTED, PF_KEY_FORMAT_OPENSSH, "ED25519", 256,
	 "SHA256:O26jk47LvPIhpi2ldxxPkEGiZ2Y1vqPFHMVJQmD8W6E", NULL,
	 "encrypted with the cipher \"chacha20-poly1305@openssh.com\", which is not supported"},
	/* PEM: PKCS#1, SEC1, legacy encryption */
	{"test_rsa_pkcs1.pem", NULL, PF_KEY_OK, PF_KEY_FORMAT_PEM_PKCS1, "RSA", 1024,
	 "SHA256:X6P6myUiq80kfQ8JMGsiVbHUaXweFyAPpu5hHwGE4RQ", "pf-test-rsa-pkcs1", NULL},
	{"test_ec_pem_aes128", PASS, PF_KEY_OK, PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 256,
	 "SHA256:LQUzbcxD9/T3u4lUJfg5uXcvcqOimsSiTErMi+FxnY8", "pf-test-ec-pem-aes128", NULL},
	/* encrypted PEM with a .pub beside it: the public half is known */
	{"test_ec_pem_aes128", NULL, PF_KEY_NEEDS_PASSPHRASE, PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 256,
	 "SHA256:LQUzbcxD9/T3u4lUJfg5uXcvcqOimsSiTErMi+FxnY8", "pf-test-ec-pem-aes128",
	 "passphrase"},
	{"test_ec_pem_aes128", "wrong passphrase", PF_KEY_WRONG_PASSPHRASE, PF_KEY_FORMAT_PEM_SEC1,
	 "ECDSA", 256, NULL, NULL, "not correct"},
	{"test_rsa_legacy_des3.pem", PASS, PF_KEY_OK, PF_KEY_FORMAT_PEM_PKCS1, "RSA", 1024,
	 "SHA256:QLBSjgG5xVnKPtGoSu1Q3+gm5UFOm2kW/nDoDAOvTGg", "", NULL},
	{"test_rsa_legacy_des3.pem", NULL, PF_KEY_NEEDS_PASSPHRASE, PF_KEY_FORMAT_PEM_PKCS1, NULL,
	 0, NULL, NULL, "protected by a passphrase"},
	{"test_rsa_legacy_des3.pem", "nope", PF_KEY_WRONG_PASSPHRASE, PF_KEY_FORMAT_PEM_PKCS1, NULL,
	 0, NULL, NULL, "not correct"},
	{"test_ec521_legacy_aes256.pem", PASS, PF_KEY_OK, PF_KEY_FORMAT_PEM_SEC1, "ECDSA", 521,
	 "SHA256:9DDYuK2Ay0HUSDpbn4aZEcSrmstBuV7kZD+dG4oFz2Q", NULL, NULL},
	{"test_ec521_legacy_aes256.pem", "x", PF_KEY_WRONG_PASSPHRASE, PF_KEY_FORMAT_PEM_SEC1, NULL,
	 0, NULL, NULL, "not correct"},
	{"test_rsa_legacy_des_cbc.pem", PASS, PF_KEY_UNSUPPORTED, PF_KEY_FORMAT_PEM_PKCS1, NULL, 0,
	 NULL, NULL, "is encrypted with DES-CBC, which is not supported"},
	{"test_ec_secp256k1.pem", NULL, PF_KEY_UNSUPPORTED, PF_KEY_FORMAT_PEM_SEC1, NULL, 0, NULL,
	 NULL, "curve secp256k1"},
	/* PKCS#8 */
	{"test_ed25519_pkcs8.pem", NULL, PF_KEY_OK, PF_KEY_FORMAT_PEM_PKCS8, "ED25519", 256,
	 "SHA256:7PnEmYQH0SPTBoRZivB9tE2jJLb8obfcnrH9XV9Yegk", "", NULL},
	{"test_ed25519_pkcs8_enc.pem", PASS, PF_KEY_OK, PF_KEY_FORMAT_PEM_PKCS8_ENC, "ED25519", 256,
	 "SHA256:7PnEmYQH0SPTBoRZivB9tE2jJLb8obfcnrH9XV9Yegk", NULL, NULL},
	{"test_ed25519_pkcs8_enc.pem", NULL, PF_KEY_NEEDS_PASSPHRASE, PF_KEY_FORMAT_PEM_PKCS8_ENC,
	 NULL, 0, NULL, NULL, "passphrase"},
	{"test_ed25519_pkcs8_enc.pem", "bad", PF_KEY_WRONG_PASSPHRASE, PF_KEY_FORMAT_PEM_PKCS8_ENC,
	 NULL, 0, NULL, NULL, "not correct"},
	{"test_rsa_pkcs8_v1_3des.pem", PASS, PF_KEY_OK, PF_KEY_FORMAT_PEM_PKCS8_ENC, "RSA", 1024,
	 "SHA256:X6P6myUiq80kfQ8JMGsiVbHUaXweFyAPpu5hHwGE4RQ", NULL, NULL},
	{"test_rsa_pkcs8_v1_3des.pem", "bad", PF_KEY_WRONG_PASSPHRASE, PF_KEY_FORMAT_PEM_PKCS8_ENC,
	 NULL, 0, NULL, NULL, "not correct"},
	/* KDF costs over the limits: refused before decrypting */
	{"test_ed25519_rounds_too_many", PASS, PF_KEY_UNSUPPORTED, PF_KEY_FORMAT_OPENSSH, "ED25519",
	 256, "SHA256:DDY3/8QDCCO+d08Va4+lISoHJyVjXFG79onBEs/CTd4", NULL,
	 "asks for 100000 bcrypt rounds"},
	{"test_ed25519_pkcs8_iter_too_many.pem", PASS, PF_KEY_UNSUPPORTED,
	 PF_KEY_FORMAT_PEM_PKCS8_ENC, NULL, 0, NULL, NULL,
	 "asks for a key derivation cost of 10000001"},
	/* things that are not (usable) private keys */
	{"test_ed25519.pub", NULL, PF_KEY_NOT_A_KEY, PF_KEY_FORMAT_PUBLIC, NULL, 0, NULL, NULL,
	 "test_ed25519.pub is not a private key file (it is a public key: use the file without "
	 ".pub, data/keys/test_ed25519)"},
	/* PuTTY .ppk: loaded since issue 8 (the variants are in test_ppk.c) */
	{"test_ed25519.ppk", NULL, PF_KEY_OK, PF_KEY_FORMAT_PUTTY, "ED25519", 256,
	 "SHA256:+Ic8nvs6+AL6PpCfy8DNJw3qAdLu6CAfs5LjuMqkIek", "pf-test-ed25519", NULL},
	{"test_rsa_sshcom", NULL, PF_KEY_UNSUPPORTED, PF_KEY_FORMAT_SSHCOM, NULL, 0, NULL, NULL,
	 "ssh-keygen -i"},
	{"test_rsa1", NULL, PF_KEY_UNSUPPORTED, PF_KEY_FORMAT_SSH1, NULL, 0, NULL, NULL,
	 "SSH-1 (RSA1) key"},
	{"make-test-keys.sh", NULL, PF_KEY_NOT_A_KEY, PF_KEY_FORMAT_UNKNOWN, NULL, 0, NULL, NULL,
	 "make-test-keys.sh is not a private key file (it has no line like -----BEGIN OPENSSH "
	 "PRIVATE KEY-----)"},
	{"no_such_key", NULL, PF_KEY_NOT_FOUND, PF_KEY_FORMAT_UNKNOWN, NULL, 0, NULL, NULL,
	 "The key file data/keys/no_such_key does not exist"},
};

static void check_case(const key_case *k)
{
	char path[256], desc[512];
	pf_key_info info, pinfo;
	pf_error err;
	ssh_key key = NULL, pub = NULL;
	pf_key_result r, pr;

	snprintf(path, sizeof(path), DIR "%s", k->file);
	r = pf_key_load(path, k->passphrase, &key, &info, &err);
	if (!CHECK_INT(r, k->want))
		fprintf(stderr, "  %s (pass %s): %s\n", k->file, k->passphrase ? "yes" : "no",
			err.message);
	CHECK_INT(info.format, k->format);
	if (k->want == PF_KEY_OK) {
		CHECK(key != NULL && ssh_key_is_private(key));
		CHECK_INT(err.code, PF_OK);
	} else {
		CHECK(key == NULL);
		CHECK_INT(err.code, pf_key_result_rc(k->want));
		CHECK(strstr(err.message, k->file) != NULL); /* names the file */
		if (!CHECK(k->msg != NULL && strstr(err.message, k->msg) != NULL))
			fprintf(stderr, "  %s: message \"%s\"\n", k->file, err.message);
	}
	if (k->label != NULL) {
		CHECK(info.have_public);
		CHECK_STR(info.label, k->label);
		CHECK_INT(info.bits, k->bits);
	}
	if (k->fingerprint != NULL)
		CHECK_STR(info.fingerprint, k->fingerprint);
	if (k->comment != NULL)
		CHECK_STR(info.comment, k->comment);
	if (key != NULL) {
		char fp[64];

		CHECK_INT(pf_key_fingerprint(key, fp, sizeof(fp)), PF_OK);
		CHECK_STR(fp, info.fingerprint);
		CHECK_INT(info.pub_file_mismatch, 0);
		pf_key_describe(&info, desc, sizeof(desc));
		CHECK(strncmp(desc, info.label, strlen(info.label)) == 0);
		CHECK(strstr(desc, info.fingerprint) != NULL);
	}
	ssh_key_free(key);

	/* The probe agrees, needs no passphrase, and offers the public key
	 * whenever it is known. */
	pr = pf_key_probe(path, &pub, &pinfo, &err);
	if (k->want == PF_KEY_OK || k->want == PF_KEY_NEEDS_PASSPHRASE ||
	    k->want == PF_KEY_WRONG_PASSPHRASE) {
		CHECK(pr == PF_KEY_OK || pr == PF_KEY_NEEDS_PASSPHRASE);
		CHECK_INT(pinfo.format, k->format);
		if (pinfo.have_public) {
			char fp[64];

			CHECK(pub != NULL && ssh_key_is_public(pub));
			CHECK_INT(pf_key_fingerprint(pub, fp, sizeof(fp)), PF_OK);
			CHECK_STR(fp, pinfo.fingerprint);
		} else {
			CHECK(pub == NULL);
		}
	} else {
		CHECK_INT(pr, k->want);
		CHECK(pub == NULL);
	}
	ssh_key_free(pub);
}

static char *scratch(const char *name)
{
	const char *base = getenv("PF_TEST_TMPDIR");

	return pf_path_join(base ? base : ".", name);
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

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;

	if (pf_file_read(path, 1 << 20, &data, len, NULL) != PF_OK)
		return NULL;
	return data;
}

/* Write `data` to <scratch>/<name>; returns the path (caller frees). */
static char *put(const char *name, const char *data, size_t len)
{
	char *path = scratch(name);

	if (path == NULL || pf_file_write_atomic(path, data, len, NULL) != PF_OK) {
		fprintf(stderr, "cannot write %s\n", path ? path : name);
		free(path);
		return NULL;
	}
	return path;
}

static pf_key_result load_mem(const char *data, size_t len, const char *pass, pf_key_info *info,
			      pf_error *err)
{
	ssh_key key = NULL;
	pf_key_result r = pf_key_load_mem("mem-key", data, len, pass, &key, info, err);

	CHECK((r == PF_KEY_OK) == (key != NULL));
	ssh_key_free(key);
	return r;
}

/* CRLF line ends (Notepad), a BOM, a Unicode folder, a .pub that does not
 * belong to the key. */
static void test_copies(void)
{
	size_t len = 0, i, o = 0;
	char *orig = slurp(DIR "test_ed25519_enc", &len), *crlf = NULL, *path = NULL;
	char *dir = NULL, *upath = NULL, *pub = NULL;
	pf_key_info info;
	pf_error err;
	ssh_key key = NULL;

	if (!CHECK(orig != NULL))
		return;
	crlf = malloc(len * 2 + 4);
	if (!CHECK(crlf != NULL))
		goto out;
	memcpy(crlf, "\xEF\xBB\xBF", 3); /* and a BOM, as Notepad may add */
	o = 3;
	for (i = 0; i < len; i++) {
		if (orig[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = orig[i];
	}
	path = put("crlf_key", crlf, o);
	CHECK_INT(pf_key_load(path, PASS, &key, &info, &err), PF_KEY_OK);
	CHECK_STR(info.fingerprint, "SHA256:DDY3/8QDCCO+d08Va4+lISoHJyVjXFG79onBEs/CTd4");
	ssh_key_free(key);
	key = NULL;
	CHECK_INT(pf_key_load(path, NULL, &key, &info, &err), PF_KEY_NEEDS_PASSPHRASE);

	/* CRLF legacy PEM too */
	free(orig);
	orig = slurp(DIR "test_rsa_legacy_des3.pem", &len);
	if (!CHECK(orig != NULL))
		goto out;
	free(crlf);
	crlf = malloc(len * 2 + 1);
	if (!CHECK(crlf != NULL))
		goto out;
	for (i = 0, o = 0; i < len; i++) {
		if (orig[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = orig[i];
	}
	CHECK_INT(load_mem(crlf, o, PASS, &info, &err), PF_KEY_OK);
	CHECK_STR(info.fingerprint, "SHA256:QLBSjgG5xVnKPtGoSu1Q3+gm5UFOm2kW/nDoDAOvTGg");

	/* A folder named メール設定 (UTF-16 paths on Windows) */
	dir = scratch("\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB\xE8\xA8\xAD\xE5\xAE\x9A");
	if (!CHECK(dir != NULL))
		goto out;
	make_dir(dir);
	CHECK(pf_dir_exists(dir));
	upath = pf_path_join(dir, "id_ed25519");
	free(orig);
	orig = slurp(DIR "test_ed25519_enc", &len);
	CHECK(orig != NULL && upath != NULL &&
	      pf_file_write_atomic(upath, orig, len, NULL) == PF_OK);
	CHECK_INT(pf_key_load(upath, PASS, &key, &info, &err), PF_KEY_OK);
	ssh_key_free(key);
	key = NULL;
	CHECK_INT(pf_key_load(upath, "wrong", &key, &info, &err), PF_KEY_WRONG_PASSPHRASE);
	CHECK(strstr(err.message, upath) != NULL);

	/* A .pub of another key beside it */
	pub = pf_asprintf("%s.pub", upath);
	free(orig);
	orig = slurp(DIR "test_ed25519.pub", &len);
	CHECK(pub != NULL && orig != NULL && pf_file_write_atomic(pub, orig, len, NULL) == PF_OK);
	CHECK_INT(pf_key_load(upath, PASS, &key, &info, &err), PF_KEY_OK);
	CHECK_INT(info.pub_file_mismatch, 1);
	CHECK_STR(info.fingerprint, "SHA256:DDY3/8QDCCO+d08Va4+lISoHJyVjXFG79onBEs/CTd4");
	CHECK_STR(info.comment, ""); /* the other key's comment is not taken */
out:
	ssh_key_free(key);
	free(orig);
	free(crlf);
	free(path);
	free(dir);
	free(upath);
	free(pub);
}

/* Cut, edited and odd files, from memory. */
static void test_damaged(void)
{
	size_t len = 0, half;
	char *orig = slurp(DIR "test_rsa1024", &len), *copy = NULL, *p, *q;
	pf_key_info info;
	pf_error err;

	if (!CHECK(orig != NULL))
		return;
	/* cut in the middle */
	half = len / 2;
	CHECK_INT(load_mem(orig, half, NULL, &info, &err), PF_KEY_DAMAGED);
	CHECK(strstr(err.message, "mem-key is damaged: the END line is missing") != NULL);
	/* a whole line lost */
	copy = pf_strdup(orig);
	if (!CHECK(copy != NULL))
		goto out;
	p = strchr(copy, '\n');
	p = p ? strchr(p + 1, '\n') : NULL;
	q = p ? strchr(p + 1, '\n') : NULL;
	if (CHECK(p != NULL && q != NULL)) {
		memmove(p, q, strlen(q) + 1);
		CHECK_INT(load_mem(copy, strlen(copy), NULL, &info, &err), PF_KEY_DAMAGED);
	}
	/* a character that is not base64 */
	free(copy);
	copy = pf_strdup(orig);
	if (!CHECK(copy != NULL))
		goto out;
	p = strchr(copy, '\n');
	if (CHECK(p != NULL && strlen(p) > 100)) {
		p[40] = '!';
		CHECK_INT(load_mem(copy, strlen(copy), NULL, &info, &err), PF_KEY_DAMAGED);
		CHECK(strstr(err.message, "not valid base64") != NULL);
	}
	/* a truncated legacy PEM */
	free(orig);
	orig = slurp(DIR "test_rsa_legacy_des3.pem", &len);
	if (CHECK(orig != NULL)) {
		CHECK_INT(load_mem(orig, len - 40, PASS, &info, &err), PF_KEY_DAMAGED);
		CHECK_INT(info.format, PF_KEY_FORMAT_PEM_PKCS1);
	}

	CHECK_INT(load_mem("", 0, NULL, &info, &err), PF_KEY_NOT_A_KEY);
	CHECK(strstr(err.message, "mem-key is empty") != NULL);
	CHECK_INT(load_mem(" \r\n\n", 4, NULL, &info, &err), PF_KEY_NOT_A_KEY);
	CHECK(strstr(err.message, "is empty") != NULL);
	p = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbc comment\n";
	CHECK_INT(load_mem(p, strlen(p), NULL, &info, &err), PF_KEY_NOT_A_KEY);
	CHECK(strstr(err.message, "(it looks like a public key: use the file without .pub)") !=
	      NULL);
	p = "example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAbc\n";
	CHECK_INT(load_mem(p, strlen(p), NULL, &info, &err), PF_KEY_NOT_A_KEY);
	CHECK(strstr(err.message, "known_hosts") != NULL);
	p = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	CHECK_INT(load_mem(p, strlen(p), NULL, &info, &err), PF_KEY_NOT_A_KEY);
	CHECK(strstr(err.message, "certificate") != NULL);
	p = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n";
	CHECK_INT(load_mem(p, strlen(p), NULL, &info, &err), PF_KEY_NOT_A_KEY);
	CHECK(strstr(err.message, "public key") != NULL);
	CHECK_INT(load_mem("\x30\x82\x01\x00\x02", 5, NULL, &info, &err), PF_KEY_NOT_A_KEY);
	CHECK(strstr(err.message, "binary") != NULL);
	p = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
	CHECK_INT(load_mem(p, strlen(p), NULL, &info, &err), PF_KEY_DAMAGED);
	p = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
	CHECK_INT(load_mem(p, strlen(p), NULL, &info, &err), PF_KEY_DAMAGED);
	p = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
	CHECK_INT(load_mem(p, strlen(p), PASS, &info, &err), PF_KEY_DAMAGED);

	/* "EC PARAMETERS" first, as `openssl ecparam -genkey` writes it */
	free(orig);
	orig = slurp(DIR "test_ec_pem_aes128", &len);
	free(copy);
	copy = orig ? pf_asprintf("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
				  "-----END EC PARAMETERS-----\n%s",
				  orig)
		    : NULL;
	if (CHECK(copy != NULL)) {
		CHECK_INT(load_mem(copy, strlen(copy), PASS, &info, &err), PF_KEY_OK);
		CHECK_STR(info.fingerprint, "SHA256:LQUzbcxD9/T3u4lUJfg5uXcvcqOimsSiTErMi+FxnY8");
	}
out:
	free(orig);
	free(copy);
}

static void test_names(void)
{
	pf_key_info info;
	char buf[200];

	memset(&info, 0, sizeof(info));
	info.format = PF_KEY_FORMAT_PEM_PKCS1;
	info.encrypted = 1;
	pf_key_describe(&info, buf, sizeof(buf));
	CHECK_STR(buf, "encrypted PEM (PKCS#1) key");
	info.have_public = 1;
	pf_strlcpy(info.label, "RSA", sizeof(info.label));
	info.bits = 3072;
	pf_strlcpy(info.fingerprint, "SHA256:abc", sizeof(info.fingerprint));
	pf_strlcpy(info.comment, "me@pc", sizeof(info.comment));
	pf_key_describe(&info, buf, sizeof(buf));
	CHECK_STR(buf, "RSA 3072 SHA256:abc (me@pc)");
	CHECK_STR(pf_key_result_name(PF_KEY_WRONG_PASSPHRASE), "wrong passphrase");
	CHECK_INT(pf_key_result_rc(PF_KEY_UNSUPPORTED), PF_E_UNSUPPORTED);
	CHECK_INT(pf_key_fingerprint(NULL, buf, sizeof(buf)), PF_E_INVAL);
}

int main(void)
{
	size_t i;

	if (pf_lib_init() != 0)
		return 1;
	if (getenv("PF_TEST_TMPDIR") != NULL)
		make_dir(getenv("PF_TEST_TMPDIR"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	test_copies();
	test_damaged();
	test_names();
	pf_lib_cleanup();
	return check_summary("test_keys");
}
