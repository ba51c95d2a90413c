/* Sockets: listeners on both loopbacks, non-blocking connect/accept/IO,
 * immediate ACKs, half-close, a busy port's message, the wake-up channel. */
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#include "check.h"
#include "pf/net.h"
#include "pf/platform.h"
#include "pf/version.h"

/* Poll one socket for `ev`, up to 5 s; 1 when ready. */
static int wait_for(pf_socket s, short ev)
{
	pf_pollfd p = {s, ev, 0};

	return pf_net_poll(&p, 1, 5000) == 1 && (p.revents & (ev | PF_POLL_ERR));
}

static pf_socket accept_wait(pf_socket l)
{
	pf_socket s = PF_INVALID_SOCKET;
	char peer[80];

	if (wait_for(l, PF_POLL_IN))
		pf_net_accept(l, &s, peer, sizeof(peer));
	return s;
}

static void test_loopback_pair(const char *addr, pf_socket listener, int port)
{
	pf_socket c = PF_INVALID_SOCKET, a;
	pf_error err;
	char buf[64];
	long n;

	CHECK_INT(pf_net_connect_start(addr, port, &c, &err), PF_OK);
	a = accept_wait(listener);
	CHECK(a != PF_INVALID_SOCKET);
	CHECK(wait_for(c, PF_POLL_OUT));
	CHECK_INT(pf_net_connect_result(c, &err), PF_OK);
	CHECK_INT(pf_net_send(c, "hello", 5), 5);
	CHECK(wait_for(a, PF_POLL_IN));
	n = pf_net_recv(a, buf, sizeof(buf));
	CHECK_INT(n, 5);
#ifdef TCP_QUICKACK
	{
		/* pf_net_ack_now switches delayed ACKs off for now: back to
		 * delaying first, so that the reading proves the call. */
		int v = 0;
		socklen_t vl = sizeof(v);

		CHECK_INT(setsockopt(a, IPPROTO_TCP, TCP_QUICKACK, &v, sizeof(v)), 0);
		CHECK_INT(getsockopt(a, IPPROTO_TCP, TCP_QUICKACK, &v, &vl), 0);
		CHECK_INT(v, 0);
		pf_net_ack_now(a);
		vl = sizeof(v);
		CHECK_INT(getsockopt(a, IPPROTO_TCP, TCP_QUICKACK, &v, &vl), 0);
		CHECK_INT(v, 1);
	}
#else
	pf_net_ack_now(a); /* no such option here: the socket must not mind */
#endif
	/* Nothing more yet: would block. */
	CHECK_INT(pf_net_recv(a, buf, sizeof(buf)), PF_E_NOTFOUND);
	/* Half-close: the other side reads EOF but can still answer. */
	pf_net_shutdown_write(c);
	CHECK(wait_for(a, PF_POLL_IN));
	CHECK_INT(pf_net_recv(a, buf, sizeof(buf)), 0);
	CHECK_INT(pf_net_send(a, "bye", 3), 3);
	CHECK(wait_for(c, PF_POLL_IN));
	CHECK_INT(pf_net_recv(c, buf, sizeof(buf)), 3);
	pf_net_close(a);
	pf_net_close(c);
}

static void test_listen_localhost(void)
{
	pf_socket l[4], busy[4];
	size_t n = 0, nb = 0, i;
	int port = 0, port2 = 0;
	pf_error err;
	char name[80];

	CHECK_INT(pf_net_listen("localhost", 0, l, 4, &n, &port, &err), PF_OK);
	CHECK(n >= 1);
	CHECK(port > 0);
	for (i = 0; i < n; i++) {
		pf_net_local_name(l[i], name, sizeof(name));
		printf("listening on %s\n", name);
		CHECK(strncmp(name, "127.0.0.1:", 10) == 0 || strncmp(name, "[::1]:", 6) == 0);
	}
	/* Each listener carries connections to its own address. */
	for (i = 0; i < n; i++) {
		pf_net_local_name(l[i], name, sizeof(name));
		test_loopback_pair(name[0] == '[' ? "::1" : "127.0.0.1", l[i], port);
	}

	/* The same port again: one clear message naming the port. */
	CHECK_INT(pf_net_listen("localhost", port, busy, 4, &nb, &port2, &err), PF_E_BUSY);
	CHECK_INT(nb, 0);
	printf("busy: %s\n", err.message);
	CHECK(strstr(err.message, "already in use") != NULL);
#ifndef _WIN32
	/* Linux tells who holds it: this very test. */
	CHECK(strstr(err.message, "PID") != NULL);
#endif
	for (i = 0; i < n; i++)
		pf_net_close(l[i]);
}

static void test_explicit_bind(void)
{
	pf_socket l[4];
	size_t n = 0;
	int port = 0;
	pf_error err;
	char name[80];

	CHECK_INT(pf_net_listen("127.0.0.1", 0, l, 4, &n, &port, &err), PF_OK);
	CHECK_INT(n, 1);
	pf_net_local_name(l[0], name, sizeof(name));
	CHECK(strncmp(name, "127.0.0.1:", 10) == 0);
	pf_net_close(l[0]);
	CHECK(pf_net_listen("192.0.2.1", 0, l, 4, &n, &port, &err) != PF_OK);
	printf("foreign address: %s\n", err.message);
}

static void test_refused(void)
{
	pf_socket l[4], c = PF_INVALID_SOCKET;
	size_t n = 0;
	int port = 0;
	pf_error err;

	/* A port that was just free: connecting must fail, not hang. */
	CHECK_INT(pf_net_listen("127.0.0.1", 0, l, 4, &n, &port, &err), PF_OK);
	pf_net_close(l[0]);
	if (pf_net_connect_start("127.0.0.1", port, &c, &err) == PF_OK) {
		CHECK(wait_for(c, PF_POLL_OUT));
		CHECK(pf_net_connect_result(c, &err) != PF_OK);
		pf_net_close(c);
	}
}

/* The message for a refused listener (issue 20 item 8): on Windows an
 * access-denied bind that no process holds is a port Windows reserved
 * (Hyper-V/WinNAT excluded ranges, which Wine does not have, so the
 * mapping is tested here rather than by binding). */
static void test_refusal_messages(void)
{
	pf_error err;

	CHECK_INT(pf_net_listen_refused(PF_LISTEN_DENIED, 1, "127.0.0.1", 50110, NULL, &err),
		  PF_E_DENIED);
	CHECK(strstr(err.message, "Windows has reserved port 50110 (127.0.0.1)") != NULL);
	CHECK(strstr(err.message, "Hyper-V") != NULL);
	CHECK(strstr(err.message, "netsh interface ipv4 show excludedportrange protocol=tcp") !=
	      NULL);
	CHECK(strstr(err.message, "choose a port outside them") != NULL);
	/* Held by a program (exclusively): that program, not a reservation. */
	CHECK_INT(pf_net_listen_refused(PF_LISTEN_DENIED, 1, "::1", 10110, "svchost.exe, PID 4",
					&err),
		  PF_E_BUSY);
	CHECK(strstr(err.message, "svchost.exe, PID 4") != NULL);
	CHECK(strstr(err.message, "reserved") == NULL);
	/* POSIX: a privileged port. */
	CHECK_INT(pf_net_listen_refused(PF_LISTEN_DENIED, 0, "127.0.0.1", 110, NULL, &err),
		  PF_E_DENIED);
	CHECK(strstr(err.message, "above 1023") != NULL);
	CHECK(strstr(err.message, "netsh") == NULL);
	/* In use, with and without the owner's name. */
	CHECK_INT(pf_net_listen_refused(PF_LISTEN_IN_USE, 1, "127.0.0.1", 10025, "pop3.exe, PID 42",
					&err),
		  PF_E_BUSY);
	CHECK_STR(err.message, "Port 10025 on 127.0.0.1 is already in use by another program "
			       "(pop3.exe, PID 42). Close that program or choose another port.");
	CHECK_INT(pf_net_listen_refused(PF_LISTEN_IN_USE, 0, "127.0.0.1", 10025, NULL, &err),
		  PF_E_BUSY);
	CHECK(strstr(err.message, "already in use") != NULL);
	CHECK_INT(pf_net_listen_refused(PF_LISTEN_NO_ADDRESS, 0, "192.0.2.1", 1, NULL, &err),
		  PF_E_NOTFOUND);
}

static void test_wakeup(void)
{
	pf_wakeup *w = NULL;
	pf_pollfd p;

	CHECK_INT(pf_wakeup_new(&w), PF_OK);
	if (w == NULL)
		return;
	p.fd = pf_wakeup_fd(w);
	p.events = PF_POLL_IN;
	CHECK_INT(pf_net_poll(&p, 1, 0), 0);
	pf_wakeup_signal(w);
	pf_wakeup_signal(w);
	CHECK_INT(pf_net_poll(&p, 1, 5000), 1);
	pf_wakeup_drain(w);
	CHECK_INT(pf_net_poll(&p, 1, 0), 0);
	pf_wakeup_free(w);
}

/* Issue 18 item 10: another program connects to the pair's listener
 * before the pair's own end does (and even sends 16 bytes, a guessed
 * cookie); the pair must still join its own two ends. */
typedef struct intruder {
	pf_socket s[2];
} intruder;

static void intrude(int port, void *arg)
{
	intruder *in = arg;
	pf_error err;
	int i;

	for (i = 0; i < 2; i++) {
		if (pf_net_connect_start("127.0.0.1", port, &in->s[i], &err) != PF_OK)
			continue;
		if (wait_for(in->s[i], PF_POLL_OUT) &&
		    pf_net_connect_result(in->s[i], &err) == PF_OK)
			(void)pf_net_send(in->s[i], "0123456789abcdef", 16);
	}
}

static void test_socketpair_intruder(void)
{
	intruder in = {{PF_INVALID_SOCKET, PF_INVALID_SOCKET}};
	pf_socket sv[2];
	char buf[64];
	long n;
	int i;

	CHECK_INT(pf_net_socketpair_tcp(sv, intrude, &in), PF_OK);
	CHECK(in.s[0] != PF_INVALID_SOCKET);
	CHECK_INT(pf_net_send(sv[1], "ours", 4), 4);
	CHECK(wait_for(sv[0], PF_POLL_IN));
	n = pf_net_recv(sv[0], buf, sizeof(buf));
	CHECK_INT(n, 4);
	CHECK(n == 4 && memcmp(buf, "ours", 4) == 0);
	CHECK_INT(pf_net_send(sv[0], "back", 4), 4);
	CHECK(wait_for(sv[1], PF_POLL_IN));
	CHECK_INT(pf_net_recv(sv[1], buf, sizeof(buf)), 4);
	for (i = 0; i < 2; i++) {
		if (in.s[i] == PF_INVALID_SOCKET)
			continue;
		/* The intruder was turned away: EOF or reset, never our data. */
		CHECK(wait_for(in.s[i], PF_POLL_IN));
		CHECK(pf_net_recv(in.s[i], buf, sizeof(buf)) <= 0);
		pf_net_close(in.s[i]);
	}
	pf_net_close(sv[0]);
	pf_net_close(sv[1]);
	/* And the plain pair still works. */
	CHECK_INT(pf_net_socketpair_tcp(sv, NULL, NULL), PF_OK);
	CHECK_INT(pf_net_send(sv[1], "x", 1), 1);
	CHECK(wait_for(sv[0], PF_POLL_IN));
	CHECK_INT(pf_net_recv(sv[0], buf, sizeof(buf)), 1);
	pf_net_close(sv[0]);
	pf_net_close(sv[1]);
}

int main(void)
{
	if (pf_lib_init() != 0)
		return 1;
	test_listen_localhost();
	test_explicit_bind();
	test_refused();
	test_refusal_messages();
	test_wakeup();
	test_socketpair_intruder();
	pf_lib_cleanup();
	return check_summary("test_net");
}
