#!/usr/bin/env bash
# Network faults between two network namespaces this test makes itself
# ("client" with pf and its clients, "server" with sshd and the targets),
# joined by a veth pair on 10.200.N.0/30 and nothing else; no real network
# is touched. Removed again on exit.
#  a. the link goes down for 30 s, then up: the keepalive (ServerAliveInterval
#     2, ServerAliveCountMax 3) notices, pf keeps trying with its back-off and
#     reconnects within one back-off step once the link is back; a 20 MB
#     download afterwards is intact;
#  b. tc netem loss 5% delay 50ms: a 20 MB download completes and verifies
#     (skipped with a message where the kernel has no netem; then a user-space
#     relay that delays, stalls and fragments stands in; real IP packet loss
#     without netem is faults.lossy's).
# Exit 77 (skipped) where network namespaces cannot be made.
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
DOWN=${PF_LINK_DOWN_S:-30}
INTERVAL=2
COUNT=3

n=$(($$ % 250 + 1))
cns=pfc$$
sns=pfs$$
cveth=pfc$$v
sveth=pfs$$v
caddr=10.200.$n.1
saddr=10.200.$n.2
netns_cleanup() {
	cleanup
	ns_kill_all "$cns" "$sns"
	ip netns del "$cns" 2>/dev/null || true
	ip netns del "$sns" 2>/dev/null || true
}
trap netns_cleanup EXIT

if ! ip netns add "$cns" 2>"$dir/netns.err"; then
	echo "skipped: network namespaces unavailable here ($(cat "$dir/netns.err"))"
	exit 77
fi
ip netns add "$sns"
ip link add "$cveth" type veth peer name "$sveth"
ip link set "$cveth" netns "$cns"
ip link set "$sveth" netns "$sns"
ip -n "$cns" addr add "$caddr/30" dev "$cveth"
ip -n "$sns" addr add "$saddr/30" dev "$sveth"
for ns in "$cns" "$sns"; do ip -n "$ns" link set lo up; done
ip -n "$cns" link set "$cveth" up
ip -n "$sns" link set "$sveth" up
C() { ip netns exec "$cns" "$@"; }


# The server side: sshd on the veth address, an HTTP server on its loopback.
make_kit
ssh_port=2222
http_port=8080
lport=18080
mkdir -p "$dir/www"
ns_start_sshd "$sns" "$saddr"
head -c 20000000 /dev/urandom >"$dir/www/big.bin"
want=$(sha256sum <"$dir/www/big.bin" | cut -d' ' -f1)
(cd "$dir/www" && exec ip netns exec "$sns" python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
check "sshd up in the server namespace" wait_port_in "$sns" "$saddr" "$ssh_port" 10
check "the client namespace reaches it over the veth" wait_port_in "$cns" "$saddr" "$ssh_port" 10
wait_port_in "$sns" 127.0.0.1 "$http_port" 10 || true

cat >"$kit/config.txt" <<CFG
Host test
  HostName $saddr
  Port $ssh_port
  User $(id -un)
  IdentityFile id_ed25519
  LocalForward $lport 127.0.0.1:$http_port
  ServerAliveInterval $INTERVAL
  ServerAliveCountMax $COUNT
  ConnectTimeout 5
CFG
log=$dir/pf.log
ip netns exec "$cns" "$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new -v -N test >"$log" 2>&1 </dev/null &
pf_pid=$!
pids+=("$pf_pid")
connected() { grep -c "pf: test: Connected" "$log" || true; }
check "pf connected across the namespaces" wait_log "$log" "pf: test: Connected" 20
check "forward up in the client namespace" wait_port_in "$cns" 127.0.0.1 "$lport" 10
download() { C curl -sS --max-time "${1:-60}" "http://127.0.0.1:$lport/big.bin" | sha256sum | cut -d' ' -f1; }
check "a 20 MB download before the fault is intact" test "$(download)" = "$want"

# The accepted sockets of the forward that pf holds.
pf_clients() {
	ip netns exec "$cns" ss -tnpH state established "( sport = :$lport )" |
		grep -c "pid=$pf_pid," || true
}

# a. The link goes down, with a slow download in flight.
before=$(connected)
ip netns exec "$cns" curl -sS --max-time 90 --limit-rate 500K -o "$dir/cut.bin" \
	"http://127.0.0.1:$lport/big.bin" 2>/dev/null &
curl_pid=$!
pids+=("$curl_pid")
sleep 1
check "a download in flight, its socket held by pf ($(pf_clients))" test "$(pf_clients)" = 1
t0=$(now_ms)
ip -n "$sns" link set "$sveth" down
echo "link down for $DOWN s"
if wait_log "$log" "stopped answering" $((DOWN - 1)); then
	dt=$(($(now_ms) - t0))
	# interval x (count + 1) after the last byte, plus slack for a busy box.
	check "link down: the keepalive noticed after $dt ms (bound $((INTERVAL * (COUNT + 1) + 5)) s)" \
		test "$dt" -le $(((INTERVAL * (COUNT + 1) + 5) * 1000))
	grep "stopped answering" "$log"
else
	bad "link down: the keepalive did not notice within $((DOWN - 1)) s"
fi
check "link down: pf keeps trying (Reconnecting in N s)" wait_log "$log" "Reconnecting in [0-9]* s" 5
# The download in flight is closed by pf once it gives the connection up,
# not left hanging (curl may still be reading what was buffered before: the
# check is that pf no longer holds an accepted socket of the forward).
held=1
for _ in $(seq 1 50); do
	held=$(pf_clients)
	[ "$held" = 0 ] && break
	sleep 0.1
done
check "link down: pf closed the download in flight within 5 s of noticing" test "$held" = 0
[ "$held" = 0 ] || ip netns exec "$cns" ss -tnpo state all "( sport = :$lport or dport = :$lport )"
rc=0
wait "$curl_pid" || rc=$?
check "link down: the download in flight ended short (curl $rc, $(stat -c %s "$dir/cut.bin") bytes)" \
	test "$rc" != 0 -a "$rc" != 28
# While down, the listener stays and a client is not left hanging forever.
rc=0
C curl -sS --max-time 15 -o /dev/null "http://127.0.0.1:$lport/big.bin" 2>/dev/null || rc=$?
check "link down: a client through the forward gets an answer, not a hang (curl $rc)" test "$rc" != 28
sleep $((DOWN - ($(now_ms) - t0) / 1000)) 2>/dev/null || true
ip -n "$sns" link set "$sveth" up
tup=$(now_ms)
last=$(grep -o "Reconnecting in [0-9]* s" "$log" | tail -1 | grep -o "[0-9]*")
bound=$((last + 5 + 10))
echo "link up after $(((tup - t0) / 1000)) s; last back-off step $last s; reconnect bound $bound s"
ok=0
for _ in $(seq 1 $((bound * 10))); do
	[ "$(connected)" -gt "$before" ] && { ok=1; break; }
	sleep 0.1
done
check "link up: reconnected after $((($(now_ms) - tup) / 1000)) s (bound: back-off step + connect timeout + slack = $bound s)" \
	test "$ok" = 1
check "link up: pf still running" kill -0 "$pf_pid"
check "link up: a new 20 MB download is intact" test "$(download)" = "$want"
sed -n "/stopped answering/,/pf: test: Connected/p" "$log" | grep -v "^pf: test: \(Connecting\|Reconnecting\)" | head -30

# b. Loss and delay.
if tc -n "$cns" qdisc add dev "$cveth" root netem loss 5% delay 50ms 2>"$dir/tc.err" &&
	tc -n "$sns" qdisc add dev "$sveth" root netem loss 5% delay 50ms 2>>"$dir/tc.err"; then
	t1=$(now_ms)
	got=$(download 170)
	check "netem loss 5% delay 50ms: a 20 MB download completes and verifies ($((($(now_ms) - t1) / 1000)) s)" \
		test "$got" = "$want"
	tc -n "$cns" qdisc del dev "$cveth" root 2>/dev/null || true
	tc -n "$sns" qdisc del dev "$sveth" root 2>/dev/null || true
else
	echo "skipped: tc netem loss/delay ($(head -1 "$dir/tc.err"); the kernel has no sch_netem module)"
	# In its place, not the same thing (no packet loss): a user-space relay
	# in the client namespace that delays by 50 ms, stalls some chunks and
	# cuts the SSH stream into random fragments; a second pf through it.
	relay_port=2223
	lport2=18081
	ip netns exec "$cns" python3 "$faults_dir/tools.py" relay "$relay_port" "$saddr" "$ssh_port" 50 &
	pids+=($!)
	wait_port_in "$cns" 127.0.0.1 "$relay_port" 10 || true
	cat >"$kit/relay.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $relay_port
  User $(id -un)
  IdentityFile id_ed25519
  LocalForward $lport2 127.0.0.1:$http_port
  ServerAliveInterval $INTERVAL
  ServerAliveCountMax $COUNT
CFG
	ip netns exec "$cns" "$PF" -F "$kit/relay.txt" -o StrictHostKeyChecking=accept-new -v -N test \
		>"$dir/relay.log" 2>&1 </dev/null &
	pf2=$!
	pids+=("$pf2")
	check "slow fragmented path: pf connected through the relay" \
		wait_log "$dir/relay.log" "pf: test: Connected" 30
	t1=$(now_ms)
	got=$(ip netns exec "$cns" curl -sS --max-time 170 "http://127.0.0.1:$lport2/big.bin" | sha256sum | cut -d' ' -f1)
	check "slow fragmented path: a 20 MB download completes and verifies ($((($(now_ms) - t1) / 1000)) s)" \
		test "$got" = "$want"
	check "slow fragmented path: no reconnect needed" bash -c "! grep -q 'Reconnecting in' '$dir/relay.log'"
	kill -INT "$pf2"
	wait "$pf2" || true
fi

kill -INT "$pf_pid"
rc=0
wait "$pf_pid" || rc=$?
check "Ctrl-C ends pf with status 0 (got $rc)" test "$rc" = 0
if [ "$fails" -ne 0 ]; then cat "$log"; tail -30 "$dir/sshd.log"; fi
finish
