/* The words of multi-state keywords: one table per keyword, read by the
 * parser (config.c: which words are accepted, the list in its error
 * message) and by the dump (config_resolve.c: the word `ssh -G` prints for
 * a value, the row marked `dump`). A new word is one row here. */
#include <ctype.h>

#include "config_internal.h"
#include "pf/mem.h"

static const cfg_word flag_words[] = {
	{"yes", 1, 1}, {"no", 0, 1}, {"true", 1, 0}, {"false", 0, 0}, {NULL, 0, 0}};
static const cfg_word compression_words[] = {{"yes", 1, 1}, {"no", 0, 1}, {NULL, 0, 0}};
static const cfg_word strict_words[] = {{"yes", PF_STRICT_YES, 0},
					{"no", PF_STRICT_NO, 0},
					{"true", PF_STRICT_YES, 1},
					{"false", PF_STRICT_NO, 1},
					{"ask", PF_STRICT_ASK, 1},
					{"off", PF_STRICT_NO, 0},
					{"accept-new", PF_STRICT_ACCEPT_NEW, 1},
					{NULL, 0, 0}};
static const cfg_word addrfam_words[] = {
	{"any", PF_AF_ANY, 1}, {"inet", PF_AF_INET, 1}, {"inet6", PF_AF_INET6, 1}, {NULL, 0, 0}};
static const cfg_word pubkey_words[] = {{"yes", PF_PUBKEY_YES, 0},
					{"no", PF_PUBKEY_NO, 0},
					{"true", PF_PUBKEY_YES, 1},
					{"false", PF_PUBKEY_NO, 1},
					{"unbound", PF_PUBKEY_UNBOUND, 1},
					{"host-bound", PF_PUBKEY_HOSTBOUND, 1},
					{NULL, 0, 0}};
/* ssh -G calls QUIET "SILENT" and DEBUG1 "DEBUG" (its table's first match). */
static const cfg_word loglevel_words[] = {{"QUIET", PF_LOG_QUIET, 0},
					  {"SILENT", PF_LOG_QUIET, 1},
					  {"FATAL", PF_LOG_FATAL, 1},
					  {"ERROR", PF_LOG_ERROR, 1},
					  {"INFO", PF_LOG_INFO, 1},
					  {"VERBOSE", PF_LOG_VERBOSE, 1},
					  {"DEBUG", PF_LOG_DEBUG1, 1},
					  {"DEBUG1", PF_LOG_DEBUG1, 0},
					  {"DEBUG2", PF_LOG_DEBUG2, 1},
					  {"DEBUG3", PF_LOG_DEBUG3, 1},
					  {NULL, 0, 0}};

const cfg_word *cfg_words(cfg_type type)
{
	switch (type) {
	case T_FLAG: return flag_words;
	case T_COMPRESSION: return compression_words;
	case T_STRICT: return strict_words;
	case T_ADDRFAM: return addrfam_words;
	case T_PUBKEYAUTH: return pubkey_words;
	case T_LOGLEVEL: return loglevel_words;
	default: return NULL;
	}
}

int cfg_ieq(const char *a, const char *b)
{
	while (*a && tolower((unsigned char)*a) == tolower((unsigned char)*b))
		a++, b++;
	return *a == '\0' && *b == '\0';
}

int cfg_word_pick(const cfg_word *w, const char *word, int *value)
{
	for (; w->word; w++)
		if (cfg_ieq(w->word, word)) {
			*value = w->value;
			return 0;
		}
	return -1;
}

const char *cfg_word_name(const cfg_word *w, int value)
{
	for (; w->word; w++)
		if (w->dump && w->value == value)
			return w->word;
	return NULL;
}

void cfg_word_list(const cfg_word *w, char *buf, size_t size)
{
	buf[0] = '\0';
	for (; w->word; w++) {
		if (buf[0])
			pf_strlcat(buf, w[1].word ? ", " : " or ", size);
		pf_strlcat(buf, w->word, size);
	}
}
