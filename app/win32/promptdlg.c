/* The password / keyboard-interactive prompt: the server's instruction and
 * prompt, a field that is masked unless the server allows echo. */
#include <windows.h>

#include "dialogs.h"
#include "resource.h"

INT_PTR CALLBACK Prompt_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
	pf_dlg_ctx *ctx;
	const pf_secret_ask *req;
	wchar_t buf[1024];
	const wchar_t *conn;
	UINT head;

	switch (msg) {
	case WM_INITDIALOG:
		ctx = Dlg_Init(dlg, lp);
		req = ctx->req;
		conn = req->conn_name != NULL ? req->conn_name : L"";
		/* A proxy's questions say it is the proxy that asks (its name
		 * and port are in the prompt below). */
		head = req->kind == PF_SECRET_PASSWORD ? IDS_PROMPT_HEADER_PW
						       : IDS_PROMPT_HEADER_KI;
		if (req->kind == PF_SECRET_PROXY_PASSWORD || req->kind == PF_SECRET_PROXY_USER)
			head = IDS_PROMPT_HEADER_PROXY;
		Lang_Format(ctx->app, buf, 1024, head, conn);
		SetDlgItemTextW(dlg, IDC_DLG_HEADER, buf);
		SetDlgItemTextW(dlg, IDC_DLG_INSTR,
				req->instruction != NULL ? req->instruction : L"");
		SetDlgItemTextW(dlg, IDC_DLG_TEXT, req->prompt != NULL ? req->prompt : L"");
		if (!((req->kind == PF_SECRET_KBDINT || req->kind == PF_SECRET_PROXY_USER) &&
		      req->echo)) {
			/* Masked: the system's bullet, as ES_PASSWORD would give. */
			SendDlgItemMessageW(dlg, IDC_DLG_EDIT, EM_SETPASSWORDCHAR, 0x25CF, 0);
			Dlg_StartCapsLockHint(dlg);
		}
		Dlg_SetReason(dlg, ctx->app, req);
		SendDlgItemMessageW(dlg, IDC_DLG_EDIT, EM_SETLIMITTEXT, ctx->cap - 1, 0);
		SetFocus(GetDlgItem(dlg, IDC_DLG_EDIT));
		return FALSE;
	default: return Dlg_SecretMessage(dlg, msg, wp);
	}
	return FALSE;
}
