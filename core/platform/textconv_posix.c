/* pf/textconv.h on POSIX: glibc's iconv. */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/textconv.h"

#define PF_TEXTCONV_MAX (64u * 1024 * 1024)

static const char *codepage_name(unsigned codepage)
{
	switch (codepage) {
	case PF_CODEPAGE_SHIFT_JIS: return "CP932";
	case PF_CODEPAGE_WINDOWS_1252: return "CP1252";
	default: return NULL;
	}
}

pf_rc pf_textconv_to_utf8(unsigned codepage, const char *in, size_t len, char **out,
			  size_t *out_len, pf_error *err)
{
	const char *name = codepage_name(codepage);
	iconv_t cd = (iconv_t)-1;
	char *buf = NULL, *src = (char *)in, *dst;
	size_t cap, left_in = len, left_out;
	pf_rc rc = PF_OK;

	*out = NULL;
	*out_len = 0;
	if (name == NULL)
		return pf_error_set(err, PF_E_UNSUPPORTED, "Code page %u is not supported",
				    codepage);
	if (len > PF_TEXTCONV_MAX)
		return pf_error_set(err, PF_E_TOOBIG, "Text too large to convert");
	cd = iconv_open("UTF-8", name);
	if (cd == (iconv_t)-1)
		return pf_error_set(err, PF_E_UNSUPPORTED,
				    "This system cannot convert from %s (iconv)", name);
	/* A CP932 or CP1252 character (1-2 bytes) becomes at most 3 UTF-8 bytes. */
	cap = len * 3 + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	dst = buf;
	left_out = cap - 1;
	if (iconv(cd, &src, &left_in, &dst, &left_out) == (size_t)-1) {
		rc = pf_error_set(err, errno == E2BIG ? PF_E_INTERNAL : PF_E_INVAL,
				  "The text is not valid %s (byte %zu)", name, len - left_in);
		goto out;
	}
	*dst = '\0';
	*out_len = (size_t)(dst - buf);
	*out = buf;
	buf = NULL;
out:
	free(buf);
	iconv_close(cd);
	return rc;
}
