/* libFuzzer: any bytes as a PuTTY .ppk file, through the .ppk parser
 * directly and through pf_key_load_mem, without and with the test keys'
 * passphrase (only when the Argon2 cost in the file is small, so that each
 * run stays fast). Must never crash, leak or read out of bounds; results
 * must be consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/ppk.h"
#include "pf/keys.h"
#include "pf/version.h"

#define FUZZ_PASS "pf-test-passphrase" /* the committed test keys' passphrase */

/* See fuzz_keys.c: a libssh 0.11.5 leak on corrupted OpenSSH sections. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:pki_openssh_import_privkey_blob\n";
}

const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

static void parse(const char *text, size_t len, const char *pass)
{
	pfi_ppk k;
	char why[200];
	pfi_ppk_result r = pfi_ppk_parse(text, len, pass, &k, why, sizeof(why));

	if ((r == PF_PPK_OK) != (k.openssh != NULL))
		abort();
	if ((r == PF_PPK_DAMAGED || r == PF_PPK_UNSUPPORTED) && why[0] == '\0')
		abort();
	if (memchr(k.comment, '\0', sizeof(k.comment)) == NULL ||
	    memchr(k.type, '\0', sizeof(k.type)) == NULL)
		abort();
	if (r == PF_PPK_NEEDS_PASSPHRASE && (pass != NULL || !k.encrypted))
		abort();
	pfi_ppk_free(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialised;
	pf_key_info info;
	pf_error err;
	ssh_key key = NULL;
	pf_key_result r;
	pfi_ppk k;
	char why[200];
	int cheap;

	if (!initialised) {
		if (pf_lib_init() != 0)
			abort();
		initialised = 1;
	}
	parse((const char *)data, size, NULL);
	/* The cost as the file states it: decrypt only when it is small. */
	pfi_ppk_parse((const char *)data, size, NULL, &k, why, sizeof(why));
	cheap = k.mem_kib <= 64 && k.passes <= 2;
	pfi_ppk_free(&k);
	if (cheap)
		parse((const char *)data, size, FUZZ_PASS);

	r = pf_key_load_mem("fuzz.ppk", data, size, cheap ? FUZZ_PASS : NULL, &key, &info, &err);
	if ((r == PF_KEY_OK) != (key != NULL) || (r != PF_KEY_OK && err.message[0] == '\0'))
		abort();
	ssh_key_free(key);
	return 0;
}
