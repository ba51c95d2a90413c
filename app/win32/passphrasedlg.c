/* The passphrase dialog: names the key file, a masked field, a Caps Lock
 * hint, and the reason when asked again. */
#include <windows.h>

#include "dialogs.h"
#include "resource.h"

INT_PTR CALLBACK Passphrase_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
	pf_dlg_ctx *ctx;
	const pf_secret_ask *req;
	wchar_t buf[1024];

	switch (msg) {
	case WM_INITDIALOG:
		ctx = Dlg_Init(dlg, lp);
		req = ctx->req;
		Lang_Format(ctx->app, buf, 1024, IDS_PASS_HEADER,
			    req->conn_name != NULL ? req->conn_name : L"");
		SetDlgItemTextW(dlg, IDC_DLG_HEADER, buf);
		Lang_Format(ctx->app, buf, 1024, IDS_PASS_KEYFILE,
			    req->key_path != NULL ? req->key_path : L"");
		SetDlgItemTextW(dlg, IDC_DLG_TEXT, buf);
		Dlg_SetReason(dlg, ctx->app, req);
		SendDlgItemMessageW(dlg, IDC_DLG_EDIT, EM_SETLIMITTEXT, ctx->cap - 1, 0);
		Dlg_StartCapsLockHint(dlg);
		SetFocus(GetDlgItem(dlg, IDC_DLG_EDIT));
		return FALSE; /* focus set */
	default: return Dlg_SecretMessage(dlg, msg, wp);
	}
	return FALSE;
}

int SecretDlg_Ask(pf_app *app, HWND owner, const pf_secret_ask *req, wchar_t *answer, size_t cap)
{
	pf_dlg_ctx ctx = {app, req, answer, cap};
	INT_PTR r;

	answer[0] = L'\0';
	if (req->kind == PF_SECRET_PASSPHRASE)
		r = Lang_DialogBox(app, IDD_PASSPHRASE, owner, Passphrase_DlgProc, (LPARAM)&ctx);
	else
		r = Lang_DialogBox(app, IDD_PROMPT, owner, Prompt_DlgProc, (LPARAM)&ctx);
	if (r != IDOK) {
		SecureZeroMemory(answer, cap * sizeof(wchar_t));
		return 0;
	}
	return 1;
}
