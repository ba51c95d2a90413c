#!/usr/bin/env bash
# ProxyJump from pf.exe under Wine: the target sshd is reached through a
# jump sshd (each host key saved, each login with the key), and curl from
# Linux goes through pf.exe's forward on the target.
set -euo pipefail
PFEXE=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh" "$PFEXE" "$2" "$3"

start_sshd
jump_port=$ssh_port
start_sshd
target_port=$ssh_port
kit="$dir/kit"
mkdir -p "$kit" "$dir/www"
ssh-keygen -q -t ed25519 -N '' -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
echo "through the jump host" >"$dir/www/hello.txt"
http_port=$(free_port)
lport=$(free_port)
(cd "$dir/www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
wait_port "$http_port"
printf '%s\r\n' "Host jump" "  HostName 127.0.0.1" "  Port $jump_port" "  User $(id -un)" \
	"  IdentityFile id_ed25519" "  StrictHostKeyChecking accept-new" \
	"Host target" "  HostName 127.0.0.1" "  Port $target_port" "  User $(id -un)" \
	"  IdentityFile id_ed25519" "  StrictHostKeyChecking accept-new" "  ProxyJump jump" \
	"  LocalForward $lport 127.0.0.1:$http_port" >"$kit/config.txt"

wine_start "$dir/pf.log" "$PFEXE" \
	-F "$(winpath "$kit/config.txt")" -v -N target
check "pf.exe's forward is listening" wait_port "$lport" 120
check "curl through the forward on the target" \
	test "$(curl -sS --max-time 60 "http://127.0.0.1:$lport/hello.txt")" = "through the jump host"
check "the jump host was used" grep -q "jump host" "$dir/pf.log"
check "both host keys saved" test "$(wc -l <"$kit/known_hosts")" = 2
wine_stop
[ "$fails" -eq 0 ] || cat "$dir/pf.log"
finish
