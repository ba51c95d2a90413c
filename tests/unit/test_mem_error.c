/* Allocation helpers and the error object. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/error.h"
#include "pf/mem.h"

int main(void)
{
	char buf[8], out[256];
	char *s;
	pf_error err;

	CHECK_INT(pf_strlcpy(buf, "abc", sizeof(buf)), 0);
	CHECK_STR(buf, "abc");
	CHECK_INT(pf_strlcat(buf, "defgh", sizeof(buf)), -1);
	CHECK_STR(buf, "abcdefg");
	CHECK_INT(pf_strlcpy(buf, "0123456789", sizeof(buf)), -1);
	CHECK_STR(buf, "0123456");
	s = pf_asprintf("%s:%d", "host", 22);
	CHECK_STR(s, "host:22");
	free(s);
	s = pf_strndup("abcdef", 3);
	CHECK_STR(s, "abc");
	free(s);
	CHECK(pf_reallocarray(NULL, (size_t)-1, 16) == NULL);

	s = pf_strdup("secret");
	pf_secure_zero(s, 6);
	CHECK(memcmp(s, "\0\0\0\0\0\0", 6) == 0);
	free(s);
	pf_secret_free(pf_strdup("x"));
	pf_secret_free(NULL);

	CHECK_INT(pf_error_set_at(&err, PF_E_CONFIG, "config.txt", 7, 3, "Unknown keyword %s",
				  "LocalFoward"),
		  PF_E_CONFIG);
	CHECK_STR(pf_error_format(&err, out, sizeof(out)),
		  "config.txt:7:3: Unknown keyword LocalFoward");
	pf_error_set(&err, PF_E_BUSY, "Port %d is already in use", 10110);
	CHECK_STR(pf_error_format(&err, out, sizeof(out)), "Port 10110 is already in use");
	CHECK_INT(pf_error_set(NULL, PF_E_IO, "ignored"), PF_E_IO);
	pf_error_clear(&err);
	CHECK_STR(pf_error_format(&err, out, sizeof(out)), "no error");
	CHECK_STR(pf_rc_name(PF_E_HOSTKEY), "host key not accepted");
	return check_summary("test_mem_error");
}
