#!/usr/bin/env bash
# Bounded work (issue 18 items 14, 15, 16), pf -N against a real sshd, in a
# private network and mount namespace of the test's own (unshare -m -n: its
# own loopback, and a resolv.conf of its own bind-mounted over
# /etc/resolv.conf inside it only, naming a DNS server that never answers):
#  - 14: a remote SOCKS client asks for a name that takes for ever to look
#    up: meanwhile another forward still carries data at once (the lookup
#    runs off the event loop), and the slow client is closed after
#    ConnectTimeout with a log line;
#  - 16: the server cannot open the channel (sshd's connection to the
#    target hangs in SYN): the client is closed after ConnectTimeout, with a
#    log line;
#  - 15: --max-tunnels 6: the 7th client is closed at once, with one log
#    line; once one left, new ones are served again; and 400 SOCKS clients
#    that have not sent their request cost no data buffers (the process's
#    VmData grows by far less than 400 x 96 KB).
if [ "${PF_LIMITS_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "skipped: needs root for unshare"; exit 77; }
	unshare -m -n true 2>/dev/null || { echo "skipped: unshare -m -n not allowed"; exit 77; }
	PF_LIMITS_INNER=1 exec unshare -m -n -- bash "$0" "$@"
fi
ip link set lo up
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

# Names are looked up through a DNS server that never answers (30 s each).
python3 "$here/clients.py" silentdns 53 &
pids+=($!)
printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:1\n' >"$dir/resolv.conf"
mount --bind "$dir/resolv.conf" /etc/resolv.conf

ssh-keygen -q -t ed25519 -N '' -C kit -f "$dir/id_ed25519"
cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
start_sshd
echo_port=$(free_port) hole_port=$(free_port)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
python3 "$here/clients.py" blackhole "$hole_port" >"$dir/hole.out" &
pids+=($!)
wait_port "$echo_port"
for i in $(seq 1 50); do [ -s "$dir/hole.out" ] && break; sleep 0.1; done

l1=$(free_port) l2=$(free_port) d=$(free_port) rs=$(free_port)
host_entry test >"$dir/config.txt"
cat >>"$dir/config.txt" <<CFG
  ConnectTimeout 4
  LocalForward $l1 127.0.0.1:$echo_port
  LocalForward $l2 127.0.0.1:$hole_port
  DynamicForward $d
  RemoteForward $rs
CFG
"$PF" -F "$dir/config.txt" -N --max-tunnels 6 test 2>"$dir/pf.log" &
pf_pid=$!
pids+=("$pf_pid")
for i in $(seq 1 100); do grep -q "^Connected to" "$dir/pf.log" && break; sleep 0.1; done
check "connected" grep -q "^Connected to" "$dir/pf.log"
wait_port "$rs" 10 || true
say() { printf '%s\n' "$2" | socat -t 5 - TCP:127.0.0.1:"$1"; }
check "data through the forward" test "$(say "$l1" hello)" = hello

# 14: a slow name on the remote SOCKS side.
t0=$(date +%s)
curl -sS --max-time 40 --socks5-hostname 127.0.0.1:"$rs" http://slow.pftest.invalid/ \
	>/dev/null 2>"$dir/curl.err" &
curl_pid=$!
pids+=("$curl_pid")
sleep 1
t1=$(date +%s)
check "another forward carries data while the name is looked up" test "$(say "$l1" meanwhile)" = meanwhile
t2=$(date +%s)
check "... at once ($((t2 - t1)) s, the lookup takes 30 s)" test $((t2 - t1)) -le 8
wait "$curl_pid" || true
t3=$(date +%s)
check "the slow client is closed after ConnectTimeout ($((t3 - t0)) s)" test $((t3 - t0)) -le 15
check "a log line says the name could not be looked up in time" \
	grep -q "the name could not be looked up for slow.pftest.invalid:80 within 4 s" "$dir/pf.log"

# 16: the server never opens the channel.
t0=$(date +%s)
reply=$(printf 'x\n' | socat -t 30 -T 30 - TCP:127.0.0.1:"$l2" 2>/dev/null || true)
t1=$(date +%s)
check "a client whose channel the server does not open is closed after ConnectTimeout ($((t1 - t0)) s)" \
	test -z "$reply" -a $((t1 - t0)) -ge 3 -a $((t1 - t0)) -le 15
check "a log line says the server did not open the channel" \
	grep -q "the server did not open the channel to 127.0.0.1:$hole_port within 4 s" "$dir/pf.log"

# 15: the limit of 6 tunnels.
check "the 7th client is closed at once; served again once one left" \
	python3 "$here/clients.py" cap "$l1" 6
check "one log line says the limit was reached" \
	test "$(grep -c "connections are open through .*, the limit for one host" "$dir/pf.log")" = 1
kill -INT "$pf_pid"
wait "$pf_pid" || true

# 15: no buffers before the SOCKS request.
"$PF" -F "$dir/config.txt" -N test 2>"$dir/pf2.log" &
pf_pid=$!
pids+=("$pf_pid")
for i in $(seq 1 100); do grep -q "^Connected to" "$dir/pf2.log" && break; sleep 0.1; done
vmdata() { awk '/^VmData/ {print $2}' /proc/"$1"/status; }
ulimit -n 4096
a=$(vmdata "$pf_pid")
coproc crowd { python3 "$here/clients.py" idle "$d" 400 10; }
read -r -t 30 line <&"${crowd[0]}" || true
sleep 1
b=$(vmdata "$pf_pid")
echo "VmData: $a kB before, $b kB with 400 SOCKS clients waiting"
check "400 SOCKS clients without a request: VmData grows by $(((b - a) / 1024)) MB (< 12; their buffers would be 37)" \
	test $((b - a)) -lt $((12 * 1024))
wait "$crowd_PID" 2>/dev/null || true
kill -INT "$pf_pid"
wait "$pf_pid" || true
cat "$dir/pf.log"
umount /etc/resolv.conf
finish
