#!/usr/bin/env bash
# Quiet when idle (issue 19): a connected pf -N with a LocalForward and a
# DynamicForward, nothing going on, wakes up for nothing. Counted as the
# voluntary context switches of all its threads (/proc/PID/task/*/status)
# over 10 s: without keepalive fewer than 10 (before: the worker's 250 ms
# poll and the main thread's 200 ms wait, about 90); with
# ServerAliveInterval 2, between 3 and 20 (a keepalive and its answer every
# 2 s, nothing more); through a ProxyJump hop (its bridge thread) fewer than
# 10 too. The assertion is "no periodic wake-up", not a timing. Then
# Ctrl-C still ends it at once (the signal handler only writes the worker's
# wake-up socket).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ssh-keygen -q -t ed25519 -N '' -C kit -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
start_sshd
echo_port=$(free_port)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"

host_entry '*' >"$dir/config.txt"

ctxt() { # pid: voluntary context switches summed over its threads
	cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt_switches/ {n += $2} END {print n + 0}'
}

# run NAME MIN MAX pf-options...: start pf, check it connects and carries
# data, count its wake-ups over 10 s idle, Ctrl-C it.
run() {
	local name=$1 min=$2 max=$3 lport sport pid a b i rc=0
	shift 3
	lport=$(free_port) sport=$(free_port)
	"$PF" -F "$dir/config.txt" -N -L "$lport:127.0.0.1:$echo_port" -D "$sport" "$@" \
		2>"$dir/pf_$name.log" &
	pid=$!
	pids+=("$pid")
	for i in $(seq 1 100); do grep -q "^Connected to" "$dir/pf_$name.log" && break; sleep 0.1; done
	check "$name: connected" grep -q "^Connected to" "$dir/pf_$name.log"
	check "$name: data through the forward" \
		test "$(printf 'hi\n' | socat -t 5 - TCP:127.0.0.1:"$lport")" = hi
	sleep 1 # the last status update after the echo
	a=$(ctxt "$pid")
	sleep 10
	b=$(ctxt "$pid")
	echo "$name: $((b - a)) voluntary context switches in 10 s idle"
	check "$name: between $min and $max wake-ups in 10 s idle ($((b - a)))" \
		test $((b - a)) -ge "$min" -a $((b - a)) -le "$max"
	kill -INT "$pid"
	for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	check "$name: Ctrl-C ends it within 5 s" bash -c "! kill -0 $pid 2>/dev/null"
	wait "$pid" || rc=$?
	check "$name: exit code 0 after Ctrl-C ($rc)" test "$rc" = 0
}

run idle 0 9 test
run keepalive 3 20 -o ServerAliveInterval=2 test
run jump 0 9 -o ProxyJump=hop test
cat "$dir"/pf_*.log
finish
