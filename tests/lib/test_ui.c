#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/platform.h"
#include "test_ui.h"

typedef struct priv {
	pf_mutex *mu;
	pf_cond *cv;
	int next_secret;
} priv;

static void ask_hostkey(void *ctx, const pf_hostkey_info *info, pf_hostkey_done_fn done,
			void *token)
{
	test_ui *t = ctx;
	priv *p = t->priv;
	pf_hostkey_answer a;

	pf_mutex_lock(p->mu);
	t->hostkey_asks++;
	t->last_hostkey = *info; /* the strings are the core's: pointers only */
	t->last_hostkey_state = info->state;
	t->hostkey_unattended_asks += info->unattended != 0;
	a = t->hostkey_answer;
	pf_mutex_unlock(p->mu);
	done(token, a);
}

static void ask_secret(void *ctx, const pf_secret_request *req, pf_secret_done_fn done, void *token)
{
	test_ui *t = ctx;
	priv *p = t->priv;
	const char *answer = NULL;

	pf_mutex_lock(p->mu);
	t->secret_asks++;
	t->last_secret_kind = req->kind;
	t->last_secret_attempt = req->attempt;
	snprintf(t->last_reason, sizeof(t->last_reason), "%s", req->reason ? req->reason : "");
	if (p->next_secret < t->nsecrets)
		answer = t->secrets[p->next_secret++];
	pf_mutex_unlock(p->mu);
	done(token, answer);
}

static void status_changed(void *ctx, const pf_status *st)
{
	test_ui *t = ctx;
	priv *p = t->priv;
	size_t i;

	pf_mutex_lock(p->mu);
	t->state = st->state;
	if (st->state == PF_CONN_CONNECTED)
		t->saw_connected = 1;
	for (i = 0; i < st->nforwards && i < 8; i++) {
		t->fwd_total[i] = st->forwards[i].total;
		t->fwd_bytes_in[i] = st->forwards[i].bytes_in;
		t->fwd_bytes_out[i] = st->forwards[i].bytes_out;
		t->fwd_state[i] = st->forwards[i].state;
	}
	pf_cond_broadcast(p->cv);
	pf_mutex_unlock(p->mu);
}

static void log_line(void *ctx, pf_log_level level, const char *conn, const char *msg)
{
	test_ui *t = ctx;
	priv *p = t->priv;

	pf_mutex_lock(p->mu);
	fprintf(stderr, "[%s] %s\n", conn ? conn : "-", msg);
	pf_strlcat(t->log, msg, sizeof(t->log));
	pf_strlcat(t->log, "\n", sizeof(t->log));
	pf_mutex_unlock(p->mu);
}

void test_ui_init(test_ui *t)
{
	priv *p = PF_NEW(priv);

	memset(t, 0, sizeof(*t));
	p->mu = pf_mutex_new();
	p->cv = pf_cond_new();
	t->priv = p;
	t->hostkey_answer = PF_HOSTKEY_REJECT;
	t->ui.ask_hostkey = ask_hostkey;
	t->ui.ask_secret = ask_secret;
	t->ui.status_changed = status_changed;
	t->ui.log = log_line;
	t->ui.ctx = t;
}

void test_ui_free(test_ui *t)
{
	priv *p = t->priv;

	pf_mutex_free(p->mu);
	pf_cond_free(p->cv);
	free(p);
	t->priv = NULL;
}

int test_ui_wait_state(test_ui *t, pf_conn_state st, int timeout_ms)
{
	priv *p = t->priv;
	uint64_t end = pf_time_ms() + (uint64_t)timeout_ms;
	int ok;

	pf_mutex_lock(p->mu);
	while (t->state != st && pf_time_ms() < end)
		pf_cond_wait(p->cv, p->mu, (int)(end - pf_time_ms()));
	ok = t->state == st;
	pf_mutex_unlock(p->mu);
	return ok;
}

int test_ui_log_has(test_ui *t, const char *needle)
{
	priv *p = t->priv;
	int has;

	pf_mutex_lock(p->mu);
	has = strstr(t->log, needle) != NULL;
	pf_mutex_unlock(p->mu);
	return has;
}

pf_host_config *test_load_host(const char *path, const char *host)
{
	pf_config *cfg = NULL;
	pf_host_config *hc = NULL;
	pf_diags d;
	size_t i;

	pf_diag_init(&d);
	if (pf_config_load(path, NULL, &cfg, &d) == PF_OK)
		pf_config_resolve(cfg, host, NULL, &hc, &d);
	for (i = 0; i < d.count; i++) {
		char *m = pf_diag_format(&d.items[i]);

		if (m != NULL)
			fprintf(stderr, "%s\n", m);
		free(m);
	}
	pf_diag_free(&d);
	pf_config_free(cfg);
	return hc;
}
