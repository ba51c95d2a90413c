/* Decoding a config file's bytes into UTF-8 text: UTF-8 (BOM or not),
 * UTF-16 LE/BE with a BOM, Shift_JIS; anything else repaired with a
 * warning. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "pf/mem.h"
#include "pf/textconv.h"

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
	uint32_t c;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, c = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, c = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	return n;
}

static int utf8_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t n = utf8_seq((const unsigned char *)s + i, len - i);

		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

static size_t put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xC0 | (c >> 6));
		o[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xE0 | (c >> 12));
		o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		o[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (c >> 18));
	o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	o[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* UTF-8 with invalid bytes replaced by U+FFFD. */
static char *utf8_repair(const char *s, size_t len, size_t *out_len)
{
	char *r = malloc(len * 3 + 1), *o = r;
	size_t i = 0;

	if (r == NULL)
		return NULL;
	while (i < len) {
		size_t n = utf8_seq((const unsigned char *)s + i, len - i);

		if (n == 0) {
			o += put_utf8(o, 0xFFFD);
			i++;
		} else {
			memcpy(o, s + i, n);
			o += n;
			i += n;
		}
	}
	*o = '\0';
	*out_len = (size_t)(o - r);
	return r;
}

/* UTF-16 (after the BOM) to UTF-8; *bad counts unpaired surrogates. */
static char *utf16_decode(const unsigned char *p, size_t units, int be, size_t *out_len, int *bad)
{
	char *r = malloc(units * 3 + 1), *o = r;
	size_t i;

	*bad = 0;
	if (r == NULL)
		return NULL;
	for (i = 0; i < units; i++) {
		uint32_t c = be ? (uint32_t)(p[2 * i] << 8 | p[2 * i + 1])
				: (uint32_t)(p[2 * i + 1] << 8 | p[2 * i]);

		if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
			uint32_t d = be ? (uint32_t)(p[2 * i + 2] << 8 | p[2 * i + 3])
					: (uint32_t)(p[2 * i + 3] << 8 | p[2 * i + 2]);

			if (d >= 0xDC00 && d <= 0xDFFF) {
				c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
				i++;
			} else {
				c = 0xFFFD;
				(*bad)++;
			}
		} else if (c >= 0xD800 && c <= 0xDFFF) {
			c = 0xFFFD;
			(*bad)++;
		}
		o += put_utf8(o, c);
	}
	*o = '\0';
	*out_len = (size_t)(o - r);
	return r;
}

pf_rc cfg_decode(const char *path, const char *data, size_t len, char **text, size_t *text_len,
		 const char **encoding, pf_diags *diags)
{
	const unsigned char *u = (const unsigned char *)data;
	char *r = NULL;
	pf_rc rc;

	*text = NULL;
	*text_len = 0;
	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
		int be = u[0] == 0xFE, bad = 0;
		size_t body = len - 2;

		*encoding = be ? "UTF-16BE (BOM)" : "UTF-16LE (BOM)";
		if (body % 2 != 0)
			pf_diag_add(diags, PF_DIAG_ERROR, path, 0, 0, NULL,
				    "The file ends in the middle of a UTF-16 character (it may "
				    "be truncated); the last byte is ignored. Save it again "
				    "with your editor.");
		r = utf16_decode(u + 2, body / 2, be, text_len, &bad);
		if (r == NULL)
			return PF_E_NOMEM;
		if (bad > 0)
			pf_diag_add(diags, PF_DIAG_WARNING, path, 0, 0, NULL,
				    "%d broken UTF-16 character(s) were replaced by U+FFFD. "
				    "Save the file again with your editor.",
				    bad);
		*text = r;
		return PF_OK;
	}
	if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		data += 3;
		len -= 3;
		*encoding = "UTF-8 (BOM)";
	} else {
		*encoding = "UTF-8";
	}
	if (utf8_valid(data, len)) {
		r = malloc(len + 1); /* not strndup: NUL bytes are reported later */
		if (r == NULL)
			return PF_E_NOMEM;
		memcpy(r, data, len);
		r[len] = '\0';
		*text = r;
		*text_len = len;
		return PF_OK;
	}
	if (strcmp(*encoding, "UTF-8") == 0) {
		rc = pf_textconv_to_utf8(PF_CODEPAGE_SHIFT_JIS, data, len, text, text_len, NULL);
		if (rc == PF_OK) {
			*encoding = "Shift_JIS (CP932)";
			return PF_OK;
		}
		if (rc == PF_E_NOMEM)
			return rc;
	}
	*encoding = "unknown 8-bit (invalid bytes replaced)";
	r = utf8_repair(data, len, text_len);
	if (r == NULL)
		return PF_E_NOMEM;
	pf_diag_add(diags, PF_DIAG_WARNING, path, 0, 0, NULL,
		    "The file is neither valid UTF-8 nor Shift_JIS; unreadable characters were "
		    "replaced. Save it as UTF-8 with your editor.");
	*text = r;
	return PF_OK;
}
