/* A ProxyCommand child process: its standard input and output are one end
 * of a socket pair (the other end, *sock, is what libssh talks over), its
 * standard error is read line by line by a thread of the process object and
 * handed to `on_line` (control characters already removed). POSIX runs the
 * command with /bin/sh -c "exec ...", as OpenSSH does. Windows runs it
 * without a shell, as PortForwarder 2.9 did (proc_win32.c): an argument
 * vector split by the C runtime's rules, a bare program name looked for in
 * `cwd` first, a hidden console, only its three pipes inherited, a job
 * object that takes down what it started. Created and ended by one thread
 * (the worker); on_line is called from the reader thread. */
#ifndef PF_PROC_H
#define PF_PROC_H

#include "pf/error.h"
#include "pf/net.h"

typedef struct pf_proc pf_proc;

/* A line the command wrote to standard error, without its newline.
 * Borrowed for the call. */
typedef void (*pf_proc_line_fn)(void *ctx, const char *line);

/* Start `command` in folder `cwd` (NULL: the current one; on Windows also
 * first on the search path). *sock: the parent's end, non-blocking.
 * PF_E_NOTFOUND when the shell or program cannot be started. */
pf_rc pf_proc_start(const char *command, const char *cwd, pf_proc_line_fn on_line, void *ctx,
		    pf_socket *sock, pf_proc **out, pf_error *err);

/* 1 when the child has ended, with *code its exit code (128+n for signal
 * n); 0 while it runs. Does not wait. */
int pf_proc_exited(pf_proc *p, int *code);

/* The last non-empty line of standard error so far, or "" (copied). */
void pf_proc_last_line(pf_proc *p, char *buf, size_t size);

/* End the child (a polite signal, then a kill after 2 s), wait for it and
 * for the reader thread, free. NULL is fine. */
void pf_proc_end(pf_proc *p);

/* Run `prog` with `prompt` as its one argument, as SSH_ASKPASS is run, and
 * read what it writes to standard output into buf (NUL-terminated, at most
 * size-1 bytes, the rest refused; the caller cuts at the first newline and
 * wipes it). No shell. Its standard input is NUL (/dev/null), never ours.
 * Windows: the program resolved to a full path (lpApplicationName) that
 * must be an .exe/.com (a .bat/.cmd would pass the prompt through
 * cmd.exe: refused), the command line quoted so that the program's argv[1]
 * (CommandLineToArgvW and the C runtime) is exactly `prompt`, and the
 * child inherits its stdout pipe, NUL and our stderr only (a handle list:
 * no socket or file of ours; POSIX: descriptors above 2 closed). Waits
 * for the program. 0 when it exited 0, else -1; err (may be NULL) says why
 * when the program could not be run (not set when it ran and exited
 * non-zero, e.g. cancelled). */
int pf_proc_askpass(const char *prog, const char *prompt, char *buf, size_t size, pf_error *err);

#endif
