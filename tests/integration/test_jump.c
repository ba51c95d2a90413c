/* ProxyJump done by the core: a target sshd reached through a jump sshd,
 * both real, each host key checked and saved, each login with the key; the
 * LocalForward carries data; a jump host that refuses forwarding gives one
 * clear message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/config.h"
#include "pf/net.h"
#include "pf/platform.h"
#include "pf/session.h"
#include "pf/version.h"
#include "sshd_fixture.h"
#include "test_ui.h"

/* Echo one line through the forward (a local echo listener of our own). */
static int echo_through(int fwd_port, pf_socket listener)
{
	pf_socket c = PF_INVALID_SOCKET, a = PF_INVALID_SOCKET;
	pf_pollfd p[2];
	pf_error err;
	char buf[64] = "";
	long n = 0;
	int i, ok = 0;

	if (pf_net_connect_start("127.0.0.1", fwd_port, &c, &err) != PF_OK)
		return 0;
	for (i = 0; i < 100 && a == PF_INVALID_SOCKET; i++) {
		p[0].fd = listener;
		p[0].events = PF_POLL_IN;
		if (pf_net_poll(p, 1, 100) == 1)
			pf_net_accept(listener, &a, NULL, 0);
	}
	if (a != PF_INVALID_SOCKET && pf_net_send(c, "via jump\n", 9) == 9) {
		for (i = 0; i < 100 && n <= 0; i++) {
			p[0].fd = a;
			p[0].events = PF_POLL_IN;
			if (pf_net_poll(p, 1, 100) == 1)
				n = pf_net_recv(a, buf, sizeof(buf) - 1);
		}
		if (n > 0) {
			buf[n] = '\0';
			ok = strcmp(buf, "via jump\n") == 0;
		}
	}
	pf_net_close(a);
	pf_net_close(c);
	return ok;
}

int main(void)
{
	sshd_fixture jump, target;
	char kit[700], cfgpath[800], kh[800], *khdata = NULL, line[64];
	pf_socket listener[4];
	size_t nl = 0, len = 0;
	int fwd_port, echo_port = 0;
	pf_session *s = NULL;
	pf_host_config *hc;
	test_ui ui;
	pf_error err;
	FILE *c;

	if (pf_lib_init() != 0 || sshd_fixture_init(&jump, "jump", NULL) != 0 ||
	    sshd_fixture_init(&target, "target", NULL) != 0)
		return 1;
	snprintf(kit, sizeof(kit), "%s/kit", jump.dir);
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", kit);
	snprintf(kh, sizeof(kh), "%s/known_hosts", kit);
	/* One key for both servers, in the kit. */
	if (fixture_run("mkdir -p '%s' && cp '%s' '%s.pub' '%s/' && cat '%s.pub' >> "
			"'%s/authorized_keys'",
			kit, jump.client_key, jump.client_key, kit, jump.client_key,
			target.dir) != 0)
		return 1;
	if (pf_net_listen("127.0.0.1", 0, listener, 4, &nl, &echo_port, &err) != PF_OK)
		return 1;
	fwd_port = fixture_free_port();
	c = fopen(cfgpath, "w");
	if (c == NULL)
		return 1;
	fprintf(c,
		"Host jump\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile id_ed25519\n"
		"Host target\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile "
		"id_ed25519\n"
		"  ProxyJump jump\n  LocalForward %d 127.0.0.1:%d\n",
		jump.port, jump.user, target.port, target.user, fwd_port, echo_port);
	fclose(c);
	if (sshd_fixture_start(&jump) != 0 || sshd_fixture_start(&target) != 0)
		return 1;

	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_ACCEPT_SAVE;
	hc = test_load_host(cfgpath, "target");
	CHECK(hc != NULL && hc->proxy_jump != NULL);
	CHECK_INT(pf_session_start(hc, &ui.ui, NULL, &s, &err), PF_OK);
	CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 20000));
	/* Both host keys were asked about and saved, each under its own port. */
	CHECK_INT(ui.hostkey_asks, 2);
	CHECK_INT(pf_file_read(kh, 1 << 20, &khdata, &len, NULL), PF_OK);
	snprintf(line, sizeof(line), "[127.0.0.1]:%d ", jump.port);
	CHECK(khdata != NULL && strstr(khdata, line) != NULL);
	snprintf(line, sizeof(line), "[127.0.0.1]:%d ", target.port);
	CHECK(khdata != NULL && strstr(khdata, line) != NULL);
	free(khdata);
	CHECK(echo_through(fwd_port, listener[0]));
	/* The jump sshd saw our login (and the refusal below proves the path
	 * to the target runs through it). */
	CHECK(fixture_run("grep -q 'Accepted publickey' '%s'", jump.log) == 0);
	pf_session_free(s);
	s = NULL;
	test_ui_free(&ui);

	/* A jump host that refuses forwarding: one clear message. */
	sshd_fixture_stop(&jump);
	CHECK(fixture_run("sed -i 's/^AllowTcpForwarding yes/AllowTcpForwarding no/' '%s'",
			  jump.config) == 0);
	CHECK(sshd_fixture_start(&jump) == 0);
	test_ui_init(&ui);
	hc = test_load_host(cfgpath, "target");
	CHECK_INT(pf_session_start(hc, &ui.ui, NULL, &s, &err), PF_OK);
	CHECK(pf_session_wait(s, 20000));
	CHECK_INT(pf_session_result(s, &err), PF_E_NETWORK);
	printf("refused: %s\n", err.message);
	CHECK(strstr(err.message, "jump host") != NULL);
	pf_session_free(s);
	test_ui_free(&ui);

	pf_net_close(listener[0]);
	sshd_fixture_stop(&jump);
	sshd_fixture_stop(&target);
	pf_lib_cleanup();
	return check_summary("test_jump");
}
