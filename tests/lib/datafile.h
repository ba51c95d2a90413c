/* Data-driven test files (tests/data/<module>/NAME.test): sections that start
 * with "=== head" lines, and file bodies turned into the bytes a test
 * writes (line endings, BOMs, UTF-16, escapes). Shared by the unit tests
 * that read such files; abort() on out-of-memory (tests only). */
#ifndef PF_TEST_DATAFILE_H
#define PF_TEST_DATAFILE_H

#include <stddef.h>

/* A growing byte buffer, always NUL-terminated; free(b.p). */
typedef struct df_buf {
	char *p;
	size_t len, cap;
} df_buf;

void df_buf_add(df_buf *b, const void *d, size_t n);

/* A body's text with a file section's options applied, in this order:
 * "escapes" (\xNN and \\), "noeol" (drop the final newline), "crlf",
 * "bom" (UTF-8 BOM), "utf16le"/"utf16be" (with BOM), "truncate" (drop the
 * last byte). Caller frees .p. */
df_buf df_transform(const char *text, size_t len, const char *opts);

/* One "=== head" section: head without "=== ", body up to the next one
 * (both owned: free each). */
typedef struct df_section {
	char *head;
	char *body;
	size_t body_len;
} df_section;

/* Splits `data` into at most `max` sections (text before the first is
 * ignored); returns how many. */
size_t df_split_sections(const char *data, size_t len, df_section *secs, size_t max);

/* Calls fn for every NAME.test file in `dir` (name order) with its name and
 * bytes (borrowed for the call). Returns how many were read, -1 when the
 * folder cannot be listed; a file that cannot be read is said on stderr
 * and not counted (the caller checks the count). */
int df_for_each_test(const char *dir, void (*fn)(const char *name, const char *data, size_t len));

#endif
