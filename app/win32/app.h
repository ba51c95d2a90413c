/* PortForwarder.exe: state shared by the front end's files. One pf_app per
 * process, owned by wWinMain and reached through the main window's
 * DWLP_USER slot, never through a global. */
#ifndef PF_APP_H
#define PF_APP_H

#include <windows.h>

typedef struct pf_app {
	HINSTANCE inst;
	HWND main;          /* the main window (a dialog of class PF_MAIN_CLASS) */
	wchar_t title[128]; /* "PortForwarder 0.1.0" */
} pf_app;

/* Load a string resource into buf (empty string if missing); returns buf. */
const wchar_t *app_string(pf_app *app, UINT id, wchar_t *buf, int size);

/* mainwnd.c: create the main window (hidden until the caller shows it). */
HWND MainWnd_Create(pf_app *app);

#endif
