/* Versions and library initialisation. */
#include <libssh/libssh.h>
#include <openssl/crypto.h>

#include "pf/version.h"
#include "pf/error.h"
#include "pf_build_version.h"

#ifdef _WIN32
#include <winsock2.h>
#endif

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
#ifdef _WIN32
	WSADATA wsa;

	if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
		return PF_E_NETWORK;
#endif
	if (ssh_init() != SSH_OK)
		return PF_E_INTERNAL;
	return PF_OK;
}

void pf_lib_cleanup(void)
{
	ssh_finalize();
#ifdef _WIN32
	WSACleanup();
#endif
}
