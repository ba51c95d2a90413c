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

	view = view_of(app);
	if (view == NULL || level > app->log_filter)
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
