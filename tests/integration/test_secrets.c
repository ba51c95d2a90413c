/* Secrets do not outlive Disconnect (issue 18 item 3), against a real sshd:
 * the unlocked key and the password a session keeps for its reconnects are
 * in its cache while it is connected, and gone as soon as the worker has
 * ended (stop, then pf_session_wait), before pf_session_free, which a front
 * end may call much later. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/config.h"
#include "pf/session.h"
#include "pf/version.h"
#include "sshd_fixture.h"
#include "test_ui.h"

#define PASSPHRASE "PF-CANARY-item3-passphrase"
#define PASSWORD   "PF-CANARY-item3-Pa55word"

static sshd_fixture f;
static char cfgpath[700];

/* Connect, check the cache is filled, stop, check it is empty before free. */
static void connect_stop(test_ui *ui, const char *what)
{
	pf_host_config *hc = test_load_host(cfgpath, "test");
	pf_session *s = NULL;
	pf_error err;

	if (!CHECK(hc != NULL) || !CHECK(pf_session_start(hc, &ui->ui, NULL, &s, &err) == PF_OK))
		return;
	if (CHECK(test_ui_wait_state(ui, PF_CONN_CONNECTED, 20000))) {
		size_t n = pf_session_cached_credentials(s);

		printf("%s: %zu cached while connected\n", what, n);
		CHECK(n >= 1);
	}
	pf_session_stop(s);
	CHECK(pf_session_wait(s, 20000));
	CHECK_INT(pf_session_cached_credentials(s), 0);
	pf_session_free(s);
}

int main(void)
{
	char key[700];
	int have_user;
	FILE *c;
	test_ui ui;

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "secrets", NULL) != 0)
		return 1;
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", f.dir);
	snprintf(key, sizeof(key), "%s/id_locked", f.dir);
	if (fixture_run("ssh-keygen -q -t ed25519 -N '%s' -f '%s' && cat '%s.pub' >> "
			"'%s/authorized_keys'",
			PASSPHRASE, key, key, f.dir) != 0)
		return 1;
	have_user = sshd_fixture_add_user(&f, "pftest", PASSWORD) == 0;
	if (have_user)
		sshd_fixture_set(&f, "PasswordAuthentication", "yes");
	if (sshd_fixture_start(&f) != 0)
		return 1;

	/* An encrypted key: the unlocked key is cached, then wiped. */
	c = fopen(cfgpath, "w");
	if (c == NULL)
		return 1;
	fprintf(c,
		"Host test\n  HostName 127.0.0.1\n  Port %d\n  User %s\n  IdentityFile %s\n"
		"  IdentitiesOnly yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile none\n",
		f.port, f.user, key);
	fclose(c);
	test_ui_init(&ui);
	ui.secrets[0] = PASSPHRASE;
	ui.nsecrets = 1;
	connect_stop(&ui, "passphrase");
	CHECK_INT(ui.secret_asks, 1);
	test_ui_free(&ui);

	/* A password: cached (masked), then wiped. */
	if (have_user) {
		c = fopen(cfgpath, "w");
		if (c == NULL)
			return 1;
		fprintf(c,
			"Host test\n  HostName 127.0.0.1\n  Port %d\n  User pftest\n"
			"  PreferredAuthentications password\n  StrictHostKeyChecking no\n"
			"  UserKnownHostsFile none\n",
			f.port);
		fclose(c);
		test_ui_init(&ui);
		ui.secrets[0] = PASSWORD;
		ui.nsecrets = 1;
		connect_stop(&ui, "password");
		CHECK_INT(ui.last_secret_kind, PF_SECRET_PASSWORD);
		test_ui_free(&ui);
	} else {
		check_skip("password login (needs root and mount namespaces)");
	}
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_secrets");
}
