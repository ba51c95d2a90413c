/* Data-driven test files: see datafile.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datafile.h"
#include "pf/mem.h"
#include "pf/platform.h"

void df_buf_add(df_buf *b, const void *d, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (b->p == NULL)
			abort();
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode one UTF-8 character; returns its length (1 on bad bytes). */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		*cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if ((s[0] & 0xF0) == 0xE0) {
		*cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) |
		      (s[2] & 0x3F);
		return 3;
	}
	*cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
	      ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
	return 4;
}

static void put16(df_buf *b, uint32_t u, int be)
{
	unsigned char c[2];

	c[0] = (unsigned char)(be ? u >> 8 : u & 0xFF);
	c[1] = (unsigned char)(be ? u & 0xFF : u >> 8);
	df_buf_add(b, c, 2);
}

df_buf df_transform(const char *text, size_t len, const char *opts)
{
	df_buf a = {0}, b = {0};
	size_t i;

	if (strstr(opts, "escapes")) {
		for (i = 0; i < len; i++) {
			if (text[i] == '\\' && i + 1 < len && text[i + 1] == '\\') {
				df_buf_add(&a, "\\", 1);
				i++;
			} else if (text[i] == '\\' && i + 3 < len && text[i + 1] == 'x' &&
				   hexval(text[i + 2]) >= 0 && hexval(text[i + 3]) >= 0) {
				char c = (char)(hexval(text[i + 2]) * 16 + hexval(text[i + 3]));

				df_buf_add(&a, &c, 1);
				i += 3;
			} else {
				df_buf_add(&a, text + i, 1);
			}
		}
	} else {
		df_buf_add(&a, text, len);
	}
	if (strstr(opts, "noeol") && a.len > 0 && a.p[a.len - 1] == '\n')
		a.p[--a.len] = '\0';
	if (strstr(opts, "crlf")) {
		for (i = 0; i < a.len; i++) {
			if (a.p[i] == '\n')
				df_buf_add(&b, "\r", 1);
			df_buf_add(&b, a.p + i, 1);
		}
		free(a.p);
		a = b;
		memset(&b, 0, sizeof(b));
	}
	if (strstr(opts, "bom")) {
		df_buf_add(&b, "\xEF\xBB\xBF", 3);
		df_buf_add(&b, a.p ? a.p : "", a.len);
		free(a.p);
		a = b;
		memset(&b, 0, sizeof(b));
	}
	if (strstr(opts, "utf16")) {
		int be = strstr(opts, "utf16be") != NULL;

		put16(&b, 0xFEFF, be);
		for (i = 0; i < a.len;) {
			uint32_t cp;

			i += utf8_next((const unsigned char *)a.p + i, &cp);
			if (cp >= 0x10000) {
				cp -= 0x10000;
				put16(&b, 0xD800 + (cp >> 10), be);
				put16(&b, 0xDC00 + (cp & 0x3FF), be);
			} else {
				put16(&b, cp, be);
			}
		}
		free(a.p);
		a = b;
		memset(&b, 0, sizeof(b));
	}
	if (strstr(opts, "truncate") && a.len > 0)
		a.len--;
	if (a.p == NULL)
		df_buf_add(&a, "", 0);
	return a;
}
size_t df_split_sections(const char *data, size_t len, df_section *secs, size_t max)
{
	const char *p = data, *end = data + len;
	size_t nsec = 0;

	while (p < end && nsec < max) {
		const char *nl;

		if (strncmp(p, "=== ", 4) == 0) {
			const char *h = p + 4, *body, *q;

			nl = memchr(h, '\n', (size_t)(end - h));
			body = nl ? nl + 1 : end;
			secs[nsec].head = pf_strndup(h, (size_t)((nl ? nl : end) - h));
			/* Body up to the next "\n=== ". */
			q = body;
			while (q < end && strncmp(q, "=== ", 4) != 0) {
				const char *n2 = memchr(q, '\n', (size_t)(end - q));

				q = n2 ? n2 + 1 : end;
			}
			secs[nsec].body = pf_strndup(body, (size_t)(q - body));
			secs[nsec].body_len = (size_t)(q - body);
			p = q;
			nsec++;
			continue;
		}
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	return nsec;
}

int df_for_each_test(const char *dir, void (*fn)(const char *name, const char *data, size_t len))
{
	char **names = NULL;
	size_t count = 0, i;
	int n = 0;

	if (pf_dir_list(dir, &names, &count, NULL) != PF_OK) {
		fprintf(stderr, "cannot list %s (run from tests/)\n", dir);
		return -1;
	}
	for (i = 0; i < count; i++) {
		char *path, *data = NULL;
		size_t len = 0, nl = strlen(names[i]);

		if (nl < 6 || strcmp(names[i] + nl - 5, ".test") != 0)
			continue;
		path = pf_path_join(dir, names[i]);
		if (path != NULL && pf_file_read(path, 1 << 20, &data, &len, NULL) == PF_OK) {
			fn(names[i], data, len);
			n++;
		} else {
			fprintf(stderr, "cannot read %s\n", path != NULL ? path : names[i]);
		}
		free(data);
		free(path);
	}
	pf_strv_free(names, count);
	return n;
}
