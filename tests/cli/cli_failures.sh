#!/usr/bin/env bash
# pf's failures, each one clear message and a non-zero exit, nothing hung:
# a busy port (with and without ExitOnForwardFailure), BatchMode with an
# encrypted key, an unknown host key under StrictHostKeyChecking yes, a
# misspelt keyword, a wrong passphrase three times, cancelling at the
# passphrase, a port below 1024 without the right to it, a server that
# refuses the remote forward.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

start_sshd
kit=$dir/kit
mkdir -p "$kit"
ssh-keygen -q -t ed25519 -N 'secret' -C kit -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
printf '#!/bin/sh\necho secret\n' >"$dir/askpass-right"
printf '#!/bin/sh\necho wrong\n' >"$dir/askpass-wrong"
printf '#!/bin/sh\nexit 1\n' >"$dir/askpass-cancel"
chmod +x "$dir"/askpass-*

busy=$(free_port)
lport=$(free_port)
socat TCP-LISTEN:"$busy",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)
wait_port "$busy"

write_config() {
	cat >"$kit/config.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $ssh_port
  User $(id -un)
  IdentityFile id_ed25519
  LocalForward $busy 127.0.0.1:9
  LocalForward $lport 127.0.0.1:$busy
$1
CFG
}

# run <expected status> <log> <pf args...>: pf with the right passphrase
# unless ASKPASS says otherwise; bounded in time.
run() {
	local want=$1 log=$2
	shift 2
	local rc=0
	SSH_ASKPASS=${ASKPASS:-$dir/askpass-right} SSH_ASKPASS_REQUIRE=force \
		timeout 30 "$PF" -F "$kit/config.txt" "$@" test >"$log" 2>&1 </dev/null || rc=$?
	[ "$rc" = "$want" ] || { echo "exit status $rc, wanted $want"; cat "$log"; return 1; }
}

write_config "  ExitOnForwardFailure yes"
check "busy port with ExitOnForwardFailure: exit 1" \
	run 1 "$dir/busy.log" -o StrictHostKeyChecking=accept-new -N
check "the message names the port, the config line and who holds it" \
	grep -q "Port $busy on .* is already in use by another program (socat, PID [0-9]*).*config.txt line 6\|LocalForward $busy (config.txt line 6): Port $busy" "$dir/busy.log"
cat "$dir/busy.log"

# Without ExitOnForwardFailure the other forward works.
write_config ""
SSH_ASKPASS=$dir/askpass-right SSH_ASKPASS_REQUIRE=force \
	"$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new -N test >"$dir/partial.log" 2>&1 &
pf_pid=$!
pids+=("$pf_pid")
check "the other forward comes up" wait_port "$lport" 20
reply=$(printf 'still here\n' | socat -t 5 - TCP:127.0.0.1:"$lport")
check "and carries data" test "$reply" = "still here"
check "the busy one is reported once" test "$(grep -c "already in use" "$dir/partial.log")" = 1
kill -INT "$pf_pid"
wait "$pf_pid" || true

check "BatchMode with an encrypted key: exit 1" run 1 "$dir/batch.log" -o BatchMode=yes -N
check "  and says why" grep -q "BatchMode" "$dir/batch.log"
check "  in one line" test "$(wc -l <"$dir/batch.log")" -le 2

ASKPASS="$dir/askpass-wrong" check "wrong passphrase three times: exit 1" run 1 "$dir/wrong.log" -N
check "  listed in the final message" grep -q "wrong passphrase 3 times" "$dir/wrong.log"

ASKPASS="$dir/askpass-cancel" check "cancel at the passphrase: exit 1" run 1 "$dir/cancel.log" -N
check "  says cancelled" grep -qi "cancel" "$dir/cancel.log"

rm -f "$kit/known_hosts"
check "unknown host key with StrictHostKeyChecking yes: exit 1" \
	run 1 "$dir/strict.log" -o StrictHostKeyChecking=yes -N
check "  names the setting" grep -q "StrictHostKeyChecking" "$dir/strict.log"
check "  and saves nothing" test ! -e "$kit/known_hosts"

write_config "  LocalFoward 1234 127.0.0.1:80"
check "misspelt keyword: exit 1" run 1 "$dir/typo.log" -N
check "  with file:line:col and a suggestion" \
	grep -q "config.txt:8:3: .*LocalForward" "$dir/typo.log"

# A port below 1024 without the right to it: as root, the right is taken
# away (setpriv drops CAP_NET_BIND_SERVICE); skipped when that cannot be done.
priv=()
[ "$(id -u)" = 0 ] && priv=(setpriv --bounding-set -net_bind_service)
if [ "$(id -u)" != 0 ] || command -v setpriv >/dev/null; then
	cat >"$kit/lowport.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $ssh_port
  User $(id -un)
  IdentityFile id_ed25519
  LocalForward 81 127.0.0.1:$busy
  ExitOnForwardFailure yes
CFG
	rc=0
	SSH_ASKPASS=$dir/askpass-right SSH_ASKPASS_REQUIRE=force timeout 30 "${priv[@]}" \
		"$PF" -F "$kit/lowport.txt" -N test >"$dir/lowport.log" 2>&1 </dev/null || rc=$?
	cat "$dir/lowport.log"
	check "port 81 without the right to it: exit 1 (got $rc)" test "$rc" = 1
	check "  says no permission, names port and line, suggests a port above 1023" \
		grep -q "LocalForward 81 (lowport.txt line 6): No permission to listen on port 81.*above 1023" "$dir/lowport.log"
else
	echo "skipped: no permission test (root without setpriv)"
fi

# The server refuses remote forwarding: reported, the session stays up.
sed -i 's/^AllowTcpForwarding yes/AllowTcpForwarding local/' "$dir/sshd_config"
kill "$sshd_pid"
wait "$sshd_pid" 2>/dev/null || true
/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
sshd_pid=$!
pids+=("$sshd_pid")
wait_port "$ssh_port"
rport=$(free_port)
write_config "  RemoteForward $rport 127.0.0.1:$busy
  ExitOnForwardFailure yes"
sed -i "/LocalForward $busy/d" "$kit/config.txt"
check "server refuses the remote forward, ExitOnForwardFailure: exit 1" \
	run 1 "$dir/remote.log" -o StrictHostKeyChecking=accept-new -N
check "  the message says the server refused port $rport" grep -q "refused to listen on port $rport" "$dir/remote.log"
finish
