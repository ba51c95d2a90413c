/* libFuzzer: any bytes as a key file, parsed from memory without and with a
 * fixed passphrase. Classification must never crash, leak or read out of
 * bounds; results must be consistent (a key exactly on OK, a message on
 * every failure, info strings terminated). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pf/keys.h"
#include "pf/version.h"

#define FUZZ_PASS "pf-test-passphrase" /* the committed test keys' passphrase */

static void check_result(pf_key_result r, ssh_key key, const pf_key_info *info, const pf_error *err)
{
	char desc[600], fp[64];

	if ((r == PF_KEY_OK) != (key != NULL))
		abort();
	if (r != PF_KEY_OK && err->message[0] == '\0')
		abort();
	if (r == PF_KEY_OK && (!info->have_public || strncmp(info->fingerprint, "SHA256:", 7)))
		abort();
	if (memchr(info->type, '\0', sizeof(info->type)) == NULL ||
	    memchr(info->comment, '\0', sizeof(info->comment)) == NULL ||
	    memchr(info->cipher, '\0', sizeof(info->cipher)) == NULL ||
	    memchr(info->fingerprint, '\0', sizeof(info->fingerprint)) == NULL)
		abort();
	pf_key_describe(info, desc, sizeof(desc));
	if (key != NULL) {
		if (pf_key_fingerprint(key, fp, sizeof(fp)) != PF_OK ||
		    strcmp(fp, info->fingerprint) != 0)
			abort();
	}
}

/* libssh 0.11.5 leaks small strings on two error paths of its OpenSSH key
 * import: the key type when a decrypted private section names an unknown
 * type (pki_openssh_import_privkey_blob returns without freeing type_s), and
 * 12-20 bytes when the bcrypt rounds of an encrypted key were tampered with
 * (ssh_pki_openssh_import). Reproduced with libssh alone on the saved
 * inputs; not ours to fix here. Suppressed by those function names only, so
 * every other leak still fails the run. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:pki_openssh_import_privkey_blob\n"
	       "leak:ssh_pki_openssh_import\n";
}

/* libssh is built without frame pointers: record allocation stacks with the
 * slow unwinder, so the suppression above sees the whole stack. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int initialised;
	pf_key_info info;
	pf_error err;
	ssh_key key = NULL;
	pf_key_result r;

	if (!initialised) {
		if (pf_lib_init() != 0)
			abort();
		initialised = 1;
	}
	r = pf_key_load_mem("fuzz-key", data, size, NULL, &key, &info, &err);
	check_result(r, key, &info, &err);
	ssh_key_free(key);
	key = NULL;
	/* Decrypt only when the KDF is cheap: the module accepts up to 10000
	 * bcrypt rounds and 10^7 PBKDF2 iterations, seconds each by design. */
	if (r == PF_KEY_NEEDS_PASSPHRASE &&
	    (info.format == PF_KEY_FORMAT_OPENSSH ? info.kdf_rounds <= 4
						  : info.kdf_rounds <= 4096)) {
		r = pf_key_load_mem("fuzz-key", data, size, FUZZ_PASS, &key, &info, &err);
		if (r == PF_KEY_NEEDS_PASSPHRASE)
			abort();
		check_result(r, key, &info, &err);
		ssh_key_free(key);
	}
	return 0;
}
