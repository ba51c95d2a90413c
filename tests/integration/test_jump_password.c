/* Credentials are cached per user@host:port (issue 18 item 2): through a
 * ProxyJump host, both real sshds ask for a password, each its own for the
 * same user name. The jump host's password is never offered to the target
 * (the target's log shows no failed password), each is asked once, and a
 * reconnect after both servers dropped every session asks nobody: each
 * server gets its own cached password back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/config.h"
#include "pf/platform.h"
#include "pf/session.h"
#include "pf/version.h"
#include "sshd_fixture.h"
#include "test_ui.h"

#define JUMP_PW   "jump-Pa55word"
#define TARGET_PW "target-Pa55word"

int main(void)
{
	sshd_fixture jump, target;
	char cfgpath[800];
	pf_session_opts opts = {
		.reconnect = PF_RECONNECT_ALWAYS, .backoff_min_ms = 200, .backoff_max_ms = 1000};
	pf_session *s = NULL;
	pf_host_config *hc;
	test_ui ui;
	pf_error err;
	FILE *c;
	int i;

	if (pf_lib_init() != 0 || sshd_fixture_init(&jump, "pwjump", NULL) != 0 ||
	    sshd_fixture_init(&target, "pwtarget", NULL) != 0)
		return 1;
	if (sshd_fixture_add_user(&jump, "pftest", JUMP_PW) != 0 ||
	    sshd_fixture_add_user(&target, "pftest", TARGET_PW) != 0) {
		check_skip("password logins need root and mount namespaces");
		return check_summary("test_jump_password");
	}
	if (sshd_fixture_set(&jump, "PasswordAuthentication", "yes") != 0 ||
	    sshd_fixture_set(&target, "PasswordAuthentication", "yes") != 0)
		return 1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", jump.dir);
	c = fopen(cfgpath, "w");
	if (c == NULL)
		return 1;
	/* The same user name and address on both: only the port tells the
	 * two accounts apart. */
	fprintf(c,
		"Host *\n  HostName 127.0.0.1\n  User pftest\n  PreferredAuthentications password\n"
		"  UserKnownHostsFile %s/known_hosts\n  StrictHostKeyChecking accept-new\n"
		"Host jump\n  Port %d\n"
		"Host target\n  Port %d\n  ProxyJump jump\n",
		jump.dir, jump.port, target.port);
	fclose(c);
	if (sshd_fixture_start(&jump) != 0 || sshd_fixture_start(&target) != 0)
		return 1;

	test_ui_init(&ui);
	ui.secrets[0] = JUMP_PW;
	ui.secrets[1] = TARGET_PW;
	ui.nsecrets = 2;
	hc = test_load_host(cfgpath, "target");
	CHECK(hc != NULL && hc->n_jump_hops == 1);
	CHECK_INT(pf_session_start(hc, &ui.ui, &opts, &s, &err), PF_OK);
	CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 20000));
	CHECK_INT(ui.secret_asks, 2);
	CHECK_INT(ui.last_secret_kind, PF_SECRET_PASSWORD);
	/* Before the cache was keyed per account, the jump host's password
	 * was tried on the target first. */
	CHECK(fixture_run("grep -q 'Accepted password for pftest' '%s'", jump.log) == 0);
	CHECK(fixture_run("grep -q 'Accepted password for pftest' '%s'", target.log) == 0);
	CHECK(fixture_run("grep -q 'Failed password' '%s'", target.log) != 0);
	CHECK(fixture_run("grep -q 'Failed password' '%s'", jump.log) != 0);

	/* The jump host drops every session (and with it the path to the
	 * target): the reconnect answers both from the cache, asking nobody. */
	sshd_fixture_kill_sessions(&jump);
	for (i = 0; i < 100 && !test_ui_log_has(&ui, "Reconnecting in"); i++)
		pf_sleep_ms(100);
	CHECK(test_ui_log_has(&ui, "Reconnecting in"));
	CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 20000));
	CHECK_INT(ui.secret_asks, 2);
	CHECK(fixture_run("test $(grep -c 'Accepted password for pftest' '%s') -ge 2", jump.log) ==
	      0);
	CHECK(fixture_run("test $(grep -c 'Accepted password for pftest' '%s') -ge 2",
			  target.log) == 0);
	CHECK(fixture_run("grep -q 'Failed password' '%s'", target.log) != 0);
	pf_session_free(s);
	test_ui_free(&ui);

	sshd_fixture_stop(&jump);
	sshd_fixture_stop(&target);
	pf_lib_cleanup();
	return check_summary("test_jump_password");
}
