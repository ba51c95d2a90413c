/* known_hosts: parsing (plain, hashed, CRLF, broken lines), lookups
 * (MATCH / UNKNOWN / CHANGED / OTHER_TYPE / REVOKED), fingerprints as
 * ssh-keygen prints them, adding lines byte-exactly, and where the file
 * lives. Data: tests/data/knownhosts (see gen.sh there). */
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <libssh/libssh.h>

#include "check.h"
#include "pf/knownhosts.h"
#include "pf/mem.h"
#include "pf/platform.h"

#ifdef _WIN32
#define SEP "\\"
#else
#define SEP "/"
#endif

#define DATA "data/knownhosts/"

/* The committed public keys and what `ssh-keygen -l -E sha256 -f` says. */
static struct key {
	const char *file;
	const char *fp;
	char type[64];
	char *b64;
	unsigned char *blob;
	size_t len;
} keys[] = {
	{"ed25519_a", "SHA256:+8lzY1ChghBZl+aSLHtnPsiT71Y0ky3ac9RudAshjv4", "", NULL, NULL, 0},
	{"ed25519_b", "SHA256:0N4ow8EL33c9pnfrW6vLOE1Z+LX9q2P5nqAypRsPAx0", "", NULL, NULL, 0},
	{"ecdsa256", "SHA256:W3oCWKNcEmM353MZetpAtWI+FHbcjhKUQOHsiy+6rxs", "", NULL, NULL, 0},
	{"ecdsa384", "SHA256:VZUOUm8aRj+bpRJgTmgd3fVol4ZR8NnwifEE7gBeRMQ", "", NULL, NULL, 0},
	{"rsa", "SHA256:JcD2Y5auhaWt6NP0BQr4v3v2Ti735cYPOMaVxtKwG6M", "", NULL, NULL, 0},
};
enum { KA, KB, KE256, KE384, KR, NKEYS };

static int load_keys(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		char *path = pf_asprintf(DATA "keys/%s.pub", keys[i].file), *data = NULL;
		char *sp1, *sp2;
		size_t len = 0;
		pf_error err;

		if (path == NULL || pf_file_read(path, 65536, &data, &len, &err) != PF_OK) {
			fprintf(stderr, "cannot read %s (run from tests/)\n", path);
			free(path);
			return -1;
		}
		free(path);
		sp1 = strchr(data, ' ');
		sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
		if (sp2 == NULL) {
			free(data);
			return -1;
		}
		*sp1 = '\0';
		*sp2 = '\0';
		pf_strlcpy(keys[i].type, data, sizeof(keys[i].type));
		keys[i].b64 = pf_strdup(sp1 + 1);
		CHECK_INT(pf_knownhosts_decode_key(sp1 + 1, &keys[i].blob, &keys[i].len, &err),
			  PF_OK);
		free(data);
		if (keys[i].blob == NULL)
			return -1;
	}
	return 0;
}

static void free_keys(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		free(keys[i].b64);
		free(keys[i].blob);
	}
}

static char *tmp_path(const char *name)
{
	const char *base = getenv("PF_TEST_TMPDIR");

	return pf_path_join(base != NULL ? base : ".", name);
}

static pf_knownhosts *load(const char *path)
{
	pf_knownhosts *kh = NULL;
	pf_error err;

	pf_error_clear(&err);
	if (pf_knownhosts_load(path, &kh, &err) != PF_OK)
		fprintf(stderr, "load %s: %s\n", path, err.message);
	CHECK(kh != NULL);
	return kh;
}

/* Look up key k for host:port (alias may be NULL), with type given as
 * `type` (NULL: the key's own). */
static pf_knownhosts_result look(const pf_knownhosts *kh, const char *host, int port,
				 const char *alias, int k, const char *type)
{
	pf_knownhosts_result res;
	pf_error err;

	pf_error_clear(&err);
	if (pf_knownhosts_check(kh, host, port, alias, type, keys[k].blob, keys[k].len, &res,
				&err) != PF_OK) {
		fprintf(stderr, "check %s: %s\n", host, err.message);
		CHECK(0);
	}
	return res;
}

static int file_equals(const char *path, const char *want, size_t want_len)
{
	char *data = NULL;
	size_t len = 0;
	int same;

	if (pf_file_read(path, PF_KH_MAX_FILE, &data, &len, NULL) != PF_OK)
		return 0;
	same = len == want_len && memcmp(data, want, len) == 0;
	free(data);
	return same;
}

static void test_fingerprints(void)
{
	char fp[PF_KH_FP_SIZE];
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		CHECK_INT(pf_knownhosts_fingerprint(keys[i].blob, keys[i].len, fp, sizeof(fp)),
			  PF_OK);
		CHECK_STR(fp, keys[i].fp);
	}
	CHECK_INT(pf_knownhosts_fingerprint(keys[0].blob, keys[0].len, fp, 10), PF_E_INVAL);
	CHECK_STR(keys[KA].type, "ssh-ed25519");
	CHECK_STR(keys[KE256].type, "ecdsa-sha2-nistp256");
	CHECK_STR(keys[KR].type, "ssh-rsa");
}

static void test_names(void)
{
	char *s;

	CHECK_STR(pf_knownhosts_key_type("rsa-sha2-256"), "ssh-rsa");
	CHECK_STR(pf_knownhosts_key_type("rsa-sha2-512"), "ssh-rsa");
	CHECK_STR(pf_knownhosts_key_type("ssh-ed25519"), "ssh-ed25519");
	CHECK_STR(pf_knownhosts_key_type("rsa-sha2-512-cert-v01@openssh.com"),
		  "ssh-rsa-cert-v01@openssh.com");
	s = pf_knownhosts_host_name("Server.Example.COM", 22, NULL);
	CHECK_STR(s, "server.example.com");
	free(s);
	s = pf_knownhosts_host_name("server", 0, NULL);
	CHECK_STR(s, "server");
	free(s);
	s = pf_knownhosts_host_name("server", 2222, NULL);
	CHECK_STR(s, "[server]:2222");
	free(s);
	s = pf_knownhosts_host_name("::1", 2222, NULL);
	CHECK_STR(s, "[::1]:2222");
	free(s);
	s = pf_knownhosts_host_name("server", 2222, "MyAlias");
	CHECK_STR(s, "myalias");
	free(s);
	CHECK(pf_knownhosts_host_name("", 22, NULL) == NULL);
}

static void test_plain(void)
{
	pf_knownhosts *kh = load(DATA "plain");
	pf_knownhosts_result r;

	if (kh == NULL)
		return;
	CHECK_INT(pf_knownhosts_diag_count(kh), 0);
	CHECK_INT(pf_knownhosts_count(kh), 11);
	CHECK_STR(pf_knownhosts_path(kh), DATA "plain");

	r = look(kh, "alpha.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 3);
	CHECK_STR(r.name, "alpha.example.com");
	CHECK_STR(r.key_type, "ssh-ed25519");
	CHECK_STR(r.fingerprint, keys[KA].fp);

	/* Same type, another key: CHANGED, naming the old line and key. */
	r = look(kh, "alpha.example.com", 22, NULL, KB, "ssh-ed25519");
	CHECK_INT(r.status, PF_KH_CHANGED);
	CHECK_INT(r.old_line, 3);
	CHECK_STR(r.old_key_type, "ssh-ed25519");
	CHECK_STR(r.old_fingerprint, keys[KA].fp);
	CHECK_STR(r.fingerprint, keys[KB].fp);

	/* Only another type recorded. */
	r = look(kh, "alpha.example.com", 22, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_OTHER_TYPE);
	CHECK_INT(r.old_line, 3);
	CHECK_STR(r.old_key_type, "ssh-ed25519");
	CHECK_STR(r.old_fingerprint, keys[KA].fp);
	CHECK_STR(r.key_type, "ecdsa-sha2-nistp256");

	/* Port 22 entries do not cover other ports, and vice versa. */
	r = look(kh, "alpha.example.com", 2222, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	CHECK_INT(r.old_line, 0);
	CHECK_STR(r.name, "[alpha.example.com]:2222");
	r = look(kh, "gamma.example.com", 2222, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 5);
	r = look(kh, "gamma.example.com", 2222, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_CHANGED);
	CHECK_INT(r.old_line, 5);
	r = look(kh, "gamma.example.com", 22, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 6);
	r = look(kh, "gamma.example.com", 0, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_OTHER_TYPE);
	CHECK_INT(r.old_line, 6);
	CHECK_STR(r.old_key_type, "ecdsa-sha2-nistp256");
	CHECK_STR(r.old_fingerprint, keys[KE256].fp);

	/* Comma lists. */
	r = look(kh, "192.0.2.10", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 4);
	r = look(kh, "unknown.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);

	/* Wildcards and negation. */
	r = look(kh, "x.wild.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 7);
	r = look(kh, "a.b.wild.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	r = look(kh, "bad.wild.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	r = look(kh, "wild.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	r = look(kh, "host1.example.org", 22, NULL, KR, "rsa-sha2-512");
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 8);
	CHECK_STR(r.key_type, "ssh-rsa");
	r = look(kh, "host12.example.org", 22, NULL, KR, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);

	/* Case-insensitive host names. */
	r = look(kh, "mixedcase.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 9);
	r = look(kh, "MIXEDCASE.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);

	/* HostKeyAlias replaces host and port. */
	r = look(kh, "whatever.example.net", 2200, "alias-one", KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 10);
	CHECK_STR(r.name, "alias-one");
	r = look(kh, "whatever.example.net", 2200, "Alias-One", KA, NULL);
	CHECK_INT(r.status, PF_KH_CHANGED);
	CHECK_INT(r.old_line, 10);
	r = look(kh, "alpha.example.com", 22, "alias-two", KA, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);

	/* ECDSA on another curve counts as a changed key, as in OpenSSH. */
	r = look(kh, "delta.example.com", 22, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_CHANGED);
	CHECK_INT(r.old_line, 11);
	CHECK_STR(r.old_key_type, "ecdsa-sha2-nistp384");
	CHECK_STR(r.old_fingerprint, keys[KE384].fp);

	/* Several keys for one host: any match wins; else the same type. */
	r = look(kh, "epsilon.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 13);
	r = look(kh, "epsilon.example.com", 22, NULL, KR, "rsa-sha2-256");
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 12);
	r = look(kh, "epsilon.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_CHANGED);
	CHECK_INT(r.old_line, 13);
	CHECK_STR(r.old_fingerprint, keys[KB].fp);
	r = look(kh, "epsilon.example.com", 22, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_OTHER_TYPE);
	CHECK_INT(r.old_line, 12);
	CHECK_STR(r.old_key_type, "ssh-rsa");

	/* Bad arguments. */
	{
		pf_knownhosts_result rr;
		pf_error err;

		CHECK_INT(pf_knownhosts_check(kh, "alpha.example.com", 22, NULL, "ssh-rsa",
					      keys[KA].blob, keys[KA].len, &rr, &err),
			  PF_E_INVAL);
		CHECK_INT(pf_knownhosts_check(kh, "", 22, NULL, NULL, keys[KA].blob, keys[KA].len,
					      &rr, &err),
			  PF_E_INVAL);
		CHECK_INT(pf_knownhosts_check(kh, "alpha.example.com", 22, NULL, NULL,
					      keys[KA].blob, keys[KA].len - 1, &rr, &err),
			  PF_E_INVAL);
		CHECK_INT(pf_knownhosts_check(kh, "alpha.example.com", 70000, NULL, NULL,
					      keys[KA].blob, keys[KA].len, &rr, &err),
			  PF_E_INVAL);
		/* No file at all (UserKnownHostsFile none): everything unknown. */
		CHECK_INT(pf_knownhosts_check(NULL, "alpha.example.com", 22, NULL, NULL,
					      keys[KA].blob, keys[KA].len, &rr, &err),
			  PF_OK);
		CHECK_INT(rr.status, PF_KH_UNKNOWN);
	}
	pf_knownhosts_free(kh);
}

/* The same hosts, hashed by OpenSSH's ssh-keygen -H (one host per line). */
static void test_hashed(void)
{
	pf_knownhosts *kh = load(DATA "hashed");
	pf_knownhosts_result r;

	if (kh == NULL)
		return;
	CHECK_INT(pf_knownhosts_diag_count(kh), 0);
	CHECK_INT(pf_knownhosts_count(kh), 6);
	r = look(kh, "alpha.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 1);
	r = look(kh, "ALPHA.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	r = look(kh, "alpha.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_CHANGED);
	CHECK_INT(r.old_line, 1);
	CHECK_STR(r.old_fingerprint, keys[KA].fp);
	r = look(kh, "192.0.2.10", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 3);
	r = look(kh, "gamma.example.com", 2222, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 4);
	r = look(kh, "gamma.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_OTHER_TYPE);
	CHECK_INT(r.old_line, 5);
	r = look(kh, "delta.example.com", 22, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_CHANGED);
	CHECK_INT(r.old_line, 6);
	r = look(kh, "alpha.example.com", 2222, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	r = look(kh, "alpha.example.co", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	pf_knownhosts_free(kh);
}

static void test_revoked(void)
{
	pf_knownhosts *kh = load(DATA "revoked");
	pf_knownhosts_result r;
	pf_error err;

	if (kh == NULL)
		return;
	CHECK_INT(pf_knownhosts_diag_count(kh), 0);
	/* Revoked wins over a matching plain line. */
	r = look(kh, "revoked.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_REVOKED);
	CHECK_INT(r.old_line, 2);
	CHECK_STR(r.old_fingerprint, keys[KB].fp);
	CHECK_INT(pf_knownhosts_refusal(kh, &r, &err), PF_E_HOSTKEY);
	CHECK(strstr(err.message, "@revoked") != NULL);
	CHECK_STR(err.where, DATA "revoked:2");
	/* "@revoked *" covers every host. */
	r = look(kh, "anything.example.net", 2222, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_REVOKED);
	r = look(kh, "fine.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 4);
	r = look(kh, "specific.example.com", 22, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_REVOKED);
	CHECK_INT(r.old_line, 5);
	r = look(kh, "other.example.com", 22, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 6);
	/* A revoked line is no recorded key: it makes nothing CHANGED. */
	r = look(kh, "specific.example.com", 22, NULL, KE384, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	pf_knownhosts_free(kh);
}

static const pf_error *find_diag(const pf_knownhosts *kh, const char *where)
{
	size_t i;

	for (i = 0; i < pf_knownhosts_diag_count(kh); i++) {
		if (strcmp(pf_knownhosts_diag(kh, i)->where, where) == 0)
			return pf_knownhosts_diag(kh, i);
	}
	return NULL;
}

static void test_garbage(void)
{
	pf_knownhosts *kh = load(DATA "garbage");
	pf_knownhosts_result r;
	const pf_error *d;
	static const struct {
		int line;
		pf_rc code;
		const char *text;
	} want[] = {
		{2, PF_E_INVAL, "not an SSH public key"},
		{3, PF_E_INVAL, "expected \"host-patterns key-type base64-key\""},
		{4, PF_E_INVAL, "not valid base64"},
		{5, PF_E_INVAL, "key type ssh-rsa does not match the key data (ssh-ed25519)"},
		{6, PF_E_UNSUPPORTED, "@cert-authority"},
		{7, PF_E_INVAL, "unknown marker"},
		{8, PF_E_INVAL, "SSH-1"},
		{9, PF_E_INVAL, "bad hashed host name"},
		{10, PF_E_TOOBIG, "over the limit"},
		{13, PF_E_INVAL, "not an SSH public key"},
	};
	size_t i;

	if (kh == NULL)
		return;
	CHECK_INT(pf_knownhosts_diag_count(kh), sizeof(want) / sizeof(want[0]));
	CHECK_INT(pf_knownhosts_count(kh), 2);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char where[64];

		snprintf(where, sizeof(where), DATA "garbage:%d", want[i].line);
		d = find_diag(kh, where);
		CHECK(d != NULL);
		if (d == NULL) {
			fprintf(stderr, "no diagnostic for %s\n", where);
			continue;
		}
		CHECK_INT(d->code, want[i].code);
		if (strstr(d->message, want[i].text) == NULL)
			fprintf(stderr, "%s: \"%s\" lacks \"%s\"\n", where, d->message,
				want[i].text);
		CHECK(strstr(d->message, want[i].text) != NULL);
	}
	/* The quoted start of the line, and advice. */
	d = find_diag(kh, DATA "garbage:4");
	CHECK(d != NULL &&
	      strstr(d->message, "\"badb64.example.com ssh-ed25519 AAAA!!!!\"") != NULL);
	CHECK(d != NULL && strstr(d->message, "delete this line") != NULL);
	r = look(kh, "good.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 11);
	r = look(kh, "indented.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 12);
	/* Skipped lines record nothing. */
	r = look(kh, "mismatch.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	r = look(kh, "truncated.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	r = look(kh, "host.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	pf_knownhosts_free(kh);
}

/* In-memory inputs: NUL bytes, the diagnostics cap, an empty file. */
static void test_memory_inputs(void)
{
	pf_knownhosts *kh = NULL;
	pf_error err;
	char *buf, *line;
	size_t i, len = 0, cap = 200 * 64;
	pf_knownhosts_result r;

	static const char nul[] = "a.example.com ssh-ed25519 AA\0A\nb.example.com x y\n";
	CHECK_INT(pf_knownhosts_parse("mem", nul, sizeof(nul) - 1, &kh, &err), PF_OK);
	CHECK_INT(pf_knownhosts_diag_count(kh), 2);
	CHECK(strstr(pf_knownhosts_diag(kh, 0)->message, "NUL") != NULL);
	CHECK_STR(pf_knownhosts_diag(kh, 0)->where, "mem:1");
	CHECK_STR(pf_knownhosts_diag(kh, 1)->where, "mem:2");
	pf_knownhosts_free(kh);

	buf = malloc(cap);
	if (buf == NULL)
		return;
	for (i = 0; i < 120; i++)
		len += (size_t)snprintf(buf + len, cap - len, "bad line %d\n", (int)i);
	line = pf_asprintf("last.example.com %s %s", keys[KA].type, keys[KA].b64);
	len += (size_t)snprintf(buf + len, cap - len, "%s", line);
	CHECK_INT(pf_knownhosts_parse("many", buf, len, &kh, &err), PF_OK);
	CHECK_INT(pf_knownhosts_diag_count(kh), PF_KH_MAX_DIAGS);
	CHECK(strstr(pf_knownhosts_diag(kh, PF_KH_MAX_DIAGS - 1)->message, "and 71 more line(s)") !=
	      NULL);
	CHECK(pf_knownhosts_diag(kh, PF_KH_MAX_DIAGS) == NULL);
	r = look(kh, "last.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 121);
	pf_knownhosts_free(kh);
	free(line);
	free(buf);

	CHECK_INT(pf_knownhosts_parse(NULL, "", 0, &kh, &err), PF_OK);
	CHECK_INT(pf_knownhosts_count(kh), 0);
	pf_knownhosts_free(kh);

	/* A file that does not exist yet is an empty set. */
	buf = tmp_path("kh_does_not_exist");
	remove(buf);
	CHECK_INT(pf_knownhosts_load(buf, &kh, &err), PF_OK);
	CHECK_INT(pf_knownhosts_count(kh), 0);
	pf_knownhosts_free(kh);
	free(buf);
	/* A folder is not. */
	CHECK_INT(pf_knownhosts_load("data", &kh, &err) == PF_OK, 0);
	CHECK(kh == NULL);
}

/* Over the size limit: a clear error naming the file, for load and add. */
static void test_too_big(void)
{
	char *path = tmp_path("kh_too_big"), *big = malloc(PF_KH_MAX_FILE + 1);
	pf_knownhosts *kh = NULL;
	pf_error err;

	if (path == NULL || big == NULL) {
		CHECK(0);
		goto out;
	}
	memset(big, '#', PF_KH_MAX_FILE + 1);
	CHECK(pf_file_write_atomic(path, big, PF_KH_MAX_FILE + 1, &err) == PF_OK);
	pf_error_clear(&err);
	CHECK_INT(pf_knownhosts_load(path, &kh, &err), PF_E_TOOBIG);
	CHECK(kh == NULL);
	CHECK(strstr(err.message, path) != NULL);
	CHECK_INT(
		pf_knownhosts_add(path, "h", 22, NULL, NULL, keys[KA].blob, keys[KA].len, 0, &err),
		PF_E_TOOBIG);
	CHECK(strstr(err.message, path) != NULL);
	CHECK_INT(pf_knownhosts_parse("mem", big, PF_KH_MAX_FILE + 1, &kh, &err), PF_E_TOOBIG);
	/* Exactly at the limit it loads, but nothing more fits. */
	CHECK(pf_file_write_atomic(path, big, PF_KH_MAX_FILE, &err) == PF_OK);
	CHECK_INT(pf_knownhosts_load(path, &kh, &err), PF_OK);
	pf_knownhosts_free(kh);
	CHECK_INT(
		pf_knownhosts_add(path, "h", 22, NULL, NULL, keys[KA].blob, keys[KA].len, 0, &err),
		PF_E_TOOBIG);
	CHECK(strstr(err.message, "Remove old entries") != NULL);
	remove(path);
out:
	free(big);
	free(path);
}

static void test_refusal(void)
{
	pf_knownhosts *kh = load(DATA "plain");
	pf_knownhosts_result r;
	pf_error err;

	if (kh == NULL)
		return;
	r = look(kh, "alpha.example.com", 22, NULL, KB, NULL);
	pf_error_clear(&err);
	CHECK_INT(pf_knownhosts_refusal(kh, &r, &err), PF_E_HOSTKEY);
	CHECK_INT(err.code, PF_E_HOSTKEY);
	CHECK_STR(err.where, DATA "plain:3");
	CHECK(strstr(err.message, keys[KA].fp) != NULL);
	CHECK(strstr(err.message, keys[KB].fp) != NULL);
	CHECK(strstr(err.message, DATA "plain line 3") != NULL);
	CHECK(strstr(err.message, "alpha.example.com") != NULL);

	r = look(kh, "gamma.example.com", 22, NULL, KB, NULL);
	CHECK_INT(pf_knownhosts_refusal(kh, &r, &err), PF_E_HOSTKEY);
	CHECK_STR(err.where, DATA "plain:6");
	CHECK(strstr(err.message, "ecdsa-sha2-nistp256 "
				  "SHA256:") != NULL);
	CHECK(strstr(err.message, keys[KE256].fp) != NULL);
	CHECK(strstr(err.message, keys[KB].fp) != NULL);

	pf_error_clear(&err);
	r = look(kh, "alpha.example.com", 22, NULL, KA, NULL);
	CHECK_INT(pf_knownhosts_refusal(kh, &r, &err), PF_OK);
	CHECK_INT(err.code, PF_OK);
	pf_knownhosts_free(kh);
}

static int copy_file(const char *from, const char *to, char **data, size_t *len)
{
	pf_error err;

	if (pf_file_read(from, PF_KH_MAX_FILE, data, len, &err) != PF_OK)
		return -1;
	return pf_file_write_atomic(to, *data, *len, &err) == PF_OK ? 0 : -1;
}

/* Add to a copy of `src`; the result must be the old bytes + `sep` + the
 * new line ending in `eol`. */
static void add_and_compare(const char *src, const char *name, const char *sep, const char *eol,
			    size_t diags)
{
	char *path = tmp_path(name), *old = NULL, *want = NULL;
	size_t old_len = 0, want_len;
	pf_knownhosts *kh;
	pf_knownhosts_result r;
	pf_error err;

	if (path == NULL || copy_file(src, path, &old, &old_len) != 0) {
		CHECK(0);
		goto out;
	}
	pf_error_clear(&err);
	CHECK_INT(pf_knownhosts_add(path, "New.Example.com", 2200, NULL, "rsa-sha2-256",
				    keys[KR].blob, keys[KR].len, 0, &err),
		  PF_OK);
	want = pf_asprintf("%.*s%s[new.example.com]:2200 ssh-rsa %s%s", (int)old_len, old, sep,
			   keys[KR].b64, eol);
	want_len = strlen(want);
	CHECK(file_equals(path, want, want_len));
	kh = load(path);
	r = look(kh, "new.example.com", 2200, NULL, KR, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(pf_knownhosts_diag_count(kh), diags);
	pf_knownhosts_free(kh);
out:
	free(path);
	free(old);
	free(want);
}

static void test_add_existing(void)
{
	add_and_compare(DATA "plain", "kh_plain", "", "\n", 0);
	add_and_compare(DATA "crlf", "kh_crlf", "", "\r\n", 0);
	add_and_compare(DATA "nofinalnl", "kh_nofinalnl", "\n", "\n", 0);
	add_and_compare(DATA "nofinalnl_crlf", "kh_nofinalnl_crlf", "\r\n", "\r\n", 0);
	add_and_compare(DATA "hashed", "kh_hashed", "", "\n", 0);
	/* Broken lines stay as they were (and still get their diagnostics). */
	add_and_compare(DATA "garbage", "kh_garbage", "", "\n", 10);
}

static void test_crlf(void)
{
	pf_knownhosts *kh = load(DATA "crlf");
	pf_knownhosts_result r;

	if (kh == NULL)
		return;
	CHECK_INT(pf_knownhosts_diag_count(kh), 0);
	r = look(kh, "crlf.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 3);
	r = look(kh, "crlf.example.com", 2022, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 4);
	pf_knownhosts_free(kh);
	kh = load(DATA "nofinalnl");
	r = look(kh, "last.example.com", 22, NULL, KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 2);
	pf_knownhosts_free(kh);
}

static void test_add_new(void)
{
	char *path = tmp_path("kh_new"), *want = NULL, *data = NULL;
	size_t len = 0;
	pf_knownhosts *kh = NULL;
	pf_knownhosts_result r;
	pf_error err;

	remove(path);
	CHECK_INT(pf_knownhosts_add(path, "Fresh.example.com", 22, NULL, NULL, keys[KA].blob,
				    keys[KA].len, 0, &err),
		  PF_OK);
	want = pf_asprintf("fresh.example.com ssh-ed25519 %s\n", keys[KA].b64);
	CHECK(file_equals(path, want, strlen(want)));
	free(want);

	/* HostKeyAlias is written instead of the host. */
	CHECK_INT(pf_knownhosts_add(path, "ignored.example.com", 2222, "my-alias", "ssh-ed25519",
				    keys[KB].blob, keys[KB].len, 0, &err),
		  PF_OK);
	/* Hashed (HashKnownHosts yes). */
	CHECK_INT(pf_knownhosts_add(path, "secret.example.com", 2022, NULL, NULL, keys[KE256].blob,
				    keys[KE256].len, PF_KH_ADD_HASHED, &err),
		  PF_OK);
	want = pf_asprintf("fresh.example.com ssh-ed25519 %s\nmy-alias ssh-ed25519 %s\n|1|",
			   keys[KA].b64, keys[KB].b64);
	CHECK(pf_file_read(path, PF_KH_MAX_FILE, &data, &len, &err) == PF_OK);
	CHECK(data != NULL && strncmp(data, want, strlen(want)) == 0);
	CHECK(data != NULL && strstr(data, "secret") == NULL);
	free(want);
	free(data);

	kh = load(path);
	CHECK_INT(pf_knownhosts_diag_count(kh), 0);
	CHECK_INT(pf_knownhosts_count(kh), 3);
	r = look(kh, "fresh.example.com", 22, NULL, KA, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	r = look(kh, "x", 1, "my-alias", KB, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 2);
	r = look(kh, "secret.example.com", 2022, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_MATCH);
	CHECK_INT(r.old_line, 3);
	r = look(kh, "secret.example.com", 22, NULL, KE256, NULL);
	CHECK_INT(r.status, PF_KH_UNKNOWN);
	pf_knownhosts_free(kh);

	/* Names that would break the file are refused. */
	CHECK_INT(pf_knownhosts_add(path, "two words", 22, NULL, NULL, keys[KA].blob, keys[KA].len,
				    0, &err),
		  PF_E_INVAL);
	CHECK_INT(pf_knownhosts_add(path, "a,b", 22, NULL, NULL, keys[KA].blob, keys[KA].len, 0,
				    &err),
		  PF_E_INVAL);
	CHECK_INT(pf_knownhosts_add(path, "x\ny", 22, NULL, NULL, keys[KA].blob, keys[KA].len, 0,
				    &err),
		  PF_E_INVAL);
	CHECK_INT(
		pf_knownhosts_add(NULL, "x", 22, NULL, NULL, keys[KA].blob, keys[KA].len, 0, &err),
		PF_E_INVAL);
	free(path);
}

/* A failed write says which file and why, and leaves the old one alone. */
static void test_add_fails(void)
{
	char *dir = tmp_path("kh_no_such_folder"), *path = pf_path_join(dir, "known_hosts");
	char name[251], *longpath = NULL, *old = NULL;
	size_t old_len = 0;
	pf_error err;
	FILE *f;

	pf_error_clear(&err);
	CHECK_INT(
		pf_knownhosts_add(path, "h", 22, NULL, NULL, keys[KA].blob, keys[KA].len, 0, &err),
		PF_E_NOTFOUND);
	CHECK(strstr(err.message, path) != NULL);
	CHECK(strstr(err.message, "does not exist") != NULL);
	CHECK(!pf_file_exists(path));
	free(path);
	free(dir);

	/* The temporary name is too long for the file system (any user,
	 * root included): the write fails and the old file stays. */
	memset(name, 'k', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	longpath = tmp_path(name);
	f = pf_fopen(longpath, "wb");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("old.example.com ssh-ed25519 AAAA\r\n", f);
		fclose(f);
		CHECK(pf_file_read(longpath, 4096, &old, &old_len, &err) == PF_OK);
		pf_error_clear(&err);
		CHECK(pf_knownhosts_add(longpath, "h", 22, NULL, NULL, keys[KA].blob, keys[KA].len,
					0, &err) != PF_OK);
		CHECK(strstr(err.message, "Cannot save the host key in") != NULL);
		CHECK(strstr(err.message, name) != NULL);
		CHECK(old != NULL && file_equals(longpath, old, old_len));
		remove(longpath);
	}
	free(longpath);
	free(old);
	old = NULL;

#ifndef _WIN32
	/* A read-only folder (root ignores permissions: skipped then). */
	if (geteuid() != 0) {
		char *ro = tmp_path("kh_readonly"), *file = pf_path_join(ro, "known_hosts");
		char **names = NULL;
		size_t n = 0;

		mkdir(ro, 0755);
		CHECK(pf_file_write_atomic(file, "a.example.com ssh-ed25519 AAAA\n", 31, &err) ==
		      PF_OK);
		chmod(ro, 0555);
		pf_error_clear(&err);
		CHECK_INT(pf_knownhosts_add(file, "h", 22, NULL, NULL, keys[KA].blob, keys[KA].len,
					    0, &err),
			  PF_E_DENIED);
		CHECK(strstr(err.message, file) != NULL);
		CHECK(strstr(err.message, "ermission denied") != NULL);
		CHECK(file_equals(file, "a.example.com ssh-ed25519 AAAA\n", 31));
		CHECK(pf_dir_list(ro, &names, &n, &err) == PF_OK && n == 1);
		pf_strv_free(names, n);
		chmod(ro, 0755);
		remove(file);
		rmdir(ro);
		free(file);
		free(ro);
	} else {
		printf("read-only folder case skipped: running as root\n");
	}
#endif
}

/* What the session will do: key from libssh, base64 out, decode, check. */
static void test_libssh(void)
{
	ssh_key key = NULL;
	char *b64 = NULL;
	unsigned char *blob = NULL, *hash = NULL;
	size_t len = 0, hlen = 0;
	pf_knownhosts *kh = load(DATA "plain");
	pf_knownhosts_result res;
	pf_error err;

	CHECK_INT(ssh_pki_import_pubkey_file(DATA "keys/rsa.pub", &key), SSH_OK);
	if (key == NULL)
		goto out;
	CHECK_INT(ssh_pki_export_pubkey_base64(key, &b64), SSH_OK);
	CHECK_STR(b64, keys[KR].b64);
	CHECK_INT(pf_knownhosts_decode_key(b64, &blob, &len, &err), PF_OK);
	CHECK_INT(pf_knownhosts_check(kh, "host7.example.org", 22, NULL,
				      ssh_key_type_to_char(ssh_key_type(key)), blob, len, &res,
				      &err),
		  PF_OK);
	CHECK_INT(res.status, PF_KH_MATCH);
	CHECK_STR(res.fingerprint, keys[KR].fp);
	/* libssh's own SHA256 agrees with ours. */
	CHECK_INT(ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen), 0);
	{
		char *fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);

		CHECK(fp != NULL && strcmp(fp, keys[KR].fp) == 0);
		ssh_string_free_char(fp);
	}
	ssh_clean_pubkey_hash(&hash);
	free(blob);
	CHECK_INT(pf_knownhosts_decode_key("AAAA", &blob, &len, &err), PF_E_INVAL);
	CHECK(blob == NULL);
out:
	ssh_string_free_char(b64);
	ssh_key_free(key);
	free(blob);
	pf_knownhosts_free(kh);
}

int main(void)
{
	ssh_init();
	if (load_keys() != 0) {
		free_keys();
		fprintf(stderr, "test data missing\n");
		return 1;
	}
	test_fingerprints();
	test_names();
	test_plain();
	test_hashed();
	test_revoked();
	test_garbage();
	test_memory_inputs();
	test_too_big();
	test_refusal();
	test_crlf();
	test_add_existing();
	test_add_new();
	test_add_fails();
	test_libssh();
	free_keys();
	ssh_finalize();
	return check_summary("knownhosts");
}
