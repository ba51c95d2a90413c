/* The one-step atomic writes of pf/platform.h, on top of the two-step
 * prepare/commit that each platform implements (platform/posix.c,
 * platform/win32.c). */
#include <stdlib.h>

#include "platform/file_internal.h"

void pfi_file_pending_free(pf_file_pending *w)
{
	if (w->tmp != NULL)
		pf_file_remove(w->tmp);
	free(w->tmp);
	free(w->real);
	free(w->path);
	free(w);
}

void pf_file_write_abort(pf_file_pending *w)
{
	if (w != NULL)
		pfi_file_pending_free(w);
}

static pf_rc write_atomic(const char *path, const void *data, size_t len, int secret, pf_error *err)
{
	pf_file_pending *w = NULL;
	pf_rc rc = pf_file_write_prepare(path, data, len, secret, &w, err);

	return rc != PF_OK ? rc : pf_file_write_commit(w, err);
}

pf_rc pf_file_write_atomic(const char *path, const void *data, size_t len, pf_error *err)
{
	return write_atomic(path, data, len, 0, err);
}

pf_rc pf_file_write_secret(const char *path, const void *data, size_t len, pf_error *err)
{
	return write_atomic(path, data, len, 1, err);
}
