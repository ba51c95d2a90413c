#!/usr/bin/env bash
# A hostile server (issue 18 item 13): after the login it floods pf with
# channel opens of every kind and global requests that pf never asked for
# (tests/security/hostile_server.py, paramiko: sshd cannot be made to do
# this). pf must answer every open at once (refused: confirmed and closed,
# as libssh without server support cannot send OPEN_FAILURE), keep its
# memory bounded (nothing left queued in libssh), log it once, and stay up.
# Twice: the hostile server as the destination, then as a ProxyJump hop in
# front of a real sshd (the flood then reaches the hop's bridge thread, and
# the tunnel through the hop must still carry bytes afterwards).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../cli/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import paramiko' 2>/dev/null; then
	echo "skipped: python3-paramiko is not installed (scripts/setup.sh installs it)"
	exit 77
fi
per_kind=${PF_HOSTILE_OPENS:-1000}
nglobals=${PF_HOSTILE_GLOBALS:-5000}
ssh-keygen -q -t ed25519 -N '' -f "$dir/hostile_key"
ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
start_sshd

rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# hostile MODE (direct|jump)
hostile() {
	local mode=$1 port lport pf_pid out=$dir/$1 rss1 rss2 opens answered
	mkdir -p "$out"
	port=$(free_port)
	"$PY" "$here/hostile_server.py" "$port" "$dir/hostile_key" "$out/result.json" "$per_kind" \
		"$nglobals" $([ "$mode" = jump ] && echo jump) >"$out/server.log" 2>&1 &
	pids+=($!)
	# Not wait_port: the server takes one connection only.
	for _ in $(seq 1 100); do
		[ -e "$out/result.json.ready" ] && break
		sleep 0.1
	done
	lport=$(free_port)
	cat >"$out/pf.conf" <<CFG
Host *
  IdentityFile $dir/id_ed25519
  IdentitiesOnly yes
  BatchMode yes
  StrictHostKeyChecking no
  UserKnownHostsFile none
  User $(id -un)
Host hostile
  HostName 127.0.0.1
  Port $port
Host dest
  HostName 127.0.0.1
  Port $ssh_port
  ProxyJump hostile
CFG
	"$PF" -F "$out/pf.conf" -L "$lport:127.0.0.1:$ssh_port" -N \
		"$([ "$mode" = jump ] && echo dest || echo hostile)" >"$out/pf.log" 2>&1 </dev/null &
	pf_pid=$!
	pids+=("$pf_pid")
	check "$mode: pf logged in" wait_connected "$out/pf.log"
	wait_result() {
		for _ in $(seq 1 900); do
			[ -s "$out/result.json.$1" ] && return 0
			sleep 0.1
		done
		return 1
	}
	field() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$out/result.json.$1" "$2" 2>/dev/null || echo -1; }
	wait_result 1 || cat "$out/server.log"
	rss1=$(rss "$pf_pid")
	wait_result 2 || cat "$out/server.log"
	rss2=$(rss "$pf_pid")
	cat "$out"/result.json.[12] 2>/dev/null
	echo "$mode: pf RSS: $rss1 kB after the first flood, $rss2 kB after the second"
	opens=$(field 2 opens)
	answered=$(field 2 answered)
	check "$mode: the server sent $opens opens" test "$opens" -gt 0
	check "$mode: pf answered every unrequested channel open at once ($answered of $opens)" \
		test "$answered" = "$opens"
	# Queued in libssh, the second flood's 5000 opens and 5000 global requests
	# would add about 1.7 MB; refused at once, pf reuses what the first freed.
	check "$mode: pf's memory stayed bounded (second flood: +$((rss2 - rss1)) kB, limit 700 kB)" \
		test $((rss2 - rss1)) -lt 700
	check "$mode: pf is still running" kill -0 "$pf_pid"
	check "$mode: one log line says it was refused" \
		test "$(grep -c "did not ask for: refused" "$out/pf.log")" -le 2
	check "$mode: ... and it is there" grep -q "did not ask for: refused" "$out/pf.log"
	if [ "$mode" = jump ]; then
		check "jump: the line names the jump host" grep -q "(jump host) sent a .*did not ask for" "$out/pf.log"
		# The forward to sshd's port, through the destination reached over
		# the hop: sshd's banner comes back.
		check "jump: the tunnel through the flooded hop still carries bytes" \
			bash -c "exec 3<>/dev/tcp/127.0.0.1/$lport; timeout 10 head -c 4 <&3 | grep -q SSH-"
	fi
	kill "$pf_pid" 2>/dev/null || true
}

hostile direct
hostile jump
finish
