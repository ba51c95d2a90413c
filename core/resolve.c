/* Name lookups on helper threads; see resolve.h. Every field of both
 * structs is under the resolver's mutex. */
#include <stdlib.h>
#include <string.h>

#include "pf/mem.h"
#include "pf/platform.h"
#include "resolve.h"

#define RESOLVE_THREADS 4

struct pfi_lookup {
	pfi_lookup *next; /* in the queue */
	pfi_resolver *r;
	int refs; /* the caller, and the resolver while queued or running */
	int done;
	int released; /* the caller let go: no one wants the answer */
	char *host;
	int port, family;
	pf_rc rc;
	pf_addrlist *addrs;
	pf_error err;
};

struct pfi_resolver {
	pf_mutex *mu;
	int refs; /* the owner and each running thread */
	int closed;
	unsigned running;
	pfi_lookup *head, *tail;
	pf_wakeup *wake;
};

static void resolver_destroy(pfi_resolver *r)
{
	pf_wakeup_free(r->wake);
	pf_mutex_free(r->mu);
	free(r);
}

/* Under r->mu. */
static void lookup_unref(pfi_lookup *q)
{
	if (--q->refs > 0)
		return;
	pf_addrlist_free(q->addrs);
	free(q->host);
	free(q);
}

static void helper(void *arg)
{
	pfi_resolver *r = arg;
	int last;

	pf_mutex_lock(r->mu);
	while (r->head != NULL) {
		pfi_lookup *q = r->head;
		pf_addrlist *addrs = NULL;
		pf_error err;
		pf_rc rc;

		r->head = q->next;
		if (r->head == NULL)
			r->tail = NULL;
		if (q->released) {
			lookup_unref(q);
			continue;
		}
		pf_mutex_unlock(r->mu);
		pf_error_clear(&err);
		rc = pf_net_resolve(q->host, q->port, q->family, &addrs, &err);
		pf_mutex_lock(r->mu);
		q->rc = rc;
		q->addrs = addrs;
		q->err = err;
		q->done = 1;
		lookup_unref(q);
		if (!r->closed)
			pf_wakeup_signal(r->wake);
	}
	r->running--;
	last = --r->refs == 0;
	pf_mutex_unlock(r->mu);
	if (last)
		resolver_destroy(r);
}

pf_rc pfi_resolver_new(pfi_resolver **out)
{
	pfi_resolver *r = PF_NEW(pfi_resolver);

	*out = NULL;
	if (r == NULL)
		return PF_E_NOMEM;
	r->mu = pf_mutex_new();
	if (r->mu == NULL || pf_wakeup_new(&r->wake) != PF_OK) {
		pf_mutex_free(r->mu);
		free(r);
		return PF_E_NOMEM;
	}
	r->refs = 1;
	*out = r;
	return PF_OK;
}

void pfi_resolver_free(pfi_resolver *r)
{
	pfi_lookup *q;
	int last;

	if (r == NULL)
		return;
	pf_mutex_lock(r->mu);
	r->closed = 1;
	for (q = r->head; q != NULL; q = q->next)
		q->released = 1;
	last = --r->refs == 0;
	pf_mutex_unlock(r->mu);
	if (last)
		resolver_destroy(r);
}

pf_socket pfi_resolver_fd(const pfi_resolver *r)
{
	return pf_wakeup_fd(r->wake);
}

void pfi_resolver_drain(pfi_resolver *r)
{
	pf_wakeup_drain(r->wake);
}

pfi_lookup *pfi_resolve(pfi_resolver *r, const char *host, int port, int family)
{
	pfi_lookup *q = PF_NEW(pfi_lookup);

	if (q == NULL || (q->host = pf_strdup(host)) == NULL) {
		free(q);
		return NULL;
	}
	q->r = r;
	q->port = port;
	q->family = family;
	q->refs = 1;
	/* A numeric address needs no helper (and no thread hand-off). */
	if (pf_net_resolve_numeric(host, port, family, &q->addrs) == PF_OK) {
		q->rc = PF_OK;
		q->done = 1;
		return q;
	}
	pf_mutex_lock(r->mu);
	if (r->running < RESOLVE_THREADS) {
		if (pf_thread_start_detached(helper, r) != PF_OK) {
			if (r->running == 0) {
				pf_mutex_unlock(r->mu);
				free(q->host);
				free(q);
				return NULL;
			}
		} else {
			r->running++;
			r->refs++;
		}
	}
	q->refs++;
	if (r->tail != NULL)
		r->tail->next = q;
	else
		r->head = q;
	r->tail = q;
	pf_mutex_unlock(r->mu);
	return q;
}

int pfi_lookup_result(pfi_lookup *q, pf_rc *rc, pf_addrlist **out, pf_error *err)
{
	pfi_resolver *r = q->r;
	int done;

	*out = NULL;
	pf_mutex_lock(r->mu);
	done = q->done;
	if (done) {
		*rc = q->rc;
		*out = q->addrs;
		q->addrs = NULL;
		if (err != NULL)
			*err = q->err;
	}
	pf_mutex_unlock(r->mu);
	return done;
}

void pfi_lookup_release(pfi_lookup *q)
{
	pfi_resolver *r;

	if (q == NULL)
		return;
	r = q->r;
	pf_mutex_lock(r->mu);
	q->released = 1;
	lookup_unref(q);
	pf_mutex_unlock(r->mu);
}
