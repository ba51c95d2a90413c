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
# reconnect to apply" path): its LocalForward (to sshd, whose banner is the
# data) must listen again and carry data, not fail with "address in use"
# while the old session still holds the port.
rport=$(free_port)
make_kit "$dir/kit"
printf '%s\r\n' "" "Host STALL" "  HostName 127.0.0.1" "  Port $sport" "  User $(id -un)" \
	"  IdentityFile keys/id_ed25519" "  ConnectTimeout 40" "" \
	"Host RECON" "  HostName 127.0.0.1" "  Port $ssh_port" "  User $(id -un)" \
	"  IdentityFile keys/id_ed25519" "  ExitOnForwardFailure yes" \
	"  LocalForward 127.0.0.1:$rport 127.0.0.1:$ssh_port" >>"$dir/kit/settings/config.txt"
banner() { timeout 10 socat -T 5 - TCP:127.0.0.1:"$rport" </dev/null 2>/dev/null | head -c 8; }
( # the driver writes recon-again once RECON was connected again and says Connected
	for i in $(seq 1 1500); do [ -e "$dir/kit/recon-again" ] && break; sleep 0.2; done
	[ -e "$dir/kit/recon-again" ] || exit 0
	r=failed
	if [ "$(banner)" = "SSH-2.0-" ]; then r=ok; fi
	echo "$r the forward carries data after Connect again (got '$(banner)')" >"$dir/kit/recon-checked.tmp"
	mv "$dir/kit/recon-checked.tmp" "$dir/kit/recon-checked"
) &
pids+=($!)
run stall "$dir/kit"
echo "screenshots: $shots"
finish
