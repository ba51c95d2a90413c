/* The modal dialogs that need an answer from the person: passphrase,
 * password / keyboard-interactive prompt, host key. Each takes a request
 * modelled on pf_secret_request / pf_hostkey_info (core/include/pf/ui.h),
 * in UTF-16 and borrowed for the call, and returns the answer. Called on
 * the window thread only (ui_win32.c posts questions there). */
#ifndef PF_DIALOGS_H
#define PF_DIALOGS_H

#include <windows.h>

#include "app.h"
#include "pf/ui.h"

typedef struct pf_secret_ask {
	pf_secret_kind kind;
	const wchar_t *conn_name;   /* "IMR" */
	const wchar_t *prompt;      /* the core's ready-made prompt; may be NULL */
	const wchar_t *key_path;    /* PASSPHRASE: the key file; else NULL */
	const wchar_t *instruction; /* KBDINT: the server's instruction, may be NULL */
	int echo;                   /* KBDINT: show what is typed */
	int attempt;                /* 1, then 2.. after a wrong answer */
	const wchar_t *reason;      /* why asked again, or NULL */
} pf_secret_ask;

/* The passphrase dialog for PF_SECRET_PASSPHRASE, the prompt dialog for
 * PASSWORD and KBDINT. On OK the answer is copied into `answer` (cap
 * characters, NUL-terminated) and 1 is returned; Cancel returns 0. The
 * caller wipes `answer` (SecureZeroMemory) after use. */
int SecretDlg_Ask(pf_app *app, HWND owner, const pf_secret_ask *req, wchar_t *answer, size_t cap);
INT_PTR CALLBACK Passphrase_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp);
INT_PTR CALLBACK Prompt_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp);

typedef struct pf_hostkey_ask {
	const wchar_t *conn_name;
	const wchar_t *host;
	int port;
	const wchar_t *key_type;
	const wchar_t *fingerprint; /* "SHA256:..." */
	pf_hostkey_state state;
	const wchar_t *known_hosts_path;
	int old_line; /* CHANGED / OTHER_TYPE */
	const wchar_t *old_key_type;
	const wchar_t *old_fingerprint;
	/* 1: the person did not just press Connect for this host (a reconnect,
	 * another host, an on-demand connect): Cancel is the default button
	 * and the dialog is shown without taking the keyboard. */
	int unattended;
	int replaceable; /* CHANGED: "Replace the recorded key..." is offered */
} pf_hostkey_ask;

/* UNKNOWN: "Trust and save" / "Connect once" / "Cancel". CHANGED and
 * OTHER_TYPE: a warning with both fingerprints and the known_hosts line,
 * "Close" (PF_HOSTKEY_REJECT) and, for a replaceable CHANGED key only,
 * "Replace the recorded key...": a second dialog where the fingerprint from
 * the administrator is pasted; its Replace is enabled only while that
 * matches the offered key (pf_knownhosts_fingerprint_matches) and answers
 * PF_HOSTKEY_REPLACE (the core rewrites the line; never this dialog). */
pf_hostkey_answer HostKeyDlg_Ask(pf_app *app, HWND owner, const pf_hostkey_ask *req);
INT_PTR CALLBACK HostKey_DlgProc(HWND dlg, UINT msg, WPARAM wp, LPARAM lp);
/* The person pressed Connect for `host` (the button, Enter, the tray menu):
 * its next host key question, if it comes before the connection is up or
 * has failed, is an answer to that and may take the keyboard. */
void HostKeyDlg_UserConnect(pf_app *app, const wchar_t *host);
/* A connection's state changed: connected, failed, reconnecting or
 * listening ends what HostKeyDlg_UserConnect started. */
void HostKeyDlg_ConnState(pf_app *app, const wchar_t *host, pf_conn_state state);
/* 1 while the attempt the person started for `host` is under way. */
int HostKeyDlg_UserConnected(pf_app *app, const wchar_t *host);

/* dlgutil.c: shared by the dialogs. */
typedef struct pf_dlg_ctx {
	pf_app *app;
	const void *req;
	wchar_t *answer;
	size_t cap;
} pf_dlg_ctx;
/* Store ctx, bring the dialog to the front (the window may be in the tray). */
pf_dlg_ctx *Dlg_Init(HWND dlg, LPARAM lp);
pf_dlg_ctx *Dlg_Ctx(HWND dlg);
/* Show the Caps Lock hint while Caps Lock is on (a timer polls it). */
void Dlg_StartCapsLockHint(HWND dlg);
void Dlg_UpdateCapsLockHint(HWND dlg);
/* Copy the edit's text into ctx->answer and clear the control. */
void Dlg_TakeSecret(HWND dlg, pf_dlg_ctx *ctx);
/* The "asked again" line: "<reason>. Type it again (attempt N)." */
void Dlg_SetReason(HWND dlg, pf_app *app, const pf_secret_ask *req);
/* The Caps Lock timer, OK (takes the secret) and Cancel of the secret
 * dialogs; FALSE for anything else. */
INT_PTR Dlg_SecretMessage(HWND dlg, UINT msg, WPARAM wp);
#define DLG_CAPS_TIMER 1

#endif
