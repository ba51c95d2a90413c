/* The pending write of pf/platform.h's two-step atomic write, shared by
 * core/file.c and the platform that fills it (platform/posix.c,
 * platform/win32.c). All paths UTF-8. */
#ifndef PF_FILE_INTERNAL_H
#define PF_FILE_INTERNAL_H

#include "pf/platform.h"

struct pf_file_pending {
	char *tmp;  /* the temporary file, written and flushed; NULL once renamed */
	char *real; /* the file it replaces (links followed) */
	char *path; /* as the caller named it, for messages */
};

/* Remove the temporary (if any) and free everything. */
void pfi_file_pending_free(pf_file_pending *w);

#endif
