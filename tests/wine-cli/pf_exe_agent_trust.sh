#!/usr/bin/env bash
# Issue 18 items 8 and 9: pf.exe under Wine does not trust an agent pipe
# served by someone else, and a silent agent (pipe or Pageant) cannot hang
# the login. Wine runs one user only, so the "other user" is told to the
# check: PF_AGENT_EXPECT_SID names a SID the pipe server must also have
# (it can only narrow what is trusted); the pipe is served by a second
# process, pftest-agentrelay.exe, relaying to a real ssh-agent that holds
# the only key sshd accepts. The kit holds no key file; BatchMode is on.
set -euo pipefail
W=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh" "$W/app/cli/pf.exe" "$2" "$3"

start_sshd
kit="$dir/kit"
mkdir -p "$kit"
start_agent_with_key
printf 'Host test\r\n  HostName 127.0.0.1\r\n  Port %s\r\n  User %s\r\n  PreferredAuthentications publickey\r\n  BatchMode yes\r\n  StrictHostKeyChecking accept-new\r\n  IdentityFile none\r\n' \
	"$ssh_port" "$(id -un)" >"$kit/config.txt"

# once <label> <seconds> [relay options...]: pf.exe through the relay, in
# the foreground; sets $rc and $took (seconds), log in $dir/<label>.log.
once() {
	local label=$1 limit=$2 t0
	shift 2
	rm -f "$kit/known_hosts"
	t0=$(date +%s)
	rc=0
	timeout -k 10 "$limit" bash "$here/../e2e/wine-run.sh" "$prefix" "$dir/shots" \
		"$W/tests/pftest-agentrelay.exe" "$@" "$agent_port" "$(winpath "$W/app/cli/pf.exe")" \
		-F "$(winpath "$kit/config.txt")" -v -N test >"$dir/$label.log" 2>&1 || rc=$?
	took=$(($(date +%s) - t0))
	WINEPREFIX=$prefix wineserver -k 2>/dev/null || true
}

# The pipe's server is not who we expect: refused, and the login (which
# only the agent's key could make) does not happen.
export PF_AGENT_EXPECT_SID=S-1-5-21-1111-2222-3333-1001
once other-user 180
unset PF_AGENT_EXPECT_SID
check "another user's pipe: refused with one message" \
	grep -q "served by a program of another user\|not owned by you or the system" "$dir/other-user.log"
check "... the agent's key was not used" bash -c "! grep -q 'key from the agent' '$dir/other-user.log'"
check "... pf.exe ends with the login failure" test "$rc" = 1
[ "$fails" -eq 0 ] || cat "$dir/other-user.log"

# A pipe that takes the request and never answers: the exchange times out
# (PF_AGENT_TIMEOUT_MS shortens the 30 s limit for the test), the login
# goes on without the agent and ends.
export PF_AGENT_TIMEOUT_MS=3000
once silent-pipe 180 --silent
check "a silent agent pipe: pf.exe does not hang (ended after ${took}s)" test "$rc" = 1
check "... the agent's key was not used" bash -c "! grep -q 'key from the agent' '$dir/silent-pipe.log'"
[ "$fails" -eq 0 ] || cat "$dir/silent-pipe.log"

# A Pageant whose window never returns from WM_COPYDATA: SendMessageTimeout.
once silent-pageant 180 --pageant --silent
check "a hung Pageant: pf.exe does not hang (ended after ${took}s)" test "$rc" = 1
check "... the agent's key was not used" bash -c "! grep -q 'key from the agent' '$dir/silent-pageant.log'"
[ "$fails" -eq 0 ] || cat "$dir/silent-pageant.log"
unset PF_AGENT_TIMEOUT_MS
finish
