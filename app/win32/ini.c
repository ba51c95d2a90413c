/* PortForwarder.ini (next to the exe, or under %APPDATA% for an installed
 * copy): read tolerant, write atomic. */
#include <windows.h>
#include <shlobj.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "ini.h"
#include "pf/ini29.h"
#include "pf/platform.h"

#define INI_MAX_BYTES (256 * 1024)
#define SECTION       L"PortForwarder"

static int file_exists(const wchar_t *path)
{
	DWORD a = GetFileAttributesW(path);

	return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

/* Where the ini lives:
 *  1. PortForwarder.ini next to the exe, when it is there (portable wins);
 *  2. else, for an installed copy (Uninstall.exe next to the exe), in
 *     %APPDATA%\PortForwarder (the folder is made when the ini is saved);
 *  3. else next to the exe (the portable kit's first start). */
int Ini_Paths(wchar_t *exe_dir, size_t dir_cap, wchar_t *ini_path, size_t ini_cap)
{
	wchar_t buf[MAX_PATH * 2], probe[MAX_PATH * 2 + 32], appdata[MAX_PATH];
	DWORD n = GetModuleFileNameW(NULL, buf, MAX_PATH * 2);
	wchar_t *slash;

	if (n == 0 || n >= MAX_PATH * 2)
		return -1;
	slash = wcsrchr(buf, L'\\');
	if (slash == NULL)
		return -1;
	*slash = L'\0';
	if (wcslen(buf) + 1 > dir_cap || wcslen(buf) + 20 > ini_cap)
		return -1;
	wcscpy_s(exe_dir, dir_cap, buf);
	_snwprintf(ini_path, ini_cap, L"%ls\\PortForwarder.ini", buf);
	ini_path[ini_cap - 1] = L'\0';
	if (file_exists(ini_path))
		return 0;
	_snwprintf(probe, MAX_PATH * 2 + 32, L"%ls\\Uninstall.exe", buf);
	if (file_exists(probe) &&
	    SUCCEEDED(SHGetFolderPathW(NULL, CSIDL_APPDATA, NULL, 0, appdata)) &&
	    wcslen(appdata) + 40 < ini_cap)
		_snwprintf(ini_path, ini_cap, L"%ls\\PortForwarder\\PortForwarder.ini", appdata);
	return 0;
}

static int is_absolute(const wchar_t *p)
{
	if (((p[0] >= L'A' && p[0] <= L'Z') || (p[0] >= L'a' && p[0] <= L'z')) && p[1] == L':' &&
	    (p[2] == L'\\' || p[2] == L'/'))
		return 1;
	return (p[0] == L'\\' || p[0] == L'/') && (p[1] == L'\\' || p[1] == L'/');
}

int Ini_ResolvePath(const wchar_t *base, const wchar_t *path, wchar_t *out, size_t cap)
{
	wchar_t joined[MAX_PATH * 4];
	DWORD n;

	if (path[0] == L'\0')
		return -1;
	if (is_absolute(path))
		_snwprintf(joined, MAX_PATH * 4, L"%ls", path);
	else
		_snwprintf(joined, MAX_PATH * 4, L"%ls\\%ls", base, path);
	joined[MAX_PATH * 4 - 1] = L'\0';
	n = GetFullPathNameW(joined, (DWORD)cap, out, NULL);
	return (n == 0 || n >= cap) ? -1 : 0;
}

/* Length of the root: "C:" or "\\server\share"; 0 if neither. */
static size_t root_len(const wchar_t *p)
{
	size_t i, parts = 0;

	if (p[0] != L'\0' && p[1] == L':')
		return 2;
	if (p[0] != L'\\' || p[1] != L'\\')
		return 0;
	for (i = 2; p[i] != L'\0'; i++)
		if (p[i] == L'\\' && ++parts == 2)
			return i;
	return i;
}

static int same_name(const wchar_t *a, int alen, const wchar_t *b, int blen)
{
	return CompareStringOrdinal(a, alen, b, blen, TRUE) == CSTR_EQUAL;
}

/* Split the part after the root into components (pointers into p). */
static int split(wchar_t *p, wchar_t **comp, int max)
{
	int n = 0;
	wchar_t *tok, *ctx = NULL;

	for (tok = wcstok_s(p, L"\\", &ctx); tok != NULL && n < max;
	     tok = wcstok_s(NULL, L"\\", &ctx))
		comp[n++] = tok;
	return n;
}

int Ini_RelativePath(const wchar_t *base, const wchar_t *target, wchar_t *out, size_t cap)
{
	wchar_t b[MAX_PATH * 4], t[MAX_PATH * 4], *bc[128], *tc[128];
	size_t br, tr, used = 0;
	int nb, nt, common = 0, i;

	if (GetFullPathNameW(base, MAX_PATH * 4, b, NULL) - 1u >= MAX_PATH * 4 - 1 ||
	    GetFullPathNameW(target, MAX_PATH * 4, t, NULL) - 1u >= MAX_PATH * 4 - 1)
		goto absolute;
	br = root_len(b);
	tr = root_len(t);
	if (br == 0 || br != tr || !same_name(b, (int)br, t, (int)tr))
		goto absolute;
	nb = split(b + br, bc, 128);
	nt = split(t + tr, tc, 128);
	while (common < nb && common < nt - 1 && same_name(bc[common], -1, tc[common], -1))
		common++;
	out[0] = L'\0';
	for (i = common; i < nb; i++) {
		if (used + 4 > cap)
			return -1;
		wcscpy_s(out + used, cap - used, L"..\\");
		used += 3;
	}
	for (i = common; i < nt; i++) {
		size_t len = wcslen(tc[i]);

		if (used + len + 2 > cap)
			return -1;
		wcscpy_s(out + used, cap - used, tc[i]);
		used += len;
		if (i + 1 < nt)
			out[used++] = L'\\';
		out[used] = L'\0';
	}
	return 0;
absolute:
	if (wcslen(target) + 1 > cap)
		return -1;
	wcscpy_s(out, cap, target);
	return 0;
}

const wchar_t *Ini_LevelName(pf_log_level l)
{
	if (l <= PF_LOG_ERROR)
		return L"errors";
	if (l == PF_LOG_INFO)
		return L"info";
	if (l == PF_LOG_VERBOSE)
		return L"verbose";
	return L"debug";
}

static pf_log_level level_from_name(const wchar_t *v)
{
	if (_wcsicmp(v, L"errors") == 0 || _wcsicmp(v, L"error") == 0)
		return PF_LOG_ERROR;
	if (_wcsicmp(v, L"verbose") == 0)
		return PF_LOG_VERBOSE;
	if (_wcsnicmp(v, L"debug", 5) == 0)
		return PF_LOG_DEBUG3;
	return PF_LOG_INFO;
}

void Ini_AddRecent(pf_settings *s, const wchar_t *host)
{
	wchar_t keep[PF_MAX_RECENT][256];
	int i, n = 0;

	if (host == NULL || host[0] == L'\0' || wcslen(host) >= 256)
		return;
	wcscpy_s(keep[n++], 256, host);
	for (i = 0; i < s->nrecent && n < PF_MAX_RECENT; i++)
		if (_wcsicmp(s->recent[i], host) != 0)
			wcscpy_s(keep[n++], 256, s->recent[i]);
	memcpy(s->recent, keep, sizeof(keep));
	s->nrecent = n;
}

pf_host_setting *Ini_Host(pf_settings *s, const wchar_t *host, int create)
{
	pf_host_setting *h;
	int i;

	for (i = 0; i < s->nhosts; i++)
		if (_wcsicmp(s->hosts[i].name, host) == 0)
			return &s->hosts[i];
	if (!create || host[0] == L'\0' || wcslen(host) >= 256)
		return NULL;
	/* Full: an entry left with the defaults makes room. */
	for (i = 0; s->nhosts == PF_MAX_HOST_SETTINGS && i < s->nhosts; i++)
		if (!s->hosts[i].on_demand && s->hosts[i].idle_ms == 0)
			s->hosts[i] = s->hosts[--s->nhosts];
	if (s->nhosts == PF_MAX_HOST_SETTINGS)
		return NULL;
	h = &s->hosts[s->nhosts++];
	memset(h, 0, sizeof(*h));
	wcscpy_s(h->name, 256, host);
	return h;
}

/* "10" or "0.5" minutes (more than 0, at most a week) as ms; 0 when not. */
static unsigned minutes_to_ms(const wchar_t *v)
{
	wchar_t *end;
	double m;

	if (v[0] < L'0' || v[0] > L'9')
		return 0;
	m = wcstod(v, &end);
	if (*end != L'\0' || !(m > 0) || m > 7 * 24 * 60)
		return 0;
	return (unsigned)(m * 60000.0 + 0.5);
}

/* A decimal int, or `def` when the value is not one. */
static int parse_int(const wchar_t *v, int def)
{
	wchar_t *end;
	long n;

	errno = 0;
	n = wcstol(v, &end, 10);
	if (end == v || *end != L'\0' || errno != 0 || n < -1000000 || n > 1000000)
		return def;
	return (int)n;
}

/* A key of a [Host <name>] section: 1, or 0 when it is not a Host key. */
static int apply_host(pf_host_setting *h, const wchar_t *key, const wchar_t *v)
{
	if (_wcsicmp(key, L"ConnectWhenFirstUsed") == 0)
		h->on_demand = parse_int(v, 0) != 0;
	else if (_wcsicmp(key, L"IdleDisconnectMinutes") == 0)
		h->idle_ms = minutes_to_ms(v);
	else
		return 0;
	return 1;
}

static wchar_t *trim(wchar_t *s)
{
	wchar_t *e;

	while (*s == L' ' || *s == L'\t')
		s++;
	e = s + wcslen(s);
	while (e > s && (e[-1] == L' ' || e[-1] == L'\t' || e[-1] == L'\r'))
		*--e = L'\0';
	return s;
}

static void apply(pf_settings *s, const wchar_t *key, const wchar_t *v, const wchar_t *exe_dir,
		  int *rect_parts)
{
	int n;

	if (_wcsicmp(key, L"ConfigFile") == 0) {
		if (v[0] == L'\0' || Ini_ResolvePath(exe_dir, v, s->config, MAX_PATH * 2) != 0)
			s->config[0] = L'\0';
	} else if (_wcsicmp(key, L"AutomaticallyHide") == 0) {
		s->auto_hide = parse_int(v, 0) != 0;
	} else if (_wcsicmp(key, L"LastHost") == 0) {
		if (wcslen(v) < 256)
			wcscpy_s(s->last_host, 256, v);
	} else if (_wcsnicmp(key, L"RecentHost", 10) == 0) {
		n = parse_int(key + 10, 0);
		/* Kept in order of the number; gaps and junk are skipped. */
		if (n >= 1 && n <= PF_MAX_RECENT && v[0] != L'\0' && wcslen(v) < 256 &&
		    s->nrecent < PF_MAX_RECENT)
			wcscpy_s(s->recent[s->nrecent++], 256, v);
	} else if (_wcsicmp(key, L"Language") == 0) {
		if (_wcsicmp(v, L"en") == 0 || _wcsicmp(v, L"ja") == 0)
			_snwprintf(s->language, 16, L"%ls", v);
	} else if (_wcsicmp(key, L"LogLevel") == 0) {
		s->log_level = level_from_name(v);
	} else if (_wcsicmp(key, L"WindowLeft") == 0) {
		s->rect.left = parse_int(v, 0), *rect_parts |= 1;
	} else if (_wcsicmp(key, L"WindowTop") == 0) {
		s->rect.top = parse_int(v, 0), *rect_parts |= 2;
	} else if (_wcsicmp(key, L"WindowWidth") == 0) {
		n = parse_int(v, 0);
		if (n >= 100 && n <= 20000)
			s->rect.right = n, *rect_parts |= 4;
	} else if (_wcsicmp(key, L"WindowHeight") == 0) {
		n = parse_int(v, 0);
		if (n >= 100 && n <= 20000)
			s->rect.bottom = n, *rect_parts |= 8;
	} else if (_wcsicmp(key, L"WindowMaximized") == 0) {
		s->maximized = parse_int(v, 0) != 0;
	} else if (_wcsicmp(key, L"LogFile") == 0) {
		if (wcslen(v) < MAX_PATH * 2)
			wcscpy_s(s->log_file, MAX_PATH * 2, v);
	} else if (_wcsicmp(key, L"HideNoteShown") == 0) {
		s->hide_note_shown = parse_int(v, 0) != 0;
	}
}

/* The file's bytes (caller frees; NUL-terminated twice over, so it can
 * also be read as UTF-16), or NULL when it is missing, unreadable or over
 * INI_MAX_BYTES. */
static unsigned char *read_raw(const wchar_t *path, DWORD *len)
{
	HANDLE f;
	LARGE_INTEGER size;
	unsigned char *raw = NULL;
	DWORD got = 0;

	*len = 0;
	f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	if (f == INVALID_HANDLE_VALUE)
		return NULL;
	if (GetFileSizeEx(f, &size) && size.QuadPart <= INI_MAX_BYTES &&
	    (raw = malloc((size_t)size.QuadPart + 2)) != NULL &&
	    ReadFile(f, raw, (DWORD)size.QuadPart, &got, NULL)) {
		raw[got] = raw[got + 1] = 0;
		*len = got;
	} else {
		free(raw);
		raw = NULL;
	}
	CloseHandle(f);
	return raw;
}

/* The new format's bytes as UTF-16 (caller frees), or NULL. */
static wchar_t *decode_text(const unsigned char *raw, DWORD got)
{
	wchar_t *w = NULL;
	int n;

	if (got >= 2 && raw[0] == 0xFF && raw[1] == 0xFE) {
		w = malloc(got + 2);
		if (w != NULL) {
			memcpy(w, raw + 2, got - 2);
			w[(got - 2) / 2] = L'\0';
		}
	} else {
		const char *s = (const char *)raw;
		UINT cp = CP_UTF8;
		DWORD flags = MB_ERR_INVALID_CHARS;

		if (got >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF)
			s += 3;
		n = MultiByteToWideChar(cp, flags, s, -1, NULL, 0);
		if (n == 0) /* not UTF-8: an old ini in the ANSI code page */
			cp = CP_ACP, flags = 0, n = MultiByteToWideChar(cp, flags, s, -1, NULL, 0);
		if (n > 0 && (w = malloc((size_t)n * sizeof(wchar_t))) != NULL)
			MultiByteToWideChar(cp, flags, s, -1, w, n);
	}
	return w;
}

/* UTF-8 from the 2.9 reader into a fixed buffer; 0, or -1 when it does not fit. */
static int utf8_into(const char *s, wchar_t *out, size_t cap)
{
	wchar_t *w = pf_utf8_to_wide(s);
	int rc = -1;

	if (w != NULL && wcslen(w) < cap) {
		wcscpy_s(out, cap, w);
		rc = 0;
	}
	free(w);
	return rc;
}

static int dir_exists(const wchar_t *path)
{
	DWORD a = GetFileAttributesW(path);

	return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
}

/* Where 2.9's ConfigFolder (an absolute path from whatever PC and drive
 * letter wrote it) is on this PC: as written; the same path on the exe's
 * drive (2.9's own bug: the stick got another letter); a folder of that
 * name next to the exe; the exe's folder. The first that holds `file` wins,
 * else the first that exists. Fills imp->folder_used and ->how. */
static void find_folder29(pf_import29 *imp, const wchar_t *file, const wchar_t *exe_dir)
{
	enum { N = 4 };
	wchar_t cand[N][MAX_PATH * 2], probe[MAX_PATH * 4];
	const wchar_t *w = imp->folder_written, *last;
	int have[N] = {0}, i, first_dir = -1;
	size_t len;

	have[0] = Ini_ResolvePath(exe_dir, w, cand[0], MAX_PATH * 2) == 0;
	if (w[0] != L'\0' && w[1] == L':' && exe_dir[0] != L'\0' && exe_dir[1] == L':' &&
	    towupper(w[0]) != towupper(exe_dir[0])) {
		_snwprintf(probe, MAX_PATH * 4, L"%lc:%ls", exe_dir[0], w + 2);
		probe[MAX_PATH * 4 - 1] = L'\0';
		have[1] = Ini_ResolvePath(exe_dir, probe, cand[1], MAX_PATH * 2) == 0;
	}
	wcscpy_s(probe, MAX_PATH * 4, w);
	len = wcslen(probe);
	while (len > 0 && (probe[len - 1] == L'\\' || probe[len - 1] == L'/'))
		probe[--len] = L'\0';
	last = probe + len;
	while (last > probe && last[-1] != L'\\' && last[-1] != L'/' && last[-1] != L':')
		last--;
	if (last[0] != L'\0')
		have[2] = Ini_ResolvePath(exe_dir, last, cand[2], MAX_PATH * 2) == 0;
	have[3] = Ini_ResolvePath(exe_dir, L".", cand[3], MAX_PATH * 2) == 0;

	for (i = 0; i < N; i++) {
		if (!have[i] || !dir_exists(cand[i]))
			continue;
		if (file[0] != L'\0' && Ini_ResolvePath(cand[i], file, probe, MAX_PATH * 4) == 0 &&
		    file_exists(probe))
			break;
		if (first_dir < 0 && i < 3)
			first_dir = i;
	}
	if (i == N)
		i = first_dir;
	if (i < 0) {
		imp->how = PF_IMPORT29_NOT_FOUND;
		wcscpy_s(imp->folder_used, MAX_PATH * 2, have[0] ? cand[0] : w);
		return;
	}
	imp->how = i;
	wcscpy_s(imp->folder_used, MAX_PATH * 2, cand[i]);
}

/* Take over what PortForwarder 2.9's file says (pf/ini29.h). */
static void load29(pf_settings *s, const unsigned char *raw, DWORD len, const wchar_t *exe_dir)
{
	pf_ini29 *ini = NULL;
	pf_import29 *imp = &s->import29;
	wchar_t file[MAX_PATH * 2] = L"";
	size_t i;

	if (pf_ini29_parse((const char *)raw, len, &ini, NULL) != PF_OK)
		return;
	imp->found = 1;
	imp->njunk = (unsigned)ini->njunk;
	MultiByteToWideChar(CP_UTF8, 0, ini->encoding, -1, imp->encoding, 32);
	imp->encoding[31] = L'\0';
	for (i = 0; i < ini->nrecent && s->nrecent < PF_MAX_RECENT; i++)
		if (utf8_into(ini->recent[i], s->recent[s->nrecent], 256) == 0)
			s->nrecent++;
	if (s->nrecent > 0)
		wcscpy_s(s->last_host, 256, s->recent[0]);
	s->auto_hide = ini->auto_hide > 0;
	if (ini->config_file != NULL)
		utf8_into(ini->config_file, file, MAX_PATH * 2);
	if (ini->config_folder == NULL ||
	    utf8_into(ini->config_folder, imp->folder_written, MAX_PATH * 2) != 0) {
		imp->how = PF_IMPORT29_NO_FOLDER;
		if (file[0] != L'\0' &&
		    Ini_ResolvePath(exe_dir, file, s->config, MAX_PATH * 2) != 0)
			s->config[0] = L'\0';
	} else {
		find_folder29(imp, file, exe_dir);
		if (file[0] != L'\0' &&
		    Ini_ResolvePath(imp->folder_used, file, s->config, MAX_PATH * 2) != 0)
			s->config[0] = L'\0';
	}
	pf_ini29_free(ini);
}

void Ini_Load(pf_settings *s, const wchar_t *path, const wchar_t *exe_dir)
{
	unsigned char *raw;
	wchar_t *text, *line, *ctx = NULL;
	DWORD len = 0;
	int rect_parts = 0, in_host = 0;
	pf_host_setting *host = NULL;

	memset(s, 0, sizeof(*s));
	s->log_level = PF_LOG_INFO;
	raw = read_raw(path, &len);
	if (raw == NULL)
		return;
	if (pf_ini29_detect((const char *)raw, len)) {
		load29(s, raw, len, exe_dir);
		free(raw);
		return;
	}
	text = decode_text(raw, len);
	free(raw);
	if (text == NULL)
		return;
	for (line = wcstok_s(text, L"\n", &ctx); line != NULL; line = wcstok_s(NULL, L"\n", &ctx)) {
		wchar_t *l = trim(line), *eq;

		if (l[0] == L';' || l[0] == L'#')
			continue;
		if (l[0] == L'[') {
			/* "[Host IMR]": that Host's keys follow; any other section
			 * (ours is [PortForwarder]) holds the global ones. */
			eq = wcsrchr(l, L']');
			host = NULL;
			if (_wcsnicmp(l, L"[Host ", 6) == 0 && eq != NULL) {
				*eq = L'\0';
				host = Ini_Host(s, trim(l + 6), 1);
				in_host = 1;
			} else {
				in_host = 0;
			}
			continue;
		}
		eq = wcschr(l, L'=');
		if (eq == NULL)
			continue; /* junk: ignored */
		*eq = L'\0';
		/* Ini_Save writes the [Host ...] sections last: a global key a
		 * user appends at the end (LogFile=) lands in one. It is read
		 * as global, so the next save keeps it. */
		l = trim(l);
		if (!in_host || host == NULL || !apply_host(host, l, trim(eq + 1)))
			apply(s, l, trim(eq + 1), exe_dir, &rect_parts);
	}
	s->have_rect = rect_parts == 15;
	free(text);
}

/* Write `data` to `path` only if nothing is there: a temporary file, then
 * a rename that never replaces. 0, ERROR_ALREADY_EXISTS, or the error. */
static DWORD write_new_file(const wchar_t *path, const void *data, DWORD len)
{
	wchar_t tmp[MAX_PATH * 2 + 32];
	HANDLE f;
	DWORD err = 0, put_bytes = 0;

	_snwprintf(tmp, MAX_PATH * 2 + 32, L"%ls.tmp%lu", path, GetCurrentProcessId());
	tmp[MAX_PATH * 2 + 31] = L'\0';
	f = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
	if (f == INVALID_HANDLE_VALUE)
		return GetLastError();
	if (!WriteFile(f, data, len, &put_bytes, NULL) || put_bytes != len ||
	    !FlushFileBuffers(f)) {
		err = GetLastError();
		if (err == 0)
			err = ERROR_WRITE_FAULT;
	}
	CloseHandle(f);
	if (err == 0 && !MoveFileExW(tmp, path, MOVEFILE_WRITE_THROUGH)) {
		err = GetLastError();
		if (err == ERROR_FILE_EXISTS)
			err = ERROR_ALREADY_EXISTS;
	}
	if (err != 0)
		DeleteFileW(tmp);
	return err;
}

DWORD Ini_Keep29(const wchar_t *path, wchar_t *bak, size_t bak_cap)
{
	unsigned char *raw, *old;
	DWORD len = 0, old_len = 0, err = ERROR_ALREADY_EXISTS;
	int i;

	bak[0] = L'\0';
	raw = read_raw(path, &len);
	if (raw == NULL)
		return 0;
	if (!pf_ini29_detect((const char *)raw, len)) {
		free(raw);
		return 0;
	}
	/* PortForwarder.ini.2.9.bak, never overwritten: one that holds other
	 * bytes (an older kit's) makes room for .2.9-2.bak and so on. */
	for (i = 1; i <= 9 && err == ERROR_ALREADY_EXISTS; i++) {
		if (i == 1)
			_snwprintf(bak, bak_cap, L"%ls.2.9.bak", path);
		else
			_snwprintf(bak, bak_cap, L"%ls.2.9-%d.bak", path, i);
		bak[bak_cap - 1] = L'\0';
		old = read_raw(bak, &old_len);
		if (old != NULL) {
			int same = old_len == len && memcmp(old, raw, len) == 0;

			free(old);
			if (same)
				err = 0;
			continue;
		}
		if (GetFileAttributesW(bak) != INVALID_FILE_ATTRIBUTES)
			continue; /* there, but unreadable: leave it alone */
		err = write_new_file(bak, raw, len);
	}
	free(raw);
	if (err != 0)
		bak[0] = L'\0';
	return err;
}

/* Append to a growing buffer; returns 0 or -1 when it would overflow. */
static int put(wchar_t *buf, size_t cap, size_t *used, const wchar_t *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = _vsnwprintf(buf + *used, cap - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *used)
		return -1;
	*used += (size_t)n;
	return 0;
}

DWORD Ini_Save(const pf_settings *s, const wchar_t *path, const wchar_t *exe_dir)
{
	enum { CAP = 65536 };
	wchar_t *text = malloc(CAP * sizeof(wchar_t)), rel[MAX_PATH * 2], tmp[MAX_PATH * 2 + 32];
	char *utf8 = NULL, *path8 = NULL;
	size_t used = 0;
	int i, ok = 0, n;
	DWORD err = 0;

	if (text == NULL)
		return ERROR_NOT_ENOUGH_MEMORY;
	/* PortForwarder 2.9's file is kept byte for byte before the first
	 * rewrite; if that cannot be done, it is not rewritten. */
	err = Ini_Keep29(path, tmp, MAX_PATH * 2 + 32);
	if (err != 0)
		goto out;
	rel[0] = L'\0';
	if (s->config[0] != L'\0' && Ini_RelativePath(exe_dir, s->config, rel, MAX_PATH * 2) != 0)
		wcscpy_s(rel, MAX_PATH * 2, s->config);
	ok = put(text, CAP, &used,
		 L"; PortForwarder settings. Written by PortForwarder.exe; safe to delete.\r\n"
		 L"[" SECTION L"]\r\nConfigFile=%ls\r\nAutomaticallyHide=%d\r\nLastHost=%ls\r\n",
		 rel, s->auto_hide ? 1 : 0, s->last_host) == 0;
	for (i = 0; ok && i < s->nrecent; i++)
		ok = put(text, CAP, &used, L"RecentHost%d=%ls\r\n", i + 1, s->recent[i]) == 0;
	ok = ok && put(text, CAP, &used, L"Language=%ls\r\nLogLevel=%ls\r\nHideNoteShown=%d\r\n",
		       s->language, Ini_LevelName(s->log_level), s->hide_note_shown ? 1 : 0) == 0;
	if (ok && s->log_file[0] != L'\0')
		ok = put(text, CAP, &used, L"LogFile=%ls\r\n", s->log_file) == 0;
	if (ok && s->have_rect)
		ok = put(text, CAP, &used,
			 L"WindowLeft=%ld\r\nWindowTop=%ld\r\nWindowWidth=%ld\r\nWindowHeight=%"
			 L"ld\r\n"
			 L"WindowMaximized=%d\r\n",
			 s->rect.left, s->rect.top, s->rect.right, s->rect.bottom,
			 s->maximized ? 1 : 0) == 0;
	/* Hosts with a setting of their own, last: an older exe reads the
	 * global keys above and skips what it does not know. */
	for (i = 0; ok && i < s->nhosts; i++) {
		const pf_host_setting *h = &s->hosts[i];

		if (!h->on_demand && h->idle_ms == 0)
			continue;
		ok = put(text, CAP, &used, L"[Host %ls]\r\nConnectWhenFirstUsed=%d\r\n", h->name,
			 h->on_demand) == 0;
		if (ok && h->idle_ms != 0)
			ok = put(text, CAP, &used, L"IdleDisconnectMinutes=%.6g\r\n",
				 h->idle_ms / 60000.0) == 0;
	}
	if (!ok) {
		err = ERROR_INSUFFICIENT_BUFFER;
		goto out;
	}
	n = WideCharToMultiByte(CP_UTF8, 0, text, (int)used, NULL, 0, NULL, NULL);
	utf8 = malloc((size_t)n + 1);
	if (utf8 == NULL) {
		err = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	WideCharToMultiByte(CP_UTF8, 0, text, (int)used, utf8, n, NULL, NULL);

	/* %APPDATA%\PortForwarder may not exist yet (installed copy). */
	wcscpy_s(tmp, MAX_PATH * 2 + 32, path);
	if (wcsrchr(tmp, L'\\') != NULL) {
		*wcsrchr(tmp, L'\\') = L'\0';
		CreateDirectoryW(tmp, NULL);
	}
	/* The core's atomic writer: only a regular file is replaced (NUL
	 * discards, a link's target is replaced, a folder is refused). */
	path8 = pf_wide_to_utf8(path);
	if (path8 == NULL) {
		err = ERROR_NOT_ENOUGH_MEMORY;
		goto out;
	}
	switch (pf_file_write_atomic(path8, utf8, (size_t)n, NULL)) {
	case PF_OK: break;
	case PF_E_INVAL: err = ERROR_DIRECTORY; break;
	case PF_E_DENIED: err = ERROR_ACCESS_DENIED; break;
	case PF_E_NOTFOUND: err = ERROR_PATH_NOT_FOUND; break;
	case PF_E_NOMEM: err = ERROR_NOT_ENOUGH_MEMORY; break;
	default: err = ERROR_WRITE_FAULT; break;
	}
out:
	free(path8);
	free(utf8);
	free(text);
	return err;
}
