/* Command-line names and printable server text (see pf/names.h). */
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/names.h"

/* A short visible name for a character in a message: "a newline",
 * "'$'". buf holds at least 16 bytes. */
static const char *describe(unsigned char c, char *buf, size_t size)
{
	if (c == '\n')
		return "a newline";
	if (c == '\r')
		return "a carriage return";
	if (c == '\t')
		return "a tab";
	if (c == ' ')
		return "a space";
	if (c < 0x20 || c == 0x7f) {
		static const char hex[] = "0123456789abcdef";

		if (size >= 24) {
			memcpy(buf, "control character 0x", 20);
			buf[20] = hex[c >> 4];
			buf[21] = hex[c & 15];
			buf[22] = '\0';
		}
		return buf;
	}
	if (size >= 4) {
		buf[0] = '\'';
		buf[1] = (char)c;
		buf[2] = '\'';
		buf[3] = '\0';
	}
	return buf;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

pf_rc pf_names_check_cli_host(const char *host, pf_error *err)
{
	const unsigned char *p = (const unsigned char *)host;
	char what[32];

	if (host == NULL || host[0] == '\0')
		return pf_error_set(err, PF_E_INVAL, "The host name is empty. Give a host name.");
	if (host[0] == '-')
		return pf_error_set(err, PF_E_INVAL,
				    "The host name \"%s\" starts with '-'. Give a host name.",
				    host);
	for (; *p != '\0'; p++) {
		if (is_space(*p) || is_control(*p) || strchr("'`\"$\\;&<>|(){},", *p) != NULL)
			/* The name itself is not quoted back: it may hold a
			 * newline or an escape sequence. */
			return pf_error_set(err, PF_E_INVAL,
					    "The host name contains %s (character %u), which a "
					    "host name given on the command line must not "
					    "contain. Give a plain host name or a Host alias.",
					    describe(*p, what, sizeof(what)),
					    (unsigned)(p - (const unsigned char *)host) + 1);
	}
	return PF_OK;
}

pf_rc pf_names_check_cli_user(const char *user, pf_error *err)
{
	const unsigned char *p = (const unsigned char *)user;
	char what[32];

	if (user == NULL || user[0] == '\0')
		return pf_error_set(err, PF_E_INVAL, "The user name is empty. Give a user name.");
	if (user[0] == '-')
		return pf_error_set(err, PF_E_INVAL,
				    "The user name \"%s\" starts with '-'. Give a user name.",
				    user);
	for (; *p != '\0'; p++) {
		unsigned pos = (unsigned)(p - (const unsigned char *)user) + 1;

		if (is_control(*p) || strchr("'`\";&<>|(){}", *p) != NULL)
			return pf_error_set(err, PF_E_INVAL,
					    "The user name contains %s (character %u), which a "
					    "user name given on the command line must not "
					    "contain. Give a plain user name.",
					    describe(*p, what, sizeof(what)), pos);
		if (is_space(*p) && p[1] == '-')
			return pf_error_set(err, PF_E_INVAL,
					    "The user name has a '-' after a space (character "
					    "%u). Give a plain user name.",
					    pos + 1);
		if (*p == '\\' && p[1] == '\0')
			return pf_error_set(
				err, PF_E_INVAL,
				"The user name ends with '\\'. Give a plain user name.");
	}
	return PF_OK;
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is not one
 * (overlong forms, surrogates and values above U+10FFFF are not). */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n, i;
	unsigned long v;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, v = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return n;
}

char *pf_names_printable(const char *text, int keep_newlines)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	size_t len = strlen((const char *)p), o = 0;
	char *out = pf_calloc(len + 1, 1);

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		size_t n = utf8_len(p);

		if (n == 0) {
			out[o++] = '?';
			p++;
		} else if (n == 1) {
			if (*p == '\n' && keep_newlines)
				out[o++] = '\n';
			else if (*p == '\t')
				out[o++] = ' ';
			else if (!is_control(*p))
				out[o++] = (char)*p;
			p++;
		} else {
			/* U+0080..U+009F (C1 controls: CSI, OSC, ...) are dropped. */
			if (!(n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
				memcpy(out + o, p, n);
				o += n;
			}
			p += n;
		}
	}
	out[o] = '\0';
	return out;
}
