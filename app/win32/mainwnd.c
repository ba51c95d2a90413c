/* The main window: config file, host, "Automatically", Connect /
 * Disconnect / Hide / Exit, the status line, the selected host's forwards
 * and the event log. Resizable; closing it hides it to the tray. */
#include <windows.h>
#include <commctrl.h>
#include <commdlg.h>
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "app.h"
#include "dialogs.h"
#include "pf/platform.h"
#include "resource.h"

#define IDT_CONFIG_SETTLE 20 /* the config file's writes settle before it is read */

static pf_app *app_of(HWND dlg)
{
	return (pf_app *)GetWindowLongPtrW(dlg, DWLP_USER);
}

/* ---- layout ---------------------------------------------------------- */

/* How each control follows the window's size: its x, y, width and height
 * grow by these fractions (in halves) of the size change. */
static const struct anchor {
	int id;
	signed char x, y, w, h; /* 0, 1 = half, 2 = all */
} anchors[] = {
	{IDC_CONFIG_LABEL, 0, 0, 0, 0}, {IDC_CONFIG_EDIT, 0, 0, 2, 0},
	{IDC_BROWSE, 2, 0, 0, 0},       {IDC_HOST_LABEL, 0, 0, 0, 0},
	{IDC_HOST_COMBO, 0, 0, 2, 0},   {IDC_AUTO_HIDE, 0, 0, 1, 0},
	{IDC_CONNECT, 0, 0, 0, 0},      {IDC_DISCONNECT, 0, 0, 0, 0},
	{IDC_HIDE, 0, 0, 0, 0},         {IDC_EXIT, 0, 0, 0, 0},
	{IDC_STATUS, 0, 0, 2, 0},       {IDC_FWD_LABEL, 0, 0, 0, 0},
	{IDC_FWD_LIST, 0, 0, 2, 1},     {IDC_LOG_LABEL, 0, 1, 0, 0},
	{IDC_LOG, 0, 1, 2, 1},          {IDC_LOG_LEVEL_LABEL, 2, 1, 0, 0},
	{IDC_LOG_LEVEL, 2, 1, 0, 0},    {IDC_GENKEY, 2, 0, 0, 0},
	{IDC_FORGET_KEYS, 2, 0, 0, 0},  {IDC_CONFIG_OPEN, 2, 0, 0, 0},
	{IDC_SAVE_LOG, 2, 1, 0, 0},     {IDC_ON_DEMAND, 1, 0, 1, 0},
};
#define NANCHORS (sizeof(anchors) / sizeof(anchors[0]))

static void layout_record(HWND dlg, pf_app *app)
{
	RECT rc;
	size_t i;

	GetClientRect(dlg, &rc);
	app->lay_w0 = rc.right;
	app->lay_h0 = rc.bottom;
	GetWindowRect(dlg, &rc);
	app->min_w = rc.right - rc.left;
	app->min_h = rc.bottom - rc.top;
	for (i = 0; i < NANCHORS; i++) {
		HWND c = GetDlgItem(dlg, anchors[i].id);

		GetWindowRect(c, &app->lay_rect[i]);
		MapWindowPoints(NULL, dlg, (POINT *)&app->lay_rect[i], 2);
	}
}

static void layout_apply(HWND dlg, pf_app *app, int w, int h)
{
	int dx = w - app->lay_w0, dy = h - app->lay_h0;
	HDWP dwp;
	size_t i;

	if (dx < 0)
		dx = 0;
	if (dy < 0)
		dy = 0;
	dwp = BeginDeferWindowPos((int)NANCHORS);
	for (i = 0; i < NANCHORS && dwp != NULL; i++) {
		const struct anchor *a = &anchors[i];
		const RECT *r = &app->lay_rect[i];
		int x = r->left + dx * a->x / 2, y = r->top + dy * a->y / 2;
		int cw = r->right - r->left + dx * a->w / 2,
		    ch = r->bottom - r->top + dy * a->h / 2;

		/* The log gets the other half of the height, rounding included. */
		if (a->id == IDC_LOG)
			ch = r->bottom - r->top + dy - dy / 2;
		dwp = DeferWindowPos(dwp, GetDlgItem(dlg, a->id), NULL, x, y, cw, ch,
				     SWP_NOZORDER | SWP_NOACTIVATE);
	}
	if (dwp != NULL)
		EndDeferWindowPos(dwp);
	InvalidateRect(dlg, NULL, TRUE);
}

/* ---- settings -------------------------------------------------------- */

static void save_settings(pf_app *app)
{
	WINDOWPLACEMENT wp;
	wchar_t msg[1024];
	DWORD err;

	if (app->test_mode == PF_TEST_HOOK)
		return; /* dialog hooks leave the ini alone */
	if (app->main != NULL) {
		wchar_t host[PF_HOST_LEN];

		MainWnd_GetHost(app, host, PF_HOST_LEN);
		if (host[0] != L'\0')
			wcscpy_s(app->set.last_host, 256, host);
	}
	memset(&wp, 0, sizeof(wp));
	wp.length = sizeof(wp);
	if (app->main != NULL && GetWindowPlacement(app->main, &wp)) {
		app->set.have_rect = 1;
		app->set.rect.left = wp.rcNormalPosition.left;
		app->set.rect.top = wp.rcNormalPosition.top;
		app->set.rect.right = wp.rcNormalPosition.right - wp.rcNormalPosition.left;
		app->set.rect.bottom = wp.rcNormalPosition.bottom - wp.rcNormalPosition.top;
		app->set.maximized =
			wp.showCmd == SW_SHOWMAXIMIZED || (wp.flags & WPF_RESTORETOMAXIMIZED) != 0;
	}
	if (app->set.import29.found && !app->set.import29.kept) {
		wchar_t bak[MAX_PATH * 2 + 32];

		/* Said once; Ini_Save checks again and writes nothing without it. */
		if (Ini_Keep29(app->ini_path, bak, MAX_PATH * 2 + 32) == 0) {
			app->set.import29.kept = 1;
			if (bak[0] != L'\0')
				LogView_AddId(app, PF_LOG_INFO, NULL, IDS_INI29_KEPT, bak);
		}
	}
	err = Ini_Save(&app->set, app->ini_path, app->exe_dir);
	if (err == 0 && !app->ini_error_shown) {
		char *p8 = pf_wide_to_utf8(app->ini_path);

		if (p8 != NULL && pf_file_discards(p8)) {
			app->ini_error_shown = 1;
			LogView_Add(app, PF_LOG_VERBOSE, NULL,
				    L"The settings file is a device that keeps nothing (NUL): the "
				    L"settings are not saved.");
		}
		free(p8);
	}
	if (err != 0 && !app->ini_error_shown) {
		app->ini_error_shown = 1;
		Lang_Format(app, msg, 1024, IDS_INI_WRITE_FAILED, app->ini_path, (unsigned)err);
		LogView_Add(app, PF_LOG_ERROR, NULL, msg);
	}
}

static void restore_placement(HWND dlg, pf_app *app)
{
	RECT r;

	if (!app->set.have_rect)
		return;
	r.left = app->set.rect.left;
	r.top = app->set.rect.top;
	r.right = r.left + (app->set.rect.right > app->min_w ? app->set.rect.right : app->min_w);
	r.bottom = r.top + (app->set.rect.bottom > app->min_h ? app->set.rect.bottom : app->min_h);
	/* A monitor that is gone (another PC) must not leave it off screen. */
	if (MonitorFromRect(&r, MONITOR_DEFAULTTONULL) == NULL)
		return;
	SetWindowPos(dlg, NULL, r.left, r.top, r.right - r.left, r.bottom - r.top,
		     SWP_NOZORDER | SWP_NOACTIVATE);
}

/* ---- config and host -------------------------------------------------- */

void MainWnd_GetHost(pf_app *app, wchar_t *buf, int size)
{
	wchar_t *s, *e;

	buf[0] = L'\0';
	if (app->main == NULL)
		return;
	GetDlgItemTextW(app->main, IDC_HOST_COMBO, buf, size);
	for (s = buf; *s == L' ' || *s == L'\t'; s++)
		;
	e = s + wcslen(s);
	while (e > s && (e[-1] == L' ' || e[-1] == L'\t'))
		*--e = L'\0';
	memmove(buf, s, (wcslen(s) + 1) * sizeof(wchar_t));
}

void MainWnd_LoadConfig(pf_app *app)
{
	wchar_t typed[MAX_PATH * 2], abs_path[MAX_PATH * 2], host[PF_HOST_LEN];

	GetDlgItemTextW(app->main, IDC_CONFIG_EDIT, typed, MAX_PATH * 2);
	if (typed[0] == L'\0' || Ini_ResolvePath(app->exe_dir, typed, abs_path, MAX_PATH * 2) != 0)
		abs_path[0] = L'\0';
	if (wcscmp(abs_path, typed) != 0)
		SetDlgItemTextW(app->main, IDC_CONFIG_EDIT, abs_path);
	wcscpy_s(app->set.config, MAX_PATH * 2, abs_path);
	MainWnd_GetHost(app, host, PF_HOST_LEN);
	HostList_Fill(app, GetDlgItem(app->main, IDC_HOST_COMBO), abs_path,
		      host[0] ? host : app->set.last_host);
	ConfigWatch_Start(app);
	save_settings(app);
}

static void refresh_shown(pf_app *app);

/* The config file's folder changed (WM_PF_CONFIGCHANGED, then a short
 * settle time: editors write in several steps): when the file itself
 * changed, read it again; live connections keep running with what they
 * read and say so. */
static void config_changed(pf_app *app)
{
	wchar_t host[PF_HOST_LEN], name[MAX_PATH * 2];
	const wchar_t *slash;
	size_t i;

	if (!ConfigWatch_Changed(app))
		return;
	slash = wcsrchr(app->set.config, L'\\');
	wcscpy_s(name, MAX_PATH * 2, slash != NULL ? slash + 1 : app->set.config);
	LogView_AddId(app, PF_LOG_INFO, NULL, IDS_CONFIG_RELOADED, name);
	MainWnd_GetHost(app, host, PF_HOST_LEN);
	HostList_Fill(app, GetDlgItem(app->main, IDC_HOST_COMBO), app->set.config, host);
	for (i = 0; i < app->nconns; i++)
		if (app->conns[i]->state != PF_CONN_IDLE && app->conns[i]->state != PF_CONN_FAILED)
			app->conns[i]->config_changed = 1;
	refresh_shown(app);
}

/* A file dialog's common fields. Its filter comes from resources with '|'
 * separators (a string table cannot hold the NULs it wants); filter holds
 * 256 characters, file MAX_PATH * 4. */
static void file_dialog_init(OPENFILENAMEW *ofn, HWND dlg, pf_app *app, UINT filter_id,
			     wchar_t *filter, wchar_t *file)
{
	wchar_t *p;

	Lang_String(app, filter_id, filter, 256);
	for (p = filter; *p; p++)
		if (*p == L'|')
			*p = L'\0';
	ofn->lStructSize = sizeof(*ofn);
	ofn->hwndOwner = dlg;
	ofn->lpstrFilter = filter;
	ofn->lpstrFile = file;
	ofn->nMaxFile = MAX_PATH * 4;
}

/* "Save log...": the event log as shown (its level), as a UTF-8 file the
 * person can hand to the administrator. */
static void save_log(HWND dlg, pf_app *app)
{
	wchar_t file[MAX_PATH * 4] = L"PortForwarder-log.txt", filter[256], title[128];
	wchar_t msg[MAX_PATH * 4 + 256];
	OPENFILENAMEW ofn = {0};
	int err;

	file_dialog_init(&ofn, dlg, app, IDS_SAVELOG_FILTER, filter, file);
	ofn.lpstrDefExt = L"txt";
	ofn.lpstrTitle = Lang_String(app, IDS_SAVELOG_TITLE, title, 128);
	ofn.Flags = OFN_OVERWRITEPROMPT | OFN_PATHMUSTEXIST | OFN_HIDEREADONLY | OFN_NOCHANGEDIR |
		    OFN_DONTADDTORECENT;
	if (!GetSaveFileNameW(&ofn))
		return;
	err = LogView_Save(app, file);
	if (err != 0)
		LogView_AddId(app, PF_LOG_ERROR, NULL, IDS_SAVELOG_FAILED, file, (unsigned)err);
	else
		LogView_Add(app, PF_LOG_INFO, NULL,
			    Lang_Format(app, msg, MAX_PATH * 4 + 256, IDS_SAVELOG_DONE, file));
}

/* "Edit": the config file in the user's editor (the file type's "open",
 * else Notepad). */
static void edit_config(pf_app *app)
{
	wchar_t args[MAX_PATH * 2 + 8], buf[MAX_PATH * 2 + 128];
	HINSTANCE r;

	if (app->set.config[0] == L'\0' ||
	    GetFileAttributesW(app->set.config) == INVALID_FILE_ATTRIBUTES) {
		SetDlgItemTextW(app->main, IDC_STATUS,
				Lang_String(app, IDS_CONFIG_NONE, buf, MAX_PATH * 2 + 128));
		return;
	}
	r = ShellExecuteW(app->main, L"open", app->set.config, NULL, NULL, SW_SHOWNORMAL);
	if ((INT_PTR)r <= 32) {
		_snwprintf(args, MAX_PATH * 2 + 8, L"\"%ls\"", app->set.config);
		args[MAX_PATH * 2 + 7] = L'\0';
		r = ShellExecuteW(app->main, L"open", L"notepad.exe", args, NULL, SW_SHOWNORMAL);
	}
	if ((INT_PTR)r <= 32)
		LogView_AddId(app, PF_LOG_ERROR, NULL, IDS_EDIT_FAILED, app->set.config,
			      (unsigned)(INT_PTR)r);
	else
		LogView_AddId(app, PF_LOG_INFO, NULL, IDS_EDIT_OPENED, app->set.config);
}

static void browse_config(HWND dlg, pf_app *app)
{
	wchar_t file[MAX_PATH * 4] = L"", filter[256], title[128];
	OPENFILENAMEW ofn = {0};

	GetDlgItemTextW(dlg, IDC_CONFIG_EDIT, file, MAX_PATH * 4);
	file_dialog_init(&ofn, dlg, app, IDS_BROWSE_FILTER, filter, file);
	ofn.lpstrTitle = Lang_String(app, IDS_BROWSE_TITLE, title, 128);
	ofn.Flags = OFN_FILEMUSTEXIST | OFN_PATHMUSTEXIST | OFN_HIDEREADONLY | OFN_NOCHANGEDIR |
		    OFN_DONTADDTORECENT;
	if (GetOpenFileNameW(&ofn)) {
		SetDlgItemTextW(dlg, IDC_CONFIG_EDIT, file);
		MainWnd_LoadConfig(app);
	}
}

/* ---- connections ----------------------------------------------------- */

pf_conn_view *MainWnd_FindConn(pf_app *app, const wchar_t *name)
{
	size_t i;

	for (i = 0; i < app->nconns; i++)
		if (_wcsicmp(app->conns[i]->name, name) == 0)
			return app->conns[i];
	return NULL;
}

/* The connection the window shows: the one named in the host combo, else
 * the only one there is. */
static pf_conn_view *shown_conn(pf_app *app)
{
	wchar_t host[PF_HOST_LEN];
	pf_conn_view *v;

	MainWnd_GetHost(app, host, PF_HOST_LEN);
	v = host[0] ? MainWnd_FindConn(app, host) : NULL;
	if (v == NULL && app->nconns == 1)
		v = app->conns[0];
	return v;
}

static void format_bytes(uint64_t n, wchar_t *buf, size_t cap)
{
	static const wchar_t *const units[] = {L"KB", L"MB", L"GB", L"TB"};
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		_snwprintf(buf, cap, L"%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024.0 && u < 3) {
		v /= 1024.0;
		u++;
	}
	_snwprintf(buf, cap, L"%.1f %ls", v, units[u]);
}

static void set_cell(HWND lv, int row, int col, const wchar_t *text)
{
	wchar_t old[512];
	LVITEMW it = {0};

	/* Only what changed, so the list does not flicker. */
	it.iSubItem = col;
	it.pszText = old;
	it.cchTextMax = 512;
	old[0] = L'\0';
	SendMessageW(lv, LVM_GETITEMTEXTW, (WPARAM)row, (LPARAM)&it);
	if (wcscmp(old, text) == 0)
		return;
	it.pszText = (wchar_t *)text;
	SendMessageW(lv, LVM_SETITEMTEXTW, (WPARAM)row, (LPARAM)&it);
}

/* A connection that holds its forwards: connecting, connected, reconnecting,
 * closing or listening (not idle, not failed). */
static int conn_running(const pf_conn_view *v)
{
	return v->state != PF_CONN_IDLE && v->state != PF_CONN_FAILED;
}

/* All connections at a glance: with two or more running, the list shows
 * each of them (a row with its state) followed by its forwards; with one,
 * the forwards of the connection the window shows, as before. Every row
 * names its host in the first column. */
static int list_all(pf_app *app)
{
	size_t i;
	int n = 0;

	for (i = 0; i < app->nconns; i++)
		n += conn_running(app->conns[i]);
	return n >= 2;
}

/* The connection of list row `row`, or NULL. */
static pf_conn_view *row_conn(pf_app *app, int row)
{
	pf_conn_view *v;
	size_t i;

	if (row < 0)
		return NULL;
	if (!list_all(app)) {
		v = shown_conn(app);
		return v != NULL && (size_t)row < v->nfwd ? v : NULL;
	}
	for (i = 0; i < app->nconns; i++) {
		v = app->conns[i];
		if (!conn_running(v))
			continue;
		if ((size_t)row <= v->nfwd)
			return v;
		row -= (int)v->nfwd + 1;
	}
	return NULL;
}

static void fill_fwd_row(pf_app *app, HWND lv, int row, const pf_conn_view *v, const pf_fwd_row *r)
{
	static const UINT kind_ids[] = {IDS_FWD_LOCAL, IDS_FWD_REMOTE, IDS_FWD_DYNAMIC,
					IDS_FWD_REMOTE_DYNAMIC};
	static const UINT state_ids[] = {IDS_FWDST_STARTING, IDS_FWDST_ACTIVE, IDS_FWDST_WAITING,
					 IDS_FWDST_FAILED, IDS_FWDST_STOPPED};
	wchar_t buf[512];

	set_cell(lv, row, 0, v->name);
	set_cell(lv, row, 1,
		 Lang_String(app, kind_ids[(unsigned)r->kind < 4 ? r->kind : 0], buf, 512));
	set_cell(lv, row, 2, r->listen != NULL ? r->listen : L"");
	set_cell(lv, row, 3, r->dest != NULL ? r->dest : L"");
	if (r->state == PF_FWD_FAILED && r->error != NULL) {
		wchar_t st[64];

		_snwprintf(buf, 512, L"%ls: %ls", Lang_String(app, IDS_FWDST_FAILED, st, 64),
			   r->error);
		buf[511] = L'\0';
	} else if (r->state == PF_FWD_WAITING && v->state == PF_CONN_LISTENING) {
		Lang_String(app, IDS_FWDST_LISTENING, buf, 512); /* open, on demand */
	} else {
		Lang_String(app, state_ids[(unsigned)r->state < 5 ? r->state : 0], buf, 512);
	}
	set_cell(lv, row, 4, buf);
	_snwprintf(buf, 512, L"%lu (%llu)", (unsigned long)r->active, (unsigned long long)r->total);
	set_cell(lv, row, 5, buf);
	format_bytes(r->bytes_in, buf, 512);
	set_cell(lv, row, 6, buf);
	format_bytes(r->bytes_out, buf, 512);
	set_cell(lv, row, 7, buf);
}

/* A connection's own row: its server, its state, its forwards' totals. */
static void fill_conn_row(pf_app *app, HWND lv, int row, const pf_conn_view *v)
{
	wchar_t buf[512];
	uint64_t in = 0, out = 0, total = 0;
	unsigned long active = 0;
	size_t i;

	for (i = 0; i < v->nfwd; i++) {
		active += v->fwd[i].active;
		total += v->fwd[i].total;
		in += v->fwd[i].bytes_in;
		out += v->fwd[i].bytes_out;
	}
	set_cell(lv, row, 0, v->name);
	set_cell(lv, row, 1, Lang_String(app, IDS_ROW_CONNECTION, buf, 512));
	set_cell(lv, row, 2, L"");
	set_cell(lv, row, 3, v->server != NULL ? v->server : L"");
	MainWnd_ConnStateText(app, v, buf, 512);
	if (v->config_changed) {
		wchar_t st[256];

		wcsncat_s(buf, 512, Lang_String(app, IDS_CONN_STALE, st, 256), _TRUNCATE);
	}
	set_cell(lv, row, 4, buf);
	_snwprintf(buf, 512, L"%lu (%llu)", active, (unsigned long long)total);
	set_cell(lv, row, 5, buf);
	format_bytes(in, buf, 512);
	set_cell(lv, row, 6, buf);
	format_bytes(out, buf, 512);
	set_cell(lv, row, 7, buf);
}

static void refresh_list(pf_app *app)
{
	HWND lv = GetDlgItem(app->main, IDC_FWD_LIST);
	pf_conn_view *v = shown_conn(app), *sel;
	int all = list_all(app), n = 0, have, row, first = -1;
	size_t i, j;

	if (all) {
		for (i = 0; i < app->nconns; i++)
			if (conn_running(app->conns[i]))
				n += (int)app->conns[i]->nfwd + 1;
	} else if (v != NULL) {
		n = (int)v->nfwd;
	}
	have = (int)SendMessageW(lv, LVM_GETITEMCOUNT, 0, 0);
	while (have > n)
		SendMessageW(lv, LVM_DELETEITEM, (WPARAM)--have, 0);
	for (; have < n; have++) {
		LVITEMW it = {0};

		it.mask = LVIF_TEXT;
		it.iItem = have;
		it.pszText = L"";
		SendMessageW(lv, LVM_INSERTITEMW, 0, (LPARAM)&it);
	}
	if (!all) {
		for (row = 0; row < n; row++)
			fill_fwd_row(app, lv, row, v, &v->fwd[row]);
		return;
	}
	for (i = 0, row = 0; i < app->nconns; i++) {
		pf_conn_view *c = app->conns[i];

		if (!conn_running(c))
			continue;
		if (c == v)
			first = row;
		fill_conn_row(app, lv, row++, c);
		for (j = 0; j < c->nfwd; j++)
			fill_fwd_row(app, lv, row++, c, &c->fwd[j]);
	}
	/* The selection follows the host the buttons act on. */
	sel = row_conn(app, (int)SendMessageW(lv, LVM_GETNEXTITEM, (WPARAM)-1, LVNI_SELECTED));
	if (first >= 0 && sel != v) {
		LVITEMW it = {0};

		it.stateMask = LVIS_SELECTED | LVIS_FOCUSED;
		it.state = LVIS_SELECTED | LVIS_FOCUSED;
		SendMessageW(lv, LVM_SETITEMSTATE, (WPARAM)first, (LPARAM)&it);
	}
}

const wchar_t *MainWnd_ConnStateText(pf_app *app, const pf_conn_view *v, wchar_t *buf, int size)
{
	switch (v->state) {
	case PF_CONN_CONNECTING: return Lang_String(app, IDS_STATUS_CONNECTING, buf, size);
	case PF_CONN_AUTHENTICATING: return Lang_String(app, IDS_STATUS_AUTHENTICATING, buf, size);
	case PF_CONN_CONNECTED: return Lang_String(app, IDS_STATUS_CONNECTED, buf, size);
	case PF_CONN_RECONNECTING:
		return Lang_Format(app, buf, size, IDS_STATUS_RECONNECTING, v->retry_in_s);
	case PF_CONN_FAILED:
		return Lang_Format(app, buf, size, IDS_STATUS_FAILED,
				   v->last_error != NULL ? v->last_error : L"");
	case PF_CONN_CLOSING: return Lang_String(app, IDS_STATUS_CLOSING, buf, size);
	case PF_CONN_LISTENING: return Lang_String(app, IDS_STATUS_LISTENING, buf, size);
	default: return Lang_String(app, IDS_STATUS_IDLE, buf, size);
	}
}

/* Status line, buttons and list for the connection the window shows. */
static void refresh_shown(pf_app *app)
{
	pf_conn_view *v = shown_conn(app);
	wchar_t buf[1024];
	int running = v != NULL && v->state != PF_CONN_IDLE && v->state != PF_CONN_FAILED;
	const pf_host_setting *hs;

	MainWnd_GetHost(app, buf, PF_HOST_LEN);
	hs = Ini_Host(&app->set, buf, 0);
	CheckDlgButton(app->main, IDC_ON_DEMAND, hs != NULL && hs->on_demand);

	if (v != NULL) {
		wchar_t st[512];

		/* "IMR: Connected": several hosts may run at once. */
		Lang_Format(app, buf, 1024, IDS_LOG_STATE, v->name,
			    MainWnd_ConnStateText(app, v, st, 512));
		/* Through a proxy: say which, while connecting and after
		 * ("127.0.0.1:22 via HTTP proxy p:8080", the core's words). */
		if (running && v->server != NULL && wcsstr(v->server, L" via ") != NULL) {
			wchar_t via[512];

			wcsncat_s(buf, 1024, Lang_Format(app, via, 512, IDS_STATUS_VIA, v->server),
				  _TRUNCATE);
		}
		if (v->config_changed && running)
			wcsncat_s(buf, 1024, Lang_String(app, IDS_CONN_STALE, st, 512), _TRUNCATE);
		SetDlgItemTextW(app->main, IDC_STATUS, buf);
	} else if (app->nconns > 0) {
		/* Another host than the running ones (with none running, the
		 * status line keeps what it says about the config file). */
		SetDlgItemTextW(app->main, IDC_STATUS,
				Lang_String(app, IDS_STATUS_IDLE, buf, 1024));
	}
	EnableWindow(GetDlgItem(app->main, IDC_DISCONNECT), running);
	EnableWindow(GetDlgItem(app->main, IDC_CONNECT), app->ops != NULL);
	refresh_list(app);
}

/* A row of the list was selected (click, arrow keys): its host becomes the
 * one the Connect and Disconnect buttons act on. */
static void list_selected(pf_app *app, int row)
{
	pf_conn_view *v = row_conn(app, row);
	wchar_t host[PF_HOST_LEN];
	HWND combo = GetDlgItem(app->main, IDC_HOST_COMBO);
	LRESULT at;

	if (v == NULL)
		return;
	MainWnd_GetHost(app, host, PF_HOST_LEN);
	if (_wcsicmp(host, v->name) == 0)
		return;
	at = SendMessageW(combo, CB_FINDSTRINGEXACT, (WPARAM)-1, (LPARAM)v->name);
	if (at != CB_ERR)
		SendMessageW(combo, CB_SETCURSEL, (WPARAM)at, 0);
	else
		SetWindowTextW(combo, v->name);
	refresh_shown(app);
}

void MainWnd_OnStatus(pf_app *app, pf_conn_view *v)
{
	pf_conn_view *old = MainWnd_FindConn(app, v->name);
	pf_conn_state before = old != NULL ? old->state : PF_CONN_IDLE;
	wchar_t buf[1024], st[512], title[128];
	size_t i;
	int hidden = !IsWindowVisible(app->main);

	if (old != NULL) {
		/* Still running on the config it read before the file changed. */
		v->config_changed = old->config_changed && v->state != PF_CONN_IDLE &&
				    v->state != PF_CONN_FAILED;
		for (i = 0; i < app->nconns; i++)
			if (app->conns[i] == old)
				app->conns[i] = v;
		UiWin32_FreeConnView(old);
	} else if (app->nconns < PF_MAX_CONNS) {
		app->conns[app->nconns++] = v;
	} else {
		UiWin32_FreeConnView(v); /* more hosts than the window tracks */
		return;
	}
	if (before != v->state) {
		/* The log's line per state change; the core logs the details. */
		LogView_AddId(app, v->state == PF_CONN_FAILED ? PF_LOG_ERROR : PF_LOG_INFO, NULL,
			      IDS_LOG_STATE, v->name, MainWnd_ConnStateText(app, v, st, 512));
		Lang_String(app, IDS_NO_CONN_NAME, title, 128);
		if (v->state == PF_CONN_CONNECTED) {
			const pf_host_setting *hs = Ini_Host(&app->set, v->name, 0);

			/* On demand, connecting is routine: no balloon each time. */
			if (hidden && (hs == NULL || !hs->on_demand)) {
				Lang_Format(app, buf, 1024,
					    v->nfwd == 1 ? IDS_BALLOON_CONNECTED_ONE
							 : IDS_BALLOON_CONNECTED,
					    v->name, (unsigned)v->nfwd);
				Tray_Balloon(app, title, buf, NIIF_INFO);
			}
			if (app->set.auto_hide && !hidden)
				MainWnd_HideToTray(app);
		} else if (v->state == PF_CONN_LISTENING && before != PF_CONN_CONNECTED) {
			/* On demand, listening is what Connect brings: "Automatically"
			 * hides now (not again after each idle disconnect). */
			if (app->set.auto_hide && !hidden)
				MainWnd_HideToTray(app);
		} else if (v->state == PF_CONN_RECONNECTING && before == PF_CONN_CONNECTED) {
			Lang_Format(app, buf, 1024, IDS_BALLOON_LOST, v->name, v->retry_in_s);
			Tray_Balloon(app, title, buf, NIIF_WARNING);
		} else if (v->state == PF_CONN_FAILED) {
			Lang_Format(app, buf, 1024, IDS_BALLOON_FAILED, v->name,
				    v->last_error != NULL ? v->last_error : L"");
			Tray_Balloon(app, title, buf, NIIF_ERROR);
		}
	}
	refresh_shown(app);
	Tray_Update(app);
}

void MainWnd_Connect(pf_app *app, const wchar_t *host)
{
	wchar_t buf[512];

	if (host == NULL || host[0] == L'\0') {
		SetDlgItemTextW(app->main, IDC_STATUS, Lang_String(app, IDS_NO_HOST, buf, 512));
		return;
	}
	Ini_AddRecent(&app->set, host);
	wcscpy_s(app->set.last_host, 256, host);
	if (SendDlgItemMessageW(app->main, IDC_HOST_COMBO, CB_FINDSTRINGEXACT, (WPARAM)-1,
				(LPARAM)host) == CB_ERR)
		SendDlgItemMessageW(app->main, IDC_HOST_COMBO, CB_ADDSTRING, 0, (LPARAM)host);
	save_settings(app);
	if (MainWnd_FindConn(app, host) != NULL)
		MainWnd_FindConn(app, host)->config_changed = 0; /* reads the file anew */
	if (app->ops == NULL || app->ops->connect == NULL) {
		LogView_AddId(app, PF_LOG_INFO, host, IDS_CONNECT_NOT_READY);
		return;
	}
	app->ops->connect(app, app->set.config, host);
}

void MainWnd_Disconnect(pf_app *app, const wchar_t *host)
{
	if (app->ops != NULL && app->ops->disconnect != NULL)
		app->ops->disconnect(app, host);
}

/* ---- show, hide, exit ------------------------------------------------ */

void MainWnd_Restore(pf_app *app)
{
	if (app->main == NULL)
		return;
	ShowWindow(app->main, IsIconic(app->main) ? SW_RESTORE : SW_SHOW);
	SetForegroundWindow(app->main);
}

void MainWnd_HideToTray(pf_app *app)
{
	wchar_t title[128], text[512];

	if (!app->tray_added) {
		/* No notification area (no shell): hiding would lose the window. */
		ShowWindow(app->main, SW_MINIMIZE);
		return;
	}
	ShowWindow(app->main, SW_HIDE);
	if (!app->set.hide_note_shown) {
		app->set.hide_note_shown = 1;
		Lang_String(app, IDS_HIDDEN_TEXT, text, 512);
		Tray_Balloon(app, Lang_String(app, IDS_HIDDEN_TITLE, title, 128), text, NIIF_INFO);
		LogView_Add(app, PF_LOG_INFO, NULL, text);
		save_settings(app);
	}
}

static BOOL CALLBACK cancel_dialog(HWND w, LPARAM lp)
{
	pf_app *app = (pf_app *)lp;

	if (w != app->main && IsWindowVisible(w))
		PostMessageW(w, WM_COMMAND, IDCANCEL, 0);
	return TRUE;
}

void MainWnd_Exit(pf_app *app)
{
	if (app->exited || app->main == NULL)
		return;
	app->exiting = 1;
	if (app->asking) {
		/* A question is open: cancel it, exit once its loop returns. */
		EnumThreadWindows(GetCurrentThreadId(), cancel_dialog, (LPARAM)app);
		PostMessageW(app->main, WM_COMMAND, IDC_EXIT, 0);
		return;
	}
	app->exited = 1;
	save_settings(app);
	/* Every tunnel closes cleanly before the process ends. */
	if (app->ops != NULL && app->ops->shutdown != NULL)
		app->ops->shutdown(app);
	UiWin32_Drain(app);
	Tray_Remove(app);
	DestroyWindow(app->main);
}

/* ---- the dialog procedure -------------------------------------------- */

/* "Connect when first used", for the Host in the box (the next Connect). */
static void on_demand_clicked(pf_app *app)
{
	wchar_t host[PF_HOST_LEN];
	pf_host_setting *hs;
	pf_conn_view *v;

	MainWnd_GetHost(app, host, PF_HOST_LEN);
	hs = Ini_Host(&app->set, host, 1);
	if (hs == NULL) {
		CheckDlgButton(app->main, IDC_ON_DEMAND, BST_UNCHECKED);
		SetDlgItemTextW(app->main, IDC_STATUS, Lang_String(app, IDS_NO_HOST, host, 256));
		return;
	}
	hs->on_demand = IsDlgButtonChecked(app->main, IDC_ON_DEMAND) == BST_CHECKED;
	save_settings(app);
	v = MainWnd_FindConn(app, host);
	if (v != NULL && v->state != PF_CONN_IDLE && v->state != PF_CONN_FAILED)
		LogView_AddId(app, PF_LOG_INFO, NULL, IDS_ON_DEMAND_NEXT, host);
}

static void init_list(pf_app *app, HWND lv)
{
	static const UINT cols[] = {IDS_COL_HOST,  IDS_COL_TYPE,   IDS_COL_LISTEN, IDS_COL_DEST,
				    IDS_COL_STATE, IDS_COL_ACTIVE, IDS_COL_IN,     IDS_COL_OUT};
	static const int widths[] = {65, 70, 115, 125, 85, 70, 60, 60};
	wchar_t buf[64];
	size_t i;
	/* The window's own DPI (PerMonitorV2); user32 only. */
	UINT dpi = GetDpiForWindow(lv);

	if (dpi == 0)
		dpi = 96;
	SendMessageW(lv, LVM_SETEXTENDEDLISTVIEWSTYLE, 0,
		     LVS_EX_FULLROWSELECT | LVS_EX_DOUBLEBUFFER | LVS_EX_LABELTIP);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		LVCOLUMNW c = {0};

		c.mask = LVCF_TEXT | LVCF_WIDTH | LVCF_FMT;
		c.fmt = i >= 5 ? LVCFMT_RIGHT : LVCFMT_LEFT;
		c.cx = MulDiv(widths[i], (int)dpi, 96);
		c.pszText = (wchar_t *)Lang_String(app, cols[i], buf, 64);
		SendMessageW(lv, LVM_INSERTCOLUMNW, i, (LPARAM)&c);
	}
}

static void on_init(HWND dlg, pf_app *app)
{
	wchar_t buf[256];
	const wchar_t *select;
	int cx = GetSystemMetrics(SM_CXSMICON), cy = GetSystemMetrics(SM_CYSMICON);

	SetWindowLongPtrW(dlg, DWLP_USER, (LONG_PTR)app);
	app->main = dlg;
	SetWindowTextW(dlg, app->title);
	SendMessageW(dlg, WM_SETICON, ICON_BIG,
		     (LPARAM)LoadIconW(app->inst, MAKEINTRESOURCEW(IDI_APP)));
	SendMessageW(
		dlg, WM_SETICON, ICON_SMALL,
		(LPARAM)LoadImageW(app->inst, MAKEINTRESOURCEW(IDI_APP), IMAGE_ICON, cx, cy, 0));
	layout_record(dlg, app);
	init_list(app, GetDlgItem(dlg, IDC_FWD_LIST));
	SendDlgItemMessageW(dlg, IDC_LOG, EM_SETLIMITTEXT, 0, 0);
	LogView_InitFilter(app, GetDlgItem(dlg, IDC_LOG_LEVEL));
	LogView_Refill(app); /* lines logged before the window existed */
	SetDlgItemTextW(dlg, IDC_STATUS, Lang_String(app, IDS_STATUS_IDLE, buf, 256));
	CheckDlgButton(dlg, IDC_AUTO_HIDE, app->set.auto_hide ? BST_CHECKED : BST_UNCHECKED);
	SetDlgItemTextW(dlg, IDC_CONFIG_EDIT, app->set.config);
	select = app->cmd_host[0] ? app->cmd_host : app->set.last_host;
	HostList_Fill(app, GetDlgItem(dlg, IDC_HOST_COMBO), app->set.config, select);
	ConfigWatch_Start(app);
	EnableWindow(GetDlgItem(dlg, IDC_CONNECT), app->ops != NULL);
	EnableWindow(GetDlgItem(dlg, IDC_DISCONNECT), FALSE);
	EnableWindow(GetDlgItem(dlg, IDC_FORGET_KEYS),
		     app->ops != NULL && app->ops->forget_keys != NULL);
	restore_placement(dlg, app);
	refresh_shown(app); /* the chosen Host's own check boxes */

	Tray_Init(app);
	Tray_Add(app);
}

/* A second instance's command line: its -F file and host, as if given to
 * this one (connect when connecting is available). */
static void on_copydata(pf_app *app, const COPYDATASTRUCT *cds)
{
	wchar_t *cmd;
	pf_cmdline cl = {0};
	size_t n;

	if (cds == NULL || cds->dwData != PF_COPYDATA_CMDLINE || cds->cbData < sizeof(wchar_t) ||
	    cds->cbData > 65536)
		return;
	n = cds->cbData / sizeof(wchar_t);
	cmd = calloc(n + 1, sizeof(wchar_t));
	if (cmd == NULL)
		return;
	memcpy(cmd, cds->lpData, n * sizeof(wchar_t));
	app->cmd_config[0] = app->cmd_host[0] = L'\0';
	app->cmd_tray = 0;
	Cmdline_Parse(app, cmd, &cl);
	if (cl.test_index == 0) {
		if (app->cmd_config[0] != L'\0') {
			SetDlgItemTextW(app->main, IDC_CONFIG_EDIT, app->cmd_config);
			MainWnd_LoadConfig(app);
		}
		if (app->cmd_host[0] != L'\0') {
			LogView_AddId(app, PF_LOG_INFO, NULL, IDS_CMDLINE_HOST, app->cmd_host);
			HostList_Fill(app, GetDlgItem(app->main, IDC_HOST_COMBO), app->set.config,
				      app->cmd_host);
			refresh_shown(app);
			if (app->ops != NULL)
				MainWnd_Connect(app, app->cmd_host);
		}
	}
	if (cl.argv != NULL)
		LocalFree(cl.argv);
	free(cmd);
}

static INT_PTR CALLBACK Main_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
	pf_app *app = app_of(dlg);
	wchar_t host[PF_HOST_LEN];

	if (app != NULL && msg == app->msg_taskbar_created && msg != 0) {
		/* Explorer restarted: the icon must come back. */
		app->tray_added = 0;
		Tray_Add(app);
		return TRUE;
	}
	switch (msg) {
	case WM_INITDIALOG: on_init(dlg, (pf_app *)lp); return TRUE;
	case WM_SIZE:
		if (app != NULL && wp != SIZE_MINIMIZED)
			layout_apply(dlg, app, LOWORD(lp), HIWORD(lp));
		return TRUE;
	case WM_GETMINMAXINFO:
		if (app != NULL && app->min_w > 0) {
			MINMAXINFO *mm = (MINMAXINFO *)lp;

			mm->ptMinTrackSize.x = app->min_w;
			mm->ptMinTrackSize.y = app->min_h;
		}
		return TRUE;
	case WM_COMMAND:
		if (app == NULL)
			break;
		if (Tray_OnCommand(app, LOWORD(wp)))
			return TRUE;
		switch (LOWORD(wp)) {
		case IDC_BROWSE: browse_config(dlg, app); return TRUE;
		case IDC_CONFIG_EDIT:
			if (HIWORD(wp) == EN_KILLFOCUS) {
				wchar_t typed[MAX_PATH * 2];

				/* Leaving the field with another file in it reads it. */
				GetDlgItemTextW(dlg, IDC_CONFIG_EDIT, typed, MAX_PATH * 2);
				if (wcscmp(typed, app->set.config) != 0)
					MainWnd_LoadConfig(app);
			}
			return TRUE;
		case IDC_HOST_COMBO:
			if (HIWORD(wp) == CBN_SELCHANGE || HIWORD(wp) == CBN_EDITCHANGE)
				PostMessageW(dlg, WM_COMMAND, MAKEWPARAM(IDC_HOST_COMBO, 0xFFFF),
					     0);
			else if (HIWORD(wp) == 0xFFFF) /* after the selection took effect */
				refresh_shown(app);
			return TRUE;
		case IDC_AUTO_HIDE:
			app->set.auto_hide = IsDlgButtonChecked(dlg, IDC_AUTO_HIDE) == BST_CHECKED;
			save_settings(app);
			return TRUE;
		case IDC_ON_DEMAND: on_demand_clicked(app); return TRUE;
		case IDOK: /* Enter */
		case IDC_CONNECT:
			/* Enter in the config field (not a click on Connect). */
			if (LOWORD(wp) == IDOK && GetFocus() == GetDlgItem(dlg, IDC_CONFIG_EDIT)) {
				MainWnd_LoadConfig(app);
				return TRUE;
			}
			MainWnd_GetHost(app, host, PF_HOST_LEN);
			HostKeyDlg_UserConnect(
				app, host); /* its host key question may take the keyboard */
			MainWnd_Connect(app, host);
			return TRUE;
		case IDC_DISCONNECT:
			MainWnd_GetHost(app, host, PF_HOST_LEN);
			MainWnd_Disconnect(app, host);
			return TRUE;
		case IDCANCEL: /* Escape */
		case IDC_HIDE: MainWnd_HideToTray(app); return TRUE;
		case IDC_EXIT: MainWnd_Exit(app); return TRUE;
		case IDC_GENKEY: KeygenDlg_Show(app, dlg); return TRUE;
		case IDC_CONFIG_OPEN: edit_config(app); return TRUE;
		case IDC_SAVE_LOG: save_log(dlg, app); return TRUE;
		case IDC_FORGET_KEYS:
			if (app->ops != NULL && app->ops->forget_keys != NULL)
				app->ops->forget_keys(app);
			return TRUE;
		case IDC_LOG_LEVEL:
			if (HIWORD(wp) == CBN_SELCHANGE) {
				LogView_FilterChanged(app, GetDlgItem(dlg, IDC_LOG_LEVEL));
				save_settings(app);
			}
			return TRUE;
		}
		break;
	case WM_NOTIFY:
		if (app != NULL && wp == IDC_FWD_LIST &&
		    ((const NMHDR *)lp)->code == LVN_ITEMCHANGED) {
			const NMLISTVIEW *nm = (const NMLISTVIEW *)lp;

			if ((nm->uNewState & LVIS_SELECTED) && !(nm->uOldState & LVIS_SELECTED))
				list_selected(app, nm->iItem);
		}
		return FALSE;
	case WM_CLOSE:
		/* The close button hides; Exit (button or tray) really exits. */
		if (app != NULL)
			MainWnd_HideToTray(app);
		return TRUE;
	case WM_PF_TRAY:
		if (app != NULL)
			Tray_OnMessage(app, wp, lp);
		return TRUE;
	case WM_PF_UI:
		if (app != NULL)
			UiWin32_OnMessage(app, lp);
		return TRUE;
	case WM_COPYDATA:
		if (app != NULL)
			on_copydata(app, (const COPYDATASTRUCT *)lp);
		SetWindowLongPtrW(dlg, DWLP_MSGRESULT, TRUE);
		return TRUE;
	case WM_PF_RETIRED:
		if (app != NULL && app->ops != NULL && app->ops->retired != NULL)
			app->ops->retired(app, wp, lp);
		return TRUE;
	case WM_PF_NETCHANGE:
		/* The network came back or changed: retry now, not after the
		 * back-off (only sessions waiting to reconnect are affected). */
		if (app != NULL && app->ops != NULL && app->ops->resumed != NULL)
			app->ops->resumed(app);
		return TRUE;
	case WM_POWERBROADCAST:
		/* Back from sleep: the tunnels should not wait out a back-off. */
		if (app != NULL && (wp == PBT_APMRESUMEAUTOMATIC || wp == PBT_APMRESUMESUSPEND) &&
		    app->ops != NULL && app->ops->resumed != NULL)
			app->ops->resumed(app);
		SetWindowLongPtrW(dlg, DWLP_MSGRESULT, TRUE);
		return TRUE;
	case WM_QUERYENDSESSION: SetWindowLongPtrW(dlg, DWLP_MSGRESULT, TRUE); return TRUE;
	case WM_ENDSESSION:
		if (app != NULL && wp)
			MainWnd_Exit(app);
		return TRUE;
	case WM_PF_CONFIGCHANGED:
		/* One read after the writes settle, however many notifications. */
		SetTimer(dlg, IDT_CONFIG_SETTLE, 300, NULL);
		return TRUE;
	case WM_TIMER:
		if (wp == IDT_CONFIG_SETTLE && app != NULL) {
			KillTimer(dlg, IDT_CONFIG_SETTLE);
			config_changed(app);
		}
		return TRUE;
	case WM_DESTROY:
		if (app != NULL) {
			ConfigWatch_Stop(app);
			Tray_Free(app);
			app->main = NULL;
		}
		PostQuitMessage(0);
		return TRUE;
	}
	return FALSE;
}

HWND MainWnd_Create(pf_app *app)
{
	return Lang_CreateDialog(app, IDD_MAIN, NULL, Main_DlgProc, (LPARAM)app);
}
