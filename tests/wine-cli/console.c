/* pftest-console: run a console program in a console of its own and act
 * as the person at it, through the console API (issue 18 item 20):
 *
 *   pftest-console [--stdin-pipe | --raw] "<command line>" step...
 *
 * The console is new (AllocConsole), in Windows' default mode (echo, line
 * input, Ctrl-C processed; --raw: not processed, a key like any other); the
 * program inherits it. With --stdin-pipe its standard input is instead a
 * pipe this program holds open and never writes. Steps, in order:
 *   wait=TEXT     TEXT shows on the screen within 60 s
 *   hidden=TEXT   TEXT is not on the screen
 *   mode          the console's input mode is what it was before the start
 *   type=TEXT     type TEXT (key presses); enter, backspace: those keys
 *   ctrl-c        the console's Ctrl-C event (as the keys send it)
 *   key-ctrl-c    Ctrl-C as a key press (with --raw: the console mode
 *                 without ENABLE_PROCESSED_INPUT passes it on so)
 *   kill          TerminateProcess, as Task Manager's End task
 *   exit=HEX      the program ends within 30 s with that exit code
 * One line per step on standard output; exit status 0 when all held. */
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

static HANDLE out_log, con_in, con_out;
static int failures;

static void say(const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	DWORD n;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 1)
		len = (int)sizeof(line) - 1;
	WriteFile(out_log, line, (DWORD)len, &n, NULL);
}

static char *utf8(const WCHAR *w)
{
	static char buf[16384];

	if (WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, sizeof(buf), NULL, NULL) == 0)
		buf[0] = '\0';
	return buf;
}

/* The whole screen buffer, rows one after another (a wrapped line stays
 * whole). Caller frees. */
static WCHAR *screen(void)
{
	CONSOLE_SCREEN_BUFFER_INFO info;
	COORD origin = {0, 0};
	DWORD cells, got = 0;
	WCHAR *text;

	if (!GetConsoleScreenBufferInfo(con_out, &info))
		return NULL;
	cells = (DWORD)info.dwSize.X * (DWORD)info.dwSize.Y;
	text = calloc(cells + 1, sizeof(WCHAR));
	if (text != NULL && !ReadConsoleOutputCharacterW(con_out, text, cells, origin, &got))
		got = 0;
	if (text != NULL)
		text[got] = L'\0';
	return text;
}

static int on_screen(const WCHAR *what)
{
	WCHAR *s = screen();
	int found = s != NULL && wcsstr(s, what) != NULL;

	free(s);
	return found;
}

/* The screen's lines, trailing blanks dropped, for a failure's log. */
static void dump_screen(void)
{
	CONSOLE_SCREEN_BUFFER_INFO info;
	WCHAR *s = screen(), row[512];
	int y, w;

	if (s == NULL || !GetConsoleScreenBufferInfo(con_out, &info))
		return;
	w = info.dwSize.X < 511 ? info.dwSize.X : 511;
	say("  screen:\n");
	for (y = 0; y <= info.dwCursorPosition.Y && y < info.dwSize.Y; y++) {
		int n = w;

		wmemcpy(row, s + (size_t)y * (size_t)info.dwSize.X, (size_t)w);
		while (n > 0 && row[n - 1] == L' ')
			n--;
		row[n] = L'\0';
		say("  | %s\n", utf8(row));
	}
	free(s);
}

static void result(int ok, const char *step, const WCHAR *arg)
{
	say("%s: %s%s%s\n", ok ? "ok" : "FAIL", step, arg ? " " : "", arg ? utf8(arg) : "");
	if (!ok) {
		failures++;
		dump_screen();
	}
}

static void key(WCHAR c, WORD vk)
{
	INPUT_RECORD r[2];
	DWORD n;
	int i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 2; i++) {
		r[i].EventType = KEY_EVENT;
		r[i].Event.KeyEvent.bKeyDown = i == 0;
		r[i].Event.KeyEvent.wRepeatCount = 1;
		r[i].Event.KeyEvent.wVirtualKeyCode = vk;
		r[i].Event.KeyEvent.wVirtualScanCode = (WORD)MapVirtualKeyW(vk, MAPVK_VK_TO_VSC);
		r[i].Event.KeyEvent.uChar.UnicodeChar = c;
		r[i].Event.KeyEvent.dwControlKeyState = c == 3 ? LEFT_CTRL_PRESSED : 0;
	}
	WriteConsoleInputW(con_in, r, 2, &n);
	Sleep(20);
}

/* The driver itself lives through the control events it sends. (Not
 * SetConsoleCtrlHandler(NULL, TRUE): children would inherit the "ignore
 * Ctrl-C" flag.) */
static BOOL WINAPI keep_going(DWORD type)
{
	(void)type;
	return TRUE;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
	SECURITY_ATTRIBUTES inherit = {sizeof(inherit), NULL, TRUE};
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	HANDLE pipe_r = NULL, pipe_w = NULL;
	DWORD mode0 = 0, mode, code, processed = ENABLE_PROCESSED_INPUT;
	int a = 1, i;

	out_log = GetStdHandle(STD_OUTPUT_HANDLE);
	if (a < argc && wcscmp(argv[a], L"--raw") == 0) {
		processed = 0;
		a++;
	} else if (a < argc && wcscmp(argv[a], L"--stdin-pipe") == 0) {
		if (!CreatePipe(&pipe_r, &pipe_w, &inherit, 0))
			return 2;
		SetHandleInformation(pipe_w, HANDLE_FLAG_INHERIT, 0);
		a++;
	}
	if (a >= argc) {
		say("usage: pftest-console [--stdin-pipe | --raw] \"<command line>\" step...\n");
		return 2;
	}
	FreeConsole();
	if (!AllocConsole()) {
		say("FAIL: AllocConsole: error %lu\n", GetLastError());
		return 2;
	}
	SetStdHandle(STD_OUTPUT_HANDLE, out_log);
	con_in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
			     FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
	con_out = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
			      FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
	SetConsoleMode(con_in, processed | ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT |
				       ENABLE_INSERT_MODE | ENABLE_QUICK_EDIT_MODE |
				       ENABLE_EXTENDED_FLAGS);
	GetConsoleMode(con_in, &mode0);
	SetConsoleCtrlHandler(keep_going, TRUE);

	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = pipe_r != NULL ? pipe_r : con_in;
	si.hStdOutput = con_out;
	si.hStdError = con_out;
	if (!CreateProcessW(NULL, argv[a], NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
		say("FAIL: cannot start %s: error %lu\n", utf8(argv[a]), GetLastError());
		return 1;
	}
	say("started: %s (console mode %#lx%s)\n", utf8(argv[a]), mode0,
	    pipe_r != NULL ? ", standard input a silent pipe" : "");

	for (i = a + 1; i < argc; i++) {
		const WCHAR *s = argv[i], *v = wcschr(s, L'=');

		v = v != NULL ? v + 1 : NULL;
		if (wcsncmp(s, L"wait=", 5) == 0) {
			int t;

			for (t = 0; t < 600 && !on_screen(v); t++)
				Sleep(100);
			result(on_screen(v), "on the screen:", v);
		} else if (wcsncmp(s, L"hidden=", 7) == 0) {
			result(!on_screen(v), "not on the screen:", v);
		} else if (wcscmp(s, L"mode") == 0) {
			mode = 0;
			GetConsoleMode(con_in, &mode);
			say("  console mode %#lx\n", mode);
			result(mode == mode0, "the console's mode is as it was", NULL);
		} else if (wcsncmp(s, L"type=", 5) == 0) {
			for (; *v; v++)
				key(*v, (WORD)(VkKeyScanW(*v) & 0xff));
			say("typed: %s\n", utf8(s + 5));
		} else if (wcscmp(s, L"enter") == 0) {
			key(L'\r', VK_RETURN);
			say("typed: Enter\n");
		} else if (wcscmp(s, L"backspace") == 0) {
			key(L'\b', VK_BACK);
			say("typed: Backspace\n");
		} else if (wcscmp(s, L"ctrl-c") == 0) {
			result(GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0), "sent", s);
		} else if (wcscmp(s, L"key-ctrl-c") == 0) {
			key(3, 'C');
			say("typed: Ctrl-C (a key: the console does not process it)\n");
		} else if (wcscmp(s, L"kill") == 0) {
			result(TerminateProcess(pi.hProcess, 9), "TerminateProcess", NULL);
			WaitForSingleObject(pi.hProcess, 10000);
		} else if (wcsncmp(s, L"exit=", 5) == 0) {
			DWORD want = (DWORD)wcstoul(v, NULL, 16);

			code = STILL_ACTIVE;
			if (WaitForSingleObject(pi.hProcess, 30000) == WAIT_OBJECT_0)
				GetExitCodeProcess(pi.hProcess, &code);
			say("  exit code %#lx\n", code);
			result(code == want, "exit code", v);
		} else {
			say("unknown step %s\n", utf8(s));
			failures++;
		}
	}
	if (WaitForSingleObject(pi.hProcess, 0) != WAIT_OBJECT_0) {
		TerminateProcess(pi.hProcess, 9);
		WaitForSingleObject(pi.hProcess, 10000);
	}
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	if (pipe_w != NULL)
		CloseHandle(pipe_w);
	say("%d failed\n", failures);
	return failures ? 1 : 0;
}
