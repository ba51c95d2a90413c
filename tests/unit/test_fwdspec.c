/* Forward specifications, table-driven from tests/data/config/fwdspec.txt
 * (and fwdspec-unix.txt, whose cases are expected to fail on Windows with
 * "not supported on Windows"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/fwdspec.h"
#include "pf/mem.h"
#include "pf/platform.h"

static void run_line(const char *file, int lineno, char *line, int unix_sockets)
{
	char *f[4];
	int n = 0;
	char *p = line;
	pf_fwdspec spec;
	pf_error err;
	pf_fwd_kind kind;
	int cli;
	pf_rc rc;
	char where[300];

	while (n < 4) {
		f[n++] = p;
		p = strchr(p, '|');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	snprintf(where, sizeof(where), "%s:%d", file, lineno);
	if (!check_report(n == 4, where, 0, "four fields"))
		return;
	cli = f[0][0] == 'c';
	switch (f[0][cli]) {
	case 'L': kind = PF_FWD_LOCAL; break;
	case 'R': kind = PF_FWD_REMOTE; break;
	default: kind = PF_FWD_DYNAMIC; break;
	}
	pf_error_clear(&err);
	if (cli)
		rc = pf_fwdspec_parse_cli(kind, f[2], &spec, &err);
	else
		rc = pf_fwdspec_parse(kind, f[1], strcmp(f[2], "-") == 0 ? NULL : f[2], &spec,
				      &err);
#ifdef _WIN32
	if (unix_sockets) {
		if (!check_report(rc == PF_E_UNSUPPORTED &&
					  strstr(err.message, "not supported on Windows") != NULL,
				  where, 0, "unix socket unsupported"))
			fprintf(stderr, "%s: got rc %d: %s\n", where, rc, err.message);
		return;
	}
#else
	(void)unix_sockets;
#endif
	if (f[3][0] == '!') {
		if (!check_report(rc != PF_OK && strstr(err.message, f[3] + 1) != NULL, where, 0,
				  "error expected"))
			fprintf(stderr, "%s: want error \"%s\", got rc %d \"%s\"\n", where,
				f[3] + 1, rc, err.message);
		CHECK(spec.listen_host == NULL && spec.connect_host == NULL);
	} else {
		char *s = rc == PF_OK ? pf_fwdspec_format(&spec) : NULL;
		pf_fwdspec copy;

		if (!check_report(s != NULL && strcmp(s, f[3]) == 0, where, 0, "format"))
			fprintf(stderr, "%s: want \"%s\", got \"%s\" (%s)\n", where, f[3],
				s ? s : "(error)", err.message);
		if (rc == PF_OK) {
			CHECK_INT(pf_fwdspec_copy(&copy, &spec), PF_OK);
			CHECK(pf_fwdspec_equal(&copy, &spec));
			pf_fwdspec_clear(&copy);
		}
		free(s);
	}
	pf_fwdspec_clear(&spec);
}

static int run_file(const char *path, int unix_sockets)
{
	char *data = NULL, *line, *save = NULL;
	size_t len = 0;
	int lineno = 0, cases = 0;

	if (!CHECK_INT(pf_file_read(path, 1 << 20, &data, &len, NULL), PF_OK))
		return 0;
	/* strtok_r skips empty lines, so count them by hand. */
	for (line = data; line && *line; line = save) {
		char *nl = strchr(line, '\n');

		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		run_line(path, lineno, line, unix_sockets);
		cases++;
	}
	free(data);
	return cases;
}

static void test_api(void)
{
	pf_fwdspec a, b;

	CHECK_INT(pf_fwdspec_parse(PF_FWD_LOCAL, "8080", "h:80", &a, NULL), PF_OK);
	CHECK_INT(a.kind, PF_FWD_LOCAL);
	CHECK(a.listen_host == NULL);
	CHECK_INT(a.listen_port, 8080);
	CHECK_STR(a.connect_host, "h");
	CHECK_INT(a.connect_port, 80);
	CHECK_INT(pf_fwdspec_set_source(&a, "config.txt", 7), PF_OK);
	CHECK_STR(a.source, "config.txt");
	CHECK_INT(a.line, 7);
	CHECK_INT(pf_fwdspec_parse_cli(PF_FWD_LOCAL, "8080:h:80", &b, NULL), PF_OK);
	CHECK(pf_fwdspec_equal(&a, &b)); /* source ignored */
	pf_fwdspec_clear(&b);
	CHECK_INT(pf_fwdspec_parse(PF_FWD_REMOTE, "9000", NULL, &b, NULL), PF_OK);
	CHECK_INT(b.kind, PF_FWD_REMOTE_DYNAMIC);
	CHECK(!pf_fwdspec_equal(&a, &b));
	CHECK_STR(pf_fwdspec_keyword(b.kind), "remoteforward");
	CHECK_STR(pf_fwdspec_keyword(PF_FWD_DYNAMIC), "dynamicforward");
	pf_fwdspec_clear(&a);
	pf_fwdspec_clear(&b);
	pf_fwdspec_clear(NULL);
	CHECK(pf_fwdspec_parse(PF_FWD_REMOTE_DYNAMIC, "1", NULL, &a, NULL) == PF_E_INVAL);
}

int main(void)
{
	int n = run_file("data/config/fwdspec.txt", 0);

	n += run_file("data/config/fwdspec-unix.txt", 1);
	printf("test_fwdspec: %d table cases\n", n);
	CHECK(n >= 50);
	test_api();
	return check_summary("test_fwdspec");
}
