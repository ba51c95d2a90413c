/* Internals shared by session.c (worker, connection, host key), auth.c and
 * forward.c. Not a public header: front ends use pf/session.h. */
#ifndef PF_SESSION_INTERNAL_H
#define PF_SESSION_INTERNAL_H

#include <libssh/libssh.h>
#include <signal.h>
#include <stdint.h>

#include "pf/attr.h"
#include "pf/net.h"
#include "pf/platform.h"
#include "pf/session.h"

/* A question to the person, answered through a done-callback that may come
 * from any thread, at any time, even after the worker gave up waiting: the
 * prompt is reference-counted (worker + front end) and freed by whoever lets
 * go last. */
typedef struct pfi_prompt {
	pf_mutex *mu;
	pf_cond *cv;
	int refs;
	int answered;
	int abandoned; /* the session stopped waiting */
	pf_hostkey_answer hostkey;
	char *secret; /* NULL = cancelled; wiped when freed */
} pfi_prompt;

/* The per-run credential cache, in memory only, so that an automatic
 * reconnect asks nobody; wiped on stop and free. Passphrases are never kept:
 * what is kept is the key they unlocked. The account password is kept
 * masked with a random pad, so it never sits in memory (or a core dump) as
 * typed. */
typedef struct pfi_cred {
	char *key_path;    /* NULL for the account password */
	ssh_key key;       /* the unlocked private key */
	unsigned char *pw; /* password XOR pad */
	unsigned char *pad;
	size_t pw_len;
} pfi_cred;

typedef struct pfi_fwd_engine pfi_fwd_engine;
typedef struct pfi_jump pfi_jump;

struct pf_session {
	/* Set at start, read-only afterwards. */
	pf_host_config *hc;
	pf_ui ui;
	pf_session_opts opts;
	char *name;
	pf_thread *thread;
	pf_wakeup *wake;

	/* Shared with other threads: under mu. */
	pf_mutex *mu;
	pf_cond *cv; /* broadcast when `done` is set */
	int stop_requested;
	/* pf_session_stop_from_signal: written by a signal handler, without
	 * the lock (a signal handler must not take one); read with it. */
	volatile sig_atomic_t stop_signalled;
	int reconnect_now;
	int done;
	pfi_prompt *pending; /* the prompt being waited for, or NULL */
	pf_rc result;
	pf_error result_err;

	/* Worker thread only. */
	ssh_session ssh;
	pf_socket sock; /* s->ssh's socket: libssh does not close one given to it */
	pf_conn_state state;
	char server[300];     /* "host:port" as configured */
	char algorithms[256]; /* negotiated, for the status */
	char last_error[1024];
	unsigned reconnects;
	unsigned retry_in_s;
	uint64_t retry_at_ms; /* pf_time_ms() of the next try while RECONNECTING */
	uint64_t connected_at_ms;
	pfi_cred *creds;
	size_t ncreds;
	pfi_fwd_engine *fwd;
	pfi_jump *jumps;        /* the ProxyJump chain of the current connection */
	struct pf_agent *agent; /* Windows: the bridge to the agent, if used */
};

/* Log one line through the UI when the connection's LogLevel allows it.
 * Never pass a secret. */
void pfi_session_log(pf_session *s, pf_log_level level, const char *fmt, ...) PF_PRINTF(3, 4);

/* 1 when pf_session_stop was called. Any thread. */
int pfi_session_stopping(pf_session *s);

/* Set the connection state and tell the front end. Worker only. */
void pfi_session_set_state(pf_session *s, pf_conn_state st);
/* Send the current status (state, counters) to the front end. Worker only. */
void pfi_session_publish(pf_session *s);

/* Ask for a secret and wait for the answer. Returns PF_OK with *answer
 * (caller wipes with pf_secret_free), PF_E_CANCELLED when the person
 * cancelled or the session is stopping. */
pf_rc pfi_session_ask_secret(pf_session *s, const pf_secret_request *req, char **answer);

/* The credential cache. key: borrowed, or NULL; put_key takes ownership.
 * password: a new plain copy (caller frees with pf_secret_free) or NULL. */
ssh_key pfi_session_cred_key(pf_session *s, const char *key_path);
void pfi_session_cred_put_key(pf_session *s, const char *key_path, ssh_key key);
char *pfi_session_cred_password(pf_session *s);
void pfi_session_cred_put_password(pf_session *s, const char *password);
void pfi_session_cred_forget(pf_session *s, const char *key_path);
void pfi_session_cred_wipe(pf_session *s);

/* Connect s->ssh to s->hc: over `sock` when valid (a ProxyJump bridge),
 * else by TCP; key exchange, host key check, authentication. On failure
 * s->ssh may be set (the caller frees it). */
pf_rc pfi_session_open_ssh(pf_session *s, pf_socket sock, pf_error *err);

/* jump.c: connect through the ProxyJump hosts of s->hc, each with its own
 * configuration, host key check and login; *sock is then a stream to the
 * final host. pfi_jump_close ends the chain (idempotent). */
pf_rc pfi_jump_open(pf_session *s, pf_socket *sock, pf_error *err);
void pfi_jump_close(pf_session *s);

/* auth.c: authenticate the connected s->ssh as hc->user. */
pf_rc pfi_session_authenticate(pf_session *s, pf_error *err);

/* forward.c: the event loop while connected. Returns when the connection
 * is lost (PF_E_NETWORK, with err: the socket failed, ServerAliveCountMax
 * keepalives went unanswered, or the probe that reconnect_now starts while
 * connected got no answer within 3 s), on stop (PF_OK, after the channels'
 * EOF and close were sent), or when a forward fails under
 * ExitOnForwardFailure. A refused remote forward is asked for again while
 * connected. The engine keeps its listeners across reconnects;
 * pfi_fwd_engine_free closes them. */
pf_rc pfi_fwd_engine_new(pf_session *s, pfi_fwd_engine **out, pf_error *err);
pf_rc pfi_fwd_engine_run(pfi_fwd_engine *e, pf_error *err);
void pfi_fwd_engine_free(pfi_fwd_engine *e);
/* While not connected (back-off): wait up to timeout_ms for the session's
 * wake-up, meanwhile closing at once any client that connects to a
 * forward, so nobody is left hanging. */
void pfi_fwd_engine_wait(pfi_fwd_engine *e, int timeout_ms);
/* Forward statuses for pf_status; borrowed until the next call. */
const pf_fwd_status *pfi_fwd_engine_status(pfi_fwd_engine *e, size_t *n);

#endif
