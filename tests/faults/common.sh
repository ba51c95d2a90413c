# Shared set-up for the fault tests: tests/cli/lib.sh (scratch folder, sshd on
# a free loopback port, check/finish, everything stopped by PID on exit) plus
# a kit with an unencrypted key and helpers to start pf, stop/restart sshd on
# the same port, find a process's descendants and wait for a log line.
faults_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$faults_dir/../cli/lib.sh"

# A kit: key without passphrase (no askpass needed), authorized for sshd.
make_kit() {
	kit=$dir/kit
	mkdir -p "$kit"
	ssh-keygen -q -t ed25519 -N '' -C kit -f "$kit/id_ed25519"
	cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
}

# write_config <extra lines>: Host test against our sshd.
write_config() {
	cat >"$kit/config.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $ssh_port
  User $(id -un)
  IdentityFile id_ed25519
$1
CFG
}

# start_pf <log> [pf args...]: pf -N test in the background, pid in pf_pid.
start_pf() {
	local log=$1
	shift
	"$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new "$@" -N test \
		>"$log" 2>&1 </dev/null &
	pf_pid=$!
	pids+=("$pf_pid")
}

# All descendants of a PID (children first level, then theirs), by /proc.
descendants() {
	local p c
	for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# ns_kill_all NS...: every process still in these network namespaces, before
# they are deleted (an sshd session whose client vanished with its namespace
# never hears a FIN and would wait for ever).
ns_kill_all() {
	local ns
	for ns in "$@"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
	done
}

# stop_sshd: kill the listener and every session process under it.
stop_sshd() {
	local kids
	kids=$(descendants "$sshd_pid")
	kill -KILL "$sshd_pid" $kids 2>/dev/null || true
	wait "$sshd_pid" 2>/dev/null || true
}

# restart_sshd: same config, same port, same host key (unless replaced).
restart_sshd() {
	/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
	sshd_pid=$!
	pids+=("$sshd_pid")
	wait_port "$ssh_port"
}

# wait_log <file> <regex> <seconds>: true once a line matches.
wait_log() {
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# fd and thread counts of a process.
fd_count() { ls /proc/"$1"/fd | wc -l; }
thread_count() { ls /proc/"$1"/task | wc -l; }

now_ms() { date +%s%3N; }

# wait_port_in <netns> <addr> <port> <seconds>: a TCP port answers in a namespace.
wait_port_in() {
	local i
	for i in $(seq 1 $(($4 * 10))); do
		ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ns_pair <client ns> <server ns> <client addr> <server addr>: two network
# namespaces joined by a veth pair on a /30 and nothing else, loopback up.
# Exit 77 (skipped) where namespaces cannot be made. The caller deletes
# them on exit (ns_kill_all, then ip netns del).
ns_pair() {
	if ! ip netns add "$1" 2>"$dir/netns.err"; then
		echo "skipped: network namespaces unavailable here ($(cat "$dir/netns.err"))"
		exit 77
	fi
	ip netns add "$2"
	ip link add "${1}v" type veth peer name "${2}v"
	ip link set "${1}v" netns "$1"
	ip link set "${2}v" netns "$2"
	ip -n "$1" addr add "$3/30" dev "${1}v"
	ip -n "$2" addr add "$4/30" dev "${2}v"
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
	ip -n "$1" link set "${1}v" up
	ip -n "$2" link set "${2}v" up
}

# ns_start_sshd <netns> <listen address>: a host key, sshd_config for port
# $ssh_port, and sshd running in the namespace (stopped on exit).
ns_start_sshd() {
	ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
	cat >"$dir/sshd_config" <<CFG
Port $ssh_port
ListenAddress $2
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowTcpForwarding yes
LogLevel VERBOSE
CFG
	mkdir -p /run/sshd
	ip netns exec "$1" /usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>>"$dir/sshd.log" &
	pids+=($!)
}

# ns_two <prefix> <second octet>: two namespaces, "${prefix}c$$" (cns, address
# caddr) and "${prefix}s$$" (sns, saddr), joined by ns_pair on
# 10.<octet>.N.0/30; on exit everything in them is killed (ns_kill_all) and
# they are deleted, after cleanup.
ns_two() {
	local n=$(($$ % 250 + 1))
	cns=$1c$$
	sns=$1s$$
	caddr=10.$2.$n.1
	saddr=10.$2.$n.2
	trap ns_two_cleanup EXIT
	ns_pair "$cns" "$sns" "$caddr" "$saddr"
}
ns_two_cleanup() {
	cleanup
	ns_kill_all "$cns" "$sns"
	ip netns del "$cns" 2>/dev/null || true
	ip netns del "$sns" 2>/dev/null || true
}

# tiny_start <port> [config line]: tinyproxy in $sns listening on $saddr:port
# for $caddr only, CONNECT only to $ssh_port; log $dir/tinyproxy-<port>.log,
# PID in tiny_<port>. Called again after the process was killed, it restarts.
tiny_start() {
	[ -f "$dir/tinyproxy-$1.conf" ] || cat >"$dir/tinyproxy-$1.conf" <<CFG
Port $1
Listen $saddr
Timeout 60
MaxClients 20
LogLevel Info
Allow $caddr
ConnectPort $ssh_port
${2:-}
CFG
	chmod 755 "$dir"
	ip netns exec "$sns" tinyproxy -d -c "$dir/tinyproxy-$1.conf" >>"$dir/tinyproxy-$1.log" 2>&1 &
	eval "tiny_$1=$!"
	pids+=($!)
}

# need_tools <program>...: exit 77 (skipped) naming the first one missing.
need_tools() {
	local p
	for p in "$@"; do
		if ! command -v "$p" >/dev/null; then
			echo "skipped: $p is not installed (scripts/setup.sh installs it)"
			exit 77
		fi
	done
}
