/* OpenSSH's pattern lists (see match.h). */
#include <stdint.h>
#include <string.h>

#include "match.h"

static char fold_char(char c, int fold)
{
	return (fold && c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

int pfi_match_pattern_n(const char *s, size_t slen, const char *p, size_t plen, int fold)
{
	size_t si = 0, pi = 0, star = SIZE_MAX, star_s = 0;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star = pi++;
			star_s = si;
		} else if (pi < plen &&
			   (p[pi] == '?' || fold_char(p[pi], fold) == fold_char(s[si], fold))) {
			pi++;
			si++;
		} else if (star != SIZE_MAX) {
			pi = star + 1;
			si = ++star_s;
		} else {
			return 0;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

int pfi_match_pattern(const char *s, const char *pattern, int fold)
{
	return pfi_match_pattern_n(s, strlen(s), pattern, strlen(pattern), fold);
}

int pfi_match_list(const char *s, const char *list, int fold)
{
	size_t slen = strlen(s);
	int found = 0;

	while (*list != '\0') {
		const char *end = strchr(list, ',');
		size_t plen = end != NULL ? (size_t)(end - list) : strlen(list);
		size_t neg = plen > 0 && list[0] == '!';

		if (pfi_match_pattern_n(s, slen, list + neg, plen - neg, fold)) {
			if (neg)
				return -1;
			found = 1;
		}
		if (end == NULL)
			break;
		list = end + 1;
	}
	return found;
}
