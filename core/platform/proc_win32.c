/* ProxyCommand children on Windows (pf/proc.h): not yet. A ProxyCommand
 * that is not a recognised helper (connect -H/-S, nc -X, ncat --proxy,
 * ssh -W, all done natively) is refused with one message. */
#include "pf/proc.h"

pf_rc pf_proc_start(const char *command, const char *cwd, pf_proc_line_fn on_line, void *ctx,
		    pf_socket *sock, pf_proc **out, pf_error *err)
{
	(void)command;
	(void)cwd;
	(void)on_line;
	(void)ctx;
	*sock = PF_INVALID_SOCKET;
	*out = NULL;
	return pf_error_set(
		err, PF_E_UNSUPPORTED,
		"This version of PortForwarder for Windows does not run ProxyCommand "
		"programs yet; it does connect -H/-S, nc -X -x, ncat --proxy and ssh -W "
		"lines itself.");
}

int pf_proc_exited(pf_proc *p, int *code)
{
	(void)p;
	*code = 0;
	return 1;
}

void pf_proc_last_line(pf_proc *p, char *buf, size_t size)
{
	(void)p;
	if (size > 0)
		buf[0] = '\0';
}

void pf_proc_end(pf_proc *p)
{
	(void)p;
}
