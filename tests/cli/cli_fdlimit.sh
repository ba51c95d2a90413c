#!/usr/bin/env bash
# pf out of file descriptors (ulimit -n 40) while 60 clients connect to a
# forward at once: it says so (not once per retry), does not spin on the waiting listener,
# and serves every client as earlier ones finish.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

start_sshd
ssh-keygen -q -t ed25519 -N '' -C kit -f "$dir/id_ed25519"
cat "$dir/id_ed25519.pub" >"$dir/authorized_keys"
echo_port=$(free_port)
lport=$(free_port)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
cat >"$dir/config.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $ssh_port
  User $(id -un)
  IdentityFile $dir/id_ed25519
  LocalForward $lport 127.0.0.1:$echo_port
CFG
(ulimit -n 40 && exec "$PF" -F "$dir/config.txt" -o StrictHostKeyChecking=accept-new -N test) \
	2>"$dir/pf.log" &
pf_pid=$!
pids+=("$pf_pid")
check "forward listening" wait_port "$lport" 20

cpu() { awk '{print $14 + $15}' "/proc/$pf_pid/stat"; } # clock ticks
python3 "$here/crowd.py" "$lport" 60 2 >"$dir/crowd.log" 2>&1 &
crowd=$!
sleep 1.5
c0=$(cpu)
sleep 1
c1=$(cpu)
rc=0
wait "$crowd" || rc=$?
cat "$dir/crowd.log"
check "every one of 60 clients served with 40 descriptors" test "$rc" = 0
n=$(grep -c "cannot accept more connections" "$dir/pf.log" || true)
check "the shortage reported, not once per retry ($n times)" test "$n" -ge 1 -a "$n" -le 3
ticks=$((c1 - c0))
check "no spinning while out of descriptors ($ticks ticks of CPU in 1 s)" test "$ticks" -lt 30
kill -INT "$pf_pid"
wait "$pf_pid" || true
[ "$fails" -eq 0 ] || cat "$dir/pf.log"
finish
