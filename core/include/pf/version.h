/* Version strings of the program and of the libraries it was built with. */
#ifndef PF_VERSION_H
#define PF_VERSION_H

/* "0.1.0": the VERSION file at build time. */
const char *pf_version(void);
/* The libssh version linked in ("0.11.5/openssl/zlib"). */
const char *pf_version_libssh(void);
/* The OpenSSL version linked in ("OpenSSL 3.5.7 ..."). */
const char *pf_version_openssl(void);

/* Global initialisation of the libraries (ssh_init, sockets on Windows).
 * Call once from the main thread before any other core call; returns 0 or
 * a negative pf_rc. pf_lib_cleanup undoes it at exit. */
int pf_lib_init(void);
void pf_lib_cleanup(void);

#endif
