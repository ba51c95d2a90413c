/* Windows agents for libssh: OpenSSH's agent named pipe, or Pageant's
 * WM_COPYDATA protocol, bridged to one end of a socket pair whose other end
 * libssh uses as its agent socket. Both speak the SSH agent protocol
 * (4-byte big-endian length, then the message); the bridge moves whole
 * messages, one request and one answer at a time. */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/agent.h"
#include "pf/mem.h"
#include "pf/platform.h"

#define AGENT_MAX_MSG       (256 * 1024)
#define PAGEANT_MAX_MSG     8192
#define PAGEANT_COPYDATA_ID 0x804e50ba
#define OPENSSH_PIPE        L"\\\\.\\pipe\\openssh-ssh-agent"

struct pf_agent {
	pf_thread *thread;
	pf_socket sock;
	HANDLE pipe; /* or INVALID_HANDLE_VALUE for Pageant */
};

/* Exactly n bytes from the socket (it is non-blocking: poll). */
static int sock_read(pf_socket s, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		pf_pollfd p = {s, PF_POLL_IN, 0};
		long r;

		if (pf_net_poll(&p, 1, -1) < 0)
			return -1;
		r = pf_net_recv(s, buf + got, n - got);
		if (r == PF_E_NOTFOUND)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int sock_write(pf_socket s, const unsigned char *buf, size_t n)
{
	size_t put = 0;

	while (put < n) {
		pf_pollfd p = {s, PF_POLL_OUT, 0};
		long r;

		if (pf_net_poll(&p, 1, -1) < 0)
			return -1;
		r = pf_net_send(s, buf + put, n - put);
		if (r == PF_E_NOTFOUND)
			continue;
		if (r <= 0)
			return -1;
		put += (size_t)r;
	}
	return 0;
}

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

static unsigned long get32(const unsigned char *p)
{
	return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) |
	       ((unsigned long)p[2] << 8) | p[3];
}

/* One request to Pageant through a named file mapping and WM_COPYDATA;
 * the answer replaces the request in `msg` (length-prefixed). */
static int pageant_query(unsigned char *msg, size_t len, size_t *out_len)
{
	HWND hwnd = FindWindowW(L"Pageant", L"Pageant");
	char name[64];
	HANDLE map;
	unsigned char *view;
	COPYDATASTRUCT cds;
	int rc = -1;

	if (hwnd == NULL || len > PAGEANT_MAX_MSG)
		return -1;
	snprintf(name, sizeof(name), "PageantRequest%08lx", (unsigned long)GetCurrentThreadId());
	map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, PAGEANT_MAX_MSG,
				 name);
	if (map == NULL)
		return -1;
	view = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, 0);
	if (view != NULL) {
		memcpy(view, msg, len);
		cds.dwData = PAGEANT_COPYDATA_ID;
		cds.cbData = (DWORD)strlen(name) + 1;
		cds.lpData = name;
		if (SendMessageW(hwnd, WM_COPYDATA, 0, (LPARAM)&cds) != 0) {
			size_t n = get32(view) + 4;

			if (n <= PAGEANT_MAX_MSG) {
				memcpy(msg, view, n);
				*out_len = n;
				rc = 0;
			}
		}
		pf_secure_zero(view, PAGEANT_MAX_MSG);
		UnmapViewOfFile(view);
	}
	CloseHandle(map);
	return rc;
}

static void bridge(void *arg)
{
	pf_agent *a = arg;
	unsigned char *msg = malloc(AGENT_MAX_MSG + 4);

	while (msg != NULL) {
		unsigned long len;
		size_t out = 0;

		if (sock_read(a->sock, msg, 4) != 0)
			break;
		len = get32(msg);
		if (len == 0 || len > AGENT_MAX_MSG || sock_read(a->sock, msg + 4, len) != 0)
			break;
		if (a->pipe != INVALID_HANDLE_VALUE) {
			if (pipe_io(a->pipe, 1, msg, (DWORD)len + 4) != 0 ||
			    pipe_io(a->pipe, 0, msg, 4) != 0)
				break;
			len = get32(msg);
			if (len > AGENT_MAX_MSG || pipe_io(a->pipe, 0, msg + 4, (DWORD)len) != 0)
				break;
			out = len + 4;
		} else if (pageant_query(msg, len + 4, &out) != 0) {
			/* SSH_AGENT_FAILURE, so libssh moves on. */
			static const unsigned char fail[5] = {0, 0, 0, 1, 5};

			memcpy(msg, fail, sizeof(fail));
			out = sizeof(fail);
		}
		if (sock_write(a->sock, msg, out) != 0)
			break;
	}
	if (msg != NULL) {
		pf_secure_zero(msg, AGENT_MAX_MSG + 4);
		free(msg);
	}
	pf_net_close(a->sock);
	a->sock = PF_INVALID_SOCKET;
	if (a->pipe != INVALID_HANDLE_VALUE)
		CloseHandle(a->pipe);
	a->pipe = INVALID_HANDLE_VALUE;
}

static HANDLE open_pipe(const char *name_utf8)
{
	wchar_t *w = name_utf8 ? pf_utf8_to_wide(name_utf8) : NULL;
	HANDLE h = CreateFileW(w ? w : OPENSSH_PIPE, GENERIC_READ | GENERIC_WRITE, 0, NULL,
			       OPEN_EXISTING, 0, NULL);

	free(w);
	return h;
}

pf_rc pf_agent_open(const char *identity_agent, pf_agent **out, pf_socket *sock, pf_error *err)
{
	const char *env = getenv("SSH_AUTH_SOCK");
	pf_agent *a = NULL;
	pf_socket sv[2];
	HANDLE pipe = INVALID_HANDLE_VALUE;
	int pageant_only = identity_agent != NULL && _stricmp(identity_agent, "pageant") == 0;

	*out = NULL;
	*sock = PF_INVALID_SOCKET;
	if (identity_agent != NULL && _stricmp(identity_agent, "none") == 0)
		return PF_E_NOTFOUND;
	if (identity_agent != NULL && strcmp(identity_agent, "SSH_AUTH_SOCK") == 0)
		identity_agent = NULL;
	if (!pageant_only) {
		const char *name = identity_agent ? identity_agent : env;

		if (name != NULL && strncmp(name, "\\\\.\\pipe\\", 9) != 0)
			name = NULL; /* a Unix socket path means nothing here */
		pipe = open_pipe(name);
	}
	if (pipe == INVALID_HANDLE_VALUE && FindWindowW(L"Pageant", L"Pageant") == NULL)
		return pf_error_set(err, PF_E_NOTFOUND,
				    "No SSH agent (OpenSSH agent or Pageant) is running.");
	a = PF_NEW(pf_agent);
	if (a == NULL || pf_net_socketpair(sv) != PF_OK) {
		if (pipe != INVALID_HANDLE_VALUE)
			CloseHandle(pipe);
		free(a);
		return pf_error_set(err, PF_E_NOMEM, "Cannot reach the SSH agent");
	}
	a->pipe = pipe;
	a->sock = sv[1];
	{
		/* libssh's agent code blocks in recv/send and checks errno,
		 * which Winsock does not set: its end must be blocking. */
		u_long off = 0;

		ioctlsocket((SOCKET)sv[0], FIONBIO, &off);
	}
	if (pf_thread_start(&a->thread, bridge, a) != PF_OK) {
		pf_net_close(sv[0]);
		pf_net_close(sv[1]);
		if (pipe != INVALID_HANDLE_VALUE)
			CloseHandle(pipe);
		free(a);
		return pf_error_set(err, PF_E_INTERNAL, "Cannot start a thread");
	}
	*out = a;
	*sock = sv[0];
	return PF_OK;
}

void pf_agent_close(pf_agent *a)
{
	if (a == NULL)
		return;
	pf_thread_join(a->thread);
	free(a);
}
