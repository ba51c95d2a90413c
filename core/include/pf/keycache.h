/* One passphrase per run: private keys unlocked during this run of the
 * program, shared by every session that names the same key file, so that a
 * second host, a Disconnect then Connect, and every reconnect log in
 * without asking (as Pageant users expect).
 *
 * The front end creates one cache (pf_keycache_new) and hands it to each
 * session in pf_session_opts.keys; the core has no global. "The same key
 * file" is the same volume and file ID (device and inode on POSIX) with the
 * same size and last-write time as when the key was unlocked: a file
 * replaced or edited on disk asks again. Only unlocked keys are kept, never
 * passphrases; passwords are not kept here (they stay per user@host:port in
 * the session). Each session gets its own copy of a key (pf_keycache_get)
 * and frees it itself, so forgetting does not pull a key out from under a
 * worker that is signing with it.
 *
 * Threads: every function may be called from any thread; the cache has its
 * own lock. */
#ifndef PF_KEYCACHE_H
#define PF_KEYCACHE_H

#include <stddef.h>

#include "pf/error.h"

typedef struct pf_keycache pf_keycache;

/* A new, empty cache, or NULL (out of memory). */
pf_keycache *pf_keycache_new(void);

/* Forget every key (each is freed, its memory wiped by libssh/OpenSSL);
 * the next login with any of them asks for the passphrase again ("Forget
 * passphrases"). Copies already handed to sessions are theirs. */
void pf_keycache_forget_all(pf_keycache *kc);

/* How many keys are kept (for the front end's menu state and tests). */
size_t pf_keycache_count(pf_keycache *kc);

/* Forget everything and free the cache (Exit). NULL is fine. Only after
 * every session that was given it has been freed. */
void pf_keycache_free(pf_keycache *kc);

#endif
