/* Helpers shared by the dialogs. */
#include <windows.h>

#include "dialogs.h"
#include "resource.h"

pf_dlg_ctx *Dlg_Init(HWND dlg, LPARAM lp)
{
	SetWindowLongPtrW(dlg, DWLP_USER, lp);
	/* The main window may be hidden in the tray: the question must still
	 * reach the person. */
	SetForegroundWindow(dlg);
	return (pf_dlg_ctx *)lp;
}

pf_dlg_ctx *Dlg_Ctx(HWND dlg)
{
	return (pf_dlg_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);
}

void Dlg_UpdateCapsLockHint(HWND dlg)
{
	int on = (GetKeyState(VK_CAPITAL) & 1) != 0;
	HWND hint = GetDlgItem(dlg, IDC_DLG_CAPSLOCK);

	if (hint != NULL && (IsWindowVisible(hint) != 0) != on)
		ShowWindow(hint, on ? SW_SHOW : SW_HIDE);
}

void Dlg_StartCapsLockHint(HWND dlg)
{
	Dlg_UpdateCapsLockHint(dlg);
	SetTimer(dlg, DLG_CAPS_TIMER, 250, NULL);
}

void Dlg_TakeSecret(HWND dlg, pf_dlg_ctx *ctx)
{
	HWND edit = GetDlgItem(dlg, IDC_DLG_EDIT);
	int len = GetWindowTextLengthW(edit);
	wchar_t *blank;

	GetWindowTextW(edit, ctx->answer, (int)ctx->cap);
	ctx->answer[ctx->cap - 1] = L'\0';
	/* Overwrite the control's copy with as many characters before it is
	 * emptied, so its buffer does not keep the secret. */
	blank = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, ((size_t)len + 1) * sizeof(wchar_t));
	if (blank != NULL) {
		for (int i = 0; i < len; i++)
			blank[i] = L'x';
		SetWindowTextW(edit, blank);
		HeapFree(GetProcessHeap(), 0, blank);
	}
	SetWindowTextW(edit, L"");
}

void Dlg_SetReason(HWND dlg, pf_app *app, const pf_secret_ask *req)
{
	wchar_t reason[256], line[512];

	if (req->attempt <= 1) {
		SetDlgItemTextW(dlg, IDC_DLG_REASON, L"");
		return;
	}
	if (req->reason != NULL && req->reason[0] != L'\0')
		lstrcpynW(reason, req->reason, 256);
	else
		Lang_String(app, IDS_DEFAULT_REASON, reason, 256);
	/* The core's reasons may end in a full stop already. */
	{
		size_t n = wcslen(reason);

		if (n > 0 && (reason[n - 1] == L'.' || reason[n - 1] == 0x3002))
			reason[n - 1] = L'\0';
	}
	Lang_Format(app, line, 512, IDS_PASS_REASON, reason, req->attempt);
	SetDlgItemTextW(dlg, IDC_DLG_REASON, line);
}

INT_PTR Dlg_SecretMessage(HWND dlg, UINT msg, WPARAM wp)
{
	switch (msg) {
	case WM_TIMER:
		if (wp == DLG_CAPS_TIMER)
			Dlg_UpdateCapsLockHint(dlg);
		return TRUE;
	case WM_COMMAND:
		switch (LOWORD(wp)) {
		case IDOK:
			Dlg_TakeSecret(dlg, Dlg_Ctx(dlg));
			KillTimer(dlg, DLG_CAPS_TIMER);
			EndDialog(dlg, IDOK);
			return TRUE;
		case IDCANCEL:
			SetDlgItemTextW(dlg, IDC_DLG_EDIT, L"");
			KillTimer(dlg, DLG_CAPS_TIMER);
			EndDialog(dlg, IDCANCEL);
			return TRUE;
		}
		break;
	}
	return FALSE;
}
