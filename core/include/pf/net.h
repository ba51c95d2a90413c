/* Sockets for the forwarding engine, the same on POSIX and Winsock:
 * non-blocking listeners and connections, poll without Winsock's 64-socket
 * select limit (WSAPoll), a wake-up channel for worker threads, and the
 * user-facing words for a busy port. Implemented in
 * core/platform/net_posix.c and net_win32.c. */
#ifndef PF_NET_H
#define PF_NET_H

#include <stddef.h>
#include <stdint.h>

#include "pf/error.h"

#ifdef _WIN32
typedef uintptr_t pf_socket; /* SOCKET */
#define PF_INVALID_SOCKET (~(pf_socket)0)
#else
typedef int pf_socket;
#define PF_INVALID_SOCKET (-1)
#endif

/* Events for pf_net_poll (the same bits on every system). */
#define PF_POLL_IN  0x1
#define PF_POLL_OUT 0x2
#define PF_POLL_ERR 0x4 /* error or hang-up: try the I/O to learn which */

typedef struct pf_pollfd {
	pf_socket fd;
	short events;  /* PF_POLL_IN | PF_POLL_OUT */
	short revents; /* filled by pf_net_poll */
} pf_pollfd;

/* Wait up to timeout_ms (-1: no limit) for any of fds; returns the number
 * of entries with revents set, 0 on timeout, or a negative pf_rc. */
int pf_net_poll(pf_pollfd *fds, size_t n, int timeout_ms);

/* Listen on `host`:`port`. host NULL, "" or "localhost" means both
 * 127.0.0.1 and ::1 (whichever exist); "*" or "0.0.0.0"/"::" all
 * interfaces; anything else is resolved (numeric preferred). Binds every
 * address found, up to `max` sockets, non-blocking, with SO_REUSEADDR on
 * POSIX and SO_EXCLUSIVEADDRUSE on Windows. Port 0 picks a free port (the
 * same one for every address). On success *n sockets are in out[] and
 * *bound_port says which port. If no address can be bound the error says
 * why, for a person ("Port 10110 on 127.0.0.1 is already in use by
 * another program (pop3.exe, PID 4242)."). */
pf_rc pf_net_listen(const char *host, int port, pf_socket *out, size_t max, size_t *n,
		    int *bound_port, pf_error *err);

/* Accept one connection (non-blocking; TCP_NODELAY set). Returns PF_OK,
 * PF_E_NOTFOUND when nothing is waiting, or another pf_rc. `peer` gets
 * "addr:port" when not NULL. */
pf_rc pf_net_accept(pf_socket listener, pf_socket *out, char *peer, size_t peer_size);

/* Start a non-blocking TCP connection to host:port (numeric or a name,
 * resolved here: blocking for names). Completion: the socket becomes
 * writable; then pf_net_connect_result says whether it worked. */
pf_rc pf_net_connect_start(const char *host, int port, pf_socket *out, pf_error *err);
pf_rc pf_net_connect_result(pf_socket s, pf_error *err);

/* Resolved addresses of a host, in the order the resolver gives them.
 * family: 0 any, 4 IPv4 only, 6 IPv6 only (AddressFamily). Resolving a name
 * blocks (the caller is a worker thread). Caller frees the list. */
typedef struct pf_addrlist pf_addrlist;
pf_rc pf_net_resolve(const char *host, int port, int family, pf_addrlist **out, pf_error *err);
/* The same for a numeric address only: never blocks; PF_E_NOTFOUND (no
 * message) when host is a name. */
pf_rc pf_net_resolve_numeric(const char *host, int port, int family, pf_addrlist **out);
size_t pf_addrlist_count(const pf_addrlist *l);
/* "192.0.2.1:22" / "[2001:db8::1]:22"; borrowed. */
const char *pf_addrlist_name(const pf_addrlist *l, size_t i);
void pf_addrlist_free(pf_addrlist *l);
/* Start a non-blocking connection to address i, from `bind_addr` when not
 * NULL (BindAddress). Completion as for pf_net_connect_start. */
pf_rc pf_net_connect_addr(const pf_addrlist *l, size_t i, const char *bind_addr, pf_socket *out,
			  pf_error *err);

/* Non-blocking I/O: bytes moved (> 0), 0 when the peer closed (recv only),
 * PF_E_NOTFOUND when it would block, or another negative pf_rc
 * (PF_E_NETWORK for a reset). */
long pf_net_recv(pf_socket s, void *buf, size_t len);
long pf_net_send(pf_socket s, const void *buf, size_t len);
/* Acknowledge what has arrived at once instead of after the delayed-ACK
 * timer, until the kernel falls back to delaying (Linux TCP_QUICKACK; it
 * does not stick, so call it after each read). A sender that paces by the
 * ACKs it gets (BBR) then sends more per unit of its CPU. No-op where the
 * system has no such option. */
void pf_net_ack_now(pf_socket s);
/* Half-close: no more sending (the peer reads EOF). */
void pf_net_shutdown_write(pf_socket s);
void pf_net_close(pf_socket s);

/* The local address of a socket as "addr:port" ("[::1]:8080" for IPv6). */
void pf_net_local_name(pf_socket s, char *buf, size_t size);

/* Why the system refused a listener. */
typedef enum pf_listen_refusal {
	PF_LISTEN_IN_USE,    /* EADDRINUSE */
	PF_LISTEN_DENIED,    /* EACCES / WSAEACCES */
	PF_LISTEN_NO_ADDRESS /* EADDRNOTAVAIL */
} pf_listen_refusal;

/* The one message for a refused listener (what pf_net_listen reports).
 * `owner` is who holds the port (pf_net_port_owner), NULL when nobody
 * does. On Windows (`windows` 1) an access-denied bind with no owner means
 * the port is in an excluded port range Windows reserved (Hyper-V, WinNAT):
 * the message says so and how to list the ranges; with an owner, the port
 * is held exclusively by that program. Returns the pf_rc it set. Pure (no
 * I/O), so tests check the mapping on any platform. */
pf_rc pf_net_listen_refused(pf_listen_refusal why, int windows, const char *addr, int port,
			    const char *owner, pf_error *err);

/* Which program holds a TCP port on this machine, as "name, PID n", when
 * the system will tell; 0 on success, -1 otherwise (buf untouched). */
int pf_net_port_owner(int port, char *buf, size_t size);

/* Exactly n bytes in or out, polling (blocking or not), within timeout_ms
 * in all (-1: no limit). 0, or -1 on error, end of stream or timeout. */
int pf_net_recv_all(pf_socket s, void *buf, size_t n, int timeout_ms);
int pf_net_send_all(pf_socket s, const void *buf, size_t n, int timeout_ms);

/* Two connected, non-blocking stream sockets (socketpair on POSIX, a
 * loopback TCP pair on Windows). */
pf_rc pf_net_socketpair(pf_socket sv[2]);

/* The loopback TCP pair behind pf_net_socketpair on Windows (built on every
 * platform, so it is tested on both). Any program may connect to its
 * listener: the accepted end is used only when it comes from the
 * connecting end's own address and port and sends the 16-byte random
 * cookie first; other connections are closed. `listening` (NULL in the
 * product) is called with the listener's port before the pair connects, so
 * a test can send an intruder first. */
pf_rc pf_net_socketpair_tcp(pf_socket sv[2], void (*listening)(int port, void *arg), void *arg);

/* A wake-up channel: a socket a worker polls for PF_POLL_IN, and a signal
 * any thread may send. Signals coalesce; drain after waking. */
typedef struct pf_wakeup pf_wakeup;
pf_rc pf_wakeup_new(pf_wakeup **out);
void pf_wakeup_free(pf_wakeup *w);
pf_socket pf_wakeup_fd(const pf_wakeup *w);
void pf_wakeup_signal(pf_wakeup *w);
void pf_wakeup_drain(pf_wakeup *w);

/* Winsock must be started before any socket call (pf_lib_init does). */
int pf_net_init(void);
void pf_net_cleanup(void);

#endif
