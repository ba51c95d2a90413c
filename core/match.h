/* OpenSSH's patterns, one leaf module for config.c (Host, Match, Include,
 * IgnoreUnknown, algorithm lists) and knownhosts.c (host name fields): '*'
 * matches any run of characters, '?' one; a list is comma-separated and a
 * pattern may be negated with '!'. Iterative with one backtrack point, so a
 * hostile pattern costs at most O(len * plen) and no stack. Not a public
 * API. */
#ifndef PF_MATCH_H
#define PF_MATCH_H

#include <stddef.h>

/* 1 when s matches the pattern, else 0. fold: ASCII case-insensitive. */
int pfi_match_pattern(const char *s, const char *pattern, int fold);

/* The same for s[0..slen) and pattern[0..plen) (neither NUL-terminated). */
int pfi_match_pattern_n(const char *s, size_t slen, const char *pattern, size_t plen, int fold);

/* A comma-separated list: -1 when a "!pattern" matches (that rules s out
 * whatever else matches), 1 when another pattern matches, 0 when none. */
int pfi_match_list(const char *s, const char *list, int fold);

#endif
