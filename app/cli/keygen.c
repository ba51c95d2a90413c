/* `pf keygen`: make a key pair like ssh-keygen, for people who have no
 * ssh-keygen (Windows without OpenSSH). The passphrase is typed twice on
 * the terminal (echo off) unless -N gives it; an empty one is allowed after
 * a warning. Existing files are replaced only after a "y". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pf/keygen.h"
#include "pf/mem.h"
#include "pf/platform.h"

#define ANSWER_MAX 1024

static void keygen_usage(FILE *out)
{
	fputs("usage: pf keygen [-t ed25519|rsa|ecdsa] [-b bits] [-C comment] [-f file]\n"
	      "                 [-N passphrase]\n"
	      "  -t type    ed25519 (the default), rsa or ecdsa\n"
	      "  -b bits    rsa: 3072 (default) or 4096; ecdsa: 256 (default), 384 or 521\n"
	      "  -C text    comment in the public key (default user@host)\n"
	      "  -f file    the private key file (default ~/.ssh/id_<type>, or id_<type> here\n"
	      "             when there is no ~/.ssh); the public key goes to <file>.pub\n"
	      "  -N pass    the passphrase (\"\" for none); without -N it is asked twice\n",
	      out);
}

static int yes(const char *prompt)
{
	char ans[16];

	if (cli_read_answer(prompt, 1, ans, sizeof(ans)) != 0)
		return 0;
	return ans[0] == 'y' || ans[0] == 'Y';
}

static const char empty_warning[] =
	"Warning: without a passphrase, anyone who gets a copy of the private key file "
	"can log in as you.\n";

/* Ask twice until both agree; pass must hold ANSWER_MAX bytes. 0, or 1
 * when the person gave up (end of input or declined an empty one). */
static int ask_passphrase(char *pass)
{
	char again[ANSWER_MAX];
	int tries, rc = 1;

	for (tries = 0; tries < 3; tries++) {
		if (cli_read_answer("Passphrase (empty for none):", 0, pass, ANSWER_MAX) != 0 ||
		    cli_read_answer("Same passphrase again:", 0, again, sizeof(again)) != 0)
			break;
		if (strcmp(pass, again) != 0) {
			fputs("The two passphrases differ; try again.\n", stderr);
			continue;
		}
		if (pass[0] == '\0') {
			fputs(empty_warning, stderr);
			if (!yes("Save the key without a passphrase? (y/n)"))
				continue;
		}
		rc = 0;
		break;
	}
	pf_secure_zero(again, sizeof(again));
	return rc;
}

static char *default_path(pf_keygen_type type)
{
	char *home = pf_home_dir(), *ssh = NULL, *path;

	if (home != NULL)
		ssh = pf_path_join(home, ".ssh");
	if (ssh != NULL && pf_dir_exists(ssh))
		path = pf_path_join(ssh, pf_keygen_default_name(type));
	else
		path = pf_strdup(pf_keygen_default_name(type));
	free(home);
	free(ssh);
	return path;
}

int cli_keygen(int argc, char **argv)
{
	pf_keygen_params p;
	pf_keygen_result res;
	pf_error err;
	char pass[ANSWER_MAX], *path = NULL, *endp;
	const char *file = NULL, *pass_arg = NULL;
	int i, status = 1;
	pf_rc rc;

	memset(&p, 0, sizeof(p));
	memset(&res, 0, sizeof(res));
	pass[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			keygen_usage(stdout);
			return 0;
		}
		if (a[0] != '-' || a[1] == '\0' || strchr("tbCfN", a[1]) == NULL) {
			fprintf(stderr, "pf keygen: unknown argument \"%s\".\n", a);
			keygen_usage(stderr);
			return 2;
		}
		if (a[2] != '\0') {
			val = a + 2;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			fprintf(stderr, "pf keygen: %s needs a value.\n", a);
			keygen_usage(stderr);
			return 2;
		}
		switch (a[1]) {
		case 't':
			if (pf_keygen_type_parse(val, &p.type) != 0) {
				fprintf(stderr,
					"pf keygen: unknown key type \"%s\": use ed25519, rsa or "
					"ecdsa.\n",
					val);
				return 2;
			}
			break;
		case 'b': {
			long bits;

			errno = 0;
			bits = strtol(val, &endp, 10);
			if (*val == '\0' || *endp != '\0') {
				fprintf(stderr,
					"pf keygen: -b needs a number of bits, not \"%s\".\n", val);
				return 2;
			}
			/* Checked as a long: a cast to int would turn 4294970368
			 * into 3072. 0 would mean "the default": not from -b. */
			if (errno == ERANGE || bits <= 0 || bits > 16384) {
				fprintf(stderr,
					"pf keygen: -b %s is out of range: use 3072 or 4096 for "
					"rsa, 256, 384 or 521 for ecdsa.\n",
					val);
				return 2;
			}
			p.bits = (int)bits;
			break;
		}
		case 'C': p.comment = val; break;
		case 'f': file = val; break;
		case 'N': pass_arg = val; break;
		}
	}
	if (pf_keygen_check(&p, &err) != PF_OK) {
		fprintf(stderr, "pf keygen: %s\n", err.message);
		return 2;
	}
	path = file != NULL ? pf_strdup(file) : default_path(p.type);
	if (path == NULL) {
		fputs("pf keygen: out of memory\n", stderr);
		return 1;
	}
	if (pf_keygen_exists(path)) {
		char q[1200];

		snprintf(q, sizeof(q),
			 "%s or %s.pub already exists. Replace it? The old key stops working. "
			 "(y/n) ",
			 path, path);
		if (!yes(q)) {
			fprintf(stderr, "pf keygen: nothing written; %s is unchanged.\n", path);
			goto out;
		}
		p.overwrite = 1;
	}
	if (pass_arg != NULL) {
		if (strlen(pass_arg) >= sizeof(pass)) {
			fputs("pf keygen: the passphrase is too long (1023 bytes at most).\n",
			      stderr);
			goto out;
		}
		pf_strlcpy(pass, pass_arg, sizeof(pass));
		if (pass[0] == '\0')
			fputs(empty_warning, stderr);
	} else if (ask_passphrase(pass) != 0) {
		fputs("pf keygen: no passphrase agreed; nothing written.\n", stderr);
		goto out;
	}
	p.passphrase = pass;
	fprintf(stderr, "Generating a %s key...\n",
		p.type == PF_KEYGEN_RSA     ? "RSA"
		: p.type == PF_KEYGEN_ECDSA ? "ECDSA"
					    : "ed25519");
	rc = pf_keygen_generate(path, &p, &res, &err);
	if (rc != PF_OK) {
		fprintf(stderr, "pf keygen: %s\n", err.message);
		goto out;
	}
	if (res.discarded) {
		fprintf(stderr,
			"pf keygen: %s keeps nothing (a device such as /dev/null): no file was "
			"written.\n",
			path);
		printf("%s\n", res.public_line);
		printf("Fingerprint: %s %d %s\n", res.label, res.bits, res.fingerprint);
		status = 0;
		goto out;
	}
	printf("Your private key: %s\n", path);
	printf("Your public key:  %s\n", res.pub_path);
	printf("%s\n", res.public_line);
	printf("Fingerprint: %s %d %s\n", res.label, res.bits, res.fingerprint);
	printf("Send %s to your administrator.\n", res.pub_path);
	status = 0;
out:
	pf_secure_zero(pass, sizeof(pass));
	pf_keygen_result_free(&res);
	free(path);
	return status;
}
