/* Config parsing: the keyword table and one line's syntax. Reading files
 * and Include is config_load.c, resolving for a host config_resolve.c. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "match.h"
#include "pf/mem.h"
#include "pf/platform.h"

#define CFG_MAX_ARGS      1024
#define CFG_MAX_ARG_BYTES 8192

#define NOTE_SSH1                                                                                  \
	"it was used by SSH protocol 1, which PortForwarder (like OpenSSH) no longer speaks"

/* One table, as in OpenSSH's readconf.c: implemented keywords, their
 * aliases, obsolete ones (a note) and ones we do not implement (a warning). */
static const cfg_keyword keywords[] = {
	{"Host", K_HOST, T_HOST, 0, NULL},
	{"Match", K_MATCH, T_MATCH, 0, NULL},
	{"Include", K_INCLUDE, T_INCLUDE, 0, NULL},
	{"IgnoreUnknown", K_IGNOREUNKNOWN, T_IGNOREUNKNOWN, 0, NULL},
	{"HostName", K_HOSTNAME, T_HOSTNAME, 0, NULL},
	{"Port", K_PORT, T_PORT, 0, NULL},
	{"User", K_USER, T_STRING, 0, NULL},
	{"IdentityFile", K_IDENTITYFILE, T_IDENTITY, 0, NULL},
	{"IdentityFile2", K_IDENTITYFILE, T_IDENTITY, 0, NULL},
	{"IdentitiesOnly", K_IDENTITIESONLY, T_FLAG, 0, NULL},
	{"IdentityAgent", K_IDENTITYAGENT, T_PATHSTR, 0, NULL},
	{"LocalForward", K_LOCALFORWARD, T_FORWARD, PF_FWD_LOCAL, NULL},
	{"RemoteForward", K_REMOTEFORWARD, T_FORWARD, PF_FWD_REMOTE, NULL},
	{"DynamicForward", K_DYNAMICFORWARD, T_FORWARD, PF_FWD_DYNAMIC, NULL},
	{"GatewayPorts", K_GATEWAYPORTS, T_FLAG, 0, NULL},
	{"ExitOnForwardFailure", K_EXITONFORWARDFAILURE, T_FLAG, 0, NULL},
	{"ClearAllForwardings", K_CLEARALLFORWARDINGS, T_FLAG, 0, NULL},
	{"Ciphers", K_CIPHERS, T_ALGOS, ALGO_CIPHER, NULL},
	{"MACs", K_MACS, T_ALGOS, ALGO_MAC, NULL},
	{"KexAlgorithms", K_KEXALGORITHMS, T_ALGOS, ALGO_KEX, NULL},
	{"HostKeyAlgorithms", K_HOSTKEYALGORITHMS, T_ALGOS, ALGO_HOSTKEY, NULL},
	{"PubkeyAcceptedAlgorithms", K_PUBKEYACCEPTEDALGORITHMS, T_ALGOS, ALGO_PUBKEY, NULL},
	{"PubkeyAcceptedKeyTypes", K_PUBKEYACCEPTEDALGORITHMS, T_ALGOS, ALGO_PUBKEY, NULL},
	{"Compression", K_COMPRESSION, T_COMPRESSION, 0, NULL},
	{"ConnectTimeout", K_CONNECTTIMEOUT, T_TIME, 1, NULL},
	{"ConnectionAttempts", K_CONNECTIONATTEMPTS, T_INT, 1, NULL},
	{"ServerAliveInterval", K_SERVERALIVEINTERVAL, T_TIME, 0, NULL},
	{"ServerAliveCountMax", K_SERVERALIVECOUNTMAX, T_INT, 0, NULL},
	{"TCPKeepAlive", K_TCPKEEPALIVE, T_FLAG, 0, NULL},
	{"KeepAlive", K_TCPKEEPALIVE, T_FLAG, 0, NULL},
	{"StrictHostKeyChecking", K_STRICTHOSTKEYCHECKING, T_STRICT, 0, NULL},
	{"UserKnownHostsFile", K_USERKNOWNHOSTSFILE, T_KNOWNHOSTS, 0, NULL},
	{"HostKeyAlias", K_HOSTKEYALIAS, T_STRING, 0, NULL},
	{"ProxyJump", K_PROXYJUMP, T_PROXYJUMP, 0, NULL},
	{"ProxyCommand", K_PROXYCOMMAND, T_COMMAND, 0, NULL},
	{"AddressFamily", K_ADDRESSFAMILY, T_ADDRFAM, 0, NULL},
	{"BindAddress", K_BINDADDRESS, T_STRING, 0, NULL},
	{"PreferredAuthentications", K_PREFERREDAUTHENTICATIONS, T_STRING, 0, NULL},
	{"PubkeyAuthentication", K_PUBKEYAUTHENTICATION, T_PUBKEYAUTH, 0, NULL},
	{"DSAAuthentication", K_PUBKEYAUTHENTICATION, T_PUBKEYAUTH, 0, NULL},
	{"PasswordAuthentication", K_PASSWORDAUTHENTICATION, T_FLAG, 0, NULL},
	{"KbdInteractiveAuthentication", K_KBDINTERACTIVEAUTHENTICATION, T_FLAG, 0, NULL},
	{"ChallengeResponseAuthentication", K_KBDINTERACTIVEAUTHENTICATION, T_FLAG, 0, NULL},
	{"SKeyAuthentication", K_KBDINTERACTIVEAUTHENTICATION, T_FLAG, 0, NULL},
	{"TISAuthentication", K_KBDINTERACTIVEAUTHENTICATION, T_FLAG, 0, NULL},
	{"BatchMode", K_BATCHMODE, T_FLAG, 0, NULL},
	{"LogLevel", K_LOGLEVEL, T_LOGLEVEL, 0, NULL},

	/* Obsolete: accepted, one note each. */
	{"Cipher", K_OTHER, T_DEPRECATED, 0,
	 NOTE_SSH1 "; modern algorithms are negotiated instead (see Ciphers)"},
	{"Protocol", K_OTHER, T_DEPRECATED, 0, "only SSH protocol 2 exists today"},
	{"RSAAuthentication", K_OTHER, T_DEPRECATED, 0, NOTE_SSH1 "; see PubkeyAuthentication"},
	{"RhostsRSAAuthentication", K_OTHER, T_DEPRECATED, 0, NOTE_SSH1},
	{"RhostsAuthentication", K_OTHER, T_DEPRECATED, 0, NOTE_SSH1},
	{"UseRoaming", K_OTHER, T_DEPRECATED, 0, "OpenSSH removed roaming in 2016"},
	{"FallBackToRsh", K_OTHER, T_DEPRECATED, 0, "rsh is long gone"},
	{"UseRsh", K_OTHER, T_DEPRECATED, 0, "rsh is long gone"},
	{"UsePrivilegedPort", K_OTHER, T_DEPRECATED, 0, "it no longer has any effect"},
	{"GlobalKnownHostsFile2", K_OTHER, T_DEPRECATED, 0,
	 "it was merged into GlobalKnownHostsFile"},
	{"UserKnownHostsFile2", K_OTHER, T_DEPRECATED, 0, "it was merged into UserKnownHostsFile"},
	{"CompressionLevel", K_OTHER, T_DEPRECATED, 0, NOTE_SSH1},
	{"AFSTokenPassing", K_OTHER, T_DEPRECATED, 0, NOTE_SSH1},
	{"KerberosAuthentication", K_OTHER, T_DEPRECATED, 0, NOTE_SSH1},
	{"KerberosTGTPassing", K_OTHER, T_DEPRECATED, 0, NOTE_SSH1},

	/* OpenSSH keywords PortForwarder does not implement: a warning. */
	{"AddKeysToAgent", K_OTHER, T_NOTIMPL, 0, NULL},
	{"BindInterface", K_OTHER, T_NOTIMPL, 0, NULL},
	{"CanonicalDomains", K_OTHER, T_NOTIMPL, 0, NULL},
	{"CanonicalizeFallbackLocal", K_OTHER, T_NOTIMPL, 0, NULL},
	{"CanonicalizeHostname", K_OTHER, T_NOTIMPL, 0, NULL},
	{"CanonicalizeMaxDots", K_OTHER, T_NOTIMPL, 0, NULL},
	{"CanonicalizePermittedCNAMEs", K_OTHER, T_NOTIMPL, 0, NULL},
	{"CASignatureAlgorithms", K_OTHER, T_NOTIMPL, 0, NULL},
	{"CertificateFile", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ChannelTimeout", K_OTHER, T_NOTIMPL, 0, NULL},
	{"CheckHostIP", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ControlMaster", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ControlPath", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ControlPersist", K_OTHER, T_NOTIMPL, 0, NULL},
	{"EnableEscapeCommandline", K_OTHER, T_NOTIMPL, 0, NULL},
	{"EnableSSHKeysign", K_OTHER, T_NOTIMPL, 0, NULL},
	{"EscapeChar", K_OTHER, T_NOTIMPL, 0, NULL},
	{"FingerprintHash", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ForkAfterAuthentication", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ForwardAgent", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ForwardX11", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ForwardX11Timeout", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ForwardX11Trusted", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GlobalKnownHostsFile", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GSSAPIAuthentication", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GSSAPIDelegateCredentials", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GSSAPIKeyExchange", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GSSAPIClientIdentity", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GSSAPIServerIdentity", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GSSAPIRenewalForcesRekey", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GSSAPITrustDns", K_OTHER, T_NOTIMPL, 0, NULL},
	{"GSSAPIKexAlgorithms", K_OTHER, T_NOTIMPL, 0, NULL},
	{"HashKnownHosts", K_OTHER, T_NOTIMPL, 0, NULL},
	{"HostbasedAcceptedAlgorithms", K_OTHER, T_NOTIMPL, 0, NULL},
	{"HostbasedKeyTypes", K_OTHER, T_NOTIMPL, 0, NULL},
	{"HostbasedAuthentication", K_OTHER, T_NOTIMPL, 0, NULL},
	{"IPQoS", K_OTHER, T_NOTIMPL, 0, NULL},
	{"KbdInteractiveDevices", K_OTHER, T_NOTIMPL, 0, NULL},
	{"KnownHostsCommand", K_OTHER, T_NOTIMPL, 0, NULL},
	{"LocalCommand", K_OTHER, T_NOTIMPL, 0, NULL},
	{"LogVerbose", K_OTHER, T_NOTIMPL, 0, NULL},
	{"NoHostAuthenticationForLocalhost", K_OTHER, T_NOTIMPL, 0, NULL},
	{"NumberOfPasswordPrompts", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ObscureKeystrokeTiming", K_OTHER, T_NOTIMPL, 0, NULL},
	{"PermitLocalCommand", K_OTHER, T_NOTIMPL, 0, NULL},
	{"PermitRemoteOpen", K_OTHER, T_NOTIMPL, 0, NULL},
	{"PKCS11Provider", K_OTHER, T_NOTIMPL, 0, NULL},
	{"ProxyUseFdpass", K_OTHER, T_NOTIMPL, 0, NULL},
	{"RekeyLimit", K_OTHER, T_NOTIMPL, 0, NULL},
	{"RemoteCommand", K_OTHER, T_NOTIMPL, 0, NULL},
	{"RequestTTY", K_OTHER, T_NOTIMPL, 0, NULL},
	{"RequiredRSASize", K_OTHER, T_NOTIMPL, 0, NULL},
	{"RevokedHostKeys", K_OTHER, T_NOTIMPL, 0, NULL},
	{"SecurityKeyProvider", K_OTHER, T_NOTIMPL, 0, NULL},
	{"SendEnv", K_OTHER, T_NOTIMPL, 0, NULL},
	{"SessionType", K_OTHER, T_NOTIMPL, 0, NULL},
	{"SetEnv", K_OTHER, T_NOTIMPL, 0, NULL},
	{"SmartcardDevice", K_OTHER, T_NOTIMPL, 0, NULL},
	{"StdinNull", K_OTHER, T_NOTIMPL, 0, NULL},
	{"StreamLocalBindMask", K_OTHER, T_NOTIMPL, 0, NULL},
	{"StreamLocalBindUnlink", K_OTHER, T_NOTIMPL, 0, NULL},
	{"SyslogFacility", K_OTHER, T_NOTIMPL, 0, NULL},
	{"Tag", K_OTHER, T_NOTIMPL, 0, NULL},
	{"Tunnel", K_OTHER, T_NOTIMPL, 0, NULL},
	{"TunnelDevice", K_OTHER, T_NOTIMPL, 0, NULL},
	{"UpdateHostKeys", K_OTHER, T_NOTIMPL, 0, NULL},
	{"VerifyHostKeyDNS", K_OTHER, T_NOTIMPL, 0, NULL},
	{"VisualHostKey", K_OTHER, T_NOTIMPL, 0, NULL},
	{"XAuthLocation", K_OTHER, T_NOTIMPL, 0, NULL},
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

size_t cfg_keyword_count(void)
{
	return N_KEYWORDS;
}

const cfg_keyword *cfg_keyword_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYWORDS; i++) {
		if (cfg_ieq(keywords[i].name, name))
			return &keywords[i];
	}
	return NULL;
}

/* Optimal string alignment distance, case-insensitive, for short words;
 * only the band |i - j| <= max is computed (anything more is "max + 1"). */
static int edit_distance(const char *a0, const char *b0, int max)
{
	unsigned char d[40][40], a[40], b[40];
	int la = (int)strlen(a0), lb = (int)strlen(b0), i, j;

	if (la >= 40 || lb >= 40 || la - lb > max || lb - la > max)
		return max + 1;
	for (i = 0; i < la; i++)
		a[i] = (unsigned char)tolower((unsigned char)a0[i]);
	for (j = 0; j < lb; j++)
		b[j] = (unsigned char)tolower((unsigned char)b0[j]);
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned char)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned char)j;
	for (i = 1; i <= la; i++) {
		int lo = i - max > 1 ? i - max : 1, hi = i + max < lb ? i + max : lb;

		/* Just outside the band counts as "too far". */
		if (lo > 1)
			d[i][lo - 1] = (unsigned char)(max + 1);
		if (hi < lb)
			d[i][hi + 1] = (unsigned char)(max + 1);
		for (j = lo; j <= hi; j++) {
			int v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + (a[i - 1] != b[j - 1]) < v)
				v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = (unsigned char)v;
		}
	}
	return d[la][lb] > max ? max + 1 : d[la][lb];
}

const cfg_keyword *cfg_keyword_suggest(const char *name)
{
	const cfg_keyword *best = NULL;
	int best_d = 99;
	size_t i;
	int limit = strlen(name) <= 5 ? 1 : (strlen(name) <= 10 ? 2 : 3);

	for (i = 0; i < N_KEYWORDS; i++) {
		int dl = (int)strlen(name) - (int)strlen(keywords[i].name);
		int d;

		if (dl > limit || -dl > limit)
			continue; /* the distance is at least the length difference */
		d = edit_distance(name, keywords[i].name, limit);

		if (d < best_d) {
			best_d = d;
			best = &keywords[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

/* ---- One line -------------------------------------------------------- */

typedef struct tok {
	char *s;
	int col;
} tok;

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static void toks_free(tok *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i].s);
	free(t);
}

/* Split a line the way OpenSSH does: keyword, optional '=', then
 * whitespace-separated arguments with "double" or 'single' quotes and
 * backslash escapes; an argument starting with '#' begins a comment.
 * Returns the number of tokens (keyword included), 0 for a blank or comment
 * line, -1 on a syntax error (reported), -2 on OOM. */
static int tokenize(const char *line, const char *path, int lineno, tok **out, pf_diags *diags)
{
	const char *p = line;
	tok *t = NULL;
	size_t n = 0, cap = 0;
	char *buf = NULL;
	int first = 1;

	*out = NULL;
	for (;;) {
		size_t bl = 0;
		char quote = 0;
		const char *start, *qstart = NULL;

		while (is_ws(*p))
			p++;
		if (!first && n == 1 && *p == '=') {
			p++;
			while (is_ws(*p))
				p++;
		}
		if (*p == '\0' || *p == '#')
			break;
		start = p;
		buf = malloc(strlen(p) + 1);
		if (buf == NULL)
			goto oom;
		while (*p) {
			char c = *p;

			if (c == '\\' && (p[1] == '"' || p[1] == '\'' || p[1] == '\\' ||
					  (quote == 0 && p[1] == ' '))) {
				buf[bl++] = p[1];
				p += 2;
				continue;
			}
			if (quote == 0 && (c == '"' || c == '\'')) {
				quote = c;
				qstart = p;
				p++;
				continue;
			}
			if (quote != 0 && c == quote) {
				quote = 0;
				p++;
				continue;
			}
			if (quote == 0 && (is_ws(c) || (n == 0 && c == '=')))
				break;
			buf[bl++] = c;
			p++;
		}
		if (quote != 0) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, cfg_utf8_col(line, qstart),
				    line, "This quote (%c) is never closed. Add the closing %c.",
				    quote, quote);
			free(buf);
			toks_free(t, n);
			return -1;
		}
		buf[bl] = '\0';
		if (n == CFG_MAX_ARGS || bl > CFG_MAX_ARG_BYTES) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, cfg_utf8_col(line, start),
				    line,
				    "This line has too many or too long arguments (at most %d, "
				    "each at most %d bytes).",
				    CFG_MAX_ARGS, CFG_MAX_ARG_BYTES);
			free(buf);
			toks_free(t, n);
			return -1;
		}
		if (PF_ARRAY_GROW(t, cap, n + 1, 8) != 0)
			goto oom;
		t[n].s = buf;
		t[n].col = cfg_utf8_col(line, start);
		buf = NULL;
		n++;
		first = 0;
	}
	*out = t;
	return (int)n;
oom:
	free(buf);
	toks_free(t, n);
	return -2;
}

void cfg_entry_clear(cfg_entry *e)
{
	size_t i;

	for (i = 0; i < e->nargs; i++)
		free(e->args[i]);
	free(e->args);
	for (i = 0; i < e->ncrit; i++)
		free(e->crit[i].arg);
	free(e->crit);
	pf_fwdspec_clear(&e->fwd);
	memset(e, 0, sizeof(*e));
	e->cond = -1;
	e->parent_cond = -1;
}

/* OpenSSH time format: 90, 90s, 10m, 1h30m, 2d, 1w. -1 when invalid. */
static long long parse_time(const char *s)
{
	long long total = 0;

	if (*s == '\0')
		return -1;
	while (*s) {
		long long v = 0, mult = 1;

		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (*s - '0');
			if (v > INT_MAX)
				return -1;
			s++;
		}
		switch (*s) {
		case '\0': break;
		case 's':
		case 'S': s++; break;
		case 'm':
		case 'M': mult = 60, s++; break;
		case 'h':
		case 'H': mult = 3600, s++; break;
		case 'd':
		case 'D': mult = 86400, s++; break;
		case 'w':
		case 'W': mult = 604800, s++; break;
		default: return -1;
		}
		total += v * mult;
		if (total > INT_MAX)
			return -1;
	}
	return total;
}

static long long parse_int(const char *s)
{
	long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	return v;
}

/* %-tokens allowed in paths (IdentityFile, UserKnownHostsFile, IdentityAgent). */
static const char path_tokens[] = "duhrplLnk%";

static int check_tokens(const char *arg, const char *allowed, char *bad)
{
	const char *p;

	for (p = arg; (p = strchr(p, '%')) != NULL; p += 2) {
		if (p[1] == '\0' || strchr(allowed, p[1]) == NULL) {
			*bad = p[1];
			return -1;
		}
	}
	return 0;
}

static pf_rc crit_add(cfg_entry *e, cfg_crit c, int negate, const char *arg)
{
	cfg_criterion *n = pf_reallocarray(e->crit, e->ncrit + 1, sizeof(*n));

	if (n == NULL)
		return PF_E_NOMEM;
	e->crit = n;
	n[e->ncrit].crit = c;
	n[e->ncrit].negate = negate;
	n[e->ncrit].arg = NULL;
	if (arg != NULL && (n[e->ncrit].arg = pf_strdup(arg)) == NULL)
		return PF_E_NOMEM;
	e->ncrit++;
	return PF_OK;
}

/* Match criteria: ours, OpenSSH's others (warn, never match). */
static int parse_match(const char *line, const char *path, int lineno, tok *t, int n, cfg_entry *e,
		       pf_diags *diags)
{
	static const char *const others_noarg[] = {"canonical", "final", NULL};
	static const char *const others_arg[] = {
		"exec",         "localnetwork", "tagged",  "address",
		"localaddress", "localport",    "rdomain", "version",
		"sessiontype",  "command",      NULL};
	int i = 1, errors = 0, seen_all = 0, others = 0;

	while (i < n) {
		const char *attr = t[i].s;
		int col = t[i].col, negate = 0, k, known = 0;

		if (*attr == '!')
			negate = 1, attr++;
		i++;
		if (cfg_ieq(attr, "all")) {
			seen_all = 1;
			if (crit_add(e, C_ALL, negate, NULL) != PF_OK)
				return -2;
			continue;
		}
		others++;
		for (k = 0; others_noarg[k]; k++)
			if (cfg_ieq(attr, others_noarg[k])) {
				known = 1;
				pf_diag_add(diags, PF_DIAG_WARNING, path, lineno, col, line,
					    "PortForwarder does not support \"Match %s\"; this "
					    "Match block never applies.",
					    others_noarg[k]);
				if (crit_add(e, C_NEVER, 0, NULL) != PF_OK)
					return -2;
			}
		if (known)
			continue;
		if (i >= n) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, col, line,
				    "\"Match %s\" needs a value after it (e.g. Match %s name).",
				    attr, attr);
			return -1;
		}
		if (cfg_ieq(attr, "host") || cfg_ieq(attr, "originalhost") ||
		    cfg_ieq(attr, "user") || cfg_ieq(attr, "localuser")) {
			cfg_crit c = cfg_ieq(attr, "host")           ? C_HOST
				     : cfg_ieq(attr, "originalhost") ? C_ORIGINALHOST
				     : cfg_ieq(attr, "user")         ? C_USER
								     : C_LOCALUSER;

			if (crit_add(e, c, negate, t[i].s) != PF_OK)
				return -2;
			i++;
			continue;
		}
		for (k = 0; others_arg[k]; k++)
			if (cfg_ieq(attr, others_arg[k])) {
				known = 1;
				pf_diag_add(diags, PF_DIAG_WARNING, path, lineno, col, line,
					    "PortForwarder does not support \"Match %s\"; this "
					    "Match block never applies.",
					    others_arg[k]);
				if (crit_add(e, C_NEVER, 0, NULL) != PF_OK)
					return -2;
			}
		if (!known) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, col, line,
				    "Unknown Match criterion \"%s\". Use all, host, originalhost, "
				    "user or localuser.",
				    attr);
			errors++;
		}
		i++;
	}
	if (seen_all && others > 0) {
		pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[0].col, line,
			    "\"Match all\" cannot be combined with other criteria.");
		return -1;
	}
	if (n < 2) {
		pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[0].col, line,
			    "Match needs at least one criterion (e.g. Match host name).");
		return -1;
	}
	return errors ? -1 : 0;
}

/* Report once per keyword (seen != NULL) or always. */
static int first_time(unsigned char *seen, const cfg_keyword *kw)
{
	size_t i = (size_t)(kw - keywords);

	if (seen == NULL)
		return 1;
	if (seen[i])
		return 0;
	seen[i] = 1;
	return 1;
}

static int too_many(const char *line, const char *path, int lineno, tok *t, int n, int max,
		    const cfg_keyword *kw, pf_diags *diags)
{
	if (n - 1 <= max)
		return 0;
	pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[max + 1].col, line,
		    "%s takes %s; \"%s\" is one too many. Put quotes around a value that "
		    "contains spaces.",
		    kw->name, max == 1 ? "one value" : "two values", t[max + 1].s);
	return 1;
}

/* The value of a command keyword: the line after the keyword and any run
 * of blanks and '=' (as ssh's strspn(WHITESPACE "=")), without trailing
 * blanks. Caller frees; NULL on OOM. */
static char *command_text(const char *line)
{
	const char *p = line, *end;

	while (is_ws(*p))
		p++;
	while (*p != '\0' && !is_ws(*p) && *p != '=')
		p++;
	while (is_ws(*p) || *p == '=')
		p++;
	end = p + strlen(p);
	while (end > p && (is_ws(end[-1]) || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	return pf_strndup(p, (size_t)(end - p));
}

int cfg_parse_line(const char *line, const char *path, int lineno, const char *ignore_unknown,
		   unsigned char *seen, cfg_entry *e, pf_diags *diags, int cmdline)
{
	tok *t = NULL;
	int n, ret = 1, i;
	const cfg_keyword *kw;
	const char *a1;
	char choices[128];

	n = tokenize(line, path, lineno, &t, diags);
	if (n <= 0)
		return n;
	kw = cfg_keyword_find(t[0].s);
	if (kw == NULL) {
		const cfg_keyword *s;

		if (ignore_unknown != NULL && pfi_match_list(t[0].s, ignore_unknown, 1) == 1) {
			pf_diag_add(diags, PF_DIAG_VERBOSE, path, lineno, t[0].col, line,
				    "Ignoring unknown keyword \"%s\" (IgnoreUnknown).", t[0].s);
			ret = 0;
			goto out;
		}
		/* Suggestions cost time: only while the list is short enough to read. */
		s = cfg_diags_room(diags, path) && diags->errors < 20 ? cfg_keyword_suggest(t[0].s)
								      : NULL;
		if (s != NULL)
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[0].col, line,
				    "Unknown keyword \"%s\". Did you mean \"%s\"?", t[0].s,
				    s->name);
		else
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[0].col, line,
				    "Unknown keyword \"%s\". Check the spelling, or list it in "
				    "IgnoreUnknown if another program uses it.",
				    t[0].s);
		ret = -1;
		goto out;
	}
	if (n < 2) {
		pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[0].col, line,
			    "%s needs a value after it.", kw->name);
		ret = -1;
		goto out;
	}
	if (cmdline && (kw->type == T_HOST || kw->type == T_MATCH || kw->type == T_INCLUDE)) {
		pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[0].col, line,
			    "%s cannot be given with -o; put it in the config file.", kw->name);
		ret = -1;
		goto out;
	}
	e->kw = kw;
	a1 = t[1].s;
	switch (kw->type) {
	case T_HOST:
		for (i = 1; i < n; i++)
			if (t[i].s[0] == '\0' || (t[i].s[0] == '!' && t[i].s[1] == '\0')) {
				pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[i].col, line,
					    "Empty Host pattern.");
				ret = -1;
			}
		break;
	case T_MATCH: {
		int r = parse_match(line, path, lineno, t, n, e, diags);

		if (r < 0)
			ret = r;
		break;
	}
	case T_INCLUDE:
	case T_IGNOREUNKNOWN:
		if (kw->type == T_IGNOREUNKNOWN && too_many(line, path, lineno, t, n, 1, kw, diags))
			ret = -1;
		break;
	case T_STRING:
	case T_HOSTNAME:
	case T_PATHSTR:
	case T_IDENTITY:
	case T_PROXYJUMP:
		if (too_many(line, path, lineno, t, n, 1, kw, diags)) {
			ret = -1;
			break;
		}
		if (*a1 == '\0') {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
				    "%s needs a non-empty value.", kw->name);
			ret = -1;
			break;
		}
		if (kw->type == T_HOSTNAME) {
			char bad = 0;

			if (check_tokens(a1, "h%", &bad) != 0) {
				pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
					    "HostName may only use %%h (the host name given) and "
					    "%%%% (a percent sign), not %%%c.",
					    bad ? bad : ' ');
				ret = -1;
			}
		} else if (kw->type == T_IDENTITY || kw->type == T_PATHSTR) {
			char bad = 0;

			if (check_tokens(a1, path_tokens, &bad) != 0) {
				pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
					    "%s: unknown token %%%c. Use %%d (home folder), %%u "
					    "(local user), %%h (host), %%r (remote user), %%p "
					    "(port) or %%%% (a percent sign).",
					    kw->name, bad ? bad : ' ');
				ret = -1;
			}
		} else if (kw->type == T_PROXYJUMP && !cfg_ieq(a1, "none")) {
			pf_jump_hop *hops = NULL;
			size_t nh = 0;

			if (cfg_jump_parse(a1, &hops, &nh) != 0) {
				pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
					    "ProxyJump \"%s\" is not a list of "
					    "[user@]host[:port] separated by commas.",
					    a1);
				ret = -1;
			}
			cfg_jump_hops_free(hops, nh);
		}
		break;
	case T_PORT: {
		long long v = parse_int(a1);

		if (too_many(line, path, lineno, t, n, 1, kw, diags)) {
			ret = -1;
			break;
		}
		if (v < 1 || v > 65535) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
				    "Port \"%s\" is not valid: use a number from 1 to 65535.", a1);
			ret = -1;
		}
		e->ival = (int)v;
		break;
	}
	case T_FLAG:
	case T_COMPRESSION:
	case T_STRICT:
	case T_ADDRFAM:
	case T_PUBKEYAUTH:
	case T_LOGLEVEL: {
		const cfg_word *w = cfg_words(kw->type);

		if (too_many(line, path, lineno, t, n, 1, kw, diags)) {
			ret = -1;
			break;
		}
		if (cfg_word_pick(w, a1, &e->ival) != 0) {
			cfg_word_list(w, choices, sizeof(choices));
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
				    "%s cannot be \"%s\": use %s.", kw->name, a1, choices);
			ret = -1;
		}
		break;
	}
	case T_TIME: {
		long long v;

		if (too_many(line, path, lineno, t, n, 1, kw, diags)) {
			ret = -1;
			break;
		}
		if (kw->extra && strcmp(a1, "none") == 0)
			v = -1;
		else if ((v = parse_time(a1)) < 0) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
				    "%s \"%s\" is not a time: use seconds, or a number with s, "
				    "m, h, d or w (e.g. 30s, 5m)%s.",
				    kw->name, a1, kw->extra ? ", or none" : "");
			ret = -1;
		}
		e->ival = (int)v;
		break;
	}
	case T_INT: {
		long long v = parse_int(a1);

		if (too_many(line, path, lineno, t, n, 1, kw, diags)) {
			ret = -1;
			break;
		}
		if (v < kw->extra) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
				    "%s \"%s\" is not valid: use a whole number of %d or more.",
				    kw->name, a1, kw->extra);
			ret = -1;
		}
		e->ival = (int)v;
		break;
	}
	case T_ALGOS:
		if (too_many(line, path, lineno, t, n, 1, kw, diags)) {
			ret = -1;
			break;
		}
		if (cfg_algo_check((cfg_algo_kind)kw->extra, a1, path, lineno, t[1].col, line,
				   kw->name, diags) != 0)
			ret = -1;
		break;
	case T_FORWARD: {
		pf_error err;
		pf_rc rc;

		if (too_many(line, path, lineno, t, n, 2, kw, diags)) {
			ret = -1;
			break;
		}
		pf_error_clear(&err);
		rc = pf_fwdspec_parse((pf_fwd_kind)kw->extra, a1, n > 2 ? t[2].s : NULL, &e->fwd,
				      &err);
		if (rc == PF_E_NOMEM) {
			ret = -2;
		} else if (rc == PF_E_UNSUPPORTED) {
			pf_diag_add(diags, PF_DIAG_WARNING, path, lineno, t[1].col, line,
				    "%s: %s; this forward is skipped.", kw->name, err.message);
			ret = 0;
		} else if (rc != PF_OK) {
			pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[1].col, line,
				    "Bad %s: %s.", kw->name, err.message);
			ret = -1;
		} else if (pf_fwdspec_set_source(&e->fwd, path, lineno) != PF_OK) {
			ret = -2;
		}
		break;
	}
	case T_KNOWNHOSTS:
		for (i = 1; i < n; i++) {
			char bad = 0;

			if (t[i].s[0] == '\0') {
				pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[i].col, line,
					    "UserKnownHostsFile has an empty file name.");
				ret = -1;
			} else if (cfg_ieq(t[i].s, "none") && n > 2) {
				pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[i].col, line,
					    "UserKnownHostsFile \"none\" must be the only value.");
				ret = -1;
			} else if (check_tokens(t[i].s, path_tokens, &bad) != 0) {
				pf_diag_add(diags, PF_DIAG_ERROR, path, lineno, t[i].col, line,
					    "UserKnownHostsFile: unknown token %%%c.",
					    bad ? bad : ' ');
				ret = -1;
			}
		}
		break;
	case T_COMMAND: break; /* taken whole below */
	case T_DEPRECATED:
		if (first_time(seen, kw))
			pf_diag_add(diags, PF_DIAG_NOTE, path, lineno, t[0].col, line,
				    "%s is obsolete and ignored: %s.", kw->name, kw->note);
		ret = 0;
		break;
	case T_NOTIMPL:
		if (first_time(seen, kw))
			pf_diag_add(diags, PF_DIAG_WARNING, path, lineno, t[0].col, line,
				    "PortForwarder does not implement the OpenSSH option %s; "
				    "it is ignored.",
				    kw->name);
		ret = 0;
		break;
	}
	if (ret == 1) {
		/* Keep the arguments (without the keyword). */
		e->args = PF_NEW_ARRAY(char *, (size_t)n);
		if (e->args == NULL) {
			ret = -2;
			goto out;
		}
		for (i = 1; i < n; i++) {
			e->args[i - 1] = t[i].s;
			t[i].s = NULL;
		}
		e->nargs = (size_t)n - 1;
		if (kw->type == T_COMMAND) {
			/* As ssh: everything after the keyword and its separator,
			 * quotes and '#' included, trailing blanks dropped; it is
			 * split (or given to a shell) only when run. */
			char *raw = command_text(line);

			if (raw == NULL) {
				ret = -2;
				goto out;
			}
			for (i = 0; i < (int)e->nargs; i++)
				free(e->args[i]);
			e->args[0] = raw;
			e->nargs = 1;
		}
	}
out:
	toks_free(t, (size_t)n);
	if (ret != 1) {
		int keep_cond = e->cond, keep_parent = e->parent_cond;

		cfg_entry_clear(e);
		e->cond = keep_cond;
		e->parent_cond = keep_parent;
	}
	return ret;
}
