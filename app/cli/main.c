/* pf: the console front end. Arguments are UTF-8 inside (converted from
 * UTF-16 on Windows), as the core expects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/version.h"

#ifdef _WIN32
#include <windows.h>
#include "pf/platform.h"
#endif

static void print_version(FILE *out)
{
	fprintf(out, "pf %s\n", pf_version());
	fprintf(out, "libssh %s\n", pf_version_libssh());
	fprintf(out, "%s\n", pf_version_openssl());
}

static void print_usage(FILE *out)
{
	fputs("usage: pf [--version] [--help]\n"
	      "  --version, -V   print the versions of pf, libssh and OpenSSL\n"
	      "  --help, -h      print this help\n",
	      out);
}

static int pf_main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			print_version(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_usage(stdout);
			return 0;
		}
		fprintf(stderr, "pf: unknown option '%s' (try 'pf --help')\n", argv[i]);
		return 2;
	}
	print_usage(stderr);
	return 2;
}

#ifdef _WIN32
int wmain(int argc, wchar_t **wargv);
int wmain(int argc, wchar_t **wargv)
{
	char **argv = PF_NEW_ARRAY(char *, (size_t)argc + 1);
	int i, rc;

	if (argv == NULL)
		return 1;
	SetConsoleOutputCP(CP_UTF8);
	for (i = 0; i < argc; i++) {
		argv[i] = pf_wide_to_utf8(wargv[i]);
		if (argv[i] == NULL)
			return 1;
	}
	if (pf_lib_init() != 0) {
		fputs("pf: cannot initialise the SSH library\n", stderr);
		return 1;
	}
	rc = pf_main(argc, argv);
	pf_lib_cleanup();
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return rc;
}
#else
int main(int argc, char **argv)
{
	int rc;

	if (pf_lib_init() != 0) {
		fputs("pf: cannot initialise the SSH library\n", stderr);
		return 1;
	}
	rc = pf_main(argc, argv);
	pf_lib_cleanup();
	return rc;
}
#endif
