/* ProxyCommand: token expansion and the recognition of proxy helpers (see
 * proxycmd.h). A helper line is done natively only when every word is
 * understood and its destination is exactly the host and port being
 * connected to; anything else is left to run as written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/names.h"
#include "proxycmd.h"

/* A growing string; oom sticks. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
} sbuf;

static void sb_addn(sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static int ieq(const char *a, const char *b)
{
	while (*a && (*a | 0x20) == (*b | 0x20))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

pf_rc pfi_proxycmd_expand(const pf_host_config *hc, char **out, pf_error *err)
{
	const char *p = hc->proxy_command;
	char port[16];
	sbuf b = {NULL, 0, 0, 0};
	pf_rc rc;

	*out = NULL;
	snprintf(port, sizeof(port), "%d", hc->port);
	/* Names the person typed are checked before they reach a command;
	 * a HostName from the config file is used as written. */
	if (strstr(p, "%n") != NULL || (strstr(p, "%h") != NULL && ieq(hc->hostname, hc->host))) {
		rc = pf_names_check_cli_host(hc->host, err);
		if (rc != PF_OK)
			return rc;
	}
	if (strstr(p, "%r") != NULL) {
		rc = pf_names_check_cli_user(hc->user, err);
		if (rc != PF_OK)
			return rc;
	}
	while (*p) {
		size_t n = strcspn(p, "%");

		sb_addn(&b, p, n);
		p += n;
		if (*p != '%')
			break;
		switch (p[1]) {
		case 'h': sb_addn(&b, hc->hostname, strlen(hc->hostname)); break;
		case 'p': sb_addn(&b, port, strlen(port)); break;
		case 'r': sb_addn(&b, hc->user, strlen(hc->user)); break;
		case 'n': sb_addn(&b, hc->host, strlen(hc->host)); break;
		case '%': sb_addn(&b, "%", 1); break;
		default:
			free(b.p);
			return pf_error_set(err, PF_E_CONFIG,
					    "%s line %d: ProxyCommand has the unknown token %%%c. "
					    "Use %%h (host), %%p (port), %%r (user), %%n (the "
					    "name given) or %%%% (a percent sign).",
					    hc->proxy_command_source ? hc->proxy_command_source
								     : "config",
					    hc->proxy_command_line, p[1] ? p[1] : ' ');
		}
		p += 2;
	}
	sb_addn(&b, "", 0);
	if (b.oom) {
		free(b.p);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	*out = b.p;
	return PF_OK;
}

static int push_word(char ***v, size_t *n, sbuf *w)
{
	char **nv;

	sb_addn(w, "", 0);
	if (w->oom)
		return -1;
	nv = pf_reallocarray(*v, *n + 1, sizeof(**v));
	if (nv == NULL)
		return -1;
	*v = nv;
	(*v)[(*n)++] = w->p;
	memset(w, 0, sizeof(*w));
	return 0;
}

int pfi_proxycmd_split(const char *cmd, char ***argv, size_t *argc)
{
	const char *p = cmd;
	char **v = NULL;
	size_t n = 0;
	sbuf w = {NULL, 0, 0, 0};
	int in_word = 0, ret = 1;

	*argv = NULL;
	*argc = 0;
	for (;; p++) {
		char c = *p;

		if (c == '\0' || c == ' ' || c == '\t') {
			if (in_word && push_word(&v, &n, &w) != 0) {
				ret = -1;
				break;
			}
			in_word = 0;
			if (c == '\0')
				break;
			continue;
		}
		if (strchr("|;&<>()$`*?\n\r", c) != NULL || (!in_word && (c == '~' || c == '#'))) {
			ret = 0; /* shell syntax: not a simple helper line */
			break;
		}
		in_word = 1;
		if (c == '\\' && p[1] != '\0' && strchr("\"'\\ \t", p[1]) != NULL) {
			/* An escape; any other backslash is taken as it is, as a
			 * Windows path ("C:\tools\connect.exe") means it. */
			sb_addn(&w, ++p, 1);
		} else if (c == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (end == NULL) {
				ret = 0;
				break;
			}
			sb_addn(&w, p + 1, (size_t)(end - p - 1));
			p = end;
		} else if (c == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '$' || *p == '`') {
					ret = 0;
					break;
				}
				if (*p == '\\' && p[1] && strchr("\"\\$`", p[1]) != NULL)
					p++;
				sb_addn(&w, p, 1);
			}
			if (ret != 1 || *p != '"') {
				ret = 0;
				break;
			}
		} else {
			sb_addn(&w, p, 1);
		}
		if (w.oom) {
			ret = -1;
			break;
		}
	}
	if (ret != 1) {
		free(w.p);
		pf_strv_free(v, n);
		return ret;
	}
	/* "" is a word too. */
	*argv = v;
	*argc = n;
	return 1;
}

int pfi_proxycmd_split_windows(const char *cmd, char ***argv, size_t *argc, size_t *prog_end)
{
	const char *p = cmd;
	char **v = NULL;
	size_t n = 0;
	sbuf w = {NULL, 0, 0, 0};

	*argv = NULL;
	*argc = 0;
	*prog_end = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	/* The program name: no escapes, a quote only toggles. */
	{
		int quoted = 0;

		for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
			if (*p == '"')
				quoted = !quoted;
			else
				sb_addn(&w, p, 1);
		}
		if (push_word(&v, &n, &w) != 0)
			goto oom;
		*prog_end = (size_t)(p - cmd);
	}
	for (;;) {
		int quoted = 0, in_word = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
			size_t bs = 0;

			in_word = 1;
			while (p[bs] == '\\')
				bs++;
			if (bs > 0 && p[bs] == '"') {
				/* 2n backslashes + quote: n, and the quote counts;
				 * 2n+1: n and a literal quote. */
				size_t k;

				for (k = 0; k < bs / 2; k++)
					sb_addn(&w, "\\", 1);
				p += bs;
				if (bs % 2 == 1)
					sb_addn(&w, "\"", 1);
				else
					p--; /* the quote, next round */
				continue;
			}
			if (bs > 0) {
				sb_addn(&w, p, bs);
				p += bs - 1;
				continue;
			}
			if (*p == '"') {
				if (quoted && p[1] == '"') {
					sb_addn(&w, "\"", 1); /* "" in quotes */
					p++;
				} else {
					quoted = !quoted;
				}
				continue;
			}
			sb_addn(&w, p, 1);
		}
		if (in_word && push_word(&v, &n, &w) != 0)
			goto oom;
		if (w.oom)
			goto oom;
	}
	*argv = v;
	*argc = n;
	return 0;
oom:
	free(w.p);
	pf_strv_free(v, n);
	return -1;
}

char *pfi_proxycmd_join_windows(char *const *argv, size_t argc)
{
	sbuf b = {NULL, 0, 0, 0};
	size_t i;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (i > 0)
			sb_addn(&b, " ", 1);
		if (i == 0) {
			/* A program name has no quotes to escape (Windows file
			 * names cannot hold one). */
			int q = a[0] == '\0' || strpbrk(a, " \t") != NULL;

			if (q)
				sb_addn(&b, "\"", 1);
			sb_addn(&b, a, strlen(a));
			if (q)
				sb_addn(&b, "\"", 1);
			continue;
		}
		if (a[0] != '\0' && strpbrk(a, " \t\n\v\"") == NULL) {
			sb_addn(&b, a, strlen(a));
			continue;
		}
		sb_addn(&b, "\"", 1);
		for (;; a++) {
			size_t bs = 0, k;

			while (a[bs] == '\\')
				bs++;
			if (a[bs] == '\0') {
				/* Before the closing quote: doubled. */
				for (k = 0; k < bs * 2; k++)
					sb_addn(&b, "\\", 1);
				break;
			}
			if (a[bs] == '"') {
				for (k = 0; k < bs * 2 + 1; k++)
					sb_addn(&b, "\\", 1);
				sb_addn(&b, "\"", 1);
			} else {
				sb_addn(&b, a, bs + 1);
			}
			a += bs;
		}
		sb_addn(&b, "\"", 1);
	}
	sb_addn(&b, "", 0);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static int strncasecmp_ascii(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((a[i] | 0x20) != (b[i] | 0x20) || a[i] == '\0')
			return 0;
	return 1;
}

/* argv[0] without folders and ".exe", lowercase compared. */
static int is_prog(const char *arg0, const char *name)
{
	const char *b = arg0, *s;
	size_t len;

	for (s = arg0; *s; s++)
		if (*s == '/' || *s == '\\')
			b = s + 1;
	len = strlen(b);
	if (len > 4 && ieq(b + len - 4, ".exe"))
		len -= 4;
	return len == strlen(name) && strncasecmp_ascii(b, name, len);
}

/* "[user@]host[:port]" or "[user@][v6]:port" into the plan's proxy. */
static int parse_proxy(const char *spec, int default_port, int with_user, pfi_proxy_plan *pl)
{
	const char *at = with_user ? strrchr(spec, '@') : NULL, *h = spec, *colon, *end;
	char *stop;
	long port = default_port;

	if (at != NULL) {
		if ((size_t)(at - spec) >= sizeof(pl->proxy_user) || at == spec)
			return -1;
		memcpy(pl->proxy_user, spec, (size_t)(at - spec));
		pl->proxy_user[at - spec] = '\0';
		h = at + 1;
	}
	if (*h == '[') {
		end = strchr(h, ']');
		if (end == NULL)
			return -1;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return -1;
		h++;
	} else {
		colon = strrchr(h, ':');
		end = colon ? colon : h + strlen(h);
		if (colon != NULL && strchr(h, ':') != colon)
			return -1; /* bare IPv6 without brackets: ambiguous */
	}
	if (end == h || (size_t)(end - h) >= sizeof(pl->proxy_host))
		return -1;
	memcpy(pl->proxy_host, h, (size_t)(end - h));
	pl->proxy_host[end - h] = '\0';
	if (colon != NULL) {
		port = strtol(colon + 1, &stop, 10);
		if (*stop != '\0' || colon[1] == '\0' || port < 1 || port > 65535)
			return -1;
	}
	pl->proxy_port = (int)port;
	return 0;
}

/* The last two words are the destination: exactly hc's host and port. */
static int is_dest(const pf_host_config *hc, char **w, size_t n)
{
	char port[16];

	snprintf(port, sizeof(port), "%d", hc->port);
	return n == 2 && strcmp(w[0], hc->hostname) == 0 && strcmp(w[1], port) == 0;
}

/* An option value: "-Hx" or "-H x". NULL when missing. */
static const char *optval(char **v, size_t n, size_t *i)
{
	if (v[*i][2] != '\0')
		return v[*i] + 2;
	if (*i + 1 >= n)
		return NULL;
	return v[++*i];
}

static void unsupported(pfi_proxy_plan *pl, const char *prog, const char *opt)
{
	snprintf(pl->unsupported, sizeof(pl->unsupported), "%s %.40s", prog, opt);
}

/* connect [-H|-S proxy] [-4|-5] [-R method] [-d] host port */
static void plan_connect(const pf_host_config *hc, char **v, size_t n, pfi_proxy_plan *pl)
{
	const char *proxy = NULL;
	int http = 0, v4 = 0;
	size_t i;

	for (i = 1; i < n && v[i][0] == '-' && v[i][1] != '\0'; i++) {
		char o = v[i][1];

		if ((o == 'H' || o == 'S') && (proxy = optval(v, n, &i)) != NULL) {
			http = o == 'H';
		} else if ((o == '4' || o == '5' || o == 'd') && v[i][2] == '\0') {
			v4 = o == '4' ? 1 : o == '5' ? 0 : v4;
		} else if (o == 'R' && optval(v, n, &i) != NULL) {
			/* local/remote/both: names go to the proxy (SOCKS4: resolved here). */
		} else {
			unsupported(pl, "connect", v[i]);
			return;
		}
	}
	if (proxy == NULL || !is_dest(hc, v + i, n - i) ||
	    parse_proxy(proxy, http ? 80 : 1080, 1, pl) != 0)
		return;
	pl->type = http ? PF_PROXY_HTTP : v4 ? PF_PROXY_SOCKS4 : PF_PROXY_SOCKS5;
	pl->how = PFI_PROXY_NATIVE;
}

/* nc -X connect|4|5 -x proxy[:port] host port (OpenBSD netcat) */
static void plan_nc(const pf_host_config *hc, char **v, size_t n, pfi_proxy_plan *pl)
{
	const char *proxy = NULL, *proto = "5", *val;
	size_t i;

	for (i = 1; i < n && v[i][0] == '-' && v[i][1] != '\0'; i++) {
		char o = v[i][1];

		if (o == 'X' && (val = optval(v, n, &i)) != NULL) {
			proto = val;
		} else if (o == 'x' && (val = optval(v, n, &i)) != NULL) {
			proxy = val;
		} else if (o == 'w' && optval(v, n, &i) != NULL) {
			/* a timeout: ConnectTimeout does that */
		} else if ((o == '4' || o == '6' || o == 'v' || o == 'N') && v[i][2] == '\0') {
		} else {
			unsupported(pl, "nc", v[i]);
			return;
		}
	}
	if (proxy == NULL || !is_dest(hc, v + i, n - i))
		return;
	if (ieq(proto, "connect"))
		pl->type = PF_PROXY_HTTP;
	else if (strcmp(proto, "4") == 0)
		pl->type = PF_PROXY_SOCKS4;
	else if (strcmp(proto, "5") == 0)
		pl->type = PF_PROXY_SOCKS5;
	else {
		unsupported(pl, "nc -X", proto);
		return;
	}
	if (parse_proxy(proxy, pl->type == PF_PROXY_HTTP ? 3128 : 1080, 0, pl) != 0)
		return;
	pl->how = PFI_PROXY_NATIVE;
}

/* ncat --proxy host[:port] [--proxy-type http|socks4|socks5]
 * [--proxy-auth user] host port */
static void plan_ncat(const pf_host_config *hc, char **v, size_t n, pfi_proxy_plan *pl)
{
	const char *proxy = NULL, *type = "http", *auth = NULL;
	size_t i;

	for (i = 1; i < n && v[i][0] == '-'; i++) {
		char *eq = strchr(v[i], '=');
		size_t klen = eq ? (size_t)(eq - v[i]) : strlen(v[i]);
		const char *val = eq ? eq + 1 : i + 1 < n ? v[i + 1] : NULL;
		const char **dst = NULL;

		if (klen == 7 && strncmp(v[i], "--proxy", 7) == 0)
			dst = &proxy;
		else if (klen == 12 && strncmp(v[i], "--proxy-type", 12) == 0)
			dst = &type;
		else if (klen == 12 && strncmp(v[i], "--proxy-auth", 12) == 0)
			dst = &auth;
		if (dst == NULL || val == NULL) {
			unsupported(pl, "ncat", v[i]);
			return;
		}
		*dst = val;
		if (eq == NULL)
			i++;
	}
	if (proxy == NULL || !is_dest(hc, v + i, n - i))
		return;
	if (ieq(type, "http"))
		pl->type = PF_PROXY_HTTP;
	else if (ieq(type, "socks4"))
		pl->type = PF_PROXY_SOCKS4;
	else if (ieq(type, "socks5"))
		pl->type = PF_PROXY_SOCKS5;
	else {
		unsupported(pl, "ncat --proxy-type", type);
		return;
	}
	if (auth != NULL && strchr(auth, ':') != NULL) {
		/* A password on the command line: the native path asks instead. */
		unsupported(pl, "ncat", "--proxy-auth user:password");
		return;
	}
	if (parse_proxy(proxy, pl->type == PF_PROXY_HTTP ? 3128 : 1080, 0, pl) != 0)
		return;
	if (auth != NULL)
		pf_strlcpy(pl->proxy_user, auth, sizeof(pl->proxy_user));
	pl->how = PFI_PROXY_NATIVE;
}

/* ssh [-q] -W host:port [-p port] [user@]jump */
static void plan_ssh(const pf_host_config *hc, char **v, size_t n, pfi_proxy_plan *pl)
{
	const char *w = NULL, *port = NULL, *val;
	char want[300];
	size_t i;

	for (i = 1; i < n && v[i][0] == '-'; i++) {
		char o = v[i][1];

		if (o == 'W' && (val = optval(v, n, &i)) != NULL)
			w = val;
		else if (o == 'p' && (val = optval(v, n, &i)) != NULL)
			port = val;
		else if (o == 'q' && v[i][2] == '\0')
			;
		else {
			unsupported(pl, "ssh", v[i]);
			return;
		}
	}
	snprintf(want, sizeof(want), strchr(hc->hostname, ':') ? "[%s]:%d" : "%s:%d", hc->hostname,
		 hc->port);
	if (w == NULL || strcmp(w, want) != 0 || i + 1 != n || v[i][0] == '\0')
		return;
	if (port != NULL)
		snprintf(pl->jump, sizeof(pl->jump), "%s:%s", v[i], port);
	else
		pf_strlcpy(pl->jump, v[i], sizeof(pl->jump));
	pl->how = PFI_PROXY_JUMP;
}

pf_rc pfi_proxycmd_plan(const pf_host_config *hc, pfi_proxy_plan *pl, pf_error *err)
{
	char **v = NULL;
	size_t n = 0;
	pf_rc rc;
	int r;

	memset(pl, 0, sizeof(*pl));
	rc = pfi_proxycmd_expand(hc, &pl->command, err);
	if (rc != PF_OK)
		return rc;
	r = pfi_proxycmd_split(pl->command, &v, &n);
	if (r < 0) {
		pfi_proxy_plan_clear(pl);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	if (r == 1 && n > 0) {
		if (is_prog(v[0], "connect") || is_prog(v[0], "connect-proxy")) {
			pl->helper = "connect";
			plan_connect(hc, v, n, pl);
		} else if (is_prog(v[0], "nc") || is_prog(v[0], "netcat") ||
			   is_prog(v[0], "nc.openbsd")) {
			pl->helper = "nc";
			plan_nc(hc, v, n, pl);
		} else if (is_prog(v[0], "ncat")) {
			pl->helper = "ncat";
			plan_ncat(hc, v, n, pl);
		} else if (is_prog(v[0], "ssh")) {
			pl->helper = "ssh";
			plan_ssh(hc, v, n, pl);
		}
	}
	pf_strv_free(v, n);
	return PF_OK;
}

void pfi_proxy_plan_clear(pfi_proxy_plan *pl)
{
	free(pl->command);
	pf_secure_zero(pl, sizeof(*pl));
}
