/* Windows agents for libssh: OpenSSH's agent named pipe, or Pageant's
 * WM_COPYDATA protocol, bridged to one end of a socket pair whose other end
 * libssh uses as its agent socket. Both speak the SSH agent protocol
 * (4-byte big-endian length, then the message); the bridge moves whole
 * messages, one request and one answer at a time.
 *
 * On a shared PC anyone may create a pipe of the agent's name first, so
 * the pipe is opened for identification only (the server cannot act as
 * us) and used only when its owner and its server process are this user
 * or the system (the Windows OpenSSH agent is a LocalSystem service).
 * Every exchange with the agent has a time limit: a silent agent must not
 * hold up a login (libssh waits on the socket pair meanwhile) or Exit. */
#include <winsock2.h>
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/agent.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "win32_internal.h"

#define AGENT_MAX_MSG       (256 * 1024)
#define PAGEANT_MAX_MSG     8192
#define PAGEANT_COPYDATA_ID 0x804e50ba
#define OPENSSH_PIPE        L"\\\\.\\pipe\\openssh-ssh-agent"
#define AGENT_TIMEOUT_MS    30000

struct pf_agent {
	pf_thread *thread;
	pf_socket sock;
	HANDLE pipe; /* or INVALID_HANDLE_VALUE for Pageant */
};

/* The time limit for one agent answer. PF_AGENT_TIMEOUT_MS may change it
 * (100 ms .. 10 min), for tests and for agents that ask the person first. */
static DWORD agent_timeout_ms(void)
{
	const char *e = getenv("PF_AGENT_TIMEOUT_MS");
	char *end;
	unsigned long v;

	if (e == NULL || *e == '\0')
		return AGENT_TIMEOUT_MS;
	v = strtoul(e, &end, 10);
	if (*end != '\0' || v < 100 || v > 600000)
		return AGENT_TIMEOUT_MS;
	return (DWORD)v;
}

/* Exactly n bytes to or from the (overlapped) pipe, within *left_ms, which
 * is reduced by the time spent. -1 on error, end or timeout (the pending
 * I/O is cancelled and waited for, so buf is free again). */
static int pipe_io(HANDLE h, HANDLE ev, int write, unsigned char *buf, DWORD n, DWORD *left_ms)
{
	DWORD done = 0;

	while (done < n) {
		OVERLAPPED ov;
		DWORD k = 0, t0 = GetTickCount(), w, spent;
		BOOL ok;

		memset(&ov, 0, sizeof(ov));
		ov.hEvent = ev;
		ResetEvent(ev);
		ok = write ? WriteFile(h, buf + done, n - done, NULL, &ov)
			   : ReadFile(h, buf + done, n - done, NULL, &ov);
		if (!ok && GetLastError() != ERROR_IO_PENDING)
			return -1;
		w = WaitForSingleObject(ev, *left_ms);
		if (w != WAIT_OBJECT_0) {
			CancelIo(h);
			GetOverlappedResult(h, &ov, &k, TRUE);
			*left_ms = 0;
			return -1;
		}
		if (!GetOverlappedResult(h, &ov, &k, FALSE) || k == 0)
			return -1;
		done += k;
		spent = GetTickCount() - t0;
		*left_ms = spent >= *left_ms ? 0 : *left_ms - spent;
	}
	return 0;
}

/* 1 when `sid` may serve our agent: this user or LocalSystem; for the
 * pipe's owner also the Administrators group (a SYSTEM service's objects
 * are owned by it). Only an administrator can create objects owned so.
 * PF_AGENT_EXPECT_SID (a SID string), when set, must match as well: it
 * can only narrow what is accepted (the owner test uses it, since Wine has
 * one user only). */
static int trusted_sid(PSID sid, PSID user, int owner)
{
	const char *expect = getenv("PF_AGENT_EXPECT_SID");
	int ok;

	if (sid == NULL || !IsValidSid(sid))
		return 0;
	ok = (user != NULL && EqualSid(sid, user)) || IsWellKnownSid(sid, WinLocalSystemSid) ||
	     (owner && IsWellKnownSid(sid, WinBuiltinAdministratorsSid));
	if (ok && expect != NULL && *expect != '\0') {
		PSID want = NULL;

		ok = ConvertStringSidToSidA(expect, &want) && EqualSid(sid, want);
		if (want != NULL)
			LocalFree(want);
	}
	return ok;
}

/* The user SID of process `pid` into *out (caller frees); 0 when Windows
 * does not let us look (a service's token may be closed to us). */
static int process_user(ULONG pid, PSID *out)
{
	HANDLE proc = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid), tok = NULL;
	TOKEN_USER *tu = NULL;
	DWORD n = 0;
	int ok = 0;

	*out = NULL;
	if (proc != NULL && OpenProcessToken(proc, TOKEN_QUERY, &tok)) {
		GetTokenInformation(tok, TokenUser, NULL, 0, &n);
		tu = n ? malloc(n) : NULL;
		if (tu != NULL && GetTokenInformation(tok, TokenUser, tu, n, &n)) {
			DWORD len = GetLengthSid(tu->User.Sid);

			*out = malloc(len);
			ok = *out != NULL && CopySid(len, *out, tu->User.Sid);
		}
	}
	free(tu);
	if (tok != NULL)
		CloseHandle(tok);
	if (proc != NULL)
		CloseHandle(proc);
	return ok;
}

/* Who serves the pipe: its owner and, when Windows lets us look, the user
 * of the server process. Each that is known must be trusted, and at least
 * one must be known (Windows always gives the owner; Wine gives none, but
 * lets us see the process). PF_OK or PF_E_DENIED with one message. */
static pf_rc check_pipe_server(HANDLE h, pf_error *err)
{
	PSID user = pfi_win32_user_sid(), owner = NULL, server = NULL;
	PSECURITY_DESCRIPTOR sd = NULL;
	ULONG pid = 0;
	int known = 0;
	pf_rc rc = PF_OK;

	if (GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL,
			    NULL, &sd) == ERROR_SUCCESS &&
	    owner != NULL) {
		known = 1;
		if (!trusted_sid(owner, user, 1)) {
			rc = pf_error_set(err, PF_E_DENIED,
					  "The SSH agent pipe is not owned by you or the system: "
					  "another user may have created it. The agent was not "
					  "used.");
			goto out;
		}
	}
	if (GetNamedPipeServerProcessId(h, &pid) && pid != 0 && process_user(pid, &server)) {
		known = 1;
		if (!trusted_sid(server, user, 0)) {
			rc = pf_error_set(err, PF_E_DENIED,
					  "The SSH agent pipe is served by a program of another "
					  "user (process %lu). The agent was not used.",
					  (unsigned long)pid);
			goto out;
		}
	}
	if (!known)
		rc = pf_error_set(err, PF_E_DENIED,
				  "Windows does not say who serves the SSH agent pipe, so it was "
				  "not used.");
out:
	if (sd != NULL)
		LocalFree(sd);
	free(server);
	free(user);
	return rc;
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
	DWORD_PTR answered = 0;
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
		/* A Pageant that hangs must not hang us: SendMessageTimeout. */
		if (SendMessageTimeoutW(hwnd, WM_COPYDATA, 0, (LPARAM)&cds, SMTO_NORMAL,
					agent_timeout_ms(), &answered) != 0 &&
		    answered != 0) {
			/* Bounded before the 4 is added: 0xffffffff + 4 must not
			 * wrap to a tiny length in 32 bits. */
			unsigned long n = get32(view);

			if (n <= PAGEANT_MAX_MSG - 4) {
				memcpy(msg, view, (size_t)n + 4);
				*out_len = (size_t)n + 4;
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
	HANDLE ev = CreateEventW(NULL, TRUE, FALSE, NULL);

	while (msg != NULL && ev != NULL) {
		unsigned long len;
		size_t out = 0;

		if (pf_net_recv_all(a->sock, msg, 4, -1) != 0)
			break;
		len = get32(msg);
		if (len == 0 || len > AGENT_MAX_MSG ||
		    pf_net_recv_all(a->sock, msg + 4, len, -1) != 0)
			break;
		if (a->pipe != INVALID_HANDLE_VALUE) {
			/* One time limit for the whole exchange. */
			DWORD left = agent_timeout_ms();

			if (pipe_io(a->pipe, ev, 1, msg, (DWORD)len + 4, &left) != 0 ||
			    pipe_io(a->pipe, ev, 0, msg, 4, &left) != 0)
				break;
			len = get32(msg);
			if (len > AGENT_MAX_MSG ||
			    pipe_io(a->pipe, ev, 0, msg + 4, (DWORD)len, &left) != 0)
				break;
			out = len + 4;
		} else if (pageant_query(msg, len + 4, &out) != 0) {
			/* SSH_AGENT_FAILURE, so libssh moves on. */
			static const unsigned char fail[5] = {0, 0, 0, 1, 5};

			memcpy(msg, fail, sizeof(fail));
			out = sizeof(fail);
		}
		if (pf_net_send_all(a->sock, msg, out, -1) != 0)
			break;
	}
	if (msg != NULL) {
		pf_secure_zero(msg, AGENT_MAX_MSG + 4);
		free(msg);
	}
	if (ev != NULL)
		CloseHandle(ev);
	pf_net_close(a->sock);
	a->sock = PF_INVALID_SOCKET;
	if (a->pipe != INVALID_HANDLE_VALUE)
		CloseHandle(a->pipe);
	a->pipe = INVALID_HANDLE_VALUE;
}

/* The agent pipe, opened for identification only (the server may learn
 * who we are, never act as us) and overlapped (for the time limits), once
 * its server passed check_pipe_server. INVALID_HANDLE_VALUE when there is
 * none or it was refused (*err says why). */
static HANDLE open_pipe(const char *name_utf8, pf_error *err)
{
	wchar_t *w = name_utf8 ? pf_utf8_to_wide(name_utf8) : NULL;
	HANDLE h = CreateFileW(
		w ? w : OPENSSH_PIPE, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
		FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);

	free(w);
	if (h != INVALID_HANDLE_VALUE && check_pipe_server(h, err) != PF_OK) {
		CloseHandle(h);
		h = INVALID_HANDLE_VALUE;
	}
	return h;
}

pf_rc pf_agent_open(const char *identity_agent, pf_agent **out, pf_socket *sock, pf_error *err)
{
	const char *env = getenv("SSH_AUTH_SOCK");
	pf_agent *a = NULL;
	pf_socket sv[2];
	HANDLE pipe = INVALID_HANDLE_VALUE;
	pf_error refused;
	int pageant_only = identity_agent != NULL && _stricmp(identity_agent, "pageant") == 0;

	*out = NULL;
	*sock = PF_INVALID_SOCKET;
	pf_error_clear(&refused);
	if (identity_agent != NULL && _stricmp(identity_agent, "none") == 0)
		return PF_E_NOTFOUND;
	if (identity_agent != NULL && strcmp(identity_agent, "SSH_AUTH_SOCK") == 0)
		identity_agent = NULL;
	if (!pageant_only) {
		const char *name = identity_agent ? identity_agent : env;

		if (name != NULL && strncmp(name, "\\\\.\\pipe\\", 9) != 0)
			name = NULL; /* a Unix socket path means nothing here */
		pipe = open_pipe(name, &refused);
	}
	if (pipe == INVALID_HANDLE_VALUE && FindWindowW(L"Pageant", L"Pageant") == NULL) {
		if (refused.code != PF_OK)
			return pf_error_set(err, refused.code, "%s", refused.message);
		return pf_error_set(err, PF_E_NOTFOUND,
				    "No SSH agent (OpenSSH agent or Pageant) is running.");
	}
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
