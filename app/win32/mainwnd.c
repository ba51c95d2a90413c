/* The main window: config file, host, "Automatically", Connect / Hide /
 * Exit and the status line. */
#include <windows.h>
#include <commdlg.h>

#include "app.h"
#include "resource.h"

static pf_app *app_of(HWND dlg)
{
	return (pf_app *)GetWindowLongPtrW(dlg, DWLP_USER);
}

/* The file dialog's filter comes from resources with '|' separators (a
 * string table cannot hold the NULs it wants). */
static void browse_config(HWND dlg, pf_app *app)
{
	wchar_t file[MAX_PATH * 4] = L"", filter[256], title[128];
	OPENFILENAMEW ofn = {0};
	wchar_t *p;

	GetDlgItemTextW(dlg, IDC_CONFIG_EDIT, file, MAX_PATH * 4);
	app_string(app, IDS_BROWSE_FILTER, filter, 256);
	for (p = filter; *p; p++)
		if (*p == L'|')
			*p = L'\0';
	ofn.lStructSize = sizeof(ofn);
	ofn.hwndOwner = dlg;
	ofn.lpstrFilter = filter;
	ofn.lpstrFile = file;
	ofn.nMaxFile = MAX_PATH * 4;
	ofn.lpstrTitle = app_string(app, IDS_BROWSE_TITLE, title, 128);
	ofn.Flags = OFN_FILEMUSTEXIST | OFN_PATHMUSTEXIST | OFN_HIDEREADONLY | OFN_NOCHANGEDIR;
	if (GetOpenFileNameW(&ofn))
		SetDlgItemTextW(dlg, IDC_CONFIG_EDIT, file);
}

static INT_PTR CALLBACK Main_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
	pf_app *app = app_of(dlg);
	wchar_t buf[128];

	switch (msg) {
	case WM_INITDIALOG:
		app = (pf_app *)lp;
		SetWindowLongPtrW(dlg, DWLP_USER, (LONG_PTR)app);
		app->main = dlg;
		SetWindowTextW(dlg, app->title);
		SetDlgItemTextW(dlg, IDC_STATUS, app_string(app, IDS_STATUS_IDLE, buf, 128));
		/* Connecting arrives with the session core; until then the
		 * button must not pretend. */
		EnableWindow(GetDlgItem(dlg, IDC_CONNECT), FALSE);
		return TRUE;
	case WM_COMMAND:
		switch (LOWORD(wp)) {
		case IDC_BROWSE: browse_config(dlg, app); return TRUE;
		case IDC_HIDE: ShowWindow(dlg, SW_MINIMIZE); return TRUE;
		case IDC_EXIT:
		case IDCANCEL: DestroyWindow(dlg); return TRUE;
		}
		break;
	case WM_CLOSE: DestroyWindow(dlg); return TRUE;
	case WM_DESTROY:
		if (app != NULL)
			app->main = NULL;
		PostQuitMessage(0);
		return TRUE;
	}
	return FALSE;
}

HWND MainWnd_Create(pf_app *app)
{
	return CreateDialogParamW(app->inst, MAKEINTRESOURCEW(IDD_MAIN), NULL, Main_DlgProc,
				  (LPARAM)app);
}
