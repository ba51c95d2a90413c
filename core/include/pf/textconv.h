/* Legacy text encodings, converted by the operating system (iconv on
 * POSIX, MultiByteToWideChar on Windows). The core uses it to read
 * config files saved by older Japanese Notepad in Shift_JIS (code page 932). */
#ifndef PF_TEXTCONV_H
#define PF_TEXTCONV_H

#include <stddef.h>

#include "pf/error.h"

/* Windows code page numbers we convert from. */
#define PF_CODEPAGE_SHIFT_JIS    932  /* Shift_JIS with Microsoft's extensions (CP932) */
#define PF_CODEPAGE_WINDOWS_1252 1252 /* Western Windows' ANSI code page */

/* Convert `len` bytes in code page `codepage` to UTF-8. Fails with
 * PF_E_INVAL when the bytes are not valid in that code page (nothing is
 * replaced: the caller decides what to do), PF_E_UNSUPPORTED when the OS
 * lacks the code page, PF_E_TOOBIG when len is over 64 MB. On success
 * *out is NUL-terminated, *out_len excludes the NUL; caller frees *out. */
pf_rc pf_textconv_to_utf8(unsigned codepage, const char *in, size_t len, char **out,
			  size_t *out_len, pf_error *err);

#endif
