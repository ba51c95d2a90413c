/* Config resolving: the effective settings for one host, the ssh -G dump
 * and the GUI's host profiles. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "match.h"
#include "pf/mem.h"
#include "pf/platform.h"

#define MAX_IDENTITY_FILES 100

/* A value as obtained: the entry that set it (first wins). */
typedef struct rstate {
	const cfg_entry *src[K_COUNT];
	const cfg_entry **ids; /* IdentityFile entries in order */
	size_t n_ids;
	const pf_fwdspec **fwds; /* forwards from the file, in order */
	size_t n_fwds;
	const char *user_override;
	const char *host_arg;
	char *local_user;
} rstate;

/* Tokens for %-expansion. */
typedef struct tokens {
	const char *d, *u, *h, *r, *p, *l, *L, *n, *k;
} tokens;

static char *expand_tokens(const char *s, const tokens *t)
{
	size_t cap = strlen(s) + 1, len = 0;
	char *out = malloc(cap);
	const char *p;

	if (out == NULL)
		return NULL;
	for (p = s; *p; p++) {
		const char *add = NULL;
		char one[2] = {0, 0};
		size_t n;

		if (*p == '%' && p[1] != '\0') {
			p++;
			switch (*p) {
			case '%': add = "%"; break;
			case 'd': add = t->d; break;
			case 'u': add = t->u; break;
			case 'h': add = t->h; break;
			case 'r': add = t->r; break;
			case 'p': add = t->p; break;
			case 'l': add = t->l; break;
			case 'L': add = t->L; break;
			case 'n': add = t->n; break;
			case 'k': add = t->k; break;
			default: break;
			}
			if (add == NULL) { /* not allowed here: keep it as written */
				one[0] = '%';
				add = one;
				p--;
			}
		} else {
			one[0] = *p;
			add = one;
		}
		n = strlen(add);
		if (len + n + 1 > cap) {
			char *nb;

			cap = (len + n + 1) * 2;
			nb = realloc(out, cap);
			if (nb == NULL) {
				free(out);
				return NULL;
			}
			out = nb;
		}
		memcpy(out + len, add, n);
		len += n;
	}
	out[len] = '\0';
	return out;
}

/* ~ and %-tokens; relative results joined to `dir` when dir != NULL. */
static char *expand_path(const char *raw, const tokens *t, const char *dir)
{
	char *a = NULL, *b = NULL, *r;

	if (raw[0] == '~' && (raw[1] == '/' || raw[1] == '\\' || raw[1] == '\0')) {
		a = raw[1] ? pf_path_join(t->d, raw + 2) : pf_strdup(t->d);
		if (a == NULL)
			return NULL;
		raw = a;
	}
	b = expand_tokens(raw, t);
	free(a);
	if (b == NULL)
		return NULL;
	if (dir == NULL || pf_path_is_absolute(b))
		return b;
	r = pf_path_join(dir, b);
	free(b);
	return r;
}

static void lowercase(char *s)
{
	for (; s && *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static char *current_hostname(const rstate *st)
{
	const cfg_entry *e = st->src[K_HOSTNAME];
	tokens t;
	char *h;

	memset(&t, 0, sizeof(t));
	t.h = st->host_arg;
	h = e ? expand_tokens(e->args[0], &t) : pf_strdup(st->host_arg);
	return h;
}

static int host_line_matches(const cfg_entry *e, const char *host)
{
	size_t i;
	int active = 0;

	for (i = 0; i < e->nargs; i++) {
		const char *pat = e->args[i];
		int neg = pat[0] == '!';

		if (pfi_match_pattern(host, pat + neg, 0)) {
			if (neg)
				return 0;
			active = 1;
		}
	}
	return active;
}

/* The remote user so far: -o User, then user@/-l, then User in the file. */
static const char *user_of(const rstate *st)
{
	const cfg_entry *u = st->src[K_USER];

	if (u != NULL && u->file == NULL)
		return u->args[0];
	if (st->user_override != NULL)
		return st->user_override;
	return u ? u->args[0] : NULL;
}

static int match_line_matches(const cfg_entry *e, const rstate *st)
{
	size_t i;
	int result = 1;
	char *host = current_hostname(st);
	const char *ruser;

	if (host == NULL)
		return 0;
	ruser = user_of(st);
	if (ruser == NULL)
		ruser = st->local_user;
	for (i = 0; i < e->ncrit; i++) {
		const cfg_criterion *c = &e->crit[i];
		int r = 0;

		switch (c->crit) {
		case C_ALL: r = 1; break;
		case C_NEVER: r = 0; break;
		case C_HOST: r = pfi_match_list(host, c->arg, 1) == 1; break;
		case C_ORIGINALHOST: r = pfi_match_list(st->host_arg, c->arg, 1) == 1; break;
		case C_USER: r = pfi_match_list(ruser, c->arg, 0) == 1; break;
		case C_LOCALUSER: r = pfi_match_list(st->local_user, c->arg, 0) == 1; break;
		}
		if (c->crit == C_NEVER) {
			result = 0;
			continue;
		}
		if (c->negate)
			r = !r;
		if (!r)
			result = 0;
	}
	free(host);
	return result;
}

/* "none" in any case, as config.c reads it. */
static int is_none(const char *v)
{
	return (v[0] | 0x20) == 'n' && (v[1] | 0x20) == 'o' && (v[2] | 0x20) == 'n' &&
	       (v[3] | 0x20) == 'e' && v[4] == '\0';
}

/* Take in one active entry. */
static pf_rc apply(rstate *st, const cfg_entry *e)
{
	cfg_kw k = e->kw->kw;

	switch (k) {
	case K_IDENTITYFILE: {
		const cfg_entry **n;

		if (st->n_ids >= MAX_IDENTITY_FILES)
			return PF_OK;
		n = pf_reallocarray(st->ids, st->n_ids + 1, sizeof(*n));
		if (n == NULL)
			return PF_E_NOMEM;
		st->ids = n;
		st->ids[st->n_ids++] = e;
		return PF_OK;
	}
	case K_LOCALFORWARD:
	case K_REMOTEFORWARD:
	case K_DYNAMICFORWARD: {
		const pf_fwdspec **n = pf_reallocarray(st->fwds, st->n_fwds + 1, sizeof(*n));

		if (n == NULL)
			return PF_E_NOMEM;
		st->fwds = n;
		st->fwds[st->n_fwds++] = &e->fwd;
		return PF_OK;
	}
	case K_HOST:
	case K_MATCH:
	case K_INCLUDE:
	case K_IGNOREUNKNOWN:
	case K_OTHER:
	case K_NONE:
	case K_COUNT: return PF_OK;
	case K_PROXYJUMP:
		/* ssh: ignored once ProxyCommand (even "none") was set. */
		if (st->src[K_PROXYJUMP] == NULL && st->src[K_PROXYCOMMAND] == NULL)
			st->src[K_PROXYJUMP] = e;
		return PF_OK;
	case K_PROXYCOMMAND:
		/* ssh: ignored once ProxyJump named a host ("none" does not
		 * count). */
		if (st->src[K_PROXYCOMMAND] == NULL &&
		    (st->src[K_PROXYJUMP] == NULL || is_none(st->src[K_PROXYJUMP]->args[0])))
			st->src[K_PROXYCOMMAND] = e;
		return PF_OK;
	default:
		if (st->src[k] == NULL)
			st->src[k] = e;
		return PF_OK;
	}
}

static int ival(const rstate *st, cfg_kw k, int def)
{
	return st->src[k] ? st->src[k]->ival : def;
}

static pf_rc sdup(char **dst, const rstate *st, cfg_kw k)
{
	*dst = NULL;
	if (st->src[k] == NULL)
		return PF_OK;
	*dst = pf_strdup(st->src[k]->args[0]);
	return *dst ? PF_OK : PF_E_NOMEM;
}

static pf_rc path_add(pf_config_path **v, size_t *n, char *path, const char *source, int line)
{
	pf_config_path *nv;
	size_t i;

	if (path == NULL)
		return PF_E_NOMEM;
	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i].path, path) == 0) {
			free(path);
			return PF_OK;
		}
	nv = pf_reallocarray(*v, *n + 1, sizeof(*nv));
	if (nv == NULL) {
		free(path);
		return PF_E_NOMEM;
	}
	*v = nv;
	nv[*n].path = path;
	nv[*n].source = pf_strdup(source);
	nv[*n].line = line;
	if (nv[*n].source == NULL) {
		free(path);
		return PF_E_NOMEM;
	}
	(*n)++;
	return PF_OK;
}

static pf_rc fwd_add(pf_host_config *hc, const pf_fwdspec *f)
{
	pf_fwdspec *n;
	size_t i;

	for (i = 0; i < hc->n_forwards; i++)
		if (pf_fwdspec_equal(&hc->forwards[i], f))
			return PF_OK;
	n = pf_reallocarray(hc->forwards, hc->n_forwards + 1, sizeof(*n));
	if (n == NULL)
		return PF_E_NOMEM;
	hc->forwards = n;
	if (pf_fwdspec_copy(&n[hc->n_forwards], f) != PF_OK)
		return PF_E_NOMEM;
	hc->n_forwards++;
	return PF_OK;
}

void pf_host_config_free(pf_host_config *hc)
{
	size_t i;

	if (hc == NULL)
		return;
	free(hc->host);
	free(hc->hostname);
	free(hc->user);
	for (i = 0; i < hc->n_identity_files; i++) {
		free(hc->identity_files[i].path);
		free(hc->identity_files[i].source);
	}
	free(hc->identity_files);
	free(hc->identity_agent);
	for (i = 0; i < hc->n_forwards; i++)
		pf_fwdspec_clear(&hc->forwards[i]);
	free(hc->forwards);
	free(hc->ciphers);
	free(hc->macs);
	free(hc->kex_algorithms);
	free(hc->hostkey_algorithms);
	free(hc->pubkey_accepted_algorithms);
	for (i = 0; i < hc->n_known_hosts_files; i++) {
		free(hc->known_hosts_files[i].path);
		free(hc->known_hosts_files[i].source);
	}
	free(hc->known_hosts_files);
	free(hc->host_key_alias);
	free(hc->proxy_jump);
	cfg_jump_hops_free(hc->jump_hops, hc->n_jump_hops);
	free(hc->proxy_command);
	free(hc->proxy_command_source);
	free(hc->bind_address);
	free(hc->preferred_authentications);
	free(hc->config_path);
	free(hc);
}

/* "ssh://user@host:port" elements become "user@host:port" (as ssh -G). */
static char *jump_normalise(const char *s)
{
	size_t cap = strlen(s) + 1, len = 0;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	while (*s) {
		size_t m = strcspn(s, ",");

		if (m >= 6 && strncmp(s, "ssh://", 6) == 0) {
			s += 6;
			m -= 6;
		}
		if (len > 0)
			out[len++] = ',';
		memcpy(out + len, s, m);
		len += m;
		s += m;
		if (*s == ',')
			s++;
	}
	out[len] = '\0';
	return out;
}

void cfg_jump_hops_free(pf_jump_hop *hops, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(hops[i].user);
		free(hops[i].host);
	}
	free(hops);
}

/* One element "[ssh://][user@]host[:port]" or "[user@][v6addr][:port]". */
static int jump_parse_one(const char *s, size_t len, pf_jump_hop *h)
{
	const char *end = s + len, *at = NULL, *p, *hend, *colon = NULL;

	if (len >= 6 && strncmp(s, "ssh://", 6) == 0)
		s += 6;
	for (p = s; p < end; p++)
		if (*p == '@')
			at = p; /* the last '@', as ssh */
	if (at != NULL) {
		if (at == s)
			return -1;
		h->user = pf_strndup(s, (size_t)(at - s));
		s = at + 1;
	}
	if (s < end && *s == '[') {
		hend = memchr(s, ']', (size_t)(end - s));
		if (hend == NULL || hend == s + 1)
			return -1;
		h->host = pf_strndup(s + 1, (size_t)(hend - s - 1));
		if (hend + 1 < end && hend[1] != ':')
			return -1;
		colon = hend + 1 < end ? hend + 1 : NULL;
	} else {
		colon = memchr(s, ':', (size_t)(end - s));
		hend = colon ? colon : end;
		if (hend == s)
			return -1;
		h->host = pf_strndup(s, (size_t)(hend - s));
	}
	if (h->host == NULL || (at != NULL && h->user == NULL))
		return -1;
	if (colon != NULL) {
		long v = 0;

		for (p = colon + 1; p < end; p++) {
			if (*p < '0' || *p > '9' || v > 65535)
				return -1;
			v = v * 10 + (*p - '0');
		}
		if (v < 1 || v > 65535)
			return -1;
		h->port = (int)v;
	}
	return 0;
}

int cfg_jump_parse(const char *text, pf_jump_hop **hops, size_t *n)
{
	size_t count = 1, i = 0;
	const char *p;

	*hops = NULL;
	*n = 0;
	for (p = text; *p; p++)
		count += *p == ',';
	*hops = pf_calloc(count, sizeof(**hops));
	if (*hops == NULL)
		return -1;
	for (p = text;; i++) {
		size_t m = strcspn(p, ",");

		if (m == 0 || jump_parse_one(p, m, &(*hops)[i]) != 0) {
			cfg_jump_hops_free(*hops, count);
			*hops = NULL;
			return -1;
		}
		p += m;
		if (*p == '\0')
			break;
		p++;
	}
	*n = count;
	return 0;
}

static const char *where_file(const cfg_entry *e)
{
	return e && e->file ? e->file : "command line";
}

/* PortForwarder 2.9 also tried id_dsa and an SSH-1 "identity" beside the
 * config: servers no longer take either, so say so once, with the way out,
 * instead of a mysterious refusal. */
static void old_key_note(const char *dir, pf_diags *diags)
{
	static const char ssh1[] = "SSH PRIVATE KEY FILE FORMAT 1.1\n";
	char *dsa = pf_path_join(dir, "id_dsa"), *id = pf_path_join(dir, "identity");
	char *data = NULL;
	size_t len = 0;
	const char *old = NULL;

	if (dsa != NULL && pf_file_exists(dsa))
		old = dsa;
	else if (id != NULL && pf_file_read(id, 1 << 20, &data, &len, NULL) == PF_OK &&
		 len >= sizeof(ssh1) - 1 && memcmp(data, ssh1, sizeof(ssh1) - 1) == 0)
		old = id;
	if (old != NULL)
		pf_diag_add(diags, PF_DIAG_WARNING, old, 0, 0, NULL,
			    "%s is %s key, which servers no longer accept (OpenSSH dropped "
			    "%s). Make a new key with \"Generate key...\" (or ssh-keygen -t "
			    "ed25519), send its .pub file to your administrator, and name the "
			    "new key with IdentityFile.",
			    pf_path_basename(old), old == dsa ? "a DSA" : "an SSH-1",
			    old == dsa ? "DSA keys in 2015" : "SSH protocol 1 in 2017");
	free(data);
	free(dsa);
	free(id);
}

static pf_rc fill(pf_host_config *hc, const pf_config *cfg, const rstate *st,
		  const pf_resolve_opts *opts, pf_diags *diags)
{
	char *home = pf_home_dir(), *lhost = pf_host_name(), *shost = NULL, portstr[16];
	const char *alias;
	tokens t;
	size_t i;
	pf_rc rc = PF_E_NOMEM;
	static const struct {
		cfg_kw kw;
		cfg_algo_kind kind;
		size_t off;
		const char *name;
	} algos[] = {
		{K_CIPHERS, ALGO_CIPHER, offsetof(pf_host_config, ciphers), "Ciphers"},
		{K_MACS, ALGO_MAC, offsetof(pf_host_config, macs), "MACs"},
		{K_KEXALGORITHMS, ALGO_KEX, offsetof(pf_host_config, kex_algorithms),
		 "KexAlgorithms"},
		{K_HOSTKEYALGORITHMS, ALGO_HOSTKEY, offsetof(pf_host_config, hostkey_algorithms),
		 "HostKeyAlgorithms"},
		{K_PUBKEYACCEPTEDALGORITHMS, ALGO_PUBKEY,
		 offsetof(pf_host_config, pubkey_accepted_algorithms), "PubkeyAcceptedAlgorithms"},
	};

	if (home == NULL || lhost == NULL)
		goto out;
	shost = pf_strndup(lhost, strcspn(lhost, "."));
	if (shost == NULL)
		goto out;
	hc->host = pf_strdup(st->host_arg);
	hc->hostname = current_hostname(st);
	if (hc->host == NULL || hc->hostname == NULL)
		goto out;
	lowercase(hc->hostname);
	hc->port = ival(st, K_PORT, 22);
	/* -o User, user@host and -l are set before the file is read, so they win. */
	if (user_of(st) != NULL) {
		hc->user = pf_strdup(user_of(st));
		hc->user_configured = 1;
	} else {
		hc->user = pf_strdup(st->local_user);
	}
	if (hc->user == NULL)
		goto out;
	if (sdup(&hc->host_key_alias, st, K_HOSTKEYALIAS) != PF_OK ||
	    sdup(&hc->bind_address, st, K_BINDADDRESS) != PF_OK ||
	    sdup(&hc->preferred_authentications, st, K_PREFERREDAUTHENTICATIONS) != PF_OK)
		goto out;
	/* "none" in any case, as config.c reads it (issue 18 item 4). */
	if (st->src[K_PROXYJUMP] != NULL && !is_none(st->src[K_PROXYJUMP]->args[0])) {
		hc->proxy_jump = jump_normalise(st->src[K_PROXYJUMP]->args[0]);
		/* config.c checked the form: a failure here is memory. */
		if (hc->proxy_jump == NULL ||
		    cfg_jump_parse(hc->proxy_jump, &hc->jump_hops, &hc->n_jump_hops) != 0)
			goto out;
	}
	if (st->src[K_PROXYCOMMAND] != NULL && !is_none(st->src[K_PROXYCOMMAND]->args[0])) {
		const cfg_entry *e = st->src[K_PROXYCOMMAND];

		hc->proxy_command = pf_strdup(e->args[0]);
		hc->proxy_command_source = pf_strdup(where_file(e));
		hc->proxy_command_line = e->line;
		if (hc->proxy_command == NULL || hc->proxy_command_source == NULL)
			goto out;
	}

	snprintf(portstr, sizeof(portstr), "%d", hc->port);
	alias = hc->host_key_alias ? hc->host_key_alias : hc->hostname;
	t.d = home;
	t.u = st->local_user;
	t.h = hc->hostname;
	t.r = hc->user;
	t.p = portstr;
	t.l = lhost;
	t.L = shost;
	t.n = st->host_arg;
	t.k = alias;

	for (i = 0; i < st->n_ids; i++) {
		const cfg_entry *e = st->ids[i];

		if (path_add(&hc->identity_files, &hc->n_identity_files,
			     expand_path(e->args[0], &t, e->dir), where_file(e), e->line) != PF_OK)
			goto out;
	}
	/* The default key files, decided here only: those of these names that
	 * exist beside the main config file (the USB-stick layout), else
	 * OpenSSH's list in ~/.ssh (ssh -G prints it). */
	if (hc->n_identity_files == 0 && cfg != NULL && cfg->n_strings >= 2) {
		static const char *const beside[] = {"id_ed25519", "id_ecdsa", "id_rsa",
						     "identity"};

		for (i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
			char *p = pf_path_join(cfg->strings[1], beside[i]);

			if (p != NULL && !pf_file_exists(p)) {
				free(p);
				continue;
			}
			if (path_add(&hc->identity_files, &hc->n_identity_files, p, "default", 0) !=
			    PF_OK)
				goto out;
		}
		hc->identity_files_default = hc->n_identity_files > 0;
		old_key_note(cfg->strings[1], diags);
	}
	if (hc->n_identity_files == 0) {
		static const char *const defaults[] = {"id_rsa", "id_ecdsa", "id_ecdsa_sk",
						       "id_ed25519", "id_ed25519_sk"};
		char *ssh = pf_path_join(home, ".ssh");

		if (ssh == NULL)
			goto out;
		for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
			if (path_add(&hc->identity_files, &hc->n_identity_files,
				     pf_path_join(ssh, defaults[i]), "default", 0) != PF_OK) {
				free(ssh);
				goto out;
			}
		free(ssh);
		hc->identity_files_default = 1;
	}
	if (st->src[K_IDENTITYAGENT] != NULL &&
	    (hc->identity_agent = expand_path(st->src[K_IDENTITYAGENT]->args[0], &t, NULL)) == NULL)
		goto out;

	if (st->src[K_USERKNOWNHOSTSFILE] != NULL) {
		const cfg_entry *e = st->src[K_USERKNOWNHOSTSFILE];

		for (i = 0; i < e->nargs; i++) {
			char *p = strcmp(e->args[i], "none") == 0
					  ? pf_strdup("none")
					  : expand_path(e->args[i], &t, e->dir);

			if (path_add(&hc->known_hosts_files, &hc->n_known_hosts_files, p,
				     where_file(e), e->line) != PF_OK)
				goto out;
		}
	} else {
		char *dir = NULL;

		if (!hc->identity_files_default)
			dir = pf_path_dirname(hc->identity_files[0].path);
		else if (cfg != NULL && cfg->n_strings >= 2)
			dir = pf_strdup(cfg->strings[1]); /* the main file's folder */
		else
			dir = pf_path_join(home, ".ssh");
		if (dir == NULL)
			goto out;
		if (path_add(&hc->known_hosts_files, &hc->n_known_hosts_files,
			     pf_path_join(dir, "known_hosts"), "default", 0) != PF_OK) {
			free(dir);
			goto out;
		}
		/* PortForwarder 2.9 kept known_hosts in the config file's folder:
		 * with the key elsewhere, that file is read too (after the one
		 * beside the key, which gets the new keys), so servers trusted
		 * under 2.9 stay trusted. */
		if (!hc->identity_files_default && cfg != NULL && cfg->n_strings >= 2 &&
		    strcmp(dir, cfg->strings[1]) != 0 &&
		    path_add(&hc->known_hosts_files, &hc->n_known_hosts_files,
			     pf_path_join(cfg->strings[1], "known_hosts"), "default (2.9)",
			     0) != PF_OK) {
			free(dir);
			goto out;
		}
		free(dir);
		hc->known_hosts_default = 1;
	}

	hc->clear_all_forwardings = ival(st, K_CLEARALLFORWARDINGS, 0);
	if (!hc->clear_all_forwardings) {
		for (i = 0; opts && i < opts->n_forwards; i++)
			if (fwd_add(hc, &opts->forwards[i]) != PF_OK)
				goto out;
		for (i = 0; i < st->n_fwds; i++)
			if (fwd_add(hc, st->fwds[i]) != PF_OK)
				goto out;
	}
	hc->identities_only = ival(st, K_IDENTITIESONLY, 0);
	hc->gateway_ports = ival(st, K_GATEWAYPORTS, 0);
	hc->exit_on_forward_failure = ival(st, K_EXITONFORWARDFAILURE, 0);
	hc->compression = ival(st, K_COMPRESSION, 0);
	hc->connect_timeout = ival(st, K_CONNECTTIMEOUT, -1);
	hc->connection_attempts = ival(st, K_CONNECTIONATTEMPTS, 1);
	hc->batch_mode = ival(st, K_BATCHMODE, 0);
	/* As ssh: a batch job should notice a dead server within minutes. */
	hc->server_alive_interval = ival(st, K_SERVERALIVEINTERVAL, hc->batch_mode ? 300 : 0);
	hc->server_alive_count_max = ival(st, K_SERVERALIVECOUNTMAX, 3);
	hc->tcp_keepalive = ival(st, K_TCPKEEPALIVE, 1);
	hc->strict_host_key_checking =
		(pf_strict_hostkey)ival(st, K_STRICTHOSTKEYCHECKING, PF_STRICT_ASK);
	hc->address_family = (pf_address_family)ival(st, K_ADDRESSFAMILY, PF_AF_ANY);
	hc->pubkey_authentication = (pf_pubkey_auth)ival(st, K_PUBKEYAUTHENTICATION, PF_PUBKEY_YES);
	hc->password_authentication = ival(st, K_PASSWORDAUTHENTICATION, 1);
	hc->kbd_interactive_authentication = ival(st, K_KBDINTERACTIVEAUTHENTICATION, 1);
	hc->batch_mode = ival(st, K_BATCHMODE, 0);
	hc->log_level = (pf_log_level)ival(st, K_LOGLEVEL, PF_LOG_INFO);
	if (cfg != NULL && (hc->config_path = pf_strdup(cfg->path)) == NULL)
		goto out;

	rc = PF_OK;
	for (i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
		const cfg_entry *e = st->src[algos[i].kw];
		char *v = cfg_algo_assemble(algos[i].kind, e ? e->args[0] : NULL);
		char **slot = (char **)((char *)hc + algos[i].off);

		if (v == NULL) {
			rc = PF_E_NOMEM;
			goto out;
		}
		*slot = v;
		if (*v == '\0') {
			pf_diag_add(diags, PF_DIAG_ERROR, where_file(e), e ? e->line : 0, 0, NULL,
				    "%s \"%s\" leaves no algorithm that PortForwarder supports. "
				    "Remove the line or name a supported algorithm.",
				    algos[i].name, e ? e->args[0] : "");
			rc = PF_E_CONFIG;
		}
	}
out:
	free(home);
	free(lhost);
	free(shost);
	return rc;
}

pf_rc pf_config_resolve(const pf_config *cfg, const char *host, const pf_resolve_opts *opts,
			pf_host_config **out, pf_diags *diags)
{
	rstate st;
	cfg_entry *over = NULL;
	size_t n_over = 0, i;
	char *results = NULL;
	pf_host_config *hc = NULL;
	pf_rc rc = PF_E_NOMEM;
	int bad = 0;

	*out = NULL;
	memset(&st, 0, sizeof(st));
	st.host_arg = host;
	st.user_override = opts && opts->user && *opts->user ? opts->user : NULL;
	st.local_user = pf_user_name();
	if (st.local_user == NULL)
		goto out;
	if (opts != NULL && opts->n_overrides > 0) {
		over = PF_NEW_ARRAY(cfg_entry, opts->n_overrides);
		if (over == NULL)
			goto out;
		for (i = 0; i < opts->n_overrides; i++) {
			cfg_entry *e = &over[n_over];
			int r;

			e->cond = e->parent_cond = -1;
			r = cfg_parse_line(opts->overrides[i], "command line", (int)i + 1, NULL,
					   NULL, e, diags, 1);
			if (r == -2)
				goto out;
			if (r == -1)
				bad = 1;
			if (r == 1) {
				e->line = 0;
				e->cond = -1;
				if (e->kw->type == T_FORWARD)
					pf_fwdspec_set_source(&e->fwd, "command line", 0);
				n_over++;
			}
		}
	}
	if (bad) {
		rc = PF_E_CONFIG;
		goto out;
	}
	for (i = 0; i < n_over; i++)
		if ((rc = apply(&st, &over[i])) != PF_OK)
			goto out;
	if (cfg != NULL && cfg->n_conds > 0) {
		results = PF_NEW_ARRAY(char, (size_t)cfg->n_conds);
		if (results == NULL) {
			rc = PF_E_NOMEM;
			goto out;
		}
	}
	for (i = 0; cfg != NULL && i < cfg->n_entries; i++) {
		const cfg_entry *e = &cfg->entries[i];

		if (e->kw->type == T_HOST || e->kw->type == T_MATCH) {
			int parent_ok = e->parent_cond < 0 || results[e->parent_cond];

			results[e->cond] =
				(char)(parent_ok &&
				       (e->kw->type == T_HOST ? host_line_matches(e, host)
							      : match_line_matches(e, &st)));
			continue;
		}
		if (e->cond >= 0 && !results[e->cond])
			continue;
		if ((rc = apply(&st, e)) != PF_OK)
			goto out;
	}
	hc = PF_NEW(pf_host_config);
	if (hc == NULL) {
		rc = PF_E_NOMEM;
		goto out;
	}
	rc = fill(hc, cfg, &st, opts, diags);
	if (rc == PF_OK) {
		*out = hc;
		hc = NULL;
	}
out:
	if (rc == PF_E_NOMEM)
		pf_diag_add(diags, PF_DIAG_ERROR, "", 0, 0, NULL, "Out of memory.");
	pf_host_config_free(hc);
	for (i = 0; over != NULL && i < opts->n_overrides; i++)
		cfg_entry_clear(&over[i]);
	free(over);
	free(results);
	free(st.ids);
	free(st.fwds);
	free(st.local_user);
	return rc;
}

/* ---- ssh -G ------------------------------------------------------------ */

const char *pf_log_level_name(pf_log_level level)
{
	const char *name = cfg_word_name(cfg_words(T_LOGLEVEL), (int)level);

	return name != NULL ? name : "INFO";
}

typedef struct sbuf {
	char *s;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_add(sbuf *b, const char *keyword, const char *value)
{
	size_t need = strlen(keyword) + strlen(value) + 3;

	if (b->oom)
		return;
	if (b->len + need > b->cap) {
		size_t ncap = (b->len + need) * 2;
		char *n = realloc(b->s, ncap);

		if (n == NULL) {
			b->oom = 1;
			return;
		}
		b->s = n;
		b->cap = ncap;
	}
	b->len += (size_t)snprintf(b->s + b->len, b->cap - b->len, "%s %s\n", keyword, value);
}

static void sb_int(sbuf *b, const char *keyword, int v)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", v);
	sb_add(b, keyword, num);
}

static const char *yn(int v)
{
	return cfg_word_name(cfg_words(T_FLAG), v != 0);
}

/* The dump word of a multi-state keyword's value. */
static const char *word(cfg_type type, int value)
{
	const char *w = cfg_word_name(cfg_words(type), value);

	return w != NULL ? w : "?";
}

char *pf_host_config_dump(const pf_host_config *hc)
{
	sbuf b;
	size_t i;
	int pass;

	memset(&b, 0, sizeof(b));
	sb_add(&b, "host", hc->host);
	sb_add(&b, "user", hc->user);
	sb_add(&b, "hostname", hc->hostname);
	sb_int(&b, "port", hc->port);
	sb_add(&b, "addressfamily", word(T_ADDRFAM, (int)hc->address_family));
	sb_add(&b, "batchmode", yn(hc->batch_mode));
	sb_add(&b, "compression", yn(hc->compression));
	sb_add(&b, "clearallforwardings", yn(hc->clear_all_forwardings));
	sb_add(&b, "exitonforwardfailure", yn(hc->exit_on_forward_failure));
	sb_add(&b, "gatewayports", yn(hc->gateway_ports));
	sb_add(&b, "identitiesonly", yn(hc->identities_only));
	sb_add(&b, "kbdinteractiveauthentication", yn(hc->kbd_interactive_authentication));
	sb_add(&b, "passwordauthentication", yn(hc->password_authentication));
	sb_add(&b, "pubkeyauthentication", word(T_PUBKEYAUTH, (int)hc->pubkey_authentication));
	sb_add(&b, "stricthostkeychecking", word(T_STRICT, (int)hc->strict_host_key_checking));
	sb_add(&b, "tcpkeepalive", yn(hc->tcp_keepalive));
	sb_int(&b, "connectionattempts", hc->connection_attempts);
	sb_int(&b, "serveralivecountmax", hc->server_alive_count_max);
	sb_int(&b, "serveraliveinterval", hc->server_alive_interval);
	if (hc->bind_address)
		sb_add(&b, "bindaddress", hc->bind_address);
	sb_add(&b, "ciphers", hc->ciphers);
	sb_add(&b, "hostkeyalgorithms", hc->hostkey_algorithms);
	if (hc->host_key_alias)
		sb_add(&b, "hostkeyalias", hc->host_key_alias);
	if (hc->identity_agent)
		sb_add(&b, "identityagent", hc->identity_agent);
	sb_add(&b, "kexalgorithms", hc->kex_algorithms);
	sb_add(&b, "loglevel", pf_log_level_name(hc->log_level));
	sb_add(&b, "macs", hc->macs);
	if (hc->preferred_authentications)
		sb_add(&b, "preferredauthentications", hc->preferred_authentications);
	sb_add(&b, "pubkeyacceptedalgorithms", hc->pubkey_accepted_algorithms);
	/* ssh -G prints dynamic, then local, then remote forwards. */
	for (pass = 0; pass < 3; pass++)
		for (i = 0; i < hc->n_forwards; i++) {
			const pf_fwdspec *f = &hc->forwards[i];
			int group = f->kind == PF_FWD_DYNAMIC ? 0 : f->kind == PF_FWD_LOCAL ? 1 : 2;
			char *s;

			if (group != pass)
				continue;
			s = pf_fwdspec_format(f);
			if (s == NULL) {
				b.oom = 1;
				continue;
			}
			sb_add(&b, pf_fwdspec_keyword(f->kind), s);
			free(s);
		}
	for (i = 0; i < hc->n_identity_files; i++)
		sb_add(&b, "identityfile", hc->identity_files[i].path);
	if (hc->n_known_hosts_files > 0) {
		size_t total = 1;
		char *list;

		for (i = 0; i < hc->n_known_hosts_files; i++)
			total += strlen(hc->known_hosts_files[i].path) + 1;
		list = malloc(total);
		if (list == NULL) {
			b.oom = 1;
		} else {
			list[0] = '\0';
			for (i = 0; i < hc->n_known_hosts_files; i++) {
				if (i > 0)
					pf_strlcat(list, " ", total);
				pf_strlcat(list, hc->known_hosts_files[i].path, total);
			}
			sb_add(&b, "userknownhostsfile", list);
			free(list);
		}
	}
	if (hc->connect_timeout < 0)
		sb_add(&b, "connecttimeout", "none");
	else
		sb_int(&b, "connecttimeout", hc->connect_timeout);
	if (hc->proxy_jump)
		sb_add(&b, "proxyjump", hc->proxy_jump);
	if (hc->proxy_command)
		sb_add(&b, "proxycommand", hc->proxy_command);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s ? b.s : pf_strdup("");
}

/* ---- Host profiles ---------------------------------------------------- */

void pf_host_profiles_free(pf_host_profile *list, size_t count)
{
	size_t i;

	for (i = 0; list != NULL && i < count; i++) {
		free(list[i].name);
		free(list[i].hostname);
		free(list[i].user);
	}
	free(list);
}

pf_rc pf_config_profiles(const pf_config *cfg, pf_host_profile **list, size_t *count)
{
	pf_host_profile *v = NULL;
	size_t n = 0, i, a, k;
	pf_rc rc = PF_OK;

	*list = NULL;
	*count = 0;
	for (i = 0; cfg != NULL && i < cfg->n_entries && rc == PF_OK; i++) {
		const cfg_entry *e = &cfg->entries[i];

		if (e->kw->type != T_HOST)
			continue;
		for (a = 0; a < e->nargs && rc == PF_OK; a++) {
			const char *name = e->args[a];
			pf_host_config *hc = NULL;
			pf_host_profile *nv;
			int dup = 0;

			if (strpbrk(name, "*?!") != NULL)
				continue;
			if (n >= PF_CONFIG_MAX_PROFILES)
				break; /* each costs a resolve; no menu holds more */
			for (k = 0; k < n; k++)
				if (strcmp(v[k].name, name) == 0)
					dup = 1;
			if (dup)
				continue;
			nv = pf_reallocarray(v, n + 1, sizeof(*nv));
			if (nv == NULL) {
				rc = PF_E_NOMEM;
				break;
			}
			v = nv;
			memset(&v[n], 0, sizeof(v[n]));
			v[n].name = pf_strdup(name);
			n++;
			if (v[n - 1].name == NULL) {
				rc = PF_E_NOMEM;
				break;
			}
			rc = pf_config_resolve(cfg, name, NULL, &hc, NULL);
			if (rc == PF_E_CONFIG) {
				rc = PF_OK; /* list it anyway; connecting will say why not */
				continue;
			}
			if (rc != PF_OK)
				break;
			v[n - 1].hostname = pf_strdup(hc->hostname);
			if (hc->user_configured)
				v[n - 1].user = pf_strdup(hc->user);
			if (v[n - 1].hostname == NULL || (hc->user_configured && !v[n - 1].user))
				rc = PF_E_NOMEM;
			pf_host_config_free(hc);
		}
	}
	if (rc != PF_OK) {
		pf_host_profiles_free(v, n);
		return rc;
	}
	*list = v;
	*count = n;
	return PF_OK;
}
