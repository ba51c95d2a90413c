/* Every .ppk variant Debian's puttygen writes (versions 2 and 3, with and
 * without a passphrase, ed25519 / RSA / ECDSA 256/384/521), made at run
 * time, loaded by pf_key_load and proven against a real OpenSSH sshd (the
 * public halves exported with puttygen -L into authorized_keys). The probe
 * offers the public key before the passphrase; wrong passphrases and
 * damaged copies give the clear messages. */
#include <libssh/libssh.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/keys.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/version.h"
#include "sshd_fixture.h"

#define PASS "Pf ppk test passphrase"

static sshd_fixture f;
static char passfile[700];

typedef struct ppk_spec {
	const char *name;
	const char *type; /* puttygen -t */
	int bits;         /* 0: puttygen's default */
	int version;
	int encrypted;
	const char *label;
} ppk_spec;

static const ppk_spec specs[] = {
	{"ed25519_v2", "ed25519", 0, 2, 0, "ED25519"},
	{"ed25519_v2e", "ed25519", 0, 2, 1, "ED25519"},
	{"ed25519_v3", "ed25519", 0, 3, 0, "ED25519"},
	{"ed25519_v3e", "ed25519", 0, 3, 1, "ED25519"},
	{"rsa_v2", "rsa", 2048, 2, 0, "RSA"},
	{"rsa_v2e", "rsa", 3072, 2, 1, "RSA"},
	{"rsa_v3", "rsa", 3072, 3, 0, "RSA"},
	{"rsa_v3e", "rsa", 2048, 3, 1, "RSA"},
	{"ecdsa256_v2", "ecdsa", 256, 2, 0, "ECDSA"},
	{"ecdsa384_v2e", "ecdsa", 384, 2, 1, "ECDSA"},
	{"ecdsa521_v3", "ecdsa", 521, 3, 0, "ECDSA"},
	{"ecdsa256_v3e", "ecdsa", 256, 3, 1, "ECDSA"},
	{"ecdsa521_v3e", "ecdsa", 521, 3, 1, "ECDSA"},
};

static int make(const ppk_spec *k)
{
	char bits[32] = "";
	const char *pf = k->encrypted ? passfile : "/dev/null";

	int tries;

	if (k->bits)
		snprintf(bits, sizeof(bits), "-b %d", k->bits);
	/* A plain key must really be plain (puttygen once wrote an encrypted
	 * file for --new-passphrase /dev/null under load): checked, made again. */
	for (tries = 0; tries < 3; tries++) {
		if (fixture_run("puttygen -q -t %s %s -C pf-%s --ppk-param version=%d "
				"--new-passphrase %s -o '%s/%s.ppk' 2>/dev/null",
				k->type, bits, k->name, k->version, pf, f.dir, k->name) != 0)
			return -1;
		if (k->encrypted ||
		    fixture_run("grep -q '^Encryption: none' '%s/%s.ppk'", f.dir, k->name) == 0)
			break;
	}
	return fixture_run("puttygen -L '%s/%s.ppk' --old-passphrase %s >> '%s/authorized_keys'",
			   f.dir, k->name, pf, f.dir);
}

static void test_key(const ppk_spec *k)
{
	char path[800], comment[64];
	pf_key_info info;
	pf_error err;
	ssh_key key = NULL, pub = NULL;

	snprintf(path, sizeof(path), "%s/%s.ppk", f.dir, k->name);
	snprintf(comment, sizeof(comment), "pf-%s", k->name);
	fprintf(stderr, "-- %s\n", k->name);
	if (!CHECK_INT(pf_key_load(path, k->encrypted ? PASS : NULL, &key, &info, &err),
		       PF_KEY_OK)) {
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	CHECK_INT(info.format, PF_KEY_FORMAT_PUTTY);
	CHECK_INT(info.encrypted, k->encrypted);
	CHECK_STR(info.label, k->label);
	CHECK_STR(info.comment, comment);
	CHECK(sshd_fixture_accepts(&f, key, 1));
	ssh_key_free(key);
	key = NULL;

	CHECK_INT(pf_key_probe(path, &pub, &info, &err),
		  k->encrypted ? PF_KEY_NEEDS_PASSPHRASE : PF_KEY_OK);
	CHECK(pub != NULL);
	if (pub != NULL)
		CHECK(sshd_fixture_accepts(&f, pub, 0));
	ssh_key_free(pub);
	if (!k->encrypted)
		return;
	CHECK_INT(pf_key_load(path, NULL, &key, &info, &err), PF_KEY_NEEDS_PASSPHRASE);
	CHECK(strstr(err.message, "is protected by a passphrase") != NULL);
	CHECK_INT(pf_key_load(path, "wrong " PASS, &key, &info, &err), PF_KEY_WRONG_PASSPHRASE);
	CHECK(key == NULL);
	CHECK(strstr(err.message, path) != NULL &&
	      strstr(err.message, "is not correct, or the file is damaged") != NULL);
	CHECK_INT(err.code, PF_E_AUTH);
}

/* Damaged copies: a changed byte of the private blob, of the MAC line. */
static void test_damaged(const char *name, const char *pass, pf_key_result want, const char *msg)
{
	char src[800], dst[800];
	pf_error err;
	static const char *const edits[] = {
		/* the 3rd character of the line after Private-Lines */
		"/^Private-Lines/{n;s/^\\(..\\)A/\\1B/;t;s/^\\(..\\)./\\1A/}",
		/* the last hex digit of the MAC */
		"/^Private-MAC/{s/0$/1/;t;s/.$/0/}",
	};
	size_t i;

	snprintf(src, sizeof(src), "%s/%s.ppk", f.dir, name);
	for (i = 0; i < 2; i++) {
		snprintf(dst, sizeof(dst), "%s/bad%zu_%s.ppk", f.dir, i, name);
		CHECK(fixture_run("sed '%s' '%s' > '%s' && ! cmp -s '%s' '%s'", edits[i], src, dst,
				  src, dst) == 0);
		CHECK_INT(pf_key_load(dst, pass, NULL, NULL, &err), want);
		if (!CHECK(strstr(err.message, dst) != NULL && strstr(err.message, msg) != NULL))
			fprintf(stderr, "  message: %s\n", err.message);
	}
}

int main(void)
{
	size_t i, n = sizeof(specs) / sizeof(specs[0]);
	int ok = 1;

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "ppk", NULL) != 0)
		return 1;
	snprintf(passfile, sizeof(passfile), "%s/passfile", f.dir);
	if (fixture_run("printf '%%s' '%s' > '%s'", PASS, passfile) != 0)
		return 1;
	for (i = 0; i < n; i++)
		if (!CHECK(make(&specs[i]) == 0)) {
			fprintf(stderr, "cannot make %s\n", specs[i].name);
			ok = 0;
		}
	if (ok && sshd_fixture_start(&f) == 0) {
		for (i = 0; i < n; i++)
			test_key(&specs[i]);
	} else {
		CHECK(!"sshd started with every key authorized");
	}
	test_damaged("ed25519_v3", NULL, PF_KEY_DAMAGED,
		     "is damaged: its Private-MAC does not match the key");
	test_damaged("rsa_v2", NULL, PF_KEY_DAMAGED,
		     "is damaged: its Private-MAC does not match the key");
	test_damaged("ecdsa256_v3e", PASS, PF_KEY_WRONG_PASSPHRASE,
		     "is not correct, or the file is damaged");
	test_damaged("ed25519_v2e", PASS, PF_KEY_WRONG_PASSPHRASE,
		     "is not correct, or the file is damaged");
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_ppk_sshd");
}
