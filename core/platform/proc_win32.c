/* ProxyCommand children on Windows (pf/proc.h), as PortForwarder 2.9 ran
 * them: no shell. The expanded line is split into an argument vector with
 * the Microsoft C runtime's rules (pfi_proxycmd_split_windows) and the
 * command line rebuilt from it (pfi_proxycmd_join_windows), so the child
 * sees exactly those words; a line that starts with cmd[.exe] goes to
 * cmd.exe with its rest as written (cmd parses its own line). A bare
 * program name is looked for in the kit folder first (`cwd`, the config
 * file's folder), then on the normal search path (SearchPathW); the kit
 * folder is also the child's working directory and the first entry of its
 * PATH. The child gets a hidden console (CREATE_NO_WINDOW), three pipes
 * and nothing else (STARTUPINFOEX with PROC_THREAD_ATTRIBUTE_HANDLE_LIST),
 * and runs in a job object that kills it and anything it started when the
 * job is closed. Three threads: socket -> child's stdin, child's stdout ->
 * socket (the socket pair's other end is libssh's), child's stderr -> the
 * log, line by line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>

#include "../proxycmd.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/proc.h"

#define PUMP_BUF      (32 * 1024)
#define POLITE_END_MS 500 /* after its stdin closed, before it is killed */

struct pf_proc {
	HANDLE process, job;
	HANDLE in_w;     /* our end of the child's stdin (the pump's) */
	HANDLE out_r;    /* our end of the child's stdout */
	HANDLE err_r;    /* our end of the child's stderr */
	pf_socket sock;  /* our end of the socket pair (the pumps') */
	pf_wakeup *wake; /* ends the socket -> stdin pump */
	pf_thread *to_child, *from_child, *reader;
	HANDLE reader_done; /* set when the stderr reader has read its last line */
	pf_mutex *mu;
	char last[512]; /* under mu */
	pf_proc_line_fn on_line;
	void *ctx;
};

/* One line of the child's stderr, control characters dropped; bytes that
 * are not UTF-8 are taken as the ANSI code page's (a Japanese Windows
 * program's messages). */
static void emit(pf_proc *p, char *line, size_t n)
{
	char *text = NULL;
	size_t i, o = 0;
	int wn;

	line[n] = '\0';
	wn = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, line, (int)n, NULL, 0);
	if (wn <= 0 && n > 0) {
		wn = MultiByteToWideChar(CP_ACP, 0, line, (int)n, NULL, 0);
		if (wn > 0) {
			wchar_t *w = pf_calloc((size_t)wn + 1, sizeof(wchar_t));

			if (w != NULL && MultiByteToWideChar(CP_ACP, 0, line, (int)n, w, wn) > 0)
				text = pf_wide_to_utf8(w);
			free(w);
		}
	}
	if (text == NULL && (text = pf_strdup(line)) == NULL)
		return;
	for (i = 0; text[i]; i++)
		if ((unsigned char)text[i] >= 0x20 && text[i] != 0x7f)
			text[o++] = text[i];
		else if (text[i] == '\t')
			text[o++] = ' ';
	while (o > 0 && text[o - 1] == ' ')
		o--; /* cmd's echo keeps the blank before a redirection */
	text[o] = '\0';
	if (o > 0) {
		pf_mutex_lock(p->mu);
		pf_strlcpy(p->last, text, sizeof(p->last));
		pf_mutex_unlock(p->mu);
		if (p->on_line != NULL)
			p->on_line(p->ctx, text);
	}
	free(text);
}

static void read_stderr(void *arg)
{
	pf_proc *p = arg;
	char line[512], buf[256];
	size_t n = 0;
	DWORD got, i;

	/* Ends when every holder of the pipe's other end is gone: the child
	 * and, through the job, whatever it started. */
	while (ReadFile(p->err_r, buf, sizeof(buf), &got, NULL) && got > 0) {
		for (i = 0; i < got; i++) {
			if (buf[i] == '\n' || buf[i] == '\r' || n == sizeof(line) - 1) {
				emit(p, line, n);
				n = 0;
				if (buf[i] == '\n' || buf[i] == '\r')
					continue;
			}
			line[n++] = buf[i];
		}
	}
	if (n > 0)
		emit(p, line, n);
	SetEvent(p->reader_done);
}

/* libssh's bytes to the child's stdin, until libssh's end closes or
 * pf_proc_end; then the child reads the end of its input. */
static void pump_to_child(void *arg)
{
	pf_proc *p = arg;
	unsigned char *buf = malloc(PUMP_BUF);

	while (buf != NULL) {
		pf_pollfd q[2] = {{p->sock, PF_POLL_IN, 0}, {pf_wakeup_fd(p->wake), PF_POLL_IN, 0}};
		long n;
		DWORD w, off = 0;

		if (pf_net_poll(q, 2, -1) < 0 || q[1].revents)
			break;
		n = pf_net_recv(p->sock, buf, PUMP_BUF);
		if (n == PF_E_NOTFOUND)
			continue;
		if (n <= 0)
			break;
		while (off < (DWORD)n && WriteFile(p->in_w, buf + off, (DWORD)n - off, &w, NULL))
			off += w;
		if (off < (DWORD)n)
			break; /* the child closed its stdin or ended */
	}
	free(buf);
	CloseHandle(p->in_w);
	p->in_w = NULL;
}

/* The child's stdout to libssh, until the child ends or closes it; then
 * libssh reads the end of the stream. */
static void pump_from_child(void *arg)
{
	pf_proc *p = arg;
	unsigned char *buf = malloc(PUMP_BUF);
	DWORD got;

	while (buf != NULL && ReadFile(p->out_r, buf, PUMP_BUF, &got, NULL) && got > 0)
		if (pf_net_send_all(p->sock, buf, got, -1) != 0)
			break;
	free(buf);
	pf_net_shutdown_write(p->sock);
}

static int is_cmd(const char *prog)
{
	const char *b = pf_path_basename(prog);

	return _stricmp(b, "cmd") == 0 || _stricmp(b, "cmd.exe") == 0;
}

/* The program's full path: a name with a folder in it is taken as written
 * (relative to the kit folder); a bare name is looked for in the kit
 * folder first (as is, then with .exe), then on the search path. Caller
 * frees; NULL when not found. */
static wchar_t *find_program(const char *prog, const char *kit)
{
	int bare = strpbrk(prog, "\\/:") == NULL;
	const char *dot = strrchr(pf_path_basename(prog), '.');
	wchar_t *wprog = NULL, *found = NULL, full[MAX_PATH * 2];
	DWORD n;

	if (!bare || kit != NULL) {
		char *path = kit != NULL ? pf_path_join(kit, prog) : pf_strdup(prog);
		char *exe = path != NULL && dot == NULL ? pf_asprintf("%s.exe", path) : NULL;

		if (path != NULL && pf_file_exists(path))
			found = pf_utf8_to_wide(path);
		else if (exe != NULL && pf_file_exists(exe))
			found = pf_utf8_to_wide(exe);
		free(path);
		free(exe);
		if (found != NULL || !bare)
			return found;
	}
	wprog = pf_utf8_to_wide(prog);
	if (wprog == NULL)
		return NULL;
	n = SearchPathW(NULL, wprog, L".exe", (DWORD)(sizeof(full) / sizeof(full[0])), full, NULL);
	if (n > 0 && n < sizeof(full) / sizeof(full[0]))
		found = _wcsdup(full);
	free(wprog);
	return found;
}

/* The parent's environment with the kit folder first on PATH (a
 * Unicode block for CreateProcessW). Caller frees; NULL: inherit as is. */
static wchar_t *child_environment(const char *kit)
{
	wchar_t *wkit = kit ? pf_utf8_to_wide(kit) : NULL, *env = NULL, *cur, *e, *out = NULL;
	size_t total = 0, pos = 0, len;
	int had_path = 0;

	if (wkit == NULL || (env = GetEnvironmentStringsW()) == NULL)
		goto done;
	for (e = env; *e; e += wcslen(e) + 1)
		total += wcslen(e) + 1;
	total += wcslen(wkit) + 8 /* "PATH=" ";" */ + 1;
	out = pf_calloc(total + 1, sizeof(wchar_t));
	if (out == NULL)
		goto done;
	for (e = env; *e; e += len + 1) {
		len = wcslen(e);
		if (_wcsnicmp(e, L"PATH=", 5) == 0 && !had_path) {
			had_path = 1;
			cur = e + 5;
			pos += (size_t)_snwprintf(out + pos, total - pos, L"PATH=%ls;%ls", wkit,
						  cur) +
			       1;
			continue;
		}
		memcpy(out + pos, e, (len + 1) * sizeof(wchar_t));
		pos += len + 1;
	}
	if (!had_path)
		pos += (size_t)_snwprintf(out + pos, total - pos, L"PATH=%ls", wkit) + 1;
	out[pos] = L'\0';
done:
	if (env != NULL)
		FreeEnvironmentStringsW(env);
	free(wkit);
	return out;
}

static void win_error(pf_error *err, pf_rc code, const char *what, DWORD e)
{
	wchar_t msg[300];
	char *m = NULL;

	if (FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, e, 0,
			   msg, sizeof(msg) / sizeof(msg[0]), NULL) > 0) {
		size_t n = wcslen(msg);

		while (n > 0 && (msg[n - 1] == L'\r' || msg[n - 1] == L'\n' || msg[n - 1] == L'.'))
			msg[--n] = L'\0';
		m = pf_wide_to_utf8(msg);
	}
	pf_error_set(err, code, "%s: %s (error %lu).", what, m ? m : "system error",
		     (unsigned long)e);
	free(m);
}

/* An attribute list that lets a child inherit exactly handles[0..n) (all
 * inheritable), whatever else in this process is inheritable at that moment
 * (another thread's pipes, sockets). `handles` must outlive its use in
 * CreateProcessW. NULL on failure (GetLastError says why). */
static LPPROC_THREAD_ATTRIBUTE_LIST handle_list_new(HANDLE *handles, size_t n)
{
	LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
	SIZE_T size = 0;

	InitializeProcThreadAttributeList(NULL, 1, 0, &size);
	attrs = malloc(size);
	if (attrs == NULL || !InitializeProcThreadAttributeList(attrs, 1, 0, &size)) {
		free(attrs);
		SetLastError(ERROR_NOT_ENOUGH_MEMORY);
		return NULL;
	}
	if (!UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles,
				       n * sizeof(HANDLE), NULL, NULL)) {
		DWORD e = GetLastError();

		DeleteProcThreadAttributeList(attrs);
		free(attrs);
		SetLastError(e);
		return NULL;
	}
	return attrs;
}

static void handle_list_free(LPPROC_THREAD_ATTRIBUTE_LIST attrs)
{
	if (attrs != NULL) {
		DeleteProcThreadAttributeList(attrs);
		free(attrs);
	}
}

/* The whole start: the command line, the program, the pipes, the job,
 * CreateProcessW. On failure everything made here is closed. */
static pf_rc spawn(pf_proc *p, const char *command, const char *kit, pf_error *err)
{
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	HANDLE in_r = NULL, out_w = NULL, err_w = NULL, inherit[3];
	STARTUPINFOEXW si;
	PROCESS_INFORMATION pi;
	JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
	LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
	char **argv = NULL, *line = NULL;
	size_t argc = 0, prog_end = 0;
	wchar_t *prog = NULL, *wline = NULL, *wkit = NULL, *env = NULL;
	pf_rc rc = PF_E_IO;
	DWORD flags;

	if (pfi_proxycmd_split_windows(command, &argv, &argc, &prog_end) != 0)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	if (argc == 0) {
		rc = pf_error_set(err, PF_E_CONFIG, "The ProxyCommand is empty.");
		goto out;
	}
	prog = find_program(argv[0], kit);
	if (prog == NULL) {
		rc = pf_error_set(err, PF_E_NOTFOUND,
				  "The program \"%s\" was not found in the kit folder (%s) nor on "
				  "the search path. Put it next to the config file or give its "
				  "full path.",
				  argv[0], kit ? kit : "none");
		goto out;
	}
	if (is_cmd(argv[0])) {
		/* cmd.exe reads its own command line: the rest as written. */
		char *p0 = pf_wide_to_utf8(prog);

		line = p0 ? pf_asprintf("\"%s\"%s", p0, command + prog_end) : NULL;
		free(p0);
	} else {
		char *p0 = pf_wide_to_utf8(prog), *keep = argv[0];

		/* argv[0] as found, so the child knows where it runs from. */
		argv[0] = p0;
		line = p0 ? pfi_proxycmd_join_windows(argv, argc) : NULL;
		argv[0] = keep;
		free(p0);
	}
	wline = line ? pf_utf8_to_wide(line) : NULL;
	wkit = kit ? pf_utf8_to_wide(kit) : NULL;
	if (wline == NULL || (kit != NULL && wkit == NULL)) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	env = child_environment(kit);

	/* Pipes: the child's ends inheritable, ours not. */
	if (!CreatePipe(&in_r, &p->in_w, &sa, 0) || !CreatePipe(&p->out_r, &out_w, &sa, 0) ||
	    !CreatePipe(&p->err_r, &err_w, &sa, 0)) {
		win_error(err, PF_E_IO, "Cannot make the pipes for the ProxyCommand",
			  GetLastError());
		goto out;
	}
	SetHandleInformation(p->in_w, HANDLE_FLAG_INHERIT, 0);
	SetHandleInformation(p->out_r, HANDLE_FLAG_INHERIT, 0);
	SetHandleInformation(p->err_r, HANDLE_FLAG_INHERIT, 0);

	/* Exactly these three handles are inherited, whatever else in this
	 * process is inheritable at this moment (another thread's pipes). */
	inherit[0] = in_r;
	inherit[1] = out_w;
	inherit[2] = err_w;
	attrs = handle_list_new(inherit, 3);
	if (attrs == NULL) {
		win_error(err, PF_E_IO, "Cannot limit the handles the ProxyCommand inherits",
			  GetLastError());
		goto out;
	}
	memset(&si, 0, sizeof(si));
	si.StartupInfo.cb = sizeof(si);
	si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
	si.StartupInfo.hStdInput = in_r;
	si.StartupInfo.hStdOutput = out_w;
	si.StartupInfo.hStdError = err_w;
	si.lpAttributeList = attrs;

	/* The job: closing it (pf_proc_end, or this process ending in any
	 * way) kills the child and whatever it started. */
	p->job = CreateJobObjectW(NULL, NULL);
	if (p->job != NULL) {
		memset(&lim, 0, sizeof(lim));
		lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
		if (!SetInformationJobObject(p->job, JobObjectExtendedLimitInformation, &lim,
					     sizeof(lim))) {
			CloseHandle(p->job);
			p->job = NULL;
		}
	}
	flags = CREATE_NO_WINDOW | CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT |
		CREATE_UNICODE_ENVIRONMENT;
	if (!CreateProcessW(prog, wline, NULL, NULL, TRUE, flags, env, wkit, &si.StartupInfo,
			    &pi)) {
		DWORD e = GetLastError();

		win_error(err, e == ERROR_FILE_NOT_FOUND ? PF_E_NOTFOUND : PF_E_IO,
			  "Cannot start the ProxyCommand program", e);
		rc = err ? err->code : PF_E_IO;
		goto out;
	}
	if (p->job != NULL && !AssignProcessToJobObject(p->job, pi.hProcess)) {
		/* Already in a job that allows no other: TerminateProcess at the
		 * end instead. */
		CloseHandle(p->job);
		p->job = NULL;
	}
	ResumeThread(pi.hThread);
	CloseHandle(pi.hThread);
	p->process = pi.hProcess;
	rc = PF_OK;
out:
	handle_list_free(attrs);
	/* The child's ends are the child's now (or nobody's). */
	if (in_r)
		CloseHandle(in_r);
	if (out_w)
		CloseHandle(out_w);
	if (err_w)
		CloseHandle(err_w);
	pf_strv_free(argv, argc);
	free(line);
	free(prog);
	free(wline);
	free(wkit);
	free(env);
	return rc;
}

static void proc_free(pf_proc *p)
{
	if (p->in_w)
		CloseHandle(p->in_w);
	if (p->out_r)
		CloseHandle(p->out_r);
	if (p->err_r)
		CloseHandle(p->err_r);
	if (p->process)
		CloseHandle(p->process);
	if (p->job)
		CloseHandle(p->job);
	if (p->reader_done)
		CloseHandle(p->reader_done);
	pf_net_close(p->sock);
	pf_wakeup_free(p->wake);
	pf_mutex_free(p->mu);
	free(p);
}

pf_rc pf_proc_start(const char *command, const char *cwd, pf_proc_line_fn on_line, void *ctx,
		    pf_socket *sock, pf_proc **out, pf_error *err)
{
	pf_proc *p = PF_NEW(pf_proc);
	pf_socket sv[2] = {PF_INVALID_SOCKET, PF_INVALID_SOCKET};
	char *kit = NULL;
	pf_rc rc;

	*out = NULL;
	*sock = PF_INVALID_SOCKET;
	if (p == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	p->sock = PF_INVALID_SOCKET;
	p->on_line = on_line;
	p->ctx = ctx;
	if ((p->mu = pf_mutex_new()) == NULL || pf_wakeup_new(&p->wake) != PF_OK ||
	    (p->reader_done = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL ||
	    (cwd != NULL && (kit = pf_path_absolute(cwd)) == NULL)) {
		proc_free(p);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	if (pf_net_socketpair(sv) != PF_OK) {
		free(kit);
		proc_free(p);
		return pf_error_set(err, PF_E_IO,
				    "Cannot make the socket pair for the ProxyCommand");
	}
	p->sock = sv[1];
	rc = spawn(p, command, kit, err);
	free(kit);
	if (rc != PF_OK) {
		pf_net_close(sv[0]);
		proc_free(p);
		return rc;
	}
	if (pf_thread_start(&p->reader, read_stderr, p) != PF_OK ||
	    pf_thread_start(&p->to_child, pump_to_child, p) != PF_OK ||
	    pf_thread_start(&p->from_child, pump_from_child, p) != PF_OK) {
		pf_net_close(sv[0]);
		pf_proc_end(p);
		return pf_error_set(err, PF_E_INTERNAL, "Cannot start a thread");
	}
	*sock = sv[0];
	*out = p;
	return PF_OK;
}

int pf_proc_exited(pf_proc *p, int *code)
{
	DWORD c = 0;

	if (p->process == NULL || WaitForSingleObject(p->process, 0) != WAIT_OBJECT_0) {
		*code = 0;
		return 0;
	}
	GetExitCodeProcess(p->process, &c);
	*code = (int)c;
	return 1;
}

void pf_proc_last_line(pf_proc *p, char *buf, size_t size)
{
	int code;

	/* Once the child is gone, its last words are in the pipe: let the
	 * reader take them (it ends when nobody holds the pipe any more). */
	if (pf_proc_exited(p, &code))
		WaitForSingleObject(p->reader_done, 500);
	pf_mutex_lock(p->mu);
	pf_strlcpy(buf, p->last, size);
	pf_mutex_unlock(p->mu);
}

void pf_proc_end(pf_proc *p)
{
	if (p == NULL)
		return;
	/* Politely first: its stdin ends (as when ssh closes the pipe). */
	pf_wakeup_signal(p->wake);
	if (p->process != NULL && WaitForSingleObject(p->process, POLITE_END_MS) != WAIT_OBJECT_0) {
		if (p->job != NULL)
			TerminateJobObject(p->job, 1);
		else
			TerminateProcess(p->process, 1);
		WaitForSingleObject(p->process, 5000);
	}
	/* What it started goes with the job (KILL_ON_JOB_CLOSE). */
	if (p->job != NULL) {
		CloseHandle(p->job);
		p->job = NULL;
	}
	if (p->to_child != NULL)
		pf_thread_join(p->to_child);
	if (p->from_child != NULL) {
		/* Blocked in a send to libssh's end, which is closed by now. */
		pf_thread_join(p->from_child);
	}
	if (p->reader != NULL)
		pf_thread_join(p->reader);
	proc_free(p);
}

/* 1 when the resolved file is a program CreateProcess starts itself (.exe,
 * .com): a .bat/.cmd (or anything else) would be run through cmd.exe, whose
 * parsing of the command line does not honour the C runtime's quoting
 * ("BatBadBut": a prompt holding `" & calc & "` or %VAR% would run or
 * expand). Trailing dots and blanks, which Windows drops, are ignored. */
static int is_program_file(const wchar_t *path)
{
	size_t n = wcslen(path);

	while (n > 0 && (path[n - 1] == L'.' || path[n - 1] == L' '))
		n--;
	return n > 4 && path[n - 4] == L'.' &&
	       (_wcsnicmp(path + n - 3, L"exe", 3) == 0 || _wcsnicmp(path + n - 3, L"com", 3) == 0);
}

/* SSH_ASKPASS (issue 18 item 19): the program (resolved to its full path,
 * which CreateProcess gets as lpApplicationName: no second search, and it
 * must be an .exe, see is_program_file) with the prompt as its one
 * argument, quoted by the C runtime's rules (pfi_proxycmd_join_windows:
 * quotes and backslashes before them survive), inheriting only its stdout
 * pipe, NUL as stdin and a copy of our stderr (a handle list: none of
 * pf.exe's sockets or files). Once buf is full the pipe is closed before
 * the wait, so a program that writes more cannot block on it (and us). */
int pf_proc_askpass(const char *prog, const char *prompt, char *buf, size_t size, pf_error *err)
{
	SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
	STARTUPINFOEXW si;
	PROCESS_INFORMATION pi;
	HANDLE rd = NULL, wr = NULL, nul = INVALID_HANDLE_VALUE, errh = NULL, inherit[3];
	LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
	char *argv[2], *line = NULL;
	wchar_t *wprog = NULL, *wline = NULL;
	DWORD got = 0, n, code = 1;
	size_t ninherit = 0;
	int rc = -1;

	pf_error_clear(err);
	if (size == 0)
		return -1;
	buf[0] = '\0';
	wprog = find_program(prog, NULL);
	if (wprog == NULL) {
		pf_error_set(err, PF_E_NOTFOUND,
			     "SSH_ASKPASS program \"%s\" was not found. Set SSH_ASKPASS to the "
			     "full path of an askpass .exe.",
			     prog);
		goto out;
	}
	if (!is_program_file(wprog)) {
		pf_error_set(err, PF_E_INVAL,
			     "SSH_ASKPASS \"%s\" is not an .exe: a batch file (.bat, .cmd) "
			     "would get the server's prompt through cmd.exe, which can run what "
			     "it holds. Not asked; use an askpass .exe.",
			     prog);
		goto out;
	}
	argv[0] = (char *)prog;
	argv[1] = (char *)prompt;
	line = pfi_proxycmd_join_windows(argv, 2);
	wline = line ? pf_utf8_to_wide(line) : NULL;
	if (wline == NULL || !CreatePipe(&rd, &wr, &sa, 0))
		goto out;
	SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
	inherit[ninherit++] = wr;
	nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
			  OPEN_EXISTING, 0, NULL);
	if (nul != INVALID_HANDLE_VALUE)
		inherit[ninherit++] = nul;
	if (GetStdHandle(STD_ERROR_HANDLE) != NULL &&
	    GetStdHandle(STD_ERROR_HANDLE) != INVALID_HANDLE_VALUE &&
	    DuplicateHandle(GetCurrentProcess(), GetStdHandle(STD_ERROR_HANDLE),
			    GetCurrentProcess(), &errh, 0, TRUE, DUPLICATE_SAME_ACCESS))
		inherit[ninherit++] = errh;
	attrs = handle_list_new(inherit, ninherit);
	if (attrs == NULL)
		goto out;
	memset(&si, 0, sizeof(si));
	si.StartupInfo.cb = sizeof(si);
	si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
	si.StartupInfo.hStdInput = nul != INVALID_HANDLE_VALUE ? nul : NULL;
	si.StartupInfo.hStdOutput = wr;
	si.StartupInfo.hStdError = errh;
	si.lpAttributeList = attrs;
	if (!CreateProcessW(wprog, wline, NULL, NULL, TRUE, EXTENDED_STARTUPINFO_PRESENT, NULL,
			    NULL, &si.StartupInfo, &pi)) {
		pf_error_set(err, PF_E_IO, "Cannot start SSH_ASKPASS program \"%s\" (error %lu)",
			     prog, (unsigned long)GetLastError());
		goto out;
	}
	CloseHandle(wr);
	wr = NULL;
	while (got + 1 < size && ReadFile(rd, buf + got, (DWORD)(size - 1 - got), &n, NULL) &&
	       n > 0)
		got += n;
	buf[got] = '\0';
	/* Full or at the end: closed before the wait, so more output fails in
	 * the program instead of blocking it on a pipe nobody reads. */
	CloseHandle(rd);
	rd = NULL;
	WaitForSingleObject(pi.hProcess, INFINITE);
	GetExitCodeProcess(pi.hProcess, &code);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	rc = code == 0 ? 0 : -1;
out:
	handle_list_free(attrs);
	if (rd)
		CloseHandle(rd);
	if (wr)
		CloseHandle(wr);
	if (nul != INVALID_HANDLE_VALUE)
		CloseHandle(nul);
	if (errh)
		CloseHandle(errh);
	free(line);
	free(wline);
	free(wprog);
	return rc;
}
