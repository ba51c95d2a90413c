/* The key cache's core-only side (pf/keycache.h): auth.c takes keys out
 * and puts unlocked ones in. Not a public header (it speaks libssh). */
#ifndef PF_KEYCACHE_INTERNAL_H
#define PF_KEYCACHE_INTERNAL_H

#include <libssh/libssh.h>

#include "pf/keycache.h"
#include "pf/platform.h"

/* A copy of the key unlocked from `path` (caller frees with ssh_key_free),
 * or NULL when none is kept for that file or the file is no longer the one
 * it was unlocked from (then the stale entry is dropped). kc may be NULL. */
ssh_key pfi_keycache_get(pf_keycache *kc, const char *path);

/* Keep a copy of `key` (borrowed) unlocked from the file that had identity
 * `id` before it was read (so a file changed meanwhile never matches).
 * Replaces an entry for the same volume and file ID. Out of memory only
 * means the person is asked again later. kc may be NULL. */
void pfi_keycache_put(pf_keycache *kc, const pf_file_id *id, const ssh_key key);

#endif
