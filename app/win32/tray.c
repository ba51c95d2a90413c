/* The notification-area icon: one icon per state, a tooltip naming each
 * host's state, double-click to restore, a right-click menu, balloons for
 * routine events, and the icon re-added when Explorer restarts. */
#include <windows.h>
#include <shellapi.h>
#include <stdio.h>
#include <wchar.h>

#include "app.h"
#include "dialogs.h"
#include "resource.h"

#define TRAY_ID 1

static const UINT state_icons[PF_TRAY_STATES] = {IDI_STATE_IDLE, IDI_STATE_CONNECTING,
						 IDI_STATE_CONNECTED, IDI_STATE_ERROR,
						 IDI_STATE_LISTENING};

static void nid_init(pf_app *app, NOTIFYICONDATAW *nid)
{
	memset(nid, 0, sizeof(*nid));
	nid->cbSize = sizeof(*nid);
	nid->hWnd = app->main;
	nid->uID = TRAY_ID;
}

void Tray_Init(pf_app *app)
{
	int cx = GetSystemMetrics(SM_CXSMICON), cy = GetSystemMetrics(SM_CYSMICON), i;

	/* Sent to every top-level window when the taskbar is (re)created. */
	app->msg_taskbar_created = RegisterWindowMessageW(L"TaskbarCreated");
	for (i = 0; i < PF_TRAY_STATES; i++)
		app->tray_icons[i] = (HICON)LoadImageW(app->inst, MAKEINTRESOURCEW(state_icons[i]),
						       IMAGE_ICON, cx, cy, 0);
}

void Tray_Add(pf_app *app)
{
	NOTIFYICONDATAW nid;

	if (app->main == NULL)
		return;
	nid_init(app, &nid);
	nid.uFlags = NIF_MESSAGE | NIF_ICON | NIF_TIP;
	nid.uCallbackMessage = WM_PF_TRAY;
	nid.hIcon = app->tray_icons[app->tray_state];
	Lang_String(app, IDS_TIP_IDLE, nid.szTip, 128);
	/* After "TaskbarCreated" the old icon is gone: add it anew. */
	app->tray_added = Shell_NotifyIconW(NIM_ADD, &nid) != 0;
	if (app->tray_added)
		Tray_Update(app);
}

void Tray_Remove(pf_app *app)
{
	NOTIFYICONDATAW nid;

	if (!app->tray_added)
		return;
	nid_init(app, &nid);
	Shell_NotifyIconW(NIM_DELETE, &nid);
	app->tray_added = 0;
}

void Tray_Set(pf_app *app, int state, const wchar_t *tip)
{
	NOTIFYICONDATAW nid;

	static const wchar_t *const names[PF_TRAY_STATES] = {L"disconnected", L"connecting",
							     L"connected", L"error", L"listening"};

	if (state < 0 || state >= PF_TRAY_STATES)
		state = PF_TRAY_IDLE;
	/* Which icon, at debug level (the tests read it there). */
	if (state != app->tray_state)
		LogView_AddId(app, PF_LOG_DEBUG3, NULL, IDS_LOG_TRAY_ICON, names[state]);
	app->tray_state = state;
	if (!app->tray_added)
		return;
	nid_init(app, &nid);
	nid.uFlags = NIF_ICON | NIF_TIP;
	nid.hIcon = app->tray_icons[state];
	_snwprintf(nid.szTip, 128, L"%ls", tip);
	nid.szTip[127] = L'\0';
	Shell_NotifyIconW(NIM_MODIFY, &nid);
	/* What the tooltip says, at debug level, when it changes (the tests
	 * read it there; the shell offers no way to read it back). */
	if (wcscmp(app->tray_tip, nid.szTip) != 0) {
		wcscpy_s(app->tray_tip, 128, nid.szTip);
		LogView_AddId(app, PF_LOG_DEBUG3, NULL, IDS_LOG_TRAY_TIP, nid.szTip);
	}
}

void Tray_Update(pf_app *app)
{
	wchar_t tip[512], part[256], st[160];
	size_t i, used;
	int state = PF_TRAY_IDLE, shown = 0;

	Lang_String(app, IDS_TIP_PREFIX, tip, 512);
	used = wcslen(tip);
	for (i = 0; i < app->nconns; i++) {
		const pf_conn_view *v = app->conns[i];

		switch (v->state) {
		case PF_CONN_FAILED: state = PF_TRAY_ERROR; break;
		case PF_CONN_CONNECTING:
		case PF_CONN_AUTHENTICATING:
		case PF_CONN_RECONNECTING:
			if (state != PF_TRAY_ERROR)
				state = PF_TRAY_CONNECTING;
			break;
		case PF_CONN_CONNECTED:
			if (state == PF_TRAY_IDLE || state == PF_TRAY_LISTENING)
				state = PF_TRAY_CONNECTED;
			break;
		case PF_CONN_LISTENING: /* the quietest of the running states */
			if (state == PF_TRAY_IDLE)
				state = PF_TRAY_LISTENING;
			break;
		default: break;
		}
		if (v->state == PF_CONN_IDLE)
			continue;
		Lang_Format(app, part, 256, v->nfwd == 1 ? IDS_TIP_HOST_ONE : IDS_TIP_HOST, v->name,
			    MainWnd_ConnStateText(app, v, st, 160), (unsigned)v->nfwd);
		_snwprintf(tip + used, 512 - used, L"%ls%ls", shown ? L"; " : L"", part);
		tip[511] = L'\0';
		used = wcslen(tip);
		shown++;
	}
	if (shown == 0)
		Lang_String(app, IDS_TIP_IDLE, tip, 512);
	Tray_Set(app, state, tip);
}

void Tray_Balloon(pf_app *app, const wchar_t *title, const wchar_t *text, DWORD niif)
{
	NOTIFYICONDATAW nid;

	if (!app->tray_added)
		return;
	nid_init(app, &nid);
	nid.uFlags = NIF_INFO;
	_snwprintf(nid.szInfoTitle, 64, L"%ls", title);
	nid.szInfoTitle[63] = L'\0';
	_snwprintf(nid.szInfo, 256, L"%ls", text);
	nid.szInfo[255] = L'\0';
	nid.dwInfoFlags = niif;
	Shell_NotifyIconW(NIM_MODIFY, &nid);
}

void Tray_OnMessage(pf_app *app, WPARAM wp, LPARAM lp)
{
	(void)wp;
	switch ((UINT)lp) {
	case WM_LBUTTONDBLCLK: MainWnd_Restore(app); break;
	case WM_RBUTTONUP:
	case WM_CONTEXTMENU: Tray_ShowMenu(app); break;
	default: break;
	}
}

/* The hosts the menu offers: every known connection, and the host chosen
 * in the window when it is not one of them. */
static void collect_hosts(pf_app *app)
{
	wchar_t host[PF_HOST_LEN];
	size_t i;
	int n = 0;

	for (i = 0; i < app->nconns && n < PF_MAX_CONNS; i++) {
		const pf_conn_view *v = app->conns[i];

		wcscpy_s(app->menu_host[n], PF_HOST_LEN, v->name);
		app->menu_connect[n] = v->state == PF_CONN_IDLE || v->state == PF_CONN_FAILED;
		n++;
	}
	MainWnd_GetHost(app, host, PF_HOST_LEN);
	if (host[0] != L'\0' && MainWnd_FindConn(app, host) == NULL) {
		wcscpy_s(app->menu_host[n], PF_HOST_LEN, host);
		app->menu_connect[n] = 1;
		n++;
	}
	app->nmenu_hosts = n;
}

/* The Host "Start with Windows" connects: the shortcut's when there is
 * one, else the one chosen in the window (if the command line takes it). */
static void startup_host(pf_app *app, wchar_t *host, int *on)
{
	*on = Startup_Read(host, PF_HOST_LEN, NULL, 0);
	if (!*on) {
		MainWnd_GetHost(app, host, PF_HOST_LEN);
		if (!Cmdline_HostOk(host))
			host[0] = L'\0';
	}
}

/* "Start with Windows and connect <Host>", checked while the Startup
 * folder holds the shortcut. */
static void startup_item(pf_app *app, HMENU menu)
{
	wchar_t host[PF_HOST_LEN], buf[PF_HOST_LEN + 128];
	int on;

	startup_host(app, host, &on);
	if (host[0] != L'\0')
		Lang_Format(app, buf, PF_HOST_LEN + 128, IDS_STARTUP_MENU, host);
	else
		Lang_String(app, IDS_STARTUP_MENU_TRAY, buf, PF_HOST_LEN + 128);
	AppendMenuW(menu, MF_STRING | (on ? MF_CHECKED : 0), IDM_TRAY_STARTUP, buf);
}

void Tray_ShowMenu(pf_app *app)
{
	HMENU menu = CreatePopupMenu();
	wchar_t buf[PF_HOST_LEN + 64];
	POINT pt;
	int i;

	if (menu == NULL)
		return;
	AppendMenuW(menu, MF_STRING, IDM_TRAY_SHOW, Lang_String(app, IDS_TRAY_SHOW, buf, 128));
	SetMenuDefaultItem(menu, IDM_TRAY_SHOW, FALSE);
	collect_hosts(app);
	if (app->nmenu_hosts > 0)
		AppendMenuW(menu, MF_SEPARATOR, 0, NULL);
	for (i = 0; i < app->nmenu_hosts; i++) {
		Lang_Format(app, buf, PF_HOST_LEN + 64,
			    app->menu_connect[i] ? IDS_TRAY_CONNECT : IDS_TRAY_DISCONNECT,
			    app->menu_host[i]);
		AppendMenuW(menu,
			    MF_STRING | (app->menu_connect[i] && app->ops == NULL ? MF_GRAYED : 0),
			    IDM_TRAY_HOST + (UINT)i, buf);
	}
	AppendMenuW(menu, MF_SEPARATOR, 0, NULL);
	startup_item(app, menu);
	AppendMenuW(menu,
		    MF_STRING | (app->ops == NULL || app->ops->forget_keys == NULL ? MF_GRAYED : 0),
		    IDM_TRAY_FORGET, Lang_String(app, IDS_TRAY_FORGET, buf, 128));
	AppendMenuW(menu, MF_STRING, IDM_TRAY_EXIT, Lang_String(app, IDS_TRAY_EXIT, buf, 128));

	GetCursorPos(&pt);
	/* Without the foreground the menu would not close when the person
	 * clicks elsewhere; WM_NULL afterwards makes the next click work. */
	SetForegroundWindow(app->main);
	TrackPopupMenuEx(menu, TPM_RIGHTBUTTON | TPM_BOTTOMALIGN | TPM_RIGHTALIGN, pt.x, pt.y,
			 app->main, NULL);
	PostMessageW(app->main, WM_NULL, 0, 0);
	DestroyMenu(menu);
}

int Tray_OnCommand(pf_app *app, UINT id)
{
	if (id == IDM_TRAY_SHOW) {
		MainWnd_Restore(app);
		return 1;
	}
	if (id == IDM_TRAY_FORGET) {
		if (app->ops != NULL && app->ops->forget_keys != NULL)
			app->ops->forget_keys(app);
		return 1;
	}
	if (id == IDM_TRAY_STARTUP) {
		wchar_t host[PF_HOST_LEN];
		int on;

		startup_host(app, host, &on);
		Startup_Toggle(app, host);
		return 1;
	}
	if (id == IDM_TRAY_EXIT) {
		MainWnd_Exit(app);
		return 1;
	}
	if (id >= IDM_TRAY_HOST && id < IDM_TRAY_HOST + (UINT)app->nmenu_hosts) {
		int i = (int)(id - IDM_TRAY_HOST);

		if (app->menu_connect[i]) {
			HostKeyDlg_UserConnect(app, app->menu_host[i]);
			MainWnd_Connect(app, app->menu_host[i]);
		} else {
			MainWnd_Disconnect(app, app->menu_host[i]);
		}
		return 1;
	}
	return 0;
}

void Tray_Free(pf_app *app)
{
	int i;

	Tray_Remove(app);
	for (i = 0; i < PF_TRAY_STATES; i++)
		if (app->tray_icons[i] != NULL)
			DestroyIcon(app->tray_icons[i]);
}
