#!/usr/bin/env bash
# Two hosts at once in two pf processes: A's server killed (A says
# "Reconnecting in N s" and comes back by itself once the server does),
# then A's pf killed outright; B carries data all along and never
# reconnects.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ssh-keygen -q -t ed25519 -N '' -C kit -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
start_sshd
a_port=$ssh_port a_pid=$sshd_pid
cp "$dir/sshd_config" "$dir/sshd_config.a"
start_sshd
b_port=$ssh_port
echo_port=$(free_port) la=$(free_port) lb=$(free_port)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"

for h in a b; do
	port=${h}_port l=l$h
	cat >"$dir/$h.txt" <<CFG
Host $h
  HostName 127.0.0.1
  Port ${!port}
  User $(id -un)
  IdentityFile $dir/id_ed25519
  UserKnownHostsFile $dir/known_hosts_$h
  StrictHostKeyChecking accept-new
  LocalForward ${!l} 127.0.0.1:$echo_port
CFG
	"$PF" -F "$dir/$h.txt" -N "$h" 2>"$dir/pf_$h.log" &
	pids+=($!)
	eval "pf_$h=$!"
done
check "A's forward listening" wait_port "$la" 20
check "B's forward listening" wait_port "$lb" 20
say() { printf '%s\n' "$2" | socat -t 5 - TCP:127.0.0.1:"$1"; }
check "A carries data" test "$(say "$la" hello-a)" = hello-a
check "B carries data" test "$(say "$lb" hello-b)" = hello-b

# A's server dies (listener and its connection process).
kids=$(cat /proc/"$a_pid"/task/*/children 2>/dev/null || true)
kill -KILL "$a_pid" $kids
wait "$a_pid" 2>/dev/null || true
for i in $(seq 1 50); do grep -q "Reconnecting in" "$dir/pf_a.log" && break; sleep 0.1; done
check "A says it is reconnecting" grep -q "Reconnecting in [0-9]* s" "$dir/pf_a.log"
check "B still carries data" test "$(say "$lb" still-b)" = still-b
/usr/sbin/sshd -D -e -f "$dir/sshd_config.a" 2>>"$dir/sshd.log" &
pids+=($!)
wait_port "$a_port"
ok_a=0
for i in $(seq 1 40); do
	[ "$(say "$la" back-a 2>/dev/null)" = back-a ] && { ok_a=1; break; }
	sleep 0.5
done
check "A reconnects by itself and carries data" test "$ok_a" = 1

# A's pf killed outright: B does not care.
kill -KILL "$pf_a"
wait "$pf_a" 2>/dev/null || true
check "B carries data after A's pf was killed" test "$(say "$lb" after-b)" = after-b
check "B never reconnected" bash -c "! grep -q Reconnecting '$dir/pf_b.log'"
kill -INT "$pf_b"
rc=0
wait "$pf_b" || rc=$?
check "B ends cleanly on Ctrl-C (status $rc)" test "$rc" = 0
[ "$fails" -eq 0 ] || { cat "$dir/pf_a.log" "$dir/pf_b.log"; }
finish
