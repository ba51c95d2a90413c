/* Port-forward specifications as OpenSSH writes them, parsed into one
 * struct the forwarding engine (issue 5) works from.
 *
 * Config file forms (two arguments; the second absent for dynamic ones):
 *   LocalForward  [bind:]port host:hostport       RemoteForward [bind:]port host:hostport
 *   LocalForward  [::1]:port [2001:db8::1]:hostport  (IPv6 in brackets)
 *   LocalForward  *:port host:hostport            ("*" or "" bind = every interface)
 *   LocalForward  bind/port host/hostport         (the slash form of OpenSSH 4.x, still read)
 *   DynamicForward [bind:]port                    RemoteForward [bind:]port  (remote SOCKS)
 *   LocalForward  /path/sock host:hostport        (Unix sockets: not supported on Windows)
 * Command-line forms (-L/-R/-D, one argument): "[bind:]port:host:hostport", "[bind:]port". */
#ifndef PF_FWDSPEC_H
#define PF_FWDSPEC_H

#include "pf/error.h"

typedef enum pf_fwd_kind {
	PF_FWD_LOCAL,         /* LocalForward / -L: listen here, connect from the server */
	PF_FWD_REMOTE,        /* RemoteForward / -R with a destination: listen on the server */
	PF_FWD_DYNAMIC,       /* DynamicForward / -D: local SOCKS4/5 proxy */
	PF_FWD_REMOTE_DYNAMIC /* RemoteForward / -R without destination: SOCKS on the server */
} pf_fwd_kind;

/* One forward. All strings are owned by the struct (pf_fwdspec_clear frees
 * them); hosts are stored without IPv6 brackets. */
typedef struct pf_fwdspec {
	pf_fwd_kind kind;
	/* Listening side (local for LOCAL/DYNAMIC, on the server for REMOTE*).
	 * listen_host: NULL = not given (loopback only, unless GatewayPorts
	 * yes); "*" or "" = every interface; else a name or address. */
	char *listen_host;
	int listen_port;   /* 1-65535; 0 only for REMOTE*: the server picks one */
	char *listen_path; /* Unix-socket path instead of host/port, else NULL */
	/* Destination (NULL/0 for the dynamic kinds). */
	char *connect_host;
	int connect_port;   /* 1-65535 */
	char *connect_path; /* Unix-socket path instead of host/port, else NULL */
	/* Where the spec came from: the config file's path (or "command line")
	 * and its 1-based line (0 for the command line). */
	char *source;
	int line;
} pf_fwdspec;

/* Parse a config-file forward: `listen` and `connect` are the keyword's
 * two arguments (`connect` NULL when absent: valid for PF_FWD_DYNAMIC and,
 * meaning PF_FWD_REMOTE_DYNAMIC, for PF_FWD_REMOTE). `kind` is the keyword's
 * kind (LOCAL, REMOTE or DYNAMIC). On failure `out` is left cleared and `err`
 * says what is wrong in words for the user. Unix-socket forwards fail with
 * PF_E_UNSUPPORTED on Windows. */
pf_rc pf_fwdspec_parse(pf_fwd_kind kind, const char *listen, const char *connect, pf_fwdspec *out,
		       pf_error *err);

/* Parse a command-line -L/-R/-D argument ("[bind:]port:host:hostport",
 * "[bind:]port"). `kind` as above. */
pf_rc pf_fwdspec_parse_cli(pf_fwd_kind kind, const char *arg, pf_fwdspec *out, pf_error *err);

/* Set where the spec came from (copies `source`). */
pf_rc pf_fwdspec_set_source(pf_fwdspec *f, const char *source, int line);

/* Deep copy; on failure `dst` is left cleared. */
pf_rc pf_fwdspec_copy(pf_fwdspec *dst, const pf_fwdspec *src);

/* Free the strings and zero the struct. NULL is fine. */
void pf_fwdspec_clear(pf_fwdspec *f);

/* 1 when both describe the same forward (source/line ignored). */
int pf_fwdspec_equal(const pf_fwdspec *a, const pf_fwdspec *b);

/* The arguments as `ssh -G` prints them after the keyword, e.g.
 * "[127.0.0.1]:8080 [host]:80", "10025 [smtp.example.org]:25", "1080",
 * "8080 [socks]:0" (remote SOCKS). Caller frees; NULL on OOM. */
char *pf_fwdspec_format(const pf_fwdspec *f);

/* The config keyword for a kind: "localforward", "remoteforward",
 * "dynamicforward" (static storage). */
const char *pf_fwdspec_keyword(pf_fwd_kind kind);

#endif
