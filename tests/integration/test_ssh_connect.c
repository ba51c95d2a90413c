/* The pinned libssh against a real OpenSSH sshd on loopback: key exchange,
 * the host key we generated, public-key authentication, a command. */
#include <libssh/libssh.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pf/version.h"
#include "sshd_fixture.h"

static void test_connect(sshd_fixture *f)
{
	ssh_session s = ssh_new();
	ssh_key server = NULL, expected = NULL, priv = NULL;
	ssh_channel ch = NULL;
	int process_config = 0, port = f->port, n;
	char out[64] = "", pub[700];

	CHECK(s != NULL);
	ssh_options_set(s, SSH_OPTIONS_HOST, "127.0.0.1");
	ssh_options_set(s, SSH_OPTIONS_PORT, &port);
	ssh_options_set(s, SSH_OPTIONS_USER, f->user);
	/* Never read ~/.ssh/config or /etc/ssh/ssh_config. */
	ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
	if (!CHECK(ssh_connect(s) == SSH_OK)) {
		fprintf(stderr, "connect: %s\n", ssh_get_error(s));
		goto out;
	}
	CHECK(strstr(ssh_get_serverbanner(s), "OpenSSH") != NULL);

	/* The server proves the host key we generated for it. */
	snprintf(pub, sizeof(pub), "%s.pub", f->host_key);
	CHECK(ssh_get_server_publickey(s, &server) == SSH_OK);
	CHECK(ssh_pki_import_pubkey_file(pub, &expected) == SSH_OK);
	CHECK(server != NULL && expected != NULL &&
	      ssh_key_cmp(server, expected, SSH_KEY_CMP_PUBLIC) == 0);

	CHECK(ssh_pki_import_privkey_file(f->client_key, NULL, NULL, NULL, &priv) == SSH_OK);
	if (!CHECK(ssh_userauth_publickey(s, NULL, priv) == SSH_AUTH_SUCCESS)) {
		fprintf(stderr, "auth: %s\n", ssh_get_error(s));
		goto out;
	}
	ch = ssh_channel_new(s);
	CHECK(ch != NULL && ssh_channel_open_session(ch) == SSH_OK);
	CHECK(ssh_channel_request_exec(ch, "echo pf-integration-ok") == SSH_OK);
	n = ssh_channel_read_timeout(ch, out, sizeof(out) - 1, 0, 10000);
	CHECK(n > 0);
	if (n > 0)
		out[n] = '\0';
	CHECK_STR(out, "pf-integration-ok\n");
	ssh_channel_send_eof(ch);
	ssh_channel_close(ch);
out:
	if (ch != NULL)
		ssh_channel_free(ch);
	ssh_key_free(server);
	ssh_key_free(expected);
	ssh_key_free(priv);
	ssh_disconnect(s);
	ssh_free(s);
}

int main(void)
{
	sshd_fixture f;

	if (pf_lib_init() != 0 || sshd_fixture_init(&f, "ssh_connect", NULL) != 0 ||
	    sshd_fixture_start(&f) != 0)
		return 1;
	test_connect(&f);
	sshd_fixture_stop(&f);
	pf_lib_cleanup();
	return check_summary("test_ssh_connect");
}
