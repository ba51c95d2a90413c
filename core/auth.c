/* Authentication: the methods in PreferredAuthentications order, each
 * through the front end when it needs the person, with the per-run
 * credential cache so that a reconnect asks nobody. A final failure lists
 * what was tried and why each failed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keycache_internal.h"
#include "pf/agent.h"
#include "pf/keys.h"
#include "pf/mem.h"
#include "ppk.h"
#include "session_internal.h"

#define MAX_TRIES       3
#define DEFAULT_METHODS "publickey,keyboard-interactive,password"

/* What was tried, for the final message: "publickey (id_rsa: the server
 * refused the key), password (wrong password 3 times)". */
typedef struct tried {
	char text[1536];
} tried;

static void tried_add(tried *t, const char *fmt, ...) PF_PRINTF(2, 3);
static void tried_add(tried *t, const char *fmt, ...)
{
	char item[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(item, sizeof(item), fmt, ap);
	va_end(ap);
	if (t->text[0] != '\0')
		pf_strlcat(t->text, "; ", sizeof(t->text));
	pf_strlcat(t->text, item, sizeof(t->text));
}

/* Outcome of one method: success, partial (go on with the next method),
 * denied, or a reason to stop at once. */
typedef enum { M_SUCCESS, M_PARTIAL, M_DENIED, M_CANCELLED, M_ERROR } m_result;

static m_result from_auth(int r)
{
	switch (r) {
	case SSH_AUTH_SUCCESS: return M_SUCCESS;
	case SSH_AUTH_PARTIAL: return M_PARTIAL;
	case SSH_AUTH_DENIED: return M_DENIED;
	default: return M_ERROR;
	}
}

static pf_rc ask(pfi_conn *c, pf_secret_kind kind, const char *prompt, const char *key_path,
		 int attempt, const char *reason, int echo, char **answer)
{
	pf_secret_request req;

	memset(&req, 0, sizeof(req));
	req.kind = kind;
	req.conn_name = c->s->name;
	req.prompt = prompt;
	req.key_path = key_path;
	req.instruction = "";
	req.echo = echo;
	req.attempt = attempt;
	req.reason = reason;
	return pfi_session_ask_secret(c->s, &req, answer);
}

static int stop_requested(void *s)
{
	return pfi_session_stopping(s);
}

/* Load the private key, asking for its passphrase as often as needed.
 * *owned says whether the caller must free *priv (a key unlocked with a
 * passphrase goes to the credential cache instead, for reconnects). */
static m_result load_key(pfi_conn *c, const char *path, ssh_key *priv, int *owned, tried *t)
{
	char *pass = NULL, prompt[1200];
	const char *reason = NULL;
	pf_key_result kr;
	pf_error err;
	pf_file_id id;
	int attempt, have_id;

	*owned = 0;
	if (c->s->opts.keys != NULL) {
		/* Unlocked earlier in this run, by this or another session. */
		*priv = pfi_keycache_get(c->s->opts.keys, path);
		if (*priv != NULL) {
			*owned = 1;
			pfi_session_log(
				c->s, PF_LOG_INFO,
				"Using %s, unlocked earlier in this run: no passphrase asked",
				path);
			return M_SUCCESS;
		}
	} else {
		*priv = pfi_session_cred_key(c->s, path);
		if (*priv != NULL)
			return M_SUCCESS;
	}
	/* Before reading: a file changed meanwhile then never matches. */
	have_id = pf_file_identity(path, &id) == PF_OK;
	kr = pf_key_load(path, NULL, priv, NULL, &err);
	if (kr == PF_KEY_OK) {
		*owned = 1;
		return M_SUCCESS;
	}
	if (kr != PF_KEY_NEEDS_PASSPHRASE && kr != PF_KEY_WRONG_PASSPHRASE) {
		pfi_session_log(c->s, PF_LOG_ERROR, "%s", err.message);
		tried_add(t, "%s: %s", pf_path_basename(path), pf_key_result_name(kr));
		return M_DENIED;
	}
	if (c->hc->batch_mode) {
		tried_add(t, "%s: needs a passphrase, and BatchMode is yes",
			  pf_path_basename(path));
		return M_DENIED;
	}
	snprintf(prompt, sizeof(prompt), "Passphrase for key '%s':", path);
	for (attempt = 1; attempt <= MAX_TRIES; attempt++) {
		pf_rc rc = ask(c, PF_SECRET_PASSPHRASE, prompt, path, attempt, reason, 0, &pass);

		if (rc != PF_OK) {
			tried_add(t, "%s: cancelled", pf_path_basename(path));
			return M_CANCELLED;
		}
		/* Disconnect or Exit abandons a long .ppk derivation. */
		pfi_ppk_set_cancel(stop_requested, c->s);
		kr = pf_key_load(path, pass, priv, NULL, &err);
		pfi_ppk_set_cancel(NULL, NULL);
		/* The passphrase has done its job: it is not kept anywhere. */
		pf_secret_free(pass);
		pass = NULL;
		if (kr != PF_KEY_OK && pfi_session_stopping(c->s)) {
			tried_add(t, "%s: cancelled", pf_path_basename(path));
			return M_CANCELLED;
		}
		if (kr == PF_KEY_OK) {
			if (c->s->opts.keys != NULL) {
				if (have_id)
					pfi_keycache_put(c->s->opts.keys, &id, *priv);
				*owned = 1;
			} else {
				pfi_session_cred_put_key(c->s, path, *priv);
			}
			return M_SUCCESS;
		}
		if (kr != PF_KEY_WRONG_PASSPHRASE && kr != PF_KEY_NEEDS_PASSPHRASE) {
			tried_add(t, "%s: %s", pf_path_basename(path), err.message);
			return M_DENIED;
		}
		reason = kr == PF_KEY_NEEDS_PASSPHRASE ? "The key needs a passphrase."
						       : "Wrong passphrase, please try again.";
		pfi_session_log(c->s, PF_LOG_INFO, "Wrong passphrase for %s (try %d of %d)", path,
				attempt, MAX_TRIES);
	}
	tried_add(t, "%s: wrong passphrase %d times", pf_path_basename(path), MAX_TRIES);
	return M_DENIED;
}

static m_result try_identity(pfi_conn *c, const char *path, tried *t)
{
	ssh_key pub = NULL, priv = NULL;
	int owned = 0;
	pf_key_info info;
	pf_key_result kr;
	pf_error err;
	m_result m;
	int r;

	kr = pf_key_probe(path, &pub, &info, &err);
	if (kr != PF_KEY_OK && kr != PF_KEY_NEEDS_PASSPHRASE) {
		if (kr != PF_KEY_NOT_FOUND)
			pfi_session_log(c->s, PF_LOG_ERROR, "%s", err.message);
		else
			pfi_session_log(c->s, PF_LOG_VERBOSE, "%s", err.message);
		/* A default name that is not there is no news for the person. */
		if (kr != PF_KEY_NOT_FOUND || !c->hc->identity_files_default)
			tried_add(t, "%s: %s", pf_path_basename(path), pf_key_result_name(kr));
		return M_DENIED;
	}
	/* Offer the public key first: no passphrase is asked for a key the
	 * server would refuse anyway. */
	if (pub != NULL) {
		r = ssh_userauth_try_publickey(c->ssh, NULL, pub);
		ssh_key_free(pub);
		if (r == SSH_AUTH_DENIED) {
			pfi_session_log(c->s, PF_LOG_VERBOSE, "The server refused the key %s",
					path);
			tried_add(t, "%s: the server refused the key", pf_path_basename(path));
			return M_DENIED;
		}
		if (r == SSH_AUTH_ERROR)
			return M_ERROR;
	}
	m = load_key(c, path, &priv, &owned, t);
	if (m != M_SUCCESS)
		return m;
	r = ssh_userauth_publickey(c->ssh, NULL, priv);
	if (owned)
		ssh_key_free(priv);
	m = from_auth(r);
	if (m == M_DENIED)
		tried_add(t, "%s: the server refused the signature", pf_path_basename(path));
	else if (m == M_SUCCESS || m == M_PARTIAL)
		pfi_session_log(c->s, PF_LOG_VERBOSE, "Authenticated with the key %s", path);
	return m;
}

/* The identity files to try: IdentityFile, or the defaults that
 * config_resolve.c chose (keys beside the config file, else ~/.ssh).
 * Caller frees. */
static pf_rc identity_list(pfi_conn *c, char ***paths, size_t *n)
{
	const pf_host_config *hc = c->hc;
	size_t i;

	*paths = NULL;
	*n = 0;
	*paths = pf_calloc(hc->n_identity_files + 1, sizeof(char *));
	if (*paths == NULL)
		return PF_E_NOMEM;
	for (i = 0; i < hc->n_identity_files; i++) {
		(*paths)[i] = pf_strdup(hc->identity_files[i].path);
		if ((*paths)[i] == NULL) {
			pf_strv_free(*paths, i);
			*paths = NULL;
			return PF_E_NOMEM;
		}
	}
	*n = hc->n_identity_files;
	return PF_OK;
}

/* Make the agent reachable for libssh: on Windows through a bridge to the
 * OpenSSH agent pipe or Pageant; on POSIX libssh connects itself (to
 * IdentityAgent when configured, else SSH_AUTH_SOCK). 1 if worth asking. */
static int use_agent(pfi_conn *c)
{
	const char *ia = c->hc->identity_agent;
	pf_socket sock;
	pf_error err;
	pf_rc rc;

	if (ia != NULL && strcmp(ia, "none") == 0)
		return 0;
	if (c->agent != NULL)
		return 1;
	rc = pf_agent_open(ia, &c->agent, &sock, &err);
	if (rc == PF_E_UNSUPPORTED) {
		if (ia != NULL && strcmp(ia, "SSH_AUTH_SOCK") != 0)
			ssh_options_set(c->ssh, SSH_OPTIONS_IDENTITY_AGENT, ia);
		return 1;
	}
	if (rc != PF_OK) {
		/* A refused agent (another user's pipe) is worth saying. */
		pfi_session_log(c->s, rc == PF_E_DENIED ? PF_LOG_INFO : PF_LOG_VERBOSE, "%s",
				err.message);
		return 0;
	}
	if (ssh_set_agent_socket(c->ssh, (socket_t)sock) != SSH_OK) {
		pf_net_close(sock);
		return 0;
	}
	return 1;
}

static m_result method_publickey(pfi_conn *c, tried *t)
{
	const pf_host_config *hc = c->hc;
	char **paths = NULL;
	size_t n = 0, i;
	m_result m = M_DENIED;
	int r;

	if (!hc->identities_only && use_agent(c)) {
		/* Denied as well when no agent is running. */
		r = ssh_userauth_agent(c->ssh, NULL);
		m = from_auth(r);
		if (m == M_SUCCESS || m == M_PARTIAL) {
			pfi_session_log(c->s, PF_LOG_VERBOSE,
					"Authenticated with a key from the agent");
			return m;
		}
		if (m == M_ERROR && !ssh_is_connected(c->ssh))
			return m;
		m = M_DENIED;
	}
	if (identity_list(c, &paths, &n) != PF_OK)
		return M_ERROR;
	if (n == 0)
		tried_add(t, "no key file (IdentityFile) found");
	for (i = 0; i < n; i++) {
		m = try_identity(c, paths[i], t);
		if (m != M_DENIED)
			break;
	}
	pf_strv_free(paths, n);
	return m;
}

static m_result method_password(pfi_conn *c, tried *t)
{
	char *cached = pfi_session_cred_password(c->s, c->account);
	char prompt[600], *pw = NULL;
	const char *reason = NULL;
	int attempt, r;

	if (cached != NULL) {
		r = ssh_userauth_password(c->ssh, NULL, cached);
		pf_secret_free(cached);
		if (r == SSH_AUTH_SUCCESS || r == SSH_AUTH_PARTIAL)
			return from_auth(r);
		pfi_session_cred_forget_password(c->s, c->account);
		if (r == SSH_AUTH_ERROR)
			return M_ERROR;
	}
	if (c->hc->batch_mode) {
		tried_add(t, "password: BatchMode is yes");
		return M_DENIED;
	}
	snprintf(prompt, sizeof(prompt), "%s@%s's password:", c->hc->user, c->hc->hostname);
	for (attempt = 1; attempt <= MAX_TRIES; attempt++) {
		if (ask(c, PF_SECRET_PASSWORD, prompt, NULL, attempt, reason, 0, &pw) != PF_OK) {
			tried_add(t, "password: cancelled");
			return M_CANCELLED;
		}
		r = ssh_userauth_password(c->ssh, NULL, pw);
		if (r == SSH_AUTH_SUCCESS || r == SSH_AUTH_PARTIAL)
			pfi_session_cred_put_password(c->s, c->account, pw);
		pf_secret_free(pw);
		pw = NULL;
		if (r != SSH_AUTH_DENIED)
			return from_auth(r);
		reason = "Wrong password, please try again.";
	}
	tried_add(t, "password: wrong password %d times", MAX_TRIES);
	return M_DENIED;
}

static m_result method_kbdint(pfi_conn *c, tried *t)
{
	int r, rounds = 0;

	if (c->hc->batch_mode) {
		tried_add(t, "keyboard-interactive: BatchMode is yes");
		return M_DENIED;
	}
	r = ssh_userauth_kbdint(c->ssh, NULL, NULL);
	while (r == SSH_AUTH_INFO && rounds++ < 16) {
		int n = ssh_userauth_kbdint_getnprompts(c->ssh), i;
		const char *instr = ssh_userauth_kbdint_getinstruction(c->ssh);
		const char *name = ssh_userauth_kbdint_getname(c->ssh);

		for (i = 0; i < n; i++) {
			char echo = 0, *answer = NULL;
			const char *prompt =
				ssh_userauth_kbdint_getprompt(c->ssh, (unsigned)i, &echo);
			pf_secret_request req;

			memset(&req, 0, sizeof(req));
			req.kind = PF_SECRET_KBDINT;
			req.conn_name = c->s->name;
			req.prompt = prompt ? prompt : "";
			req.instruction = instr ? instr : "";
			req.name = name ? name : "";
			req.user = c->hc->user;
			req.host = c->hc->hostname;
			req.echo = echo;
			req.attempt = rounds;
			if (pfi_session_ask_secret(c->s, &req, &answer) != PF_OK) {
				tried_add(t, "keyboard-interactive: cancelled");
				return M_CANCELLED;
			}
			r = ssh_userauth_kbdint_setanswer(c->ssh, (unsigned)i, answer);
			pf_secret_free(answer);
			if (r < 0)
				return M_ERROR;
		}
		r = ssh_userauth_kbdint(c->ssh, NULL, NULL);
	}
	if (r == SSH_AUTH_DENIED)
		tried_add(t, "keyboard-interactive: refused");
	return from_auth(r);
}

pf_rc pfi_session_authenticate(pfi_conn *c, pf_error *err)
{
	const pf_host_config *hc = c->hc;
	const char *order =
		hc->preferred_authentications ? hc->preferred_authentications : DEFAULT_METHODS;
	char *list = pf_strdup(order), *name, *save = NULL;
	tried t;
	int methods, r;
	m_result m = M_DENIED;
	pf_rc rc;

	memset(&t, 0, sizeof(t));
	if (list == NULL)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	r = ssh_userauth_none(c->ssh, NULL);
	if (r == SSH_AUTH_SUCCESS) {
		free(list);
		return PF_OK;
	}
	if (r == SSH_AUTH_ERROR) {
		free(list);
		return pf_error_set(err, PF_E_NETWORK, "The connection failed during login: %s",
				    ssh_get_error(c->ssh));
	}
	for (name = strtok_r(list, ",", &save); name != NULL; name = strtok_r(NULL, ",", &save)) {
		methods = ssh_userauth_list(c->ssh, NULL);
		if (strcmp(name, "publickey") == 0) {
			if (hc->pubkey_authentication == PF_PUBKEY_NO)
				continue;
			if (!(methods & SSH_AUTH_METHOD_PUBLICKEY)) {
				tried_add(&t, "publickey: not offered by the server");
				continue;
			}
			m = method_publickey(c, &t);
		} else if (strcmp(name, "keyboard-interactive") == 0) {
			if (!hc->kbd_interactive_authentication)
				continue;
			if (!(methods & SSH_AUTH_METHOD_INTERACTIVE))
				continue;
			m = method_kbdint(c, &t);
		} else if (strcmp(name, "password") == 0) {
			if (!hc->password_authentication)
				continue;
			if (!(methods & SSH_AUTH_METHOD_PASSWORD)) {
				tried_add(&t, "password: not offered by the server");
				continue;
			}
			m = method_password(c, &t);
		} else {
			continue; /* gssapi-with-mic, hostbased: not implemented */
		}
		if (m == M_SUCCESS || m == M_CANCELLED || m == M_ERROR)
			break;
		/* M_PARTIAL: the server wants another method too; go on. */
	}
	free(list);
	switch (m) {
	case M_SUCCESS: return PF_OK;
	case M_CANCELLED:
		rc = pf_error_set(err, PF_E_CANCELLED, "Login to %s cancelled.", c->server);
		break;
	case M_ERROR:
		rc = pf_error_set(err, PF_E_NETWORK, "The connection failed during login: %s",
				  ssh_get_error(c->ssh));
		break;
	default:
		rc = pf_error_set(err, PF_E_AUTH,
				  "Login to %s as %s failed. Tried: %s. Check the user name and "
				  "that the server has your public key.",
				  c->server, hc->user,
				  t.text[0] ? t.text : "no method the server offers");
		break;
	}
	return rc;
}
