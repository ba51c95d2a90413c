/* Keys made by pf_keygen_generate: OpenSSH's ssh-keygen reads them (-y with
 * the passphrase prints the same public key line, -l the same
 * fingerprint), our loader loads them, and a real OpenSSH sshd accepts
 * them for public-key login. */
#include <libssh/libssh.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/keygen.h"
#include "pf/keys.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/version.h"
#include "sshd_fixture.h"

#define PASS "Pf keygen test passphrase"

static sshd_fixture f;

typedef struct gen_spec {
	const char *name;
	pf_keygen_type type;
	int bits;
	const char *pass;
} gen_spec;

static const gen_spec specs[] = {
	{"g_ed25519", PF_KEYGEN_ED25519, 0, PASS},  {"g_ed25519_plain", PF_KEYGEN_ED25519, 0, NULL},
	{"g_rsa3072", PF_KEYGEN_RSA, 3072, PASS},   {"g_rsa4096", PF_KEYGEN_RSA, 4096, NULL},
	{"g_ecdsa256", PF_KEYGEN_ECDSA, 256, PASS}, {"g_ecdsa384", PF_KEYGEN_ECDSA, 384, NULL},
	{"g_ecdsa521", PF_KEYGEN_ECDSA, 521, PASS},
};

static char fps[sizeof(specs) / sizeof(specs[0])][64];

/* The first line of a file, without its newline, into buf. */
static int first_line(const char *path, char *buf, size_t size)
{
	FILE *in = fopen(path, "r");
	int ok = in != NULL && fgets(buf, (int)size, in) != NULL;

	if (in != NULL)
		fclose(in);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static void make(size_t i)
{
	const gen_spec *g = &specs[i];
	char path[700], out[800], line[4096];
	pf_keygen_params p;
	pf_keygen_result res;
	pf_error err;

	snprintf(path, sizeof(path), "%s/%s", f.dir, g->name);
	memset(&p, 0, sizeof(p));
	p.type = g->type;
	p.bits = g->bits;
	p.passphrase = g->pass;
	p.comment = g->name;
	fprintf(stderr, "-- %s\n", g->name);
	if (!CHECK_INT(pf_keygen_generate(path, &p, &res, &err), PF_OK)) {
		fprintf(stderr, "  %s\n", err.message);
		return;
	}
	pf_strlcpy(fps[i], res.fingerprint, sizeof(fps[i]));
	/* ssh-keygen decrypts it and derives the same public key (the comment
	 * is in the .pub line only: libssh writes none into the private key) */
	snprintf(out, sizeof(out), "%s.y", path);
	CHECK(fixture_run("ssh-keygen -y -P '%s' -f '%s' > '%s'", g->pass ? g->pass : "", path,
			  out) == 0);
	CHECK(first_line(out, line, sizeof(line)) == 0);
	CHECK(strncmp(res.public_line, line, strlen(line)) == 0 &&
	      res.public_line[strlen(line)] == ' ' && strchr(line, ' ') != NULL);
	if (g->pass != NULL) /* and refuses a wrong passphrase */
		CHECK(fixture_run("ssh-keygen -y -P 'wrong' -f '%s' >/dev/null 2>&1", path) != 0);
	/* the same fingerprint */
	snprintf(out, sizeof(out), "%s.l", path);
	CHECK(fixture_run("ssh-keygen -l -f '%s' > '%s'", res.pub_path, out) == 0);
	CHECK(first_line(out, line, sizeof(line)) == 0);
	CHECK(strstr(line, res.fingerprint) != NULL);
	CHECK(fixture_run("cat '%s' >> '%s/authorized_keys'", res.pub_path, f.dir) == 0);
	pf_keygen_result_free(&res);
}

static void login(size_t i)
{
	const gen_spec *g = &specs[i];
	char path[700];
	pf_key_info info;
	pf_error err;
	ssh_key key = NULL;

	snprintf(path, sizeof(path), "%s/%s", f.dir, g->name);
	if (!CHECK_INT(pf_key_load(path, g->pass, &key, &info, &err), PF_KEY_OK)) {
		fprintf(stderr, "  %s: %s\n", g->name, err.message);
		return;
	}
	CHECK_STR(info.fingerprint, fps[i]);
	CHECK(sshd_fixture_accepts(&f, key, 1));
	ssh_key_free(key);
}

int main(void)
{
	size_t i, n = sizeof(specs) / sizeof(specs[0]);

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "keygen", NULL) != 0)
		return 1;
	for (i = 0; i < n; i++)
		make(i);
	if (sshd_fixture_start(&f) == 0) {
		for (i = 0; i < n; i++)
			login(i);
	} else {
		CHECK(!"sshd started");
	}
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_keygen_sshd");
}
