/* Helpers shared by the Windows platform files (win32.c, agent_win32.c). */
#ifndef PF_WIN32_INTERNAL_H
#define PF_WIN32_INTERNAL_H

#include <windows.h>

/* This process's user SID; caller frees with free(). NULL on failure. */
PSID pfi_win32_user_sid(void);

#endif
