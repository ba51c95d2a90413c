/* Command-line names (OpenSSH's rules) and printable server text. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/names.h"

static void host_ok(const char *h)
{
	pf_error err;

	pf_error_clear(&err);
	if (!CHECK_INT(pf_names_check_cli_host(h, &err), PF_OK))
		fprintf(stderr, "  host \"%s\": %s\n", h, err.message);
}

static void host_bad(const char *h, const char *in_message)
{
	pf_error err;

	pf_error_clear(&err);
	CHECK_INT(pf_names_check_cli_host(h, &err), PF_E_INVAL);
	if (!CHECK(strstr(err.message, in_message) != NULL))
		fprintf(stderr, "  message: %s\n", err.message);
	/* The message never carries the control characters themselves. */
	CHECK(strpbrk(err.message, "\n\r\x1b") == NULL);
}

static void user_check(const char *u, pf_rc want)
{
	pf_error err;

	pf_error_clear(&err);
	if (!CHECK_INT(pf_names_check_cli_user(u, &err), want))
		fprintf(stderr, "  user \"%s\": %s\n", u, err.message);
}

static void printable(const char *in, int nl, const char *want)
{
	char *s = pf_names_printable(in, nl);

	CHECK_STR(s, want);
	free(s);
}

int main(void)
{
	host_ok("gw.example.ac.jp");
	host_ok("IMR");
	host_ok("192.0.2.1");
	host_ok("fe80::1%eth0");
	host_ok("[::1]");
	host_ok("host_name.with-dash");
	host_ok("\xe3\x83\xa1\xe3\x83\xbc\xe3\x83\xab"); /* UTF-8 is fine */

	host_bad("a\nproxyjump evil", "a newline (character 2)");
	host_bad("a\rb", "carriage return");
	host_bad("a\x1b[2Jb", "control character 0x1b");
	host_bad("a b", "a space");
	host_bad("a\tb", "a tab");
	host_bad("-oProxyCommand=x", "starts with '-'");
	host_bad("", "empty");
	host_bad("a;b", "';'");
	host_bad("$(id)", "'$'");
	host_bad("a`id`", "'`'");
	host_bad("a,b", "','");
	host_bad("a|b", "'|'");
	host_bad("a\\b", "'\\'");
	host_bad("a{b}", "'{'");
	host_bad("a\x7f", "control character 0x7f");
	CHECK_INT(pf_names_check_cli_host(NULL, NULL), PF_E_INVAL);

	user_check("ohba", PF_OK);
	user_check("first last", PF_OK);   /* spaces are allowed in user names */
	user_check("DOMAIN\\user", PF_OK); /* and a backslash inside */
	user_check("user$", PF_OK);
	user_check("a -oProxyCommand", PF_E_INVAL);
	user_check("-l", PF_E_INVAL);
	user_check("a\nb", PF_E_INVAL);
	user_check("a;b", PF_E_INVAL);
	user_check("a`b", PF_E_INVAL);
	user_check("user\\", PF_E_INVAL);
	user_check("", PF_E_INVAL);

	printable("Password:", 0, "Password:");
	printable(NULL, 0, "");
	printable("a\x1b[2Jb", 0, "a[2Jb");
	printable("line1\nline2\r\n", 1, "line1\nline2\n");
	printable("line1\nline2\r\n", 0, "line1line2");
	printable("tab\there", 0, "tab here");
	printable("bell\x07\x7f", 0, "bell");
	printable("c1\xc2\x9b"
		  "31mred",
		  0, "c131mred"); /* U+009B CSI */
	printable("raw\x9b"
		  "31m",
		  0, "raw?31m"); /* not UTF-8 */
	printable("\xe3\x83\xa1\xc3\xa9", 0, "\xe3\x83\xa1\xc3\xa9");
	printable("over\xc0\xaflong", 0, "over??long");
	printable("sur\xed\xa0\x80x", 0, "sur???x");
	printable("cut\xe3\x83", 0, "cut??");
	return check_summary("test_names");
}
