/* The user's SSH agent, as libssh wants it: one connected socket
 * (ssh_set_agent_socket). On POSIX libssh connects to SSH_AUTH_SOCK or the
 * IdentityAgent path itself, so pf_agent_open answers PF_E_UNSUPPORTED and
 * the caller lets libssh do it. On Windows the agent is OpenSSH's named pipe
 * (\\.\pipe\openssh-ssh-agent, or a pipe named in SSH_AUTH_SOCK or
 * IdentityAgent) or PuTTY's Pageant (its window message protocol), reached
 * through a bridge thread on the other end of a socket pair. */
#ifndef PF_AGENT_H
#define PF_AGENT_H

#include "pf/error.h"
#include "pf/net.h"

typedef struct pf_agent pf_agent;

/* identity_agent: IdentityAgent as configured, NULL for the default
 * ("SSH_AUTH_SOCK" means the same; "pageant" means Pageant only). On
 * success *sock is for libssh (which closes it with the session) and *out
 * must be freed with pf_agent_close after that. PF_E_NOTFOUND: no agent is
 * running; PF_E_UNSUPPORTED: let libssh connect by itself (POSIX). */
pf_rc pf_agent_open(const char *identity_agent, pf_agent **out, pf_socket *sock, pf_error *err);
/* Wait for the bridge to end (its socket closed) and free. NULL is fine. */
void pf_agent_close(pf_agent *a);

#endif
