#!/usr/bin/env bash
# pf.exe under Wine logs in with a key held by a real OpenSSH ssh-agent,
# reached the two Windows ways: Pageant's window protocol, and the agent
# named pipe
# (\\.\pipe\openssh-ssh-agent), which pftest-agentrelay.exe connects to
# Linux's ssh-agent (on a loopback TCP port through socat: Wine has no
# AF_UNIX). The kit holds no key file, BatchMode is on: only the agent can
# log in.
set -euo pipefail
W=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh" "$W/app/cli/pf.exe" "$2" "$3"

start_sshd
kit="$dir/kit"
mkdir -p "$kit" "$dir/www"
start_agent_with_key
echo "signed in by the agent" >"$dir/www/hello.txt"
http_port=$(free_port)
lport=$(free_port)
(cd "$dir/www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
wait_port "$http_port"
printf 'Host test\r\n  HostName 127.0.0.1\r\n  Port %s\r\n  User %s\r\n  PreferredAuthentications publickey\r\n  BatchMode yes\r\n  StrictHostKeyChecking accept-new\r\n  LocalForward %s 127.0.0.1:%s\r\n' \
	"$ssh_port" "$(id -un)" "$lport" "$http_port" >"$kit/config.txt"

# run <label> [--pageant]: pf.exe through the relay, forward checked, stopped.
run() {
	local label=$1 lp
	shift
	lp=$(free_port)
	sed -i "s/^  LocalForward .*/  LocalForward $lp 127.0.0.1:$http_port\r/" "$kit/config.txt"
	rm -f "$kit/known_hosts"
	wine_start "$dir/pf-$label.log" "$W/tests/pftest-agentrelay.exe" \
		"$@" "$agent_port" "$(winpath "$W/app/cli/pf.exe")" \
		-F "$(winpath "$kit/config.txt")" -v -N test
	check "$label: pf.exe's forward is listening" wait_port "$lp" 120
	# The listener is there before the login; a request waits for it.
	check "$label: curl through the forward" \
		test "$(curl -sS --max-time 60 "http://127.0.0.1:$lp/hello.txt")" = "signed in by the agent"
	check "$label: the agent's key did the login" grep -q "key from the agent" "$dir/pf-$label.log"
	wine_stop
	[ "$fails" -eq 0 ] || cat "$dir/pf-$label.log"
}
run "OpenSSH agent pipe"
run "Pageant" --pageant
finish
