/* The operating system, behind one portable interface: files addressed by
 * UTF-8 paths (UTF-16 underneath on Windows, so a folder named メール設定
 * works), directories, time, threads. Implemented by core/platform/posix.c
 * and core/platform/win32.c; no other core file knows which one it runs on. */
#ifndef PF_PLATFORM_H
#define PF_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pf/error.h"
#include "pf/mem.h"

#ifdef _WIN32
#define PF_PATH_SEP '\\'
#else
#define PF_PATH_SEP '/'
#endif

/* Read a whole file. Fails with PF_E_TOOBIG (without reading it all) when
 * it is larger than `max` bytes. On success *data is NUL-terminated (the
 * NUL is not counted in *len); caller frees. */
pf_rc pf_file_read(const char *path, size_t max, char **data, size_t *len, pf_error *err);

/* Replace `path` with `data`: write "<path>.tmpXXXX" in the same folder,
 * flush it to disk, rename it over the old file. On any failure the old file
 * is untouched and the temporary removed.
 * Only a regular file is ever replaced. A symbolic link is followed and its
 * target replaced (the link stays). A character device (/dev/null; NUL on
 * Windows) discards: PF_OK, nothing written, the device untouched (callers
 * check pf_file_discards first to say so in their log). A folder, a FIFO or
 * any other special file: PF_E_INVAL with one message, nothing written. */
pf_rc pf_file_write_atomic(const char *path, const void *data, size_t len, pf_error *err);

/* The same for a private key: on POSIX the file is always mode 0600, also
 * when it replaces one with wider permissions; on Windows the temporary is
 * created with a protected DACL holding one ACE, full access for the
 * current user (nothing inherited from the folder), which the rename
 * keeps. */
pf_rc pf_file_write_secret(const char *path, const void *data, size_t len, pf_error *err);

/* The same in two steps, for files that must change together (a key pair:
 * both written, then both renamed). pf_file_write_prepare checks the target
 * and writes and flushes the temporary file (secret: as
 * pf_file_write_secret); nothing at `path` changes yet. *out is NULL when
 * the target discards (PF_OK: nothing to commit). pf_file_write_commit
 * renames the temporary over the target (the last moment anything changes)
 * and frees it; pf_file_write_abort removes the temporary and frees it.
 * Both accept NULL. */
typedef struct pf_file_pending pf_file_pending;
pf_rc pf_file_write_prepare(const char *path, const void *data, size_t len, int secret,
			    pf_file_pending **out, pf_error *err);
pf_rc pf_file_write_commit(pf_file_pending *w, pf_error *err);
void pf_file_write_abort(pf_file_pending *w);

/* Delete a file: 0, or -1 when it could not be removed. */
int pf_file_remove(const char *path);

/* 1 if `path` (after links) is a character device such as /dev/null or
 * Windows' NUL, which the two calls above treat as "keep nothing". */
int pf_file_discards(const char *path);

/* fopen() taking a UTF-8 path. */
FILE *pf_fopen(const char *path, const char *mode);

/* 1 if a regular file (or directory, for pf_dir_exists) is there, else 0. */
int pf_file_exists(const char *path);
int pf_dir_exists(const char *path);

/* What makes a file the same file as before: its volume and file ID
 * (device and inode on POSIX), size and last-write time. Compare with
 * pf_file_id_equal. */
typedef struct pf_file_id {
	uint64_t volume, file, size;
	int64_t mtime; /* nanoseconds (POSIX) or 100 ns ticks (Windows) */
} pf_file_id;

/* Fill *id for the regular file `path` (following symlinks). PF_E_NOTFOUND,
 * PF_E_IO otherwise. */
pf_rc pf_file_identity(const char *path, pf_file_id *id);
static inline int pf_file_id_equal(const pf_file_id *a, const pf_file_id *b)
{
	return a->volume == b->volume && a->file == b->file && a->size == b->size &&
	       a->mtime == b->mtime;
}

/* The names in a directory (no "." or ".."), sorted bytewise; caller frees
 * with pf_strv_free (pf/mem.h). */
pf_rc pf_dir_list(const char *dir, char ***names, size_t *count, pf_error *err);

/* Paths. Results are new strings (caller frees); NULL only on OOM.
 * Both '/' and '\\' separate on Windows. */
int pf_path_is_absolute(const char *path);
char *pf_path_dirname(const char *path);               /* "dir/file" -> "dir"; "file" -> "." */
const char *pf_path_basename(const char *path);        /* pointer into path */
char *pf_path_join(const char *dir, const char *name); /* name if absolute */
/* The absolute, normalised form of `path` (relative ones against the
 * current directory). */
char *pf_path_absolute(const char *path);

/* Home folder (%USERPROFILE% on Windows) and login name; caller frees. */
char *pf_home_dir(void);
char *pf_user_name(void);
/* This machine's short host name; caller frees. */
char *pf_host_name(void);

/* Monotonic milliseconds; only differences mean anything. */
uint64_t pf_time_ms(void);
void pf_sleep_ms(unsigned ms);

/* Cryptographically secure random bytes (for temporary names, jitter). */
pf_rc pf_random_bytes(void *buf, size_t n);

/* Threads: one worker per SSH connection. */
typedef struct pf_thread pf_thread;
typedef struct pf_mutex pf_mutex;
typedef struct pf_cond pf_cond;
pf_rc pf_thread_start(pf_thread **t, void (*fn)(void *), void *arg);
void pf_thread_join(pf_thread *t); /* waits, then frees t */
/* A thread nobody joins: it runs fn(arg) to its end and its resources go
 * with it (for work that may outlive its owner, e.g. a getaddrinfo). */
pf_rc pf_thread_start_detached(void (*fn)(void *), void *arg);
pf_mutex *pf_mutex_new(void);
void pf_mutex_free(pf_mutex *m);
void pf_mutex_lock(pf_mutex *m);
void pf_mutex_unlock(pf_mutex *m);
pf_cond *pf_cond_new(void);
void pf_cond_free(pf_cond *c);
/* Wait until signalled or `timeout_ms` passed (-1: no limit); returns 0 when
 * signalled (or spuriously woken), 1 on timeout. */
int pf_cond_wait(pf_cond *c, pf_mutex *m, int timeout_ms);
void pf_cond_broadcast(pf_cond *c);

#ifdef _WIN32
#include <wchar.h>
/* UTF-8 <-> UTF-16 for the Win32 front end and core/platform; caller frees.
 * Invalid input is converted with replacement characters. */
wchar_t *pf_utf8_to_wide(const char *s);
char *pf_wide_to_utf8(const wchar_t *w);
#endif

#endif
