#!/usr/bin/env bash
# Backpressure through a running pf: 200 MB each way through a LocalForward
# while the receiving side reads nothing for the first 2 s. pf must slow
# the sender instead of buffering: its resident memory may grow by a few
# windows' worth, never by the stream. Then 150 clients that read nothing
# for a while: the channel windows share one budget (core/forward.c), so
# pf holds tens of MB for them, not 150 x libssh's 2 MB. Every byte is
# checked.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

start_sshd
ssh-keygen -q -t ed25519 -N '' -C kit -f "$dir/id_ed25519"
cat "$dir/id_ed25519.pub" >"$dir/authorized_keys"
lport=$(free_port)
dport=$(free_port)
cat >"$dir/config.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $ssh_port
  User $(id -un)
  IdentityFile $dir/id_ed25519
  LocalForward $lport 127.0.0.1:$dport
CFG
"$PF" -F "$dir/config.txt" -o StrictHostKeyChecking=accept-new -N test 2>"$dir/pf.log" &
pf_pid=$!
pids+=("$pf_pid")
check "forward listening" wait_port "$lport" 20

limit=32 # MB over the idle pf
for mode in down up; do
	out=$(timeout 150 python3 "$here/flow.py" "$pf_pid" "$lport" "$dport" "$mode" 2>&1)
	rc=$?
	echo "$out"
	check "$mode: 200 MB intact through the forward" test "$rc" = 0
	growth=$(sed -n 's/^GROWTH_MB=//p' <<<"$out")
	check "$mode: pf grew by ${growth:-?} MB, under $limit MB" test "${growth:-999}" -lt "$limit"
	early=$(sed -n 's/^EARLY_MB=//p' <<<"$out")
	check "$mode: the stalled receiver held the sender to ${early:-?} MB" test "${early:-999}" -lt 48
done
cport=$(free_port)
sed -i "s/^  LocalForward .*/&\n  LocalForward $cport 127.0.0.1:$dport/" "$dir/config.txt"
kill -INT "$pf_pid"
wait "$pf_pid" || true
"$PF" -F "$dir/config.txt" -N test 2>"$dir/pf.log" &
pf_pid=$!
pids+=("$pf_pid")
check "forward listening again" wait_port "$cport" 20
out=$(timeout 200 python3 "$here/stalled_crowd.py" "$pf_pid" "$cport" "$dport" 150 4 2>&1)
rc=$?
echo "$out"
check "150 stalled readers: every stream intact" test "$rc" = 0
growth=$(sed -n 's/^GROWTH_MB=//p' <<<"$out")
check "150 stalled readers: pf grew by ${growth:-?} MB, under 72 MB" test "${growth:-999}" -lt 72
kill -INT "$pf_pid"
wait "$pf_pid" || true
[ "$fails" -eq 0 ] || cat "$dir/pf.log"
finish
