/* Config loading: reading the main file and what it Includes (depth, file
 * count and size limits, each file once, wildcards sorted), line by line
 * through cfg_parse_line into the entries of a pf_config. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "match.h"
#include "pf/mem.h"
#include "pf/platform.h"

#define CFG_MAX_FILE  (4u * 1024 * 1024)
#define CFG_MAX_DEPTH 16
#define CFG_MAX_FILES 256
#define CFG_MAX_TOTAL (16u * 1024 * 1024) /* bytes read over all included files */
#define CFG_MAX_LINE  65536

typedef struct loader {
	pf_config *cfg;
	pf_diags *diags;
	size_t max_file;
	int max_depth;
	const char *stack[CFG_MAX_DEPTH + 2]; /* absolute paths being read */
	int depth;
	int files;
	size_t total; /* bytes read so far */
	char *ignore_unknown;
	unsigned char *seen;
	char **done; /* absolute paths already read (diagnostics given once) */
	size_t n_done;
} loader;

static const char *keep_string(pf_config *cfg, char *s)
{
	if (s == NULL)
		return NULL;
	if (PF_ARRAY_GROW(cfg->strings, cfg->cap_strings, cfg->n_strings + 1, 16) != 0) {
		free(s);
		return NULL;
	}
	cfg->strings[cfg->n_strings++] = s;
	return s;
}

static pf_rc add_entry(pf_config *cfg, cfg_entry *e)
{
	if (PF_ARRAY_GROW(cfg->entries, cfg->cap_entries, cfg->n_entries + 1, 32) != 0)
		return PF_E_NOMEM;
	cfg->entries[cfg->n_entries++] = *e;
	memset(e, 0, sizeof(*e));
	return PF_OK;
}

static pf_rc load_text(loader *L, const char *path, const char *data, size_t len, int parent,
		       int depth);

static int has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static char *expand_home(const char *arg)
{
	if (arg[0] == '~' && (arg[1] == '/' || arg[1] == '\\' || arg[1] == '\0')) {
		char *home = pf_home_dir(), *r;

		if (home == NULL)
			return NULL;
		r = arg[1] ? pf_path_join(home, arg + 2) : pf_strdup(home);
		free(home);
		return r;
	}
	return pf_strdup(arg);
}

static int was_done(loader *L, const char *abs)
{
	size_t i;

	for (i = 0; i < L->n_done; i++)
		if (strcmp(L->done[i], abs) == 0)
			return 1;
	return 0;
}

/* Read and parse one included file. `inc_*` locate the Include line. */
static pf_rc include_one(loader *L, const char *file, const char *inc_path, int inc_line,
			 int inc_col, const char *inc_text, int parent, int depth)
{
	char *abs = pf_path_absolute(file), *data = NULL;
	size_t len = 0;
	pf_error err;
	pf_rc rc = PF_OK;
	int i;

	if (abs == NULL)
		return PF_E_NOMEM;
	for (i = 0; i < L->depth; i++)
		if (strcmp(L->stack[i], abs) == 0) {
			pf_diag_add(L->diags, PF_DIAG_ERROR, inc_path, inc_line, inc_col, inc_text,
				    "Include loop: %s is already being read (it includes "
				    "itself, directly or through other files). Remove this "
				    "Include.",
				    file);
			goto out;
		}
	if (depth > L->max_depth) {
		pf_diag_add(L->diags, PF_DIAG_ERROR, inc_path, inc_line, inc_col, inc_text,
			    "Includes are nested more than %d levels deep; %s is not read.",
			    L->max_depth, file);
		goto out;
	}
	if (L->files >= CFG_MAX_FILES) {
		pf_diag_add(L->diags, PF_DIAG_ERROR, inc_path, inc_line, inc_col, inc_text,
			    "More than %d files are included; %s is not read.", CFG_MAX_FILES,
			    file);
		goto out;
	}
	pf_error_clear(&err);
	rc = pf_file_read(file, L->max_file, &data, &len, &err);
	if (rc != PF_OK) {
		if (rc == PF_E_NOMEM)
			goto out;
		if (rc == PF_E_TOOBIG)
			pf_diag_add(L->diags, PF_DIAG_ERROR, inc_path, inc_line, inc_col, inc_text,
				    "Included file %s is larger than %u bytes; it cannot be a "
				    "config file.",
				    file, (unsigned)L->max_file);
		else
			pf_diag_add(L->diags, PF_DIAG_ERROR, inc_path, inc_line, inc_col, inc_text,
				    "Cannot read included file %s: %s", file, err.message);
		rc = PF_OK;
		goto out;
	}
	if (L->total + len > CFG_MAX_TOTAL) {
		pf_diag_add(L->diags, PF_DIAG_ERROR, inc_path, inc_line, inc_col, inc_text,
			    "The included files add up to more than %u bytes; %s is not read.",
			    (unsigned)CFG_MAX_TOTAL, file);
		goto out;
	}
	L->total += len;
	L->files++;
	L->stack[L->depth++] = abs;
	if (was_done(L, abs)) {
		/* Read again (its lines count again, as in ssh) but report its
		 * problems only once. */
		pf_diags *keep = L->diags;
		pf_diags quiet;

		pf_diag_init(&quiet);
		L->diags = &quiet;
		rc = load_text(L, file, data, len, parent, depth);
		L->diags = keep;
		if (quiet.errors > 0)
			L->cfg->has_errors = 1;
		pf_diag_free(&quiet);
	} else {
		char **nd = pf_reallocarray(L->done, L->n_done + 1, sizeof(*nd));
		char *copy = pf_strdup(abs);

		if (nd == NULL || copy == NULL) {
			free(copy);
			if (nd != NULL)
				L->done = nd;
			L->depth--;
			rc = PF_E_NOMEM;
			goto out;
		}
		L->done = nd;
		L->done[L->n_done++] = copy;
		rc = load_text(L, file, data, len, parent, depth);
	}
	L->depth--;
out:
	free(data);
	free(abs);
	return rc;
}

static pf_rc do_include(loader *L, const char *path, const char *dir, int lineno, const char *line,
			cfg_entry *e, int parent, int depth)
{
	size_t a;
	pf_rc rc = PF_OK;

	for (a = 0; a < e->nargs && rc == PF_OK; a++) {
		char *exp = expand_home(e->args[a]), *full = NULL, *fdir = NULL;
		const char *base;

		if (exp == NULL)
			return PF_E_NOMEM;
		full = pf_path_join(dir, exp);
		free(exp);
		if (full == NULL)
			return PF_E_NOMEM;
		base = pf_path_basename(full);
		if (!has_wildcard(full)) {
			if (pf_file_exists(full))
				rc = include_one(L, full, path, lineno, 1, line, parent, depth + 1);
			else
				pf_diag_add(L->diags, PF_DIAG_NOTE, path, lineno, 1, line,
					    "Include: %s does not exist; nothing included.", full);
		} else if (has_wildcard(full) && !has_wildcard(base)) {
			pf_diag_add(L->diags, PF_DIAG_ERROR, path, lineno, 1, line,
				    "Include: wildcards are only supported in the file name, "
				    "not in folder names (%s).",
				    e->args[a]);
		} else if ((fdir = pf_path_dirname(full)) == NULL) {
			rc = PF_E_NOMEM;
		} else if (has_wildcard(fdir)) {
			pf_diag_add(L->diags, PF_DIAG_ERROR, path, lineno, 1, line,
				    "Include: wildcards are only supported in the file name, "
				    "not in folder names (%s).",
				    e->args[a]);
		} else {
			char **names = NULL;
			size_t count = 0, k;
			int matched = 0;

			if (pf_dir_list(fdir, &names, &count, NULL) == PF_OK) {
				for (k = 0; k < count && rc == PF_OK; k++) {
					char *f;

					if (names[k][0] == '.' && base[0] != '.')
						continue;
					if (!pfi_match_pattern(names[k], base, 0))
						continue;
					f = pf_path_join(fdir, names[k]);
					if (f == NULL) {
						rc = PF_E_NOMEM;
						break;
					}
					if (pf_file_exists(f)) {
						matched++;
						rc = include_one(L, f, path, lineno, 1, line,
								 parent, depth + 1);
					}
					free(f);
				}
				pf_strv_free(names, count);
			}
			if (rc == PF_OK && matched == 0)
				pf_diag_add(L->diags, PF_DIAG_NOTE, path, lineno, 1, line,
					    "Include: no file matches %s; nothing included.", full);
		}
		free(fdir);
		free(full);
	}
	return rc;
}

/* A line that is exactly "[EOF]" (any case, blanks around it). */
static int is_eof_marker(const char *line)
{
	char word[6];
	size_t n;

	while (*line == ' ' || *line == '\t')
		line++;
	n = strlen(line);
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	if (n != 5)
		return 0;
	memcpy(word, line, 5);
	word[5] = '\0';
	return cfg_ieq(word, "[EOF]");
}

/* Parse decoded-or-raw file bytes. */
static pf_rc load_text(loader *L, const char *path, const char *data, size_t len, int parent,
		       int depth)
{
	pf_config *cfg = L->cfg;
	char *text = NULL, *dir = NULL;
	const char *enc = "UTF-8", *spath, *sdir;
	size_t tlen = 0, pos = 0;
	int lineno = 0, cur = parent;
	pf_rc rc;

	rc = cfg_decode(path, data, len, &text, &tlen, &enc, L->diags);
	if (rc != PF_OK)
		return rc;
	if (cfg->encoding == NULL)
		cfg->encoding = enc;
	pf_diag_add(L->diags, PF_DIAG_VERBOSE, path, 0, 0, NULL, "Reading %s as %s.", path, enc);
	/* Old DOS editors ended a file with Ctrl-Z (0x1A): not text, and not
	 * worth a word (OpenSSH refuses it: tests/config/intended-differences). */
	if (tlen > 0 && text[tlen - 1] == 0x1A)
		text[--tlen] = '\0';
	spath = keep_string(cfg, pf_strdup(path));
	/* Relative Includes and IdentityFiles are relative to this folder;
	 * absolute, so the result does not depend on the current folder. */
	{
		char *abs = pf_path_absolute(path);

		dir = abs ? pf_path_dirname(abs) : NULL;
		free(abs);
	}
	sdir = keep_string(cfg, dir);
	if (spath == NULL || sdir == NULL) {
		rc = PF_E_NOMEM;
		goto out;
	}
	while (pos < tlen) {
		const char *start = text + pos, *nl = memchr(start, '\n', tlen - pos);
		size_t ll = nl ? (size_t)(nl - start) : tlen - pos;
		char *line;
		cfg_entry e;
		int r;

		pos += ll + (nl ? 1 : 0);
		lineno++;
		if (ll > 0 && start[ll - 1] == '\r')
			ll--;
		if (ll > CFG_MAX_LINE) {
			char *head = pf_strndup(start, 200);

			pf_diag_add(L->diags, PF_DIAG_ERROR, path, lineno, 1, head,
				    "This line is %u bytes long; lines longer than %d bytes are "
				    "not read. Is this really a config file?",
				    (unsigned)ll, CFG_MAX_LINE);
			free(head);
			cfg->has_errors = 1;
			if (nl == NULL)
				break;
			continue;
		}
		if (memchr(start, '\0', ll) != NULL) {
			char *head = pf_strndup(start, ll); /* stops at the NUL */

			pf_diag_add(L->diags, PF_DIAG_ERROR, path, lineno,
				    cfg_utf8_col(start, (const char *)memchr(start, '\0', ll)),
				    head,
				    "This line contains a NUL byte, which a text file never has. "
				    "If the file was saved as UTF-16 (\"Unicode\"), save it again "
				    "as UTF-8.");
			free(head);
			cfg->has_errors = 1;
			if (nl == NULL)
				break;
			continue;
		}
		line = pf_strndup(start, ll);
		if (line == NULL) {
			rc = PF_E_NOMEM;
			goto out;
		}
		if (is_eof_marker(line)) {
			/* Copied from a manual whose editor showed its end marker. */
			pf_diag_add(L->diags, PF_DIAG_NOTE, path, lineno, 1, line,
				    "[EOF] is an editor's end-of-file marker, not a keyword; "
				    "ignored.");
			free(line);
			if (nl == NULL)
				break;
			continue;
		}
		memset(&e, 0, sizeof(e));
		e.cond = e.parent_cond = -1;
		r = cfg_parse_line(line, path, lineno, L->ignore_unknown, L->seen, &e, L->diags, 0);
		if (r == -2) {
			free(line);
			rc = PF_E_NOMEM;
			goto out;
		}
		if (r == -1)
			cfg->has_errors = 1;
		if (r == 1) {
			e.file = spath;
			e.dir = sdir;
			e.line = lineno;
			if (e.kw->type == T_INCLUDE) {
				rc = do_include(L, path, sdir, lineno, line, &e, cur, depth);
				cfg_entry_clear(&e);
			} else {
				if (e.kw->type == T_HOST || e.kw->type == T_MATCH) {
					e.cond = cfg->n_conds++;
					e.parent_cond = parent;
					cur = e.cond;
				} else {
					e.cond = cur;
				}
				if (e.kw->type == T_IGNOREUNKNOWN && L->ignore_unknown == NULL) {
					L->ignore_unknown = pf_strdup(e.args[0]);
					if (L->ignore_unknown == NULL)
						rc = PF_E_NOMEM;
				}
				if (rc == PF_OK)
					rc = add_entry(cfg, &e);
				if (rc != PF_OK)
					cfg_entry_clear(&e);
			}
		}
		free(line);
		if (rc != PF_OK)
			goto out;
		if (nl == NULL)
			break;
	}
out:
	free(text);
	return rc;
}

void pf_config_free(pf_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_entries; i++)
		cfg_entry_clear(&cfg->entries[i]);
	free(cfg->entries);
	pf_strv_free(cfg->strings, cfg->n_strings);
	free(cfg->path);
	free(cfg);
}

const char *pf_config_encoding(const pf_config *cfg)
{
	return cfg && cfg->encoding ? cfg->encoding : "UTF-8";
}

const char *pf_config_file_path(const pf_config *cfg)
{
	return cfg ? cfg->path : NULL;
}

static pf_rc load_common(const char *name, const char *data, size_t len, const pf_config_opts *opts,
			 pf_config **out, pf_diags *diags)
{
	pf_config *cfg = PF_NEW(pf_config);
	loader L;
	pf_diags local;
	char *abs = NULL;
	size_t errors_before;
	pf_rc rc = PF_E_NOMEM;

	memset(&L, 0, sizeof(L));
	pf_diag_init(&local);
	if (cfg == NULL)
		goto out;
	L.cfg = cfg;
	L.diags = diags ? diags : &local;
	L.max_file = opts && opts->max_file_size ? opts->max_file_size : CFG_MAX_FILE;
	L.max_depth = opts && opts->max_include_depth > 0 ? opts->max_include_depth : CFG_MAX_DEPTH;
	if (L.max_depth > CFG_MAX_DEPTH)
		L.max_depth = CFG_MAX_DEPTH;
	L.seen = PF_NEW_ARRAY(unsigned char, cfg_keyword_count());
	cfg->path = pf_strdup(name);
	abs = pf_path_absolute(name);
	if (L.seen == NULL || cfg->path == NULL || abs == NULL)
		goto out;
	L.stack[L.depth++] = abs;
	L.done = PF_NEW_ARRAY(char *, 1);
	if (L.done == NULL || (L.done[0] = pf_strdup(abs)) == NULL)
		goto out;
	L.n_done = 1;
	L.files = 1;
	L.total = len;
	errors_before = L.diags->errors;
	rc = load_text(&L, name, data, len, -1, 0);
	if (L.diags->errors > errors_before)
		cfg->has_errors = 1;
	if (rc == PF_OK && cfg->has_errors)
		rc = PF_E_CONFIG;
out:
	if (rc == PF_E_NOMEM) {
		pf_diag_add(L.diags, PF_DIAG_ERROR, name, 0, 0, NULL,
			    "Out of memory while reading the configuration.");
		pf_config_free(cfg);
		cfg = NULL;
	}
	*out = cfg;
	free(L.seen);
	free(L.ignore_unknown);
	pf_strv_free(L.done, L.n_done);
	free(abs);
	pf_diag_free(&local);
	return rc;
}

pf_rc pf_config_load_buffer(const char *name, const void *data, size_t len,
			    const pf_config_opts *opts, pf_config **cfg, pf_diags *diags)
{
	return load_common(name, data, len, opts, cfg, diags);
}

pf_rc pf_config_load(const char *path, const pf_config_opts *opts, pf_config **cfg, pf_diags *diags)
{
	size_t max = opts && opts->max_file_size ? opts->max_file_size : CFG_MAX_FILE;
	char *data = NULL;
	size_t len = 0;
	pf_error err;
	pf_rc rc;

	*cfg = NULL;
	pf_error_clear(&err);
	rc = pf_file_read(path, max, &data, &len, &err);
	if (rc != PF_OK) {
		if (rc == PF_E_TOOBIG)
			pf_diag_add(diags, PF_DIAG_ERROR, path, 0, 0, NULL,
				    "The file is larger than %u bytes, so it cannot be a config "
				    "file. Check that you chose the right file.",
				    (unsigned)max);
		else if (rc == PF_E_NOTFOUND)
			pf_diag_add(diags, PF_DIAG_ERROR, path, 0, 0, NULL,
				    "The config file does not exist. Check the name and folder.");
		else
			pf_diag_add(diags, PF_DIAG_ERROR, path, 0, 0, NULL,
				    "Cannot read the config file: %s", err.message);
		return rc;
	}
	rc = load_common(path, data, len, opts, cfg, diags);
	free(data);
	return rc;
}
