/* Host key trust decisions of the core against a real sshd (issue 18):
 * item 6, accept-new with a known_hosts that cannot be written: a front end
 * that asks (the GUI sets ask_unsaved_hostkey) is asked, with the reason,
 * instead of the key being trusted unpinned; a "no" refuses. The CLI's way
 * (accepted, one loud line) is covered by tests/security/knownhosts.sh. */
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

static sshd_fixture f;
static char cfgpath[700];

static int write_config(const char *known_hosts, const char *strict)
{
	FILE *c = fopen(cfgpath, "w");

	if (c == NULL)
		return -1;
	fprintf(c,
		"Host test\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile %s\n"
		"  IdentitiesOnly yes\n  UserKnownHostsFile %s\n  StrictHostKeyChecking %s\n",
		f.port, f.user, f.client_key, known_hosts, strict);
	return fclose(c);
}

/* One connection with the scripted front end; returns the session's result. */
static pf_rc run(test_ui *ui, int *connected)
{
	pf_host_config *hc = test_load_host(cfgpath, "test");
	pf_session *s = NULL;
	pf_error err;
	pf_rc rc;

	*connected = 0;
	if (!CHECK(hc != NULL))
		return PF_E_CONFIG;
	if (!CHECK(pf_session_start(hc, &ui->ui, NULL, &s, &err) == PF_OK))
		return err.code;
	*connected = test_ui_wait_state(ui, PF_CONN_CONNECTED, 15000);
	if (*connected)
		pf_session_stop(s);
	CHECK(pf_session_wait(s, 20000));
	rc = pf_session_result(s, &err);
	if (rc != PF_OK)
		printf("result: %s\n", err.message);
	pf_session_free(s);
	return rc;
}

static void test_unsaveable_accept_new(void)
{
	char kh[700];
	test_ui ui;
	int connected;
	pf_rc rc;

	snprintf(kh, sizeof(kh), "%s/missing/known_hosts", f.dir);
	CHECK(write_config(kh, "accept-new") == 0);

	/* The GUI's way: asked (with the reason); "no" refuses. */
	test_ui_init(&ui);
	ui.ui.ask_unsaved_hostkey = 1;
	ui.hostkey_answer = PF_HOSTKEY_REJECT;
	rc = run(&ui, &connected);
	CHECK_INT(rc, PF_E_HOSTKEY);
	CHECK(!connected && !ui.saw_connected);
	CHECK_INT(ui.hostkey_asks, 1);
	CHECK_INT(ui.last_hostkey_state, PF_HOSTKEY_UNKNOWN);
	CHECK(ui.last_hostkey.cannot_save != NULL);
	CHECK(test_ui_log_has(&ui, "cannot be saved"));
	test_ui_free(&ui);

	/* "Yes" connects (once: there is nowhere to save it). */
	test_ui_init(&ui);
	ui.ui.ask_unsaved_hostkey = 1;
	ui.hostkey_answer = PF_HOSTKEY_ACCEPT_SAVE;
	rc = run(&ui, &connected);
	CHECK(connected);
	CHECK_INT(rc, PF_OK);
	CHECK_INT(ui.hostkey_asks, 1);
	test_ui_free(&ui);

	/* The CLI's way: not asked, connected, one loud line. */
	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_REJECT;
	rc = run(&ui, &connected);
	CHECK(connected);
	CHECK_INT(ui.hostkey_asks, 0);
	CHECK(test_ui_log_has(&ui, "will be accepted again, unverified"));
	test_ui_free(&ui);
	CHECK(!pf_dir_exists(kh));
}

int main(void)
{
	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "hostkey_trust", NULL) != 0 ||
	    sshd_fixture_start(&f) != 0)
		return 1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", f.dir);
	test_unsaveable_accept_new();
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_hostkey_trust");
}
