#!/usr/bin/env bash
# Connect on first use (issue 19 item 4), pf -N --on-demand against a real
# sshd: the forward listens at once and there is no TCP connection to sshd
# (its log shows none) until the first client; that client's bytes arrive
# (it is held while pf connects); with --idle-disconnect pf disconnects
# after the idle time and listens again ("Listening" state, nothing
# connected), and the next client connects it again.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ssh-keygen -q -t ed25519 -N '' -C kit -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
start_sshd
echo_port=$(free_port) l=$(free_port)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
host_entry test >"$dir/config.txt"
printf '  LocalForward %s 127.0.0.1:%s\n' "$l" "$echo_port" >>"$dir/config.txt"
conns() { grep -c "Connection from 127.0.0.1" "$dir/sshd.log" || true; }
before=$(conns)
# 0.05 minutes = 3 s of idleness.
"$PF" -F "$dir/config.txt" -N -v --on-demand --idle-disconnect 0.05 test 2>"$dir/pf.log" &
pf_pid=$!
pids+=("$pf_pid")
listening() { # (no client: a client would be the first use)
	for i in $(seq 1 100); do
		[ "$(ss -Hltn "( sport = :$l )" | wc -l)" -gt 0 ] && return 0
		sleep 0.1
	done
	return 1
}
check "the forward listens at once" listening
sleep 2
check "no TCP connection to sshd before the first client" test "$(conns)" = "$before"
check "the state is listening, not connected" grep -q "Listening, not connected" "$dir/pf.log"
check "the first client's bytes arrive" python3 "$here/clients.py" echo "$l" first 20
check "pf connected for it" grep -q "^Connected to" "$dir/pf.log"
check "one TCP connection to sshd now" test "$(conns)" = $((before + 1))
for i in $(seq 1 100); do grep -q "disconnected from" "$dir/pf.log" && break; sleep 0.1; done
check "idle for 3 s: disconnected, listening again" \
	grep -q "No connection through the forwards for 3 s: disconnected from" "$dir/pf.log"
sleep 1
check "no connection to sshd is left (ss)" \
	test "$(ss -Htn state established "( dport = :$ssh_port )" | wc -l)" = 0
check "listening again" test "$(grep -c "Listening, not connected" "$dir/pf.log")" -ge 2
check "the next client connects it again" python3 "$here/clients.py" echo "$l" second 20
check "a second TCP connection to sshd" test "$(conns)" = $((before + 2))
kill -INT "$pf_pid"
rc=0
wait "$pf_pid" || rc=$?
check "Ctrl-C ends it cleanly ($rc)" test "$rc" = 0
cat "$dir/pf.log"
finish
