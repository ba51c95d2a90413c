/* Logins other than a key file, and the host key rules, against real sshds:
 * password (wrong, then right), keyboard-interactive through PAM, a key in
 * OpenSSH's ssh-agent (and IdentityAgent none), a server offering only
 * algorithms we do not enable, a hashed known_hosts entry, the
 * StrictHostKeyChecking modes, and a kit in a folder named メール設定. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "pf/config.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/session.h"
#include "pf/version.h"
#include "sshd_fixture.h"
#include "test_ui.h"

#define KIT_JA "\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab\xe8\xa8\xad\xe5\xae\x9a"

static char cfgpath[800];

static void write_config(const sshd_fixture *f, const char *user, const char *extra)
{
	FILE *c = fopen(cfgpath, "w");

	if (c == NULL)
		return;
	fprintf(c, "Host test\n  HostName 127.0.0.1\n  Port %d\n  User %s\n%s\n", f->port, user,
		extra ? extra : "");
	fclose(c);
}

/* Run one session to CONNECTED (or its end) and stop it; returns the
 * result: PF_OK when it connected. */
static pf_rc session_once(test_ui *ui, const char *host, pf_error *err)
{
	pf_config *cfg = NULL;
	pf_host_config *hc = NULL;
	pf_session *s = NULL;
	pf_diags d;
	pf_rc rc;

	pf_diag_init(&d);
	if (pf_config_load(cfgpath, NULL, &cfg, &d) != PF_OK ||
	    pf_config_resolve(cfg, host, NULL, &hc, &d) != PF_OK) {
		pf_diag_free(&d);
		pf_config_free(cfg);
		return PF_E_CONFIG;
	}
	pf_diag_free(&d);
	pf_config_free(cfg);
	if (pf_session_start(hc, &ui->ui, NULL, &s, err) != PF_OK)
		return PF_E_INTERNAL;
	for (;;) {
		if (test_ui_wait_state(ui, PF_CONN_CONNECTED, 200)) {
			rc = PF_OK;
			break;
		}
		if (pf_session_wait(s, 0)) {
			rc = pf_session_result(s, err);
			if (rc == PF_OK)
				rc = PF_E_INTERNAL;
			break;
		}
	}
	pf_session_free(s);
	return rc;
}

static void test_password(sshd_fixture *f, int have_user)
{
	test_ui ui;
	pf_error err;

	if (!have_user) {
		check_skip("password login (needs root and mount namespaces)");
		return;
	}
	write_config(f, "pftest", "  PreferredAuthentications password");
	test_ui_init(&ui);
	ui.secrets[0] = "not it";
	ui.secrets[1] = "pf-Pa55word";
	ui.nsecrets = 2;
	ui.hostkey_answer = PF_HOSTKEY_ACCEPT_SAVE;
	CHECK_INT(session_once(&ui, "test", &err), PF_OK);
	CHECK_INT(ui.secret_asks, 2);
	CHECK_INT(ui.last_secret_kind, PF_SECRET_PASSWORD);
	CHECK(strstr(ui.last_reason, "Wrong password") != NULL);
	test_ui_free(&ui);

	/* Cancel at the password prompt: this attempt ends, nothing else. */
	test_ui_init(&ui);
	ui.secrets[0] = NULL;
	ui.nsecrets = 1;
	CHECK_INT(session_once(&ui, "test", &err), PF_E_CANCELLED);
	test_ui_free(&ui);
}

static void test_kbdint(sshd_fixture *f, int have_user)
{
	test_ui ui;
	pf_error err;
	pf_rc rc;

	if (!have_user) {
		check_skip("keyboard-interactive login (needs root and mount namespaces)");
		return;
	}
	sshd_fixture_stop(f);
	sshd_fixture_set(f, "UsePAM", "yes");
	sshd_fixture_set(f, "PasswordAuthentication", "no");
	sshd_fixture_set(f, "KbdInteractiveAuthentication", "yes");
	if (sshd_fixture_start(f) != 0) {
		CHECK(0);
		return;
	}
	write_config(f, "pftest", "  PreferredAuthentications keyboard-interactive");
	test_ui_init(&ui);
	ui.secrets[0] = "pf-Pa55word";
	ui.nsecrets = 1;
	rc = session_once(&ui, "test", &err);
	if (rc != PF_OK)
		printf("kbdint: %s\n", err.message);
	CHECK_INT(rc, PF_OK);
	CHECK_INT(ui.last_secret_kind, PF_SECRET_KBDINT);
	test_ui_free(&ui);
	sshd_fixture_stop(f);
	sshd_fixture_set(f, "UsePAM", "no");
	sshd_fixture_set(f, "KbdInteractiveAuthentication", "no");
	sshd_fixture_start(f);
}

static void test_agent(sshd_fixture *f)
{
	char sock[700], *old = getenv("SSH_AUTH_SOCK") ? pf_strdup(getenv("SSH_AUTH_SOCK")) : NULL;
	test_ui ui;
	pf_error err;
	pid_t agent;
	int i;

	snprintf(sock, sizeof(sock), "%s/agent.sock", f->dir);
	agent = fork();
	if (agent == 0) {
		execlp("ssh-agent", "ssh-agent", "-D", "-a", sock, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && access(sock, F_OK) != 0; i++)
		pf_sleep_ms(50);
	setenv("SSH_AUTH_SOCK", sock, 1);
	CHECK(fixture_run("ssh-add -q '%s' 2>/dev/null", f->client_key) == 0);
	/* No usable key file: the agent's key must do. */
	write_config(f, f->user,
		     "  PreferredAuthentications publickey\n  IdentityFile missing_key");
	test_ui_init(&ui);
	CHECK_INT(session_once(&ui, "test", &err), PF_OK);
	CHECK_INT(ui.secret_asks, 0);
	test_ui_free(&ui);
	/* IdentityAgent none: the agent is not asked. */
	write_config(f, f->user,
		     "  PreferredAuthentications publickey\n  IdentityFile missing_key\n"
		     "  IdentityAgent none");
	test_ui_init(&ui);
	CHECK_INT(session_once(&ui, "test", &err), PF_E_AUTH);
	printf("no agent: %s\n", err.message);
	test_ui_free(&ui);
	kill(agent, SIGTERM);
	waitpid(agent, NULL, 0);
	if (old != NULL)
		setenv("SSH_AUTH_SOCK", old, 1);
	else
		unsetenv("SSH_AUTH_SOCK");
	free(old);
}

static void test_algorithms(sshd_fixture *f)
{
	test_ui ui;
	pf_error err;

	sshd_fixture_stop(f);
	/* Old CBC ciphers only: PortForwarder does not offer them by default. */
	CHECK(fixture_run("sed -i '1i Ciphers aes128-cbc' '%s'", f->config) == 0);
	CHECK(sshd_fixture_start(f) == 0);
	write_config(f, f->user, "  IdentityFile id_ed25519");
	test_ui_init(&ui);
	CHECK_INT(session_once(&ui, "test", &err), PF_E_NETWORK);
	printf("algorithms: %s\n", err.message);
	CHECK(strstr(err.message, "aes128-cbc") != NULL);
	test_ui_free(&ui);
	sshd_fixture_stop(f);
	CHECK(fixture_run("sed -i '1d' '%s'", f->config) == 0);
	CHECK(sshd_fixture_start(f) == 0);
}

static void test_hostkey_modes(sshd_fixture *f, const char *kit)
{
	char kh[800];
	test_ui ui;
	pf_error err;
	char *data = NULL;
	size_t len = 0;

	snprintf(kh, sizeof(kh), "%s/known_hosts", kit);
	/* A hashed entry (as ssh-keyscan | ssh-keygen -H writes it) matches. */
	remove(kh);
	CHECK(fixture_run("ssh-keyscan -p %d -t ed25519 127.0.0.1 2>/dev/null > '%s' && "
			  "ssh-keygen -q -H -f '%s' && rm -f '%s.old'",
			  f->port, kh, kh, kh) == 0);
	CHECK(fixture_run("grep -q '^|1|' '%s'", kh) == 0);
	write_config(f, f->user, "  IdentityFile id_ed25519\n  StrictHostKeyChecking yes");
	test_ui_init(&ui);
	CHECK_INT(session_once(&ui, "test", &err), PF_OK);
	CHECK_INT(ui.hostkey_asks, 0);
	test_ui_free(&ui);

	/* StrictHostKeyChecking no: an unknown key is saved without asking. */
	remove(kh);
	write_config(f, f->user, "  IdentityFile id_ed25519\n  StrictHostKeyChecking no");
	test_ui_init(&ui);
	CHECK_INT(session_once(&ui, "test", &err), PF_OK);
	CHECK_INT(ui.hostkey_asks, 0);
	CHECK(pf_file_exists(kh));
	test_ui_free(&ui);

	/* ...but a changed key is refused even then, and the file stays. */
	CHECK_INT(pf_file_read(kh, 1 << 20, &data, &len, NULL), PF_OK);
	sshd_fixture_stop(f);
	CHECK(fixture_run("rm -f '%s' '%s.pub' && ssh-keygen -q -t ed25519 -N '' -f '%s'",
			  f->host_key, f->host_key, f->host_key) == 0);
	CHECK(sshd_fixture_start(f) == 0);
	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_ACCEPT_SAVE;
	CHECK_INT(session_once(&ui, "test", &err), PF_E_HOSTKEY);
	test_ui_free(&ui);
	{
		char *now = NULL;
		size_t nlen = 0;

		CHECK_INT(pf_file_read(kh, 1 << 20, &now, &nlen, NULL), PF_OK);
		CHECK(data != NULL && now != NULL && nlen == len && memcmp(now, data, len) == 0);
		free(now);
	}
	free(data);
	remove(kh);
}

int main(void)
{
	sshd_fixture f;
	char kit[700];
	int have_user;

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "auth", NULL) != 0)
		return 1;
	/* The kit lives in a folder with a Japanese name. */
	snprintf(kit, sizeof(kit), "%s/" KIT_JA, f.dir);
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.txt", kit);
	if (fixture_run("mkdir -p '%s' && cp '%s' '%s.pub' '%s/'", kit, f.client_key, f.client_key,
			kit) != 0)
		return 1;
	have_user = sshd_fixture_add_user(&f, "pftest", "pf-Pa55word") == 0;
	if (have_user) {
		sshd_fixture_set(&f, "PasswordAuthentication", "yes");
	}
	if (sshd_fixture_start(&f) != 0)
		return 1;

	test_password(&f, have_user);
	test_kbdint(&f, have_user);
	/* Key-based tests from here: the key file sits in the kit. */
	{
		char key[800];

		snprintf(key, sizeof(key), "%s/id_ed25519", kit);
		CHECK(pf_file_exists(key));
	}
	test_agent(&f);
	test_algorithms(&f);
	test_hostkey_modes(&f, kit);

	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_auth");
}
