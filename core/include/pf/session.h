/* One SSH connection to one host profile, with its forwards, run by its own
 * worker thread (ARCHITECTURE.md, "Threads"). The worker owns the
 * ssh_session, every channel and socket of it; other threads only start,
 * stop, wake and free it. Everything the person must see or answer goes
 * through the pf_ui given at start.
 *
 * Life of a session:
 *   CONNECTING (TCP, key exchange, host key check)
 *   -> AUTHENTICATING -> CONNECTED (forwards run)
 *   -> on a lost connection, RECONNECTING after a back-off (when enabled)
 *   -> FAILED (for good: host key refused, authentication failed or
 *      cancelled, configuration unusable) or IDLE after pf_session_stop.
 * The worker ends in FAILED or IDLE; pf_session_result tells why. Errors
 * after which the session goes on (reconnecting) are logged; the final one
 * is not, it is the status's last_error and pf_session_result's message, so
 * the front end shows it exactly once. */
#ifndef PF_SESSION_H
#define PF_SESSION_H

#include "pf/config.h"
#include "pf/error.h"
#include "pf/net.h"
#include "pf/ui.h"

typedef struct pf_session pf_session;

typedef enum pf_reconnect {
	PF_RECONNECT_NEVER = 0,  /* one attempt; a lost connection ends the session */
	PF_RECONNECT_ALWAYS,     /* the GUI: keep trying, also when the first try fails */
	PF_RECONNECT_AFTER_FIRST /* the CLI: fail at once unless it connected once */
} pf_reconnect;

typedef struct pf_session_opts {
	/* Reconnect after a lost connection or failed keepalive, with back-off. */
	pf_reconnect reconnect;
	/* Back-off between attempts, doubled each time with jitter; 0 = the
	 * defaults of 1 s and 60 s. */
	unsigned backoff_min_ms, backoff_max_ms;
	/* Name shown in logs and status ("IMR"); NULL = the host as asked. */
	const char *name;
	/* Keys unlocked during this run, shared with the front end's other
	 * sessions (pf/keycache.h): a key found there is not asked for, and one
	 * unlocked here goes there. Borrowed: valid until pf_session_free
	 * returns. NULL: unlocked keys are kept by this session only, for its
	 * reconnects. */
	struct pf_keycache *keys;
	/* Concurrent tunnels (clients of every forward, and clients held while
	 * connecting) at most; beyond it new clients are closed at once, with
	 * one log line. 0 = 4096. */
	unsigned max_tunnels;
	/* While the connection is being (re)built, clients of local forwards
	 * are accepted and held (not read) for hold_ms at most (0 =
	 * ConnectTimeout, else 15 s), at most max_held per forward (0 = 64;
	 * more are closed at once), and served once it is up. */
	unsigned hold_ms;
	unsigned max_held;
	/* Connect on first use: the listeners open at once (state
	 * PF_CONN_LISTENING) and the SSH connection is made when the first
	 * client arrives, that client held meanwhile. */
	int on_demand;
	/* With on_demand: after this long without any tunnel, disconnect and
	 * listen again. 0 = never. */
	unsigned idle_disconnect_ms;
	/* Stdio forwarding (pf -W host:port, as ssh -W): when stdio_host is
	 * not NULL (copied), stdio_sock is served as the one client of a
	 * forward to stdio_host:stdio_port once the connection is up, and the
	 * session ends when that tunnel ends (result PF_OK) or when the server
	 * will not open it (the failure). The session takes stdio_sock (closes
	 * it, also when pf_session_start fails). Not in the status's forwards.
	 * Use with PF_RECONNECT_NEVER: a byte stream cannot survive a
	 * reconnect. */
	const char *stdio_host;
	int stdio_port;
	pf_socket stdio_sock;
} pf_session_opts;

/* Start a worker for `hc`. The session takes ownership of `hc` (it is freed
 * with the session). `ui` is copied; its ctx must stay valid until
 * pf_session_free returns. `opts` may be NULL. Returns at once. */
pf_rc pf_session_start(pf_host_config *hc, const pf_ui *ui, const pf_session_opts *opts,
		       pf_session **out, pf_error *err);

/* Ask the worker to close every forward and disconnect cleanly; returns at
 * once. Pending prompts are abandoned (their done-callbacks stay valid).
 * Any thread. */
void pf_session_stop(pf_session *s);

/* pf_session_stop for a signal handler (SIGINT, SIGTERM): async-signal-
 * safe (a flag and one send() on the worker's wake-up socket), so the
 * thread that waits for the session can block in pf_session_wait(s, -1).
 * The worker stops as soon as it is woken; a prompt the front end answers
 * on the worker's own thread is not interrupted by it. */
void pf_session_stop_from_signal(pf_session *s);

/* Skip the rest of a reconnect back-off (network back, resume from sleep).
 * Any thread. */
void pf_session_reconnect_now(pf_session *s);

/* Wait up to timeout_ms (-1: no limit) for the worker to end; 1 when it has
 * ended, 0 on timeout. Any thread but the worker's. */
int pf_session_wait(pf_session *s, int timeout_ms);

/* Why the worker ended: PF_OK after pf_session_stop, else the failure with
 * its one message. Valid after pf_session_wait returned 1. */
pf_rc pf_session_result(pf_session *s, pf_error *err);

/* How many credentials (unlocked keys, masked passwords) the session's
 * cache holds. The worker wipes them all when it ends (Disconnect, a final
 * failure), not only pf_session_free: after pf_session_wait said done this
 * is 0. For the tests of that promise (THREAT-MODEL.md). */
size_t pf_session_cached_credentials(pf_session *s);

/* Stop (if running), wait for the worker, wipe cached credentials, free.
 * NULL is fine. Not from the worker thread (i.e. not from a pf_ui method). */
void pf_session_free(pf_session *s);

/* Names for states, for logs and the CLI ("Connected"); static storage. */
const char *pf_conn_state_name(pf_conn_state st);

#endif
