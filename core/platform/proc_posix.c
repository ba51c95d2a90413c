/* ProxyCommand children on POSIX (pf/proc.h): fork, the socket pair's end
 * as stdin and stdout, a pipe as stderr, /bin/sh -c "exec command". */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/proc.h"

struct pf_proc {
	pid_t pid;
	int err_fd; /* read end of the child's stderr */
	pf_thread *reader;
	pf_mutex *mu;
	int stop;        /* under mu: the reader should end */
	int eof;         /* under mu: the reader has read everything */
	pf_wakeup *wake; /* pf_proc_end wakes the reader */
	int exited;      /* under mu */
	int code;        /* under mu */
	char last[512];  /* under mu */
	pf_proc_line_fn on_line;
	void *ctx;
};

static void reap(pf_proc *p, int block)
{
	int st;
	pid_t r;

	pf_mutex_lock(p->mu);
	if (!p->exited) {
		do
			r = waitpid(p->pid, &st, block ? 0 : WNOHANG);
		while (r < 0 && errno == EINTR);
		if (r == p->pid) {
			p->exited = 1;
			p->code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
	}
	pf_mutex_unlock(p->mu);
}

static void emit(pf_proc *p, char *line, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] >= 0x20 && line[i] != 0x7f)
			line[o++] = line[i];
		else if (line[i] == '\t')
			line[o++] = ' ';
	line[o] = '\0';
	if (o == 0)
		return;
	pf_mutex_lock(p->mu);
	pf_strlcpy(p->last, line, sizeof(p->last));
	pf_mutex_unlock(p->mu);
	if (p->on_line != NULL)
		p->on_line(p->ctx, line);
}

static void read_stderr(void *arg)
{
	pf_proc *p = arg;
	char line[512];
	size_t n = 0;

	for (;;) {
		struct pollfd q[2] = {{p->err_fd, POLLIN, 0}, {pf_wakeup_fd(p->wake), POLLIN, 0}};
		char buf[256];
		ssize_t r;
		int stop, i;

		pf_mutex_lock(p->mu);
		stop = p->stop;
		pf_mutex_unlock(p->mu);
		if (stop)
			break;
		/* No period: the pipe or pf_proc_end's wake-up. */
		if (poll(q, 2, -1) <= 0 || !(q[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(p->err_fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (i = 0; i < r; i++) {
			if (buf[i] == '\n' || n == sizeof(line) - 1) {
				emit(p, line, n);
				n = 0;
				if (buf[i] == '\n')
					continue;
			}
			line[n++] = buf[i];
		}
	}
	if (n > 0)
		emit(p, line, n);
	pf_mutex_lock(p->mu);
	p->eof = 1;
	pf_mutex_unlock(p->mu);
}

/* Once the child is gone, its last words may still be in the pipe: give
 * the reader up to `ms` to take them (less if something the child started
 * still holds the pipe open). */
static void drain(pf_proc *p, int ms)
{
	int i, eof = 0;

	for (i = 0; i < ms / 10; i++) {
		pf_mutex_lock(p->mu);
		eof = p->eof;
		pf_mutex_unlock(p->mu);
		if (eof || p->reader == NULL)
			return;
		pf_sleep_ms(10);
	}
}

pf_rc pf_proc_start(const char *command, const char *cwd, pf_proc_line_fn on_line, void *ctx,
		    pf_socket *sock, pf_proc **out, pf_error *err)
{
	pf_proc *p = PF_NEW(pf_proc);
	pf_socket sv[2] = {PF_INVALID_SOCKET, PF_INVALID_SOCKET};
	int ep[2] = {-1, -1};
	char *script = NULL;

	*out = NULL;
	*sock = PF_INVALID_SOCKET;
	if (p == NULL || (p->mu = pf_mutex_new()) == NULL || pf_wakeup_new(&p->wake) != PF_OK ||
	    (script = pf_asprintf("exec %s", command)) == NULL) {
		free(script);
		if (p != NULL) {
			pf_mutex_free(p->mu);
			pf_wakeup_free(p->wake);
		}
		free(p);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	p->err_fd = -1;
	p->on_line = on_line;
	p->ctx = ctx;
	if (pf_net_socketpair(sv) != PF_OK || pipe(ep) != 0) {
		pf_error_set(err, PF_E_IO, "Cannot make the pipes for the ProxyCommand: %s",
			     strerror(errno));
		goto fail;
	}
	p->pid = fork();
	if (p->pid < 0) {
		pf_error_set(err, PF_E_IO, "Cannot start the ProxyCommand: %s", strerror(errno));
		goto fail;
	}
	if (p->pid == 0) {
		/* The child: only async-signal-safe calls until exec. */
		int fd = (int)sv[1], fl = fcntl(fd, F_GETFL), max = (int)sysconf(_SC_OPEN_MAX), i;

		if (fl >= 0)
			fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(ep[1], 2) < 0)
			_exit(127);
		if (max < 0 || max > 65536)
			max = 65536;
		for (i = 3; i < max; i++)
			close(i);
		signal(SIGPIPE, SIG_DFL);
		if (cwd != NULL && chdir(cwd) != 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	free(script);
	script = NULL;
	pf_net_close(sv[1]);
	close(ep[1]);
	p->err_fd = ep[0];
	fcntl(p->err_fd, F_SETFD, FD_CLOEXEC);
	if (pf_thread_start(&p->reader, read_stderr, p) != PF_OK) {
		pf_error_set(err, PF_E_INTERNAL, "Cannot start a thread");
		*sock = sv[0];
		*out = p;
		pf_proc_end(p);
		pf_net_close(sv[0]);
		*sock = PF_INVALID_SOCKET;
		*out = NULL;
		return PF_E_INTERNAL;
	}
	*sock = sv[0];
	*out = p;
	return PF_OK;
fail:
	free(script);
	pf_net_close(sv[0]);
	pf_net_close(sv[1]);
	if (ep[0] >= 0)
		close(ep[0]);
	if (ep[1] >= 0)
		close(ep[1]);
	pf_mutex_free(p->mu);
	pf_wakeup_free(p->wake);
	free(p);
	return PF_E_IO;
}

int pf_proc_exited(pf_proc *p, int *code)
{
	int done;

	reap(p, 0);
	pf_mutex_lock(p->mu);
	done = p->exited;
	*code = p->code;
	pf_mutex_unlock(p->mu);
	return done;
}

void pf_proc_last_line(pf_proc *p, char *buf, size_t size)
{
	int code;

	if (pf_proc_exited(p, &code))
		drain(p, 500);
	pf_mutex_lock(p->mu);
	pf_strlcpy(buf, p->last, size);
	pf_mutex_unlock(p->mu);
}

void pf_proc_end(pf_proc *p)
{
	int i, code;

	if (p == NULL)
		return;
	if (!pf_proc_exited(p, &code)) {
		kill(p->pid, SIGTERM);
		for (i = 0; i < 40 && !pf_proc_exited(p, &code); i++)
			pf_sleep_ms(50);
		if (!pf_proc_exited(p, &code)) {
			kill(p->pid, SIGKILL);
			reap(p, 1);
		}
	}
	if (p->reader != NULL) {
		drain(p, 500);
		pf_mutex_lock(p->mu);
		p->stop = 1;
		pf_mutex_unlock(p->mu);
		pf_wakeup_signal(p->wake);
		pf_thread_join(p->reader);
	}
	if (p->err_fd >= 0)
		close(p->err_fd);
	pf_mutex_free(p->mu);
	pf_wakeup_free(p->wake);
	free(p);
}

/* SSH_ASKPASS: the program with the prompt as its one argument (an
 * argument vector, no shell), its stdout a pipe we read, its stdin
 * /dev/null; every other descriptor of ours above stderr closed in the
 * child. */
int pf_proc_askpass(const char *prog, const char *prompt, char *buf, size_t size, pf_error *err)
{
	int fd[2], st = 0;
	size_t got = 0;
	pid_t pid;

	pf_error_clear(err);
	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (pipe(fd) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		int nul;

		dup2(fd[1], 1);
		/* Not our stdin: with pf -W it is the tunnel's byte stream. */
		nul = open("/dev/null", O_RDONLY);
		if (nul < 0 || (nul != 0 && dup2(nul, 0) != 0))
			_exit(127);
		closefrom(3); /* nothing of ours but the pipe and stderr */
		execlp(prog, prog, prompt, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (got + 1 < size) {
		ssize_t n = read(fd[0], buf + got, size - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd[0]);
	buf[got] = '\0';
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}
