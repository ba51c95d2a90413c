/* Forward specifications: OpenSSH's field syntax ("a:b:c:d" with [IPv6]
 * brackets, '/' marking Unix-socket paths) plus the old "host/port" form. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "pf/fwdspec.h"
#include "pf/mem.h"

#define FWD_MAX_FIELDS 4
#define FWD_MAX_LEN    1024 /* longer specs are certainly not forwards */

typedef struct fwd_field {
	char *text;
	int bracketed;
} fwd_field;

const char *pf_fwdspec_keyword(pf_fwd_kind kind)
{
	switch (kind) {
	case PF_FWD_LOCAL: return "localforward";
	case PF_FWD_DYNAMIC: return "dynamicforward";
	case PF_FWD_REMOTE:
	case PF_FWD_REMOTE_DYNAMIC: return "remoteforward";
	}
	return "forward";
}

void pf_fwdspec_clear(pf_fwdspec *f)
{
	if (f == NULL)
		return;
	free(f->listen_host);
	free(f->listen_path);
	free(f->connect_host);
	free(f->connect_path);
	free(f->source);
	memset(f, 0, sizeof(*f));
}

static int dup_opt(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = pf_strdup(src);
	return *dst == NULL ? -1 : 0;
}

pf_rc pf_fwdspec_copy(pf_fwdspec *dst, const pf_fwdspec *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->kind = src->kind;
	dst->listen_port = src->listen_port;
	dst->connect_port = src->connect_port;
	dst->line = src->line;
	if (dup_opt(&dst->listen_host, src->listen_host) != 0 ||
	    dup_opt(&dst->listen_path, src->listen_path) != 0 ||
	    dup_opt(&dst->connect_host, src->connect_host) != 0 ||
	    dup_opt(&dst->connect_path, src->connect_path) != 0 ||
	    dup_opt(&dst->source, src->source) != 0) {
		pf_fwdspec_clear(dst);
		return PF_E_NOMEM;
	}
	return PF_OK;
}

pf_rc pf_fwdspec_set_source(pf_fwdspec *f, const char *source, int line)
{
	char *s = NULL;

	if (dup_opt(&s, source) != 0)
		return PF_E_NOMEM;
	free(f->source);
	f->source = s;
	f->line = line;
	return PF_OK;
}

static int str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int pf_fwdspec_equal(const pf_fwdspec *a, const pf_fwdspec *b)
{
	return a->kind == b->kind && a->listen_port == b->listen_port &&
	       a->connect_port == b->connect_port && str_eq(a->listen_host, b->listen_host) &&
	       str_eq(a->listen_path, b->listen_path) && str_eq(a->connect_host, b->connect_host) &&
	       str_eq(a->connect_path, b->connect_path);
}

char *pf_fwdspec_format(const pf_fwdspec *f)
{
	char *listen = NULL, *connect = NULL, *res = NULL;

	if (f->listen_path != NULL)
		listen = pf_strdup(f->listen_path);
	else if (f->listen_host != NULL)
		listen = pf_asprintf("[%s]:%d", f->listen_host, f->listen_port);
	else
		listen = pf_asprintf("%d", f->listen_port);
	if (listen == NULL)
		return NULL;
	switch (f->kind) {
	case PF_FWD_DYNAMIC: res = listen; return res;
	case PF_FWD_REMOTE_DYNAMIC: connect = pf_strdup("[socks]:0"); break;
	default:
		if (f->connect_path != NULL)
			connect = pf_strdup(f->connect_path);
		else
			connect = pf_asprintf("[%s]:%d", f->connect_host ? f->connect_host : "",
					      f->connect_port);
	}
	if (connect != NULL)
		res = pf_asprintf("%s %s", listen, connect);
	free(listen);
	free(connect);
	return res;
}

/* "host/port" (OpenSSH 4.x's IPv6-friendly form) -> "[host]:port", or NULL
 * (with *oom clear) when `arg` is not in that form. A Unix-socket path
 * (starting with '/', '.' or '~', or with more than one '/') is left alone. */
static char *legacy_slash(const char *arg, int *oom)
{
	const char *slash = strchr(arg, '/');
	const char *p;

	*oom = 0;
	if (slash == NULL || slash == arg || strchr(slash + 1, '/') != NULL)
		return NULL;
	if (arg[0] == '.' || arg[0] == '~' || arg[0] == '[')
		return NULL;
	if (slash[1] == '\0' || strlen(slash + 1) > 5)
		return NULL;
	for (p = slash + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return NULL;
	{
		char *r = pf_asprintf("[%.*s]:%s", (int)(slash - arg), arg, slash + 1);

		if (r == NULL)
			*oom = 1;
		return r;
	}
}

static void fields_free(fwd_field *f, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(f[i].text);
}

/* Split "a:b:[c]:d" into fields. Returns the count, -1 on a syntax error
 * (message in err), -2 on OOM. */
static int split_fields(const char *s, fwd_field *f, pf_error *err)
{
	int n = 0;

	for (;;) {
		const char *start, *end;
		int br = 0;

		if (n == FWD_MAX_FIELDS) {
			fields_free(f, n);
			pf_error_set(
				err, PF_E_INVAL,
				"Too many ':'-separated parts (write [bind:]port host:hostport; "
				"put IPv6 addresses in [brackets])");
			return -1;
		}
		if (*s == '[') {
			start = s + 1;
			end = strchr(start, ']');
			if (end == NULL) {
				fields_free(f, n);
				pf_error_set(err, PF_E_INVAL, "'[' without a closing ']'");
				return -1;
			}
			if (end[1] != ':' && end[1] != '\0') {
				fields_free(f, n);
				pf_error_set(err, PF_E_INVAL,
					     "Expected ':' after ']' (write [address]:port)");
				return -1;
			}
			br = 1;
			s = end + 1;
		} else {
			start = s;
			end = strchr(s, ':');
			if (end == NULL)
				end = s + strlen(s);
			s = end;
		}
		f[n].text = pf_strndup(start, (size_t)(end - start));
		f[n].bracketed = br;
		if (f[n].text == NULL) {
			fields_free(f, n);
			return -2;
		}
		n++;
		if (*s == '\0')
			break;
		s++; /* the ':' */
	}
	return n;
}

static int is_path(const fwd_field *f)
{
	return !f->bracketed && strchr(f->text, '/') != NULL;
}

/* Parse a port: digits only, 0-65535. Returns -1 if not a number. */
static int parse_port(const char *s)
{
	long v = 0;
	const char *p;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v > 65535 ? -1 : (int)v;
}

static pf_rc set_port(int *dst, const char *text, int allow_zero, const char *what, pf_error *err)
{
	int p = parse_port(text);

	if (p < 0)
		return pf_error_set(err, PF_E_INVAL,
				    "'%s' is not a valid %s: use a number from %d to 65535", text,
				    what, allow_zero ? 0 : 1);
	if (p == 0 && !allow_zero)
		return pf_error_set(err, PF_E_INVAL,
				    "Port 0 is not allowed as the %s: use a number from 1 to 65535",
				    what);
	*dst = p;
	return PF_OK;
}

static pf_rc check_host(const char *h, const char *what, pf_error *err)
{
	const char *p;

	if (*h == '\0')
		return pf_error_set(err, PF_E_INVAL, "The %s is empty", what);
	if (strlen(h) > 255)
		return pf_error_set(err, PF_E_INVAL, "The %s is longer than 255 characters", what);
	for (p = h; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '[' || *p == ']')
			return pf_error_set(err, PF_E_INVAL, "The %s '%s' contains '%c'", what, h,
					    *p == ' ' ? ' ' : *p);
	return PF_OK;
}

static pf_rc take(char **dst, fwd_field *f)
{
	*dst = f->text;
	f->text = NULL;
	return PF_OK;
}

/* Interpret split fields (OpenSSH's rules: a field with '/' is a path). */
static pf_rc build(pf_fwd_kind kind, int dynamic, fwd_field *f, int n, pf_fwdspec *out,
		   pf_error *err)
{
	int remote = kind == PF_FWD_REMOTE || kind == PF_FWD_REMOTE_DYNAMIC;
	int i, lp = -1, ch = -1, cp = -1;
	pf_rc rc;

	out->kind = dynamic ? (remote ? PF_FWD_REMOTE_DYNAMIC : PF_FWD_DYNAMIC) : kind;
	if (dynamic) {
		if (n == 1 && is_path(&f[0]))
			return pf_error_set(err, PF_E_INVAL,
					    "A SOCKS forward needs a port, not the path '%s'",
					    f[0].text);
		if (n == 1)
			lp = 0;
		else if (n == 2) {
			take(&out->listen_host, &f[0]);
			lp = 1;
		} else
			return pf_error_set(err, PF_E_INVAL,
					    "Expected [bind_address:]port for a SOCKS forward");
	} else {
		switch (n) {
		case 2:
			if (is_path(&f[0]))
				take(&out->listen_path, &f[0]);
			else
				lp = 0;
			if (!is_path(&f[1]))
				return pf_error_set(
					err, PF_E_INVAL,
					"Missing the destination port: write port host:hostport");
			take(&out->connect_path, &f[1]);
			break;
		case 3:
			if (is_path(&f[0])) {
				take(&out->listen_path, &f[0]);
				ch = 1;
				cp = 2;
			} else if (is_path(&f[2])) {
				take(&out->listen_host, &f[0]);
				lp = 1;
				take(&out->connect_path, &f[2]);
			} else {
				lp = 0;
				ch = 1;
				cp = 2;
			}
			break;
		case 4:
			take(&out->listen_host, &f[0]);
			lp = 1;
			ch = 2;
			cp = 3;
			break;
		default:
			return pf_error_set(err, PF_E_INVAL,
					    "Expected [bind_address:]port host:hostport");
		}
	}
	for (i = 0; i < n; i++)
		if (f[i].text != NULL && is_path(&f[i]) && (i == lp || i == ch || i == cp))
			return pf_error_set(err, PF_E_INVAL,
					    "'%s' looks like a path where a host or port belongs",
					    f[i].text);
	if (lp >= 0) {
		rc = set_port(&out->listen_port, f[lp].text, remote, "listening port", err);
		if (rc != PF_OK)
			return rc;
	}
	if (ch >= 0) {
		rc = check_host(f[ch].text, "destination host", err);
		if (rc != PF_OK)
			return rc;
		take(&out->connect_host, &f[ch]);
		rc = set_port(&out->connect_port, f[cp].text, 0, "destination port", err);
		if (rc != PF_OK)
			return rc;
	}
	if (out->listen_host != NULL && *out->listen_host != '\0' &&
	    strcmp(out->listen_host, "*") != 0) {
		rc = check_host(out->listen_host, "bind address", err);
		if (rc != PF_OK)
			return rc;
	}
#ifdef _WIN32
	if (out->listen_path != NULL || out->connect_path != NULL)
		return pf_error_set(err, PF_E_UNSUPPORTED,
				    "Unix-socket forwards (%s) are not supported on Windows",
				    out->listen_path ? out->listen_path : out->connect_path);
#endif
	return PF_OK;
}

static pf_rc parse_joined(pf_fwd_kind kind, int dynamic, const char *spec, pf_fwdspec *out,
			  pf_error *err)
{
	fwd_field f[FWD_MAX_FIELDS];
	int n;
	pf_rc rc;

	memset(f, 0, sizeof(f));
	n = split_fields(spec, f, err);
	if (n == -2)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	if (n < 0)
		return PF_E_INVAL;
	rc = build(kind, dynamic, f, n, out, err);
	fields_free(f, n);
	if (rc != PF_OK)
		pf_fwdspec_clear(out);
	return rc;
}

static pf_rc check_kind(pf_fwd_kind kind, pf_error *err)
{
	if (kind != PF_FWD_LOCAL && kind != PF_FWD_REMOTE && kind != PF_FWD_DYNAMIC)
		return pf_error_set(err, PF_E_INVAL, "Bad forward kind");
	return PF_OK;
}

pf_rc pf_fwdspec_parse(pf_fwd_kind kind, const char *listen, const char *connect, pf_fwdspec *out,
		       pf_error *err)
{
	char *l2 = NULL, *c2 = NULL, *joined = NULL;
	int oom = 0, dynamic;
	pf_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_kind(kind, err)) != PF_OK)
		return rc;
	if (listen == NULL || *listen == '\0')
		return pf_error_set(err, PF_E_INVAL, "Missing the listening port");
	if (kind == PF_FWD_DYNAMIC && connect != NULL)
		return pf_error_set(err, PF_E_INVAL,
				    "DynamicForward takes only [bind_address:]port, not a "
				    "destination '%s'",
				    connect);
	if (kind == PF_FWD_LOCAL && (connect == NULL || *connect == '\0'))
		return pf_error_set(
			err, PF_E_INVAL,
			"Missing the destination: write LocalForward port host:hostport");
	if (strlen(listen) > FWD_MAX_LEN || (connect && strlen(connect) > FWD_MAX_LEN))
		return pf_error_set(err, PF_E_INVAL, "Forward specification too long");
	dynamic = kind == PF_FWD_DYNAMIC || connect == NULL || *connect == '\0';
	l2 = legacy_slash(listen, &oom);
	if (!oom && !dynamic)
		c2 = legacy_slash(connect, &oom);
	if (oom) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	if (dynamic)
		joined = pf_strdup(l2 ? l2 : listen);
	else
		joined = pf_asprintf("%s:%s", l2 ? l2 : listen, c2 ? c2 : connect);
	if (joined == NULL) {
		rc = pf_error_set(err, PF_E_NOMEM, "Out of memory");
		goto out;
	}
	rc = parse_joined(kind, dynamic, joined, out, err);
out:
	free(l2);
	free(c2);
	free(joined);
	return rc;
}

pf_rc pf_fwdspec_parse_cli(pf_fwd_kind kind, const char *arg, pf_fwdspec *out, pf_error *err)
{
	fwd_field f[FWD_MAX_FIELDS];
	int n, dynamic;
	pf_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_kind(kind, err)) != PF_OK)
		return rc;
	if (arg == NULL || *arg == '\0')
		return pf_error_set(err, PF_E_INVAL, "Empty forward specification");
	if (strlen(arg) > FWD_MAX_LEN)
		return pf_error_set(err, PF_E_INVAL, "Forward specification too long");
	memset(f, 0, sizeof(f));
	n = split_fields(arg, f, err);
	if (n == -2)
		return pf_error_set(err, PF_E_NOMEM, "Out of memory");
	if (n < 0)
		return PF_E_INVAL;
	dynamic = kind == PF_FWD_DYNAMIC;
	/* -R port or -R bind:port (no path in the last field): remote SOCKS. */
	if (kind == PF_FWD_REMOTE && (n == 1 || (n == 2 && !is_path(&f[1]))))
		dynamic = 1;
	if (kind == PF_FWD_LOCAL && n < 2) {
		fields_free(f, n);
		return pf_error_set(err, PF_E_INVAL,
				    "Expected [bind_address:]port:host:hostport after -L");
	}
	rc = build(kind, dynamic, f, n, out, err);
	fields_free(f, n);
	if (rc != PF_OK)
		pf_fwdspec_clear(out);
	return rc;
}
