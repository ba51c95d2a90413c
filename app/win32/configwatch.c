/* The config file followed while the program runs: a thread waits on a
 * change notification for the file's folder (no polling timer) and posts
 * WM_PF_CONFIGCHANGED to the window; the window re-reads the file when its
 * size or time changed. Window thread only, except watch_thread. */
#include <windows.h>
#include <stdlib.h>
#include <wchar.h>

#include "app.h"
#include "resource.h"

typedef struct watch_ctx {
	HANDLE change, stop;
	HWND wnd;
} watch_ctx;

static DWORD WINAPI watch_thread(LPVOID arg)
{
	watch_ctx *w = arg;
	HANDLE h[2] = {w->stop, w->change};

	for (;;) {
		DWORD r = WaitForMultipleObjects(2, h, FALSE, INFINITE);

		if (r != WAIT_OBJECT_0 + 1)
			break; /* stop, or the notification broke */
		PostMessageW(w->wnd, WM_PF_CONFIGCHANGED, 0, 0);
		if (!FindNextChangeNotification(w->change))
			break;
	}
	return 0;
}

void ConfigWatch_Stop(pf_app *app)
{
	watch_ctx *w = app->watch;

	if (w == NULL)
		return;
	SetEvent(w->stop);
	if (app->watch_thread != NULL) {
		WaitForSingleObject(app->watch_thread, INFINITE);
		CloseHandle(app->watch_thread);
		app->watch_thread = NULL;
	}
	FindCloseChangeNotification(w->change);
	CloseHandle(w->stop);
	free(w);
	app->watch = NULL;
}

/* The file's size and last-write time, to tell a real change from the
 * folder's other traffic; 0 when it cannot be read. */
static ULONGLONG file_stamp(const wchar_t *path)
{
	WIN32_FILE_ATTRIBUTE_DATA a;

	if (path[0] == L'\0' || !GetFileAttributesExW(path, GetFileExInfoStandard, &a))
		return 0;
	return ((ULONGLONG)a.ftLastWriteTime.dwHighDateTime << 32 |
		a.ftLastWriteTime.dwLowDateTime) ^
	       ((ULONGLONG)a.nFileSizeLow << 7) ^ 1;
}

void ConfigWatch_Start(pf_app *app)
{
	wchar_t dir[MAX_PATH * 2], *slash;
	watch_ctx *w;

	ConfigWatch_Stop(app);
	app->watch_stamp = file_stamp(app->set.config);
	if (app->set.config[0] == L'\0' || app->main == NULL)
		return;
	wcscpy_s(dir, MAX_PATH * 2, app->set.config);
	slash = wcsrchr(dir, L'\\');
	if (slash == NULL)
		return;
	*slash = L'\0';
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return;
	w->wnd = app->main;
	w->stop = CreateEventW(NULL, TRUE, FALSE, NULL);
	w->change = FindFirstChangeNotificationW(dir, FALSE,
						 FILE_NOTIFY_CHANGE_LAST_WRITE |
							 FILE_NOTIFY_CHANGE_FILE_NAME |
							 FILE_NOTIFY_CHANGE_SIZE);
	if (w->stop == NULL || w->change == INVALID_HANDLE_VALUE) {
		/* Only a convenience: choosing the file again still reads it. */
		if (w->change != INVALID_HANDLE_VALUE)
			FindCloseChangeNotification(w->change);
		if (w->stop != NULL)
			CloseHandle(w->stop);
		free(w);
		return;
	}
	app->watch = w;
	app->watch_thread = CreateThread(NULL, 0, watch_thread, w, 0, NULL);
	if (app->watch_thread == NULL)
		ConfigWatch_Stop(app);
}

int ConfigWatch_Changed(pf_app *app)
{
	ULONGLONG now = file_stamp(app->set.config);

	if (now == app->watch_stamp)
		return 0;
	app->watch_stamp = now;
	return 1;
}
