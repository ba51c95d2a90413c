/* The user's day against a real sshd: a config.txt and an encrypted key in
 * one folder; the first connection asks about the host key (trust and save:
 * known_hosts appears next to the key) and the passphrase (a wrong one, then
 * the right one); the LocalForward carries a dialogue to a real echo service
 * (socat), with half-close; a second connection is silent about the host
 * key; a changed host key is refused and known_hosts stays byte-identical;
 * stop is clean. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "pf/config.h"
#include "pf/mem.h"
#include "pf/net.h"
#include "pf/platform.h"
#include "pf/session.h"
#include "pf/version.h"
#include "sshd_fixture.h"
#include "test_ui.h"

#define PASSPHRASE "correct horse battery"

static pid_t echo_pid = -1;

static void stop_echo(void)
{
	if (echo_pid > 0) {
		kill(echo_pid, SIGTERM);
		waitpid(echo_pid, NULL, 0);
		echo_pid = -1;
	}
}

static int start_echo(int port)
{
	char listen[64];
	int i;

	snprintf(listen, sizeof(listen), "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port);
	echo_pid = fork();
	if (echo_pid == 0) {
		execlp("socat", "socat", listen, "EXEC:cat", (char *)NULL);
		_exit(127);
	}
	atexit(stop_echo);
	for (i = 0; i < 100; i++) {
		pf_socket s;
		pf_error err;
		pf_pollfd p;

		if (pf_net_connect_start("127.0.0.1", port, &s, &err) == PF_OK) {
			p.fd = s;
			p.events = PF_POLL_OUT;
			p.revents = 0;
			if (pf_net_poll(&p, 1, 1000) == 1 &&
			    pf_net_connect_result(s, &err) == PF_OK) {
				pf_net_close(s);
				return 0;
			}
			pf_net_close(s);
		}
		pf_sleep_ms(50);
	}
	return -1;
}

/* Connect to the forward, send `msg`, half-close, read everything back. */
static int dialogue(int port, const char *msg, char *reply, size_t size)
{
	pf_socket s;
	pf_error err;
	pf_pollfd p;
	size_t got = 0;
	uint64_t end = pf_time_ms() + 10000;

	if (pf_net_connect_start("127.0.0.1", port, &s, &err) != PF_OK)
		return -1;
	p.fd = s;
	p.events = PF_POLL_OUT;
	if (pf_net_poll(&p, 1, 5000) != 1 || pf_net_connect_result(s, &err) != PF_OK) {
		pf_net_close(s);
		return -1;
	}
	if (pf_net_send(s, msg, strlen(msg)) != (long)strlen(msg)) {
		pf_net_close(s);
		return -1;
	}
	pf_net_shutdown_write(s);
	while (pf_time_ms() < end && got + 1 < size) {
		long n;

		p.events = PF_POLL_IN;
		if (pf_net_poll(&p, 1, 1000) <= 0)
			continue;
		n = pf_net_recv(s, reply + got, size - 1 - got);
		if (n == 0)
			break; /* EOF passed through from the far end */
		if (n < 0 && n != PF_E_NOTFOUND) {
			got = 0;
			break;
		}
		if (n > 0)
			got += (size_t)n;
	}
	reply[got] = '\0';
	pf_net_close(s);
	return pf_time_ms() < end ? (int)got : -1;
}

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len;

	if (pf_file_read(path, 1 << 20, &data, &len, NULL) != PF_OK)
		return NULL;
	return data;
}

int main(void)
{
	sshd_fixture f;
	char kit[600], cfgpath[700], key[700], kh[700], reply[256];
	int fwd_port, echo_port;
	pf_session *s = NULL;
	pf_host_config *hc;
	test_ui ui;
	pf_error err;
	char *before, *after;
	FILE *c;

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "session", NULL) != 0)
		return 1;
	snprintf(kit, sizeof(kit), "%s/kit", f.dir);
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", kit);
	snprintf(key, sizeof(key), "%s/id_ed25519", kit);
	snprintf(kh, sizeof(kh), "%s/known_hosts", kit);
	if (fixture_run("mkdir -p '%s' && ssh-keygen -q -t ed25519 -N '%s' -f '%s' && "
			"cat '%s.pub' >> '%s/authorized_keys'",
			kit, PASSPHRASE, key, key, f.dir) != 0)
		return 1;
	fwd_port = fixture_free_port();
	echo_port = fixture_free_port();
	c = fopen(cfgpath, "w");
	if (c == NULL)
		return 1;
	/* As users write it: CRLF, an SSH-1 keyword, two forwards. */
	fprintf(c,
		"Host test\r\n  HostName 127.0.0.1\r\n  Port %d\r\n  User %s\r\n"
		"  Cipher 3des\r\n  IdentityFile id_ed25519\r\n"
		"  LocalForward %d 127.0.0.1:%d\r\n",
		f.port, f.user, fwd_port, echo_port);
	fclose(c);
	if (sshd_fixture_start(&f) != 0 || start_echo(echo_port) != 0)
		return 1;

	/* 1. First connection: trust and save; wrong then right passphrase. */
	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_ACCEPT_SAVE;
	ui.secrets[0] = "wrong passphrase";
	ui.secrets[1] = PASSPHRASE;
	ui.nsecrets = 2;
	hc = test_load_host(cfgpath, "test");
	CHECK(hc != NULL);
	if (hc == NULL)
		return check_summary("test_session");
	CHECK_INT(pf_session_start(hc, &ui.ui, NULL, &s, &err), PF_OK);
	CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 20000));
	CHECK_INT(ui.hostkey_asks, 1);
	CHECK_INT(ui.last_hostkey_state, PF_HOSTKEY_UNKNOWN);
	CHECK_INT(ui.secret_asks, 2);
	CHECK_INT(ui.last_secret_attempt, 2);
	CHECK(strstr(ui.last_reason, "Wrong passphrase") != NULL);
	CHECK(pf_file_exists(kh));
	before = slurp(kh);
	CHECK(before != NULL && strstr(before, "[127.0.0.1]:") == before &&
	      strchr(before, '\n') == before + strlen(before) - 1);

	/* POP3-like dialogue through the forward, half-closed by the client. */
	CHECK_INT(dialogue(fwd_port, "USER ohba\r\nPASS x\r\nQUIT\r\n", reply, sizeof(reply)), 25);
	CHECK_STR(reply, "USER ohba\r\nPASS x\r\nQUIT\r\n");
	CHECK_INT(dialogue(fwd_port, "second\n", reply, sizeof(reply)), 7);
	pf_session_free(s);
	s = NULL;
	CHECK(ui.fwd_total[0] >= 2);
	test_ui_free(&ui);

	/* 2. Second connection: the host key is known, nobody is asked about it. */
	test_ui_init(&ui);
	ui.secrets[0] = PASSPHRASE;
	ui.nsecrets = 1;
	hc = test_load_host(cfgpath, "test");
	CHECK_INT(pf_session_start(hc, &ui.ui, NULL, &s, &err), PF_OK);
	CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 20000));
	CHECK_INT(ui.hostkey_asks, 0);
	CHECK_INT(dialogue(fwd_port, "again\n", reply, sizeof(reply)), 6);
	pf_session_stop(s);
	CHECK(pf_session_wait(s, 10000));
	CHECK_INT(pf_session_result(s, &err), PF_OK);
	pf_session_free(s);
	s = NULL;
	test_ui_free(&ui);

	/* 2b. The server restarts under a running session: it reconnects on its
	 * own, and nobody is asked for the passphrase again (the unlocked key is
	 * in the per-run cache). */
	{
		pf_session_opts so;
		int asks;

		memset(&so, 0, sizeof(so));
		so.reconnect = PF_RECONNECT_ALWAYS;
		so.backoff_min_ms = 200;
		so.backoff_max_ms = 1000;
		test_ui_init(&ui);
		ui.secrets[0] = PASSPHRASE;
		ui.nsecrets = 1;
		hc = test_load_host(cfgpath, "test");
		CHECK_INT(pf_session_start(hc, &ui.ui, &so, &s, &err), PF_OK);
		CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 20000));
		asks = ui.secret_asks;
		CHECK_INT(asks, 1);
		sshd_fixture_kill_sessions(&f);
		sshd_fixture_stop(&f);
		CHECK(test_ui_wait_state(&ui, PF_CONN_RECONNECTING, 20000));
		CHECK(sshd_fixture_start(&f) == 0);
		CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 30000));
		CHECK_INT(ui.secret_asks, asks);
		CHECK_INT(ui.hostkey_asks, 0);
		CHECK_INT(dialogue(fwd_port, "after restart\n", reply, sizeof(reply)), 14);
		pf_session_free(s);
		s = NULL;
		test_ui_free(&ui);
	}

	/* 3. The server gets another host key: refused, known_hosts untouched,
	 * even when the front end would say yes. */
	sshd_fixture_stop(&f);
	CHECK(fixture_run("rm -f '%s' '%s.pub' && ssh-keygen -q -t ed25519 -N '' -f '%s'",
			  f.host_key, f.host_key, f.host_key) == 0);
	CHECK(sshd_fixture_start(&f) == 0);
	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_ACCEPT_SAVE;
	ui.secrets[0] = PASSPHRASE;
	ui.nsecrets = 1;
	hc = test_load_host(cfgpath, "test");
	CHECK_INT(pf_session_start(hc, &ui.ui, NULL, &s, &err), PF_OK);
	CHECK(pf_session_wait(s, 20000));
	CHECK_INT(pf_session_result(s, &err), PF_E_HOSTKEY);
	printf("changed key: %s: %s\n", err.where, err.message);
	CHECK(strstr(err.message, "known_hosts") != NULL);
	CHECK_INT(ui.last_hostkey_state, PF_HOSTKEY_CHANGED);
	CHECK_INT(ui.secret_asks, 0);
	CHECK(!ui.saw_connected);
	after = slurp(kh);
	CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
	free(before);
	free(after);
	pf_session_free(s);
	test_ui_free(&ui);

	stop_echo();
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_session");
}
