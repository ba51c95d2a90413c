/* libFuzzer: any bytes as a config file. Loading (every encoding path),
 * resolving for a few hosts (first Host pattern included), the ssh -G dump,
 * host profiles and formatting every diagnostic must never crash, leak,
 * read out of bounds or take unbounded time. Include lines point at a
 * folder that does not exist, so the file system is not touched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pf/config.h"
#include "pf/mem.h"

/* The first argument of the first "Host" line, if any, as a host to try. */
static void first_host(const uint8_t *data, size_t size, char *out, size_t out_size)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i + 5 < size; i++)
		if ((i == 0 || data[i - 1] == '\n') && memcmp(data + i, "Host ", 5) == 0)
			break;
	if (i + 5 >= size)
		return;
	for (i += 5; i < size && n + 1 < out_size && data[i] > ' '; i++)
		out[n++] = (char)data[i];
	out[n] = '\0';
}

static void resolve(const pf_config *cfg, const char *host, const char *user)
{
	static const char *const over[] = {"Port=2222", "LocalForward 1 x:2", "Ciphers -aes*"};
	pf_resolve_opts ro;
	pf_host_config *hc = NULL;
	pf_diags d;

	memset(&ro, 0, sizeof(ro));
	ro.user = user;
	ro.overrides = over;
	ro.n_overrides = user ? 3 : 0;
	pf_diag_init(&d);
	if (pf_config_resolve(cfg, host, &ro, &hc, &d) == PF_OK) {
		char *s = pf_host_config_dump(hc);

		if (s == NULL || strncmp(s, "host ", 5) != 0)
			abort();
		free(s);
	}
	pf_host_config_free(hc);
	pf_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_config *cfg = NULL;
	pf_diags d;
	pf_host_profile *pl = NULL;
	size_t np = 0, i;
	char host[64];
	pf_rc rc;

	pf_diag_init(&d);
	rc = pf_config_load_buffer("/nonexistent-pf-fuzz/config.txt", data, size, NULL, &cfg, &d);
	if ((rc == PF_OK || rc == PF_E_CONFIG) != (cfg != NULL))
		abort();
	if (rc == PF_OK && d.errors != 0)
		abort();
	for (i = 0; i < d.count; i++) {
		char *s = pf_diag_format(&d.items[i]);

		if (s == NULL)
			abort();
		free(s);
	}
	if (cfg != NULL) {
		first_host(data, size, host, sizeof(host));
		resolve(cfg, host, NULL);
		resolve(cfg, "a", "bob");
		resolve(cfg, "web1.example.org", NULL);
		if (pf_config_profiles(cfg, &pl, &np) == PF_OK)
			pf_host_profiles_free(pl, np);
	}
	pf_config_free(cfg);
	pf_diag_free(&d);
	return 0;
}
