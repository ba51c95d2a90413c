/* Config parser, table-driven: every tests/data/config/NAME.test file holds
 * config files in, and the expected `-G` lines, diagnostics or host
 * profiles out. The format (sections start with "=== "):
 *
 *   # what the case is about
 *   === only posix|win32    skip the rest of the case on the other platform
 *   === file NAME [crlf] [noeol] [bom] [utf16le] [utf16be] [escapes] [truncate]
 *   ...file content (escapes: \xNN and \\)...
 *   === diags [verbose]     load diagnostics, one prefix per line, in order
 *                           (without this section: no warnings or errors allowed)
 *   === loadrc ok|config|notfound|toobig
 *   === encoding NAME
 *   === profiles            "name hostname user" (user "-" when none)
 *   === run HOST [-u USER] [-o K=V]... [-L|-R|-D SPEC]...
 *   === rc ok|config        of the last run
 *   === dump                expected lines of the last run's dump; only
 *                           the keywords named are compared, in order
 *   === rundiags            diagnostics of the last run (prefixes)
 *
 * NAME is relative to the case's scratch folder; the first file is the one
 * loaded. @DIR@, @HOME@ and @USER@ stand for the scratch folder, the home
 * folder and the login name; '\' in paths is compared as '/'. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "check.h"
#include "datafile.h"
#include "pf/config.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/textconv.h"

#ifdef _WIN32
#include <direct.h>
#endif

static const char *tmpbase(void)
{
	const char *b = getenv("PF_TEST_TMPDIR");

	return b ? b : ".";
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

/* mkdir -p for the folders of a file path. */
static void make_parents(const char *file)
{
	char *d = pf_path_dirname(file);

	if (d != NULL && !pf_dir_exists(d)) {
		make_parents(d);
		make_dir(d);
	}
	free(d);
}

static void slashes(char *s)
{
	for (; s && *s; s++)
		if (*s == '\\')
			*s = '/';
}

/* Replace @DIR@ @HOME@ @USER@. Caller frees. */
static char *subst(const char *s, const char *dir, const char *home, const char *user)
{
	char *out = pf_strdup(s);
	const char *keys[3] = {"@DIR@", "@HOME@", "@USER@"};
	const char *vals[3];
	int k;

	vals[0] = dir;
	vals[1] = home;
	vals[2] = user;
	for (k = 0; k < 3 && out != NULL; k++) {
		char *p;

		while ((p = strstr(out, keys[k])) != NULL) {
			char *n = pf_asprintf("%.*s%s%s", (int)(p - out), out, vals[k],
					      p + strlen(keys[k]));

			free(out);
			out = n;
			if (out == NULL)
				break;
		}
	}
	return out;
}

static const char *rc_word(pf_rc rc)
{
	switch (rc) {
	case PF_OK: return "ok";
	case PF_E_CONFIG: return "config";
	case PF_E_NOTFOUND: return "notfound";
	case PF_E_TOOBIG: return "toobig";
	default: return pf_rc_name(rc);
	}
}

/* Format diagnostics (first line only, '\' -> '/', scratch dir as @DIR@ is
 * already substituted in expectations) at or above `min`. */
static char **diag_lines(const pf_diags *d, pf_diag_level min, size_t *n)
{
	char **v = PF_NEW_ARRAY(char *, d->count + 1);
	size_t i;

	*n = 0;
	for (i = 0; v && i < d->count; i++) {
		char *s, *nl;

		if (d->items[i].level < min)
			continue;
		s = pf_diag_format(&d->items[i]);
		if (s == NULL)
			continue;
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		slashes(s);
		v[(*n)++] = s;
	}
	return v;
}

static void compare_diags(const char *casename, const char *what, const pf_diags *d,
			  const char *expected, pf_diag_level min, const char *dir,
			  const char *home, const char *user)
{
	size_t n, i = 0, k;
	char **got = diag_lines(d, min, &n);
	char *exp = subst(expected, dir, home, user), *line, *save = NULL;
	int ok = 1;

	for (line = strtok_r(exp, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		slashes(line);
		if (i >= n || strncmp(got[i], line, strlen(line)) != 0) {
			ok = 0;
			fprintf(stderr, "%s: %s #%zu\n    want: %s\n    got:  %s\n", casename, what,
				i + 1, line, i < n ? got[i] : "(nothing)");
		}
		i++;
	}
	if (i < n) {
		ok = 0;
		for (; i < n; i++)
			fprintf(stderr, "%s: %s: unexpected: %s\n", casename, what, got[i]);
	}
	check_report(ok, casename, 0, what);
	for (k = 0; k < n; k++)
		free(got[k]);
	free(got);
	free(exp);
}

/* Compare the dump's lines for the keywords named in `expected`. */
static void compare_dump(const char *casename, const char *dump, const char *expected,
			 const char *dir, const char *home, const char *user)
{
	char *exp = subst(expected, dir, home, user), *got = pf_strdup(dump ? dump : "");
	char *keys[64];
	size_t nkeys = 0, k;
	df_buf want = {0}, have = {0};
	char *line, *save = NULL;

	slashes(got);
	for (line = strtok_r(exp, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t kl = strcspn(line, " ");
		int dup = 0;

		slashes(line);
		for (k = 0; k < nkeys; k++)
			if (strlen(keys[k]) == kl && strncmp(keys[k], line, kl) == 0)
				dup = 1;
		if (!dup && nkeys < 64)
			keys[nkeys++] = pf_strndup(line, kl);
		df_buf_add(&want, line, strlen(line));
		df_buf_add(&want, "\n", 1);
	}
	save = NULL;
	for (line = strtok_r(got, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t kl = strcspn(line, " ");

		for (k = 0; k < nkeys; k++)
			if (strlen(keys[k]) == kl && strncmp(keys[k], line, kl) == 0) {
				df_buf_add(&have, line, strlen(line));
				df_buf_add(&have, "\n", 1);
			}
	}
	if (!check_report(want.p && have.p && strcmp(want.p, have.p) == 0, casename, 0, "dump"))
		fprintf(stderr, "%s: dump differs\n--- want\n%s--- got\n%s", casename,
			want.p ? want.p : "", have.p ? have.p : "");
	for (k = 0; k < nkeys; k++)
		free(keys[k]);
	free(want.p);
	free(have.p);
	free(exp);
	free(got);
}

typedef struct runstate {
	pf_config *cfg;
	pf_diags load_diags;
	pf_rc load_rc;
	int loaded;
	char *main_file;
	pf_host_config *hc;
	pf_diags run_diags;
	pf_rc run_rc;
	int saw_diags;
} runstate;

static void do_load(runstate *rs)
{
	if (rs->loaded)
		return;
	rs->loaded = 1;
	pf_diag_init(&rs->load_diags);
	rs->load_rc = pf_config_load(rs->main_file, NULL, &rs->cfg, &rs->load_diags);
}

static void do_run(runstate *rs, const char *args)
{
	char *copy = pf_strdup(args), *tok, *save = NULL, *host = NULL, *user = NULL;
	const char *over[32];
	pf_fwdspec fwds[16];
	size_t no = 0, nf = 0, i;
	pf_resolve_opts ro;

	do_load(rs);
	pf_host_config_free(rs->hc);
	rs->hc = NULL;
	pf_diag_free(&rs->run_diags);
	memset(fwds, 0, sizeof(fwds));
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strcmp(tok, "-u") == 0)
			user = strtok_r(NULL, " ", &save);
		else if (strcmp(tok, "-o") == 0 && no < 32)
			over[no++] = strtok_r(NULL, " ", &save);
		else if ((strcmp(tok, "-L") == 0 || strcmp(tok, "-R") == 0 ||
			  strcmp(tok, "-D") == 0) &&
			 nf < 16) {
			pf_fwd_kind k = tok[1] == 'L'   ? PF_FWD_LOCAL
					: tok[1] == 'R' ? PF_FWD_REMOTE
							: PF_FWD_DYNAMIC;
			char *spec = strtok_r(NULL, " ", &save);

			if (spec && pf_fwdspec_parse_cli(k, spec, &fwds[nf], NULL) == PF_OK) {
				pf_fwdspec_set_source(&fwds[nf], "command line", 0);
				nf++;
			}
		} else
			host = tok;
	}
	memset(&ro, 0, sizeof(ro));
	ro.user = user;
	ro.overrides = over;
	ro.n_overrides = no;
	ro.forwards = fwds;
	ro.n_forwards = nf;
	rs->run_rc = pf_config_resolve(rs->load_rc == PF_OK || rs->load_rc == PF_E_CONFIG ? rs->cfg
											  : NULL,
				       host ? host : "", &ro, &rs->hc, &rs->run_diags);
	for (i = 0; i < nf; i++)
		pf_fwdspec_clear(&fwds[i]);
	free(copy);
}

static void run_case(const char *dir_base, const char *name, const char *data, size_t len)
{
	char casename[256];
	char *casedir = NULL, *home = pf_home_dir(), *user = pf_user_name(), *ndir = NULL;
	char *nhome = NULL;
	df_section secs[64];
	size_t nsec = 0, i;
	runstate rs;

	memset(&rs, 0, sizeof(rs));
	snprintf(casename, sizeof(casename), "%s", name);
	{
		char *dot = strrchr(casename, '.');

		if (dot)
			*dot = '\0';
	}
	casedir = pf_path_join(dir_base, casename);
	make_dir(casedir);
	ndir = pf_strdup(casedir);
	nhome = pf_strdup(home);
	slashes(ndir);
	slashes(nhome);
	nsec = df_split_sections(data, len, secs, 64);
	for (i = 0; i < nsec; i++) {
		char *h = secs[i].head;

		if (strncmp(h, "only ", 5) == 0) {
#ifdef _WIN32
			if (strcmp(h + 5, "win32") != 0)
				break;
#else
			if (strcmp(h + 5, "posix") != 0)
				break;
#endif
		} else if (strncmp(h, "file ", 5) == 0) {
			char fname[256], *path;
			df_buf b;

			sscanf(h + 5, "%255s", fname);
			path = pf_path_join(casedir, fname);
			make_parents(path);
			{
				char *body = subst(secs[i].body, ndir, nhome, user);

				b = df_transform(body, strlen(body), h + 5 + strlen(fname));
				free(body);
			}
			if (pf_file_write_atomic(path, b.p, b.len, NULL) != PF_OK)
				check_report(0, casename, 0, "write test file");
			if (rs.main_file == NULL)
				rs.main_file = path;
			else
				free(path);
			free(b.p);
		} else if (strncmp(h, "diags", 5) == 0) {
			do_load(&rs);
			rs.saw_diags = 1;
			compare_diags(casename, "diags", &rs.load_diags, secs[i].body,
				      strstr(h, "verbose") ? PF_DIAG_VERBOSE : PF_DIAG_NOTE, ndir,
				      nhome, user);
		} else if (strncmp(h, "loadrc ", 7) == 0) {
			do_load(&rs);
			if (!CHECK_STR(rc_word(rs.load_rc), h + 7))
				fprintf(stderr, "  in %s\n", casename);
		} else if (strncmp(h, "encoding ", 9) == 0) {
			do_load(&rs);
			if (!CHECK_STR(pf_config_encoding(rs.cfg), h + 9))
				fprintf(stderr, "  in %s\n", casename);
		} else if (strncmp(h, "profiles", 8) == 0) {
			pf_host_profile *pl = NULL;
			size_t np = 0, k;
			df_buf got = {0};
			char *want;

			do_load(&rs);
			CHECK_INT(pf_config_profiles(rs.cfg, &pl, &np), PF_OK);
			for (k = 0; k < np; k++) {
				char *l = pf_asprintf("%s %s %s\n", pl[k].name,
						      pl[k].hostname ? pl[k].hostname : "-",
						      pl[k].user ? pl[k].user : "-");

				df_buf_add(&got, l, strlen(l));
				free(l);
			}
			df_buf_add(&got, "", 0);
			want = subst(secs[i].body, ndir, nhome, user);
			if (!CHECK_STR(got.p, want))
				fprintf(stderr, "  in %s\n", casename);
			free(want);
			free(got.p);
			pf_host_profiles_free(pl, np);
		} else if (strncmp(h, "run", 3) == 0) {
			do_run(&rs, h + 3);
		} else if (strncmp(h, "rc ", 3) == 0) {
			if (!CHECK_STR(rc_word(rs.run_rc), h + 3))
				fprintf(stderr, "  in %s\n", casename);
		} else if (strncmp(h, "dump", 4) == 0) {
			char *d = rs.hc ? pf_host_config_dump(rs.hc) : NULL;

			if (rs.hc == NULL)
				fprintf(stderr, "%s: run failed (%s)\n", casename,
					pf_rc_name(rs.run_rc));
			compare_dump(casename, d, secs[i].body, ndir, nhome, user);
			free(d);
		} else if (strncmp(h, "rundiags", 8) == 0) {
			compare_diags(casename, "rundiags", &rs.run_diags, secs[i].body,
				      PF_DIAG_NOTE, ndir, nhome, user);
		} else {
			fprintf(stderr, "%s: unknown section '%s'\n", casename, h);
			check_report(0, casename, 0, "section");
		}
	}
	if (!rs.saw_diags && rs.loaded) {
		size_t k;
		int ok = 1;

		for (k = 0; k < rs.load_diags.count; k++)
			if (rs.load_diags.items[k].level >= PF_DIAG_WARNING) {
				char *s = pf_diag_format(&rs.load_diags.items[k]);

				fprintf(stderr, "%s: unexpected diagnostic: %s\n", casename, s);
				free(s);
				ok = 0;
			}
		check_report(ok, casename, 0, "no unexpected diagnostics");
	}
	pf_host_config_free(rs.hc);
	pf_diag_free(&rs.run_diags);
	pf_diag_free(&rs.load_diags);
	pf_config_free(rs.cfg);
	free(rs.main_file);
	for (i = 0; i < nsec; i++) {
		free(secs[i].head);
		free(secs[i].body);
	}
	free(casedir);
	free(ndir);
	free(nhome);
	free(home);
	free(user);
}

static int run_data_cases(void)
{
	char **names = NULL;
	size_t count = 0, i;
	int cases = 0;
	char *base = pf_path_join(tmpbase(), "config-cases");

	make_dir(base);
	if (!CHECK_INT(pf_dir_list("data/config", &names, &count, NULL), PF_OK))
		return 0;
	for (i = 0; i < count; i++) {
		char *path, *data = NULL;
		size_t len = 0;
		size_t nl = strlen(names[i]);

		if (nl < 6 || strcmp(names[i] + nl - 5, ".test") != 0)
			continue;
		path = pf_path_join("data/config", names[i]);
		if (CHECK_INT(pf_file_read(path, 1 << 20, &data, &len, NULL), PF_OK)) {
			run_case(base, names[i], data, len);
			cases++;
		}
		free(data);
		free(path);
	}
	pf_strv_free(names, count);
	free(base);
	return cases;
}

/* ---- Hostile input, generated (too big to commit) ---------------------- */

static char *scratch(const char *name)
{
	return pf_path_join(tmpbase(), name);
}

static void test_huge_file(void)
{
	char *path = scratch("config-huge.txt");
	FILE *f = pf_fopen(path, "wb");
	pf_config *cfg = NULL;
	pf_diags d;
	uint64_t t0;

	pf_diag_init(&d);
	CHECK(f != NULL);
	if (f == NULL)
		goto out;
	/* 100 MB, sparse where the OS allows. */
	fputs("Host a\n", f);
	fseek(f, 100L * 1024 * 1024, SEEK_SET);
	fputc('\n', f);
	fclose(f);
	t0 = check_cpu_ms();
	CHECK_INT(pf_config_load(path, NULL, &cfg, &d), PF_E_TOOBIG);
	CHECK(cfg == NULL);
	CHECK(check_cpu_ms() - t0 < 5000); /* CPU, not wall clock */
	CHECK_INT(d.errors, 1);
	CHECK(d.count == 1 && strstr(d.items[0].message, "larger than") != NULL);
out:
	remove(path);
	pf_diag_free(&d);
	free(path);
}

static void test_long_lines(void)
{
	char *path = scratch("config-longline.txt");
	size_t big = 1024 * 1024, i;
	char *data = malloc(big + 64);
	pf_config *cfg = NULL;
	pf_host_config *hc = NULL;
	pf_diags d;
	uint64_t t0;

	pf_diag_init(&d);
	if (!CHECK(data != NULL))
		return;
	strcpy(data, "Host a\n#");
	for (i = strlen(data); i < big; i++)
		data[i] = 'x';
	memcpy(data + big, "\nPort 2222\n", 12);
	CHECK_INT(pf_file_write_atomic(path, data, strlen(data), NULL), PF_OK);
	t0 = check_cpu_ms();
	CHECK_INT(pf_config_load(path, NULL, &cfg, &d), PF_E_CONFIG);
	CHECK(check_cpu_ms() - t0 < 5000); /* CPU, not wall clock */
	CHECK_INT(d.errors, 1);
	CHECK(d.count >= 1 && d.items[d.count - 1].line == 2 &&
	      strstr(d.items[d.count - 1].message, "long") != NULL);
	/* The lines around it still count. */
	CHECK_INT(pf_config_resolve(cfg, "a", NULL, &hc, NULL), PF_OK);
	CHECK(hc != NULL && hc->port == 2222);
	pf_host_config_free(hc);
	pf_config_free(cfg);
	pf_diag_free(&d);
	remove(path);
	free(path);
	free(data);
}

/* Many lines with errors: bounded number of diagnostics, all in time. */
static void test_many_errors(void)
{
	size_t n = 200000, i;
	df_buf b = {0};
	pf_config *cfg = NULL;
	pf_diags d;
	uint64_t t0;

	pf_diag_init(&d);
	for (i = 0; i < n; i++)
		df_buf_add(&b, "Bogus line\n", 11);
	t0 = check_cpu_ms();
	CHECK_INT(pf_config_load_buffer("many.txt", b.p, b.len, NULL, &cfg, &d), PF_E_CONFIG);
	CHECK(check_cpu_ms() - t0 < 10000);            /* CPU, not wall clock */
	CHECK_INT(d.count, PF_DIAGS_MAX_PER_FILE + 1); /* incl. encoding + "too many" */
	CHECK_INT(d.errors, n);
	pf_config_free(cfg);
	pf_diag_free(&d);
	free(b.p);
}

/* Many Host blocks: the profile list is capped and comes back in time. */
static void test_many_profiles(void)
{
	df_buf b = {0};
	pf_config *cfg = NULL;
	pf_host_profile *pl = NULL;
	size_t np = 0, i;
	uint64_t t0;

	for (i = 0; i < 50000; i++) {
		char line[64];

		snprintf(line, sizeof(line), "Host h%u\n  HostName x%u\n", (unsigned)i,
			 (unsigned)i);
		df_buf_add(&b, line, strlen(line));
	}
	CHECK_INT(pf_config_load_buffer("hosts.txt", b.p, b.len, NULL, &cfg, NULL), PF_OK);
	t0 = check_cpu_ms();
	CHECK_INT(pf_config_profiles(cfg, &pl, &np), PF_OK);
	CHECK(check_cpu_ms() - t0 < 10000); /* CPU, not wall clock */
	CHECK_INT(np, PF_CONFIG_MAX_PROFILES);
	if (np > 1)
		CHECK_STR(pl[1].hostname, "x1");
	pf_host_profiles_free(pl, np);
	pf_config_free(cfg);
	free(b.p);
}

/* Random bytes never crash and always end, and a file that is refused
 * always says why (at least one error diagnostic). */
static void test_random_bytes(void)
{
	unsigned char data[4096];
	int round, silent = 0, loaded = 0;

	for (round = 0; round < 200; round++) {
		pf_config *cfg = NULL;
		pf_host_config *hc = NULL;
		pf_diags d;
		size_t len = (size_t)(round * 37 % 4096);

		pf_random_bytes(data, sizeof(data));
		if (round % 2 == 0) { /* mostly text */
			size_t i;

			for (i = 0; i < len; i++)
				data[i] = (unsigned char)(" \t\n=#\"ahLP*!:[]/0123456789"[data[i] %
											  27]);
		}
		pf_diag_init(&d);
		if (pf_config_load_buffer("random.txt", data, len, NULL, &cfg, &d) != PF_OK) {
			if (d.errors == 0)
				silent++;
		} else {
			loaded++;
		}
		if (cfg != NULL && pf_config_resolve(cfg, "a", NULL, &hc, NULL) == PF_OK) {
			char *s = pf_host_config_dump(hc);

			CHECK(s != NULL);
			free(s);
		}
		pf_host_config_free(hc);
		pf_config_free(cfg);
		pf_diag_free(&d);
	}
	CHECK_INT(silent, 0);
	/* Round 0 is empty and loads: the loop did run the loader. */
	CHECK(loaded > 0);
}

static void test_shift_jis_conversion(void)
{
	/* "設定" in CP932 is 90 DD 92 E8. */
	char *out = NULL;
	size_t n = 0;

	CHECK_INT(pf_textconv_to_utf8(PF_CODEPAGE_SHIFT_JIS, "\x90\xdd\x92\xe8", 4, &out, &n, NULL),
		  PF_OK);
	CHECK_STR(out, "\xe8\xa8\xad\xe5\xae\x9a");
	free(out);
	CHECK(pf_textconv_to_utf8(PF_CODEPAGE_SHIFT_JIS, "\x81", 1, &out, &n, NULL) != PF_OK);
	CHECK(out == NULL);
}

static void test_not_found(void)
{
	pf_config *cfg = NULL;
	pf_diags d;

	pf_diag_init(&d);
	CHECK_INT(pf_config_load("data/config/no-such-file.txt", NULL, &cfg, &d), PF_E_NOTFOUND);
	CHECK(cfg == NULL);
	CHECK(d.count == 1 && d.items[0].level == PF_DIAG_ERROR &&
	      strstr(d.items[0].message, "does not exist") != NULL);
	pf_diag_free(&d);
}

static void test_diag_format(void)
{
	pf_diags d;
	char *s;

	pf_diag_init(&d);
	pf_diag_add(&d, PF_DIAG_ERROR, "config.txt", 3, 5, "  Port x", "Bad %s.", "port");
	s = pf_diag_format(&d.items[0]);
	CHECK_STR(s, "config.txt:3:5: error: Bad port.\n    3 |   Port x");
	free(s);
	pf_diag_free(&d);
}

int main(void)
{
	int cases;

	cases = run_data_cases();
	printf("test_config: %d data cases\n", cases);
	CHECK(cases >= 60);
	test_huge_file();
	test_long_lines();
	test_many_errors();
	test_random_bytes();
	test_many_profiles();
	test_shift_jis_conversion();
	test_diag_format();
	test_not_found();
	return check_summary("test_config");
}
