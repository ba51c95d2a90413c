/* PortForwarder 2.9's settings file (PortForwarder.ini, 2007), read so that
 * a 2.9 user's kit keeps its settings when the new exe replaces the old.
 *
 * 2.9 wrote flat "Key value" lines, no sections, in the ANSI code page of
 * the PC (Shift_JIS on Japanese Windows, Windows-1252 on Western ones):
 *
 *   RecentHost IMR
 *   RecentHost CMS-SSH
 *   ConfigFolder D:\メール設定
 *   ConfigFile config.txt
 *   AutomaticallyHide true
 *
 * This module only reads the bytes; where ConfigFolder is on this PC (the
 * drive letter changes from PC to PC) is the front end's business. Pure
 * functions: no I/O, no globals, any thread. */
#ifndef PF_INI29_H
#define PF_INI29_H

#include <stddef.h>

#include "pf/error.h"

#define PF_INI29_MAX_BYTES  (256 * 1024) /* larger is not a 2.9 ini */
#define PF_INI29_MAX_RECENT 32

typedef struct pf_ini29 {
	const char *encoding; /* static: "UTF-8", "Shift_JIS (CP932)", ... */
	char *config_folder;  /* UTF-8 as written ("D:\\メール設定"), NULL if none */
	char *config_file;    /* UTF-8 as written ("config.txt"), NULL if none */
	char *recent[PF_INI29_MAX_RECENT]; /* in file order (2.9: most recent first) */
	size_t nrecent;
	int auto_hide;     /* 1, 0, or -1 when the file does not say */
	size_t njunk;      /* lines that are not one of the keys above */
	size_t first_junk; /* line number of the first of them (1-based), 0 if none */
} pf_ini29;

/* 1 when `data` looks like 2.9's format: no "[section]" line, and at least
 * one line "ConfigFolder|ConfigFile|RecentHost|AutomaticallyHide <value>"
 * with a blank (not '=') after the key; 0 otherwise (the new format, an
 * empty file, anything else). Any encoding pf_ini29_parse reads. */
int pf_ini29_detect(const char *data, size_t len);

/* Read a 2.9 file: every key above (case-insensitive; for ConfigFolder,
 * ConfigFile and AutomaticallyHide the first value wins, RecentHost lines
 * accumulate in order, duplicates dropped); values trimmed and stripped of
 * one pair of surrounding double quotes; CRLF or LF, with or without a final
 * newline; BOMs, UTF-16, UTF-8, Shift_JIS, then Windows-1252. Unknown keys
 * and junk lines are counted, never fatal. AutomaticallyHide takes
 * true/false, yes/no, on/off, 1/0. Returns PF_E_TOOBIG over
 * PF_INI29_MAX_BYTES, PF_E_INVAL when the bytes are not 2.9's format
 * (pf_ini29_detect), PF_E_NOMEM. On success *out is the caller's, freed
 * with pf_ini29_free. */
pf_rc pf_ini29_parse(const char *data, size_t len, pf_ini29 **out, pf_error *err);

void pf_ini29_free(pf_ini29 *ini);

#endif
