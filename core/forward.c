/* The forwarding engine: one connection's event loop on its worker thread.
 * Listeners (LocalForward, DynamicForward) are bound when the session
 * starts and stay bound across reconnects; remote forwards are requested on
 * every (re)connection. Each accepted client becomes a tunnel: a socket and
 * a direct-tcpip (or forwarded-tcpip) channel, with at most one buffer of
 * data in flight each way, so a slow reader slows the writer instead of
 * growing memory.
 *
 * Above the ~1,200 lines a core file should stay under (issue 16): it is
 * one event loop whose tunnels, listeners and wake-ups share state, and it
 * was being reshaped (issue 19, no idle wake-ups) while the other large
 * files were split. The next cut is along the tunnel's life (accept, the
 * SOCKS step, the two copy directions, close) into a forward_tunnel.c with
 * a small internal header, as keys.c was split by format. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libssh/callbacks.h>

#include "pf/mem.h"
#include "pf/socks.h"
#include "resolve.h"
#include "session_internal.h"

#define IN_BUF             (32 * 1024) /* client -> server: one SSH packet's worth */
#define OUT_BUF            (64 * 1024) /* server -> client */
#define MAX_LISTEN         4
#define ACCEPT_BATCH       256
#define ACCEPT_PAUSE_MS    250 /* after accept() failed (out of handles) */
#define STATUS_INTERVAL_MS 250
#define FLUSH_MS           2000  /* on stop, for the last messages to the server */
#define SOCKS_TIMEOUT_MS   30000 /* for a SOCKS client to send its request */
/* Without ConnectTimeout: how long a tunnel may wait for the server to
 * open its channel, or for a local target's name and connection. */
#define OPEN_TIMEOUT_MS 30000
/* Clients held while (re)connecting: per forward at most, and for how
 * long without ConnectTimeout, when the front end sets nothing. */
#define DEFAULT_MAX_HELD 64
#define DEFAULT_HOLD_MS  15000
/* Concurrent tunnels per host when the front end sets no limit. */
#define DEFAULT_MAX_TUNNELS 4096
#define PROBE_MS            3000 /* reconnect_now while connected: answer within */
#define REMOTE_RETRY_MIN_MS 2000 /* a refused remote forward is asked again */
#define REMOTE_RETRY_MAX_MS 60000
#define KEEPALIVE_ADDRESS   "keepalive.portforwarder.invalid"
/* The receive window each channel grants the server: what it may send
 * ahead of a slow local reader, held in memory. A few tunnels get libssh's
 * 2 MB (enough for a long fast link); many share WINDOW_BUDGET. */
#define WINDOW_MAX    (2u * 1024 * 1024)
#define WINDOW_MIN    (128u * 1024)
#define WINDOW_BUDGET (32u * 1024 * 1024)

typedef enum tstate {
	T_SOCKS,      /* DynamicForward: reading the SOCKS request */
	T_OPENING,    /* waiting for the server to open the channel */
	T_RESOLVING,  /* RemoteForward: looking up the local target's name */
	T_CONNECTING, /* RemoteForward: connecting to the local target */
	T_RSOCKS,     /* remote SOCKS: reading the SOCKS request from the channel */
	T_OPEN,
	T_DEAD
} tstate;

typedef struct tunnel {
	struct tunnel *next;
	struct pfi_fwd_engine *e;
	size_t fwd;
	pf_socket sock;
	ssh_channel ch;
	tstate state;
	char host[PF_SOCKS_HOST_SIZE]; /* destination asked of the server */
	int port;
	char origin[80]; /* the client's address, for the channel request */
	int origin_port;
	unsigned char *in; /* client -> server, IN_BUF */
	size_t in_len, in_off;
	unsigned char *out; /* server -> client, OUT_BUF */
	size_t out_len, out_off;
	int sock_eof, ch_eof, eof_sent, shut_sent;
	uint64_t sent, received; /* bytes to the server, to the client */
	uint64_t born;           /* pf_time_ms() when accepted */
	int rx;                  /* libssh has news for this channel (see on_ch_data) */
	int held;                /* libssh may hold data on_ch_data did not take */
	int reading;             /* inside ssh_channel_read: on_ch_data takes nothing */
	int send_failed;         /* on_ch_data could not write to the client */
	int remote_socks;        /* RemoteForward without destination: SOCKS on the channel */
	int stdio;               /* the stdio forward's tunnel (pf -W) */
	int opened;              /* the channel was opened (T_OPEN reached) */
	const char *why;         /* tunnel_kill's reason (a literal) */
	long pidx;               /* index in the poll set this round, or -1 */
	uint64_t wait_since;     /* T_OPENING / T_RESOLVING / T_CONNECTING began */
	pfi_lookup *lookup;      /* T_RESOLVING */
	pf_socks socks;
	struct ssh_channel_callbacks_struct cb;
} tunnel;

/* A client accepted while the connection is not up, not read yet. */
typedef struct held {
	pf_socket sock;
	uint64_t since;
	char peer[80];
} held;

typedef struct fwd {
	const pf_fwdspec *spec;
	pf_fwd_status st;
	char listen[300];
	char dest[300];
	char error[768];
	pf_socket ls[MAX_LISTEN];
	size_t nls;
	int bound_port;
	uint64_t paused_until; /* accept() failed: listeners rest until then */
	int accept_warned;
	uint64_t retry_at; /* remote forward refused: ask again then (0 = no) */
	unsigned retry_ms;
	unsigned tries;
	held *held; /* max_held entries, nheld used; the acceptor's, then the worker's */
	size_t nheld;
	int held_full_warned;
} fwd;

struct pfi_fwd_engine {
	pf_session *s;
	fwd *f;
	size_t nf;
	pf_fwd_status *st;
	tunnel *tunnels;
	size_t ntunnels;
	uint32_t window; /* the channel window last given to libssh */
	size_t nremote;  /* remote forwards the server accepted */
	pf_pollfd *pfd;
	void **pown; /* what each pollfd belongs to: a tunnel, a fwd, or NULL */
	size_t pcap;
	uint64_t last_publish;
	int dirty;
	long gr_fwd; /* the remote forward whose request is in flight, or -1 */
	/* Bytes libssh read from the server's socket, whichever call read
	 * them: the proof of life for the keepalive. */
	struct ssh_counter_struct rxcount;
	pfi_resolver *res;     /* names of local targets, off the loop */
	uint64_t open_timeout; /* ms: ConnectTimeout, else OPEN_TIMEOUT_MS */
	size_t max_tunnels;    /* concurrent tunnels for this host */
	int cap_warned;        /* the limit was reported (until below it again) */
	/* While the connection is not up, an acceptor thread owns the
	 * listeners and the held clients (and nothing else of the engine); the
	 * worker takes them back by stopping it (acceptor_stop joins). */
	pf_thread *acc;
	pf_wakeup *acc_wake;
	pf_mutex *acc_mu;
	int acc_stop;  /* under acc_mu */
	int held_any;  /* under acc_mu: on demand, a client is held */
	int idled_out; /* the last run ended for idle_disconnect_ms (worker) */
	size_t max_held;
	uint64_t hold_ms;
	/* Stdio forwarding (pf_session_opts.stdio_host): the last of f[],
	 * without listeners, not in the status; its one client. */
	pf_fwdspec stdio_spec;
	pf_socket stdio_sock;   /* until the first connection adopts it */
	int stdio_over;         /* its tunnel ended: the engine's run ends */
	char stdio_error[1024]; /* why the server did not open it, or "" */
};

static const char *kind_name(pf_fwd_kind k)
{
	switch (k) {
	case PF_FWD_LOCAL: return "LocalForward";
	case PF_FWD_REMOTE: return "RemoteForward";
	case PF_FWD_DYNAMIC: return "DynamicForward";
	case PF_FWD_REMOTE_DYNAMIC: return "RemoteForward (SOCKS)";
	}
	return "forward";
}

/* "config.txt line 7" or "the command line", for messages. */
static void origin_of(const pf_fwdspec *spec, char *buf, size_t size)
{
	if (spec->line > 0)
		snprintf(buf, size, "%s line %d", pf_path_basename(spec->source), spec->line);
	else
		snprintf(buf, size, "the command line");
}

static void fwd_fail(pfi_fwd_engine *e, fwd *f, const char *msg)
{
	char where[300], text[sizeof(f->error)];
	int again;

	origin_of(f->spec, where, sizeof(where));
	snprintf(text, sizeof(text), "%s %d (%s): %s", kind_name(f->spec->kind),
		 f->spec->listen_port, where, msg);
	/* Reported once: the same failure again (a retry, a reconnect) only
	 * goes to the verbose log. */
	again = f->st.state == PF_FWD_FAILED && strcmp(text, f->error) == 0;
	memcpy(f->error, text, sizeof(f->error));
	f->st.state = PF_FWD_FAILED;
	f->st.error = f->error;
	e->dirty = 1;
	/* Under ExitOnForwardFailure the message ends the session and is
	 * shown as its result: not twice. */
	if (!e->s->hc->exit_on_forward_failure)
		pfi_session_log(e->s, again ? PF_LOG_VERBOSE : PF_LOG_ERROR, "%s", f->error);
}

static int is_remote(const fwd *f)
{
	return f->spec->kind == PF_FWD_REMOTE || f->spec->kind == PF_FWD_REMOTE_DYNAMIC;
}

static pf_rc bind_local(pfi_fwd_engine *e, fwd *f)
{
	const pf_fwdspec *spec = f->spec;
	const char *host = spec->listen_host;
	pf_error err;
	size_t i;

	if (spec->listen_path != NULL) {
		fwd_fail(e, f, "Unix-socket forwards are not supported here.");
		return PF_E_UNSUPPORTED;
	}
	/* No bind address: loopback only, unless GatewayPorts yes. An explicit
	 * address (including "*") is taken as written, as OpenSSH does. */
	if (host == NULL)
		host = e->s->hc->gateway_ports ? "*" : "localhost";
	else if (host[0] == '\0')
		host = "*";
	if (pf_net_listen(host, spec->listen_port, f->ls, MAX_LISTEN, &f->nls, &f->bound_port,
			  &err) != PF_OK) {
		fwd_fail(e, f, err.message);
		return err.code;
	}
	f->listen[0] = '\0';
	for (i = 0; i < f->nls; i++) {
		char name[80];

		pf_net_local_name(f->ls[i], name, sizeof(name));
		if (i > 0)
			pf_strlcat(f->listen, ", ", sizeof(f->listen));
		pf_strlcat(f->listen, name, sizeof(f->listen));
	}
	f->st.state = PF_FWD_WAITING;
	pfi_session_log(e->s, PF_LOG_VERBOSE, "%s listening on %s", kind_name(spec->kind),
			f->listen);
	return PF_OK;
}

static void acceptor_start(pfi_fwd_engine *e);

pf_rc pfi_fwd_engine_new(pf_session *s, pfi_fwd_engine **out, pf_error *err)
{
	const pf_host_config *hc = s->hc;
	pfi_fwd_engine *e = PF_NEW(pfi_fwd_engine);
	size_t i;

	*out = NULL;
	if (e == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	e->s = s;
	e->open_timeout =
		hc->connect_timeout > 0 ? (uint64_t)hc->connect_timeout * 1000 : OPEN_TIMEOUT_MS;
	e->max_tunnels = s->opts.max_tunnels ? s->opts.max_tunnels : DEFAULT_MAX_TUNNELS;
	e->max_held = s->opts.max_held ? s->opts.max_held : DEFAULT_MAX_HELD;
	e->hold_ms = s->opts.hold_ms           ? s->opts.hold_ms
		     : hc->connect_timeout > 0 ? (uint64_t)hc->connect_timeout * 1000
					       : DEFAULT_HOLD_MS;
	e->nf = hc->n_forwards;
	e->stdio_sock = s->opts.stdio_sock;
	s->opts.stdio_sock = PF_INVALID_SOCKET;
	if (s->opts.stdio_host != NULL) {
		e->nf++;
		e->stdio_spec.kind = PF_FWD_LOCAL;
		e->stdio_spec.connect_host = (char *)s->opts.stdio_host;
		e->stdio_spec.connect_port = s->opts.stdio_port;
	}
	e->f = PF_NEW_ARRAY(fwd, e->nf);
	e->st = PF_NEW_ARRAY(pf_fwd_status, e->nf);
	if (e->f == NULL || e->st == NULL || pfi_resolver_new(&e->res) != PF_OK ||
	    (e->acc_mu = pf_mutex_new()) == NULL || pf_wakeup_new(&e->acc_wake) != PF_OK) {
		pfi_fwd_engine_free(e);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	for (i = 0; i < e->nf; i++) {
		fwd *f = &e->f[i];
		const pf_fwdspec *spec = i < hc->n_forwards ? &hc->forwards[i] : &e->stdio_spec;

		f->spec = spec;
		f->st.kind = spec->kind;
		f->st.state = PF_FWD_STARTING;
		f->st.listen = f->listen;
		f->st.destination = f->dest;
		if (spec->kind == PF_FWD_DYNAMIC || spec->kind == PF_FWD_REMOTE_DYNAMIC)
			snprintf(f->dest, sizeof(f->dest), "SOCKS");
		else if (spec->connect_path != NULL)
			snprintf(f->dest, sizeof(f->dest), "%s", spec->connect_path);
		else
			snprintf(f->dest, sizeof(f->dest),
				 strchr(spec->connect_host, ':') ? "[%s]:%d" : "%s:%d",
				 spec->connect_host, spec->connect_port);
		if (spec == &e->stdio_spec) {
			snprintf(f->listen, sizeof(f->listen), "stdio");
			f->st.state = PF_FWD_WAITING;
			continue;
		}
		if (is_remote(f)) {
			snprintf(f->listen, sizeof(f->listen), "server %s:%d",
				 spec->listen_host ? spec->listen_host : "localhost",
				 spec->listen_port);
			continue;
		}
		f->held = PF_NEW_ARRAY(held, e->max_held);
		if (f->held == NULL) {
			pfi_fwd_engine_free(e);
			return pf_error_set(err, PF_E_NOMEM, "Out of memory");
		}
		if (bind_local(e, f) != PF_OK && hc->exit_on_forward_failure) {
			pf_error_set(err, PF_E_BUSY, "%s (ExitOnForwardFailure is yes)", f->error);
			pfi_fwd_engine_free(e);
			return err ? err->code : PF_E_BUSY;
		}
	}
	acceptor_start(e); /* clients arriving before the connection wait */
	*out = e;
	return PF_OK;
}

/* --- tunnels ---------------------------------------------------------------- */

/* libssh tells us through these which channels have something for us
 * (data, EOF, close, the answer to an open, a bigger window), so that a
 * round of the loop only touches the tunnels with work: with a thousand
 * tunnels, asking each channel would cost a system call apiece.
 *
 * Data from the server arrives here as libssh decrypts it (our libssh
 * passes the packet's own bytes, cmake/patches): when nothing older waits
 * for the client it goes straight to the client's socket, the rest into
 * the tunnel's OUT_BUF as far as it has room. What is not taken stays in
 * libssh's channel buffer, within the channel's window, until step_open
 * reads it: that is the backpressure. */
static int on_ch_data(ssh_session ss, ssh_channel ch, void *data, uint32_t len, int is_stderr,
		      void *ud)
{
	tunnel *t = ud;
	fwd *f = &t->e->f[t->fwd];
	size_t take = 0, room;
	long n;

	(void)ss;
	(void)ch;
	t->rx = 1;
	if (t->state != T_OPEN || is_stderr || t->reading || t->send_failed) {
		t->held = 1;
		return 0;
	}
	if (t->out_off == t->out_len) {
		t->out_off = t->out_len = 0;
		n = pf_net_send(t->sock, data, len);
		if (n > 0) {
			take = (size_t)n;
			t->received += (uint64_t)n;
			f->st.bytes_in += (uint64_t)n;
			t->e->dirty = 1;
		} else if (n != PF_E_NOTFOUND) {
			t->send_failed = 1; /* step_open closes the tunnel */
			t->held = 1;
			return 0;
		}
	}
	room = OUT_BUF - t->out_len;
	if (room > len - take)
		room = len - take;
	memcpy(t->out + t->out_len, (const unsigned char *)data + take, room);
	t->out_len += room;
	take += room;
	if (take < len)
		t->held = 1;
	return (int)take;
}

static void on_ch_event(ssh_session ss, ssh_channel ch, void *ud)
{
	(void)ss;
	(void)ch;
	((tunnel *)ud)->rx = 1;
}

static void on_ch_open(ssh_session ss, ssh_channel ch, bool ok, void *ud)
{
	(void)ss;
	(void)ch;
	(void)ok;
	((tunnel *)ud)->rx = 1;
}

static int on_ch_window(ssh_session ss, ssh_channel ch, uint32_t bytes, void *ud)
{
	(void)ss;
	(void)ch;
	(void)bytes;
	((tunnel *)ud)->rx = 1;
	return 0;
}

/* Give the tunnel its channel and listen to it. */
static void tunnel_attach(tunnel *t, ssh_channel ch)
{
	t->ch = ch;
	memset(&t->cb, 0, sizeof(t->cb));
	ssh_callbacks_init(&t->cb);
	t->cb.userdata = t;
	t->cb.channel_data_function = on_ch_data;
	t->cb.channel_eof_function = on_ch_event;
	t->cb.channel_close_function = on_ch_event;
	t->cb.channel_open_response_function = on_ch_open;
	t->cb.channel_write_wontblock_function = on_ch_window;
	ssh_set_channel_callbacks(ch, &t->cb);
	t->rx = 1;
	t->held = 1;
}

/* The window for each channel with the engine's tunnel count: new channels
 * open with it, open ones converge to it as their client reads. */
static void update_window(pfi_fwd_engine *e)
{
	uint32_t w = WINDOW_BUDGET / (uint32_t)(e->ntunnels > 0 ? e->ntunnels : 1);

	w = w > WINDOW_MAX ? WINDOW_MAX : w < WINDOW_MIN ? WINDOW_MIN : w;
	if (w != e->window && e->s->conn->ssh != NULL) {
		e->window = w;
#ifndef PF_LIBSSH_UNPATCHED /* a system libssh: its fixed 2 MB per channel */
		ssh_session_set_channel_window(e->s->conn->ssh, w);
#endif
	}
}

static tunnel *tunnel_new(pfi_fwd_engine *e, size_t fi, pf_socket sock)
{
	tunnel *t = PF_NEW(tunnel);

	if (t == NULL)
		return NULL;
	t->e = e;
	t->fwd = fi;
	t->born = pf_time_ms();
	t->sock = sock;
	t->next = e->tunnels;
	e->tunnels = t;
	e->ntunnels++;
	update_window(e);
	e->f[fi].st.active++;
	e->f[fi].st.total++;
	e->dirty = 1;
	return t;
}

/* The data buffers (96 KB), only once the tunnel will carry data: a SOCKS
 * client that has not asked for anything yet costs only its struct.
 * Returns 0, or -1 (out of memory). */
static int tunnel_buffers(tunnel *t)
{
	if (t->in == NULL)
		t->in = malloc(IN_BUF);
	if (t->out == NULL)
		t->out = malloc(OUT_BUF);
	return t->in != NULL && t->out != NULL ? 0 : -1;
}

/* Room for another tunnel under the host's limit? Says so in the log
 * once when the limit is reached (again only after it was below). */
static int tunnel_room(pfi_fwd_engine *e, const fwd *f)
{
	if (e->ntunnels < e->max_tunnels)
		return 1;
	if (!e->cap_warned)
		pfi_session_log(e->s, PF_LOG_ERROR,
				"%s %d: %zu connections are open through %s, the limit for one "
				"host; new ones are closed at once until some end. (pf: "
				"--max-tunnels N raises it.)",
				kind_name(f->spec->kind), f->bound_port, e->ntunnels, e->s->server);
	e->cap_warned = 1;
	return 0;
}

/* Mark for reaping; `why` goes to the debug log. */
static void tunnel_kill(pfi_fwd_engine *e, tunnel *t, const char *why)
{
	if (t->state != T_DEAD)
		pfi_session_log(e->s, PF_LOG_DEBUG1,
				"%s %d: connection from %s:%d closed (%s) after %llu bytes out, "
				"%llu in",
				kind_name(e->f[t->fwd].spec->kind), e->f[t->fwd].bound_port,
				t->origin, t->origin_port, why, (unsigned long long)t->sent,
				(unsigned long long)t->received);
	if (t->state != T_DEAD)
		t->why = why;
	t->state = T_DEAD;
}

/* Free a tunnel: EOF and close on the channel (politely, without
 * waiting), the socket closed. */
static void tunnel_free(pfi_fwd_engine *e, tunnel *t)
{
	if (t->ch != NULL) {
		/* libssh keeps a channel until the server's close arrives: it
		 * must not call back into freed memory. */
		ssh_remove_channel_callbacks(t->ch, &t->cb);
		if (ssh_channel_is_open(t->ch) && ssh_is_connected(e->s->conn->ssh)) {
			if (!t->eof_sent)
				ssh_channel_send_eof(t->ch);
			ssh_channel_close(t->ch);
		}
		ssh_channel_free(t->ch);
	}
	pf_net_close(t->sock);
	pfi_lookup_release(t->lookup);
	e->f[t->fwd].st.active--;
	e->ntunnels--;
	if (e->ntunnels < e->max_tunnels)
		e->cap_warned = 0;
	e->dirty = 1;
	free(t->in);
	free(t->out);
	free(t);
}

static void reap(pfi_fwd_engine *e)
{
	tunnel **pp = &e->tunnels;

	while (*pp != NULL) {
		tunnel *t = *pp;

		if (t->state == T_DEAD) {
			*pp = t->next;
			e->stdio_over |= t->stdio;
			/* pf -W never ends quietly with exit status 0 when the
			 * channel never opened, whatever ended it. */
			if (t->stdio && !t->opened && !e->stdio_error[0])
				snprintf(e->stdio_error, sizeof(e->stdio_error),
					 "Stdio forwarding to %s:%d failed: the channel was "
					 "never opened (%s).",
					 e->stdio_spec.connect_host, e->stdio_spec.connect_port,
					 t->why ? t->why : "closed");
			tunnel_free(e, t);
		} else {
			pp = &t->next;
		}
	}
}

static void step_opening(pfi_fwd_engine *e, tunnel *t);

/* Ask the server for a direct-tcpip channel to t->host:t->port. */
static void start_open(pfi_fwd_engine *e, tunnel *t)
{
	ssh_channel ch = ssh_channel_new(e->s->conn->ssh);

	if (ch == NULL) {
		tunnel_kill(e, t, "no channel");
		return;
	}
	tunnel_attach(t, ch);
	t->state = T_OPENING;
	t->wait_since = pf_time_ms();
	step_opening(e, t); /* sends the request */
}

/* A few bytes of SOCKS handshake to the client. Remote SOCKS: the client
 * is at the far end of the channel (its window is far larger). Local: into
 * an empty socket buffer, they fit. */
static void socks_write(tunnel *t, const unsigned char *data, size_t n)
{
	if (n == 0)
		return;
	if (t->remote_socks)
		(void)ssh_channel_write(t->ch, data, (uint32_t)n);
	else
		(void)pf_net_send(t->sock, data, n);
}

static void socks_reply(tunnel *t, pf_socks_reply_code code)
{
	unsigned char r[PF_SOCKS_REPLY_MAX];

	socks_write(t, r, pf_socks_reply(pf_socks_get_version(&t->socks), code, r, sizeof(r)));
}

/* Split "addr:port" / "[v6]:port" from pf_net_accept. */
static void split_peer(const char *peer, char *host, size_t size, int *port)
{
	const char *colon = strrchr(peer, ':');
	size_t len = colon ? (size_t)(colon - peer) : strlen(peer);

	*port = 0;
	if (colon != NULL) {
		long v = strtol(colon + 1, NULL, 10);

		*port = v > 0 && v < 65536 ? (int)v : 0;
	}
	if (peer[0] == '[' && len >= 2) {
		peer++;
		len -= 2;
	}
	if (len >= size)
		len = size - 1;
	memcpy(host, peer, len);
	host[len] = '\0';
}

/* A client of a local forward becomes a tunnel. -1 when out of memory
 * (the client is closed). */
/* `stdio`: the pf -W stream (marked before the open starts, which may
 * already fail it). */
static int adopt_client(pfi_fwd_engine *e, fwd *f, size_t fi, pf_socket c, const char *peer,
			int stdio)
{
	tunnel *t = tunnel_new(e, fi, c);

	if (t == NULL) {
		pf_net_close(c);
		return -1;
	}
	t->stdio = stdio;
	split_peer(peer, t->origin, sizeof(t->origin), &t->origin_port);
	pfi_session_log(e->s, PF_LOG_VERBOSE, "%s %d: connection from %s", kind_name(f->spec->kind),
			f->bound_port, peer);
	if (f->spec->kind == PF_FWD_DYNAMIC) {
		pf_socks_init(&t->socks);
		t->state = T_SOCKS;
	} else if (tunnel_buffers(t) != 0) {
		tunnel_kill(e, t, "out of memory");
	} else {
		pf_strlcpy(t->host, f->spec->connect_host, sizeof(t->host));
		t->port = f->spec->connect_port;
		start_open(e, t);
	}
	return 0;
}

static int hold_client(pfi_fwd_engine *e, fwd *f, pf_socket c, const char *peer);

/* Accept what is waiting on a listener; returns how many. Each becomes a
 * tunnel, or with `hold` (the acceptor, while not connected) is held. */
static int accept_clients(pfi_fwd_engine *e, fwd *f, size_t fi, pf_socket l, int hold)
{
	int i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		pf_socket c;
		char peer[80];
		pf_rc rc = pf_net_accept(l, &c, peer, sizeof(peer));

		if (rc == PF_E_NOTFOUND)
			return i;
		if (rc != PF_OK) {
			/* Out of file descriptors, most likely: the waiting
			 * client stays queued; look again a little later
			 * instead of spinning on the ready listener. */
			if (!f->accept_warned)
				pfi_session_log(e->s, PF_LOG_ERROR,
						"%s %d: cannot accept more connections now (%d "
						"open); the system is out of sockets or file "
						"handles. Retrying.",
						kind_name(f->spec->kind), f->bound_port,
						(int)e->ntunnels);
			f->accept_warned = 1;
			f->paused_until = pf_time_ms() + ACCEPT_PAUSE_MS;
			return i;
		}
		f->accept_warned = 0;
		if (hold) {
			(void)hold_client(e, f, c, peer);
			continue;
		}
		if (!tunnel_room(e, f)) {
			pf_net_close(c);
			continue;
		}
		if (adopt_client(e, f, fi, c, peer, 0) != 0)
			return i;
	}
	return i;
}

/* --- holding clients while (re)connecting --------------------------------- */

static uint64_t soonest(uint64_t a, uint64_t b);
static int poll_timeout(uint64_t due, uint64_t now);

static size_t held_total(const pfi_fwd_engine *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->nf; i++)
		n += e->f[i].nheld;
	return n;
}

/* How long h has been held at `now`. A client accepted after `now` was
 * read (the acceptor reads the clock before it accepts) has waited 0 ms,
 * not 2^64 - 1. */
static uint64_t held_age(const held *h, uint64_t now)
{
	return now > h->since ? now - h->since : 0;
}

/* Close the clients held longer than the hold time (all with `all`), with
 * one log line per forward. */
static void held_expire(pfi_fwd_engine *e, uint64_t now, int all)
{
	size_t i, k;

	for (i = 0; i < e->nf; i++) {
		fwd *f = &e->f[i];
		size_t kept = 0, closed = 0;
		uint64_t longest = 0;

		for (k = 0; k < f->nheld; k++) {
			held *h = &f->held[k];

			if (all || held_age(h, now) >= e->hold_ms) {
				if (held_age(h, now) > longest)
					longest = held_age(h, now);
				pf_net_close(h->sock);
				closed++;
			} else {
				f->held[kept++] = *h;
			}
		}
		f->nheld = kept;
		if (closed > 0 && !all)
			pfi_session_log(
				e->s, PF_LOG_INFO,
				"%s %d: %zu client%s waited %.1f s for the connection to %s "
				"and %s closed (hold time %llu s).",
				kind_name(f->spec->kind), f->bound_port, closed,
				closed == 1 ? "" : "s", (double)longest / 1000, e->s->server,
				closed == 1 ? "was" : "were",
				(unsigned long long)(e->hold_ms / 1000));
		if (kept < e->max_held)
			f->held_full_warned = 0;
	}
}

/* Hold client c of f (the acceptor's), or close it at once when f holds
 * max_held already or the host's tunnel limit is reached. */
static int hold_client(pfi_fwd_engine *e, fwd *f, pf_socket c, const char *peer)
{
	if (f->nheld >= e->max_held || held_total(e) + e->ntunnels >= e->max_tunnels) {
		if (!f->held_full_warned)
			pfi_session_log(e->s, PF_LOG_INFO,
					"%s %d: %zu clients already wait for the connection to %s; "
					"more are closed at once.",
					kind_name(f->spec->kind), f->bound_port, f->nheld,
					e->s->server);
		f->held_full_warned = 1;
		pf_net_close(c);
		return -1;
	}
	f->held[f->nheld].sock = c;
	f->held[f->nheld].since = pf_time_ms();
	pf_strlcpy(f->held[f->nheld].peer, peer, sizeof(f->held[0].peer));
	f->nheld++;
	if (e->s->opts.on_demand) {
		/* The first use: the worker connects now. */
		pf_mutex_lock(e->acc_mu);
		e->held_any = 1;
		pf_mutex_unlock(e->acc_mu);
		pf_wakeup_signal(e->s->wake);
	}
	return 0;
}

static int acceptor_stopping(pfi_fwd_engine *e)
{
	int v;

	pf_mutex_lock(e->acc_mu);
	v = e->acc_stop;
	pf_mutex_unlock(e->acc_mu);
	return v;
}

/* The listeners while the connection is not up: clients are accepted and
 * held (not read: a SOCKS client's greeting waits in its socket), at most
 * max_held per forward, each for hold_ms at most. Sleeps until a client,
 * the next expiry or acceptor_stop. */
static void acceptor(void *arg)
{
	pfi_fwd_engine *e = arg;
	pf_pollfd *p = pf_calloc(1 + e->nf * MAX_LISTEN, sizeof(*p));
	fwd **own = pf_calloc(1 + e->nf * MAX_LISTEN, sizeof(*own));

	while (p != NULL && own != NULL && !acceptor_stopping(e)) {
		uint64_t now = pf_time_ms(), due = UINT64_MAX;
		size_t n = 0, i, k;

		p[n].fd = pf_wakeup_fd(e->acc_wake);
		p[n].events = PF_POLL_IN;
		own[n++] = NULL;
		for (i = 0; i < e->nf; i++) {
			fwd *f = &e->f[i];

			if (f->held == NULL)
				continue;
			if (f->nheld > 0)
				due = soonest(due, f->held[0].since + e->hold_ms);
			if (f->paused_until > now) {
				due = soonest(due, f->paused_until);
				continue;
			}
			for (k = 0; k < f->nls; k++) {
				p[n].fd = f->ls[k];
				p[n].events = PF_POLL_IN;
				own[n++] = f;
			}
		}
		if (pf_net_poll(p, n, poll_timeout(due, now)) < 0)
			break;
		now = pf_time_ms();
		if (p[0].revents)
			pf_wakeup_drain(e->acc_wake);
		for (i = 1; i < n; i++)
			if (p[i].revents)
				(void)accept_clients(e, own[i], (size_t)(own[i] - e->f), p[i].fd,
						     1);
		held_expire(e, now, 0);
	}
	free(p);
	free(own);
}

static void acceptor_start(pfi_fwd_engine *e)
{
	e->acc_stop = 0;
	if (pf_thread_start(&e->acc, acceptor, e) != PF_OK)
		e->acc = NULL; /* clients then wait in the listen queue */
}

static void acceptor_stop(pfi_fwd_engine *e)
{
	if (e->acc == NULL)
		return;
	pf_mutex_lock(e->acc_mu);
	e->acc_stop = 1;
	pf_mutex_unlock(e->acc_mu);
	pf_wakeup_signal(e->acc_wake);
	pf_thread_join(e->acc);
	e->acc = NULL;
}

int pfi_fwd_engine_has_held(pfi_fwd_engine *e)
{
	int v;

	pf_mutex_lock(e->acc_mu);
	v = e->held_any;
	pf_mutex_unlock(e->acc_mu);
	return v;
}

int pfi_fwd_engine_idled_out(pfi_fwd_engine *e)
{
	return e->idled_out;
}

/* The connection is up: the held clients become tunnels, oldest first. */
static void held_adopt(pfi_fwd_engine *e)
{
	uint64_t now = pf_time_ms();
	size_t i, k;

	pf_mutex_lock(e->acc_mu);
	e->held_any = 0;
	pf_mutex_unlock(e->acc_mu);

	held_expire(e, now, 0);
	for (i = 0; i < e->nf; i++) {
		fwd *f = &e->f[i];
		uint64_t longest = 0;
		size_t n = f->nheld;

		for (k = 0; k < f->nheld; k++) {
			if (held_age(&f->held[k], now) > longest)
				longest = held_age(&f->held[k], now);
			(void)adopt_client(e, f, i, f->held[k].sock, f->held[k].peer, 0);
		}
		f->nheld = 0;
		f->held_full_warned = 0;
		if (n > 0)
			pfi_session_log(
				e->s, PF_LOG_INFO,
				"%s %d: %zu client%s waited up to %.1f s for the connection; "
				"served now.",
				kind_name(f->spec->kind), f->bound_port, n, n == 1 ? "" : "s",
				(double)longest / 1000);
	}
}

/* pf -W: the connection is up, the stdio stream becomes the stdio
 * forward's tunnel (once: a session with stdio ends with it). */
static void stdio_adopt(pfi_fwd_engine *e)
{
	size_t fi = e->nf - 1;
	pf_socket sock = e->stdio_sock;

	if (sock == PF_INVALID_SOCKET)
		return;
	e->stdio_sock = PF_INVALID_SOCKET;
	pfi_session_log(e->s, PF_LOG_VERBOSE, "Stdio forwarding to %s:%d",
			e->stdio_spec.connect_host, e->stdio_spec.connect_port);
	if (adopt_client(e, &e->f[fi], fi, sock, "127.0.0.1:0", 1) != 0) {
		snprintf(e->stdio_error, sizeof(e->stdio_error), "Out of memory");
		e->stdio_over = 1;
	}
}

/* A RemoteForward's local connection to t->host:t->port: the name is
 * looked up off the loop (T_RESOLVING), then connected (T_CONNECTING);
 * both within e->open_timeout. */
static void local_connect_failed(pfi_fwd_engine *e, tunnel *t, const pf_error *err)
{
	pfi_session_log(e->s, PF_LOG_INFO, "%s: cannot connect to %s:%d: %s",
			kind_name(e->f[t->fwd].spec->kind), t->host, t->port, err->message);
	if (t->remote_socks)
		socks_reply(t, err->code == PF_E_NOTFOUND
				       ? PF_SOCKS_REP_HOST_UNREACHABLE
				       : pf_socks_reply_from_ssh(PF_SSH_OPEN_CONNECT_FAILED,
								 err->message));
	tunnel_kill(e, t, "local connect failed");
}

static void step_resolving(pfi_fwd_engine *e, tunnel *t)
{
	pf_addrlist *l = NULL;
	pf_error err;
	pf_rc rc;

	pf_error_clear(&err);
	if (!pfi_lookup_result(t->lookup, &rc, &l, &err))
		return;
	pfi_lookup_release(t->lookup);
	t->lookup = NULL;
	if (rc == PF_OK)
		rc = pf_net_connect_addr(l, 0, NULL, &t->sock, &err);
	pf_addrlist_free(l);
	if (rc != PF_OK) {
		local_connect_failed(e, t, &err);
		return;
	}
	t->state = T_CONNECTING;
}

static void local_connect(pfi_fwd_engine *e, tunnel *t)
{
	pf_error err;

	t->wait_since = pf_time_ms();
	t->lookup = pfi_resolve(e->res, t->host, t->port, 0);
	if (t->lookup == NULL) {
		pf_error_set(&err, PF_E_NOMEM, "out of memory");
		local_connect_failed(e, t, &err);
		return;
	}
	t->state = T_RESOLVING;
	step_resolving(e, t); /* a numeric address is done at once */
}

/* Feed SOCKS handshake bytes (from the client socket, or from the channel
 * for remote SOCKS); answers go back the same way. */
static void socks_feed(pfi_fwd_engine *e, tunnel *t, const unsigned char *buf, size_t n)
{
	size_t used = 0, consumed = 0;

	while (used < n) {
		pf_socks_status st = pf_socks_feed(&t->socks, buf + used, n - used, &consumed);
		size_t olen = 0;
		const unsigned char *o;

		used += consumed;
		switch (st) {
		case PF_SOCKS_NEED_MORE: return;
		case PF_SOCKS_SEND:
			o = pf_socks_output(&t->socks, &olen);
			socks_write(t, o, olen);
			break;
		case PF_SOCKS_REQUEST: {
			const pf_socks_request *req = pf_socks_get_request(&t->socks);
			char d[400];

			pf_strlcpy(t->host, req->host, sizeof(t->host));
			t->port = req->port;
			pfi_session_log(e->s, PF_LOG_VERBOSE, "%s",
					pf_socks_describe(req, d, sizeof(d)));
			/* Early tunnel data waits for the other side. */
			if (tunnel_buffers(t) != 0) {
				socks_reply(t, PF_SOCKS_REP_GENERAL_FAILURE);
				tunnel_kill(e, t, "out of memory");
			} else if (t->remote_socks) {
				memcpy(t->out, buf + used, n - used);
				t->out_len = n - used;
				local_connect(e, t);
			} else {
				memcpy(t->in, buf + used, n - used);
				t->in_len = n - used;
				start_open(e, t);
			}
			return;
		}
		case PF_SOCKS_FAIL:
			o = pf_socks_output(&t->socks, &olen);
			socks_write(t, o, olen);
			pfi_session_log(e->s, PF_LOG_INFO, "SOCKS request refused: %s",
					pf_socks_reason(&t->socks));
			tunnel_kill(e, t, "SOCKS refused");
			return;
		}
	}
}

static void step_socks(pfi_fwd_engine *e, tunnel *t, short rev)
{
	unsigned char buf[PF_SOCKS_HANDSHAKE_MAX];
	long n;

	if (!(rev & (PF_POLL_IN | PF_POLL_ERR)))
		return;
	n = pf_net_recv(t->sock, buf, sizeof(buf));
	if (n == PF_E_NOTFOUND)
		return;
	if (n <= 0) {
		tunnel_kill(e, t, "SOCKS read failed");
		return;
	}
	socks_feed(e, t, buf, (size_t)n);
}

/* Remote SOCKS: the handshake arrives on the channel. */
static void step_rsocks(pfi_fwd_engine *e, tunnel *t)
{
	unsigned char buf[PF_SOCKS_HANDSHAKE_MAX];
	int n;

	while (t->state == T_RSOCKS) {
		n = ssh_channel_read_nonblocking(t->ch, buf, sizeof(buf), 0);
		if (n > 0) {
			socks_feed(e, t, buf, (size_t)n);
			continue;
		}
		if (n == SSH_ERROR || ssh_channel_is_eof(t->ch) || ssh_channel_is_closed(t->ch))
			tunnel_kill(
				e, t,
				"channel ended during SOCKS"); /* gone before asking for anything */
		else
			t->rx = 0;
		return;
	}
}

static void step_opening(pfi_fwd_engine *e, tunnel *t)
{
	fwd *f = &e->f[t->fwd];
	int rc = ssh_channel_open_forward(t->ch, t->host, t->port,
					  t->origin[0] ? t->origin : "127.0.0.1", t->origin_port);

	if (rc == SSH_AGAIN) {
		t->rx = 0; /* until the server answers */
		return;
	}
	if (rc != SSH_OK) {
		const char *why = ssh_get_error(e->s->conn->ssh);

		if (t->stdio)
			snprintf(e->stdio_error, sizeof(e->stdio_error),
				 "Stdio forwarding to %s:%d failed: the server %s could not "
				 "connect to it: %s",
				 t->host, t->port, e->s->server, why);
		else
			pfi_session_log(e->s, PF_LOG_INFO,
					"%s %d: the server could not connect to %s:%d: %s",
					kind_name(f->spec->kind), f->bound_port, t->host, t->port,
					why);
		if (f->spec->kind == PF_FWD_DYNAMIC)
			socks_reply(t, pf_socks_reply_from_libssh(why));
		tunnel_kill(e, t, "channel open failed");
		return;
	}
	if (f->spec->kind == PF_FWD_DYNAMIC)
		socks_reply(t, PF_SOCKS_REP_SUCCEEDED);
	t->state = T_OPEN;
	t->opened = 1;
	t->rx = 1;
}

static void step_connecting(pfi_fwd_engine *e, tunnel *t, short rev)
{
	pf_error err;

	if (!(rev & (PF_POLL_OUT | PF_POLL_ERR)))
		return;
	if (pf_net_connect_result(t->sock, &err) != PF_OK) {
		pfi_session_log(e->s, PF_LOG_INFO, "%s: cannot connect to %s:%d: %s",
				kind_name(e->f[t->fwd].spec->kind), t->host, t->port, err.message);
		if (t->remote_socks)
			socks_reply(t, pf_socks_reply_from_ssh(PF_SSH_OPEN_CONNECT_FAILED,
							       err.message));
		tunnel_kill(e, t, "local connect failed");
		return;
	}
	if (t->remote_socks)
		socks_reply(t, PF_SOCKS_REP_SUCCEEDED);
	t->state = T_OPEN;
	t->rx = 1;
}

/* Move data both ways; returns 1 when any byte moved. */
static int step_open(pfi_fwd_engine *e, tunnel *t, short rev)
{
	fwd *f = &e->f[t->fwd];
	int moved = 0, fresh = 0;
	long n;

	/* client -> server: read only into an empty buffer, so on the way to
	 * the server at most IN_BUF is held per tunnel whatever the server's
	 * window. (The other way, libssh buffers up to the channel window it
	 * grants, 2 MB, until we read it.) */
	if (t->in_off == t->in_len && !t->sock_eof && (rev & (PF_POLL_IN | PF_POLL_ERR))) {
		t->in_off = t->in_len = 0;
		n = pf_net_recv(t->sock, t->in, IN_BUF);
		if (n > 0) {
			/* ACK at once: a client uploading through us paces
			 * its sending by our ACKs when its TCP is BBR
			 * (bench/results/2026-11-24-e.md). */
			pf_net_ack_now(t->sock);
			t->in_len = (size_t)n;
			moved = 1;
		} else if (n == 0) {
			t->sock_eof = 1;
		} else if (n != PF_E_NOTFOUND) {
			tunnel_kill(e, t, "client reset"); /* reset by the client */
			return moved;
		}
	}
	if (t->in_off < t->in_len) {
		uint32_t win = ssh_channel_window_size(t->ch);
		size_t len = t->in_len - t->in_off;

		/* Nothing more while libssh holds what the SSH socket did not
		 * take: the clients wait, not pf's memory. */
		if (win > 0 && !(ssh_get_poll_flags(e->s->conn->ssh) & SSH_WRITE_PENDING)) {
			int w = ssh_channel_write(t->ch, t->in + t->in_off,
						  (uint32_t)(len < win ? len : win));

			if (w == SSH_ERROR) {
				tunnel_kill(e, t, "channel write failed");
				return moved;
			}
			if (w > 0) {
				t->in_off += (size_t)w;
				t->sent += (uint64_t)w;
				f->st.bytes_out += (uint64_t)w;
				moved = 1;
			}
		}
	}
	if (t->sock_eof && t->in_off == t->in_len && !t->eof_sent) {
		ssh_channel_send_eof(t->ch);
		t->eof_sent = 1;
	}

	/* server -> client: on_ch_data passed most of it on already; what
	 * libssh still holds is read when OUT_BUF is empty. */
	if (t->send_failed) {
		tunnel_kill(e, t, "client send failed");
		return moved;
	}
	if (t->out_off == t->out_len && !t->ch_eof && t->rx) {
		n = 0;
		t->out_off = t->out_len = 0;
		if (t->held) {
			/* Reading lets libssh take in packets, for this channel
			 * too: on_ch_data must leave those in its buffer. */
			t->held = 0;
			t->reading = 1;
			n = ssh_channel_read_nonblocking(t->ch, t->out, OUT_BUF, 0);
			t->reading = 0;
		}
		if (n > 0) {
			t->out_len = (size_t)n;
			t->held = 1; /* perhaps more */
			fresh = 1;
		} else if (n == SSH_ERROR) {
			tunnel_kill(e, t, "channel read failed");
			return moved;
		} else {
			t->rx = t->held;
			if (ssh_channel_is_eof(t->ch) || ssh_channel_is_closed(t->ch))
				t->ch_eof = 1;
		}
	}
	if (t->out_off < t->out_len && (fresh || (rev & (PF_POLL_OUT | PF_POLL_ERR)))) {
		n = pf_net_send(t->sock, t->out + t->out_off, t->out_len - t->out_off);
		if (n > 0) {
			t->out_off += (size_t)n;
			t->received += (uint64_t)n;
			f->st.bytes_in += (uint64_t)n;
			moved = 1;
		} else if (n != PF_E_NOTFOUND) {
			tunnel_kill(e, t, "client send failed");
			return moved;
		}
	}
	if (t->ch_eof && t->out_off == t->out_len && !t->shut_sent) {
		pf_net_shutdown_write(t->sock);
		t->shut_sent = 1;
	}
	if (moved)
		e->dirty = 1;
	/* Done when both directions ended, or the server closed the channel. */
	if ((t->eof_sent && t->shut_sent) ||
	    (ssh_channel_is_closed(t->ch) && t->out_off == t->out_len && !t->rx))
		tunnel_kill(e, t, "both directions done");
	return moved;
}

/* RemoteForward: a connection arrived on the server; returns how many. */
static int accept_remote(pfi_fwd_engine *e)
{
	int i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		int port = 0, oport = 0;
		char *origin = NULL; /* who connected on the server's side */
		ssh_channel ch =
			ssh_channel_open_forward_port(e->s->conn->ssh, 0, &port, &origin, &oport);
		size_t fi;
		tunnel *t;
		int dyn;
		char oname[80];

		if (ch == NULL)
			return i;
		pf_strlcpy(oname, origin ? origin : "", sizeof(oname));
		ssh_string_free_char(origin);
		for (fi = 0; fi < e->nf; fi++)
			if (is_remote(&e->f[fi]) && e->f[fi].st.state == PF_FWD_ACTIVE &&
			    e->f[fi].bound_port == port)
				break;
		if (fi == e->nf) {
			pfi_session_log(e->s, PF_LOG_INFO,
					"The server forwarded a connection for port %d, which we "
					"did not ask for; closed.",
					port);
			ssh_channel_close(ch);
			ssh_channel_free(ch);
			continue;
		}
		dyn = e->f[fi].spec->kind == PF_FWD_REMOTE_DYNAMIC;
		if (!tunnel_room(e, &e->f[fi])) {
			ssh_channel_close(ch);
			ssh_channel_free(ch);
			continue;
		}
		t = tunnel_new(e, fi, PF_INVALID_SOCKET);
		if (t == NULL) {
			ssh_channel_close(ch);
			ssh_channel_free(ch);
			return i;
		}
		tunnel_attach(t, ch);
		pf_strlcpy(t->origin, oname, sizeof(t->origin));
		t->origin_port = oport;
		pfi_session_log(e->s, PF_LOG_VERBOSE, "%s %d: connection from %s:%d on the server",
				kind_name(e->f[fi].spec->kind), port, oname, oport);
		if (dyn) {
			pf_socks_init(&t->socks);
			t->remote_socks = 1;
			t->state = T_RSOCKS;
			continue;
		}
		pf_strlcpy(t->host, e->f[fi].spec->connect_host, sizeof(t->host));
		t->port = e->f[fi].spec->connect_port;
		if (tunnel_buffers(t) != 0)
			tunnel_kill(e, t, "out of memory");
		else
			local_connect(e, t);
	}
	return i;
}

static const char *remote_host(const fwd *f)
{
	const char *host = f->spec->listen_host ? f->spec->listen_host : "localhost";

	return host[0] == '\0' || strcmp(host, "*") == 0 ? "" : host;
}

/* The server answered the tcpip-forward request of f (rc from libssh). */
static void remote_answer(pfi_fwd_engine *e, fwd *f, int rc, int bound)
{
	const char *host = remote_host(f);
	char msg[600];

	if (rc != SSH_OK) {
		snprintf(msg, sizeof(msg),
			 "The server refused to listen on port %d for us (%s). The port may be "
			 "in use there, or the server does not allow remote forwarding.%s",
			 f->spec->listen_port, ssh_get_error(e->s->conn->ssh),
			 e->s->hc->exit_on_forward_failure ? ""
							   : " Asking again from time to time.");
		fwd_fail(e, f, msg);
		/* An old connection of ours may still hold the port there for
		 * a while: ask again, less and less often. */
		f->retry_ms = f->retry_ms == 0 ? REMOTE_RETRY_MIN_MS : f->retry_ms * 2;
		if (f->retry_ms > REMOTE_RETRY_MAX_MS)
			f->retry_ms = REMOTE_RETRY_MAX_MS;
		f->retry_at = pf_time_ms() + f->retry_ms;
		f->tries++;
		return;
	}
	f->bound_port = f->spec->listen_port ? f->spec->listen_port : bound;
	snprintf(f->listen, sizeof(f->listen), "server %s:%d", host[0] ? host : "*", f->bound_port);
	if (f->spec->listen_port == 0)
		pfi_session_log(e->s, PF_LOG_INFO,
				"Allocated port %d on the server for the remote forward to %s",
				f->bound_port,
				f->spec->kind == PF_FWD_REMOTE_DYNAMIC ? "SOCKS" : f->dest);
	if (f->tries > 0)
		pfi_session_log(e->s, PF_LOG_INFO, "%s %d: the server listens now (asked %u times)",
				kind_name(f->spec->kind), f->bound_port, f->tries + 1);
	f->retry_at = 0;
	f->retry_ms = 0;
	f->tries = 0;
	f->st.state = PF_FWD_ACTIVE;
	f->st.error = NULL;
	e->nremote++;
	e->dirty = 1;
}

/* Ask the server for every remote forward (after each connection;
 * blocking, before the loop). */
static pf_rc request_remote(pfi_fwd_engine *e, pf_error *err)
{
	size_t i;

	for (i = 0; i < e->nf; i++) {
		fwd *f = &e->f[i];
		int bound = 0, rc;

		if (!is_remote(f))
			continue;
		f->retry_at = 0;
		f->retry_ms = 0;
		rc = ssh_channel_listen_forward(e->s->conn->ssh, remote_host(f),
						f->spec->listen_port, &bound);
		remote_answer(e, f, rc, bound);
		if (rc != SSH_OK && e->s->hc->exit_on_forward_failure)
			return pf_error_set(err, PF_E_DENIED, "%s (ExitOnForwardFailure is yes)",
					    f->error);
	}
	return PF_OK;
}

/* In the loop (non-blocking): ask again for a refused remote forward when
 * its time has come, one request at a time (libssh tracks one global
 * request; the keepalive uses the same slot, so the caller only calls
 * this when no keepalive is in flight). */
static void retry_remote(pfi_fwd_engine *e, uint64_t now)
{
	int bound = 0, rc;
	fwd *f;

	if (e->gr_fwd < 0) {
		size_t i;

		for (i = 0; i < e->nf; i++)
			if (is_remote(&e->f[i]) && e->f[i].st.state == PF_FWD_FAILED &&
			    e->f[i].retry_at != 0 && e->f[i].retry_at <= now)
				break;
		if (i == e->nf)
			return;
		e->gr_fwd = (long)i;
	}
	f = &e->f[e->gr_fwd];
	rc = ssh_channel_listen_forward(e->s->conn->ssh, remote_host(f), f->spec->listen_port,
					&bound);
	if (rc == SSH_AGAIN)
		return;
	e->gr_fwd = -1;
	remote_answer(e, f, rc, bound);
}

/* --- the loop ------------------------------------------------------------------ */

static int pfd_reserve(pfi_fwd_engine *e, size_t n)
{
	pf_pollfd *p;
	void **o;

	if (n <= e->pcap)
		return 0;
	n = n < 64 ? 64 : n * 2;
	p = pf_reallocarray(e->pfd, n, sizeof(*p));
	if (p == NULL)
		return -1;
	e->pfd = p;
	o = pf_reallocarray(e->pown, n, sizeof(*o));
	if (o == NULL)
		return -1;
	e->pown = o;
	e->pcap = n;
	return 0;
}

static void close_all_tunnels(pfi_fwd_engine *e)
{
	tunnel *t;

	for (t = e->tunnels; t != NULL; t = t->next)
		tunnel_kill(e, t, "closing all");
	reap(e);
}

static void set_forward_states(pfi_fwd_engine *e, pf_fwd_state st)
{
	size_t i;

	for (i = 0; i < e->nf; i++)
		if (e->f[i].st.state != PF_FWD_FAILED &&
		    (!is_remote(&e->f[i]) || st != PF_FWD_ACTIVE))
			e->f[i].st.state = st;
	e->dirty = 1;
}

/* Poll interest of a tunnel's socket this round; 0 = not polled. */
static short tunnel_events(const tunnel *t)
{
	short evs = 0;

	if (t->sock == PF_INVALID_SOCKET)
		return 0;
	switch (t->state) {
	case T_SOCKS: evs = PF_POLL_IN; break;
	case T_CONNECTING: evs = PF_POLL_OUT; break;
	case T_OPEN:
		if (t->in_off == t->in_len && !t->sock_eof)
			evs |= PF_POLL_IN;
		if (t->out_off < t->out_len)
			evs |= PF_POLL_OUT;
		break;
	default: break;
	}
	return evs;
}

static uint64_t soonest(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Milliseconds from now until `due` for pf_net_poll; -1 (for ever) when
 * nothing is due. */
static int poll_timeout(uint64_t due, uint64_t now)
{
	if (due == UINT64_MAX)
		return -1;
	if (due <= now)
		return 0;
	return due - now > 24u * 3600 * 1000 ? 24 * 3600 * 1000 : (int)(due - now);
}

/* When a tunnel next needs the loop without an event on its socket:
 * its SOCKS timeout; or, if libssh said it has news for the channel
 * that the last step did not use up, a look again soon (what the loop
 * did before it slept without deadlines). UINT64_MAX: never. */
static uint64_t tunnel_due(const tunnel *t)
{
	if (t->state == T_SOCKS || t->state == T_RSOCKS)
		return t->born + SOCKS_TIMEOUT_MS;
	if (t->state == T_OPENING || t->state == T_RESOLVING || t->state == T_CONNECTING)
		return t->wait_since + t->e->open_timeout;
	if (t->rx && t->state != T_DEAD)
		return pf_time_ms() + STATUS_INTERVAL_MS;
	return UINT64_MAX;
}

static void open_timed_out(pfi_fwd_engine *e, tunnel *t)
{
	const fwd *f = &e->f[t->fwd];
	const char *what = t->state == T_OPENING     ? "the server did not open the channel to"
			   : t->state == T_RESOLVING ? "the name could not be looked up for"
						     : "no connection could be made to";

	pfi_session_log(e->s, PF_LOG_INFO,
			"%s %d: %s %s:%d within %llu s (ConnectTimeout); the connection from "
			"%s:%d is closed.",
			kind_name(f->spec->kind), f->bound_port, what, t->host, t->port,
			(unsigned long long)(e->open_timeout / 1000),
			t->origin[0] ? t->origin : "the server", t->origin_port);
	if (f->spec->kind == PF_FWD_DYNAMIC || t->remote_socks)
		socks_reply(t, t->state == T_RESOLVING ? PF_SOCKS_REP_HOST_UNREACHABLE
						       : PF_SOCKS_REP_TTL_EXPIRED);
	if (t->stdio)
		snprintf(e->stdio_error, sizeof(e->stdio_error),
			 "Stdio forwarding to %s:%d failed: the server %s did not open the "
			 "channel within %llu s (ConnectTimeout).",
			 t->host, t->port, e->s->server,
			 (unsigned long long)(e->open_timeout / 1000));
	tunnel_kill(e, t, "open timeout");
}

/* One round's work on a tunnel; returns 1 when data moved. Tunnels with
 * nothing to do cost no system call. */
static int tunnel_step(pfi_fwd_engine *e, tunnel *t, short rev, uint64_t now)
{
	/* A SOCKS client that never finishes its request does not hold a
	 * connection for ever. */
	if ((t->state == T_SOCKS || t->state == T_RSOCKS) && now - t->born > SOCKS_TIMEOUT_MS) {
		pfi_session_log(e->s, PF_LOG_INFO,
				"%s %d: the SOCKS client at %s:%d sent no complete request within "
				"%d s; closed.",
				kind_name(e->f[t->fwd].spec->kind), e->f[t->fwd].bound_port,
				t->origin[0] ? t->origin : "the server", t->origin_port,
				SOCKS_TIMEOUT_MS / 1000);
		tunnel_kill(e, t, "SOCKS timeout");
		return 0;
	}
	/* The server never answers the channel open, or a local target's
	 * name or connection hangs: bounded (issue 18 items 14, 16). */
	if ((t->state == T_OPENING || t->state == T_RESOLVING || t->state == T_CONNECTING) &&
	    now - t->wait_since >= e->open_timeout) {
		open_timed_out(e, t);
		return 0;
	}
	switch (t->state) {
	case T_SOCKS: step_socks(e, t, rev); break;
	case T_RESOLVING: step_resolving(e, t); break;
	case T_OPENING:
		if (t->rx)
			step_opening(e, t);
		break;
	case T_CONNECTING: step_connecting(e, t, rev); break;
	case T_RSOCKS:
		if (t->rx)
			step_rsocks(e, t);
		break;
	case T_OPEN:
		if (rev || t->rx || t->in_off < t->in_len || (t->sock_eof && !t->eof_sent))
			return step_open(e, t, rev);
		break;
	case T_DEAD: break;
	}
	return 0;
}

/* On stop: send what libssh still holds (the channels' EOF and close)
 * within a bound, and leave the socket marked writable, so that the
 * disconnect message that follows is written at once: libssh writes a
 * packet directly only when its last poll saw the socket writable, and
 * ssh_disconnect does not poll (a socket we gave it is not closed by it,
 * but its buffers are dropped). */
static void flush_out(pf_session *s, ssh_event ev)
{
	uint64_t end = pf_time_ms() + FLUSH_MS;

	while ((ssh_get_poll_flags(s->conn->ssh) & SSH_WRITE_PENDING) && pf_time_ms() < end &&
	       ssh_is_connected(s->conn->ssh))
		if (ssh_event_dopoll(ev, 100) == SSH_ERROR)
			return;
	(void)ssh_event_dopoll(ev, 50);
}

pf_rc pfi_fwd_engine_run(pfi_fwd_engine *e, pf_error *err)
{
	pf_session *s = e->s;
	const pf_host_config *hc = s->hc;
	ssh_event ev = NULL;
	pf_rc rc = PF_OK;
	uint64_t last_rx = pf_time_ms(), last_ka = 0;
	uint64_t ka_ms =
		(uint64_t)(hc->server_alive_interval > 0 ? hc->server_alive_interval : 0) * 1000;
	uint64_t ka_count =
		(uint64_t)(hc->server_alive_count_max > 2 ? hc->server_alive_count_max : 2);
	uint64_t probe_until = 0, seen_rx = 0;
	uint64_t idle_ms = s->opts.on_demand ? s->opts.idle_disconnect_ms : 0;
	uint64_t idle_since = pf_time_ms();
	int missed = 0, busy = 0, ka_pending = 0;
	size_t i;

	e->nremote = 0;
	e->gr_fwd = -1;
	e->idled_out = 0;
	e->window = 0; /* a new connection: libssh's default until set */
	update_window(e);
	memset(&e->rxcount, 0, sizeof(e->rxcount));
	ssh_set_counters(s->conn->ssh, &e->rxcount, NULL);
	rc = request_remote(e, err);
	if (rc != PF_OK) {
		ssh_set_counters(s->conn->ssh, NULL, NULL);
		return rc;
	}
	set_forward_states(e, PF_FWD_ACTIVE);
	acceptor_stop(e);
	ssh_set_blocking(s->conn->ssh, 0);
	held_adopt(e);
	stdio_adopt(e);
	ev = ssh_event_new();
	if (ev == NULL || ssh_event_add_session(ev, s->conn->ssh) != SSH_OK) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	pfi_session_publish(s);
	e->last_publish = pf_time_ms();
	for (;;) {
		size_t n = 0, first_tunnel;
		int r;
		uint64_t now = pf_time_ms();
		/* The next moment something is due: no deadline, no wake-up
		 * (an idle connection costs no system call). */
		uint64_t due = UINT64_MAX;
		tunnel *t;

		if (pfi_session_stopping(s))
			break;
		if (pfd_reserve(e, 3 + e->nf * MAX_LISTEN + e->ntunnels) != 0) {
			rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
			goto out;
		}
		e->pfd[n].fd = pf_wakeup_fd(s->wake);
		e->pfd[n].events = PF_POLL_IN;
		e->pown[n++] = NULL;
		e->pfd[n].fd = (pf_socket)ssh_get_fd(s->conn->ssh);
		e->pfd[n].events =
			(short)(PF_POLL_IN | ((ssh_get_poll_flags(s->conn->ssh) & SSH_WRITE_PENDING)
						      ? PF_POLL_OUT
						      : 0));
		e->pown[n++] = NULL;
		e->pfd[n].fd = pfi_resolver_fd(e->res);
		e->pfd[n].events = PF_POLL_IN;
		e->pown[n++] = NULL;
		for (i = 0; i < e->nf; i++) {
			size_t k;

			if (e->f[i].paused_until > now) {
				due = soonest(due, e->f[i].paused_until);
				continue;
			}
			if (is_remote(&e->f[i]) && e->f[i].st.state == PF_FWD_FAILED &&
			    e->f[i].retry_at != 0)
				due = soonest(due, e->f[i].retry_at);
			for (k = 0; k < e->f[i].nls; k++) {
				e->pfd[n].fd = e->f[i].ls[k];
				e->pfd[n].events = PF_POLL_IN;
				e->pown[n++] = &e->f[i];
			}
		}
		first_tunnel = n;
		for (t = e->tunnels; t != NULL; t = t->next) {
			short evs = tunnel_events(t);

			t->pidx = -1;
			due = soonest(due, tunnel_due(t));
			if (evs == 0)
				continue;
			t->pidx = (long)n;
			e->pfd[n].fd = t->sock;
			e->pfd[n].events = evs;
			e->pown[n++] = t;
		}
		if (ka_ms > 0) {
			/* The next keepalive, and the moment the server is given
			 * up (see below). */
			due = soonest(due, (last_rx > last_ka ? last_rx : last_ka) + ka_ms);
			if (missed >= 1)
				due = soonest(due, last_rx + ka_ms * ka_count);
		}
		if (probe_until != 0)
			due = soonest(due, probe_until);
		if (idle_ms > 0 && e->ntunnels == 0)
			due = soonest(due, idle_since + idle_ms);
		if (e->dirty)
			due = soonest(due, e->last_publish + STATUS_INTERVAL_MS);
		r = pf_net_poll(e->pfd, n, busy ? 0 : poll_timeout(due, now));
		if (r < 0) {
			rc = pf_error_set(err, PF_E_INTERNAL, "poll failed");
			goto out;
		}
		busy = 0;
		now = pf_time_ms();
		/* Before the tunnels step: an answer that arrives after a
		 * T_RESOLVING tunnel looked signals again. */
		if (e->pfd[2].revents)
			pfi_resolver_drain(e->res);
		if (e->pfd[0].revents) {
			int probe;

			pf_wakeup_drain(s->wake);
			/* pf_session_reconnect_now while connected (resume from
			 * sleep, another network): is the connection still good?
			 * A probe now; no answer within PROBE_MS and it is
			 * given up, without waiting for the keepalive. */
			pf_mutex_lock(s->mu);
			probe = s->reconnect_now;
			s->reconnect_now = 0;
			pf_mutex_unlock(s->mu);
			if (probe) {
				pfi_session_log(s, PF_LOG_VERBOSE, "Checking that %s still answers",
						s->server);
				probe_until = now + PROBE_MS;
				if (e->gr_fwd < 0)
					ka_pending = 1;
				last_rx = last_ka = now;
			}
		}
		if (e->pfd[1].revents)
			pfi_ssh_read_input(s->conn->ssh, ev, &e->rxcount);
		if (!ssh_is_connected(s->conn->ssh)) {
			rc = pf_error_set(err, PF_E_NETWORK, "The connection to %s was lost%s%s.",
					  s->server, ssh_get_error(s->conn->ssh)[0] ? ": " : "",
					  ssh_get_error(s->conn->ssh));
			goto out;
		}
		/* Tunnels first (those accepted below are new and fully set up),
		 * every one with something to do: libssh may hold data for a
		 * channel whose socket had no event. */
		for (t = e->tunnels; t != NULL; t = t->next)
			busy |= tunnel_step(e, t, t->pidx >= 0 ? e->pfd[t->pidx].revents : 0, now);
		for (i = 3; i < first_tunnel; i++)
			if (e->pfd[i].revents) {
				fwd *f = e->pown[i];

				busy |= accept_clients(e, f, (size_t)(f - e->f), e->pfd[i].fd, 0) >
					0;
			}
		/* Only bytes from the server prove it is alive (the socket
		 * being writable says nothing), whichever libssh call read them:
		 * the keepalive's answer is often read inside the call that
		 * waits for it, never showing on our poll. */
		if (e->rxcount.in_bytes != seen_rx) {
			seen_rx = e->rxcount.in_bytes;
			last_rx = now;
			missed = 0;
			probe_until = 0;
		}
		/* After the tunnels: a failed accept overwrites libssh's error
		 * text, which step_opening reads for the SOCKS reply. */
		{
			int got = e->nremote > 0 ? accept_remote(e) : 0;

			busy |= got > 0;
			/* The rest of what the server sent unasked is refused
			 * (issue 18 item 13); not while RemoteForward opens may
			 * still be queued behind a full batch. */
			if (got < ACCEPT_BATCH)
				busy |= pfi_conn_refuse_unrequested(s->conn, ACCEPT_BATCH) > 0;
		}
		reap(e);
		update_window(e);
		if (e->stdio_over) {
			/* pf -W: its one stream ended; so does the session. */
			if (e->stdio_error[0])
				rc = pf_error_set(err, PF_E_NETWORK, "%s", e->stdio_error);
			goto out;
		}
		/* On demand with --idle-disconnect: no tunnel for that long. */
		if (e->ntunnels > 0 || idle_ms == 0) {
			idle_since = now;
		} else if (now - idle_since >= idle_ms) {
			e->idled_out = 1;
			goto out;
		}

		if (probe_until != 0 && now >= probe_until) {
			rc = pf_error_set(err, PF_E_NETWORK,
					  "The server %s did not answer within %d s after the "
					  "network changed or the computer woke up.",
					  s->server, PROBE_MS / 1000);
			goto out;
		}
		/* ServerAliveInterval: after each interval without a byte from
		 * the server a keepalive goes out; the server is given up once
		 * it has been silent for interval x ServerAliveCountMax (what
		 * OpenSSH's manual promises: 15 s x 3 is about 45 s), and at
		 * least one keepalive had a whole interval to be answered (so
		 * count 1 means two intervals). Only bytes received count (see
		 * pfd[1] above). */
		if (ka_ms > 0 && missed >= 1 && now - last_rx >= ka_ms * ka_count) {
			rc = pf_error_set(err, PF_E_NETWORK,
					  "The server %s stopped answering (silent for %llu s: no "
					  "reply to %d keepalives, ServerAliveInterval %d s).",
					  s->server, (unsigned long long)((now - last_rx) / 1000),
					  missed, hc->server_alive_interval);
			goto out;
		}
		if (ka_ms > 0 && now - last_rx >= ka_ms && now - last_ka >= ka_ms) {
			/* libssh's client has no keepalive call: a global request
			 * with want-reply that the server must refuse does the
			 * same as OpenSSH's keepalive@openssh.com. One at a time:
			 * libssh tracks a single global request, and a remote
			 * forward request in flight is as good a probe. */
			if (e->gr_fwd < 0)
				ka_pending = 1;
			last_ka = now;
			missed++;
			pfi_session_log(s, PF_LOG_DEBUG1, "Keepalive %d to %s", missed, s->server);
		}
		if (ka_pending &&
		    ssh_channel_cancel_forward(s->conn->ssh, KEEPALIVE_ADDRESS, 1) != SSH_AGAIN)
			ka_pending = 0; /* answered (refused, as expected) */
		if (!ka_pending)
			retry_remote(e, now);
		if (e->dirty && now - e->last_publish >= STATUS_INTERVAL_MS) {
			e->dirty = 0;
			e->last_publish = now;
			pfi_session_publish(s);
		}
	}
out:
	close_all_tunnels(e);
	set_forward_states(e, PF_FWD_WAITING);
	acceptor_start(e); /* until the next connection */
	if (ev != NULL && rc == PF_OK && ssh_is_connected(s->conn->ssh))
		flush_out(s, ev);
	ssh_set_counters(s->conn->ssh, NULL, NULL);
	if (ev != NULL) {
		ssh_event_remove_session(ev, s->conn->ssh);
		ssh_event_free(ev);
	}
	ssh_set_blocking(s->conn->ssh, 1);
	return rc;
}

void pfi_fwd_engine_wait(pfi_fwd_engine *e, int timeout_ms)
{
	pf_pollfd p = {pf_wakeup_fd(e->s->wake), PF_POLL_IN, 0};

	/* The listeners are the acceptor's meanwhile. */
	if (pf_net_poll(&p, 1, timeout_ms) > 0)
		pf_wakeup_drain(e->s->wake);
}

const pf_fwd_status *pfi_fwd_engine_status(pfi_fwd_engine *e, size_t *n)
{
	size_t i;

	for (i = 0; i < e->nf; i++)
		e->st[i] = e->f[i].st;
	/* The stdio forward (the last) is not one the person configured. */
	*n = e->s->opts.stdio_host != NULL ? e->nf - 1 : e->nf;
	return e->st;
}

void pfi_fwd_engine_free(pfi_fwd_engine *e)
{
	size_t i, k;

	if (e == NULL)
		return;
	acceptor_stop(e);
	close_all_tunnels(e);
	if (e->f != NULL)
		held_expire(e, pf_time_ms(), 1);
	for (i = 0; i < e->nf && e->f != NULL; i++) {
		for (k = 0; k < e->f[i].nls; k++)
			pf_net_close(e->f[i].ls[k]);
		free(e->f[i].held);
	}
	pf_net_close(e->stdio_sock);
	pf_wakeup_free(e->acc_wake);
	pf_mutex_free(e->acc_mu);
	free(e->f);
	free(e->st);
	pfi_resolver_free(e->res);
	free(e->pfd);
	free(e->pown);
	free(e);
}
