/* pf/textconv.h on Windows: MultiByteToWideChar, then UTF-16 -> UTF-8. */
#include <windows.h>
#include <stdlib.h>

#include "pf/mem.h"
#include "pf/textconv.h"

#define PF_TEXTCONV_MAX (64u * 1024 * 1024)

pf_rc pf_textconv_to_utf8(unsigned codepage, const char *in, size_t len, char **out,
			  size_t *out_len, pf_error *err)
{
	wchar_t *wide = NULL;
	char *buf = NULL;
	int nw, n8;
	pf_rc rc = PF_OK;

	*out = NULL;
	*out_len = 0;
	if (codepage != PF_CODEPAGE_SHIFT_JIS && codepage != PF_CODEPAGE_WINDOWS_1252)
		return pf_error_set(err, PF_E_UNSUPPORTED, "Code page %u is not supported",
				    codepage);
	if (len > PF_TEXTCONV_MAX)
		return pf_error_set(err, PF_E_TOOBIG, "Text too large to convert");
	if (len == 0) {
		*out = pf_strdup("");
		return *out ? PF_OK : pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	nw = MultiByteToWideChar(codepage, MB_ERR_INVALID_CHARS, in, (int)len, NULL, 0);
	if (nw <= 0) {
		if (GetLastError() == ERROR_INVALID_PARAMETER)
			return pf_error_set(err, PF_E_UNSUPPORTED,
					    "Windows cannot convert from code page %u", codepage);
		return pf_error_set(err, PF_E_INVAL, "The text is not valid in code page %u",
				    codepage);
	}
	wide = PF_NEW_ARRAY(wchar_t, (size_t)nw);
	if (wide == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	if (MultiByteToWideChar(codepage, MB_ERR_INVALID_CHARS, in, (int)len, wide, nw) != nw) {
		rc = pf_error_set(err, PF_E_INVAL, "The text is not valid in code page %u",
				  codepage);
		goto out;
	}
	n8 = WideCharToMultiByte(CP_UTF8, 0, wide, nw, NULL, 0, NULL, NULL);
	if (n8 <= 0) {
		rc = pf_error_set(err, PF_E_INVAL, "Cannot convert the text to UTF-8");
		goto out;
	}
	buf = malloc((size_t)n8 + 1);
	if (buf == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	if (WideCharToMultiByte(CP_UTF8, 0, wide, nw, buf, n8, NULL, NULL) != n8) {
		rc = pf_error_set(err, PF_E_INVAL, "Cannot convert the text to UTF-8");
		goto out;
	}
	buf[n8] = '\0';
	*out = buf;
	*out_len = (size_t)n8;
	buf = NULL;
out:
	free(buf);
	free(wide);
	return rc;
}
