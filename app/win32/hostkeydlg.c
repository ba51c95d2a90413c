/* The host key dialogs. Unknown key: host, port, key type and SHA256
 * fingerprint with "Trust and save", "Connect once" and "Cancel". Changed
 * key or a key of another type: a warning with both fingerprints and the
 * known_hosts line, and "Close"; a changed key (never one of another type)
 * also offers "Replace the recorded key...", a second dialog where the
 * fingerprint the administrator gave is pasted: its Replace is enabled only
 * while the paste matches the offered key, and answers PF_HOSTKEY_REPLACE
 * (the core rewrites the line; this file never writes known_hosts).
 *
 * A question the person did not just ask for (a reconnect, another host, an
 * on-demand connect) resists a wrong click: Cancel is the default button,
 * and the dialog appears without taking the keyboard (no foreground, no
 * focus, shown with SW_SHOWNOACTIVATE; the taskbar flashes instead). */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dialogs.h"
#include "pf/knownhosts.h"
#include "pf/platform.h"
#include "resource.h"

static const wchar_t *or_empty(const wchar_t *s)
{
	return s != NULL ? s : L"";
}

/* The dialog's state: a quiet (unattended) question runs as a modeless
 * dialog in its own loop, because the modal loop activates its dialog. */
typedef struct hk_ctx {
	pf_dlg_ctx base; /* first: Dlg_Ctx() finds it */
	int modeless, done;
	INT_PTR result;
} hk_ctx;

static void finish(HWND dlg, INT_PTR r)
{
	hk_ctx *c = (hk_ctx *)Dlg_Ctx(dlg);

	if (c->modeless) {
		c->result = r;
		c->done = 1;
	} else {
		EndDialog(dlg, r);
	}
}

/* ---- who asked ---- */

void HostKeyDlg_UserConnect(pf_app *app, const wchar_t *host)
{
	size_t i;

	if (host == NULL || host[0] == L'\0' || HostKeyDlg_UserConnected(app, host))
		return;
	for (i = 0; i < PF_MAX_CONNS; i++)
		if (app->hk_user_connect[i][0] == L'\0') {
			lstrcpynW(app->hk_user_connect[i], host, PF_HOST_LEN);
			return;
		}
}

static size_t find_user_connect(pf_app *app, const wchar_t *host)
{
	size_t i;

	for (i = 0; host != NULL && host[0] != L'\0' && i < PF_MAX_CONNS; i++)
		if (wcscmp(app->hk_user_connect[i], host) == 0)
			return i;
	return PF_MAX_CONNS;
}

int HostKeyDlg_UserConnected(pf_app *app, const wchar_t *host)
{
	return find_user_connect(app, host) < PF_MAX_CONNS;
}

void HostKeyDlg_ConnState(pf_app *app, const wchar_t *host, pf_conn_state state)
{
	/* The attempt the person started is over: later questions for this
	 * host come from reconnects. (Connecting, authenticating, and the
	 * closing/idle states of a session being replaced keep it.) */
	size_t i = find_user_connect(app, host);

	if (i < PF_MAX_CONNS && (state == PF_CONN_CONNECTED || state == PF_CONN_FAILED ||
				 state == PF_CONN_RECONNECTING || state == PF_CONN_LISTENING))
		app->hk_user_connect[i][0] = L'\0';
}

/* ---- the dialogs ---- */

static void fill(HWND dlg, pf_app *app, const pf_hostkey_ask *req)
{
	wchar_t buf[1024];
	HICON icon;

	SetDlgItemTextW(dlg, IDC_HK_HOST, or_empty(req->host));
	Lang_Format(app, buf, 64, IDS_HK_PORT_FMT, req->port);
	SetDlgItemTextW(dlg, IDC_HK_PORT, buf);
	SetDlgItemTextW(dlg, IDC_HK_TYPE, or_empty(req->key_type));
	SetDlgItemTextW(dlg, IDC_HK_FP, or_empty(req->fingerprint));
	if (req->state != PF_HOSTKEY_UNKNOWN) {
		SetDlgItemTextW(dlg, IDC_HK_OLD_TYPE, or_empty(req->old_key_type));
		SetDlgItemTextW(dlg, IDC_HK_OLD_FP, or_empty(req->old_fingerprint));
		Lang_Format(app, buf, 1024, IDS_HK_FILE_FMT, or_empty(req->known_hosts_path),
			    req->old_line);
		SetDlgItemTextW(dlg, IDC_HK_FILE, buf);
		if (req->state == PF_HOSTKEY_OTHER_TYPE) {
			SetDlgItemTextW(dlg, IDC_DLG_HEADER,
					Lang_String(app, IDS_HK_OTHER_HEADER, buf, 1024));
			SetDlgItemTextW(dlg, IDC_HK_WARNING,
					Lang_String(app, IDS_HK_OTHER_WARN, buf, 1024));
		}
		/* Only a changed key of the same family can be replaced. */
		if (req->state != PF_HOSTKEY_CHANGED || !req->replaceable) {
			ShowWindow(GetDlgItem(dlg, IDC_HK_REPLACE), SW_HIDE);
			EnableWindow(GetDlgItem(dlg, IDC_HK_REPLACE), FALSE);
		}
		if (req->state == PF_HOSTKEY_CHANGED && !req->replaceable)
			SetDlgItemTextW(dlg, IDC_HK_WARNING,
					Lang_String(app, IDS_HK_NOREPLACE_WARN, buf, 1024));
		icon = LoadIconW(NULL, IDI_WARNING);
		MessageBeep(MB_ICONWARNING);
	} else {
		SetDlgItemTextW(dlg, IDC_HK_FILE, or_empty(req->known_hosts_path));
		Lang_Format(app, buf, 1024, IDS_HK_UNKNOWN_Q, or_empty(req->host));
		SetDlgItemTextW(dlg, IDC_HK_QUESTION, buf);
		icon = LoadIconW(NULL, IDI_QUESTION);
	}
	SendDlgItemMessageW(dlg, IDC_DLG_ICON, STM_SETICON, (WPARAM)icon, 0);
}

/* Make Cancel the default button (Enter cancels). */
static void cancel_is_default(HWND dlg)
{
	HWND save = GetDlgItem(dlg, IDC_HK_SAVE);

	if (save != NULL)
		SendMessageW(save, BM_SETSTYLE, BS_PUSHBUTTON, TRUE);
	SendMessageW(GetDlgItem(dlg, IDCANCEL), BM_SETSTYLE, BS_DEFPUSHBUTTON, TRUE);
	SendMessageW(dlg, DM_SETDEFID, IDCANCEL, 0);
}

/* Show the dialog where the person sees it without taking the keyboard
 * from whatever they are typing into: no activation, a flashing taskbar
 * button. */
static void show_quietly(HWND dlg)
{
	FLASHWINFO fw = {sizeof(fw), dlg, FLASHW_ALL | FLASHW_TIMERNOFG, 0, 0};

	SetWindowPos(dlg, HWND_TOPMOST, 0, 0, 0, 0,
		     SWP_NOMOVE | SWP_NOSIZE | SWP_NOACTIVATE | SWP_SHOWWINDOW);
	ShowWindow(dlg, SW_SHOWNOACTIVATE);
	FlashWindowEx(&fw);
}

/* The paste dialog: its req is the changed-key question. */
static void update_match(HWND dlg, pf_app *app, const pf_hostkey_ask *req)
{
	wchar_t typed[512], msg[512];
	char *typed8, *fp8;
	int empty, ok = 0;

	GetDlgItemTextW(dlg, IDC_HK_PASTE, typed, 512);
	typed8 = pf_wide_to_utf8(typed);
	fp8 = pf_wide_to_utf8(or_empty(req->fingerprint));
	empty = typed8 == NULL || typed8[strspn(typed8, " \t\r\n")] == '\0';
	if (typed8 != NULL && fp8 != NULL)
		ok = pf_knownhosts_fingerprint_matches(typed8, fp8);
	free(typed8);
	free(fp8);
	EnableWindow(GetDlgItem(dlg, IDC_HK_DO_REPLACE), ok);
	Lang_String(app,
		    empty ? IDS_HK_MATCH_EMPTY
		    : ok  ? IDS_HK_MATCH_YES
			  : IDS_HK_MATCH_NO,
		    msg, 512);
	SetDlgItemTextW(dlg, IDC_HK_MATCH, msg);
}

static INT_PTR CALLBACK Replace_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
	pf_dlg_ctx *ctx;
	wchar_t buf[1024];

	switch (msg) {
	case WM_INITDIALOG: {
		const pf_hostkey_ask *req;

		SetWindowLongPtrW(dlg, DWLP_USER, lp);
		ctx = (pf_dlg_ctx *)lp;
		req = ctx->req;
		SetDlgItemTextW(dlg, IDC_HK_HOST, or_empty(req->host));
		Lang_Format(ctx->app, buf, 1024, IDS_HK_FILE_FMT, or_empty(req->known_hosts_path),
			    req->old_line);
		SetDlgItemTextW(dlg, IDC_HK_FILE, buf);
		SendDlgItemMessageW(dlg, IDC_HK_PASTE, EM_LIMITTEXT, 500, 0);
		update_match(dlg, ctx->app, req);
		SetFocus(GetDlgItem(dlg, IDC_HK_PASTE));
		return FALSE;
	}
	case WM_COMMAND:
		ctx = Dlg_Ctx(dlg);
		switch (LOWORD(wp)) {
		case IDC_HK_PASTE:
			if (HIWORD(wp) == EN_CHANGE)
				update_match(dlg, ctx->app, ctx->req);
			return TRUE;
		case IDOK: /* Enter: only when Replace is enabled */
		case IDC_HK_DO_REPLACE:
			update_match(dlg, ctx->app, ctx->req);
			if (IsWindowEnabled(GetDlgItem(dlg, IDC_HK_DO_REPLACE)))
				EndDialog(dlg, IDOK);
			return TRUE;
		case IDCANCEL: EndDialog(dlg, IDCANCEL); return TRUE;
		}
		break;
	}
	return FALSE;
}

INT_PTR CALLBACK HostKey_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
	pf_dlg_ctx *ctx;
	const pf_hostkey_ask *req;

	switch (msg) {
	case WM_INITDIALOG:
		ctx = (pf_dlg_ctx *)lp;
		req = ctx->req;
		if (req->unattended) {
			SetWindowLongPtrW(dlg, DWLP_USER, lp);
			LogView_AddId(ctx->app, PF_LOG_INFO, req->conn_name, IDS_HK_UNATTENDED,
				      or_empty(req->conn_name));
		} else {
			Dlg_Init(dlg, lp); /* brings it to the front */
		}
		fill(dlg, ctx->app, req);
		/* A question nobody just asked for, or a key that conflicts with
		 * the recorded one: Enter must not accept anything. */
		if (req->unattended || req->state != PF_HOSTKEY_UNKNOWN ||
		    GetDlgItem(dlg, IDC_HK_SAVE) == NULL)
			cancel_is_default(dlg);
		if (req->unattended) {
			show_quietly(dlg);
			return FALSE; /* no focus: that would activate it */
		}
		SetFocus(
			GetDlgItem(dlg, req->state == PF_HOSTKEY_UNKNOWN ? IDC_HK_SAVE : IDCANCEL));
		return FALSE;
	case WM_COMMAND:
		ctx = Dlg_Ctx(dlg);
		switch (LOWORD(wp)) {
		case IDC_HK_SAVE: finish(dlg, PF_HOSTKEY_ACCEPT_SAVE); return TRUE;
		case IDC_HK_ONCE: finish(dlg, PF_HOSTKEY_ACCEPT_ONCE); return TRUE;
		case IDC_HK_REPLACE:
			req = ctx->req;
			if (req->state == PF_HOSTKEY_CHANGED && req->replaceable &&
			    Lang_DialogBox(ctx->app, IDD_HOSTKEY_REPLACE, dlg, Replace_DlgProc,
					   (LPARAM)ctx) == IDOK)
				finish(dlg, PF_HOSTKEY_REPLACE);
			return TRUE;
		case IDCANCEL:
		case IDOK: finish(dlg, PF_HOSTKEY_REJECT); return TRUE;
		}
		break;
	}
	return FALSE;
}

/* The unattended question: shown without activation, run modally by its
 * own loop (the owner disabled meanwhile), ended by finish(). */
static INT_PTR quiet_dialog(pf_app *app, UINT id, HWND owner, hk_ctx *c)
{
	int owner_enabled = owner != NULL && IsWindowEnabled(owner);
	BOOL got = 1;
	HWND dlg;
	MSG msg;

	dlg = Lang_CreateDialog(app, id, owner, HostKey_DlgProc, (LPARAM)c);
	if (dlg == NULL)
		return PF_HOSTKEY_REJECT;
	if (owner_enabled)
		EnableWindow(owner, FALSE);
	while (!c->done && (got = GetMessageW(&msg, NULL, 0, 0)) != 0 && got != -1) {
		if (!IsDialogMessageW(dlg, &msg)) {
			TranslateMessage(&msg);
			DispatchMessageW(&msg);
		}
	}
	if (got == 0)
		PostQuitMessage((int)msg.wParam); /* for the outer loop */
	if (owner_enabled)
		EnableWindow(owner, TRUE);
	DestroyWindow(dlg);
	return c->done ? c->result : PF_HOSTKEY_REJECT;
}

pf_hostkey_answer HostKeyDlg_Ask(pf_app *app, HWND owner, const pf_hostkey_ask *req)
{
	hk_ctx c = {{app, req, NULL, 0}, req->unattended != 0, 0, PF_HOSTKEY_REJECT};
	UINT id = req->state == PF_HOSTKEY_UNKNOWN ? IDD_HOSTKEY_UNKNOWN : IDD_HOSTKEY_CHANGED;
	INT_PTR r;

	r = c.modeless ? quiet_dialog(app, id, owner, &c)
		       : Lang_DialogBox(app, id, owner, HostKey_DlgProc, (LPARAM)&c);
	if (req->state != PF_HOSTKEY_UNKNOWN)
		return r == PF_HOSTKEY_REPLACE && req->state == PF_HOSTKEY_CHANGED &&
				       req->replaceable
			       ? PF_HOSTKEY_REPLACE
			       : PF_HOSTKEY_REJECT;
	if (r == PF_HOSTKEY_ACCEPT_SAVE || r == PF_HOSTKEY_ACCEPT_ONCE)
		return (pf_hostkey_answer)r;
	return PF_HOSTKEY_REJECT;
}
