/* PortForwarder.exe entry point: settings, language, command line, one
 * instance, one main window, the message loop. */
#include <windows.h>
#include <commctrl.h>
#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "pf/version.h"
#include "resource.h"

static ATOM register_main_class(HINSTANCE inst)
{
	WNDCLASSEXW wc = {0};

	wc.cbSize = sizeof(wc);
	wc.lpfnWndProc = DefDlgProcW;
	wc.cbWndExtra = DLGWINDOWEXTRA;
	wc.hInstance = inst;
	wc.hIcon = LoadIconW(inst, MAKEINTRESOURCEW(IDI_APP));
	wc.hIconSm =
		(HICON)LoadImageW(inst, MAKEINTRESOURCEW(IDI_APP), IMAGE_ICON,
				  GetSystemMetrics(SM_CXSMICON), GetSystemMetrics(SM_CYSMICON), 0);
	wc.hCursor = LoadCursorW(NULL, MAKEINTRESOURCEW(32512)); /* IDC_ARROW */
	wc.hbrBackground = (HBRUSH)(COLOR_BTNFACE + 1);
	wc.lpszClassName = PF_MAIN_CLASS;
	return RegisterClassExW(&wc);
}

/* A second start brings the running instance to the front (from the tray
 * too) instead of fighting over the same ports. */
static int activate_running_instance(int forward_cmdline, int restore)
{
	HWND other = FindWindowW(PF_MAIN_CLASS, NULL);
	DWORD pid = 0;
	DWORD_PTR res;
	const wchar_t *cmd = GetCommandLineW();
	COPYDATASTRUCT cds = {PF_COPYDATA_CMDLINE, (DWORD)((wcslen(cmd) + 1) * sizeof(wchar_t)),
			      (void *)cmd};

	if (other == NULL)
		return 0;
	GetWindowThreadProcessId(other, &pid);
	AllowSetForegroundWindow(pid);
	/* "PortForwarder.exe IMR" while running: the first one connects IMR. */
	if (forward_cmdline)
		SendMessageTimeoutW(other, WM_COPYDATA, 0, (LPARAM)&cds, SMTO_ABORTIFHUNG, 5000,
				    &res);
	/* As a double-click on its tray icon would: show, restore, activate
	 * (not for -tray: it stays where it is). */
	if (restore)
		SendMessageTimeoutW(other, WM_PF_TRAY, 0, WM_LBUTTONDBLCLK, SMTO_ABORTIFHUNG, 5000,
				    &res);
	return 1;
}

/* Everything owned by app that the window does not free. */
/* A failure at start, before there is a window: a message box in the
 * person's language. */
static void start_error(pf_app *app, UINT id)
{
	wchar_t text[256];

	MessageBoxW(NULL, Lang_String(app, id, text, 256), L"PortForwarder", MB_ICONERROR);
}

static void app_free(pf_app *app)
{
	size_t i;

	for (i = 0; i < app->nconns; i++)
		UiWin32_FreeConnView(app->conns[i]);
	app->nconns = 0;
	LogView_Free(app);
}

/* What was taken over from PortForwarder 2.9's PortForwarder.ini. */
static void log_import29(pf_app *app)
{
	static const UINT how_ids[] = {IDS_INI29_AS_WRITTEN,  IDS_INI29_EXE_DRIVE,
				       IDS_INI29_NEXT_TO_EXE, IDS_INI29_EXE_FOLDER,
				       IDS_INI29_NOT_FOUND,   IDS_INI29_NO_FOLDER};
	const pf_import29 *imp = &app->set.import29;
	int how = imp->how >= 0 && imp->how <= PF_IMPORT29_NO_FOLDER ? imp->how
								     : PF_IMPORT29_NOT_FOUND;

	LogView_AddId(app, PF_LOG_INFO, NULL, IDS_INI29_IMPORTED, imp->encoding,
		      app->set.config[0] ? app->set.config : L"-", (unsigned)app->set.nrecent);
	LogView_AddId(app, how == PF_IMPORT29_NOT_FOUND ? PF_LOG_ERROR : PF_LOG_INFO, NULL,
		      how_ids[how], imp->folder_written, imp->folder_used);
	if (imp->njunk > 0)
		LogView_AddId(app, PF_LOG_INFO, NULL, IDS_INI29_JUNK, imp->njunk);
}

int WINAPI wWinMain(HINSTANCE inst, HINSTANCE prev, PWSTR cmdline, int show)
{
	pf_app *app = calloc(1, sizeof(*app)); /* large (the log ring): not on the stack */
	INITCOMMONCONTROLSEX icc = {sizeof(icc), ICC_STANDARD_CLASSES | ICC_LISTVIEW_CLASSES};
	pf_cmdline cl = {0};
	HANDLE mutex = NULL, test_thread = NULL;
	MSG msg;
	BOOL got;
	int rc = 0, cmd_rc;
	wchar_t fmt[64], ver[32];

	if (app == NULL)
		return 1;
	app->inst = inst;
	if (Ini_Paths(app->exe_dir, MAX_PATH * 2, app->ini_path, MAX_PATH * 2) != 0) {
		wcscpy_s(app->exe_dir, MAX_PATH * 2, L".");
		wcscpy_s(app->ini_path, MAX_PATH * 2, L"PortForwarder.ini");
	}
	Ini_Load(&app->set, app->ini_path, app->exe_dir);
	app->lang = Lang_Choose(app->set.language);
	/* For what the system draws for us (the file dialog, message boxes). */
	SetThreadUILanguage(app->lang);
	InitCommonControlsEx(&icc);

	cmd_rc = Cmdline_Parse(app, GetCommandLineW(), &cl);
#ifdef PF_TEST_HOOKS
	if (cl.test_index > 0 && wcscmp(cl.argv[cl.test_index], L"--test-ui") != 0) {
		rc = TestHook_Run(app, cl.argc, cl.argv, cl.test_index);
		goto out;
	}
	app->test_mode = cl.test_index > 0 ? PF_TEST_UI : PF_TEST_NONE;
#endif

	/* The named mutex closes the race of two instances starting together. */
	mutex = CreateMutexW(NULL, FALSE, L"Local\\PortForwarder.SingleInstance");
	if (mutex != NULL && GetLastError() == ERROR_ALREADY_EXISTS) {
		int tries;

		for (tries = 0;
		     tries < 50 && !activate_running_instance(app->cmd_host[0] != L'\0' ||
								      app->cmd_config[0] != L'\0',
							      !app->cmd_tray);
		     tries++)
			Sleep(100);
		goto out;
	}

	if (pf_lib_init() != 0) {
		start_error(app, IDS_ERR_NET_INIT);
		rc = 1;
		goto out;
	}
	MultiByteToWideChar(CP_UTF8, 0, pf_version(), -1, ver, 32);
	Lang_String(app, IDS_APP_TITLE, fmt, 64);
	_snwprintf(app->title, 128, fmt[0] ? fmt : L"PortForwarder %ls", ver);
	app->title[127] = L'\0';

	app->log_filter = app->set.log_level;
	if (app->cmd_verbose > 0 && app->log_filter < PF_LOG_VERBOSE)
		app->log_filter = PF_LOG_VERBOSE;
	if (app->cmd_verbose > 1)
		app->log_filter = PF_LOG_DEBUG3;
	LogView_AddId(app, PF_LOG_INFO, NULL, IDS_STARTED, ver);
	if (app->set.import29.found)
		log_import29(app);
	if (cmd_rc != 0 && cl.bad[0] != L'\0')
		LogView_AddId(app, PF_LOG_ERROR, NULL, IDS_CMDLINE_BAD, cl.bad);
	if (app->cmd_config[0] != L'\0')
		wcscpy_s(app->set.config, MAX_PATH * 2, app->cmd_config);

	/* The session core behind Connect (the --test-ui hook plays its own
	 * connection instead). */
	if (app->test_mode == PF_TEST_NONE && Glue_Install(app) != 0) {
		rc = 1;
		goto out;
	}

	if (!register_main_class(inst) || MainWnd_Create(app) == NULL) {
		start_error(app, IDS_ERR_MAIN_WINDOW);
		pf_lib_cleanup();
		rc = 1;
		goto out;
	}
	if (app->cmd_tray && app->tray_added) {
		/* -tray (the Startup-folder shortcut): only the tray icon. */
		LogView_AddId(app, PF_LOG_INFO, NULL, IDS_STARTED_IN_TRAY);
	} else {
		/* Without a notification area -tray can only minimise. */
		ShowWindow(app->main, app->cmd_tray        ? SW_SHOWMINNOACTIVE
				      : app->set.maximized ? SW_SHOWMAXIMIZED
							   : show);
		UpdateWindow(app->main);
	}

	if (app->cmd_host[0] != L'\0') {
		/* The original's "a host given means connect now". */
		LogView_AddId(app, PF_LOG_INFO, NULL, IDS_CMDLINE_HOST, app->cmd_host);
		if (app->ops != NULL)
			MainWnd_Connect(app, app->cmd_host);
	}
#ifdef PF_TEST_HOOKS
	if (app->test_mode == PF_TEST_UI)
		test_thread = TestHook_StartUiThread(app);
#endif

	while ((got = GetMessageW(&msg, NULL, 0, 0)) != 0) {
		if (got == -1)
			break;
		if (app->main != NULL && IsDialogMessageW(app->main, &msg))
			continue;
		TranslateMessage(&msg);
		DispatchMessageW(&msg);
	}
	if (test_thread != NULL) {
		WaitForSingleObject(test_thread, 5000);
		CloseHandle(test_thread);
	}
	Glue_Free(app);
	pf_lib_cleanup();
out:
	app_free(app);
	if (cl.argv != NULL)
		LocalFree(cl.argv);
	if (mutex != NULL)
		CloseHandle(mutex);
	free(app);
	return rc;
}
