/* app/win32/ini.c: the per-Host settings ([Host <name>] sections:
 * ConnectWhenFirstUsed, IdleDisconnectMinutes). An ini without them (an
 * older exe's) reads as before; a Host key never leaks into the global
 * settings, while a global key in a Host section (LogFile= a user appended
 * at the end, below the sections Ini_Save writes last) is read as global
 * and kept by the next save; what is saved reads back the same. A Windows program, run under
 * Wine by the native tree (win64.test_ini_hosts). */
#include <windows.h>
#include <stdlib.h>
#include <wchar.h>

#include "check.h"
#include "ini.h"
#include "pf/platform.h"

static wchar_t dir[MAX_PATH], path[MAX_PATH];

/* The ini's bytes, written by the core's own writer. */
static int write_bytes(const wchar_t *p, const char *text)
{
	char *p8 = pf_wide_to_utf8(p);
	int ok = p8 != NULL && pf_file_write_atomic(p8, text, strlen(text), NULL) == PF_OK;

	free(p8);
	return ok;
}

static pf_settings *load(const char *text)
{
	pf_settings *s = calloc(1, sizeof(*s));

	CHECK(write_bytes(path, text));
	if (s != NULL)
		Ini_Load(s, path, dir);
	return s;
}

/* The settings an older PortForwarder.exe wrote: no section of a Host. */
static void test_old_ini(void)
{
	pf_settings *s = load("; PortForwarder settings.\r\n[PortForwarder]\r\n"
			      "AutomaticallyHide=1\r\nLastHost=IMR\r\nRecentHost1=IMR\r\n");

	CHECK(s != NULL && s->nhosts == 0 && s->auto_hide == 1 && s->nrecent == 1);
	CHECK(s != NULL && wcscmp(s->last_host, L"IMR") == 0);
	CHECK(s != NULL && Ini_Host(s, L"IMR", 0) == NULL);
	free(s);
}

static void test_sections(void)
{
	pf_settings *s =
		load("[PortForwarder]\r\nLastHost=IMR\r\nAutomaticallyHide=0\r\n"
		     "[Host IMR]\r\nConnectWhenFirstUsed=1\r\nIdleDisconnectMinutes=0.5\r\n"
		     "AutomaticallyHide=1\r\n"
		     "[host  user@mail.example ]\r\nconnectwhenfirstused = 1\r\n"
		     "IdleDisconnectMinutes=soon\r\n"
		     "[Host CMS]\r\nConnectWhenFirstUsed=0\r\nIdleDisconnectMinutes=-3\r\n"
		     "[Other]\r\nLanguage=ja\r\n");
	const pf_host_setting *h;

	if (s == NULL)
		return;
	CHECK(wcscmp(s->last_host, L"IMR") == 0);
	CHECK(s->auto_hide == 1);               /* a global key in a Host section: global */
	CHECK(wcscmp(s->language, L"ja") == 0); /* another section: global, as before */
	h = Ini_Host(s, L"imr", 0);
	CHECK(h != NULL && h->on_demand == 1 && h->idle_ms == 30000);
	h = Ini_Host(s, L"user@mail.example", 0);
	CHECK(h != NULL && h->on_demand == 1 && h->idle_ms == 0); /* "soon" is no number */
	h = Ini_Host(s, L"CMS", 0);
	CHECK(h != NULL && h->on_demand == 0 && h->idle_ms == 0);
	CHECK(Ini_Host(s, L"nowhere", 0) == NULL);
	free(s);
}

/* LogFile= appended at the end of a saved ini, i.e. below [Host ...]: read,
 * and written again by the next save (it was ignored, then deleted). */
static void test_global_after_host(void)
{
	pf_settings *s = load("[PortForwarder]\r\nLastHost=IMR\r\n"
			      "[Host IMR]\r\nConnectWhenFirstUsed=1\r\n"
			      "LogFile=portforwarder.log\r\n"),
		    *back;
	const pf_host_setting *h;

	if (s == NULL)
		return;
	CHECK(wcscmp(s->log_file, L"portforwarder.log") == 0);
	h = Ini_Host(s, L"IMR", 0);
	CHECK(h != NULL && h->on_demand == 1);
	CHECK_INT(Ini_Save(s, path, dir), 0);
	back = calloc(1, sizeof(*back));
	if (back != NULL) {
		Ini_Load(back, path, dir);
		CHECK(wcscmp(back->log_file, L"portforwarder.log") == 0);
		h = Ini_Host(back, L"IMR", 0);
		CHECK(h != NULL && h->on_demand == 1);
		CHECK(wcscmp(back->last_host, L"IMR") == 0);
	}
	free(back);
	free(s);
}

static void test_round_trip(void)
{
	pf_settings *s = calloc(1, sizeof(*s)), *back;
	pf_host_setting *h;
	int i;

	if (s == NULL)
		return;
	s->log_level = PF_LOG_INFO;
	wcscpy_s(s->last_host, 256, L"IMR");
	h = Ini_Host(s, L"IMR", 1);
	CHECK(h != NULL);
	if (h != NULL)
		h->on_demand = 1, h->idle_ms = 10 * 60000;
	h = Ini_Host(s, L"\u30e1\u30fc\u30eb", 1); /* a Japanese Host name */
	if (h != NULL)
		h->on_demand = 1, h->idle_ms = 1500;
	CHECK(Ini_Host(s, L"plain", 1) != NULL); /* defaults only: not written */
	CHECK_INT(Ini_Save(s, path, dir), 0);
	back = calloc(1, sizeof(*back));
	if (back != NULL) {
		Ini_Load(back, path, dir);
		CHECK_INT(back->nhosts, 2);
		h = Ini_Host(back, L"IMR", 0);
		CHECK(h != NULL && h->on_demand == 1 && h->idle_ms == 600000);
		h = Ini_Host(back, L"\u30e1\u30fc\u30eb", 0);
		CHECK(h != NULL && h->on_demand == 1 && h->idle_ms == 1500);
		CHECK(wcscmp(back->last_host, L"IMR") == 0);
	}
	free(back);
	/* A full table makes room from the entries left with the defaults. */
	for (i = 0; i < PF_MAX_HOST_SETTINGS + 5; i++) {
		wchar_t name[32];

		_snwprintf(name, 32, L"host%d", i);
		h = Ini_Host(s, name, 1);
		if (h == NULL)
			break;
	}
	CHECK_INT(i, PF_MAX_HOST_SETTINGS + 5);
	CHECK(Ini_Host(s, L"IMR", 0) != NULL && Ini_Host(s, L"IMR", 0)->on_demand == 1);
	free(s);
}

int main(void)
{
	const char *tmp = getenv("PF_TEST_TMPDIR");

	_snwprintf(dir, MAX_PATH, L"%hs\\ini_hosts", tmp != NULL ? tmp : ".");
	CreateDirectoryW(dir, NULL);
	_snwprintf(path, MAX_PATH, L"%ls\\PortForwarder.ini", dir);
	test_old_ini();
	test_sections();
	test_global_after_host();
	test_round_trip();
	DeleteFileW(path);
	RemoveDirectoryW(dir);
	return check_summary("test_ini_hosts");
}
