/* POSIX parts of pf/net.h: start-up and who holds a port (Linux /proc). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pf/net.h"

int pf_net_init(void)
{
	/* A client that vanished must be an error return, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

void pf_net_cleanup(void)
{
}

/* The socket inode listening on `port`, from /proc/net/tcp or tcp6. */
static unsigned long listening_inode(const char *table, int port)
{
	FILE *f = fopen(table, "r");
	char line[512];
	unsigned long inode = 0;

	if (f == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL) { /* header */
		fclose(f);
		return 0;
	}
	while (inode == 0 && fgets(line, sizeof(line), f) != NULL) {
		char local[128], remote[128];
		unsigned st, lport;
		unsigned long ino;
		char *colon;

		if (sscanf(line, "%*d: %127s %127s %x %*s %*s %*s %*d %*d %lu", local, remote, &st,
			   &ino) != 4)
			continue;
		colon = strrchr(local, ':');
		if (colon == NULL || sscanf(colon + 1, "%x", &lport) != 1)
			continue;
		if (st == 0x0A && (int)lport == port) /* TCP_LISTEN */
			inode = ino;
	}
	fclose(f);
	return inode;
}

int pf_net_port_owner(int port, char *buf, size_t size)
{
	unsigned long inode = listening_inode("/proc/net/tcp", port);
	char want[64], path[300], link[128], comm[64];
	DIR *proc;
	struct dirent *e;
	int found = -1, scanned = 0;

	if (inode == 0)
		inode = listening_inode("/proc/net/tcp6", port);
	if (inode == 0)
		return -1;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	proc = opendir("/proc");
	if (proc == NULL)
		return -1;
	/* Bounded: a few thousand processes at most. */
	while (found < 0 && scanned < 4096 && (e = readdir(proc)) != NULL) {
		DIR *fds;
		struct dirent *fe;
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end != '\0' || pid <= 0)
			continue;
		scanned++;
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		fds = opendir(path);
		if (fds == NULL)
			continue;
		while ((fe = readdir(fds)) != NULL) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%ld/fd/%.64s", pid, fe->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) == 0) {
				FILE *cf;

				snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
				cf = fopen(path, "r");
				comm[0] = '\0';
				if (cf != NULL) {
					if (fgets(comm, sizeof(comm), cf) == NULL)
						comm[0] = '\0';
					fclose(cf);
				}
				comm[strcspn(comm, "\n")] = '\0';
				snprintf(buf, size, "%s, PID %ld", comm[0] ? comm : "?", pid);
				found = 0;
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}
