#include "check.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/resource.h>
#endif

int check_failures;
int check_count;
int check_skipped;

int check_report(int ok, const char *file, int line, const char *what)
{
	check_count++;
	if (!ok) {
		check_failures++;
		fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	}
	return ok;
}

int check_str(const char *got, const char *want, const char *file, int line, const char *what)
{
	int ok = (got == NULL && want == NULL) ||
		 (got != NULL && want != NULL && strcmp(got, want) == 0);

	check_report(ok, file, line, what);
	if (!ok)
		fprintf(stderr, "    got:  %s%s%s\n    want: %s%s%s\n", got ? "\"" : "",
			got ? got : "(null)", got ? "\"" : "", want ? "\"" : "",
			want ? want : "(null)", want ? "\"" : "");
	return ok;
}

int check_int(long long got, long long want, const char *file, int line, const char *what)
{
	int ok = got == want;

	check_report(ok, file, line, what);
	if (!ok)
		fprintf(stderr, "    got: %lld, want: %lld\n", got, want);
	return ok;
}

void check_skip(const char *why)
{
	check_skipped++;
	printf("skipped: %s\n", why);
}

int check_summary(const char *name)
{
	printf("%s: %d passed, %d failed, %d parts skipped\n", name, check_count - check_failures,
	       check_failures, check_skipped);
	if (check_failures > 0)
		return 1;
	if (check_count == 0 && check_skipped == 0) {
		fprintf(stderr, "%s: no check ran: a test that checks nothing cannot fail\n", name);
		return 1;
	}
	return check_skipped > 0 ? 77 : 0;
}

unsigned long long check_cpu_ms(void)
{
#ifdef _WIN32
	FILETIME c, e, k, u;
	ULARGE_INTEGER kk, uu;

	if (!GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u))
		return 0;
	kk.LowPart = k.dwLowDateTime;
	kk.HighPart = k.dwHighDateTime;
	uu.LowPart = u.dwLowDateTime;
	uu.HighPart = u.dwHighDateTime;
	return (kk.QuadPart + uu.QuadPart) / 10000; /* 100 ns units */
#else
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (unsigned long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
#endif
}
