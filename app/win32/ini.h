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
 *   LogFile=portforwarder.log      optional: the event log (the level shown) is
 *                                  appended there, next to the ini; at 1 MB it
 *                                  becomes <name>.1 and a new file starts
 *   [Host IMR]                     one section per Host with settings of its own
 *   ConnectWhenFirstUsed=1         listen at Connect, connect when the first
 *                                  client arrives (default 0)
 *   IdleDisconnectMinutes=10       with the above: back to listening after that
 *                                  long without a client (may be 0.5; default off)
 *
 * Keys before any [Host ...] line (or under [PortForwarder]) are the global
 * ones; so is a global key found in a Host section (a line appended at the
 * end of the file lands below the sections, which are written last; the
 * next save writes it back in [PortForwarder]); an older exe skips the section lines and knows none
 * of the per-host keys, so it reads a new file as before.
 *
 * Read tolerant of anything (unknown keys, junk lines, UTF-8 with or
 * without BOM, UTF-16LE with BOM, PortForwarder 2.9's flat "Key value"
 * file, which is kept as PortForwarder.ini.2.9.bak); written atomically (temporary file, then
 * MoveFileExW over the old one) as UTF-8 with CRLF. */
#ifndef PF_INI_H
#define PF_INI_H

#include <windows.h>

#include "pf/log.h"

#define PF_MAX_RECENT        10
#define PF_MAX_HOST_SETTINGS 64

/* One Host's own settings (a [Host <name>] section). */
typedef struct pf_host_setting {
	wchar_t name[256];
	int on_demand;    /* ConnectWhenFirstUsed */
	unsigned idle_ms; /* IdleDisconnectMinutes as ms; 0 = never */
} pf_host_setting;

/* How PortForwarder 2.9's ConfigFolder was found on this PC. */
enum {
	PF_IMPORT29_AS_WRITTEN,  /* the folder is there */
	PF_IMPORT29_EXE_DRIVE,   /* the same path on the exe's drive */
	PF_IMPORT29_NEXT_TO_EXE, /* a folder of that name next to the exe */
	PF_IMPORT29_EXE_FOLDER,  /* the exe's own folder holds the config file */
	PF_IMPORT29_NOT_FOUND,   /* none of those */
	PF_IMPORT29_NO_FOLDER    /* the file names no ConfigFolder */
};

/* What Ini_Load took over from a PortForwarder 2.9 file, for the log. */
typedef struct pf_import29 {
	int found; /* the ini was 2.9's (flat "Key value" lines) */
	int how;   /* PF_IMPORT29_* */
	wchar_t encoding[32];
	wchar_t folder_written[MAX_PATH * 2]; /* ConfigFolder as 2.9 wrote it */
	wchar_t folder_used[MAX_PATH * 2];    /* where it is on this PC */
	unsigned njunk;                       /* lines not understood */
	int kept; /* the .2.9.bak is written (the window says so once) */
} pf_import29;

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
	wchar_t log_file[MAX_PATH * 2]; /* LogFile=, relative to the ini's folder; "" = none */
	pf_import29 import29;           /* set when the file was PortForwarder 2.9's */
	pf_host_setting hosts[PF_MAX_HOST_SETTINGS]; /* only hosts with a setting of their own */
	int nhosts;
} pf_settings;

/* The ini next to the exe: fills exe_dir (no trailing backslash) and
 * ini_path. Returns 0, or -1 if the module path is unusable. */
int Ini_Paths(wchar_t *exe_dir, size_t dir_cap, wchar_t *ini_path, size_t ini_cap);

/* Defaults, then whatever `path` holds. A missing or unreadable file just
 * leaves the defaults. Relative ConfigFile values resolve against exe_dir.
 * A PortForwarder 2.9 file (pf/ini29.h; Shift_JIS and the rest) gives its
 * config folder and file, recent hosts (the first is the last host) and
 * AutomaticallyHide; s->import29 says what was found where. */
void Ini_Load(pf_settings *s, const wchar_t *path, const wchar_t *exe_dir);

/* Write every setting; ConfigFile relative to exe_dir when possible.
 * When `path` still holds PortForwarder 2.9's file, Ini_Keep29 runs first
 * and nothing is written unless it succeeds. Returns 0, or the Win32
 * error code. */
DWORD Ini_Save(const pf_settings *s, const wchar_t *path, const wchar_t *exe_dir);

/* When `path` holds PortForwarder 2.9's file, copy it byte for byte to
 * "<path>.2.9.bak" (a temporary file renamed into place, never replacing
 * anything); a .2.9.bak with other bytes is kept and ".2.9-2.bak" (up to
 * -9) used instead. `bak` gets the name (or "" when there was nothing to
 * keep). Returns 0 (kept, already kept, or not a 2.9 file) or the Win32
 * error. */
DWORD Ini_Keep29(const wchar_t *path, wchar_t *bak, size_t bak_cap);

/* Put `host` first in the recent list (case-insensitive duplicates
 * removed, at most PF_MAX_RECENT kept). */
void Ini_AddRecent(pf_settings *s, const wchar_t *host);

/* The settings of `host` (case-insensitive), or NULL when it has none.
 * With `create`, a new entry with the defaults is made (NULL only when the
 * table is full or the name too long). */
pf_host_setting *Ini_Host(pf_settings *s, const wchar_t *host, int create);

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
