#!/usr/bin/env bash
# Faults on the far side and the near side of a forward, pf staying up:
#  - the target refuses (nothing listening): the client's connection is
#    closed promptly, no hang; the other forwards keep working;
#  - the target resets mid-stream (sends 200 KB then RST): the client sees
#    the stream end, pf stays up;
#  - the client aborts mid-stream (curl --max-time 1 on a slow download, a
#    socket closed with RST after 1 MB), repeatedly: pf stays up and serves
#    the next client, a full download afterwards is intact.
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
tools=$faults_dir/tools.py

start_sshd
make_kit
mkdir -p "$dir/www"
head -c 20000000 /dev/urandom >"$dir/www/big.bin"
want=$(sha256sum <"$dir/www/big.bin" | cut -d' ' -f1)
echo_port=$(free_port)
http_port=$(free_port)
reset_port=$(free_port)
closed=$(free_port)
l_refuse=$(free_port)
l_echo=$(free_port)
l_http=$(free_port)
l_reset=$(free_port)
python3 "$faults_dir/../cli/echo.py" "$echo_port" &
pids+=($!)
(cd "$dir/www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
python3 "$tools" reset-server "$reset_port" 200000 &
pids+=($!)
wait_port "$echo_port"
wait_port "$http_port"
wait_port "$reset_port"

write_config "  LocalForward $l_refuse 127.0.0.1:$closed
  LocalForward $l_echo 127.0.0.1:$echo_port
  LocalForward $l_http 127.0.0.1:$http_port
  LocalForward $l_reset 127.0.0.1:$reset_port"
log=$dir/pf.log
start_pf "$log"
check "forwards up" wait_port "$l_reset" 20
wait_log "$log" "Connected" 20 || true
echo_ok() { python3 "$tools" echo "$l_echo" "$1"; }
alive() { kill -0 "$pf_pid" 2>/dev/null; }

# Target refuses.
for i in 1 2 3; do
	out=$(python3 "$tools" read "$l_refuse" 10)
	read -r n how ms <<<"$out"
	check "refused target, try $i: closed in $ms ms ($n bytes, $how)" \
		test "$how" != timeout -a "$n" = 0 -a "$ms" -lt 5000
done
check "refused target: the echo forward keeps working" echo_ok "after refusals"
check "refused target: pf still running" alive

# Target resets mid-stream.
for i in 1 2 3; do
	out=$(python3 "$tools" read "$l_reset" 10)
	read -r n how ms <<<"$out"
	check "target reset, try $i: stream ended in $ms ms ($n of 200000 bytes, $how)" \
		test "$how" != timeout -a "$n" -le 200000 -a "$ms" -lt 5000
done
check "target reset: pf still running" alive
check "target reset: the echo forward keeps working" echo_ok "after resets"

# Client aborts mid-stream: curl gives up after 1 s of a slow download.
for i in 1 2 3; do
	rc=0
	curl -sS --max-time 1 --limit-rate 1M -o /dev/null "http://127.0.0.1:$l_http/big.bin" 2>/dev/null || rc=$?
	check "client abort (curl --max-time 1), try $i: curl timed out (rc $rc)" test "$rc" = 28
done
# ... and sockets closed with RST after 1 MB, ten times.
aborted=0
for i in $(seq 1 10); do
	python3 "$tools" abort "$l_http" 1000000 >/dev/null && aborted=$((aborted + 1))
done
check "client abort with RST: 10 of 10 got their first MB ($aborted)" test "$aborted" = 10
check "client abort: pf still running" alive
check "client abort: the next client is served" echo_ok "after aborts"
got=$(curl -sS --max-time 60 "http://127.0.0.1:$l_http/big.bin" | sha256sum | cut -d' ' -f1)
check "client abort: a full 20 MB download afterwards is intact" test "$got" = "$want"
check "no reconnect was needed" bash -c "! grep -q 'Reconnecting in' '$log'"

kill -INT "$pf_pid"
rc=0
wait "$pf_pid" || rc=$?
check "Ctrl-C ends pf with status 0 (got $rc)" test "$rc" = 0
if [ "$fails" -ne 0 ]; then cat "$log"; tail -30 "$dir/sshd.log"; fi
finish
