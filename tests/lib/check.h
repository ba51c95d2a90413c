/* A minimal test harness: CHECK records a failure with file:line and goes
 * on; a test program's main returns check_summary(): 1 when a check failed
 * or none ran at all, 77 (ctest's "skipped") when a part could not run here
 * (check_skip), else 0. */
#ifndef PF_CHECK_H
#define PF_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_failures;
extern int check_count;
extern int check_skipped;

#define CHECK(cond)     check_report((cond) ? 1 : 0, __FILE__, __LINE__, #cond)
#define CHECK_STR(a, b) check_str((a), (b), __FILE__, __LINE__, #a)
#define CHECK_INT(a, b) check_int((long long)(a), (long long)(b), __FILE__, __LINE__, #a)

int check_report(int ok, const char *file, int line, const char *what);
int check_str(const char *got, const char *want, const char *file, int line, const char *what);
int check_int(long long got, long long want, const char *file, int line, const char *what);
/* CPU time (user + system) this process has used, in milliseconds. Bounds
 * on work ("no quadratic blow-up") use it rather than the wall clock, which a
 * loaded machine stretches ten-fold. */
unsigned long long check_cpu_ms(void);
/* A part of the test cannot run here (say why, e.g. "password login: needs
 * root"): printed, and check_summary then returns 77 unless a check
 * failed. */
void check_skip(const char *why);
/* Prints "N passed, N failed" and returns the exit status for main. */
int check_summary(const char *name);

#endif
