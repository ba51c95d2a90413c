/* Connection settings against a real sshd: AddressFamily, BindAddress,
 * ConnectTimeout (a server whose accept queue is full never answers),
 * ConnectionAttempts, Compression, and LogLevel keeping verbose lines out. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "pf/config.h"
#include "pf/platform.h"
#include "pf/session.h"
#include "pf/version.h"
#include "sshd_fixture.h"
#include "test_ui.h"

static char cfgpath[800];

static void write_config(const sshd_fixture *f, const char *hostname, int port, const char *extra)
{
	FILE *c = fopen(cfgpath, "w");

	if (c == NULL)
		return;
	fprintf(c,
		"Host test\n  HostName %s\n  Port %d\n  User %s\n  IdentityFile %s\n"
		"  StrictHostKeyChecking no\n%s\n",
		hostname, port, f->user, f->client_key, extra ? extra : "");
	fclose(c);
}

static pf_rc run(test_ui *ui, pf_error *err, uint64_t *ms)
{
	pf_config *cfg = NULL;
	pf_host_config *hc = NULL;
	pf_session *s = NULL;
	pf_diags d;
	pf_rc rc = PF_E_INTERNAL;
	uint64_t t0 = pf_time_ms();

	pf_diag_init(&d);
	if (pf_config_load(cfgpath, NULL, &cfg, &d) == PF_OK &&
	    pf_config_resolve(cfg, "test", NULL, &hc, &d) == PF_OK &&
	    pf_session_start(hc, &ui->ui, NULL, &s, err) == PF_OK) {
		for (;;) {
			if (test_ui_wait_state(ui, PF_CONN_CONNECTED, 100)) {
				rc = PF_OK;
				break;
			}
			if (pf_session_wait(s, 0)) {
				rc = pf_session_result(s, err);
				break;
			}
		}
	}
	if (ms != NULL)
		*ms = pf_time_ms() - t0;
	pf_session_free(s);
	pf_diag_free(&d);
	pf_config_free(cfg);
	return rc;
}

/* A listener that never accepts, with its tiny queue filled: connecting
 * to it hangs (the SYN is dropped), which only a timeout ends. */
static int blackhole(int *port, int fds[8])
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), i;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 0) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0)
		return -1;
	*port = ntohs(a.sin_port);
	fds[0] = l;
	for (i = 1; i < 8; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		/* Non-blocking: the later ones may hang, which is the point. */
		if (fds[i] >= 0) {
			struct timeval tv = {0, 200000};

			setsockopt(fds[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			connect(fds[i], (struct sockaddr *)&a, sizeof(a));
		}
	}
	return 0;
}

int main(void)
{
	sshd_fixture f;
	test_ui ui;
	pf_error err;
	uint64_t ms = 0;
	int hole_port = 0, hole[8] = {-1, -1, -1, -1, -1, -1, -1, -1}, i, closed;

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "connopts", NULL) != 0 ||
	    sshd_fixture_start(&f) != 0)
		return 1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", f.dir);

	/* AddressFamily: sshd listens on 127.0.0.1 only. */
	write_config(&f, "localhost", f.port, "  AddressFamily inet");
	test_ui_init(&ui);
	CHECK_INT(run(&ui, &err, NULL), PF_OK);
	test_ui_free(&ui);
	/* An IPv4 address cannot be reached over IPv6 only. */
	write_config(&f, "127.0.0.1", f.port, "  AddressFamily inet6");
	test_ui_init(&ui);
	CHECK_INT(run(&ui, &err, NULL), PF_E_NOTFOUND);
	printf("inet6 only: %s\n", err.message);
	CHECK(strstr(err.message, "AddressFamily inet6") != NULL);
	test_ui_free(&ui);

	/* BindAddress: the server sees the connection from 127.0.0.2. */
	write_config(&f, "127.0.0.1", f.port, "  BindAddress 127.0.0.2");
	test_ui_init(&ui);
	CHECK_INT(run(&ui, &err, NULL), PF_OK);
	CHECK(fixture_run("grep -q 'Connection from 127.0.0.2' '%s'", f.log) == 0);
	test_ui_free(&ui);

	/* Compression yes still connects (zlib is built in). */
	write_config(&f, "127.0.0.1", f.port, "  Compression yes");
	test_ui_init(&ui);
	CHECK_INT(run(&ui, &err, NULL), PF_OK);
	test_ui_free(&ui);

	/* ConnectTimeout: a silent server gives up after about 2 s. */
	if (blackhole(&hole_port, hole) == 0) {
		write_config(&f, "127.0.0.1", hole_port, "  ConnectTimeout 2");
		test_ui_init(&ui);
		CHECK_INT(run(&ui, &err, &ms), PF_E_NETWORK);
		printf("timeout after %llu ms: %s\n", (unsigned long long)ms, err.message);
		CHECK(ms >= 1500 && ms < 15000);
		test_ui_free(&ui);
		for (i = 0; i < 8; i++)
			if (hole[i] >= 0)
				close(hole[i]);
	}

	/* ConnectionAttempts: a closed port is tried that many times. */
	closed = fixture_free_port();
	write_config(&f, "127.0.0.1", closed, "  ConnectionAttempts 3\n  LogLevel VERBOSE");
	test_ui_init(&ui);
	CHECK_INT(run(&ui, &err, NULL), PF_E_NETWORK);
	printf("attempts: %s\n", err.message);
	CHECK(strstr(err.message, "port") != NULL);
	{
		/* Three "Connecting to" lines in the verbose log. */
		const char *p = ui.log;
		int n = 0;

		while ((p = strstr(p, "Connecting to 127.0.0.1")) != NULL) {
			n++;
			p++;
		}
		CHECK_INT(n, 3);
	}
	test_ui_free(&ui);

	/* LogLevel INFO (default): no verbose lines reach the front end. */
	write_config(&f, "127.0.0.1", f.port, "");
	test_ui_init(&ui);
	CHECK_INT(run(&ui, &err, NULL), PF_OK);
	CHECK(!test_ui_log_has(&ui, "Connecting to"));
	CHECK(test_ui_log_has(&ui, "Connected to"));
	test_ui_free(&ui);

	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_connect_opts");
}
