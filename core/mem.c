/* Allocation and string helpers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"

void *pf_calloc(size_t n, size_t size)
{
	if (n == 0 || size == 0)
		n = size = 1;
	return calloc(n, size);
}

void *pf_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	if (n == 0 || size == 0)
		n = size = 1;
	return realloc(p, n * size);
}

int pf_array_grow(void *arrp, size_t *cap, size_t need, size_t size, size_t first)
{
	size_t ncap = *cap ? *cap : first;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	/* arrp is the address of a T *: read and write it as bytes, not as a
	 * void *, which it is not. */
	memcpy(&p, arrp, sizeof(p));
	p = pf_reallocarray(p, ncap, size);
	if (p == NULL)
		return -1;
	memcpy(arrp, &p, sizeof(p));
	*cap = ncap;
	return 0;
}

char *pf_strndup(const char *s, size_t n)
{
	size_t len = 0;
	char *d;

	while (len < n && s[len] != '\0')
		len++;
	d = malloc(len + 1);
	if (d == NULL)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *pf_strdup(const char *s)
{
	return pf_strndup(s, SIZE_MAX);
}

char *pf_vasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *s;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *pf_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = pf_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

int pf_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size == 0)
		return -1;
	if (len >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

int pf_strlcat(char *dst, const char *src, size_t size)
{
	size_t used = strnlen(dst, size);

	if (used == size)
		return -1;
	return pf_strlcpy(dst + used, src, size - used);
}

void pf_secret_free(char *s)
{
	if (s == NULL)
		return;
	pf_secure_zero(s, strlen(s));
	free(s);
}

void pf_strv_free(char **v, size_t count)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < count; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pf_strv_sort(char **v, size_t count)
{
	if (count > 1)
		qsort(v, count, sizeof(*v), cmp_str);
}
