/* pf's prompts: an answer typed at the terminal (echo off for secrets) or
 * given by $SSH_ASKPASS, and what Ctrl-C, SIGTERM or SIGHUP (on Windows:
 * Ctrl-C and Ctrl-Break) do to a prompt and to a running session (issue 18
 * item 20).
 *
 * POSIX: the terminal's echo is turned off for a secret and restored on
 * every way out of the prompt; the signal handler ends the wait through a
 * pipe. Windows: the prompt never changes the console's mode. It reads key
 * events (ReadConsoleInputW) and echoes what is to be echoed itself, so
 * however pf ends, even killed, the console is as it was; a console control
 * handler (Windows runs it on a thread of its own) ends the wait through an
 * event, or a read of piped input with CancelSynchronousIo. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pf/mem.h"
#include "pf/proc.h"
#include "pf/session.h"

#ifdef _WIN32
#include <windows.h>
#include <io.h>
#define isatty _isatty
#define fileno _fileno
#else
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#endif

/* --- Ctrl-C and friends ----------------------------------------------------- */

/* While a session runs, the handler stops it; at a prompt it also ends the
 * wait for the answer (the signal may reach any thread), so the prompt
 * returns, the terminal is as it was and the session stops. Only
 * async-signal-safe calls in the POSIX handler: a flag, one send, one write. */
static pf_session *volatile running;    /* set before the handler is */
static volatile sig_atomic_t signalled; /* the signal that stopped pf, or 0 */
static int prompt_cancelled;            /* the signal that cancelled a prompt, or 0 */
#ifdef _WIN32
/* The handler sets cancel_event, which ends a console prompt's wait, and
 * ends a prompt thread's ReadFile of a pipe or file (while raw_reading)
 * with CancelSynchronousIo; the lock keeps the thread's handle open while
 * the handler uses it. session_handler: cli_interrupt_begin's is installed. */
static HANDLE cancel_event;
static HANDLE prompt_thread;
static SRWLOCK prompt_thread_lock = SRWLOCK_INIT;
static volatile LONG raw_reading;
static int session_handler;
#else
static int cancel_fd[2] = {-1, -1};
#endif

static void on_interrupt(int sig)
{
	pf_session *s = running;
	int e = errno;

	signalled = sig;
	if (s != NULL)
		pf_session_stop_from_signal(s);
#ifdef _WIN32
	if (cancel_event != NULL)
		SetEvent(cancel_event);
#else
	if (cancel_fd[1] >= 0 && write(cancel_fd[1], "", 1) < 0)
		(void)0; /* full: a byte is already waiting */
#endif
	errno = e;
}

#ifdef _WIN32
/* Ctrl-C and Ctrl-Break. The console window closed is left to Windows'
 * default (pf ends at once): the console is going, and the prompt has not
 * changed it. */
static BOOL WINAPI on_console_ctrl(DWORD type)
{
	int i;

	if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
		return FALSE;
	on_interrupt(type == CTRL_C_EVENT ? SIGINT : SIGBREAK);
	/* A prompt reading a pipe: end its ReadFile. Again until it has
	 * left it, in case the read had not begun yet (at most 1 s). */
	for (i = 0; i < 100 && raw_reading; i++) {
		AcquireSRWLockExclusive(&prompt_thread_lock);
		if (prompt_thread != NULL)
			CancelSynchronousIo(prompt_thread);
		ReleaseSRWLockExclusive(&prompt_thread_lock);
		Sleep(10);
	}
	return TRUE;
}
#endif

static const char *signal_name(int sig)
{
#ifdef _WIN32
	return sig == SIGINT ? "Ctrl-C" : "Ctrl-Break";
#else
	return sig == SIGINT ? "Ctrl-C" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
#endif
}

/* The exit status of a program the signal ended: 128 + the signal as a
 * shell shows it; on Windows what its default Ctrl-C handler gives. */
static int signal_status(int sig)
{
#ifdef _WIN32
	(void)sig;
	return (int)STATUS_CONTROL_C_EXIT;
#else
	return 128 + sig;
#endif
}

void cli_interrupt_begin(pf_session *s)
{
	running = s;
#ifdef _WIN32
	session_handler = 1;
	SetConsoleCtrlHandler(on_console_ctrl, TRUE);
#else
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
#endif
}

void cli_interrupt_end(void)
{
#ifdef _WIN32
	SetConsoleCtrlHandler(on_console_ctrl, FALSE);
	session_handler = 0;
#else
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
#endif
	running = NULL;
}

int cli_prompt_cancel_status(void)
{
	return prompt_cancelled ? signal_status(prompt_cancelled) : 0;
}

/* --- reading answers ------------------------------------------------------ */

#define READ_CANCELLED (-2) /* a signal ended the prompt */

/* Where typed answers come from: standard input, or the terminal itself
 * when standard input carries data (pf -W). */
#ifdef _WIN32
static HANDLE answer_in = NULL; /* NULL: standard input */
#define ANSWER_IN (answer_in != NULL ? answer_in : GetStdHandle(STD_INPUT_HANDLE))
#else
static int answer_in = 0;
#define ANSWER_IN answer_in
#endif

void cli_answers_from_terminal(void)
{
#ifdef _WIN32
	HANDLE h = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
			       FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING, 0, NULL);

	answer_in = h; /* INVALID_HANDLE_VALUE without a console: no typed answers */
#else
	answer_in = open("/dev/tty", O_RDWR | O_CLOEXEC);
#endif
}

/* A line from standard input (not a console), a byte at a time with
 * read()/ReadFile, so no stdio buffer keeps a copy of a secret. 0, -1 at
 * end of input, or READ_CANCELLED when a signal came first. */
static int read_line_raw(char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		char c;
#ifdef _WIN32
		DWORD n = 0;
		BOOL ok;

		if (signalled)
			return READ_CANCELLED;
		InterlockedExchange(&raw_reading, 1);
		ok = ReadFile(ANSWER_IN, &c, 1, &n, NULL);
		InterlockedExchange(&raw_reading, 0);
		if (signalled)
			return READ_CANCELLED;
		if (!ok || n == 0)
			return len > 0 ? (buf[len] = '\0', 0) : -1;
#else
		struct pollfd p[2] = {{ANSWER_IN, POLLIN, 0}, {cancel_fd[0], POLLIN, 0}};
		ssize_t n;

		/* pf -W without a terminal: nowhere to type; poll() would skip
		 * the fd and wait for ever. */
		if (ANSWER_IN < 0)
			return -1;
		if (signalled)
			return READ_CANCELLED;
		if (poll(p, cancel_fd[0] >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (signalled || (p[1].revents & POLLIN))
			return READ_CANCELLED;
		n = read(ANSWER_IN, &c, 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return len > 0 ? (buf[len] = '\0', 0) : -1;
#endif
		if (c == '\n')
			break;
		if (c != '\r' && len + 1 < size)
			buf[len++] = c;
	}
	buf[len] = '\0';
	return 0;
}

#ifdef _WIN32
#define CONSOLE_LINE_MAX 1024 /* UTF-16 units: as many as pf's longest answer */

/* Show (or take back, with erase) n typed characters where the prompt
 * went, when that is a console. */
static void console_echo(const WCHAR *text, DWORD n, int erase)
{
	HANDLE out = GetStdHandle(STD_ERROR_HANDLE);
	DWORD mode, done;

	if (!GetConsoleMode(out, &mode))
		return;
	if (!erase) {
		WriteConsoleW(out, text, n, &done, NULL);
		return;
	}
	while (n-- > 0)
		WriteConsoleW(out, L"\b \b", 3, &done, NULL);
}

/* Drop the last character of line[0..*n) (both halves of a surrogate pair). */
static void take_back(WCHAR *line, DWORD *n, int echo)
{
	if (*n == 0)
		return;
	(*n)--;
	if (*n > 0 && IS_LOW_SURROGATE(line[*n]) && IS_HIGH_SURROGATE(line[*n - 1]))
		(*n)--;
	if (echo)
		console_echo(NULL, 1, 1);
}

/* A line typed at a console, read as key events without touching the
 * console's mode: Enter ends it, Backspace takes back a character, Esc
 * the whole line, Ctrl-Z on an empty line is the end of input, Ctrl-C (when
 * the console passes it on as a key) and the control handler cancel. The
 * answer is UTF-8 in buf, cut to whole characters that fit. */
static int read_console_line(HANDLE in, int echo, char *buf, size_t size)
{
	WCHAR line[CONSOLE_LINE_MAX];
	HANDLE wait[2] = {cancel_event, in};
	INPUT_RECORD rec;
	DWORD n = 0, got, i;
	int rc = -1, len;

	for (;;) {
		KEY_EVENT_RECORD *k = &rec.Event.KeyEvent;
		WCHAR c;

		if (signalled) {
			rc = READ_CANCELLED;
			break;
		}
		if (WaitForMultipleObjects(2, wait, FALSE, INFINITE) == WAIT_OBJECT_0) {
			rc = READ_CANCELLED;
			break;
		}
		if (!ReadConsoleInputW(in, &rec, 1, &got))
			break;
		if (got == 0 || rec.EventType != KEY_EVENT || !k->bKeyDown)
			continue;
		c = k->uChar.UnicodeChar;
		if (c == L'\r' || c == L'\n') {
			if (echo)
				console_echo(L"\r\n", 2, 0);
			rc = 0;
			break;
		}
		if (c == 3) { /* Ctrl-C as a key: the console does not handle it */
			on_interrupt(SIGINT);
			rc = READ_CANCELLED;
			break;
		}
		if (c == 26 && n == 0) /* Ctrl-Z: end of input */
			break;
		if (c == L'\b') {
			take_back(line, &n, echo);
		} else if (c == 27) {
			while (n > 0)
				take_back(line, &n, echo);
		} else if (c >= 0x20 && c != 0x7f) {
			for (i = 0;
			     i < (k->wRepeatCount ? k->wRepeatCount : 1u) && n < CONSOLE_LINE_MAX;
			     i++) {
				line[n++] = c;
				if (echo)
					console_echo(&c, 1, 0);
			}
		}
	}
	if (rc == 0) {
		/* Whole characters only: drop the last until the rest fits. */
		while ((len = WideCharToMultiByte(CP_UTF8, 0, line, (int)n, buf, (int)size - 1,
						  NULL, NULL)) == 0 &&
		       n > 0)
			take_back(line, &n, 0);
		buf[len > 0 ? len : 0] = '\0';
	}
	SecureZeroMemory(line, sizeof(line));
	SecureZeroMemory(&rec, sizeof(rec));
	return rc;
}
#endif

/* A line from the terminal into buf (no newline); echo off when !echo.
 * Returns 0, -1 at end of input, or READ_CANCELLED. */
static int read_terminal(const char *prompt, int echo, char *buf, size_t size)
{
	int rc;
#ifdef _WIN32
	HANDLE in = ANSWER_IN;
	DWORD mode;
	int console = GetConsoleMode(in, &mode);

	if (cancel_event == NULL)
		cancel_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (!console)
		prompt_thread = OpenThread(THREAD_TERMINATE, FALSE, GetCurrentThreadId());
	/* Beside the session's handler (pf keygen has none of its own). */
	SetConsoleCtrlHandler(on_console_ctrl, TRUE);
#else
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa, prev[3];
	struct termios old, quiet;
	int restore = !echo && isatty(ANSWER_IN) && tcgetattr(ANSWER_IN, &old) == 0;
	size_t i;

	/* The handler, without SA_RESTART, for as long as the prompt waits
	 * (pf keygen has none of its own; pf's connect path has the same). */
	if (cancel_fd[0] < 0 && pipe(cancel_fd) == 0) {
		fcntl(cancel_fd[0], F_SETFD, FD_CLOEXEC);
		fcntl(cancel_fd[1], F_SETFD, FD_CLOEXEC);
		fcntl(cancel_fd[1], F_SETFL, O_NONBLOCK);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &prev[i]);
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(ANSWER_IN, TCSAFLUSH, &quiet);
	}
#endif
	fprintf(stderr, "%s ", prompt);
	fflush(stderr);
#ifdef _WIN32
	rc = console ? read_console_line(in, echo, buf, size) : read_line_raw(buf, size);
	SetConsoleCtrlHandler(on_console_ctrl, FALSE);
	AcquireSRWLockExclusive(&prompt_thread_lock);
	if (prompt_thread != NULL)
		CloseHandle(prompt_thread);
	prompt_thread = NULL;
	ReleaseSRWLockExclusive(&prompt_thread_lock);
#else
	rc = read_line_raw(buf, size);
	/* The terminal first, whatever ended the prompt. */
	if (restore)
		tcsetattr(ANSWER_IN, TCSAFLUSH, &old);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &prev[i], NULL);
#endif
	if (!echo || rc == READ_CANCELLED)
		fputc('\n', stderr);
	if (rc == READ_CANCELLED) {
		int sig = signalled;

		pf_secure_zero(buf, size);
		prompt_cancelled = sig;
		fprintf(stderr, "pf: %s at the prompt: cancelled.\n", signal_name(sig));
		fflush(stderr);
		/* Nobody else handles it (pf keygen): end as the signal
		 * would have, now that the terminal is as it was. */
#ifdef _WIN32
		if (!session_handler)
			ExitProcess((UINT)signal_status(sig));
#else
		for (i = 0; i < 3; i++)
			if (sigs[i] == sig && prev[i].sa_handler == SIG_DFL) {
				signal(sig, SIG_DFL);
				raise(sig);
			}
#endif
		rc = -1;
	}
	return rc;
}

/* SSH_ASKPASS is used when SSH_ASKPASS_REQUIRE=force, or when there is no
 * terminal and SSH_ASKPASS_REQUIRE is not "never" (as OpenSSH does). */
static const char *askpass_program(void)
{
	const char *prog = getenv("SSH_ASKPASS"), *req = getenv("SSH_ASKPASS_REQUIRE");

	if (prog == NULL || prog[0] == '\0')
		return NULL;
	if (req != NULL && strcmp(req, "force") == 0)
		return prog;
	if (req != NULL && strcmp(req, "never") == 0)
		return NULL;
	return isatty(fileno(stdin)) ? NULL : prog;
}

/* Run the askpass program with the prompt as its argument (pf/proc.h);
 * its first line of output is the answer. */
static int read_askpass(const char *prog, const char *prompt, char *buf, size_t size)
{
	pf_error err;
	int rc = pf_proc_askpass(prog, prompt, buf, size, &err);

	if (err.code != PF_OK)
		fprintf(stderr, "pf: %s\n", err.message);
	buf[strcspn(buf, "\r\n")] = '\0';
	return rc;
}

int cli_read_answer(const char *prompt, int echo, char *buf, size_t size)
{
	const char *prog = askpass_program();

	if (prog != NULL)
		return read_askpass(prog, prompt, buf, size);
	return read_terminal(prompt, echo, buf, size);
}
