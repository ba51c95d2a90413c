/* Names and texts that come from outside: a host or user given on a command
 * line (which later reaches config lines, known_hosts and %h in a
 * ProxyCommand), and text a server sends that a front end prints. */
#ifndef PF_NAMES_H
#define PF_NAMES_H

#include "pf/error.h"

/* A host name given on a command line (pf's [user@]host, PortForwarder.exe's
 * argument), by OpenSSH's rules for names from the command line: it must not
 * be empty or start with '-', and must hold no whitespace, control
 * character, or any of ' ` " $ \ ; & < > | ( ) { } , (shell and config
 * syntax). PF_OK, or PF_E_INVAL with one message naming the character.
 * The one check for such names: reuse it, do not copy it. */
pf_rc pf_names_check_cli_host(const char *host, pf_error *err);

/* A user name given on a command line (-l user, user@host), by OpenSSH's
 * rules: not empty, no leading '-', no control character, none of
 * ' ` " ; & < > | ( ) { }, no whitespace followed by '-', no trailing '\'.
 * PF_OK, or PF_E_INVAL with one message. */
pf_rc pf_names_check_cli_user(const char *user, pf_error *err);

/* A copy of server text (a banner, a keyboard-interactive name, instruction
 * or prompt, a disconnect message) that is safe to print on a terminal or
 * in a window: C0 and C1 control characters, DEL and escape sequences are
 * dropped (tabs become a space; newlines are kept only when keep_newlines,
 * CR never), bytes that are not valid UTF-8 become '?'. NULL in, "" out.
 * Caller frees; NULL only when out of memory. */
char *pf_names_printable(const char *text, int keep_newlines);

#endif
