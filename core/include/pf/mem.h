/* Allocation helpers: type-checked, zero-initialised, and safe string
 * building. Every function returns NULL only on out-of-memory. */
#ifndef PF_MEM_H
#define PF_MEM_H

#include <stdarg.h>

#include "pf/attr.h"
#include <stddef.h>

/* PF_NEW(struct foo): one zeroed object; PF_NEW_ARRAY(T, n): n zeroed Ts
 * with overflow check. Caller frees with free(). */
#define PF_NEW(type)          ((type *)pf_calloc(1, sizeof(type)))
#define PF_NEW_ARRAY(type, n) ((type *)pf_calloc((n), sizeof(type)))

void *pf_calloc(size_t n, size_t size);
/* realloc with n*size overflow check; on failure `p` is untouched. */
void *pf_reallocarray(void *p, size_t n, size_t size);

/* The one growable array: make room for `need` elements in the array
 * `arr` (a T *) whose capacity is `cap` (a size_t), doubling from `first`
 * (> 0). 0, or -1 when out of memory (arr and cap unchanged, elements kept).
 * Use the macro, which passes the addresses and the element size:
 *     if (PF_ARRAY_GROW(v, cap, n + 1, 16) != 0) goto oom;
 *     v[n++] = x; */
#define PF_ARRAY_GROW(arr, cap, need, first)                                                       \
	pf_array_grow(&(arr), &(cap), (need), sizeof(*(arr)), (first))
int pf_array_grow(void *arrp, size_t *cap, size_t need, size_t size, size_t first);

char *pf_strdup(const char *s);
char *pf_strndup(const char *s, size_t n);
/* printf into a new string; caller frees. */
char *pf_asprintf(const char *fmt, ...) PF_PRINTF(1, 2);
char *pf_vasprintf(const char *fmt, va_list ap) PF_PRINTF(1, 0);

/* Bounded copy/append that always terminates; return 0, or -1 when the
 * result was truncated. */
int pf_strlcpy(char *dst, const char *src, size_t size);
int pf_strlcat(char *dst, const char *src, size_t size);

/* Overwrite memory that held a secret; never optimised away
 * (platform/posix.c, platform/win32.c). */
void pf_secure_zero(void *p, size_t n);
/* Wipe a NUL-terminated secret and free it. NULL is fine. */
void pf_secret_free(char *s);

/* An array of strings: free each and the array (NULL is fine); sort
 * bytewise. */
void pf_strv_free(char **v, size_t count);
void pf_strv_sort(char **v, size_t count);

/* free(*pp); *pp = NULL. */
#define PF_FREE(p)                                                                                 \
	do {                                                                                       \
		free(p);                                                                           \
		(p) = NULL;                                                                        \
	} while (0)

#endif
