/* The transport layer: how a connection's socket reaches its SSH server.
 * pfi_dial gives a connected stream for one host's settings, by exactly one
 * transport: direct TCP, or through the ProxyJump hops (jump.c, each hop a
 * pfi_conn of its own). Session code asks for "a socket to this host" and
 * never knows which. Also the one read loop of every SSH socket. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"
#include "session_internal.h"

/* Without ConnectTimeout a dead address still must not hang a worker for
 * the system's two minutes. */
#define DEFAULT_CONNECT_TIMEOUT_S 30

/* What must live as long as a dialled socket, and end after it. */
struct pfi_link {
	pfi_jump *jumps; /* the ProxyJump chain, or NULL */
};

void pfi_link_close(pfi_link *l)
{
	if (l == NULL)
		return;
	pfi_jump_close(l->jumps);
	free(l);
}

/* Wait until `sock` is writable, the session is told to stop, or the
 * timeout passes. Returns PF_OK when writable. */
static pf_rc wait_writable(pf_session *s, pf_socket sock, int timeout_ms)
{
	pf_pollfd p[2];
	uint64_t end = pf_time_ms() + (uint64_t)timeout_ms;

	for (;;) {
		uint64_t now = pf_time_ms();
		int r;

		if (now >= end)
			return PF_E_NETWORK;
		p[0].fd = sock;
		p[0].events = PF_POLL_OUT;
		p[1].fd = pf_wakeup_fd(s->wake);
		p[1].events = PF_POLL_IN;
		r = pf_net_poll(p, 2, (int)(end - now));
		if (r < 0)
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
				rc = wait_writable(s, sock, timeout_s * 1000);
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

pf_rc pfi_dial(pf_session *s, const pf_host_config *hc, pf_socket *sock, pfi_link **link,
	       pf_error *err)
{
	pfi_link *l;
	pf_rc rc;

	*sock = PF_INVALID_SOCKET;
	*link = NULL;
	if (hc->n_jump_hops == 0)
		return connect_tcp(s, hc, hc->hostname, hc->port, sock, err);
	l = PF_NEW(pfi_link);
	if (l == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	rc = pfi_jump_open(s, hc, &l->jumps, sock, err);
	if (rc != PF_OK) {
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
