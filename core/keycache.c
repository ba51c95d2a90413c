/* Unlocked keys kept for the life of the process: see pf/keycache.h. */
#include <stdlib.h>
#include <string.h>

#include "keycache_internal.h"
#include "pf/mem.h"

typedef struct kc_entry {
	pf_file_id id;
	ssh_key key; /* private, owned */
} kc_entry;

struct pf_keycache {
	pf_mutex *mu;
	kc_entry *v; /* under mu */
	size_t n;
};

pf_keycache *pf_keycache_new(void)
{
	pf_keycache *kc = PF_NEW(pf_keycache);

	if (kc == NULL)
		return NULL;
	kc->mu = pf_mutex_new();
	if (kc->mu == NULL) {
		free(kc);
		return NULL;
	}
	return kc;
}

/* Under mu. */
static void drop(pf_keycache *kc, size_t i)
{
	ssh_key_free(kc->v[i].key);
	kc->v[i] = kc->v[--kc->n];
	memset(&kc->v[kc->n], 0, sizeof(kc->v[kc->n]));
}

/* Under mu: the entry for the same volume and file, whatever its size and
 * time, or -1. */
static long find_file(pf_keycache *kc, const pf_file_id *id)
{
	size_t i;

	for (i = 0; i < kc->n; i++)
		if (kc->v[i].id.volume == id->volume && kc->v[i].id.file == id->file)
			return (long)i;
	return -1;
}

ssh_key pfi_keycache_get(pf_keycache *kc, const char *path)
{
	pf_file_id id;
	ssh_key copy = NULL;
	long i;

	if (kc == NULL || pf_file_identity(path, &id) != PF_OK)
		return NULL;
	pf_mutex_lock(kc->mu);
	i = find_file(kc, &id);
	if (i >= 0) {
		if (pf_file_id_equal(&kc->v[i].id, &id))
			copy = ssh_key_dup(kc->v[i].key);
		else
			drop(kc, (size_t)i); /* edited or replaced since: ask again */
	}
	pf_mutex_unlock(kc->mu);
	return copy;
}

void pfi_keycache_put(pf_keycache *kc, const pf_file_id *id, const ssh_key key)
{
	ssh_key copy;
	kc_entry *n;
	long i;

	if (kc == NULL || key == NULL || (copy = ssh_key_dup(key)) == NULL)
		return;
	pf_mutex_lock(kc->mu);
	i = find_file(kc, id);
	if (i >= 0)
		drop(kc, (size_t)i);
	n = pf_reallocarray(kc->v, kc->n + 1, sizeof(*n));
	if (n == NULL) {
		ssh_key_free(copy);
	} else {
		kc->v = n;
		kc->v[kc->n].id = *id;
		kc->v[kc->n].key = copy;
		kc->n++;
	}
	pf_mutex_unlock(kc->mu);
}

void pf_keycache_forget_all(pf_keycache *kc)
{
	if (kc == NULL)
		return;
	pf_mutex_lock(kc->mu);
	while (kc->n > 0)
		drop(kc, kc->n - 1);
	PF_FREE(kc->v);
	pf_mutex_unlock(kc->mu);
}

size_t pf_keycache_count(pf_keycache *kc)
{
	size_t n;

	if (kc == NULL)
		return 0;
	pf_mutex_lock(kc->mu);
	n = kc->n;
	pf_mutex_unlock(kc->mu);
	return n;
}

void pf_keycache_free(pf_keycache *kc)
{
	if (kc == NULL)
		return;
	pf_keycache_forget_all(kc);
	pf_mutex_free(kc->mu);
	free(kc);
}
