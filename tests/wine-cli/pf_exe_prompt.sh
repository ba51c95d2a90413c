#!/usr/bin/env bash
# Issue 18 item 20 on Windows: pf.exe's prompts in a Windows console
# (Wine's, in Windows' default mode), driven through the console API by
# pftest-console.exe as a person at the keyboard. The prompt never changes
# the console's mode, so neither Ctrl-C nor a kill (TerminateProcess) can
# leave it without echo; Ctrl-C cancels the prompt with one line and ends
# pf.exe with STATUS_CONTROL_C_EXIT; what is typed for a
# secret is never shown; a typo taken back with Backspace, and the host
# key question's echoed "yes", reach the core as meant. Before, the
# passphrase prompt turned ENABLE_ECHO_INPUT off until ReadFile returned:
# a kill left the console without echo, and Ctrl-C at pf keygen's prompt
# ended it with status 0 (Wine) and the console without echo.
set -euo pipefail
W=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh" "$W/app/cli/pf.exe" "$2" "$3"

start_sshd
kit="$dir/kit"
mkdir -p "$kit"
ssh-keygen -q -t ed25519 -N 'typed secret' -C prompt-test -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
lport=$(free_port)
printf 'Host test\r\n  HostName 127.0.0.1\r\n  Port %s\r\n  User %s\r\n  IdentityFile id_ed25519\r\n  LocalForward %s 127.0.0.1:%s\r\n' \
	"$ssh_port" "$(id -un)" "$lport" "$ssh_port" >"$kit/config.txt"
pfexe=$(winpath "$W/app/cli/pf.exe")
connect="$pfexe -F $(winpath "$kit/config.txt") -N test"
cancelled_status=c000013a # STATUS_CONTROL_C_EXIT, as Windows' own Ctrl-C handler

# run <label> [--stdin-pipe] "<command line>" steps...: one console session.
run() {
	local label=$1 rc=0
	shift
	wine_start "$dir/$label.log" "$W/tests/pftest-console.exe" "$@"
	wait "$wrapper" || rc=$?
	sed 's/^/    /' "$dir/$label.log"
	check "$label: every step held" test "$rc" -eq 0
}

# pf keygen, Ctrl-C at the first passphrase prompt.
run keygen-ctrl-c "$pfexe keygen -f $(winpath "$kit/new_key")" \
	"wait=Passphrase (empty for none):" mode "type=typed secret" "hidden=typed secret" \
	ctrl-c "wait=pf: Ctrl-C at the prompt: cancelled." "exit=$cancelled_status" mode
check "keygen-ctrl-c: no key written" test ! -e "$kit/new_key"

# pf keygen killed at the prompt, as Task Manager ends it.
run keygen-kill "$pfexe keygen -f $(winpath "$kit/new_key")" \
	"wait=Passphrase (empty for none):" "type=typed" kill mode
check "keygen-kill: no key written" test ! -e "$kit/new_key"

# Standard input a pipe that stays silent: Ctrl-C still ends the wait.
run keygen-pipe --stdin-pipe "$pfexe keygen -f $(winpath "$kit/new_key")" \
	"wait=Passphrase (empty for none):" ctrl-c "wait=pf: Ctrl-C at the prompt: cancelled." \
	"exit=$cancelled_status"

# The first connection: the host key question echoes the answer; the
# passphrase, typed with a typo taken back, logs in; Ctrl-C while
# connected ends pf.exe in order (status 0).
run connect-login "$connect" \
	"wait=(yes/no/once/[fingerprint])?" "type=yes" "wait=[fingerprint])? yes" enter \
	"wait=Passphrase for key" mode "type=typed secreX" backspace "type=t" \
	"hidden=typed secre" enter "wait=Local forward" mode ctrl-c exit=0 mode
check "connect-login: the host key was saved" test -s "$kit/known_hosts"

# Ctrl-C at the passphrase prompt of a connection: the console's event,
# and the key itself where the console mode passes it on as a key.
run connect-ctrl-c "$connect" \
	"wait=Passphrase for key" "type=typed" ctrl-c "wait=pf: Ctrl-C at the prompt: cancelled." \
	"exit=$cancelled_status" mode
run connect-key-ctrl-c --raw "$connect" \
	"wait=Passphrase for key" "type=typed" key-ctrl-c \
	"wait=pf: Ctrl-C at the prompt: cancelled." "exit=$cancelled_status" mode
finish
