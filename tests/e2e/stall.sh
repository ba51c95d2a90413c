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

make_kit "$dir/kit"
printf '%s\r\n' "" "Host STALL" "  HostName 127.0.0.1" "  Port $sport" "  User $(id -un)" \
	"  IdentityFile keys/id_ed25519" "  ConnectTimeout 40" >>"$dir/kit/settings/config.txt"
run stall "$dir/kit"
echo "screenshots: $shots"
finish
