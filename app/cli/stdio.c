/* pf -W host:port (stdio forwarding, as ssh -W): standard input and output
 * bridged to one end of a socket pair; the session serves the other end as
 * the one client of a forward to host:port (pf_session_opts.stdio_host).
 * Two threads copy: standard input -> socket (a half-close at the end of
 * input; detached, since a read of standard input cannot be interrupted
 * portably and the process ends with the session), socket -> standard
 * output (joined; standard output is closed when the stream ends, so the
 * program reading it sees the end). Raw reads and writes (read/write,
 * ReadFile/WriteFile): no stdio buffering, no text-mode translation. */
#include <stdlib.h>

#include "cli.h"
#include "pf/mem.h"
#include "pf/platform.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#define STDIO_BUF (32 * 1024)

struct cli_stdio {
	pf_socket sock; /* our end of the pair */
	pf_session *s;  /* stopped when standard output is gone */
	pf_thread *out;
};

/* Bytes read from standard input (> 0), or 0 at its end or on error. */
static long read_in(void *buf, size_t size)
{
#ifdef _WIN32
	DWORD n = 0;

	if (!ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, (DWORD)size, &n, NULL))
		return 0;
	return (long)n;
#else
	for (;;) {
		ssize_t n = read(0, buf, size);

		if (n < 0 && errno == EINTR)
			continue;
		return n > 0 ? (long)n : 0;
	}
#endif
}

/* All of buf to standard output: 0, or -1 when it is gone. */
static int write_out(const unsigned char *buf, size_t n)
{
	while (n > 0) {
#ifdef _WIN32
		DWORD w = 0;

		if (!WriteFile(GetStdHandle(STD_OUTPUT_HANDLE), buf, (DWORD)n, &w, NULL) || w == 0)
			return -1;
#else
		ssize_t w = write(1, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
#endif
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static void close_out(void)
{
#ifdef _WIN32
	CloseHandle(GetStdHandle(STD_OUTPUT_HANDLE));
	SetStdHandle(STD_OUTPUT_HANDLE, NULL);
#else
	/* Standard output may be a socket shared with standard input (pf as
	 * another program's ProxyCommand): the reader sees the end only after a
	 * shutdown. */
	(void)shutdown(1, SHUT_WR);
	close(1);
#endif
}

static void in_to_socket(void *arg)
{
	pf_socket sock = *(pf_socket *)arg;
	unsigned char *buf = malloc(STDIO_BUF);
	long n;

	free(arg);
	while (buf != NULL && (n = read_in(buf, STDIO_BUF)) > 0)
		if (pf_net_send_all(sock, buf, (size_t)n, -1) != 0)
			break;
	free(buf);
	pf_net_shutdown_write(sock);
}

static void socket_to_out(void *arg)
{
	cli_stdio *io = arg;
	unsigned char *buf = malloc(STDIO_BUF);

	while (buf != NULL) {
		pf_pollfd p = {io->sock, PF_POLL_IN, 0};
		long n;

		if (pf_net_poll(&p, 1, -1) < 0)
			break;
		n = pf_net_recv(io->sock, buf, STDIO_BUF);
		if (n == PF_E_NOTFOUND)
			continue;
		if (n <= 0)
			break;
		if (write_out(buf, (size_t)n) != 0) {
			/* The reader went away: so does the stream (as ssh -W). */
			pf_session_stop(io->s);
			break;
		}
	}
	free(buf);
	close_out();
}

int cli_stdio_start(pf_socket sock, pf_session *s, cli_stdio **out)
{
	cli_stdio *io = PF_NEW(cli_stdio);
	pf_socket *arg = PF_NEW(pf_socket);

	*out = NULL;
	if (io == NULL || arg == NULL) {
		free(io);
		free(arg);
		return -1;
	}
	io->sock = sock;
	io->s = s;
	*arg = sock;
	if (pf_thread_start(&io->out, socket_to_out, io) != PF_OK) {
		free(io);
		free(arg);
		return -1;
	}
	if (pf_thread_start_detached(in_to_socket, arg) != PF_OK) {
		free(arg);
		pf_session_stop(s);
	}
	*out = io;
	return 0;
}

void cli_stdio_finish(cli_stdio *io)
{
	if (io == NULL)
		return;
	/* The session closed its end: what is still in the pair is written
	 * out, then the thread sees the end. Our end stays open for the input
	 * thread, which the process's exit ends. */
	pf_thread_join(io->out);
	free(io);
}
