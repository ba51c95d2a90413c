/* libFuzzer: any bytes as a known_hosts file. Parsing, lookups, diagnostics
 * appending and replacing must never crash, leak or read out of bounds, a
 * line we append must keep the old bytes and be found again, and a replaced
 * key must be found again in a file of as many lines. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pf/knownhosts.h"
#include "pf/mem.h"

/* A well-formed ssh-ed25519 blob (the key bytes need not be a real point). */
static void make_key(unsigned char blob[51], unsigned char fill)
{
	static const unsigned char head[] = {0,   0,   0,   11,  's', 's', 'h', '-', 'e', 'd',
					     '2', '5', '5', '1', '9', 0,   0,   0,   32};

	memcpy(blob, head, sizeof(head));
	memset(blob + sizeof(head), fill, 51 - sizeof(head));
}

/* The first field of the input (a host pattern, usually), made into a
 * NUL-terminated name; "" when there is none. */
static void first_field(const uint8_t *data, size_t size, char *out, size_t out_size)
{
	size_t i = 0, n = 0;

	while (i < size && (data[i] == ' ' || data[i] == '\t' || data[i] == '@'))
		i++;
	while (i < size && n + 1 < out_size && data[i] > ' ' && data[i] != ',')
		out[n++] = (char)data[i++];
	out[n] = '\0';
}

static void lookups(const pf_knownhosts *kh, const char *name, const unsigned char *blob,
		    size_t len)
{
	pf_knownhosts_result res;
	static const char *const hosts[] = {"alpha.example.com", "192.0.2.10", "x", "[a]:1"};
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		pf_knownhosts_check(kh, hosts[i], 22, NULL, NULL, blob, len, &res, NULL);
		pf_knownhosts_check(kh, hosts[i], 2222, NULL, "ssh-ed25519", blob, len, &res, NULL);
	}
	if (name[0] != '\0') {
		pf_error err;

		pf_knownhosts_check(kh, name, 22, NULL, NULL, blob, len, &res, NULL);
		pf_knownhosts_check(kh, "h", 2222, name, NULL, blob, len, &res, NULL);
		if (res.status != PF_KH_MATCH && res.status != PF_KH_UNKNOWN)
			pf_knownhosts_refusal(kh, &res, &err);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pf_knownhosts *kh = NULL, *kh2 = NULL;
	unsigned char blob[51];
	char name[128], *out = NULL, *text = NULL, fp[PF_KH_FP_SIZE];
	size_t out_len = 0, i;
	unsigned char *kb = NULL;
	size_t kb_len = 0;
	pf_knownhosts_result res;

	make_key(blob, size > 0 ? data[0] : 0);
	first_field(data, size, name, sizeof(name));

	if (pf_knownhosts_parse("fuzz", (const char *)data, size, &kh, NULL) != PF_OK)
		return 0;
	for (i = 0; i < pf_knownhosts_diag_count(kh); i++) {
		const pf_error *d = pf_knownhosts_diag(kh, i);

		if (d == NULL || strlen(d->message) >= sizeof(d->message))
			abort();
	}
	lookups(kh, name, blob, sizeof(blob));

	/* Any bytes as a base64 key. */
	text = pf_strndup((const char *)data, size < 4096 ? size : 4096);
	if (text != NULL && pf_knownhosts_decode_key(text, &kb, &kb_len, NULL) == PF_OK) {
		pf_knownhosts_fingerprint(kb, kb_len, fp, sizeof(fp));
		pf_knownhosts_check(kh, "alpha.example.com", 22, NULL, NULL, kb, kb_len, &res,
				    NULL);
		free(kb);
	}
	free(text);

	/* Append: the old bytes stay, and the new line is found again (or a
	 * matching @revoked line in the old content wins). */
	if (name[0] != '\0' &&
	    pf_knownhosts_append("fuzz", (const char *)data, size, name, (size & 1) ? 2222 : 22,
				 NULL, NULL, blob, sizeof(blob), (size & 2) ? PF_KH_ADD_HASHED : 0,
				 &out, &out_len, NULL) == PF_OK) {
		if (out_len < size || memcmp(out, data, size) != 0 || out[out_len] != '\0')
			abort();
		if (pf_knownhosts_parse("fuzz2", out, out_len, &kh2, NULL) == PF_OK) {
			if (pf_knownhosts_check(kh2, name, (size & 1) ? 2222 : 22, NULL, NULL, blob,
						sizeof(blob), &res, NULL) != PF_OK)
				abort();
			if (res.status != PF_KH_MATCH && res.status != PF_KH_REVOKED)
				abort();
			pf_knownhosts_free(kh2);
		}
		free(out);
	}
	/* Replace (issue 20 item 9): the same number of lines, and the new key
	 * is then found (or a matching @revoked line wins). */
	for (i = 1; name[0] != '\0' && i <= 4; i++) {
		size_t nl_old = 0, nl_new = 0, j;

		if (pf_knownhosts_replace_text("fuzz", (const char *)data, size, (int)i, name, 22,
					       NULL, NULL, NULL, blob, sizeof(blob), &out, &out_len,
					       NULL) != PF_OK)
			continue;
		for (j = 0; j < size; j++)
			nl_old += data[j] == '\n';
		for (j = 0; j < out_len; j++)
			nl_new += out[j] == '\n';
		if (nl_old != nl_new || out[out_len] != '\0')
			abort();
		if (pf_knownhosts_parse("fuzz3", out, out_len, &kh2, NULL) == PF_OK) {
			if (pf_knownhosts_check(kh2, name, 22, NULL, NULL, blob, sizeof(blob), &res,
						NULL) != PF_OK ||
			    (res.status != PF_KH_MATCH && res.status != PF_KH_REVOKED))
				abort();
			pf_knownhosts_free(kh2);
		}
		free(out);
	}
	pf_knownhosts_free(kh);
	return 0;
}
