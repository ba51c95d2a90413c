/* pftest-driver.exe: drives the real PortForwarder.exe under Wine the way a
 * person would, through window messages to controls found by their IDs.
 *
 *   pftest-driver <scenario> <PortForwarder.exe> <screenshot folder> <work folder>
 *
 * Scenarios: smoke, ini, tray, dialogs, ui, ui-cancel, ja, ja-ini, cmdline, keygen,
 * release-hooks. dialogs, ui, ui-cancel and ja use the test hooks (--test-dialog,
 * --test-ui): give them the test variant PortForwarder-test.exe; release-hooks
 * checks that the release PortForwarder.exe has none. Each
 * copies the exe into its own folder under the work folder (so PortForwarder.ini starts empty and
 * lands there), prints one line per step and "N passed, N failed" at the end; exit 0 only when
 * every step passed. The day* scenarios (tests/e2e/day.sh), proxy-* (tests/e2e/proxy_day.sh) and
 * startup (bench/gui_startup.sh)
 * take a kit folder their script prepared as the work folder instead, as do kit29* (kit29.sh),
 * glance* (glance.sh) and autostart* (autostart.sh); run (an installed
 * exe, tests/package/install-test.sh) takes a stop file, setup-finish and setup-in-use a
 * setup.exe and the folder to install into. Screenshots of each step
 * go to the screenshot folder as
 * <scenario>-NN-<what>.bmp (wine-run.sh turns them into PNGs). */
#define COBJMACROS
#include <windows.h>
#include <commctrl.h> /* list view messages and LVITEMW (no comctl32 functions) */
#include <knownfolders.h>
#include <objbase.h>
#include <shellapi.h>
#include <shlobj.h>
#include <shobjidl.h>
#include <wincrypt.h> /* SHA-256 for the keygen scenario (advapi32) */
#include <tlhelp32.h> /* the finish page's child process (setup-finish) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "resource.h"

#define LVM_GETITEMCOUNT_ LVM_GETITEMCOUNT

static int passed, failed;
static const wchar_t *g_shots;
static const wchar_t *g_name;
static int g_shot_no;

static void step(int ok, const char *what)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	fflush(stdout);
}

/* Save the whole screen as a 24-bit BMP (the test script turns it into PNG). */
static void screenshot(const wchar_t *what)
{
	wchar_t path[MAX_PATH * 2];
	HDC screen = GetDC(NULL), mem = CreateCompatibleDC(screen);
	int w = GetSystemMetrics(SM_CXSCREEN), h = GetSystemMetrics(SM_CYSCREEN);
	HBITMAP bmp = CreateCompatibleBitmap(screen, w, h);
	BITMAPINFOHEADER bi = {sizeof(bi), w, h, 1, 24, BI_RGB, 0, 0, 0, 0, 0};
	DWORD stride = ((DWORD)w * 3 + 3) & ~3u, size = stride * (DWORD)h;
	BITMAPFILEHEADER fh = {0x4D42, 0, 0, 0, sizeof(fh) + sizeof(bi)};
	void *bits = HeapAlloc(GetProcessHeap(), 0, size);
	HANDLE f;
	DWORD put;

	Sleep(300); /* let the last repaint land */
	if (bits == NULL)
		goto out;
	SelectObject(mem, bmp);
	BitBlt(mem, 0, 0, w, h, screen, 0, 0, SRCCOPY);
	GetDIBits(mem, bmp, 0, (UINT)h, bits, (BITMAPINFO *)&bi, DIB_RGB_COLORS);
	fh.bfSize = fh.bfOffBits + size;
	_snwprintf(path, MAX_PATH * 2, L"%ls\\%ls-%02d-%ls.bmp", g_shots, g_name, ++g_shot_no,
		   what);
	f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	if (f != INVALID_HANDLE_VALUE) {
		WriteFile(f, &fh, sizeof(fh), &put, NULL);
		WriteFile(f, &bi, sizeof(bi), &put, NULL);
		WriteFile(f, bits, size, &put, NULL);
		CloseHandle(f);
	}
	HeapFree(GetProcessHeap(), 0, bits);
out:
	DeleteObject(bmp);
	DeleteDC(mem);
	ReleaseDC(NULL, screen);
}

/* ---- processes and files ---- */

typedef struct app_proc {
	PROCESS_INFORMATION pi;
	int running;
} app_proc;

static int start_app(const wchar_t *exe, const wchar_t *args, app_proc *p)
{
	wchar_t cmd[4096];
	STARTUPINFOW si;

	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	memset(p, 0, sizeof(*p));
	_snwprintf(cmd, 4096, L"\"%ls\"%ls%ls", exe, args[0] ? L" " : L"", args);
	cmd[4095] = L'\0';
	p->running = CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &p->pi) != 0;
	return p->running;
}

/* Wait for the process to end; its exit code, or -1 on timeout. */
static int wait_exit(app_proc *p, DWORD ms)
{
	DWORD code = (DWORD)-1;

	if (!p->running)
		return -1;
	if (WaitForSingleObject(p->pi.hProcess, ms) != WAIT_OBJECT_0)
		return -1;
	GetExitCodeProcess(p->pi.hProcess, &code);
	CloseHandle(p->pi.hProcess);
	CloseHandle(p->pi.hThread);
	p->running = 0;
	return (int)code;
}

static void kill_app(app_proc *p)
{
	if (!p->running)
		return;
	TerminateProcess(p->pi.hProcess, 99);
	WaitForSingleObject(p->pi.hProcess, 5000);
	CloseHandle(p->pi.hProcess);
	CloseHandle(p->pi.hThread);
	p->running = 0;
}

static int still_running(app_proc *p)
{
	return p->running && WaitForSingleObject(p->pi.hProcess, 0) == WAIT_TIMEOUT;
}

/* A fresh folder work\<sub> with a copy of the exe; its path in exe_out. */
static int copy_app(const wchar_t *exe, const wchar_t *work, const wchar_t *sub, wchar_t *dir_out,
		    wchar_t *exe_out)
{
	wchar_t ini[MAX_PATH * 2];

	CreateDirectoryW(work, NULL);
	_snwprintf(dir_out, MAX_PATH * 2, L"%ls\\%ls", work, sub);
	CreateDirectoryW(dir_out, NULL);
	_snwprintf(exe_out, MAX_PATH * 2, L"%ls\\PortForwarder.exe", dir_out);
	_snwprintf(ini, MAX_PATH * 2, L"%ls\\PortForwarder.ini", dir_out);
	DeleteFileW(ini);
	return CopyFileW(exe, exe_out, FALSE) != 0;
}

static int write_file(const wchar_t *path, const char *text)
{
	HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	DWORD put = 0;
	BOOL ok;

	if (f == INVALID_HANDLE_VALUE)
		return 0;
	ok = WriteFile(f, text, (DWORD)strlen(text), &put, NULL);
	CloseHandle(f);
	return ok && put == strlen(text);
}

/* The file's bytes, NUL-terminated (caller frees), or NULL. */
static char *read_file(const wchar_t *path)
{
	HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
	DWORD size, got = 0;
	char *buf;

	if (f == INVALID_HANDLE_VALUE)
		return NULL;
	size = GetFileSize(f, NULL);
	buf = malloc(size + 1);
	if (buf != NULL && ReadFile(f, buf, size, &got, NULL))
		buf[got] = '\0';
	CloseHandle(f);
	return buf;
}

/* ---- windows ---- */

/* The visible main window of process pid (any pid when 0). */
struct find_ctx {
	DWORD pid;
	int ctrl;
	const wchar_t *cls;
	HWND found;
};

static BOOL CALLBACK find_cb(HWND w, LPARAM lp)
{
	struct find_ctx *c = (struct find_ctx *)lp;
	wchar_t cls[64];
	DWORD pid = 0;

	GetWindowThreadProcessId(w, &pid);
	if (c->pid != 0 && pid != c->pid)
		return TRUE;
	if (!IsWindowVisible(w))
		return TRUE;
	if (c->cls != NULL) {
		GetClassNameW(w, cls, 64);
		if (wcscmp(cls, c->cls) != 0)
			return TRUE;
	}
	if (c->ctrl != 0 && GetDlgItem(w, c->ctrl) == NULL)
		return TRUE;
	c->found = w;
	return FALSE;
}

/* A visible top-level window of the process having control `ctrl` (0:
 * any) and class `cls` (NULL: any). */
static HWND wait_for(app_proc *p, const wchar_t *cls, int ctrl, DWORD ms)
{
	DWORD t0 = GetTickCount();
	struct find_ctx c = {p != NULL ? p->pi.dwProcessId : 0, ctrl, cls, NULL};

	do {
		c.found = NULL;
		EnumWindows(find_cb, (LPARAM)&c);
		if (c.found != NULL)
			return c.found;
		Sleep(100);
	} while (GetTickCount() - t0 < ms);
	return NULL;
}

static HWND wait_main(app_proc *p)
{
	return wait_for(p, PF_MAIN_CLASS, IDC_CONNECT, 30000);
}

static int wait_visible(HWND w, int visible, DWORD ms)
{
	DWORD t0 = GetTickCount();

	do {
		if ((IsWindowVisible(w) != 0) == visible)
			return 1;
		Sleep(100);
	} while (GetTickCount() - t0 < ms);
	return 0;
}

static void click(HWND dlg, int id)
{
	PostMessageW(dlg, WM_COMMAND, MAKEWPARAM(id, BN_CLICKED), (LPARAM)GetDlgItem(dlg, id));
}

static void get_text(HWND dlg, int id, wchar_t *buf, int size)
{
	buf[0] = L'\0';
	SendMessageTimeoutW(GetDlgItem(dlg, id), WM_GETTEXT, (WPARAM)size, (LPARAM)buf,
			    SMTO_ABORTIFHUNG, 5000, NULL);
}

static void set_text(HWND dlg, int id, const wchar_t *text)
{
	SendMessageTimeoutW(GetDlgItem(dlg, id), WM_SETTEXT, 0, (LPARAM)text, SMTO_ABORTIFHUNG,
			    5000, NULL);
}

/* Wait until control `id` contains `needle`. */
static int wait_text(HWND dlg, int id, const wchar_t *needle, DWORD ms)
{
	static wchar_t buf[65536];
	DWORD t0 = GetTickCount();

	do {
		get_text(dlg, id, buf, 65536);
		if (wcsstr(buf, needle) != NULL)
			return 1;
		Sleep(100);
	} while (GetTickCount() - t0 < ms);
	printf("  (text of %d: %ls)\n", id, buf);
	return 0;
}

/* The tray icon's callback, as the shell sends it. */
static void tray_event(HWND main, UINT mouse_msg)
{
	PostMessageW(main, WM_PF_TRAY, 1, (LPARAM)mouse_msg);
}

/* Right-click the tray icon and choose the menu item with `key` as its
 * mnemonic, as a person would with the keyboard once the menu is open. */
static int tray_menu_choose(app_proc *p, HWND main, wchar_t key, const wchar_t *shot)
{
	HWND menu;

	tray_event(main, WM_RBUTTONUP);
	menu = wait_for(NULL, L"#32768", 0, 10000);
	if (menu == NULL)
		return 0;
	if (shot != NULL)
		screenshot(shot);
	PostMessageW(menu, WM_KEYDOWN, (WPARAM)(wchar_t)towupper(key), 0);
	PostMessageW(menu, WM_CHAR, (WPARAM)key, 0);
	PostMessageW(menu, WM_KEYUP, (WPARAM)(wchar_t)towupper(key), 0);
	return 1;
}

/* ---- scenarios ---- */

static const char config_txt[] =
	"# test config\r\n"
	"Host IMR\r\n  HostName ssh.example.ac.jp\r\n  User ohba\r\n  Cipher 3des\r\n"
	"  LocalForward 10025 smtp.example.ac.jp:25\r\n"
	"  LocalForward 10110 pop.example.ac.jp:110\r\n\r\n"
	"Host CMS-SSH\r\n  HostName cms-ssh.example.ac.jp\r\n  User ohba\r\n"
	"  LocalForward 10026 cmssmtp.example.ac.jp:25\r\n\r\n"
	"Host *.example.org !bad\r\n  User someone\r\n";

static int smoke(const wchar_t *exe0, const wchar_t *work)
{
	app_proc p, p2;
	HWND w;
	wchar_t title[512] = L"", dir[MAX_PATH * 2], exe[MAX_PATH * 2];
	static const int ids[] = {IDC_CONFIG_EDIT, IDC_BROWSE,     IDC_HOST_COMBO, IDC_AUTO_HIDE,
				  IDC_CONNECT,     IDC_DISCONNECT, IDC_HIDE,       IDC_EXIT,
				  IDC_STATUS,      IDC_FWD_LIST,   IDC_LOG,        IDC_LOG_LEVEL};
	size_t i;
	int all = 1;

	step(copy_app(exe0, work, L"smoke", dir, exe), "copy PortForwarder.exe to a fresh folder");
	step(start_app(exe, L"", &p), "start PortForwarder.exe");
	if (failed)
		return 1;
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	GetWindowTextW(w, title, 256);
	step(wcsncmp(title, L"PortForwarder ", 14) == 0 && iswdigit(title[14]),
	     "title names the version");
	printf("title: %ls\n", title);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (GetDlgItem(w, ids[i]) == NULL) {
			printf("missing control %d\n", ids[i]);
			all = 0;
		}
	step(all, "every main-window control is there");
	step(wait_text(w, IDC_STATUS, L"config file", 5000),
	     "status line asks for the config file");
	step(wait_text(w, IDC_LOG, L"started", 5000), "the event log says it started");
	step(IsWindowEnabled(GetDlgItem(w, IDC_CONNECT)), "Connect is ready");
	screenshot(L"main-window");

	/* A second start must not open a second window, and must bring the
	 * first back even from the tray. */
	click(w, IDC_HIDE);
	step(wait_visible(w, 0, 5000), "Hide hides the window");
	if (start_app(exe, L"ohba@ssh.example.org", &p2))
		step(wait_exit(&p2, 20000) == 0, "second instance exits at once");
	step(wait_visible(w, 1, 5000), "second instance brought the first back");
	step(wait_text(w, IDC_HOST_COMBO, L"ohba@ssh.example.org", 5000),
	     "... and handed over its host");

	PostMessageW(w, WM_CLOSE, 0, 0);
	step(wait_visible(w, 0, 5000), "the close button hides the window");
	Sleep(500);
	step(still_running(&p), "... and the process keeps running");
	screenshot(L"closed-to-tray");
	tray_event(w, WM_LBUTTONDBLCLK);
	step(wait_visible(w, 1, 5000), "double-click on the tray icon restores it");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 20000) == 0, "Exit ends the process with code 0");
	return failed != 0;
kill:
	kill_app(&p);
	return 1;
}

static int scenario_ini(const wchar_t *exe0, const wchar_t *work)
{
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2], keys[MAX_PATH * 2], cfg[MAX_PATH * 2],
		ini[MAX_PATH * 2], buf[1024], dir2[MAX_PATH * 2], exe2[MAX_PATH * 2];
	app_proc p;
	HWND w;
	char *text;
	int code;

	/* work\ini\app\PortForwarder.exe and work\ini\keys\config.txt */
	_snwprintf(buf, 1024, L"%ls\\ini", work);
	CreateDirectoryW(work, NULL);
	CreateDirectoryW(buf, NULL);
	step(copy_app(exe0, buf, L"app", dir, exe), "copy PortForwarder.exe to ini\\app");
	_snwprintf(keys, MAX_PATH * 2, L"%ls\\ini\\keys", work);
	CreateDirectoryW(keys, NULL);
	_snwprintf(cfg, MAX_PATH * 2, L"%ls\\config.txt", keys);
	step(write_file(cfg, config_txt), "write ini\\keys\\config.txt");
	_snwprintf(ini, MAX_PATH * 2, L"%ls\\PortForwarder.ini", dir);

	step(start_app(exe, L"", &p), "start");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	set_text(w, IDC_CONFIG_EDIT, cfg);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_CONFIG_EDIT, EN_KILLFOCUS),
		     (LPARAM)GetDlgItem(w, IDC_CONFIG_EDIT));
	Sleep(1000);
	code = (int)SendMessageW(GetDlgItem(w, IDC_HOST_COMBO), CB_GETCOUNT, 0, 0);
	printf("  host combo has %d entries\n", code);
	step(code == 2, "host combo holds the two profiles (not the pattern)");
	SendMessageW(GetDlgItem(w, IDC_HOST_COMBO), CB_SETCURSEL, 1, 0);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_HOST_COMBO, CBN_SELCHANGE),
		     (LPARAM)GetDlgItem(w, IDC_HOST_COMBO));
	SendMessageW(GetDlgItem(w, IDC_AUTO_HIDE), BM_SETCHECK, BST_CHECKED, 0);
	click(w, IDC_AUTO_HIDE);
	step(wait_text(w, IDC_HOST_COMBO, L"CMS-SSH", 3000), "second Host chosen");
	step(wait_text(w, IDC_LOG, L"2 host profiles", 3000), "the log counts the profiles");
	step(wait_text(w, IDC_LOG, L"Cipher", 3000), "the log notes the obsolete Cipher line");
	screenshot(L"config-chosen");

	SetWindowPos(w, NULL, 40, 50, 820, 640, SWP_NOZORDER);
	step(tray_menu_choose(&p, w, L'x', L"tray-menu"), "tray menu opened");
	code = wait_exit(&p, 20000);
	printf("  exit code %d\n", code);
	step(code == 0, "Exit from the tray menu ends the process");
	if (code != 0)
		goto kill;

	text = read_file(ini);
	step(text != NULL, "PortForwarder.ini written next to the exe");
	if (text != NULL) {
		printf("----- PortForwarder.ini\n%s-----\n", text);
		step(strstr(text, "ConfigFile=..\\keys\\config.txt\r\n") != NULL,
		     "ini holds the config path relative to the exe");
		step(strstr(text, "AutomaticallyHide=1\r\n") != NULL,
		     "ini holds AutomaticallyHide=1");
		step(strstr(text, "LastHost=CMS-SSH\r\n") != NULL, "ini holds LastHost=CMS-SSH");
		step(strstr(text, "WindowLeft=40\r\nWindowTop=50\r\nWindowWidth=820\r\n") != NULL,
		     "ini holds the window placement");
		free(text);
	}

	/* The stick on another PC: the whole kit elsewhere, a junk line or two. */
	_snwprintf(buf, 1024, L"%ls\\ini2", work);
	CreateDirectoryW(buf, NULL);
	step(copy_app(exe0, buf, L"app", dir2, exe2), "copy the kit to another folder");
	_snwprintf(buf, 1024, L"%ls\\ini2\\keys", work);
	CreateDirectoryW(buf, NULL);
	_snwprintf(cfg, MAX_PATH * 2, L"%ls\\ini2\\keys\\config.txt", work);
	write_file(cfg, config_txt);
	text = read_file(ini);
	if (text != NULL) {
		size_t n = strlen(text) + 200;
		char *junk = malloc(n);

		if (junk != NULL) {
			_snprintf(junk, n,
				  "%sthis line is junk\r\n=\r\nRecentHost99=zzz\r\n"
				  "WindowWidth=abc\r\n[Other]\r\n",
				  text);
			_snwprintf(buf, 1024, L"%ls\\PortForwarder.ini", dir2);
			step(write_file(buf, junk), "ini copied with junk lines added");
			free(junk);
		}
		free(text);
	}
	step(start_app(exe2, L"", &p), "start again from the other folder");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	step(wait_text(w, IDC_CONFIG_EDIT, cfg, 3000), "config path resolved in the new folder");
	step(wait_text(w, IDC_HOST_COMBO, L"CMS-SSH", 3000), "last host selected");
	step(SendMessageW(GetDlgItem(w, IDC_AUTO_HIDE), BM_GETCHECK, 0, 0) == BST_CHECKED,
	     "Automatically is checked");
	{
		RECT r;

		GetWindowRect(w, &r);
		printf("  window at %ld,%ld size %ldx%ld\n", r.left, r.top, r.right - r.left,
		       r.bottom - r.top);
		step(r.left == 40 && r.top == 50 && r.right - r.left == 820,
		     "window placement restored");
	}
	screenshot(L"restored");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 20000) == 0, "Exit");

	/* The config file gone: a message, not a crash. */
	DeleteFileW(cfg);
	step(start_app(exe2, L"", &p), "start with the config file missing");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	step(wait_text(w, IDC_STATUS, L"not found", 3000), "status line says the file is missing");
	screenshot(L"config-missing");

	/* A folder named in Japanese on the stick: Unicode paths throughout. */
	_snwprintf(buf, 1024, L"%ls\\ini2\\\u30e1\u30fc\u30eb\u8a2d\u5b9a", work);
	CreateDirectoryW(buf, NULL);
	_snwprintf(cfg, MAX_PATH * 2, L"%ls\\config.txt", buf);
	step(write_file(cfg, config_txt),
	     "config.txt in a folder named \u30e1\u30fc\u30eb\u8a2d\u5b9a");
	set_text(w, IDC_CONFIG_EDIT, cfg);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_CONFIG_EDIT, EN_KILLFOCUS),
		     (LPARAM)GetDlgItem(w, IDC_CONFIG_EDIT));
	Sleep(1000);
	step(SendMessageW(GetDlgItem(w, IDC_HOST_COMBO), CB_GETCOUNT, 0, 0) >= 2,
	     "its Host profiles are listed");
	screenshot(L"unicode-folder");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 20000) == 0, "Exit");
	_snwprintf(buf, 1024, L"%ls\\PortForwarder.ini", dir2);
	text = read_file(buf);
	step(text != NULL && strstr(text, "ConfigFile=..\\\xE3\x83\xA1\xE3\x83\xBC\xE3\x83\xAB"
					  "\xE8\xA8\xAD\xE5\xAE\x9A\\config.txt\r\n") != NULL,
	     "ini holds the Unicode path, relative, in UTF-8");
	free(text);
	return failed != 0;
kill:
	kill_app(&p);
	return 1;
}

static int scenario_tray(const wchar_t *exe0, const wchar_t *work)
{
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2];
	app_proc p;
	HWND w;

	step(copy_app(exe0, work, L"tray", dir, exe), "copy PortForwarder.exe");
	step(start_app(exe, L"", &p), "start");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	screenshot(L"started");
	PostMessageW(w, WM_COMMAND, IDCANCEL, 0);
	step(wait_visible(w, 0, 5000), "Escape hides the window to the tray");
	step(wait_text(w, IDC_LOG, L"notification area", 3000),
	     "the log says it keeps running in the tray (first time)");
	screenshot(L"hidden");
	tray_event(w, WM_LBUTTONDBLCLK);
	step(wait_visible(w, 1, 5000), "double-click restores");
	screenshot(L"restored");
	PostMessageW(w, WM_CLOSE, 0, 0);
	step(wait_visible(w, 0, 5000), "close button hides");
	step(still_running(&p), "still running");
	/* Explorer restarted: the icon is added again, nothing breaks. */
	PostMessageW(w, RegisterWindowMessageW(L"TaskbarCreated"), 0, 0);
	Sleep(500);
	step(still_running(&p), "TaskbarCreated handled");
	step(tray_menu_choose(&p, w, L's', L"menu-show"), "tray menu: Show");
	step(wait_visible(w, 1, 5000), "Show restores the window");
	step(tray_menu_choose(&p, w, L'x', L"menu-exit"), "tray menu: Exit");
	step(wait_exit(&p, 20000) == 0, "Exit from the tray ends the process with code 0");
	return failed != 0;
kill:
	kill_app(&p);
	return 1;
}

/* Run one --test-dialog case: fill `text` (if any) into the edit, press
 * `button`, and compare the exit code. */
static void dialog_case(const wchar_t *exe, const wchar_t *args, int probe, const wchar_t *text,
			int button, int want, const char *what, const wchar_t *shot)
{
	app_proc p;
	HWND d;
	int code;
	char line[256];

	if (!start_app(exe, args, &p)) {
		step(0, what);
		return;
	}
	d = wait_for(&p, NULL, probe, 20000);
	if (d == NULL) {
		_snprintf(line, sizeof(line), "%s: dialog shown", what);
		step(0, line);
		kill_app(&p);
		return;
	}
	if (text != NULL)
		set_text(d, IDC_DLG_EDIT, text);
	screenshot(shot);
	click(d, button);
	code = wait_exit(&p, 20000);
	printf("  exit code %d (want %d)\n", code, want);
	step(code == want, what);
	if (code == -1)
		kill_app(&p);
}

static int scenario_dialogs(const wchar_t *exe0, const wchar_t *work)
{
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2], buf[512];
	app_proc p;
	HWND d;

	step(copy_app(exe0, work, L"dialogs", dir, exe), "copy PortForwarder.exe");
	dialog_case(exe, L"--test-dialog passphrase hunter2", IDC_DLG_EDIT, L"hunter2", IDOK, 21,
		    "passphrase: OK returns what was typed", L"passphrase");
	dialog_case(exe, L"--test-dialog passphrase hunter2", IDC_DLG_EDIT, L"hunter2", IDCANCEL,
		    20, "passphrase: Cancel returns nothing", L"passphrase-cancel");
	dialog_case(exe, L"--test-dialog password pw", IDC_DLG_EDIT, L"pw", IDOK, 21,
		    "password prompt", L"password");
	dialog_case(exe, L"--test-dialog kbdint-echo 123456", IDC_DLG_EDIT, L"123456", IDOK, 21,
		    "keyboard-interactive prompt", L"kbdint");
	dialog_case(exe, L"--test-dialog hostkey", IDC_HK_SAVE, NULL, IDC_HK_SAVE, 12,
		    "host key: Trust and save", L"hostkey-unknown");
	dialog_case(exe, L"--test-dialog hostkey", IDC_HK_SAVE, NULL, IDC_HK_ONCE, 11,
		    "host key: Connect once", L"hostkey-once");
	dialog_case(exe, L"--test-dialog hostkey", IDC_HK_SAVE, NULL, IDCANCEL, 10,
		    "host key: Cancel rejects", L"hostkey-cancel");
	dialog_case(exe, L"--test-dialog hostkey-other", IDC_HK_WARNING, NULL, IDCANCEL, 10,
		    "host key of another type: a warning without Trust buttons", L"hostkey-other");

	/* The second try says why, and the field is masked. */
	if (start_app(exe, L"--test-dialog passphrase-retry right", &p)) {
		d = wait_for(&p, NULL, IDC_DLG_EDIT, 20000);
		step(d != NULL, "passphrase asked again");
		if (d != NULL) {
			get_text(d, IDC_DLG_REASON, buf, 512);
			printf("  reason: %ls\n", buf);
			step(wcsstr(buf, L"Wrong passphrase") != NULL && wcsstr(buf, L"2") != NULL,
			     "... names the reason and the attempt");
			get_text(d, IDC_DLG_TEXT, buf, 512);
			step(wcsstr(buf, L"id_ed25519") != NULL, "... names the key file");
			step(SendMessageW(GetDlgItem(d, IDC_DLG_EDIT), EM_GETPASSWORDCHAR, 0, 0) !=
				     0,
			     "... the field is masked");
			/* Caps Lock on: the hint shows (a key press, as a person makes it). */
			{
				INPUT in[2];

				memset(in, 0, sizeof(in));
				in[0].type = in[1].type = INPUT_KEYBOARD;
				in[0].ki.wVk = in[1].ki.wVk = VK_CAPITAL;
				in[1].ki.dwFlags = KEYEVENTF_KEYUP;
				SetForegroundWindow(d);
				SendInput(2, in, sizeof(INPUT));
				step(wait_visible(GetDlgItem(d, IDC_DLG_CAPSLOCK), 1, 3000),
				     "... Caps Lock on shows the hint");
				screenshot(L"capslock");
				SendInput(2, in, sizeof(INPUT));
				step(wait_visible(GetDlgItem(d, IDC_DLG_CAPSLOCK), 0, 3000),
				     "... and off hides it");
			}
			set_text(d, IDC_DLG_EDIT, L"wrong");
			screenshot(L"passphrase-retry");
			click(d, IDOK);
		}
		step(wait_exit(&p, 20000) == 22, "... a different answer is told apart");
		kill_app(&p);
	}

	/* A changed key: a warning with both fingerprints, no way to accept. */
	if (start_app(exe, L"--test-dialog hostkey-changed", &p)) {
		d = wait_for(&p, NULL, IDC_HK_OLD_FP, 20000);
		step(d != NULL, "changed host key: warning shown");
		if (d != NULL) {
			step(GetDlgItem(d, IDC_HK_SAVE) == NULL &&
				     GetDlgItem(d, IDC_HK_ONCE) == NULL,
			     "... with no accept button");
			get_text(d, IDC_HK_OLD_FP, buf, 512);
			step(wcsncmp(buf, L"SHA256:", 7) == 0,
			     "... shows the recorded fingerprint");
			get_text(d, IDC_HK_FILE, buf, 512);
			printf("  recorded in: %ls\n", buf);
			step(wcsstr(buf, L"known_hosts") != NULL && wcsstr(buf, L"3") != NULL,
			     "... names the known_hosts file and line");
			screenshot(L"hostkey-changed");
			click(d, IDOK);
		}
		step(wait_exit(&p, 20000) == 10, "... closing rejects");
		kill_app(&p);
	}
	return failed != 0;
}

/* The pf_ui path end to end: worker thread -> PostMessage -> dialogs ->
 * done-callbacks -> status line, list view, log. */
static int scenario_ui(const wchar_t *exe0, const wchar_t *work)
{
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2];
	app_proc p;
	HWND w, d;

	step(copy_app(exe0, work, L"ui", dir, exe), "copy PortForwarder.exe");
	step(start_app(exe, L"--test-ui", &p), "start with the scripted connection");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	d = wait_for(&p, NULL, IDC_HK_SAVE, 20000);
	step(d != NULL, "host key question arrives from the worker");
	if (d == NULL)
		goto kill;
	step(wait_text(w, IDC_STATUS, L"Connecting", 3000), "status: Connecting...");
	screenshot(L"hostkey");
	click(d, IDC_HK_SAVE);
	step(wait_text(w, IDC_LOG, L"host key answer 2", 5000), "worker got Trust and save");
	d = wait_for(&p, NULL, IDC_DLG_EDIT, 20000);
	step(d != NULL, "passphrase question");
	if (d == NULL)
		goto kill;
	set_text(d, IDC_DLG_EDIT, L"wrong");
	click(d, IDOK);
	Sleep(1000);
	d = wait_for(&p, NULL, IDC_DLG_EDIT, 20000);
	step(d != NULL, "asked again after a wrong passphrase");
	if (d == NULL)
		goto kill;
	step(wait_text(d, IDC_DLG_REASON, L"Wrong passphrase", 3000), "... saying why");
	screenshot(L"passphrase-again");
	set_text(d, IDC_DLG_EDIT, L"right");
	set_text(w, IDC_HOST_COMBO, L"IMR");
	click(d, IDOK);
	step(wait_text(w, IDC_STATUS, L"IMR: Connected", 10000), "status: IMR: Connected");
	{
		LRESULT n = SendMessageW(GetDlgItem(w, IDC_FWD_LIST), LVM_GETITEMCOUNT_, 0, 0);

		/* 5 once CMS-SSH reports: both connections with their forwards. */
		step(n == 2 || n == 5, "the list shows the two forwards");
	}
	step(wait_text(w, IDC_LOG, L"passphrase accepted", 3000),
	     "worker got the right passphrase");
	step(!wait_text(w, IDC_LOG, L"wrong", 300) && !wait_text(w, IDC_LOG, L"right", 100),
	     "no passphrase in the log");
	step(!wait_text(w, IDC_LOG, L"a verbose line", 500), "verbose lines filtered out");
	screenshot(L"connected");
	/* The filter: Errors only, then Debug. */
	SendMessageW(GetDlgItem(w, IDC_LOG_LEVEL), CB_SETCURSEL, 0, 0);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_LOG_LEVEL, CBN_SELCHANGE),
		     (LPARAM)GetDlgItem(w, IDC_LOG_LEVEL));
	Sleep(500);
	step(wait_text(w, IDC_LOG, L"an error line", 3000) &&
		     !wait_text(w, IDC_LOG, L"host key answer", 300),
	     "filter Errors shows only errors");
	SendMessageW(GetDlgItem(w, IDC_LOG_LEVEL), CB_SETCURSEL, 3, 0);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_LOG_LEVEL, CBN_SELCHANGE),
		     (LPARAM)GetDlgItem(w, IDC_LOG_LEVEL));
	step(wait_text(w, IDC_LOG, L"a debug line", 3000), "filter Debug shows everything");
	step(wait_text(w, IDC_LOG, L"Tray: PortForwarder \u2014 IMR: Connected (2 forwards)", 3000),
	     "tray tooltip: PortForwarder \xE2\x80\x94 IMR: Connected (2 forwards)");
	screenshot(L"log-debug");
	/* Two hosts at once: each its own state and forwards. */
	step(wait_text(w, IDC_LOG, L"CMS-SSH: Connecting", 3000), "a second host is connecting");
	set_text(w, IDC_HOST_COMBO, L"CMS-SSH");
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_HOST_COMBO, CBN_EDITCHANGE),
		     (LPARAM)GetDlgItem(w, IDC_HOST_COMBO));
	step(wait_text(w, IDC_STATUS, L"CMS-SSH: Connecting", 3000), "choosing it shows its state");
	step(SendMessageW(GetDlgItem(w, IDC_FWD_LIST), LVM_GETITEMCOUNT_, 0, 0) == 5,
	     "the list shows both connections (a row each) and their 2 + 1 forwards");
	step(wait_text(w, IDC_LOG,
		       L"IMR: Connected (2 forwards); CMS-SSH: Connecting... (1 forward)", 3000),
	     "the tooltip names both hosts");
	screenshot(L"second-host");
	set_text(w, IDC_HOST_COMBO, L"IMR");
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_HOST_COMBO, CBN_EDITCHANGE),
		     (LPARAM)GetDlgItem(w, IDC_HOST_COMBO));
	step(wait_text(w, IDC_STATUS, L"IMR: Connected", 3000), "back to the first host");
	/* Resizable: the list and the log grow with the window. */
	SetWindowPos(w, NULL, 20, 20, 1000, 720, SWP_NOZORDER);
	screenshot(L"resized");
	step(tray_menu_choose(&p, w, L'x', L"tray-menu"), "tray menu");
	step(wait_exit(&p, 20000) == 0, "Exit from the tray");
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	return 1;
}

/* Cancel at the passphrase leaves the app idle and usable; Exit while a
 * question is open cancels it and still ends the process. */
static int scenario_ui_cancel(const wchar_t *exe0, const wchar_t *work)
{
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2];
	app_proc p;
	HWND w, d;

	step(copy_app(exe0, work, L"ui-cancel", dir, exe), "copy PortForwarder.exe");
	step(start_app(exe, L"--test-ui", &p), "start with the scripted connection");
	w = wait_main(&p);
	d = wait_for(&p, NULL, IDC_HK_ONCE, 20000);
	step(w != NULL && d != NULL, "host key question");
	if (d == NULL)
		goto kill;
	click(d, IDC_HK_ONCE);
	step(wait_text(w, IDC_LOG, L"host key answer 1", 5000), "worker got Connect once");
	d = wait_for(&p, NULL, IDC_DLG_EDIT, 20000);
	step(d != NULL, "passphrase question");
	if (d == NULL)
		goto kill;
	click(d, IDCANCEL);
	step(wait_text(w, IDC_LOG, L"passphrase cancelled", 5000), "worker got the cancel");
	step(wait_text(w, IDC_STATUS, L"Not connected", 5000), "status: IMR: Not connected");
	Sleep(500);
	step(still_running(&p) && IsWindowVisible(w), "the app stays open");
	screenshot(L"cancelled");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 20000) == 0, "Exit");

	step(start_app(exe, L"--test-ui", &p), "start again");
	w = wait_main(&p);
	d = wait_for(&p, NULL, IDC_HK_SAVE, 20000);
	step(w != NULL && d != NULL, "host key question open");
	if (d == NULL)
		goto kill;
	step(tray_menu_choose(&p, w, L'x', L"exit-while-asking"), "tray menu: Exit");
	step(wait_exit(&p, 20000) == 0, "Exit with a question open ends the process");
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	return 1;
}

/* Start exe, check the Connect button reads `want`, take a screenshot,
 * press Exit. */
static void check_connect_text(const wchar_t *exe, const wchar_t *want, const char *what,
			       const wchar_t *shot)
{
	wchar_t buf[256] = L"";
	app_proc p;
	HWND w;

	if (!start_app(exe, L"", &p)) {
		step(0, what);
		return;
	}
	w = wait_main(&p);
	if (w != NULL)
		get_text(w, IDC_CONNECT, buf, 256);
	printf("  Connect reads: %ls\n", buf);
	step(w != NULL && wcscmp(buf, want) == 0, what);
	screenshot(shot);
	if (w != NULL)
		click(w, IDC_EXIT);
	step(wait_exit(&p, 20000) == 0, "Exit");
	kill_app(&p);
}

/* Japanese UI: run with a Japanese locale (PF_TEST_LOCALE=ja_JP.UTF-8), or
 * forced by Language=ja in the ini. */
static int scenario_ja(const wchar_t *exe0, const wchar_t *work)
{
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2], buf[256], ini[MAX_PATH * 2];
	app_proc p;
	HWND w, d;
	/* 接続(&O), 終了(&X), 未接続-free start: "「...」ボタンで" */
	static const wchar_t connect_ja[] = L"\u63a5\u7d9a(&O)";
	static const wchar_t exit_ja[] = L"\u7d42\u4e86(&X)";

	step(copy_app(exe0, work, L"ja", dir, exe), "copy PortForwarder.exe");
	step(start_app(exe, L"", &p), "start (user's UI language Japanese)");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	get_text(w, IDC_CONNECT, buf, 256);
	step(wcscmp(buf, connect_ja) == 0, "Connect button is in Japanese");
	get_text(w, IDC_EXIT, buf, 256);
	step(wcscmp(buf, exit_ja) == 0, "Exit button is in Japanese");
	get_text(w, IDC_ON_DEMAND, buf, 256); /* 初めて使うときに接続(&U) */
	step(wcscmp(buf, L"\u521d\u3081\u3066\u4f7f\u3046\u3068\u304d\u306b\u63a5\u7d9a(&U)") == 0,
	     "\"Connect when first used\" is in Japanese, with its mnemonic");
	screenshot(L"main");
	tray_menu_choose(&p, w, L'x', L"tray-menu");
	step(wait_exit(&p, 20000) == 0, "Exit from the Japanese tray menu");

	dialog_case(exe, L"--test-dialog passphrase \u65e5\u672c\u8a9e", IDC_DLG_EDIT,
		    L"\u65e5\u672c\u8a9e", IDOK, 21,
		    "passphrase dialog in Japanese, Unicode answer", L"passphrase");
	dialog_case(exe, L"--test-dialog hostkey", IDC_HK_SAVE, NULL, IDC_HK_SAVE, 12,
		    "host key dialog in Japanese", L"hostkey");
	if (start_app(exe, L"--test-dialog hostkey-changed", &p)) {
		d = wait_for(&p, NULL, IDC_HK_OLD_FP, 20000);
		if (d != NULL) {
			screenshot(L"hostkey-changed");
			click(d, IDOK);
		}
		step(wait_exit(&p, 20000) == 10, "changed host key warning in Japanese");
		kill_app(&p);
	}

	/* Language=en in the ini wins over the UI language. */
	_snwprintf(ini, MAX_PATH * 2, L"%ls\\PortForwarder.ini", dir);
	write_file(ini, "[PortForwarder]\r\nLanguage=en\r\n");
	check_connect_text(exe, L"C&onnect", "Language=en gives English", L"language-en");
	return failed != 0;
kill:
	kill_app(&p);
	return 1;
}

/* Language=ja in the ini with an English system (UTF-8 ini with BOM). */
static int scenario_ja_ini(const wchar_t *exe0, const wchar_t *work)
{
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2], ini[MAX_PATH * 2];

	step(copy_app(exe0, work, L"ja-ini", dir, exe), "copy PortForwarder.exe");
	_snwprintf(ini, MAX_PATH * 2, L"%ls\\PortForwarder.ini", dir);
	write_file(ini, "\xEF\xBB\xBF[PortForwarder]\r\nLanguage=ja\r\n");
	check_connect_text(exe, L"\u63a5\u7d9a(&O)", "Language=ja gives Japanese", L"main");
	return failed != 0;
}

/* PortForwarder.exe [-F config] [-N] [-v] [user@]host */
static int scenario_cmdline(const wchar_t *exe0, const wchar_t *work)
{
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2], cfg[MAX_PATH * 2], args[MAX_PATH * 3];
	app_proc p;
	HWND w;

	step(copy_app(exe0, work, L"cmdline", dir, exe), "copy PortForwarder.exe");
	_snwprintf(cfg, MAX_PATH * 2, L"%ls\\my config.txt", dir);
	step(write_file(cfg, config_txt), "write a config whose name has a space");
	_snwprintf(args, MAX_PATH * 3, L"-N -v -F \"%ls\" -Z CMS-SSH", cfg);
	step(start_app(exe, args, &p), "start with -N -v -F <config> -Z CMS-SSH");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	step(wait_text(w, IDC_CONFIG_EDIT, L"my config.txt", 3000), "-F sets the config file");
	step(wait_text(w, IDC_HOST_COMBO, L"CMS-SSH", 3000), "the host is selected");
	step(wait_text(w, IDC_LOG, L"Host from the command line: CMS-SSH", 3000),
	     "the log says it will connect to it");
	step(wait_text(w, IDC_LOG, L"-Z is not understood", 3000), "an unknown option is named");
	step(SendMessageW(GetDlgItem(w, IDC_LOG_LEVEL), CB_GETCURSEL, 0, 0) == 2,
	     "-v shows verbose lines");
	screenshot(L"started");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 20000) == 0, "Exit");
	return failed != 0;
kill:
	kill_app(&p);
	return 1;
}

/* ---- the user's day against a real sshd (tests/e2e/day.sh) ----
 * `work` is the kit folder day.sh prepared: PortForwarder.exe, config.txt
 * (two Host profiles; the second is our sshd with two LocalForwards),
 * id_ed25519 with the passphrase DAY_PASSPHRASE. Checks from Linux happen
 * between "step-connected" (written here) and "step-checked" (written by
 * day.sh, "ok" when both forwards carried data). */
#define DAY_PASSPHRASE L"pf day passphrase"

static int wait_file(const wchar_t *path, DWORD ms)
{
	DWORD t0 = GetTickCount();

	do {
		if (GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES)
			return 1;
		Sleep(200);
	} while (GetTickCount() - t0 < ms);
	return 0;
}

/* Start the kit's exe, choose config.txt and the second Host, click Connect. */
static HWND day_start(const wchar_t *kit, app_proc *p, int auto_hide)
{
	wchar_t exe[MAX_PATH * 2], cfg[MAX_PATH * 2];
	HWND w;

	_snwprintf(exe, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	_snwprintf(cfg, MAX_PATH * 2, L"%ls\\config.txt", kit);
	step(start_app(exe, L"", p), "double-click PortForwarder.exe in the kit");
	w = wait_main(p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		return NULL;
	set_text(w, IDC_CONFIG_EDIT, cfg);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_CONFIG_EDIT, EN_KILLFOCUS),
		     (LPARAM)GetDlgItem(w, IDC_CONFIG_EDIT));
	Sleep(1000);
	step(SendMessageW(GetDlgItem(w, IDC_HOST_COMBO), CB_GETCOUNT, 0, 0) >= 2,
	     "the Host list holds the config's profiles");
	SendMessageW(GetDlgItem(w, IDC_HOST_COMBO), CB_SETCURSEL, 1, 0);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_HOST_COMBO, CBN_SELCHANGE),
		     (LPARAM)GetDlgItem(w, IDC_HOST_COMBO));
	step(wait_text(w, IDC_HOST_COMBO, L"CMS-SSH", 3000), "the second Host is chosen");
	if (auto_hide && IsDlgButtonChecked(w, IDC_AUTO_HIDE) != BST_CHECKED) {
		SendMessageW(GetDlgItem(w, IDC_AUTO_HIDE), BM_SETCHECK, BST_CHECKED, 0);
		click(w, IDC_AUTO_HIDE);
	}
	screenshot(L"config-chosen");
	click(w, IDC_CONNECT);
	return w;
}

/* Type `text` into a secret dialog and press OK, after a screenshot. */
static void answer_secret(HWND d, const wchar_t *text, const wchar_t *shot)
{
	screenshot(shot);
	set_text(d, IDC_DLG_EDIT, text);
	click(d, IDOK);
	Sleep(500);
}

/* Answer the passphrase dialog with `pass`; 1 when it was there. */
static int day_passphrase(app_proc *p, const wchar_t *pass, const wchar_t *reason)
{
	HWND d = wait_for(p, NULL, IDC_DLG_EDIT, 30000);

	if (d == NULL)
		return 0;
	if (reason != NULL)
		step(wait_text(d, IDC_DLG_REASON, reason, 5000),
		     "the dialog says why it asks again");
	answer_secret(d, pass, reason ? L"passphrase-again" : L"passphrase");
	return 1;
}

/* A scenario that cannot go on: a screenshot, the app ended; 1. */
static int day_failed(app_proc *p)
{
	screenshot(L"failure");
	kill_app(p);
	return 1;
}

/* The file dialog "Save log..." opens, by its file name box. */
static HWND wait_save_dialog(app_proc *p)
{
	HWND d = wait_for(p, L"#32770", 0x47c, 15000); /* the file name box (cmb13) */

	return d != NULL ? d : wait_for(p, L"#32770", 0x480, 1000); /* edt1 */
}

/* "Save log..." to `saved` (a full path), then Exit: the scenario's result. */
static int save_log_exit(app_proc *p, HWND w, const wchar_t *saved)
{
	HWND d;

	click(w, IDC_SAVE_LOG);
	d = wait_save_dialog(p);
	step(d != NULL, "Save log... opens the save dialog");
	if (d == NULL)
		return day_failed(p);
	screenshot(L"save-log");
	set_text(d, GetDlgItem(d, 0x47c) != NULL ? 0x47c : 0x480, saved);
	click(d, IDOK);
	step(wait_file(saved, 15000), "the log is saved where the person chose");
	step(wait_text(w, IDC_LOG, L"Event log saved to", 5000), "and the log says so");
	click(w, IDC_EXIT);
	step(wait_exit(p, 30000) == 0, "Exit");
	return failed != 0;
}

/* Linux checks the forwards between step-connected (written here) and
 * step-checked (written by the script: "ok" when the forwards carried data). */
static void day_linux_checks(const wchar_t *kit)
{
	wchar_t flag[MAX_PATH * 2], checked[MAX_PATH * 2];
	char *text;

	_snwprintf(flag, MAX_PATH * 2, L"%ls\\step-connected", kit);
	_snwprintf(checked, MAX_PATH * 2, L"%ls\\step-checked", kit);
	write_file(flag, "connected\n");
	step(wait_file(checked, 60000), "the forwards were checked from Linux");
	text = read_file(checked);
	step(text != NULL && strncmp(text, "ok", 2) == 0, "both forwards carried data");
	free(text);
	DeleteFileW(flag);
	DeleteFileW(checked);
}

/* The status line names the proxy: "CMS-SSH: <state> (... via HTTP proxy ...)". */
static int proxy_status(HWND w, const wchar_t *state, DWORD ms)
{
	wchar_t want[128];

	_snwprintf(want, 128, L"CMS-SSH: %ls", state);
	return wait_text(w, IDC_STATUS, want, ms) &&
	       wait_text(w, IDC_STATUS, L" via HTTP proxy ", 1000);
}

/* The day: host key, a wrong then the right passphrase, Connected and
 * hidden, the forwards checked from Linux, Exit from the tray. `proxy`: the
 * kit's CMS-SSH goes through an HTTP proxy (tests/e2e/proxy_day.sh), and
 * the status line and the log must name it. */
static int day_run(const wchar_t *kit, int proxy)
{
	wchar_t ini[MAX_PATH * 2];
	app_proc p;
	HWND w, d;
	char *text;

	w = day_start(kit, &p, 1);
	if (w == NULL)
		goto kill;
	d = wait_for(&p, NULL, IDC_HK_SAVE, 30000);
	step(d != NULL, "first time: the host key question");
	if (d == NULL)
		goto kill;
	if (proxy)
		step(proxy_status(w, L"", 5000),
		     "while connecting, the status names the HTTP proxy");
	step(wait_text(d, IDC_HK_FP, L"SHA256:", 3000), "it shows the SHA256 fingerprint");
	screenshot(L"hostkey");
	click(d, IDC_HK_SAVE);
	step(day_passphrase(&p, L"not my passphrase", NULL), "the passphrase question");
	step(day_passphrase(&p, DAY_PASSPHRASE, L"Wrong passphrase"),
	     "a wrong passphrase: asked again");
	step(wait_text(w, IDC_STATUS, L"CMS-SSH: Connected", 30000), "status: Connected");
	if (proxy)
		step(proxy_status(w, L"Connected", 1000), "the status names the HTTP proxy");
	step(wait_visible(w, 0, 10000), "Automatically: hidden to the tray once connected");
	screenshot(L"connected-in-tray");
	day_linux_checks(kit);
	step(wait_text(w, IDC_LOG, L"Connected to", 3000), "the event log says so");
	if (proxy)
		step(wait_text(w, IDC_LOG, L"via the HTTP proxy", 3000),
		     "the event log says it went through the proxy (natively: no connect.exe)");
	step(!wait_text(w, IDC_LOG, L"pf day passphrase", 300) &&
		     !wait_text(w, IDC_LOG, L"not my passphrase", 100),
	     "no passphrase in the event log");

	step(tray_menu_choose(&p, w, L'x', L"tray-menu-exit"), "right-click the tray icon: Exit");
	step(wait_exit(&p, 30000) == 0, "Exit closes the tunnels and ends the process");

	_snwprintf(ini, MAX_PATH * 2, L"%ls\\PortForwarder.ini", kit);
	text = read_file(ini);
	step(text != NULL && strstr(text, "ConfigFile=config.txt") != NULL,
	     "PortForwarder.ini holds the config path relative to the exe");
	if (text != NULL)
		printf("----- PortForwarder.ini\n%s-----\n", text);
	free(text);
	return failed != 0;
kill:
	return day_failed(&p);
}

static int scenario_day(const wchar_t *exe0, const wchar_t *kit)
{
	(void)exe0;
	return day_run(kit, 0);
}

/* Cancel at the passphrase: back to idle, the app stays and connects
 * later; then Exit with the button. */
static int scenario_day_cancel(const wchar_t *exe0, const wchar_t *kit)
{
	app_proc p;
	HWND w, d;

	(void)exe0;
	w = day_start(kit, &p, 0);
	if (w == NULL)
		goto kill;
	d = wait_for(&p, NULL, IDC_DLG_EDIT, 30000);
	step(d != NULL, "the passphrase question (host key already trusted)");
	if (d == NULL)
		goto kill;
	click(d, IDCANCEL);
	step(wait_text(w, IDC_LOG, L"cancelled", 10000), "the log says the login was cancelled");
	Sleep(500);
	step(still_running(&p) && IsWindowVisible(w), "the app stays open and idle");
	screenshot(L"cancelled");
	click(w, IDC_CONNECT);
	step(day_passphrase(&p, DAY_PASSPHRASE, NULL), "Connect again asks again");
	step(wait_text(w, IDC_STATUS, L"CMS-SSH: Connected", 30000), "and connects");
	screenshot(L"connected");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	return failed != 0;
kill:
	return day_failed(&p);
}

/* The PC wakes from sleep while a connection waits out a long back-off:
 * it reconnects at once (WM_POWERBROADCAST), not when the back-off ends.
 * day.sh stops the server at "step-resume-1" and starts it again when it
 * sees "step-resume-2". */
static int scenario_day_resume(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t flag[MAX_PATH * 2], status[512];
	app_proc p;
	HWND w;
	DWORD t0, waited;
	unsigned left = 0;
	int i;

	(void)exe0;
	w = day_start(kit, &p, 0);
	if (w == NULL)
		goto kill;
	step(day_passphrase(&p, DAY_PASSPHRASE, NULL), "the passphrase question");
	step(wait_text(w, IDC_STATUS, L"CMS-SSH: Connected", 30000), "connected");
	_snwprintf(flag, MAX_PATH * 2, L"%ls\\step-resume-1", kit);
	write_file(flag, "stop the server\n");
	/* Wait until the back-off has grown to several seconds. */
	for (i = 0; i < 600; i++) {
		wchar_t *n;

		get_text(w, IDC_STATUS, status, 512);
		n = wcsstr(status, L"Reconnecting in ");
		if (n != NULL && (left = (unsigned)wcstoul(n + 16, NULL, 10)) >= 6)
			break;
		Sleep(100);
	}
	printf("  status: %ls\n", status);
	step(left >= 6, "the server is gone: reconnecting, with a back-off of several seconds");
	screenshot(L"reconnecting");
	_snwprintf(flag, MAX_PATH * 2, L"%ls\\step-resume-2", kit);
	write_file(flag, "start the server\n");
	_snwprintf(flag, MAX_PATH * 2, L"%ls\\step-resume-3", kit);
	step(wait_file(flag, 30000), "the server is back");
	/* The PC wakes up. */
	t0 = GetTickCount();
	PostMessageW(w, WM_POWERBROADCAST, PBT_APMRESUMEAUTOMATIC, 0);
	step(wait_text(w, IDC_STATUS, L"CMS-SSH: Connected", (DWORD)(left - 2) * 1000),
	     "resume from sleep reconnects at once, not after the back-off");
	waited = GetTickCount() - t0;
	printf("  connected %lu ms after the resume (the back-off had %u s left)\n",
	       (unsigned long)waited, left);
	screenshot(L"reconnected");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	return failed != 0;
kill:
	return day_failed(&p);
}

/* The server's host key changed: a warning with both fingerprints and the
 * known_hosts line, no way to accept it, no connection. */
static int scenario_day_changed(const wchar_t *exe0, const wchar_t *kit)
{
	app_proc p;
	HWND w, d;

	(void)exe0;
	w = day_start(kit, &p, 0);
	if (w == NULL)
		goto kill;
	d = wait_for(&p, NULL, IDC_HK_WARNING, 30000);
	step(d != NULL, "a warning about the changed host key");
	if (d == NULL)
		goto kill;
	step(GetDlgItem(d, IDC_HK_SAVE) == NULL || !IsWindowVisible(GetDlgItem(d, IDC_HK_SAVE)),
	     "no Trust and save button");
	step(wait_text(d, IDC_HK_OLD_FP, L"SHA256:", 3000), "the old fingerprint is shown");
	step(wait_text(d, IDC_HK_FILE, L"known_hosts", 3000), "and the known_hosts line");
	screenshot(L"hostkey-changed");
	click(d, IDCANCEL);
	step(wait_text(w, IDC_LOG, L"CHANGED", 10000), "the log explains");
	step(!wait_text(w, IDC_STATUS, L"Connected", 2000), "never Connected");
	step(still_running(&p), "the app stays open");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	return failed != 0;
kill:
	return day_failed(&p);
}

/* ---- behind a proxy (tests/e2e/proxy_day.sh, issue 17) ----
 * The day's kit, but CMS-SSH carries "ProxyCommand connect.exe -H proxy:port
 * %h %p" and its sshd is reachable only through that proxy (tinyproxy; the
 * script runs Wine in a network namespace whose only way out is the proxy).
 * No connect.exe exists anywhere: the line is spoken natively. */

static int scenario_proxy_day(const wchar_t *exe0, const wchar_t *kit)
{
	(void)exe0;
	return day_run(kit, 1);
}

/* Wait for the prompt dialog asking for the proxy's password and answer it. */
static int proxy_password(app_proc *p, const wchar_t *pw, int again)
{
	HWND d = wait_for(p, NULL, IDC_DLG_EDIT, 30000);

	if (d == NULL)
		return 0;
	step(wait_text(d, IDC_DLG_TEXT, L"Password for bob on the HTTP proxy ", 3000),
	     "the dialog asks for the proxy's password and names the proxy");
	step(wait_text(d, IDC_DLG_HEADER, L"the proxy on the way to the server asks", 1000),
	     "its heading says the proxy asks, not the server");
	if (again)
		step(wait_text(d, IDC_DLG_REASON, L"refused", 3000),
		     "after the 407, it says the proxy refused the password");
	answer_secret(d, pw, again ? L"proxy-password-again" : L"proxy-password");
	return 1;
}

/* A proxy with Basic auth (connect.exe -H bob@proxy:port): its password is
 * asked (PF_SECRET_PROXY_PASSWORD), a wrong one is asked again after the
 * proxy's 407, the right one gets through; then the key's passphrase;
 * "Save log..." to saved-log.txt (proxy_day.sh looks for the password). */
static int scenario_proxy_auth(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t saved[MAX_PATH * 2];
	app_proc p;
	HWND w;

	(void)exe0;
	_snwprintf(saved, MAX_PATH * 2, L"%ls\\saved-log.txt", kit);
	w = day_start(kit, &p, 0);
	if (w == NULL)
		goto kill;
	step(proxy_password(&p, L"not-the-proxy-pw", 0), "the proxy asks for a password");
	step(proxy_password(&p, L"s3cret-pw", 1), "a wrong proxy password: asked again");
	step(day_passphrase(&p, DAY_PASSPHRASE, NULL), "then the key's passphrase");
	step(proxy_status(w, L"Connected", 30000), "status: Connected, via the HTTP proxy");
	screenshot(L"connected-via-auth-proxy");
	day_linux_checks(kit);
	step(!wait_text(w, IDC_LOG, L"s3cret-pw", 300) &&
		     !wait_text(w, IDC_LOG, L"not-the-proxy-pw", 100),
	     "no proxy password in the event log");
	return save_log_exit(&p, w, saved);
kill:
	return day_failed(&p);
}

/* ---- connect on first use (tests/e2e/ondemand.sh) ----
 * `work` is the kit: PortForwarder.exe, config.txt with the Host OD (one
 * LocalForward to an echo server, a key with the passphrase
 * OD_PASSPHRASE, known_hosts that already trusts the server) and a
 * PortForwarder.ini choosing OD with IdleDisconnectMinutes for it (no GUI
 * field) but not yet "Connect when first used". The script checks from Linux
 * between the step files: "od-listening" (written here: no TCP connection
 * to sshd yet; then a client), "od-connected" (its echo, one connection),
 * "od-checked" ("ok ..."), "od-idle" (disconnected again, no connection; a
 * second client), "od-checked2". */
#define OD_PASSPHRASE L"pf on demand passphrase"

/* Text of the list view's cell in another process (the message's buffer
 * must live in the owner's address space). */
static int lv_cell(app_proc *p, HWND lv, int row, int col, wchar_t *out, int cap)
{
	LVITEMW it;
	unsigned char *remote;
	SIZE_T got = 0;
	int ok = 0;

	out[0] = L'\0';
	remote =
		VirtualAllocEx(p->pi.hProcess, NULL, sizeof(it) + 1024, MEM_COMMIT, PAGE_READWRITE);
	if (remote == NULL)
		return 0;
	memset(&it, 0, sizeof(it));
	it.iSubItem = col;
	it.pszText = (LPWSTR)(remote + sizeof(it));
	it.cchTextMax = 512;
	if (WriteProcessMemory(p->pi.hProcess, remote, &it, sizeof(it), NULL) &&
	    SendMessageTimeoutW(lv, LVM_GETITEMTEXTW, (WPARAM)row, (LPARAM)remote, SMTO_ABORTIFHUNG,
				5000, NULL) &&
	    ReadProcessMemory(p->pi.hProcess, remote + sizeof(it), out,
			      (SIZE_T)(cap < 512 ? cap : 512) * sizeof(wchar_t), &got)) {
		out[cap - 1] = L'\0';
		ok = 1;
	}
	VirtualFreeEx(p->pi.hProcess, remote, 0, MEM_RELEASE);
	return ok;
}

/* Write step file `name` in the kit; wait for `then` (if any) and return
 * its text (caller frees), NULL when it did not come. */
static char *od_handshake(const wchar_t *kit, const wchar_t *name, const wchar_t *then)
{
	wchar_t path[MAX_PATH * 2];

	_snwprintf(path, MAX_PATH * 2, L"%ls\\%ls", kit, name);
	write_file(path, "go\n");
	if (then == NULL)
		return NULL;
	_snwprintf(path, MAX_PATH * 2, L"%ls\\%ls", kit, then);
	if (!wait_file(path, 120000))
		return NULL;
	Sleep(200); /* written in one go by the script, but let it land */
	return read_file(path);
}

static void od_checked(char *text, const char *what)
{
	if (text != NULL)
		printf("  Linux says: %s", text);
	step(text != NULL && strncmp(text, "ok", 2) == 0, what);
	free(text);
}

/* Start the kit's own exe; its main window, or NULL (both said). */
static HWND kit_start(const wchar_t *kit, app_proc *p)
{
	wchar_t exe[MAX_PATH * 2];
	HWND w;

	_snwprintf(exe, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	step(start_app(exe, L"", p), "start PortForwarder.exe in the kit");
	w = p->running ? wait_main(p) : NULL;
	step(w != NULL, "main window shown");
	return w;
}

static int scenario_ondemand(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t ini[MAX_PATH * 2], cell[512], label[128];
	HWND w, d, box, lv;
	app_proc p;
	char *text;

	(void)exe0;
	_snwprintf(ini, MAX_PATH * 2, L"%ls\\PortForwarder.ini", kit);
	if ((w = kit_start(kit, &p)) == NULL)
		goto kill;
	step(wait_text(w, IDC_HOST_COMBO, L"OD", 5000), "the Host OD is chosen (LastHost)");
	box = GetDlgItem(w, IDC_ON_DEMAND);
	label[0] = L'\0';
	GetWindowTextW(box, label, 128);
	printf("  check box: %ls\n", label);
	step(box != NULL && wcsstr(label, L"Connect when first") != NULL && wcschr(label, L'&') &&
		     (GetWindowLongW(box, GWL_STYLE) & WS_TABSTOP) != 0,
	     "a check box \"Connect when first used\" with a mnemonic, in the tab order");
	step(IsDlgButtonChecked(w, IDC_ON_DEMAND) == BST_UNCHECKED, "unchecked at first");
	SendMessageW(box, BM_SETCHECK, BST_CHECKED, 0);
	click(w, IDC_ON_DEMAND);
	Sleep(1000);
	text = read_file(ini);
	step(text != NULL && strstr(text, "[Host OD]\r\nConnectWhenFirstUsed=1\r\n") != NULL &&
		     strstr(text, "IdleDisconnectMinutes=0.05") != NULL,
	     "checking it saves ConnectWhenFirstUsed=1 in the ini, in OD's own section");
	free(text);
	screenshot(L"checked");

	click(w, IDC_CONNECT);
	step(wait_text(w, IDC_STATUS, L"OD: Listening, not connected", 30000),
	     "Connect: status \"OD: Listening, not connected\"");
	step(wait_text(w, IDC_LOG, L"Tray icon: listening", 5000), "the tray shows its own icon");
	step(wait_text(w, IDC_LOG, L"Tray: PortForwarder \u2014 OD: Listening, not connected",
		       5000),
	     "and the tooltip says listening");
	lv = GetDlgItem(w, IDC_FWD_LIST);
	lv_cell(&p, lv, 0, 4, cell, 512); /* Host, Type, Listening on, Destination, State */
	printf("  forward's state: %ls\n", cell);
	step(wcsstr(cell, L"Open") != NULL, "the forwards list shows the listener open");
	step(IsWindowEnabled(GetDlgItem(w, IDC_DISCONNECT)), "Disconnect is possible");
	step(wait_for(&p, NULL, IDC_DLG_EDIT, 0) == NULL, "no passphrase question yet");
	screenshot(L"listening");
	click(w, IDC_HIDE);
	step(wait_visible(w, 0, 5000), "hidden to the tray");

	/* Linux: no connection to sshd; a client comes. */
	od_handshake(kit, L"od-listening", NULL);
	d = wait_for(&p, NULL, IDC_DLG_EDIT, 120000);
	step(d != NULL, "the first client: the passphrase question appears");
	if (d == NULL)
		goto kill;
	screenshot(L"passphrase-on-first-use");
	set_text(d, IDC_DLG_EDIT, OD_PASSPHRASE);
	click(d, IDOK);
	step(wait_text(w, IDC_LOG, L"OD: Connected", 60000), "then connected");
	step(wait_text(w, IDC_LOG, L"Tray icon: connected", 5000), "the tray icon too");
	od_checked(od_handshake(kit, L"od-connected", L"od-checked"),
		   "the held client got its echo, over one connection to sshd");

	/* Idle for IdleDisconnectMinutes: back to listening. */
	step(wait_text(w, IDC_LOG, L"No connection through the forwards for 3 s", 60000),
	     "idle: disconnected");
	step(wait_text(w, IDC_STATUS, L"OD: Listening, not connected", 10000),
	     "status: listening again");
	step(wait_text(w, IDC_LOG, L"Tray: PortForwarder \u2014 OD: Listening, not connected",
		       5000),
	     "tooltip: listening again");
	od_checked(od_handshake(kit, L"od-idle", L"od-checked2"),
		   "no connection left; the next client got its echo");
	step(wait_for(&p, NULL, IDC_DLG_EDIT, 0) == NULL,
	     "no second passphrase question (the key stays unlocked for this run)");
	step(!wait_text(w, IDC_LOG, L"pf on demand passphrase", 300), "no passphrase in the log");
	step(tray_menu_choose(&p, w, L'x', L"tray-menu-exit"), "right-click the tray icon: Exit");
	step(wait_exit(&p, 30000) == 0, "Exit ends the process");
	return failed != 0;
kill:
	return day_failed(&p);
}

/* ---- host-key dialogs that resist a wrong click (tests/e2e/hostkey.sh) ----
 * The kit holds config.txt (the second Host, CMS-SSH, is the script's sshd),
 * right-fp.txt (ssh-keygen -lf of the server's key, as the administrator
 * sends it) and wrong-fp.txt (the recorded key's fingerprint). */

/* Paste `text` into control `id` as a person does: the clipboard, then
 * WM_PASTE (after emptying the field). */
static int paste(HWND dlg, int id, const char *text)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, text, -1, NULL, 0);
	HGLOBAL mem = GlobalAlloc(GMEM_MOVEABLE, (size_t)n * sizeof(wchar_t));
	wchar_t *w;

	if (mem == NULL || (w = GlobalLock(mem)) == NULL)
		return 0;
	MultiByteToWideChar(CP_UTF8, 0, text, -1, w, n);
	GlobalUnlock(mem);
	if (!OpenClipboard(NULL)) {
		GlobalFree(mem);
		return 0;
	}
	EmptyClipboard();
	SetClipboardData(CF_UNICODETEXT, mem);
	CloseClipboard();
	set_text(dlg, id, L"");
	SendMessageTimeoutW(GetDlgItem(dlg, id), WM_PASTE, 0, 0, SMTO_ABORTIFHUNG, 5000, NULL);
	Sleep(300);
	return 1;
}

/* The dialog's default button (DM_GETDEFID), or 0. */
static int default_id(HWND dlg)
{
	DWORD_PTR r = 0;

	SendMessageTimeoutW(dlg, DM_GETDEFID, 0, 0, SMTO_ABORTIFHUNG, 5000, &r);
	return HIWORD(r) == DC_HASDEFID ? (int)LOWORD(r) : 0;
}

/* The kit's text file `name`, or NULL (caller frees). */
static char *kit_file(const wchar_t *kit, const wchar_t *name)
{
	wchar_t path[MAX_PATH * 2];

	_snwprintf(path, MAX_PATH * 2, L"%ls\\%ls", kit, name);
	return read_file(path);
}

/* Connect to the changed server and go through "Replace the recorded
 * key...": a wrong paste keeps Replace off, the right one turns it on.
 * `finish`: Replace and wait for the connection (else Cancel). */
static int hostkey_replace(const wchar_t *kit, int finish, int ja)
{
	app_proc p;
	HWND w, d, r;
	char *wrong = kit_file(kit, L"wrong-fp.txt"), *right = kit_file(kit, L"right-fp.txt");
	wchar_t text[256];

	step(wrong != NULL && right != NULL, "the fingerprints the script prepared");
	if (wrong == NULL || right == NULL)
		return 1;
	w = day_start(kit, &p, 0); /* clicks Connect */
	if (w == NULL)
		goto kill;
	d = wait_for(&p, NULL, IDC_HK_WARNING, 30000);
	step(d != NULL, "a changed host key: the warning");
	if (d == NULL)
		goto kill;
	step(GetDlgItem(d, IDC_HK_SAVE) == NULL && GetDlgItem(d, IDC_HK_ONCE) == NULL,
	     "no Trust button");
	step(default_id(d) == IDCANCEL, "Close is the default button (DM_GETDEFID)");
	step(IsWindowVisible(GetDlgItem(d, IDC_HK_REPLACE)) &&
		     IsWindowEnabled(GetDlgItem(d, IDC_HK_REPLACE)),
	     "\"Replace the recorded key...\" is offered");
	get_text(d, IDC_HK_REPLACE, text, 256);
	printf("  button: %ls\n", text);
	step(wcsstr(text, L"(&R)") != NULL || wcsstr(text, L"&R") != NULL,
	     "... with a keyboard shortcut (&R)");
	screenshot(ja ? L"changed-ja" : L"changed");
	click(d, IDC_HK_REPLACE);
	r = wait_for(&p, NULL, IDC_HK_PASTE, 10000);
	step(r != NULL, "Replace the recorded key...: the paste dialog");
	if (r == NULL)
		goto kill;
	step(!IsWindowEnabled(GetDlgItem(r, IDC_HK_DO_REPLACE)), "empty: Replace is disabled");
	get_text(r, IDC_HK_FILE, text, 256);
	printf("  line replaced: %ls\n", text);
	step(wcsstr(text, L"known_hosts") != NULL, "it names the known_hosts line");
	screenshot(ja ? L"replace-empty-ja" : L"replace-empty");
	step(paste(r, IDC_HK_PASTE, wrong), "paste a wrong fingerprint");
	step(!IsWindowEnabled(GetDlgItem(r, IDC_HK_DO_REPLACE)),
	     "a wrong fingerprint: Replace stays disabled (IsWindowEnabled)");
	get_text(r, IDC_HK_MATCH, text, 256);
	printf("  says: %ls\n", text);
	step(text[0] != L'\0', "... and the dialog says it does not match");
	screenshot(ja ? L"replace-wrong-ja" : L"replace-wrong");
	click(r, IDC_HK_DO_REPLACE);          /* disabled: nothing happens */
	PostMessageW(r, WM_COMMAND, IDOK, 0); /* Enter: nothing either */
	Sleep(800);
	step(IsWindow(r) && IsWindowVisible(r), "... clicking it or Enter does nothing");
	step(paste(r, IDC_HK_PASTE, right), "paste the administrator's ssh-keygen -lf line");
	step(IsWindowEnabled(GetDlgItem(r, IDC_HK_DO_REPLACE)),
	     "the right fingerprint: Replace is enabled");
	screenshot(ja ? L"replace-right-ja" : L"replace-right");
	if (!finish) {
		click(r, IDCANCEL);
		Sleep(500);
		click(d, IDCANCEL);
		goto out;
	}
	click(r, IDC_HK_DO_REPLACE);
	step(wait_text(w, IDC_LOG, L"REPLACED", 30000), "the log notes the replaced key");
	if (!ja)
		step(wait_text(w, IDC_STATUS, L"CMS-SSH: Connected", 30000), "and it connects");
	else
		step(wait_text(w, IDC_LOG, L"Connected to", 30000), "and it connects");
	screenshot(ja ? L"replaced-ja" : L"replaced");
out:
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	free(wrong);
	free(right);
	return failed != 0;
kill:
	free(wrong);
	free(right);
	return day_failed(&p);
}

static int scenario_hostkey_replace(const wchar_t *exe0, const wchar_t *kit)
{
	(void)exe0;
	return hostkey_replace(kit, 1, 0);
}

static int scenario_hostkey_replace_ja(const wchar_t *exe0, const wchar_t *kit)
{
	(void)exe0;
	return hostkey_replace(kit, 1, 1);
}

/* "Another program" the person types into: a window of the driver's own,
 * on a thread that serves its messages. */
static HWND g_other;

static DWORD WINAPI other_program(void *arg)
{
	HANDLE ready = arg;
	MSG msg;

	g_other = CreateWindowExW(0, L"Edit", L"another program", WS_OVERLAPPEDWINDOW | WS_VISIBLE,
				  600, 400, 300, 200, NULL, NULL, GetModuleHandleW(NULL), NULL);
	if (g_other != NULL) {
		SetForegroundWindow(g_other);
		SetFocus(g_other);
	}
	SetEvent(ready);
	while (GetMessageW(&msg, NULL, 0, 0) > 0) {
		TranslateMessage(&msg);
		DispatchMessageW(&msg);
	}
	return 0;
}

/* An unknown key, "Connect once"; the script drops the connection; the
 * reconnect's question must not take the keyboard nor default to trust. */
static int scenario_hostkey_reconnect(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t flag[MAX_PATH * 2];
	HANDLE ready = CreateEventW(NULL, TRUE, FALSE, NULL), th = NULL;
	app_proc p, p2;
	HWND w, d, fg;

	(void)exe0;
	w = day_start(kit, &p, 0); /* clicks Connect */
	if (w == NULL)
		goto kill;
	d = wait_for(&p, NULL, IDC_HK_SAVE, 30000);
	step(d != NULL, "Connect: the unknown host key question");
	if (d == NULL)
		goto kill;
	step(default_id(d) == IDC_HK_SAVE, "asked for: Trust and save is the default");
	screenshot(L"asked");
	click(d, IDC_HK_ONCE);
	step(wait_text(w, IDC_STATUS, L"CMS-SSH: Connected", 30000), "Connect once: connected");

	/* The person now types into another program. */
	th = CreateThread(NULL, 0, other_program, ready, 0, NULL);
	WaitForSingleObject(ready, 10000);
	Sleep(500);
	fg = GetForegroundWindow();
	step(g_other != NULL && fg == g_other, "another program is in the foreground");
	_snwprintf(flag, MAX_PATH * 2, L"%ls\\step-drop", kit);
	write_file(flag, "drop the connection\n");
	d = wait_for(&p, NULL, IDC_HK_SAVE, 60000);
	step(d != NULL, "the connection dropped: the reconnect asks again");
	if (d == NULL)
		goto kill;
	Sleep(1000);
	step(default_id(d) == IDCANCEL, "nobody asked for it: Cancel is the default (DM_GETDEFID)");
	fg = GetForegroundWindow();
	printf("  foreground: %p, dialog %p, the other program %p\n", (void *)fg, (void *)d,
	       (void *)g_other);
	step(fg != d, "the question is not the foreground window");
	step(fg == g_other, "the other program keeps the keyboard");
	step(IsWindowVisible(d), "the question is shown all the same");
	step(wait_text(w, IDC_LOG, L"without Connect being pressed", 5000),
	     "the log says why Cancel is the default");
	screenshot(L"reconnect-question");
	/* Enter typed into the other program does not reach the question. */
	PostMessageW(g_other, WM_KEYDOWN, VK_RETURN, 0);
	Sleep(500);
	step(IsWindow(d) && IsWindowVisible(d), "typing elsewhere leaves it open");
	/* Enter in the dialog itself cancels. */
	PostMessageW(d, WM_COMMAND, IDOK, 0);
	step(wait_text(w, IDC_LOG, L"not trusted", 15000), "Enter in the question cancels");
	screenshot(L"reconnect-cancelled");

	/* A connection nobody pressed Connect for (a shortcut or the Startup
	 * folder starting the exe with the host; here a second instance hands
	 * it over): its first question is quiet too. */
	_snwprintf(flag, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	if (start_app(flag, L"CMS-SSH", &p2))
		step(wait_exit(&p2, 20000) == 0, "PortForwarder.exe CMS-SSH: handed to the first");
	d = wait_for(&p, NULL, IDC_HK_SAVE, 30000);
	step(d != NULL, "the host key question of that connection");
	if (d == NULL)
		goto kill;
	Sleep(1000);
	step(default_id(d) == IDCANCEL, "not started by Connect: Cancel is the default");
	step(GetForegroundWindow() != d, "... and it is not the foreground window");
	screenshot(L"cmdline-question");
	click(d, IDCANCEL);
	step(wait_text(w, IDC_STATUS, L"CMS-SSH: Failed", 15000), "Cancel: not connected");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	if (g_other != NULL)
		PostMessageW(g_other, WM_CLOSE, 0, 0);
	if (th != NULL)
		CloseHandle(th);
	return failed != 0;
kill:
	return day_failed(&p);
}

/* ---- start-up timing (bench/gui_startup.sh, not a ctest) ----
 * `work` is the kit folder the bench prepared: PortForwarder.exe and
 * config.txt with one Host, STARTUP_HOST, for the bench's sshd (a key
 * without passphrase, a known_hosts that already trusts the server), so no
 * dialog comes between Connect and Connected. Times, by
 * QueryPerformanceCounter, polled every STARTUP_POLL_MS:
 *   window_ms   CreateProcess of the exe to its main window visible;
 *   connect_ms  the Connect click to the status "<host>: Connected";
 *   exit_ms     the Exit click to the process's end;
 *   notepad_ms  then, for comparison, the system's notepad.exe started to its window visible;
 * and prints them as one line "STARTUP window_ms=... connect_ms=... exit_ms=... notepad_ms=...". */
#define STARTUP_HOST    L"bench"
#define STARTUP_POLL_MS 2

static double ms_since(LARGE_INTEGER t0)
{
	LARGE_INTEGER now, freq;

	QueryPerformanceCounter(&now);
	QueryPerformanceFrequency(&freq);
	return (double)(now.QuadPart - t0.QuadPart) * 1000.0 / (double)freq.QuadPart;
}

/* wait_for(p, cls, ctrl, ms), polled finely; gives up early if p ends. */
static HWND startup_poll_window(app_proc *p, const wchar_t *cls, int ctrl, DWORD ms)
{
	struct find_ctx c = {p->pi.dwProcessId, ctrl, cls, NULL};
	DWORD t0 = GetTickCount();

	do {
		c.found = NULL;
		EnumWindows(find_cb, (LPARAM)&c);
		if (c.found != NULL)
			return c.found;
		Sleep(STARTUP_POLL_MS);
	} while (GetTickCount() - t0 < ms && still_running(p));
	return NULL;
}

/* wait_text(w, id, needle, ms), polled finely. */
static int startup_poll_text(HWND w, int id, const wchar_t *needle, DWORD ms)
{
	wchar_t buf[512];
	DWORD t0 = GetTickCount();

	do {
		get_text(w, id, buf, 512);
		if (wcsstr(buf, needle) != NULL)
			return 1;
		Sleep(STARTUP_POLL_MS);
	} while (GetTickCount() - t0 < ms);
	printf("  (text of %d: %ls)\n", id, buf);
	return 0;
}

static int scenario_startup(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t exe[MAX_PATH * 2], cfg[MAX_PATH * 2], ini[MAX_PATH * 2], args[MAX_PATH * 3];
	double window_ms, connect_ms, exit_ms, notepad_ms;
	LARGE_INTEGER t0;
	app_proc p;
	HWND w;
	int started;

	(void)exe0;
	_snwprintf(exe, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	_snwprintf(cfg, MAX_PATH * 2, L"%ls\\config.txt", kit);
	_snwprintf(ini, MAX_PATH * 2, L"%ls\\PortForwarder.ini", kit);
	_snwprintf(args, MAX_PATH * 3, L"-F \"%ls\"", cfg);
	DeleteFileW(ini); /* every run starts from the same state */

	QueryPerformanceCounter(&t0);
	started = start_app(exe, args, &p);
	w = started ? startup_poll_window(&p, PF_MAIN_CLASS, IDC_CONNECT, 60000) : NULL;
	window_ms = ms_since(t0);
	step(started, "start PortForwarder.exe -F config.txt");
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	step(wait_text(w, IDC_HOST_COMBO, STARTUP_HOST, 5000), "the config's Host is selected");

	QueryPerformanceCounter(&t0);
	click(w, IDC_CONNECT);
	step(startup_poll_text(w, IDC_STATUS, STARTUP_HOST L": Connected", 60000),
	     "status: Connected");
	connect_ms = ms_since(t0);
	if (failed != 0)
		goto kill;

	QueryPerformanceCounter(&t0);
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	exit_ms = ms_since(t0);

	/* The floor under Wine: the system's notepad.exe, start to window. */
	GetSystemDirectoryW(exe, MAX_PATH);
	wcscat_s(exe, MAX_PATH * 2, L"\\notepad.exe");
	QueryPerformanceCounter(&t0);
	started = start_app(exe, L"", &p);
	w = started ? startup_poll_window(&p, NULL, 0, 60000) : NULL;
	notepad_ms = ms_since(t0);
	step(w != NULL, "for comparison: notepad.exe's window shown");
	if (w == NULL)
		goto kill;
	PostMessageW(w, WM_CLOSE, 0, 0);
	step(wait_exit(&p, 30000) == 0, "notepad.exe closed");
	if (failed == 0)
		printf("STARTUP window_ms=%.1f connect_ms=%.1f exit_ms=%.1f notepad_ms=%.1f\n",
		       window_ms, connect_ms, exit_ms, notepad_ms);
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	return 1;
}

/* ---- key generation (e2e.gui_keygen) ---- */

/* SHA256 fingerprint ("SHA256:" + unpadded base64) of the key in a .pub
 * line, computed here with the system's CryptoAPI, independently of pf. */
static int pub_fingerprint(const char *line, wchar_t *out, size_t cap)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *b = strchr(line, ' ');
	unsigned char blob[4096], md[32];
	size_t n = 0, i, o;
	unsigned acc = 0;
	int bits = 0, ok;
	HCRYPTPROV prov = 0;
	HCRYPTHASH h = 0;
	DWORD mdlen = sizeof(md);

	if (b == NULL)
		return 0;
	for (b++; *b != '\0' && *b != ' ' && *b != '=' && *b != '\n' && n < sizeof(blob); b++) {
		const char *v = strchr(tab, *b);

		if (v == NULL)
			return 0;
		acc = (acc << 6) | (unsigned)(v - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			blob[n++] = (unsigned char)(acc >> bits);
		}
	}
	ok = CryptAcquireContextW(&prov, NULL, NULL, PROV_RSA_AES, CRYPT_VERIFYCONTEXT) &&
	     CryptCreateHash(prov, CALG_SHA_256, 0, 0, &h) && CryptHashData(h, blob, (DWORD)n, 0) &&
	     CryptGetHashParam(h, HP_HASHVAL, md, &mdlen, 0) && mdlen == 32;
	if (h)
		CryptDestroyHash(h);
	if (prov)
		CryptReleaseContext(prov, 0);
	if (!ok || cap < 52)
		return 0;
	o = (size_t)swprintf(out, cap, L"SHA256:");
	for (i = 0; i < 32; i += 3) {
		unsigned v = (unsigned)md[i] << 16 | (i + 1 < 32 ? (unsigned)md[i + 1] << 8 : 0) |
			     (i + 2 < 32 ? md[i + 2] : 0);

		out[o++] = (wchar_t)tab[(v >> 18) & 63];
		out[o++] = (wchar_t)tab[(v >> 12) & 63];
		if (i + 1 < 32)
			out[o++] = (wchar_t)tab[(v >> 6) & 63];
		if (i + 2 < 32)
			out[o++] = (wchar_t)tab[v & 63];
	}
	out[o] = L'\0';
	return 1;
}

/* The clipboard's Unicode text into buf ("" if none). */
static void clipboard_text(wchar_t *buf, size_t cap)
{
	HANDLE h;
	const wchar_t *p;

	buf[0] = L'\0';
	if (!OpenClipboard(NULL))
		return;
	h = GetClipboardData(CF_UNICODETEXT);
	if (h != NULL && (p = GlobalLock(h)) != NULL) {
		_snwprintf(buf, cap, L"%ls", p);
		buf[cap - 1] = L'\0';
		GlobalUnlock(h);
	}
	CloseClipboard();
}

/* "Generate key...": an ed25519 key with a passphrase into the kit folder
 * (the exe's, no config chosen); the files exist, the shown public key is
 * the .pub file's line, the shown fingerprint is the one computed from it;
 * Copy puts the line on the clipboard; the second time the overwrite
 * question appears and "No" leaves the key as it was. */
static int scenario_keygen(const wchar_t *exe0, const wchar_t *work)
{
	app_proc p;
	HWND w, d, mb;
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2], key[MAX_PATH * 2], pub[MAX_PATH * 2];
	static wchar_t shown[16384], clip[16384], wpub[16384];
	wchar_t fp[128] = L"", want_fp[128] = L"";
	char *pubtext = NULL, *pubtext2 = NULL;

	step(copy_app(exe0, work, L"keygen", dir, exe), "copy PortForwarder.exe to a fresh folder");
	_snwprintf(key, MAX_PATH * 2, L"%ls\\id_ed25519", dir);
	_snwprintf(pub, MAX_PATH * 2, L"%ls\\id_ed25519.pub", dir);
	DeleteFileW(key);
	DeleteFileW(pub);
	step(start_app(exe, L"", &p), "start PortForwarder.exe");
	if (failed)
		return 1;
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	step(GetDlgItem(w, IDC_GENKEY) != NULL, "the main window has \"Generate key...\"");
	click(w, IDC_GENKEY);
	d = wait_for(&p, L"#32770", IDC_KG_GENERATE, 10000);
	step(d != NULL, "the Generate key dialog opens");
	if (d == NULL)
		goto kill;
	step(wait_text(d, IDC_KG_TYPE, L"ed25519", 5000), "ed25519 is the default type");
	step(wait_text(d, IDC_KG_COMMENT, L"@", 5000), "the comment defaults to user@host");
	step(wait_text(d, IDC_KG_FILE, key, 5000),
	     "the key goes to id_ed25519 in the exe's folder");
	set_text(d, IDC_KG_PASS1, L"pf-test-passphrase");
	set_text(d, IDC_KG_PASS2, L"pf-test-passphrase");
	screenshot(L"keygen-dialog");
	click(d, IDC_KG_GENERATE);
	step(wait_text(d, IDC_KG_FP, L"SHA256:", 30000), "the fingerprint is shown");
	step(wait_text(d, IDC_KG_SEND, L"id_ed25519.pub", 5000),
	     "the line telling to send the .pub file to the administrator");
	screenshot(L"keygen-done");
	step(GetFileAttributesW(key) != INVALID_FILE_ATTRIBUTES, "id_ed25519 written");
	pubtext = read_file(pub);
	step(pubtext != NULL && strncmp(pubtext, "ssh-ed25519 AAAA", 16) == 0,
	     "id_ed25519.pub written");
	if (pubtext != NULL) {
		MultiByteToWideChar(CP_UTF8, 0, pubtext, -1, wpub, 16384);
		wpub[wcscspn(wpub, L"\r\n")] = L'\0';
		get_text(d, IDC_KG_PUBKEY, shown, 16384);
		step(wcscmp(shown, wpub) == 0, "the shown public key is the .pub file's line");
		get_text(d, IDC_KG_FP, fp, 128);
		step(pub_fingerprint(pubtext, want_fp, 128) && wcscmp(fp, want_fp) == 0,
		     "the shown fingerprint is the .pub key's SHA256");
		printf("  fingerprint %ls (computed %ls)\n", fp, want_fp);
		step(IsWindowEnabled(GetDlgItem(d, IDC_KG_COPY)), "Copy is enabled");
		click(d, IDC_KG_COPY);
		Sleep(500);
		clipboard_text(clip, 16384);
		step(wcscmp(clip, wpub) == 0, "Copy puts the public key on the clipboard");
	}

	/* The second time: the overwrite question; "No" keeps the key. */
	set_text(d, IDC_KG_PASS1, L"other");
	set_text(d, IDC_KG_PASS2, L"other");
	click(d, IDC_KG_GENERATE);
	mb = wait_for(&p, L"#32770", IDYES, 10000);
	step(mb != NULL, "the second time, the overwrite question appears");
	screenshot(L"keygen-overwrite");
	if (mb != NULL) {
		click(mb, IDNO);
		step(wait_visible(mb, 0, 5000), "No closes the question");
	}
	Sleep(500);
	pubtext2 = read_file(pub);
	step(pubtext != NULL && pubtext2 != NULL && strcmp(pubtext, pubtext2) == 0,
	     "... and the key is unchanged");
	/* Two different passphrases: said so, nothing written. */
	set_text(d, IDC_KG_PASS1, L"one");
	set_text(d, IDC_KG_PASS2, L"two");
	click(d, IDC_KG_GENERATE);
	mb = wait_for(&p, L"#32770", IDOK, 10000);
	step(mb != NULL, "different passphrases: a message says so");
	if (mb != NULL) {
		click(mb, IDOK);
		wait_visible(mb, 0, 5000);
	}
	/* An empty passphrase: a warning first; "No" writes nothing. */
	set_text(d, IDC_KG_PASS1, L"");
	set_text(d, IDC_KG_PASS2, L"");
	click(d, IDC_KG_GENERATE);
	mb = wait_for(&p, L"#32770", IDYES, 10000);
	step(mb != NULL, "an empty passphrase: a warning first");
	screenshot(L"keygen-empty-warning");
	if (mb != NULL) {
		click(mb, IDNO);
		wait_visible(mb, 0, 5000);
	}
	Sleep(500);
	free(pubtext2);
	pubtext2 = read_file(pub);
	step(pubtext != NULL && pubtext2 != NULL && strcmp(pubtext, pubtext2) == 0,
	     "... and still nothing was replaced");
	click(d, IDCANCEL);
	step(wait_visible(d, 0, 5000), "Close closes the dialog");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 20000) == 0, "Exit ends the process with code 0");
	free(pubtext);
	free(pubtext2);
	return failed != 0;
kill:
	kill_app(&p);
	free(pubtext);
	free(pubtext2);
	return 1;
}

/* ---- a PortForwarder 2.9 user's kit (tests/e2e/kit29.sh) ----
 * `kit` holds PortForwarder.exe and 2.9's PortForwarder.ini (Shift_JIS,
 * ConfigFolder on a drive letter this PC does not have), the config folder
 * メール設定 with config.txt (ending in [EOF]; Hosts IMR and CMS-SSH, one key
 * in keys\id_ed25519 with the passphrase KIT_PASSPHRASE) and the known_hosts
 * 2.9 wrote there. */
#define KIT_PASSPHRASE L"pf kit passphrase"
#define KIT_FOLDER     L"\x30e1\x30fc\x30eb\x8a2d\x5b9a" /* メール設定 */

static void kit_choose(HWND w, const wchar_t *host)
{
	HWND combo = GetDlgItem(w, IDC_HOST_COMBO);

	SendMessageW(combo, CB_SELECTSTRING, (WPARAM)-1, (LPARAM)host);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_HOST_COMBO, CBN_SELCHANGE), (LPARAM)combo);
	Sleep(300);
}

/* Connect `host` (chosen in the Host box); answer the passphrase dialog if
 * `asked` says it must come, and fail the step if it comes uninvited. */
static void kit_connect(app_proc *p, HWND w, const wchar_t *host, int asked, const char *what)
{
	wchar_t want[128];
	HWND d;
	int ok;

	kit_choose(w, host);
	click(w, IDC_CONNECT);
	_snwprintf(want, 128, L"%ls: Connected", host);
	if (asked) {
		d = wait_for(p, NULL, IDC_DLG_EDIT, 30000);
		ok = d != NULL;
		if (d != NULL) {
			screenshot(L"passphrase");
			set_text(d, IDC_DLG_EDIT, KIT_PASSPHRASE);
			click(d, IDOK);
		}
		ok = ok && wait_text(w, IDC_STATUS, want, 30000);
	} else {
		ok = wait_text(w, IDC_STATUS, want, 30000) &&
		     wait_for(p, NULL, IDC_DLG_EDIT, 0) == NULL;
	}
	step(ok && wait_for(p, NULL, IDC_HK_FP, 0) == NULL, what);
}

/* Back from the tray ("Automatically" hides it at every Connect). */
static void kit_show(HWND w)
{
	PostMessageW(w, WM_PF_TRAY, 1, WM_LBUTTONDBLCLK);
	wait_visible(w, 1, 10000);
}

static void kit_disconnect(HWND w, const wchar_t *host)
{
	wchar_t want[128];

	kit_choose(w, host);
	click(w, IDC_DISCONNECT);
	_snwprintf(want, 128, L"%ls: Not connected", host);
	step(wait_text(w, IDC_STATUS, want, 20000), "Disconnect");
}

static int scenario_kit29(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t exe[MAX_PATH * 2], want[MAX_PATH * 2], got[MAX_PATH * 2], key[MAX_PATH * 2];
	app_proc p;
	HWND w, combo;
	char *text;

	(void)exe0;
	_snwprintf(exe, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	step(start_app(exe, L"", &p), "the new PortForwarder.exe, started in a 2.9 kit");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	/* 2.9's settings, with the config folder found on this drive. */
	_snwprintf(want, MAX_PATH * 2, L"%ls\\" KIT_FOLDER L"\\config.txt", kit);
	get_text(w, IDC_CONFIG_EDIT, got, MAX_PATH * 2);
	printf("  config: %ls\n", got);
	step(_wcsicmp(got, want) == 0,
	     "the config file from 2.9's ConfigFolder + ConfigFile, on this drive");
	combo = GetDlgItem(w, IDC_HOST_COMBO);
	step(wait_text(w, IDC_HOST_COMBO, L"CMS-SSH", 3000), "the Host is 2.9's most recent one");
	step(SendMessageW(combo, CB_FINDSTRINGEXACT, (WPARAM)-1, (LPARAM)L"IMR") != CB_ERR &&
		     SendMessageW(combo, CB_GETCOUNT, 0, 0) == 2,
	     "the Host list holds both profiles");
	step(IsDlgButtonChecked(w, IDC_AUTO_HIDE) == BST_CHECKED, "Automatically is on, as in 2.9");
	step(wait_text(w, IDC_LOG, L"written by PortForwarder 2.9", 3000) &&
		     wait_text(w, IDC_LOG, L"drive letter changed", 1000),
	     "the log says what was taken over and where the folder was found");
	step(wait_text(w, IDC_LOG, L"[EOF] is an editor's end-of-file marker", 3000) &&
		     !wait_text(w, IDC_STATUS, L"error", 500),
	     "the config's [EOF] line is a note, not an error");
	screenshot(L"imported");

	/* Two hosts, one key: one passphrase; no host key question (2.9's
	 * known_hosts in the config folder). */
	kit_connect(&p, w, L"CMS-SSH", 1, "CMS-SSH: the passphrase once, no host key question");
	step(wait_visible(w, 0, 10000), "Automatically: hidden to the tray once connected");
	PostMessageW(w, WM_PF_TRAY, 1, WM_LBUTTONDBLCLK);
	step(wait_visible(w, 1, 10000), "double-click on the tray icon shows it again");
	kit_connect(&p, w, L"IMR", 0, "IMR (same key): connected without a question");
	kit_show(w);
	screenshot(L"two-connected");
	/* The config edited while connected: the Host list follows, the live
	 * connections stay and say that a reconnect applies the change. */
	{
		wchar_t cfg[MAX_PATH * 2];
		HANDLE f;
		DWORD put = 0;
		static const char more[] = "\r\nHost ADDED\r\n  HostName 127.0.0.1\r\n";

		_snwprintf(cfg, MAX_PATH * 2, L"%ls\\" KIT_FOLDER L"\\config.txt", kit);
		f = CreateFileW(cfg, FILE_APPEND_DATA, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0,
				NULL);
		step(f != INVALID_HANDLE_VALUE && WriteFile(f, more, sizeof(more) - 1, &put, NULL),
		     "config.txt edited while connected (a Host added)");
		if (f != INVALID_HANDLE_VALUE)
			CloseHandle(f);
		step(wait_text(w, IDC_LOG, L"changed on disk and was read again", 10000) &&
			     SendMessageW(combo, CB_FINDSTRINGEXACT, (WPARAM)-1,
					  (LPARAM)L"ADDED") != CB_ERR,
		     "the Host list follows the file (no polling: a change notification)");
		step(wait_text(w, IDC_STATUS,
			       L"IMR: Connected (config changed: reconnect to apply)", 5000),
		     "the live connection is untouched and marked");
		screenshot(L"config-changed");
	}
	kit_disconnect(w, L"IMR");
	kit_connect(&p, w, L"IMR", 0, "Disconnect, then Connect: no question");
	kit_show(w);
	step(!wait_text(w, IDC_STATUS, L"reconnect to apply", 500),
	     "connected anew: the mark is gone");

	/* Edit: the config file opens in the editor (Wine's Notepad). */
	click(w, IDC_CONFIG_OPEN);
	{
		HWND ed = wait_for(NULL, L"Notepad", 0, 15000);

		step(ed != NULL && wait_text(w, IDC_LOG, L"in the editor", 5000),
		     "Edit opens the config file in the editor");
		screenshot(L"edit");
		if (ed != NULL)
			PostMessageW(ed, WM_CLOSE, 0, 0);
	}

	/* Forget passphrases: the next login asks again. */
	kit_show(w);
	click(w, IDC_FORGET_KEYS);
	step(wait_text(w, IDC_LOG, L"Passphrases forgotten", 5000),
	     "Forget passphrases: said in the log");
	screenshot(L"forgotten");
	kit_disconnect(w, L"IMR");
	kit_connect(&p, w, L"IMR", 1, "after Forget passphrases, Connect asks again");

	/* The key file changed on disk: asked again. */
	_snwprintf(key, MAX_PATH * 2, L"%ls\\" KIT_FOLDER L"\\keys\\id_ed25519", kit);
	{
		HANDLE f = CreateFileW(key, FILE_WRITE_ATTRIBUTES,
				       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
				       OPEN_EXISTING, 0, NULL);
		FILETIME ft = {0x12345678, 0x01d00000};

		step(f != INVALID_HANDLE_VALUE && SetFileTime(f, NULL, NULL, &ft),
		     "the key file gets another modification time");
		if (f != INVALID_HANDLE_VALUE)
			CloseHandle(f);
	}
	kit_disconnect(w, L"IMR");
	kit_connect(&p, w, L"IMR", 1, "a key file changed on disk is asked for again");
	step(!wait_text(w, IDC_LOG, KIT_PASSPHRASE, 300), "no passphrase in the event log");

	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	_snwprintf(got, MAX_PATH * 2, L"%ls\\PortForwarder.ini", kit);
	text = read_file(got);
	step(text != NULL && strstr(text, "[PortForwarder]") != NULL &&
		     strstr(text, "AutomaticallyHide=1") != NULL,
	     "PortForwarder.ini is now in the new format, Automatically kept");
	if (text != NULL)
		printf("----- PortForwarder.ini\n%s-----\n", text);
	free(text);
	_snwprintf(got, MAX_PATH * 2, L"%ls\\PortForwarder.ini.2.9.bak", kit);
	step(GetFileAttributesW(got) != INVALID_FILE_ATTRIBUTES,
	     "2.9's file kept as PortForwarder.ini.2.9.bak");
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	return 1;
}

/* The same kit in Japanese (Wine in a Japanese locale): the imported
 * settings, the new buttons, the tray menu's "Forget passphrases" and the
 * log after it, as screenshots; a fresh copy of the kit, 2.9's ini again. */
static int scenario_kit29_ja(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t exe[MAX_PATH * 2], text[128];
	app_proc p;
	HWND w;

	(void)exe0;
	_snwprintf(exe, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	step(start_app(exe, L"", &p), "the kit, in Japanese");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	get_text(w, IDC_FORGET_KEYS, text, 128);
	step(wcscmp(text, L"\x30d1\x30b9\x30d5\x30ec\x30fc\x30ba\x3092\x5fd8\x308c\x308b(&P)") == 0,
	     "the Forget passphrases button speaks Japanese");
	get_text(w, IDC_CONFIG_OPEN, text, 128);
	step(wcscmp(text, L"\x7de8\x96c6(&T)") == 0, "so does Edit");
	step(wait_text(w, IDC_LOG, L"PortForwarder 2.9 \x304c\x66f8\x3044\x305f", 3000),
	     "the log says in Japanese what was taken over from 2.9");
	step(wait_text(w, IDC_LOG, L"\x30c9\x30e9\x30a4\x30d6\x6587\x5b57\x304c\x5909\x308f\x308a",
		       3000),
	     "and that the folder was found on this drive (the drive letter changed)");
	screenshot(L"imported-ja");
	step(tray_menu_choose(&p, w, L'p', L"tray-menu-ja"),
	     "tray menu: Forget passphrases, by its mnemonic");
	step(wait_text(w, IDC_LOG,
		       L"\x30d1\x30b9\x30d5\x30ec\x30fc\x30ba\x3092\x5fd8\x308c\x307e\x3057\x305f",
		       5000),
	     "the log says so in Japanese");
	screenshot(L"forgotten-ja");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	return failed != 0;
kill:
	return day_failed(&p);
}

/* After the kit's first day (its ini now in the new format, with
 * LogFile=pf.log added by kit29.sh and a pf.log already over 1 MB): connect
 * once (a passphrase: a new process has no cached key), save the log with
 * "Save log..." to saved-log.txt in the kit; kit29.sh then checks both
 * files for the passphrase and the rotation. */
static int scenario_kit29_log(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t exe[MAX_PATH * 2], saved[MAX_PATH * 2];
	app_proc p;
	HWND w;

	(void)exe0;
	_snwprintf(exe, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	_snwprintf(saved, MAX_PATH * 2, L"%ls\\saved-log.txt", kit);
	step(start_app(exe, L"", &p), "the kit again, with LogFile= in the ini");
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	kit_connect(&p, w, L"CMS-SSH", 1, "connected (a new run: the passphrase once)");
	kit_show(w);
	return save_log_exit(&p, w, saved);
kill:
	return day_failed(&p);
}

/* The release PortForwarder.exe has no test hooks (issue 16 item 5): the
 * hooks' switches are unknown options there, logged, and the program starts
 * as without them (no scripted connection, no lone dialog, no early exit).
 * Run on the release exe (e2e.release_no_hooks_run); PortForwarder-test.exe
 * fails it. */
static int scenario_release_hooks(const wchar_t *exe0, const wchar_t *work)
{
	static const wchar_t *const args[] = {L"--test-ui", L"--test-dialog"};
	static wchar_t log[65536];
	wchar_t dir[MAX_PATH * 2], exe[MAX_PATH * 2];
	app_proc p;
	HWND w;
	size_t i;

	step(copy_app(exe0, work, L"release-hooks", dir, exe), "copy PortForwarder.exe");
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		printf("PortForwarder.exe %ls\n", args[i]);
		step(start_app(exe, args[i], &p), "start with a test hook's switch");
		w = wait_main(&p);
		step(w != NULL, "... the main window is shown (no hook instead of the program)");
		if (w == NULL)
			goto kill;
		step(wait_text(w, IDC_LOG, L"is not understood", 5000),
		     "... the switch is logged as not understood");
		Sleep(3000); /* --test-ui's script starts after 0.5 s */
		step(wait_for(&p, NULL, IDC_HK_SAVE, 0) == NULL &&
			     wait_for(&p, NULL, IDC_DLG_EDIT, 0) == NULL,
		     "... no test dialog");
		get_text(w, IDC_LOG, log, 65536);
		step(wcsstr(log, L"test:") == NULL, "... no scripted connection in the log");
		screenshot(i == 0 ? L"test-ui" : L"test-dialog");
		click(w, IDC_EXIT);
		step(wait_exit(&p, 20000) == 0, "... Exit ends it with code 0");
	}
	return failed != 0;
kill:
	return day_failed(&p);
}

/* An installed copy, where it is (tests/package/install-test.sh): start
 * it, print "running" once its main window is there, keep it running
 * until the file `stop` exists (at most 5 minutes), then Exit (which saves
 * its settings). */
static int scenario_run(const wchar_t *exe, const wchar_t *stop)
{
	app_proc p;
	HWND w;
	DWORD t0;

	step(start_app(exe, L"", &p), "start the exe where it is");
	if (failed)
		return 1;
	w = wait_main(&p);
	step(w != NULL, "main window shown");
	if (w == NULL)
		goto kill;
	printf("running\n");
	fflush(stdout);
	t0 = GetTickCount();
	while (GetFileAttributesW(stop) == INVALID_FILE_ATTRIBUTES && GetTickCount() - t0 < 300000)
		Sleep(200);
	step(GetFileAttributesW(stop) != INVALID_FILE_ATTRIBUTES, "told to stop");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 20000) == 0, "Exit ends the process with code 0");
	return failed != 0;
kill:
	return day_failed(&p);
}

/* A process as a snapshot saw it. */
typedef struct proc_seen {
	DWORD pid, parent;
	wchar_t name[64];
} proc_seen;

/* Adds to seen[] (up to cap) every process not yet in it whose parent is
 * `parent` (any parent when 0); returns the new count. */
static int note_processes(DWORD parent, proc_seen *seen, int n, int cap)
{
	HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
	PROCESSENTRY32W pe;
	int i;

	if (snap == INVALID_HANDLE_VALUE)
		return n;
	pe.dwSize = sizeof(pe);
	for (BOOL more = Process32FirstW(snap, &pe); more && n < cap;
	     more = Process32NextW(snap, &pe)) {
		if (parent != 0 && pe.th32ParentProcessID != parent)
			continue;
		for (i = 0; i < n && seen[i].pid != pe.th32ProcessID; i++)
			;
		if (i < n && seen[i].name[0] != L'\0')
			continue; /* (a process just created may have no name yet) */
		seen[i].pid = pe.th32ProcessID;
		seen[i].parent = pe.th32ParentProcessID;
		_snwprintf(seen[i].name, 64, L"%ls", pe.szExeFile);
		seen[i].name[63] = L'\0';
		if (i == n)
			n++;
	}
	CloseHandle(snap);
	return n;
}

/* The installer's wizard: setup.exe started (in p) to install into `dir`,
 * Next on every page until the finish page (its window), or, with
 * `in_use`, until it asks to exit a running PortForwarder (that message
 * box); NULL if it cannot start or after 2 min. */
static HWND wizard_until(const wchar_t *setup, const wchar_t *dir, app_proc *p, int in_use)
{
	wchar_t text[64], args[MAX_PATH * 2 + 8];
	HWND w;
	int i;

	_snwprintf(args, MAX_PATH * 2 + 8, L"/D=%ls", dir); /* NSIS: last, unquoted */
	if (!start_app(setup, args, p))
		return NULL;
	for (i = 0; i < 120; i++) {
		if (in_use && (w = wait_for(p, L"#32770", IDRETRY, 0)) != NULL)
			return w;
		w = wait_for(p, L"#32770", IDOK, 20000);
		if (w == NULL)
			return NULL;
		get_text(w, IDOK, text, 64);
		if (!in_use && wcsstr(text, L"Finish") != NULL)
			return w;
		if (IsWindowEnabled(GetDlgItem(w, IDOK))) {
			printf("  page with '%ls': Next\n", text);
			click(w, IDOK);
		}
		Sleep(1000);
	}
	return NULL;
}

/* The wizard over a running PortForwarder.exe (install-test.sh keeps one
 * running from `dir`): it asks to exit it (Retry / Cancel) instead of
 * replacing it; Retry while it still runs asks again; Cancel ends the
 * installer with ERROR_SHARING_VIOLATION (32). */
static int scenario_setup_in_use(const wchar_t *setup, const wchar_t *dir)
{
	static wchar_t text[1024];
	app_proc p;
	HWND m;

	m = wizard_until(setup, dir, &p, 1);
	step(m != NULL, "the wizard, Next through the pages: it asks to exit PortForwarder");
	if (m == NULL)
		goto kill;
	get_text(m, 0xFFFF, text, 1024); /* a message box's text */
	printf("  it says: %ls\n", text);
	step(wcsstr(text, L"PortForwarder is running") != NULL && wcsstr(text, L"Retry") != NULL,
	     "... saying it is running and to press Retry after Exit");
	screenshot(L"in-use");
	click(m, IDRETRY);
	Sleep(2000);
	m = wait_for(&p, L"#32770", IDRETRY, 20000);
	step(m != NULL, "Retry while it still runs: asked again");
	if (m == NULL)
		goto kill;
	click(m, IDCANCEL);
	step(wait_exit(&p, 30000) == 32,
	     "Cancel ends the installer with code 32 (sharing violation)");
	return failed != 0;
kill:
	return day_failed(&p);
}

/* The installer's wizard (tests/package/install-test.sh): `setup` is the
 * setup.exe, `dir` the install folder (/D=). Next through every page to
 * the finish page, whose "Run PortForwarder" is ticked by default; Finish
 * must start the installed PortForwarder.exe through Explorer (the
 * signed-in user's unelevated shell, issue 15 item 5), not as a child of
 * the installer, which may run as administrator. Then Exit. */
static int scenario_setup_finish(const wchar_t *setup, const wchar_t *dir)
{
	static proc_seen kids[16], all[256];
	wchar_t path[MAX_PATH * 2], want[MAX_PATH * 2];
	const wchar_t *via = NULL;
	struct find_ctx fc = {0, IDC_CONNECT, PF_MAIN_CLASS, NULL};
	app_proc p;
	HWND w = NULL, m;
	DWORD pid = 0, parent = 0, n = MAX_PATH * 2, t0;
	HANDLE h;
	int i, nkids = 0, nall;

	w = wizard_until(setup, dir, &p, 0);
	step(w != NULL, "the wizard, Next through the pages up to the finish page");
	if (w == NULL)
		goto kill;
	screenshot(L"finish-page");
	click(w, IDOK);
	/* Watch the installer's children as Finish runs the app: Explorer's
	 * launcher may end as soon as it has started it. */
	t0 = GetTickCount();
	do {
		nkids = note_processes(p.pi.dwProcessId, kids, nkids, 16);
		fc.found = NULL;
		EnumWindows(find_cb, (LPARAM)&fc);
		m = fc.found;
		Sleep(10);
	} while (m == NULL && GetTickCount() - t0 < 30000);
	step(wait_exit(&p, 30000) == 0, "Finish ends the installer with code 0");
	step(m != NULL, "... and PortForwarder's main window appears");
	if (m == NULL)
		return 1;
	screenshot(L"started-by-finish");
	GetWindowThreadProcessId(m, &pid);
	nall = note_processes(0, all, 0, 256);
	for (i = 0; i < nall; i++)
		if (all[i].pid == pid)
			parent = all[i].parent;
	for (i = 0; i < nkids; i++) {
		printf("  the installer started %ls (pid %lu)\n", kids[i].name,
		       (unsigned long)kids[i].pid);
		if (kids[i].pid == parent)
			via = kids[i].name;
	}
	printf("  PortForwarder.exe pid %lu, parent %lu, installer %lu\n", (unsigned long)pid,
	       (unsigned long)parent, (unsigned long)p.pi.dwProcessId);
	step(parent != 0 && parent != p.pi.dwProcessId,
	     "... not as the installer's own child (which may run elevated)");
	step(via != NULL && _wcsicmp(via, L"explorer.exe") == 0,
	     "... but started by the explorer.exe the installer ran (the user's shell)");
	h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, pid);
	path[0] = L'\0';
	if (h != NULL)
		QueryFullProcessImageNameW(h, 0, path, &n);
	_snwprintf(want, MAX_PATH * 2, L"%ls\\PortForwarder.exe", dir);
	printf("  its exe: %ls\n", path);
	step(_wcsicmp(path, want) == 0, "... the installed PortForwarder.exe");
	click(m, IDC_EXIT);
	step(h != NULL && WaitForSingleObject(h, 20000) == WAIT_OBJECT_0, "Exit ends it");
	if (h != NULL)
		CloseHandle(h);
	return failed != 0;
kill:
	return day_failed(&p);
}

/* ---- all connections at a glance (tests/e2e/glance.sh) ----
 * `kit` holds PortForwarder.exe and settings\config.txt with Hosts ALPHA
 * (one LocalForward) and BETA (two), a key without passphrase and the
 * known_hosts that trusts the test's sshd. */

static int lv_count(HWND lv)
{
	return (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
}

/* Wait until the list has `rows` rows. */
static int lv_wait_count(HWND lv, int rows, DWORD ms)
{
	DWORD t0 = GetTickCount();

	do {
		if (lv_count(lv) == rows)
			return 1;
		Sleep(100);
	} while (GetTickCount() - t0 < ms);
	printf("  (the list has %d rows, not %d)\n", lv_count(lv), rows);
	return 0;
}

/* Print the list and check each row's Host (column 0) and Type (column 1)
 * cells against `hosts` / `types` (NULL entries: not checked). */
static int lv_check(app_proc *p, HWND lv, const wchar_t *const *hosts, const wchar_t *const *types,
		    int rows)
{
	wchar_t cell[256];
	int r, c, ok = lv_count(lv) == rows;

	for (r = 0; r < lv_count(lv); r++) {
		printf("  row %d:", r);
		for (c = 0; c < 8; c++) {
			lv_cell(p, lv, r, c, cell, 256);
			printf(" | %ls", cell);
			if (r < rows && c == 0 && hosts[r] != NULL && wcscmp(cell, hosts[r]) != 0)
				ok = 0;
			if (r < rows && c == 1 && types[r] != NULL && wcscmp(cell, types[r]) != 0)
				ok = 0;
		}
		printf("\n");
	}
	return ok;
}

/* The key `vk` pressed in window `to` (posted, as the keyboard would). */
static void press(HWND to, UINT vk)
{
	PostMessageW(to, WM_KEYDOWN, vk, 1);
	PostMessageW(to, WM_KEYUP, vk, 0xC0000001);
	Sleep(300);
}

static HWND glance_start(const wchar_t *kit, app_proc *p)
{
	wchar_t exe[MAX_PATH * 2], args[MAX_PATH * 2];
	HWND w;

	_snwprintf(exe, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	_snwprintf(args, MAX_PATH * 2, L"-F \"%ls\\settings\\config.txt\"", kit);
	step(start_app(exe, args, p), "PortForwarder.exe -F settings\\config.txt");
	w = wait_main(p);
	step(w != NULL, "main window shown");
	return w;
}

/* Choose `host` in the Host box, Connect, wait until the list holds
 * `rows` rows. */
static int glance_connect(HWND w, const wchar_t *host, int rows)
{
	HWND combo = GetDlgItem(w, IDC_HOST_COMBO);

	SendMessageW(combo, CB_SETCURSEL,
		     (WPARAM)SendMessageW(combo, CB_FINDSTRINGEXACT, (WPARAM)-1, (LPARAM)host), 0);
	PostMessageW(w, WM_COMMAND, MAKEWPARAM(IDC_HOST_COMBO, CBN_SELCHANGE), (LPARAM)combo);
	Sleep(300);
	click(w, IDC_CONNECT);
	return lv_wait_count(GetDlgItem(w, IDC_FWD_LIST), rows, 30000);
}

static int scenario_glance(const wchar_t *exe0, const wchar_t *kit)
{
	static const wchar_t *const one_host[] = {L"ALPHA"};
	static const wchar_t *const one_type[] = {L"Local"};
	static const wchar_t *const hosts[] = {L"ALPHA", L"ALPHA", L"BETA", L"BETA", L"BETA"};
	static const wchar_t *const types[] = {L"Connection", L"Local", L"Connection", L"Local",
					       L"SOCKS"};
	wchar_t cell[256];
	app_proc p;
	HWND w, lv;
	GUITHREADINFO gti;

	(void)exe0;
	w = glance_start(kit, &p);
	if (w == NULL)
		goto kill;
	lv = GetDlgItem(w, IDC_FWD_LIST);
	step(glance_connect(w, L"ALPHA", 1) && wait_text(w, IDC_STATUS, L"ALPHA: Connected", 30000),
	     "ALPHA connected: its one forward");
	step(lv_check(&p, lv, one_host, one_type, 1),
	     "one connection: the list as before, with the Host column");
	screenshot(L"one-host");
	step(glance_connect(w, L"BETA", 5) && wait_text(w, IDC_STATUS, L"BETA: Connected", 30000),
	     "BETA connected too");
	Sleep(1000); /* the forwards' own states settle */
	step(lv_check(&p, lv, hosts, types, 5),
	     "both connections listed (a row each), with their forwards and the Host column");
	lv_cell(&p, lv, 0, 4, cell, 256);
	step(wcscmp(cell, L"Connected") == 0, "ALPHA's row: Connected");
	lv_cell(&p, lv, 2, 4, cell, 256);
	step(wcscmp(cell, L"Connected") == 0, "BETA's row: Connected");
	screenshot(L"two-hosts");

	/* Keyboard: Alt+F (the list's label), Home, Down: the selected row's
	 * host is the one the buttons act on. */
	PostMessageW(w, WM_SYSCHAR, L'f', 0x20000000);
	Sleep(500);
	memset(&gti, 0, sizeof(gti));
	gti.cbSize = sizeof(gti);
	step(GetGUIThreadInfo(p.pi.dwThreadId, &gti) && gti.hwndFocus == lv,
	     "Alt+F puts the keyboard in the list");
	press(lv, VK_HOME);
	step(wait_text(w, IDC_HOST_COMBO, L"ALPHA", 3000) &&
		     wait_text(w, IDC_STATUS, L"ALPHA: Connected", 3000),
	     "Home: ALPHA's row selects ALPHA for the buttons");
	press(lv, VK_DOWN);
	press(lv, VK_DOWN);
	press(lv, VK_DOWN);
	step(wait_text(w, IDC_HOST_COMBO, L"BETA", 3000) &&
		     wait_text(w, IDC_STATUS, L"BETA: Connected", 3000),
	     "Down to one of BETA's forwards: BETA is selected");
	screenshot(L"second-selected");
	click(w, IDC_DISCONNECT);
	step(wait_text(w, IDC_LOG, L"BETA: Not connected", 20000), "Disconnect: BETA disconnects");
	Sleep(1000);
	step(!wait_text(w, IDC_LOG, L"ALPHA: Not connected", 300) &&
		     !wait_text(w, IDC_LOG, L"ALPHA: Closing", 100),
	     "... and only BETA");
	glance_connect(w, L"ALPHA", 1);
	Sleep(300);
	step(wait_text(w, IDC_STATUS, L"ALPHA: Connected", 5000) &&
		     lv_check(&p, lv, one_host, one_type, 1),
	     "ALPHA still connected, alone in the list again");
	screenshot(L"one-left");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	return 1;
}

/* Issue 18 item 21: Connect pressed again while the server stalls the key
 * exchange (a listener that accepts and never sends its banner; the
 * session's worker sits in libssh's blocking connect until
 * ConnectTimeout). The old session is freed off the window thread, so the
 * window keeps answering: a message sent to it returns within 2 s, each
 * second, for 6 s. Then Connect again on the live RECON while its old
 * session is slow to close (stall.sh stopped its sshd): the new one starts
 * once the old one freed its LocalForward ports, and stall.sh checks they
 * carry data. Exit still ends the program. */
static int scenario_stall(const wchar_t *exe0, const wchar_t *kit)
{
	app_proc p;
	HWND w;
	DWORD_PTR res = 0;
	DWORD clicked, took;
	int i, again, answered = 0;

	(void)exe0;
	w = glance_start(kit, &p);
	if (w == NULL)
		goto kill;
	glance_connect(w, L"STALL", 0);
	step(wait_text(w, IDC_LOG, L"STALL", 10000), "Connect: STALL starts connecting");
	Sleep(2000); /* now in the blocking connect: the banner never comes */
	click(w, IDC_CONNECT);
	Sleep(200);
	for (i = 0; i < 6; i++) {
		DWORD t0 = GetTickCount();

		if (SendMessageTimeoutW(w, WM_NULL, 0, 0, SMTO_ABORTIFHUNG, 2000, &res) != 0 &&
		    GetTickCount() - t0 < 2000)
			answered++;
		Sleep(1000);
	}
	step(answered == 6, "Connect again: the window answers within 2 s, every time");
	screenshot(L"stall");
	/* Connect again on a live connection (a changed config applied): the
	 * new session starts once the old one has freed its LocalForward port,
	 * and the old one's last Closing / Idle do not override its state. */
	glance_connect(w, L"RECON", 0);
	step(wait_text(w, IDC_STATUS, L"RECON: Connected", 30000), "Connect: RECON connected");
	/* The old session is slow to close: its tunnels were sending when its
	 * sshd was stopped, and its worker waits in a write, its listeners
	 * open, until stall.sh lets the sshd run again 3 s after the click. */
	od_checked(od_handshake(kit, L"recon-stall", L"recon-stalled"),
		   "Linux: RECON's tunnels busy, its sshd stopped");
	clicked = GetTickCount();
	click(w, IDC_CONNECT);
	od_handshake(kit, L"recon-clicked", NULL);
	for (i = 0; i < 50 && wait_text(w, IDC_STATUS, L"RECON: Connected", 0); i++)
		Sleep(100); /* until the click was handled */
	again = wait_text(w, IDC_STATUS, L"RECON: Connected", 30000);
	took = GetTickCount() - clicked;
	step(again, "Connect again: RECON connected again");
	if (again) {
		/* Else the old session did not hold its ports: no test of the wait. */
		printf("  (%lu ms after the click)\n", (unsigned long)took);
		step(took >= 1500, "... not before its old session could close (the sshd "
				   "was stopped until 3 s after the click)");
	}
	Sleep(3000); /* the old session's last statuses would have come by now */
	step(wait_text(w, IDC_STATUS, L"RECON: Connected", 100) &&
		     !wait_text(w, IDC_LOG, L"already in use", 100),
	     "... and still says so; no \"address already in use\" in the log");
	screenshot(L"recon-again");
	od_checked(od_handshake(kit, L"recon-again", L"recon-checked"),
		   "Linux: the forward listens again and carries data");
	/* Connect again, and Disconnect while the old session is held: the
	 * waiting Connect is dropped, and RECON says Not connected once the
	 * old session has gone (its own statuses are dropped). */
	od_checked(od_handshake(kit, L"recon-stall2", L"recon-stalled2"),
		   "Linux: RECON's tunnels busy, its sshd stopped again");
	click(w, IDC_CONNECT);
	od_handshake(kit, L"recon-clicked2", NULL);
	step(wait_text(w, IDC_STATUS, L"RECON: Connecting", 2500),
	     "Connect again: RECON waits for its old session");
	click(w, IDC_DISCONNECT);
	step(wait_text(w, IDC_STATUS, L"RECON: Not connected", 20000),
	     "Disconnect meanwhile: RECON not connected once the old session has gone");
	Sleep(3000);
	step(wait_text(w, IDC_STATUS, L"RECON: Not connected", 100),
	     "... and still so: the Connect that waited did not start");
	screenshot(L"recon-disconnected");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 90000) == 0, "Exit");
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	return 1;
}

/* The same in Japanese: the Host column and the connection rows. */
static int scenario_glance_ja(const wchar_t *exe0, const wchar_t *kit)
{
	static const wchar_t *const hosts[] = {L"ALPHA", L"ALPHA", L"BETA", L"BETA", L"BETA"};
	static const wchar_t *const types[] = {L"\x63a5\x7d9a", NULL, L"\x63a5\x7d9a", NULL,
					       NULL}; /* 接続 */
	wchar_t cell[256];
	app_proc p;
	HWND w, lv;

	(void)exe0;
	w = glance_start(kit, &p);
	if (w == NULL)
		goto kill;
	lv = GetDlgItem(w, IDC_FWD_LIST);
	glance_connect(w, L"ALPHA", 1);
	step(glance_connect(w, L"BETA", 5), "two connections in Japanese");
	Sleep(1500);
	step(lv_check(&p, lv, hosts, types, 5), "their rows say 接続 (connection)");
	lv_cell(&p, lv, 2, 4, cell, 256);
	step(wcscmp(cell, L"\x63a5\x7d9a\x6e08\x307f") == 0, "BETA's row: 接続済み");
	screenshot(L"two-hosts-ja");
	/* Issue 20's earlier states in Japanese: the config file changed while
	 * connected (the mark), and Save log's dialog. */
	{
		wchar_t cfg[MAX_PATH * 2];
		HANDLE f;
		DWORD put = 0;
		HWND d;
		static const char more[] = "\r\nHost ADDED\r\n  HostName 127.0.0.1\r\n";

		_snwprintf(cfg, MAX_PATH * 2, L"%ls\\settings\\config.txt", kit);
		f = CreateFileW(cfg, FILE_APPEND_DATA, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0,
				NULL);
		step(f != INVALID_HANDLE_VALUE && WriteFile(f, more, sizeof(more) - 1, &put, NULL),
		     "config.txt edited while connected");
		if (f != INVALID_HANDLE_VALUE)
			CloseHandle(f);
		/* " (設定が変更されました: 再接続すると反映されます)" */
		step(wait_text(w, IDC_STATUS, L"BETA: \x63a5\x7d9a\x6e08\x307f (\x8a2d\x5b9a",
			       10000),
		     "the live connection is marked, in Japanese");
		screenshot(L"config-changed-ja");
		click(w, IDC_SAVE_LOG);
		d = wait_save_dialog(&p);
		step(d != NULL, "Save log... opens the save dialog");
		screenshot(L"save-log-ja");
		if (d != NULL)
			click(d, IDCANCEL);
		Sleep(500);
	}
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	return 1;
}

/* ---- Start with Windows (tests/e2e/autostart.sh) ----
 * The same kit as glance. The tray menu's "Start with Windows and connect
 * ALPHA" makes the Startup folder's PortForwarder.lnk; it is read back
 * (IShellLinkW), started as Windows would at sign-in (ShellExecute on the
 * .lnk): hidden in the tray, ALPHA connects; the menu removes it again. */

static int startup_lnk_in(REFKNOWNFOLDERID id, wchar_t *out, int size)
{
	PWSTR folder = NULL;

	out[0] = L'\0';
	if (FAILED(SHGetKnownFolderPath(id, KF_FLAG_CREATE, NULL, &folder)))
		return 0;
	_snwprintf(out, (size_t)size, L"%ls\\PortForwarder.lnk", folder);
	CoTaskMemFree(folder);
	return 1;
}

static int startup_lnk(wchar_t *out, int size)
{
	return startup_lnk_in(&FOLDERID_Startup, out, size);
}

/* Target, arguments and working folder of a shortcut; 1 when read. */
static int read_lnk(const wchar_t *path, wchar_t *target, wchar_t *args, wchar_t *dir, int size)
{
	IShellLinkW *link = NULL;
	IPersistFile *file = NULL;
	int ok;

	target[0] = args[0] = dir[0] = L'\0';
	ok = SUCCEEDED(CoCreateInstance(&CLSID_ShellLink, NULL, CLSCTX_INPROC_SERVER,
					&IID_IShellLinkW, (void **)&link)) &&
	     SUCCEEDED(IShellLinkW_QueryInterface(link, &IID_IPersistFile, (void **)&file)) &&
	     SUCCEEDED(IPersistFile_Load(file, path, STGM_READ)) &&
	     SUCCEEDED(IShellLinkW_GetPath(link, target, size, NULL, SLGP_RAWPATH)) &&
	     SUCCEEDED(IShellLinkW_GetArguments(link, args, size)) &&
	     SUCCEEDED(IShellLinkW_GetWorkingDirectory(link, dir, size));
	if (file != NULL)
		IPersistFile_Release(file);
	if (link != NULL)
		IShellLinkW_Release(link);
	return ok;
}

/* The main window, visible or not (FindWindow sees hidden ones). */
static HWND find_main_any(DWORD ms)
{
	DWORD t0 = GetTickCount();
	HWND w;

	do {
		w = FindWindowW(PF_MAIN_CLASS, NULL);
		if (w != NULL)
			return w;
		Sleep(200);
	} while (GetTickCount() - t0 < ms);
	return NULL;
}

/* The tray menu's item again: the shortcut is removed; then Exit. */
static void autostart_remove_exit(app_proc *p, HWND w, const wchar_t *lnk)
{
	step(tray_menu_choose(p, w, L'w', NULL), "tray menu: Start with Windows again");
	step(wait_text(w, IDC_LOG, L"no longer starts with Windows", 10000) &&
		     GetFileAttributesW(lnk) == INVALID_FILE_ATTRIBUTES,
	     "unchecked: the shortcut is removed");
	click(w, IDC_EXIT);
	step(wait_exit(p, 30000) == 0, "Exit");
	DeleteFileW(lnk);
}

static int scenario_autostart(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t lnk[MAX_PATH * 2], target[1024], args[1024], dir[1024], want[1024];
	wchar_t common[MAX_PATH * 2];
	wchar_t exe[MAX_PATH * 2];
	app_proc p, q;
	HWND w;
	DWORD pid = 0;
	HINSTANCE r;

	(void)exe0;
	CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
	_snwprintf(exe, MAX_PATH * 2, L"%ls\\PortForwarder.exe", kit);
	step(startup_lnk(lnk, MAX_PATH * 2), "the Startup folder");
	printf("  shortcut: %ls\n", lnk);
	DeleteFileW(lnk);
	w = glance_start(kit, &p);
	if (w == NULL)
		goto kill;
	kit_choose(w, L"ALPHA");
	step(tray_menu_choose(&p, w, L'w', L"tray-menu-startup"),
	     "tray menu: Start with Windows and connect ALPHA, by its mnemonic");
	step(wait_text(w, IDC_LOG, L"now starts with Windows", 10000) && wait_file(lnk, 5000),
	     "the Startup folder's shortcut is made, and the log says so");
	step(read_lnk(lnk, target, args, dir, 1024), "the shortcut reads back (IShellLinkW)");
	printf("  target: %ls\n  arguments: %ls\n  folder: %ls\n", target, args, dir);
	step(_wcsicmp(target, exe) == 0, "its target is this PortForwarder.exe");
	_snwprintf(want, 1024, L"-tray -F \"%ls\\settings\\config.txt\" ALPHA", kit);
	step(_wcsicmp(args, want) == 0, "its arguments: -tray -F \"<config>\" ALPHA");
	step(_wcsicmp(dir, kit) == 0, "its working folder is the exe's");
	/* For autostart.sh's own reading of the file's bytes (lnk.py). */
	_snwprintf(want, 1024, L"%ls\\startup-copy.lnk", kit);
	CopyFileW(lnk, want, FALSE);
	step(tray_menu_choose(&p, w, VK_ESCAPE, L"tray-menu-startup-checked"),
	     "the menu item is checked now (screenshot)");
	/* An /ALLUSERS install makes the shortcut in the all-users Startup
	 * folder: it counts as on, so the item removes it (this account may),
	 * and does not add a second one in the user's folder. */
	step(startup_lnk_in(&FOLDERID_CommonStartup, common, MAX_PATH * 2) &&
		     CopyFileW(lnk, common, FALSE) && DeleteFileW(lnk),
	     "the shortcut moved to the all-users Startup folder");
	printf("  all users: %ls\n", common);
	step(tray_menu_choose(&p, w, L'w', NULL), "tray menu: Start with Windows again");
	step(wait_text(w, IDC_LOG, L"no longer starts with Windows", 10000) &&
		     GetFileAttributesW(common) == INVALID_FILE_ATTRIBUTES &&
		     GetFileAttributesW(lnk) == INVALID_FILE_ATTRIBUTES,
	     "the all-users shortcut counted as on: removed, none made in the user's folder");
	DeleteFileW(common);
	step(CopyFileW(want, lnk, FALSE), "the user's shortcut back (for the sign-in below)");
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");

	/* Sign-in: Windows opens the shortcut. */
	r = ShellExecuteW(NULL, L"open", lnk, NULL, NULL, SW_SHOWNORMAL);
	step((INT_PTR)r > 32, "the shortcut opens (as at sign-in)");
	w = find_main_any(30000);
	step(w != NULL, "PortForwarder runs");
	if (w == NULL)
		goto kill;
	GetWindowThreadProcessId(w, &pid);
	memset(&q, 0, sizeof(q));
	q.pi.hProcess = OpenProcess(PROCESS_ALL_ACCESS, FALSE, pid);
	q.pi.dwProcessId = pid;
	q.running = q.pi.hProcess != NULL;
	step(wait_text(w, IDC_LOG, L"Started in the tray", 10000),
	     "-tray: the log says it started in the tray");
	step(wait_text(w, IDC_LOG, L"ALPHA: Connected", 30000), "-tray ... ALPHA: connected");
	step(!IsWindowVisible(w), "no window shown: only the tray icon (it was added, or the "
				  "window would be minimised instead)");
	screenshot(L"tray-only");
	tray_event(w, WM_LBUTTONDBLCLK);
	step(wait_visible(w, 1, 10000), "double-click on the tray icon shows the window");
	screenshot(L"from-tray");
	autostart_remove_exit(&q, w, lnk);
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	DeleteFileW(lnk);
	return 1;
}

/* The kit on a removable drive (autostart.sh maps R: as one): a warning
 * first; Cancel makes nothing, OK makes the shortcut to R:\. In Japanese
 * when the locale says so (texts are checked in English only). */
static int scenario_autostart_removable(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t lnk[MAX_PATH * 2], target[1024], args[1024], dir[1024], text[1024];
	app_proc p;
	HWND w, d;
	int ja = GetUserDefaultUILanguage() == 0x411 ||
		 PRIMARYLANGID(GetThreadUILanguage()) == LANG_JAPANESE;

	(void)exe0;
	CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
	step(startup_lnk(lnk, MAX_PATH * 2), "the Startup folder");
	DeleteFileW(lnk);
	w = glance_start(kit, &p);
	if (w == NULL)
		goto kill;
	step(GetDriveTypeW(L"R:\\") == DRIVE_REMOVABLE, "R: is a removable drive");
	kit_choose(w, L"ALPHA");
	step(tray_menu_choose(&p, w, L'w', ja ? L"tray-menu-startup-ja" : NULL),
	     "tray menu: Start with Windows");
	d = wait_for(&p, L"#32770", 0, 10000);
	step(d != NULL && d != w, "a warning comes first");
	if (d == NULL || d == w)
		goto kill;
	get_text(d, 0xFFFF, text, 1024);
	if (text[0] == L'\0')
		GetWindowTextW(d, text, 1024);
	printf("  warning: %ls\n", text);
	screenshot(ja ? L"removable-warning-ja" : L"removable-warning");
	click(d, IDCANCEL);
	Sleep(1000);
	step(GetFileAttributesW(lnk) == INVALID_FILE_ATTRIBUTES, "Cancel: no shortcut");
	if (!ja) {
		step(tray_menu_choose(&p, w, L'w', NULL), "again");
		d = wait_for(&p, L"#32770", 0, 10000);
		step(d != NULL && d != w, "the warning again");
		if (d != NULL && d != w)
			click(d, IDOK);
		step(wait_file(lnk, 10000) && read_lnk(lnk, target, args, dir, 1024) &&
			     _wcsnicmp(target, L"R:\\", 3) == 0,
		     "OK: the shortcut is made, to the exe on R:");
		printf("  target: %ls\n  arguments: %ls\n", target, args);
		autostart_remove_exit(&p, w, lnk);
		return failed != 0;
	}
	click(w, IDC_EXIT);
	step(wait_exit(&p, 30000) == 0, "Exit");
	DeleteFileW(lnk);
	return failed != 0;
kill:
	screenshot(L"failure");
	kill_app(&p);
	DeleteFileW(lnk);
	return 1;
}

/* ---- secrets in the GUI's log files (tests/e2e/secrets_gui.sh) ----
 * The kit's ini has LogLevel=debug (the highest the GUI offers) and
 * LogFile=pf.log; Host KBD logs in with keyboard-interactive, Host PW with a
 * password, each asked in the prompt dialog and answered with a canary
 * secrets_gui.sh then looks for in every file of the kit and in the log
 * saved with "Save log..." (saved-log.txt). */
#define SECRETS_KBD L"PF-CANARY-gui-kbdint-3e9f51"
#define SECRETS_PW  L"PF-CANARY-gui-password-a7c604"

/* Connect `host` and answer the server's prompt with `answer`. */
static int secrets_login(app_proc *p, HWND w, const wchar_t *host, const wchar_t *answer,
			 const wchar_t *shot)
{
	wchar_t want[128];
	HWND d;

	kit_choose(w, host);
	click(w, IDC_CONNECT);
	d = wait_for(p, NULL, IDC_DLG_EDIT, 30000);
	if (d == NULL)
		return 0;
	answer_secret(d, answer, shot);
	_snwprintf(want, 128, L"%ls: Connected", host);
	return wait_text(w, IDC_STATUS, want, 30000);
}

static int scenario_secrets_gui(const wchar_t *exe0, const wchar_t *kit)
{
	wchar_t saved[MAX_PATH * 2];
	app_proc p;
	HWND w;

	(void)exe0;
	_snwprintf(saved, MAX_PATH * 2, L"%ls\\saved-log.txt", kit);
	w = glance_start(kit, &p);
	if (w == NULL)
		goto kill;
	step(secrets_login(&p, w, L"KBD", SECRETS_KBD, L"kbdint-prompt"),
	     "KBD: the keyboard-interactive prompt answered, Connected");
	step(secrets_login(&p, w, L"PW", SECRETS_PW, L"password-prompt"),
	     "PW: the password asked, Connected");
	step(!wait_text(w, IDC_LOG, SECRETS_KBD, 300) && !wait_text(w, IDC_LOG, SECRETS_PW, 100),
	     "neither secret in the event log window");
	return save_log_exit(&p, w, saved);
kill:
	return day_failed(&p);
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
	static const struct {
		const wchar_t *name;
		int (*fn)(const wchar_t *exe, const wchar_t *work);
	} scenarios[] = {
		{L"smoke", smoke},
		{L"ini", scenario_ini},
		{L"tray", scenario_tray},
		{L"dialogs", scenario_dialogs},
		{L"ui", scenario_ui},
		{L"ja", scenario_ja},
		{L"ja-ini", scenario_ja_ini},
		{L"ui-cancel", scenario_ui_cancel},
		{L"cmdline", scenario_cmdline},
		{L"day", scenario_day},
		{L"day-cancel", scenario_day_cancel},
		{L"day-changed", scenario_day_changed},
		{L"day-resume", scenario_day_resume},
		{L"ondemand", scenario_ondemand},
		{L"keygen", scenario_keygen},
		{L"startup", scenario_startup},
		{L"kit29", scenario_kit29},
		{L"kit29-ja", scenario_kit29_ja},
		{L"kit29-log", scenario_kit29_log},
		{L"proxy-day", scenario_proxy_day},
		{L"proxy-auth", scenario_proxy_auth},
		{L"hostkey-replace", scenario_hostkey_replace},
		{L"hostkey-replace-ja", scenario_hostkey_replace_ja},
		{L"hostkey-reconnect", scenario_hostkey_reconnect},
		{L"release-hooks", scenario_release_hooks},
		{L"run", scenario_run},
		{L"setup-finish", scenario_setup_finish},
		{L"setup-in-use", scenario_setup_in_use},
		{L"glance", scenario_glance},
		{L"glance-ja", scenario_glance_ja},
		{L"autostart", scenario_autostart},
		{L"autostart-removable", scenario_autostart_removable},
		{L"stall", scenario_stall},
		{L"secrets-gui", scenario_secrets_gui},
	};
	wchar_t work[MAX_PATH * 2];
	size_t i;
	int rc = 2;

	if (argc >= 4) {
		g_shots = argv[3];
		g_name = argv[1];
		if (argc >= 5)
			_snwprintf(work, MAX_PATH * 2, L"%ls", argv[4]);
		else
			_snwprintf(work, MAX_PATH * 2, L"%ls\\work", argv[3]);
		for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
			if (wcscmp(argv[1], scenarios[i].name) == 0)
				rc = scenarios[i].fn(argv[2], work);
	}
	if (rc == 2)
		fprintf(stderr, "usage: pftest-driver "
				"smoke|ini|tray|dialogs|ui|ui-cancel|ja|ja-ini|cmdline|day|"
				"day-cancel|"
				"day-changed|ondemand|keygen|startup|kit29|kit29-ja|kit29-log|"
				"hostkey-replace|hostkey-replace-ja|hostkey-reconnect|"
				"release-hooks|run|setup-finish|setup-in-use|glance|glance-ja|"
				"autostart|autostart-removable|proxy-day|proxy-auth|stall|"
				"secrets-gui "
				"<PortForwarder.exe> <shot folder> [work folder]\n");
	printf("%d passed, %d failed\n", passed, failed);
	return rc;
}
