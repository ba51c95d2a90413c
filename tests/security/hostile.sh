#!/usr/bin/env bash
# A hostile server (issue 18 item 13): after the login it floods pf with
# channel opens of every kind and global requests that pf never asked for
# (tests/security/hostile_server.py, paramiko: sshd cannot be made to do
# this). pf must answer every open at once (refused: confirmed and closed,
# as libssh without server support cannot send OPEN_FAILURE), keep its
# memory bounded (nothing left queued in libssh), log it once, and stay up.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import paramiko' 2>/dev/null; then
	echo "skipped: python3-paramiko is not installed (scripts/setup.sh installs it)"
	exit 77
fi
per_kind=${PF_HOSTILE_OPENS:-1000}
nglobals=${PF_HOSTILE_GLOBALS:-5000}
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
port=$(free_port)
"$PY" "$here/hostile_server.py" "$port" "$dir/host_key" "$dir/result.json" "$per_kind" \
	"$nglobals" >"$dir/server.log" 2>&1 &
pids+=($!)
# Not wait_port: the server takes one connection only.
for _ in $(seq 1 100); do
	[ -e "$dir/result.json.ready" ] && break
	sleep 0.1
done
lport=$(free_port)
: >"$dir/empty.conf"
"$PF" -F "$dir/empty.conf" -o "IdentityFile=$dir/id_ed25519" -o IdentitiesOnly=yes \
	-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=none \
	-L "$lport:127.0.0.1:9" -N -p "$port" "$(id -un)@127.0.0.1" >"$dir/pf.log" 2>&1 </dev/null &
pf_pid=$!
pids+=("$pf_pid")
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pf_pid/status" 2>/dev/null || echo 0; }
for _ in $(seq 1 100); do
	grep -q "^Connected to" "$dir/pf.log" && break
	sleep 0.1
done
check "pf logged in to the hostile server" grep -q "^Connected to" "$dir/pf.log"
wait_result() {
	for _ in $(seq 1 900); do
		[ -s "$dir/result.json.$1" ] && return 0
		sleep 0.1
	done
	return 1
}
field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$dir/result.json.$1" "$2" 2>/dev/null || echo -1; }
wait_result 1 || cat "$dir/server.log"
rss1=$(rss)
wait_result 2 || cat "$dir/server.log"
rss2=$(rss)
cat "$dir"/result.json.[12] 2>/dev/null
echo "pf RSS: $rss1 kB after the first flood, $rss2 kB after the second"
opens=$(field 2 opens)
answered=$(field 2 answered)
check "the server sent $opens opens" test "$opens" -gt 0
check "pf answered every unrequested channel open at once ($answered of $opens)" test "$answered" = "$opens"
# Queued in libssh, the second flood's 5000 opens and 5000 global requests
# would add about 1.7 MB; refused at once, pf reuses what the first freed.
check "pf's memory stayed bounded (second flood: +$((rss2 - rss1)) kB, limit 700 kB)" \
	test $((rss2 - rss1)) -lt 700
check "pf is still running" kill -0 "$pf_pid"
check "one log line says it was refused" \
	test "$(grep -c "did not ask for: refused" "$dir/pf.log")" -le 2
check "... and it is there" grep -q "did not ask for: refused" "$dir/pf.log"
kill "$pf_pid" 2>/dev/null || true
finish
