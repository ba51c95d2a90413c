/* pf's command line: the parsed options and the commands built on them.
 * main.c parses, dump.c implements -G, connect.c connects and keygen.c
 * makes keys, all working from the same cli_opts and cli_resolve(). */
#ifndef PF_CLI_H
#define PF_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "pf/config.h"
#include "pf/fwdspec.h"
#include "pf/session.h"

typedef enum cli_action {
	PF_CLI_CONNECT = 0, /* the default: connect to the host */
	PF_CLI_DUMP,        /* -G: print the effective configuration and exit */
	PF_CLI_VERSION,     /* -V / --version */
	PF_CLI_HELP         /* -h / --help */
} cli_action;

/* `pf [-F config] [-G] [-N] [-v...] [-o Key=Value]... [-L spec]... [-R spec]...
 *     [-D spec]... [-l user] [-p port] [user@]host`. Strings point into argv
 * unless noted; cli_opts_free releases what the struct owns. */
typedef struct cli_opts {
	cli_action action;
	const char *config_file; /* -F; NULL = ~/.ssh/config if present; "none" = no file */
	int no_command;          /* -N (pf never runs commands; accepted for ssh users) */
	int verbose;             /* number of -v */
	char **overrides;        /* -o values, then "Port=N" from -p (owned) */
	size_t n_overrides;
	pf_fwdspec *forwards; /* -L/-R/-D in order (owned) */
	size_t n_forwards;
	char *user;                  /* -l, else the user@ part (owned) */
	int user_from_l;             /* user came from -l (which wins over user@) */
	char *host;                  /* the host part (owned) */
	unsigned max_tunnels;        /* --max-tunnels; 0 = the core's default */
	unsigned hold_s;             /* --hold; 0 = the core's default */
	unsigned max_held;           /* --max-held; 0 = the core's default */
	int on_demand;               /* --on-demand: connect when the first client arrives */
	unsigned idle_disconnect_ms; /* --idle-disconnect MINUTES (may be 0.5); 0 = never */
	char *stdio_host;            /* -W host:port (owned), else NULL */
	int stdio_port;
} cli_opts;

/* Parse argv. Returns 0 when opts is ready, or an exit status (2) after
 * printing a message to stderr. */
int cli_parse(int argc, char **argv, cli_opts *opts);
void cli_opts_free(cli_opts *opts);

/* Load the config (if any) and resolve opts->host. Prints every
 * diagnostic to `err` (verbose ones only with -v). Returns 0 and *hc, or
 * the exit status (1) after printing why. Caller frees *hc. */
int cli_resolve(const cli_opts *opts, FILE *err, pf_host_config **hc);

/* Print diagnostics: all but verbose ones, those too when verbose > 0. */
void cli_print_diags(const pf_diags *d, int verbose, FILE *err);

/* -G: print the effective configuration like `ssh -G`. Returns the exit status. */
int cli_dump(const cli_opts *opts);

/* One answer from the person (prompt.c): from $SSH_ASKPASS when
 * SSH_ASKPASS_REQUIRE=force or there is no terminal, else typed on standard
 * input (echo off unless `echo`), read without stdio buffering so no copy
 * of a secret is left behind. The prompt is shown as given plus a space.
 * Returns 0, or -1 when there is no answer (end of input, askpass failed). */
int cli_read_answer(const char *prompt, int echo, char *buf, size_t size);

/* Typed answers (passwords, host key questions) from the terminal itself
 * (/dev/tty, CONIN$) instead of standard input, which pf -W uses for data
 * (prompt.c). Without a terminal, only SSH_ASKPASS can answer. */
void cli_answers_from_terminal(void);

/* From begin to end, Ctrl-C and SIGTERM (Windows: Ctrl-C and Ctrl-Break)
 * stop `s`, and cancel a prompt it is waiting on.
 * Without them, a prompt that is cancelled ends pf as the signal would
 * (pf keygen). prompt.c. */
void cli_interrupt_begin(pf_session *s);
void cli_interrupt_end(void);

/* The exit status a shell expects of a pf whose prompt a signal cancelled
 * (128 + the signal; Windows: STATUS_CONTROL_C_EXIT), or 0 when none was. */
int cli_prompt_cancel_status(void);

/* pf -W (stdio.c): copy standard input to `sock` and `sock` to standard
 * output on threads of their own; `s` (the session serving the other end)
 * is stopped when standard output is gone. cli_stdio_finish, after the
 * session ended, waits until the rest is written and frees. 0 or -1. */
typedef struct cli_stdio cli_stdio;
int cli_stdio_start(pf_socket sock, pf_session *s, cli_stdio **out);
void cli_stdio_finish(cli_stdio *io);

/* Connect and forward until Ctrl-C (connect.c). Returns the exit status:
 * 0 after a clean stop, 1 after a failure (its one message printed). */
int cli_connect(const cli_opts *opts);

/* `pf keygen [-t type] [-b bits] [-C comment] [-f file] [-N passphrase]`
 * (keygen.c); argv[0] is "keygen". Returns the exit status. */
int cli_keygen(int argc, char **argv);

#endif
