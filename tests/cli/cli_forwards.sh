#!/usr/bin/env bash
# pf -N with LocalForward, DynamicForward and RemoteForward against a real
# sshd; real clients through them: socat (a line dialogue with half-close),
# curl (HTTP through the forwards, SOCKS4/4a/5/5h), a large download checked
# byte for byte, half-close started by the server, a burst of parallel
# connections, the remote SOCKS form (curl
# on the server side through RemoteForward without destination); then Ctrl-C
# ends it cleanly.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

start_sshd
kit=$dir/kit
mkdir -p "$kit" "$dir/www"
ssh-keygen -q -t ed25519 -N 'pass phrase' -C kit -f "$kit/id_ed25519"
cat "$kit/id_ed25519.pub" >"$dir/authorized_keys"
printf '#!/bin/sh\necho "pass phrase"\n' >"$dir/askpass"
chmod +x "$dir/askpass"

echo_port=$(free_port)
http_port=$(free_port)
lport=$(free_port)
lport2=$(free_port)
sport=$(free_port)
rport=$(free_port)
rsport=$(free_port)
hport=$(free_port)
lport3=$(free_port)
# (socat's fork + EXEC:cat loses replies under load: a Python echo instead.)
python3 "$here/echo.py" "$echo_port" &
pids+=($!)
head -c 20000000 /dev/urandom >"$dir/www/big.bin"
echo "hello through the tunnel" >"$dir/www/hello.txt"
(cd "$dir/www" && exec python3 -m http.server --bind 127.0.0.1 "$http_port" >/dev/null 2>&1) &
pids+=($!)
(cd "$dir" && exec python3 "$here/halfclose.py" serve "$hport") &
pids+=($!)
wait_port "$echo_port"
wait_port "$http_port"
wait_port "$hport"

cat >"$kit/config.txt" <<CFG
Host test
  HostName 127.0.0.1
  Port $ssh_port
  User $(id -un)
  IdentityFile id_ed25519
  LocalForward $lport 127.0.0.1:$echo_port
  LocalForward $lport2 127.0.0.1:$http_port
  DynamicForward $sport
  RemoteForward $rport 127.0.0.1:$http_port
  RemoteForward 0 127.0.0.1:$http_port
  RemoteForward $rsport
  LocalForward $lport3 127.0.0.1:$hport
CFG

SSH_ASKPASS=$dir/askpass SSH_ASKPASS_REQUIRE=force \
	"$PF" -F "$kit/config.txt" -o StrictHostKeyChecking=accept-new -N test 2>"$dir/pf.log" &
pf_pid=$!
pids+=("$pf_pid")
check "local forward listening" wait_port "$lport" 20
check "SOCKS forward listening" wait_port "$sport" 20
wait_port "$rport" 20 || true
wait_port "$rsport" 20 || true
cat "$dir/pf.log"

reply=$(printf 'USER ohba\r\nQUIT\r\n' | socat -t 5 - TCP:127.0.0.1:"$lport")
check "line dialogue through LocalForward (half-close passed on)" \
	test "$reply" = "$(printf 'USER ohba\r\nQUIT\r')"

check "half-close by the server first: its EOF passed on, the client's data after it still delivered" \
	bash -c "cd '$dir' && python3 '$here/halfclose.py' talk $lport3 $hport"

url=http://127.0.0.1:$http_port/hello.txt
check "HTTP through LocalForward" \
	test "$(curl -sS --max-time 10 http://127.0.0.1:$lport2/hello.txt)" = "hello through the tunnel"
check "curl via SOCKS4" test "$(curl -sS --max-time 10 --socks4 127.0.0.1:$sport "$url")" = "hello through the tunnel"
check "curl via SOCKS4a" test "$(curl -sS --max-time 10 --socks4a 127.0.0.1:$sport "http://localhost:$http_port/hello.txt")" = "hello through the tunnel"
check "curl via SOCKS5" test "$(curl -sS --max-time 10 --socks5 127.0.0.1:$sport "$url")" = "hello through the tunnel"
check "curl via SOCKS5h (name resolved by the server)" \
	test "$(curl -sS --max-time 10 --socks5-hostname 127.0.0.1:$sport "http://localhost:$http_port/hello.txt")" = "hello through the tunnel"
closed=$(free_port)
out=$(curl -sS --max-time 10 --socks5 127.0.0.1:$sport "http://127.0.0.1:$closed/" 2>&1 || true)
check "SOCKS5 replies connection refused, code 5 ($out)" grep -q "(5)" <<<"$out"
check "HTTP through RemoteForward" \
	test "$(curl -sS --max-time 10 http://127.0.0.1:$rport/hello.txt)" = "hello through the tunnel"
# RemoteForward 0: the server picks the port, and pf says which.
for i in $(seq 1 50); do grep -q "Allocated port" "$dir/pf.log" && break; sleep 0.1; done
aport=$(sed -n 's/.*Allocated port \([0-9]*\) on the server.*/\1/p' "$dir/pf.log" | head -n1)
check "RemoteForward 0: the allocated port is reported ($aport)" test -n "$aport"
check "HTTP through the allocated remote port" \
	test "$(curl -sS --max-time 10 "http://127.0.0.1:${aport:-1}/hello.txt")" = "hello through the tunnel"
# Remote SOCKS (RemoteForward without destination): a SOCKS client on the
# server side reaches our side's HTTP server through us.
check "curl via remote SOCKS5" test "$(curl -sS --max-time 10 --socks5 127.0.0.1:$rsport "$url")" = "hello through the tunnel"
check "curl via remote SOCKS5h" \
	test "$(curl -sS --max-time 10 --socks5-hostname 127.0.0.1:$rsport "http://localhost:$http_port/hello.txt")" = "hello through the tunnel"
check "curl via remote SOCKS4a" \
	test "$(curl -sS --max-time 10 --socks4a 127.0.0.1:$rsport "http://localhost:$http_port/hello.txt")" = "hello through the tunnel"
out=$(curl -sS --max-time 10 --socks5 127.0.0.1:$rsport "http://127.0.0.1:$closed/" 2>&1 || true)
check "remote SOCKS5 replies connection refused, code 5 ($out)" grep -q "(5)" <<<"$out"
if (exec 3<>/dev/tcp/::1/"$lport2") 2>/dev/null; then
	check "LocalForward listens on ::1 too" \
		test "$(curl -sS --max-time 10 "http://[::1]:$lport2/hello.txt")" = "hello through the tunnel"
fi

want=$(sha256sum <"$dir/www/big.bin" | cut -d' ' -f1)
got=$(curl -sS --max-time 60 http://127.0.0.1:$lport2/big.bin | sha256sum | cut -d' ' -f1)
check "20 MB download intact through LocalForward" test "$want" = "$got"
got=$(curl -sS --max-time 60 --socks5 127.0.0.1:$sport "http://127.0.0.1:$http_port/big.bin" | sha256sum | cut -d' ' -f1)
check "20 MB download intact through SOCKS5" test "$want" = "$got"

# A bounded burst of parallel connections, every reply checked.
# Each client ends by itself (socat -t/-T); on a loaded machine (the suite
# runs fuzzers beside this) that can take a while, so wait for the clients
# themselves rather than a fixed time per reply.
burst=()
for i in $(seq 1 50); do
	(printf 'line %s\n' "$i" | socat -t 30 -T 60 - TCP:127.0.0.1:"$lport" >"$dir/par.$i") &
	burst+=($!)
done
for p in "${burst[@]}"; do wait "$p" || true; done
wait_ok=1
for i in $(seq 1 50); do
	[ "$(cat "$dir/par.$i")" = "line $i" ] || { wait_ok=0; echo "dialogue $i got: '$(cat "$dir/par.$i")'"; }
done
check "50 parallel dialogues, each reply intact" test "$wait_ok" = 1

check "known_hosts saved next to the key, one entry" test "$(wc -l <"$kit/known_hosts")" = 1

kill -INT "$pf_pid"
rc=0
wait "$pf_pid" || rc=$?
check "Ctrl-C ends pf with status 0 (got $rc)" test "$rc" = 0
check "the forwards are closed after exit" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/$lport) 2>/dev/null"
if [ "$fails" -ne 0 ]; then cat "$dir/pf.log"; tail -20 "$dir/sshd.log"; fi
finish
