/* Name lookups off the event loop (issue 18 item 14): a slow DNS answer for
 * one tunnel must not freeze every other tunnel and the keepalive. Not a
 * public header: forward.c uses it.
 *
 * A resolver belongs to one worker. A lookup of a name runs getaddrinfo on
 * a helper thread (at most RESOLVE_THREADS at once; more wait in a queue);
 * a numeric address is answered at once without one. When an answer is
 * ready the resolver's wake-up socket becomes readable; the worker then
 * asks each of its lookups with pfi_lookup_result. The helper threads run
 * only while there is work (none idle, none to wake): a thread stuck in
 * getaddrinfo finishes on its own after its owner gave up, and the last one
 * to let go frees the shared state. */
#ifndef PF_RESOLVE_H
#define PF_RESOLVE_H

#include "pf/net.h"

typedef struct pfi_resolver pfi_resolver;
typedef struct pfi_lookup pfi_lookup;

pf_rc pfi_resolver_new(pfi_resolver **out);
/* Lookups still held must have been released first. NULL is fine. */
void pfi_resolver_free(pfi_resolver *r);
/* Poll for PF_POLL_IN: some answer arrived; pfi_resolver_drain then. */
pf_socket pfi_resolver_fd(const pfi_resolver *r);
void pfi_resolver_drain(pfi_resolver *r);

/* Start looking up host:port (family 0, 4 or 6 as pf_net_resolve). NULL
 * when out of memory or no thread could start. The caller releases it. */
pfi_lookup *pfi_resolve(pfi_resolver *r, const char *host, int port, int family);
/* 0 while pending; 1 when done: *rc is the result; on PF_OK *out holds
 * the addresses (caller frees), else err says why. Once only. */
int pfi_lookup_result(pfi_lookup *q, pf_rc *rc, pf_addrlist **out, pf_error *err);
/* The caller lets go (done or not: an answer still to come is dropped). */
void pfi_lookup_release(pfi_lookup *q);

#endif
