/* A scripted front end for tests: answers host key questions and secret
 * prompts from a script, records every log line and status, and lets the
 * test wait for a connection state. Thread-safe (the core calls it from
 * worker threads). */
#ifndef PF_TEST_UI_H
#define PF_TEST_UI_H

#include "pf/config.h"
#include "pf/ui.h"

#define TEST_UI_MAX_SECRETS 8

typedef struct test_ui {
	pf_ui ui; /* hand &t->ui to the core */
	/* The script. */
	pf_hostkey_answer hostkey_answer;
	const char *secrets[TEST_UI_MAX_SECRETS]; /* NULL entry = cancel */
	int nsecrets;
	/* What happened. */
	int hostkey_asks;
	pf_hostkey_info last_hostkey; /* strings not kept */
	pf_hostkey_state last_hostkey_state;
	int hostkey_unattended_asks; /* asks with info->unattended set */
	int secret_asks;
	pf_secret_kind last_secret_kind;
	int last_secret_attempt;
	char last_reason[256];
	pf_conn_state state;
	int saw_connected;
	unsigned long long fwd_total[8], fwd_bytes_in[8], fwd_bytes_out[8];
	int fwd_state[8];
	char log[65536];
	void *priv;
} test_ui;

void test_ui_init(test_ui *t);
void test_ui_free(test_ui *t);
/* Wait up to timeout_ms for the state; 1 when reached. */
int test_ui_wait_state(test_ui *t, pf_conn_state st, int timeout_ms);
/* 1 if the log contains `needle`. */
int test_ui_log_has(test_ui *t, const char *needle);

/* Load the config file at `path` and resolve `host`; diagnostics go to
 * stderr. NULL when the file or the host's settings are unusable. Caller
 * frees (or hands it to pf_session_start). */
pf_host_config *test_load_host(const char *path, const char *host);

#endif
