#!/usr/bin/env bash
# Packet loss and delay without tc netem: two network namespaces joined only
# by TUN devices, with lossylink.py moving the IP packets between them and
# dropping 5% of them, delaying the rest by 50 ms (each way). pf in the
# client namespace, sshd and an HTTP server in the server namespace: a 5 MB
# download and a 5 MB upload through the forward complete and verify, with
# no reconnect. (Where the kernel has netem, faults.netns uses it too.)
# Exit 77 (skipped) where namespaces or TUN devices cannot be made.
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

n=$(($$ % 250 + 1))
cns=pflc$$
sns=pfls$$
caddr=10.201.$n.1
saddr=10.201.$n.2
lossy_cleanup() {
	cleanup
	ns_kill_all "$cns" "$sns"
	ip netns del "$cns" 2>/dev/null || true
	ip netns del "$sns" 2>/dev/null || true
}
trap lossy_cleanup EXIT
if ! ip netns add "$cns" 2>"$dir/netns.err" || ! ip netns add "$sns" 2>>"$dir/netns.err" ||
	! ip -n "$cns" tuntap add dev tunc mode tun 2>>"$dir/netns.err" ||
	! ip -n "$sns" tuntap add dev tuns mode tun 2>>"$dir/netns.err"; then
	echo "skipped: network namespaces or TUN devices unavailable ($(cat "$dir/netns.err"))"
	exit 77
fi
ip -n "$cns" addr add "$caddr" peer "$saddr" dev tunc
ip -n "$sns" addr add "$saddr" peer "$caddr" dev tuns
for ns in "$cns" "$sns"; do ip -n "$ns" link set lo up; done
ip -n "$cns" link set tunc up
ip -n "$sns" link set tuns up
python3 "$faults_dir/lossylink.py" "$cns" tunc "$sns" tuns 0.05 50 200 >"$dir/link.log" 2>&1 &
link_pid=$!
pids+=("$link_pid")
for i in $(seq 1 50); do grep -q ready "$dir/link.log" && break; sleep 0.1; done
check "the lossy link is up" grep -q ready "$dir/link.log"


make_kit
ssh_port=2222
http_port=8080
lport=18080
mkdir -p "$dir/www" "$dir/up"
ns_start_sshd "$sns" "$saddr"
head -c 5000000 /dev/urandom >"$dir/www/blob"
want=$(sha256sum <"$dir/www/blob" | cut -d' ' -f1)
(cd "$dir/www" && exec ip netns exec "$sns" python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
# An upload sink in the server namespace: whatever arrives is hashed.
up_port=9090
ip netns exec "$sns" socat -u TCP-LISTEN:"$up_port",bind=127.0.0.1,reuseaddr OPEN:"$dir/up/blob",creat,trunc &
pids+=($!)
check "sshd reachable across the lossy link" wait_port_in "$cns" "$saddr" "$ssh_port" 20
# The forwards' targets must listen before pf opens channels to them: on a
# loaded machine python's start-up alone can outlast pf's login. (socat
# serves one connection only, so its port is looked up, not connected to.)
listening_in() { # netns port
	local i
	for i in $(seq 1 300); do
		[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2")" ] && return 0
		sleep 0.1
	done
	return 1
}
check "the download target listens" listening_in "$sns" "$http_port"
check "the upload target listens" listening_in "$sns" "$up_port"

cat >"$kit/config.txt" <<CFG
Host test
  HostName $saddr
  Port $ssh_port
  User $(id -un)
  IdentityFile id_ed25519
  LocalForward $lport 127.0.0.1:$http_port
  LocalForward $((lport + 1)) 127.0.0.1:$up_port
  ConnectTimeout 20
CFG
log=$dir/pf.log
ip netns exec "$cns" "$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new -v -N test >"$log" 2>&1 </dev/null &
pf_pid=$!
pids+=("$pf_pid")
check "pf connected over the lossy link" wait_log "$log" "pf: test: Connected" 60
t0=$(now_ms)
got=$(ip netns exec "$cns" curl -sS --max-time 150 "http://127.0.0.1:$lport/blob" | sha256sum | cut -d' ' -f1)
check "5 MB download with 5% loss and 50 ms delay intact ($((($(now_ms) - t0) / 1000)) s)" test "$got" = "$want"
t0=$(now_ms)
ip netns exec "$cns" socat -u OPEN:"$dir/www/blob" TCP:127.0.0.1:$((lport + 1)) || true
for i in $(seq 1 600); do
	[ "$(stat -c %s "$dir/up/blob" 2>/dev/null || echo 0)" -ge 5000000 ] && break
	sleep 0.25
done
check "5 MB upload with 5% loss and 50 ms delay intact ($((($(now_ms) - t0) / 1000)) s)" \
	test "$(sha256sum <"$dir/up/blob" | cut -d' ' -f1)" = "$want"
check "no reconnect was needed" bash -c "! grep -q 'Reconnecting in' '$log'"
kill -INT "$pf_pid" 2>/dev/null || true
wait "$pf_pid" 2>/dev/null || true
kill -TERM "$link_pid" 2>/dev/null || true
wait "$link_pid" 2>/dev/null || true
cat "$dir/link.log"
dropped=$(sed -n 's/.* \([0-9]*\) dropped/\1/p' "$dir/link.log")
passed=$(sed -n 's/.*: \([0-9]*\) packets passed.*/\1/p' "$dir/link.log")
check "the traffic crossed the lossy link (${passed:-0} packets passed)" test "${passed:-0}" -gt 5000
check "and lost packets on the way (${dropped:-0} dropped)" test "${dropped:-0}" -gt 50
finish
