/* Algorithm lists (Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms,
 * PubkeyAcceptedAlgorithms): every name OpenSSH knows, which of them libssh
 * can use, the defaults, checking a value and assembling + - ^ lists. */
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "match.h"
#include "pf/mem.h"

/* Every name OpenSSH knows, in OpenSSH's order; `ok` when libssh (and so
 * PortForwarder) can use it. */
typedef struct algo_name {
	const char *name;
	int ok;
} algo_name;

static const algo_name ciphers_all[] = {{"3des-cbc", 1},
					{"aes128-cbc", 1},
					{"aes192-cbc", 1},
					{"aes256-cbc", 1},
					{"aes128-ctr", 1},
					{"aes192-ctr", 1},
					{"aes256-ctr", 1},
					{"aes128-gcm@openssh.com", 1},
					{"aes256-gcm@openssh.com", 1},
					{"chacha20-poly1305@openssh.com", 1},
					{NULL, 0}};
static const algo_name macs_all[] = {{"hmac-sha1", 1},
				     {"hmac-sha1-96", 0},
				     {"hmac-sha2-256", 1},
				     {"hmac-sha2-512", 1},
				     {"hmac-md5", 0},
				     {"hmac-md5-96", 0},
				     {"umac-64@openssh.com", 0},
				     {"umac-128@openssh.com", 0},
				     {"hmac-sha1-etm@openssh.com", 1},
				     {"hmac-sha1-96-etm@openssh.com", 0},
				     {"hmac-sha2-256-etm@openssh.com", 1},
				     {"hmac-sha2-512-etm@openssh.com", 1},
				     {"hmac-md5-etm@openssh.com", 0},
				     {"hmac-md5-96-etm@openssh.com", 0},
				     {"umac-64-etm@openssh.com", 0},
				     {"umac-128-etm@openssh.com", 0},
				     {NULL, 0}};
static const algo_name kex_all[] = {{"diffie-hellman-group1-sha1", 1},
				    {"diffie-hellman-group14-sha1", 1},
				    {"diffie-hellman-group14-sha256", 1},
				    {"diffie-hellman-group16-sha512", 1},
				    {"diffie-hellman-group18-sha512", 1},
				    {"diffie-hellman-group-exchange-sha1", 1},
				    {"diffie-hellman-group-exchange-sha256", 1},
				    {"ecdh-sha2-nistp256", 1},
				    {"ecdh-sha2-nistp384", 1},
				    {"ecdh-sha2-nistp521", 1},
				    {"curve25519-sha256", 1},
				    {"curve25519-sha256@libssh.org", 1},
				    {"sntrup761x25519-sha512", 0},
				    {"sntrup761x25519-sha512@openssh.com", 0},
				    {"mlkem768x25519-sha256", 0},
				    {NULL, 0}};
static const algo_name keys_all[] = {{"ssh-ed25519", 1},
				     {"ssh-ed25519-cert-v01@openssh.com", 1},
				     {"sk-ssh-ed25519@openssh.com", 1},
				     {"sk-ssh-ed25519-cert-v01@openssh.com", 1},
				     {"ecdsa-sha2-nistp256", 1},
				     {"ecdsa-sha2-nistp256-cert-v01@openssh.com", 1},
				     {"ecdsa-sha2-nistp384", 1},
				     {"ecdsa-sha2-nistp384-cert-v01@openssh.com", 1},
				     {"ecdsa-sha2-nistp521", 1},
				     {"ecdsa-sha2-nistp521-cert-v01@openssh.com", 1},
				     {"sk-ecdsa-sha2-nistp256@openssh.com", 1},
				     {"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", 1},
				     {"webauthn-sk-ecdsa-sha2-nistp256@openssh.com", 0},
				     {"ssh-dss", 0},
				     {"ssh-dss-cert-v01@openssh.com", 0},
				     {"ssh-rsa", 1},
				     {"ssh-rsa-cert-v01@openssh.com", 1},
				     {"rsa-sha2-256", 1},
				     {"rsa-sha2-256-cert-v01@openssh.com", 1},
				     {"rsa-sha2-512", 1},
				     {"rsa-sha2-512-cert-v01@openssh.com", 1},
				     {NULL, 0}};

/* OpenSSH's defaults minus what libssh cannot do. */
static const char default_ciphers[] = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,"
				      "aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com";
static const char default_macs[] = "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
				   "hmac-sha1-etm@openssh.com,hmac-sha2-256,hmac-sha2-512,"
				   "hmac-sha1";
static const char default_kex[] =
	"curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
	"ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
	"diffie-hellman-group18-sha512,diffie-hellman-group14-sha256";
static const char default_keys[] =
	"ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	"ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
	"sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
	"rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,"
	"ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,sk-ssh-ed25519@openssh.com,"
	"sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256";

static const algo_name *algo_table(cfg_algo_kind kind)
{
	switch (kind) {
	case ALGO_CIPHER: return ciphers_all;
	case ALGO_MAC: return macs_all;
	case ALGO_KEX: return kex_all;
	default: return keys_all;
	}
}

const char *cfg_algo_default(cfg_algo_kind kind)
{
	switch (kind) {
	case ALGO_CIPHER: return default_ciphers;
	case ALGO_MAC: return default_macs;
	case ALGO_KEX: return default_kex;
	default: return default_keys;
	}
}

static const char *algo_what(cfg_algo_kind kind)
{
	switch (kind) {
	case ALGO_CIPHER: return "cipher";
	case ALGO_MAC: return "MAC";
	case ALGO_KEX: return "key exchange algorithm";
	default: return "key algorithm";
	}
}

static const algo_name *algo_lookup(cfg_algo_kind kind, const char *name, size_t n)
{
	const algo_name *t = algo_table(kind);

	for (; t->name; t++)
		if (strlen(t->name) == n && strncmp(t->name, name, n) == 0)
			return t;
	return NULL;
}

int cfg_algo_check(cfg_algo_kind kind, const char *value, const char *path, int line, int col,
		   const char *text, const char *kwname, pf_diags *diags)
{
	const char *p = value;
	int ret = 0;

	if (*p == '-')
		return 0; /* patterns to remove: anything goes, as in OpenSSH */
	if (*p == '+' || *p == '^')
		p++;
	if (*p == '\0') {
		pf_diag_add(diags, PF_DIAG_ERROR, path, line, col, text,
			    "%s needs a comma-separated list of names.", kwname);
		return -1;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const algo_name *a = algo_lookup(kind, p, n);

		if (a == NULL) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, line, col, text,
				    "Unknown %s \"%.*s\" in %s. Check the spelling; names are "
				    "separated by commas without spaces.",
				    algo_what(kind), (int)n, p, kwname);
			ret = -1;
		} else if (!a->ok) {
			pf_diag_add(diags, PF_DIAG_WARNING, path, line, col, text,
				    "PortForwarder does not support the %s \"%s\"; it is left "
				    "out of %s.",
				    algo_what(kind), a->name, kwname);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return ret;
}

/* Append `name` (n bytes) to the list in buf if not yet there. */
static int list_add(char **buf, size_t *len, const char *name, size_t n)
{
	const char *p = *buf;
	char *nb;

	while (p != NULL && *p) {
		const char *end = strchr(p, ',');
		size_t m = end ? (size_t)(end - p) : strlen(p);

		if (m == n && strncmp(p, name, n) == 0)
			return 0;
		p += m;
		if (*p == ',')
			p++;
	}
	nb = realloc(*buf, *len + n + 2);
	if (nb == NULL)
		return -1;
	if (*len > 0)
		nb[(*len)++] = ',';
	memcpy(nb + *len, name, n);
	*len += n;
	nb[*len] = '\0';
	*buf = nb;
	return 0;
}

char *cfg_algo_assemble(cfg_algo_kind kind, const char *value)
{
	const char *def = cfg_algo_default(kind);
	char *tmp = NULL, *out = NULL;
	size_t outlen = 0;
	const char *p;

	if (value == NULL)
		return pf_strdup(def);
	if (*value == '+')
		tmp = pf_asprintf("%s,%s", def, value + 1);
	else if (*value == '^')
		tmp = pf_asprintf("%s,%s", value + 1, def);
	else if (*value == '-') {
		/* Keep each default name that no pattern matches. */
		size_t tl = 0;

		tmp = pf_strdup("");
		for (p = def; tmp != NULL && *p;) {
			const char *end = strchr(p, ',');
			size_t n = end ? (size_t)(end - p) : strlen(p);
			char *name = pf_strndup(p, n);

			if (name == NULL) {
				PF_FREE(tmp);
				break;
			}
			if (pfi_match_list(name, value + 1, 0) != 1 &&
			    list_add(&tmp, &tl, name, n) != 0)
				PF_FREE(tmp);
			free(name);
			p += n;
			if (*p == ',')
				p++;
		}
	} else
		tmp = pf_strdup(value);
	if (tmp == NULL)
		return NULL;
	out = pf_strdup("");
	for (p = tmp; out != NULL && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const algo_name *a = algo_lookup(kind, p, n);

		if (a != NULL && a->ok && list_add(&out, &outlen, p, n) != 0)
			PF_FREE(out);
		p += n;
		if (*p == ',')
			p++;
	}
	free(tmp);
	return out;
}
