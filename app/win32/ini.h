/* PortForwarder.ini: the front end's settings, in a file next to the exe
 * (never the registry), so a USB stick carries them from PC to PC.
 *
 *   [PortForwarder]
 *   ConfigFile=config.txt          relative to the exe's folder when on the
 *                                  same drive, else absolute
 *   AutomaticallyHide=1
 *   LastHost=IMR
 *   RecentHost1=IMR ... RecentHost10=  most recent first
 *   Language=                      "", "en" or "ja" ("" = the user's UI language)
 *   LogLevel=info                  errors | info | verbose | debug (the view's filter)
 *   WindowLeft= WindowTop= WindowWidth= WindowHeight= WindowMaximized=
 *   HideNoteShown=1                the one-time "still running" note was shown
 *
 * Read tolerant of anything (unknown keys, junk lines, UTF-8 with or
 * without BOM, UTF-16LE with BOM); written atomically (temporary file, then
 * MoveFileExW over the old one) as UTF-8 with CRLF. */
#ifndef PF_INI_H
#define PF_INI_H

#include <windows.h>

#include "pf/log.h"

#define PF_MAX_RECENT 10

typedef struct pf_settings {
	wchar_t config[MAX_PATH * 2]; /* absolute path (resolved), "" if none */
	wchar_t recent[PF_MAX_RECENT][256];
	int nrecent;
	wchar_t last_host[256];
	int auto_hide;
	wchar_t language[16];
	pf_log_level log_level;
	int have_rect; /* the window's last normal position */
	RECT rect;
	int maximized;
	int hide_note_shown;
} pf_settings;

/* The ini next to the exe: fills exe_dir (no trailing backslash) and
 * ini_path. Returns 0, or -1 if the module path is unusable. */
int Ini_Paths(wchar_t *exe_dir, size_t dir_cap, wchar_t *ini_path, size_t ini_cap);

/* Defaults, then whatever `path` holds. A missing or unreadable file just
 * leaves the defaults. Relative ConfigFile values resolve against exe_dir. */
void Ini_Load(pf_settings *s, const wchar_t *path, const wchar_t *exe_dir);

/* Write every setting; ConfigFile relative to exe_dir when possible.
 * Returns 0, or the Win32 error code. */
DWORD Ini_Save(const pf_settings *s, const wchar_t *path, const wchar_t *exe_dir);

/* Put `host` first in the recent list (case-insensitive duplicates
 * removed, at most PF_MAX_RECENT kept). */
void Ini_AddRecent(pf_settings *s, const wchar_t *host);

/* `target` relative to the folder `base` when both are on the same drive
 * (or UNC share): "config.txt", "..\keys\config.txt"; otherwise a copy of
 * the absolute path. Both must be absolute. Returns 0, -1 if out is too
 * small. */
int Ini_RelativePath(const wchar_t *base, const wchar_t *target, wchar_t *out, size_t cap);

/* `path` resolved against `base` (unchanged when absolute), normalised.
 * Returns 0, -1 on failure. */
int Ini_ResolvePath(const wchar_t *base, const wchar_t *path, wchar_t *out, size_t cap);

/* Log level names as stored ("errors", "info", "verbose", "debug"). */
const wchar_t *Ini_LevelName(pf_log_level l);

#endif
