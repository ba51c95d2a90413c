/* Socket facilities the forwarding engine needs beyond pf/net.h. */
#ifndef PF_NETEXTRA_H
#define PF_NETEXTRA_H

#include "pf/net.h"

/* Let a listening socket queue up to `backlog` connections not yet
 * accepted (a burst of clients), or the system's maximum when smaller.
 * Best effort: on failure the old backlog stays. */
void pf_net_set_backlog(pf_socket listener, int backlog);

#endif
