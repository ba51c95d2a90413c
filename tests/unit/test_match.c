/* core/match.c: OpenSSH's patterns and pattern lists, as config.c (Host,
 * Match, IgnoreUnknown, algorithm lists) and knownhosts.c use them. */
#include <string.h>

#include "../../core/match.h"
#include "check.h"

static void test_pattern(void)
{
	CHECK_INT(pfi_match_pattern("host.example.com", "*.example.com", 0), 1);
	CHECK_INT(pfi_match_pattern("example.com", "*.example.com", 0), 0);
	CHECK_INT(pfi_match_pattern("web1", "web?", 0), 1);
	CHECK_INT(pfi_match_pattern("web12", "web?", 0), 0);
	CHECK_INT(pfi_match_pattern("", "*", 0), 1);
	CHECK_INT(pfi_match_pattern("", "", 0), 1);
	CHECK_INT(pfi_match_pattern("a", "", 0), 0);
	CHECK_INT(pfi_match_pattern("abc", "a*b*c", 0), 1);
	CHECK_INT(pfi_match_pattern("abxbc", "a*bc", 0), 1); /* backtracks */
	CHECK_INT(pfi_match_pattern("abcd", "a*b*c", 0), 0);
	CHECK_INT(pfi_match_pattern("Host", "host", 0), 0);
	CHECK_INT(pfi_match_pattern("Host", "host", 1), 1);
	CHECK_INT(pfi_match_pattern("HOST.Example", "h*.eXample", 1), 1);
	/* Only ASCII folds: UTF-8 bytes compare as they are. */
	CHECK_INT(pfi_match_pattern("\xc3\x89", "\xc3\xa9", 1), 0);
	/* Lengths, not NUL: a pattern slice out of a list. */
	CHECK_INT(pfi_match_pattern_n("web1", 4, "web?,db", 4, 0), 1);
}

static void test_hostile(void)
{
	char s[4001], p[2002];
	size_t i;

	/* Many stars against a long near-miss: must finish (one backtrack
	 * point, no recursion). */
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	for (i = 0; i + 1 < sizeof(p) - 1; i += 2) {
		p[i] = '*';
		p[i + 1] = 'a';
	}
	p[sizeof(p) - 2] = 'b';
	p[sizeof(p) - 1] = '\0';
	CHECK_INT(pfi_match_pattern(s, p, 0), 0);
}

static void test_list(void)
{
	CHECK_INT(pfi_match_list("web1", "db*,web*", 0), 1);
	CHECK_INT(pfi_match_list("mail", "db*,web*", 0), 0);
	/* A matching negation wins whatever its place. */
	CHECK_INT(pfi_match_list("web1", "web*,!web1", 0), -1);
	CHECK_INT(pfi_match_list("web1", "!web1,web*", 0), -1);
	CHECK_INT(pfi_match_list("web2", "web*,!web1", 0), 1);
	/* Negation alone never matches. */
	CHECK_INT(pfi_match_list("web2", "!web1", 0), 0);
	CHECK_INT(pfi_match_list("WEB1", "web*", 1), 1);
	CHECK_INT(pfi_match_list("WEB1", "web*", 0), 0);
	CHECK_INT(pfi_match_list("[host]:2222", "[host]:2222,other", 1), 1);
	/* Empty list and empty elements. */
	CHECK_INT(pfi_match_list("a", "", 0), 0);
	CHECK_INT(pfi_match_list("b", "a,,b", 0), 1);
	CHECK_INT(pfi_match_list("a", "a,", 0), 1);
}

int main(void)
{
	test_pattern();
	test_hostile();
	test_list();
	return check_summary("match");
}
