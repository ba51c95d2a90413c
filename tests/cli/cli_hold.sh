#!/usr/bin/env bash
# Clients held while pf reconnects (issue 19 item 3), pf -N against a real
# sshd that is killed and restarted: a client of a LocalForward and a SOCKS
# client (its handshake not answered yet) that arrive during the back-off
# get their echo once the connection is back, and a log line says how many
# waited and how long; in a second outage that lasts, 64 held clients are
# closed after the hold time (--hold 20: longer than the back-off the first
# outage may reach) and the 65th is closed at once.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ssh-keygen -q -t ed25519 -N '' -C kit -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
start_sshd
echo_port=$(free_port) l=$(free_port) d=$(free_port)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
host_entry test >"$dir/config.txt"
printf '  LocalForward %s 127.0.0.1:%s\n  DynamicForward %s\n' "$l" "$echo_port" "$d" >>"$dir/config.txt"
"$PF" -F "$dir/config.txt" -N --hold 20 test 2>"$dir/pf.log" &
pf_pid=$!
pids+=("$pf_pid")
for i in $(seq 1 100); do grep -q "^Connected to" "$dir/pf.log" && break; sleep 0.1; done
check "connected" grep -q "^Connected to" "$dir/pf.log"
check "data through the forward" python3 "$here/clients.py" echo "$l" hello 10

kill_sshd() { # the listener and its connections
	local kids
	kids=$(cat /proc/"$sshd_pid"/task/*/children 2>/dev/null || true)
	kill -KILL "$sshd_pid" $kids 2>/dev/null || true
	wait "$sshd_pid" 2>/dev/null || true
}
reconnecting() { # count: wait for the count-th "Reconnecting in" line
	for i in $(seq 1 100); do
		[ "$(grep -c "Reconnecting in" "$dir/pf.log")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# Outage 1: clients arrive during the back-off, sshd comes back.
kill_sshd
check "pf noticed and is reconnecting" reconnecting 1
python3 "$here/clients.py" echo "$l" held-local 30 >"$dir/a.out" 2>&1 &
a_pid=$!
python3 "$here/clients.py" socks "$d" "$echo_port" held-socks 30 >"$dir/b.out" 2>&1 &
b_pid=$!
# Both connected (held: pf is not connected) before sshd comes back.
for i in $(seq 1 100); do
	grep -q connected "$dir/a.out" && grep -q connected "$dir/b.out" && break
	sleep 0.1
done
check "both clients are connected to pf's listeners while pf is not connected" \
	bash -c "grep -q connected '$dir/a.out' && grep -q connected '$dir/b.out' &&
		test \$(grep -c '^Connected to' '$dir/pf.log') = 1"
/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
sshd_pid=$!
pids+=("$sshd_pid")
check "the held local client got its echo once the connection was back" wait "$a_pid"
check "the held SOCKS client got its answer and echo" wait "$b_pid"
echo "echo after $(tail -n1 "$dir/a.out") s (local), $(tail -n1 "$dir/b.out") s (SOCKS)"
check "a log line says how many waited and how long" \
	grep -q "LocalForward $l: 1 client waited up to [0-9.]* s for the connection; served now" "$dir/pf.log" &&
	grep -q "DynamicForward $d: 1 client waited up to [0-9.]* s for the connection; served now" "$dir/pf.log"

# Outage 2: sshd stays away; 64 held (the default limit), the 65th closed
# at once, the 64 closed after the hold time.
kill_sshd
check "reconnecting again" reconnecting 2
check "64 held clients closed after 20 s, the 65th at once" python3 "$here/clients.py" held "$l" 64 20
check "a log line says the held clients waited and were closed" \
	grep -q "LocalForward $l: [0-9]* clients waited [0-9.]* s for the connection to .* and were closed (hold time 20 s)" "$dir/pf.log"
check "a log line says more were closed at once" \
	grep -q "LocalForward $l: 64 clients already wait for the connection" "$dir/pf.log"
kill -INT "$pf_pid"
wait "$pf_pid" || true
cat "$dir/pf.log"
finish
