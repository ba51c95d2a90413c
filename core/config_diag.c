/* Config diagnostics: the pf_diags list (limits per file and in total),
 * quoting the offending line, "file:line:col: level: message". */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "pf/mem.h"

#define DIAG_TEXT_MAX 200 /* characters of the offending line we quote */

void pf_diag_init(pf_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void pf_diag_free(pf_diags *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->count; i++) {
		free(d->items[i].path);
		free(d->items[i].text);
		free(d->items[i].message);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

const char *pf_diag_level_name(pf_diag_level level)
{
	switch (level) {
	case PF_DIAG_VERBOSE: return "verbose";
	case PF_DIAG_NOTE: return "note";
	case PF_DIAG_WARNING: return "warning";
	case PF_DIAG_ERROR: return "error";
	}
	return "?";
}

/* Copy at most DIAG_TEXT_MAX characters of a line, never splitting a UTF-8
 * sequence; control characters other than tab become '?'. */
static char *quote_line(const char *text)
{
	size_t n = 0, chars = 0, len = strlen(text);
	char *r;

	while (n < len && chars < DIAG_TEXT_MAX) {
		n++;
		while (n < len && ((unsigned char)text[n] & 0xC0) == 0x80)
			n++;
		chars++;
	}
	r = pf_strndup(text, n);
	if (r != NULL) {
		char *p;

		for (p = r; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\t')
				*p = '?';
	}
	return r;
}

static size_t diags_in_file(const pf_diags *d, const char *path)
{
	size_t i, n = 0;

	for (i = 0; i < d->count; i++)
		if (strcmp(d->items[i].path, path) == 0)
			n++;
	return n;
}

int cfg_diags_room(const pf_diags *d, const char *path)
{
	return d != NULL && d->count < PF_DIAGS_MAX_TOTAL &&
	       diags_in_file(d, path ? path : "") < PF_DIAGS_MAX_PER_FILE;
}

pf_rc pf_diag_add(pf_diags *d, pf_diag_level level, const char *path, int line, int col,
		  const char *text, const char *fmt, ...)
{
	pf_diag *it;
	va_list ap;
	size_t infile;

	if (d == NULL)
		return PF_OK;
	if (level == PF_DIAG_ERROR)
		d->errors++;
	else if (level == PF_DIAG_WARNING)
		d->warnings++;
	if (path == NULL)
		path = "";
	if (d->count >= PF_DIAGS_MAX_TOTAL)
		return PF_OK;
	infile = diags_in_file(d, path);
	if (infile > PF_DIAGS_MAX_PER_FILE)
		return PF_OK;
	if (PF_ARRAY_GROW(d->items, d->cap, d->count + 1, 16) != 0)
		return PF_E_NOMEM;
	it = &d->items[d->count];
	memset(it, 0, sizeof(*it));
	it->path = pf_strdup(path);
	if (infile == PF_DIAGS_MAX_PER_FILE) {
		it->level = PF_DIAG_NOTE;
		it->message = pf_strdup("Too many problems in this file; the rest are not shown. "
					"Fix the ones above first.");
		text = NULL;
	} else {
		it->level = level;
		it->line = line;
		it->col = col;
		it->text = text ? quote_line(text) : NULL;
		va_start(ap, fmt);
		it->message = pf_vasprintf(fmt, ap);
		va_end(ap);
	}
	if (it->path == NULL || it->message == NULL || (text != NULL && it->text == NULL)) {
		free(it->path);
		free(it->text);
		free(it->message);
		return PF_E_NOMEM;
	}
	d->count++;
	return PF_OK;
}

char *pf_diag_format(const pf_diag *d)
{
	char where[64] = "";

	if (d->line > 0 && d->col > 0) {
		char *w = pf_asprintf(":%d:%d", d->line, d->col);

		if (w == NULL)
			return NULL;
		pf_strlcpy(where, w, sizeof(where));
		free(w);
	} else if (d->line > 0) {
		char *w = pf_asprintf(":%d", d->line);

		if (w == NULL)
			return NULL;
		pf_strlcpy(where, w, sizeof(where));
		free(w);
	}
	if (d->text != NULL)
		return pf_asprintf("%s%s: %s: %s\n    %d | %s", d->path, where,
				   pf_diag_level_name(d->level), d->message, d->line, d->text);
	return pf_asprintf("%s%s: %s: %s", d->path, where, pf_diag_level_name(d->level),
			   d->message);
}

int cfg_utf8_col(const char *line, const char *at)
{
	int col = 1;
	const char *p;

	for (p = line; p < at && *p; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			col++;
	return col;
}
