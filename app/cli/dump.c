/* pf -G: load, resolve, print the effective configuration (ssh -G form). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pf/mem.h"
#include "pf/platform.h"

void cli_print_diags(const pf_diags *d, int verbose, FILE *err)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		char *s;

		if (d->items[i].level == PF_DIAG_VERBOSE && verbose <= 0)
			continue;
		s = pf_diag_format(&d->items[i]);
		if (s == NULL) {
			fputs("pf: out of memory\n", err);
			return;
		}
		fprintf(err, "%s\n", s);
		free(s);
	}
}

/* The config file to read: -F, else ~/.ssh/config when it exists. Caller
 * frees; NULL with *none set when there is none. */
static char *config_to_read(const cli_opts *opts, int *none)
{
	char *home, *p;

	*none = 0;
	if (opts->config_file != NULL) {
		if (strcmp(opts->config_file, "none") == 0) {
			*none = 1;
			return NULL;
		}
		return pf_strdup(opts->config_file);
	}
	home = pf_home_dir();
	if (home == NULL)
		return NULL;
	p = pf_asprintf("%s%c.ssh%cconfig", home, PF_PATH_SEP, PF_PATH_SEP);
	free(home);
	if (p != NULL && !pf_file_exists(p)) {
		free(p);
		*none = 1;
		return NULL;
	}
	return p;
}

int cli_resolve(const cli_opts *opts, FILE *err, pf_host_config **hc)
{
	pf_config *cfg = NULL;
	pf_diags diags;
	pf_resolve_opts ro;
	char *path;
	int none = 0, status = 1;
	pf_rc rc;

	*hc = NULL;
	pf_diag_init(&diags);
	path = config_to_read(opts, &none);
	if (path == NULL && !none) {
		fputs("pf: out of memory\n", err);
		return 1;
	}
	if (path != NULL) {
		rc = pf_config_load(path, NULL, &cfg, &diags);
		if (rc != PF_OK) {
			cli_print_diags(&diags, opts->verbose, err);
			if (rc == PF_E_CONFIG)
				fprintf(err, "pf: %s has %u error(s); fix them and try again.\n",
					path, (unsigned)diags.errors);
			goto out;
		}
	}
	memset(&ro, 0, sizeof(ro));
	ro.user = opts->user;
	ro.overrides = (const char *const *)opts->overrides;
	ro.n_overrides = opts->n_overrides;
	ro.forwards = opts->forwards;
	ro.n_forwards = opts->n_forwards;
	rc = pf_config_resolve(cfg, opts->host, &ro, hc, &diags);
	cli_print_diags(&diags, opts->verbose, err);
	if (rc != PF_OK) {
		fprintf(err, "pf: cannot work out the settings for %s (%s).\n", opts->host,
			pf_rc_name(rc));
		goto out;
	}
	status = 0;
out:
	pf_config_free(cfg);
	pf_diag_free(&diags);
	free(path);
	return status;
}

int cli_dump(const cli_opts *opts)
{
	pf_host_config *hc = NULL;
	char *text;
	int status;

	status = cli_resolve(opts, stderr, &hc);
	if (status != 0)
		return status;
	text = pf_host_config_dump(hc);
	pf_host_config_free(hc);
	if (text == NULL) {
		fputs("pf: out of memory\n", stderr);
		return 1;
	}
	fputs(text, stdout);
	free(text);
	return fflush(stdout) == 0 ? 0 : 1;
}
