/* Helpers for the forwarding engine's integration tests (Linux only):
 * a front end that records every status, an echo service on a thread,
 * a many-socket client that checks every byte, counts of this process's
 * threads and descriptors, and signals to an sshd with its children.
 * Header-only (static functions) so each test stays one program. */
#ifndef PF_ENGINE_UTIL_H
#define PF_ENGINE_UTIL_H

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pf/config.h"
#include "pf/mem.h"
#include "pf/platform.h"
#include "pf/session.h"
#include "test_ui.h"

/* --- a recording front end ----------------------------------------------- */

#define REC_MAX_FWD 8

typedef struct rec_ui {
	pf_ui ui;
	pf_mutex *mu;
	pf_cond *cv;
	/* The last status, strings copied. */
	pf_conn_state state;
	int connected_times; /* transitions into CONNECTED */
	unsigned reconnects, retry_in_s;
	uint64_t uptime_s;
	char server[300], algorithms[256], last_error[1024];
	size_t nfwd;
	pf_fwd_status fwd[REC_MAX_FWD];
	char fwd_listen[REC_MAX_FWD][300];
	unsigned long publishes;
	const char *secret; /* the answer to every passphrase question */
	int secret_asks;
	char log[1 << 16];
} rec_ui;

static inline void rec_status(void *ctx, const pf_status *st)
{
	rec_ui *r = ctx;
	size_t i;

	pf_mutex_lock(r->mu);
	if (st->state == PF_CONN_CONNECTED && r->state != PF_CONN_CONNECTED)
		r->connected_times++;
	r->state = st->state;
	r->reconnects = st->reconnects;
	r->retry_in_s = st->retry_in_s;
	r->uptime_s = st->uptime_s;
	snprintf(r->server, sizeof(r->server), "%s", st->server ? st->server : "");
	snprintf(r->algorithms, sizeof(r->algorithms), "%s", st->algorithms ? st->algorithms : "");
	snprintf(r->last_error, sizeof(r->last_error), "%s", st->last_error ? st->last_error : "");
	r->nfwd = st->nforwards < REC_MAX_FWD ? st->nforwards : REC_MAX_FWD;
	for (i = 0; i < r->nfwd; i++) {
		r->fwd[i] = st->forwards[i];
		snprintf(r->fwd_listen[i], sizeof(r->fwd_listen[i]), "%s",
			 st->forwards[i].listen ? st->forwards[i].listen : "");
		r->fwd[i].listen = r->fwd[i].destination = r->fwd[i].error = NULL;
	}
	r->publishes++;
	pf_cond_broadcast(r->cv);
	pf_mutex_unlock(r->mu);
}

static inline void rec_log(void *ctx, pf_log_level level, const char *conn, const char *msg)
{
	rec_ui *r = ctx;

	(void)level;
	pf_mutex_lock(r->mu);
	fprintf(stderr, "[%s] %s\n", conn ? conn : "-", msg);
	if (strlen(r->log) + strlen(msg) + 2 < sizeof(r->log)) {
		pf_strlcat(r->log, msg, sizeof(r->log));
		pf_strlcat(r->log, "\n", sizeof(r->log));
	}
	pf_mutex_unlock(r->mu);
}

static inline void rec_secret(void *ctx, const pf_secret_request *req, pf_secret_done_fn done,
			      void *token)
{
	rec_ui *r = ctx;
	const char *answer;

	(void)req;
	pf_mutex_lock(r->mu);
	r->secret_asks++;
	answer = r->secret;
	pf_mutex_unlock(r->mu);
	done(token, answer);
}

static inline void rec_init(rec_ui *r)
{
	memset(r, 0, sizeof(*r));
	r->mu = pf_mutex_new();
	r->cv = pf_cond_new();
	r->ui.status_changed = rec_status;
	r->ui.log = rec_log;
	r->ui.ask_secret = rec_secret;
	r->ui.ctx = r;
}

static inline void rec_free(rec_ui *r)
{
	pf_mutex_free(r->mu);
	pf_cond_free(r->cv);
}

/* Wait until the state is `st` (and, when times > 0, CONNECTED was entered
 * at least `times` times). 1 when reached. */
static inline int rec_wait(rec_ui *r, pf_conn_state st, int times, int timeout_ms)
{
	uint64_t end = pf_time_ms() + (uint64_t)timeout_ms;
	int ok;

	pf_mutex_lock(r->mu);
	for (;;) {
		uint64_t now = pf_time_ms();

		ok = r->state == st && (times <= 0 || r->connected_times >= times);
		if (ok || now >= end)
			break;
		pf_cond_wait(r->cv, r->mu, (int)(end - now));
	}
	pf_mutex_unlock(r->mu);
	return ok;
}

static inline int rec_log_has(rec_ui *r, const char *needle)
{
	int has;

	pf_mutex_lock(r->mu);
	has = strstr(r->log, needle) != NULL;
	pf_mutex_unlock(r->mu);
	return has;
}

/* rec_log_has within ms: a state is published before the log line that
 * explains it, so a test that saw the state waits a moment for the line. */
static inline int rec_log_wait(rec_ui *r, const char *needle, int ms)
{
	uint64_t end = pf_time_ms() + (uint64_t)ms;

	while (!rec_log_has(r, needle)) {
		if (pf_time_ms() >= end)
			return 0;
		pf_sleep_ms(20);
	}
	return 1;
}

/* A copy of forward i's last status (strings cleared). */
static inline pf_fwd_status rec_fwd(rec_ui *r, size_t i)
{
	pf_fwd_status f;

	pf_mutex_lock(r->mu);
	f = r->fwd[i];
	pf_mutex_unlock(r->mu);
	return f;
}

/* --- configuration --------------------------------------------------------- */

/* --- this process ------------------------------------------------------------ */

static inline int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - (strcmp(path, "/proc/self/fd") == 0); /* opendir's own */
}

static inline int count_threads(void)
{
	return count_dir("/proc/self/task");
}

static inline int count_fds(void)
{
	return count_dir("/proc/self/fd");
}

/* Wait (up to 3 s) until the thread count is `want`: a joined thread may
 * linger in /proc for a moment. */
static inline int threads_settle(int want)
{
	int i, n = count_threads();

	for (i = 0; i < 60 && n != want; i++) {
		pf_sleep_ms(50);
		n = count_threads();
	}
	return n;
}

/* --- an sshd and its children -------------------------------------------------- */

/* Send `sig` to every descendant of `pid` (sshd's per-connection
 * processes), and to pid itself when `self`. Returns how many. */
static inline int signal_tree(pid_t pid, int sig, int self)
{
	pid_t kids[256];
	int nk = 0, i, n = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && nk < 256) {
		char path[300], buf[512], *p;
		FILE *f;
		long pp = 0;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL &&
		    sscanf(p + 1, " %*c %ld", &pp) == 1 && pp == (long)pid)
			kids[nk++] = (pid_t)strtol(de->d_name, NULL, 10);
		fclose(f);
	}
	closedir(d);
	for (i = 0; i < nk; i++)
		n += signal_tree(kids[i], sig, 1);
	if (self && kill(pid, sig) == 0)
		n++;
	return n;
}

/* --- sockets ------------------------------------------------------------------- */

static inline void eng_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* A non-blocking connect to host (numeric v4 or v6) : port; -1 on failure. */
static inline int eng_connect(const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((unsigned short)port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((unsigned short)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	eng_nonblock(fd);
	if (connect(fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A listening socket on host (numeric v4 or v6) : port, or -1. */
static inline int eng_listen(const char *host, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((unsigned short)port);
		inet_pton(AF_INET6, host, &a->sin6_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((unsigned short)port);
		inet_pton(AF_INET, host, &a->sin_addr);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 when a connection to host:port is refused (nothing listens). */
static inline int eng_refused(const char *host, int port)
{
	int fd = eng_connect(host, port), e = 0;
	socklen_t len = sizeof(e);
	struct pollfd p;

	if (fd < 0)
		return errno == ECONNREFUSED;
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, 3000) == 1)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len);
	close(fd);
	return e == ECONNREFUSED;
}

/* The payload of connection i, byte j: different for every connection. */
static inline unsigned char eng_byte(unsigned i, size_t j)
{
	return (unsigned char)((i * 131u) ^ (unsigned)(j * 7u) ^ (unsigned)(j >> 9));
}

typedef struct eng_conn {
	int fd;
	unsigned id;
	size_t size, sent, got;
	int shut, done, bad, err;
} eng_conn;

/* Open n connections at once to host:port, each sending its own payload
 * (sizes from min to max), half-closing, and checking that exactly the
 * same bytes come back before EOF. Returns how many were intact; *ms gets
 * the time taken. Bounded by timeout_ms. */
static inline int eng_echo_many(const char *host, int port, unsigned n, size_t min, size_t max,
				int timeout_ms, uint64_t *total_bytes, uint64_t *ms)
{
	eng_conn *c = calloc(n, sizeof(*c));
	struct pollfd *p = calloc(n, sizeof(*p));
	unsigned char buf[16384];
	uint64_t start = pf_time_ms(), end = start + (uint64_t)timeout_ms;
	unsigned i, ok = 0, left = n;
	int bad_shown = 0;

	*total_bytes = 0;
	if (c == NULL || p == NULL) {
		free(c);
		free(p);
		return -1;
	}
	for (i = 0; i < n; i++) {
		c[i].id = i;
		c[i].size = min + (size_t)((i * 2654435761u) % (unsigned)(max - min + 1));
		c[i].fd = eng_connect(host, port);
		*total_bytes += c[i].size;
		if (c[i].fd < 0) {
			c[i].done = c[i].bad = 1;
			left--;
		}
	}
	while (left > 0 && pf_time_ms() < end) {
		for (i = 0; i < n; i++) {
			p[i].fd = c[i].done ? -1 : c[i].fd;
			p[i].events = (short)(POLLIN | (c[i].sent < c[i].size ? POLLOUT : 0));
			p[i].revents = 0;
		}
		if (poll(p, n, 500) < 0)
			break;
		for (i = 0; i < n; i++) {
			eng_conn *k = &c[i];
			ssize_t r;
			size_t j;

			if (k->done || p[i].revents == 0)
				continue;
			if ((p[i].revents & POLLOUT) && k->sent < k->size) {
				size_t len = k->size - k->sent;

				if (len > sizeof(buf))
					len = sizeof(buf);
				for (j = 0; j < len; j++)
					buf[j] = eng_byte(k->id, k->sent + j);
				r = send(k->fd, buf, len, MSG_NOSIGNAL);
				if (r > 0)
					k->sent += (size_t)r;
				else if (r < 0 && errno != EAGAIN && errno != EINTR)
					k->bad = k->done = 1, k->err = errno;
				if (k->sent == k->size && !k->shut) {
					shutdown(k->fd, SHUT_WR);
					k->shut = 1;
				}
			}
			if (!k->done && (p[i].revents & (POLLIN | POLLHUP | POLLERR))) {
				r = recv(k->fd, buf, sizeof(buf), 0);
				if (r > 0) {
					for (j = 0; j < (size_t)r; j++)
						if (k->got + j >= k->size ||
						    buf[j] != eng_byte(k->id, k->got + j))
							k->bad = 1;
					k->got += (size_t)r;
				} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
					k->done = 1;
					k->err = r < 0 ? errno : 0;
					if (r != 0 || k->got != k->size)
						k->bad = 1;
				}
			}
			if (k->done) {
				left--;
				if (!k->bad)
					ok++;
			}
		}
	}
	for (i = 0; i < n; i++) {
		if (c[i].bad && bad_shown++ < 5)
			fprintf(stderr,
				"connection %u: %s; sent %zu of %zu, got %zu back (errno %d)\n", i,
				c[i].fd < 0 ? "could not connect"
				: c[i].done ? "broken"
					    : "timed out",
				c[i].sent, c[i].size, c[i].got, c[i].err);
		if (c[i].fd >= 0)
			close(c[i].fd);
	}
	*ms = pf_time_ms() - start;
	free(c);
	free(p);
	return (int)ok;
}

/* --- an echo service on a thread ------------------------------------------------ */

#define ECHO_MAX 2048

typedef struct echo_srv {
	int lfd, port;
	pf_thread *th;
	pf_mutex *mu;
	int stop;
	unsigned long accepted;
} echo_srv;

typedef struct echo_conn {
	int fd;
	unsigned char buf[16384];
	size_t len, off;
	int eof;
} echo_conn;

static inline void echo_main(void *arg)
{
	echo_srv *s = arg;
	echo_conn **c = calloc(ECHO_MAX, sizeof(*c));
	struct pollfd *p = calloc(ECHO_MAX + 1, sizeof(*p));
	size_t n = 0, i;

	if (c == NULL || p == NULL)
		goto out;
	for (;;) {
		int stop;

		pf_mutex_lock(s->mu);
		stop = s->stop;
		pf_mutex_unlock(s->mu);
		if (stop)
			break;
		p[0].fd = n < ECHO_MAX ? s->lfd : -1;
		p[0].events = POLLIN;
		for (i = 0; i < n; i++) {
			p[i + 1].fd = c[i]->fd;
			p[i + 1].events =
				c[i]->off < c[i]->len ? POLLOUT : (c[i]->eof ? 0 : POLLIN);
		}
		if (poll(p, n + 1, 100) < 0)
			break;
		for (i = 0; i < n; i++) {
			echo_conn *k = c[i];
			ssize_t r;

			if (p[i + 1].revents == 0)
				continue;
			if (k->off == k->len && !k->eof) {
				r = recv(k->fd, k->buf, sizeof(k->buf), 0);
				if (r > 0) {
					k->len = (size_t)r;
					k->off = 0;
				} else if (r == 0) {
					k->eof = 1;
				} else if (errno != EAGAIN && errno != EINTR) {
					k->eof = 1;
					k->len = k->off = 0;
				}
			}
			if (k->off < k->len) {
				r = send(k->fd, k->buf + k->off, k->len - k->off, MSG_NOSIGNAL);
				if (r > 0)
					k->off += (size_t)r;
				else if (r < 0 && errno != EAGAIN && errno != EINTR)
					k->eof = 1, k->len = k->off = 0;
			}
			if (k->eof && k->off == k->len) {
				close(k->fd);
				k->fd = -1;
			}
		}
		/* Compact the closed ones. */
		for (i = 0; i < n;) {
			if (c[i]->fd < 0) {
				free(c[i]);
				c[i] = c[--n];
			} else {
				i++;
			}
		}
		if (p[0].revents & POLLIN) {
			while (n < ECHO_MAX) {
				int fd = accept(s->lfd, NULL, NULL);
				echo_conn *k;

				if (fd < 0)
					break;
				k = calloc(1, sizeof(*k));
				if (k == NULL) {
					close(fd);
					break;
				}
				eng_nonblock(fd);
				k->fd = fd;
				c[n++] = k;
				pf_mutex_lock(s->mu);
				s->accepted++;
				pf_mutex_unlock(s->mu);
			}
		}
	}
out:
	for (i = 0; i < n; i++) {
		close(c[i]->fd);
		free(c[i]);
	}
	free(c);
	free(p);
}

/* Start an echo service on 127.0.0.1 (free port in s->port). 0 on success. */
static inline int echo_start(echo_srv *s)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(s->lfd, 4096) != 0 || getsockname(s->lfd, (struct sockaddr *)&a, &len) != 0)
		return -1;
	eng_nonblock(s->lfd);
	s->port = ntohs(a.sin_port);
	s->mu = pf_mutex_new();
	return pf_thread_start(&s->th, echo_main, s) == PF_OK ? 0 : -1;
}

static inline void echo_stop(echo_srv *s)
{
	if (s->th == NULL)
		return;
	pf_mutex_lock(s->mu);
	s->stop = 1;
	pf_mutex_unlock(s->mu);
	pf_thread_join(s->th);
	s->th = NULL;
	close(s->lfd);
	pf_mutex_free(s->mu);
}

/* One dialogue: connect, send msg, half-close, read to EOF. Returns the
 * reply length or -1; reply is NUL-terminated. */
static inline int eng_dialogue(const char *host, int port, const char *msg, char *reply,
			       size_t size)
{
	int fd = eng_connect(host, port);
	struct pollfd p;
	size_t got = 0, sent = 0, len = strlen(msg);
	uint64_t end = pf_time_ms() + 10000;

	if (fd < 0)
		return -1;
	while (pf_time_ms() < end) {
		ssize_t r;

		p.fd = fd;
		p.events = (short)(POLLIN | (sent < len ? POLLOUT : 0));
		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((p.revents & POLLOUT) && sent < len) {
			r = send(fd, msg + sent, len - sent, MSG_NOSIGNAL);
			if (r < 0 && errno != EAGAIN)
				break;
			if (r > 0)
				sent += (size_t)r;
			if (sent == len)
				shutdown(fd, SHUT_WR);
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			r = recv(fd, reply + got, size - 1 - got, 0);
			if (r == 0) {
				reply[got] = '\0';
				close(fd);
				return (int)got;
			}
			if (r < 0 && errno != EAGAIN)
				break;
			if (r > 0)
				got += (size_t)r;
			if (got + 1 >= size)
				break;
		}
	}
	reply[got] = '\0';
	close(fd);
	return -1;
}

#endif
