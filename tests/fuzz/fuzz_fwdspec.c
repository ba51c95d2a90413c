/* libFuzzer: any bytes as forward specifications. The input is split at
 * the first newline into two arguments; both the config form (each kind)
 * and the command-line form are parsed. A spec that parses must format,
 * copy and compare equal to its copy, and formatting then re-parsing the
 * ssh -G form must give the same forward. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pf/fwdspec.h"
#include "pf/mem.h"

static void check_spec(const pf_fwdspec *f)
{
	pf_fwdspec copy, again;
	char *s = pf_fwdspec_format(f), *sp;

	if (s == NULL)
		abort();
	if (pf_fwdspec_copy(&copy, f) != PF_OK || !pf_fwdspec_equal(&copy, f))
		abort();
	pf_fwdspec_clear(&copy);
	/* "listen connect" as printed by -G reads back as the same forward
	 * (Unix-socket paths and "[socks]:0" aside). */
	sp = strchr(s, ' ');
	if (f->listen_path == NULL && f->connect_path == NULL && f->kind != PF_FWD_REMOTE_DYNAMIC &&
	    !(f->listen_host != NULL && f->listen_host[0] == '\0')) {
		pf_fwd_kind k = f->kind;

		if (sp != NULL)
			*sp = '\0';
		if (pf_fwdspec_parse(k, s, sp ? sp + 1 : NULL, &again, NULL) != PF_OK)
			abort();
		if (!pf_fwdspec_equal(&again, f))
			abort();
		pf_fwdspec_clear(&again);
	}
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = pf_strndup((const char *)data, size), *second;
	static const pf_fwd_kind kinds[] = {PF_FWD_LOCAL, PF_FWD_REMOTE, PF_FWD_DYNAMIC};
	size_t k;

	if (buf == NULL)
		return 0;
	second = strchr(buf, '\n');
	if (second != NULL)
		*second++ = '\0';
	for (k = 0; k < 3; k++) {
		pf_fwdspec f;
		pf_error err;

		if (pf_fwdspec_parse(kinds[k], buf, second, &f, &err) == PF_OK) {
			check_spec(&f);
			pf_fwdspec_clear(&f);
		} else if (f.listen_host || f.connect_host || f.listen_path || f.connect_path) {
			abort(); /* failures leave the struct cleared */
		}
		if (pf_fwdspec_parse_cli(kinds[k], buf, &f, &err) == PF_OK) {
			check_spec(&f);
			pf_fwdspec_clear(&f);
		}
	}
	free(buf);
	return 0;
}
