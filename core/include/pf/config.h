/* OpenSSH-style client configuration (ssh_config / config.txt), read by
 * the core itself.
 *
 * Two steps: pf_config_load() reads a file (and what it Includes) once,
 * checks every line and collects all diagnostics; pf_config_resolve() then
 * computes the effective settings for one host, as ssh does: command-line
 * `-o` options first, then the file top to bottom, the first value obtained
 * for a keyword wins, while LocalForward, RemoteForward, DynamicForward and
 * IdentityFile accumulate. pf_host_config_dump() prints the result the way
 * `ssh -G` does.
 *
 * Reading: UTF-8 (with or without BOM), UTF-16 LE/BE with BOM, or Shift_JIS
 * (CP932) when the bytes are not valid UTF-8; CRLF or LF; "Keyword value",
 * "Keyword=value", double-quoted arguments, # comments. Includes are
 * relative to the including file's folder (OpenSSH: ~/.ssh), may use
 * wildcards in the file name, nest at most 16 deep, and loops are reported.
 * Match supports all, host, originalhost, user and localuser; other
 * criteria warn and never match. Keywords OpenSSH knows but we do not
 * implement warn by name; obsolete ones (Cipher, Protocol, ...) give one
 * note each; unknown ones are errors with a "did you mean" suggestion
 * unless an earlier IgnoreUnknown pattern covers them.
 *
 * Thread safety: a loaded pf_config is never changed after loading, so
 * concurrent pf_config_resolve() calls share it read-only; but resolving
 * asks the platform for the login name (getpwuid on POSIX, not thread-safe),
 * so resolve from one thread at a time until the platform uses getpwuid_r. */
#ifndef PF_CONFIG_H
#define PF_CONFIG_H

#include <stddef.h>

#include "pf/error.h"
#include "pf/fwdspec.h"
#include "pf/log.h"

/* ---- Diagnostics ---------------------------------------------------- */

typedef enum pf_diag_level {
	PF_DIAG_VERBOSE = 0, /* for the verbose log only (e.g. which encoding was read) */
	PF_DIAG_NOTE = 1,    /* informational: obsolete keyword ignored, missing Include */
	PF_DIAG_WARNING = 2, /* something will not happen as written, but we go on */
	PF_DIAG_ERROR = 3    /* the configuration cannot be used */
} pf_diag_level;

/* One message about a config file. Strings are owned by the pf_diags. */
typedef struct pf_diag {
	pf_diag_level level;
	char *path;    /* the file as given/included, or "command line"; never NULL */
	int line;      /* 1-based; 0 when not about one line */
	int col;       /* 1-based, in characters (a tab counts 1); 0 when unknown */
	char *text;    /* the offending line (UTF-8, at most 200 characters), or NULL */
	char *message; /* a sentence for the user: what is wrong, what to do */
} pf_diag;

/* A growing list of diagnostics. Zero-initialise (or pf_diag_init) before
 * use; pf_diag_free releases it. At most PF_DIAGS_MAX_PER_FILE are kept
 * per file (then one "too many problems" note) and PF_DIAGS_MAX_TOTAL in
 * all; `errors` and `warnings` count every one, kept or not. */
#define PF_DIAGS_MAX_PER_FILE 200
#define PF_DIAGS_MAX_TOTAL    2000
typedef struct pf_diags {
	pf_diag *items;
	size_t count, cap;
	size_t errors, warnings;
} pf_diags;

void pf_diag_init(pf_diags *d);
void pf_diag_free(pf_diags *d);
/* Add one (copies the strings); returns PF_E_NOMEM or PF_OK. */
pf_rc pf_diag_add(pf_diags *d, pf_diag_level level, const char *path, int line, int col,
		  const char *text, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* "error", "warning", "note", "verbose" (static). */
const char *pf_diag_level_name(pf_diag_level level);
/* "path:line:col: level: message" and, when there is one, a second line
 * "    N | the offending line". No trailing newline. Caller frees. */
char *pf_diag_format(const pf_diag *d);

/* ---- Loading -------------------------------------------------------- */

typedef struct pf_config pf_config;

typedef struct pf_config_opts {
	size_t max_file_size;  /* per file; 0 = default 4 MB */
	int max_include_depth; /* 0 = default 16 */
} pf_config_opts;

/* Read `path` and everything it Includes. Returns PF_OK (perhaps with
 * notes and warnings in `diags`), PF_E_CONFIG when any error was found (the
 * pf_config is still returned, e.g. for the GUI's host list, but must not be
 * used to connect), or PF_E_NOTFOUND / PF_E_IO / PF_E_DENIED / PF_E_TOOBIG /
 * PF_E_NOMEM when the file itself could not be read (then *cfg is NULL; a
 * diagnostic says why). `opts` may be NULL. Caller frees *cfg. */
pf_rc pf_config_load(const char *path, const pf_config_opts *opts, pf_config **cfg,
		     pf_diags *diags);

/* The same from memory: `name` is used in diagnostics and as the base for
 * relative Includes and IdentityFiles. */
pf_rc pf_config_load_buffer(const char *name, const void *data, size_t len,
			    const pf_config_opts *opts, pf_config **cfg, pf_diags *diags);

void pf_config_free(pf_config *cfg);

/* The encoding the main file was read in ("UTF-8", "UTF-8 (BOM)",
 * "UTF-16LE (BOM)", "UTF-16BE (BOM)", "Shift_JIS (CP932)",
 * "unknown 8-bit (invalid bytes replaced)"). Static storage. */
const char *pf_config_encoding(const pf_config *cfg);

/* The main file's path as given to pf_config_load. Borrowed. */
const char *pf_config_file_path(const pf_config *cfg);

/* ---- Host profiles (the GUI's host selector) ------------------------ */

typedef struct pf_host_profile {
	char *name;     /* a Host pattern without wildcards or negation */
	char *hostname; /* the effective HostName for it (as ssh -G shows it) */
	char *user;     /* the User configured for it, or NULL when none is */
} pf_host_profile;

/* Every Host pattern without '*', '?' or '!', in file order (Includes
 * inline), duplicates removed, at most PF_CONFIG_MAX_PROFILES. HostName and
 * User are what pf_config_resolve gives for that name. Caller frees with
 * pf_host_profiles_free. */
#define PF_CONFIG_MAX_PROFILES 500
pf_rc pf_config_profiles(const pf_config *cfg, pf_host_profile **list, size_t *count);
void pf_host_profiles_free(pf_host_profile *list, size_t count);

/* ---- Resolving ------------------------------------------------------ */

typedef enum pf_strict_hostkey {
	PF_STRICT_ASK = 0,   /* "ask" (default): ask about unknown keys */
	PF_STRICT_YES,       /* "yes"/"true": refuse unknown keys */
	PF_STRICT_NO,        /* "no"/"off"/"false": accept and save unknown keys */
	PF_STRICT_ACCEPT_NEW /* "accept-new": save unknown keys, refuse changed ones */
} pf_strict_hostkey;

typedef enum pf_address_family {
	PF_AF_ANY = 0, /* "any" (default) */
	PF_AF_INET,    /* "inet": IPv4 only */
	PF_AF_INET6    /* "inet6": IPv6 only */
} pf_address_family;

typedef enum pf_pubkey_auth {
	PF_PUBKEY_NO = 0,
	PF_PUBKEY_YES,      /* "yes"/"true" (default) */
	PF_PUBKEY_UNBOUND,  /* OpenSSH "unbound": treated as yes */
	PF_PUBKEY_HOSTBOUND /* OpenSSH "host-bound": treated as yes */
} pf_pubkey_auth;

/* pf_log_level (LogLevel) is in pf/log.h, shared with the event log. */

/* A path-valued setting and where it was set. */
typedef struct pf_config_path {
	char *path;   /* fully expanded: ~ and %-tokens replaced, relative paths
			 joined to the folder of the config file that said it */
	char *source; /* config file path, "command line", or "default" */
	int line;     /* 0 for command line / default */
} pf_config_path;

/* One ProxyJump hop, parsed once when the configuration is resolved. */
typedef struct pf_jump_hop {
	char *user; /* from "user@", or NULL: the hop's own User */
	char *host; /* the name looked up in the config file (IPv6: no brackets) */
	int port;   /* from ":port", or 0: the hop's own Port */
} pf_jump_hop;

/* The effective configuration for one host. Every string is owned by the
 * struct (pf_host_config_free); every field has its default filled in. */
typedef struct pf_host_config {
	char *host;          /* the name asked for (command line / chosen profile) */
	char *hostname;      /* HostName with %h expanded, lowercased; default: host */
	int port;            /* Port, 1-65535; default 22 */
	char *user;          /* User; default: user@ / -l, else the local login name */
	int user_configured; /* 1 when User came from the config or -o/-l/user@ */

	/* IdentityFile, in order, duplicates removed. When none was configured
	 * this holds the OpenSSH defaults (~/.ssh/id_rsa, id_ecdsa, id_ecdsa_sk,
	 * id_ed25519, id_ed25519_sk) and identity_files_default is 1. Tokens:
	 * %d home, %u local user, %h hostname, %r remote user, %p port,
	 * %l local host name, %L its first label, %n original host, %k host key
	 * alias (or hostname), %% a percent sign. */
	pf_config_path *identity_files;
	size_t n_identity_files;
	int identity_files_default;
	int identities_only;  /* IdentitiesOnly: only the files above, not the agent's keys */
	char *identity_agent; /* IdentityAgent as written (tokens and ~ expanded);
				 NULL = default (SSH_AUTH_SOCK / Pageant); "none" = no agent */

	/* LocalForward, RemoteForward, DynamicForward and -L/-R/-D, in the order
	 * ssh would set them up: command line first, then the file; duplicates
	 * removed; empty when ClearAllForwardings is yes. Each says the file
	 * and line it came from (pf_fwdspec.source/line). */
	pf_fwdspec *forwards;
	size_t n_forwards;
	int gateway_ports;           /* GatewayPorts: let other hosts use local forwards */
	int exit_on_forward_failure; /* ExitOnForwardFailure */
	int clear_all_forwardings;   /* ClearAllForwardings (already applied above) */

	/* Algorithm lists, comma-separated, final: +, - and ^ applied to
	 * PortForwarder's defaults (OpenSSH's defaults minus what libssh lacks),
	 * names PortForwarder cannot use removed (with a warning at load). */
	char *ciphers;
	char *macs;
	char *kex_algorithms;
	char *hostkey_algorithms;
	char *pubkey_accepted_algorithms;

	int compression;            /* Compression yes/no; default no */
	int connect_timeout;        /* ConnectTimeout in seconds; -1 = none (default) */
	int connection_attempts;    /* ConnectionAttempts; default 1 */
	int server_alive_interval;  /* ServerAliveInterval in seconds; 0 = off (default;
				       300 with BatchMode yes, as in ssh) */
	int server_alive_count_max; /* ServerAliveCountMax; default 3 */
	int tcp_keepalive;          /* TCPKeepAlive; default yes */

	pf_strict_hostkey strict_host_key_checking; /* default ask */
	/* UserKnownHostsFile, expanded like IdentityFile. When not configured:
	 * "known_hosts" in the folder of the first IdentityFile the config
	 * names, else in the config file's folder, else ~/.ssh/known_hosts;
	 * known_hosts_default is then 1. "none" is kept as the single entry. */
	pf_config_path *known_hosts_files;
	size_t n_known_hosts_files;
	int known_hosts_default;
	char *host_key_alias;   /* HostKeyAlias, or NULL */
	char *proxy_jump;       /* ProxyJump as written ("[user@]host[:port][,...]"), or NULL */
	pf_jump_hop *jump_hops; /* proxy_jump parsed, first hop first */
	size_t n_jump_hops;
	/* ProxyCommand as written (tokens %h %p %r %n %% expanded only when
	 * connecting), or NULL (none). Of ProxyJump and ProxyCommand only the
	 * first one set counts, as in ssh ("ProxyJump none" does not stop a
	 * later ProxyCommand; "ProxyCommand none" stops a later ProxyJump). */
	char *proxy_command;
	char *proxy_command_source; /* the file (or "command line") that said it */
	int proxy_command_line;     /* its line there */

	pf_address_family address_family; /* AddressFamily */
	char *bind_address;               /* BindAddress, or NULL */

	char *preferred_authentications; /* PreferredAuthentications, or NULL = default order */
	pf_pubkey_auth pubkey_authentication;
	int password_authentication;        /* default yes */
	int kbd_interactive_authentication; /* default yes */
	int batch_mode;                     /* BatchMode: never prompt; default no */
	pf_log_level log_level;             /* LogLevel; default INFO */

	char *config_path; /* the main config file, or NULL when none was read */
} pf_host_config;

typedef struct pf_resolve_opts {
	/* user@host or -l: wins over User in the file (as in ssh). NULL: none. */
	const char *user;
	/* -o options, "Keyword=value" or "Keyword value", applied before the
	 * file so they win. Diagnostics name them "command line", line = index+1. */
	const char *const *overrides;
	size_t n_overrides;
	/* -L/-R/-D from the command line (copied), set up before the file's. */
	const pf_fwdspec *forwards;
	size_t n_forwards;
} pf_resolve_opts;

/* The effective configuration for `host` (the name typed or chosen).
 * `cfg` may be NULL (no config file: defaults and overrides only); `opts`
 * may be NULL. Problems in -o options and in the resolved values (e.g. an
 * algorithm list that ends up empty) go to `diags`; returns PF_E_CONFIG
 * when there are errors (then *out is NULL). Caller frees *out. */
pf_rc pf_config_resolve(const pf_config *cfg, const char *host, const pf_resolve_opts *opts,
			pf_host_config **out, pf_diags *diags);

void pf_host_config_free(pf_host_config *hc);

/* The `ssh -G` form: one "keyword value" per line, lowercase keywords, in
 * ssh -G's order, for the keywords PortForwarder implements. Caller frees. */
char *pf_host_config_dump(const pf_host_config *hc);

/* "SILENT" (for QUIET, as ssh -G prints it), "INFO", "DEBUG", ... (static).
 * LogLevel accepts QUIET and SILENT alike. */
const char *pf_log_level_name(pf_log_level level);

#endif
