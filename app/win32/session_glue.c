/* The glue between the window and the core: Connect loads the config file,
 * resolves the chosen Host and starts a pf_session worker with the GUI's
 * pf_ui; Disconnect and Exit stop them. Window thread only; nothing here
 * waits on the network (a session replaced by a new Connect is freed on a
 * thread of its own, and the new one starts when that is done; its
 * payloads are dropped; pf_session_free at Exit waits for workers that
 * were already told to stop). */
#include <winsock2.h>
#include <windows.h>
#include <ws2ipdef.h>
#include <iphlpapi.h>
#include <netioapi.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "resource.h"
#include "pf/config.h"
#include "pf/keycache.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/session.h"

typedef struct glue_conn {
	wchar_t name[PF_HOST_LEN];
	pf_session *s;
	pf_ui_ctx *ctx;        /* s's pf_ui ctx (its generation), freed after s */
	unsigned retiring_gen; /* the replaced session still being freed, or 0 */
	int pending;           /* Connect waits for it to be freed ... */
	wchar_t *pending_cfg;  /* ... with this config file (owned) */
} glue_conn;

typedef struct glue {
	pf_app_ops ops;
	pf_ui ui;
	glue_conn conns[PF_MAX_CONNS];
	size_t n;
	unsigned next_gen; /* of the next session; never 0 */
	HANDLE netnotify;  /* NotifyIpInterfaceChange, or NULL */
	pf_keycache *keys; /* keys unlocked in this run, shared by every session */
	pf_mutex *mu;      /* guards retiring */
	pf_cond *cv;       /* retiring went down */
	int retiring;      /* old sessions still being freed off this thread */
} glue;

/* Connect pressed again while the old session is still in DNS or key
 * exchange (issue 18 item 21), or to apply a changed config: pf_session_free
 * waits for its worker, so the old session is stopped and freed on a
 * thread of its own, never the window's. That thread then posts
 * WM_PF_RETIRED and the window starts the new session: not before, as the
 * old worker still holds the LocalForward ports the new one binds.
 * glue_shutdown waits for these threads (they use the key cache). */
typedef struct retiree {
	glue *g;
	pf_session *s;
	pf_ui_ctx *ctx;
	size_t slot; /* in g->conns */
} retiree;

static void retire_main(void *arg)
{
	retiree *r = arg;
	glue *g = r->g;
	pf_app *app = r->ctx->app;
	unsigned gen = r->ctx->gen;
	HWND w;

	pf_session_free(r->s);
	free(r->ctx);
	/* After every payload of the session: the window has seen them all
	 * (and dropped them) when it handles this one. */
	w = app->main;
	if (w != NULL && !app->exiting)
		PostMessageW(w, WM_PF_RETIRED, (WPARAM)r->slot, (LPARAM)gen);
	free(r);
	pf_mutex_lock(g->mu);
	g->retiring--;
	pf_cond_broadcast(g->cv);
	pf_mutex_unlock(g->mu);
}

/* Stop c's session and free it: inline when its worker has already ended
 * (returns 0: start the new one now), else on a thread (returns 1: the new
 * one starts at WM_PF_RETIRED). */
static int retire(glue *g, glue_conn *c)
{
	retiree *r;

	if (c->s == NULL)
		return 0;
	pf_session_stop(c->s);
	r = pf_session_wait(c->s, 0) ? NULL : PF_NEW(retiree);
	if (r != NULL) {
		r->g = g;
		r->s = c->s;
		r->ctx = c->ctx;
		r->slot = (size_t)(c - g->conns);
		pf_mutex_lock(g->mu);
		g->retiring++;
		pf_mutex_unlock(g->mu);
		if (pf_thread_start_detached(retire_main, r) == PF_OK) {
			c->retiring_gen = c->ctx->gen;
			c->s = NULL;
			c->ctx = NULL;
			return 1;
		}
		pf_mutex_lock(g->mu);
		g->retiring--;
		pf_mutex_unlock(g->mu);
		free(r);
	}
	pf_session_free(c->s); /* ended already, or no thread: here */
	free(c->ctx);
	c->s = NULL;
	c->ctx = NULL;
	return 0;
}

static glue *glue_of(pf_app *app)
{
	return app->ops != NULL ? app->ops->ctx : NULL;
}

static void log_utf8(pf_app *app, pf_log_level level, const wchar_t *conn, const char *text)
{
	wchar_t *w = pf_utf8_to_wide(text);

	if (w != NULL)
		LogView_Add(app, level, conn, w);
	free(w);
}

static void log_diags(pf_app *app, const wchar_t *conn, const pf_diags *d)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		const pf_diag *g = &d->items[i];
		char *text = pf_diag_format(g);
		pf_log_level level = g->level == PF_DIAG_ERROR     ? PF_LOG_ERROR
				     : g->level == PF_DIAG_VERBOSE ? PF_LOG_VERBOSE
								   : PF_LOG_INFO;

		if (text != NULL)
			log_utf8(app, level, conn, text);
		free(text);
	}
}

static glue_conn *find(glue *g, const wchar_t *name)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (wcscmp(g->conns[i].name, name) == 0)
			return &g->conns[i];
	return NULL;
}

/* Show c's state while it has no session to say it (a replaced one's
 * statuses are dropped). */
static void show_state(pf_app *app, const glue_conn *c, pf_conn_state state)
{
	pf_conn_view *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return;
	wcsncpy(v->name, c->name, PF_HOST_LEN - 1);
	v->state = state;
	MainWnd_OnStatus(app, v);
}

static int glue_connect(pf_app *app, const wchar_t *config, const wchar_t *host)
{
	glue *g = glue_of(app);
	glue_conn *c = find(g, host);
	char *cfg_path = NULL, *host8 = NULL, *at;
	const char *name;
	pf_config *cfg = NULL;
	pf_host_config *hc = NULL;
	pf_resolve_opts ro;
	pf_session_opts so;
	pf_ui ui;
	const pf_host_setting *hs;
	pf_diags d;
	pf_error err;
	pf_rc rc;
	int ret = -1;

	if (c == NULL && g->n == PF_MAX_CONNS) {
		LogView_AddId(app, PF_LOG_ERROR, host, IDS_ERR_TOO_MANY_CONNS);
		return -1;
	}
	/* Connecting again: the old worker goes, off this thread; the new one
	 * starts once it has gone (glue_retired). */
	if (c != NULL && (c->retiring_gen != 0 || retire(g, c))) {
		wchar_t *keep = config != NULL ? _wcsdup(config) : NULL;

		if (config != NULL && keep == NULL)
			return -1;
		free(c->pending_cfg);
		c->pending_cfg = keep;
		c->pending = 1;
		/* The old session's last statuses are dropped: say what comes. */
		show_state(app, c, PF_CONN_CONNECTING);
		return 0;
	}
	pf_diag_init(&d);
	memset(&ro, 0, sizeof(ro));
	host8 = pf_wide_to_utf8(host);
	cfg_path = config != NULL && config[0] != L'\0' ? pf_wide_to_utf8(config) : NULL;
	if (host8 == NULL || (config != NULL && config[0] != L'\0' && cfg_path == NULL))
		goto out;
	/* user@host: the user wins over User in the file, as for ssh. */
	name = host8;
	at = strrchr(host8, '@');
	if (at != NULL) {
		*at = '\0';
		ro.user = host8;
		name = at + 1;
	}
	if (cfg_path != NULL) {
		rc = pf_config_load(cfg_path, NULL, &cfg, &d);
		log_diags(app, host, &d);
		if (rc != PF_OK) {
			LogView_AddId(app, PF_LOG_ERROR, host, IDS_ERR_CONFIG_UNUSABLE);
			goto out;
		}
		pf_diag_free(&d);
		pf_diag_init(&d);
	}
	rc = pf_config_resolve(cfg, name, &ro, &hc, &d);
	log_diags(app, host, &d);
	if (rc != PF_OK)
		goto out;
	/* -v on the command line raises LogLevel like ssh's -v. */
	if (app->cmd_verbose > 0 && (int)hc->log_level < (int)PF_LOG_VERBOSE + app->cmd_verbose - 1)
		hc->log_level =
			(pf_log_level)((int)PF_LOG_VERBOSE + app->cmd_verbose - 1 >
						       (int)PF_LOG_DEBUG3
					       ? (int)PF_LOG_DEBUG3
					       : (int)PF_LOG_VERBOSE + app->cmd_verbose - 1);
	memset(&so, 0, sizeof(so));
	so.reconnect = PF_RECONNECT_ALWAYS;
	if (at != NULL)
		*at = '@'; /* the name shown is what was typed */
	so.name = host8;
	so.keys = g->keys;
	hs = Ini_Host(&app->set, host, 0);
	if (hs != NULL && hs->on_demand) { /* "Connect when first used" */
		so.on_demand = 1;
		so.idle_disconnect_ms = hs->idle_ms;
	}
	if (c == NULL) {
		c = &g->conns[g->n++];
		memset(c, 0, sizeof(*c));
		wcsncpy(c->name, host, PF_HOST_LEN - 1);
	}
	c->ctx = PF_NEW(pf_ui_ctx);
	if (c->ctx == NULL)
		goto out;
	c->ctx->app = app;
	c->ctx->gen = g->next_gen++;
	if (g->next_gen == 0)
		g->next_gen = 1;
	ui = g->ui;
	ui.ctx = c->ctx;
	if (pf_session_start(hc, &ui, &so, &c->s, &err) != PF_OK) {
		hc = NULL; /* the session took it, even on failure */
		c->s = NULL;
		free(c->ctx);
		c->ctx = NULL;
		log_utf8(app, PF_LOG_ERROR, host, err.message);
		goto out;
	}
	hc = NULL;
	ret = 0;
out:
	pf_host_config_free(hc);
	pf_config_free(cfg);
	pf_diag_free(&d);
	free(cfg_path);
	free(host8);
	return ret;
}

static void glue_disconnect(pf_app *app, const wchar_t *name)
{
	glue_conn *c = find(glue_of(app), name);

	if (c != NULL && c->s != NULL)
		pf_session_stop(c->s);
	if (c != NULL && c->pending) { /* the Connect waiting for a replaced session */
		c->pending = 0;
		free(c->pending_cfg);
		c->pending_cfg = NULL;
		show_state(app, c, PF_CONN_CLOSING); /* Not connected once it has gone */
	}
}

/* WM_PF_RETIRED: the session replaced in slot wp (generation lp) is freed;
 * start the Connect that waited for it. */
static void glue_retired(pf_app *app, WPARAM wp, LPARAM lp)
{
	glue *g = glue_of(app);
	glue_conn *c;
	wchar_t *cfg;

	if (g == NULL || (size_t)wp >= g->n)
		return;
	c = &g->conns[wp];
	if (c->retiring_gen == 0 || c->retiring_gen != (unsigned)lp)
		return;
	c->retiring_gen = 0;
	if (!c->pending) { /* Disconnect came meanwhile */
		show_state(app, c, PF_CONN_IDLE);
		return;
	}
	c->pending = 0;
	cfg = c->pending_cfg;
	c->pending_cfg = NULL;
	glue_connect(app, cfg, c->name);
	free(cfg);
}

/* A payload from a session no slot holds any more (replaced by Connect). */
static int glue_stale(pf_app *app, unsigned gen)
{
	glue *g = glue_of(app);
	size_t i;

	if (g == NULL)
		return 0;
	for (i = 0; i < g->n; i++)
		if (g->conns[i].ctx != NULL && g->conns[i].ctx->gen == gen)
			return 0;
	return 1;
}

static void glue_shutdown(pf_app *app)
{
	glue *g = glue_of(app);
	size_t i;

	/* All told first, so they close in parallel; then wait for each. */
	for (i = 0; i < g->n; i++)
		if (g->conns[i].s != NULL)
			pf_session_stop(g->conns[i].s);
	for (i = 0; i < g->n; i++) {
		pf_session_free(g->conns[i].s);
		g->conns[i].s = NULL;
		free(g->conns[i].ctx);
		g->conns[i].ctx = NULL;
		free(g->conns[i].pending_cfg);
		g->conns[i].pending_cfg = NULL;
		g->conns[i].pending = 0;
	}
	g->n = 0;
	pf_mutex_lock(g->mu);
	while (g->retiring > 0)
		pf_cond_wait(g->cv, g->mu, -1);
	pf_mutex_unlock(g->mu);
}

static void glue_forget_keys(pf_app *app)
{
	glue *g = glue_of(app);

	pf_keycache_forget_all(g->keys);
	LogView_AddId(app, PF_LOG_INFO, NULL, IDS_KEYS_FORGOTTEN);
}

static void glue_resumed(pf_app *app)
{
	glue *g = glue_of(app);
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->conns[i].s != NULL)
			pf_session_reconnect_now(g->conns[i].s);
}

/* Called by the system on its own thread when an interface comes, goes or
 * changes: tell the window, which retries waiting connections at once. */
static VOID WINAPI on_netchange(PVOID ctx, PMIB_IPINTERFACE_ROW row, MIB_NOTIFICATION_TYPE type)
{
	pf_app *app = ctx;

	(void)row;
	if (type != MibInitialNotification && app->main != NULL)
		PostMessageW(app->main, WM_PF_NETCHANGE, 0, 0);
}

int Glue_Install(pf_app *app)
{
	glue *g = PF_NEW(glue);

	if (g == NULL)
		return -1;
	g->keys = pf_keycache_new();
	g->mu = pf_mutex_new();
	g->cv = pf_cond_new();
	if (g->keys == NULL || g->mu == NULL || g->cv == NULL) {
		pf_keycache_free(g->keys);
		pf_mutex_free(g->mu);
		pf_cond_free(g->cv);
		free(g);
		return -1;
	}
	UiWin32_Init(NULL, &g->ui); /* each session gets its own ctx */
	g->next_gen = 1;
	g->ops.connect = glue_connect;
	g->ops.disconnect = glue_disconnect;
	g->ops.shutdown = glue_shutdown;
	g->ops.resumed = glue_resumed;
	g->ops.forget_keys = glue_forget_keys;
	g->ops.retired = glue_retired;
	g->ops.stale = glue_stale;
	g->ops.ctx = g;
	app->ops = &g->ops;
	if (NotifyIpInterfaceChange(AF_UNSPEC, on_netchange, app, FALSE, &g->netnotify) != NO_ERROR)
		g->netnotify = NULL; /* only a speed-up: back-off still retries */
	return 0;
}

void Glue_Free(pf_app *app)
{
	glue *g = glue_of(app);

	if (g == NULL)
		return;
	if (g->netnotify != NULL)
		CancelMibChangeNotify2(g->netnotify);
	glue_shutdown(app);
	/* Exit: the unlocked keys go with the sessions that used them. */
	pf_keycache_free(g->keys);
	pf_mutex_free(g->mu);
	pf_cond_free(g->cv);
	app->ops = NULL;
	free(g);
}
