/* Internals shared by session.c (worker, connection, host key), auth.c,
 * transport.c, jump.c and forward.c. Not a public header: front ends use
 * pf/session.h.
 *
 * The shape: a pf_session (one per configured connection, one worker
 * thread) holds at most one pfi_conn, the SSH connection to its server.
 * A pfi_conn gets its socket from pfi_dial (transport.c), which picks the
 * transport: direct TCP, or a chain of ProxyJump hops (jump.c), each hop a
 * pfi_conn of its own with its own pf_host_config, host key check and login,
 * bridged to the next hop by its own thread. Nothing borrows another
 * object's fields. */
#ifndef PF_SESSION_INTERNAL_H
#define PF_SESSION_INTERNAL_H

#include <libssh/callbacks.h>
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
 * what is kept is the key they unlocked (by key file). A password is kept
 * per account "user@host:port", so one server's password is never offered
 * to another (a ProxyJump hop's to the destination), masked with a random
 * pad, so it never sits in memory (or a core dump) as typed. */
typedef struct pfi_cred {
	char *key_path;    /* the key file, or NULL for a password */
	char *account;     /* "user@host:port" for a password, else NULL */
	ssh_key key;       /* the unlocked private key */
	unsigned char *pw; /* password XOR pad */
	unsigned char *pad;
	size_t pw_len;
} pfi_cred;

typedef struct pfi_fwd_engine pfi_fwd_engine;
typedef struct pfi_jump pfi_jump;
typedef struct pfi_link pfi_link;

/* One SSH connection to one server: the session's destination, or a
 * ProxyJump hop on the way to it. Made by pfi_conn_open on the worker
 * thread; a hop's conn then belongs to its bridge thread alone (libssh
 * sessions are not shared between threads). */
typedef struct pfi_conn {
	pf_session *s;            /* the session it serves: UI, log, credentials */
	const pf_host_config *hc; /* this server's settings: s->hc or hc_own */
	pf_host_config *hc_own;   /* a hop's own resolved settings, or NULL */
	ssh_session ssh;
	pf_socket sock;         /* ssh's socket: libssh does not close one given to it */
	pfi_link *link;         /* what lies between sock and the server (transport.c) */
	struct pf_agent *agent; /* Windows: the bridge to the agent, if used */
	char server[300];       /* "host:port", " (jump host)" for a hop: for messages */
	char account[400];      /* "user@host:port": the credential cache's key */
	char algorithms[256];   /* negotiated */
	/* What the server sent unasked (issue 18 item 13): global requests are
	 * dropped by a callback, channel opens refused by
	 * pfi_conn_refuse_unrequested; counted, logged once per connection. */
	struct ssh_callbacks_struct cb;
	unsigned long unrequested;
	int unrequested_logged;
} pfi_conn;

struct pf_session {
	/* Set at start, read-only afterwards. */
	pf_host_config *hc;
	pf_ui ui;
	pf_session_opts opts;
	char *name;
	char *stdio_host; /* opts.stdio_host's copy (owned) */
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
	pfi_conn *conn; /* the connection to the server while there is one, else NULL */
	pf_conn_state state;
	char server[300];     /* "host:port" as configured */
	char algorithms[256]; /* negotiated, for the status */
	char last_error[1024];
	unsigned reconnects;
	/* This attempt was not started by pf_session_start itself (a
	 * reconnect, an on-demand connect): pf_hostkey_info.unattended. */
	int unattended;
	unsigned retry_in_s;
	uint64_t retry_at_ms; /* pf_time_ms() of the next try while RECONNECTING */
	uint64_t connected_at_ms;
	pfi_cred *creds;
	size_t ncreds;
	pfi_fwd_engine *fwd;
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
 * password: a new plain copy (caller frees with pf_secret_free) or NULL;
 * account is "user@host:port" (pfi_conn.account). */
ssh_key pfi_session_cred_key(pf_session *s, const char *key_path);
void pfi_session_cred_put_key(pf_session *s, const char *key_path, ssh_key key);
void pfi_session_cred_forget_key(pf_session *s, const char *key_path);
char *pfi_session_cred_password(pf_session *s, const char *account);
void pfi_session_cred_put_password(pf_session *s, const char *account, const char *password);
void pfi_session_cred_forget_password(pf_session *s, const char *account);
void pfi_session_cred_wipe(pf_session *s);

/* Refuse, at once, what the server queued without being asked: channel
 * opens (x11, auth-agent, session, direct-tcpip, and forwarded-tcpip when
 * no RemoteForward is waiting for them) and requests on channels. libssh
 * built without server support cannot send OPEN_FAILURE, so an open is
 * confirmed and closed in the same breath; nothing stays queued. At most
 * `max` a call (the loop comes back); returns how many. Call only when the
 * forward engine has taken the forwarded-tcpip opens it wants. */
int pfi_conn_refuse_unrequested(pfi_conn *c, int max);

/* session.c: one SSH connection to hc's server: a socket from pfi_dial (or
 * `over` when valid: a stream the caller hands over, e.g. the previous
 * ProxyJump hop's bridge), key exchange, host key check, login. hc is
 * borrowed; hc_own (may be NULL) is taken and freed with the conn, even on
 * failure. On failure *out is NULL and everything is closed. Worker only. */
pf_rc pfi_conn_open(pf_session *s, const pf_host_config *hc, pf_host_config *hc_own,
		    const char *server, pf_socket over, pfi_conn **out, pf_error *err);
/* Disconnect (politely: SSH_MSG_DISCONNECT first when polite and still
 * connected), close the socket and what lies below it, free. NULL is fine. */
void pfi_conn_close(pfi_conn *c, int polite);

/* transport.c: a connected stream socket to hc's server for libssh, by
 * hc's transport: direct TCP (AddressFamily, BindAddress, ConnectTimeout,
 * ConnectionAttempts), through hc's ProxyJump hops, or by its
 * ProxyCommand: an HTTP CONNECT / SOCKS proxy spoken natively when the
 * line is a known helper (connect, nc -X, ncat --proxy), a jump hop for
 * "ssh -W", else the command run with its stdin/stdout as the socket. *link holds what
 * must live as long as the socket (NULL for direct TCP); pfi_link_close
 * ends it after the socket is closed. Worker only; a stop cancels it. */
pf_rc pfi_dial(pf_session *s, const pf_host_config *hc, pf_socket *sock, pfi_link **link,
	       pf_error *err);
void pfi_link_close(pfi_link *l);
/* After the SSH handshake over l's socket failed: when a ProxyCommand child
 * has ended, replace *err with one message giving its exit code and last
 * line of standard error, and return 1. Else 0. */
int pfi_link_explain(pfi_link *l, pf_error *err);

/* transport.c: let libssh take everything the SSH socket holds (one
 * ssh_event_dopoll reads the socket at most once), then, when bytes came
 * in (rx: the session's ssh_set_counters input counter), ACK them at once:
 * a server that paces its sending by our ACKs (BBR) otherwise spends more
 * CPU per GB on us, and on downloads the server's CPU is the limit
 * (bench/results/2026-11-24-e.md). The one read loop of every SSH socket
 * (forward.c's engine, jump.c's bridges). */
void pfi_ssh_read_input(ssh_session ssh, ssh_event ev, const struct ssh_counter_struct *rx);

/* jump.c: the chain of jump hosts hops[0..n) (hc->jump_hops, or one hop
 * from a ProxyCommand "ssh -W"), each resolved from hc's config file: *sock
 * is then a stream to hc's server. pfi_jump_close ends the chain (after
 * the socket above it was closed); NULL is fine. */
pf_rc pfi_jump_open(pf_session *s, const pf_host_config *hc, const pf_jump_hop *hops, size_t n,
		    pfi_jump **chain, pf_socket *sock, pf_error *err);
void pfi_jump_close(pfi_jump *chain);

/* auth.c: authenticate the connected c->ssh as c->hc->user. */
pf_rc pfi_session_authenticate(pfi_conn *c, pf_error *err);

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
/* On demand: 1 once the acceptor holds a client (it then signals the
 * session's wake-up). Worker. */
int pfi_fwd_engine_has_held(pfi_fwd_engine *e);
/* 1 when the last pfi_fwd_engine_run ended (PF_OK) because no tunnel was
 * open for opts.idle_disconnect_ms. */
int pfi_fwd_engine_idled_out(pfi_fwd_engine *e);
/* Forward statuses for pf_status; borrowed until the next call. */
const pf_fwd_status *pfi_fwd_engine_status(pfi_fwd_engine *e, size_t *n);

#endif
