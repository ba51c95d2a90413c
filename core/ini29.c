/* PortForwarder 2.9's PortForwarder.ini: see pf/ini29.h. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "pf/ini29.h"
#include "pf/mem.h"
#include "pf/textconv.h"

enum { I29_NONE, I29_FOLDER, I29_FILE, I29_RECENT, I29_HIDE };

static const struct {
	const char *name;
	int id;
} keys[] = {
	{"ConfigFolder", I29_FOLDER},
	{"ConfigFile", I29_FILE},
	{"RecentHost", I29_RECENT},
	{"AutomaticallyHide", I29_HIDE},
};

static int word_is(const char *s, size_t n, const char *word)
{
	size_t i;

	if (strlen(word) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != tolower((unsigned char)word[i]))
			return 0;
	return 1;
}

/* The bytes as UTF-8 text (caller frees *text). Whatever cfg_decode makes
 * of it (BOMs, UTF-16, UTF-8, Shift_JIS), except that 8-bit text which is
 * not Shift_JIS is read as Windows-1252 before anything is replaced. */
static pf_rc decode(const char *data, size_t len, char **text, size_t *tlen, const char **enc)
{
	pf_diags diags;
	pf_rc rc;

	pf_diag_init(&diags);
	rc = cfg_decode("PortForwarder.ini", data, len, text, tlen, enc, &diags);
	pf_diag_free(&diags);
	if (rc == PF_OK && strncmp(*enc, "unknown", 7) == 0) {
		char *w = NULL;
		size_t wlen = 0;

		if (pf_textconv_to_utf8(PF_CODEPAGE_WINDOWS_1252, data, len, &w, &wlen, NULL) ==
		    PF_OK) {
			free(*text);
			*text = w;
			*tlen = wlen;
			*enc = "Windows-1252";
		}
	}
	return rc;
}

/* Calls `fn` for each line (without CR/LF, blanks trimmed; NUL-terminated
 * in place). */
static void each_line(char *text, size_t tlen, void (*fn)(char *line, size_t lineno, void *ctx),
		      void *ctx)
{
	size_t pos = 0, lineno = 0;

	while (pos < tlen) {
		char *start = text + pos, *nl = memchr(start, '\n', tlen - pos), *e;
		size_t ll = nl ? (size_t)(nl - start) : tlen - pos;

		pos += ll + (nl ? 1 : 0);
		lineno++;
		start[ll] = '\0';
		while (*start == ' ' || *start == '\t')
			start++;
		e = start + strlen(start);
		while (e > start &&
		       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == 0x1A))
			*--e = '\0';
		fn(start, lineno, ctx);
	}
}

/* Splits "Key value": the key's id (I29_NONE when the line is not one of
 * ours) and the value (trimmed, one pair of quotes removed). */
static int split_line(char *line, char **value)
{
	size_t n = strcspn(line, " \t="), i;
	char *v;
	size_t vl;

	*value = NULL;
	if (line[n] != ' ' && line[n] != '\t')
		return I29_NONE; /* "Key=value" (the new format) or no value */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (word_is(line, n, keys[i].name))
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		return I29_NONE;
	v = line + n;
	while (*v == ' ' || *v == '\t')
		v++;
	vl = strlen(v);
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
		v[vl - 1] = '\0';
		v++;
	}
	*value = v;
	return keys[i].id;
}

struct scan {
	int sections, ours;
};

static void detect_line(char *line, size_t lineno, void *ctx)
{
	struct scan *s = ctx;
	char *v;

	(void)lineno;
	if (line[0] == '[')
		s->sections++;
	else if (split_line(line, &v) != I29_NONE)
		s->ours++;
}

static int detect_text(char *text, size_t tlen)
{
	struct scan s = {0, 0};

	each_line(text, tlen, detect_line, &s);
	return s.sections == 0 && s.ours > 0;
}

int pf_ini29_detect(const char *data, size_t len)
{
	char *text = NULL;
	size_t tlen = 0;
	const char *enc;
	int yes;

	if (data == NULL || len == 0 || len > PF_INI29_MAX_BYTES)
		return 0;
	if (decode(data, len, &text, &tlen, &enc) != PF_OK)
		return 0;
	yes = detect_text(text, tlen);
	free(text);
	return yes;
}

struct fill {
	pf_ini29 *ini;
	pf_rc rc;
};

static int parse_bool(const char *v)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (word_is(v, strlen(v), yes[i]))
			return 1;
		if (word_is(v, strlen(v), no[i]))
			return 0;
	}
	return -1;
}

static void set_once(char **field, const char *v, pf_rc *rc)
{
	if (*field != NULL || v[0] == '\0')
		return;
	*field = pf_strdup(v);
	if (*field == NULL)
		*rc = PF_E_NOMEM;
}

static void fill_line(char *line, size_t lineno, void *ctx)
{
	struct fill *f = ctx;
	pf_ini29 *ini = f->ini;
	char *v;
	size_t i;
	int b;

	if (line[0] == '\0' || line[0] == ';' || line[0] == '#')
		return;
	switch (split_line(line, &v)) {
	case I29_FOLDER: set_once(&ini->config_folder, v, &f->rc); return;
	case I29_FILE: set_once(&ini->config_file, v, &f->rc); return;
	case I29_HIDE:
		b = parse_bool(v);
		if (b < 0)
			break; /* a value we do not know: junk */
		if (ini->auto_hide < 0)
			ini->auto_hide = b;
		return;
	case I29_RECENT:
		if (v[0] == '\0')
			return;
		for (i = 0; i < ini->nrecent; i++)
			if (strcmp(ini->recent[i], v) == 0)
				return;
		if (ini->nrecent < PF_INI29_MAX_RECENT) {
			ini->recent[ini->nrecent] = pf_strdup(v);
			if (ini->recent[ini->nrecent] == NULL)
				f->rc = PF_E_NOMEM;
			else
				ini->nrecent++;
		}
		return;
	default: break;
	}
	if (ini->njunk++ == 0)
		ini->first_junk = lineno;
}

pf_rc pf_ini29_parse(const char *data, size_t len, pf_ini29 **out, pf_error *err)
{
	pf_ini29 *ini = NULL;
	char *text = NULL;
	size_t tlen = 0;
	struct fill f;
	pf_rc rc;

	*out = NULL;
	if (len > PF_INI29_MAX_BYTES)
		return pf_error_set(err, PF_E_TOOBIG,
				    "The file is larger than %d KB: not a PortForwarder 2.9 ini.",
				    PF_INI29_MAX_BYTES / 1024);
	ini = PF_NEW(pf_ini29);
	if (ini == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	ini->auto_hide = -1;
	rc = decode(data != NULL ? data : "", len, &text, &tlen, &ini->encoding);
	if (rc != PF_OK) {
		rc = pf_error_set(err, rc, "Out of memory");
		goto out;
	}
	/* each_line writes NULs into the text: detect on a copy. */
	{
		char *copy = malloc(tlen + 1);

		if (copy == NULL) {
			rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
			goto out;
		}
		memcpy(copy, text, tlen + 1);
		if (!detect_text(copy, tlen)) {
			free(copy);
			rc = pf_error_set(err, PF_E_INVAL,
					  "Not PortForwarder 2.9's format (no \"Key value\" "
					  "line of its keys, or a [section]).");
			goto out;
		}
		free(copy);
	}
	f.ini = ini;
	f.rc = PF_OK;
	each_line(text, tlen, fill_line, &f);
	if (f.rc != PF_OK) {
		rc = pf_error_set(err, f.rc, "Out of memory");
		goto out;
	}
	*out = ini;
	ini = NULL;
out:
	free(text);
	pf_ini29_free(ini);
	return rc;
}

void pf_ini29_free(pf_ini29 *ini)
{
	size_t i;

	if (ini == NULL)
		return;
	free(ini->config_folder);
	free(ini->config_file);
	for (i = 0; i < ini->nrecent; i++)
		free(ini->recent[i]);
	free(ini);
}
