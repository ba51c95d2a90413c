/* ProxyCommand, read as OpenSSH and PortForwarder 2.9 read it: the %-token
 * expansion, and the recognition of the common proxy helpers (connect,
 * nc -X, ncat --proxy, ssh -W) whose job the core does natively, so no
 * program runs. Pure functions over a resolved pf_host_config: no I/O.
 * Internal to the core (transport.c) and its unit tests. */
#ifndef PFI_PROXYCMD_H
#define PFI_PROXYCMD_H

#include <stddef.h>

#include "pf/config.h"
#include "pf/proxy.h"

/* Expand %h (HostName), %p (Port), %r (User), %n (the host name as given)
 * and %% in hc->proxy_command. A host or user name that came from the
 * command line (or the GUI's Host box) rather than the config file and
 * holds a shell metacharacter or a control character is refused first
 * (pf_names_check_cli_host/_user; OpenSSH 9.6, CVE-2023-51385). Any other %-token
 * is an error naming the config line. *out: caller frees. */
pf_rc pfi_proxycmd_expand(const pf_host_config *hc, char **out, pf_error *err);

/* Split a command line as POSIX sh would split a simple command: blanks
 * separate words; '...' and "..." quote (\ escapes " \ $ ` inside "..."),
 * outside quotes \ escapes a quote, a blank or a backslash and is
 * otherwise literal (Windows paths). Returns 1 with *argv (caller
 * frees with pf_strv_free(*argv, *argc)) when the line is one simple
 * command with words only; 0 when it uses anything else of the shell
 * (| ; & < > ( ) $ ` * ? ~ # at a word start, an open quote): then it
 * is not a helper line and only a shell can run it. -1 on OOM. */
int pfi_proxycmd_split(const char *cmd, char ***argv, size_t *argc);

/* Split a command line as the Microsoft C runtime splits it for main()
 * (and CommandLineToArgvW): the program name up to the first blank, a
 * quote only toggling quoting (no escapes); then blank-separated words in
 * which "..." quotes, 2n backslashes before a quote are n backslashes and
 * the quote counts, 2n+1 are n and a literal quote, other backslashes are
 * literal, and "" inside quotes is a literal quote. *prog_end: where the
 * program name ends in cmd (a cmd.exe line's rest is passed on as
 * written). An empty line gives argc 0. 0, or -1 when out of memory;
 * caller frees with pf_strv_free. */
int pfi_proxycmd_split_windows(const char *cmd, char ***argv, size_t *argc, size_t *prog_end);

/* The command line from which the Microsoft C runtime gives a program
 * exactly argv[0..argc) (the inverse of pfi_proxycmd_split_windows):
 * words with a blank, a quote or nothing are quoted, backslashes doubled
 * where they precede a quote. Caller frees; NULL when out of memory. */
char *pfi_proxycmd_join_windows(char *const *argv, size_t argc);

typedef enum pfi_proxy_how {
	PFI_PROXY_RUN = 0, /* run the command (not a helper, or a helper with
			      an option the native path does not do) */
	PFI_PROXY_NATIVE,  /* talk to an HTTP/SOCKS proxy ourselves */
	PFI_PROXY_JUMP     /* ssh -W %h:%p jump: a ProxyJump hop */
} pfi_proxy_how;

/* What a ProxyCommand line asks for. */
typedef struct pfi_proxy_plan {
	pfi_proxy_how how;
	const char *helper;   /* "connect", "nc", "ncat", "ssh"; NULL for RUN of another program */
	pf_proxy_type type;   /* NATIVE */
	char proxy_host[256]; /* NATIVE: the proxy */
	int proxy_port;       /* NATIVE */
	char proxy_user[256]; /* NATIVE: user name from the line, or "" */
	char jump[600];       /* JUMP: "[user@]host[:port]" */
	char unsupported[64]; /* RUN of a helper: the option not done natively, else "" */
	char *command;        /* the expanded line (always set; caller frees via clear) */
} pfi_proxy_plan;

/* Read hc->proxy_command: expand it, then recognise a helper whose
 * destination words are exactly hc's host and port. Caller calls
 * pfi_proxy_plan_clear. */
pf_rc pfi_proxycmd_plan(const pf_host_config *hc, pfi_proxy_plan *plan, pf_error *err);
void pfi_proxy_plan_clear(pfi_proxy_plan *plan);

#endif
