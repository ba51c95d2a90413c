/* A real OpenSSH sshd on a free loopback port, owned by one test: its own
 * host key, client key and authorized_keys in a fresh folder, started in
 * the foreground and stopped by PID (at the end, on failure, on signals). */
#ifndef PF_SSHD_FIXTURE_H
#define PF_SSHD_FIXTURE_H

#include <libssh/libssh.h>
#include <sys/types.h>

#include "pf/attr.h"

typedef struct sshd_fixture {
	char dir[512];        /* the test's folder (keys, config, logs) */
	char host_key[600];   /* <dir>/ssh_host_ed25519_key (.pub beside it) */
	char client_key[600]; /* <dir>/id_ed25519, no passphrase */
	char config[600];     /* <dir>/sshd_config */
	char log[600];        /* <dir>/sshd.log */
	char user[64];        /* the account the tests log in as */
	int port;
	pid_t pid;
	int private_users; /* sshd runs with its own /etc/passwd and /etc/shadow */
} sshd_fixture;

/* Create <base>/<name>.XXXXXX with keys; base defaults to $PF_TEST_TMPDIR
 * or /tmp. extra_config lines are appended to sshd_config (may be NULL).
 * Returns 0, or -1 with a message on stderr. */
int sshd_fixture_init(sshd_fixture *f, const char *name, const char *extra_config);
/* Give sshd an extra account `user` with `password` (uid 4242, home in
 * the fixture folder) that exists only for it: sshd then runs in its own
 * mount namespace where copies of /etc/passwd, /etc/shadow and /etc/group
 * with that account are bound over the real ones. Needs root. Returns 0,
 * or -1 (the test should then skip what needs it). */
int sshd_fixture_add_user(sshd_fixture *f, const char *user, const char *password);
/* Replace "Keyword old" by "Keyword new" in sshd_config (sshd takes the
 * first value of a keyword, so appending would not do). */
int sshd_fixture_set(sshd_fixture *f, const char *keyword, const char *value);
/* Start sshd and wait (up to 10 s) until it accepts connections. */
int sshd_fixture_start(sshd_fixture *f);
/* Kill the per-connection sshd processes and their children (the listener
 * forks one per client and they outlive it): every session drops at once. */
void sshd_fixture_kill_sessions(sshd_fixture *f);
/* SIGTERM, then SIGKILL after 5 s; reaps the process. Safe to call twice. */
void sshd_fixture_stop(sshd_fixture *f);
/* 1 when this sshd lets its user in with `key`, tried with libssh alone
 * (no pf code): a private key signs; a public one (private_key 0) is only
 * offered, and the server says whether it would accept it. */
int sshd_fixture_accepts(const sshd_fixture *f, ssh_key key, int private_key);
/* Run a shell command (test set-up only); returns its exit status. */
int fixture_run(const char *fmt, ...) PF_PRINTF(1, 2);
/* A TCP port on 127.0.0.1 that was free a moment ago. */
int fixture_free_port(void);

#endif
