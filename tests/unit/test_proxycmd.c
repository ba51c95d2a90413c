/* ProxyCommand reading (core/proxycmd.c): %h %p %r %n %% expansion and an
 * unknown token's message; names typed by the person with shell
 * metacharacters or control characters refused before expansion
 * (pf_names_check_cli_host/_user), a config HostName used as written; the shell-like
 * split; the helper lines done natively (connect -H/-S/-4, nc -X -x,
 * ncat --proxy, ssh -W) and those left to run (another destination, an
 * option not done natively, shell syntax). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/proxycmd.h"
#include "check.h"
#include "pf/names.h"
#include "pf/mem.h"

static pf_host_config hc_of(const char *host, const char *hostname, int port, const char *user,
			    const char *cmd)
{
	pf_host_config hc;

	memset(&hc, 0, sizeof(hc));
	hc.host = (char *)host;
	hc.hostname = (char *)hostname;
	hc.port = port;
	hc.user = (char *)user;
	hc.proxy_command = (char *)cmd;
	hc.proxy_command_source = (char *)"config.txt";
	hc.proxy_command_line = 7;
	return hc;
}

static void test_expand(void)
{
	pf_host_config hc = hc_of("gw", "gw.example.org", 2222, "taro",
				  "connect -H p:8080 %h %p %r %n 100%% %%h");
	pf_error err;
	char *out = NULL;

	CHECK_INT(pfi_proxycmd_expand(&hc, &out, &err), PF_OK);
	CHECK_STR(out, "connect -H p:8080 gw.example.org 2222 taro gw 100% %h");
	free(out);

	hc.proxy_command = (char *)"nc %h %q";
	CHECK_INT(pfi_proxycmd_expand(&hc, &out, &err), PF_E_CONFIG);
	printf("%s\n", err.message);
	CHECK(strstr(err.message, "config.txt line 7") != NULL);
	CHECK(strstr(err.message, "%q") != NULL);

	/* A typed name with shell syntax never reaches the command. */
	hc = hc_of("a;touch", "a;touch", 22, "u", "nc %h %p");
	CHECK_INT(pfi_proxycmd_expand(&hc, &out, &err), PF_E_INVAL);
	CHECK(strstr(err.message, "';'") != NULL);
	hc = hc_of("a\nproxycommand evil", "a\nproxycommand evil", 22, "u", "nc %n %p");
	CHECK_INT(pfi_proxycmd_expand(&hc, &out, &err), PF_E_INVAL);
	CHECK(strchr(err.message, '\n') == NULL);
	hc = hc_of("-oProxyCommand=x", "-oproxycommand=x", 22, "u", "nc %h %p");
	CHECK_INT(pfi_proxycmd_expand(&hc, &out, &err), PF_E_INVAL);
	hc = hc_of("ok", "ok", 22, "$(id)", "ssh -W %h:%p %r@gw");
	CHECK_INT(pfi_proxycmd_expand(&hc, &out, &err), PF_E_INVAL);
	/* %r not used: the user name is not looked at. */
	hc.proxy_command = (char *)"nc %h %p";
	CHECK_INT(pfi_proxycmd_expand(&hc, &out, &err), PF_OK);
	free(out);
	/* A HostName from the config file is expanded as written. */
	hc = hc_of("alias", "odd$name", 22, "u", "nc %h %p");
	CHECK_INT(pfi_proxycmd_expand(&hc, &out, &err), PF_OK);
	CHECK_STR(out, "nc odd$name 22");
	free(out);

	CHECK_INT(pf_names_check_cli_host("ssh.example.org", &err), PF_OK);
	CHECK_INT(pf_names_check_cli_host("fe80::1", &err), PF_OK);
	CHECK_INT(pf_names_check_cli_host("a,b", &err), PF_E_INVAL);
	CHECK_INT(pf_names_check_cli_user("a,b", &err), PF_OK);
	CHECK_INT(pf_names_check_cli_host("a b", &err), PF_E_INVAL);
	CHECK_INT(pf_names_check_cli_host("a`b`", &err), PF_E_INVAL);
	CHECK_INT(pf_names_check_cli_host("a\x7f", &err), PF_E_INVAL);
}

static int split_is(const char *cmd, int want, const char *const *words, size_t nwords)
{
	char **v = NULL;
	size_t n = 0, i;
	int r = pfi_proxycmd_split(cmd, &v, &n), ok = r == want;

	if (r == 1) {
		ok = ok && n == nwords;
		for (i = 0; ok && i < n; i++)
			ok = strcmp(v[i], words[i]) == 0;
		pf_strv_free(v, n);
	}
	if (!ok)
		fprintf(stderr, "split of [%s] gave %d\n", cmd, r);
	return ok;
}

static void test_split(void)
{
	static const char *const a[] = {"connect", "-H", "p:80", "h", "22"};
	static const char *const b[] = {"C:\\Program Files\\connect.exe", "-S", "a b", "", "x\"y"};
	static const char *const c[] = {"nc", "it's"};

	CHECK(split_is("  connect   -H p:80\th 22 ", 1, a, 5));
	CHECK(split_is("'C:\\Program Files\\connect.exe' -S \"a b\" '' \"x\\\"y\"", 1, b, 5));
	CHECK(split_is("nc it\\'s", 1, c, 2));
	CHECK(split_is("nc h 22 | tee log", 0, NULL, 0));
	CHECK(split_is("nc $HOST 22", 0, NULL, 0));
	CHECK(split_is("nc \"$HOST\" 22", 0, NULL, 0));
	CHECK(split_is("exec nc h 22; true", 0, NULL, 0));
	CHECK(split_is("nc 'open", 0, NULL, 0));
	CHECK(split_is("~/bin/nc h 22", 0, NULL, 0));
	CHECK(split_is("nc h 22 # note", 0, NULL, 0));
}

typedef struct want {
	const char *cmd;
	pfi_proxy_how how;
	pf_proxy_type type;
	const char *host, *user, *unsupported, *jump;
	int port;
} want;

/* split_windows: a line into argv as the MS C runtime does; each case
 * "line" then the words, joined by | (and back through join_windows). */
static void win_case(const char *line, const char *words, size_t want_end)
{
	char **v = NULL, **v2 = NULL, *joined, got[512] = "";
	size_t n = 0, n2 = 0, end = 0, end2 = 0, i;

	CHECK_INT(pfi_proxycmd_split_windows(line, &v, &n, &end), 0);
	for (i = 0; i < n; i++) {
		if (i > 0)
			pf_strlcat(got, "|", sizeof(got));
		pf_strlcat(got, v[i], sizeof(got));
	}
	CHECK_STR(got, words);
	CHECK_INT((int)end, (int)want_end);
	/* join is split's inverse */
	joined = pfi_proxycmd_join_windows(v, n);
	CHECK(joined != NULL);
	CHECK_INT(pfi_proxycmd_split_windows(joined ? joined : "", &v2, &n2, &end2), 0);
	CHECK_INT((int)n2, (int)n);
	for (i = 0; i < n && i < n2; i++)
		CHECK_STR(v2[i], v[i]);
	free(joined);
	pf_strv_free(v, n);
	pf_strv_free(v2, n2);
}

static void test_split_windows(void)
{
	win_case("connect.exe -H proxy:8080 host 22", "connect.exe|-H|proxy:8080|host|22", 11);
	win_case("  \"C:\\Program Files\\nc.exe\"  a\tb ", "C:\\Program Files\\nc.exe|a|b", 27);
	win_case("C:\\tools\\x.exe \"a b\" c\\d \\\\\"e\"", "C:\\tools\\x.exe|a b|c\\d|\\e", 14);
	win_case("p a\\\"b \"c\"\"d\" \"\"", "p|a\"b|c\"d|", 1);
	win_case("p \"a\\\\\" b", "p|a\\|b", 1);
	win_case("p a\"b c\"d", "p|ab cd", 1);
	win_case("cmd /c \"echo x\"", "cmd|/c|echo x", 3);
	win_case("p \\\\server\\share\\ end", "p|\\\\server\\share\\|end", 1);
	{
		char **v = NULL;
		size_t n = 9, end = 9;

		CHECK_INT(pfi_proxycmd_split_windows("   ", &v, &n, &end), 0);
		CHECK_INT((int)n, 0);
	}
	{
		/* join quotes what needs it, and only that */
		char *a[] = {(char *)"C:\\P F\\x.exe", (char *)"plain", (char *)"", (char *)"a b\\",
			     (char *)"q\""};
		char *j = pfi_proxycmd_join_windows(a, 5);

		CHECK_STR(j ? j : "", "\"C:\\P F\\x.exe\" plain \"\" \"a b\\\\\" \"q\\\"\"");
		free(j);
	}
}

static void test_plans(void)
{
	static const want w[] = {
		{"connect -H proxy.example.ac.jp:8080 %h %p", PFI_PROXY_NATIVE, PF_PROXY_HTTP,
		 "proxy.example.ac.jp", "", "", "", 8080},
		{"connect.exe -H taro@proxy %h %p", PFI_PROXY_NATIVE, PF_PROXY_HTTP, "proxy",
		 "taro", "", "", 80},
		{"C:\\tools\\CONNECT.EXE -d -S socks.example %h %p", PFI_PROXY_NATIVE,
		 PF_PROXY_SOCKS5, "socks.example", "", "", "", 1080},
		{"connect -4 -S s:1081 -R remote %h %p", PFI_PROXY_NATIVE, PF_PROXY_SOCKS4, "s", "",
		 "", "", 1081},
		{"connect -5 -Ss:9 %h %p", PFI_PROXY_NATIVE, PF_PROXY_SOCKS5, "s", "", "", "", 9},
		{"connect -w 10 -H p %h %p", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "connect -w", "",
		 0},
		{"connect -H p other.host %p", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "", "", 0},
		{"connect -H p %h 23", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "", "", 0},
		{"nc -X connect -x proxy:3128 %h %p", PFI_PROXY_NATIVE, PF_PROXY_HTTP, "proxy", "",
		 "", "", 3128},
		{"/usr/bin/nc -X 5 -x [2001:db8::5]:1080 %h %p", PFI_PROXY_NATIVE, PF_PROXY_SOCKS5,
		 "2001:db8::5", "", "", "", 1080},
		{"nc -X 4 -x s %h %p", PFI_PROXY_NATIVE, PF_PROXY_SOCKS4, "s", "", "", "", 1080},
		{"nc -x s -w 5 %h %p", PFI_PROXY_NATIVE, PF_PROXY_SOCKS5, "s", "", "", "", 1080},
		{"nc -X connect -x p %h %p", PFI_PROXY_NATIVE, PF_PROXY_HTTP, "p", "", "", "",
		 3128},
		{"nc -P taro -X connect -x p:1 %h %p", PFI_PROXY_RUN, PF_PROXY_NONE, "", "",
		 "nc -P", "", 0},
		{"nc %h %p", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "", "", 0},
		{"ncat --proxy p:8080 --proxy-type http %h %p", PFI_PROXY_NATIVE, PF_PROXY_HTTP,
		 "p", "", "", "", 8080},
		{"ncat --proxy=s --proxy-type=socks5 --proxy-auth hanako %h %p", PFI_PROXY_NATIVE,
		 PF_PROXY_SOCKS5, "s", "hanako", "", "", 1080},
		{"ncat --proxy s:1 --proxy-type socks4 %h %p", PFI_PROXY_NATIVE, PF_PROXY_SOCKS4,
		 "s", "", "", "", 1},
		{"ncat --proxy p --proxy-auth u:pw %h %p", PFI_PROXY_RUN, PF_PROXY_NONE, "", "",
		 "ncat --proxy-auth user:password", "", 0},
		{"ncat --ssl --proxy p %h %p", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "ncat --ssl",
		 "", 0},
		{"ssh -W %h:%p gw", PFI_PROXY_JUMP, PF_PROXY_NONE, "", "", "", "gw", 0},
		{"ssh -q -W %h:%p -p 2200 %r@gw", PFI_PROXY_JUMP, PF_PROXY_NONE, "", "", "",
		 "taro@gw:2200", 0},
		{"ssh -A -W %h:%p gw", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "ssh -A", "", 0},
		{"ssh -W other:22 gw", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "", "", 0},
		{"socat - TCP:%h:%p", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "", "", 0},
		{"connect -H p %h %p 2>/dev/null", PFI_PROXY_RUN, PF_PROXY_NONE, "", "", "", "", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		pf_host_config hc = hc_of("gw", "ssh.example.org", 22, "taro", w[i].cmd);
		pfi_proxy_plan pl;
		pf_error err;
		int ok;

		CHECK_INT(pfi_proxycmd_plan(&hc, &pl, &err), PF_OK);
		ok = pl.how == w[i].how && pl.unsupported[0] == w[i].unsupported[0] &&
		     strcmp(pl.unsupported, w[i].unsupported) == 0 && pl.command != NULL;
		if (w[i].how == PFI_PROXY_NATIVE)
			ok = ok && pl.type == w[i].type && strcmp(pl.proxy_host, w[i].host) == 0 &&
			     pl.proxy_port == w[i].port && strcmp(pl.proxy_user, w[i].user) == 0;
		if (w[i].how == PFI_PROXY_JUMP)
			ok = ok && strcmp(pl.jump, w[i].jump) == 0;
		if (!ok)
			fprintf(stderr,
				"plan of [%s]: how %d type %d host %s port %d user %s "
				"unsupported [%s] jump %s\n",
				w[i].cmd, pl.how, pl.type, pl.proxy_host, pl.proxy_port,
				pl.proxy_user, pl.unsupported, pl.jump);
		CHECK(ok);
		pfi_proxy_plan_clear(&pl);
	}
}

int main(void)
{
	test_expand();
	test_split();
	test_plans();
	test_split_windows();
	return check_summary("test_proxycmd");
}
