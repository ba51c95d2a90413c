#!/usr/bin/env bash
# Issue 18 item 21: Connect pressed a second time while the server stalls
# the key exchange must not freeze the window (the old session was freed on
# the window thread, waiting for its worker in libssh's blocking connect
# until ConnectTimeout). The server is a loopback listener that accepts and
# never sends a banner.
#   stall.sh <win64 build dir> <scratch dir> <wine prefix> <screenshot dir>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/kitlib.sh" "$@"

sport=$(free_port)
/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    held.append(c)  # never a banner, never closed
' "$sport" &
pids+=($!)
wait_port "$sport"

# RECON: Connect pressed again on a live connection (the "config changed,
# reconnect to apply" path): its LocalForwards (to sshd, whose banner is the
# data, and to a sink) must listen again and carry data, not fail with
# "address in use" while the old session still holds the ports. For the old
# session to be slow to close (unhindered it is gone in a few ms, before
# the new one binds), four tunnels through the sink's forward keep sending
# while the sshd process serving RECON is stopped (SIGSTOP), until 3 s after
# Connect was pressed again: the socket to it fills and the old worker
# waits in a write, its listeners still open, until SIGCONT.
rport=$(free_port) pport=$(free_port)
start_sink
make_kit "$dir/kit"
printf '%s\r\n' "" "Host STALL" "  HostName 127.0.0.1" "  Port $sport" "  User $(id -un)" \
	"  IdentityFile keys/id_ed25519" "  ConnectTimeout 40" "" \
	"Host RECON" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
	"  IdentityFile keys/id_ed25519" "  ExitOnForwardFailure yes" \
	"  LocalForward 127.0.0.1:$rport 127.0.0.1:$ssh_port" \
	"  LocalForward 127.0.0.1:$pport 127.0.0.1:$sinkport" >>"$dir/kit/settings/config.txt"
banner() { timeout 10 socat -T 5 - TCP:127.0.0.1:"$rport" </dev/null 2>/dev/null | head -c 8; }
# The sshd processes serving RECON's connection are stopped by PID
# (freeze_sshd, lib.sh); they get SIGCONT from the subshell below and,
# whatever happens, on exit.
trap 'cleanup; thaw' EXIT
wait_for() { # FILE SECONDS
	local i
	for i in $(seq 1 $(($2 * 5))); do [ -e "$1" ] && return 0; sleep 0.2; done
	return 1
}
# stall_recon N: once the driver wrote recon-stallN, four tunnels through
# RECON send and its sshd is stopped; recon-stalledN says so; SIGCONT 3 s
# after the driver wrote recon-clickedN (it pressed Connect again).
stall_recon() {
	local r n0 n pump
	wait_for "$dir/kit/recon-stall$1" 300 || return 1
	r="failed: four tunnels did not open"
	n0=$(cat "$dir/sink-accepted" 2>/dev/null || echo 0)
	timeout 60 /usr/bin/python3 -c '
import os, select, socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5) for _ in range(4)]
end = time.time() + 30
while not os.path.exists(sys.argv[2]) and time.time() < end:
    time.sleep(0.05)
for s in socks:
    s.setblocking(False)
chunk = b"x" * 65536
while socks and time.time() < end:
    _, w, _ = select.select([], socks, [], 0.5)
    for s in w:
        try:
            s.send(chunk)
        except OSError:
            socks.remove(s)
            s.close()
' "$pport" "$dir/pump-go$1" &
	pump=$!
	for i in $(seq 1 50); do
		n=$(cat "$dir/sink-accepted" 2>/dev/null || echo 0)
		[ "$n" -ge $((n0 + 4)) ] && break
		sleep 0.2
	done
	if [ "$n" -ge $((n0 + 4)) ]; then
		r="failed: no sshd process serves RECON"
		if freeze_sshd; then
			touch "$dir/pump-go$1"
			sleep 2 # the tunnels fill the stopped server's socket
			r="ok four tunnels through RECON send; its sshd ($(wc -l <"$dir/frozen") processes) is stopped"
		fi
	fi
	echo "$r" >"$dir/kit/recon-stalled$1.tmp"
	mv "$dir/kit/recon-stalled$1.tmp" "$dir/kit/recon-stalled$1"
	wait_for "$dir/kit/recon-clicked$1" 60 || true
	sleep 3
	thaw
	wait "$pump" || true
}
(
	stall_recon "" || exit 0
	# The driver writes recon-again once RECON was connected again (or
	# has given up).
	wait_for "$dir/kit/recon-again" 120 || exit 0
	r=failed
	if [ "$(banner)" = "SSH-2.0-" ]; then r=ok; fi
	echo "$r the forward carries data after Connect again (got '$(banner)')" >"$dir/kit/recon-checked.tmp"
	mv "$dir/kit/recon-checked.tmp" "$dir/kit/recon-checked"
	# Then Connect again and Disconnect while the old session is held.
	stall_recon 2 || exit 0
) &
pids+=($!)
run stall "$dir/kit"
echo "screenshots: $shots"
finish
