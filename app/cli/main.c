/* pf: the console front end. Arguments are UTF-8 inside (converted from
 * UTF-16 on Windows), as the core expects. This file parses the command
 * line (OpenSSH's form) and dispatches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "pf/mem.h"
#include "pf/names.h"
#include "pf/version.h"

#ifdef _WIN32
#include <windows.h>
#include "pf/platform.h"
#endif

static void print_version(FILE *out)
{
	fprintf(out, "pf %s\n", pf_version());
	fprintf(out, "libssh %s\n", pf_version_libssh());
	fprintf(out, "%s\n", pf_version_openssl());
}

static void print_usage(FILE *out)
{
	fputs("usage: pf [-GNv] [-F configfile] [-o Keyword=value] [-L spec] [-R spec]\n"
	      "          [-D spec] [-W host:port] [-l user] [-p port] [user@]host\n"
	      "       pf keygen [-t ed25519|rsa|ecdsa] [-b bits] [-C comment] [-f file] [-N pass]\n"
	      "       pf --version | --help\n"
	      "  -F file    read this config file (default ~/.ssh/config; \"none\": no file)\n"
	      "  -G         print the effective configuration for host, like ssh -G, and exit\n"
	      "  -N         do not run a remote command (pf never does; accepted for ssh users)\n"
	      "  -v         more messages (repeat for even more)\n"
	      "  -o K=V     a config option that wins over the file, e.g. -o Port=2222\n"
	      "  -L [bind:]port:host:hostport   local forward   (like LocalForward)\n"
	      "  -R [bind:]port:host:hostport   remote forward  (like RemoteForward)\n"
	      "  -R [bind:]port                 remote SOCKS proxy\n"
	      "  -D [bind:]port                 local SOCKS proxy (like DynamicForward)\n"
	      "  -W host:port  connect standard input and output to host:port through\n"
	      "             the server (as ssh -W; for a ProxyCommand); forwards are off\n"
	      "  -l user    log in as user;  -p port   connect to port\n"
	      "  --max-tunnels N  at most N connections at once through this host's\n"
	      "                  forwards (default 4096); more are closed at once\n"
	      "  --hold S        while (re)connecting, clients of local forwards wait up\n"
	      "                  to S seconds (default ConnectTimeout, else 15)\n"
	      "  --max-held N    at most N waiting clients per forward (default 64)\n"
	      "  --on-demand     open the forwards at once, connect when the first\n"
	      "                  client arrives\n"
	      "  --idle-disconnect MINUTES  with --on-demand: disconnect after that long\n"
	      "                  without any connection through the forwards\n"
	      "  --version, -V   print the versions of pf, libssh and OpenSSL\n"
	      "  --help, -h      print this help\n",
	      out);
}

void cli_opts_free(cli_opts *o)
{
	size_t i;

	for (i = 0; i < o->n_overrides; i++)
		free(o->overrides[i]);
	free(o->overrides);
	for (i = 0; i < o->n_forwards; i++)
		pf_fwdspec_clear(&o->forwards[i]);
	free(o->forwards);
	free(o->user);
	free(o->host);
	free(o->stdio_host);
	memset(o, 0, sizeof(*o));
}

static int add_override(cli_opts *o, char *s)
{
	char **n;

	if (s == NULL)
		return -1;
	n = pf_reallocarray(o->overrides, o->n_overrides + 1, sizeof(*n));
	if (n == NULL) {
		free(s);
		return -1;
	}
	o->overrides = n;
	n[o->n_overrides++] = s;
	return 0;
}

static int add_forward(cli_opts *o, char flag, const char *arg)
{
	pf_fwd_kind kind = flag == 'L'   ? PF_FWD_LOCAL
			   : flag == 'R' ? PF_FWD_REMOTE
					 : PF_FWD_DYNAMIC;
	pf_fwdspec f, *n;
	pf_error err;
	pf_rc rc;

	pf_error_clear(&err);
	rc = pf_fwdspec_parse_cli(kind, arg, &f, &err);
	if (rc != PF_OK) {
		fprintf(stderr, "pf: bad -%c \"%s\": %s.\n", flag, arg, err.message);
		return 2;
	}
	if (pf_fwdspec_set_source(&f, "command line", 0) != PF_OK ||
	    (n = pf_reallocarray(o->forwards, o->n_forwards + 1, sizeof(*n))) == NULL) {
		pf_fwdspec_clear(&f);
		fputs("pf: out of memory\n", stderr);
		return 2;
	}
	o->forwards = n;
	n[o->n_forwards++] = f;
	return 0;
}

/* Take "[user@]host" (the last '@' splits, as in ssh). */
static int set_destination(cli_opts *o, const char *arg)
{
	const char *at = strrchr(arg, '@');
	pf_error err;

	if (at != NULL) {
		if (at == arg || at[1] == '\0') {
			fputs("pf: the destination is not [user@]host.\n", stderr);
			return 2;
		}
		if (!o->user_from_l) {
			free(o->user);
			if ((o->user = pf_strndup(arg, (size_t)(at - arg))) == NULL)
				return 2;
		}
		arg = at + 1;
	}
	if (pf_names_check_cli_host(arg, &err) != PF_OK) {
		fprintf(stderr, "pf: %s\n", err.message);
		return 2;
	}
	o->host = pf_strdup(arg);
	return o->host ? 0 : 2;
}

/* -W "host:port" or "[v6addr]:port". As ssh -W, the stream is the whole
 * point of the run: ClearAllForwardings is implied (no listeners from the
 * config file on every run of a ProxyCommand), and no reconnect. */
static int set_stdio(cli_opts *o, const char *arg)
{
	const char *colon = strrchr(arg, ':'), *host = arg;
	size_t len = colon ? (size_t)(colon - arg) : 0;
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : 0;

	if (o->stdio_host != NULL) {
		fputs("pf: -W given twice.\n", stderr);
		return 2;
	}
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (colon == NULL || len == 0 || colon[1] < '0' || colon[1] > '9' || *end != '\0' ||
	    port < 1 || port > 65535) {
		fprintf(stderr, "pf: bad -W \"%s\": give host:port (e.g. -W db.internal:5432).\n",
			arg);
		return 2;
	}
	if ((o->stdio_host = pf_strndup(host, len)) == NULL ||
	    add_override(o, pf_strdup("ClearAllForwardings=yes")) != 0)
		return 2;
	o->stdio_port = (int)port;
	return 0;
}

/* "--name N" / "--name=N" with N in [min, max]: 1 when `a` is that option
 * (*out set, or *bad = 1 after a message), 0 when it is another. */
static int long_number(int argc, char **argv, int *i, const char *name, unsigned min, unsigned max,
		       unsigned *out, int *bad)
{
	const char *a = argv[*i], *val;
	size_t len = strlen(name);
	unsigned long v;
	char *end;

	if (strncmp(a, name, len) != 0 || (a[len] != '\0' && a[len] != '='))
		return 0;
	if (a[len] == '=') {
		val = a + len + 1;
	} else if (*i + 1 < argc) {
		val = argv[++*i];
	} else {
		fprintf(stderr, "pf: %s wants a number.\n", name);
		*bad = 1;
		return 1;
	}
	v = strtoul(val, &end, 10);
	if (val[0] < '0' || val[0] > '9' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "pf: %s \"%s\": give a whole number from %u to %u.\n", name, val,
			min, max);
		*bad = 1;
		return 1;
	}
	*out = (unsigned)v;
	return 1;
}

/* "10" or "0.5" minutes as milliseconds (more than 0, at most a week);
 * 0, or -1 when not such a number. */
static int minutes_ms(const char *v, unsigned *out)
{
	unsigned long whole = 0, frac = 0, scale = 1;
	const char *p = v;

	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9' && whole <= 10080)
		whole = whole * 10 + (unsigned long)(*p++ - '0');
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && scale < 1000; p++) {
			frac = frac * 10 + (unsigned long)(*p - '0');
			scale *= 10;
		}
	}
	if (*p != '\0' || whole > 10080 || (whole == 0 && frac == 0))
		return -1;
	*out = (unsigned)(whole * 60000 + frac * 60000 / scale);
	return *out > 0 ? 0 : -1;
}

/* Options may come before or after the host, as with ssh. */
int cli_parse(int argc, char **argv, cli_opts *o)
{
	int i, only_args = 0;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t j;

		if (!only_args && strcmp(a, "--version") == 0) {
			o->action = PF_CLI_VERSION;
			return 0;
		}
		if (!only_args && strcmp(a, "--help") == 0) {
			o->action = PF_CLI_HELP;
			return 0;
		}
		if (!only_args && strcmp(a, "--") == 0) {
			only_args = 1;
			continue;
		}
		if (!only_args && strcmp(a, "--on-demand") == 0) {
			o->on_demand = 1;
			continue;
		}
		if (!only_args && strcmp(a, "--idle-disconnect") == 0) {
			if (i + 1 >= argc || minutes_ms(argv[i + 1], &o->idle_disconnect_ms) != 0) {
				fprintf(stderr, "pf: --idle-disconnect wants minutes (e.g. 10 or "
						"0.5), more than 0.\n");
				return 2;
			}
			i++;
			continue;
		}
		if (!only_args && a[0] == '-' && a[1] == '-') {
			int bad = 0;

			if (!long_number(argc, argv, &i, "--max-tunnels", 1, 1000000,
					 &o->max_tunnels, &bad) &&
			    !long_number(argc, argv, &i, "--hold", 1, 3600, &o->hold_s, &bad) &&
			    !long_number(argc, argv, &i, "--max-held", 1, 100000, &o->max_held,
					 &bad)) {
				fprintf(stderr,
					"pf: unknown option \"%s\" (pf --help lists them).\n", a);
				return 2;
			}
			if (bad)
				return 2;
			continue;
		}
		if (only_args || a[0] != '-' || a[1] == '\0') {
			if (o->host != NULL) {
				fprintf(stderr,
					"pf: unexpected \"%s\" after the host: pf forwards ports "
					"and "
					"does not run remote commands.\n",
					a);
				return 2;
			}
			if (set_destination(o, a) != 0)
				return 2;
			continue;
		}
		/* A cluster of flags; an option taking a value ends it. */
		for (j = 1; a[j] != '\0'; j++) {
			char c = a[j];
			const char *val;

			switch (c) {
			case 'G': o->action = PF_CLI_DUMP; continue;
			case 'N': o->no_command = 1; continue;
			case 'v': o->verbose++; continue;
			case 'V': o->action = PF_CLI_VERSION; return 0;
			case 'h': o->action = PF_CLI_HELP; return 0;
			case 'F':
			case 'o':
			case 'L':
			case 'R':
			case 'D':
			case 'l':
			case 'p':
			case 'W': break;
			default:
				fprintf(stderr, "pf: unknown option -%c (try 'pf --help')\n", c);
				return 2;
			}
			if (a[j + 1] != '\0') {
				val = a + j + 1;
			} else if (i + 1 < argc) {
				val = argv[++i];
			} else {
				fprintf(stderr, "pf: option -%c needs a value (try 'pf --help')\n",
					c);
				return 2;
			}
			if (c == 'F') {
				o->config_file = val;
			} else if (c == 'o') {
				if (add_override(o, pf_strdup(val)) != 0)
					return 2;
			} else if (c == 'l') {
				free(o->user);
				if ((o->user = pf_strdup(val)) == NULL)
					return 2;
				o->user_from_l = 1;
			} else if (c == 'p') {
				if (add_override(o, pf_asprintf("Port=%s", val)) != 0)
					return 2;
			} else if (c == 'W') {
				if (set_stdio(o, val) != 0)
					return 2;
			} else {
				int r = add_forward(o, c, val);

				if (r != 0)
					return r;
			}
			break;
		}
	}
	if (o->host == NULL) {
		print_usage(stderr);
		return 2;
	}
	if (o->stdio_host != NULL && o->on_demand) {
		fputs("pf: -W cannot be used with --on-demand.\n", stderr);
		return 2;
	}
	if (o->user != NULL) {
		pf_error err;

		if (pf_names_check_cli_user(o->user, &err) != PF_OK) {
			fprintf(stderr, "pf: %s\n", err.message);
			return 2;
		}
	}
	return 0;
}

static int pf_main(int argc, char **argv)
{
	cli_opts opts;
	int status;

	if (argc > 1 && strcmp(argv[1], "keygen") == 0)
		return cli_keygen(argc - 1, argv + 1);
	status = cli_parse(argc, argv, &opts);
	if (status != 0) {
		cli_opts_free(&opts);
		return status;
	}
	switch (opts.action) {
	case PF_CLI_VERSION: print_version(stdout); break;
	case PF_CLI_HELP: print_usage(stdout); break;
	case PF_CLI_DUMP: status = cli_dump(&opts); break;
	case PF_CLI_CONNECT: status = cli_connect(&opts); break;
	}
	cli_opts_free(&opts);
	return status;
}

#ifdef _WIN32
int wmain(int argc, wchar_t **wargv);
int wmain(int argc, wchar_t **wargv)
{
	char **argv = PF_NEW_ARRAY(char *, (size_t)argc + 1);
	int i, rc;

	if (argv == NULL)
		return 1;
	SetConsoleOutputCP(CP_UTF8);
	for (i = 0; i < argc; i++) {
		argv[i] = pf_wide_to_utf8(wargv[i]);
		if (argv[i] == NULL)
			return 1;
	}
	if (pf_lib_init() != 0) {
		fputs("pf: cannot initialise the SSH library\n", stderr);
		return 1;
	}
	rc = pf_main(argc, argv);
	pf_lib_cleanup();
	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return rc;
}
#else
int main(int argc, char **argv)
{
	int rc;

	if (pf_lib_init() != 0) {
		fputs("pf: cannot initialise the SSH library\n", stderr);
		return 1;
	}
	rc = pf_main(argc, argv);
	pf_lib_cleanup();
	return rc;
}
#endif
