#!/usr/bin/env bash
# pf against an sshd that fails under it, with a large download through a
# LocalForward:
#  1. the sshd session process serving us killed mid-transfer, then the
#     whole sshd killed mid-transfer and restarted on the same port with
#     the same host key: the cut download ends (no hang), pf says
#     "Reconnecting in N s", reconnects, and a new download is intact;
#  2. sshd stopped (SIGSTOP, listener and children) with ServerAliveInterval
#     1 and ServerAliveCountMax 3: pf notices within interval x count plus
#     slack; after SIGCONT it reconnects and carries data again;
#  3. sshd restarted with a different host key: the reconnect is refused,
#     pf exits non-zero naming known_hosts, known_hosts byte-identical.
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

start_sshd
make_kit
mkdir -p "$dir/www"
head -c 30000000 /dev/urandom >"$dir/www/big.bin"
want=$(sha256sum <"$dir/www/big.bin" | cut -d' ' -f1)
http_port=$(free_port)
lport=$(free_port)
(cd "$dir/www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
wait_port "$http_port"

write_config "  LocalForward $lport 127.0.0.1:$http_port
  ServerAliveInterval 1
  ServerAliveCountMax 3
  ConnectTimeout 5"
log=$dir/pf.log
start_pf "$log" -v
check "forward up" wait_port "$lport" 20
check "first connection" wait_log "$log" "pf: test: Connected" 20
connected() { grep -c "pf: test: Connected" "$log" || true; }
reconnects() { grep -c "Reconnecting in [0-9]* s" "$log" || true; }

# download <out>: a full download through the forward; prints the sha256.
download() { curl -sS --max-time 60 "http://127.0.0.1:$lport/big.bin" | sha256sum | cut -d' ' -f1; }

# cut_download <name> <how to kill>: a slow download, killed under it after
# one second; the download must end by itself within 20 s.
cut_download() {
	local name=$1 t0 curl_pid n rc=0 before retries
	shift
	before=$(connected)
	retries=$(reconnects)
	curl -sS --max-time 120 --limit-rate 3M -o "$dir/cut.bin" \
		"http://127.0.0.1:$lport/big.bin" 2>"$dir/cut.err" &
	curl_pid=$!
	pids+=("$curl_pid")
	sleep 1.5
	n=$(stat -c %s "$dir/cut.bin" 2>/dev/null || echo 0)
	check "$name: download under way when the fault hits ($n bytes)" test "$n" -gt 0
	"$@"
	t0=$(now_ms)
	for _ in $(seq 1 200); do
		kill -0 "$curl_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$curl_pid" 2>/dev/null; then
		bad "$name: the cut download still hangs after 20 s"
		kill "$curl_pid"
	else
		wait "$curl_pid" || rc=$?
		n=$(stat -c %s "$dir/cut.bin" 2>/dev/null || echo 0)
		check "$name: the cut download ended in $(($(now_ms) - t0)) ms, short ($n bytes, curl $rc)" \
			test "$n" -lt 30000000
	fi
	check "$name: pf says Reconnecting in N s" wait_count reconnects $((retries + 1)) 10
	check "$name: pf reconnected" wait_count connected $((before + 1)) 30
	check "$name: pf still running" kill -0 "$pf_pid"
	check "$name: a new 30 MB download is intact" test "$(download)" = "$want"
	: >"$dir/cut.bin"
}
wait_count() { # counter count seconds
	local i
	for i in $(seq 1 $(($3 * 10))); do
		[ "$($1)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

kill_session() {
	local kids
	kids=$(descendants "$sshd_pid")
	echo "killing the sshd session processes $kids"
	kill -KILL $kids
}
kill_and_restart() {
	stop_sshd
	sleep 2
	restart_sshd
}
cut_download "session killed" kill_session
cut_download "sshd killed and restarted" kill_and_restart

# 2. SIGSTOP: the keepalive notices.
before=$(connected)
stopped=("$sshd_pid" $(descendants "$sshd_pid"))
t0=$(now_ms)
kill -STOP "${stopped[@]}"
if wait_log "$log" "stopped answering" 20; then
	dt=$(($(now_ms) - t0))
	# 3 keepalives at 1 s intervals after the last byte: about 4 s; up to
	# 10 s for a loaded machine.
	check "SIGSTOP: noticed after $dt ms (bound 10000 ms)" test "$dt" -le 10000
	grep "stopped answering" "$log"
else
	bad "SIGSTOP: not noticed within 20 s"
fi
sleep 1
kill -CONT "${stopped[@]}"
check "SIGCONT: pf reconnected" wait_count connected $((before + 1)) 40
check "SIGCONT: a new 30 MB download is intact" test "$(download)" = "$want"

# 3. A different host key: refused, pf exits non-zero, known_hosts untouched.
cp "$kit/known_hosts" "$dir/kh.before"
stop_sshd
rm -f "$dir/host_key" "$dir/host_key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
restart_sshd
rc=0
for _ in $(seq 1 300); do
	kill -0 "$pf_pid" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pf_pid" 2>/dev/null; then
	bad "changed host key: pf still running 30 s after the restart"
else
	wait "$pf_pid" || rc=$?
	check "changed host key: pf exits non-zero (got $rc)" test "$rc" -ne 0
fi
check "changed host key: the warning is shown" grep -q "REMOTE HOST IDENTIFICATION HAS CHANGED" "$log"
check "changed host key: the message names known_hosts" \
	grep -q "known_hosts" <(sed -n '/IDENTIFICATION HAS CHANGED/,$p' "$log")
check "changed host key: known_hosts byte-identical" cmp "$dir/kh.before" "$kit/known_hosts"
check "changed host key: no connection after the key change" \
	bash -c "! sed -n '/IDENTIFICATION HAS CHANGED/,\$p' '$log' | grep -q 'pf: test: Connected'"
if [ "$fails" -ne 0 ]; then cat "$log"; tail -30 "$dir/sshd.log"; fi
finish
