/* pftest-agentrelay.exe: makes Linux's real ssh-agent answer on the named
 * pipe Windows' OpenSSH agent uses (\\.\pipe\openssh-ssh-agent), so pf.exe's
 * agent support is tested against a real agent under Wine. Wine has no
 * AF_UNIX sockets, so the test puts the agent's Unix socket on a loopback
 * TCP port (socat); this relays each agent message from the pipe to that
 * port, then runs the given program and returns its exit status.
 *
 * With --pageant it answers as PuTTY's Pageant instead (a window of class
 * and title "Pageant" taking WM_COPYDATA requests in a named file mapping).
 * With --silent it takes requests and never answers (a hung agent, or one
 * that another user serves to make us wait); the port is then unused.
 *
 *   pftest-agentrelay [--pageant] [--silent] <agent TCP port> <program.exe> [args...] */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <string.h>

#define PIPE_NAME L"\\\\.\\pipe\\openssh-ssh-agent"
#define MAX_MSG   (256 * 1024)

static int agent_port;
static int silent;
static HANDLE ready; /* set once the pipe or the window exists */
static unsigned char msg[MAX_MSG + 4];

static int pipe_io(HANDLE h, int write, unsigned char *buf, DWORD n)
{
	DWORD done = 0, k;

	while (done < n) {
		BOOL ok = write ? WriteFile(h, buf + done, n - done, &k, NULL)
				: ReadFile(h, buf + done, n - done, &k, NULL);

		if (!ok || k == 0)
			return -1;
		done += k;
	}
	return 0;
}

static int sock_io(SOCKET s, int write, unsigned char *buf, int n)
{
	int done = 0;

	while (done < n) {
		int k = write ? send(s, (char *)buf + done, n - done, 0)
			      : recv(s, (char *)buf + done, n - done, 0);

		if (k <= 0)
			return -1;
		done += k;
	}
	return 0;
}

static unsigned long get32(const unsigned char *p)
{
	return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) |
	       ((unsigned long)p[2] << 8) | p[3];
}

static SOCKET agent_connect(void)
{
	struct sockaddr_in a;
	SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((u_short)agent_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s == INVALID_SOCKET || connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		fprintf(stderr, "agentrelay: cannot reach the agent on port %d (%d)\n", agent_port,
			WSAGetLastError());
		if (s != INVALID_SOCKET)
			closesocket(s);
		return INVALID_SOCKET;
	}
	return s;
}

/* One pipe client: relay every request to a fresh agent connection. */
static void serve(HANDLE pipe)
{
	SOCKET s;

	if (silent) {
		/* Read what comes, answer nothing, keep the pipe open. */
		while (pipe_io(pipe, 0, msg, 1) == 0)
			;
		return;
	}
	s = agent_connect();

	if (s == INVALID_SOCKET)
		return;
	for (;;) {
		unsigned long len;

		if (pipe_io(pipe, 0, msg, 4) != 0)
			break;
		len = get32(msg);
		if (len > MAX_MSG || pipe_io(pipe, 0, msg + 4, len) != 0 ||
		    sock_io(s, 1, msg, (int)len + 4) != 0 || sock_io(s, 0, msg, 4) != 0)
			break;
		len = get32(msg);
		if (len > MAX_MSG || sock_io(s, 0, msg + 4, (int)len) != 0 ||
		    pipe_io(pipe, 1, msg, len + 4) != 0)
			break;
	}
	closesocket(s);
}

static DWORD WINAPI relay(LPVOID arg)
{
	(void)arg;
	for (;;) {
		HANDLE pipe = CreateNamedPipeW(PIPE_NAME, PIPE_ACCESS_DUPLEX,
					       PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, 1,
					       65536, 65536, 0, NULL);

		if (pipe == INVALID_HANDLE_VALUE)
			return 1;
		SetEvent(ready);
		if (ConnectNamedPipe(pipe, NULL) || GetLastError() == ERROR_PIPE_CONNECTED)
			serve(pipe);
		DisconnectNamedPipe(pipe);
		CloseHandle(pipe);
	}
}

/* Pageant's protocol: the request sits in the file mapping named in the
 * message; the answer replaces it. */
static LRESULT CALLBACK pageant_proc(HWND w, UINT m, WPARAM wp, LPARAM lp)
{
	const COPYDATASTRUCT *cds = (const COPYDATASTRUCT *)lp;
	HANDLE map;
	unsigned char *view;
	unsigned long len;
	SOCKET s;
	LRESULT ok = 0;

	if (m != WM_COPYDATA)
		return DefWindowProcW(w, m, wp, lp);
	if (silent) {
		Sleep(INFINITE); /* a hung Pageant */
		return 0;
	}
	if (cds->dwData != 0x804e50ba || cds->cbData == 0)
		return 0;
	map = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, (const char *)cds->lpData);
	if (map == NULL)
		return 0;
	view = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, 0);
	s = agent_connect();
	if (view != NULL && s != INVALID_SOCKET) {
		len = get32(view);
		if (len <= 8192 - 4 && sock_io(s, 1, view, (int)len + 4) == 0 &&
		    sock_io(s, 0, msg, 4) == 0) {
			len = get32(msg);
			if (len <= 8192 - 4 && sock_io(s, 0, msg + 4, (int)len) == 0) {
				memcpy(view, msg, len + 4);
				ok = 1;
			}
		}
	}
	if (s != INVALID_SOCKET)
		closesocket(s);
	if (view != NULL)
		UnmapViewOfFile(view);
	CloseHandle(map);
	return ok;
}

static DWORD WINAPI pageant(LPVOID arg)
{
	WNDCLASSW wc;
	MSG m;

	(void)arg;
	memset(&wc, 0, sizeof(wc));
	wc.lpfnWndProc = pageant_proc;
	wc.hInstance = GetModuleHandleW(NULL);
	wc.lpszClassName = L"Pageant";
	RegisterClassW(&wc);
	CreateWindowW(L"Pageant", L"Pageant", 0, 0, 0, 0, 0, NULL, NULL, wc.hInstance, NULL);
	SetEvent(ready);
	while (GetMessageW(&m, NULL, 0, 0) > 0)
		DispatchMessageW(&m);
	return 0;
}

int wmain(int argc, wchar_t **argv);
int wmain(int argc, wchar_t **argv)
{
	WSADATA wsa;
	wchar_t cmd[8192] = L"";
	STARTUPINFOW si;
	PROCESS_INFORMATION pi;
	DWORD code = 1;
	int i;

	int as_pageant = 0;

	for (;;) {
		if (argc > 1 && wcscmp(argv[1], L"--pageant") == 0)
			as_pageant = 1;
		else if (argc > 1 && wcscmp(argv[1], L"--silent") == 0)
			silent = 1;
		else
			break;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: pftest-agentrelay <agent port> <program.exe> [args...]\n");
		return 2;
	}
	WSAStartup(MAKEWORD(2, 2), &wsa);
	agent_port = (int)wcstol(argv[1], NULL, 10);
	ready = CreateEventW(NULL, TRUE, FALSE, NULL);
	CloseHandle(CreateThread(NULL, 0, as_pageant ? pageant : relay, NULL, 0, NULL));
	/* The pipe or window exists before the program looks for it (a fixed
	 * half second was too short on a loaded machine). */
	WaitForSingleObject(ready, 30000);
	for (i = 2; i < argc; i++) {
		wcsncat(cmd, L"\"", 8191 - wcslen(cmd));
		wcsncat(cmd, argv[i], 8191 - wcslen(cmd));
		wcsncat(cmd, L"\" ", 8191 - wcslen(cmd));
	}
	memset(&si, 0, sizeof(si));
	si.cb = sizeof(si);
	if (!CreateProcessW(argv[2], cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
		fprintf(stderr, "agentrelay: cannot start %ls\n", argv[2]);
		return 1;
	}
	WaitForSingleObject(pi.hProcess, INFINITE);
	GetExitCodeProcess(pi.hProcess, &code);
	CloseHandle(pi.hProcess);
	CloseHandle(pi.hThread);
	return (int)code;
}
