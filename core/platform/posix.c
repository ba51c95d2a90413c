/* POSIX implementation of pf/platform.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "pf/mem.h"
#include "pf/platform.h"
#include "file_internal.h"

FILE *pf_fopen(const char *path, const char *mode)
{
	return fopen(path, mode);
}

static pf_rc errno_rc(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR: return PF_E_NOTFOUND;
	case EACCES:
	case EPERM:
	case EROFS: return PF_E_DENIED;
	case ENOMEM: return PF_E_NOMEM;
	default: return PF_E_IO;
	}
}

pf_rc pf_file_read(const char *path, size_t max, char **data, size_t *len, pf_error *err)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t cap = 0, used = 0;
	pf_rc rc = PF_OK;
	struct stat st;

	*data = NULL;
	*len = 0;
	{
		/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
		int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0)
			return pf_error_set(err, errno_rc(errno), "Cannot open %s: %s", path,
					    strerror(errno));
		if (fstat(fd, &st) != 0) {
			rc = pf_error_set(err, errno_rc(errno), "Cannot open %s: %s", path,
					  strerror(errno));
			close(fd);
			return rc;
		}
		if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
			close(fd);
			return pf_error_set(err, PF_E_INVAL,
					    "%s is a named pipe or socket, not a file", path);
		}
		if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
		    (f = fdopen(fd, "rb")) == NULL) {
			rc = pf_error_set(err, errno_rc(errno), "Cannot open %s: %s", path,
					  strerror(errno));
			close(fd);
			return rc;
		}
	}
	if (S_ISDIR(st.st_mode)) {
		rc = pf_error_set(err, PF_E_INVAL, "%s is a folder, not a file", path);
		goto out;
	}
	for (;;) {
		size_t n;

		if (used == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nbuf;

			if (cap > max) {
				rc = pf_error_set(err, PF_E_TOOBIG, "%s is larger than %zu bytes",
						  path, max);
				goto out;
			}
			/* Not realloc: the old buffer may hold key material and is
			 * wiped before it is freed. */
			nbuf = malloc(ncap + 1);
			if (nbuf == NULL) {
				rc = pf_error_set(err, PF_E_NOMEM, "Out of memory reading %s",
						  path);
				goto out;
			}
			if (buf != NULL) {
				memcpy(nbuf, buf, used);
				pf_secure_zero(buf, cap + 1);
				free(buf);
			}
			buf = nbuf;
			cap = ncap;
		}
		n = fread(buf + used, 1, cap - used, f);
		used += n;
		if (used > max) {
			rc = pf_error_set(err, PF_E_TOOBIG, "%s is larger than %zu bytes", path,
					  max);
			goto out;
		}
		if (n == 0) {
			if (ferror(f))
				rc = pf_error_set(err, PF_E_IO, "Cannot read %s", path);
			break;
		}
	}
out:
	if (f != NULL)
		fclose(f);
	if (rc != PF_OK) {
		if (buf != NULL)
			pf_secure_zero(buf, cap + 1);
		free(buf);
		return rc;
	}
	if (buf == NULL) {
		buf = malloc(1);
		if (buf == NULL)
			return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return PF_OK;
}

/* Where a write to `path` must land: a symbolic link is followed (to its
 * final target, which may not exist yet), so the link survives. Returns a
 * new string; NULL with *e set (ELOOP, ENOMEM, or lstat/readlink's errno). */
static char *follow_links(const char *path, int *e)
{
	char *cur = pf_strdup(path);
	int hops;

	for (hops = 0; cur != NULL && hops < 40; hops++) {
		struct stat st;
		char *target, *dir, *next;
		ssize_t n;

		if (lstat(cur, &st) != 0) {
			if (errno == ENOENT)
				return cur; /* a new file (or a dangling link's target) */
			*e = errno;
			free(cur);
			return NULL;
		}
		if (!S_ISLNK(st.st_mode))
			return cur;
		target = malloc(PATH_MAX + 1);
		if (target == NULL)
			break;
		n = readlink(cur, target, PATH_MAX);
		if (n < 0) {
			*e = errno;
			free(target);
			free(cur);
			return NULL;
		}
		target[n] = '\0';
		dir = target[0] == '/' ? NULL : pf_path_dirname(cur);
		next = target[0] == '/' ? pf_strdup(target)
		       : dir            ? pf_path_join(dir, target)
					: NULL;
		free(dir);
		free(target);
		free(cur);
		cur = next;
	}
	*e = cur == NULL ? ENOMEM : ELOOP;
	free(cur);
	return NULL;
}

/* What a write to `path` does, decided before anything is written (see
 * pf/platform.h): 0 and *real set (a regular file or nothing there), 1 for a
 * character device (discard), or an error. */
static pf_rc write_target(const char *path, char **real, pf_error *err)
{
	struct stat st;
	int e = 0;

	*real = follow_links(path, &e);
	if (*real == NULL)
		return pf_error_set(err, e == ENOMEM ? PF_E_NOMEM : errno_rc(e),
				    "Cannot write %s: %s", path, strerror(e));
	if (stat(*real, &st) != 0 || S_ISREG(st.st_mode))
		return PF_OK;
	if (S_ISCHR(st.st_mode))
		return PF_OK; /* the caller checks pf_file_discards */
	free(*real);
	*real = NULL;
	return pf_error_set(err, PF_E_INVAL,
			    "Cannot write %s: it is %s, not a file; nothing was written. Choose "
			    "the path of a file (or /dev/null to keep nothing).",
			    path,
			    S_ISDIR(st.st_mode)    ? "a folder"
			    : S_ISFIFO(st.st_mode) ? "a named pipe (FIFO)"
			    : S_ISSOCK(st.st_mode) ? "a socket"
			    : S_ISBLK(st.st_mode)  ? "a block device"
						   : "a special file");
}

int pf_file_discards(const char *path)
{
	struct stat st;

	/* stat follows links: a link to /dev/null discards too. */
	return path != NULL && stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

int pf_file_remove(const char *path)
{
	return unlink(path) == 0 ? 0 : -1;
}

pf_rc pf_file_write_commit(pf_file_pending *w, pf_error *err)
{
	struct stat st;
	pf_rc rc = PF_OK;

	if (w == NULL)
		return PF_OK;
	/* The target was checked when the temporary was written; if something
	 * else appeared there since (a device, a folder), do not replace it. */
	if (lstat(w->real, &st) == 0 && !S_ISREG(st.st_mode))
		rc = pf_error_set(err, PF_E_INVAL,
				  "Cannot replace %s: it stopped being a file while it was "
				  "written; nothing was changed.",
				  w->path);
	else if (rename(w->tmp, w->real) != 0)
		rc = pf_error_set(err, errno_rc(errno), "Cannot replace %s: %s", w->path,
				  strerror(errno));
	if (rc == PF_OK)
		PF_FREE(w->tmp); /* renamed: nothing to remove */
	pfi_file_pending_free(w);
	return rc;
}

pf_rc pf_file_write_prepare(const char *path, const void *data, size_t len, int secret,
			    pf_file_pending **out, pf_error *err)
{
	pf_file_pending *w = NULL;
	char *real = NULL;
	int fd = -1;
	pf_rc rc = PF_OK;
	const unsigned char *p = data;
	size_t left = len;
	struct stat st;
	mode_t mode = 0600;

	*out = NULL;
	rc = write_target(path, &real, err);
	if (rc != PF_OK)
		return rc;
	if (pf_file_discards(real)) {
		/* /dev/null and its kind: keep nothing, and never replace the device. */
		free(real);
		return PF_OK;
	}
	if (!secret && stat(real, &st) == 0)
		mode = st.st_mode & 0777;
	w = PF_NEW(pf_file_pending);
	if (w == NULL || (w->path = pf_strdup(path)) == NULL ||
	    (w->tmp = pf_asprintf("%s.tmpXXXXXX", real)) == NULL) {
		free(real);
		if (w != NULL)
			free(w->path);
		free(w);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	w->real = real;
	fd = mkstemp(w->tmp);
	if (fd < 0) {
		rc = pf_error_set(err, errno_rc(errno),
				  "Cannot create a temporary file next to %s: %s", real,
				  strerror(errno));
		PF_FREE(w->tmp);
		goto out;
	}
	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = pf_error_set(err, errno_rc(errno), "Cannot write %s: %s", w->tmp,
					  strerror(errno));
			goto out;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fchmod(fd, mode) != 0 || fsync(fd) != 0) {
		rc = pf_error_set(err, errno_rc(errno), "Cannot write %s: %s", w->tmp,
				  strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		rc = pf_error_set(err, errno_rc(errno), "Cannot write %s: %s", w->tmp,
				  strerror(errno));
		goto out;
	}
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (rc != PF_OK) {
		pfi_file_pending_free(w);
		return rc;
	}
	*out = w;
	return PF_OK;
}

int pf_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

pf_rc pf_file_identity(const char *path, pf_file_id *id)
{
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (stat(path, &st) != 0)
		return errno == ENOENT ? PF_E_NOTFOUND : PF_E_IO;
	if (!S_ISREG(st.st_mode))
		return PF_E_IO;
	id->volume = (uint64_t)st.st_dev;
	id->file = (uint64_t)st.st_ino;
	id->size = (uint64_t)st.st_size;
	id->mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	return PF_OK;
}

int pf_dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

pf_rc pf_dir_list(const char *dir, char ***names, size_t *count, pf_error *err)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0;
	pf_rc rc = PF_OK;

	*names = NULL;
	*count = 0;
	d = opendir(dir);
	if (d == NULL)
		return pf_error_set(err, errno_rc(errno), "Cannot open folder %s: %s", dir,
				    strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (PF_ARRAY_GROW(v, cap, n + 1, 16) != 0) {
			rc = PF_E_NOMEM;
			break;
		}
		v[n] = pf_strdup(e->d_name);
		if (v[n] == NULL) {
			rc = PF_E_NOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc != PF_OK) {
		pf_strv_free(v, n);
		return pf_error_set(err, rc, "Out of memory listing %s", dir);
	}
	pf_strv_sort(v, n);
	*names = v;
	*count = n;
	return PF_OK;
}

int pf_path_is_absolute(const char *path)
{
	return path[0] == '/';
}

const char *pf_path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *pf_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return pf_strdup(".");
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return pf_strdup("/");
	return pf_strndup(path, (size_t)(slash - path));
}

char *pf_path_join(const char *dir, const char *name)
{
	size_t dl;

	if (pf_path_is_absolute(name) || dir == NULL || dir[0] == '\0')
		return pf_strdup(name);
	dl = strlen(dir);
	if (dl > 0 && dir[dl - 1] == '/')
		return pf_asprintf("%s%s", dir, name);
	return pf_asprintf("%s/%s", dir, name);
}

char *pf_path_absolute(const char *path)
{
	char *cwd, *joined, *out, *seg, *save = NULL;
	size_t len = 0;

	if (pf_path_is_absolute(path)) {
		joined = pf_strdup(path);
	} else {
		cwd = getcwd(NULL, 0);
		if (cwd == NULL)
			return pf_strdup(path);
		joined = pf_path_join(cwd, path);
		free(cwd);
	}
	if (joined == NULL)
		return NULL;
	/* Normalise "//", "." and "..". */
	out = malloc(strlen(joined) + 2);
	if (out == NULL) {
		free(joined);
		return NULL;
	}
	out[0] = '\0';
	for (seg = strtok_r(joined, "/", &save); seg != NULL; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			char *slash = strrchr(out, '/');

			if (slash != NULL)
				*slash = '\0';
			len = strlen(out);
			continue;
		}
		out[len++] = '/';
		/* Fits: out is as long as joined plus one. */
		memcpy(out + len, seg, strlen(seg) + 1);
		len += strlen(seg);
	}
	if (len == 0) {
		out[0] = '/';
		out[1] = '\0';
	}
	free(joined);
	return out;
}

char *pf_home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd pwbuf, *pw = NULL;
	char buf[4096];

	if (h != NULL && h[0] != '\0')
		return pf_strdup(h);
	if (getpwuid_r(getuid(), &pwbuf, buf, sizeof(buf), &pw) != 0)
		pw = NULL;
	return pf_strdup(pw != NULL ? pw->pw_dir : "/");
}

char *pf_user_name(void)
{
	struct passwd pwbuf, *pw = NULL;
	char buf[4096];
	const char *u;

	/* getpwuid_r: config resolution may run on several threads. */
	if (getpwuid_r(getuid(), &pwbuf, buf, sizeof(buf), &pw) == 0 && pw != NULL)
		return pf_strdup(pw->pw_name);
	u = getenv("USER");
	return pf_strdup(u != NULL ? u : "user");
}

char *pf_host_name(void)
{
	char buf[256];

	if (gethostname(buf, sizeof(buf)) != 0)
		return pf_strdup("localhost");
	buf[sizeof(buf) - 1] = '\0';
	return pf_strdup(buf);
}

uint64_t pf_time_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void pf_sleep_ms(unsigned ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

pf_rc pf_random_bytes(void *buf, size_t n)
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	unsigned char *p = buf;

	if (fd < 0)
		return PF_E_IO;
	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return PF_E_IO;
		}
		p += r;
		n -= (size_t)r;
	}
	close(fd);
	return PF_OK;
}

/* --- threads ------------------------------------------------------------ */

struct pf_thread {
	pthread_t tid;
	void (*fn)(void *);
	void *arg;
};

struct pf_mutex {
	pthread_mutex_t m;
};

struct pf_cond {
	pthread_cond_t c;
};

static void *thread_main(void *p)
{
	pf_thread *t = p;

	t->fn(t->arg);
	return NULL;
}

pf_rc pf_thread_start(pf_thread **out, void (*fn)(void *), void *arg)
{
	pf_thread *t = PF_NEW(pf_thread);

	*out = NULL;
	if (t == NULL)
		return PF_E_NOMEM;
	t->fn = fn;
	t->arg = arg;
	if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
		free(t);
		return PF_E_INTERNAL;
	}
	*out = t;
	return PF_OK;
}

static void *detached_main(void *p)
{
	pf_thread t = *(pf_thread *)p;

	free(p);
	t.fn(t.arg);
	return NULL;
}

pf_rc pf_thread_start_detached(void (*fn)(void *), void *arg)
{
	pf_thread *t = PF_NEW(pf_thread);
	pthread_attr_t attr;
	pthread_t tid;
	int rc;

	if (t == NULL)
		return PF_E_NOMEM;
	t->fn = fn;
	t->arg = arg;
	if (pthread_attr_init(&attr) != 0) {
		free(t);
		return PF_E_INTERNAL;
	}
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, detached_main, t);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		free(t);
		return PF_E_INTERNAL;
	}
	return PF_OK;
}

void pf_thread_join(pf_thread *t)
{
	if (t == NULL)
		return;
	pthread_join(t->tid, NULL);
	free(t);
}

pf_mutex *pf_mutex_new(void)
{
	pf_mutex *m = PF_NEW(pf_mutex);

	if (m != NULL && pthread_mutex_init(&m->m, NULL) != 0)
		PF_FREE(m);
	return m;
}

void pf_mutex_free(pf_mutex *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->m);
	free(m);
}

void pf_mutex_lock(pf_mutex *m)
{
	pthread_mutex_lock(&m->m);
}

void pf_mutex_unlock(pf_mutex *m)
{
	pthread_mutex_unlock(&m->m);
}

pf_cond *pf_cond_new(void)
{
	pf_cond *c = PF_NEW(pf_cond);
	pthread_condattr_t attr;

	if (c == NULL)
		return NULL;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&c->c, &attr) != 0)
		PF_FREE(c);
	pthread_condattr_destroy(&attr);
	return c;
}

void pf_cond_free(pf_cond *c)
{
	if (c == NULL)
		return;
	pthread_cond_destroy(&c->c);
	free(c);
}

int pf_cond_wait(pf_cond *c, pf_mutex *m, int timeout_ms)
{
	struct timespec ts;

	if (timeout_ms < 0) {
		pthread_cond_wait(&c->c, &m->m);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return pthread_cond_timedwait(&c->c, &m->m, &ts) == ETIMEDOUT ? 1 : 0;
}

void pf_cond_broadcast(pf_cond *c)
{
	pthread_cond_broadcast(&c->c);
}

/* pf/mem.h; here because how to wipe so the compiler keeps it is the
 * platform's business. */
void pf_secure_zero(void *p, size_t n)
{
	/* A volatile function pointer stops the compiler eliding the store. */
	static void *(*const volatile memset_v)(void *, int, size_t) = memset;

	if (p == NULL || n == 0)
		return;
	memset_v(p, 0, n);
}
