#!/usr/bin/env bash
# A server that stops reading (its sshd processes stopped with SIGSTOP, as a
# network that swallows everything would look) while tunnels send through
# it. libssh turns the session's socket blocking once connected, so the
# worker used to sit in send() until the server read again: SIGTERM (the
# GUI's Disconnect and Exit alike) went unanswered, and no keepalive could
# notice the dead server. Now the socket is non-blocking again after the
# connect:
#   1. pf ends within a few seconds of SIGTERM (its 2 s flush, then the
#      connection is dropped);
#   2. with ServerAliveInterval 1 and ServerAliveCountMax 2, pf says the
#      server stopped answering within seconds.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

start_sshd
ssh-keygen -q -t ed25519 -N '' -f "$dir/id_ed25519"
cat "$dir/id_ed25519.pub" >"$dir/authorized_keys"
: >"$dir/empty.conf"

start_sink
trap 'thaw; cleanup' EXIT

# start_pf LOG [-o ...]: pf with a LocalForward to the sink; $pf_pid, $lport.
start_pf() {
	local log=$1
	shift
	lport=$(free_port)
	"$PF" -F "$dir/empty.conf" -o "IdentityFile=$dir/id_ed25519" -o BatchMode=yes \
		-o "UserKnownHostsFile=$dir/known_hosts" -o StrictHostKeyChecking=accept-new "$@" \
		-L "$lport:127.0.0.1:$sinkport" -N -p "$ssh_port" "$(id -un)@127.0.0.1" \
		>"$log" 2>&1 </dev/null &
	pf_pid=$!
	pids+=("$pf_pid")
	wait_connected "$log"
}

# stall: sixteen tunnels send through pf (for at most 60 s, until
# $dir/pump-stop), then the server is stopped and its socket fills.
stall() {
	rm -f "$dir/pump-stop"
	timeout 60 /usr/bin/python3 -c '
import os, socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5) for _ in range(16)]
for s in socks:
    s.setblocking(False)
block = b"x" * 65536
end = time.time() + 55
while not os.path.exists(sys.argv[2]) and time.time() < end:
    for s in socks:
        try:
            s.send(block)
        except BlockingIOError:
            pass
        except OSError:
            sys.exit(0)
    time.sleep(0.001)
' "$lport" "$dir/pump-stop" &
	pump=$!
	pids+=("$pump")
	sleep 1
	freeze_sshd || return 1
	sleep 3 # the tunnels fill the stopped server's socket
}
unstall() {
	touch "$dir/pump-stop"
	thaw
	wait "$pump" 2>/dev/null || true
}

# gone PID SECONDS: the process ended within SECONDS.
gone() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# 1. SIGTERM while the server does not read.
check "pf logged in (1)" start_pf "$dir/pf1.log" -v
check "the server's sshd is stopped while sixteen tunnels send" stall
kill -TERM "$pf_pid"
t0=$(date +%s%N)
check "pf ended within 8 s of SIGTERM, the server still stopped" gone "$pf_pid" 8
echo "pf ended $((($(date +%s%N) - t0) / 1000000)) ms after SIGTERM"
unstall
wait "$pf_pid" 2>/dev/null || true

# 2. The keepalive notices the stopped server.
check "pf logged in (2)" start_pf "$dir/pf2.log" -o ServerAliveInterval=1 -o ServerAliveCountMax=2
check "the server's sshd is stopped while sixteen tunnels send (2)" stall
check "pf says the server stopped answering, within 10 s of the stop" \
	bash -c "for i in \$(seq 1 70); do grep -q 'stopped answering' '$dir/pf2.log' && exit 0; sleep 0.1; done; exit 1"
grep -m1 'stopped answering' "$dir/pf2.log" || true
unstall
kill -TERM "$pf_pid" 2>/dev/null || true
check "pf ended after SIGTERM (2)" gone "$pf_pid" 10
[ "$fails" -eq 0 ] || { cat "$dir/pf1.log" "$dir/pf2.log"; tail -20 "$dir/sshd.log"; }
finish
