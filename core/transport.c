/* The transport layer: how a connection's socket reaches its SSH server.
 * pfi_dial gives a connected stream for one host's settings, by exactly one
 * transport: direct TCP, or through the ProxyJump hops (jump.c, each hop a
 * pfi_conn of its own). Session code asks for "a socket to this host" and
 * never knows which. Also the one read loop of every SSH socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "pf/mem.h"
#include "pf/proc.h"
#include "pf/proxy.h"
#include "proxycmd.h"
#include "session_internal.h"
#include "sshwire.h"

/* Without ConnectTimeout a dead address still must not hang a worker for
 * the system's two minutes. */
#define DEFAULT_CONNECT_TIMEOUT_S 30

#define MAX_PROXY_TRIES 4

/* What must live as long as a dialled socket, and end after it. */
struct pfi_link {
	pfi_jump *jumps;   /* the ProxyJump chain, or NULL */
	pf_jump_hop *hops; /* the hop of a ProxyCommand "ssh -W", or NULL */
	size_t nhops;
	pf_proc *proc;  /* the ProxyCommand child, or NULL */
	pf_session *s;  /* for the child's stderr lines */
	char what[600]; /* "ProxyCommand in config.txt line 7" */
};

void pfi_link_close(pfi_link *l)
{
	if (l == NULL)
		return;
	pfi_jump_close(l->jumps);
	/* Ended and waited for: no child outlives its connection. */
	pf_proc_end(l->proc);
	cfg_jump_hops_free(l->hops, l->nhops);
	free(l);
}

int pfi_link_explain(pfi_link *l, pf_error *err)
{
	char last[512];
	int code, i;

	if (l == NULL || l->proc == NULL)
		return 0;
	/* The child may take a moment to be seen gone after closing. */
	for (i = 0; i < 10 && !pf_proc_exited(l->proc, &code); i++)
		pf_sleep_ms(20);
	if (!pf_proc_exited(l->proc, &code))
		return 0;
	pf_proc_last_line(l->proc, last, sizeof(last));
	pf_error_set(err, PF_E_NETWORK,
		     "The %s ended before the SSH server answered (exit code %d)%s%s%s. "
		     "Check the command and that it can reach the server.",
		     l->what, code, last[0] ? ": \"" : "", last, last[0] ? "\"" : "");
	return 1;
}

/* Wait for `ev` on sock, a stop, or the deadline. PF_OK when ready,
 * PF_E_CANCELLED on stop, PF_E_NETWORK at the deadline. */
static pf_rc wait_io(pf_session *s, pf_socket sock, short ev, uint64_t deadline)
{
	for (;;) {
		pf_pollfd p[2];
		uint64_t now = pf_time_ms();

		if (now >= deadline)
			return PF_E_NETWORK;
		p[0].fd = sock;
		p[0].events = ev;
		p[1].fd = pf_wakeup_fd(s->wake);
		p[1].events = PF_POLL_IN;
		if (pf_net_poll(p, 2, (int)(deadline - now)) < 0)
			return PF_E_NETWORK;
		if (p[1].revents) {
			pf_wakeup_drain(s->wake);
			if (pfi_session_stopping(s))
				return PF_E_CANCELLED;
		}
		if (p[0].revents)
			return PF_OK;
	}
}

/* TCP to host:port: every address, ConnectionAttempts times, with hc's
 * AddressFamily, BindAddress and ConnectTimeout. */
static pf_rc connect_tcp(pf_session *s, const pf_host_config *hc, const char *host, int port,
			 pf_socket *out, pf_error *err)
{
	int family = hc->address_family == PF_AF_INET    ? 4
		     : hc->address_family == PF_AF_INET6 ? 6
							 : 0;
	int timeout_s = hc->connect_timeout > 0 ? hc->connect_timeout : DEFAULT_CONNECT_TIMEOUT_S;
	int attempts = hc->connection_attempts > 0 ? hc->connection_attempts : 1, a;
	pf_addrlist *addrs = NULL;
	pf_error e;
	pf_rc rc;
	size_t i;

	*out = PF_INVALID_SOCKET;
	pf_error_clear(&e);
	rc = pf_net_resolve(host, port, family, &addrs, err);
	if (rc != PF_OK)
		return rc;
	for (a = 0; a < attempts; a++) {
		for (i = 0; i < pf_addrlist_count(addrs); i++) {
			pf_socket sock = PF_INVALID_SOCKET;

			pfi_session_log(s, PF_LOG_VERBOSE, "Connecting to %s (%s)...", host,
					pf_addrlist_name(addrs, i));
			rc = pf_net_connect_addr(addrs, i, hc->bind_address, &sock, &e);
			if (rc == PF_OK) {
				rc = wait_io(s, sock, PF_POLL_OUT,
					     pf_time_ms() + (uint64_t)timeout_s * 1000);
				if (rc == PF_E_CANCELLED) {
					pf_net_close(sock);
					pf_addrlist_free(addrs);
					return pf_error_set(err, PF_E_CANCELLED, "Cancelled");
				}
				if (rc != PF_OK)
					pf_error_set(&e, PF_E_NETWORK,
						     "no answer within %d s (ConnectTimeout)",
						     timeout_s);
				else
					rc = pf_net_connect_result(sock, &e);
			}
			if (rc == PF_OK) {
				pf_addrlist_free(addrs);
				*out = sock;
				return PF_OK;
			}
			pf_net_close(sock);
			pfi_session_log(s, PF_LOG_VERBOSE, "%s: %s", pf_addrlist_name(addrs, i),
					e.message);
		}
	}
	pf_addrlist_free(addrs);
	return pf_error_set(err, PF_E_NETWORK,
			    "Cannot connect to %s port %d: %s. Check the host name and port, and "
			    "that the network lets you reach it.",
			    host, port, e.message);
}

/* "ProxyCommand in config.txt line 7" */
static void describe_line(const pf_host_config *hc, char *buf, size_t size)
{
	snprintf(buf, size, "ProxyCommand in %s line %d",
		 hc->proxy_command_source ? hc->proxy_command_source : "config",
		 hc->proxy_command_line);
}

/* One handshake with the proxy over the connected `sock`. Reads byte by
 * byte: what follows the proxy's answer is the SSH server's and stays in
 * the socket for libssh. Returns the machine's final status, or
 * PF_PROXY_NEED_MORE when the proxy closed or went silent (*io_rc set). */
static pf_proxy_status handshake(pf_session *s, pf_socket sock, pf_proxy *px, pf_proxy_status st,
				 uint64_t deadline, pf_rc *io_rc)
{
	*io_rc = PF_OK;
	for (;;) {
		size_t used = 0;

		if (st == PF_PROXY_SEND) {
			size_t len, off = 0;
			const unsigned char *out = pf_proxy_output(px, &len);

			while (off < len) {
				long n = pf_net_send(sock, out + off, len - off);

				if (n > 0) {
					off += (size_t)n;
					continue;
				}
				if (n != PF_E_NOTFOUND ||
				    (*io_rc = wait_io(s, sock, PF_POLL_OUT, deadline)) != PF_OK) {
					if (*io_rc == PF_OK)
						*io_rc = PF_E_NETWORK;
					return PF_PROXY_NEED_MORE;
				}
			}
			st = pf_proxy_feed(px, NULL, 0, &used);
			continue;
		}
		if (st != PF_PROXY_NEED_MORE)
			return st;
		{
			unsigned char b;
			long n = pf_net_recv(sock, &b, 1);

			if (n == 1) {
				st = pf_proxy_feed(px, &b, 1, &used);
				continue;
			}
			if (n == 0 || n != PF_E_NOTFOUND) {
				*io_rc = PF_E_NETWORK;
				return PF_PROXY_NEED_MORE;
			}
			*io_rc = wait_io(s, sock, PF_POLL_IN, deadline);
			if (*io_rc != PF_OK)
				return PF_PROXY_NEED_MORE;
		}
	}
}

/* Ask the person for the proxy's user name (when none is known) and
 * password. PF_OK with *user_out and *pw_out (caller frees, wipes). */
static pf_rc ask_proxy(pf_session *s, const pfi_proxy_plan *pl, const char *user, int attempt,
		       const char *reason, char **user_out, char **pw_out)
{
	pf_secret_request req;
	char prompt[700];
	pf_rc rc;

	*user_out = *pw_out = NULL;
	memset(&req, 0, sizeof(req));
	req.conn_name = s->name;
	req.instruction = "";
	req.attempt = attempt;
	req.reason = reason;
	if (user == NULL || user[0] == '\0') {
		snprintf(prompt, sizeof(prompt),
			 "User name for the %s proxy %s:%d:", pf_proxy_type_name(pl->type),
			 pl->proxy_host, pl->proxy_port);
		req.kind = PF_SECRET_PROXY_USER;
		req.prompt = prompt;
		req.echo = 1;
		rc = pfi_session_ask_secret(s, &req, user_out);
		if (rc != PF_OK)
			return rc;
		user = *user_out;
		req.reason = NULL;
	} else if ((*user_out = pf_strdup(user)) == NULL) {
		return PF_E_NOMEM;
	}
	snprintf(prompt, sizeof(prompt), "Password for %s on the %s proxy %s:%d:", user,
		 pf_proxy_type_name(pl->type), pl->proxy_host, pl->proxy_port);
	req.kind = PF_SECRET_PROXY_PASSWORD;
	req.prompt = prompt;
	req.echo = 0;
	rc = pfi_session_ask_secret(s, &req, pw_out);
	if (rc != PF_OK) {
		free(*user_out);
		*user_out = NULL;
	}
	return rc;
}

/* "proxy:user@host:port": the cache's key for a proxy password. */
static void proxy_account(const pfi_proxy_plan *pl, const char *user, char *buf, size_t size)
{
	snprintf(buf, size, "proxy:%s@%s:%d", user, pl->proxy_host, pl->proxy_port);
}

/* Through an HTTP CONNECT or SOCKS proxy, spoken here. Credentials: the
 * line's user name, else HTTP_PROXY_USER / SOCKS5_USER; the password from
 * HTTP_PROXY_PASSWORD / SOCKS5_PASSWD, the run's cache, or the person. */
static pf_rc dial_proxy(pf_session *s, const pf_host_config *hc, pfi_proxy_plan *pl,
			const char *what, pf_socket *out, pf_error *err)
{
	int http = pl->type == PF_PROXY_HTTP;
	const char *env_user = getenv(http ? "HTTP_PROXY_USER" : "SOCKS5_USER");
	const char *env_pw = getenv(http ? "HTTP_PROXY_PASSWORD" : "SOCKS5_PASSWD");
	int timeout_s = hc->connect_timeout > 0 ? hc->connect_timeout : DEFAULT_CONNECT_TIMEOUT_S;
	char *user = NULL, *pw = NULL, account[700], target[260];
	const char *reason = NULL;
	int attempt, asked = 0;
	pf_rc rc = PF_OK;

	*out = PF_INVALID_SOCKET;
	user = pf_strdup(pl->proxy_user[0] ? pl->proxy_user : env_user ? env_user : "");
	if (user == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	if (user[0] != '\0') {
		proxy_account(pl, user, account, sizeof(account));
		pw = pfi_session_cred_password(s, account);
		if (pw == NULL && env_pw != NULL)
			pw = pf_strdup(env_pw);
	}
	pf_strlcpy(target, hc->hostname, sizeof(target));
	if (pl->type == PF_PROXY_SOCKS4) {
		/* SOCKS4 takes an address: resolved here, as connect -4 does. */
		pf_addrlist *a = NULL;

		rc = pf_net_resolve(hc->hostname, hc->port, 4, &a, err);
		if (rc != PF_OK)
			goto out;
		pf_strlcpy(target, pf_addrlist_name(a, 0), sizeof(target));
		target[strcspn(target, ":")] = '\0';
		pf_addrlist_free(a);
	}
	if (hc == s->hc) {
		/* The status says how: "host:22 via HTTP proxy p:8080". */
		snprintf(s->server, sizeof(s->server), "%s:%d via %s proxy %s:%d", hc->hostname,
			 hc->port, pf_proxy_type_name(pl->type), pl->proxy_host, pl->proxy_port);
		pfi_session_publish(s);
	}
	pfi_session_log(s, PF_LOG_INFO, "Connecting to %s:%d via the %s proxy %s:%d (%s)",
			hc->hostname, hc->port, pf_proxy_type_name(pl->type), pl->proxy_host,
			pl->proxy_port, what);
	for (attempt = 1; attempt <= MAX_PROXY_TRIES; attempt++) {
		pf_socket sock = PF_INVALID_SOCKET;
		pf_proxy px;
		pf_proxy_creds creds = {NULL, NULL, NULL};
		char *basic = NULL;
		pf_proxy_status st;
		pf_rc io;

		rc = connect_tcp(s, hc, pl->proxy_host, pl->proxy_port, &sock, err);
		if (rc != PF_OK) {
			if (rc != PF_E_CANCELLED)
				rc = pf_error_set(err, PF_E_NETWORK,
						  "The %s proxy %s:%d (%s) cannot be reached: %s",
						  pf_proxy_type_name(pl->type), pl->proxy_host,
						  pl->proxy_port, what, err->message);
			goto out;
		}
		if (user[0] != '\0' && pw != NULL) {
			if (http) {
				char *up = pf_asprintf("%s:%s", user, pw);

				basic = up ? pfi_b64_encode((const unsigned char *)up, strlen(up),
							    0)
					   : NULL;
				if (up != NULL)
					pf_secret_free(up);
				creds.basic = basic;
			} else {
				creds.user = user;
				creds.password = pw;
			}
		} else if (pl->type == PF_PROXY_SOCKS4 || pl->type == PF_PROXY_SOCKS4A) {
			creds.user = user;
		}
		st = pf_proxy_start(&px, pl->type, target, (uint16_t)hc->port, &creds);
		if (basic != NULL)
			pf_secret_free(basic);
		st = handshake(s, sock, &px, st, pf_time_ms() + (uint64_t)timeout_s * 1000, &io);
		if (st == PF_PROXY_DONE) {
			pf_proxy_wipe(&px);
			if (asked && user[0] != '\0' && pw != NULL) {
				proxy_account(pl, user, account, sizeof(account));
				pfi_session_cred_put_password(s, account, pw);
			}
			pfi_session_log(s, PF_LOG_VERBOSE,
					"The %s proxy %s:%d opened the way to %s:%d",
					pf_proxy_type_name(pl->type), pl->proxy_host,
					pl->proxy_port, hc->hostname, hc->port);
			*out = sock;
			rc = PF_OK;
			goto out;
		}
		pf_net_close(sock);
		if (st == PF_PROXY_NEED_MORE) {
			pf_proxy_wipe(&px);
			if (io == PF_E_CANCELLED)
				rc = pf_error_set(err, PF_E_CANCELLED, "Cancelled");
			else
				rc = pf_error_set(
					err, PF_E_NETWORK,
					"The %s proxy %s:%d (%s) closed the connection or "
					"did not answer within %d s %s.",
					pf_proxy_type_name(pl->type), pl->proxy_host,
					pl->proxy_port, what, timeout_s,
					pf_proxy_closed_reason(&px));
			goto out;
		}
		if (st == PF_PROXY_FAIL) {
			pf_rc why = pf_proxy_fail_rc(&px);

			rc = pf_error_set(
				err, why == PF_E_UNSUPPORTED ? PF_E_CONFIG : PF_E_NETWORK,
				"The %s proxy %s:%d (%s) did not connect to %s port %d: %s.",
				pf_proxy_type_name(pl->type), pl->proxy_host, pl->proxy_port, what,
				hc->hostname, hc->port, pf_proxy_reason(&px));
			pf_proxy_wipe(&px);
			goto out;
		}
		/* AUTH: wanted, or the ones sent were wrong. */
		reason = pf_proxy_auth_refused(&px) ? "The proxy refused the user name or password."
						    : NULL;
		pf_proxy_wipe(&px);
		if (user[0] != '\0') {
			proxy_account(pl, user, account, sizeof(account));
			pfi_session_cred_forget_password(s, account);
		}
		if (hc->batch_mode) {
			rc = pf_error_set(
				err, PF_E_AUTH,
				"The %s proxy %s:%d (%s) asks for a user name and password, "
				"and BatchMode is yes. Set %s, or connect once "
				"interactively.",
				pf_proxy_type_name(pl->type), pl->proxy_host, pl->proxy_port, what,
				http ? "HTTP_PROXY_USER and HTTP_PROXY_PASSWORD"
				     : "SOCKS5_USER and SOCKS5_PASSWD");
			goto out;
		}
		if (attempt == MAX_PROXY_TRIES)
			break;
		{
			char *nu = NULL, *np = NULL;

			rc = ask_proxy(s, pl, user, attempt, reason, &nu, &np);
			if (rc != PF_OK) {
				rc = pf_error_set(err, PF_E_CANCELLED,
						  "Login to the proxy %s:%d cancelled.",
						  pl->proxy_host, pl->proxy_port);
				goto out;
			}
			free(user);
			pf_secret_free(pw);
			user = nu;
			pw = np;
			asked = 1;
		}
	}
	rc = pf_error_set(err, PF_E_AUTH,
			  "The %s proxy %s:%d (%s) refused the user name or password %d times.",
			  pf_proxy_type_name(pl->type), pl->proxy_host, pl->proxy_port, what,
			  MAX_PROXY_TRIES - 1);
out:
	free(user);
	pf_secret_free(pw);
	return rc;
}

static void on_stderr(void *ctx, const char *line)
{
	pfi_link *l = ctx;

	pfi_session_log(l->s, PF_LOG_INFO, "ProxyCommand: %s", line);
}

/* Run the command; its stdin/stdout become the socket. */
static pf_rc dial_command(pf_session *s, const pf_host_config *hc, const pfi_proxy_plan *pl,
			  pfi_link *l, pf_socket *sock, pf_error *err)
{
	char *dir = hc->config_path ? pf_path_dirname(hc->config_path) : NULL;
	pf_error e;
	pf_rc rc;

	pf_error_clear(&e);
	if (hc == s->hc) {
		snprintf(s->server, sizeof(s->server), "%s:%d via ProxyCommand", hc->hostname,
			 hc->port);
		pfi_session_publish(s);
	}
	pfi_session_log(s, PF_LOG_INFO, "Connecting to %s:%d via %s: %s", hc->hostname, hc->port,
			l->what, pl->command);
	rc = pf_proc_start(pl->command, dir, on_stderr, l, sock, &l->proc, &e);
	free(dir);
	if (rc != PF_OK && pl->unsupported[0])
		return pf_error_set(err, PF_E_CONFIG,
				    "%s: %s is not done by PortForwarder itself, and running the "
				    "program failed: %s",
				    l->what, pl->unsupported, e.message);
	if (rc != PF_OK)
		return pf_error_set(err, rc, "%s: %s", l->what, e.message);
	return rc;
}

pf_rc pfi_dial(pf_session *s, const pf_host_config *hc, pf_socket *sock, pfi_link **link,
	       pf_error *err)
{
	pfi_proxy_plan pl;
	pfi_link *l;
	pf_rc rc;

	*sock = PF_INVALID_SOCKET;
	*link = NULL;
	if (hc->n_jump_hops == 0 && hc->proxy_command == NULL)
		return connect_tcp(s, hc, hc->hostname, hc->port, sock, err);
	l = PF_NEW(pfi_link);
	if (l == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	l->s = s;
	if (hc->n_jump_hops > 0) {
		rc = pfi_jump_open(s, hc, hc->jump_hops, hc->n_jump_hops, &l->jumps, sock, err);
		goto out;
	}
	describe_line(hc, l->what, sizeof(l->what));
	rc = pfi_proxycmd_plan(hc, &pl, err);
	if (rc != PF_OK)
		goto out;
	switch (pl.how) {
	case PFI_PROXY_NATIVE: rc = dial_proxy(s, hc, &pl, l->what, sock, err); break;
	case PFI_PROXY_JUMP:
		if (cfg_jump_parse(pl.jump, &l->hops, &l->nhops) != 0) {
			rc = pf_error_set(err, PF_E_CONFIG, "%s: \"%s\" is not [user@]host[:port].",
					  l->what, pl.jump);
			break;
		}
		pfi_session_log(s, PF_LOG_VERBOSE, "%s: through the jump host %s (ssh -W)", l->what,
				pl.jump);
		rc = pfi_jump_open(s, hc, l->hops, l->nhops, &l->jumps, sock, err);
		break;
	case PFI_PROXY_RUN: rc = dial_command(s, hc, &pl, l, sock, err); break;
	}
	pfi_proxy_plan_clear(&pl);
out:
	if (rc != PF_OK) {
		pf_net_close(*sock);
		*sock = PF_INVALID_SOCKET;
		pfi_link_close(l);
		return rc;
	}
	*link = l;
	return PF_OK;
}

void pfi_ssh_read_input(ssh_session ssh, ssh_event ev, const struct ssh_counter_struct *rx)
{
	uint64_t had = rx->in_bytes;
	int k;

	for (k = 0; k < 64; k++) {
		pf_pollfd p = {(pf_socket)ssh_get_fd(ssh), PF_POLL_IN, 0};

		if (ssh_event_dopoll(ev, 0) == SSH_ERROR)
			break;
		if (pf_net_poll(&p, 1, 0) <= 0)
			break;
	}
	if (rx->in_bytes != had)
		pf_net_ack_now((pf_socket)ssh_get_fd(ssh));
}
