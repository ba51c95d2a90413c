/* "Generate key...": make a key pair with the core (pf_keygen_generate) and
 * write id_<type> and id_<type>.pub next to the config file (or the exe when
 * none is chosen). The passphrase is typed twice; an empty one only after a
 * warning; an existing key is replaced only after a question. Then the
 * public key and its fingerprint are shown, with Copy and the line telling
 * the person to send the .pub file to their administrator. */
#include <windows.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "app.h"
#include "dialogs.h"
#include "pf/keygen.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "resource.h"

#define KG_PASS_MAX 1024

typedef struct kg_ctx {
	pf_app *app;
	wchar_t dir[MAX_PATH * 2]; /* where the key goes */
	wchar_t path[MAX_PATH * 2];
	wchar_t pubkey[16384]; /* the public key line shown, for Copy */
} kg_ctx;

static const struct {
	pf_keygen_type type;
	int bits;
	UINT name;
} kg_types[] = {
	{PF_KEYGEN_ED25519, 0, IDS_KG_TYPE_ED25519},  {PF_KEYGEN_RSA, 3072, IDS_KG_TYPE_RSA3072},
	{PF_KEYGEN_RSA, 4096, IDS_KG_TYPE_RSA4096},   {PF_KEYGEN_ECDSA, 256, IDS_KG_TYPE_ECDSA256},
	{PF_KEYGEN_ECDSA, 384, IDS_KG_TYPE_ECDSA384}, {PF_KEYGEN_ECDSA, 521, IDS_KG_TYPE_ECDSA521},
};
#define KG_NTYPES (sizeof(kg_types) / sizeof(kg_types[0]))

/* The folder of the config file, else the exe's. */
static void key_dir(pf_app *app, wchar_t *dir, size_t cap)
{
	const wchar_t *cfg = app->set.config, *slash = NULL, *p;

	for (p = cfg; *p != L'\0'; p++)
		if (*p == L'\\' || *p == L'/')
			slash = p;
	if (cfg[0] != L'\0' && slash != NULL && (size_t)(slash - cfg) < cap) {
		wcsncpy(dir, cfg, (size_t)(slash - cfg));
		dir[slash - cfg] = L'\0';
	} else {
		wcsncpy(dir, app->exe_dir, cap - 1);
		dir[cap - 1] = L'\0';
	}
}

static int selected_type(HWND dlg)
{
	LRESULT i = SendDlgItemMessageW(dlg, IDC_KG_TYPE, CB_GETCURSEL, 0, 0);

	return i >= 0 && (size_t)i < KG_NTYPES ? (int)i : 0;
}

/* Show where the chosen type's key goes. */
static void update_path(HWND dlg, kg_ctx *c)
{
	wchar_t name[32];
	const char *n = pf_keygen_default_name(kg_types[selected_type(dlg)].type);
	size_t i;

	for (i = 0; n[i] != '\0' && i + 1 < 32; i++)
		name[i] = (wchar_t)n[i];
	name[i] = L'\0';
	_snwprintf(c->path, MAX_PATH * 2, L"%ls\\%ls", c->dir, name);
	c->path[MAX_PATH * 2 - 1] = L'\0';
	SetDlgItemTextW(dlg, IDC_KG_FILE, c->path);
}

static void on_init(HWND dlg, kg_ctx *c)
{
	wchar_t buf[256];
	char *user = pf_user_name(), *host = pf_host_name(), *comment;
	wchar_t *wc = NULL;
	size_t i;

	SetWindowLongPtrW(dlg, DWLP_USER, (LONG_PTR)c);
	for (i = 0; i < KG_NTYPES; i++)
		SendDlgItemMessageW(dlg, IDC_KG_TYPE, CB_ADDSTRING, 0,
				    (LPARAM)Lang_String(c->app, kg_types[i].name, buf, 256));
	SendDlgItemMessageW(dlg, IDC_KG_TYPE, CB_SETCURSEL, 0, 0);
	comment = pf_asprintf("%s@%s", user && user[0] ? user : "user",
			      host && host[0] ? host : "pc");
	if (comment != NULL)
		wc = pf_utf8_to_wide(comment);
	SetDlgItemTextW(dlg, IDC_KG_COMMENT, wc != NULL ? wc : L"");
	free(wc);
	free(comment);
	free(user);
	free(host);
	SendDlgItemMessageW(dlg, IDC_KG_PASS1, EM_SETLIMITTEXT, KG_PASS_MAX - 1, 0);
	SendDlgItemMessageW(dlg, IDC_KG_PASS2, EM_SETLIMITTEXT, KG_PASS_MAX - 1, 0);
	update_path(dlg, c);
	SetForegroundWindow(dlg);
	SetFocus(GetDlgItem(dlg, IDC_KG_PASS1));
}

static int ask(HWND dlg, kg_ctx *c, const wchar_t *text, UINT flags)
{
	wchar_t title[128];

	return MessageBoxW(dlg, text, Lang_String(c->app, IDS_KG_TITLE, title, 128), flags);
}

static void generate(HWND dlg, kg_ctx *c)
{
	wchar_t p1[KG_PASS_MAX], p2[KG_PASS_MAX], comment[512], msg[2048], *w = NULL;
	char *pass = NULL, *ucomment = NULL, *upath = NULL;
	pf_keygen_params prm;
	pf_keygen_result res;
	pf_error err;
	HCURSOR old;
	int t = selected_type(dlg);

	memset(&res, 0, sizeof(res));
	GetDlgItemTextW(dlg, IDC_KG_PASS1, p1, KG_PASS_MAX);
	GetDlgItemTextW(dlg, IDC_KG_PASS2, p2, KG_PASS_MAX);
	GetDlgItemTextW(dlg, IDC_KG_COMMENT, comment, 512);
	if (wcscmp(p1, p2) != 0) {
		ask(dlg, c, Lang_String(c->app, IDS_KG_MISMATCH, msg, 2048),
		    MB_OK | MB_ICONWARNING);
		SetFocus(GetDlgItem(dlg, IDC_KG_PASS1));
		goto out;
	}
	if (p1[0] == L'\0' && ask(dlg, c, Lang_String(c->app, IDS_KG_EMPTY_WARN, msg, 2048),
				  MB_YESNO | MB_DEFBUTTON2 | MB_ICONWARNING) != IDYES)
		goto out;
	pass = pf_wide_to_utf8(p1);
	ucomment = pf_wide_to_utf8(comment);
	upath = pf_wide_to_utf8(c->path);
	if (pass == NULL || ucomment == NULL || upath == NULL)
		goto out;
	memset(&prm, 0, sizeof(prm));
	prm.type = kg_types[t].type;
	prm.bits = kg_types[t].bits;
	prm.comment = ucomment;
	prm.passphrase = pass;
	if (pf_keygen_exists(upath)) {
		Lang_Format(c->app, msg, 2048, IDS_KG_OVERWRITE, c->path);
		if (ask(dlg, c, msg, MB_YESNO | MB_DEFBUTTON2 | MB_ICONQUESTION) != IDYES)
			goto out;
		prm.overwrite = 1;
	}
	old = SetCursor(LoadCursorW(NULL, (LPCWSTR)IDC_WAIT));
	if (pf_keygen_generate(upath, &prm, &res, &err) != PF_OK) {
		SetCursor(old);
		w = pf_utf8_to_wide(err.message);
		Lang_Format(c->app, msg, 2048, IDS_KG_FAILED, w != NULL ? w : L"");
		ask(dlg, c, msg, MB_OK | MB_ICONERROR);
		goto out;
	}
	SetCursor(old);
	w = pf_utf8_to_wide(res.public_line);
	if (w != NULL) {
		wcsncpy(c->pubkey, w, sizeof(c->pubkey) / sizeof(wchar_t) - 1);
		SetDlgItemTextW(dlg, IDC_KG_PUBKEY, c->pubkey);
		free(w);
	}
	w = pf_utf8_to_wide(res.fingerprint);
	if (w != NULL) {
		SetDlgItemTextW(dlg, IDC_KG_FP, w);
		free(w);
	}
	w = pf_utf8_to_wide(res.pub_path);
	if (w != NULL) {
		SetDlgItemTextW(dlg, IDC_KG_SEND, Lang_Format(c->app, msg, 2048, IDS_KG_SEND, w));
		free(w);
	}
	w = pf_utf8_to_wide(res.fingerprint);
	LogView_AddId(c->app, PF_LOG_INFO, NULL, IDS_KG_LOG, c->path, w != NULL ? w : L"");
	EnableWindow(GetDlgItem(dlg, IDC_KG_COPY), TRUE);
	SetDlgItemTextW(dlg, IDC_KG_PASS1, L"");
	SetDlgItemTextW(dlg, IDC_KG_PASS2, L"");
out:
	free(w);
	if (pass != NULL) {
		pf_secure_zero(pass, strlen(pass));
		free(pass);
	}
	free(ucomment);
	free(upath);
	pf_keygen_result_free(&res);
	SecureZeroMemory(p1, sizeof(p1));
	SecureZeroMemory(p2, sizeof(p2));
}

/* The public key line to the clipboard as Unicode text. */
static void copy_pubkey(HWND dlg, kg_ctx *c)
{
	size_t n = (wcslen(c->pubkey) + 1) * sizeof(wchar_t);
	HGLOBAL mem;
	void *p;

	if (c->pubkey[0] == L'\0' || !OpenClipboard(dlg))
		return;
	EmptyClipboard();
	mem = GlobalAlloc(GMEM_MOVEABLE, n);
	if (mem != NULL && (p = GlobalLock(mem)) != NULL) {
		memcpy(p, c->pubkey, n);
		GlobalUnlock(mem);
		if (SetClipboardData(CF_UNICODETEXT, mem) == NULL)
			GlobalFree(mem);
	} else if (mem != NULL) {
		GlobalFree(mem);
	}
	CloseClipboard();
}

static INT_PTR CALLBACK Keygen_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp)
{
	kg_ctx *c = (kg_ctx *)GetWindowLongPtrW(dlg, DWLP_USER);

	switch (msg) {
	case WM_INITDIALOG: on_init(dlg, (kg_ctx *)lp); return FALSE; /* focus set */
	case WM_COMMAND:
		if (c == NULL)
			break;
		switch (LOWORD(wp)) {
		case IDC_KG_TYPE:
			if (HIWORD(wp) == CBN_SELCHANGE)
				update_path(dlg, c);
			return TRUE;
		case IDOK: /* Enter */
		case IDC_KG_GENERATE: generate(dlg, c); return TRUE;
		case IDC_KG_COPY: copy_pubkey(dlg, c); return TRUE;
		case IDCANCEL:
			SetDlgItemTextW(dlg, IDC_KG_PASS1, L"");
			SetDlgItemTextW(dlg, IDC_KG_PASS2, L"");
			EndDialog(dlg, IDCANCEL);
			return TRUE;
		}
		break;
	}
	return FALSE;
}

void KeygenDlg_Show(pf_app *app, HWND owner)
{
	kg_ctx *c = PF_NEW(kg_ctx);

	if (c == NULL)
		return;
	c->app = app;
	key_dir(app, c->dir, MAX_PATH * 2);
	Lang_DialogBox(app, IDD_KEYGEN, owner, Keygen_DlgProc, (LPARAM)c);
	free(c);
}
