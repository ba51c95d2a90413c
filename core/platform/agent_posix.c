/* POSIX: libssh talks to SSH_AUTH_SOCK / IdentityAgent by itself. */
#include "pf/agent.h"

pf_rc pf_agent_open(const char *identity_agent, pf_agent **out, pf_socket *sock, pf_error *err)
{
	(void)identity_agent;
	(void)err;
	*out = NULL;
	*sock = PF_INVALID_SOCKET;
	return PF_E_UNSUPPORTED;
}

void pf_agent_close(pf_agent *a)
{
	(void)a;
}
