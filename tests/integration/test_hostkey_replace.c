/* Replacing a changed host key (issue 20 item 9) against a real sshd: the
 * server's key is not the one known_hosts records. Every answer but
 * PF_HOSTKEY_REPLACE is refused (a front end answering "trust and save" to
 * a changed key gets nothing) and the file stays byte for byte; REPLACE
 * rewrites only that line (in the file that holds it: the config folder's
 * known_hosts of a 2.9 kit, while the file beside the key, which takes new
 * keys, is not created), connects, and the next connection asks nothing. A
 * key of another type is never replaced. The question says whether the
 * person just asked for the attempt: 0 at the first attempt, 1 at a
 * reconnect. An unknown key answered REPLACE is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "pf/config.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/session.h"
#include "pf/version.h"
#include "sshd_fixture.h"
#include "test_ui.h"

static sshd_fixture f;
static char server_key[1024]; /* "ssh-ed25519 AAAA..." of the fixture's sshd */
static char old_key[1024];    /* another ed25519 key: what known_hosts records */
static char rsa_key[4096];    /* an RSA key: another type */

/* "type base64" of a .pub file. */
static int read_pub(const char *path, char *out, size_t size)
{
	char *data = NULL, *sp;
	size_t len = 0;

	if (pf_file_read(path, 65536, &data, &len, NULL) != PF_OK)
		return -1;
	sp = strchr(data, ' ');
	sp = sp != NULL ? strpbrk(sp + 1, " \r\n") : NULL;
	if (sp != NULL)
		*sp = '\0';
	pf_strlcpy(out, data, size);
	free(data);
	return 0;
}

static int write_text(const char *path, const char *text)
{
	return pf_file_write_atomic(path, text, strlen(text), NULL) == PF_OK ? 0 : -1;
}

/* A config for the fixture's server; known_hosts NULL: the default (beside
 * the key, then the config folder's). */
static int write_config(const char *cfg, const char *identity, const char *known_hosts)
{
	char *text =
		pf_asprintf("Host test\r\n  HostName 127.0.0.1\r\n  Port %d\r\n  User %s\r\n"
			    "  IdentityFile %s\r\n  IdentitiesOnly yes\r\n%s%s%s",
			    f.port, f.user, identity, known_hosts ? "  UserKnownHostsFile " : "",
			    known_hosts ? known_hosts : "", known_hosts ? "\r\n" : "");
	int rc = text != NULL ? write_text(cfg, text) : -1;

	free(text);
	return rc;
}

/* <dir>/<stem>_known_hosts (holding `text`, unless NULL) and a config
 * <dir>/<stem>_config.txt that names it. */
static void setup(const char *stem, const char *text, char *kh, char *cfg, size_t size)
{
	snprintf(kh, size, "%s/%s_known_hosts", f.dir, stem);
	snprintf(cfg, size, "%s/%s_config.txt", f.dir, stem);
	if (text != NULL)
		CHECK(write_text(kh, text) == 0);
	CHECK(write_config(cfg, f.client_key, kh) == 0);
}

/* One session; returns its result, *connected when it got there. */
static pf_rc run(const char *cfg, test_ui *ui, int *connected)
{
	pf_host_config *hc = test_load_host(cfg, "test");
	pf_session_opts so;
	pf_session *s = NULL;
	pf_error err;
	pf_rc rc;

	*connected = 0;
	if (!CHECK(hc != NULL))
		return PF_E_CONFIG;
	memset(&so, 0, sizeof(so));
	so.reconnect = PF_RECONNECT_ALWAYS;
	if (!CHECK(pf_session_start(hc, &ui->ui, &so, &s, &err) == PF_OK))
		return err.code;
	/* Until connected, or the session gave up (no need to wait longer). */
	for (int i = 0; i < 150 && !*connected; i++)
		if (!(*connected = test_ui_wait_state(ui, PF_CONN_CONNECTED, 100)) &&
		    pf_session_wait(s, 0))
			break;
	if (*connected)
		pf_session_stop(s);
	CHECK(pf_session_wait(s, 20000));
	rc = pf_session_result(s, &err);
	if (rc != PF_OK)
		printf("  result: %s\n", err.message);
	pf_session_free(s);
	return rc;
}

static int file_is(const char *path, const char *want)
{
	char *data = NULL;
	size_t len = 0;
	int same;

	if (pf_file_read(path, 1 << 20, &data, &len, NULL) != PF_OK)
		return 0;
	same = len == strlen(want) && memcmp(data, want, len) == 0;
	if (!same)
		printf("  %s holds:\n%.*s\n  wanted:\n%s\n", path, (int)len, data, want);
	free(data);
	return same;
}

/* known_hosts with comments, CRLF, a hashed line, markers, and the server's
 * old key on line 5 (with a comment that stays). */
static char *known_hosts_text(const char *key_on_line5)
{
	return pf_asprintf("# kept by hand\r\n"
			   "|1|ZTW9F+YFBfPd29HthiZ7XY4hrZk=|Ce+dWdY3ljRNFtdKliewQ76UcYI= %s\r\n"
			   "@revoked revoked.example.com %s\r\n"
			   "@cert-authority *.example.com %s\r\n"
			   "[127.0.0.1]:%d %s the old server\r\n"
			   "other.example.com %s\r\n",
			   old_key, old_key, old_key, f.port, key_on_line5, old_key);
}

static void test_replace(void)
{
	char kh[700], cfg[700];
	char *before = known_hosts_text(old_key), *after = known_hosts_text(server_key);
	static const pf_hostkey_answer refused[] = {PF_HOSTKEY_REJECT, PF_HOSTKEY_ACCEPT_ONCE,
						    PF_HOSTKEY_ACCEPT_SAVE};
	test_ui ui;
	int connected;
	size_t i;
	pf_rc rc;

	setup("replace", before, kh, cfg, sizeof(kh));

	/* Every other answer: refused, the file byte for byte. */
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		test_ui_init(&ui);
		ui.hostkey_answer = refused[i];
		rc = run(cfg, &ui, &connected);
		CHECK_INT(rc, PF_E_HOSTKEY);
		CHECK(!connected && !ui.saw_connected);
		CHECK_INT(ui.hostkey_asks, 1);
		CHECK_INT(ui.last_hostkey_state, PF_HOSTKEY_CHANGED);
		CHECK_INT(ui.last_hostkey.replaceable, 1);
		CHECK_INT(ui.last_hostkey.old_line, 5);
		CHECK_INT(ui.hostkey_unattended_asks, 0); /* the first attempt */
		CHECK(file_is(kh, before));
		test_ui_free(&ui);
	}

	/* REPLACE: connected, only line 5's key changed, a note in the log. */
	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_REPLACE;
	rc = run(cfg, &ui, &connected);
	CHECK(connected);
	CHECK_INT(rc, PF_OK);
	CHECK_INT(ui.hostkey_asks, 1);
	CHECK(file_is(kh, after));
	CHECK(test_ui_log_has(&ui, "REPLACED"));
	CHECK(test_ui_log_has(&ui, "line 5"));
	test_ui_free(&ui);

	/* The next connection asks nothing. */
	test_ui_init(&ui);
	rc = run(cfg, &ui, &connected);
	CHECK(connected);
	CHECK_INT(ui.hostkey_asks, 0);
	CHECK(file_is(kh, after));
	test_ui_free(&ui);
	free(before);
	free(after);
}

/* A 2.9 kit: no UserKnownHostsFile, the key in keys/, the old key in the
 * config folder's known_hosts: that file gets the new key; keys/known_hosts
 * (where new keys go) is not created. */
static void test_config_folder(void)
{
	char kit[700], keys[760], key[800], cfg[760], kh[760], beside[800];
	char *before, *after;
	test_ui ui;
	int connected;

	snprintf(kit, sizeof(kit), "%s/kit29", f.dir);
	snprintf(keys, sizeof(keys), "%s/keys", kit);
	snprintf(key, sizeof(key), "%s/id_ed25519", keys);
	snprintf(cfg, sizeof(cfg), "%s/config.txt", kit);
	snprintf(kh, sizeof(kh), "%s/known_hosts", kit);
	snprintf(beside, sizeof(beside), "%s/known_hosts", keys);
	CHECK(fixture_run("mkdir -p '%s' && cp '%s' '%s' && chmod 600 '%s'", keys, f.client_key,
			  key, key) == 0);
	before = pf_asprintf("other.example.com %s\n[127.0.0.1]:%d %s\n", old_key, f.port, old_key);
	after = pf_asprintf("other.example.com %s\n[127.0.0.1]:%d %s\n", old_key, f.port,
			    server_key);
	CHECK(write_text(kh, before) == 0);
	CHECK(write_config(cfg, "keys/id_ed25519", NULL) == 0);

	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_REJECT;
	CHECK_INT(run(cfg, &ui, &connected), PF_E_HOSTKEY);
	CHECK(ui.last_hostkey.known_hosts_path != NULL);
	CHECK(file_is(kh, before));
	CHECK(!pf_file_exists(beside));
	test_ui_free(&ui);

	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_REPLACE;
	CHECK_INT(run(cfg, &ui, &connected), PF_OK);
	CHECK(connected);
	CHECK(file_is(kh, after));
	CHECK(!pf_file_exists(beside));
	test_ui_free(&ui);
	free(before);
	free(after);
}

/* A session answered REPLACE that must be refused (ui is left for more
 * checks; the caller frees it). */
static void run_refused_replace(const char *cfg, int ask_unsaved, test_ui *ui)
{
	int connected;

	test_ui_init(ui);
	ui->ui.ask_unsaved_hostkey = ask_unsaved;
	ui->hostkey_answer = PF_HOSTKEY_REPLACE;
	CHECK_INT(run(cfg, ui, &connected), PF_E_HOSTKEY);
	CHECK(!connected && !ui->saw_connected);
}

/* Only a key of another type is recorded: never replaced, whatever the
 * front end says. */
static void test_other_type(void)
{
	char kh[700], cfg[700];
	char *before = pf_asprintf("[127.0.0.1]:%d %s\n", f.port, rsa_key);
	test_ui ui;

	setup("other", before, kh, cfg, sizeof(kh));
	run_refused_replace(cfg, 0, &ui);
	CHECK_INT(ui.last_hostkey_state, PF_HOSTKEY_OTHER_TYPE);
	CHECK_INT(ui.last_hostkey.replaceable, 0);
	CHECK(file_is(kh, before));
	test_ui_free(&ui);
	free(before);
}

/* REPLACE means something only for a CHANGED key: an unknown key answered
 * REPLACE is refused and nothing is written, both when asked at the first
 * connection and when asked because accept-new cannot save it. */
static void test_unknown_replace(void)
{
	char kh[700], cfg[700], missing[700];
	char *text;
	test_ui ui;

	setup("unknown", NULL, kh, cfg, sizeof(kh));
	run_refused_replace(cfg, 0, &ui);
	CHECK_INT(ui.hostkey_asks, 1);
	CHECK_INT(ui.last_hostkey_state, PF_HOSTKEY_UNKNOWN);
	CHECK(!pf_file_exists(kh));
	test_ui_free(&ui);

	/* accept-new, the file cannot be made: the GUI's way asks; REPLACE
	 * refuses. */
	snprintf(missing, sizeof(missing), "%s/missing/known_hosts", f.dir);
	text = pf_asprintf("Host test\r\n  HostName 127.0.0.1\r\n  Port %d\r\n  User %s\r\n"
			   "  IdentityFile %s\r\n  IdentitiesOnly yes\r\n"
			   "  UserKnownHostsFile %s\r\n  StrictHostKeyChecking accept-new\r\n",
			   f.port, f.user, f.client_key, missing);
	CHECK(text != NULL && write_text(cfg, text) == 0);
	free(text);
	run_refused_replace(cfg, 1, &ui);
	CHECK_INT(ui.hostkey_asks, 1);
	CHECK(ui.last_hostkey.cannot_save != NULL);
	CHECK(!pf_file_exists(missing));
	test_ui_free(&ui);
}

/* "Connect once", then the connection drops: the reconnect asks again, and
 * says that nobody asked for this attempt. */
static void test_unattended(void)
{
	char kh[700], cfg[700];
	pf_host_config *hc;
	pf_session_opts so;
	pf_session *s = NULL;
	test_ui ui;
	pf_error err;
	int i;

	setup("once", NULL, kh, cfg, sizeof(kh));
	hc = test_load_host(cfg, "test");
	if (!CHECK(hc != NULL))
		return;
	test_ui_init(&ui);
	ui.hostkey_answer = PF_HOSTKEY_ACCEPT_ONCE;
	memset(&so, 0, sizeof(so));
	so.reconnect = PF_RECONNECT_ALWAYS;
	so.backoff_min_ms = 200;
	so.backoff_max_ms = 400;
	CHECK(pf_session_start(hc, &ui.ui, &so, &s, &err) == PF_OK);
	CHECK(test_ui_wait_state(&ui, PF_CONN_CONNECTED, 15000));
	CHECK_INT(ui.hostkey_asks, 1);
	CHECK_INT(ui.hostkey_unattended_asks, 0);
	sshd_fixture_kill_sessions(&f);
	for (i = 0; i < 150 && ui.hostkey_unattended_asks == 0; i++)
		pf_sleep_ms(100);
	CHECK_INT(ui.hostkey_asks, 2);
	CHECK_INT(ui.hostkey_unattended_asks, 1);
	pf_session_stop(s);
	CHECK(pf_session_wait(s, 20000));
	pf_session_free(s);
	test_ui_free(&ui);
	CHECK(!pf_file_exists(kh));
}

int main(void)
{
	char path[700], pub[720];

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "hostkey_replace", NULL) != 0 ||
	    sshd_fixture_start(&f) != 0)
		return 1;
	snprintf(pub, sizeof(pub), "%s.pub", f.host_key);
	snprintf(path, sizeof(path), "%s/old_host_key", f.dir);
	if (!CHECK(read_pub(pub, server_key, sizeof(server_key)) == 0) ||
	    !CHECK(fixture_run("ssh-keygen -q -t ed25519 -N '' -f '%s' && "
			       "ssh-keygen -q -t rsa -b 2048 -N '' -f '%s_rsa'",
			       path, path) == 0))
		goto out;
	snprintf(pub, sizeof(pub), "%s.pub", path);
	CHECK(read_pub(pub, old_key, sizeof(old_key)) == 0);
	snprintf(pub, sizeof(pub), "%s_rsa.pub", path);
	CHECK(read_pub(pub, rsa_key, sizeof(rsa_key)) == 0);
	test_replace();
	test_config_folder();
	test_other_type();
	test_unknown_replace();
	test_unattended();
out:
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_hostkey_replace");
}
