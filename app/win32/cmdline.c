/* PortForwarder.exe [-tray] [-F config] [-N] [-v] [user@]host
 *
 * Compatible with the original (-N, -v, a host meaning "connect at
 * start"), plus -F for the config file and -tray (start hidden in the tray:
 * the Startup-folder shortcut, startup.c and the installer). -N is accepted and changes nothing
 * (we never open a shell); each -v raises the event log's level (verbose,
 * then debug). In the test variant (PortForwarder-test.exe, PF_TEST_HOOKS)
 * a "--test-..." switch ends the parsing and belongs to testhook.c; the
 * release exe knows no such switch (an unknown option, logged). */
#include <windows.h>
#include <shellapi.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "app.h"
#include "pf/names.h"
#include "pf/platform.h"

static void set_config(pf_app *app, const wchar_t *path)
{
	/* Relative to the current folder, as a shell user means it. */
	DWORD n = GetFullPathNameW(path, MAX_PATH * 2, app->cmd_config, NULL);

	if (n == 0 || n >= MAX_PATH * 2)
		app->cmd_config[0] = L'\0';
}

static void note_bad(pf_cmdline *cl, const wchar_t *arg)
{
	if (cl->bad[0] == L'\0')
		lstrcpynW(cl->bad, arg, 128);
}

/* [user@]host by the same rules as pf's command line (pf/names.h): a name
 * with control characters or shell syntax never reaches the config. */
int Cmdline_HostOk(const wchar_t *arg)
{
	char *u8 = pf_wide_to_utf8(arg), *at;
	int ok;

	if (u8 == NULL)
		return 0;
	at = strrchr(u8, '@');
	if (at != NULL) {
		*at = '\0';
		ok = pf_names_check_cli_user(u8, NULL) == PF_OK &&
		     pf_names_check_cli_host(at + 1, NULL) == PF_OK;
	} else {
		ok = pf_names_check_cli_host(u8, NULL) == PF_OK;
	}
	free(u8);
	return ok;
}

int Cmdline_Parse(pf_app *app, const wchar_t *cmdline, pf_cmdline *cl)
{
	int i;

	cl->argv = CommandLineToArgvW(cmdline, &cl->argc);
	cl->test_index = 0;
	cl->bad[0] = L'\0';
	if (cl->argv == NULL)
		return -1;
	for (i = 1; i < cl->argc; i++) {
		const wchar_t *a = cl->argv[i];

#ifdef PF_TEST_HOOKS
		if (wcsncmp(a, L"--test-", 7) == 0) {
			cl->test_index = i;
			break;
		}
#endif
		if (a[0] == L'-' && a[1] == L'F') {
			if (a[2] != L'\0')
				set_config(app, a + 2);
			else if (i + 1 < cl->argc)
				set_config(app, cl->argv[++i]);
			else
				note_bad(cl, a);
		} else if (wcscmp(a, L"-tray") == 0) {
			app->cmd_tray = 1;
		} else if (wcscmp(a, L"-N") == 0) {
			app->cmd_no_shell = 1;
		} else if (a[0] == L'-' && a[1] == L'v' && wcsspn(a + 1, L"v") == wcslen(a + 1)) {
			app->cmd_verbose += (int)wcslen(a + 1);
		} else if (a[0] == L'-' && a[1] != L'\0') {
			note_bad(cl, a);
		} else if (app->cmd_host[0] == L'\0' && a[0] != L'\0' && wcslen(a) < PF_HOST_LEN &&
			   Cmdline_HostOk(a)) {
			wcscpy_s(app->cmd_host, PF_HOST_LEN, a);
		} else {
			note_bad(cl, a);
		}
	}
	return cl->bad[0] != L'\0' ? -1 : 0;
}
