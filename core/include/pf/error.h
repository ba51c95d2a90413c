/* Error codes and the error object every fallible core call may fill. */
#ifndef PF_ERROR_H
#define PF_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "pf/attr.h"

typedef enum pf_rc {
	PF_OK = 0,
	PF_E_NOMEM = -1,        /* out of memory */
	PF_E_INVAL = -2,        /* bad argument or malformed input */
	PF_E_IO = -3,           /* file or socket I/O failed */
	PF_E_NOTFOUND = -4,     /* file, host or entry does not exist */
	PF_E_TOOBIG = -5,       /* input over a documented limit */
	PF_E_CONFIG = -6,       /* configuration has errors (see the diagnostics) */
	PF_E_NETWORK = -7,      /* resolve, connect or protocol failure */
	PF_E_HOSTKEY = -8,      /* host key unknown and refused, or changed */
	PF_E_AUTH = -9,         /* every authentication method failed */
	PF_E_CANCELLED = -10,   /* the person cancelled a prompt */
	PF_E_BUSY = -11,        /* address/port already in use */
	PF_E_DENIED = -12,      /* permission denied (OS or server) */
	PF_E_UNSUPPORTED = -13, /* valid request we do not implement here */
	PF_E_INTERNAL = -14     /* a bug: please report */
} pf_rc;

/* The one user-facing message for a failure. `where` is "path:line:col"
 * (or "path:line", or empty) for errors tied to a file position. */
typedef struct pf_error {
	pf_rc code;
	char where[512];
	char message[1024];
} pf_error;

/* Short English name of a code ("out of memory"); static storage. */
const char *pf_rc_name(pf_rc rc);

/* Each returns `code` so call sites can `return pf_error_set(err, ...)`.
 * `err` may be NULL: the code is still returned. Messages are truncated,
 * never overflowed. */
pf_rc pf_error_set(pf_error *err, pf_rc code, const char *fmt, ...) PF_PRINTF(3, 4);
pf_rc pf_error_set_at(pf_error *err, pf_rc code, const char *path, int line, int col,
		      const char *fmt, ...) PF_PRINTF(6, 7);
pf_rc pf_error_vset(pf_error *err, pf_rc code, const char *fmt, va_list ap) PF_PRINTF(3, 0);
void pf_error_clear(pf_error *err);

/* "where: message" (or just the message) into buf; returns buf. */
const char *pf_error_format(const pf_error *err, char *buf, size_t size);

#endif
