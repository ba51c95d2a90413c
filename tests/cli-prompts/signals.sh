#!/usr/bin/env bash
# Issue 18 item 20: Ctrl-C or SIGTERM at pf's passphrase prompt, on a real
# terminal (tmux): the prompt is cancelled, pf ends (connect: the session
# stops; keygen: the signal ends it as it would have), and the terminal has
# its echo back. Before, the signal was swallowed until Enter, and a pf
# killed at the prompt left the terminal without echo.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
command -v tmux >/dev/null || { echo "skipped: no tmux"; exit 77; }

start_sshd
kit=$dir/kit
mkdir -p "$kit"
ssh-keygen -q -t ed25519 -N 'typed secret' -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
printf 'Host test\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile id_ed25519\n  StrictHostKeyChecking accept-new\n' \
	"$ssh_port" "$(id -un)" >"$kit/config.txt"

sock=$dir/tmux.sock
tm() { tmux -S "$sock" "$@"; }
cleanup_tmux() { tm kill-server 2>/dev/null || true; }
trap 'cleanup_tmux; cleanup' EXIT
tm -f /dev/null new-session -d -s t -x 160 -y 40 "env -i PATH=$PATH HOME=$dir TERM=xterm bash --norc --noprofile"
pane() { tm capture-pane -p -t t -S -200; }
wait_pane() { # text seconds
	local i
	for i in $(seq 1 $(($2 * 10))); do pane | grep -q "$1" && return 0; sleep 0.1; done
	return 1
}

# stop NAME HOW COMMAND: COMMAND in the terminal's foreground, stopped at
# its passphrase prompt by HOW (Ctrl-C typed, or SIGTERM from outside);
# then its exit status and stty -a. (Ctrl-C: on the next command line, as
# a shell drops the rest of a line whose command SIGINT ended; were pf
# still waiting, it would read that line as its answer and never print
# "done".)
stop() {
	local name=$1 how=$2 pid after
	shift 2
	tm send-keys -t t "clear" Enter
	sleep 0.3
	tm clear-history -t t
	after="echo \"$name exit=\$?\"; stty -a >$dir/$name.stty; echo $name done"
	if [ "$how" = ctrl-c ]; then
		tm send-keys -t t "$*" Enter
	else
		# sh -c: a shell without job control, which (unlike an interactive
		# bash) does not reset the terminal after a command a signal ended.
		tm send-keys -t t "sh -c '$*; $after'" Enter
	fi
	check "$name: the passphrase prompt" wait_pane "assphrase.*:" 20
	sleep 0.5
	check "$name: echo is off at the prompt" \
		bash -c "stty -a <'$(tm display -p -t t '#{pane_tty}')' | grep -qw -- -echo"
	if [ "$how" = ctrl-c ]; then
		tm send-keys -t t C-c
	else
		pid=$(pgrep -n -f "^$PF " || true)
		check "$name: pf found" test -n "$pid"
		kill -TERM "$pid" 2>/dev/null || true
	fi
	sleep 1
	[ "$how" = ctrl-c ] && tm send-keys -t t "$after" Enter
	check "$name: pf ended within 10 s of $how" wait_pane "$name done" 10
	pane | grep -E "cancelled|$name exit" || true
	check "$name: the terminal has its echo back" grep -qE '(^|[[:space:]])echo([[:space:]]|$)' "$dir/$name.stty"
}

cd "$kit"
stop connect-ctrl-c ctrl-c "$PF -F $kit/config.txt -N test"
check "connect-ctrl-c: one line says the prompt was cancelled" wait_pane "Ctrl-C at the prompt: cancelled" 1
check "connect-ctrl-c: exit status 130" wait_pane "connect-ctrl-c exit=130" 1
stop keygen-ctrl-c ctrl-c "$PF keygen -f $kit/new_key"
check "keygen-ctrl-c: exit status of SIGINT (130)" wait_pane "keygen-ctrl-c exit=130" 1
check "keygen-ctrl-c: nothing written" test ! -e "$kit/new_key"
# SIGTERM from outside (kill), as a session manager sends it.
stop connect-sigterm sigterm "$PF -F $kit/config.txt -N test"
check "connect-sigterm: one line says so" wait_pane "SIGTERM at the prompt: cancelled" 1
check "connect-sigterm: exit status 143" wait_pane "connect-sigterm exit=143" 1
stop keygen-sigterm sigterm "$PF keygen -f $kit/new_key2"
check "keygen-sigterm: exit status of SIGTERM (143)" wait_pane "keygen-sigterm exit=143" 1
finish
