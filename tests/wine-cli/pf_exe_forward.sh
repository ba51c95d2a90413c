#!/usr/bin/env bash
# pf.exe under Wine: a kit in a folder named メール設定 (config.txt with CRLF,
# the key, known_hosts written there), a LocalForward and a DynamicForward
# to a Linux HTTP server, fetched by curl from Linux; then the Wine session
# ends and the forward is gone.
set -euo pipefail
PFEXE=$1
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh" "$PFEXE" "$2" "$3"

start_sshd
kit="$dir/メール設定"
mkdir -p "$kit" "$dir/www"
ssh-keygen -q -t ed25519 -N '' -C wine-kit -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
echo "hello from linux" >"$dir/www/hello.txt"
http_port=$(free_port)
lport=$(free_port)
sport=$(free_port)
(cd "$dir/www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
wait_port "$http_port"
printf 'Host test\r\n  HostName 127.0.0.1\r\n  Port %s\r\n  User %s\r\n  IdentityFile id_ed25519\r\n  StrictHostKeyChecking accept-new\r\n  LocalForward %s 127.0.0.1:%s\r\n  DynamicForward %s\r\n' \
	"$ssh_port" "$(id -un)" "$lport" "$http_port" "$sport" >"$kit/config.txt"

wine_start "$dir/pf.log" "$PFEXE" \
	-F "$(winpath "$kit/config.txt")" -N test
check "pf.exe's forward is listening (Wine)" wait_port "$lport" 120
check "curl through pf.exe's LocalForward" \
	test "$(curl -sS --max-time 20 "http://127.0.0.1:$lport/hello.txt")" = "hello from linux"
check "curl through pf.exe's SOCKS5" \
	test "$(curl -sS --max-time 20 --socks5 "127.0.0.1:$sport" "http://127.0.0.1:$http_port/hello.txt")" = "hello from linux"
check "known_hosts written in the Japanese-named folder" test -s "$kit/known_hosts"
wine_stop
check "the forward is gone with the program" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$lport) 2>/dev/null"
[ "$fails" -eq 0 ] || cat "$dir/pf.log"
finish
