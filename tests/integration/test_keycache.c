/* One passphrase per run (pf/keycache.h) against a real sshd: two Host
 * profiles naming the same key file (by two different paths) ask for its
 * passphrase once; a Disconnect then Connect asks nothing; a reconnect after
 * the server restarted asks nothing; "Forget passphrases" makes the next
 * login ask again; a key file changed on disk (same bytes, new time) is
 * asked for again; without a cache each session asks for itself. And
 * PortForwarder 2.9's known_hosts in the config folder still trusts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "check.h"
#include "pf/config.h"
#include "pf/keycache.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/session.h"
#include "pf/version.h"
#include "sshd_fixture.h"
#include "test_ui.h"

#define PASSPHRASE "one passphrase per run"

static char cfgpath[800], keypath[800];

/* Start a session for `host` with `kc` and wait until it is connected;
 * returns the session (running) or NULL. The ui answers with PASSPHRASE
 * at most once; ui->secret_asks says how often it was asked. */
static pf_session *connect_host(const char *host, pf_keycache *kc, test_ui *ui)
{
	pf_session_opts so;
	pf_session *s = NULL;
	pf_error err;
	pf_host_config *hc = test_load_host(cfgpath, host);

	if (!CHECK(hc != NULL))
		return NULL;
	memset(&so, 0, sizeof(so));
	so.reconnect = PF_RECONNECT_ALWAYS;
	so.backoff_min_ms = 200;
	so.backoff_max_ms = 1000;
	so.keys = kc;
	test_ui_init(ui);
	ui->hostkey_answer = PF_HOSTKEY_ACCEPT_SAVE;
	ui->secrets[0] = PASSPHRASE;
	ui->nsecrets = 1;
	if (!CHECK_INT(pf_session_start(hc, &ui->ui, &so, &s, &err), PF_OK))
		return NULL;
	CHECK(test_ui_wait_state(ui, PF_CONN_CONNECTED, 20000));
	return s;
}

/* Connect `host`, disconnect; how many times the passphrase was asked. */
static int asks_for(const char *host, pf_keycache *kc)
{
	test_ui ui;
	pf_session *s = connect_host(host, kc, &ui);
	int asks = ui.secret_asks;

	pf_session_free(s);
	test_ui_free(&ui);
	return asks;
}

int main(void)
{
	sshd_fixture f;
	pf_keycache *kc;
	test_ui ui;
	pf_session *s;
	FILE *c;
	char kit[700];

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "keycache", NULL) != 0)
		return 1;
	snprintf(kit, sizeof(kit), "%s/kit", f.dir);
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", kit);
	snprintf(keypath, sizeof(keypath), "%s/keys/id_shared", kit);
	if (fixture_run("mkdir -p '%s/keys' && ssh-keygen -q -t ed25519 -N '" PASSPHRASE
			"' -C shared -f '%s' && cat '%s.pub' >>'%s/authorized_keys'",
			kit, keypath, keypath, f.dir) != 0)
		return 1;
	c = fopen(cfgpath, "w");
	if (c == NULL)
		return 1;
	/* The manual's case: both servers in one config.txt, one key pair,
	 * named once as keys/id_shared and once through "./keys/../keys". */
	fprintf(c,
		"Host IMR\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
		"  IdentityFile keys/id_shared\n  IdentitiesOnly yes\n"
		"  UserKnownHostsFile %s/known_hosts\n"
		"Host CMS-SSH\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
		"  IdentityFile ./keys/../keys/id_shared\n  IdentitiesOnly yes\n"
		"  UserKnownHostsFile %s/known_hosts\n"
		"Host Kit29\n  HostName 127.0.0.1\n  Port %d\n  User %s\n"
		"  IdentityFile keys/id_shared\n  IdentitiesOnly yes\n",
		f.port, f.user, kit, f.port, f.user, kit, f.port, f.user);
	fclose(c);
	if (sshd_fixture_start(&f) != 0)
		return 1;
	kc = pf_keycache_new();
	if (!CHECK(kc != NULL))
		return check_summary("test_keycache");

	/* 1. The first host asks once; the key is kept. */
	CHECK_INT(asks_for("IMR", kc), 1);
	CHECK_INT(pf_keycache_count(kc), 1);
	/* 2. The second host names the same file: nobody is asked. */
	CHECK_INT(asks_for("CMS-SSH", kc), 0);
	/* 3. Disconnect, then Connect: nobody is asked. */
	CHECK_INT(asks_for("IMR", kc), 0);

	/* 3b. A 2.9 kit: known_hosts in the config folder, the key in a
	 * subfolder, no UserKnownHostsFile: the server is known, nobody is
	 * asked, and no known_hosts appears beside the key. */
	{
		char kh[800];

		s = connect_host("Kit29", kc, &ui);
		CHECK_INT(ui.hostkey_asks, 0);
		CHECK_INT(ui.secret_asks, 0);
		pf_session_free(s);
		test_ui_free(&ui);
		snprintf(kh, sizeof(kh), "%s/keys/known_hosts", kit);
		CHECK(!pf_file_exists(kh));
	}

	/* 4. The server restarts under a live session: the reconnect asks
	 * nothing. */
	s = connect_host("CMS-SSH", kc, &ui);
	CHECK_INT(ui.secret_asks, 0);
	sshd_fixture_kill_sessions(&f);
	sshd_fixture_stop(&f);
	CHECK(test_ui_wait_state(&ui, PF_CONN_RECONNECTING, 20000));
	CHECK(sshd_fixture_start(&f) == 0);
	CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 30000));
	CHECK_INT(ui.secret_asks, 0);
	CHECK(test_ui_log_has(&ui, "unlocked earlier in this run"));
	CHECK(!test_ui_log_has(&ui, PASSPHRASE));

	/* 5. Forget passphrases: the live connection stays; the next login
	 * asks again (here: the next reconnect of the same session). */
	pf_keycache_forget_all(kc);
	CHECK_INT(pf_keycache_count(kc), 0);
	CHECK_INT(ui.state, PF_CONN_CONNECTED);
	sshd_fixture_kill_sessions(&f);
	CHECK(test_ui_wait_state(&ui, PF_CONN_RECONNECTING, 20000));
	CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 30000));
	CHECK_INT(ui.secret_asks, 1);
	pf_session_free(s);
	test_ui_free(&ui);
	CHECK_INT(pf_keycache_count(kc), 1);
	CHECK_INT(asks_for("IMR", kc), 0);

	/* 6. The key file changed on disk (same bytes, another time): asked
	 * again, for either host. */
	{
		struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};

		CHECK(utimes(keypath, tv) == 0);
	}
	CHECK_INT(asks_for("CMS-SSH", kc), 1);
	CHECK_INT(asks_for("IMR", kc), 0);
	CHECK_INT(pf_keycache_count(kc), 1);

	/* 7. Exit: everything goes. */
	pf_keycache_free(kc);

	/* 8. Without a cache, each session asks for itself. */
	CHECK_INT(asks_for("IMR", NULL), 1);
	CHECK_INT(asks_for("CMS-SSH", NULL), 1);

	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_keycache");
}
