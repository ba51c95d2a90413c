/* Staying up, against two real sshds at once (two sessions, each with its
 * own worker, in one process):
 *  - server A killed (listener and connection processes) in the middle of
 *    a transfer: the transfer's client is closed, not left hanging; A's
 *    session says "Reconnecting in N s", counts the reconnect and keeps
 *    its listener, closing clients at once meanwhile; once A is back the
 *    session reconnects by itself, without asking for the key's passphrase
 *    again, and new connections work;
 *  - server A stopped (SIGSTOP, listener and children): the keepalive
 *    (ServerAliveInterval 1, ServerAliveCountMax 3) notices within the
 *    bound; once continued, the session reconnects;
 *  - all along, B's session never notices: no reconnect, data flows;
 *  - pf_session_reconnect_now while connected (resume, network change)
 *    probes the server: B's, stopped, is given up within 3 s and B
 *    reconnects once it runs again; A's, answering, is kept. */
#include "engine_util.h"
#include "check.h"
#include "pf/version.h"
#include "sshd_fixture.h"

#define PASSPHRASE "reconnect without asking"
#define INTERVAL   1
#define COUNT      3

static int write_config(const char *path, const sshd_fixture *f, const char *key, int lport,
			int echo_port, const char *extra)
{
	FILE *c = fopen(path, "w");

	if (c == NULL)
		return -1;
	fprintf(c,
		"Host test\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile %s\n"
		"  UserKnownHostsFile %s/known_hosts\n  StrictHostKeyChecking accept-new\n"
		"  LocalForward %d 127.0.0.1:%d\n%s",
		f->port, f->user, key, f->dir, lport, echo_port, extra);
	fclose(c);
	return 0;
}

/* A client in the middle of a transfer: connected, 256 KB sent, part of
 * the echo read. Returns the socket. */
static int start_transfer(int port)
{
	int fd = eng_connect("127.0.0.1", port);
	unsigned char buf[16384];
	size_t sent = 0, got = 0;
	uint64_t end = pf_time_ms() + 5000;

	if (fd < 0)
		return -1;
	memset(buf, 'x', sizeof(buf));
	while (pf_time_ms() < end && (sent < 256 * 1024 || got < 16384)) {
		struct pollfd p = {fd, (short)(POLLIN | (sent < 256 * 1024 ? POLLOUT : 0)), 0};
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (p.revents & POLLOUT) {
			r = send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
			if (r > 0)
				sent += (size_t)r;
		}
		if (p.revents & POLLIN) {
			r = recv(fd, buf, sizeof(buf), 0);
			if (r <= 0)
				break;
			got += (size_t)r;
			memset(buf, 'x', sizeof(buf));
		}
	}
	return got >= 16384 ? fd : (close(fd), -1);
}

/* Wait until the peer closes fd (EOF or reset); ms taken, or -1. */
static long wait_closed(int fd, int timeout_ms)
{
	uint64_t start = pf_time_ms(), end = start + (uint64_t)timeout_ms;
	unsigned char buf[16384];

	while (pf_time_ms() < end) {
		struct pollfd p = {fd, POLLIN, 0};
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		r = recv(fd, buf, sizeof(buf), 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return (long)(pf_time_ms() - start);
	}
	return -1;
}

static unsigned reconnects_of(rec_ui *r)
{
	unsigned n;

	pf_mutex_lock(r->mu);
	n = r->reconnects;
	pf_mutex_unlock(r->mu);
	return n;
}

int main(void)
{
	sshd_fixture fa, fb;
	echo_srv echo;
	rec_ui ua, ub;
	char cfga[700], cfgb[700], reply[128], extra[200], keya[700];
	int pa, pb, fd;
	pf_session *sa = NULL, *sb = NULL;
	pf_error err;
	uint64_t t0;
	long ms;

	if (pf_lib_init() != 0 || sshd_fixture_init(&fa, "reconnA", NULL) != 0 ||
	    sshd_fixture_init(&fb, "reconnB", NULL) != 0)
		return 1;
	if (sshd_fixture_start(&fa) != 0 || sshd_fixture_start(&fb) != 0 || echo_start(&echo) != 0)
		return 1;
	pa = fixture_free_port();
	pb = fixture_free_port();
	snprintf(cfga, sizeof(cfga), "%s/config.txt", fa.dir);
	snprintf(cfgb, sizeof(cfgb), "%s/config.txt", fb.dir);
	snprintf(extra, sizeof(extra),
		 "  ServerAliveInterval %d\n  ServerAliveCountMax %d\n  ConnectTimeout 20\n",
		 INTERVAL, COUNT);
	/* A's key has a passphrase: asked once, then the per-run cache
	 * answers on every reconnect. */
	snprintf(keya, sizeof(keya), "%s/id_pass", fa.dir);
	if (fixture_run("ssh-keygen -q -t ed25519 -N '%s' -f '%s' && cat '%s.pub' >> "
			"'%s/authorized_keys'",
			PASSPHRASE, keya, keya, fa.dir) != 0)
		return 1;
	if (write_config(cfga, &fa, keya, pa, echo.port, extra) != 0 ||
	    write_config(cfgb, &fb, fb.client_key, pb, echo.port, "") != 0)
		return 1;

	rec_init(&ua);
	rec_init(&ub);
	ua.secret = PASSPHRASE;
	{
		pf_session_opts oa = {.reconnect = PF_RECONNECT_ALWAYS,
				      .name = "A",
				      .hold_ms = 1000},
				ob = {.reconnect = PF_RECONNECT_ALWAYS, .name = "B"};

		CHECK_INT(pf_session_start(test_load_host(cfga, "test"), &ua.ui, &oa, &sa, &err),
			  PF_OK);
		CHECK_INT(pf_session_start(test_load_host(cfgb, "test"), &ub.ui, &ob, &sb, &err),
			  PF_OK);
	}
	CHECK(rec_wait(&ua, PF_CONN_CONNECTED, 1, 20000));
	CHECK(rec_wait(&ub, PF_CONN_CONNECTED, 1, 20000));
	CHECK_INT(eng_dialogue("127.0.0.1", pa, "to A\n", reply, sizeof(reply)), 5);
	CHECK_INT(eng_dialogue("127.0.0.1", pb, "to B\n", reply, sizeof(reply)), 5);

	/* 1. A killed in the middle of a transfer. */
	fd = start_transfer(pa);
	CHECK(fd >= 0);
	CHECK(signal_tree(fa.pid, SIGKILL, 1) >= 2); /* the listener and its child */
	sshd_fixture_stop(&fa);                      /* reaps it */
	ms = wait_closed(fd, 8000);
	printf("the transfer's client was closed %ld ms after the kill\n", ms);
	CHECK(ms >= 0);
	close(fd);
	CHECK(rec_wait(&ua, PF_CONN_RECONNECTING, 0, 8000));
	CHECK(rec_log_wait(&ua, "Reconnecting in ", 3000));
	CHECK(reconnects_of(&ua) >= 1);
	pf_mutex_lock(ua.mu);
	printf("A's last error: %s\n", ua.last_error);
	CHECK(ua.last_error[0] != '\0');
	pf_mutex_unlock(ua.mu);
	/* Meanwhile A's listener stays bound and holds a client for the hold
	 * time (1 s here), then closes it (issue 19; cli.hold has the rest). */
	fd = eng_connect("127.0.0.1", pa);
	CHECK(fd >= 0);
	ms = wait_closed(fd, 5000);
	printf("a client during the back-off was held %ld ms\n", ms);
	CHECK(ms >= 700 && ms < 4000);
	close(fd);
	/* B never noticed. */
	CHECK_INT(eng_dialogue("127.0.0.1", pb, "B still\n", reply, sizeof(reply)), 8);
	CHECK_STR(reply, "B still\n");

	/* A comes back: the session reconnects by itself (back-off 1 s, 2 s,
	 * ... with jitter), without asking anything. */
	CHECK(sshd_fixture_start(&fa) == 0);
	t0 = pf_time_ms();
	CHECK(rec_wait(&ua, PF_CONN_CONNECTED, 2, 20000));
	printf("A reconnected %llu ms after its server came back\n",
	       (unsigned long long)(pf_time_ms() - t0));
	CHECK_INT(eng_dialogue("127.0.0.1", pa, "A again\n", reply, sizeof(reply)), 8);
	CHECK_STR(reply, "A again\n");

	/* 2. A stopped, listener and connection processes: the keepalive
	 * notices within ServerAliveInterval x ServerAliveCountMax of silence. */
	pf_sleep_ms(300);
	CHECK(signal_tree(fa.pid, SIGSTOP, 1) >= 2);
	t0 = pf_time_ms();
	CHECK(rec_wait(&ua, PF_CONN_RECONNECTING, 0, (INTERVAL * COUNT + 3) * 1000));
	ms = (long)(pf_time_ms() - t0);
	printf("the stopped server was noticed after %ld ms\n", ms);
	CHECK(ms <= INTERVAL * COUNT * 1000 + 1500); /* loop tick, busy CPUs */
	CHECK(rec_log_wait(&ua, "stopped answering", 3000));
	CHECK_INT(eng_dialogue("127.0.0.1", pb, "B during\n", reply, sizeof(reply)), 9);
	signal_tree(fa.pid, SIGCONT, 1);
	t0 = pf_time_ms();
	CHECK(rec_wait(&ua, PF_CONN_CONNECTED, 3, 30000));
	printf("A reconnected %llu ms after its server was continued\n",
	       (unsigned long long)(pf_time_ms() - t0));
	CHECK_INT(eng_dialogue("127.0.0.1", pa, "A thrice\n", reply, sizeof(reply)), 9);

	/* B: one connection all along. */
	CHECK_INT(eng_dialogue("127.0.0.1", pb, "B end\n", reply, sizeof(reply)), 6);
	CHECK_INT((int)reconnects_of(&ub), 0);
	CHECK_INT(ub.connected_times, 1);
	CHECK(reconnects_of(&ua) >= 2);

	/* 3. pf_session_reconnect_now while connected (what the GUI calls on
	 * resume from sleep or a network change): B, which has no keepalive,
	 * with its server stopped, gives the connection up within 3 s and
	 * reconnects once the server runs again; A, whose server answers,
	 * stays as it is. */
	CHECK(signal_tree(fb.pid, SIGSTOP, 1) >= 2);
	t0 = pf_time_ms();
	pf_session_reconnect_now(sb);
	pf_session_reconnect_now(sa);
	CHECK(rec_wait(&ub, PF_CONN_RECONNECTING, 0, 8000));
	ms = (long)(pf_time_ms() - t0);
	printf("after reconnect_now, the stopped server was given up after %ld ms\n", ms);
	CHECK(ms <= 5000);
	CHECK(rec_log_wait(&ub, "did not answer within 3 s", 3000));
	signal_tree(fb.pid, SIGCONT, 1);
	CHECK(rec_wait(&ub, PF_CONN_CONNECTED, 2, 30000));
	CHECK_INT(eng_dialogue("127.0.0.1", pb, "B back\n", reply, sizeof(reply)), 7);
	CHECK_INT(ua.state, PF_CONN_CONNECTED);
	CHECK_INT(ua.connected_times, 3);
	/* Three connections of A, one question. */
	CHECK_INT(ua.secret_asks, 1);

	pf_session_stop(sa);
	pf_session_stop(sb);
	CHECK(pf_session_wait(sa, 10000) && pf_session_wait(sb, 10000));
	CHECK_INT(pf_session_result(sa, &err), PF_OK);
	CHECK_INT(pf_session_result(sb, &err), PF_OK);
	pf_session_free(sa);
	pf_session_free(sb);
	rec_free(&ua);
	rec_free(&ub);
	echo_stop(&echo);
	sshd_fixture_stop(&fa);
	sshd_fixture_stop(&fb);
	pf_lib_cleanup();
	return check_summary("test_reconnect");
}
