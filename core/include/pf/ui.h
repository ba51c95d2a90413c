/* The front-end interface: how the core asks the person something and tells
 * them what happens. Each front end (Win32 GUI, CLI, the tests' scripted UI)
 * fills one pf_ui and hands it to the core; the core never prints, prompts
 * or opens a window itself.
 *
 * Threads: every method is called on a connection's worker thread (or, for
 * calls made before a worker exists, on the thread that called the core);
 * `log` alone may also come from the connection's acceptor thread (the one
 * that holds clients while the connection is being rebuilt) or a ProxyJump
 * hop's bridge thread (what a jump host sent unasked), so a front
 * end's log must take a lock or post, never assume one caller at a time.
 * A GUI must not open dialogs there: it copies what it needs and posts it to
 * its own thread. Strings passed in are borrowed for the duration of the
 * call only, unless a method says otherwise.
 *
 * Answers that need the person (ask_hostkey, ask_secret) may come later and
 * from any thread: the front end calls the done-callback exactly once, with
 * the token it was given. The worker waits for it without spinning, and the
 * token stays valid until done is called. */
#ifndef PF_UI_H
#define PF_UI_H

#include <stddef.h>
#include <stdint.h>

#include "pf/fwdspec.h" /* pf_fwd_kind */
#include "pf/log.h"     /* pf_log_level */

/* --- host keys ------------------------------------------------------------ */

typedef enum pf_hostkey_state {
	PF_HOSTKEY_UNKNOWN,   /* no key recorded for this host */
	PF_HOSTKEY_CHANGED,   /* a different key of the same type is recorded */
	PF_HOSTKEY_OTHER_TYPE /* only keys of other types are recorded */
} pf_hostkey_state;

typedef enum pf_hostkey_answer {
	PF_HOSTKEY_REJECT = 0,
	PF_HOSTKEY_ACCEPT_ONCE,
	PF_HOSTKEY_ACCEPT_SAVE,
	/* CHANGED with `replaceable` only: the person checked the offered key's
	 * fingerprint against the one the server's administrator gave them
	 * (the front end makes them paste it and compares with
	 * pf_knownhosts_fingerprint_matches). The core then replaces the old
	 * line (info->known_hosts_path, info->old_line) with the offered key
	 * (pf_knownhosts_replace), logs it, and connects. Any other state
	 * treats it as REJECT. */
	PF_HOSTKEY_REPLACE
} pf_hostkey_answer;

typedef struct pf_hostkey_info {
	const char *conn_name; /* the Host profile, e.g. "IMR" */
	const char *host;      /* name looked up in known_hosts */
	int port;
	const char *key_type;    /* "ssh-ed25519", "ecdsa-sha2-nistp256", ... */
	const char *fingerprint; /* "SHA256:..." of the offered key */
	pf_hostkey_state state;
	const char *known_hosts_path; /* where it would be / is recorded */
	/* CHANGED / OTHER_TYPE only: the recorded key that conflicts. */
	int old_line; /* 1-based line in known_hosts_path */
	const char *old_key_type;
	const char *old_fingerprint;
	/* UNKNOWN under StrictHostKeyChecking accept-new/no, asked only when the
	 * front end sets ask_unsaved_hostkey: why the key cannot be saved (it
	 * is asked about instead of accepted unpinned). Else NULL. */
	const char *cannot_save;
	/* 1: nobody asked for this attempt just now: a reconnect (after a lost
	 * connection or a failed try) or an on-demand connect a client
	 * started. 0: the first attempt after pf_session_start (the front end
	 * knows whether a person started it). A front end with windows then
	 * makes Cancel the default and does not take the keyboard. */
	int unattended;
	/* CHANGED only: 1 when PF_HOSTKEY_REPLACE would be taken: the
	 * conflicting line is a plain key line (no marker) of the same key
	 * family in a file that can be rewritten. 0 for OTHER_TYPE, @revoked
	 * keys and everything else. */
	int replaceable;
} pf_hostkey_info;

/* OTHER_TYPE (and a @revoked key, reported as CHANGED, replaceable 0): the
 * core refuses whatever the answer; the question only informs (front ends
 * show a warning with no accept button). CHANGED: refused too, except for
 * PF_HOSTKEY_REPLACE when `replaceable` is 1; this is the only way a
 * changed key is ever accepted, and only a front end that made the person
 * type or paste the new fingerprint may answer it (the CLI never does). */
typedef void (*pf_hostkey_done_fn)(void *token, pf_hostkey_answer answer);

/* --- secrets ---------------------------------------------------------------- */

typedef enum pf_secret_kind {
	PF_SECRET_PASSPHRASE,    /* a private key's passphrase */
	PF_SECRET_PASSWORD,      /* the account password */
	PF_SECRET_KBDINT,        /* one keyboard-interactive prompt */
	PF_SECRET_PROXY_USER,    /* the user name for a proxy (echo: shown as typed) */
	PF_SECRET_PROXY_PASSWORD /* a proxy's password; the prompt names the proxy */
} pf_secret_kind;

typedef struct pf_secret_request {
	pf_secret_kind kind;
	const char *conn_name;
	const char *prompt;      /* ready to show: "Passphrase for key 'C:\...\id_ed25519':" */
	const char *key_path;    /* PASSPHRASE: the key file; else NULL */
	const char *instruction; /* KBDINT: the server's instruction text, may be "" */
	int echo;                /* KBDINT: the server allows echoing the answer;
				    PROXY_USER: always 1 */
	int attempt;             /* 1 for the first ask, 2.. after a wrong answer */
	const char *reason;      /* why asked again ("wrong passphrase"), or NULL */
	/* KBDINT: the server's name for the exchange (may be ""), and the
	 * account it is for. `name`, `instruction` and `prompt` are the
	 * server's own text, unfiltered: show them through
	 * pf_names_printable() and tell them apart from the front end's own
	 * questions (the CLI prefixes "(user@host)", as OpenSSH does). */
	const char *name;
	const char *user;
	const char *host;
} pf_secret_request;

/* `secret` is NULL when the person cancelled. The core copies it before
 * returning; the front end then wipes its own copy (pf_secure_zero). */
typedef void (*pf_secret_done_fn)(void *token, const char *secret);

/* --- status ------------------------------------------------------------------ */

typedef enum pf_conn_state {
	PF_CONN_IDLE,       /* not connected, nothing pending */
	PF_CONN_CONNECTING, /* resolving / TCP / key exchange */
	PF_CONN_AUTHENTICATING,
	PF_CONN_CONNECTED,
	PF_CONN_RECONNECTING, /* waiting `retry_in_s` before the next try */
	PF_CONN_FAILED,       /* stopped for good; `last_error` says why */
	PF_CONN_CLOSING,
	PF_CONN_LISTENING /* on demand: listeners open, connecting when the first
			   * client arrives (and again after an idle disconnect) */
} pf_conn_state;

typedef enum pf_fwd_state {
	PF_FWD_STARTING,
	PF_FWD_ACTIVE,
	PF_FWD_WAITING, /* listener bound, SSH connection not (yet) up */
	PF_FWD_FAILED,
	PF_FWD_STOPPED
} pf_fwd_state;

typedef struct pf_fwd_status {
	pf_fwd_kind kind;
	pf_fwd_state state;
	const char *listen;      /* "127.0.0.1:10110, [::1]:10110" */
	const char *destination; /* "pop.example.ac.jp:110" or "SOCKS" */
	const char *error;       /* FAILED: the message, else NULL */
	uint32_t active;         /* open connections now */
	uint64_t total;          /* connections since start */
	uint64_t bytes_in;       /* towards the local client */
	uint64_t bytes_out;      /* towards the server */
} pf_fwd_status;

typedef struct pf_status {
	const char *conn_name;
	pf_conn_state state;
	const char *server;     /* "ssh.example.ac.jp:22" */
	const char *algorithms; /* "ssh-ed25519, aes128-gcm@openssh.com, ..." or NULL */
	uint64_t uptime_s;
	unsigned reconnects;
	unsigned retry_in_s;    /* RECONNECTING only: the wait, as it began */
	const char *last_error; /* NULL if none */
	size_t nforwards;
	const pf_fwd_status *forwards;
	uint64_t retry_at_ms; /* RECONNECTING only: pf_time_ms() of the next
			       * try; the core publishes no countdown (a front
			       * end that shows one counts down itself) */
} pf_status;

/* --- the interface ------------------------------------------------------------ */

/* Every method may be NULL (a test, or a front end that has no use for
 * it): the core then logs nothing, publishes no status, treats a secret
 * as cancelled and an unknown or changed host key as rejected. */
typedef struct pf_ui {
	/* Asked when a host key is not known or does not match. */
	void (*ask_hostkey)(void *ctx, const pf_hostkey_info *info, pf_hostkey_done_fn done,
			    void *token);
	/* Asked for a passphrase, password or keyboard-interactive answer. */
	void (*ask_secret)(void *ctx, const pf_secret_request *req, pf_secret_done_fn done,
			   void *token);
	/* A connection's state or counters changed; coalesced by the core to a
	 * few calls a second. `st` and everything in it is borrowed. */
	void (*status_changed)(void *ctx, const pf_status *st);
	/* One line for the event log; never contains a secret. `level` is
	 * PF_LOG_ERROR, PF_LOG_INFO, PF_LOG_VERBOSE or PF_LOG_DEBUG1..3; the
	 * core only sends what the connection's LogLevel lets through.
	 * `conn_name` may be NULL for messages not tied to a connection. */
	void (*log)(void *ctx, pf_log_level level, const char *conn_name, const char *msg);
	void *ctx; /* passed back as the first argument of each method */
	/* 1: under StrictHostKeyChecking accept-new (or no), a new host key that
	 * cannot be saved to known_hosts is asked about (ask_hostkey with
	 * info->cannot_save) instead of accepted unpinned; the GUI sets it. 0
	 * (the CLI): accepted, with one loud ERROR line per connection. */
	int ask_unsaved_hostkey;
} pf_ui;

#endif
