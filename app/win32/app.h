/* PortForwarder.exe: state shared by the front end's files. One pf_app per
 * process, owned by wWinMain and reached through the main window's
 * DWLP_USER slot (or passed explicitly), never through a global.
 *
 * Threads: everything in pf_app belongs to the window thread. Worker
 * threads reach the window only through ui_win32.c, which posts copies. */
#ifndef PF_APP_H
#define PF_APP_H

#include <windows.h>
#include <stdatomic.h>
#include <stdint.h>

#include "ini.h"
#include "pf/log.h"
#include "pf/ui.h"

#define PF_MAX_CONNS 16   /* hosts shown at once (status, tray menu) */
#define PF_LOG_KEEP  4000 /* event log lines kept in memory */
#define PF_HOST_LEN  256  /* a Host profile name or user@host */

typedef struct pf_app pf_app;

/* One forward's row in the list view (a copy of pf_fwd_status). */
typedef struct pf_fwd_row {
	pf_fwd_kind kind;
	pf_fwd_state state;
	wchar_t *listen, *dest, *error; /* owned; error may be NULL */
	uint32_t active;
	uint64_t total, bytes_in, bytes_out;
} pf_fwd_row;

/* The window thread's copy of one connection's last pf_status. */
typedef struct pf_conn_view {
	wchar_t name[PF_HOST_LEN];
	pf_conn_state state;
	unsigned retry_in_s;
	wchar_t *server;     /* owned, may be NULL */
	wchar_t *last_error; /* owned, may be NULL */
	size_t nfwd;
	pf_fwd_row *fwd;    /* owned array */
	int config_changed; /* the file changed while connected: reconnect to apply */
} pf_conn_view;

/* Frees a view and everything in it; NULL is fine. */
void UiWin32_FreeConnView(pf_conn_view *v);

/* What the session glue (written with the session core) provides. Every
 * function is called on the window thread and must not block for long.
 * Until app->ops is set, Connect stays disabled. */
typedef struct pf_app_ops {
	/* Start (or restart) the connection to `host` (a Host profile or
	 * user@host) using the config file `config` ("" when none). Returns 0
	 * when started; otherwise it has logged why (LogView_Add). */
	int (*connect)(pf_app *app, const wchar_t *config, const wchar_t *host);
	/* Disconnect the connection named `name` (pf_status.conn_name). */
	void (*disconnect)(pf_app *app, const wchar_t *name);
	/* Exit: stop every connection cleanly and wait for the workers. */
	void (*shutdown)(pf_app *app);
	/* The PC woke from sleep: skip reconnect back-offs
	 * (pf_session_reconnect_now for each session). May be NULL. */
	void (*resumed)(pf_app *app);
	/* "Forget passphrases": drop every key unlocked in this run, so the
	 * next login with a key asks again (live connections stay). May be
	 * NULL. */
	void (*forget_keys)(pf_app *app);
	/* A session replaced by Connect was freed off the window thread
	 * (WM_PF_RETIRED): start the Connect that waited for it. May be NULL. */
	void (*retired)(pf_app *app, WPARAM wp, LPARAM lp);
	/* 1 when payloads of the session of generation `gen` are to be
	 * dropped (it was replaced by a new Connect: its last Closing / Idle
	 * must not override the new session's state). May be NULL. */
	int (*stale)(pf_app *app, unsigned gen);
	void *ctx; /* the glue's own state */
} pf_app_ops;

/* A question from a worker waiting for the window thread (ui_win32.c). */
typedef struct pf_ui_msg pf_ui_msg;

/* How the exe was started (testhook.c; always PF_TEST_NONE in the release
 * PortForwarder.exe, which is built without PF_TEST_HOOKS). */
typedef enum pf_test_mode {
	PF_TEST_NONE = 0, /* the product */
	PF_TEST_UI,       /* --test-ui: the product plus a scripted connection, no session core */
	PF_TEST_HOOK      /* a one-shot hook (--test-dialog ...): no main window, ini untouched */
} pf_test_mode;

struct pf_app {
	HINSTANCE inst;
	/* The main window (a dialog of class PF_MAIN_CLASS). Written by the
	 * window thread only, read by workers (ui_win32.c post()): atomic. */
	_Atomic(HWND) main;
	wchar_t title[128]; /* "PortForwarder 0.1.0" */
	LANGID lang;        /* the UI language resources are loaded in */

	wchar_t exe_dir[MAX_PATH * 2];  /* folder of PortForwarder.exe */
	wchar_t ini_path[MAX_PATH * 2]; /* <exe_dir>\PortForwarder.ini */
	pf_settings set;                /* what the ini holds */

	/* Command line: PortForwarder.exe [-tray] [-F config] [-N] [-v] [user@]host */
	wchar_t cmd_config[MAX_PATH * 2]; /* -F, already made absolute; "" if none */
	wchar_t cmd_host[PF_HOST_LEN];    /* connect to this at start; "" if none */
	int cmd_no_shell;                 /* -N (always so: we never open a shell) */
	int cmd_verbose;                  /* -v count: raises the log filter */
	int cmd_tray;                     /* -tray: start hidden in the tray */

	/* Tray (tray.c). */
	UINT msg_taskbar_created;
	int tray_added;
	int tray_state; /* PF_TRAY_* */
	HICON tray_icons[5];
	wchar_t tray_tip[128]; /* the tooltip as last set */
	/* The per-host items of the open tray menu: name and what choosing it
	 * does (1 connect, 0 disconnect). */
	wchar_t menu_host[PF_MAX_CONNS + 1][PF_HOST_LEN];
	int menu_connect[PF_MAX_CONNS + 1];
	int nmenu_hosts;

	/* Connections as last reported (ui_win32.c fills, mainwnd.c shows). */
	pf_conn_view *conns[PF_MAX_CONNS];
	size_t nconns;

	/* Event log (logview.c): a ring of lines, filtered into the view. */
	struct pf_log_line {
		pf_log_level level;
		wchar_t *text; /* owned: "12:34:56 IMR: message" */
	} log[PF_LOG_KEEP];
	size_t log_first, log_count;
	pf_log_level log_filter;
	int log_file_failed; /* LogFile= could not be written: said once */

	/* Questions from workers, shown one at a time (ui_win32.c). */
	pf_ui_msg *q_head, *q_tail;
	int asking;

	/* Layout (mainwnd.c): the controls' rectangles at the template size. */
	RECT lay_rect[24];
	int lay_w0, lay_h0, min_w, min_h;
	int ini_error_shown;

	/* The config file followed (configwatch.c). */
	void *watch;           /* the watcher's state, or NULL */
	HANDLE watch_thread;   /* waits on the folder's change notification */
	ULONGLONG watch_stamp; /* the file's size and time when last read */

	const pf_app_ops *ops;  /* NULL until the session glue is wired */
	atomic_int exiting;     /* Exit chosen: no new questions, no new work; read by workers */
	int exited;             /* MainWnd_Exit has run */
	pf_test_mode test_mode; /* started with a --test-* hook (testhook.c) */
	/* Hosts whose Connect the person just pressed (hostkeydlg.c). */
	wchar_t hk_user_connect[PF_MAX_CONNS][PF_HOST_LEN];
};

/* ---- Resources in the chosen language (lang.c) ---- */

/* Pick the UI language: `setting` "en" or "ja" wins; otherwise the user's
 * UI language (Japanese -> ja), else English. */
LANGID Lang_Choose(const wchar_t *setting);
/* Load a string resource into buf (empty string if missing); returns buf. */
const wchar_t *Lang_String(pf_app *app, UINT id, wchar_t *buf, int size);
/* Load string resource `id` and format it like swprintf (%ls for strings,
 * %u, %d); returns buf. */
wchar_t *Lang_Format(pf_app *app, wchar_t *buf, int size, UINT id, ...);
/* Modal dialog / modeless dialog from the template in app->lang. */
INT_PTR Lang_DialogBox(pf_app *app, UINT id, HWND owner, DLGPROC proc, LPARAM lp);
HWND Lang_CreateDialog(pf_app *app, UINT id, HWND owner, DLGPROC proc, LPARAM lp);

/* ---- Main window (mainwnd.c) ---- */

/* Create the main window (hidden until the caller shows it). */
HWND MainWnd_Create(pf_app *app);
/* Show and bring to the front (from the tray, a second instance). */
void MainWnd_Restore(pf_app *app);
/* Hide to the tray; says so once (balloon and log). */
void MainWnd_HideToTray(pf_app *app);
/* Save settings, stop connections, remove the tray icon, end the loop. */
void MainWnd_Exit(pf_app *app);
/* Re-read the config file named in the edit box and fill the host combo. */
void MainWnd_LoadConfig(pf_app *app);
/* A connection's status changed: status line, list view, tray, buttons.
 * Takes ownership of `v`. */
void MainWnd_OnStatus(pf_app *app, pf_conn_view *v);
/* "Connected", "Reconnecting in 5 s", "Failed: <why>" for a connection. */
const wchar_t *MainWnd_ConnStateText(pf_app *app, const pf_conn_view *v, wchar_t *buf, int size);
/* The connection by name, or NULL. */
pf_conn_view *MainWnd_FindConn(pf_app *app, const wchar_t *name);
/* The host text of the combo (trimmed) into buf. */
void MainWnd_GetHost(pf_app *app, wchar_t *buf, int size);
/* Connect / disconnect a host (from the button or the tray menu). */
void MainWnd_Connect(pf_app *app, const wchar_t *host);
void MainWnd_Disconnect(pf_app *app, const wchar_t *host);

/* ---- The config file followed (configwatch.c) ---- */

/* Watch the folder of app->set.config (stopping any earlier watch) and
 * remember the file's size and time; a change posts WM_PF_CONFIGCHANGED. */
void ConfigWatch_Start(pf_app *app);
void ConfigWatch_Stop(pf_app *app);
/* 1 when the file's size or time differs from when it was last read
 * (and remembers the new ones). */
int ConfigWatch_Changed(pf_app *app);

/* ---- Key generation (keygendlg.c) ---- */

/* The "Generate key..." dialog: type, comment, passphrase twice; writes
 * id_<type> (+ .pub) next to the config file (or the exe), asking before
 * replacing; shows the public key and fingerprint with a Copy button. */
void KeygenDlg_Show(pf_app *app, HWND owner);

/* ---- Tray icon (tray.c) ---- */

enum { PF_TRAY_IDLE, PF_TRAY_CONNECTING, PF_TRAY_CONNECTED, PF_TRAY_ERROR, PF_TRAY_LISTENING };
#define PF_TRAY_STATES 5

/* Load the state icons and register for "TaskbarCreated". */
void Tray_Init(pf_app *app);
/* Add the icon (again, after Explorer restarted); remove it at exit. */
void Tray_Add(pf_app *app);
void Tray_Remove(pf_app *app);
/* Set the icon's state (PF_TRAY_*) and tooltip (cut to the 127 characters
 * the shell keeps). */
void Tray_Set(pf_app *app, int state, const wchar_t *tip);
/* Recompute state and tooltip from app->conns ("PortForwarder — IMR:
 * Connected (2 forwards)") and apply them. */
void Tray_Update(pf_app *app);
/* A notification balloon for routine events (NIIF_INFO / NIIF_WARNING /
 * NIIF_ERROR); never modal. */
void Tray_Balloon(pf_app *app, const wchar_t *title, const wchar_t *text, DWORD niif);
/* The icon's callback message (WM_PF_TRAY); lParam = the mouse message. */
void Tray_OnMessage(pf_app *app, WPARAM wp, LPARAM lp);
/* The right-click menu: Show, a Connect/Disconnect item per host, Exit. */
void Tray_ShowMenu(pf_app *app);
/* A menu item was chosen (WM_COMMAND id); 1 if it was one of ours. */
int Tray_OnCommand(pf_app *app, UINT id);
void Tray_Free(pf_app *app);

/* ---- Event log (logview.c) ---- */

/* Append one line (copied) to the log and the view if the filter shows it.
 * conn may be NULL. */
void LogView_Add(pf_app *app, pf_log_level level, const wchar_t *conn, const wchar_t *text);
/* The same with a string resource as format. */
void LogView_AddId(pf_app *app, pf_log_level level, const wchar_t *conn, UINT id, ...);
/* "Save log...": the lines the view shows (its level), as UTF-8 with a
 * BOM and CRLF, into `path` (replaced). 0 or the Win32 error. */
int LogView_Save(pf_app *app, const wchar_t *path);
/* Refill the view from the ring with the current filter. */
void LogView_Refill(pf_app *app);
/* Fill the level filter combo and select app->log_filter. */
void LogView_InitFilter(pf_app *app, HWND combo);
/* The combo's selection changed. */
void LogView_FilterChanged(pf_app *app, HWND combo);
/* Free every line. */
void LogView_Free(pf_app *app);

/* ---- The session core behind Connect (session_glue.c) ---- */

/* Set app->ops to the glue that runs pf_session workers; 0 or -1 (OOM). */
int Glue_Install(pf_app *app);
/* Stop every session, wait for the workers, free the glue. */
void Glue_Free(pf_app *app);

/* ---- The pf_ui for the GUI (ui_win32.c) ---- */

/* The ctx of the GUI's pf_ui: one per session, so that the window can tell
 * a replaced session's payloads (gen) from the new one's. gen 0: never
 * stale. Must stay valid until pf_session_free returns. */
typedef struct pf_ui_ctx {
	pf_app *app;
	unsigned gen;
} pf_ui_ctx;

/* Fill `ui` with the GUI's methods (ui->ctx = ctx). Each method, called on
 * a worker thread, copies its data into a heap payload (tagged with
 * ctx->gen) and posts it to app->main (WM_PF_UI); nothing there touches
 * the window. */
void UiWin32_Init(pf_ui_ctx *ctx, pf_ui *ui);
/* The window thread's side: WM_PF_UI's lParam. Frees the payload. */
void UiWin32_OnMessage(pf_app *app, LPARAM lp);
/* At exit, after the sessions have stopped: answer what is still queued
 * (cancel / reject) and free every payload still in the message queue. */
void UiWin32_Drain(pf_app *app);

/* ---- Host list (hostlist.c) ---- */

/* Fill the host combo from the config file's Host profiles and the recent
 * hosts; select `select` if given. Reports a missing or broken file in the
 * status line and the log, never fails harder. Returns the profile count,
 * or -1 when the file could not be read. */
int HostList_Fill(pf_app *app, HWND combo, const wchar_t *config, const wchar_t *select);

/* ---- Command line (cmdline.c) ---- */

/* Parse a PortForwarder.exe command line into app->cmd_*. cl->argv is the
 * split command line (caller frees it with LocalFree); in the test variant
 * (PF_TEST_HOOKS) a test hook (--test-*) ends the parsing and is at cl->argv[cl->test_index].
 * Returns 0, or -1 with the first unknown argument in cl->bad (the rest is still parsed; the caller
 * logs it). */
typedef struct pf_cmdline {
	LPWSTR *argv;
	int argc;
	int test_index; /* index of "--test-..." in argv, 0 if none */
	wchar_t bad[128];
} pf_cmdline;
int Cmdline_Parse(pf_app *app, const wchar_t *cmdline, pf_cmdline *cl);
/* 1 when `dest` ([user@]host) passes the command line's name rules. */
int Cmdline_HostOk(const wchar_t *dest);
/* WM_COPYDATA's dwData for a command line forwarded by a second instance
 * (the first one then selects / connects that host). */
#define PF_COPYDATA_CMDLINE 0x50464331 /* "PFC1" */

/* ---- Start with Windows (startup.c) ---- */

/* The Startup folder's PortForwarder.lnk (the installer's too) into out;
 * 0 or -1. */
int Startup_Path(wchar_t *out, int size);
/* 1 when the shortcut exists (the user's, else the all-users Startup
 * folder's); the Host it connects (or "") into host, its arguments into
 * args (may be NULL). */
int Startup_Read(wchar_t *host, int size, wchar_t *args, int args_size);
/* The tray menu's "Start with Windows and connect <host>": remove the
 * shortcut when there is one (both; an all-users one this account may not
 * delete is reported in the log), else make it (-tray, -F the config file,
 * host; on a removable drive only after a warning). Says it in the log. */
void Startup_Toggle(pf_app *app, const wchar_t *host);

/* ---- Test hooks (testhook.c, PortForwarder-test.exe only) ---- */
#ifdef PF_TEST_HOOKS

/* Run the test hook named argv[i] (documented there); returns the exit
 * code for the process. */
int TestHook_Run(pf_app *app, int argc, LPWSTR *argv, int i);
/* --test-ui: a thread that plays a connection through the real pf_ui. */
HANDLE TestHook_StartUiThread(pf_app *app);
#endif

#endif
