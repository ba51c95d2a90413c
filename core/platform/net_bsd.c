/* pf/net.h over BSD sockets: the same code for POSIX and Winsock, with the
 * differences kept to the few lines at the top. */
#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
typedef int socklen_type;
#define sock_errno()   WSAGetLastError()
#define E_WOULDBLOCK   WSAEWOULDBLOCK
#define E_INPROGRESS   WSAEWOULDBLOCK
#define E_ADDRINUSE    WSAEADDRINUSE
#define E_ACCES        WSAEACCES
#define E_INTR         WSAEINTR
#define E_ADDRNOTAVAIL WSAEADDRNOTAVAIL
#define closesock      closesocket
#else
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
typedef socklen_t socklen_type;
#define sock_errno()   errno
#define E_WOULDBLOCK   EWOULDBLOCK
#define E_INPROGRESS   EINPROGRESS
#define E_ADDRINUSE    EADDRINUSE
#define E_ACCES        EACCES
#define E_INTR         EINTR
#define E_ADDRNOTAVAIL EADDRNOTAVAIL
#define closesock      close
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/net.h"
#include "pf/platform.h"

static const char *sock_strerror(int e, char *buf, size_t size)
{
#ifdef _WIN32
	wchar_t w[256];
	DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
				 (DWORD)e, 0, w, 256, NULL);

	while (n > 0 && (w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L'.'))
		w[--n] = L'\0';
	if (n == 0 || WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)size, NULL, NULL) <= 0)
		snprintf(buf, size, "socket error %d", e);
#else
	snprintf(buf, size, "%s", strerror(e));
#endif
	return buf;
}

static int would_block(int e)
{
#ifdef _WIN32
	return e == WSAEWOULDBLOCK;
#else
	return e == EAGAIN || e == EWOULDBLOCK;
#endif
}

static void set_nonblocking(pf_socket s)
{
#ifdef _WIN32
	u_long on = 1;

	ioctlsocket((SOCKET)s, FIONBIO, &on);
#else
	int fl = fcntl(s, F_GETFL, 0);

	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	fcntl(s, F_SETFD, FD_CLOEXEC);
#endif
}

static void set_nodelay(pf_socket s)
{
	int on = 1;

	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&on, sizeof(on));
}

static void format_addr(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(buf, size, "%s:%d", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(buf, size, "[%s]:%d", host, port);
	} else {
		snprintf(buf, size, "?");
	}
}

int pf_net_poll(pf_pollfd *fds, size_t n, int timeout_ms)
{
#ifdef _WIN32
	WSAPOLLFD stack[64], *p = stack;
#else
	struct pollfd stack[64], *p = stack;
#endif
	size_t i;
	int r;

	if (n > 64) {
		p = pf_calloc(n, sizeof(*p));
		if (p == NULL)
			return PF_E_NOMEM;
	}
	for (i = 0; i < n; i++) {
		p[i].fd = fds[i].fd;
		p[i].events = (short)(((fds[i].events & PF_POLL_IN) ? POLLIN : 0) |
				      ((fds[i].events & PF_POLL_OUT) ? POLLOUT : 0));
		p[i].revents = 0;
	}
#ifdef _WIN32
	r = WSAPoll(p, (ULONG)n, timeout_ms);
#else
	do {
		r = poll(p, (nfds_t)n, timeout_ms);
	} while (r < 0 && errno == EINTR);
#endif
	if (r < 0) {
		r = PF_E_NETWORK;
	} else {
		for (i = 0; i < n; i++) {
			short re = p[i].revents;

			fds[i].revents =
				(short)(((re & (POLLIN | POLLHUP)) ? PF_POLL_IN : 0) |
					((re & POLLOUT) ? PF_POLL_OUT : 0) |
					((re & (POLLERR | POLLHUP | POLLNVAL)) ? PF_POLL_ERR : 0));
		}
	}
	if (p != stack)
		free(p);
	return r;
}

static int is_loopback_name(const char *host)
{
	return host == NULL || host[0] == '\0' || strcmp(host, "localhost") == 0;
}

static int is_any_name(const char *host)
{
	return host != NULL &&
	       (strcmp(host, "*") == 0 || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0);
}

/* Bind and listen one address; returns the socket or PF_INVALID_SOCKET
 * with *e set to the system error. */
static pf_socket listen_one(const struct sockaddr *sa, socklen_type len, int *e)
{
	pf_socket s = socket(sa->sa_family, SOCK_STREAM, IPPROTO_TCP);
	int on = 1;

	if (s == PF_INVALID_SOCKET) {
		*e = sock_errno();
		return PF_INVALID_SOCKET;
	}
#ifdef _WIN32
	/* Nobody else may bind the same port while we hold it. */
	setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&on, sizeof(on));
#else
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (const char *)&on, sizeof(on));
#endif
	if (sa->sa_family == AF_INET6)
		setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, (const char *)&on, sizeof(on));
	/* The system's largest queue: a burst of clients must not be reset. */
	if (bind(s, sa, len) != 0 || listen(s, SOMAXCONN) != 0) {
		*e = sock_errno();
		closesock(s);
		return PF_INVALID_SOCKET;
	}
	set_nonblocking(s);
	return s;
}

static int sock_port(pf_socket s)
{
	struct sockaddr_storage ss;
	socklen_type len = sizeof(ss);

	if (getsockname(s, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

pf_rc pf_net_listen_refused(pf_listen_refusal why, int windows, const char *addr, int port,
			    const char *owner, pf_error *err)
{
	if (why == PF_LISTEN_IN_USE) {
		if (owner != NULL)
			return pf_error_set(
				err, PF_E_BUSY,
				"Port %d on %s is already in use by another program (%s). "
				"Close that program or choose another port.",
				port, addr, owner);
		return pf_error_set(err, PF_E_BUSY,
				    "Port %d on %s is already in use by another program. "
				    "Close that program or choose another port.",
				    port, addr);
	}
	if (why == PF_LISTEN_NO_ADDRESS)
		return pf_error_set(err, PF_E_NOTFOUND,
				    "Cannot listen on %s: this computer has no such address.",
				    addr);
	if (!windows)
		return pf_error_set(err, PF_E_DENIED,
				    "No permission to listen on port %d on %s. Choose a port above "
				    "1023 or run with the needed rights.",
				    port, addr);
	/* Windows says "access denied" (WSAEACCES) both for a port another
	 * program holds exclusively and for one it keeps for itself. */
	if (owner != NULL)
		return pf_error_set(err, PF_E_BUSY,
				    "Port %d on %s is held exclusively by another program (%s). "
				    "Close that program or choose another port.",
				    port, addr, owner);
	return pf_error_set(
		err, PF_E_DENIED,
		"Windows has reserved port %d (%s), so no program may listen on it: it lies in "
		"a range Windows keeps for Hyper-V, WSL, Docker or WinNAT, often chosen anew at "
		"each start. See the reserved ranges with "
		"\"netsh interface ipv4 show excludedportrange protocol=tcp\" and choose a "
		"port outside them in the config file.",
		port, addr);
}

static pf_rc listen_error(int e, const char *addr, int port, pf_error *err)
{
	char es[256], owner[256];
	int windows = 0, have_owner;

#ifdef _WIN32
	windows = 1;
#endif
	if (e == E_ADDRINUSE || e == E_ACCES) {
		have_owner = pf_net_port_owner(port, owner, sizeof(owner)) == 0;
		return pf_net_listen_refused(e == E_ADDRINUSE ? PF_LISTEN_IN_USE : PF_LISTEN_DENIED,
					     windows, addr, port, have_owner ? owner : NULL, err);
	}
	if (e == E_ADDRNOTAVAIL)
		return pf_net_listen_refused(PF_LISTEN_NO_ADDRESS, windows, addr, port, NULL, err);
	return pf_error_set(err, PF_E_NETWORK, "Cannot listen on %s port %d: %s", addr, port,
			    sock_strerror(e, es, sizeof(es)));
}

pf_rc pf_net_listen(const char *host, int port, pf_socket *out, size_t max, size_t *n,
		    int *bound_port, pf_error *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16], name[80];
	const char *node = host;
	int e = 0, gai, first_err = 0;
	char first_addr[80] = "";
	pf_rc rc = PF_OK;

	*n = 0;
	*bound_port = port;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_PASSIVE;
	if (is_loopback_name(host)) {
		node = NULL; /* loopback of both families, without AI_PASSIVE */
		hints.ai_flags = 0;
	} else if (is_any_name(host)) {
		node = strcmp(host, "0.0.0.0") == 0 ? "0.0.0.0" : NULL;
		if (strcmp(host, "::") == 0) {
			node = "::";
			hints.ai_family = AF_INET6;
		}
	}
	snprintf(portstr, sizeof(portstr), "%d", port);
	gai = getaddrinfo(node, portstr, &hints, &res);
	if (gai != 0)
		return pf_error_set(err, PF_E_NOTFOUND,
				    "Cannot listen on %s: the address is unknown.", host);
	for (ai = res; ai != NULL && *n < max; ai = ai->ai_next) {
		pf_socket s;

		/* With port 0, the first bind picks the port, the rest follow it. */
		if (*bound_port != 0) {
			if (ai->ai_family == AF_INET)
				((struct sockaddr_in *)ai->ai_addr)->sin_port =
					htons((unsigned short)*bound_port);
			else if (ai->ai_family == AF_INET6)
				((struct sockaddr_in6 *)ai->ai_addr)->sin6_port =
					htons((unsigned short)*bound_port);
		}
		format_addr(ai->ai_addr, name, sizeof(name));
		s = listen_one(ai->ai_addr, (socklen_type)ai->ai_addrlen, &e);
		if (s == PF_INVALID_SOCKET) {
			/* No IPv6 on this machine is not an error for "localhost". */
			if (ai->ai_family == AF_INET6 && is_loopback_name(host) &&
			    e != E_ADDRINUSE && e != E_ACCES)
				continue;
			if (first_err == 0) {
				first_err = e;
				pf_strlcpy(first_addr, name, sizeof(first_addr));
			}
			continue;
		}
		out[(*n)++] = s;
		if (*bound_port == 0)
			*bound_port = sock_port(s);
	}
	freeaddrinfo(res);
	if (first_err != 0) {
		/* All or nothing: a forward half bound would surprise people. */
		char *colon = strrchr(first_addr, ':');

		if (colon != NULL)
			*colon = '\0';
		rc = listen_error(first_err, first_addr, *bound_port ? *bound_port : port, err);
		while (*n > 0)
			closesock(out[--(*n)]);
		return rc;
	}
	if (*n == 0)
		return pf_error_set(err, PF_E_NOTFOUND, "Cannot listen on %s: no usable address.",
				    host ? host : "localhost");
	return PF_OK;
}

pf_rc pf_net_accept(pf_socket listener, pf_socket *out, char *peer, size_t peer_size)
{
	struct sockaddr_storage ss;
	socklen_type len = sizeof(ss);
	pf_socket s = accept(listener, (struct sockaddr *)&ss, &len);

	*out = PF_INVALID_SOCKET;
	if (s == PF_INVALID_SOCKET) {
		int e = sock_errno();

		return would_block(e) || e == E_INTR ? PF_E_NOTFOUND : PF_E_NETWORK;
	}
	set_nonblocking(s);
	set_nodelay(s);
	if (peer != NULL)
		format_addr((struct sockaddr *)&ss, peer, peer_size);
	*out = s;
	return PF_OK;
}

pf_rc pf_net_connect_start(const char *host, int port, pf_socket *out, pf_error *err)
{
	pf_addrlist *l = NULL;
	pf_rc rc;

	*out = PF_INVALID_SOCKET;
	rc = pf_net_resolve(host, port, 0, &l, err);
	if (rc != PF_OK)
		return rc;
	rc = pf_net_connect_addr(l, 0, NULL, out, err);
	pf_addrlist_free(l);
	return rc;
}

struct pf_addrlist {
	struct addrinfo *res;
	size_t n;
	struct addrinfo **items;
	char (*names)[80];
};

static pf_rc resolve(const char *host, int port, int family, int numeric, pf_addrlist **out,
		     pf_error *err)
{
	struct addrinfo hints, *ai;
	char portstr[16];
	pf_addrlist *l;
	size_t i = 0;
	int gai;

	*out = NULL;
	l = PF_NEW(pf_addrlist);
	if (l == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
	hints.ai_flags = numeric ? AI_NUMERICHOST : 0;
	snprintf(portstr, sizeof(portstr), "%d", port);
	gai = getaddrinfo(host, portstr, &hints, &l->res);
	if (gai != 0 || l->res == NULL) {
		free(l);
		if (numeric)
			return PF_E_NOTFOUND;
		return pf_error_set(
			err, PF_E_NOTFOUND,
			"Cannot find the address of %s%s. Check the host name (HostName) "
			"and the network connection.",
			host,
			family == 4   ? " (IPv4, AddressFamily inet)"
			: family == 6 ? " (IPv6, AddressFamily inet6)"
				      : "");
	}
	for (ai = l->res; ai != NULL; ai = ai->ai_next)
		l->n++;
	l->items = pf_calloc(l->n, sizeof(*l->items));
	l->names = pf_calloc(l->n, sizeof(*l->names));
	if (l->items == NULL || l->names == NULL) {
		pf_addrlist_free(l);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	for (ai = l->res; ai != NULL; ai = ai->ai_next, i++) {
		l->items[i] = ai;
		format_addr(ai->ai_addr, l->names[i], sizeof(l->names[i]));
	}
	*out = l;
	return PF_OK;
}

pf_rc pf_net_resolve(const char *host, int port, int family, pf_addrlist **out, pf_error *err)
{
	return resolve(host, port, family, 0, out, err);
}

pf_rc pf_net_resolve_numeric(const char *host, int port, int family, pf_addrlist **out)
{
	return resolve(host, port, family, 1, out, NULL);
}

size_t pf_addrlist_count(const pf_addrlist *l)
{
	return l ? l->n : 0;
}

const char *pf_addrlist_name(const pf_addrlist *l, size_t i)
{
	return i < l->n ? l->names[i] : "?";
}

void pf_addrlist_free(pf_addrlist *l)
{
	if (l == NULL)
		return;
	if (l->res != NULL)
		freeaddrinfo(l->res);
	free(l->items);
	free(l->names);
	free(l);
}

pf_rc pf_net_connect_addr(const pf_addrlist *l, size_t i, const char *bind_addr, pf_socket *out,
			  pf_error *err)
{
	const struct addrinfo *ai;
	pf_socket s;
	char es[256];
	int e;

	*out = PF_INVALID_SOCKET;
	if (i >= l->n)
		return pf_error_set(err, PF_E_INVAL, "No such address");
	ai = l->items[i];
	s = socket(ai->ai_family, SOCK_STREAM, IPPROTO_TCP);
	if (s == PF_INVALID_SOCKET) {
		e = sock_errno();
		return pf_error_set(err, PF_E_NETWORK, "Cannot create a socket: %s",
				    sock_strerror(e, es, sizeof(es)));
	}
	if (bind_addr != NULL && bind_addr[0] != '\0') {
		struct addrinfo hints, *b = NULL;

		memset(&hints, 0, sizeof(hints));
		hints.ai_family = ai->ai_family;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		if (getaddrinfo(bind_addr, NULL, &hints, &b) != 0 || b == NULL ||
		    bind(s, b->ai_addr, (socklen_type)b->ai_addrlen) != 0) {
			e = sock_errno();
			if (b != NULL)
				freeaddrinfo(b);
			closesock(s);
			return pf_error_set(err, PF_E_NETWORK,
					    "Cannot use the local address %s (BindAddress): %s",
					    bind_addr, sock_strerror(e, es, sizeof(es)));
		}
		freeaddrinfo(b);
	}
	set_nonblocking(s);
	set_nodelay(s);
	if (connect(s, ai->ai_addr, (socklen_type)ai->ai_addrlen) != 0) {
		e = sock_errno();
		if (e != E_INPROGRESS && !would_block(e)) {
			closesock(s);
			return pf_error_set(err, PF_E_NETWORK, "Cannot connect to %s: %s",
					    l->names[i], sock_strerror(e, es, sizeof(es)));
		}
	}
	*out = s;
	return PF_OK;
}

pf_rc pf_net_connect_result(pf_socket s, pf_error *err)
{
	int e = 0;
	socklen_type len = sizeof(e);
	char es[256];

	if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &len) != 0)
		e = sock_errno();
	if (e == 0)
		return PF_OK;
	return pf_error_set(err, PF_E_NETWORK, "%s", sock_strerror(e, es, sizeof(es)));
}

long pf_net_recv(pf_socket s, void *buf, size_t len)
{
	long r;

	if (len > (1u << 30))
		len = 1u << 30;
	r = recv(s, buf, (int)len, 0);
	if (r >= 0)
		return r;
	return would_block(sock_errno()) || sock_errno() == E_INTR ? PF_E_NOTFOUND : PF_E_NETWORK;
}

void pf_net_ack_now(pf_socket s)
{
#ifdef TCP_QUICKACK
	int on = 1;

	setsockopt(s, IPPROTO_TCP, TCP_QUICKACK, (const char *)&on, sizeof(on));
#else
	(void)s;
#endif
}

long pf_net_send(pf_socket s, const void *buf, size_t len)
{
	long r;
	int flags = 0;

#ifdef MSG_NOSIGNAL
	flags = MSG_NOSIGNAL;
#endif
	if (len > (1u << 30))
		len = 1u << 30;
	r = send(s, buf, (int)len, flags);
	if (r >= 0)
		return r;
	return would_block(sock_errno()) || sock_errno() == E_INTR ? PF_E_NOTFOUND : PF_E_NETWORK;
}

void pf_net_shutdown_write(pf_socket s)
{
#ifdef _WIN32
	shutdown(s, SD_SEND);
#else
	shutdown(s, SHUT_WR);
#endif
}

void pf_net_close(pf_socket s)
{
	if (s != PF_INVALID_SOCKET)
		closesock(s);
}

void pf_net_local_name(pf_socket s, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_type len = sizeof(ss);

	if (getsockname(s, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(buf, size, "?");
		return;
	}
	format_addr((struct sockaddr *)&ss, buf, size);
}

/* --- socket pairs and the wake-up channel ----------------------------------
 * A connected pair: on POSIX socketpair(); Winsock has none, so two loopback
 * TCP sockets. Wake-up writers send one byte; a full buffer is fine (the
 * reader is already due to wake). */
struct pf_wakeup {
	pf_socket rd, wr;
};

/* Move exactly n bytes, polling (for non-blocking sockets too), within
 * timeout_ms in all (-1: no limit). */
static int io_all(pf_socket s, unsigned char *buf, size_t n, int out, int timeout_ms)
{
	uint64_t until = pf_time_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	size_t done = 0;

	while (done < n) {
		pf_pollfd p = {s, out ? PF_POLL_OUT : PF_POLL_IN, 0};
		uint64_t now = pf_time_ms();
		int wait = -1;
		long r;

		if (timeout_ms >= 0) {
			if (now >= until)
				return -1;
			wait = (int)(until - now);
		}
		if (pf_net_poll(&p, 1, wait) <= 0)
			return -1;
		r = out ? pf_net_send(s, buf + done, n - done)
			: pf_net_recv(s, buf + done, n - done);
		if (r == PF_E_NOTFOUND)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

int pf_net_recv_all(pf_socket s, void *buf, size_t n, int timeout_ms)
{
	return io_all(s, buf, n, 0, timeout_ms);
}

int pf_net_send_all(pf_socket s, const void *buf, size_t n, int timeout_ms)
{
	return io_all(s, (unsigned char *)(uintptr_t)buf, n, 1, timeout_ms);
}

static int same_addr4(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_family == b->sin_family && a->sin_port == b->sin_port &&
	       a->sin_addr.s_addr == b->sin_addr.s_addr;
}

pf_rc pf_net_socketpair_tcp(pf_socket sv[2], void (*listening)(int port, void *arg), void *arg)
{
	struct sockaddr_in a, mine;
	socklen_type len = sizeof(a), mlen = sizeof(mine);
	pf_socket l = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	unsigned char cookie[16], got[16];
	pf_rc rc = PF_E_NETWORK;
	int tries;

	sv[0] = sv[1] = PF_INVALID_SOCKET;
	if (l == PF_INVALID_SOCKET)
		return PF_E_NETWORK;
#ifdef _WIN32
	{
		/* Nobody may bind the same port beside us and take our peer. */
		BOOL on = TRUE;

		setsockopt(l, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, (const char *)&on, sizeof(on));
	}
#endif
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (pf_random_bytes(cookie, sizeof(cookie)) != PF_OK ||
	    bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 8) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0)
		goto out;
	if (listening != NULL)
		listening(ntohs(a.sin_port), arg);
	sv[1] = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	if (sv[1] == PF_INVALID_SOCKET || connect(sv[1], (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(sv[1], (struct sockaddr *)&mine, &mlen) != 0 ||
	    send(sv[1], (const char *)cookie, (int)sizeof(cookie), 0) != (int)sizeof(cookie))
		goto out;
	/* Anyone on this machine may connect to the listener first: take the
	 * connection that comes from our own socket and proves it with the
	 * cookie, and close the others. */
	for (tries = 0; tries < 16; tries++) {
		struct sockaddr_in peer;
		socklen_type plen = sizeof(peer);
		pf_pollfd p = {l, PF_POLL_IN, 0};
		pf_socket c;

		if (pf_net_poll(&p, 1, 5000) <= 0)
			break;
		c = accept(l, (struct sockaddr *)&peer, &plen);
		if (c == PF_INVALID_SOCKET)
			continue;
		if (same_addr4(&peer, &mine) && pf_net_recv_all(c, got, sizeof(got), 5000) == 0 &&
		    memcmp(got, cookie, sizeof(cookie)) == 0) {
			sv[0] = c;
			rc = PF_OK;
			break;
		}
		closesock(c);
	}
out:
	pf_secure_zero(cookie, sizeof(cookie));
	closesock(l);
	if (rc != PF_OK) {
		pf_net_close(sv[1]);
		sv[0] = sv[1] = PF_INVALID_SOCKET;
		return rc;
	}
	set_nonblocking(sv[0]);
	set_nonblocking(sv[1]);
	set_nodelay(sv[0]);
	set_nodelay(sv[1]);
	return PF_OK;
}

pf_rc pf_net_socketpair(pf_socket sv[2])
{
#ifdef _WIN32
	return pf_net_socketpair_tcp(sv, NULL, NULL);
#else
	int p[2];

	sv[0] = sv[1] = PF_INVALID_SOCKET;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) != 0)
		return PF_E_NETWORK;
	sv[0] = p[0];
	sv[1] = p[1];
	set_nonblocking(sv[0]);
	set_nonblocking(sv[1]);
	set_nodelay(sv[0]);
	set_nodelay(sv[1]);
	return PF_OK;
#endif
}

pf_rc pf_wakeup_new(pf_wakeup **out)
{
	pf_wakeup *w = PF_NEW(pf_wakeup);
	pf_socket sv[2];

	*out = NULL;
	if (w == NULL)
		return PF_E_NOMEM;
	if (pf_net_socketpair(sv) != PF_OK) {
		free(w);
		return PF_E_NETWORK;
	}
	w->rd = sv[0];
	w->wr = sv[1];
	*out = w;
	return PF_OK;
}

void pf_wakeup_free(pf_wakeup *w)
{
	if (w == NULL)
		return;
	pf_net_close(w->rd);
	pf_net_close(w->wr);
	free(w);
}

pf_socket pf_wakeup_fd(const pf_wakeup *w)
{
	return w->rd;
}

void pf_wakeup_signal(pf_wakeup *w)
{
	char c = 1;

	(void)pf_net_send(w->wr, &c, 1);
}

void pf_wakeup_drain(pf_wakeup *w)
{
	char buf[256];

	while (pf_net_recv(w->rd, buf, sizeof(buf)) > 0)
		;
}
