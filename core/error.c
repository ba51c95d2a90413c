/* The error object: one message for the person, with a file position. */
#include <stdio.h>
#include <string.h>

#include "pf/error.h"
#include "pf/mem.h"

const char *pf_rc_name(pf_rc rc)
{
	switch (rc) {
	case PF_OK: return "success";
	case PF_E_NOMEM: return "out of memory";
	case PF_E_INVAL: return "invalid input";
	case PF_E_IO: return "input/output error";
	case PF_E_NOTFOUND: return "not found";
	case PF_E_TOOBIG: return "too large";
	case PF_E_CONFIG: return "configuration error";
	case PF_E_NETWORK: return "network error";
	case PF_E_HOSTKEY: return "host key not accepted";
	case PF_E_AUTH: return "authentication failed";
	case PF_E_CANCELLED: return "cancelled";
	case PF_E_BUSY: return "address already in use";
	case PF_E_DENIED: return "permission denied";
	case PF_E_UNSUPPORTED: return "not supported";
	case PF_E_INTERNAL: return "internal error";
	}
	return "unknown error";
}

pf_rc pf_error_vset(pf_error *err, pf_rc code, const char *fmt, va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	err->where[0] = '\0';
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return code;
}

pf_rc pf_error_set(pf_error *err, pf_rc code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pf_error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

pf_rc pf_error_set_at(pf_error *err, pf_rc code, const char *path, int line, int col,
		      const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	pf_error_vset(err, code, fmt, ap);
	va_end(ap);
	if (path != NULL && line > 0 && col > 0)
		snprintf(err->where, sizeof(err->where), "%s:%d:%d", path, line, col);
	else if (path != NULL && line > 0)
		snprintf(err->where, sizeof(err->where), "%s:%d", path, line);
	else if (path != NULL)
		pf_strlcpy(err->where, path, sizeof(err->where));
	return code;
}

void pf_error_clear(pf_error *err)
{
	if (err == NULL)
		return;
	err->code = PF_OK;
	err->where[0] = '\0';
	err->message[0] = '\0';
}

const char *pf_error_format(const pf_error *err, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	if (err == NULL || err->code == PF_OK)
		snprintf(buf, size, "no error");
	else if (err->where[0] != '\0')
		snprintf(buf, size, "%s: %s", err->where, err->message);
	else if (err->message[0] != '\0')
		snprintf(buf, size, "%s", err->message);
	else
		snprintf(buf, size, "%s", pf_rc_name(err->code));
	return buf;
}
