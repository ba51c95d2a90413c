/* pf's connect path: the terminal front end (pf_ui) over a pf_session.
 * Prompts (prompt.c) go to the terminal or to $SSH_ASKPASS; the session
 * runs until Ctrl-C, or ends with one clear message. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pf/keycache.h"
#include "pf/mem.h"
#include "pf/names.h"
#include "pf/platform.h"
#include "pf/session.h"

typedef struct cli_ui {
	pf_log_level level;
	int announced; /* the forwards were listed once connected */
	pf_conn_state last;
} cli_ui;

/* --- pf_ui ------------------------------------------------------------------------ */

/* Print server text (or a core message that may quote it) on stderr with
 * control characters dropped, so it cannot move the cursor, clear the
 * screen or draw a prompt of its own. */
static void print_safe(const char *text, int keep_newlines)
{
	char *safe = pf_names_printable(text, keep_newlines);

	if (safe != NULL)
		fprintf(stderr, "%s\n", safe);
	free(safe);
}

static void ui_ask_secret(void *ctx, const pf_secret_request *req, pf_secret_done_fn done,
			  void *token)
{
	char answer[1024], prompt[1400];
	char *safe_prompt = NULL;

	(void)ctx;
	if (req->reason != NULL)
		print_safe(req->reason, 0);
	if (req->kind == PF_SECRET_KBDINT) {
		/* The server's texts, marked as the server's: a prompt that
		 * says "Passphrase for key ..." still shows whom it is from. */
		if (req->name != NULL && req->name[0] != '\0')
			print_safe(req->name, 0);
		if (req->instruction != NULL && req->instruction[0] != '\0')
			print_safe(req->instruction, 1);
		safe_prompt = pf_names_printable(req->prompt, 0);
		if (safe_prompt == NULL) {
			done(token, NULL);
			return;
		}
		snprintf(prompt, sizeof(prompt), "(%s@%s) %s", req->user ? req->user : "?",
			 req->host ? req->host : "?", safe_prompt);
		free(safe_prompt);
	} else {
		safe_prompt = pf_names_printable(req->prompt, 0);
		snprintf(prompt, sizeof(prompt), "%s", safe_prompt ? safe_prompt : "");
		free(safe_prompt);
	}
	if (cli_read_answer(prompt,
			    (req->kind == PF_SECRET_KBDINT || req->kind == PF_SECRET_PROXY_USER) &&
				    req->echo,
			    answer, sizeof(answer)) != 0) {
		done(token, NULL);
		return;
	}
	done(token, answer);
	pf_secure_zero(answer, sizeof(answer));
}

static void ui_ask_hostkey(void *ctx, const pf_hostkey_info *info, pf_hostkey_done_fn done,
			   void *token)
{
	char answer[128], prompt[256];

	(void)ctx;
	if (info->state != PF_HOSTKEY_UNKNOWN) {
		/* Refused by the core whatever we say; the message follows. */
		fprintf(stderr, "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
				"@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
				"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n");
		done(token, PF_HOSTKEY_REJECT);
		return;
	}
	fprintf(stderr,
		"The authenticity of host '%s' can't be established.\n"
		"%s key fingerprint is %s.\n"
		"It will be saved in %s.\n",
		info->host, info->key_type, info->fingerprint, info->known_hosts_path);
	snprintf(prompt, sizeof(prompt),
		 "Are you sure you want to continue connecting (yes/no/once/[fingerprint])?");
	for (;;) {
		if (cli_read_answer(prompt, 1, answer, sizeof(answer)) != 0) {
			done(token, PF_HOSTKEY_REJECT);
			return;
		}
		if (strcmp(answer, "yes") == 0 || strcmp(answer, info->fingerprint) == 0) {
			done(token, PF_HOSTKEY_ACCEPT_SAVE);
			return;
		}
		if (strcmp(answer, "once") == 0) {
			done(token, PF_HOSTKEY_ACCEPT_ONCE);
			return;
		}
		if (strcmp(answer, "no") == 0) {
			done(token, PF_HOSTKEY_REJECT);
			return;
		}
		snprintf(prompt, sizeof(prompt),
			 "Please type 'yes', 'no', 'once' or the fingerprint:");
	}
}

static const char *kind_word(pf_fwd_kind k)
{
	switch (k) {
	case PF_FWD_LOCAL: return "Local";
	case PF_FWD_REMOTE: return "Remote";
	case PF_FWD_DYNAMIC: return "SOCKS";
	case PF_FWD_REMOTE_DYNAMIC: return "Remote SOCKS";
	}
	return "?";
}

static void ui_status(void *ctx, const pf_status *st)
{
	cli_ui *u = ctx;
	size_t i;

	if (st->state == PF_CONN_CONNECTED && !u->announced) {
		u->announced = 1;
		if (u->level >= PF_LOG_INFO)
			for (i = 0; i < st->nforwards; i++)
				fprintf(stderr, "%s forward %s -> %s%s\n",
					kind_word(st->forwards[i].kind), st->forwards[i].listen,
					st->forwards[i].destination,
					st->forwards[i].state == PF_FWD_FAILED ? " (failed)" : "");
	}
	if (st->state != PF_CONN_CONNECTED)
		u->announced = 0;
	if (st->state != u->last && u->level >= PF_LOG_VERBOSE)
		fprintf(stderr, "pf: %s: %s\n", st->conn_name, pf_conn_state_name(st->state));
	u->last = st->state;
}

static void ui_log(void *ctx, pf_log_level level, const char *conn, const char *msg)
{
	cli_ui *u = ctx;

	(void)conn;
	if (level <= u->level || level <= PF_LOG_ERROR)
		print_safe(msg, 0);
}

int cli_connect(const cli_opts *opts)
{
	pf_host_config *hc = NULL;
	pf_session *s = NULL;
	pf_session_opts so;
	pf_keycache *keys = NULL;
	cli_stdio *io = NULL;
	pf_socket pair[2] = {PF_INVALID_SOCKET, PF_INVALID_SOCKET};
	cli_ui u;
	pf_ui ui;
	pf_error err;
	int status;

	status = cli_resolve(opts, stderr, &hc);
	if (status != 0)
		return status;
	/* -v raises LogLevel to VERBOSE, -vv to DEBUG1, ... (as ssh). */
	if (opts->verbose > 0) {
		int want = (int)PF_LOG_VERBOSE + opts->verbose - 1;

		if (want > (int)PF_LOG_DEBUG3)
			want = (int)PF_LOG_DEBUG3;
		if ((int)hc->log_level < want)
			hc->log_level = (pf_log_level)want;
	}
	memset(&u, 0, sizeof(u));
	u.level = hc->log_level;
	u.last = PF_CONN_IDLE;
	memset(&ui, 0, sizeof(ui));
	ui.ask_hostkey = ui_ask_hostkey;
	ui.ask_secret = ui_ask_secret;
	ui.status_changed = ui_status;
	ui.log = ui_log;
	ui.ctx = &u;
	memset(&so, 0, sizeof(so));
	so.reconnect = PF_RECONNECT_AFTER_FIRST;
	so.name = opts->host;
	/* As in the GUI: a key is unlocked once per run (a ProxyJump hop and
	 * the destination naming the same key, every reconnect), and asked for
	 * again when its file changed on disk. */
	keys = pf_keycache_new();
	if (keys == NULL) {
		pf_host_config_free(hc);
		fprintf(stderr, "pf: out of memory\n");
		return 1;
	}
	so.keys = keys;
	so.max_tunnels = opts->max_tunnels;
	so.hold_ms = opts->hold_s * 1000;
	so.max_held = opts->max_held;
	so.on_demand = opts->on_demand;
	so.idle_disconnect_ms = opts->idle_disconnect_ms;
	if (opts->stdio_host != NULL) {
		/* -W: standard input and output are the stream; answers come
		 * from the terminal (or SSH_ASKPASS), as with ssh -W. */
		if (pf_net_socketpair(pair) != PF_OK) {
			pf_host_config_free(hc);
			pf_keycache_free(keys);
			fprintf(stderr, "pf: cannot make a socket pair for -W\n");
			return 1;
		}
		so.reconnect = PF_RECONNECT_NEVER;
		so.stdio_host = opts->stdio_host;
		so.stdio_port = opts->stdio_port;
		so.stdio_sock = pair[0];
		cli_answers_from_terminal();
#ifndef _WIN32
		signal(SIGPIPE, SIG_IGN); /* a reader gone is an error from write() */
#endif
	}

	if (pf_session_start(hc, &ui, &so, &s, &err) != PF_OK) {
		fprintf(stderr, "pf: %s\n", err.message);
		pf_net_close(pair[1]);
		pf_keycache_free(keys);
		return 1;
	}
	if (opts->stdio_host != NULL && cli_stdio_start(pair[1], s, &io) != 0) {
		fprintf(stderr, "pf: cannot start the -W threads\n");
		pf_net_close(pair[1]); /* no thread took it */
		pf_session_stop(s);
	}
	/* Ctrl-C and SIGTERM reach the worker through its wake-up socket:
	 * this thread sleeps until the session has ended, without a timer. */
	cli_interrupt_begin(s);
	(void)pf_session_wait(s, -1);
	cli_interrupt_end();
	cli_stdio_finish(io);
	status = pf_session_result(s, &err) == PF_OK ? 0 : 1;
	if (cli_prompt_cancel_status() != 0) {
		/* Said at the prompt; the exit status a shell expects of a
		 * command that the signal ended (as pf keygen's). */
		status = cli_prompt_cancel_status();
	} else if (status != 0) {
		char line[1600];

		snprintf(line, sizeof(line), "pf: %s%s%s", err.where, err.where[0] ? ": " : "",
			 err.message);
		print_safe(line, 0);
	}
	pf_session_free(s);
	pf_keycache_free(keys);
	return status;
}
