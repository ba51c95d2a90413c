/* PortForwarder 2.9's PortForwarder.ini (pf/ini29.h), table-driven: every
 * tests/data/ini29/NAME.test holds one file and what is read from it.
 *
 *   # what the case is about
 *   === ini [crlf] [noeol] [bom] [utf16le] [utf16be] [escapes]
 *   ...the file's content (escapes: \xNN and \\)...
 *   === expect              every line below, in this order:
 *   detect 1|0              pf_ini29_detect
 *   rc ok|inval|toobig      pf_ini29_parse; when ok:
 *   encoding NAME
 *   folder VALUE            (no line when the file has none)
 *   file VALUE              (no line when the file has none)
 *   recent VALUE            one per recent host, in order
 *   autohide 1|0|-
 *   junk N first L
 *
 * Plus the size limit and an empty file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "datafile.h"
#include "pf/ini29.h"
#include "pf/mem.h"
#include "pf/platform.h"

static const char *rc_word(pf_rc rc)
{
	switch (rc) {
	case PF_OK: return "ok";
	case PF_E_INVAL: return "inval";
	case PF_E_TOOBIG: return "toobig";
	default: return pf_rc_name(rc);
	}
}

/* What the reader made of `data`, in the expect section's words. */
static void describe(const char *data, size_t len, df_buf *out)
{
	pf_ini29 *ini = NULL;
	pf_rc rc = pf_ini29_parse(data, len, &ini, NULL);
	char *line;
	size_t i;

	line = pf_asprintf("detect %d\nrc %s\n", pf_ini29_detect(data, len), rc_word(rc));
	df_buf_add(out, line, strlen(line));
	free(line);
	if (rc != PF_OK)
		return;
	line = pf_asprintf("encoding %s\n", ini->encoding);
	df_buf_add(out, line, strlen(line));
	free(line);
	if (ini->config_folder != NULL) {
		line = pf_asprintf("folder %s\n", ini->config_folder);
		df_buf_add(out, line, strlen(line));
		free(line);
	}
	if (ini->config_file != NULL) {
		line = pf_asprintf("file %s\n", ini->config_file);
		df_buf_add(out, line, strlen(line));
		free(line);
	}
	for (i = 0; i < ini->nrecent; i++) {
		line = pf_asprintf("recent %s\n", ini->recent[i]);
		df_buf_add(out, line, strlen(line));
		free(line);
	}
	if (ini->auto_hide < 0)
		line = pf_asprintf("autohide -\n");
	else
		line = pf_asprintf("autohide %d\n", ini->auto_hide);
	df_buf_add(out, line, strlen(line));
	free(line);
	line = pf_asprintf("junk %zu first %zu\n", ini->njunk, ini->first_junk);
	df_buf_add(out, line, strlen(line));
	free(line);
	pf_ini29_free(ini);
}

static void run_case(const char *name, const char *data, size_t len)
{
	df_section secs[8];
	size_t nsec = df_split_sections(data, len, secs, 8), i;
	df_buf file = {0}, got = {0};
	int have_file = 0;

	for (i = 0; i < nsec; i++) {
		if (strncmp(secs[i].head, "ini", 3) == 0) {
			file = df_transform(secs[i].body, secs[i].body_len, secs[i].head + 3);
			have_file = 1;
		} else if (strcmp(secs[i].head, "expect") == 0 && have_file) {
			describe(file.p, file.len, &got);
			if (!CHECK_STR(got.p, secs[i].body))
				fprintf(stderr, "  in %s\n", name);
		} else {
			fprintf(stderr, "%s: unexpected section '%s'\n", name, secs[i].head);
			check_report(0, name, 0, "section");
		}
	}
	for (i = 0; i < nsec; i++) {
		free(secs[i].head);
		free(secs[i].body);
	}
	free(file.p);
	free(got.p);
}

static int run_data_cases(void)
{
	char **names = NULL;
	size_t count = 0, i;
	int cases = 0;

	if (!CHECK_INT(pf_dir_list("data/ini29", &names, &count, NULL), PF_OK))
		return 0;
	for (i = 0; i < count; i++) {
		char *path, *data = NULL;
		size_t len = 0, nl = strlen(names[i]);

		if (nl < 6 || strcmp(names[i] + nl - 5, ".test") != 0)
			continue;
		path = pf_path_join("data/ini29", names[i]);
		if (CHECK_INT(pf_file_read(path, 1 << 20, &data, &len, NULL), PF_OK)) {
			run_case(names[i], data, len);
			cases++;
		}
		free(data);
		free(path);
	}
	pf_strv_free(names, count);
	return cases;
}

/* A file over the limit is not read (and is not 2.9's: it never wrote one). */
static void test_too_big(void)
{
	size_t n = PF_INI29_MAX_BYTES + 1;
	char *big = malloc(n);
	pf_ini29 *ini = (pf_ini29 *)1;

	if (!CHECK(big != NULL))
		return;
	memset(big, ' ', n);
	memcpy(big, "RecentHost IMR\r\n", 16);
	CHECK_INT(pf_ini29_detect(big, n), 0);
	CHECK_INT(pf_ini29_parse(big, n, &ini, NULL), PF_E_TOOBIG);
	CHECK(ini == NULL);
	CHECK_INT(pf_ini29_detect(big, PF_INI29_MAX_BYTES), 1);
	free(big);
}

static void test_empty(void)
{
	pf_ini29 *ini = NULL;

	CHECK_INT(pf_ini29_detect("", 0), 0);
	CHECK_INT(pf_ini29_detect(NULL, 0), 0);
	CHECK_INT(pf_ini29_parse("", 0, &ini, NULL), PF_E_INVAL);
	CHECK(ini == NULL);
	pf_ini29_free(NULL);
}

int main(void)
{
	int cases = run_data_cases();

	CHECK(cases >= 8);
	printf("%d data cases\n", cases);
	test_too_big();
	test_empty();
	return check_summary("test_ini29");
}
