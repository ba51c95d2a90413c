/* Private to core/config*.c: the loaded form of a config file and the
 * keyword table shared by the loader and the resolver. */
#ifndef PF_CONFIG_INTERNAL_H
#define PF_CONFIG_INTERNAL_H

#include "pf/config.h"

/* What a keyword's argument means. */
typedef enum cfg_type {
	T_HOST,
	T_MATCH,
	T_INCLUDE,
	T_IGNOREUNKNOWN,
	T_STRING,   /* one argument, first wins */
	T_PATHSTR,  /* one argument with ~ and %-tokens (IdentityAgent) */
	T_HOSTNAME, /* one argument, %h allowed */
	T_PORT,
	T_FLAG,        /* yes/no/true/false */
	T_COMPRESSION, /* yes/no */
	T_TIME,        /* seconds with s/m/h/d/w suffixes; "none" for ConnectTimeout */
	T_INT,
	T_STRICT,
	T_ADDRFAM,
	T_PUBKEYAUTH,
	T_LOGLEVEL,
	T_ALGOS, /* + - ^ lists */
	T_FORWARD,
	T_IDENTITY,   /* accumulates */
	T_KNOWNHOSTS, /* list, first line wins */
	T_PROXYJUMP,
	T_COMMAND,    /* the rest of the line as written (ProxyCommand), first wins */
	T_DEPRECATED, /* accepted, one note, ignored */
	T_NOTIMPL     /* OpenSSH keyword PortForwarder does not implement: warning */
} cfg_type;

/* Keyword ids of the implemented ones (index of the setting). */
typedef enum cfg_kw {
	K_NONE = 0,
	K_HOST,
	K_MATCH,
	K_INCLUDE,
	K_IGNOREUNKNOWN,
	K_HOSTNAME,
	K_PORT,
	K_USER,
	K_IDENTITYFILE,
	K_IDENTITIESONLY,
	K_IDENTITYAGENT,
	K_LOCALFORWARD,
	K_REMOTEFORWARD,
	K_DYNAMICFORWARD,
	K_GATEWAYPORTS,
	K_EXITONFORWARDFAILURE,
	K_CLEARALLFORWARDINGS,
	K_CIPHERS,
	K_MACS,
	K_KEXALGORITHMS,
	K_HOSTKEYALGORITHMS,
	K_PUBKEYACCEPTEDALGORITHMS,
	K_COMPRESSION,
	K_CONNECTTIMEOUT,
	K_CONNECTIONATTEMPTS,
	K_SERVERALIVEINTERVAL,
	K_SERVERALIVECOUNTMAX,
	K_TCPKEEPALIVE,
	K_STRICTHOSTKEYCHECKING,
	K_USERKNOWNHOSTSFILE,
	K_HOSTKEYALIAS,
	K_PROXYJUMP,
	K_PROXYCOMMAND,
	K_ADDRESSFAMILY,
	K_BINDADDRESS,
	K_PREFERREDAUTHENTICATIONS,
	K_PUBKEYAUTHENTICATION,
	K_PASSWORDAUTHENTICATION,
	K_KBDINTERACTIVEAUTHENTICATION,
	K_BATCHMODE,
	K_LOGLEVEL,
	K_OTHER, /* deprecated / not implemented / ignored unknown */
	K_COUNT
} cfg_kw;

typedef enum cfg_algo_kind {
	ALGO_CIPHER,
	ALGO_MAC,
	ALGO_KEX,
	ALGO_HOSTKEY,
	ALGO_PUBKEY
} cfg_algo_kind;

typedef struct cfg_keyword {
	const char *name; /* canonical spelling, e.g. "LocalForward" */
	cfg_kw kw;
	cfg_type type;
	int extra;        /* T_ALGOS: cfg_algo_kind; T_FORWARD: pf_fwd_kind;
			     T_TIME: 1 when "none" is allowed */
	const char *note; /* T_DEPRECATED / T_NOTIMPL: why, for the message */
} cfg_keyword;

/* Match criteria we evaluate. */
typedef enum cfg_crit {
	C_ALL,
	C_HOST,
	C_ORIGINALHOST,
	C_USER,
	C_LOCALUSER,
	C_NEVER /* a criterion we do not support: the block never applies */
} cfg_crit;

typedef struct cfg_criterion {
	cfg_crit crit;
	int negate;
	char *arg; /* pattern list, NULL for all */
} cfg_criterion;

/* One meaningful line (blank lines and comments are dropped), in the order
 * ssh would process them, Includes expanded in place. */
typedef struct cfg_entry {
	const cfg_keyword *kw; /* NULL for an ignored unknown keyword */
	char **args;
	size_t nargs;
	const char *file; /* path as given/included (owned by the pf_config) */
	const char *dir;  /* that file's folder (owned by the pf_config) */
	int line;
	/* Host/Match: this line's condition id; others: the id of the
	 * condition they are under (-1 = always). */
	int cond;
	int parent_cond; /* Host/Match: condition in effect where the file was
			    included (-1 = none) */
	/* Parsed value. */
	int ival;
	pf_fwdspec fwd;      /* T_FORWARD */
	cfg_criterion *crit; /* T_MATCH */
	size_t ncrit;
} cfg_entry;

struct pf_config {
	char *path;
	const char *encoding;
	cfg_entry *entries;
	size_t n_entries, cap_entries;
	int n_conds;
	char **strings; /* file and dir names the entries point to */
	size_t n_strings, cap_strings;
	int has_errors;
};

const cfg_keyword *cfg_keyword_find(const char *name);
const cfg_keyword *cfg_keyword_suggest(const char *name);

/* Parse one logical line into `e` (kw, args, parsed values). `text` is the
 * whole line; errors and notes go to diags (path/line given). Returns 0 when
 * the line was empty/comment (e untouched), 1 when `e` was filled, -1 on an
 * error already reported, -2 on OOM. `ignore_unknown` is the IgnoreUnknown
 * pattern list in effect (or NULL). */
int cfg_parse_line(const char *text, const char *path, int line, const char *ignore_unknown,
		   unsigned char *seen, cfg_entry *e, pf_diags *diags, int cmdline);
/* Size of the `seen` array cfg_parse_line uses to give each note once. */
size_t cfg_keyword_count(void);
void cfg_entry_clear(cfg_entry *e);

/* config_words.c: the words of a multi-state keyword (T_FLAG ... T_LOGLEVEL),
 * one table for the parser and the dump. `dump`: the word ssh -G prints for
 * that value (one per value). Tables end with a NULL word. */
typedef struct cfg_word {
	const char *word;
	int value;
	int dump;
} cfg_word;

/* The table of a keyword type; NULL for types that are not multi-state. */
const cfg_word *cfg_words(cfg_type type);
/* Case-insensitive: 0 with *value set, -1 when the word is not in w. */
int cfg_word_pick(const cfg_word *w, const char *word, int *value);
/* The dump word for value, NULL when there is none. */
const char *cfg_word_name(const cfg_word *w, int value);
/* 1 when a and b are equal but for ASCII case. */
int cfg_ieq(const char *a, const char *b);
/* "a, b, c or d" into buf, for messages. */
void cfg_word_list(const cfg_word *w, char *buf, size_t size);

/* config_decode.c: a file's bytes to UTF-8 text (*encoding names what it
 * was: "UTF-8", "UTF-16LE", "Shift_JIS"...). */
pf_rc cfg_decode(const char *path, const char *data, size_t len, char **text, size_t *text_len,
		 const char **encoding, pf_diags *diags);

/* config_algo.c: the algorithm lists. */
/* Assemble `value` (+/-/^ or plain) against PortForwarder's defaults.
 * Returns a new string (caller frees), NULL on OOM. */
char *cfg_algo_assemble(cfg_algo_kind kind, const char *value);
const char *cfg_algo_default(cfg_algo_kind kind);
/* Check a value at load time: 0 ok (warnings added for names we cannot
 * use), -1 error reported. */
int cfg_algo_check(cfg_algo_kind kind, const char *value, const char *path, int line, int col,
		   const char *text, const char *kwname, pf_diags *diags);

/* config_diag.c: 1 when a diagnostic for `path` would still be kept (so working out a
 * suggestion is worth it). */
int cfg_diags_room(const pf_diags *d, const char *path);

/* Counting characters for columns. */
int cfg_utf8_col(const char *line, const char *at);

/* Parse a ProxyJump value "[ssh://][user@]host[:port][,...]" (not "none")
 * into hops. 0, or -1 when it is not such a list (then *hops is NULL).
 * Caller frees with cfg_jump_hops_free. config_resolve.c. */
int cfg_jump_parse(const char *text, pf_jump_hop **hops, size_t *n);
void cfg_jump_hops_free(pf_jump_hop *hops, size_t n);

#endif
