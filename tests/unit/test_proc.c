/* ProxyCommand children (pf/proc.h: platform/proc_posix.c, proc_win32.c),
 * natively and as a Windows program under Wine. The child is this program
 * again, started with --child-*:
 *  - echo: bytes through the socket pair both ways, the end of input
 *    passed on, its standard error as lines (the last one kept), its exit
 *    code;
 *  - probe: a handle (Windows: a file opened inheritable) or descriptor
 *    (POSIX: opened without close-on-exec) of the parent is NOT in the
 *    child: only its three pipes are inherited;
 *  - the kit folder: the child's working folder, and on Windows a bare
 *    program name found there first (a copy of this program);
 *  - a child that never ends by itself is ended by pf_proc_end within
 *    seconds;
 *  - Windows: a program that is nowhere gives one message naming the kit
 *    folder;
 *  - SSH_ASKPASS (pf_proc_askpass, issue 18 item 19): prompts with blanks,
 *    quotes, backslashes before quotes and trailing backslashes arrive as
 *    the child's argv[1] exactly, and neither an inheritable file handle
 *    nor a listening socket of the parent is in the child (the child is
 *    this program, told by PF_TEST_ASKPASS_CHILD in its environment);
 *  - POSIX: the askpass child's standard input is /dev/null, not ours;
 *  - an askpass writing more than the answer buffer does not hang us;
 *  - Windows: a .cmd askpass is refused (cmd.exe would parse the prompt),
 *    the command injected in the prompt does not run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/mem.h"
#include "pf/net.h"
#include "pf/platform.h"
#include "pf/proc.h"

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#else
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

/* --- the child's side ------------------------------------------------------ */

static void out_all(int fd, const void *buf, size_t n)
{
#ifdef _WIN32
	DWORD w;

	WriteFile(GetStdHandle(fd == 1 ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE), buf, (DWORD)n, &w,
		  NULL);
#else
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w <= 0)
			return;
		buf = (const char *)buf + w;
		n -= (size_t)w;
	}
#endif
}

static long in_some(void *buf, size_t n)
{
#ifdef _WIN32
	DWORD r = 0;

	if (!ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, (DWORD)n, &r, NULL))
		return 0;
	return (long)r;
#else
	ssize_t r = read(0, buf, n);

	return r > 0 ? (long)r : 0;
#endif
}

static void say(int fd, const char *s)
{
	out_all(fd, s, strlen(s));
}

static int child(int argc, char **argv)
{
	const char *what = argv[1];
	char buf[4096];
	long n;

	if (strcmp(what, "--child-echo") == 0) {
		say(2, "child says hello\n");
		while ((n = in_some(buf, sizeof(buf))) > 0)
			out_all(1, buf, (size_t)n);
		say(2, "last \x1b[31mwords\n");
		return 5;
	}
	if (strcmp(what, "--child-probe") == 0 && argc > 2) {
		/* Is the parent's handle/descriptor here? */
		int inherited;
#ifdef _WIN32
		wchar_t path[1024];
		HANDLE h = (HANDLE)(uintptr_t)strtoull(argv[2], NULL, 0);
		DWORD len = GetFinalPathNameByHandleW(h, path, 1024, 0);
		char *u8 = len > 0 && len < 1024 ? pf_wide_to_utf8(path) : NULL;

		inherited = u8 != NULL && strstr(u8, "proc-probe") != NULL;
		free(u8);
#else
		inherited = fcntl(atoi(argv[2]), F_GETFD) != -1;
#endif
		say(1, inherited ? "inherited\n" : "clean\n");
		return 0;
	}
	if (strcmp(what, "--child-cwd") == 0) {
		char *cwd = pf_path_absolute(".");

		say(1, cwd ? cwd : "?");
		say(1, "\n");
		free(cwd);
		return 0;
	}
	if (strcmp(what, "--child-sleep") == 0) {
		pf_sleep_ms(120000);
		return 0;
	}
	return 99;
}

/* The askpass child: "argc=N|argv[1]|file|socket\n", file and socket each
 * "clean" or "inherited" for the parent's handles named in the
 * environment. */
static int askpass_child(int argc, char **argv)
{
	const char *f = getenv("PF_TEST_PROBE_FILE"), *k = getenv("PF_TEST_PROBE_SOCK");
	char head[64];
	int file = 0, sock = 0;

	if (getenv("PF_TEST_ASKPASS_BIG") != NULL) {
		/* Far more than any answer buffer or pipe holds. */
		size_t big = (size_t)1 << 20;
		char *a = malloc(big);

		if (a == NULL)
			return 1;
		memset(a, 'a', big);
		out_all(1, a, big);
		free(a);
		return 0;
	}
	if (getenv("PF_TEST_ASKPASS_STDIN") != NULL) {
		/* What is on standard input: "stdin=N|bytes\n". */
		char in[64];
		long n = in_some(in, sizeof(in) - 1);

		in[n > 0 ? n : 0] = '\0';
		snprintf(head, sizeof(head), "stdin=%ld|", n);
		say(1, head);
		say(1, in);
		say(1, "\n");
		return 0;
	}
	snprintf(head, sizeof(head), "argc=%d|", argc);
	say(1, head);
	say(1, argc > 1 ? argv[1] : "(none)");
#ifdef _WIN32
	if (f != NULL) {
		wchar_t path[1024];
		DWORD len = GetFinalPathNameByHandleW((HANDLE)(uintptr_t)strtoull(f, NULL, 0), path,
						      1024, 0);
		char *u8 = len > 0 && len < 1024 ? pf_wide_to_utf8(path) : NULL;

		file = u8 != NULL && strstr(u8, "askpass-probe") != NULL;
		free(u8);
	}
	if (k != NULL && pf_net_init() == 0) {
		struct sockaddr_storage ss;
		int sl = sizeof(ss);

		sock = getsockname((SOCKET)strtoull(k, NULL, 0), (struct sockaddr *)&ss, &sl) == 0;
	}
#else
	file = f != NULL && fcntl(atoi(f), F_GETFD) != -1;
	sock = k != NULL && fcntl(atoi(k), F_GETFD) != -1;
#endif
	say(1, file ? "|inherited" : "|clean");
	say(1, sock ? "|inherited\n" : "|clean\n");
	return 0;
}

/* --- the parent's side ------------------------------------------------------ */

static char self[1024];
static char lines[2048];
static int nlines;

static void on_line(void *ctx, const char *line)
{
	(void)ctx;
	nlines++;
	pf_strlcat(lines, line, sizeof(lines));
	pf_strlcat(lines, "|", sizeof(lines));
}

/* Run `args` (after this program's path) in cwd; send `in`, half-close,
 * read the child's stdout into out; the child's exit code, or -1. */
static int run(const char *prog, const char *args, const char *cwd, const char *in, char *out,
	       size_t out_size)
{
	char *cmd = pf_asprintf("\"%s\" %s", prog, args);
	pf_socket sock;
	pf_proc *p = NULL;
	pf_error err;
	size_t got = 0;
	int code = -1, i;

	out[0] = '\0';
	if (cmd == NULL || pf_proc_start(cmd, cwd, on_line, NULL, &sock, &p, &err) != PF_OK) {
		fprintf(stderr, "start %s: %s\n", cmd ? cmd : "?", err.message);
		free(cmd);
		return -1;
	}
	free(cmd);
	if (in[0] != '\0')
		CHECK(pf_net_send_all(sock, in, strlen(in), 10000) == 0);
	pf_net_shutdown_write(sock);
	for (;;) {
		pf_pollfd q = {sock, PF_POLL_IN, 0};
		long n;

		if (pf_net_poll(&q, 1, 20000) <= 0)
			break;
		n = pf_net_recv(sock, out + got, out_size - 1 - got);
		if (n == PF_E_NOTFOUND)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		out[got] = '\0';
	}
	pf_net_close(sock);
	for (i = 0; i < 200 && !pf_proc_exited(p, &code); i++)
		pf_sleep_ms(50);
	if (!pf_proc_exited(p, &code))
		code = -1;
	{
		char last[512];

		pf_proc_last_line(p, last, sizeof(last));
		if (strcmp(args, "--child-echo") == 0)
			CHECK_STR(last, "last [31mwords");
	}
	pf_proc_end(p);
	return code;
}

static void test_echo(void)
{
	char out[256];

	nlines = 0;
	lines[0] = '\0';
	CHECK_INT(run(self, "--child-echo", NULL, "ping through the pipes\n", out, sizeof(out)), 5);
	CHECK_STR(out, "ping through the pipes\n");
	CHECK_INT(nlines, 2);
	CHECK_STR(lines, "child says hello|last [31mwords|");
}

/* A file of the parent's that a child must not get: a handle opened
 * inheritable (Windows) or a descriptor without close-on-exec (POSIX). Its
 * number into num; probe_close closes it. */
static intptr_t probe_open(const char *tmp, const char *name, char *num, size_t size)
{
	char *path = pf_path_join(tmp, name);
	intptr_t h;
#ifdef _WIN32
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	wchar_t *w = path ? pf_utf8_to_wide(path) : NULL;
	HANDLE fh = w ? CreateFileW(w, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, &sa,
				    CREATE_ALWAYS, 0, NULL)
		      : INVALID_HANDLE_VALUE;

	free(w);
	h = fh == INVALID_HANDLE_VALUE ? -1 : (intptr_t)fh;
	snprintf(num, size, "%llu", (unsigned long long)(uintptr_t)fh);
#else
	h = path ? open(path, O_RDWR | O_CREAT | O_TRUNC, 0600) : -1;
	snprintf(num, size, "%d", (int)h);
#endif
	CHECK(h != -1);
	free(path);
	return h;
}

static void probe_close(intptr_t h)
{
	if (h == -1)
		return;
#ifdef _WIN32
	CloseHandle((HANDLE)h);
#else
	close((int)h);
#endif
}

static void test_probe(const char *tmp)
{
	char num[32], arg[64], out[64];
	intptr_t h = probe_open(tmp, "proc-probe.txt", num, sizeof(num));

	snprintf(arg, sizeof(arg), "--child-probe %s", num);
	CHECK_INT(run(self, arg, NULL, "", out, sizeof(out)), 0);
	CHECK_STR(out, "clean\n");
	probe_close(h);
}

static void test_kit(const char *tmp)
{
	char *kit = pf_path_join(tmp, "proc-kit"), *abs = NULL, out[1200], want[1200];
	const char *prog = self;

	if (kit != NULL) {
#ifdef _WIN32
		wchar_t *w = pf_utf8_to_wide(kit);

		if (w != NULL)
			CreateDirectoryW(w, NULL);
		free(w);
#else
		mkdir(kit, 0700);
#endif
	}
	CHECK(kit != NULL && pf_dir_exists(kit));
	abs = kit ? pf_path_absolute(kit) : NULL;
#ifdef _WIN32
	{
		/* A bare name: found in the kit folder, before any search path. */
		char *copy = pf_path_join(kit, "kitprog.exe");
		wchar_t *a = pf_utf8_to_wide(self), *b = copy ? pf_utf8_to_wide(copy) : NULL;

		CHECK(a != NULL && b != NULL && CopyFileW(a, b, FALSE));
		free(a);
		free(b);
		free(copy);
		prog = "kitprog";
	}
#endif
	CHECK_INT(run(prog, "--child-cwd", kit, "", out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "%s\n", abs ? abs : "?");
	CHECK_STR(out, want);
	free(abs);
	free(kit);
}

static void test_end(void)
{
	char *cmd = pf_asprintf("\"%s\" --child-sleep", self);
	pf_socket sock;
	pf_proc *p = NULL;
	pf_error err;
	uint64_t t0;
	int code;

	CHECK(cmd != NULL && pf_proc_start(cmd, NULL, NULL, NULL, &sock, &p, &err) == PF_OK);
	free(cmd);
	if (p == NULL)
		return;
	pf_sleep_ms(200);
	CHECK(!pf_proc_exited(p, &code));
	pf_net_close(sock);
	t0 = pf_time_ms();
	pf_proc_end(p);
	CHECK(pf_time_ms() - t0 < 8000);
}

static void set_env(const char *name, const char *value)
{
#ifdef _WIN32
	SetEnvironmentVariableA(name, value);
#else
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
#endif
}

static void test_askpass(const char *tmp)
{
	static const char *prompts[] = {
		"Passphrase for key 'C:\\Users\\a b\\.ssh\\id_ed25519':",
		"say \"hi\" now",
		"back\\\"slash",
		"trailing\\",
		"two trailing\\\\",
		"\\\\server\\share\\ \"quoted\\\\\" end",
		"  blanks around  ",
		"tab\there",
		"",
	};
	char num[32], out[1024], want[1024];
	intptr_t h = probe_open(tmp, "askpass-probe.txt", num, sizeof(num));
	pf_socket ls[2];
	size_t nls = 0, i;
	int port = 0;
	pf_error err;

	set_env("PF_TEST_PROBE_FILE", num);
	CHECK_INT(pf_net_listen("127.0.0.1", 0, ls, 2, &nls, &port, &err), PF_OK);
	if (nls > 0) {
#ifdef _WIN32
		/* As inheritable as Winsock makes it. */
		snprintf(num, sizeof(num), "%llu", (unsigned long long)ls[0]);
#else
		fcntl((int)ls[0], F_SETFD, 0); /* a descriptor without close-on-exec */
		snprintf(num, sizeof(num), "%d", (int)ls[0]);
#endif
		set_env("PF_TEST_PROBE_SOCK", num);
	}
	set_env("PF_TEST_ASKPASS_CHILD", "1");
	for (i = 0; i < sizeof(prompts) / sizeof(prompts[0]); i++) {
		CHECK_INT(pf_proc_askpass(self, prompts[i], out, sizeof(out), NULL), 0);
		snprintf(want, sizeof(want), "argc=2|%s|clean|clean\n", prompts[i]);
		CHECK_STR(out, want);
	}
	set_env("PF_TEST_ASKPASS_CHILD", NULL);
	set_env("PF_TEST_PROBE_FILE", NULL);
	set_env("PF_TEST_PROBE_SOCK", NULL);
	for (i = 0; i < nls; i++)
		pf_net_close(ls[i]);
	probe_close(h);
}

/* POSIX: the askpass child's standard input is /dev/null, not pf's (with
 * pf -W that is the tunnel's byte stream): it reads the end at once. */
static void test_askpass_stdin(void)
{
#ifndef _WIN32
	char out[256];
	int p[2], saved = dup(0);

	if (!CHECK(saved >= 0 && pipe(p) == 0))
		return;
	CHECK(write(p[1], "tunnel bytes", 12) == 12);
	dup2(p[0], 0);
	close(p[0]);
	set_env("PF_TEST_ASKPASS_CHILD", "1");
	set_env("PF_TEST_ASKPASS_STDIN", "1");
	CHECK_INT(pf_proc_askpass(self, "prompt", out, sizeof(out), NULL), 0);
	CHECK_STR(out, "stdin=0|\n");
	set_env("PF_TEST_ASKPASS_STDIN", NULL);
	set_env("PF_TEST_ASKPASS_CHILD", NULL);
	dup2(saved, 0);
	close(saved);
	close(p[1]);
#endif
}

/* An askpass that writes more than the answer buffer: the rest is refused
 * (the pipe closed), pf does not wait for ever for a program blocked on a
 * full pipe. */
static void test_askpass_big(void)
{
	char out[64], want[64];

	set_env("PF_TEST_ASKPASS_CHILD", "1");
	set_env("PF_TEST_ASKPASS_BIG", "1");
	(void)pf_proc_askpass(self, "prompt", out, sizeof(out), NULL);
	memset(want, 'a', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	CHECK_STR(out, want);
	set_env("PF_TEST_ASKPASS_BIG", NULL);
	set_env("PF_TEST_ASKPASS_CHILD", NULL);
}

/* Windows: a .cmd askpass is refused (cmd.exe would parse the server's
 * prompt: `" & command & "` would run the command), with one message
 * saying to use an .exe; the injected command does not run. */
static void test_askpass_script(const char *tmp)
{
#ifdef _WIN32
	char *script = pf_path_join(tmp, "askpass.cmd"),
	     *marker = pf_path_join(tmp, "injected.txt");
	char *prompt = marker ? pf_asprintf("x\" & echo pwned> \"%s\" & \"", marker) : NULL;
	char *dotted = script ? pf_asprintf("%s.", script) : NULL;
	char out[256];
	pf_error err;

	if (!CHECK(script != NULL && prompt != NULL && dotted != NULL))
		goto out;
	remove(marker);
	CHECK_INT(pf_file_write_atomic(script, "@echo answer\r\n", 14, NULL), PF_OK);
	CHECK_INT(pf_proc_askpass(script, prompt, out, sizeof(out), &err), -1);
	CHECK(err.code != PF_OK && strstr(err.message, "use an askpass .exe") != NULL);
	CHECK(strstr(err.message, "askpass.cmd") != NULL);
	CHECK_STR(out, "");
	/* Windows drops a trailing dot: still the .cmd, still refused. */
	CHECK_INT(pf_proc_askpass(dotted, prompt, out, sizeof(out), &err), -1);
	CHECK(err.code != PF_OK);
	pf_sleep_ms(500);
	CHECK(!pf_file_exists(marker));
	remove(script);
out:
	free(script);
	free(marker);
	free(prompt);
	free(dotted);
#else
	(void)tmp;
#endif
}

static void test_not_found(void)
{
#ifdef _WIN32
	pf_socket sock;
	pf_proc *p = NULL;
	pf_error err;

	CHECK_INT(pf_proc_start("no-such-helper-xyz host 22", "C:\\", NULL, NULL, &sock, &p, &err),
		  PF_E_NOTFOUND);
	CHECK(p == NULL);
	CHECK(strstr(err.message, "\"no-such-helper-xyz\" was not found in the kit folder") !=
	      NULL);
#endif
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("PF_TEST_TMPDIR");
	char *me;

	if (getenv("PF_TEST_ASKPASS_CHILD") != NULL)
		return askpass_child(argc, argv);
	if (argc > 1 && strncmp(argv[1], "--child-", 8) == 0)
		return child(argc, argv);
	if (pf_net_init() != 0)
		return 1;
	me = pf_path_absolute(argv[0]);
#ifdef _WIN32
	{
		wchar_t w[1024];
		DWORD n = GetModuleFileNameW(NULL, w, 1024);

		free(me);
		me = n > 0 && n < 1024 ? pf_wide_to_utf8(w) : NULL;
	}
#endif
	pf_strlcpy(self, me ? me : argv[0], sizeof(self));
	free(me);
	if (tmp == NULL)
		tmp = ".";
	test_echo();
	test_probe(tmp);
	test_kit(tmp);
	test_end();
	test_askpass(tmp);
	test_askpass_stdin();
	test_askpass_big();
	test_askpass_script(tmp);
	test_not_found();
	pf_net_cleanup();
	return check_summary("test_proc");
}
