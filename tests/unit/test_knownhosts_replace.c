/* known_hosts: replacing a changed key (issue 20 item 9), the one path that
 * accepts a changed key. Table-driven: every
 * tests/data/knownhosts/replace/NAME.test holds a "case" (the host, the new
 * and the old key, the file and line to replace, the result), the files
 * ("file N [options]", with {key} standing for "type base64" of
 * tests/data/knownhosts/keys/key.pub) and what the changed file must hold
 * ("expect N"); every other file must stay byte for byte, and a refused
 * replace leaves every file as it was. Then: a symbolic link stays a link
 * (its target is replaced), the pasted-fingerprint comparison, and what
 * pf_knownhosts_check_files says afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef _WIN32
#include <sys/stat.h>
#include <unistd.h>
#endif

#include "check.h"
#include "datafile.h"
#include "pf/knownhosts.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/version.h"

#define DATA     "data/knownhosts/"
#define MAXFILES 4

static const char *const key_names[] = {"ed25519_a", "ed25519_b", "ecdsa256", "ecdsa384", "rsa"};
enum { NKEYS = sizeof(key_names) / sizeof(key_names[0]) };
static char *key_line[NKEYS]; /* "type base64" */
static unsigned char *key_blob[NKEYS];
static size_t key_len[NKEYS];
static char key_fp[NKEYS][PF_KH_FP_SIZE];

static int load_keys(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		char *path = pf_asprintf(DATA "keys/%s.pub", key_names[i]), *data = NULL, *sp;
		size_t len = 0;

		if (path == NULL || pf_file_read(path, 65536, &data, &len, NULL) != PF_OK) {
			fprintf(stderr, "cannot read %s (run from tests/)\n", path);
			free(path);
			return -1;
		}
		free(path);
		sp = strchr(data, ' ');
		sp = sp != NULL ? strchr(sp + 1, ' ') : NULL;
		if (sp == NULL) {
			free(data);
			return -1;
		}
		*sp = '\0';
		key_line[i] = data;
		if (pf_knownhosts_decode_key(strchr(data, ' ') + 1, &key_blob[i], &key_len[i],
					     NULL) != PF_OK ||
		    pf_knownhosts_fingerprint(key_blob[i], key_len[i], key_fp[i],
					      sizeof(key_fp[i])) != PF_OK)
			return -1;
	}
	return 0;
}

static int key_index(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(key_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* The body with every {key} replaced by "type base64". */
static df_buf expand(const char *body, size_t len)
{
	df_buf out = {0};
	size_t i = 0;

	while (i < len) {
		const char *close = body[i] == '{' ? memchr(body + i, '}', len - i) : NULL;
		char name[32];
		int k = -1;

		if (close != NULL && (size_t)(close - body - i - 1) < sizeof(name)) {
			memcpy(name, body + i + 1, (size_t)(close - body - i - 1));
			name[close - body - i - 1] = '\0';
			k = key_index(name);
		}
		if (k >= 0) {
			df_buf_add(&out, key_line[k], strlen(key_line[k]));
			i = (size_t)(close - body) + 1;
		} else {
			df_buf_add(&out, body + i, 1);
			i++;
		}
	}
	if (out.p == NULL)
		df_buf_add(&out, "", 0);
	return out;
}

struct kase {
	char host[128], alias[128], message[128]; /* message: a word the refusal holds */
	int port, new_key, old_key, file, line;
	char result[32];
};

static int parse_case(const char *body, struct kase *c)
{
	char *copy = pf_strdup(body), *line, *save = NULL;

	memset(c, 0, sizeof(*c));
	c->new_key = c->old_key = -1;
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char k[32], v[128];

		if (sscanf(line, "%31s %127s", k, v) != 2)
			continue;
		if (strcmp(k, "host") == 0)
			pf_strlcpy(c->host, v, sizeof(c->host));
		else if (strcmp(k, "alias") == 0)
			pf_strlcpy(c->alias, v, sizeof(c->alias));
		else if (strcmp(k, "port") == 0)
			c->port = (int)strtol(v, NULL, 10);
		else if (strcmp(k, "new") == 0)
			c->new_key = key_index(v);
		else if (strcmp(k, "old") == 0)
			c->old_key = key_index(v);
		else if (strcmp(k, "file") == 0)
			c->file = (int)strtol(v, NULL, 10);
		else if (strcmp(k, "line") == 0)
			c->line = (int)strtol(v, NULL, 10);
		else if (strcmp(k, "result") == 0)
			pf_strlcpy(c->result, v, sizeof(c->result));
		else if (strcmp(k, "message") == 0)
			pf_strlcpy(c->message, v, sizeof(c->message));
	}
	free(copy);
	return c->host[0] != '\0' && c->new_key >= 0 && c->old_key >= 0 && c->file >= 1 &&
	       c->file <= MAXFILES && c->line >= 1 && c->result[0] != '\0';
}

static char *tmp_path(const char *name)
{
	const char *base = getenv("PF_TEST_TMPDIR");

	return pf_path_join(base != NULL ? base : ".", name);
}

static int file_is(const char *path, const df_buf *want)
{
	char *data = NULL;
	size_t len = 0;
	int same;

	if (pf_file_read(path, PF_KH_MAX_FILE, &data, &len, NULL) != PF_OK)
		return 0;
	same = len == want->len && memcmp(data, want->p, len) == 0;
	free(data);
	return same;
}

static void run_case(const char *name, const char *data, size_t len)
{
	df_section secs[12];
	size_t nsec = df_split_sections(data, len, secs, 12), i;
	df_buf files[MAXFILES + 1] = {{0}}, expect[MAXFILES + 1] = {{0}};
	char *paths[MAXFILES + 1] = {0};
	int have[MAXFILES + 1] = {0}, have_expect[MAXFILES + 1] = {0}, have_case = 0, n = 0, f;
	struct kase c;
	pf_error err;
	pf_rc rc;

	for (i = 0; i < nsec; i++) {
		int idx = 0;
		char opts[64] = "";

		if (strcmp(secs[i].head, "case") == 0) {
			have_case = parse_case(secs[i].body, &c);
			continue;
		}
		if (sscanf(secs[i].head, "file %d %63[^\n]", &idx, opts) >= 1 && idx >= 1 &&
		    idx <= MAXFILES) {
			df_buf raw = expand(secs[i].body, secs[i].body_len);

			files[idx] = df_transform(raw.p, raw.len, opts);
			free(raw.p);
			have[idx] = 1;
			if (idx > n)
				n = idx;
		} else if (sscanf(secs[i].head, "expect %d %63[^\n]", &idx, opts) >= 1 &&
			   idx >= 1 && idx <= MAXFILES) {
			df_buf raw = expand(secs[i].body, secs[i].body_len);

			expect[idx] = df_transform(raw.p, raw.len, opts);
			free(raw.p);
			have_expect[idx] = 1;
		} else {
			fprintf(stderr, "%s: unexpected section '%s'\n", name, secs[i].head);
			check_report(0, name, 0, "section");
		}
	}
	if (!CHECK(have_case) || !CHECK(have[c.file])) {
		fprintf(stderr, "  in %s: no usable case or no file %d\n", name, c.file);
		goto out;
	}
	for (f = 1; f <= n; f++) {
		char leaf[64];

		if (!have[f])
			continue;
		snprintf(leaf, sizeof(leaf), "khr_%d_known_hosts", f);
		paths[f] = tmp_path(leaf);
		CHECK_INT(pf_file_write_atomic(paths[f], files[f].p, files[f].len, NULL), PF_OK);
	}
	pf_error_clear(&err);
	rc = pf_knownhosts_replace(paths[c.file], c.line, c.host, c.port,
				   c.alias[0] ? c.alias : NULL, key_fp[c.old_key], NULL,
				   key_blob[c.new_key], key_len[c.new_key], &err);
	if (strcmp(c.result, "ok") == 0) {
		pf_knownhosts *kh[MAXFILES] = {0};
		pf_knownhosts_result res;
		size_t decided = 0;

		if (!CHECK_INT(rc, PF_OK))
			fprintf(stderr, "  in %s: %s\n", name, err.message);
		if (!CHECK(have_expect[c.file]))
			fprintf(stderr, "  in %s: no expect %d\n", name, c.file);
		/* Afterwards the new key is recorded for the host. */
		for (f = 1; f <= n; f++)
			if (have[f])
				pf_knownhosts_load(paths[f], &kh[f - 1], NULL);
		CHECK_INT(pf_knownhosts_check_files(
				  kh, (size_t)n, c.host, c.port, c.alias[0] ? c.alias : NULL, NULL,
				  key_blob[c.new_key], key_len[c.new_key], &res, &decided, NULL),
			  PF_OK);
		if (!CHECK_INT(res.status, PF_KH_MATCH))
			fprintf(stderr, "  in %s: the new key does not match afterwards\n", name);
		for (f = 0; f < MAXFILES; f++)
			pf_knownhosts_free(kh[f]);
	} else {
		if (!CHECK_INT(rc, strcmp(c.result, "hostkey") == 0 ? PF_E_HOSTKEY : PF_E_TOOBIG))
			fprintf(stderr, "  in %s: %s\n", name, err.message);
		CHECK(strstr(err.message, "nothing was written") != NULL ||
		      strstr(err.message, "not changed") != NULL || rc != PF_E_HOSTKEY);
		if (c.message[0] != '\0' && !CHECK(strstr(err.message, c.message) != NULL))
			fprintf(stderr, "  in %s: the message lacks \"%s\": %s\n", name, c.message,
				err.message);
	}
	for (f = 1; f <= n; f++) {
		const df_buf *want = (rc == PF_OK && f == c.file) ? &expect[f] : &files[f];

		if (have[f] && !CHECK(file_is(paths[f], want)))
			fprintf(stderr, "  in %s: file %d is not as expected\n", name, f);
	}
out:
	for (f = 0; f <= MAXFILES; f++) {
		if (paths[f] != NULL)
			remove(paths[f]);
		free(paths[f]);
		free(files[f].p);
		free(expect[f].p);
	}
	for (i = 0; i < nsec; i++) {
		free(secs[i].head);
		free(secs[i].body);
	}
}

/* The text function agrees, and refuses bad arguments. */
static void test_text(void)
{
	char *old = pf_asprintf("a.example.com %s\n", key_line[0]), *out = NULL;
	char *want = pf_asprintf("a.example.com %s\n", key_line[1]);
	size_t len = 0;

	CHECK_INT(pf_knownhosts_replace_text("kh", old, strlen(old), 1, "a.example.com", 22, NULL,
					     NULL, "ssh-ed25519", key_blob[1], key_len[1], &out,
					     &len, NULL),
		  PF_OK);
	CHECK(out != NULL && len == strlen(want) && memcmp(out, want, len) == 0);
	free(out);
	out = NULL;
	/* A type that does not match the key. */
	CHECK_INT(pf_knownhosts_replace_text("kh", old, strlen(old), 1, "a.example.com", 22, NULL,
					     NULL, "ssh-rsa", key_blob[1], key_len[1], &out, &len,
					     NULL),
		  PF_E_INVAL);
	/* A line that does not exist. */
	CHECK_INT(pf_knownhosts_replace_text("kh", old, strlen(old), 7, "a.example.com", 22, NULL,
					     NULL, NULL, key_blob[1], key_len[1], &out, &len, NULL),
		  PF_E_HOSTKEY);
	CHECK(out == NULL);
	/* The same key again: the file stays as it is. */
	CHECK_INT(pf_knownhosts_replace_text("kh", old, strlen(old), 1, "a.example.com", 22, NULL,
					     NULL, NULL, key_blob[0], key_len[0], &out, &len, NULL),
		  PF_OK);
	CHECK(out != NULL && len == strlen(old) && memcmp(out, old, len) == 0);
	free(out);
	free(old);
	free(want);
}

/* A file that is not there, and "none", are refused with a message. */
static void test_missing(void)
{
	char *path = tmp_path("khr_missing_known_hosts");
	pf_error err;

	remove(path);
	pf_error_clear(&err);
	CHECK(pf_knownhosts_replace(path, 1, "a.example.com", 22, NULL, NULL, NULL, key_blob[1],
				    key_len[1], &err) != PF_OK);
	CHECK(strstr(err.message, path) != NULL);
	CHECK(!pf_file_exists(path));
	CHECK(pf_knownhosts_replace("none", 1, "a.example.com", 22, NULL, NULL, NULL, key_blob[1],
				    key_len[1], NULL) != PF_OK);
	free(path);
}

/* known_hosts as a symbolic link (a kit that links to a shared file): the
 * link stays a link, its target gets the new key. */
static void test_symlink(void)
{
#ifndef _WIN32
	char *target = tmp_path("khr_target_known_hosts"), *link = tmp_path("khr_link_known_hosts");
	char *old = pf_asprintf("# shared\na.example.com %s\n", key_line[0]);
	char *want = pf_asprintf("# shared\na.example.com %s\n", key_line[1]);
	df_buf w = {want, strlen(want), 0};
	struct stat st;
	pf_error err;

	unlink(link);
	CHECK_INT(pf_file_write_atomic(target, old, strlen(old), NULL), PF_OK);
	CHECK(symlink(target, link) == 0);
	pf_error_clear(&err);
	if (!CHECK_INT(pf_knownhosts_replace(link, 2, "a.example.com", 22, NULL, key_fp[0],
					     "ssh-ed25519", key_blob[1], key_len[1], &err),
		       PF_OK))
		fprintf(stderr, "symlink: %s\n", err.message);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(file_is(target, &w));
	unlink(link);
	unlink(target);
	free(target);
	free(link);
	free(old);
	free(want);
#endif
}

static void test_fingerprint_matches(void)
{
	const char *fp = key_fp[0]; /* SHA256:+8lzY1ChghBZl+aSLHtnPsiT71Y0ky3ac9RudAshjv4 */
	const char *b64 = fp + 7;
	char buf[1024];

	CHECK(pf_knownhosts_fingerprint_matches(fp, fp));
	CHECK(pf_knownhosts_fingerprint_matches(b64, fp));
	snprintf(buf, sizeof(buf), "  \t%s \r\n", fp);
	CHECK(pf_knownhosts_fingerprint_matches(buf, fp));
	snprintf(buf, sizeof(buf), " %s\n", b64);
	CHECK(pf_knownhosts_fingerprint_matches(buf, fp));
	/* A whole line of ssh-keygen -lf. */
	snprintf(buf, sizeof(buf), "256 %s root@server (ED25519)\n", fp);
	CHECK(pf_knownhosts_fingerprint_matches(buf, fp));
	/* Not a match: another key, one character off, case, cut short,
	 * longer, padding, empty, other words only, two fingerprints. */
	CHECK(!pf_knownhosts_fingerprint_matches(key_fp[1], fp));
	snprintf(buf, sizeof(buf), "%s", fp);
	buf[10] = buf[10] == 'a' ? 'b' : 'a';
	CHECK(!pf_knownhosts_fingerprint_matches(buf, fp));
	snprintf(buf, sizeof(buf), "SHA256:+8LZY1ChghBZl+aSLHtnPsiT71Y0ky3ac9RudAshjv4");
	CHECK(!pf_knownhosts_fingerprint_matches(buf, fp));
	snprintf(buf, sizeof(buf), "%.*s", (int)strlen(fp) - 1, fp);
	CHECK(!pf_knownhosts_fingerprint_matches(buf, fp));
	snprintf(buf, sizeof(buf), "%sA", fp);
	CHECK(!pf_knownhosts_fingerprint_matches(buf, fp));
	snprintf(buf, sizeof(buf), "%s=", fp);
	CHECK(!pf_knownhosts_fingerprint_matches(buf, fp));
	CHECK(!pf_knownhosts_fingerprint_matches("", fp));
	CHECK(!pf_knownhosts_fingerprint_matches("   \n", fp));
	CHECK(!pf_knownhosts_fingerprint_matches("SHA256:", fp));
	CHECK(!pf_knownhosts_fingerprint_matches("the key I was given", fp));
	snprintf(buf, sizeof(buf), "%s %s", fp, fp);
	CHECK(!pf_knownhosts_fingerprint_matches(buf, fp));
	snprintf(buf, sizeof(buf), "%s %s", b64, b64);
	CHECK(!pf_knownhosts_fingerprint_matches(buf, fp));
	snprintf(buf, sizeof(buf), "MD5:%s", b64);
	CHECK(!pf_knownhosts_fingerprint_matches(buf, fp));
	CHECK(!pf_knownhosts_fingerprint_matches(NULL, fp));
	CHECK(!pf_knownhosts_fingerprint_matches(fp, NULL));
	CHECK(!pf_knownhosts_fingerprint_matches(b64, b64)); /* not a fingerprint */
}

int main(void)
{
	size_t i;
	int cases;

	if (pf_lib_init() != 0 || load_keys() != 0)
		return 1;
	cases = df_for_each_test(DATA "replace", run_case);
	printf("%d data cases\n", cases);
	CHECK(cases >= 13);
	test_text();
	test_missing();
	test_symlink();
	test_fingerprint_matches();
	for (i = 0; i < NKEYS; i++) {
		free(key_line[i]);
		free(key_blob[i]);
	}
	pf_lib_cleanup();
	return check_summary("test_knownhosts_replace");
}
