/* pftest-driver.exe: drives the real PortForwarder.exe under Wine the way a
 * person would, through window messages to controls found by their IDs.
 *
 *   pftest-driver smoke <PortForwarder.exe> <screenshot folder>
 *
 * Prints one line per step and "N passed, N failed" at the end; exit 0 only
 * when every step passed. */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "resource.h"

static int passed, failed;

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
static void screenshot(const wchar_t *dir, const wchar_t *name)
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

	if (bits == NULL)
		goto out;
	SelectObject(mem, bmp);
	BitBlt(mem, 0, 0, w, h, screen, 0, 0, SRCCOPY);
	GetDIBits(mem, bmp, 0, (UINT)h, bits, (BITMAPINFO *)&bi, DIB_RGB_COLORS);
	fh.bfSize = fh.bfOffBits + size;
	_snwprintf(path, MAX_PATH * 2, L"%ls\\%ls.bmp", dir, name);
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

static HWND wait_window(const wchar_t *cls, DWORD ms)
{
	DWORD t0 = GetTickCount();
	HWND w;

	do {
		w = FindWindowW(cls, NULL);
		if (w != NULL && IsWindowVisible(w))
			return w;
		Sleep(100);
	} while (GetTickCount() - t0 < ms);
	return NULL;
}

static int start_app(const wchar_t *exe, const wchar_t *args, PROCESS_INFORMATION *pi)
{
	wchar_t cmd[4096];
	STARTUPINFOW si;

	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);

	_snwprintf(cmd, 4096, L"\"%ls\"%ls%ls", exe, args[0] ? L" " : L"", args);
	cmd[4095] = L'\0';
	return CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, pi) != 0;
}

static int smoke(const wchar_t *exe, const wchar_t *shots)
{
	PROCESS_INFORMATION pi;
	HWND w;
	wchar_t title[256] = L"";
	static const int ids[] = {IDC_CONFIG_EDIT, IDC_BROWSE, IDC_HOST_COMBO, IDC_AUTO_HIDE,
				  IDC_CONNECT,     IDC_HIDE,   IDC_EXIT,       IDC_STATUS};
	size_t i;
	int all = 1;
	DWORD code = 1;

	step(start_app(exe, L"", &pi), "start PortForwarder.exe");
	if (failed)
		return 1;
	w = wait_window(PF_MAIN_CLASS, 30000);
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
	GetDlgItemTextW(w, IDC_STATUS, title, 256);
	step(wcscmp(title, L"Not connected") == 0, "status says Not connected");
	screenshot(shots, L"smoke-01-main-window");

	/* A second start must not open a second window. */
	{
		PROCESS_INFORMATION pi2;

		if (start_app(exe, L"", &pi2)) {
			step(WaitForSingleObject(pi2.hProcess, 20000) == WAIT_OBJECT_0,
			     "second instance exits at once");
			CloseHandle(pi2.hProcess);
			CloseHandle(pi2.hThread);
		}
	}

	PostMessageW(w, WM_CLOSE, 0, 0);
	step(WaitForSingleObject(pi.hProcess, 20000) == WAIT_OBJECT_0, "closing ends the process");
	GetExitCodeProcess(pi.hProcess, &code);
	step(code == 0, "exit code 0");
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	return failed != 0;
kill:
	TerminateProcess(pi.hProcess, 1);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	return 1;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
	int rc = 2;

	if (argc >= 4 && wcscmp(argv[1], L"smoke") == 0)
		rc = smoke(argv[2], argv[3]);
	else
		fprintf(stderr, "usage: pftest-driver smoke <PortForwarder.exe> <shot folder>\n");
	printf("%d passed, %d failed\n", passed, failed);
	return rc;
}
