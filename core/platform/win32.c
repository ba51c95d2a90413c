/* Win32 implementation of pf/platform.h: UTF-8 paths in, UTF-16 W APIs out. */
#include <winsock2.h>
#include <windows.h>
#include <bcrypt.h>
#include <lmcons.h>
#include <sddl.h>
#include <shlobj.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "pf/mem.h"
#include "pf/platform.h"
#include "file_internal.h"
#include "win32_internal.h"

wchar_t *pf_utf8_to_wide(const char *s)
{
	int n;
	wchar_t *w;

	if (s == NULL)
		return NULL;
	n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
	if (n <= 0)
		return NULL;
	w = PF_NEW_ARRAY(wchar_t, (size_t)n);
	if (w == NULL)
		return NULL;
	MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
	return w;
}

char *pf_wide_to_utf8(const wchar_t *w)
{
	int n;
	char *s;

	if (w == NULL)
		return NULL;
	n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	if (n <= 0)
		return NULL;
	s = PF_NEW_ARRAY(char, (size_t)n);
	if (s == NULL)
		return NULL;
	WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	return s;
}

static pf_rc win_rc(DWORD e)
{
	switch (e) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_INVALID_DRIVE: return PF_E_NOTFOUND;
	case ERROR_ACCESS_DENIED:
	case ERROR_SHARING_VIOLATION:
	case ERROR_WRITE_PROTECT: return PF_E_DENIED;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY: return PF_E_NOMEM;
	default: return PF_E_IO;
	}
}

/* The system's own words for a Win32 error code, in UTF-8. */
static void win_errstr(DWORD e, char *buf, size_t size)
{
	wchar_t wbuf[256];
	DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
				 e, 0, wbuf, 256, NULL);

	while (n > 0 && (wbuf[n - 1] == L'\r' || wbuf[n - 1] == L'\n' || wbuf[n - 1] == L'.'))
		wbuf[--n] = L'\0';
	if (n == 0 || WideCharToMultiByte(CP_UTF8, 0, wbuf, -1, buf, (int)size, NULL, NULL) <= 0)
		snprintf(buf, size, "error %lu", (unsigned long)e);
}

FILE *pf_fopen(const char *path, const char *mode)
{
	wchar_t *wp = pf_utf8_to_wide(path), *wm = pf_utf8_to_wide(mode);
	FILE *f = NULL;

	if (wp != NULL && wm != NULL)
		f = _wfopen(wp, wm);
	free(wp);
	free(wm);
	return f;
}

pf_rc pf_file_read(const char *path, size_t max, char **data, size_t *len, pf_error *err)
{
	wchar_t *wp = pf_utf8_to_wide(path);
	HANDLE h = INVALID_HANDLE_VALUE;
	LARGE_INTEGER size;
	char *buf = NULL, es[256];
	size_t used = 0;
	pf_rc rc = PF_OK;

	*data = NULL;
	*len = 0;
	if (wp == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	h = CreateFileW(wp, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
			FILE_ATTRIBUTE_NORMAL, NULL);
	free(wp);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();

		win_errstr(e, es, sizeof(es));
		return pf_error_set(err, win_rc(e), "Cannot open %s: %s", path, es);
	}
	if (!GetFileSizeEx(h, &size) || size.QuadPart < 0) {
		rc = pf_error_set(err, PF_E_IO, "Cannot read %s", path);
		goto out;
	}
	if ((unsigned long long)size.QuadPart > max) {
		rc = pf_error_set(err, PF_E_TOOBIG, "%s is larger than %zu bytes", path, max);
		goto out;
	}
	buf = malloc((size_t)size.QuadPart + 1);
	if (buf == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory reading %s", path);
		goto out;
	}
	while (used < (size_t)size.QuadPart) {
		DWORD got = 0, want = (DWORD)((size_t)size.QuadPart - used > 1u << 30
						      ? 1u << 30
						      : (size_t)size.QuadPart - used);

		if (!ReadFile(h, buf + used, want, &got, NULL)) {
			rc = pf_error_set(err, PF_E_IO, "Cannot read %s", path);
			goto out;
		}
		if (got == 0)
			break;
		used += got;
	}
	buf[used] = '\0';
out:
	CloseHandle(h);
	if (rc != PF_OK) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = used;
	return PF_OK;
}

/* What is at `wpath` for a writer: 0 nothing or a regular file (*final set
 * to the real file's path when `wpath` is a link), 1 a character device
 * (NUL, CON: discard), 2 a folder, 3 a pipe, 4 another kind. */
static int target_kind(const wchar_t *wpath, wchar_t **final)
{
	HANDLE h;
	DWORD type, a = GetFileAttributesW(wpath), n;
	BY_HANDLE_FILE_INFORMATION fi;
	int kind = 0;

	if (final != NULL)
		*final = NULL;
	h = CreateFileW(wpath, FILE_READ_ATTRIBUTES,
			FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
			FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return 0; /* nothing there (or unreadable: the write says why) */
	type = GetFileType(h);
	if (type == FILE_TYPE_CHAR)
		kind = 1;
	else if (type == FILE_TYPE_PIPE)
		kind = 3;
	else if (type != FILE_TYPE_DISK)
		kind = 4;
	else if (GetFileInformationByHandle(h, &fi) &&
		 (fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
		kind = 2;
	else if (final != NULL && a != INVALID_FILE_ATTRIBUTES &&
		 (a & FILE_ATTRIBUTE_REPARSE_POINT)) {
		/* A symbolic link: replace its target, keep the link. */
		n = GetFinalPathNameByHandleW(h, NULL, 0, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
		if (n > 0) {
			*final = PF_NEW_ARRAY(wchar_t, (size_t)n + 1);
			if (*final != NULL &&
			    GetFinalPathNameByHandleW(h, *final, n + 1,
						      FILE_NAME_NORMALIZED | VOLUME_NAME_DOS) == 0)
				PF_FREE(*final);
		}
	}
	CloseHandle(h);
	return kind;
}

int pf_file_discards(const char *path)
{
	wchar_t *w = pf_utf8_to_wide(path);
	int r = w != NULL && target_kind(w, NULL) == 1;

	free(w);
	return r;
}

int pf_file_remove(const char *path)
{
	wchar_t *w = pf_utf8_to_wide(path);
	int r = w != NULL && DeleteFileW(w) ? 0 : -1;

	free(w);
	return r;
}

pf_rc pf_file_write_commit(pf_file_pending *w, pf_error *err)
{
	wchar_t *wtmp = NULL, *wreal = NULL;
	char es[256];
	DWORD e;
	pf_rc rc = PF_OK;

	if (w == NULL)
		return PF_OK;
	wtmp = pf_utf8_to_wide(w->tmp);
	wreal = pf_utf8_to_wide(w->real);
	if (wtmp == NULL || wreal == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
	} else if (!MoveFileExW(wtmp, wreal, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		e = GetLastError();
		win_errstr(e, es, sizeof(es));
		rc = pf_error_set(err, win_rc(e), "Cannot replace %s: %s", w->path, es);
	} else {
		PF_FREE(w->tmp); /* renamed: nothing to remove */
	}
	free(wtmp);
	free(wreal);
	pfi_file_pending_free(w);
	return rc;
}

/* This process's user SID; caller frees with free(). */
PSID pfi_win32_user_sid(void)
{
	HANDLE tok = NULL;
	DWORD n = 0;
	TOKEN_USER *tu = NULL;
	PSID sid = NULL;

	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return NULL;
	GetTokenInformation(tok, TokenUser, NULL, 0, &n);
	tu = n ? malloc(n) : NULL;
	if (tu != NULL && GetTokenInformation(tok, TokenUser, tu, n, &n)) {
		DWORD len = GetLengthSid(tu->User.Sid);

		sid = malloc(len);
		if (sid != NULL)
			CopySid(len, sid, tu->User.Sid);
	}
	free(tu);
	CloseHandle(tok);
	return sid;
}

/* A security descriptor for a private key (issue 18 item 11): a protected
 * DACL (nothing inherited from the folder) with one ACE, full access for
 * the user this process runs as. LocalFree it; NULL on failure. */
static PSECURITY_DESCRIPTOR owner_only_sd(void)
{
	PSID user = pfi_win32_user_sid();
	wchar_t *sid = NULL, sddl[256];
	PSECURITY_DESCRIPTOR sd = NULL;

	if (user != NULL && ConvertSidToStringSidW(user, &sid) &&
	    _snwprintf(sddl, sizeof(sddl) / sizeof(sddl[0]), L"D:P(A;;FA;;;%ls)", sid) > 0 &&
	    !ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
		sd = NULL;
	if (sid != NULL)
		LocalFree(sid);
	free(user);
	return sd;
}

pf_rc pf_file_write_prepare(const char *path, const void *data, size_t len, int secret,
			    pf_file_pending **out, pf_error *err)
{
	pf_file_pending *w = NULL;
	wchar_t *wpath = NULL, *final = NULL, *wtmp = NULL;
	SECURITY_ATTRIBUTES sa = {0};
	PSECURITY_DESCRIPTOR sd = NULL;
	char es[256];
	unsigned char rnd[4] = {0};
	HANDLE h = INVALID_HANDLE_VALUE;
	const char *p = data;
	size_t left = len;
	pf_rc rc = PF_OK;
	DWORD e;
	int kind;

	*out = NULL;
	wpath = pf_utf8_to_wide(path);
	if (wpath == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	kind = target_kind(wpath, &final);
	free(wpath);
	if (kind == 1)
		return PF_OK; /* NUL and its kind: keep nothing, never replace the device. */
	if (kind != 0)
		return pf_error_set(err, PF_E_INVAL,
				    "Cannot write %s: it is %s, not a file; nothing was written. "
				    "Choose the path of a file (or NUL to keep nothing).",
				    path,
				    kind == 2   ? "a folder"
				    : kind == 3 ? "a named pipe"
						: "a special file");
	w = PF_NEW(pf_file_pending);
	if (w != NULL) {
		w->path = pf_strdup(path);
		/* A symbolic link: its target is replaced, the link stays. */
		w->real = final != NULL ? pf_wide_to_utf8(final) : pf_strdup(path);
	}
	free(final);
	if (w == NULL || w->path == NULL || w->real == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	pf_random_bytes(rnd, sizeof(rnd));
	w->tmp = pf_asprintf("%s.tmp%02x%02x%02x%02x", w->real, rnd[0], rnd[1], rnd[2], rnd[3]);
	wtmp = w->tmp ? pf_utf8_to_wide(w->tmp) : NULL;
	if (wtmp == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	if (secret) {
		/* Owner only from the first byte: the rename keeps it. */
		sa.nLength = sizeof(sa);
		sa.lpSecurityDescriptor = sd = owner_only_sd();
		if (sd == NULL) {
			e = GetLastError();
			win_errstr(e, es, sizeof(es));
			rc = pf_error_set(err, win_rc(e),
					  "Cannot make %s readable by you alone: %s; nothing was "
					  "written.",
					  path, es);
			goto out;
		}
	}
	h = CreateFileW(wtmp, GENERIC_WRITE, 0, secret ? &sa : NULL, CREATE_NEW,
			FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		e = GetLastError();
		win_errstr(e, es, sizeof(es));
		rc = pf_error_set(err, win_rc(e), "Cannot create a temporary file next to %s: %s",
				  w->real, es);
		PF_FREE(w->tmp); /* not ours to delete */
		goto out;
	}
	while (left > 0) {
		DWORD put = 0, want = left > (1u << 30) ? (1u << 30) : (DWORD)left;

		if (!WriteFile(h, p, want, &put, NULL) || put == 0) {
			e = GetLastError();
			win_errstr(e, es, sizeof(es));
			rc = pf_error_set(err, win_rc(e), "Cannot write %s: %s", w->tmp, es);
			goto out;
		}
		p += put;
		left -= put;
	}
	if (!FlushFileBuffers(h)) {
		e = GetLastError();
		win_errstr(e, es, sizeof(es));
		rc = pf_error_set(err, win_rc(e), "Cannot write %s: %s", w->tmp, es);
		goto out;
	}
out:
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	if (sd != NULL)
		LocalFree(sd);
	free(wtmp);
	if (rc != PF_OK) {
		if (w != NULL)
			pfi_file_pending_free(w);
		return rc;
	}
	*out = w;
	return PF_OK;
}

static DWORD attrs_of(const char *path)
{
	wchar_t *w = pf_utf8_to_wide(path);
	DWORD a = INVALID_FILE_ATTRIBUTES;

	if (w != NULL)
		a = GetFileAttributesW(w);
	free(w);
	return a;
}

int pf_file_exists(const char *path)
{
	DWORD a = attrs_of(path);

	return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

pf_rc pf_file_identity(const char *path, pf_file_id *id)
{
	wchar_t *w = pf_utf8_to_wide(path);
	BY_HANDLE_FILE_INFORMATION fi;
	HANDLE h;
	pf_rc rc = PF_E_IO;

	memset(id, 0, sizeof(*id));
	if (w == NULL)
		return PF_E_NOMEM;
	/* No access rights needed for the attributes; any sharing mode. */
	h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();

		return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? PF_E_NOTFOUND
									      : PF_E_IO;
	}
	if (GetFileInformationByHandle(h, &fi) &&
	    !(fi.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
		id->volume = fi.dwVolumeSerialNumber;
		id->file = (uint64_t)fi.nFileIndexHigh << 32 | fi.nFileIndexLow;
		id->size = (uint64_t)fi.nFileSizeHigh << 32 | fi.nFileSizeLow;
		id->mtime = (int64_t)((uint64_t)fi.ftLastWriteTime.dwHighDateTime << 32 |
				      fi.ftLastWriteTime.dwLowDateTime);
		rc = PF_OK;
	}
	CloseHandle(h);
	return rc;
}

int pf_dir_exists(const char *path)
{
	DWORD a = attrs_of(path);

	return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

pf_rc pf_dir_list(const char *dir, char ***names, size_t *count, pf_error *err)
{
	char *pattern = pf_path_join(dir, "*");
	wchar_t *wpat = pattern ? pf_utf8_to_wide(pattern) : NULL;
	WIN32_FIND_DATAW fd;
	HANDLE h;
	char **v = NULL;
	size_t n = 0, cap = 0;
	pf_rc rc = PF_OK;

	*names = NULL;
	*count = 0;
	free(pattern);
	if (wpat == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	h = FindFirstFileW(wpat, &fd);
	free(wpat);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();

		if (e == ERROR_FILE_NOT_FOUND)
			return PF_OK; /* an empty folder */
		return pf_error_set(err, win_rc(e), "Cannot open folder %s", dir);
	}
	do {
		if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
			continue;
		if (PF_ARRAY_GROW(v, cap, n + 1, 16) != 0) {
			rc = PF_E_NOMEM;
			break;
		}
		v[n] = pf_wide_to_utf8(fd.cFileName);
		if (v[n] == NULL) {
			rc = PF_E_NOMEM;
			break;
		}
		n++;
	} while (FindNextFileW(h, &fd));
	FindClose(h);
	if (rc != PF_OK) {
		pf_strv_free(v, n);
		return pf_error_set(err, rc, "Out of memory listing %s", dir);
	}
	pf_strv_sort(v, n);
	*names = v;
	*count = n;
	return PF_OK;
}

static int is_sep(char c)
{
	return c == '\\' || c == '/';
}

int pf_path_is_absolute(const char *path)
{
	if (is_sep(path[0]))
		return 1; /* "\dir" (current drive) and "\\server\share" */
	return ((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) &&
	       path[1] == ':' && is_sep(path[2]);
}

const char *pf_path_basename(const char *path)
{
	const char *b = path, *p;

	for (p = path; *p; p++)
		if (is_sep(*p) || (*p == ':' && p == path + 1))
			b = p + 1;
	return b;
}

char *pf_path_dirname(const char *path)
{
	const char *base = pf_path_basename(path), *end = base;

	if (base == path)
		return pf_strdup(".");
	while (end > path && is_sep(end[-1]))
		end--;
	if (end == path)
		return pf_strndup(path, 1); /* "\" */
	if (end == path + 2 && path[1] == ':')
		return pf_strndup(path, 3); /* "C:\" */
	return pf_strndup(path, (size_t)(end - path));
}

char *pf_path_join(const char *dir, const char *name)
{
	size_t dl;

	if (pf_path_is_absolute(name) || dir == NULL || dir[0] == '\0')
		return pf_strdup(name);
	dl = strlen(dir);
	if (dl > 0 && is_sep(dir[dl - 1]))
		return pf_asprintf("%s%s", dir, name);
	return pf_asprintf("%s\\%s", dir, name);
}

char *pf_path_absolute(const char *path)
{
	wchar_t *w = pf_utf8_to_wide(path), full[32768];
	DWORD n;

	if (w == NULL)
		return NULL;
	n = GetFullPathNameW(w, 32768, full, NULL);
	free(w);
	if (n == 0 || n >= 32768)
		return pf_strdup(path);
	return pf_wide_to_utf8(full);
}

char *pf_home_dir(void)
{
	wchar_t *w = _wgetenv(L"USERPROFILE");
	wchar_t buf[MAX_PATH];

	if (w != NULL && w[0] != L'\0')
		return pf_wide_to_utf8(w);
	if (SUCCEEDED(SHGetFolderPathW(NULL, CSIDL_PROFILE, NULL, 0, buf)))
		return pf_wide_to_utf8(buf);
	return pf_strdup("C:\\");
}

char *pf_user_name(void)
{
	wchar_t buf[UNLEN + 1];
	DWORD n = UNLEN + 1;

	if (GetUserNameW(buf, &n))
		return pf_wide_to_utf8(buf);
	return pf_strdup("user");
}

char *pf_host_name(void)
{
	wchar_t buf[MAX_COMPUTERNAME_LENGTH + 1];
	DWORD n = MAX_COMPUTERNAME_LENGTH + 1;

	if (GetComputerNameW(buf, &n))
		return pf_wide_to_utf8(buf);
	return pf_strdup("localhost");
}

/* The performance counter, not GetTickCount64: that one moves in steps of
 * the system tick (10-16 ms on Windows; under Wine, whenever wineserver
 * gets to update it, which lags on a busy machine). */
uint64_t pf_time_ms(void)
{
	LARGE_INTEGER c, f;

	if (!QueryPerformanceFrequency(&f) || f.QuadPart <= 0 || !QueryPerformanceCounter(&c))
		return GetTickCount64();
	return (uint64_t)(c.QuadPart / f.QuadPart) * 1000u +
	       (uint64_t)(c.QuadPart % f.QuadPart) * 1000u / (uint64_t)f.QuadPart;
}

void pf_sleep_ms(unsigned ms)
{
	Sleep(ms);
}

pf_rc pf_random_bytes(void *buf, size_t n)
{
	if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, buf, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
		return PF_E_IO;
	return PF_OK;
}

/* --- threads ------------------------------------------------------------ */

struct pf_thread {
	HANDLE h;
	void (*fn)(void *);
	void *arg;
};

struct pf_mutex {
	CRITICAL_SECTION cs;
};

struct pf_cond {
	CONDITION_VARIABLE cv;
};

static DWORD WINAPI thread_main(LPVOID p)
{
	pf_thread *t = p;

	t->fn(t->arg);
	return 0;
}

pf_rc pf_thread_start(pf_thread **out, void (*fn)(void *), void *arg)
{
	pf_thread *t = PF_NEW(pf_thread);

	*out = NULL;
	if (t == NULL)
		return PF_E_NOMEM;
	t->fn = fn;
	t->arg = arg;
	t->h = CreateThread(NULL, 0, thread_main, t, 0, NULL);
	if (t->h == NULL) {
		free(t);
		return PF_E_INTERNAL;
	}
	*out = t;
	return PF_OK;
}

static DWORD WINAPI detached_main(LPVOID p)
{
	pf_thread t = *(pf_thread *)p;

	free(p);
	t.fn(t.arg);
	return 0;
}

pf_rc pf_thread_start_detached(void (*fn)(void *), void *arg)
{
	pf_thread *t = PF_NEW(pf_thread);
	HANDLE h;

	if (t == NULL)
		return PF_E_NOMEM;
	t->fn = fn;
	t->arg = arg;
	h = CreateThread(NULL, 0, detached_main, t, 0, NULL);
	if (h == NULL) {
		free(t);
		return PF_E_INTERNAL;
	}
	CloseHandle(h);
	return PF_OK;
}

void pf_thread_join(pf_thread *t)
{
	if (t == NULL)
		return;
	WaitForSingleObject(t->h, INFINITE);
	CloseHandle(t->h);
	free(t);
}

pf_mutex *pf_mutex_new(void)
{
	pf_mutex *m = PF_NEW(pf_mutex);

	if (m != NULL)
		InitializeCriticalSection(&m->cs);
	return m;
}

void pf_mutex_free(pf_mutex *m)
{
	if (m == NULL)
		return;
	DeleteCriticalSection(&m->cs);
	free(m);
}

void pf_mutex_lock(pf_mutex *m)
{
	EnterCriticalSection(&m->cs);
}

void pf_mutex_unlock(pf_mutex *m)
{
	LeaveCriticalSection(&m->cs);
}

pf_cond *pf_cond_new(void)
{
	pf_cond *c = PF_NEW(pf_cond);

	if (c != NULL)
		InitializeConditionVariable(&c->cv);
	return c;
}

void pf_cond_free(pf_cond *c)
{
	free(c);
}

int pf_cond_wait(pf_cond *c, pf_mutex *m, int timeout_ms)
{
	if (!SleepConditionVariableCS(&c->cv, &m->cs,
				      timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms))
		return GetLastError() == ERROR_TIMEOUT ? 1 : 0;
	return 0;
}

void pf_cond_broadcast(pf_cond *c)
{
	WakeAllConditionVariable(&c->cv);
}

/* pf/mem.h; here because how to wipe so the compiler keeps it is the
 * platform's business. */
void pf_secure_zero(void *p, size_t n)
{
	if (p == NULL || n == 0)
		return;
	SecureZeroMemory(p, n);
}
