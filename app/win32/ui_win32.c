/* The pf_ui of PortForwarder.exe. The core calls these methods on its
 * worker threads; each copies what it was given (UTF-8 -> UTF-16) into a
 * pf_ui_msg on the heap and posts it to the main window (WM_PF_UI). The
 * window thread then shows the dialog and calls the done-callback, updates
 * the status line, list view and tray, or appends to the log, and frees
 * the payload. Questions are shown one at a time, in order.
 *
 * If a payload cannot be posted (the window is gone, the queue is full),
 * questions are answered at once with cancel / reject so that no worker
 * waits forever, and status or log payloads are dropped. */
#include <windows.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dialogs.h"
#include "pf/platform.h"
#include "resource.h"

enum { UI_SECRET, UI_HOSTKEY, UI_STATUS, UI_LOG };

struct pf_ui_msg {
	int kind;
	unsigned gen; /* the sending session's (pf_ui_ctx), 0 for none */
	pf_ui_msg *next;
	void *token;
	pf_secret_done_fn secret_done;
	pf_hostkey_done_fn hostkey_done;
	wchar_t *conn;
	/* UI_SECRET */
	pf_secret_kind secret_kind;
	wchar_t *prompt, *key_path, *instruction, *reason;
	int echo, attempt;
	/* UI_HOSTKEY */
	wchar_t *host, *key_type, *fingerprint, *kh_path, *old_type, *old_fp;
	int port, old_line, unattended, replaceable;
	pf_hostkey_state state;
	/* UI_STATUS: owned until handed to MainWnd_OnStatus */
	pf_conn_view *view;
	/* UI_LOG */
	pf_log_level level;
	wchar_t *text;
};

/* NULL stays NULL; a failed conversion becomes NULL too (shown empty). */
static wchar_t *wide(const char *s)
{
	return s != NULL ? pf_utf8_to_wide(s) : NULL;
}

void UiWin32_FreeConnView(pf_conn_view *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nfwd; i++) {
		free(v->fwd[i].listen);
		free(v->fwd[i].dest);
		free(v->fwd[i].error);
	}
	free(v->fwd);
	free(v->server);
	free(v->last_error);
	free(v);
}

static void msg_free(pf_ui_msg *m)
{
	if (m == NULL)
		return;
	free(m->conn);
	free(m->prompt);
	free(m->key_path);
	free(m->instruction);
	free(m->reason);
	free(m->host);
	free(m->key_type);
	free(m->fingerprint);
	free(m->kh_path);
	free(m->old_type);
	free(m->old_fp);
	free(m->text);
	UiWin32_FreeConnView(m->view);
	free(m);
}

/* Answer a question that will never be shown. */
static void answer_no(pf_ui_msg *m)
{
	if (m->kind == UI_SECRET && m->secret_done != NULL)
		m->secret_done(m->token, NULL);
	else if (m->kind == UI_HOSTKEY && m->hostkey_done != NULL)
		m->hostkey_done(m->token, PF_HOSTKEY_REJECT);
	m->secret_done = NULL;
	m->hostkey_done = NULL;
}

static void post(void *ctx, pf_ui_msg *m)
{
	const pf_ui_ctx *c = ctx;
	pf_app *app = c->app;
	HWND w = app->main;

	m->gen = c->gen;
	if (w != NULL && !app->exiting && PostMessageW(w, WM_PF_UI, 0, (LPARAM)m))
		return;
	answer_no(m);
	msg_free(m);
}

/* ---- worker side ---- */

static void ui_ask_secret(void *ctx, const pf_secret_request *req, pf_secret_done_fn done,
			  void *token)
{
	pf_ui_msg *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		done(token, NULL);
		return;
	}
	m->kind = UI_SECRET;
	m->token = token;
	m->secret_done = done;
	m->secret_kind = req->kind;
	m->conn = wide(req->conn_name);
	m->prompt = wide(req->prompt);
	m->key_path = wide(req->key_path);
	m->instruction = wide(req->instruction);
	m->reason = wide(req->reason);
	m->echo = req->echo;
	m->attempt = req->attempt;
	post(ctx, m);
}

static void ui_ask_hostkey(void *ctx, const pf_hostkey_info *info, pf_hostkey_done_fn done,
			   void *token)
{
	pf_ui_msg *m = calloc(1, sizeof(*m));

	if (m == NULL) {
		done(token, PF_HOSTKEY_REJECT);
		return;
	}
	m->kind = UI_HOSTKEY;
	m->token = token;
	m->hostkey_done = done;
	m->conn = wide(info->conn_name);
	m->host = wide(info->host);
	m->port = info->port;
	m->key_type = wide(info->key_type);
	m->fingerprint = wide(info->fingerprint);
	m->state = info->state;
	m->kh_path = wide(info->known_hosts_path);
	m->old_line = info->old_line;
	m->old_type = wide(info->old_key_type);
	m->old_fp = wide(info->old_fingerprint);
	m->unattended = info->unattended;
	m->replaceable = info->replaceable;
	post(ctx, m);
}

/* A deep copy of a pf_status; NULL on OOM. */
static pf_conn_view *copy_status(const pf_status *st)
{
	pf_conn_view *v = calloc(1, sizeof(*v));
	size_t i;

	if (v == NULL)
		return NULL;
	if (st->conn_name != NULL)
		MultiByteToWideChar(CP_UTF8, 0, st->conn_name, -1, v->name, PF_HOST_LEN - 1);
	v->state = st->state;
	v->retry_in_s = st->retry_in_s;
	v->server = wide(st->server);
	v->last_error = wide(st->last_error);
	if (st->nforwards > 0) {
		v->fwd = calloc(st->nforwards, sizeof(*v->fwd));
		if (v->fwd == NULL) {
			UiWin32_FreeConnView(v);
			return NULL;
		}
		v->nfwd = st->nforwards;
	}
	for (i = 0; i < v->nfwd; i++) {
		const pf_fwd_status *f = &st->forwards[i];
		pf_fwd_row *r = &v->fwd[i];

		r->kind = f->kind;
		r->state = f->state;
		r->listen = wide(f->listen);
		r->dest = wide(f->destination);
		r->error = wide(f->error);
		r->active = f->active;
		r->total = f->total;
		r->bytes_in = f->bytes_in;
		r->bytes_out = f->bytes_out;
	}
	return v;
}

static void ui_status_changed(void *ctx, const pf_status *st)
{
	pf_ui_msg *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return;
	m->kind = UI_STATUS;
	m->view = copy_status(st);
	if (m->view == NULL) {
		free(m);
		return;
	}
	post(ctx, m);
}

static void ui_log(void *ctx, pf_log_level level, const char *conn_name, const char *msg)
{
	pf_ui_msg *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return;
	m->kind = UI_LOG;
	m->level = level;
	m->conn = wide(conn_name);
	m->text = wide(msg);
	if (m->text == NULL) {
		msg_free(m);
		return;
	}
	post(ctx, m);
}

void UiWin32_Init(pf_ui_ctx *ctx, pf_ui *ui)
{
	memset(ui, 0, sizeof(*ui));
	ui->ask_hostkey = ui_ask_hostkey;
	ui->ask_secret = ui_ask_secret;
	ui->status_changed = ui_status_changed;
	ui->log = ui_log;
	ui->ctx = ctx;
	/* accept-new with a known_hosts that cannot be written: ask (the log
	 * says why) instead of trusting the key unpinned at every connection. */
	ui->ask_unsaved_hostkey = 1;
}

/* ---- window side ---- */

static HWND dialog_owner(pf_app *app)
{
	return app->main != NULL && IsWindowVisible(app->main) ? app->main : NULL;
}

static void show_secret(pf_app *app, pf_ui_msg *m)
{
	enum { CAP = 1024 };
	wchar_t answer[CAP];
	pf_secret_ask req = {m->secret_kind, m->conn, m->prompt,  m->key_path,
			     m->instruction, m->echo, m->attempt, m->reason};
	pf_secret_done_fn done = m->secret_done;
	char *utf8 = NULL;
	int n;

	m->secret_done = NULL;
	if (!SecretDlg_Ask(app, dialog_owner(app), &req, answer, CAP)) {
		done(m->token, NULL);
		return;
	}
	n = WideCharToMultiByte(CP_UTF8, 0, answer, -1, NULL, 0, NULL, NULL);
	if (n > 0 && (utf8 = malloc((size_t)n)) != NULL)
		WideCharToMultiByte(CP_UTF8, 0, answer, -1, utf8, n, NULL, NULL);
	SecureZeroMemory(answer, sizeof(answer));
	/* The core copies the secret before done returns. */
	done(m->token, utf8 != NULL ? utf8 : "");
	if (utf8 != NULL) {
		SecureZeroMemory(utf8, (size_t)n);
		free(utf8);
	}
}

static void show_hostkey(pf_app *app, pf_ui_msg *m)
{
	pf_hostkey_ask req = {m->conn, m->host, m->port, m->key_type, m->fingerprint, m->state,
			      m->kh_path, m->old_line, m->old_type, m->old_fp,
			      /* a reconnect, or not the host whose Connect was pressed */
			      m->unattended || !HostKeyDlg_UserConnected(app, m->conn),
			      m->replaceable};
	pf_hostkey_done_fn done = m->hostkey_done;

	m->hostkey_done = NULL;
	done(m->token, HostKeyDlg_Ask(app, dialog_owner(app), &req));
}

/* Show queued questions one after another; a question arriving while a
 * dialog is open waits in the queue (the dialog's loop dispatches it). */
static void run_queue(pf_app *app)
{
	pf_ui_msg *m;

	if (app->asking)
		return;
	app->asking = 1;
	while ((m = app->q_head) != NULL) {
		app->q_head = m->next;
		if (app->q_head == NULL)
			app->q_tail = NULL;
		if (app->exiting)
			answer_no(m);
		else if (m->kind == UI_SECRET)
			show_secret(app, m);
		else
			show_hostkey(app, m);
		msg_free(m);
	}
	app->asking = 0;
}

void UiWin32_OnMessage(pf_app *app, LPARAM lp)
{
	pf_ui_msg *m = (pf_ui_msg *)lp;

	if (m == NULL)
		return;
	/* A session replaced by Connect: its last statuses (Closing, Idle) and
	 * lines carry the same name as the new one's; they would show "Not
	 * connected" for the live session. */
	if ((m->kind == UI_STATUS || m->kind == UI_LOG) && m->gen != 0 && app->ops != NULL &&
	    app->ops->stale != NULL && app->ops->stale(app, m->gen)) {
		msg_free(m);
		return;
	}
	switch (m->kind) {
	case UI_STATUS: {
		/* The core does not log the error that ends a connection (it is
		 * the status's last_error): the event log gets it once here. */
		size_t i;
		int was_failed = 0;

		for (i = 0; i < app->nconns; i++)
			if (app->conns[i] != NULL &&
			    wcscmp(app->conns[i]->name, m->view->name) == 0)
				was_failed = app->conns[i]->state == PF_CONN_FAILED;
		HostKeyDlg_ConnState(app, m->view->name, m->view->state);
		if (m->view->state == PF_CONN_FAILED && !was_failed && m->view->last_error != NULL)
			LogView_Add(app, PF_LOG_ERROR, m->view->name, m->view->last_error);
		MainWnd_OnStatus(app, m->view);
		m->view = NULL;
		msg_free(m);
		break;
	}
	case UI_LOG:
		LogView_Add(app, m->level, m->conn, m->text);
		msg_free(m);
		break;
	default:
		m->next = NULL;
		if (app->q_tail != NULL)
			app->q_tail->next = m;
		else
			app->q_head = m;
		app->q_tail = m;
		run_queue(app);
		break;
	}
}

void UiWin32_Drain(pf_app *app)
{
	pf_ui_msg *m;
	MSG msg;

	while ((m = app->q_head) != NULL) {
		app->q_head = m->next;
		answer_no(m);
		msg_free(m);
	}
	app->q_tail = NULL;
	while (app->main != NULL && PeekMessageW(&msg, app->main, WM_PF_UI, WM_PF_UI, PM_REMOVE)) {
		m = (pf_ui_msg *)msg.lParam;
		if (m != NULL) {
			answer_no(m);
			msg_free(m);
		}
	}
}
