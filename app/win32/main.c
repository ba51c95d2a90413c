/* PortForwarder.exe entry point: one instance, one main window, the
 * message loop. */
#include <windows.h>
#include <commctrl.h>
#include <stdio.h>

#include "app.h"
#include "pf/version.h"
#include "resource.h"

const wchar_t *app_string(pf_app *app, UINT id, wchar_t *buf, int size)
{
	if (LoadStringW(app->inst, id, buf, size) <= 0)
		buf[0] = L'\0';
	return buf;
}

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

/* A second start brings the running instance to the front instead of
 * fighting over the same ports. */
static int activate_running_instance(void)
{
	HWND other = FindWindowW(PF_MAIN_CLASS, NULL);

	if (other == NULL)
		return 0;
	ShowWindow(other, IsIconic(other) ? SW_RESTORE : SW_SHOW);
	SetForegroundWindow(other);
	return 1;
}

int WINAPI wWinMain(HINSTANCE inst, HINSTANCE prev, PWSTR cmdline, int show)
{
	pf_app app = {0};
	INITCOMMONCONTROLSEX icc = {sizeof(icc), ICC_STANDARD_CLASSES | ICC_LISTVIEW_CLASSES};
	HANDLE mutex;
	MSG msg;
	BOOL got;
	wchar_t fmt[64], ver[32];

	/* The named mutex closes the race of two instances starting together. */
	mutex = CreateMutexW(NULL, FALSE, L"Local\\PortForwarder.SingleInstance");
	if (mutex != NULL && GetLastError() == ERROR_ALREADY_EXISTS) {
		int tries;

		for (tries = 0; tries < 50 && !activate_running_instance(); tries++)
			Sleep(100);
		CloseHandle(mutex);
		return 0;
	}

	app.inst = inst;
	InitCommonControlsEx(&icc);
	if (pf_lib_init() != 0) {
		MessageBoxW(NULL, L"Cannot initialise the network library.", L"PortForwarder",
			    MB_ICONERROR);
		return 1;
	}
	MultiByteToWideChar(CP_UTF8, 0, pf_version(), -1, ver, 32);
	app_string(&app, IDS_APP_TITLE, fmt, 64);
	_snwprintf(app.title, 128, fmt[0] ? fmt : L"PortForwarder %ls", ver);
	app.title[127] = L'\0';

	if (!register_main_class(inst) || MainWnd_Create(&app) == NULL) {
		MessageBoxW(NULL, L"Cannot create the main window.", L"PortForwarder",
			    MB_ICONERROR);
		pf_lib_cleanup();
		return 1;
	}
	ShowWindow(app.main, show);
	UpdateWindow(app.main);

	while ((got = GetMessageW(&msg, NULL, 0, 0)) != 0) {
		if (got == -1)
			break;
		if (app.main != NULL && IsDialogMessageW(app.main, &msg))
			continue;
		TranslateMessage(&msg);
		DispatchMessageW(&msg);
	}
	pf_lib_cleanup();
	if (mutex != NULL)
		CloseHandle(mutex);
	return 0;
}
