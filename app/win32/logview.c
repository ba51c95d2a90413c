/* The event log: a ring of the last PF_LOG_KEEP lines in memory, shown in
 * a read-only edit control (so the text can be selected and copied) through
 * a level filter. Lines never hold secrets: the core never logs them and
 * the front end logs no answers. */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "app.h"
#include "resource.h"

/* LogFile= starts anew (the old one kept as .1) past this size. */
#define LOG_FILE_MAX (1024 * 1024)

/* The view is refilled from the ring when it grows past this. */
#define VIEW_MAX_CHARS (512 * 1024)

static const UINT level_ids[] = {IDS_LEVEL_ERROR, IDS_LEVEL_INFO, IDS_LEVEL_VERBOSE,
				 IDS_LEVEL_DEBUG};
static const pf_log_level level_values[] = {PF_LOG_ERROR, PF_LOG_INFO, PF_LOG_VERBOSE,
					    PF_LOG_DEBUG3};

static HWND view_of(pf_app *app)
{
	return app->main != NULL ? GetDlgItem(app->main, IDC_LOG) : NULL;
}

static void view_append(HWND view, const wchar_t *text)
{
	int len = GetWindowTextLengthW(view);

	SendMessageW(view, EM_SETSEL, (WPARAM)len, (LPARAM)len);
	SendMessageW(view, EM_REPLACESEL, FALSE, (LPARAM)text);
	SendMessageW(view, EM_REPLACESEL, FALSE, (LPARAM)L"\r\n");
}

/* `line` (plus CRLF) as UTF-8 at the end of file `f`; 0 or the error. */
static DWORD write_line(HANDLE f, const wchar_t *line)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, line, -1, NULL, 0, NULL, NULL);
	char *u = n > 0 ? malloc((size_t)n + 2) : NULL;
	DWORD put = 0, err = 0;

	if (u == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	WideCharToMultiByte(CP_UTF8, 0, line, -1, u, n, NULL, NULL);
	u[n - 1] = '\r';
	u[n] = '\n';
	if (!WriteFile(f, u, (DWORD)n + 1, &put, NULL) || put != (DWORD)n + 1)
		err = GetLastError() ? GetLastError() : ERROR_WRITE_FAULT;
	free(u);
	return err;
}

/* LogFile= in the ini: each line the view shows is appended to that file
 * next to the ini; at LOG_FILE_MAX it becomes <name>.1 (the one before is
 * dropped) and a new file starts. A failure is said once, then the file is
 * left alone for this run. */
static void append_log_file(pf_app *app, const wchar_t *line)
{
	wchar_t path[MAX_PATH * 2], old[MAX_PATH * 2 + 4], dir[MAX_PATH * 2], *slash;
	WIN32_FILE_ATTRIBUTE_DATA a;
	HANDLE f;
	DWORD err;

	if (app->set.log_file[0] == L'\0' || app->log_file_failed)
		return;
	wcscpy_s(dir, MAX_PATH * 2, app->ini_path);
	slash = wcsrchr(dir, L'\\');
	if (slash != NULL)
		*slash = L'\0';
	if (Ini_ResolvePath(dir, app->set.log_file, path, MAX_PATH * 2) != 0)
		return;
	if (GetFileAttributesExW(path, GetFileExInfoStandard, &a) &&
	    (a.nFileSizeHigh != 0 || a.nFileSizeLow >= LOG_FILE_MAX)) {
		_snwprintf(old, MAX_PATH * 2 + 4, L"%ls.1", path);
		old[MAX_PATH * 2 + 3] = L'\0';
		MoveFileExW(path, old, MOVEFILE_REPLACE_EXISTING);
	}
	f = CreateFileW(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL,
			OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	err = f == INVALID_HANDLE_VALUE ? GetLastError() : write_line(f, line);
	if (f != INVALID_HANDLE_VALUE)
		CloseHandle(f);
	if (err != 0) {
		app->log_file_failed = 1;
		LogView_AddId(app, PF_LOG_ERROR, NULL, IDS_LOGFILE_FAILED, path, (unsigned)err);
	}
}

int LogView_Save(pf_app *app, const wchar_t *path)
{
	HANDLE f = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL,
			       NULL);
	DWORD put = 0, err = 0;
	size_t i;

	if (f == INVALID_HANDLE_VALUE)
		return (int)GetLastError();
	/* A BOM, so that old Notepads read it as UTF-8 too. */
	if (!WriteFile(f, "\xEF\xBB\xBF", 3, &put, NULL))
		err = GetLastError();
	for (i = 0; err == 0 && i < app->log_count; i++) {
		const struct pf_log_line *l = &app->log[(app->log_first + i) % PF_LOG_KEEP];

		if (l->level <= app->log_filter)
			err = write_line(f, l->text);
	}
	CloseHandle(f);
	return (int)err;
}

void LogView_Add(pf_app *app, pf_log_level level, const wchar_t *conn, const wchar_t *text)
{
	SYSTEMTIME t;
	size_t len, slot, newlines = 0;
	wchar_t *line, *q;
	const wchar_t *p;
	HWND view;

	GetLocalTime(&t);
	for (p = text; *p; p++)
		newlines += *p == L'\n';
	len = wcslen(text) + newlines + (conn != NULL ? wcslen(conn) : 0) + 32;
	line = malloc(len * sizeof(wchar_t));
	if (line == NULL)
		return;
	if (conn != NULL && conn[0] != L'\0')
		_snwprintf(line, len, L"%02u:%02u:%02u  %ls: %ls", t.wHour, t.wMinute, t.wSecond,
			   conn, text);
	else
		_snwprintf(line, len, L"%02u:%02u:%02u  %ls", t.wHour, t.wMinute, t.wSecond, text);
	line[len - 1] = L'\0';
	/* Control characters from a server message must not garble the view;
	 * a message's own line breaks (a diagnostic's quoted line) stay, as
	 * the CRLF the edit control wants. */
	for (q = line; *q; q++) {
		if (*q == L'\n') {
			memmove(q + 1, q, (wcslen(q) + 1) * sizeof(wchar_t));
			*q++ = L'\r';
		} else if (*q < 0x20 && *q != L'\t') {
			*q = L' ';
		}
	}

	if (app->log_count == PF_LOG_KEEP) {
		free(app->log[app->log_first].text);
		app->log_first = (app->log_first + 1) % PF_LOG_KEEP;
		app->log_count--;
	}
	slot = (app->log_first + app->log_count) % PF_LOG_KEEP;
	app->log[slot].level = level;
	app->log[slot].text = line;
	app->log_count++;

	if (level > app->log_filter)
		return;
	append_log_file(app, line);
	view = view_of(app);
	if (view == NULL)
		return;
	if (GetWindowTextLengthW(view) > VIEW_MAX_CHARS)
		LogView_Refill(app);
	else
		view_append(view, line);
}

void LogView_AddId(pf_app *app, pf_log_level level, const wchar_t *conn, UINT id, ...)
{
	wchar_t fmt[1024], buf[2048];
	va_list ap;

	Lang_String(app, id, fmt, 1024);
	va_start(ap, id);
	if (_vsnwprintf(buf, 2048, fmt, ap) < 0)
		buf[2047] = L'\0';
	va_end(ap);
	buf[2047] = L'\0';
	LogView_Add(app, level, conn, buf);
}

void LogView_Refill(pf_app *app)
{
	HWND view = view_of(app);
	size_t i, total = 0, used = 0;
	wchar_t *all;

	if (view == NULL)
		return;
	for (i = 0; i < app->log_count; i++) {
		const struct pf_log_line *l = &app->log[(app->log_first + i) % PF_LOG_KEEP];

		if (l->level <= app->log_filter)
			total += wcslen(l->text) + 2;
	}
	/* Keep the newest lines when everything would be too much. */
	all = malloc((total + 1) * sizeof(wchar_t));
	if (all == NULL)
		return;
	for (i = 0; i < app->log_count; i++) {
		const struct pf_log_line *l = &app->log[(app->log_first + i) % PF_LOG_KEEP];
		size_t n;

		if (l->level > app->log_filter)
			continue;
		n = wcslen(l->text);
		memcpy(all + used, l->text, n * sizeof(wchar_t));
		used += n;
		all[used++] = L'\r';
		all[used++] = L'\n';
	}
	all[used] = L'\0';
	SetWindowTextW(view, used > VIEW_MAX_CHARS ? all + (used - VIEW_MAX_CHARS / 2) : all);
	/* The newest line in view. */
	used = (size_t)GetWindowTextLengthW(view);
	SendMessageW(view, EM_SETSEL, (WPARAM)used, (LPARAM)used);
	SendMessageW(view, EM_SCROLLCARET, 0, 0);
	free(all);
}

void LogView_InitFilter(pf_app *app, HWND combo)
{
	wchar_t buf[64];
	size_t i;
	int sel = 1;

	SendMessageW(combo, CB_RESETCONTENT, 0, 0);
	for (i = 0; i < sizeof(level_ids) / sizeof(level_ids[0]); i++) {
		SendMessageW(combo, CB_ADDSTRING, 0,
			     (LPARAM)Lang_String(app, level_ids[i], buf, 64));
		if (app->log_filter >= level_values[i])
			sel = (int)i;
	}
	SendMessageW(combo, CB_SETCURSEL, (WPARAM)sel, 0);
}

void LogView_FilterChanged(pf_app *app, HWND combo)
{
	LRESULT sel = SendMessageW(combo, CB_GETCURSEL, 0, 0);

	if (sel < 0 || sel >= (LRESULT)(sizeof(level_values) / sizeof(level_values[0])))
		return;
	app->log_filter = level_values[sel];
	app->set.log_level = app->log_filter;
	LogView_Refill(app);
}

void LogView_Free(pf_app *app)
{
	size_t i;

	for (i = 0; i < app->log_count; i++)
		free(app->log[(app->log_first + i) % PF_LOG_KEEP].text);
	app->log_count = 0;
	app->log_first = 0;
}
