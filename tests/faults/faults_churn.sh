#!/usr/bin/env bash
# 10,000 connections churned through one LocalForward (short echo
# dialogues, 8 at a time, every reply checked, bounded to 3 minutes): pf's
# file descriptors (/proc/PID/fd) and threads (/proc/PID/task) are the same
# before and after; pf still serves the next client.
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
N=${PF_CHURN_N:-10000}

start_sshd
# sshd's defaults (MaxStartups etc.) do not limit channels on one session.
make_kit
echo_port=$(free_port)
lport=$(free_port)
python3 "$faults_dir/../cli/echo.py" "$echo_port" &
pids+=($!)
wait_port "$echo_port"
write_config "  LocalForward $lport 127.0.0.1:$echo_port"
log=$dir/pf.log
start_pf "$log"
check "forward up" wait_port "$lport" 20
wait_log "$log" "Connected to" 20 || true
echo_ok() { python3 "$faults_dir/tools.py" echo "$lport" "$1"; }
# Warm up: the first channels may set things up once.
check "warm-up dialogue" echo_ok "warm up"
sleep 1
fd0=$(fd_count "$pf_pid")
th0=$(thread_count "$pf_pid")
rss0=$(awk '/VmRSS/ {print $2}' /proc/"$pf_pid"/status)
echo "before: $fd0 fds, $th0 threads, RSS $rss0 kB"

rc=0
out=$(timeout 180 python3 "$faults_dir/tools.py" churn "$lport" "$N" 8) || rc=$?
echo "churn: $out (ok failed seconds), rc $rc"
read -r ok_n bad_n secs <<<"$out"
check "$N dialogues through one forward, all intact ($ok_n ok, $bad_n failed, ${secs}s)" \
	test "$rc" = 0 -a "$ok_n" = "$N"
check "pf still running" kill -0 "$pf_pid"

# Closing is asynchronous: give the last channels a few seconds.
fd1=0 th1=0
for _ in $(seq 1 100); do
	fd1=$(fd_count "$pf_pid")
	th1=$(thread_count "$pf_pid")
	[ "$fd1" = "$fd0" ] && [ "$th1" = "$th0" ] && break
	sleep 0.1
done
rss1=$(awk '/VmRSS/ {print $2}' /proc/"$pf_pid"/status)
echo "after: $fd1 fds, $th1 threads, RSS $rss1 kB"
check "fd count equal before and after ($fd0 -> $fd1)" test "$fd1" = "$fd0"
[ "$fd1" = "$fd0" ] || ls -l /proc/"$pf_pid"/fd
check "thread count equal before and after ($th0 -> $th1)" test "$th1" = "$th0"
check "RSS bounded (+$((rss1 - rss0)) kB, limit 32 MB)" test $((rss1 - rss0)) -lt 32768
check "the next client is served" echo_ok "after the churn"
check "no reconnect was needed" bash -c "! grep -q 'Reconnecting in' '$log'"
kill -INT "$pf_pid"
rc=0
wait "$pf_pid" || rc=$?
check "Ctrl-C ends pf with status 0 (got $rc)" test "$rc" = 0
if [ "$fails" -ne 0 ]; then tail -30 "$log"; tail -20 "$dir/sshd.log"; fi
finish
