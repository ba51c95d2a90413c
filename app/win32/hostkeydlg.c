/* The host key dialogs. Unknown key: host, port, key type and SHA256
 * fingerprint with "Trust and save", "Connect once" and "Cancel". Changed
 * key: a warning with both fingerprints and the known_hosts line, and only
 * "Close": there is no one-click way past a changed key. */
#include <windows.h>
#include <stdio.h>

#include "dialogs.h"
#include "resource.h"

static const wchar_t *or_empty(const wchar_t *s)
{
	return s != NULL ? s : L"";
}

static void fill(HWND dlg, pf_app *app, const pf_hostkey_ask *req)
{
	wchar_t buf[1024];
	HICON icon;

	SetDlgItemTextW(dlg, IDC_HK_HOST, or_empty(req->host));
	Lang_Format(app, buf, 64, IDS_HK_PORT_FMT, req->port);
	SetDlgItemTextW(dlg, IDC_HK_PORT, buf);
	SetDlgItemTextW(dlg, IDC_HK_TYPE, or_empty(req->key_type));
	SetDlgItemTextW(dlg, IDC_HK_FP, or_empty(req->fingerprint));
	if (req->state == PF_HOSTKEY_CHANGED) {
		SetDlgItemTextW(dlg, IDC_HK_OLD_TYPE, or_empty(req->old_key_type));
		SetDlgItemTextW(dlg, IDC_HK_OLD_FP, or_empty(req->old_fingerprint));
		Lang_Format(app, buf, 1024, IDS_HK_FILE_FMT, or_empty(req->known_hosts_path),
			    req->old_line);
		SetDlgItemTextW(dlg, IDC_HK_FILE, buf);
		icon = LoadIconW(NULL, IDI_WARNING);
		MessageBeep(MB_ICONWARNING);
	} else {
		SetDlgItemTextW(dlg, IDC_HK_FILE, or_empty(req->known_hosts_path));
		if (req->state == PF_HOSTKEY_OTHER_TYPE)
			Lang_Format(app, buf, 1024, IDS_HK_OTHER_Q, or_empty(req->host),
				    or_empty(req->known_hosts_path), req->old_line);
		else
			Lang_Format(app, buf, 1024, IDS_HK_UNKNOWN_Q, or_empty(req->host));
		SetDlgItemTextW(dlg, IDC_HK_QUESTION, buf);
		icon = LoadIconW(NULL,
				 req->state == PF_HOSTKEY_OTHER_TYPE ? IDI_WARNING : IDI_QUESTION);
	}
	SendDlgItemMessageW(dlg, IDC_DLG_ICON, STM_SETICON, (WPARAM)icon, 0);
}

INT_PTR CALLBACK HostKey_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
	pf_dlg_ctx *ctx;

	switch (msg) {
	case WM_INITDIALOG:
		ctx = Dlg_Init(dlg, lp);
		fill(dlg, ctx->app, ctx->req);
		/* Focus on the decision, not in a read-only field. A key of
		 * another type than the recorded one is suspicious: Enter must
		 * not accept it. */
		if (((const pf_hostkey_ask *)ctx->req)->state == PF_HOSTKEY_OTHER_TYPE ||
		    GetDlgItem(dlg, IDC_HK_SAVE) == NULL) {
			SendMessageW(GetDlgItem(dlg, IDC_HK_SAVE), BM_SETSTYLE, BS_PUSHBUTTON,
				     TRUE);
			SendMessageW(dlg, DM_SETDEFID, IDCANCEL, 0);
			SetFocus(GetDlgItem(dlg, IDCANCEL));
		} else {
			SetFocus(GetDlgItem(dlg, IDC_HK_SAVE));
		}
		return FALSE;
	case WM_COMMAND:
		switch (LOWORD(wp)) {
		case IDC_HK_SAVE: EndDialog(dlg, PF_HOSTKEY_ACCEPT_SAVE); return TRUE;
		case IDC_HK_ONCE: EndDialog(dlg, PF_HOSTKEY_ACCEPT_ONCE); return TRUE;
		case IDCANCEL:
		case IDOK: EndDialog(dlg, PF_HOSTKEY_REJECT); return TRUE;
		}
		break;
	}
	return FALSE;
}

pf_hostkey_answer HostKeyDlg_Ask(pf_app *app, HWND owner, const pf_hostkey_ask *req)
{
	pf_dlg_ctx ctx = {app, req, NULL, 0};
	INT_PTR r;

	r = Lang_DialogBox(
		app, req->state == PF_HOSTKEY_CHANGED ? IDD_HOSTKEY_CHANGED : IDD_HOSTKEY_UNKNOWN,
		owner, HostKey_DlgProc, (LPARAM)&ctx);
	if (req->state == PF_HOSTKEY_CHANGED)
		return PF_HOSTKEY_REJECT; /* informs only */
	if (r == PF_HOSTKEY_ACCEPT_SAVE || r == PF_HOSTKEY_ACCEPT_ONCE)
		return (pf_hostkey_answer)r;
	return PF_HOSTKEY_REJECT;
}
