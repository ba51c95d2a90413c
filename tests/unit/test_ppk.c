/* PuTTY .ppk keys: the committed TEST-ONLY keys in tests/data/ppk/ (made by
 * Debian's puttygen with make-test-ppk.sh there) load with our loader, for
 * versions 2 and 3, plain and encrypted (Argon2id/i/d), ed25519 / RSA /
 * ECDSA; the fingerprint equals that of the public key puttygen exported;
 * missing and wrong passphrases and damaged copies are classified with a
 * clear message. Runs natively and under Wine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/ppk.h"
#include "check.h"
#include "pf/keys.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/version.h"

#define PASS "pf-test-passphrase"
#define DIR  "data/ppk/"

typedef struct ppk_case {
	const char *name;
	int encrypted;
	const char *label;
	int bits;
} ppk_case;

static const ppk_case cases[] = {
	{"ed25519_v2", 0, "ED25519", 256},
	{"ed25519_v2_enc", 1, "ED25519", 256},
	{"ed25519_v3", 0, "ED25519", 256},
	{"ed25519_v3_enc", 1, "ED25519", 256},
	{"ed25519_v3_argon2i", 1, "ED25519", 256},
	{"ed25519_v3_argon2d", 1, "ED25519", 256},
	{"rsa_v2", 0, "RSA", 1024},
	{"rsa_v2_enc", 1, "RSA", 1024},
	{"rsa_v3", 0, "RSA", 1024},
	{"rsa_v3_enc", 1, "RSA", 1024},
	{"ecdsa256_v2_enc", 1, "ECDSA", 256},
	{"ecdsa384_v3", 0, "ECDSA", 384},
	{"ecdsa521_v3_enc", 1, "ECDSA", 521},
};

static char *slurp(const char *path, size_t *len)
{
	char *data = NULL;
	pf_error err;

	if (pf_file_read(path, 1 << 20, &data, len, &err) != PF_OK)
		return NULL;
	return data;
}

static void check_case(const ppk_case *k)
{
	char *path = pf_asprintf(DIR "test_%s.ppk", k->name);
	char *pubpath = pf_asprintf(DIR "test_%s.pub", k->name);
	char *comment = pf_asprintf("pf-test-%s", k->name), fp[64] = "";
	ssh_key key = NULL, pub = NULL;
	pf_key_info info;
	pf_error err;
	pf_key_result r;

	CHECK(path != NULL && pubpath != NULL && comment != NULL);
	if (path == NULL || pubpath == NULL || comment == NULL)
		goto out;
	CHECK(ssh_pki_import_pubkey_file(pubpath, &pub) == SSH_OK);
	CHECK(pub != NULL && pf_key_fingerprint(pub, fp, sizeof(fp)) == PF_OK);

	r = pf_key_load(path, k->encrypted ? PASS : NULL, &key, &info, &err);
	CHECK_INT(r, PF_KEY_OK);
	if (r != PF_KEY_OK)
		fprintf(stderr, "%s: %s\n", path, err.message);
	CHECK(key != NULL && ssh_key_is_private(key));
	CHECK_INT(info.format, PF_KEY_FORMAT_PUTTY);
	CHECK_INT(info.encrypted, k->encrypted);
	CHECK_STR(info.label, k->label);
	CHECK_INT(info.bits, k->bits);
	CHECK_STR(info.fingerprint, fp);
	CHECK_STR(info.comment, comment);
	if (k->encrypted)
		CHECK_STR(info.cipher, "aes256-cbc");
	if (key != NULL && pub != NULL)
		CHECK(ssh_key_cmp(key, pub, SSH_KEY_CMP_PUBLIC) == 0);
	ssh_key_free(key);
	key = NULL;

	if (k->encrypted) {
		ssh_key probe = NULL;

		CHECK_INT(pf_key_load(path, NULL, &key, &info, &err), PF_KEY_NEEDS_PASSPHRASE);
		CHECK(key == NULL);
		CHECK(info.have_public);
		CHECK_STR(info.fingerprint, fp);
		CHECK(strstr(err.message, "is protected by a passphrase") != NULL);
		CHECK_INT(pf_key_load(path, "Pf-test-passphrase", &key, &info, &err),
			  PF_KEY_WRONG_PASSPHRASE);
		CHECK(key == NULL);
		CHECK(strstr(err.message, "is not correct, or the file is damaged") != NULL);
		CHECK(strstr(err.message, path) != NULL);
		CHECK_INT(pf_key_probe(path, &probe, &info, &err), PF_KEY_NEEDS_PASSPHRASE);
		CHECK(probe != NULL && ssh_key_is_public(probe));
		ssh_key_free(probe);
	} else {
		CHECK_INT(pf_key_load(path, "ignored", &key, &info, &err), PF_KEY_OK);
		ssh_key_free(key);
		key = NULL;
	}
out:
	ssh_key_free(pub);
	free(path);
	free(pubpath);
	free(comment);
}

/* Load a changed copy from memory; the result and a piece of the message. */
static void variant(const char *file, const char *pass, const char *find, const char *repl,
		    pf_key_result want, const char *msg)
{
	size_t len = 0;
	char *orig = slurp(file, &len), *p, *copy;
	pf_key_info info;
	pf_error err;
	ssh_key key = NULL;

	CHECK(orig != NULL);
	if (orig == NULL)
		return;
	p = strstr(orig, find);
	CHECK(p != NULL);
	if (p == NULL) {
		free(orig);
		return;
	}
	copy = pf_asprintf("%.*s%s%s", (int)(p - orig), orig, repl, p + strlen(find));
	CHECK(copy != NULL);
	if (copy != NULL) {
		CHECK_INT(pf_key_load_mem("copy.ppk", copy, strlen(copy), pass, &key, &info, &err),
			  want);
		CHECK(key == NULL);
		if (strstr(err.message, msg) == NULL)
			fprintf(stderr, "message: %s\n", err.message);
		CHECK(strstr(err.message, msg) != NULL);
		CHECK(strstr(err.message, "copy.ppk") != NULL);
	}
	free(copy);
	free(orig);
}

/* Flip one base64 character of the first private line. */
static void flip_private(const char *file, const char *pass, pf_key_result want, const char *msg)
{
	size_t len = 0;
	char *orig = slurp(file, &len), *p;
	pf_key_info info;
	pf_error err;

	CHECK(orig != NULL);
	if (orig == NULL)
		return;
	p = strstr(orig, "Private-Lines: ");
	CHECK(p != NULL);
	if (p != NULL) {
		p = strchr(p, '\n') + 5;
		*p = *p == 'A' ? 'B' : 'A';
		CHECK_INT(pf_key_load_mem("flip.ppk", orig, len, pass, NULL, &info, &err), want);
		if (strstr(err.message, msg) == NULL)
			fprintf(stderr, "message: %s\n", err.message);
		CHECK(strstr(err.message, msg) != NULL);
	}
	free(orig);
}

/* Issue 18 item 17: what a hostile .ppk may ask of Argon2 is refused
 * before any work (256 MiB, 16 lanes, about 10 s in all), at once. */
static void test_argon2_caps(void)
{
	static const struct {
		const char *find, *repl;
	} bad[] = {
		{"Argon2-Memory: 1024", "Argon2-Memory: 262145"},
		{"Argon2-Memory: 1024", "Argon2-Memory: 1048576"}, /* 1 GiB: was allowed */
		{"Argon2-Parallelism: 1", "Argon2-Parallelism: 17"},
		{"Argon2-Memory: 1024\nArgon2-Passes: 2",
		 "Argon2-Memory: 262144\nArgon2-Passes: 999"},
		{"Argon2-Memory: 1024\nArgon2-Passes: 2", /* 2 GiB + 256 MiB of work */
		 "Argon2-Memory: 262144\nArgon2-Passes: 9"},
		{"Argon2-Memory: 1024\nArgon2-Passes: 2",
		 "Argon2-Memory: 8192\nArgon2-Passes: 257"},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t t0 = pf_time_ms();

		variant(DIR "test_ed25519_v3_enc.ppk", PASS, bad[i].find, bad[i].repl,
			PF_KEY_UNSUPPORTED, "too much work");
		CHECK(pf_time_ms() - t0 < 500);
	}
	/* At the caps themselves (and cheap otherwise): the work is done, and
	 * only the MAC (the salt no longer fits the passphrase) says no. */
	variant(DIR "test_ed25519_v3_enc.ppk", PASS, "Argon2-Parallelism: 1",
		"Argon2-Parallelism: 16", PF_KEY_WRONG_PASSPHRASE, "not correct");
}

static int cancel_calls;

static int cancel_after_two(void *arg)
{
	(void)arg;
	return ++cancel_calls > 2;
}

/* Disconnect or Exit while a (legal but slow) derivation runs: with a
 * cancel hook, pfi_ppk_parse returns within about the hook's 100 ms period
 * instead of after the derivation. */
static void test_argon2_cancel(void)
{
	size_t len = 0;
	char *orig = slurp(DIR "test_ed25519_v3_enc.ppk", &len), *p, *copy = NULL;
	pfi_ppk k;
	char why[320];
	uint64_t t0, took;

	CHECK(orig != NULL);
	if (orig == NULL)
		return;
	p = strstr(orig, "Argon2-Memory: 1024\nArgon2-Passes: 2");
	CHECK(p != NULL);
	if (p != NULL)
		copy = pf_asprintf("%.*sArgon2-Memory: 262144\nArgon2-Passes: 8%s", (int)(p - orig),
				   orig, p + strlen("Argon2-Memory: 1024\nArgon2-Passes: 2"));
	if (copy != NULL) {
		cancel_calls = 0;
		pfi_ppk_set_cancel(cancel_after_two, NULL);
		t0 = pf_time_ms();
		CHECK_INT(pfi_ppk_parse(copy, strlen(copy), PASS, &k, why, sizeof(why)),
			  PF_PPK_CANCELLED);
		took = pf_time_ms() - t0;
		pfi_ppk_set_cancel(NULL, NULL);
		fprintf(stderr, "cancelled after %llu ms\n", (unsigned long long)took);
		CHECK(took < 1500);
		CHECK(strstr(why, "cancelled") != NULL);
		pfi_ppk_free(&k);
		/* A hook that never fires changes nothing. */
		pfi_ppk_set_cancel(cancel_after_two, NULL);
		cancel_calls = -1000000;
		CHECK_INT(pfi_ppk_parse(orig, len, PASS, &k, why, sizeof(why)), PF_PPK_OK);
		pfi_ppk_set_cancel(NULL, NULL);
		pfi_ppk_free(&k);
	}
	free(copy);
	free(orig);
}

int main(void)
{
	size_t i;

	if (pf_lib_init() != 0)
		return 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);

	/* damaged: unencrypted -> "damaged"; encrypted -> wrong passphrase or damaged */
	flip_private(DIR "test_ed25519_v3.ppk", NULL, PF_KEY_DAMAGED,
		     "is damaged: its Private-MAC does not match the key");
	flip_private(DIR "test_rsa_v2.ppk", NULL, PF_KEY_DAMAGED,
		     "is damaged: its Private-MAC does not match the key");
	flip_private(DIR "test_ed25519_v2_enc.ppk", PASS, PF_KEY_WRONG_PASSPHRASE,
		     "not correct, or the file is damaged");
	flip_private(DIR "test_ecdsa521_v3_enc.ppk", PASS, PF_KEY_WRONG_PASSPHRASE,
		     "not correct, or the file is damaged");
	variant(DIR "test_ed25519_v3.ppk", NULL, "Private-MAC: ", "Private-MAC: 0", PF_KEY_DAMAGED,
		"the Private-MAC line is not a MAC of the right length");
	variant(DIR "test_ed25519_v2.ppk", NULL,
		"Private-MAC: ", "Private-MAC: 00000000000000000000000000000000000000000",
		PF_KEY_DAMAGED, "the Private-MAC line is not a MAC of the right length");
	variant(DIR "test_rsa_v3.ppk", NULL, "Comment: pf-test", "Comment: pf-tess", PF_KEY_DAMAGED,
		"its Private-MAC does not match");
	variant(DIR "test_ed25519_v3.ppk", NULL, "Private-MAC:", "Private-MXC:", PF_KEY_DAMAGED,
		"the Private-MAC line is missing");
	variant(DIR "test_ed25519_v3.ppk", NULL, "Private-Lines: 1", "Private-Lines: 9",
		PF_KEY_DAMAGED, "the file ends inside the Private-Lines");
	variant(DIR "test_ed25519_v3.ppk", NULL, "Encryption: none", "Encryption: aes128-cbc",
		PF_KEY_UNSUPPORTED, "cipher PuTTY does not write");
	variant(DIR "test_ed25519_v3.ppk", NULL, "PuTTY-User-Key-File-3", "PuTTY-User-Key-File-4",
		PF_KEY_UNSUPPORTED, "newer than version 3");
	variant(DIR "test_ed25519_v3.ppk", NULL, "PuTTY-User-Key-File-3", "PuTTY-User-Key-File-1",
		PF_KEY_UNSUPPORTED, "version 1 PuTTY key");
	variant(DIR "test_ed25519_v3_enc.ppk", PASS, "Argon2-Memory: 1024",
		"Argon2-Memory: 99999999", PF_KEY_UNSUPPORTED, "too much work");
	test_argon2_caps();
	test_argon2_cancel();
	variant(DIR "test_ed25519_v3_enc.ppk", PASS, "Key-Derivation: Argon2id",
		"Key-Derivation: scrypt", PF_KEY_UNSUPPORTED, "key derivation other than Argon2");
	variant(DIR "test_ed25519_v3_enc.ppk", PASS, "Argon2-Salt: ", "Argon2-Salt: x",
		PF_KEY_DAMAGED, "Argon2 parameters are missing or malformed");
	variant(DIR "test_ed25519_v3.ppk", NULL, "PuTTY-User-Key-File-3: ssh-ed25519",
		"PuTTY-User-Key-File-3: ssh-rsa", PF_KEY_DAMAGED,
		"key type line and public key disagree");
	return check_summary("ppk");
}
