/* The connection worker: connect (TCP, key exchange), verify the host key
 * against known_hosts, authenticate, run the forwards, reconnect. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/agent.h"
#include "pf/keys.h"
#include "pf/knownhosts.h"
#include "pf/mem.h"
#include "session_internal.h"

#define DEFAULT_BACKOFF_MIN_MS 1000u
#define DEFAULT_BACKOFF_MAX_MS 60000u
/* Without ConnectTimeout a dead address still must not hang a worker for
 * the system's two minutes. */
#define DEFAULT_CONNECT_TIMEOUT_S 30

const char *pf_conn_state_name(pf_conn_state st)
{
	switch (st) {
	case PF_CONN_IDLE: return "Not connected";
	case PF_CONN_CONNECTING: return "Connecting";
	case PF_CONN_AUTHENTICATING: return "Authenticating";
	case PF_CONN_CONNECTED: return "Connected";
	case PF_CONN_RECONNECTING: return "Reconnecting";
	case PF_CONN_FAILED: return "Failed";
	case PF_CONN_CLOSING: return "Closing";
	case PF_CONN_LISTENING: return "Listening, not connected";
	}
	return "?";
}

/* --- logging and status ------------------------------------------------- */

void pfi_session_log(pf_session *s, pf_log_level level, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	/* Errors always reach the event log; LogLevel governs the rest. */
	if (level > s->hc->log_level && level > PF_LOG_ERROR)
		return;
	if (s->ui.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->ui.log(s->ui.ctx, level, s->name, msg);
}

void pfi_session_publish(pf_session *s)
{
	pf_status st;

	if (s->ui.status_changed == NULL)
		return;
	memset(&st, 0, sizeof(st));
	st.conn_name = s->name;
	st.state = s->state;
	st.server = s->server;
	st.algorithms = s->algorithms[0] ? s->algorithms : NULL;
	st.uptime_s = s->state == PF_CONN_CONNECTED && s->connected_at_ms
			      ? (pf_time_ms() - s->connected_at_ms) / 1000
			      : 0;
	st.reconnects = s->reconnects;
	st.retry_in_s = s->retry_in_s;
	st.retry_at_ms = s->retry_at_ms;
	st.last_error = s->last_error[0] ? s->last_error : NULL;
	if (s->fwd != NULL)
		st.forwards = pfi_fwd_engine_status(s->fwd, &st.nforwards);
	s->ui.status_changed(s->ui.ctx, &st);
}

void pfi_session_set_state(pf_session *s, pf_conn_state st)
{
	if (s->state == st)
		return;
	s->state = st;
	pfi_session_publish(s);
}

int pfi_session_stopping(pf_session *s)
{
	int v;

	pf_mutex_lock(s->mu);
	v = s->stop_requested || s->stop_signalled;
	pf_mutex_unlock(s->mu);
	return v;
}

/* --- prompts ------------------------------------------------------------ */

static pfi_prompt *prompt_new(void)
{
	pfi_prompt *p = PF_NEW(pfi_prompt);

	if (p == NULL)
		return NULL;
	p->mu = pf_mutex_new();
	p->cv = pf_cond_new();
	if (p->mu == NULL || p->cv == NULL) {
		pf_mutex_free(p->mu);
		pf_cond_free(p->cv);
		free(p);
		return NULL;
	}
	p->refs = 2; /* the worker and the front end */
	return p;
}

/* Drop one reference; the last one frees. */
static void prompt_release(pfi_prompt *p)
{
	int last;

	pf_mutex_lock(p->mu);
	last = --p->refs == 0;
	pf_mutex_unlock(p->mu);
	if (!last)
		return;
	pf_secret_free(p->secret);
	pf_mutex_free(p->mu);
	pf_cond_free(p->cv);
	free(p);
}

static void on_secret(void *token, const char *secret)
{
	pfi_prompt *p = token;

	pf_mutex_lock(p->mu);
	if (!p->answered && !p->abandoned && secret != NULL)
		p->secret = pf_strdup(secret);
	p->answered = 1;
	pf_cond_broadcast(p->cv);
	pf_mutex_unlock(p->mu);
	prompt_release(p);
}

static void on_hostkey(void *token, pf_hostkey_answer answer)
{
	pfi_prompt *p = token;

	pf_mutex_lock(p->mu);
	p->hostkey = answer;
	p->answered = 1;
	pf_cond_broadcast(p->cv);
	pf_mutex_unlock(p->mu);
	prompt_release(p);
}

/* Wait for the answer or a stop; returns 1 if answered. */
static int prompt_wait(pf_session *s, pfi_prompt *p)
{
	int answered;

	pf_mutex_lock(s->mu);
	s->pending = p;
	pf_mutex_unlock(s->mu);
	pf_mutex_lock(p->mu);
	while (!p->answered && !p->abandoned)
		pf_cond_wait(p->cv, p->mu, -1);
	answered = p->answered && !p->abandoned;
	pf_mutex_unlock(p->mu);
	pf_mutex_lock(s->mu);
	s->pending = NULL;
	pf_mutex_unlock(s->mu);
	return answered;
}

pf_rc pfi_session_ask_secret(pf_session *s, const pf_secret_request *req, char **answer)
{
	pfi_prompt *p;
	pf_rc rc = PF_E_CANCELLED;

	*answer = NULL;
	if (s->ui.ask_secret == NULL || pfi_session_stopping(s))
		return PF_E_CANCELLED;
	p = prompt_new();
	if (p == NULL)
		return PF_E_NOMEM;
	s->ui.ask_secret(s->ui.ctx, req, on_secret, p);
	if (prompt_wait(s, p)) {
		pf_mutex_lock(p->mu);
		if (p->secret != NULL) {
			*answer = p->secret;
			p->secret = NULL;
			rc = PF_OK;
		}
		pf_mutex_unlock(p->mu);
	}
	prompt_release(p);
	return rc;
}

/* An UNKNOWN key is trusted only by an answer that says so: REPLACE (which
 * means something only for a CHANGED key, ui.h) and anything else refuse. */
static int accepts_unknown(pf_hostkey_answer a)
{
	return a == PF_HOSTKEY_ACCEPT_ONCE || a == PF_HOSTKEY_ACCEPT_SAVE;
}

static pf_hostkey_answer ask_hostkey(pf_session *s, const pf_hostkey_info *info)
{
	pfi_prompt *p;
	pf_hostkey_answer a = PF_HOSTKEY_REJECT;

	if (s->ui.ask_hostkey == NULL || pfi_session_stopping(s))
		return PF_HOSTKEY_REJECT;
	p = prompt_new();
	if (p == NULL)
		return PF_HOSTKEY_REJECT;
	s->ui.ask_hostkey(s->ui.ctx, info, on_hostkey, p);
	if (prompt_wait(s, p))
		a = p->hostkey;
	prompt_release(p);
	return a;
}

/* --- credential cache ----------------------------------------------------- */

/* Entries match on both keys: a key file (account NULL) or an account's
 * password (key_path NULL). */
static int same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static pfi_cred *cred_find(pf_session *s, const char *key_path, const char *account)
{
	size_t i;

	for (i = 0; i < s->ncreds; i++)
		if (same(s->creds[i].key_path, key_path) && same(s->creds[i].account, account))
			return &s->creds[i];
	return NULL;
}

static void cred_clear(pfi_cred *c)
{
	free(c->key_path);
	free(c->account);
	if (c->key != NULL)
		ssh_key_free(c->key);
	if (c->pw != NULL)
		pf_secure_zero(c->pw, c->pw_len);
	if (c->pad != NULL)
		pf_secure_zero(c->pad, c->pw_len);
	free(c->pw);
	free(c->pad);
	memset(c, 0, sizeof(*c));
}

static void cred_forget(pf_session *s, const char *key_path, const char *account)
{
	pfi_cred *c = cred_find(s, key_path, account);

	if (c == NULL)
		return;
	cred_clear(c);
	*c = s->creds[--s->ncreds];
}

void pfi_session_cred_forget_key(pf_session *s, const char *key_path)
{
	cred_forget(s, key_path, NULL);
}

void pfi_session_cred_forget_password(pf_session *s, const char *account)
{
	cred_forget(s, NULL, account);
}

/* A new, empty entry (replacing an old one), or NULL. */
static pfi_cred *cred_add(pf_session *s, const char *key_path, const char *account)
{
	pfi_cred *n;

	cred_forget(s, key_path, account);
	n = pf_reallocarray(s->creds, s->ncreds + 1, sizeof(*n));
	if (n == NULL)
		return NULL; /* only a convenience: the person is asked again */
	s->creds = n;
	n = &s->creds[s->ncreds];
	memset(n, 0, sizeof(*n));
	if ((key_path != NULL && (n->key_path = pf_strdup(key_path)) == NULL) ||
	    (account != NULL && (n->account = pf_strdup(account)) == NULL)) {
		cred_clear(n);
		return NULL;
	}
	s->ncreds++;
	return n;
}

ssh_key pfi_session_cred_key(pf_session *s, const char *key_path)
{
	pfi_cred *c = cred_find(s, key_path, NULL);

	return c ? c->key : NULL;
}

void pfi_session_cred_put_key(pf_session *s, const char *key_path, ssh_key key)
{
	pfi_cred *c = cred_add(s, key_path, NULL);

	if (c == NULL) {
		ssh_key_free(key);
		return;
	}
	c->key = key;
}

char *pfi_session_cred_password(pf_session *s, const char *account)
{
	pfi_cred *c = cred_find(s, NULL, account);
	char *pw;
	size_t i;

	if (c == NULL || c->pw == NULL)
		return NULL;
	pw = malloc(c->pw_len + 1);
	if (pw == NULL)
		return NULL;
	for (i = 0; i < c->pw_len; i++)
		pw[i] = (char)(c->pw[i] ^ c->pad[i]);
	pw[c->pw_len] = '\0';
	return pw;
}

void pfi_session_cred_put_password(pf_session *s, const char *account, const char *password)
{
	size_t len = strlen(password), i;
	pfi_cred *c = cred_add(s, NULL, account);

	if (c == NULL)
		return;
	c->pw = malloc(len + 1);
	c->pad = malloc(len + 1);
	if (c->pw == NULL || c->pad == NULL || pf_random_bytes(c->pad, len + 1) != PF_OK) {
		cred_forget(s, NULL, account);
		return;
	}
	for (i = 0; i < len; i++)
		c->pw[i] = (unsigned char)password[i] ^ c->pad[i];
	c->pw_len = len;
}

void pfi_session_cred_wipe(pf_session *s)
{
	while (s->ncreds > 0)
		cred_clear(&s->creds[--s->ncreds]);
	PF_FREE(s->creds);
}

/* --- what the server sends unasked (issue 18 item 13) ---------------------- */

static void note_unrequested(pfi_conn *c, const char *what)
{
	c->unrequested++;
	if (!c->unrequested_logged) {
		c->unrequested_logged = 1;
		pfi_session_log(c->s, PF_LOG_INFO,
				"%s sent a %s that PortForwarder did not ask for: refused (and so "
				"will be any more on this connection).",
				c->server, what);
	}
}

static void on_global_request(ssh_session ssh, ssh_message msg, void *userdata)
{
	(void)ssh;
	(void)msg; /* libssh frees it; a reply it wants is never sent */
	note_unrequested(userdata, "global request");
}

/* libssh's own queue pop (exported by the pinned 0.11, not in its public
 * headers): unlike ssh_message_get it reads no new packets, so a
 * forwarded-tcpip open that arrives now stays queued for the engine. */
ssh_message ssh_message_pop_head(ssh_session session);

int pfi_conn_refuse_unrequested(pfi_conn *c, int max)
{
	ssh_message msg;
	int n = 0;

	while (n < max && (msg = ssh_message_pop_head(c->ssh)) != NULL) {
		if (ssh_message_type(msg) == SSH_REQUEST_CHANNEL_OPEN) {
			ssh_channel ch = ssh_message_channel_request_open_reply_accept(msg);

			if (ch != NULL) {
				ssh_channel_close(ch);
				ssh_channel_free(ch);
			}
			note_unrequested(c, "channel open");
		} else {
			note_unrequested(c, "request");
		}
		ssh_message_free(msg);
		n++;
	}
	return n;
}

/* --- connecting ------------------------------------------------------------ */

static pf_rc set_opt(pfi_conn *c, enum ssh_options_e opt, const void *value, const char *what,
		     pf_error *err)
{
	if (ssh_options_set(c->ssh, opt, value) == SSH_OK)
		return PF_OK;
	return pf_error_set(err, PF_E_CONFIG, "The SSH library does not accept %s: %s", what,
			    ssh_get_error(c->ssh));
}

static pf_rc configure_ssh(pfi_conn *c, pf_error *err)
{
	const pf_host_config *hc = c->hc;
	int no = 0, yes = 1, port = hc->port;
	long timeout = hc->connect_timeout > 0 ? hc->connect_timeout : DEFAULT_CONNECT_TIMEOUT_S;
	pf_rc rc = PF_OK;

	/* Never the machine's or the user's own OpenSSH files. */
	if (ssh_options_set(c->ssh, SSH_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK)
		return pf_error_set(err, PF_E_INTERNAL, "Cannot turn off reading ssh_config");
	if (rc == PF_OK)
		rc = set_opt(c, SSH_OPTIONS_HOST, hc->hostname, "the host name", err);
	if (rc == PF_OK)
		rc = set_opt(c, SSH_OPTIONS_PORT, &port, "the port", err);
	if (rc == PF_OK)
		rc = set_opt(c, SSH_OPTIONS_USER, hc->user, "the user name", err);
	if (rc == PF_OK)
		rc = set_opt(c, SSH_OPTIONS_TIMEOUT, &timeout, "ConnectTimeout", err);
	if (rc == PF_OK)
		rc = set_opt(c, SSH_OPTIONS_NODELAY, &yes, "TCP_NODELAY", err);
	/* libssh only uses these files to prefer the host key types already
	 * known; the check itself is ours (knownhosts.c). */
	if (rc == PF_OK && hc->n_known_hosts_files > 0 &&
	    strcmp(hc->known_hosts_files[0].path, "none") != 0)
		/* Only a regular file: libssh would block opening a FIFO. */
		rc = set_opt(c, SSH_OPTIONS_KNOWNHOSTS,
			     pf_file_exists(hc->known_hosts_files[0].path)
				     ? hc->known_hosts_files[0].path
				     : "none",
			     "UserKnownHostsFile", err);
	if (rc == PF_OK)
		rc = set_opt(c, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "none", "GlobalKnownHostsFile", err);
	if (rc == PF_OK && hc->ciphers != NULL)
		rc = set_opt(c, SSH_OPTIONS_CIPHERS_C_S, hc->ciphers, "Ciphers", err);
	if (rc == PF_OK && hc->ciphers != NULL)
		rc = set_opt(c, SSH_OPTIONS_CIPHERS_S_C, hc->ciphers, "Ciphers", err);
	if (rc == PF_OK && hc->macs != NULL)
		rc = set_opt(c, SSH_OPTIONS_HMAC_C_S, hc->macs, "MACs", err);
	if (rc == PF_OK && hc->macs != NULL)
		rc = set_opt(c, SSH_OPTIONS_HMAC_S_C, hc->macs, "MACs", err);
	if (rc == PF_OK && hc->kex_algorithms != NULL)
		rc = set_opt(c, SSH_OPTIONS_KEY_EXCHANGE, hc->kex_algorithms, "KexAlgorithms", err);
	if (rc == PF_OK && hc->hostkey_algorithms != NULL)
		rc = set_opt(c, SSH_OPTIONS_HOSTKEYS, hc->hostkey_algorithms, "HostKeyAlgorithms",
			     err);
	if (rc == PF_OK && hc->pubkey_accepted_algorithms != NULL)
		rc = set_opt(c, SSH_OPTIONS_PUBLICKEY_ACCEPTED_TYPES,
			     hc->pubkey_accepted_algorithms, "PubkeyAcceptedAlgorithms", err);
	if (rc == PF_OK)
		rc = set_opt(c, SSH_OPTIONS_COMPRESSION, hc->compression ? "yes" : "no",
			     "Compression", err);
	return rc;
}

/* The known_hosts file in use, or NULL for "none". */
static const char *known_hosts_path(const pf_host_config *hc)
{

	if (hc->n_known_hosts_files == 0 || strcmp(hc->known_hosts_files[0].path, "none") == 0)
		return NULL;
	return hc->known_hosts_files[0].path;
}

/* PF_HOSTKEY_REPLACE: the offered key replaces the recorded one in the file
 * and line that hold it (pf_knownhosts_replace checks that the line is still
 * what was shown), with a note in the log; PF_OK connects. */
static pf_rc replace_host_key(pf_session *s, pfi_conn *c, const pf_knownhosts *kh,
			      const pf_knownhosts_result *res, const unsigned char *blob,
			      size_t blob_len, pf_error *err)
{
	const pf_host_config *hc = c->hc;
	const char *file = pf_knownhosts_path(kh);
	pf_error rerr;

	pf_error_clear(&rerr);
	if (pf_knownhosts_replace(file, res->old_line, hc->hostname, hc->port, hc->host_key_alias,
				  res->old_fingerprint, res->key_type, blob, blob_len,
				  &rerr) != PF_OK) {
		pfi_session_log(s, PF_LOG_ERROR, "%s", rerr.message);
		return pf_error_set(err, PF_E_HOSTKEY,
				    "The host key of %s was not replaced: %s Not connected.",
				    res->name, rerr.message);
	}
	pfi_session_log(s, PF_LOG_INFO,
			"Host key of %s REPLACED in %s line %d: %s %s (recorded) by %s %s "
			"(offered; its fingerprint was pasted and matched)",
			res->name, file, res->old_line, res->old_key_type, res->old_fingerprint,
			res->key_type, res->fingerprint);
	pf_error_clear(err);
	return PF_OK;
}

static pf_rc verify_host_key(pfi_conn *c, pf_error *err)
{
	pf_session *s = c->s;
	const pf_host_config *hc = c->hc;
	const char *path = known_hosts_path(hc);
	ssh_key key = NULL;
	char *b64 = NULL;
	unsigned char *blob = NULL;
	size_t blob_len = 0, i, nkh = 0, decided = 0;
	pf_knownhosts **khs = NULL, *kh = NULL;
	pf_knownhosts_result res;
	pf_hostkey_info info;
	pf_hostkey_answer answer;
	pf_rc rc;

	if (ssh_get_server_publickey(c->ssh, &key) != SSH_OK ||
	    ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) {
		rc = pf_error_set(err, PF_E_NETWORK, "The server sent no usable host key: %s",
				  ssh_get_error(c->ssh));
		goto out;
	}
	rc = pf_knownhosts_decode_key(b64, &blob, &blob_len, err);
	if (rc != PF_OK)
		goto out;
	/* Every UserKnownHostsFile, as OpenSSH: revoked anywhere refuses, a
	 * match anywhere accepts, a mismatch anywhere refuses; new keys go to
	 * the first file (`path`). */
	nkh = hc->n_known_hosts_files;
	khs = nkh > 0 ? calloc(nkh, sizeof(*khs)) : NULL;
	if (nkh > 0 && khs == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	for (i = 0; i < nkh; i++) {
		const char *p = hc->known_hosts_files[i].path;
		size_t j;

		if (strcmp(p, "none") == 0)
			continue;
		rc = pf_knownhosts_load(p, &khs[i], err);
		if (rc != PF_OK)
			goto out;
		for (j = 0; j < pf_knownhosts_diag_count(khs[i]); j++) {
			const pf_error *d = pf_knownhosts_diag(khs[i], j);

			pfi_session_log(s, PF_LOG_VERBOSE, "%s: %s", d->where, d->message);
		}
	}
	rc = pf_knownhosts_check_files(khs, nkh, hc->hostname, hc->port, hc->host_key_alias,
				       ssh_key_type_to_char(ssh_key_type(key)), blob, blob_len,
				       &res, &decided, err);
	if (rc != PF_OK)
		goto out;
	kh = decided < nkh ? khs[decided] : NULL;

	memset(&info, 0, sizeof(info));
	info.conn_name = s->name;
	info.host = res.name;
	info.port = hc->port;
	info.key_type = res.key_type;
	info.fingerprint = res.fingerprint;
	info.known_hosts_path = path ? path : "(none)";
	info.unattended = s->unattended;

	switch (res.status) {
	case PF_KH_MATCH:
		pfi_session_log(s, PF_LOG_VERBOSE, "Host key %s %s matches %s line %d",
				res.key_type, res.fingerprint, pf_knownhosts_path(kh),
				res.old_line);
		rc = PF_OK;
		goto out;
	case PF_KH_CHANGED:
	case PF_KH_OTHER_TYPE:
	case PF_KH_REVOKED:
		/* Refused in every mode; the person is told, not asked. */
		rc = pf_knownhosts_refusal(kh, &res, err);
		info.state =
			res.status == PF_KH_OTHER_TYPE ? PF_HOSTKEY_OTHER_TYPE : PF_HOSTKEY_CHANGED;
		info.old_line = res.old_line;
		info.known_hosts_path = pf_knownhosts_path(kh); /* the file with that line */
		info.old_key_type = res.old_key_type;
		info.old_fingerprint = res.old_fingerprint;
		/* Only a changed key of the same family on a plain line of a real
		 * file may be replaced, and only by the person's explicit answer
		 * (the one path that accepts a changed key). */
		info.replaceable = res.status == PF_KH_CHANGED &&
				   info.known_hosts_path[0] != '\0' &&
				   !pf_file_discards(info.known_hosts_path);
		/* The worker logs the message once, when it gives up. */
		if (ask_hostkey(s, &info) == PF_HOSTKEY_REPLACE && info.replaceable) {
			rc = replace_host_key(s, c, kh, &res, blob, blob_len, err);
			goto out;
		}
		rc = PF_E_HOSTKEY;
		goto out;
	case PF_KH_UNKNOWN: break;
	}

	info.state = PF_HOSTKEY_UNKNOWN;
	switch (hc->strict_host_key_checking) {
	case PF_STRICT_YES:
		rc = pf_error_set(
			err, PF_E_HOSTKEY,
			"The host key of %s (%s %s) is not in %s, and StrictHostKeyChecking "
			"is yes. Add the key to known_hosts or change that setting.",
			res.name, res.key_type, res.fingerprint, path ? path : "known_hosts");
		goto out;
	case PF_STRICT_NO:
	case PF_STRICT_ACCEPT_NEW:
		answer = PF_HOSTKEY_ACCEPT_SAVE;
		pfi_session_log(s, PF_LOG_INFO, "Adding the host key of %s (%s %s) to %s", res.name,
				res.key_type, res.fingerprint, path ? path : "(none)");
		break;
	case PF_STRICT_ASK:
	default:
		if (hc->batch_mode) {
			rc = pf_error_set(
				err, PF_E_HOSTKEY,
				"The host key of %s (%s %s) is not known and BatchMode is "
				"yes, so nobody can be asked. Connect once interactively "
				"to trust it.",
				res.name, res.key_type, res.fingerprint);
			goto out;
		}
		answer = ask_hostkey(s, &info);
		break;
	}
	if (!accepts_unknown(answer)) {
		rc = pf_error_set(err, PF_E_HOSTKEY,
				  "The host key of %s was not trusted; not connected.", res.name);
		goto out;
	}
	if (answer == PF_HOSTKEY_ACCEPT_SAVE && path != NULL && pf_file_discards(path)) {
		pfi_session_log(s, PF_LOG_VERBOSE,
				"%s keeps nothing (a device such as /dev/null): the host key of %s "
				"is not saved",
				path, res.name);
	} else if (answer == PF_HOSTKEY_ACCEPT_SAVE && path != NULL) {
		pf_error werr;

		if (pf_knownhosts_add(path, hc->hostname, hc->port, hc->host_key_alias,
				      res.key_type, blob, blob_len, 0, &werr) == PF_OK) {
			pfi_session_log(s, PF_LOG_INFO, "Host key of %s saved in %s", res.name,
					path);
		} else if (hc->strict_host_key_checking == PF_STRICT_ASK) {
			pfi_session_log(s, PF_LOG_ERROR,
					"The host key of %s (%s %s) cannot be saved (%s); it will "
					"be asked again at the next connection.",
					res.name, res.key_type, res.fingerprint, werr.message);
		} else if (s->ui.ask_unsaved_hostkey && !hc->batch_mode) {
			/* A front end that can ask (the GUI) asks rather than trust, on
			 * every connection, a key that is never pinned. */
			pfi_session_log(s, PF_LOG_ERROR,
					"The host key of %s (%s %s) cannot be saved (%s); asking "
					"instead of accepting it unverified.",
					res.name, res.key_type, res.fingerprint, werr.message);
			info.cannot_save = werr.message;
			if (!accepts_unknown(ask_hostkey(s, &info))) {
				rc = pf_error_set(err, PF_E_HOSTKEY,
						  "The host key of %s was not trusted; not "
						  "connected.",
						  res.name);
				goto out;
			}
		} else {
			/* Loud, once per connection: the connection goes on, but this
			 * key is not pinned and will be taken unverified again. */
			pfi_session_log(s, PF_LOG_ERROR,
					"The host key of %s (%s %s) cannot be saved (%s); it will "
					"be accepted again, unverified, at every connection until "
					"it can be saved.",
					res.name, res.key_type, res.fingerprint, werr.message);
		}
	}
	rc = PF_OK;
out:
	for (i = 0; i < nkh && khs != NULL; i++)
		pf_knownhosts_free(khs[i]);
	free(khs);
	free(blob);
	ssh_string_free_char(b64);
	ssh_key_free(key);
	return rc;
}

static void describe_algorithms(pfi_conn *c)
{
	const char *kex = ssh_get_kex_algo(c->ssh), *cipher = ssh_get_cipher_in(c->ssh),
		   *mac = ssh_get_hmac_in(c->ssh);
	/* AEAD ciphers carry their own integrity: no separate MAC to show. */
	int aead = cipher != NULL && (strstr(cipher, "gcm") || strstr(cipher, "poly1305"));

	snprintf(c->algorithms, sizeof(c->algorithms), "%s, %s%s%s", kex ? kex : "?",
		 cipher ? cipher : "?", aead || mac == NULL ? "" : ", ",
		 aead || mac == NULL ? "" : mac);
}

static void conn_free(pfi_conn *c)
{
	pf_host_config_free(c->hc_own);
	free(c);
}

void pfi_conn_close(pfi_conn *c, int polite)
{
	if (c == NULL)
		return;
	if (c->ssh != NULL) {
		if (polite && ssh_is_connected(c->ssh))
			ssh_disconnect(c->ssh);
		ssh_free(c->ssh);
	}
	pf_net_close(c->sock);
	/* The agent's bridge and what lies below the socket (jump hosts'
	 * bridges) end once their sockets are closed. */
	pf_agent_close(c->agent);
	pfi_link_close(c->link);
	conn_free(c);
}

pf_rc pfi_conn_open(pf_session *s, const pf_host_config *hc, pf_host_config *hc_own,
		    const char *server, pf_socket over, pfi_conn **out, pf_error *err)
{
	pfi_conn *c = PF_NEW(pfi_conn);
	pf_rc rc;

	*out = NULL;
	if (c == NULL) {
		pf_net_close(over);
		pf_host_config_free(hc_own);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	c->s = s;
	c->hc = hc;
	c->hc_own = hc_own;
	c->sock = over;
	pf_strlcpy(c->server, server, sizeof(c->server));
	snprintf(c->account, sizeof(c->account), "%s@%s:%d", hc->user, hc->hostname, hc->port);
	if (c->sock == PF_INVALID_SOCKET) {
		rc = pfi_dial(s, hc, &c->sock, &c->link, err);
		if (rc != PF_OK)
			goto fail;
	}
	c->ssh = ssh_new();
	if (c->ssh == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto fail;
	}
	/* Global requests the server sends (tcpip-forward, ...) are taken by
	 * this callback instead of piling up in libssh's message queue. */
	ssh_callbacks_init(&c->cb);
	c->cb.userdata = c;
	c->cb.global_request_function = on_global_request;
	ssh_set_callbacks(c->ssh, &c->cb);
	rc = configure_ssh(c, err);
	if (rc == PF_OK) {
		socket_t fd = (socket_t)c->sock;

		rc = set_opt(c, SSH_OPTIONS_FD, &fd, "the socket", err);
	}
	if (rc != PF_OK)
		goto fail;
	if (ssh_connect(c->ssh) != SSH_OK) {
		const char *why = ssh_get_error(c->ssh);

		if (strstr(why, "no match for method") != NULL)
			rc = pf_error_set(err, PF_E_NETWORK,
					  "%s and PortForwarder have no algorithm in common (%s). "
					  "Ask for the server to be updated, or allow its "
					  "algorithms with Ciphers, MACs, KexAlgorithms or "
					  "HostKeyAlgorithms in the config file.",
					  c->server, why);
		else
			rc = pf_error_set(err, PF_E_NETWORK, "SSH connection to %s failed: %s",
					  c->server, why);
		if (pfi_link_explain(c->link, err))
			rc = PF_E_NETWORK;
		goto fail;
	}
	describe_algorithms(c);
	pfi_session_log(s, PF_LOG_VERBOSE, "Connected to %s (%s); algorithms: %s", c->server,
			ssh_get_serverbanner(c->ssh) ? ssh_get_serverbanner(c->ssh) : "?",
			c->algorithms);
	rc = verify_host_key(c, err);
	if (rc != PF_OK)
		goto fail;
	pfi_session_set_state(s, PF_CONN_AUTHENTICATING);
	rc = pfi_session_authenticate(c, err);
	if (rc != PF_OK)
		goto fail;
	*out = c;
	return PF_OK;
fail:
	pfi_conn_close(c, 1);
	return rc;
}

/* One full connection attempt, through the ProxyJump hosts if any; on
 * success s->conn is connected and authenticated. */
static pf_rc connect_once(pf_session *s, pf_error *err)
{
	pf_rc rc;

	pfi_session_set_state(s, PF_CONN_CONNECTING);
	rc = pfi_conn_open(s, s->hc, NULL, s->server, PF_INVALID_SOCKET, &s->conn, err);
	if (rc == PF_OK)
		pf_strlcpy(s->algorithms, s->conn->algorithms, sizeof(s->algorithms));
	return rc;
}

static void drop_ssh(pf_session *s, int polite)
{
	pfi_conn_close(s->conn, polite);
	s->conn = NULL;
}

/* Failures that another attempt cannot fix. */
static int is_final(pf_rc rc)
{
	return rc == PF_E_HOSTKEY || rc == PF_E_AUTH || rc == PF_E_CANCELLED || rc == PF_E_CONFIG ||
	       rc == PF_E_NOMEM || rc == PF_E_INTERNAL;
}

/* Sleep out the back-off, waking early for stop or reconnect-now (both
 * signal the wake-up socket) and for clients of the forwards (answered at
 * once); nothing else wakes it: the front end got the deadline
 * (retry_at_ms) and counts down itself. Returns 1 when the session should
 * stop. */
static int backoff_wait(pf_session *s, unsigned ms)
{
	uint64_t end = pf_time_ms() + ms;

	for (;;) {
		uint64_t now = pf_time_ms();

		pf_mutex_lock(s->mu);
		if (s->stop_requested || s->stop_signalled || s->reconnect_now) {
			int stop = s->stop_requested || s->stop_signalled;

			s->reconnect_now = 0;
			pf_mutex_unlock(s->mu);
			return stop;
		}
		pf_mutex_unlock(s->mu);
		if (now >= end)
			return 0;
		pfi_fwd_engine_wait(s->fwd, (int)(end - now));
	}
}

/* On demand: listen until the first client arrives (the acceptor holds
 * it and wakes us). Returns 1 when the session should stop. */
static int wait_first_use(pf_session *s)
{
	pfi_session_set_state(s, PF_CONN_LISTENING);
	pfi_session_log(s, PF_LOG_INFO,
			"Listening; connecting to %s when the first client arrives (on demand)",
			s->server);
	while (!pfi_session_stopping(s)) {
		if (pfi_fwd_engine_has_held(s->fwd))
			return 0;
		pfi_fwd_engine_wait(s->fwd, -1);
	}
	return 1;
}

static unsigned next_backoff(pf_session *s, unsigned cur)
{
	unsigned lo = s->opts.backoff_min_ms ? s->opts.backoff_min_ms : DEFAULT_BACKOFF_MIN_MS;
	unsigned hi = s->opts.backoff_max_ms ? s->opts.backoff_max_ms : DEFAULT_BACKOFF_MAX_MS;
	unsigned jitter = 0, next;

	next = cur == 0 ? lo : cur * 2;
	if (next > hi)
		next = hi;
	/* Up to a quarter more, so many clients do not retry in step. */
	pf_random_bytes(&jitter, sizeof(jitter));
	return next + (next / 4 ? jitter % (next / 4) : 0);
}

static void worker(void *arg)
{
	pf_session *s = arg;
	pf_error err;
	pf_rc rc = PF_OK;
	unsigned backoff = 0;
	int ever_connected = 0;

	pf_error_clear(&err);
	rc = pfi_fwd_engine_new(s, &s->fwd, &err);
	s->unattended = s->opts.on_demand; /* a client, not the person, starts it */
	while (rc == PF_OK) {
		if (s->opts.on_demand && !pfi_fwd_engine_has_held(s->fwd) && wait_first_use(s)) {
			rc = PF_OK;
			break;
		}
		rc = connect_once(s, &err);
		/* Every later attempt (a reconnect, the next on-demand connect)
		 * happens without the person having asked for it. */
		s->unattended = 1;
		if (rc == PF_OK) {
			backoff = 0;
			ever_connected = 1;
			s->last_error[0] = '\0';
			s->connected_at_ms = pf_time_ms();
			pfi_session_set_state(s, PF_CONN_CONNECTED);
			pfi_session_log(s, PF_LOG_INFO, "Connected to %s as %s", s->server,
					s->hc->user);
			rc = pfi_fwd_engine_run(s->fwd, &err);
			/* Only a lost connection is worth another try; a forward
			 * refused under ExitOnForwardFailure is not. */
			if (rc != PF_OK && rc != PF_E_NETWORK && !pfi_session_stopping(s)) {
				pf_strlcpy(s->last_error, err.message, sizeof(s->last_error));
				drop_ssh(s, 1);
				break;
			}
		}
		drop_ssh(s, 1);
		if (pfi_session_stopping(s)) {
			rc = PF_OK;
			break;
		}
		if (rc == PF_OK && s->opts.on_demand && pfi_fwd_engine_idled_out(s->fwd)) {
			pfi_session_log(s, PF_LOG_INFO,
					"No connection through the forwards for %u s: disconnected "
					"from %s; connecting again when a client arrives.",
					s->opts.idle_disconnect_ms / 1000, s->server);
			continue;
		}
		if (rc == PF_OK)
			break;
		pf_strlcpy(s->last_error, err.message, sizeof(s->last_error));
		if (is_final(rc) || s->opts.reconnect == PF_RECONNECT_NEVER ||
		    (s->opts.reconnect == PF_RECONNECT_AFTER_FIRST && !ever_connected))
			break;
		pfi_session_log(s, PF_LOG_ERROR, "%s", err.message);
		backoff = next_backoff(s, backoff);
		s->reconnects++;
		s->state = PF_CONN_RECONNECTING;
		s->retry_in_s = (backoff + 999) / 1000;
		s->retry_at_ms = pf_time_ms() + backoff;
		pfi_session_publish(s);
		pfi_session_log(s, PF_LOG_INFO, "Reconnecting in %u s", s->retry_in_s);
		if (backoff_wait(s, backoff)) {
			rc = PF_OK;
			break;
		}
		s->retry_in_s = 0;
		s->retry_at_ms = 0;
		rc = PF_OK;
	}
	pfi_session_set_state(s, PF_CONN_CLOSING);
	pfi_fwd_engine_free(s->fwd);
	s->fwd = NULL;
	drop_ssh(s, 1);
	/* Secrets do not outlive the connection (issue 18 item 3): the unlocked
	 * keys and passwords kept for reconnects go now, not at
	 * pf_session_free, which a front end may call much later. */
	pfi_session_cred_wipe(s);
	if (rc != PF_OK && err.code == PF_OK)
		pf_error_set(&err, rc, "%s", pf_rc_name(rc));
	s->state = rc == PF_OK ? PF_CONN_IDLE : PF_CONN_FAILED;
	pfi_session_publish(s);

	pf_mutex_lock(s->mu);
	s->result = rc;
	s->result_err = err;
	s->done = 1;
	pf_cond_broadcast(s->cv);
	pf_mutex_unlock(s->mu);
}

/* --- public API -------------------------------------------------------------- */

pf_rc pf_session_start(pf_host_config *hc, const pf_ui *ui, const pf_session_opts *opts,
		       pf_session **out, pf_error *err)
{
	pf_session *s = PF_NEW(pf_session);
	pf_rc rc;

	*out = NULL;
	if (s == NULL) {
		if (opts != NULL && opts->stdio_host != NULL)
			pf_net_close(opts->stdio_sock);
		pf_host_config_free(hc);
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	}
	s->hc = hc;
	s->ui = *ui;
	if (opts != NULL)
		s->opts = *opts;
	if (s->opts.stdio_host != NULL)
		s->opts.stdio_host = s->stdio_host = pf_strdup(s->opts.stdio_host);
	else
		s->opts.stdio_sock = PF_INVALID_SOCKET;
	s->name = pf_strdup(opts && opts->name ? opts->name : hc->host);
	s->mu = pf_mutex_new();
	s->cv = pf_cond_new();
	snprintf(s->server, sizeof(s->server), "%s:%d", hc->hostname, hc->port);
	s->opts.name = NULL;
	if (s->name == NULL || s->mu == NULL || s->cv == NULL ||
	    (opts != NULL && opts->stdio_host != NULL && s->stdio_host == NULL) ||
	    pf_wakeup_new(&s->wake) != PF_OK) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto fail;
	}
	rc = pf_thread_start(&s->thread, worker, s);
	if (rc != PF_OK) {
		pf_error_set(err, rc, "Cannot start a worker thread");
		goto fail;
	}
	*out = s;
	return PF_OK;
fail:
	pf_net_close(s->opts.stdio_sock);
	pf_wakeup_free(s->wake);
	pf_mutex_free(s->mu);
	pf_cond_free(s->cv);
	free(s->name);
	free(s->stdio_host);
	pf_host_config_free(s->hc);
	free(s);
	return rc;
}

void pf_session_stop(pf_session *s)
{
	pf_mutex_lock(s->mu);
	s->stop_requested = 1;
	if (s->pending != NULL) {
		pf_mutex_lock(s->pending->mu);
		s->pending->abandoned = 1;
		pf_cond_broadcast(s->pending->cv);
		pf_mutex_unlock(s->pending->mu);
	}
	pf_mutex_unlock(s->mu);
	pf_wakeup_signal(s->wake);
}

void pf_session_stop_from_signal(pf_session *s)
{
	/* No lock and no allocation: only a flag and a send(), both
	 * async-signal-safe. The worker notices when the wake-up socket
	 * wakes it. */
	s->stop_signalled = 1;
	pf_wakeup_signal(s->wake);
}

void pf_session_reconnect_now(pf_session *s)
{
	pf_mutex_lock(s->mu);
	s->reconnect_now = 1;
	pf_mutex_unlock(s->mu);
	pf_wakeup_signal(s->wake);
}

int pf_session_wait(pf_session *s, int timeout_ms)
{
	uint64_t end = pf_time_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	int done;

	pf_mutex_lock(s->mu);
	while (!s->done) {
		uint64_t now = pf_time_ms();

		if (timeout_ms >= 0 && now >= end)
			break;
		pf_cond_wait(s->cv, s->mu, timeout_ms < 0 ? -1 : (int)(end - now));
	}
	done = s->done;
	pf_mutex_unlock(s->mu);
	return done;
}

pf_rc pf_session_result(pf_session *s, pf_error *err)
{
	pf_rc rc;

	pf_mutex_lock(s->mu);
	rc = s->result;
	if (err != NULL)
		*err = s->result_err;
	pf_mutex_unlock(s->mu);
	return rc;
}

size_t pf_session_cached_credentials(pf_session *s)
{
	return s != NULL ? s->ncreds : 0;
}

void pf_session_free(pf_session *s)
{
	if (s == NULL)
		return;
	pf_session_stop(s);
	pf_thread_join(s->thread);
	pfi_session_cred_wipe(s);
	pf_wakeup_free(s->wake);
	pf_mutex_free(s->mu);
	pf_cond_free(s->cv);
	pf_host_config_free(s->hc);
	pf_net_close(s->opts.stdio_sock); /* when the engine never took it */
	free(s->name);
	free(s->stdio_host);
	free(s);
}
