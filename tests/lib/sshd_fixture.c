#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sshd_fixture.h"

#define MAX_FIXTURES 8
static sshd_fixture *live[MAX_FIXTURES];

static void stop_all(void)
{
	int i;

	for (i = 0; i < MAX_FIXTURES; i++)
		if (live[i] != NULL)
			sshd_fixture_stop(live[i]);
}

static void on_signal(int sig)
{
	stop_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

int fixture_run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* One free port. The kernel may offer the same one again while the first
 * taker has not bound it yet (a test picks sshd's port and a forward's in
 * a row): ports handed out before in this process are never handed out
 * again. */
static int probe_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return port;
}

int fixture_free_port(void)
{
	static int given[256];
	static size_t ngiven;
	int tries, port = -1;
	size_t i;

	for (tries = 0; tries < 100; tries++) {
		port = probe_port();
		for (i = 0; i < ngiven && i < 256 && given[i] != port; i++)
			;
		if (port < 0 || i == ngiven || i == 256)
			break;
	}
	if (port > 0)
		given[ngiven++ % 256] = port;
	return port;
}

static const char *sshd_path(void)
{
	const char *env = getenv("PF_SSHD");

	return env != NULL ? env : "/usr/sbin/sshd";
}

int sshd_fixture_init(sshd_fixture *f, const char *name, const char *extra_config)
{
	const char *base = getenv("PF_TEST_TMPDIR");
	struct passwd *pw = getpwuid(getuid());
	FILE *cfg;

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	if (base == NULL)
		base = "/tmp";
	snprintf(f->dir, sizeof(f->dir), "%s/%s.XXXXXX", base, name);
	if (fixture_run("mkdir -p '%s'", base) != 0 || mkdtemp(f->dir) == NULL) {
		fprintf(stderr, "fixture: cannot create %s: %s\n", f->dir, strerror(errno));
		return -1;
	}
	snprintf(f->host_key, sizeof(f->host_key), "%s/ssh_host_ed25519_key", f->dir);
	snprintf(f->client_key, sizeof(f->client_key), "%s/id_ed25519", f->dir);
	snprintf(f->config, sizeof(f->config), "%s/sshd_config", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/sshd.log", f->dir);
	snprintf(f->user, sizeof(f->user), "%s", pw ? pw->pw_name : "root");
	if (fixture_run("ssh-keygen -q -t ed25519 -N '' -C pf-test-host -f '%s'", f->host_key) ||
	    fixture_run("ssh-keygen -q -t ed25519 -N '' -C pf-test-client -f '%s'",
			f->client_key) ||
	    fixture_run("cp '%s.pub' '%s/authorized_keys'", f->client_key, f->dir)) {
		fprintf(stderr, "fixture: ssh-keygen failed\n");
		return -1;
	}
	f->port = fixture_free_port();
	cfg = fopen(f->config, "w");
	if (cfg == NULL || f->port <= 0) {
		fprintf(stderr, "fixture: cannot write %s\n", f->config);
		if (cfg)
			fclose(cfg);
		return -1;
	}
	fprintf(cfg,
		"Port %d\n"
		"ListenAddress 127.0.0.1\n"
		"HostKey %s\n"
		"PidFile %s/sshd.pid\n"
		"AuthorizedKeysFile %s/authorized_keys\n"
		"StrictModes no\n"
		"UsePAM no\n"
		"PermitRootLogin prohibit-password\n"
		"PubkeyAuthentication yes\n"
		"PasswordAuthentication no\n"
		"KbdInteractiveAuthentication no\n"
		"AllowTcpForwarding yes\n"
		"GatewayPorts no\n"
		"UseDNS no\n"
		"LogLevel VERBOSE\n",
		f->port, f->host_key, f->dir, f->dir);
	if (extra_config != NULL)
		fprintf(cfg, "%s\n", extra_config);
	fclose(cfg);
	return 0;
}

int sshd_fixture_add_user(sshd_fixture *f, const char *user, const char *password)
{
	if (geteuid() != 0 || fixture_run("unshare -m true 2>/dev/null") != 0)
		return -1;
	if (fixture_run("cd '%s' && cp /etc/passwd passwd && cp /etc/shadow shadow && "
			"cp /etc/group group && mkdir -p home && chown 4242:4242 home && "
			"echo '%s:x:4242:4242:PortForwarder test:%s/home:/bin/sh' >> passwd && "
			"echo '%s:x:4242:' >> group && "
			"echo \"%s:$(openssl passwd -6 '%s'):19000:0:99999:7:::\" >> shadow",
			f->dir, user, f->dir, user, user, password) != 0)
		return -1;
	f->private_users = 1;
	return 0;
}

int sshd_fixture_set(sshd_fixture *f, const char *keyword, const char *value)
{
	return fixture_run("sed -i 's/^%s .*/%s %s/' '%s' && grep -q '^%s %s$' '%s'", keyword,
			   keyword, value, f->config, keyword, value, f->config) == 0
		       ? 0
		       : -1;
}

static int port_open(int port)
{
	struct sockaddr_in a;
	int s = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (s >= 0)
		close(s);
	return ok;
}

int sshd_fixture_start(sshd_fixture *f)
{
	int i, slot = -1;
	struct timespec ts = {0, 50 * 1000000L};

	/* sshd wants its privilege separation folder when run as root. */
	if (geteuid() == 0)
		mkdir("/run/sshd", 0755);
	for (i = 0; i < MAX_FIXTURES; i++)
		if (live[i] == NULL || live[i] == f) {
			slot = i;
			break;
		}
	if (slot < 0)
		return -1;
	f->pid = fork();
	if (f->pid < 0)
		return -1;
	if (f->pid == 0) {
		if (f->private_users) {
			char cmd[4096];

			/* unshare execs in place and sh execs sshd: the PID stays. */
			snprintf(cmd, sizeof(cmd),
				 "mount --bind '%s/passwd' /etc/passwd && "
				 "mount --bind '%s/shadow' /etc/shadow && "
				 "mount --bind '%s/group' /etc/group && "
				 "exec '%s' -D -f '%s' -E '%s'",
				 f->dir, f->dir, f->dir, sshd_path(), f->config, f->log);
			execlp("unshare", "unshare", "-m", "--propagation", "private", "sh", "-c",
			       cmd, (char *)NULL);
			_exit(127);
		}
		execl(sshd_path(), sshd_path(), "-D", "-f", f->config, "-E", f->log, (char *)NULL);
		_exit(127);
	}
	live[slot] = f;
	atexit(stop_all);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGABRT, on_signal);
	for (i = 0; i < 200; i++) {
		int st;

		if (port_open(f->port))
			return 0;
		if (waitpid(f->pid, &st, WNOHANG) == f->pid) {
			fprintf(stderr, "fixture: sshd exited at start; its log:\n");
			fixture_run("cat '%s' >&2", f->log);
			f->pid = -1;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "fixture: sshd did not listen on port %d within 10 s\n", f->port);
	sshd_fixture_stop(f);
	return -1;
}

int sshd_fixture_accepts(const sshd_fixture *f, ssh_key key, int private_key)
{
	ssh_session s = ssh_new();
	int process_config = 0, port = f->port, rc = SSH_AUTH_ERROR;

	if (s == NULL)
		return 0;
	ssh_options_set(s, SSH_OPTIONS_HOST, "127.0.0.1");
	ssh_options_set(s, SSH_OPTIONS_PORT, &port);
	ssh_options_set(s, SSH_OPTIONS_USER, f->user);
	ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
	if (ssh_connect(s) == SSH_OK)
		rc = private_key ? ssh_userauth_publickey(s, NULL, key)
				 : ssh_userauth_try_publickey(s, NULL, key);
	if (rc != SSH_AUTH_SUCCESS)
		fprintf(stderr, "auth: rc %d %s\n", rc, ssh_get_error(s));
	ssh_disconnect(s);
	ssh_free(s);
	return rc == SSH_AUTH_SUCCESS;
}

void sshd_fixture_kill_sessions(sshd_fixture *f)
{
	if (f->pid > 0)
		/* Each connection's process and its own children (after a
		 * password login the user's half of privilege separation holds
		 * the socket too). */
		fixture_run("for c in $(pgrep -P %d); do pkill -KILL -P $c; kill -KILL $c; done "
			    "2>/dev/null; true",
			    (int)f->pid);
}

void sshd_fixture_stop(sshd_fixture *f)
{
	int i, st;
	struct timespec ts = {0, 50 * 1000000L};

	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		for (i = 0; i < 100; i++) {
			if (waitpid(f->pid, &st, WNOHANG) == f->pid)
				break;
			nanosleep(&ts, NULL);
		}
		if (i == 100) {
			kill(f->pid, SIGKILL);
			waitpid(f->pid, &st, 0);
		}
		f->pid = -1;
	}
	for (i = 0; i < MAX_FIXTURES; i++)
		if (live[i] == f)
			live[i] = NULL;
}
