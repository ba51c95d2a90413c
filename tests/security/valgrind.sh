#!/usr/bin/env bash
# pf under valgrind (memcheck, full leak check) over one whole scenario: a
# login with an encrypted key, a LocalForward carrying a few dialogues and a
# SOCKS download, then Ctrl-C. Any error or definite/indirect leak fails.
here=$(cd "$(dirname "$0")" && pwd)
supp=$3
. "$here/../cli/lib.sh"

start_sshd
kit=$dir/kit
mkdir -p "$kit" "$dir/www"
ssh-keygen -q -t ed25519 -N 'valgrind pass' -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
printf '#!/bin/sh\necho "valgrind pass"\n' >"$dir/askpass"
chmod +x "$dir/askpass"
head -c 2000000 /dev/urandom >"$dir/www/blob"
echo_port=$(free_port)
http_port=$(free_port)
lport=$(free_port)
sport=$(free_port)
socat TCP-LISTEN:"$echo_port",bind=127.0.0.1,reuseaddr,fork EXEC:cat &
pids+=($!)
(cd "$dir/www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
wait_port "$http_port"
printf 'Host test\n  HostName 127.0.0.1\n  Port %s\n  User %s\n  IdentityFile id_ed25519\n  LocalForward %s 127.0.0.1:%s\n  DynamicForward %s\n' \
	"$ssh_port" "$(id -un)" "$lport" "$echo_port" "$sport" >"$kit/config.txt"

SSH_ASKPASS=$dir/askpass SSH_ASKPASS_REQUIRE=force \
	valgrind --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--suppressions="$supp" --log-file="$dir/valgrind.log" \
	"$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new -N test >"$dir/pf.out" 2>&1 &
pf_pid=$!
pids+=("$pf_pid")
check "connected under valgrind" wait_port "$lport" 120
for i in 1 2 3; do
	reply=$(printf 'line %s\n' "$i" | socat -t 60 - TCP:127.0.0.1:"$lport") # valgrind on a busy machine: a slow first channel
	check "dialogue $i" test "$reply" = "line $i"
done
want=$(sha256sum <"$dir/www/blob" | cut -d' ' -f1)
got=$(curl -sS --max-time 120 --socks5 127.0.0.1:"$sport" "http://127.0.0.1:$http_port/blob" | sha256sum | cut -d' ' -f1)
check "2 MB through SOCKS5 intact" test "$want" = "$got"
kill -INT "$pf_pid"
rc=0
wait "$pf_pid" || rc=$?
check "pf ended cleanly under valgrind (status $rc)" test "$rc" = 0
if [ "$rc" != 0 ] || [ -s "$dir/valgrind.log" ]; then
	cat "$dir/valgrind.log"
fi
check "valgrind ran (its log exists)" test -e "$dir/valgrind.log"
check "valgrind reports nothing" test ! -s "$dir/valgrind.log"
finish
