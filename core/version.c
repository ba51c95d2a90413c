/* Versions and library initialisation. */
#include <libssh/libssh.h>
#include <openssl/crypto.h>

#include "pf/version.h"
#include "pf/error.h"
#include "pf/net.h"
#include "pf_build_version.h"

const char *pf_version(void)
{
	return PF_BUILD_VERSION;
}

const char *pf_version_libssh(void)
{
	return ssh_version(0);
}

const char *pf_version_openssl(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

int pf_lib_init(void)
{
	if (pf_net_init() != 0)
		return PF_E_NETWORK;
	if (ssh_init() != SSH_OK)
		return PF_E_INTERNAL;
	return PF_OK;
}

void pf_lib_cleanup(void)
{
	ssh_finalize();
	pf_net_cleanup();
}
