/* Windows parts of pf/net.h: Winsock start-up and who holds a port. */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <stdio.h>
#include <stdlib.h>

#include "pf/mem.h"
#include "pf/net.h"
#include "pf/platform.h"

int pf_net_init(void)
{
	WSADATA wsa;

	return WSAStartup(MAKEWORD(2, 2), &wsa) == 0 ? 0 : -1;
}

void pf_net_cleanup(void)
{
	WSACleanup();
}

/* The PID listening on `port` in one address family's table, or 0. */
static DWORD listener_pid(ULONG family, int port)
{
	DWORD size = 0, pid = 0, i;
	void *table = NULL;

	if (GetExtendedTcpTable(NULL, &size, FALSE, family, TCP_TABLE_OWNER_PID_LISTENER, 0) !=
	    ERROR_INSUFFICIENT_BUFFER)
		return 0;
	table = malloc(size);
	if (table == NULL)
		return 0;
	if (GetExtendedTcpTable(table, &size, FALSE, family, TCP_TABLE_OWNER_PID_LISTENER, 0) !=
	    NO_ERROR) {
		free(table);
		return 0;
	}
	if (family == AF_INET) {
		MIB_TCPTABLE_OWNER_PID *t = table;

		for (i = 0; i < t->dwNumEntries && pid == 0; i++)
			if (ntohs((u_short)t->table[i].dwLocalPort) == port)
				pid = t->table[i].dwOwningPid;
	} else {
		MIB_TCP6TABLE_OWNER_PID *t = table;

		for (i = 0; i < t->dwNumEntries && pid == 0; i++)
			if (ntohs((u_short)t->table[i].dwLocalPort) == port)
				pid = t->table[i].dwOwningPid;
	}
	free(table);
	return pid;
}

int pf_net_port_owner(int port, char *buf, size_t size)
{
	DWORD pid = listener_pid(AF_INET, port);
	HANDLE h;
	wchar_t image[MAX_PATH];
	DWORD len = MAX_PATH;
	char *name = NULL;

	if (pid == 0)
		pid = listener_pid(AF_INET6, port);
	if (pid == 0)
		return -1;
	h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
	if (h != NULL) {
		if (QueryFullProcessImageNameW(h, 0, image, &len))
			name = pf_wide_to_utf8(image);
		CloseHandle(h);
	}
	snprintf(buf, size, "%s, PID %lu", name ? pf_path_basename(name) : "?", (unsigned long)pid);
	free(name);
	return 0;
}
