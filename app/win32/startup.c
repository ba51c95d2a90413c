/* "Start with Windows and connect <Host>": a shortcut PortForwarder.lnk in
 * the user's Startup folder (no registry), the same one the installer's
 * autostart option makes (an /ALLUSERS install makes it in the all-users
 * Startup folder: recognised too, removed when this account may), that starts this exe hidden in
 * the tray: PortForwarder.exe -tray [-F "<config>"] [<Host>] in the exe's folder. Made and read
 * through IShellLinkW + IPersistFile. */
#define COBJMACROS
#include <windows.h>
#include <knownfolders.h>
#include <objbase.h>
#include <shellapi.h>
#include <shlobj.h>
#include <shobjidl.h>
#include <stdlib.h>
#include <wchar.h>

#include "app.h"
#include "resource.h"

#define LINK_NAME L"\\PortForwarder.lnk"

static int folder_link(REFKNOWNFOLDERID id, DWORD flags, wchar_t *out, int size)
{
	PWSTR folder = NULL;
	int ok;

	out[0] = L'\0';
	if (FAILED(SHGetKnownFolderPath(id, flags, NULL, &folder)))
		return -1;
	ok = wcslen(folder) + wcslen(LINK_NAME) < (size_t)size;
	if (ok)
		_snwprintf(out, (size_t)size, L"%ls%ls", folder, LINK_NAME);
	CoTaskMemFree(folder);
	return ok ? 0 : -1;
}

int Startup_Path(wchar_t *out, int size)
{
	return folder_link(&FOLDERID_Startup, KF_FLAG_CREATE, out, size);
}

/* The all-users Startup folder's shortcut, which an /ALLUSERS install with
 * its autostart option makes: 0 and its path when it exists, else -1. */
static int common_link(wchar_t *out, int size)
{
	if (folder_link(&FOLDERID_CommonStartup, 0, out, size) != 0 ||
	    GetFileAttributesW(out) == INVALID_FILE_ATTRIBUTES)
		return -1;
	return 0;
}

/* COM for this thread for one call; 1 when it must be uninitialised. */
static int com_begin(void)
{
	HRESULT hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED | COINIT_DISABLE_OLE1DDE);

	return hr == S_OK || hr == S_FALSE;
}

static void com_end(int began)
{
	if (began)
		CoUninitialize();
}

/* The Host among a shortcut's arguments (-tray, -F <file>, -v..., -N are
 * not). */
static void host_of_args(const wchar_t *args, wchar_t *host, int size)
{
	wchar_t line[1100];
	LPWSTR *argv;
	int argc = 0, i;

	host[0] = L'\0';
	/* CommandLineToArgvW takes the first word as the program. */
	_snwprintf(line, 1100, L"x %ls", args);
	line[1099] = L'\0';
	argv = CommandLineToArgvW(line, &argc);
	if (argv == NULL)
		return;
	for (i = 1; i < argc; i++) {
		if (wcscmp(argv[i], L"-F") == 0)
			i++;
		else if (argv[i][0] != L'-' && argv[i][0] != L'\0')
			lstrcpynW(host, argv[i], size);
	}
	LocalFree(argv);
}

int Startup_Read(wchar_t *host, int size, wchar_t *args, int args_size)
{
	wchar_t path[MAX_PATH * 2], got[1024];
	IShellLinkW *link = NULL;
	IPersistFile *file = NULL;
	int began, found = 0;

	host[0] = L'\0';
	if (args != NULL && args_size > 0)
		args[0] = L'\0';
	/* The user's own shortcut, else the all-users one (checked either way:
	 * one more in the user's folder would start a second copy). */
	if ((Startup_Path(path, MAX_PATH * 2) != 0 ||
	     GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES) &&
	    common_link(path, MAX_PATH * 2) != 0)
		return 0;
	began = com_begin();
	if (SUCCEEDED(CoCreateInstance(&CLSID_ShellLink, NULL, CLSCTX_INPROC_SERVER,
				       &IID_IShellLinkW, (void **)&link)) &&
	    SUCCEEDED(IShellLinkW_QueryInterface(link, &IID_IPersistFile, (void **)&file)) &&
	    SUCCEEDED(IPersistFile_Load(file, path, STGM_READ)) &&
	    SUCCEEDED(IShellLinkW_GetArguments(link, got, 1024))) {
		host_of_args(got, host, size);
		if (args != NULL && args_size > 0)
			lstrcpynW(args, got, args_size);
	}
	found = 1; /* there, whatever it says */
	if (file != NULL)
		IPersistFile_Release(file);
	if (link != NULL)
		IShellLinkW_Release(link);
	com_end(began);
	return found;
}

/* The drive of the exe when Windows calls it removable ("E:\"), else "". */
static void removable_drive(pf_app *app, wchar_t *root, int size)
{
	wchar_t vol[MAX_PATH * 2];

	root[0] = L'\0';
	if (!GetVolumePathNameW(app->exe_dir, vol, MAX_PATH * 2))
		return;
	if (GetDriveTypeW(vol) == DRIVE_REMOVABLE)
		lstrcpynW(root, vol, size);
}

static HRESULT write_link(pf_app *app, const wchar_t *path, const wchar_t *args)
{
	wchar_t exe[MAX_PATH * 2], desc[256];
	IShellLinkW *link = NULL;
	IPersistFile *file = NULL;
	HRESULT hr;
	DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH * 2);

	if (n == 0 || n >= MAX_PATH * 2)
		return HRESULT_FROM_WIN32(ERROR_FILENAME_EXCED_RANGE);
	hr = CoCreateInstance(&CLSID_ShellLink, NULL, CLSCTX_INPROC_SERVER, &IID_IShellLinkW,
			      (void **)&link);
	if (SUCCEEDED(hr))
		hr = IShellLinkW_SetPath(link, exe);
	if (SUCCEEDED(hr))
		hr = IShellLinkW_SetArguments(link, args);
	if (SUCCEEDED(hr))
		hr = IShellLinkW_SetWorkingDirectory(link, app->exe_dir);
	if (SUCCEEDED(hr))
		hr = IShellLinkW_SetIconLocation(link, exe, 0);
	if (SUCCEEDED(hr))
		hr = IShellLinkW_SetDescription(link,
						Lang_String(app, IDS_STARTUP_TITLE, desc, 256));
	if (SUCCEEDED(hr))
		hr = IShellLinkW_QueryInterface(link, &IID_IPersistFile, (void **)&file);
	if (SUCCEEDED(hr))
		hr = IPersistFile_Save(file, path, TRUE);
	if (file != NULL)
		IPersistFile_Release(file);
	if (link != NULL)
		IShellLinkW_Release(link);
	return hr;
}

void Startup_Toggle(pf_app *app, const wchar_t *host)
{
	wchar_t path[MAX_PATH * 2], old[PF_HOST_LEN], args[MAX_PATH * 2 + PF_HOST_LEN + 32];
	wchar_t root[MAX_PATH * 2], text[1024], title[128];
	HRESULT hr;
	int began;

	if (Startup_Path(path, MAX_PATH * 2) != 0) {
		LogView_AddId(app, PF_LOG_ERROR, NULL, IDS_STARTUP_FAILED, L"Startup",
			      (unsigned)E_FAIL);
		return;
	}
	if (Startup_Read(old, PF_HOST_LEN, NULL, 0)) {
		wchar_t common[MAX_PATH * 2];

		/* Off: the user's shortcut goes; the all-users one too when this
		 * account may delete it, else the log says it is still there. */
		if (GetFileAttributesW(path) != INVALID_FILE_ATTRIBUTES) {
			if (!DeleteFileW(path))
				LogView_AddId(app, PF_LOG_ERROR, NULL, IDS_STARTUP_FAILED, path,
					      (unsigned)HRESULT_FROM_WIN32(GetLastError()));
			else
				LogView_AddId(app, PF_LOG_INFO, NULL, IDS_STARTUP_REMOVED, path);
		}
		if (common_link(common, MAX_PATH * 2) == 0) {
			if (!DeleteFileW(common))
				LogView_AddId(app, PF_LOG_ERROR, NULL, IDS_STARTUP_FAILED, common,
					      (unsigned)HRESULT_FROM_WIN32(GetLastError()));
			else
				LogView_AddId(app, PF_LOG_INFO, NULL, IDS_STARTUP_REMOVED, common);
		}
		return;
	}
	removable_drive(app, root, MAX_PATH * 2);
	if (root[0] != L'\0' &&
	    MessageBoxW(app->main, Lang_Format(app, text, 1024, IDS_STARTUP_REMOVABLE, root),
			Lang_String(app, IDS_STARTUP_TITLE, title, 128),
			MB_OKCANCEL | MB_ICONWARNING | MB_DEFBUTTON2) != IDOK)
		return;
	/* What the tray start connects: the config file and the Host chosen. */
	wcscpy_s(args, MAX_PATH * 2 + PF_HOST_LEN + 32, L"-tray");
	if (app->set.config[0] != L'\0') {
		wcscat_s(args, MAX_PATH * 2 + PF_HOST_LEN + 32, L" -F \"");
		wcscat_s(args, MAX_PATH * 2 + PF_HOST_LEN + 32, app->set.config);
		wcscat_s(args, MAX_PATH * 2 + PF_HOST_LEN + 32, L"\"");
	}
	if (host != NULL && host[0] != L'\0' && Cmdline_HostOk(host)) {
		wcscat_s(args, MAX_PATH * 2 + PF_HOST_LEN + 32, L" ");
		wcscat_s(args, MAX_PATH * 2 + PF_HOST_LEN + 32, host);
	}
	began = com_begin();
	hr = write_link(app, path, args);
	com_end(began);
	if (FAILED(hr))
		LogView_AddId(app, PF_LOG_ERROR, NULL, IDS_STARTUP_FAILED, path, (unsigned)hr);
	else
		LogView_AddId(app, PF_LOG_INFO, NULL, IDS_STARTUP_ADDED, path, args);
}
