/* pf/netextra.h on POSIX. */
#include <sys/socket.h>

#include "pf/netextra.h"

void pf_net_set_backlog(pf_socket listener, int backlog)
{
	/* listen() again on a listening socket only changes its backlog;
	 * the kernel caps it at somaxconn. */
	(void)listen(listener, backlog);
}
