/* pf/netextra.h on Windows. */
#include <winsock2.h>

#include "pf/netextra.h"

void pf_net_set_backlog(pf_socket listener, int backlog)
{
	/* Winsock keeps the first backlog of a listening socket; closing and
	 * binding again would race with other programs for the port. So
	 * this is a no-op there, and SOMAXCONN should be asked for at the
	 * first listen(). */
	(void)listener;
	(void)backlog;
}
