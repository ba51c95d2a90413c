/* TEST HOOKS, for tests/e2e/driver.c only, compiled into the test variant
 * PortForwarder-test.exe alone (PF_TEST_HOOKS; never packaged): the release
 * PortForwarder.exe does not know these switches (e2e.release_no_hooks).
 *
 *   --test-dialog <name> [expected]
 *       Opens one dialog with canned data, without the main window, and
 *       ends with the answer as the exit code:
 *         passphrase | passphrase-retry | password | kbdint | kbdint-echo:
 *           20 cancelled, 21 OK with the answer equal to `expected`,
 *           22 OK with another answer;
 *         hostkey | hostkey-other | hostkey-changed:
 *           10 + pf_hostkey_answer (10 reject, 11 connect once, 12 save).
 *       The ini is not written.
 *
 *   --test-ui
 *       The normal application, plus a thread that plays a connection
 *       through the real pf_ui (ui_win32.c), as the core will: log lines,
 *       CONNECTING, an unknown host key question, a passphrase (asked again
 *       after a wrong answer; "right" is accepted), then CONNECTED with two
 *       forwards, and a second host CMS-SSH still CONNECTING. The answers it got are logged ("test:
 * ..."). (started from main.c, see TestHook_StartUiThread). */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "app.h"
#include "dialogs.h"

/* ---- --test-dialog ---- */

static int dialog_hook(pf_app *app, const wchar_t *name, const wchar_t *expected)
{
	wchar_t answer[256];
	pf_secret_ask s = {PF_SECRET_PASSPHRASE,
			   L"IMR",
			   L"Passphrase for key:",
			   L"E:\\PortForwarder\\id_ed25519",
			   NULL,
			   0,
			   1,
			   NULL};
	pf_hostkey_ask h = {L"IMR",
			    L"ssh.example.ac.jp",
			    22,
			    L"ssh-ed25519",
			    L"SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
			    PF_HOSTKEY_UNKNOWN,
			    L"E:\\PortForwarder\\known_hosts",
			    0,
			    NULL,
			    NULL,
			    0,
			    0};
	int ok;

	if (wcscmp(name, L"passphrase-retry") == 0) {
		s.attempt = 2;
		s.reason = L"Wrong passphrase";
	} else if (wcscmp(name, L"password") == 0) {
		s.kind = PF_SECRET_PASSWORD;
		s.prompt = L"ohba@ssh.example.ac.jp's password:";
		s.key_path = NULL;
	} else if (wcsncmp(name, L"kbdint", 6) == 0) {
		s.kind = PF_SECRET_KBDINT;
		s.instruction = L"Enter the code from your token.";
		s.prompt = L"Verification code:";
		s.key_path = NULL;
		s.echo = wcscmp(name, L"kbdint-echo") == 0;
	} else if (wcsncmp(name, L"hostkey", 7) == 0) {
		if (wcscmp(name, L"hostkey-changed") == 0) {
			h.state = PF_HOSTKEY_CHANGED;
			h.old_line = 3;
			h.old_key_type = L"ssh-ed25519";
			h.old_fingerprint = L"SHA256:Zq0sZbWqkLQ6rJ4eVkS4H1oqCvFvHFOhx1oTi7mO0eM";
			h.replaceable = 1;
		} else if (wcscmp(name, L"hostkey-other") == 0) {
			h.state = PF_HOSTKEY_OTHER_TYPE;
			h.old_line = 1;
			h.old_key_type = L"ssh-rsa";
			h.old_fingerprint = L"SHA256:Zq0sZbWqkLQ6rJ4eVkS4H1oqCvFvHFOhx1oTi7mO0eM";
		}
		return 10 + (int)HostKeyDlg_Ask(app, NULL, &h);
	} else if (wcscmp(name, L"passphrase") != 0) {
		return 2;
	}
	ok = SecretDlg_Ask(app, NULL, &s, answer, 256);
	if (!ok)
		return 20;
	ok = expected != NULL && wcscmp(answer, expected) == 0;
	SecureZeroMemory(answer, sizeof(answer));
	return ok ? 21 : 22;
}

int TestHook_Run(pf_app *app, int argc, LPWSTR *argv, int i)
{
	app->test_mode = PF_TEST_HOOK;
	if (wcscmp(argv[i], L"--test-dialog") == 0 && i + 1 < argc)
		return dialog_hook(app, argv[i + 1], i + 2 < argc ? argv[i + 2] : NULL);
	return 2;
}

/* ---- --test-ui ---- */

typedef struct answer_box {
	HANDLE done;
	int hostkey;
	char secret[64];
	int cancelled;
} answer_box;

static void on_hostkey(void *token, pf_hostkey_answer a)
{
	answer_box *b = token;

	b->hostkey = (int)a;
	SetEvent(b->done);
}

static void on_secret(void *token, const char *secret)
{
	answer_box *b = token;

	b->cancelled = secret == NULL;
	if (secret != NULL)
		_snprintf(b->secret, sizeof(b->secret) - 1, "%s", secret);
	SetEvent(b->done);
}

static void wait_box(answer_box *b)
{
	WaitForSingleObject(b->done, 600000);
	ResetEvent(b->done);
}

static DWORD WINAPI ui_thread(void *arg)
{
	pf_ui ui;
	pf_ui_ctx uctx = {arg, 0}; /* gen 0: never stale */
	answer_box box = {CreateEventW(NULL, TRUE, FALSE, NULL), -1, "", 0};
	pf_fwd_status fw[2] = {
		{PF_FWD_LOCAL, PF_FWD_ACTIVE, "127.0.0.1:10025, [::1]:10025",
		 "smtp.example.ac.jp:25", NULL, 1, 3, 2048, 51234},
		{PF_FWD_LOCAL, PF_FWD_ACTIVE, "127.0.0.1:10110, [::1]:10110",
		 "pop.example.ac.jp:110", NULL, 0, 1, 3 * 1024 * 1024, 900},
	};
	pf_fwd_status fw2 = {
		PF_FWD_DYNAMIC, PF_FWD_STARTING, "127.0.0.1:1080", "SOCKS", NULL, 0, 0, 0, 0};
	pf_status st = {
		"IMR", PF_CONN_CONNECTING, "ssh.example.ac.jp:22", NULL, 0, 0, 0, NULL, 0, NULL, 0};
	pf_hostkey_info hk = {"IMR",
			      "ssh.example.ac.jp",
			      22,
			      "ssh-ed25519",
			      "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8",
			      PF_HOSTKEY_UNKNOWN,
			      "E:\\PortForwarder\\known_hosts",
			      0,
			      NULL,
			      NULL,
			      NULL,
			      0,
			      0};
	pf_secret_request sr = {PF_SECRET_PASSPHRASE,
				"IMR",
				"Passphrase for key 'E:\\PortForwarder\\id_ed25519':",
				"E:\\PortForwarder\\id_ed25519",
				NULL,
				0,
				1,
				NULL,
				NULL,
				NULL,
				NULL};
	char line[128];

	UiWin32_Init(&uctx, &ui);
	Sleep(500);
	ui.log(ui.ctx, PF_LOG_INFO, "IMR", "test: connecting to ssh.example.ac.jp port 22");
	ui.status_changed(ui.ctx, &st);
	ui.ask_hostkey(ui.ctx, &hk, on_hostkey, &box);
	wait_box(&box);
	_snprintf(line, sizeof(line), "test: host key answer %d", box.hostkey);
	ui.log(ui.ctx, PF_LOG_INFO, "IMR", line);
	st.state = PF_CONN_AUTHENTICATING;
	ui.status_changed(ui.ctx, &st);
	for (;;) {
		ui.ask_secret(ui.ctx, &sr, on_secret, &box);
		wait_box(&box);
		if (box.cancelled || strcmp(box.secret, "right") == 0 || sr.attempt >= 3)
			break;
		SecureZeroMemory(box.secret, sizeof(box.secret));
		sr.attempt++;
		sr.reason = "Wrong passphrase";
	}
	ui.log(ui.ctx, PF_LOG_INFO, "IMR",
	       box.cancelled                      ? "test: passphrase cancelled"
	       : strcmp(box.secret, "right") == 0 ? "test: passphrase accepted"
						  : "test: passphrase refused");
	SecureZeroMemory(box.secret, sizeof(box.secret));
	if (box.cancelled) {
		st.state = PF_CONN_IDLE;
		ui.status_changed(ui.ctx, &st);
		goto out;
	}
	ui.log(ui.ctx, PF_LOG_VERBOSE, "IMR", "test: a verbose line");
	ui.log(ui.ctx, PF_LOG_DEBUG1, "IMR", "test: a debug line");
	ui.log(ui.ctx, PF_LOG_ERROR, "IMR", "test: an error line");
	st.state = PF_CONN_CONNECTED;
	st.nforwards = 2;
	st.forwards = fw;
	ui.status_changed(ui.ctx, &st);
	/* A second host at the same time, still connecting. */
	st.conn_name = "CMS-SSH";
	st.state = PF_CONN_CONNECTING;
	st.nforwards = 1;
	st.forwards = &fw2;
	ui.status_changed(ui.ctx, &st);
out:
	CloseHandle(box.done);
	return 0;
}

HANDLE TestHook_StartUiThread(pf_app *app)
{
	return CreateThread(NULL, 0, ui_thread, app, 0, NULL);
}
