/* The forwarding engine under load against a real sshd: 1,000 concurrent
 * connections through one LocalForward to an echo service, every byte
 * checked, in bounded time; listeners on ::1 (explicit and `localhost`);
 * the remote SOCKS form (RemoteForward without destination) driven by a
 * SOCKS5 client on the server side; the per-forward counters equal to the
 * bytes moved; the status coalesced to a few updates a second; and after
 * the session ends, the same threads and descriptors as before it. */
#include "engine_util.h"
#include "pf/version.h"
#include "check.h"
#include "sshd_fixture.h"

#define NCONN 1000

/* SOCKS5 CONNECT to 127.0.0.1:port through a SOCKS server at sport, then
 * an echo dialogue. Returns the reply length or -1. */
static int socks5_dialogue(int sport, int port, const char *msg, char *reply, size_t size)
{
	unsigned char req[10] = {5, 1, 0, 1, 127, 0, 0, 1, 0, 0}, ans[10];
	struct pollfd p;
	int fd = eng_connect("127.0.0.1", sport);
	size_t got = 0, len = strlen(msg);
	int step = 0;
	uint64_t end = pf_time_ms() + 10000;

	if (fd < 0)
		return -1;
	req[8] = (unsigned char)(port >> 8);
	req[9] = (unsigned char)port;
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, 5000) != 1 || send(fd, "\x05\x01\x00", 3, MSG_NOSIGNAL) != 3)
		goto fail;
	/* 05 00, then 05 00 00 01 + 6 bytes */
	while (pf_time_ms() < end && step < 2) {
		size_t want = step == 0 ? 2 : 10;
		ssize_t r;

		p.events = POLLIN;
		if (poll(&p, 1, 200) <= 0)
			continue;
		r = recv(fd, ans + got, want - got, 0);
		if (r <= 0)
			goto fail;
		got += (size_t)r;
		if (got < want)
			continue;
		if (ans[0] != 5 || ans[1] != 0)
			goto fail;
		got = 0;
		if (++step == 1 && send(fd, req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req))
			goto fail;
	}
	if (step != 2 || send(fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len)
		goto fail;
	shutdown(fd, SHUT_WR);
	got = 0;
	while (pf_time_ms() < end && got + 1 < size) {
		ssize_t r;

		p.events = POLLIN;
		if (poll(&p, 1, 200) <= 0)
			continue;
		r = recv(fd, reply + got, size - 1 - got, 0);
		if (r == 0)
			break;
		if (r < 0)
			goto fail;
		got += (size_t)r;
	}
	reply[got] = '\0';
	close(fd);
	return (int)got;
fail:
	close(fd);
	return -1;
}

int main(void)
{
	sshd_fixture f;
	echo_srv echo;
	rec_ui ui;
	char cfgpath[700], reply[256];
	int p_load, p_v6, p_lh, p_rsocks, fds0, threads0, fds1, threads1, ok, block4, block6;
	pf_session *s = NULL;
	pf_host_config *hc;
	pf_error err;
	pf_fwd_status fs;
	uint64_t bytes = 0, ms = 0, pubs0, t0;
	FILE *c;

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "engine", NULL) != 0)
		return 1;
	/* DEBUG1: sshd logs the window each channel is opened with. */
	if (sshd_fixture_set(&f, "LogLevel", "DEBUG1") != 0 || sshd_fixture_start(&f) != 0 ||
	    echo_start(&echo) != 0)
		return 1;
	p_load = fixture_free_port();
	p_v6 = fixture_free_port();
	p_lh = fixture_free_port();
	p_rsocks = fixture_free_port();
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", f.dir);
	c = fopen(cfgpath, "w");
	if (c == NULL)
		return 1;
	fprintf(c,
		"Host test\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile %s\n"
		"  UserKnownHostsFile %s/known_hosts\n  StrictHostKeyChecking accept-new\n"
		"  LocalForward 127.0.0.1:%d 127.0.0.1:%d\n"
		"  LocalForward [::1]:%d 127.0.0.1:%d\n"
		"  LocalForward localhost:%d 127.0.0.1:%d\n"
		"  RemoteForward %d\n",
		f.port, f.user, f.client_key, f.dir, p_load, echo.port, p_v6, echo.port, p_lh,
		echo.port, p_rsocks);
	fclose(c);

	/* A first short session, so that whatever the libraries open once
	 * per process (and keep) is open before counting. */
	rec_init(&ui);
	hc = test_load_host(cfgpath, "test");
	CHECK(hc != NULL);
	if (hc == NULL)
		return check_summary("test_engine");
	CHECK_INT(pf_session_start(hc, &ui.ui, NULL, &s, &err), PF_OK);
	CHECK(rec_wait(&ui, PF_CONN_CONNECTED, 1, 20000));
	CHECK_INT(eng_dialogue("127.0.0.1", p_load, "warm up\n", reply, sizeof(reply)), 8);
	pf_session_free(s);
	rec_free(&ui);
	threads0 = threads_settle(2); /* main + echo */
	fds0 = count_fds();
	printf("before: %d threads, %d descriptors\n", threads0, fds0);

	/* Hold the remote SOCKS port on the server side (the same loopback)
	 * so that the next session's request is refused at first. */
	for (ok = 0; ok < 100 && (block4 = eng_listen("127.0.0.1", p_rsocks)) < 0; ok++)
		pf_sleep_ms(50);
	block6 = eng_listen("::1", p_rsocks);
	CHECK(block4 >= 0 && block6 >= 0);

	rec_init(&ui);
	hc = test_load_host(cfgpath, "test");
	CHECK_INT(pf_session_start(hc, &ui.ui, NULL, &s, &err), PF_OK);
	CHECK(rec_wait(&ui, PF_CONN_CONNECTED, 1, 20000));
	t0 = pf_time_ms();
	/* Refused, reported once; asked again until the port is free. */
	for (ok = 0; ok < 50 && rec_fwd(&ui, 3).state != PF_FWD_FAILED; ok++)
		pf_sleep_ms(100);
	CHECK_INT(rec_fwd(&ui, 3).state, PF_FWD_FAILED);
	CHECK(rec_log_has(&ui, "refused to listen on port"));
	close(block4);
	close(block6);
	for (ok = 0; ok < 80 && rec_fwd(&ui, 3).state != PF_FWD_ACTIVE; ok++)
		pf_sleep_ms(100);
	CHECK_INT(rec_fwd(&ui, 3).state, PF_FWD_ACTIVE);
	CHECK(rec_log_has(&ui, "the server listens now"));

	/* IPv6: the explicit [::1] listener and both sides of `localhost`. */
	CHECK_INT(eng_dialogue("::1", p_v6, "over v6\n", reply, sizeof(reply)), 8);
	CHECK_STR(reply, "over v6\n");
	CHECK_INT(eng_dialogue("::1", p_lh, "localhost v6\n", reply, sizeof(reply)), 13);
	CHECK_INT(eng_dialogue("127.0.0.1", p_lh, "localhost v4\n", reply, sizeof(reply)), 13);
	CHECK(eng_refused("127.0.0.1", p_v6)); /* [::1] means only ::1 */
	CHECK(strstr(ui.fwd_listen[1], "[::1]:") != NULL);
	CHECK(strstr(ui.fwd_listen[2], "127.0.0.1:") != NULL && strstr(ui.fwd_listen[2], "[::1]:"));

	/* Remote SOCKS: a SOCKS5 client on the server side (here, the same
	 * loopback) reaches our echo service through us. */
	CHECK_INT(socks5_dialogue(p_rsocks, echo.port, "socks from the server\n", reply,
				  sizeof(reply)),
		  22);
	CHECK_STR(reply, "socks from the server\n");
	/* A destination nothing listens on: SOCKS5 "connection refused" (5). */
	{
		int closed = fixture_free_port(), fd = eng_connect("127.0.0.1", p_rsocks);
		unsigned char req[10] = {5, 1, 0, 1, 127, 0, 0, 1, 0, 0}, ans[12];
		struct pollfd p = {fd, POLLOUT, 0};
		size_t got = 0;
		uint64_t end = pf_time_ms() + 10000;

		req[8] = (unsigned char)(closed >> 8);
		req[9] = (unsigned char)closed;
		CHECK(poll(&p, 1, 5000) == 1);
		CHECK(send(fd, "\x05\x01\x00", 3, MSG_NOSIGNAL) == 3);
		CHECK(send(fd, req, sizeof(req), MSG_NOSIGNAL) == (ssize_t)sizeof(req));
		while (got < 12 && pf_time_ms() < end) {
			ssize_t r;

			p.events = POLLIN;
			if (poll(&p, 1, 200) <= 0)
				continue;
			r = recv(fd, ans + got, sizeof(ans) - got, 0);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		CHECK_INT((int)got, 12);
		CHECK(got == 12 && ans[2] == 5 && ans[3] == 5);
		close(fd);
	}

	/* A known transfer, then the counters. */
	pf_sleep_ms(600);
	fs = rec_fwd(&ui, 2);
	CHECK_INT((int)fs.total, 2);
	CHECK_INT((int)fs.bytes_out, 26);
	CHECK_INT((int)fs.bytes_in, 26);
	CHECK_INT((int)fs.active, 0);
	CHECK_INT(fs.state, PF_FWD_ACTIVE);
	/* Remote SOCKS: two clients, the tunnelled bytes only (not the
	 * handshake), each way. */
	fs = rec_fwd(&ui, 3);
	CHECK_INT((int)fs.total, 2);
	CHECK_INT((int)fs.bytes_in, 22);
	CHECK_INT((int)fs.bytes_out, 22);
	CHECK_INT((int)fs.active, 0);
	pf_mutex_lock(ui.mu);
	CHECK(strcmp(ui.server, "127.0.0.1:") > 0 && strstr(ui.server, "127.0.0.1:") == ui.server);
	CHECK(ui.algorithms[0] != '\0');
	printf("algorithms: %s\n", ui.algorithms);
	CHECK_INT((int)ui.reconnects, 0);
	pf_mutex_unlock(ui.mu);

	/* 1,000 at once through one forward, 4-16 KB each, every byte checked. */
	pubs0 = ui.publishes;
	ok = eng_echo_many("127.0.0.1", p_load, NCONN, 4096, 16384, 90000, &bytes, &ms);
	printf("%d of %d connections intact, %llu bytes each way, in %llu ms; %lu status "
	       "updates\n",
	       ok, NCONN, (unsigned long long)bytes, (unsigned long long)ms,
	       ui.publishes - (unsigned long)pubs0);
	CHECK_INT(ok, NCONN);
	/* Coalesced: a few per second, not one per event. */
	CHECK((ui.publishes - pubs0) * 1000 <= (ms + 1000) * 8);
	pf_sleep_ms(600);
	fs = rec_fwd(&ui, 0);
	CHECK_INT((int)fs.total, NCONN);
	CHECK_INT((int)fs.active, 0);
	CHECK(fs.bytes_out == bytes && fs.bytes_in == bytes);
	pf_mutex_lock(ui.mu);
	CHECK(ui.uptime_s + 2 >= (pf_time_ms() - t0) / 1000);
	pf_mutex_unlock(ui.mu);
	/* The channel windows: libssh's 2 MB while few tunnels are open; with
	 * hundreds at once they share the engine's budget, down to its floor
	 * (core/forward.c: 32 MB shared, 128 KB at least). */
#define WINS                                                                                       \
	"grep -o 'ctype direct-tcpip rchan [0-9]* win [0-9]*' '%s' | awk '{print $NF}' | sort -n"
	fixture_run(WINS " | uniq -c | sort -rn | head -n 5", f.log);
	CHECK(fixture_run("test \"$(" WINS " | tail -n 1)\" = 2097152", f.log) == 0);
	CHECK(fixture_run("test \"$(" WINS " | head -n 1)\" -le 262144", f.log) == 0);
	CHECK(fixture_run("test \"$(" WINS " | head -n 1)\" -ge 131072", f.log) == 0);
#undef WINS

	/* Stop: clean, and nothing left behind. */
	pf_session_stop(s);
	CHECK(pf_session_wait(s, 10000));
	CHECK_INT(pf_session_result(s, &err), PF_OK);
	pf_session_free(s);
	CHECK_INT(ui.state, PF_CONN_IDLE);
	threads1 = threads_settle(threads0);
	fds1 = count_fds();
	printf("after: %d threads, %d descriptors\n", threads1, fds1);
	CHECK_INT(threads1, threads0);
	/* Every descriptor back, the SSH sockets included (libssh does not
	 * close a socket given to it: the session does). */
	CHECK_INT(fds1, fds0);
	CHECK(eng_refused("127.0.0.1", p_load)); /* the listeners are closed */
	pf_sleep_ms(300);
	/* Both sessions said goodbye to the server. */
	CHECK(fixture_run("test $(grep -c 'Received disconnect from 127.0.0.1 port [0-9]*:11:' "
			  "'%s') = 2",
			  f.log) == 0);
	rec_free(&ui);

	echo_stop(&echo);
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_engine");
}
